// 提交进度: every 3 seconds, ask whether the inbox changed (/progress/mark); when it did, put the new grid and
// lists in place, keeping the focused button and the opened notices where they were.
"use strict";
(() => {
  const holder = document.getElementById("progress-body");
  if (!holder) return;
  let busy = false;

  async function refresh() {
    const r = await fetch("/progress/body", { credentials: "same-origin" });
    if (!r.ok) return;
    const focused = document.activeElement && holder.contains(document.activeElement) ? document.activeElement.id : "";
    const open = Array.from(holder.querySelectorAll("details[open]")).map((d) => d.id);
    holder.innerHTML = await r.text(); // the server's template: every value in it escaped
    for (const id of open) { const d = document.getElementById(id); if (d) d.open = true; }
    if (focused) { const el = document.getElementById(focused); if (el) el.focus({ preventScroll: true }); }
    const inner = document.getElementById("progress-inner");
    holder.dataset.mark = inner ? inner.dataset.mark : "";
    document.getElementById("live-note").dataset.updated = String(Date.now());
  }

  async function tick() {
    if (busy) return;
    busy = true;
    try {
      const r = await fetch("/progress/mark", { credentials: "same-origin" });
      const { mark } = await r.json();
      if (mark !== holder.dataset.mark) await refresh();
    } catch (err) {
      /* the page's server may be restarting: ask again next time */
    } finally {
      busy = false;
    }
  }

  setInterval(tick, 3000);
})();
