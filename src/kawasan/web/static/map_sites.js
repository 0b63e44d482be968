// The sites of a run's map: the candidate sites in a table linked to the map (select one, the map goes
// there), each site's explanation, ranking by mean / area-weighted / TOPSIS, the stress test's P(top k) and
// rank range as a chart; "Check a site" (draw a polygon with leaflet-geoman, upload a file, or a point and a
// radius) with the failing parts on the map; "Start licensing here" from a candidate or checked site.
"use strict";

window.KW_SITES = function (run, S) {
  const KW = window.KW;
  const el = KW.el;
  const csrf = document.getElementById("run-map").dataset.csrf;
  const state = { ctx: null, sites: [], byId: {}, selected: null, siteLayers: {}, checked: null, failing: null,
    drawing: false, lastCheck: null, lastSite: null };

  async function api(url, opts) {
    const res = await fetch(url, Object.assign({ credentials: "same-origin" }, opts || {}));
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    return { ok: res.ok, status: res.status, body };
  }
  const post = (url, data) => api(url, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(data) });
  const base = "/api/v1/runs/" + encodeURIComponent(run.id);
  const errorText = (r) => (r.body && r.body.error ? r.body.error.message : S.failed);

  // ---- the sites table, the explanation, the stress chart
  function explain(s) {
    const box = document.getElementById("site-explain");
    box.replaceChildren();
    if (!s) return;
    const dl = el("dl", { class: "facts" });
    const add = (k, v) => dl.append(el("dt", { text: k }), el("dd", { text: v }));
    add(S.site, "#" + s.id + " · " + S.rank + " " + s.rank);
    add(S.area, KW.fmt(s.area_ha, 2) + " ha");
    add(S.score, KW.fmt(s.score_mean, 3) + " (" + KW.fmt(s.score_min, 3) + "–" + KW.fmt(s.score_max, 3) + ")");
    for (const [k, v] of Object.entries(s.distance_m || {})) add(S["dist_" + k] || k, v === null ? "–" : KW.fmt(v, 0) + " m");
    for (const [k, v] of Object.entries(s.landcover_shares || {})) add(S.landcover + ": " + k, KW.fmt(v * 100, 0) + " %");
    for (const [k, v] of Object.entries(s.zoning_shares || {})) add(S.zoning + ": " + k, KW.fmt(v * 100, 0) + " %");
    for (const a of s.admin || []) add(a.level || S.admin, (a.names || [a.name]).join(", "));
    box.append(el("h3", { text: S.explanation }), dl);
    const t = el("table", { class: "list compact" });
    const tb = el("tbody");
    for (const c of state.criteria) tb.append(el("tr", {}, el("td", { text: c.label }), el("td", { class: "num", text: KW.fmt((s.criteria_means || {})[c.id], 3) })));
    t.append(el("thead", {}, el("tr", {}, el("th", { text: S.criterion }), el("th", { class: "num", text: S.mean_standardized }))), tb);
    box.append(t);
    const actions = el("p", {});
    const start = el("button", { type: "button", class: "button", id: "start-from-site", text: S.start_licensing });
    start.addEventListener("click", () => openLicensing({ site_id: s.id }, "#" + s.id));
    actions.append(start);
    box.append(actions);
  }

  function select(id, pan) {
    state.selected = id;
    document.querySelectorAll("#sites-table tbody tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.site === String(id)));
    for (const [sid, lyr] of Object.entries(state.siteLayers)) lyr.setStyle({ color: sid === String(id) ? "#6a00a8" : "#000000", weight: sid === String(id) ? 4 : 2 });
    explain(state.byId[id]);
    if (pan && state.siteLayers[id]) state.ctx.map.fitBounds(state.siteLayers[id].getBounds(), { maxZoom: 15, padding: [40, 40] });
  }

  function table() {
    const tb = document.querySelector("#sites-table tbody");
    tb.replaceChildren();
    const stress = {};
    for (const r of (state.stress && state.stress.sites) || []) stress[r.id] = r;
    for (const s of state.sites) {
      const st = stress[s.id];
      const tr = el("tr", { "data-site": String(s.id), tabindex: "0" },
        el("td", { class: "num", text: String(s.rank) }), el("td", { text: "#" + s.id }),
        el("td", { class: "num", text: KW.fmt(s.area_ha, 2) }), el("td", { class: "num", text: KW.fmt(s.score_mean, 3) }),
        el("td", { class: "num", text: KW.fmt(s.rank_value, 3) }),
        el("td", { class: "num", text: st ? KW.fmt(st.p_top_k * 100, 0) + " %" : "–" }),
        el("td", { class: "num", text: st ? st.rank_min + "–" + st.rank_max : "–" }));
      tr.addEventListener("click", () => select(s.id, true));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") select(s.id, true); });
      tb.append(tr);
    }
  }

  function chart() {
    // P(top k) as bars and the rank range (min..max, p05..p95) as lines, one row per site (SVG, no library).
    const box = document.getElementById("stress-chart");
    box.replaceChildren();
    if (!state.stress || !state.stress.sites.length) { box.append(el("p", { class: "muted", text: S.no_stress })); return; }
    const rows = state.sites.slice(0, 15).map((s) => [s, state.stress.sites.find((r) => r.id === s.id)]).filter((x) => x[1]);
    const n = Math.max(...state.stress.sites.map((r) => r.rank_max));
    const W = 560, rowH = 18, left = 48, mid = 250, H = rows.length * rowH + 10;
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", S.stress_title);
    const text = (x, y, s, anchor) => { const t = document.createElementNS(ns, "text"); t.setAttribute("x", x); t.setAttribute("y", y); t.setAttribute("font-size", "11"); if (anchor) t.setAttribute("text-anchor", anchor); t.textContent = s; svg.append(t); };
    const rect = (x, y, w, h, fill) => { const r = document.createElementNS(ns, "rect"); r.setAttribute("x", x); r.setAttribute("y", y); r.setAttribute("width", Math.max(0, w)); r.setAttribute("height", h); r.setAttribute("fill", fill); svg.append(r); };
    // the two columns' titles are text above the chart (they wrap on a phone; inside the SVG they were cut)
    const keys = el("p", { class: "chart-keys small" },
      el("span", { class: "key-p", text: S.p_top_k.replace("{top_k}", state.stress.top_k) }),
      el("span", { class: "key-range", text: S.rank_range.replace("{draws}", state.stress.n) }));
    rows.forEach(([s, r], i) => {
      const y = 4 + i * rowH;
      text(4, y + 12, "#" + s.id);
      rect(left, y + 3, (mid - left - 10) * r.p_top_k, rowH - 6, "#1a9641");
      text(left + (mid - left - 10) * r.p_top_k + 3, y + 12, KW.fmt(r.p_top_k * 100, 0) + " %");
      const x = (k) => mid + 20 + (W - mid - 40) * (k - 1) / Math.max(1, n - 1);
      rect(x(r.rank_min), y + 8, x(r.rank_max) - x(r.rank_min), 2, "#999999");
      rect(x(r.rank_p05), y + 5, x(r.rank_p95) - x(r.rank_p05), 8, "#6a51a3");
      rect(x(r.rank_base) - 1, y + 3, 3, 12, "#000000");
    });
    svg.append();
    box.append(keys, svg, el("p", { class: "muted small", text: S.stress_note.replace("{draws}", state.stress.n).replace("{seed}", state.stress.seed) }));
  }

  async function load(by) {
    const r = await api(base + "/sites?by=" + encodeURIComponent(by));
    const box = document.getElementById("sites-section");
    if (!r.ok) { box.querySelector(".sites-body").replaceChildren(el("p", { class: "muted", text: errorText(r) })); return; }
    state.sites = r.body.sites;
    state.criteria = r.body.criteria;
    state.stress = r.body.stress;
    state.byId = {};
    for (const s of state.sites) state.byId[s.id] = s;
    table();
    chart();
    if (state.selected !== null && state.byId[state.selected]) select(state.selected, false);
  }

  // ---- check a site
  function showCheck(result) {
    const box = document.getElementById("check-result");
    box.replaceChildren();
    state.lastCheck = result;
    const map = state.ctx.map;
    if (state.checked) map.removeLayer(state.checked);
    if (state.failing) map.removeLayer(state.failing);
    state.checked = L.geoJSON(result.outline, { style: { color: "#6a00a8", weight: 3, fillOpacity: 0.08 }, interactive: false }).addTo(map);
    state.failing = L.geoJSON(result.failing, { style: { color: "#b42318", weight: 1, fillColor: "#ff0000", fillOpacity: 0.55 }, interactive: false }).addTo(map);
    map.fitBounds(state.checked.getBounds(), { maxZoom: 16, padding: [40, 40] });
    box.append(el("p", { class: result.passes ? "good" : "error", id: "check-verdict", text: result.passes ? S.check_passes : S.check_fails }));
    const t = el("table", { class: "list compact", id: "check-rules" });
    t.append(el("thead", {}, el("tr", {}, el("th", { text: S.rule }), el("th", { text: S.verdict }), el("th", { class: "num", text: S.failing_ha }),
      el("th", { text: S.legal_basis }), el("th", { text: S.certainty }))));
    const tb = el("tbody");
    for (const r of result.constraints) {
      const verdict = r.passed === null ? S.not_checked : r.passed ? S.passes : KW.fmt(r.value, 1) + " % " + S.fails;
      tb.append(el("tr", { class: r.passed === false ? "fail" : "" }, el("td", { text: r.label }), el("td", { text: verdict }),
        el("td", { class: "num", text: r.failing_ha === undefined ? "–" : KW.fmt(r.failing_ha, 2) }),
        el("td", { class: "small", text: r.legal_basis || S.no_basis }),
        el("td", {}, KW.cert(r.certainty, r.certainty_tag))));
    }
    t.append(tb);
    box.append(t);
    const dl = el("dl", { class: "facts" });
    dl.append(el("dt", { text: S.area }), el("dd", { text: KW.fmt(result.score.area_ha, 2) + " ha" }),
      el("dt", { text: S.area_passing }), el("dd", { text: KW.fmt(result.score.area_passing_ha, 2) + " ha" }),
      el("dt", { text: S.score }), el("dd", { text: KW.fmt(result.score.score_mean, 3) }));
    box.append(dl);
    if (result.what_would_have_to_change.length) {
      box.append(el("h3", { text: S.what_change }));
      const ul = el("ul");
      for (const c of result.what_would_have_to_change) ul.append(el("li", { text: c }));
      box.append(ul);
    }
    for (const n of result.notes || []) box.append(el("p", { class: "muted small", text: n }));
    const start = el("button", { type: "button", class: "button", id: "start-from-check", text: S.start_licensing });
    start.addEventListener("click", () => openLicensing(state.lastSite, S.checked_site));
    box.append(el("p", {}, start));
  }

  async function check(site) {
    const box = document.getElementById("check-result");
    box.replaceChildren(el("p", { class: "muted", text: S.loading }));
    const r = await post(base + "/check", site);
    if (!r.ok) { box.replaceChildren(el("p", { class: "error", text: errorText(r) })); return; }
    state.lastSite = site;
    showCheck(r.body);
  }

  async function upload(form) {
    const box = document.getElementById("check-result");
    box.replaceChildren(el("p", { class: "muted", text: S.loading }));
    const data = new FormData(form);
    const res = await api(base + "/check/upload", { method: "POST", headers: { "X-CSRF-Token": csrf }, body: data });
    if (!res.ok) { box.replaceChildren(el("p", { class: "error", text: errorText(res) })); return; }
    state.lastSite = { geometry: res.body.outline };
    showCheck(res.body);
  }

  // ---- start licensing
  function openLicensing(site, label) {
    const dlg = document.getElementById("licensing-dialog");
    dlg.dataset.site = JSON.stringify(site);
    document.getElementById("licensing-site").textContent = label;
    const name = dlg.querySelector("input[name=name]");
    if (!name.value) name.value = (run.study_area || "") + " " + label;
    dlg.showModal();
  }

  function wireLicensing() {
    const dlg = document.getElementById("licensing-dialog");
    const form = dlg.querySelector("form");
    dlg.querySelector("button[value=cancel]").addEventListener("click", (e) => { e.preventDefault(); dlg.close(); });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const fd = new FormData(form);
      const payload = Object.assign({ name: fd.get("name"), start: fd.get("start") }, JSON.parse(dlg.dataset.site || "{}"));
      if (fd.get("regency")) payload.regency = fd.get("regency");
      const r = await post(base + "/licensing", payload);
      const msg = document.getElementById("licensing-error");
      if (!r.ok) { msg.textContent = errorText(r); return; }
      window.location.href = r.body.url;
    });
  }

  function wireCheck() {
    const map = state.ctx.map;
    const drawBtn = document.getElementById("draw-site");
    if (map.pm) {
      map.pm.setLang(document.documentElement.lang === "id" ? "id" : "en");
      drawBtn.addEventListener("click", () => {
        state.drawing = true;
        document.getElementById("run-map").scrollIntoView({ block: "center" });
        map.pm.enableDraw("Polygon", { snappable: false });
      });
      map.on("pm:create", (e) => {
        state.drawing = false;
        const gj = e.layer.toGeoJSON().geometry;
        map.removeLayer(e.layer);
        check({ geometry: gj });
      });
      map.on("pm:drawend", () => { setTimeout(() => { state.drawing = false; }, 0); });
    } else {
      drawBtn.disabled = true;
    }
    document.getElementById("point-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const fd = new FormData(e.target);
      document.getElementById("run-map").scrollIntoView({ block: "center" });
      check({ point: { lon: Number(fd.get("lon")), lat: Number(fd.get("lat")) }, radius_m: Number(fd.get("radius_m")) });
    });
    document.getElementById("upload-form").addEventListener("submit", (e) => { e.preventDefault(); upload(e.target); });
    document.getElementById("rank-by").addEventListener("change", (e) => load(e.target.value));
  }

  return {
    sites: {
      onFeature: (f, lyr) => {
        state.siteLayers[f.properties.id] = lyr;
        lyr.on("click", (e) => { L.DomEvent.stopPropagation(e); select(f.properties.id, false); });
        lyr.bindTooltip("#" + f.properties.id + " · " + S.rank + " " + f.properties.rank);
      },
      onLoad: () => { if (state.selected !== null) select(state.selected, false); },
    },
    ready: (ctx) => {
      state.ctx = ctx;
      ctx.drawing = () => state.drawing;
      if (document.getElementById("sites-section")) { wireCheck(); wireLicensing(); load(document.getElementById("rank-by").value); }
    },
  };
};
