// kawasan Analysis and New study area pages: the recent-jobs table kept live. It polls GET /api/v1/jobs?kind=... (every 1.5 s
// while a job is queued or running, every 5 s otherwise, not while the tab is hidden) and redraws the rows:
// state, progress bar, step, error, who started it, the link to a finished run's map. A job started in
// another browser appears without a reload. data-columns="prepare" (the New study area page) shows each
// preparation's warnings and the link to analyse the new study area instead of progress, user and map. Every text from the server is inserted as text, never as HTML.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("jobs");
  if (!table || !table.dataset.live) return;
  const tbody = table.querySelector("tbody");
  const states = JSON.parse(table.dataset.states || "{}");
  const limit = Number(table.dataset.limit || 10);
  const ACTIVE = ["queued", "running"];
  let timer = null;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  const prepare = table.dataset.columns === "prepare";
  const ncols = prepare ? 5 : 6;

  function row(j) {
    const status = el("td", { class: "job-status" }, states[j.status] || j.status);
    if (ACTIVE.includes(j.status) && j.step) status.append(" ", el("small", { class: "muted job-step", text: j.step }));
    if (j.error) status.append(" ", el("small", { class: "muted", text: j.error }));
    const cells = [el("td", { text: String(j.id) }), el("td", { text: j.title || "" }), status];
    if (prepare) {
      const warnings = (j.result && j.result.warnings) || [];
      cells.push(el("td", {}, warnings.length ? el("ul", {}, ...warnings.map((w) => el("li", {}, el("small", { text: String(w) })))) : ""));
      cells.push(el("td", {}, j.links && j.links.analysis ? el("a", { href: j.links.analysis, class: "job-link", text: table.dataset.openLink }) : ""));
    } else {
      const bar = el("progress", { max: "1", value: String(j.progress || 0) });
      bar.value = j.progress || 0;
      cells.push(el("td", {}, bar), el("td", { text: j.created_by || "" }));
      cells.push(el("td", {}, j.links && j.links.map ? el("a", { href: j.links.map, class: "job-map", text: table.dataset.openMap }) : ""));
    }
    return el("tr", { "data-job": String(j.id), "data-status": j.status }, ...cells);
  }

  function draw(items) {
    const rows = items.slice(0, limit).map(row);
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: String(ncols), class: "muted", text: table.dataset.noJobs })));
    tbody.replaceChildren(...rows);
    table.dataset.updated = String(Date.now());
  }

  async function poll() {
    clearTimeout(timer);
    let busy = false;
    if (!document.hidden) {
      try {
        const r = await fetch(`/api/v1/jobs?kind=${encodeURIComponent(table.dataset.kind)}`,
          { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (r.ok) {
          const items = (await r.json()).items || [];
          draw(items);
          busy = items.some((j) => ACTIVE.includes(j.status));
        }
      } catch (e) { /* offline for a moment: the next poll tries again */ }
    }
    timer = setTimeout(poll, busy ? 1500 : 5000);
  }

  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
  document.addEventListener("kawasan:job-started", poll);  // the page's own Run: show the new row at once
  poll();
});
