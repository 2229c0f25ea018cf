"""生成表格: what `generate` will write (the roster's branches, the campaign's school, title and dates; a warning
while the campaign or roster is still the built-in sample), the 生成 button (a job: `actions.generate`, the
CLI's `generate --out 表格 --eml --force`), then per branch its two forms and e-mail draft to download, one
zip per branch or all of them, and the branches without an e-mail address (they get no draft)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from ...outnames import MAIL_DIR
from .. import actions
from ..downloads import files_in, listed, listed_response, zip_response
from ..folder import RoundFolder
from ..jobs import failure_text
from ..settings_campaign import sample_of
from .common import back, page, state

router = APIRouter()

NOT_FOUND = "没有这个文件：请回到“生成表格”页面重新下载"


@dataclass(frozen=True)
class BranchRow:
    """One branch of the roster and what of it is in 表格/ (names relative to 表格/, None when absent)."""

    branch: Any
    forms: list[tuple[str, str, bool]]  # (label, file name, present)
    draft: str | None  # 邮件/… when written
    has_address: bool

    @property
    def generated(self) -> bool:
        return all(present for _, _, present in self.forms)


@dataclass
class GenerateView:
    """What the page shows: the campaign, its notes, the branches, how far generation got."""

    campaign: Any
    notes: tuple[str, ...]
    rows: list[BranchRow]
    sample: list[str] = field(default_factory=list)
    sample_keys: frozenset[str] = frozenset()  # the settings still the sample's (badges in the table)
    stale: bool = False  # the settings or roster changed after the forms were generated
    earlier: int = 0  # files in 表格/ that generating now would set aside
    set_aside: list[str] = field(default_factory=list)

    @property
    def generated(self) -> int:
        return sum(1 for r in self.rows if r.generated)

    @property
    def drafts(self) -> int:
        return sum(1 for r in self.rows if r.draft)

    @property
    def no_address(self) -> list[Any]:
        return [r.branch for r in self.rows if not r.has_address]


def sample_notes(campaign: Any) -> list[str]:
    """What is still the built-in sample, one line each, as 本轮设置 and 首页 say it (`sample_of`)."""
    return list(sample_of(campaign).parts)


def form_label(name: str, branch: Any) -> str:
    """`01_甲_附件1_评分表.xlsx` → `附件1 评分表`: the form as the page names it."""
    stem = name.removesuffix(".xlsx").removeprefix(f"{branch.id}_{branch.name}_")
    return stem.replace("_", " ")


def branch_row(campaign: Any, branch: Any, drafts: dict[str, str], on_disk: Listing) -> BranchRow:
    """`drafts`: the draft `generate --eml` writes for each branch id (its name inside 邮件/); `on_disk`: the
    files in 表格/ and in 表格/邮件/."""
    from ...forms import BRANCH_FORMS, form_filename
    from ...round import address_of

    forms = []
    for kind in BRANCH_FORMS:
        name = form_filename(kind, branch, campaign.catalog)
        forms.append((form_label(name, branch), name, name in on_disk.forms))
    draft = drafts.get(branch.id)
    return BranchRow(branch, forms, draft if draft in on_disk.mail else None, address_of(branch) is not None)


@dataclass(frozen=True)
class Listing:
    forms: frozenset[str]
    mail: frozenset[str]

    @classmethod
    def of(cls, folder: RoundFolder) -> Listing:
        return cls(files_in(folder.forms_dir), files_in(folder.forms_dir / MAIL_DIR))


def draft_names(names: set[str]) -> dict[str, str]:
    """Branch id → its draft's name inside 邮件/, from the names `generate --eml` writes (`邮件/NN_….eml`)."""
    inner = (n.removeprefix(f"{MAIL_DIR}/") for n in names if n.startswith(f"{MAIL_DIR}/"))
    return {n.split("_", 1)[0]: n for n in inner if n.endswith(".eml")}


def newest_input(folder: RoundFolder) -> float:
    times = [p.stat().st_mtime for p in folder.inputs() if p.is_file()]
    return max(times, default=0.0)


