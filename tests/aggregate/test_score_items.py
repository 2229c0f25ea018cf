"""得分明细 kept as arrays and made into rows when read (`aggregate.ScoreItems`), the 失分分析 counted from those
arrays, and the tables' texts laid out together before they are written (`aggregate/compact.py`) — issue 20: what
a province's collect holds, and what the helper forked to write its exports copies.

The table each reading must give is built here the plain way, row by row with pandas, from the same scored
branches; the 失分分析 the plain way too, with pandas' grouping over that table."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dangjian_xlsx import aggregate as ag
from dangjian_xlsx.aggregate.compact import Texts
from dangjian_xlsx.aggregate.current import branch_files
from dangjian_xlsx.aggregate.scoreitems import SCORE_ITEM_COLUMNS, ScoreItems
from dangjian_xlsx.aggregate.scores import losses_table, score_branch
from dangjian_xlsx.catalog import default_campaign
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.models import Catalog, Report

SAMPLES = Path(__file__).resolve().parents[2] / "sample_submissions"


@pytest.fixture(scope="module")
def report() -> Report:
    return run_collect(SAMPLES, default_campaign(), jobs=1)


def _plain(report: Report) -> pd.DataFrame:
    """得分明细 as a DataFrame made from rows: every item of every branch whose 附件1 has values."""
    cat = report.campaign.catalog
    rows: list[list[Any]] = []
    for bf in branch_files(report):
        sc = score_branch(cat, bf)
        if sc is None:
            continue
        for (item_id, score, note), item in zip(sc.items, cat.items, strict=True):
            lost = None if score is None else round(item.points - score, 4)
            section = cat.section_of[item_id].id
            rows.append([bf.branch.seq, bf.branch.id, bf.branch.name, item_id, section, item.points, score, lost,
                         note, score is not None, sc.counted])  # fmt: skip
    return pd.DataFrame(rows, columns=SCORE_ITEM_COLUMNS)


def _same(got: list[Any], expected: list[Any]) -> bool:
    """Equal values of equal types, NaN equal to NaN."""

    def key(v: Any) -> Any:
        return ("nan",) if isinstance(v, float) and math.isnan(v) else (type(v), v)

    return [key(v) for v in got] == [key(v) for v in expected]


def test_the_sample_inbox_has_what_the_table_must_show(report: Report) -> None:
    plain = _plain(report)
    assert len(plain) > 200 and plain["counted"].any() and not plain["counted"].all()  # 暂计 forms too
    assert plain["score"].isna().any() and (plain["note"] != "").any() and (plain["lost"] > 0).any()


def test_the_whole_table_is_the_one_made_from_rows(report: Report) -> None:
    tables = ag.build_tables(report)
    assert isinstance(tables.score_items, ScoreItems) and len(tables.score_items) == len(_plain(report))
    pd.testing.assert_frame_equal(tables.score_items.frame(), _plain(report))


@pytest.mark.parametrize("size", [1, 7, 45, 1000])
def test_slices_of_rows_read_as_the_tables_columns(report: Report, size: int) -> None:
    items, plain = ag.build_tables(report).score_items, _plain(report)
    for start in range(0, len(plain) + size, size):
        got = items.columns_at(SCORE_ITEM_COLUMNS, start, start + size)
        for name, values in zip(SCORE_ITEM_COLUMNS, got, strict=True):
            assert _same(values, plain[name].iloc[start : start + size].tolist()), (name, start)


def test_rows_at_positions_and_every_row(report: Report) -> None:
    items, plain = ag.build_tables(report).score_items, _plain(report)
    at = np.array([5, 0, len(plain) - 1, 3, 4, 5])
    got = items.columns_at_positions(["branch", "score", "note", "lost"], at)
    for name, values in zip(["branch", "score", "note", "lost"], got, strict=True):
        assert _same(values, plain[name].iloc[at].tolist())
    every = list(items.rows(["branch_id", "item_id", "valid"]))
    assert every == list(plain[["branch_id", "item_id", "valid"]].itertuples(index=False, name=None))


def test_one_branchs_rows_keep_their_row_numbers(report: Report) -> None:
    items, plain = ag.build_tables(report).score_items, _plain(report)
    for branch_id in [*plain["branch_id"].unique()[:4], "no such branch"]:
        expected = plain[plain["branch_id"] == branch_id]
        got = ag.branch_rows(items, branch_id)
        if len(expected):
            pd.testing.assert_frame_equal(got, expected)
        else:
            assert got.empty and list(got.columns) == SCORE_ITEM_COLUMNS
    runs = items.runs()
    assert sorted(runs) == sorted(plain["branch_id"].unique())
    for branch_id, [(start, stop)] in runs.items():
        assert (plain["branch_id"].iloc[start:stop] == branch_id).all() and stop - start == len(
            report.campaign.catalog.items
        )


def _plain_losses(catalog: Catalog, plain: pd.DataFrame) -> dict[str, tuple[int, float, int]]:
    """Per item and per section: forms counted, points lost, forms losing — over the rows with a valid score of
    the forms that count, grouped by pandas."""
    valid = plain[plain["valid"] & plain["counted"]]
    out = {}
    for item_id, rows in valid.groupby("item_id"):
        out[str(item_id)] = (len(rows), round(float(rows["lost"].sum()), 4), int((rows["lost"] > 0).sum()))
    for section_id, rows in valid.groupby("section_id"):
        per_branch = rows.groupby("branch_id")["lost"].sum()
        out[str(section_id)] = (
            len(per_branch),
            round(float(rows["lost"].sum()), 4),
            int((per_branch > 0).sum()),
        )
    return out


def test_the_loss_analysis_counts_what_the_rows_say(report: Report) -> None:
    cat = report.campaign.catalog
    table = ag.build_tables(report).losses
    expected = _plain_losses(cat, _plain(report))
    got = {row.id: (row.n, row.lost, row.n_losing) for row in table.itertuples()}
    assert {k: v for k, v in got.items() if v[0]} == expected
    assert set(got) == {s.id for s in cat.sections} | {i.id for i in cat.items}


def test_a_table_of_blank_forms_reads_blanks_as_pandas_makes_them(catalog: Catalog) -> None:
    items = ScoreItems(catalog)
    for seq in (1, 2):
        items.add(seq, f"{seq:02d}", f"支部{seq}", [(i.id, None, "") for i in catalog.items], False)
    frame = items.frame()
    assert (
        frame["score"].dtype == object and frame["score"].isna().all() and frame["lost"].tolist()[0] is None
    )
    assert not frame["valid"].any() and losses_table(catalog, items)["n"].sum() == 0
    with pytest.raises(RuntimeError):  # read: no row can be added after
        items.add(3, "03", "支部3", [(i.id, None, "") for i in catalog.items], False)


def test_items_out_of_the_catalogs_order_are_refused(catalog: Catalog) -> None:
    items = ScoreItems(catalog)
    given = [(i.id, 1.0, "") for i in catalog.items]
    with pytest.raises(ValueError, match="order"):
        items.add(1, "01", "支部", given[::-1], True)


# ---------------------------------------------------------------- the tables' texts laid out together


def test_texts_are_copied_once_each_and_read_the_same() -> None:
    text_dtype = pd.Series(["x"]).dtype
    a = "".join(["附件1", "_评分表.xlsx"])
    column = pd.Series([a, None, a, "乙"], dtype=text_dtype, index=[3, 1, 2, 0], name="path")
    texts = Texts()
    got = texts.column(column)
    pd.testing.assert_series_equal(got, column)
    values = got.tolist()
    assert values[0] is not a and values[0] is values[2]  # one copy, not the string it was
    again = texts.column(pd.Series([a], dtype=text_dtype)).tolist()[0]
    assert again is values[0]  # the same copy for every column given
    mixed = pd.Series([1, True, "1"], dtype=object)
    assert texts.column(mixed) is mixed  # a column of objects is left alone


def test_the_tables_texts_are_not_the_records_strings(report: Report) -> None:
    tables = ag.build_tables(report)
    paths = {id(f.path) for f in report.files}
    files = tables.files["path"].tolist()
    assert sorted(files) == sorted(f.path for f in report.files)
    assert not paths & {id(p) for p in files}
    # one copy per text across the tables: a branch's id in 得分汇总 and in the files table is one object
    ids = {v: id(v) for v in tables.scores["branch_id"].tolist()}
    assert all(ids[v] == id(v) for v in tables.files["branch_id"].tolist() if v in ids)
    pd.testing.assert_frame_equal(tables.files, ag.build_tables(report).files)


def test_a_branchs_section_totals_read_as_the_dict_they_stand_for(report: Report) -> None:
    """`Scored.sections`: each section's total of the valid item scores (None without any), by section id in
    the catalog's order — held as a tuple beside an index every branch shares, not as a dict per branch."""
    cat = report.campaign.catalog
    scored = [sc for bf in branch_files(report) if (sc := score_branch(cat, bf)) is not None]
    assert len(scored) > 10 and any(sc.missing for sc in scored)
    for sc in scored:
        given = {item_id: v for item_id, v, _ in sc.items}
        expected = {}
        for sec in cat.sections:
            valid = [given[i.id] for i in sec.items if given[i.id] is not None]
            expected[sec.id] = round(math.fsum(valid), 4) if valid else None
        assert dict(sc.sections) == expected and list(sc.sections) == [s.id for s in cat.sections]
        assert sc.sections == expected and len(sc.sections) == len(cat.sections)
        assert not hasattr(sc, "__dict__") and sys.getsizeof(sc.sections) < sys.getsizeof(expected) / 4


