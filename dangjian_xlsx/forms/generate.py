"""Locked, printable forms with XlsxWriter (+ the workbook-structure post-step), blank forms, `init` files.

Every position comes from `layout.form_layout`; every look from `style`, every lock from `protect`.
`build_form` is pure: the same campaign, form and branch always give the same bytes.
"""

import datetime as dt
import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import xlsxwriter

from .. import GENERATOR, __version__, layout, parallel
from ..atomic import sweep_stale_temps, write_all_atomic, write_bytes_atomic
from ..catalog import (
    FORMS_FILE,
    campaign_toml,
    catalog_digest,
    default_campaign,
    forms_workbook,
    load_catalog,
    roster_csv,
)
from ..errors import ConfigError
from ..layout import Field, FormLayout
from ..models import Branch, Campaign, Catalog, FormKind
from .meta import write_guide, write_meta
from .protect import lock_structure
from .sheet import FormWriter, Key
from .style import GrowingWorksheet, Styles
from .text import CopyState

Progress = Callable[[int, int], None]

# The forms sent to every branch (INSPECTION is filled by 组织部 and built on demand).
BRANCH_FORMS = (FormKind.SCORING, FormKind.TASKS)


def form_filename(kind: FormKind, branch: Branch | None = None, catalog: Catalog | None = None) -> str:
    """`NN_<党总支>_附件1_评分表.xlsx`, or `附件1_评分表.xlsx` for a blank form; with a catalog, its attachment
    labels (`附件3_评分表`)."""
    suffix = layout.file_suffix(catalog, kind)
    return f"{branch.id}_{branch.name}_{suffix}.xlsx" if branch else f"{suffix}.xlsx"


def created_at(campaign: Campaign) -> dt.datetime:
    """The fixed document creation time: what makes the output byte-reproducible."""
    return dt.datetime.combine(campaign.self_check_start, dt.time(8, 0))


# ---------------------------------------------------------------- one workbook


def _check_keys(lay: FormLayout, what: str, keys: Mapping[Key, object]) -> None:
    known = {(c.field, c.ref_id) for c in lay.inputs}
    if lay.kind is FormKind.INSPECTION:  # the self-assessment shown beside the inspector's columns
        known |= {(f, i) for i in lay.item_rows for f in (Field.SCORE, Field.NOTE)}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValueError(f"{what}: no input cell {unknown[0]!r} in {lay.kind.value}")


def _copy_state(prefill: Mapping[Key, object], comments: Mapping[Key, str]) -> CopyState:
    """What a corrected copy holds: marked cells, or the branch's values (beyond the header's), or nothing."""
    if comments:
        return CopyState.MARKED
    return CopyState.PREFILLED if any(ref for _, ref in prefill) else CopyState.FRESH


def build_form(
    campaign: Campaign,
    kind: FormKind,
    branch: Branch | None = None,
    *,
    prefill: Mapping[Key, object] | None = None,
    comments: Mapping[Key, str] | None = None,
    revision: int = 0,
) -> bytes:
    """The bytes of one locked workbook; deterministic for the same arguments.

    `prefill` writes values into input cells (keys `(Field, item/task id)`, `""` for header fields;
    a prefilled branch name is ignored on a personalized form, whose branch cell is locked).
    `comments` marks cells to correct: a distinct fill plus a cell comment with the text.
    `revision` > 0 stamps a corrected copy (the n-th correction), which wins ties when collected.
    """
    lay = layout.form_layout(campaign.catalog, kind)
    prefill = dict(prefill or {})
    comments = dict(comments or {})
    _check_keys(lay, "prefill", prefill)
    _check_keys(lay, "comments", comments)
    digest = catalog_digest(campaign.catalog)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    wb.set_properties(
        {
            "title": layout.title(campaign.catalog, kind),
            "subject": campaign.title,
            "author": campaign.department,
            "company": campaign.school,
            "category": layout.form_label(campaign.catalog, kind),
            "keywords": f"{GENERATOR};{kind.value};{digest}",
            "comments": f"{GENERATOR} {__version__}",
            "created": created_at(campaign),
        }
    )
    st = Styles(wb)
    form = wb.add_worksheet(lay.sheet, worksheet_class=GrowingWorksheet)
    guide = wb.add_worksheet(layout.GUIDE_SHEET)
    meta = wb.add_worksheet(layout.META_SHEET)
    FormWriter(form, st, campaign, lay, branch, prefill, comments).write()
    write_guide(guide, st, campaign, kind, branch, revision, _copy_state(prefill, comments))
    write_meta(wb, meta, st, campaign, kind, lay, branch, digest, revision)
    wb.close()
    return lock_structure(buf.getvalue(), campaign.password)


