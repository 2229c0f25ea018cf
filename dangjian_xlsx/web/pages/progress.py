"""提交进度 (being built)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from .common import page

router = APIRouter()


@router.get("/progress", response_class=HTMLResponse)
def show(request: Request) -> Response:
    return page(request, "building.html", "提交进度")
