// 收件: files dropped or picked are sent one by one to /inbox/upload, then one collect runs for the batch and
// the file list is put in place, this batch's files marked. Everything shown is set as text, never as markup.
"use strict";
(() => {
  const card = document.getElementById("upload");
  if (!card) return;
  const maxBytes = Number(card.dataset.max);
  const zone = document.getElementById("dropzone");
  const list = document.getElementById("batch-list");
  const queue = [];
  let sent = []; // stored (or found already there) since the last collect began: { name, show, duplicate }
  let running = false;

  function item(path) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "sent";
    name.textContent = path;
    const status = document.createElement("span");
    status.className = "status s-none";
    status.textContent = "等待上传";
    li.dataset.state = "pending";
    const note = document.createElement("span");
    note.className = "note";
    li.append(name, " ", status, " ", note);
    document.getElementById("batch").hidden = false;
    list.append(li);
    // a line is "pending" until the collect after it says what became of its file, then "final"
    return (word, cls, text, pending = false) => {
      status.textContent = word;
      status.className = `status ${cls}`;
      note.textContent = text || "";
      li.dataset.state = pending ? "pending" : "final";
    };
  }

  function tooBigText(path, size) {
    const mb = (size / 1048576).toFixed(1);
    return card.dataset.tooBig.replace("{name}", `${path}（${mb} MB）`);
  }

  function sameText(name) {
    return `与收件中的“${name}”完全相同，没有重复保存`;
  }

  async function send(job) {
    if (job.file.size > maxBytes) {
      job.show("未保存", "s-bad", tooBigText(job.path, job.file.size));
      return;
    }
    job.show("上传中", "s-none", "", true);
    const body = new FormData();
    body.append("path", job.path);
    body.append("file", job.file, job.file.name);
    let answer;
    try {
      const r = await fetch(`/inbox/upload?name=${encodeURIComponent(job.path)}`, {
        method: "POST", body, credentials: "same-origin",
      });
      answer = await r.json();
    } catch (err) {
      answer = { error: "上传没有完成（与本机页面的连接中断）：请确认页面仍在运行后重新上传这个文件。" };
    }
    if (answer.error) {
      job.show("未保存", "s-bad", answer.error);
      return;
    }
    sent.push({ name: answer.name, show: job.show, duplicate: answer.duplicate });
    if (answer.duplicate) job.show("已在收件中", "s-none", `${sameText(answer.name)}，等待汇总…`, true);
    else job.show("已保存", "s-none", `保存为“${answer.name}”，等待汇总…`, true);
  }

  async function pump() {
    if (running) return;
    running = true;
    while (queue.length) await send(queue.shift());
    running = false;
    if (sent.length) collect(sent.splice(0));
  }

  function add(files) {
    for (const { file, path } of files) queue.push({ file, path, show: item(path) });
    document.getElementById("batch-title").textContent = `本次上传（${list.children.length} 个文件）`;
    pump();
  }

  // one collect for what was sent: every line of it ends with what became of its file
  async function collect(batch) {
    const holder = document.getElementById("batch-job");
    let job;
    try {
      const r = await fetch("/inbox/collect", { method: "POST", credentials: "same-origin" });
      job = await r.json();
    } catch (err) {
      holder.textContent = "没能开始汇总：请刷新页面后再试。";
      settle(batch, new Map(), "没能开始汇总：文件已在收件中，刷新页面后在下方列表中查看");
      return;
    }
    const box = document.getElementById("job-template").content.firstElementChild.cloneNode(true);
    box.dataset.job = job.id;
    holder.replaceChildren(box);
    box.addEventListener("job-finished", (event) => refresh(event, batch));
    window.dj.watchJob(box);
  }

  // the outcome of each file of the inbox list: name in 收件/ → { word, cls, reason, row }
  function outcomes(files) {
    const members = new Map(); // a zip's or an e-mail's files: what became of each, not of the container
    for (const row of files.querySelectorAll("tr[data-top].member")) {
      const name = row.cells[0].innerText.trim().split(" › ").pop();
      const said = `${name}：${row.querySelector(".status").textContent}`;
      members.set(row.dataset.top, [...(members.get(row.dataset.top) || []), said]);
    }
    const out = new Map();
    for (const row of files.querySelectorAll("tr[data-top]:not(.member)")) {
      const inside = members.get(row.dataset.top);
      const badge = row.querySelector(".status");
      out.set(row.dataset.top, inside
        ? { word: `已展开（${inside.length} 个文件）`, cls: "s-none", reason: inside.join("；"), row }
        : { word: badge.textContent, cls: badge.className.replace("status ", ""),
            reason: row.cells[2].innerText.trim().split("\n")[0], row });
    }
    return out;
  }

  // each line of `batch` in its final state: its file's outcome (a duplicate: that of the file it repeats,
  // under that file's name in 收件/), or why there is none
  function settle(batch, found, missing) {
    for (const { name, show, duplicate } of batch) {
      const got = found.get(name);
      if (got) got.row.classList.add("fresh");
      if (got && !duplicate) show(got.word, got.cls, got.reason);
      else if (got) show(got.word, got.cls, `${sameText(name)}；${got.reason ? `“${name}”：${got.reason}` : `这是“${name}”的结果`}`);
      else show(duplicate ? "已在收件中" : "已保存", "s-none", `${duplicate ? sameText(name) : `保存为“${name}”`}；${missing}`);
    }
  }

  async function refresh(event, batch) {
    const failed = event && event.detail && event.detail.error;
    if (failed) event.target.querySelector("details").open = true;
    const files = document.getElementById("files");
    try {
      const r = await fetch("/inbox/files", { credentials: "same-origin" });
      files.innerHTML = await r.text(); // the server's template: every value in it escaped
    } catch (err) {
      settle(batch, new Map(), "没能取回汇总结果：请刷新页面查看");
      return;
    }
    const missing = failed ? "汇总没有完成（见上方汇总的详细结果），文件留在收件中，下次汇总时读取"
      : "收件列表中没有这个文件：请刷新页面后查看";
    settle(batch, outcomes(files), missing);
    document.getElementById("batch-next").hidden = false;
  }

  // folders dropped: every file of every subfolder (readEntries answers in pieces until an empty one)
  function readAll(reader) {
    return new Promise((resolve, reject) => {
      const out = [];
      const next = () => reader.readEntries((entries) => {
        if (!entries.length) { resolve(out); return; }
        out.push(...entries);
        next();
      }, reject);
      next();
    });
  }

  async function walk(entry) {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      return [{ file, path: entry.fullPath.replace(/^\/+/, "") || file.name }];
    }
    const out = [];
    if (entry.isDirectory) {
      for (const child of await readAll(entry.createReader())) out.push(...await walk(child));
    }
    return out;
  }

  async function dropped(transfer) {
    const entries = [];
    const loose = [];
    for (const it of Array.from(transfer.items || [])) {
      if (it.kind !== "file") continue;
      const entry = it.webkitGetAsEntry ? it.webkitGetAsEntry() : null;
      if (entry) entries.push(entry);
      else { const f = it.getAsFile(); if (f) loose.push({ file: f, path: f.name }); }
    }
    if (!entries.length && !loose.length) {
      for (const f of Array.from(transfer.files || [])) loose.push({ file: f, path: f.name });
    }
    const files = [...loose];
    for (const entry of entries) {
      try { files.push(...await walk(entry)); } catch (err) { /* an unreadable entry: the others still go */ }
    }
    add(files);
  }

  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault()); // a file dropped beside the zone is not opened
  zone.addEventListener("dragenter", () => zone.classList.add("over"));
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", (e) => { if (!zone.contains(e.relatedTarget)) zone.classList.remove("over"); });
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    dropped(e.dataTransfer);
  });
  for (const id of ["pick-files", "pick-folder"]) {
    const input = document.getElementById(id);
    input.addEventListener("change", () => {
      add(Array.from(input.files).map((f) => ({ file: f, path: f.webkitRelativePath || f.name })));
      input.value = "";
    });
  }
})();
