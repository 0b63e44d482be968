// A run's map: raster tiles from /api/v1/runs/{id}/tiles, vector layers as GeoJSON simplified per zoom,
// a layer switcher with opacity, the legend of each visible layer, a scale bar, and a click on a cell that
// shows its score, class, criteria and the rules that exclude it. No base map unless one is configured.
// Every text from the server is inserted as text, never as HTML.
"use strict";

const KW = (window.KW = window.KW || {});

KW.el = function (tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
};

KW.fmt = function (v, digits) {
  if (v === null || v === undefined) return "–";
  return Number(v).toLocaleString(document.documentElement.lang === "id" ? "id-ID" : "en-GB",
    { maximumFractionDigits: digits === undefined ? 2 : digits });
};

KW.json = function (id) {
  const node = document.getElementById(id);  // data in a data-json attribute: no inline script on any page
  return node ? JSON.parse(node.dataset.json) : null;
};

KW.swatches = function () {
  document.querySelectorAll("[data-colour]").forEach((s) => { s.style.background = s.dataset.colour; });
};

const VECTOR_STYLE = {
  boundary: { color: "#111111", weight: 2.2, fill: false },
  roads: { color: "#8c8c8c", weight: 1.2 },
  rivers: { color: "#2b7bba", weight: 1.2 },
  lakes: { color: "#2b7bba", weight: 1, fillColor: "#a6cbe3", fillOpacity: 0.6 },
  coastline: { color: "#2b7bba", weight: 1.5 },
  settlements: { color: "#7a3b2e", weight: 1, fillOpacity: 0.35 },
  railways: { color: "#333333", weight: 1.6, dashArray: "4 3" },
  power_lines: { color: "#b8860b", weight: 1.2, dashArray: "6 4" },
  sites: { color: "#000000", weight: 2, fillColor: "#ffffff", fillOpacity: 0.15 },
  checked: { color: "#6a00a8", weight: 3, fillOpacity: 0.1 },
};
const ROAD_CLASS = { arterial: ["#c8102e", 3], collector: ["#f08c00", 2], local: ["#8c8c8c", 1] };
const DEFAULT_ON = ["hillshade", "classes"];
const DEFAULT_VECTORS = ["boundary", "roads", "rivers", "ports", "sites"];

KW.vectorLayer = function (map, url, name, options) {
  // A GeoJSON layer fetched again, simplified for the new zoom, when the zoom changes.
  const style = (f) => {
    if (name === "roads" && f.properties.class && ROAD_CLASS[f.properties.class]) {
      const [color, weight] = ROAD_CLASS[f.properties.class];
      return { color, weight };
    }
    return VECTOR_STYLE[name] || { color: "#333333", weight: 1 };
  };
  const layer = L.geoJSON(null, {
    style,
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 5, color: "#08306b", fillOpacity: 0.9 }),
    onEachFeature: (f, lyr) => {
      const p = f.properties || {};
      const label = p.name || p.nama || (p.id !== undefined ? "#" + p.id : null);
      if (label && name !== "sites") lyr.bindTooltip(String(label));
      if (options && options.onFeature) options.onFeature(f, lyr);
    },
  });
  let loadedZoom = null;
  let request = 0;
  async function load() {
    const z = map.getZoom();
    if (z === loadedZoom) return;
    const mine = ++request;
    const res = await fetch(url + "?z=" + z, { credentials: "same-origin" });
    if (!res.ok || mine !== request) return;
    const data = await res.json();
    layer.clearLayers();
    layer.addData(data);
    loadedZoom = z;
    if (options && options.onLoad) options.onLoad(layer);
  }
  layer.on("add", () => { loadedZoom = null; load(); map.on("zoomend", load); });
  layer.on("remove", () => map.off("zoomend", load));
  return layer;
};

KW.legendFor = function (item, S) {
  const box = KW.el("div", { class: "legend-item" }, KW.el("h3", { text: item.label }));
  const lg = item.legend;
  if (!lg) return box;
  if (lg.kind === "ramp") {
    const bar = KW.el("div", { class: "ramp" });
    bar.style.background = "linear-gradient(to right, " + lg.stops.join(", ") + ")";
    box.append(bar, KW.el("div", { class: "ramp-ends" }, KW.el("span", { text: lg.low }), KW.el("span", { text: lg.high })));
  } else {
    const ul = KW.el("ul", { class: "swatch-list" });
    for (const it of lg.items) {
      const sw = KW.el("span", { class: "swatch" + (it.hatched ? " hatched" : "") });
      sw.style.background = it.colour;
      ul.append(KW.el("li", {}, sw, " ", it.label));
    }
    box.append(ul);
  }
  return box;
};

