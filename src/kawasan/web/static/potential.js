// kawasan Regional potential: the regencies as a choropleth of the composite score (colours and classes
// computed by the server, the same as the report's map); a click opens the region's page.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const el = document.getElementById("potential-map");
  if (!el || typeof L === "undefined") return;
  const res = await fetch(el.dataset.geojson, { credentials: "same-origin" });
  if (!res.ok) { el.textContent = (await res.json().catch(() => ({ error: {} }))).error.message || res.statusText; return; }
  const data = await res.json();
  const map = L.map(el, { attributionControl: false });
  const layer = L.geoJSON(data, {
    style: (f) => ({ color: "#555", weight: 1, fillColor: f.properties.colour, fillOpacity: 0.85 }),
    onEachFeature: (f, lyr) => {
      const p = f.properties;
      const text = `${p.rank ? p.rank + ". " : ""}${p.region}${p.score !== null ? " · " + p.score.toFixed(3) : ""}`;
      lyr.bindTooltip(text);  // text, never HTML
      lyr.on("click", () => { window.location.href = el.dataset.region + encodeURIComponent(p.code) + "?" + el.dataset.qs; });
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  L.control.scale({ imperial: false }).addTo(map);
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    div.style.background = "#fff"; div.style.padding = "4px 6px";
    const title = document.createElement("b"); title.textContent = el.dataset.legend; div.appendChild(title);
    for (const row of data.legend) {
      const line = document.createElement("div");
      const sw = document.createElement("span"); sw.className = "legend-swatch"; sw.style.background = row.colour;
      line.appendChild(sw); line.appendChild(document.createTextNode(`${row.low.toFixed(3)} – ${row.high.toFixed(3)}`));
      div.appendChild(line);
    }
    const nd = document.createElement("div");
    const sw = document.createElement("span"); sw.className = "legend-swatch"; sw.style.background = data.no_data;
    nd.appendChild(sw); nd.appendChild(document.createTextNode(el.dataset.nodata)); div.appendChild(nd);
    return div;
  };
  legend.addTo(map);
  el.dataset.loaded = String(data.features.length);
});
