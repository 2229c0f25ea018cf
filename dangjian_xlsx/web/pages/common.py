"""What every page shares: the templates (autoescaped), the navigation, the round's state from the request,
responses for files and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from ..state import RoundState

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
TEMPLATES.env.autoescape = True  # every value shown is text: a cell holding <script> shows as text


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str


NAV = (
    NavItem("/", "首页"),
    NavItem("/settings", "本轮设置"),
    NavItem("/generate", "生成表格"),
    NavItem("/inbox", "收件"),
    NavItem("/progress", "提交进度"),
    NavItem("/summary", "汇总"),
    NavItem("/corrections", "退回修改"),
    NavItem("/inspection", "督查"),
)


def state(request: Request) -> RoundState:
    return request.app.state.round


def current_report(st: RoundState) -> Any:
    """The inbox's report as it is now, or None when the round's configuration cannot be read (the page then
    shows the loader's message where it matters)."""
    from ...errors import UserError

    try:
        return st.report()
    except UserError:  # a configuration error, or the worker's (`worker.StepFailed`)
        return None


def page(request: Request, template: str, title: str, **context: Any) -> HTMLResponse:
    """A page of the site: `template` extends base.html; `title` is its heading and the current nav item."""
    st = state(request)
    context.update(
        request=request,
        title=title,
        nav=NAV,
        path=request.url.path,
        folder=st.folder,
        is_round=st.folder.is_round(),
        busy=st.jobs.busy(),
    )
    return TEMPLATES.TemplateResponse(request, template, context)


def back(request: Request, path: str, **query: str) -> RedirectResponse:
    """After a form is posted: to `path` (303, so that reloading does not post again)."""
    from urllib.parse import urlencode

    target = path + (f"?{urlencode(query)}" if query else "")
    return RedirectResponse(target, status_code=303)
