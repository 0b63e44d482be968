// Compare two runs: their scores side by side (moves kept in step) or as a swipe on one map, and the
// difference of the scores (B minus A) on a third map, all over the hillshade of run A's study area.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const KW = window.KW;
  if (!KW || typeof L === "undefined") return;
  const a = KW.json("run-a"), b = KW.json("run-b");
  const tile = (run, layer) => "/api/v1/runs/" + encodeURIComponent(run.id) + "/tiles/" + layer + "/{z}/{x}/{y}.png?v=" + run.checksum.slice(0, 12);
  const bounds = (run) => L.latLngBounds([run.bounds[1], run.bounds[0]], [run.bounds[3], run.bounds[2]]);
  function make(id) {
    const el = document.getElementById(id);
    const map = L.map(el, { zoomSnap: 1 });
    if (el.dataset.basemap) L.tileLayer(el.dataset.basemap, { maxZoom: 19 }).addTo(map);
    map.fitBounds(bounds(a).extend(bounds(b)));
    L.control.scale({ imperial: false }).addTo(map);
    return map;
  }
  const mapA = make("map-a"), mapB = make("map-b"), mapD = make("map-diff");
  const hs = (run) => run.layers.some((l) => l.id === "hillshade");
  for (const [m, run] of [[mapA, a], [mapB, b], [mapD, a]]) if (hs(run)) L.tileLayer(tile(run, "hillshade"), { bounds: bounds(run), maxZoom: 20, maxNativeZoom: 18 }).addTo(m);
  const scoreA = L.tileLayer(tile(a, "score"), { bounds: bounds(a), opacity: 0.8, maxZoom: 20, maxNativeZoom: 18, className: "tiles-score-a" }).addTo(mapA);
  L.tileLayer(tile(b, "score"), { bounds: bounds(b), opacity: 0.8, maxZoom: 20, maxNativeZoom: 18, className: "tiles-score-b" }).addTo(mapB);
  const both = bounds(a);
  L.tileLayer("/api/v1/compare/" + encodeURIComponent(a.id) + "/" + encodeURIComponent(b.id) + "/tiles/{z}/{x}/{y}.png?v=" + a.checksum.slice(0, 8) + b.checksum.slice(0, 8),
    { bounds: both, opacity: 0.9, maxZoom: 20, maxNativeZoom: 18, className: "tiles-diff" }).addTo(mapD);
  // keep the maps in step
  let syncing = false;
  const maps = [mapA, mapB, mapD];
  for (const m of maps) m.on("moveend", () => {
    if (syncing) return;
    syncing = true;
    for (const o of maps) if (o !== m) o.setView(m.getCenter(), m.getZoom(), { animate: false });
    syncing = false;
  });
  // swipe: run B's score over run A's on the left map, clipped at the slider
  const swipeB = L.tileLayer(tile(b, "score"), { bounds: bounds(b), opacity: 0.8, maxZoom: 20, maxNativeZoom: 18, className: "tiles-swipe-b" });
  const slider = document.getElementById("swipe");
  function clip() {
    if (!mapA.hasLayer(swipeB)) return;
    const size = mapA.getSize();
    const nw = mapA.containerPointToLayerPoint([0, 0]);
    const se = mapA.containerPointToLayerPoint(size);
    const x = mapA.containerPointToLayerPoint([size.x * Number(slider.value) / 100, 0]).x;
    swipeB.getContainer().style.clip = "rect(" + [nw.y, se.x, se.y, x].join("px,") + "px)";
  }
  slider.addEventListener("input", clip);
  mapA.on("move", clip);
  document.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", () => {
    const swipe = r.value === "swipe" && r.checked;
    document.getElementById("swipe-control").hidden = !swipe;
    document.getElementById("fig-b").hidden = swipe;
    document.getElementById("compare-grid").classList.toggle("single", swipe);
    if (swipe) { swipeB.addTo(mapA); } else { mapA.removeLayer(swipeB); }
    mapA.invalidateSize();
    clip();
  }));
  document.querySelector(".diff-ramp").style.background = "linear-gradient(to right, #b2182b, #ef8a62, #f7f7f7, #67a9cf, #2166ac)";
  document.getElementById("map-diff").dataset.ready = "1";
});