def test_the_notes_are_in_the_tables_file_not_a_string_per_branch(report: Report) -> None:
    """得分明细's and 问题台账's 扣分说明 are slices of a few strings written to a temporary file (`spill`), read back
    as the records wrote them: the tables hold none of the texts, and the helper forked to write the exports
    touches a few objects for them where it touched one string per branch. Before the writers fork, every one of
    those strings is written (`compact`), so that a helper never writes one itself."""
    from dangjian_xlsx.answers import StoreChunk
    from dangjian_xlsx.spill import StoredText

    tables = ag.build_tables(report)
    plain = _plain(report)
    items = tables.score_items
    assert _same(items.frame()["note"].tolist(), plain["note"].tolist())
    assert any(plain["note"]) and len(plain) > 200
    branches = len(set(plain["branch_id"]))
    kept = items._arrays().notes  # what the rows' notes are made from: only the rows that have one
    notes = kept.texts
    assert len(notes) == len(kept.at) == sum(1 for n in plain["note"] if n) < len(plain) / 2
    assert kept.values(np.arange(len(plain))) == plain["note"].tolist()
    some = np.array([len(plain) - 1, 0, *kept.at[:3].tolist(), int(kept.at[0]), 7])  # any order, repeated
    assert kept.values(some) == [plain["note"].tolist()[k] for k in some.tolist()]
    sources = notes.sources
    assert all(isinstance(t, StoreChunk) for t in sources) and len(sources) < branches / 10
    assert not items._notes._pending  # every string written before the writers fork (`compact`)
    assert all(isinstance(t.resolved(), StoredText) for t in sources)
    ledger_notes = tables.ledger["note"].array
    assert set(map(id, ledger_notes.sources)) <= set(map(id, sources))  # the same strings, not copies
    lost = plain[plain["lost"].fillna(0) > 0]
    assert sorted(tables.ledger["note"].tolist()) == sorted(lost["note"].tolist())
    assert notes.nbytes < 13 * len(notes)  # offsets only: the texts are in the file


def test_the_files_texts_of_their_own_are_packed(report: Report) -> None:
    """The files table's path, saved-at and digest columns (a text per file) are one string each, not a string
    per row: the processes writing the tables at once would both touch every file's."""
    from dangjian_xlsx.aggregate.packedtext import PackedText

    files = ag.build_tables(report).files
    records = {f.path: f for f in report.files}
    assert sorted(files["path"].tolist()) == sorted(records)
    for c in ("path", "saved_at", "sha256"):
        assert isinstance(files[c].array, PackedText) and len(files[c].array.sources) == 1
    assert [records[p].sha256 for p in files["path"].tolist()] == files["sha256"].tolist()
    assert len(PackedText.pack([])) == 0 and PackedText.pack([]).tolist() == []
