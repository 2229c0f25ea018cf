"""The catalog (forms as data) and the campaign: checks on load, digest, errata, TOML override."""

from __future__ import annotations

import copy
import datetime as dt
import fnmatch
import json
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from notice_source import corrected, errata_by_id, parse_form1, parse_form2

import dangjian_xlsx.catalog
from dangjian_xlsx.catalog import (
    catalog_digest,
    default_campaign,
    default_roster,
    load_campaign,
    load_catalog,
    parse_catalog,
)
from dangjian_xlsx.errors import ConfigError
from dangjian_xlsx.models import Catalog

ROOT = Path(__file__).resolve().parents[2]
SPEC_ERRATA = {
    ("准备无误", "准确无误"),
    ("党收缴记录簿", "党费收缴记录簿"),
    ("失职党员", "失联党员"),
    ("宫僚主义", "官僚主义"),
    ("硏究", "研究"),
}
SECTION_MAXIMA = (12, 10, 6, 8, 12, 8, 14, 8, 8, 4, 6, 4)
GROUP_SIZES = (4, 4, 4, 5, 3)


def raw_catalog() -> dict[str, Any]:
    text = resources.files("dangjian_xlsx").joinpath("catalog/forms.json").read_text("utf-8")
    return json.loads(text)


# ---------------------------------------------------------------- shape


def test_catalog_shape(catalog: Catalog) -> None:
    assert len(catalog.sections) == 12
    assert tuple(s.max_points for s in catalog.sections) == SECTION_MAXIMA
    for s in catalog.sections:
        assert sum(i.points for i in s.items) == s.max_points
    assert catalog.total_points == 100
    assert sum(i.points for i in catalog.items) == 100
    assert len(catalog.items) == 44
    assert len(catalog.tasks) == 20
    assert tuple(len(g.tasks) for g in catalog.form2.groups) == GROUP_SIZES
    ids = [i.id for i in catalog.items] + [t.id for t in catalog.tasks]
    assert len(set(ids)) == len(ids)
    assert [t.id for t in catalog.tasks] == [f"T{n:02d}" for n in range(1, 21)]
    for s in catalog.sections:
        assert [i.id for i in s.items] == [f"{s.id}.{n}" for n in range(1, len(s.items) + 1)]
    assert catalog.items[0].id == "S01.1" and catalog.items[-1].id == "S12.2"


def test_builtin_catalog_loads_through_the_checks() -> None:
    cat = parse_catalog(raw_catalog())
    assert cat == load_catalog()


def test_package_data_is_read_from_the_catalog_folder_and_shipped() -> None:
    """The catalog stage reads forms.json and roster.csv beside its modules; the wheel's package-data
    globs (pyproject) include exactly those files."""
    folder = resources.files(dangjian_xlsx.catalog)
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    for name in ("forms.json", "roster.csv"):
        assert folder.joinpath(name).is_file()
        assert any(fnmatch.fnmatch(f"catalog/{name}", g) for g in globs["dangjian_xlsx"]), name
    assert load_catalog().version and default_roster()


def test_catalog_face() -> None:
    """Other stages import the catalog stage through its face only: public names, all present."""
    names = dangjian_xlsx.catalog.__all__
    assert not [n for n in names if n.startswith("_") or not hasattr(dangjian_xlsx.catalog, n)]
    used = {
        "load_campaign",
        "default_campaign",
        "catalog_digest",
        "load_catalog",
        "parse_catalog",
        "roster_csv",
    }
    assert used <= set(names)


def _break_points(d: dict[str, Any]) -> None:
    d["form1"]["sections"][0]["items"][0]["points"] = 3


def _break_total(d: dict[str, Any]) -> None:
    s = d["form1"]["sections"][0]
    s["items"][0]["points"] = 3
    s["max_points"] = 13


def _duplicate_id(d: dict[str, Any]) -> None:
    d["form2"]["groups"][0]["tasks"][1]["id"] = "T01"


def _drop_item(d: dict[str, Any]) -> None:
    s = d["form1"]["sections"][0]
    dropped = s["items"].pop()
    s["max_points"] -= dropped["points"]
    d["form1"]["sections"][1]["items"][0]["points"] += dropped["points"]
    d["form1"]["sections"][1]["max_points"] += dropped["points"]


def _drop_task(d: dict[str, Any]) -> None:
    d["form2"]["groups"][4]["tasks"].pop()


def _bad_schema(d: dict[str, Any]) -> None:
    d["form1"]["sections"][0]["items"][0]["points"] = "two"


def _two_decimals(d: dict[str, Any]) -> None:
    d["form1"]["sections"][0]["items"][0]["points"] = 1.25


def _one_status(d: dict[str, Any]) -> None:
    d["statuses"] = ["已完成"]


def _bad_erratum(d: dict[str, Any]) -> None:
    d["errata"][0]["corrected"] = "不存在的文字"