def build_view(folder: RoundFolder) -> GenerateView:
    """The page's view of the round (ConfigError when the configuration cannot be read)."""
    from ...forms import earlier_files
    from ...round import generated_names

    campaign, notes = folder.load()
    names = generated_names(campaign, False, True)
    drafts = draft_names(names)
    on_disk = Listing.of(folder)
    rows = [branch_row(campaign, b, drafts, on_disk) for b in campaign.roster]
    view = GenerateView(campaign, notes, rows, sample_notes(campaign), frozenset(sample_of(campaign).fields))
    made = [folder.forms_dir / name for r in rows for _, name, present in r.forms if present]
    if made:
        view.stale = newest_input(folder) > min(p.stat().st_mtime for p in made)
    view.earlier = len(earlier_files(folder.forms_dir, names))
    if folder.forms_dir.is_dir():
        view.set_aside = sorted(
            p.name for p in folder.forms_dir.iterdir() if p.is_dir() and p.name.startswith("以前生成的表格_")
        )
    return view


def row_files(folder: RoundFolder, row: BranchRow) -> list[tuple[str, Path]]:
    """A branch's files as (name inside a zip, path): its forms, its draft in 邮件/."""
    files = []
    for _, name, _ in row.forms:
        path = listed(folder.forms_dir, name)
        if path is not None:
            files.append((name, path))
    if row.draft:
        path = listed(folder.forms_dir / MAIL_DIR, row.draft)
        if path is not None:
            files.append((f"{MAIL_DIR}/{row.draft}", path))
    return files


def zip_name(campaign: Any, branch: Any | None = None) -> str:
    who = f"{branch.id}_{branch.name}" if branch is not None else "全部党总支"
    return f"{who}_{campaign.year}年督查表格.zip"


@router.get("/generate", response_class=HTMLResponse)
def show(request: Request) -> Response:
    st = state(request)
    if not st.folder.is_round():
        return page(request, "generate_none.html", "生成表格")
    try:
        view = build_view(st.folder)
    except Exception as exc:  # the configuration cannot be read: say so, in Chinese, and where to fix it
        return page(request, "generate_none.html", "生成表格", error=failure_text(exc), config_error=True)
    return page(request, "generate.html", "生成表格", view=view, **job_context(request))


def job_context(request: Request) -> dict[str, Any]:
    """`?job=N`: the job still running (its progress box); `?done=N`: what the finished job said, or its
    failure."""
    jobs = state(request).jobs
    running, done = (request.query_params.get(k, "") for k in ("job", "done"))
    job = jobs.get(int(running)) if running.isdigit() else None
    finished = jobs.get(int(done)) if done.isdigit() else None
    out: dict[str, Any] = {"job": job}
    if finished is not None and finished.finished:
        if finished.error:
            out["error"] = finished.error
        else:
            out["message"] = "\n".join(finished.lines)
    return out


@router.post("/generate")
def run(request: Request) -> Response:
    st = state(request)
    job = st.jobs.submit("生成表格", lambda progress: actions.generate(st.folder, progress))
    return back(request, "/generate", job=str(job.id))


@router.get("/generate/file/{name}")
def form_file(request: Request, name: str) -> Response:
    return listed_response(state(request).folder.forms_dir, name, NOT_FOUND)


@router.get("/generate/mail/{name}")
def mail_file(request: Request, name: str) -> Response:
    return listed_response(state(request).folder.forms_dir / MAIL_DIR, name, NOT_FOUND)


@router.get("/generate/zip")
def all_zip(request: Request) -> Response:
    folder = state(request).folder
    view = build_view(folder)
    files = [f for row in view.rows for f in row_files(folder, row)]
    if not files:
        return PlainTextResponse("还没有生成表格：请先点击“生成表格”", status_code=404)
    return zip_response(files, zip_name(view.campaign))


@router.get("/generate/zip/{branch_id}")
def branch_zip(request: Request, branch_id: str) -> Response:
    folder = state(request).folder
    view = build_view(folder)
    for row in view.rows:
        if row.branch.id == branch_id:
            files = row_files(folder, row)
            if files:
                return zip_response(files, zip_name(view.campaign, row.branch))
    return PlainTextResponse(NOT_FOUND, status_code=404)
