"""首页: where the round stands and the next step; without a round folder, setting one up (the built-in
sample clearly labelled as a sample)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..jobs import failure_text
from ..settings_campaign import sample_of
from .common import back, page, state

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    st = state(request)
    if not st.folder.is_round():
        return page(request, "setup_needed.html", "建立本轮督查")
    try:
        campaign, _ = st.folder.load()
    except Exception as exc:  # the loader's message: the settings page shows where to fix it
        return page(request, "home.html", "首页", campaign=None, sample=None, load_error=failure_text(exc))
    return page(request, "home.html", "首页", campaign=campaign, sample=sample_of(campaign), load_error=None)


@router.post("/create")
def create(request: Request) -> Response:
    st = state(request)
    if st.folder.is_round():
        return back(request, "/")
    try:
        st.folder.create()
    except Exception as exc:  # shown on the page, in Chinese
        return page(request, "setup_needed.html", "建立本轮督查", error=failure_text(exc))
    return back(request, "/settings", created="1")


@router.get("/api/jobs/{job_id}")
def job_status(request: Request, job_id: int) -> Response:
    job = state(request).jobs.get(job_id)
    if job is None:
        return JSONResponse({"error": "没有这项任务"}, status_code=404)
    return JSONResponse(job.as_dict())
