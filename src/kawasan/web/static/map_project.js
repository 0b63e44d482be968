// The project's site on a small map (no base map unless one is configured).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("project-site-map");
  const data = document.getElementById("project-site-geometry");
  if (!el || !data || typeof L === "undefined") return;
  const map = L.map(el);
  if (el.dataset.basemap) L.tileLayer(el.dataset.basemap, { maxZoom: 19 }).addTo(map);
  const layer = L.geoJSON(JSON.parse(data.dataset.json), { style: { color: "#6a00a8", weight: 3, fillOpacity: 0.2 } }).addTo(map);
  map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [20, 20] });
  L.control.scale({ imperial: false }).addTo(map);
  el.dataset.ready = "1";
});
