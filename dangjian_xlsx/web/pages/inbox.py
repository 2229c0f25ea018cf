"""收件: files dropped on the page (many at once, folders, zips, saved e-mails) stored as they came in 收件/,
then one collect for the batch, and every file of the inbox with its outcome and reasons."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from .. import store
from ..inbox_upload import receive, too_big_text
from ..inbox_view import FileRow, file_rows, outcome_counts
from ..jobs import failure_text
from .common import TEMPLATES, page, state

router = APIRouter()


EXPANDED = "已展开"  # a zip or saved e-mail whose files are listed after it (collect counts it 已忽略)


def expanded(rows: list[FileRow]) -> set[str]:
    """The containers of the list (a zip, a saved e-mail): the files in 收件/ whose members follow them."""
    return {r.top for r in rows if r.member}


def chip_counts(rows: list[FileRow]) -> list[tuple[str, int, str]]:
    """The counts above the list: the outcomes, a container counted 已展开 rather than 已忽略."""
    opened = expanded(rows)
    containers = [r for r in rows if not r.member and r.top in opened]
    counts = outcome_counts([r for r in rows if r.member or r.top not in opened])
    return counts + ([(EXPANDED, len(containers), "s-none")] if containers else [])


def files_context(request: Request) -> dict[str, Any]:
    """The list of the inbox's files (or why it cannot be read)."""
    st = state(request)
    try:
        rows = file_rows(st.report(), st.folder.inbox)
    except Exception as exc:  # the configuration cannot be read: said in Chinese, the page still works
        return {"rows": [], "counts": [], "expanded": set(), "files_error": failure_text(exc)}
    return {"rows": rows, "counts": chip_counts(rows), "expanded": expanded(rows), "files_error": ""}


@router.get("/inbox", response_class=HTMLResponse)
def show(request: Request) -> Response:
    st = state(request)
    if not st.folder.is_round():
        return page(request, "inbox_none.html", "收件")
    return page(
        request,
        "inbox.html",
        "收件",
        inbox=st.folder.inbox,
        max_bytes=store.MAX_UPLOAD_BYTES,
        too_big=too_big_text("{name}"),
        **files_context(request),
    )


@router.get("/inbox/files", response_class=HTMLResponse)
def files(request: Request) -> Response:
    """The file list alone, for the page to put in place after a collect."""
    return TEMPLATES.TemplateResponse(request, "inbox_files.html", files_context(request))


@router.post("/inbox/upload")
async def upload(request: Request) -> Response:
    """One file (field `file`; `path`: the path it had inside a dropped folder) stored in 收件/."""
    st = state(request)
    if not st.folder.is_round():
        return JSONResponse({"error": "请先在首页建立本轮督查，再上传文件"}, status_code=409)
    length = int(request.headers.get("content-length") or 0)
    if length > store.MAX_UPLOAD_BYTES + (1 << 16):
        return JSONResponse(
            {"error": too_big_text(request.query_params.get("name", "文件"))}, status_code=413
        )
    form = await request.form(max_files=1, max_fields=4)
    sent = form.get("file")
    if not isinstance(sent, UploadFile):
        return JSONResponse({"error": "没有收到文件：请重新选择文件上传"}, status_code=400)
    path = form.get("path")
    name = path if isinstance(path, str) and path.strip() else (sent.filename or "")
    result = await run_in_threadpool(receive, st.folder.inbox, name, sent.file)
    await sent.close()
    return JSONResponse(result.as_dict(), status_code=result.status)


@router.post("/inbox/collect")
def collect(request: Request) -> Response:
    """One collect for a batch of uploads: the job, for the page to follow."""
    return JSONResponse(state(request).collect().as_dict())