// A certainty tag as the server's pages show it: the colour of its class (a design choice has its own), its
// text in the page's language, its meaning on hover; the classes come from #certainty-data.
KW.cert = function (tag, cls) {
  const by = {};
  for (const c of KW.json("certainty-data") || []) by[c.tag] = c;
  const c = by[cls] || by.U || { css: "c-U", meaning: "" };
  const text = tag ? String(tag).split(";").map((p) => p.trim()).map((p) => (by[p] ? by[p].text : p)).join("; ") : "–";
  return KW.el("abbr", { class: "tag " + c.css, "data-certainty": cls || "U", title: c.meaning, text });
};

KW.cellHtml = function (q, S) {
  const body = KW.el("div", { class: "cell" });
  const dl = KW.el("dl", { class: "facts" });
  const add = (k, v) => { dl.append(KW.el("dt", { text: k }), KW.el("dd", { text: v })); };
  add(S.score, KW.fmt(q.score, 3));
  add(S["class"], q.class_label || q["class"]);
  add(S.lonlat, KW.fmt(q.lat, 5) + ", " + KW.fmt(q.lon, 5));
  body.append(dl);
  if (q.excluded_by.length) {
    body.append(KW.el("h3", { text: S.excluded_by }));
    const ul = KW.el("ul", { class: "rules", id: "cell-rules" });
    for (const r of q.excluded_by) {
      ul.append(KW.el("li", {},
        KW.el("strong", { text: r.label }), " ",
        KW.cert(r.certainty, r.certainty_tag),
        KW.el("div", { class: "small", text: (r.legal_basis || S.no_basis) })));
    }
    body.append(ul);
  } else if (q.class_code) {
    body.append(KW.el("p", { class: "good", text: S.not_excluded }));
  }
  const t = KW.el("table", { class: "list compact" });
  t.append(KW.el("thead", {}, KW.el("tr", {}, KW.el("th", { text: S.criterion }), KW.el("th", { class: "num", text: S.raw }),
    KW.el("th", { class: "num", text: S.standardized }))));
  const tb = KW.el("tbody");
  for (const c of q.criteria) {
    let raw = c.raw_category ? c.raw_category : KW.fmt(c.raw, 1) + (c.unit ? " " + c.unit : "");
    if (c.raw_beyond) raw = "≥ " + raw;
    tb.append(KW.el("tr", {}, KW.el("td", { text: c.label }), KW.el("td", { class: "num", text: raw }),
      KW.el("td", { class: "num", text: KW.fmt(c.standardized, 3) })));
  }
  t.append(tb);
  body.append(t);
  if (q.raw_note) body.append(KW.el("p", { class: "muted small", text: S.raw_missing + " " + q.raw_note }));
  return body;
};

KW.runMap = function (el, run, S, options) {
  // The map of one run with its layer switcher; returns {map, rasters, vectors}.
  const map = L.map(el, { zoomSnap: 1, attributionControl: true });
  const b = run.bounds;
  const bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  map.fitBounds(bounds);
  map.setMaxBounds(bounds.pad(0.5));
  if (el.dataset.basemap) L.tileLayer(el.dataset.basemap, { maxZoom: 19 }).addTo(map);
  map.attributionControl.setPrefix(run.synthetic ? S.synthetic : "");
  L.control.scale({ imperial: false }).addTo(map);
  const base = "/api/v1/runs/" + encodeURIComponent(run.id);
  const rasters = {};
  for (const item of run.layers) {
    rasters[item.id] = L.tileLayer(base + "/tiles/" + encodeURIComponent(item.id) + "/{z}/{x}/{y}.png?v=" + run.checksum.slice(0, 12), {
      bounds, maxNativeZoom: 18, maxZoom: 20, opacity: item.id === "hillshade" ? 1 : 0.75, className: "tiles-" + item.id.replace(/\W/g, "-"),
      zIndex: item.id === "hillshade" ? 1 : item.group === "study" ? 2 : item.group === "criteria" ? 3 : 4,
    });
  }
  const vectors = {};
  for (const name of run.vectors || []) {
    vectors[name] = KW.vectorLayer(map, base + "/vectors/" + encodeURIComponent(name) + ".geojson", name,
      name === "sites" && options && options.sites ? options.sites : null);
  }
  return { map, bounds, rasters, vectors };
};

