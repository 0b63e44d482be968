// The portfolio map: project sites from /api/v1/sites.geojson with Leaflet; no base map unless configured.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const el = document.getElementById("sites-map");
  if (!el || typeof L === "undefined") return;
  const res = await fetch(el.dataset.geojson, { credentials: "same-origin" });
  if (!res.ok) { el.textContent = el.dataset.empty; return; }
  const data = await res.json();
  if (!data.features || data.features.length === 0) { el.textContent = el.dataset.empty; el.classList.add("empty"); return; }
  const map = L.map(el, { attributionControl: true });
  if (el.dataset.basemap) L.tileLayer(el.dataset.basemap, { maxZoom: 19 }).addTo(map);
  const colours = { on_track: "#027a48", at_risk: "#b54708", overdue: "#b42318", blocked: "#912018" };
  const layer = L.geoJSON(data, {
    style: (f) => ({ color: colours[f.properties.status] || "#0b5d4b", weight: 2, fillOpacity: 0.35 }),
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 7 }),
    onEachFeature: (f, lyr) => {
      const div = document.createElement("div");
      const a = document.createElement("a");
      a.href = "/projects/" + encodeURIComponent(f.properties.id);
      a.textContent = f.properties.name;  // text, never HTML: names are user input
      div.appendChild(a);
      lyr.bindPopup(div);
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { maxZoom: 14, padding: [20, 20] });
  L.control.scale({ imperial: false }).addTo(map);
});
