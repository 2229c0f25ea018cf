"""退回修改: the pack the last collect wrote into 退回修改/ (by the page's 汇总 or the CLI's collect), read with
the round face (`read_notices`, the pack's file names): per branch its notice to copy into an e-mail (the
【发送前核对】 lines shown above it, not copied), its 更正表 and e-mail draft to download; the 未交提醒 and
核对通知 too. When there is no pack yet, or the inbox or the settings changed after it was written, the next
step is 重新汇总 (`state.collect()`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from ...outnames import MAIL_DIR
from ..downloads import files_in, listed, listed_response, zip_response
from ..folder import RoundFolder
from ..summary_files import written
from .common import back, current_report, page, state
from .generate import job_context

router = APIRouter()

NOT_FOUND = "没有这个文件：可能已在重新汇总时更新，请回到“退回修改”页面重新下载"
INSPECTORS = "督查_"  # the inspectors' notices (about 督查评分表) start so: round/notices' INSPECTOR_PREFIX
KINDS = {"退回修改通知": "s-fix", "未交提醒": "s-warn", "核对通知": "s-none"}


@dataclass(frozen=True)
class NoticeView:
    """One notice of the pack: its file, who it is to, what kind, the clerk's header and the body to copy,
    and the files that go with it (names in 退回修改/ and in 退回修改/邮件/)."""

    name: str
    to: str
    kind: str
    header: list[str]
    body: str
    copies: list[tuple[str, str]]  # (label, file name)
    draft: str | None

    @property
    def inspector(self) -> bool:
        return self.name.startswith(INSPECTORS)

    @property
    def badge(self) -> str:
        return KINDS.get(self.kind, "s-none")


@dataclass
class PackView:
    """The pack as the page shows it; `written` is when the last collect wrote it (None: never)."""

    notices: list[NoticeView] = field(default_factory=list)
    written: float | None = None
    changed: list[str] = field(default_factory=list)  # what changed after it was written
    late: str = ""  # the notices can only ask for 尽快: the deadlines have passed (`round.deadline_note`)

    @property
    def written_text(self) -> str:
        import datetime as dt

        return dt.datetime.fromtimestamp(self.written).strftime("%Y-%m-%d %H:%M") if self.written else ""

    def of_kind(self, kind: str, inspector: bool = False) -> list[NoticeView]:
        return [n for n in self.notices if n.kind == kind and n.inspector == inspector]


def notice_view(name: str, text: str, listing: frozenset[str], mail: frozenset[str]) -> NoticeView:
    """A notice (`name`, `text` as `read_notices` gives them) and its files: the 更正表 share the notice's
    `NN_<党总支>_` prefix (`copy_name`), the draft its stem (`邮件/<stem>.eml`)."""
    from ...round import body_of

    stem = name.removesuffix(".txt")
    who, _, kind = stem.rpartition("_")
    prefix = who + "_"
    names = sorted(n for n in listing if n.startswith(prefix) and n.lower().endswith(".xlsx"))
    copies = [(_copy_label(n.removeprefix(prefix)), n) for n in names]
    body = body_of(text)
    header = [line for line in text[: len(text) - len(body)].splitlines() if line.strip()]
    draft = f"{stem}.eml"
    to = who.removeprefix(INSPECTORS).replace("_", " ", 1)
    if name.startswith(
        INSPECTORS
    ):  # 督查_NN_<党总支>_督查评分表: to the inspectors, about that branch's form
        to = f"督查组（{to.rpartition('_')[0]} 的督查评分表）"
    return NoticeView(name, to, kind, header, body, copies, draft if draft in mail else None)


def _copy_label(rest: str) -> str:
    """`附件1_评分表_更正2.xlsx` → `附件1 评分表（第2次更正）`; the first correction just `附件1 评分表`."""
    form, _, rev = rest.removesuffix(".xlsx").rpartition("_更正")
    if not form:
        return rest.replace("_", " ")
    return form.replace("_", " ") + (f"（第{rev}次更正）" if rev else "")


def build_view(folder: RoundFolder, report: Any = None) -> PackView:
    """The written pack (none before the first collect) and what changed in the inbox or the settings since
    it was written (`summary_files.written`, as the 汇总 page says it; `report`: the inbox now, or None)."""
    from ...round import read_notices

    view = PackView()
    try:
        view.written = folder.summary.stat().st_mtime
    except OSError:
        return view
    pack = folder.corrections_dir
    listing, mail = files_in(pack), files_in(pack / MAIL_DIR)
    view.notices = [notice_view(name, text, listing, mail) for name, text in read_notices(pack)]
    view.changed = list(written(folder, report).stale)
    if view.notices and report is not None:
        from ...round import deadline_note

        view.late = deadline_note(report.campaign, dt.date.today(), page=True) or ""
    return view


def pack_files(folder: RoundFolder, view: PackView) -> list[tuple[str, Path]]:
    """Every file of the pack's notices, as (name inside a zip, path): notices, 更正表, drafts in 邮件/."""
    pack = folder.corrections_dir
    out = []
    for n in view.notices:
        for name in (n.name, *(c for _, c in n.copies)):
            path = listed(pack, name)
            if path is not None:
                out.append((name, path))
        path = listed(pack / MAIL_DIR, n.draft) if n.draft else None
        if path is not None:
            out.append((f"{MAIL_DIR}/{n.draft}", path))
    return out


@router.get("/corrections", response_class=HTMLResponse)
def show(request: Request) -> Response:
    st = state(request)
    if not st.folder.is_round():
        return page(request, "generate_none.html", "退回修改")
    view = build_view(st.folder, current_report(st))
    context = job_context(request)
    if (
        "message" in context
    ):  # the collect's whole account is shown folded: the notices are what this page is for
        context["job_lines"] = context.pop("message").splitlines()
    return page(request, "corrections.html", "退回修改", view=view, **context)


@router.post("/corrections/collect")
def recollect(request: Request) -> Response:
    job = state(request).collect()
    return back(request, "/corrections", job=str(job.id))


@router.get("/corrections/file/{name}")
def pack_file(request: Request, name: str) -> Response:
    return listed_response(state(request).folder.corrections_dir, name, NOT_FOUND)


@router.get("/corrections/mail/{name}")
def mail_file(request: Request, name: str) -> Response:
    return listed_response(state(request).folder.corrections_dir / MAIL_DIR, name, NOT_FOUND)


@router.get("/corrections/zip")
def all_zip(request: Request) -> Response:
    folder = state(request).folder
    files = pack_files(folder, build_view(folder))
    if not files:
        return PlainTextResponse("没有需要发出的通知", status_code=404)
    return zip_response(files, "退回修改通知.zip")
