"""问题台账 across re-runs: what 组织部 typed into the previous summary's ledger (整改措施, 责任人, 整改时限,
整改状态) carried into the new one, so that re-running collect never loses it.

A typed row of the previous ledger is matched to a deduction of the new one by its key:

1. (党总支, 编号, 扣分说明) — the same branch, item and problem text (whitespace-insensitive);
2. else (党总支, 编号) when, after step 1, exactly one typed row and one new deduction share it: the branch
   rewrote its 扣分说明 for the same item; the row is marked so that someone checks the typed measures still fit.

A typed row that matches no deduction is kept, as it was, with its 台账状态 saying why: the branch's counted
附件1 now gives the item full marks (已销号: the problem no longer exists), or this run cannot tell (the branch has
no counted 附件1 now, or the item's score is blank or invalid), or the row was added by hand. Nothing typed is
ever dropped; rows nobody typed into are simply rebuilt. A column someone added to the sheet (备注 …) is
carried like the four, by its header, after them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..models import Catalog
from .current import PROVISIONAL
from .frames import frame, is_missing, rows
from .scoreitems import ScoreItems
from .scores import LEDGER_COLUMNS

LEDGER_TYPED_COLUMNS = ("fix", "owner", "deadline", "fix_status")  # what 组织部 types
LEDGER_SHOWN_COLUMNS = (
    "seq",
    "section",
    "item",
    "points",
    "score",
    "lost",
)  # a kept row's other cells, as they were
# 台账状态 of a row typed into
STATE_GONE = "已销号（问题已不存在）"
STATE_UNCHECKED = "保留（本次无法核对：没有该项的有效自评得分）"
STATE_MANUAL = "保留（手工添加的行）"
STATE_EXTRA = "保留（同一扣分项的另一条记录）"
STATE_NOTE_CHANGED = "扣分说明已更改，请核对整改记录"
LEDGER_STATES = (STATE_GONE, STATE_UNCHECKED, STATE_MANUAL, STATE_EXTRA, STATE_NOTE_CHANGED)
_NOTE_KEY_CHARS = 1000  # a note longer than a cell holds is cut in the workbook: compare its head only


@dataclass(frozen=True)
class LedgerEntry:
    """A row of the previous 问题台账 with at least one typed cell."""

    branch: str
    item_id: str
    note: str
    # LEDGER_TYPED_COLUMNS key → the value as typed; a column someone added to the sheet by its header
    typed: dict[str, Any]
    shown: dict[str, Any] = field(default_factory=dict)  # LEDGER_SHOWN_COLUMNS key → the value the row showed
    row: int = 0  # 1-based row in the previous sheet


@dataclass(frozen=True)
class Carried:
    """The new ledger with the typed entries carried over, and what became of them."""

    ledger: pd.DataFrame
    carried: int = 0  # typed entries in the new ledger: all of them
    states: dict[str, int] = field(default_factory=dict)  # 台账状态 → how many of them are in it
    added_columns: list[str] = field(default_factory=list)  # columns someone added to the sheet, carried too

    @property
    def gone(self) -> int:
        """Typed entries whose deduction no longer exists (已销号)."""
        return self.states.get(STATE_GONE, 0)

    @property
    def unchecked(self) -> int:
        """Typed entries this run cannot check (no valid score of the item now)."""
        return self.states.get(STATE_UNCHECKED, 0)


def note_key(note: Any) -> str:
    """扣分说明 as compared: whitespace runs as one space, trimmed, its head only."""
    text = "" if note is None or is_missing(note) else str(note)
    return re.sub(r"\s+", " ", text).strip()[:_NOTE_KEY_CHARS]


def carry_over(
    ledger: pd.DataFrame, entries: list[LedgerEntry], score_items: ScoreItems, catalog: Catalog
) -> Carried:
    """`ledger` (one row per deduction, LEDGER_COLUMNS) with `entries` carried in; `score_items` (branch ×
    item, with `lost`, for the branches whose 附件1 was scored) tells a deduction that is gone from one this
    run cannot check."""
    if not entries:
        return Carried(ledger)
    added = list(dict.fromkeys(k for e in entries for k in e.typed if k not in LEDGER_COLUMNS))
    columns = [*LEDGER_COLUMNS, *added]
    records = [dict(zip(LEDGER_COLUMNS, r, strict=True)) for r in rows(ledger, LEDGER_COLUMNS)]
    for r in records:
        r.update(dict.fromkeys(added, ""))
    matched = _match(records, entries)
    lost_of = {(b, i): lost for b, i, lost in rows(score_items, ["branch", "item_id", "lost"])}
    seq_of = {r["branch"]: (r["seq"], r["branch_id"]) for r in records}
    seq_of.update({b: (s, bid) for s, bid, b in rows(score_items, ["seq", "branch_id", "branch"])})
    states: Counter[str] = Counter()
    for index, (entry, by_note) in matched.items():
        records[index].update(entry.typed)
        if not by_note:
            records[index]["ledger_state"] = STATE_NOTE_CHANGED
            states[STATE_NOTE_CHANGED] += 1
    used = {id(entry) for entry, _ in matched.values()}
    for entry in entries:
        if id(entry) in used:
            continue
        state = _state(entry, lost_of)
        states[state] += 1
        records.append(_kept_row(entry, state, seq_of, columns))
    if len(records) > len(ledger):  # kept rows: each beside its branch and item
        order = {item.id: k for k, item in enumerate(catalog.items)}
        records.sort(key=lambda r: _sort_key(r, order))
    return Carried(frame(records, columns), len(entries), dict(states), added)


def _match(records: list[dict[str, Any]], entries: list[LedgerEntry]) -> dict[int, tuple[LedgerEntry, bool]]:
    """New ledger row index → (the typed entry carried into it, matched with its 扣分说明)."""
    by_key: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for k, r in enumerate(records):
        by_key[(r["branch"], r["item_id"], note_key(r["note"]))].append(k)
    matched: dict[int, tuple[LedgerEntry, bool]] = {}
    left: list[LedgerEntry] = []
    for entry in entries:
        free = [
            k for k in by_key.get((entry.branch, entry.item_id, note_key(entry.note)), []) if k not in matched
        ]
        if free:
            matched[free[0]] = (entry, True)
        else:
            left.append(entry)
    rows_of: dict[tuple[str, str], list[int]] = defaultdict(list)
    for k, r in enumerate(records):
        if k not in matched:
            rows_of[(r["branch"], r["item_id"])].append(k)
    entries_of: dict[tuple[str, str], list[LedgerEntry]] = defaultdict(list)
    for entry in left:
        entries_of[(entry.branch, entry.item_id)].append(entry)
    for key, group in entries_of.items():
        if len(group) == 1 and len(rows_of.get(key, [])) == 1 and key[0] and key[1]:
            matched[rows_of[key][0]] = (group[0], False)
    return matched


def _state(entry: LedgerEntry, lost_of: dict[tuple[str, str], Any]) -> str:
    """Why a typed entry matches no deduction now."""
    if not entry.branch or not entry.item_id:
        return STATE_MANUAL
    lost = lost_of.get((entry.branch, entry.item_id))
    if lost is None or is_missing(lost):
        return STATE_UNCHECKED  # no scored 附件1 of the branch, or the item's score is blank or invalid
    return STATE_GONE if float(lost) <= 0 else STATE_EXTRA  # a second typed row for a live deduction


def _kept_row(
    entry: LedgerEntry, state: str, seq_of: dict[str, tuple[Any, Any]], columns: list[str]
) -> dict[str, Any]:
    seq, branch_id = seq_of.get(entry.branch, (entry.shown.get("seq"), ""))
    row: dict[str, Any] = dict.fromkeys(columns, "")
    row.update({c: entry.shown.get(c) for c in LEDGER_SHOWN_COLUMNS})
    row.update(seq=seq, branch_id=branch_id, branch=entry.branch, item_id=entry.item_id, note=entry.note)
    row.update(entry.typed)
    row["ledger_state"] = state
    return row


def _sort_key(r: dict[str, Any], order: dict[str, int]) -> tuple[float, int, int]:
    """Roster order, then item order; a kept row after the live row of the same item; unknown ones last."""
    seq = r["seq"]
    try:
        s = float(seq) if not is_missing(seq) and seq != "" else float("inf")
    except (TypeError, ValueError):
        s = float("inf")
    state = r["ledger_state"]
    live = state in ("", STATE_NOTE_CHANGED) or str(state).startswith(PROVISIONAL)  # 暂计（附件1待更正…）
    return s, order.get(r["item_id"], len(order)), int(not live)
