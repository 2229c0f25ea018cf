"""督查: the inspection forms (生成督查评分表, each branch's to download, all as one zip), the filled ones uploaded
into 收件/ and collected, and the 自评与督查对比 table the summary shows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..downloads import file_response, listed, zip_response
from ..inspection_files import ZIP_NAME, form_files, generate_work, store_uploads
from ..inspection_view import build_view
from ..jobs import failure_text
from .common import back, page, state

router = APIRouter()
TITLE = "督查"
STORED_SEP = "\n"  # never in a stored name (store.safe_name drops control characters)


@router.get("/inspection", response_class=HTMLResponse)
def show(request: Request, job: int | None = None, stored: str = "", refused: str = "") -> Response:
    st = state(request)
    running = st.jobs.get(job) if job is not None else None
    notes = {"refused": [r for r in refused.split(STORED_SEP) if r]}
    if not st.folder.is_round():
        return page(request, "inspection.html", TITLE, view=None, error="请先在“首页”建立本轮督查。", **notes)
    try:
        view = build_view(st.folder, st.report(), {s for s in stored.split(STORED_SEP) if s})
    except Exception as exc:  # the configuration cannot be read: said in Chinese, with where to fix it
        return page(
            request, "inspection.html", TITLE, view=None, job=running, error=failure_text(exc), **notes
        )
    return page(request, "inspection.html", TITLE, view=view, job=running, **notes)


@router.post("/inspection/generate")
def generate(request: Request) -> Response:
    st = state(request)
    job = st.jobs.submit("生成督查评分表", generate_work(st))
    return back(request, "/inspection", job=str(job.id))


@router.post("/inspection/collect")
def collect(request: Request) -> Response:
    return back(request, "/inspection", job=str(state(request).collect().id))


@router.post("/inspection/upload")
async def upload(request: Request) -> Response:
    st = state(request)
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not files:
        return back(request, "/inspection", refused="没有选择文件：请先点“选择文件”选好填好的督查评分表。")
    try:  # stored off the event loop: other requests (the progress polls) go on meanwhile
        stored = await run_in_threadpool(
            store_uploads, st.folder.inbox, [(f.filename or "", f.file) for f in files]
        )
    finally:
        await form.close()
    query = {"refused": STORED_SEP.join(stored.refused)}
    if stored.names:
        query.update(job=str(st.collect().id), stored=STORED_SEP.join(stored.names))
    return back(request, "/inspection", **{k: v for k, v in query.items() if v})


@router.get("/inspection/forms/{name}")
def download(request: Request, name: str) -> Response:
    path = listed(state(request).folder.inspection_dir, name)
    if path is None:
        return Response(
            "没有这个督查评分表：请回到“督查”页刷新后重新下载。",
            status_code=404,
            media_type="text/plain; charset=utf-8",
        )
    return file_response(path)


@router.get("/inspection/all.zip")
def download_all(request: Request) -> Response:
    paths = form_files(state(request).folder.inspection_dir)
    if not paths:
        return Response(
            "还没有生成督查评分表：请先在“督查”页点“生成督查评分表”。",
            status_code=404,
            media_type="text/plain; charset=utf-8",
        )
    return zip_response([(p.name, p) for p in paths], ZIP_NAME)
