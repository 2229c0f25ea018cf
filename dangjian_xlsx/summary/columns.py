"""The summary's CSV exports, column by column: each table's key (the JSON keeps the keys: it is for
programs) and the header a clerk reads when Excel opens the CSV — the summary sheets' word for the column,
`{unit}` the round's unit word (党总支, 党支部)."""

from __future__ import annotations

SCORE_CSV = (
    ("seq", "序号"),
    ("branch_id", "{unit}编号"),
    ("branch", "{unit}"),
    ("status", "状态"),
    ("item_id", "编号"),
    ("section_id", "所属部分编号"),
    ("points", "分值"),
    ("score", "自评得分"),
    ("lost", "失分"),
    ("note", "扣分说明（佐证材料）"),
    ("counted", "计入统计"),  # 1: complete and valid, feeds the statistics; 0: 暂计, to be corrected
)
TASK_CSV = (
    ("seq", "序号"),
    ("branch_id", "{unit}编号"),
    ("branch", "{unit}"),
    ("task_id", "编号"),
    ("group_id", "类别编号"),
    ("status", "完成状态"),
    ("done", "完成情况（做法及佐证材料）"),
    ("issues", "存在问题及整改措施"),
    ("counted", "计入统计"),
)
PROBLEM_CSV = (
    ("file", "文件"),
    ("branch_id", "{unit}编号"),
    ("branch", "{unit}"),
    ("sheet", "工作表"),
    ("cell", "单元格"),
    ("field", "字段"),
    ("severity", "级别"),
    ("code", "问题代码"),  # the stable key; 问题类别 is its Chinese name (CSV only)
    ("kind", "问题类别"),
    ("message", "问题说明"),
    ("value", "填写的内容"),
)
FILE_CSV = (
    ("path", "文件"),
    ("kind", "类型"),
    ("branch_id", "{unit}编号"),
    ("branch", "{unit}"),
    ("outcome", "处理结果"),
    ("reason", "原因"),
    ("errors", "错误数"),
    ("warnings", "警告数"),
    ("size", "大小（字节）"),
    ("saved_at", "保存时间"),
    ("sha256", "校验码"),  # SHA-256, hexadecimal
    ("claimant", "身份存疑：另一方"),
)
SCORE_COLUMNS = [k for k, _ in SCORE_CSV]
TASK_COLUMNS = [k for k, _ in TASK_CSV]
PROBLEM_COLUMNS = [k for k, _ in PROBLEM_CSV if k != "kind"]  # the JSON's problems
FILE_COLUMNS = [k for k, _ in FILE_CSV]
