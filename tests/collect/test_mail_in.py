"""Mail in (issue 18 item 5): archives and saved e-mails in the inbox. Every member of a .zip and every
attachment of an .eml is read like a file in the folder and accounted for in 文件清单 as `压缩包名 › 成员名` /
`邮件主题 › 附件名`, the container listed too; GBK member names come out right; bombs, too many members, a third
level of nesting, encrypted members and RAR archives are listed with why and what to do; an e-mail's sender
attributes a file nothing else names. Inputs are never modified."""

from __future__ import annotations

import hashlib
import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fill import clean_values, fill_form, full_scores, set_cell
from test_collect import docx

from dangjian_xlsx.cli import cli
from dangjian_xlsx.collect import check_files, run_collect
from dangjian_xlsx.forms import build_form
from dangjian_xlsx.layout import Field, form_layout
from dangjian_xlsx.models import Campaign, FileRecord, FormKind, Outcome, Report
from dangjian_xlsx.read import DEFAULT_LIMITS
from dangjian_xlsx.round.corrections import build_pack, inbox_loader, plan

S1, S2 = FormKind.SCORING, FormKind.TASKS
REPORT_TEXT = "关于全面从严治党主体责任落实情况的自查报告"


def gbk_zip(members: list[tuple[str, bytes]]) -> bytes:
    """A zip as Chinese Windows tools write it: names as raw GBK bytes, flag 0x800 (UTF-8) not set.
    zipfile would write a non-ASCII name as UTF-8 with the flag: ASCII placeholders of the same byte length
    are written, then swapped for the GBK bytes (names are not covered by the CRC)."""
    buf = io.BytesIO()
    swaps: dict[bytes, bytes] = {}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (name, body) in enumerate(members):
            raw = name.encode("gbk")
            holder = (f"#{i:02d}" * len(raw))[: len(raw)]
            swaps[holder.encode()] = raw
            z.writestr(holder, body)
    data = buf.getvalue()
    for holder, raw in swaps.items():
        assert data.count(holder) == 2  # the local header and the central directory
        data = data.replace(holder, raw)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert all(not i.flag_bits & 0x800 for i in z.infolist())
    return data


def plain_zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members:
            z.writestr(name, body)
    return buf.getvalue()


def encrypt_first(data: bytes) -> bytes:
    """The zip with its first member marked encrypted (flag bit 0x1, local header and directory)."""
    out = bytearray(data)
    central = data.index(b"PK\x01\x02")
    out[6] |= 1
    out[central + 8] |= 1
    return bytes(out)


def mail(sender: str, subject: str, attachments: list[tuple[str, bytes]]) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"联系人 <{sender}>"
    msg["To"] = "zzb@example.edu.cn"
    msg["Subject"] = subject
    msg["Date"] = "Fri, 28 Sep 2018 10:00:00 +0800"
    msg.set_content("材料见附件。")
    for name, body in attachments:
        msg.add_attachment(body, maintype="application", subtype="octet-stream", filename=name)
    return bytes(msg)


def form(camp: Campaign, kind: FormKind, seq: int, tmp: Path, **kw: object) -> bytes:
    branch = camp.roster[seq]
    dest = tmp / f"{kind.name}_{seq}.xlsx"
    return fill_form(build_form(camp, kind, branch), dest, kw.pop("values", None) or clean_values(camp.catalog, kind),
                     catalog=camp.catalog, **kw).read_bytes()  # type: ignore[arg-type]  # fmt: skip


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def camp(campaign: Campaign) -> Campaign:
    assert all(b.email for b in campaign.roster[:4])  # the default roster has a 邮箱 for each branch
    return campaign


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, camp: Campaign) -> Path:
    tmp = tmp_path_factory.mktemp("forms")
    root = tmp_path_factory.mktemp("inbox")
    b0, b1, b2 = camp.roster[:3]
    # 0: one GBK-named zip holding 附件1, 附件2 and the 自查报告 (a folder inside it)
    (root / f"{b0.name}材料.zip").write_bytes(
        gbk_zip([
            ("材料/附件1_评分表.xlsx", form(camp, S1, 0, tmp)),
            ("材料/附件2_重点任务清单.xlsx", form(camp, S2, 0, tmp)),
            (f"材料/{b0.name}自查报告.docx", docx(REPORT_TEXT)),
        ])
    )  # fmt: skip
    # 1: an edited locked cell (rejected, its cells in place) in a zip nested in a zip, a third level refused
    lay = form_layout(camp.catalog, S1)
    points = next(c for c in lay.fixed if c.what == "S01.5 分值")
    values = full_scores(camp.catalog)
    values[(Field.SCORE, "S02.1")] = 1
    values[(Field.NOTE, "S02.1")] = "部分材料缺失"
    edited = form(camp, S1, 1, tmp, values=values, edit=set_cell(lay.sheet, points.a1, 6))
    deepest = plain_zip([("x.txt", b"deep")])
    inner = plain_zip([("附件1.xlsx", edited), ("更深.zip", plain_zip([("第三层.zip", deepest)]))])
    (root / "外院打包.zip").write_bytes(plain_zip([("内层.zip", inner)]))
    # 2: an e-mail from the branch's own address: its 附件1, a 自查报告 and a damaged file whose names say nothing
    sender = b2.email
    attachments = [
        ("附件1.xlsx", form(camp, S1, 2, tmp)),
        ("自查报告.docx", docx(REPORT_TEXT)),
        ("材料.xlsx", b"x" * 50),
    ]
    (root / "来信.eml").write_bytes(mail(sender, "报送自查材料", attachments))
    # 3: forwarded by branch 2's clerk (another branch's address): not a doubt by itself
    (root / "转发.eml").write_bytes(mail(sender, "转发：材料", [("附件2.xlsx", form(camp, S2, 3, tmp))]))
    # hostile and unreadable
    bomb = b"\x00" * (2 * DEFAULT_LIMITS.ratio_floor)
    (root / "炸弹.zip").write_bytes(plain_zip([("附件1.xlsx", bomb), ("说明.txt", "请查收".encode())]))
    many = [(f"f{i}.txt", b"") for i in range(DEFAULT_LIMITS.max_members + 1)]
    (root / "太多.zip").write_bytes(plain_zip(many))
    (root / "加密.zip").write_bytes(
        encrypt_first(plain_zip([("附件1.xlsx", b"secret"), ("说明.txt", b"ok")]))
    )
    (root / f"{b1.name}材料.rar").write_bytes(b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64)
    return root


