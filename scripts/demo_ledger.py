"""For `make demo`: play the clerk who keeps the 问题台账 in the summary workbook between two collects.

Types 整改措施 / 责任人 / 整改时限 / 整改状态 into the ledger's first rows of three 党总支 and saves the workbook
in place (as the clerk does in Excel or WPS), so that the demo's second collect shows the typed entries carried
over into the new summary (and the previous summary kept as 汇总表.上次.xlsx).

Usage: python scripts/demo_ledger.py demo_out/汇总表.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl

LEDGER = "问题台账"
TYPED = (
    ("整改措施", "已召开专题会议部署整改，11月底前补齐佐证材料"),
    ("责任人", "党总支书记"),
    ("整改时限", "2018-11-30"),
    ("整改状态", "整改中"),
)


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "demo_out/汇总表.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[LEDGER]
    head_row = next(r for r in ws.iter_rows(min_row=1, max_row=10) if any(c.value == "整改措施" for c in r))
    cols = {c.value: c.column for c in head_row}
    branch_col = cols["党总支"]
    seen: set[str] = set()
    for row in range(head_row[0].row + 1, ws.max_row + 1):
        branch = ws.cell(row=row, column=branch_col).value
        if not branch or branch in seen:
            continue
        seen.add(branch)
        for name, value in TYPED:
            ws.cell(row=row, column=cols[name]).value = value
        if len(seen) == 3:
            break
    wb.save(path)
    print(f"已在 {path} 的问题台账中为 {len(seen)} 个党总支填写整改措施（模拟组织部登记台账）")


if __name__ == "__main__":
    main()
