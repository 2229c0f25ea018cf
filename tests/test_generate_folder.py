"""`generate` into a folder: forms of an earlier run are never left mixed in silently (refused, or set aside
with --force); `--eml` writes one unsent e-mail per branch with an address and lists those without."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from click.testing import CliRunner

from dangjian_xlsx.cli import cli


def roster_file(tmp_path: Path, rows: list[tuple[int, str, str, str]]) -> Path:
    path = tmp_path / "roster.csv"
    lines = ["序号,党总支名称,联系人,邮箱", *(f"{s},{n},{c},{e}" for s, n, c, e in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def gen(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["generate", *args])
    return result.exit_code, result.output


def test_an_earlier_rounds_forms_are_refused_then_set_aside_with_force(tmp_path: Path) -> None:
    out = tmp_path / "表格"
    first = roster_file(
        tmp_path, [(1, "文学院党总支", "王丽娟", "a@x.edu.cn"), (2, "法学院党总支", "李明", "")]
    )
    code, _ = gen("--roster", str(first), "--out", str(out))
    assert code == 0 and len(list(out.glob("*.xlsx"))) == 4
    again, said = gen("--roster", str(first), "--out", str(out))  # the same forms again: replaced, not mixed
    assert again == 0, said
    second = roster_file(tmp_path, [(1, "文学院党总支", "王丽娟", "a@x.edu.cn")])
    code, said = gen("--roster", str(second), "--out", str(out))
    assert code == 2 and "02_法学院党总支_附件1_评分表.xlsx" in said and "--force" in said
    assert len(list(out.glob("*.xlsx"))) == 4  # nothing written, nothing moved
    code, said = gen("--roster", str(second), "--out", str(out), "--force")
    assert code == 0, said
    assert sorted(p.name for p in out.glob("*.xlsx")) == [
        "01_文学院党总支_附件1_评分表.xlsx",
        "01_文学院党总支_附件2_重点任务清单.xlsx",
    ]
    (aside,) = out.glob("以前生成的表格_*")
    assert sorted(p.name for p in aside.glob("*.xlsx")) == [
        "02_法学院党总支_附件1_评分表.xlsx",
        "02_法学院党总支_附件2_重点任务清单.xlsx",
    ]
    assert "已移到" in said and aside.name in said


def test_eml_drafts_for_addressed_branches_and_the_others_listed(tmp_path: Path) -> None:
    roster = roster_file(
        tmp_path, [(1, "文学院党总支", "王丽娟", "a@x.edu.cn"), (2, "法学院党总支", "李明", "")]
    )
    out = tmp_path / "表格"
    code, said = gen("--roster", str(roster), "--out", str(out), "--eml")
    assert code == 0, said
    (draft,) = (out / "邮件").glob("*.eml")
    msg = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert msg["To"].addresses[0].addr_spec == "a@x.edu.cn" and msg["X-Unsent"] == "1"
    names = sorted(a.get_filename() for a in msg.iter_attachments())
    assert names == ["01_文学院党总支_附件1_评分表.xlsx", "01_文学院党总支_附件2_重点任务清单.xlsx"]
    assert "邮件草稿 1 封" in said and "法学院党总支" in said.split("未写邮件草稿")[1]
    blank, said = gen("--out", str(tmp_path / "空白"), "--eml")
    assert blank == 2 and "--roster" in said


def test_a_renamed_branch_is_told_to_get_its_new_forms(tmp_path: Path) -> None:
    """The roster renames 序号 02 after the forms went out: the old form would come back under a name no
    longer on the roster, so generate says so when it sets the old forms aside."""
    out = tmp_path / "表格"
    before = roster_file(tmp_path, [(1, "文学院党总支", "", ""), (2, "外国语学院党总支", "", "")])
    assert gen("--roster", str(before), "--out", str(out))[0] == 0
    after = roster_file(tmp_path, [(1, "文学院党总支", "", ""), (2, "外国语言文化学院党总支", "", "")])
    code, said = gen("--roster", str(after), "--out", str(out), "--force")
    assert code == 0, said
    assert "序号 02 的名称由“外国语学院党总支”改为“外国语言文化学院党总支”" in said
    assert "文学院党总支”改为" not in said
