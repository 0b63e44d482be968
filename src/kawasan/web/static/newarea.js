// kawasan New study area: the form is sent as multipart to /api/v1/analysis/studyareas; an error is shown
// beside its field; the preparation job is followed until it ends, then its warnings are listed.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("newarea");
  if (!form) return;
  const page = JSON.parse(document.getElementById("newarea-data").textContent);
  const $ = (s) => document.querySelector(s);
  const clear = () => { for (const e of document.querySelectorAll(".field-error")) e.textContent = ""; };
  function showError(err) {
    clear();
    const el = document.querySelector(`.field-error[data-field="${CSS.escape(err.field || "*")}"]`) ||
      document.querySelector('.field-error[data-field="*"]');
    el.textContent = (err.message || "") + (el.dataset.field === "*" && err.field ? ` (${err.field})` : "");
  }
  async function call(method, url, body) {
    const r = await fetch(url, { method, body, credentials: "same-origin",
      headers: { "X-CSRF-Token": form.dataset.csrf, Accept: "application/json" } });
    return { ok: r.ok, json: await r.json().catch(() => ({ error: { message: r.statusText } })) };
  }
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    const r = await call("POST", "/api/v1/analysis/studyareas", new FormData(form));
    button.disabled = false;
    if (!r.ok) { showError(r.json.error || {}); return; }
    clear();
    follow(r.json.id);
  });
  function follow(id) {
    const box = $("#job");
    box.hidden = false;
    const poll = async () => {
      const r = await call("GET", `/api/v1/jobs/${id}`);
      if (!r.ok) { showError(r.json.error || {}); return; }
      const j = r.json;
      const active = j.status === "queued" || j.status === "running";
      $("#job-progress").value = j.progress;
      $("#job-step").textContent = active ? (j.step || "") : "";
      $("#job-status").textContent = page.states[j.status] || j.status;
      box.dataset.status = j.status;
      if (active) { setTimeout(poll, 500); return; }
      const list = $("#job-warnings");
      list.textContent = "";
      for (const w of (j.result && j.result.warnings) || []) {
        const li = document.createElement("li"); li.textContent = w; list.appendChild(li);
      }
      if (j.links && j.links.analysis) { const a = $("#job-link"); a.href = j.links.analysis; a.hidden = false; }
      if (j.error) { const e = $("#job-error"); e.textContent = j.error; e.hidden = false; }
    };
    poll();
  }
});