@pytest.mark.parametrize(
    ("corrupt", "needle"),
    [
        (_break_points, "S01 各项分值之和为 13，应为 12"),
        (_duplicate_id, "编号重复：T01"),
        (_bad_schema, "目录数据格式有误"),
        (_two_decimals, "目录数据格式有误"),
        (_one_status, "目录数据格式有误"),
        (_bad_erratum, "勘误"),
    ],
)
def test_corrupted_catalog_is_rejected(corrupt: Any, needle: str) -> None:
    data = copy.deepcopy(raw_catalog())
    corrupt(data)
    with pytest.raises(ConfigError) as exc:
        parse_catalog(data)
    assert needle in str(exc.value)


@pytest.mark.parametrize("change", [_break_total, _drop_item, _drop_task])
def test_any_size_and_total_is_allowed(change: Any) -> None:
    """Other forms than 2018's: another total, another number of items or tasks."""
    data = copy.deepcopy(raw_catalog())
    change(data)
    assert parse_catalog(data).total_points in (100, 101)


def test_points_keep_one_decimal_and_whole_points_stay_int() -> None:
    data = copy.deepcopy(raw_catalog())
    s = data["form1"]["sections"][0]
    s["items"][0]["points"], s["items"][1]["points"], s["max_points"] = 1.5, 2.5, 12.0
    cat = parse_catalog(data)
    assert [i.points for i in cat.sections[0].items[:2]] == [1.5, 2.5]
    assert type(cat.sections[0].max_points) is int and cat.sections[0].label.endswith("（12分）")
    assert type(load_catalog().items[0].points) is int and load_catalog().total_points == 100


def test_title_is_a_template_filled_from_the_campaign(catalog: Catalog) -> None:
    assert catalog.form1.title == "{学校}全面从严治党主体责任落实情况专项督查评分表"
    assert (
        catalog.form1.title_for("黄河师范大学", 2019)
        == "黄河师范大学全面从严治党主体责任落实情况专项督查评分表"
    )
    assert catalog.form2.title_for("黄河师范大学", 2019) == catalog.form2.title
    assert (catalog.statuses, catalog.unit) == (("已完成", "持续推进", "未完成", "不适用"), "党总支")


