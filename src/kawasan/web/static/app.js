// kawasan web: small progressive enhancements (the pages work without them).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // "Back" links on error pages go back in history when there is one.
  for (const a of document.querySelectorAll("a[data-back]")) {
    a.addEventListener("click", (ev) => { if (history.length > 1) { ev.preventDefault(); history.back(); } });
  }
  // A form is sent once: its buttons are disabled while the next page loads.
  for (const f of document.querySelectorAll("form[method=post]")) {
    f.addEventListener("submit", () => {
      setTimeout(() => { for (const b of f.querySelectorAll("button")) b.disabled = true; }, 0);
    });
  }
});