# ---------------------------------------------------------------- files


def generate_blank(campaign: Campaign, out_dir: Path) -> list[Path]:
    """The blank official forms (党总支名称 left as an input cell), e.g. the committed `blank_forms/`."""
    out_dir = Path(out_dir)
    return write_all_atomic(
        (out_dir / form_filename(kind, None, campaign.catalog), build_form(campaign, kind))
        for kind in BRANCH_FORMS
    )


PARALLEL_MIN_FORMS = 16  # below this many workbooks, a second process costs more than it saves

_JOB: dict[str, Any] = {}  # what forked workers inherit: the campaign and the output folder


def _generate_one(k: int) -> Path:
    """Workbook k of the roster (branch k // 2, form k % 2), written to the output folder."""
    campaign: Campaign = _JOB["campaign"]
    branch = campaign.roster[k // len(BRANCH_FORMS)]
    kind = BRANCH_FORMS[k % len(BRANCH_FORMS)]
    # the folder was swept for stale temporary files once, before the batch (generate_for_roster)
    return write_bytes_atomic(
        _JOB["out_dir"] / form_filename(kind, branch, campaign.catalog),
        build_form(campaign, kind, branch),
        sweep=False,
    )


def generate_for_roster(campaign: Campaign, out_dir: Path, progress: Progress | None = None) -> list[Path]:
    """Both personalized forms for every 党总支 of the roster. The roster was checked when it was loaded.

    A large roster is shared with forked helper processes (one per core); the files are the same bytes.
    """
    if not campaign.roster:
        raise ConfigError(f"名单中没有任何{campaign.catalog.unit}，未生成任何文件")
    total = len(campaign.roster) * len(BRANCH_FORMS)
    if progress:
        progress(0, total)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sweep_stale_temps(
        out_dir, [form_filename(k, b, campaign.catalog) for b in campaign.roster for k in BRANCH_FORMS]
    )
    _JOB.update(campaign=campaign, out_dir=out_dir)
    try:
        first = _generate_one(0)  # also warms the caches (layouts, text measures) that helpers inherit
        if progress:
            progress(1, total)
        processes = parallel.cpus() if total >= PARALLEL_MIN_FORMS else 1
        rest = parallel.share(
            lambda k: _generate_one(k + 1),
            total - 1,
            processes=processes,
            done=(lambda n: progress(n + 1, total)) if progress else None,
            name="dj-generate",
        )
    finally:
        _JOB.clear()
    return [first, *rest]


def write_init_files(out_dir: Path, force: bool = False) -> list[Path]:
    """An editable campaign.toml, roster.csv (UTF-8 with BOM, so Excel opens it) and 表格内容.xlsx (the
    built-in forms, which campaign.toml names) for the next round."""
    out_dir = Path(out_dir)
    campaign = default_campaign()
    files = {
        out_dir / "campaign.toml": campaign_toml(campaign, "roster.csv", FORMS_FILE).encode("utf-8"),
        out_dir / "roster.csv": roster_csv(campaign.roster).encode("utf-8-sig"),
        out_dir / FORMS_FILE: forms_workbook(load_catalog()),  # the templates: titles keep {学校}/{年度}
    }
    existing = [p for p in files if p.exists()]
    if existing and not force:
        names = "、".join(str(p) for p in existing)
        raise ConfigError(
            f"文件已存在：{names}。为避免覆盖已修改的内容，未写入任何文件；确需覆盖请加 --force"
        )
    return write_all_atomic(files.items())
