// dangjian-xlsx serve: small helpers, no library, no network beyond this page's own server.
"use strict";

// Copy buttons: <button data-copy="element-id">复制</button> copies that element's text.
function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
  return Promise.resolve();
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const text = source.value !== undefined && source.tagName === "TEXTAREA" ? source.value : source.innerText;
  copyText(text).then(() => {
    let note = button.nextElementSibling;
    if (!note || !note.classList.contains("copied")) {
      note = document.createElement("span");
      note.className = "copied";
      note.setAttribute("role", "status");
      button.after(note);
    }
    note.textContent = "已复制";
    setTimeout(() => { note.textContent = ""; }, 2500);
  });
});

// Jobs: <div class="job" data-job="ID" data-done-reload="1"> is kept up to date until the job ends; then the page
// reloads (data-done-keep: with ?done=ID, where the page shows what the job said).
function watchJob(box) {
  const id = box.dataset.job;
  const bar = box.querySelector("progress");
  const state = box.querySelector("[data-state]");
  const lines = box.querySelector("pre");
  const tick = () => {
    fetch(`/api/jobs/${id}`, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((job) => {
        if (state) state.textContent = job.state;
        if (bar && job.total) { bar.max = job.total; bar.value = job.done; }
        if (lines) lines.textContent = (job.error ? job.error + "\n" : "") + job.lines.join("\n");
        box.classList.toggle("failed", Boolean(job.error));
        if (!job.finished) { setTimeout(tick, 400); return; }
        if (bar) { bar.max = 1; bar.value = 1; }
        box.dispatchEvent(new CustomEvent("job-finished", { detail: job, bubbles: true }));
        if (box.dataset.doneKeep) {  // reload, keeping what the job said: ?done=<job>
          const url = new URL(window.location.href);
          url.searchParams.delete("job");
          url.searchParams.set("done", String(job.id));
          window.location.replace(url.toString());
        } else if (box.dataset.doneReload && !job.error) {
          const url = new URL(window.location.href);
          url.searchParams.delete("job");
          window.location.replace(url.toString());
        }
      })
      .catch(() => setTimeout(tick, 1000));
  };
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-job]").forEach(watchJob);
});
window.dj = { copyText, watchJob };