@pytest.fixture(scope="module")
def report(inbox: Path, camp: Campaign) -> Report:
    before = snapshot(inbox)
    rep = run_collect(inbox, camp, jobs=1)
    assert snapshot(inbox) == before  # nothing written or extracted into the inbox
    return rep


def rec(report: Report, path: str) -> FileRecord:
    (found,) = [f for f in report.files if f.path == path]
    return found


@pytest.fixture(scope="module")
def summary(inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    out = tmp_path_factory.mktemp("out") / "汇总表.xlsx"
    result = CliRunner().invoke(cli, ["collect", str(inbox), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    wb = openpyxl.load_workbook(out, read_only=True)
    sheets = {name: list(wb[name].iter_rows(values_only=True)) for name in ("文件清单", "得分汇总")}
    wb.close()
    return sheets


def files_rows(summary: dict[str, list[tuple]]) -> dict[str, dict[str, object]]:
    rows = summary["文件清单"]
    h = next(i for i, r in enumerate(rows) if r and r[0] == "文件")
    return {str(r[0]): dict(zip(rows[h], r, strict=False)) for r in rows[h + 1 :] if r[0] is not None}


def test_gbk_zip_members_read_like_files(summary: dict[str, list[tuple]], camp: Campaign) -> None:
    b0 = camp.roster[0]
    rows = files_rows(summary)
    zip_name = f"{b0.name}材料.zip"
    assert rows[zip_name]["处理结果"] == Outcome.IGNORED.value
    assert "已展开：含 3 个文件" in str(rows[zip_name]["原因"])
    one = rows[f"{zip_name} › 材料/附件1_评分表.xlsx"]
    assert (one["处理结果"], one["党总支"]) == (Outcome.ACCEPTED.value, b0.name)
    two = rows[f"{zip_name} › 材料/附件2_重点任务清单.xlsx"]
    assert (two["处理结果"], two["党总支"]) == (Outcome.ACCEPTED.value, b0.name)
    rep = rows[f"{zip_name} › 材料/{b0.name}自查报告.docx"]
    assert (rep["处理结果"], rep["党总支"]) == (Outcome.REPORT.value, b0.name)
    # the zip's 附件1 counts for its branch: its total read back from 得分汇总
    score_rows = summary["得分汇总"]
    h = next(i for i, r in enumerate(score_rows) if r and "党总支" in r and "自评总分" in r)
    head = score_rows[h]
    mine = next(dict(zip(head, r, strict=False)) for r in score_rows[h + 1 :] if r and b0.name in r)
    assert mine["自评总分"] == sum(i.points for i in camp.catalog.items)


def test_every_entry_accounted_for(summary: dict[str, list[tuple]], report: Report) -> None:
    rows = files_rows(summary)
    assert sorted(rows) == sorted(f.path for f in report.files)
    for name in ("来信.eml", "转发.eml", "外院打包.zip"):
        assert "已展开" in str(rows[name]["原因"]), name


def test_nested_zip_opened_third_level_refused(report: Report, camp: Campaign) -> None:
    inner = rec(report, "外院打包.zip › 内层.zip")
    assert inner.outcome is Outcome.IGNORED and "含 2 个文件" in inner.reason
    form1 = rec(report, "外院打包.zip › 内层.zip › 附件1.xlsx")
    assert form1.outcome is Outcome.REJECTED and form1.branch == camp.roster[1]
    deeper = rec(report, "外院打包.zip › 内层.zip › 更深.zip")
    assert deeper.outcome is Outcome.REJECTED
    assert "2 层以上" in deeper.reason and "解压" in deeper.problems[0].message
    assert not any("第三层" in f.path for f in report.files)  # never opened


def test_bomb_member_refused_others_read(report: Report) -> None:
    bomb = rec(report, "炸弹.zip › 附件1.xlsx")
    assert bomb.outcome is Outcome.REJECTED and [p.code for p in bomb.problems] == ["zip-bomb"]
    assert "压缩比" in bomb.problems[0].message
    assert rec(report, "炸弹.zip › 说明.txt").outcome is Outcome.NOT_A_FORM


def test_too_many_members_refuses_the_archive(report: Report) -> None:
    many = rec(report, "太多.zip")
    assert many.outcome is Outcome.REJECTED and [p.code for p in many.problems] == ["zip-bomb"]
    assert str(DEFAULT_LIMITS.max_members) in many.problems[0].message
    assert not any(f.path.startswith("太多.zip › ") for f in report.files)


def test_encrypted_member_listed_with_what_to_do(report: Report) -> None:
    locked = rec(report, "加密.zip › 附件1.xlsx")
    assert locked.outcome is Outcome.REJECTED and "密码" in locked.reason
    assert "不加密码" in locked.problems[0].message
    assert rec(report, "加密.zip › 说明.txt").outcome is Outcome.NOT_A_FORM


def test_rar_listed_with_what_to_do(report: Report, camp: Campaign) -> None:
    rar = rec(report, f"{camp.roster[1].name}材料.rar")
    assert rar.outcome is Outcome.REJECTED and rar.reason == "无法读取：需要 RAR 解压工具"
    assert "解压后" in rar.problems[0].message and ".zip" in rar.problems[0].message
    assert rar.branch == camp.roster[1]  # its name says whose: the branch's notice asks for it


def test_mail_attachments_and_sender_evidence(report: Report, camp: Campaign) -> None:
    b2, b3 = camp.roster[2], camp.roster[3]
    box = rec(report, "来信.eml")
    assert box.outcome is Outcome.IGNORED and "报送自查材料" in box.reason and "含 3 个文件" in box.reason
    form1 = rec(report, "报送自查材料 › 附件1.xlsx")
    assert form1.outcome is Outcome.ACCEPTED and form1.branch == b2
    named = rec(report, "报送自查材料 › 自查报告.docx")  # its name and text name no branch: the sender does
    assert named.outcome is Outcome.REPORT and named.branch == b2 and named.attribution == "发件人邮箱"
    broken = rec(report, "报送自查材料 › 材料.xlsx")
    assert broken.outcome is Outcome.REJECTED and broken.branch == b2 and broken.attribution == "发件人邮箱"
    forwarded = rec(report, "转发：材料 › 附件2.xlsx")  # sent from b2's address, b3's form: no doubt
    assert forwarded.outcome is Outcome.ACCEPTED and forwarded.branch == b3 and forwarded.claimant is None


def test_corrected_copy_prefilled_from_archive_member(report: Report, camp: Campaign) -> None:
    b1 = camp.roster[1]
    notice = next(n for n in plan(report, inbox_loader(report)) if n.branch == b1)
    part = next(p for p in notice.parts if p.kind is S1)
    assert part.recovered
    assert part.copy.prefill[(Field.SCORE, "S02.1")] == 1
    assert part.copy.prefill[(Field.NOTE, "S02.1")] == "部分材料缺失"
    assert part.copy.name in dict(build_pack(report, inbox_loader(report)))


def test_damaged_and_empty_containers_never_stop_the_batch(tmp_path: Path, camp: Campaign) -> None:
    data = plain_zip([("a.txt", bytes(range(256)) * 40)])
    (tmp_path / "截断.zip").write_bytes(data[: len(data) // 2])
    (tmp_path / "空.eml").write_bytes(b"")
    (tmp_path / "无附件.eml").write_bytes(mail(camp.roster[0].email, "只有正文", []))
    (tmp_path / "材料.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + bytes(32))
    recs = {f.path: f for f in run_collect(tmp_path, camp, jobs=1).files}
    assert set(recs) == {"无附件.eml", "材料.7z", "截断.zip", "空.eml"}
    assert [p.code for p in recs["截断.zip"].problems] == ["file-corrupt"]
    assert [p.code for p in recs["空.eml"].problems] == ["file-empty"]
    assert recs["无附件.eml"].outcome is Outcome.IGNORED and "没有文件" in recs["无附件.eml"].reason
    assert recs["材料.7z"].reason == "无法读取：需要 7z 解压工具"


def test_check_command_reads_an_archives_members(inbox: Path, camp: Campaign) -> None:
    zip_path = inbox / f"{camp.roster[0].name}材料.zip"
    records = check_files([zip_path], camp)
    assert [r.outcome for r in records] == [
        Outcome.IGNORED,
        Outcome.ACCEPTED,
        Outcome.ACCEPTED,
        Outcome.REPORT,
    ]
    assert records[1].path.endswith("材料.zip › 材料/附件1_评分表.xlsx")