KW.layerSwitcher = function (ctx, run, S, listEl, legendEl, on, vectorsOn) {
  // Checkboxes with an opacity slider for each raster layer, checkboxes for the vector layers.
  const { map, rasters, vectors } = ctx;
  const active = new Set(on);
  function legend() {
    legendEl.replaceChildren();
    for (const item of run.layers) if (active.has(item.id) && item.legend) legendEl.append(KW.legendFor(item, S));
  }
  const groups = { run: S.group_run, criteria: S.group_criteria, study: S.group_study };
  for (const [g, title] of Object.entries(groups)) {
    const items = run.layers.filter((i) => i.group === g);
    if (!items.length) continue;
    const fs = KW.el("fieldset", { class: "layers" }, KW.el("legend", { text: title }));
    for (const item of items) {
      const id = "ly-" + item.id.replace(/\W/g, "-");
      const cb = KW.el("input", { type: "checkbox", id, "data-layer": item.id });
      const slider = KW.el("input", { type: "range", min: "0", max: "100", value: String(Math.round(rasters[item.id].options.opacity * 100)),
        "aria-label": S.opacity + ": " + item.label, class: "opacity" });
      cb.checked = active.has(item.id);
      if (cb.checked) rasters[item.id].addTo(map);
      cb.addEventListener("change", () => {
        if (cb.checked) { rasters[item.id].addTo(map); active.add(item.id); } else { map.removeLayer(rasters[item.id]); active.delete(item.id); }
        legend();
      });
      slider.addEventListener("input", () => rasters[item.id].setOpacity(Number(slider.value) / 100));
      fs.append(KW.el("div", { class: "layer-row" }, cb, KW.el("label", { for: id, text: item.label }), slider));
    }
    listEl.append(fs);
  }
  const vs = KW.el("fieldset", { class: "layers" }, KW.el("legend", { text: S.group_vectors }));
  for (const [name, layer] of Object.entries(vectors)) {
    const id = "vy-" + name;
    const cb = KW.el("input", { type: "checkbox", id, "data-vector": name });
    cb.checked = vectorsOn.includes(name);
    if (cb.checked) layer.addTo(map);
    cb.addEventListener("change", () => (cb.checked ? layer.addTo(map) : map.removeLayer(layer)));
    vs.append(KW.el("div", { class: "layer-row" }, cb, KW.el("label", { for: id, text: S["vector_" + name] || name })));
  }
  listEl.append(vs);
  legend();
};

KW.clickQuery = function (ctx, run, S, target) {
  let marker = null;
  ctx.map.on("click", async (ev) => {
    if (ctx.drawing && ctx.drawing()) return;
    const url = "/api/v1/runs/" + encodeURIComponent(run.id) + "/point?lon=" + ev.latlng.lng.toFixed(7) + "&lat=" + ev.latlng.lat.toFixed(7);
    target.replaceChildren(KW.el("p", { class: "muted", text: S.loading }));
    if (marker) ctx.map.removeLayer(marker);
    marker = L.circleMarker(ev.latlng, { radius: 6, color: "#6a00a8", weight: 2, fillOpacity: 0 }).addTo(ctx.map);
    const res = await fetch(url, { credentials: "same-origin" });
    const body = await res.json();
    if (!res.ok) { target.replaceChildren(KW.el("p", { class: "error", text: body.error ? body.error.message : S.failed })); return; }
    target.replaceChildren(KW.cellHtml(body, S));
  });
};

document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("run-map");
  if (!el || typeof L === "undefined") return;
  const run = KW.json("run-data");
  const S = KW.json("map-strings");
  KW.swatches();
  const hooks = window.KW_SITES ? window.KW_SITES(run, S) : {};
  const ctx = KW.runMap(el, run, S, hooks);
  KW.layerSwitcher(ctx, run, S, document.getElementById("layer-list"), document.getElementById("legend-body"),
    DEFAULT_ON.filter((l) => ctx.rasters[l]), DEFAULT_VECTORS);
  KW.clickQuery(ctx, run, S, document.getElementById("cell-body"));
  KW.ctx = ctx;
  if (hooks.ready) hooks.ready(ctx);
  el.dataset.ready = "1";
});
