// kawasan Analysis page: the model editor and the run job.
// Every change is sent to /api/v1/analysis/check (debounced): the server validates it with the model's own
// schema and answers the normalised weights and the AHP numbers (λmax, CI, CR), or the field in error,
// shown beside that field. No model logic is repeated here.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("analysis");
  const dataEl = document.getElementById("analysis-data");
  if (!root || !dataEl) return;
  const page = JSON.parse(dataEl.textContent);
  const view = page.view;
  const csrf = root.dataset.csrf;
  const $ = (sel) => root.querySelector(sel);
  const $$ = (sel) => Array.from(root.querySelectorAll(sel));
  let weightsTouched = false;
  let timer = null;

  const groupOf = {};
  for (const c of view.criteria) groupOf[c.id] = c.group;

  function mode() { const r = root.querySelector("input[name=mode]:checked"); return r ? r.value : view.method; }

  function offCriteria() { return $$(".crit-on").filter((b) => !b.checked).map((b) => b.dataset.id); }

  function offNodes(off) {
    const nodes = [];
    for (const n of view.nodes) {
      if (n.group) { if (n.members.every((m) => off.includes(m))) nodes.push(n.id); }
      else if (off.includes(n.id)) nodes.push(n.id);
    }
    return nodes;
  }

  function reciprocal(text) {
    const t = String(text).trim();
    if (t.startsWith("1/")) return t.slice(2);
    const v = Number(t);
    if (!isFinite(v) || v === 0) return "?";
    return v === 1 ? "1" : "1/" + t;
  }

  function matrix(dropped) {
    const order = view.matrix_order;
    const n = order.length;
    const a = Array.from({ length: n }, () => Array(n).fill("1"));
    for (const inp of $$(".pair")) {
      const i = +inp.dataset.i, j = +inp.dataset.j;
      a[i][j] = inp.value.trim();
      a[j][i] = reciprocal(inp.value);
    }
    const keep = order.map((_, i) => i).filter((i) => !dropped.includes(order[i]));
    return { criteria: keep.map((i) => order[i]), matrix: keep.map((i) => keep.map((j) => a[i][j])) };
  }

  function edits() {
    const off = offCriteria();
    const out = { off };
    const dropped = offNodes(off);
    if (weightsTouched || mode() !== view.method) {
      if (mode() === "direct") {
        const values = {};
        for (const inp of $$("input.w")) {
          if (dropped.includes(inp.dataset.node)) continue;
          const v = inp.value.trim() === "" ? NaN : Number(inp.value);
          values[inp.dataset.node] = isFinite(v) ? v : inp.value;
        }
        out.weights = { method: "direct", values };
      } else {
        out.weights = { method: "ahp", ...matrix(dropped) };
      }
    }
    const rules = {};
    for (const b of $$(".rule-on")) {
      const on = b.checked;
      if ((b.dataset.default === "on") !== on) rules[b.dataset.id] = on;
    }
    out.rules = rules;
    const thresholds = {};
    for (const inp of $$(".thr")) {
      if (inp.value !== inp.dataset.default) {
        const v = inp.value.trim() === "" ? NaN : Number(inp.value);
        thresholds[inp.dataset.id] = { [inp.dataset.key]: isFinite(v) ? v : inp.value };
      }
    }
    out.thresholds = thresholds;
    out.allow_inconsistent = $("#allow-inconsistent").checked;
    return out;
  }

  function clearErrors() { for (const e of $$(".field-error")) { e.textContent = ""; } }

  function showError(err) {
    clearErrors();
    const field = err.field || "*";
    const el = root.querySelector(`.field-error[data-field="${CSS.escape(field)}"]`) ||
      root.querySelector('.field-error[data-field="*"]');
    el.textContent = err.message + (el.dataset.field === "*" && err.field ? ` (${err.field})` : "");
  }

  async function call(method, url, body) {
    const r = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await r.json().catch(() => ({ error: { message: r.statusText } }));
    return { ok: r.ok, status: r.status, json };
  }

  function pct(v) { return (v * 100).toFixed(1) + " %"; }

  async function check() {
    const r = await call("POST", "/api/v1/analysis/check", { model: page.model, edits: edits() });
    const ahpBox = { lmax: $("#lmax"), ci: $("#ci"), cr: $("#cr") };
    if (!r.ok) {
      showError(r.json.error || {});
      // the message is in the page's language (CR = 6.130 / CR = 6,130): the box shows it as the other values
      const m = r.json.error && /\bCR = ([0-9]+)[.,]([0-9]+)/.exec(r.json.error.message);
      if (m) {
        ahpBox.cr.textContent = `${m[1]}.${m[2]}`; $("#cr-flag").hidden = false;
      }
      root.dataset.valid = "no";
      return false;
    }
    clearErrors();
    root.dataset.valid = "yes";
    for (const td of $$("td.norm")) td.textContent = td.dataset.node in r.json.top ? pct(r.json.top[td.dataset.node]) : "–";
    for (const td of $$("td.gw")) td.textContent = td.dataset.id in r.json.weights ? pct(r.json.weights[td.dataset.id]) : "–";
    const a = r.json.ahp;
    if (a) {
      ahpBox.lmax.textContent = a.lambda_max.toFixed(3);
      ahpBox.ci.textContent = a.ci.toFixed(3);
      ahpBox.cr.textContent = a.cr.toFixed(3);
      $("#cr-flag").hidden = a.consistent;
    } else { ahpBox.lmax.textContent = ahpBox.ci.textContent = ahpBox.cr.textContent = "–"; $("#cr-flag").hidden = true; }
    return true;
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(check, 250); }

  function showMode() {
    $("#direct-weights").hidden = mode() !== "direct";
    $("#ahp-matrix").hidden = mode() !== "ahp";
  }

  for (const inp of $$("input.w, .pair")) inp.addEventListener("input", () => { weightsTouched = true; schedule(); });
  for (const inp of $$(".pair")) inp.addEventListener("input", () => {
    const rec = root.querySelector(`.recip[data-i="${inp.dataset.j}"][data-j="${inp.dataset.i}"]`);
    if (rec) rec.textContent = reciprocal(inp.value);
  });
  for (const inp of $$(".crit-on, .rule-on, .thr, #allow-inconsistent")) inp.addEventListener("input", schedule);
  for (const r of $$("input[name=mode]")) r.addEventListener("change", () => { weightsTouched = true; showMode(); schedule(); });
  showMode();

  const save = $("#save-model");
  if (save) save.addEventListener("click", async () => {
    const name = $("#save-name").value.trim();
    const r = await call("POST", "/api/v1/analysis/models", { model: page.model, edits: edits(), name });
    if (!r.ok) { showError(r.json.error || {}); return; }
    clearErrors();
    const link = $("#saved-link");
    link.href = r.json.yaml; link.hidden = false; link.textContent = link.textContent.split(" · ")[0] + " · " + r.json.name + ".yaml";
  });

  const run = $("#run");
  if (run) run.addEventListener("click", async () => {
    if (!(await check())) return;
    run.disabled = true;
    const r = await call("POST", "/api/v1/analysis/runs", { model: page.model, edits: edits(), study_area: page.area });
    if (!r.ok) { showError(r.json.error || {}); run.disabled = false; return; }
    document.dispatchEvent(new CustomEvent("kawasan:job-started", { detail: r.json }));
    follow(r.json.id);
  });

  // The finished run's suitability classes on the page's own map (issue 13: change a weight, see the map change):
  // S1..N2 and "excluded by law" with the report's palette read better than the score, which is 0 on every
  // excluded cell. The first run sets the view; each later run's classes replace the ones shown once its
  // tiles are in, in the same view.
  const preview = { map: null, layer: null };

  async function showRun(url) {
    if (typeof L === "undefined" || !window.KW || !KW.legendFor) return;
    const r = await call("GET", url);
    if (!r.ok) return;
    const run = r.json;
    const item = run.layers.find((l) => l.id === "classes");
    if (!item) return;
    const box = $("#job-preview");
    box.hidden = false;
    const b = run.bounds;
    const bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    const tiles = (id) => "/api/v1/runs/" + encodeURIComponent(run.id) + "/tiles/" + id + "/{z}/{x}/{y}.png?v=" +
      run.checksum.slice(0, 12);
    if (!preview.map) {
      preview.map = L.map("preview-map", { zoomSnap: 1 });
      preview.map.fitBounds(bounds);
      L.control.scale({ imperial: false }).addTo(preview.map);
      if (run.layers.some((l) => l.id === "hillshade")) {   // the terrain under the classes, as on the run's map
        L.tileLayer(tiles("hillshade"), { bounds, maxNativeZoom: 18, maxZoom: 20, zIndex: 1 }).addTo(preview.map);
      }
    }
    const layer = L.tileLayer(tiles("classes"), { bounds, maxNativeZoom: 18, maxZoom: 20, opacity: 0.75, zIndex: 4,
      className: "tiles-run" });
    layer.once("load", () => {
      if (preview.layer) preview.map.removeLayer(preview.layer);
      preview.layer = layer;
      box.dataset.run = run.id;
    });
    layer.addTo(preview.map);
    $("#preview-legend").replaceChildren(KW.legendFor(item, {}));
    $("#preview-run").textContent = run.id;
    $("#preview-synthetic").hidden = !run.synthetic;
  }

  function follow(id) {
    const box = $("#job");
    box.hidden = false;
    box.dataset.job = id;
    $("#job-map").hidden = true;
    $("#job-error").hidden = true;
    const cancel = $("#job-cancel");
    cancel.hidden = false;
    cancel.onclick = async () => { const r = await call("POST", `/api/v1/jobs/${id}/cancel`); if (!r.ok) showError(r.json.error || {}); };
    const poll = async () => {
      const r = await call("GET", `/api/v1/jobs/${id}`);
      if (!r.ok) { showError(r.json.error || {}); return; }
      const j = r.json;
      $("#job-progress").value = j.progress;
      const active = j.status === "queued" || j.status === "running";
      $("#job-step").textContent = active ? (j.step || "") : "";
      $("#job-status").textContent = (page.states && page.states[j.status]) || j.status;
      box.dataset.status = j.status;
      if (active) { setTimeout(poll, 400); return; }
      cancel.hidden = true;
      if (run) run.disabled = false;
      if (j.links && j.links.map) { const a = $("#job-map"); a.href = j.links.map; a.hidden = false; }
      if (j.links && j.links.run) showRun(j.links.run);
      if (j.error) { const e = $("#job-error"); e.textContent = j.error; e.hidden = false; }
    };
    poll();
  }
});
