"""本轮设置: the campaign form (campaign.toml), the roster (upload, table, template) and 表格内容.xlsx
(download, upload with its outline and problems). The work is in `settings_campaign` / `settings_files`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ...catalog import check_forms, default_roster, forms_workbook, load_catalog, roster_csv
from ...errors import ConfigError
from ...keep import previous_file
from ..downloads import disposition, file_response, listed
from ..folder import RoundFolder
from ..jobs import failure_text
from ..settings_campaign import (
    FIELDS,
    KEYS,
    FieldError,
    current_values,
    sample_fields,
    sample_of,
    save_values,
)
from ..settings_files import current_forms, current_roster, replace_forms, replace_roster
from ..store import MAX_UPLOAD_BYTES
from .common import page, state

router = APIRouter()
TITLE = "本轮设置"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kept_line(folder: RoundFolder, path: Path | None, what: str) -> str:
    """Where the file replaced last was kept: `roster.上次.csv` beside `roster.xlsx` too (the newest)."""
    if path is None:
        return ""
    stem = previous_file(path).stem
    kept = [p for p in folder.root.glob(f"{stem}.*") if p.is_file()]
    if not kept:
        return ""
    newest = max(kept, key=lambda p: p.stat().st_mtime_ns)
    return f"；原来的{what}保存为 {newest.name}"


def saved_message(folder: RoundFolder, saved: str) -> str | None:
    """The green line after a change (what is current now, where the previous file was kept)."""
    if saved == "campaign":
        again = "已生成的表格请重新生成，才会用上新的设置。" if any(folder.forms_dir.glob("*.xlsx")) else ""
        return f"已保存 campaign.toml。命令行在这个文件夹中运行时用的也是它。{again}"
    if saved == "roster":
        path = current_roster(folder)
        name = path.name if path is not None else "名单"
        return f"名单已换上：{name}{_kept_line(folder, path, '名单')}。已生成的表格请重新生成。"
    if saved == "forms":
        path = current_forms(folder)
        name = path.name if path is not None else "表格内容.xlsx"
        return f"表格内容已换上：{name}{_kept_line(folder, path, '表格内容')}。已生成的表格属于旧版本，请重新生成。"
    return None


def forms_outline(folder: RoundFolder) -> tuple[str | None, tuple[str, ...]]:
    """The current 表格内容 file's name and its outline (the built-in forms when campaign.toml names none)."""
    path = current_forms(folder)
    if path is None:
        return None, ()
    try:
        return path.name, check_forms(path).outline
    except ConfigError as exc:
        return path.name, (str(exc),)


def context(folder: RoundFolder, **extra: Any) -> dict[str, Any]:
    """What the page shows; `extra` overrides (the typed values and the error after a refused change)."""
    values, campaign, notes, load_error = current_values(folder)
    forms_name, outline = forms_outline(folder)
    roster_path = current_roster(folder)
    ctx: dict[str, Any] = {
        "fields": FIELDS,
        "values": values,
        "campaign": campaign,
        "notes": [n for n in notes if not n.startswith("名单 ")],
        "roster_notes": [n for n in notes if n.startswith("名单 ")],  # the roster loader's notes
        "load_error": load_error,
        "sample": sample_of(campaign) if campaign is not None else None,
        "field_errors": {},
        "roster": tuple(campaign.roster) if campaign is not None else (),
        "roster_name": roster_path.name if roster_path is not None else None,
        "forms_name": forms_name,
        "outline": outline,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    ctx.update(extra)
    ctx["sample_fields"] = sample_fields(ctx["values"])  # the badges: what the fields show now
    return ctx


@router.get("/settings", response_class=HTMLResponse)
def show(request: Request, saved: str = "") -> Response:
    folder = state(request).folder
    return page(request, "settings.html", TITLE, message=saved_message(folder, saved), **context(folder))


def _done(what: str) -> RedirectResponse:
    return RedirectResponse(f"/settings?saved={what}#{what}", status_code=303)


@router.post("/settings/campaign", response_class=HTMLResponse)
async def save_campaign(request: Request) -> Response:
    folder = state(request).folder
    form = await request.form()
    values = {key: str(form.get(key) or "") for key in KEYS}
    try:
        save_values(folder, values)
    except FieldError as exc:  # said at the field, in the form's words; what was typed stays in the form
        refused = f"没有保存：“{exc.label}”有误，请按这一项下方的说明改正后再点“保存设置”。"
        ctx = context(folder, values=values, campaign_error=refused, field_errors={exc.key: exc.text})
        return page(request, "settings.html", TITLE, **ctx)
    except Exception as exc:  # the loader's message (a file campaign.toml names), with what was typed
        ctx = context(folder, values=values, campaign_error=failure_text(exc))
        return page(request, "settings.html", TITLE, **ctx)
    return _done("campaign")


async def _upload(request: Request) -> tuple[str, bytes]:
    """The uploaded file's name and bytes (ConfigError when there is none or it is too large)."""
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise ConfigError("没有选择文件：请先点“选择文件”选好文件，再点上传")
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ConfigError(
            f"文件“{upload.filename}”太大（超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB），没有上传"
        )
    return upload.filename, data


@router.post("/settings/roster", response_class=HTMLResponse)
async def upload_roster(request: Request) -> Response:
    folder = state(request).folder
    try:
        name, data = await _upload(request)
        replace_roster(folder, name, data)
    except Exception as exc:  # which row, what, how to fix; the previous roster stays
        return page(request, "settings.html", TITLE, **context(folder, roster_error=failure_text(exc)))
    return _done("roster")


@router.post("/settings/forms", response_class=HTMLResponse)
async def upload_forms(request: Request) -> Response:
    folder = state(request).folder
    try:
        name, data = await _upload(request)
        result = replace_forms(folder, name, data)
    except Exception as exc:
        return page(request, "settings.html", TITLE, **context(folder, forms_error=failure_text(exc)))
    if result.replaced is None:
        ctx = context(folder, forms_upload=result.check, forms_upload_name=name)
        return page(request, "settings.html", TITLE, **ctx)
    return _done("forms")


@router.get("/settings/roster-template.csv")
def roster_template() -> Response:
    """roster.csv as `init` writes it (the sample rows show how to fill it in)."""
    data = roster_csv(default_roster()).encode("utf-8-sig")
    return Response(
        data, media_type="text/csv; charset=utf-8", headers={"content-disposition": disposition("roster.csv")}
    )


@router.get("/settings/roster-file")
def roster_file(request: Request) -> Response:
    folder = state(request).folder
    path = current_roster(folder)
    found = listed(folder.root, path.name) if path is not None and path.parent == folder.root else None
    if found is None:
        return Response("名单文件不在工作目录中", status_code=404, media_type="text/plain; charset=utf-8")
    return file_response(found)


@router.get("/settings/forms-file")
def forms_file(request: Request) -> Response:
    """The current 表格内容.xlsx, or the built-in forms as that workbook when campaign.toml names none."""
    folder = state(request).folder
    path = current_forms(folder)
    if path is None:
        headers = {"content-disposition": disposition("表格内容.xlsx")}
        return Response(forms_workbook(load_catalog()), media_type=XLSX, headers=headers)
    found = listed(folder.root, path.name) if path.parent == folder.root else None
    if found is None:
        return Response("表格内容文件不在工作目录中", status_code=404, media_type="text/plain; charset=utf-8")
    return file_response(found)
