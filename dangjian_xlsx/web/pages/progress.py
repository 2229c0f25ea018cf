"""提交进度: the roster × 附件1 / 附件2 / 自查报告 grid, the 未交 and 需退回修改 lists with each branch's contact
and its notice to copy; the page asks for `/progress/mark` every few seconds and puts a new grid in place when
the inbox changed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..jobs import failure_text
from ..progress_view import digest, progress
from .common import TEMPLATES, page, state

router = APIRouter()


def body_context(request: Request) -> dict[str, Any]:
    """The grid and the lists, with the mark of the inbox they were made from."""
    st = state(request)
    mark = digest(st.signature())
    try:
        return {"progress": progress(st.report()), "mark": mark, "progress_error": ""}
    except Exception as exc:  # the configuration cannot be read: said in Chinese
        return {"progress": None, "mark": mark, "progress_error": failure_text(exc)}


@router.get("/progress", response_class=HTMLResponse)
def show(request: Request) -> Response:
    if not state(request).folder.is_round():
        return page(request, "inbox_none.html", "提交进度")
    return page(request, "progress.html", "提交进度", **body_context(request))


@router.get("/progress/body", response_class=HTMLResponse)
def body(request: Request) -> Response:
    return TEMPLATES.TemplateResponse(request, "progress_body.html", body_context(request))


@router.get("/progress/mark")
def mark(request: Request) -> Response:
    """The mark of the inbox as it is now (cheap: names, sizes and times of its files)."""
    return JSONResponse({"mark": digest(state(request).signature())})