def test_corrupted_catalog_file_in_campaign(tmp_path: Path) -> None:
    data = raw_catalog()
    _break_points(data)
    (tmp_path / "forms.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    (tmp_path / "c.toml").write_text('[campaign]\ncatalog = "forms.json"\n', "utf-8")
    with pytest.raises(ConfigError, match="应为 12"):
        load_campaign(tmp_path / "c.toml")


# ---------------------------------------------------------------- digest


def test_digest_of_the_builtin_forms() -> None:
    """Pinned: changing it means blank_forms/ and sample_submissions/ must be regenerated."""
    assert catalog_digest(load_catalog()) == "b94aadb92c61fe50"


def test_digest_covers_statuses_and_unit_when_not_the_builtin_ones(catalog: Catalog) -> None:
    d = catalog_digest(catalog)
    assert catalog_digest(catalog.model_copy(update={"unit": "党支部"})) != d
    assert catalog_digest(catalog.model_copy(update={"statuses": ("已完成", "未完成")})) != d


def test_digest_is_stable(catalog: Catalog) -> None:
    d = catalog_digest(catalog)
    assert re.fullmatch(r"[0-9a-f]{16}", d)
    assert catalog_digest(parse_catalog(raw_catalog())) == d
    # the errata document the text; they are not part of the form version
    data = raw_catalog()
    data["errata"] = data["errata"][:2]
    assert catalog_digest(parse_catalog(data)) == d


def test_digest_changes_when_a_point_moves(catalog: Catalog) -> None:
    data = raw_catalog()
    items = data["form1"]["sections"][0]["items"]
    items[0]["points"] += 1  # still consistent: S01 keeps 12 points
    items[-1]["points"] -= 1
    changed = parse_catalog(data)
    assert changed.total_points == 100
    assert catalog_digest(changed) != catalog_digest(catalog)


def test_digest_changes_when_text_changes(catalog: Catalog) -> None:
    data = raw_catalog()
    data["form2"]["groups"][0]["tasks"][0]["text"] += "。"
    assert catalog_digest(parse_catalog(data)) != catalog_digest(catalog)


# ---------------------------------------------------------------- text vs the notice


def test_errata_are_exactly_the_spec_list(catalog: Catalog) -> None:
    pairs = [(e.original, e.corrected) for e in catalog.errata]
    assert len(pairs) == 6
    assert set(pairs) - {("严格按照", "1.严格按照")} == SPEC_ERRATA
    supplied = [e for e in catalog.errata if e.corrected == "1." + e.original]
    assert [e.id for e in supplied] == ["S12.1"]
    assert catalog.item_by_id["S12.1"].text.startswith("1.严格按照")


def test_item_text_equals_notice_after_errata(catalog: Catalog) -> None:
    notice = parse_form1()
    fixes = errata_by_id(catalog)
    assert len(notice) == len(catalog.items) == 44
    for item, src in zip(catalog.items, notice, strict=True):
        assert item.text == corrected(src.text, fixes.get(item.id, [])), item.id
        assert item.points == src.points, item.id
        section = catalog.section_of[item.id]
        assert (section.numeral, section.name, section.max_points) == (
            src.section_numeral,
            src.section_name,
            src.section_max,
        )


def test_task_text_equals_notice_after_errata(catalog: Catalog) -> None:
    notice = parse_form2()
    fixes = errata_by_id(catalog)
    assert len(notice) == len(catalog.tasks) == 20
    for task, src in zip(catalog.tasks, notice, strict=True):
        assert task.text == corrected(src.text, fixes.get(task.id, [])), task.id
        assert catalog.group_of[task.id].title == src.group


def test_no_typo_survives(catalog: Catalog) -> None:
    text = "".join(i.text for i in catalog.items) + "".join(t.text for t in catalog.tasks)
    for original, fixed in SPEC_ERRATA:
        assert original not in text.replace(fixed, "")
    assert all(re.match(r"^\d+[.．]", i.text) for i in catalog.items)
    assert all(re.match(r"^\d+．", t.text) for t in catalog.tasks)


# ---------------------------------------------------------------- campaign


def test_default_campaign_is_the_notice() -> None:
    c = default_campaign()
    assert (c.self_check_start, c.self_check_end, c.due) == (
        dt.date(2018, 9, 26),
        dt.date(2018, 9, 30),
        dt.date(2018, 9, 30),
    )
    assert c.school == "郑州师范学院"
    assert len(c.roster) >= 2 and c.password


def test_toml_overrides_the_campaign(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("序号,党总支名称\n7,甲党总支\n9,乙党总支\n", "utf-8-sig")
    (tmp_path / "c.toml").write_text(
        "[campaign]\n"
        "year = 2019\n"
        "self_check_start = 2019-10-08\n"
        "self_check_end = 2019-10-12\n"
        "due = 2019-10-15\n"
        'password = "next-round"\n'
        'roster = "r.csv"\n',
        "utf-8",
    )
    c = load_campaign(tmp_path / "c.toml")
    assert c.year == 2019
    assert c.self_check_start == dt.date(2019, 10, 8) and c.due == dt.date(2019, 10, 15)
    assert c.password == "next-round"
    assert [(b.id, b.name) for b in c.roster] == [("07", "甲党总支"), ("09", "乙党总支")]
    assert c.school == "郑州师范学院"  # not overridden: the default stays


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ('year = "二〇一九"', "年度"),
        ('self_check_start = "明天"', "自查开始日期"),
        ('password = ""', "工作表保护密码"),
        ("colour = 1", "无法识别的设置：“colour”"),
        ("year = = 2019", "格式有误"),
    ],
)
def test_bad_toml_value_is_a_chinese_config_error(tmp_path: Path, line: str, needle: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f"[campaign]\n{line}\n", "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_campaign(path)
    assert needle in str(exc.value)
    assert re.search(r"[\u4e00-\u9fff]", str(exc.value))


# ---------------------------------------------------------------- the layout is part of the version


@pytest.fixture
def moved_layout(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A layout.py edited the way a developer would: every item row one row further down."""
    from dangjian_xlsx import layout
    from dangjian_xlsx.validate import context

    def clear() -> None:
        layout.form_layout.cache_clear()
        context._CONTEXTS.clear()

    clear()
    yield lambda: (monkeypatch.setattr(layout, "FIRST_ROW", layout.FIRST_ROW + 1), clear())
    monkeypatch.undo()
    clear()


def test_digest_changes_when_a_cell_moves(catalog: Catalog, moved_layout) -> None:  # type: ignore[no-untyped-def]
    before = catalog_digest(catalog)
    moved_layout()
    assert catalog_digest(catalog) != before


def test_digest_changes_with_the_layout_version(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from dangjian_xlsx import layout

    before = catalog_digest(catalog)
    monkeypatch.setattr(layout, "LAYOUT_VERSION", layout.LAYOUT_VERSION + 1)
    assert catalog_digest(catalog) != before


def test_a_form_made_before_a_cell_moved_is_rejected_as_another_version(moved_layout) -> None:  # type: ignore[no-untyped-def]
    """A form already sent out, collected after layout.py moved its cells: 模板版本不符, not values read from
    the wrong cells nor a 'tampered' verdict."""
    from dangjian_xlsx.forms import build_form
    from dangjian_xlsx.models import FormKind
    from dangjian_xlsx.read import read_workbook
    from dangjian_xlsx.validate import validate

    campaign = default_campaign()
    sent = build_form(campaign, FormKind.SCORING, campaign.roster[0])
    moved_layout()
    result = validate(read_workbook(sent, "sent.xlsx"), campaign, "sent.xlsx")
    codes = [p.code for p in result.problems]
    assert "digest-mismatch" in codes
    assert "tampered" not in codes and "rows-shifted" not in codes
    assert result.submission is None
