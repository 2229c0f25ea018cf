"""汇总: the overview numbers, the ranking, 失分分析 and the charts, from the inbox as it is now; the written
汇总表.xlsx and its exports to download, with a clear word (and 重新汇总) when they are older than the inbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..downloads import file_response, listed, zip_response
from ..jobs import Job, failure_text
from ..summary_files import Written, download_names, feedback_of, written
from ..summary_view import view_of
from .common import back, page, state

router = APIRouter()
TITLE = "汇总"
ZIP_NAME = "汇总表及导出文件.zip"
FEEDBACK_ZIP = "反馈表.zip"


@dataclass(frozen=True)
class Stage:
    """Where the round stands for this page, which decides its one next step: no_round, config, running, empty
    (nothing in the inbox), not_written (files, no summary yet), stale or current."""

    name: str
    files: int = 0


def stage_of(is_round: bool, job: Job | None, report: Any, done: Written | None) -> Stage:
    if not is_round:
        return Stage("no_round")
    if job is not None and not job.finished:
        return Stage("running")
    if report is None:
        return Stage("config")
    n = len(report.files)
    if done is None or done.summary is None:
        return Stage("not_written" if n else "empty", n)
    return Stage("stale" if done.stale else "current", n)


@router.get("/summary", response_class=HTMLResponse)
def show(request: Request, job: int | None = None) -> Response:
    st = state(request)
    the_job = st.jobs.get(job) if job is not None else None
    context: dict[str, Any] = {"job": the_job}
    if the_job is not None and the_job.finished:
        context["error" if the_job.error else "message"] = the_job.error or "汇总完成：汇总表和导出文件已写出"
    report = view = done = None
    if st.folder.is_round() and not (the_job is not None and not the_job.finished):
        try:
            report = st.report()
        except Exception as exc:  # the configuration cannot be read: said in Chinese, with where to fix it
            context["error"] = failure_text(exc)
        else:
            done = written(st.folder, report)
            view = view_of(report) if report.files else None
    context.update(stage=stage_of(st.folder.is_round(), the_job, report, done), view=view, written=done)
    context["feedback"] = feedback_of(st.folder) if done is not None and done.summary is not None else None
    return page(request, "summary.html", TITLE, **context)


@router.post("/summary/collect")
def collect(request: Request) -> Response:
    st = state(request)
    if not st.folder.is_round():
        return back(request, "/summary")
    return back(request, "/summary", job=str(st.collect().id))


@router.get("/summary/download/{name}")
def download(request: Request, name: str) -> Response:
    folder = state(request).folder
    path = listed(folder.root, name) if name in download_names(folder) else None
    if path is None:
        return not_found(request, name)
    return file_response(path)


@router.get("/summary/download-all")
def download_all(request: Request) -> Response:
    folder = state(request).folder
    found = [p for p in (listed(folder.root, n) for n in download_names(folder)) if p is not None]
    if not found:
        return not_found(request, ZIP_NAME)
    return zip_response([(p.name, p) for p in found], ZIP_NAME)


@router.get("/summary/feedback/{name}")
def feedback_file(request: Request, name: str) -> Response:
    folder = state(request).folder
    path = listed(folder.feedback_dir, name) if name.lower().endswith(".xlsx") else None
    return file_response(path) if path is not None else not_found(request, name)


@router.get("/summary/feedback-all")
def feedback_all(request: Request) -> Response:
    folder = state(request).folder
    found = [p for p in (listed(folder.feedback_dir, d.name) for d in feedback_of(folder).files) if p]
    if not found:
        return not_found(request, FEEDBACK_ZIP)
    return zip_response([(p.name, p) for p in found], FEEDBACK_ZIP)


def not_found(request: Request, name: str) -> Response:
    message = f"工作目录中没有“{name}”：请先在本页点“汇总”写出汇总表，再下载"
    response = page(
        request, "summary.html", TITLE, error=message, stage=Stage("missing"), view=None, feedback=None
    )
    response.status_code = 404
    return response
