"""Build `sample_submissions/`: a realistic returned inbox for the built-in sample roster.

Every workbook starts as the generator's own output (`forms.build_form`) and is then filled the way a
branch would: through openpyxl (a program other than the generator re-saving the file), sometimes
re-saved by LibreOffice as .xls/.ods, renamed, put in subfolders, sent twice. A few carry the problems
the department actually meets. 组织部's own inspection (督查评分表, built by `round.build_inspections` from
the collected inbox) is filled in for four branches, one of them self-assessed far above the inspection.
Deterministic: the same script gives the same values (the password-protected file's bytes differ, its
encryption salt being random, its content does not).

Usage: python scripts/make_samples.py [DEST]   (default: sample_submissions)
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook

from dangjian_xlsx import layout
from dangjian_xlsx.aggregate import branch_files
from dangjian_xlsx.catalog import default_campaign, load_catalog, parse_catalog
from dangjian_xlsx.collect import run_collect
from dangjian_xlsx.forms import build_form, form_filename
from dangjian_xlsx.layout import Field
from dangjian_xlsx.models import Branch, Campaign, FormKind, Submission
from dangjian_xlsx.round.corrections import copy_name
from dangjian_xlsx.round.inspection import build_inspections

Key = tuple[Field, str]
Edit = Callable[[Workbook], None]

NOTES = [
    "主体责任清单已建立，但个别班子成员清单未及时更新，佐证材料不全",
    "本学期支委会研究党建工作记录缺少3月、4月，会议纪要不完整",
    "述职述责述廉材料已收集，督促检查记录偏少",
    "年度报告已提交，但未按时间节点报送",
    "签字背书制度执行不够严格，部分请示件缺少书记签批意见",
    "书记抓基层党建台账内容不够具体，缺少问题整改跟踪",
    "上半年专题研究分管工作内党建工作的记录不全",
    "中心组学习资料归档不完整，缺少2次学习记录",
    "意识形态工作联席会议未按季度召开，二季度缺失",
    "精神文明建设专题研究次数不足4次",
    "主流媒体报道较少，宣传工作有待加强",
    "党建专干由行政人员兼任，职能发挥不充分",
    "“双推双评三全程”制度个别环节材料缺失",
    "民主生活会会前谈心谈话记录不完整",
    "党委会议事规则修订后未及时印发",
    "会议记录存在缺席人员、记录人遗漏的情况",
    "部分支部书记讲课稿未留存",
    "系统维护不够及时，存在超过两周未登录的情况",
    "部分党员信息与档案不一致，正在核对",
    "党费收缴记录簿登记不规范，个别月份补交",
    "党员档案整理不够规范，部分材料未装订",
    "失联党员管理台帐未及时更新",
]
DONE_TEXTS = [
    "已召开党总支会议专题学习传达，制定贯彻措施{n}条并分解落实，会议记录及学习材料已存档",
    "已修订党组织会议和党政联席会议议事规则，经党总支会议审议通过并印发执行",
    "结合年度考核向党委作了专题报告，班子成员在民主生活会上报告个人执行情况",
    "建立党政负责人每周沟通制度，本学期共沟通{n}次，有记录可查",
    "中心组全年安排学习{n}次，已完成，民主生活会对照检查材料齐全",
    "按干部管理权限完成班子调整，严格执行“凡提四必”，相关材料已归档",
    "开展年度考核和谈心谈话{n}人次，发现苗头性问题及时提醒",
    "落实中央八项规定精神，开展专项自查{n}次，未发现违规问题",
    "规范党政联席会议制度，重大事项均先经党组织会议研究",
    "院（部）班子配备齐全，配备专职副书记1名",
    "制定教师引进、教材选用政治把关办法，落实“一会一报”",
    "班子成员联系师生党支部全覆盖，每月到联系支部指导不少于1次",
    "制定师生党支部建设标准，{n}个支部按期换届，后进支部整顿转化1个",
    "教师党支部书记“双带头人”比例达到{p}%，本年度组织书记培训1次",
    "每月固定时间开展主题党日，本年度共{n}次，活动记录完整",
    "本年度发展青年教师党员{n}名、学生党员{m}名，程序规范",
    "完成毕业生党员组织关系转接，失联党员排查处置工作已完成",
    "建立班子成员联系基层党组织制度，定期研究党建工作",
    "开展支部书记述职评议考核，评价结果已报党委组织部",
    "配备专职组织员{k}名，党务干部参加集中培训{n}人次",
]
ISSUES_TEXTS = [
    "个别环节落实不到位，下一步将于10月底前完善制度并加强督促检查",
    "材料归档不够及时，已明确专人负责，每月整理一次",
    "部分支部执行不够规范，将开展专项培训并纳入年终考核",
    "工作进度滞后，已制定整改计划，本学期内完成",
]


def status_mix(catalog: Any) -> list[str]:
    """The statuses drawn from, as often as branches answer them: mostly done, some in progress, one not done,
    one not applicable (for 2018's 已完成、持续推进、未完成、不适用: 14 : 4 : 1 : 1); from the catalog's own list."""
    opens = catalog.open_statuses or (catalog.done_status,)
    return [catalog.done_status] * 14 + [opens[0]] * 4 + [opens[-1], catalog.na_status or opens[-1]]


def _catalog_before_errata(campaign: Campaign) -> Campaign:
    """The catalog as first drafted, with the notice's typos: an 'older version' of the form."""
    data = json.loads(load_catalog().model_dump_json())
    fixes = {e.id: e for e in campaign.catalog.errata}
    for section in data["form1"]["sections"]:
        for item in section["items"]:
            if item["id"] in fixes and item["id"] != "S12.1":
                e = fixes[item["id"]]
                item["text"] = item["text"].replace(e.corrected, e.original)
    data["errata"] = []
    return campaign.model_copy(update={"catalog": parse_catalog(data)})


def scores(rng: random.Random, catalog: Any, quality: float, date: dt.date) -> dict[Key, object]:
    values: dict[Key, object] = {(Field.DATE, ""): date}
    notes = list(NOTES)
    rng.shuffle(notes)
    for item in catalog.items:
        if rng.random() < quality:
            values[(Field.SCORE, item.id)] = item.points
        else:
            lost = rng.choice([0.5, 1, 1.5]) if item.points == 2 else rng.choice([1, 1.5, 2, 3])
            values[(Field.SCORE, item.id)] = max(item.points - lost, 0)
            values[(Field.NOTE, item.id)] = notes.pop() if notes else "佐证材料不全"
    return values


def tasks(rng: random.Random, catalog: Any, date: dt.date) -> dict[Key, object]:
    values: dict[Key, object] = {(Field.DATE, ""): date}
    mix = status_mix(catalog)
    for i, task in enumerate(catalog.tasks):
        status = rng.choice(mix)
        values[(Field.STATUS, task.id)] = status
        if status != catalog.na_status:
            values[(Field.DONE, task.id)] = DONE_TEXTS[i % len(DONE_TEXTS)].format(
                n=rng.randint(2, 12),
                m=rng.randint(5, 30),
                p=rng.choice([60, 75, 80, 100]),
                k=rng.randint(1, 2),
            )
        if status != catalog.done_status:
            values[(Field.ISSUES, task.id)] = rng.choice(ISSUES_TEXTS)
    return values


def fill(
    campaign: Campaign, kind: FormKind, branch: Branch, values: dict[Key, object], edit: Edit | None = None
) -> bytes:
    """A generated form, filled and re-saved through openpyxl."""
    return fill_bytes(build_form(campaign, kind, branch), campaign, kind, values, edit)


def fill_bytes(
    data: bytes, campaign: Campaign, kind: FormKind, values: dict[Key, object], edit: Edit | None = None
) -> bytes:
    """A generated workbook (bytes), filled and re-saved through openpyxl."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    lay = layout.form_layout(campaign.catalog, kind)
    ws = wb[lay.sheet]
    for (fld, ref), value in values.items():
        c = lay.input(fld, ref)
        cell = ws.cell(row=c.row + 1, column=c.col + 1)
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # typed as text (as Excel stores '=… entered with a leading apostrophe)
    if edit:
        edit(wb)
    wb.properties.modified = dt.datetime.combine(
        values.get((Field.DATE, ""), dt.date(2018, 9, 28)), dt.time(17)
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def encrypt_ooxml(data: bytes, password: str = "tushuguan") -> bytes:
    """The workbook with an opening password, as Excel saves it (ECMA-376 agile encryption)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def docx(paragraphs: list[str]) -> bytes:
    """A minimal but valid Word document."""
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs)
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2018, 9, 28, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
    return out.getvalue()


def report(branch: Branch) -> bytes:
    return docx(
        [
            f"{branch.name}关于全面从严治党主体责任和《高校党建工作重点任务》落实情况的自查报告",
            "根据校党委组织部通知要求，我总支于9月26日至30日对照评分表和“20条”具体清单逐项开展了自查，现将有关情况报告如下。",
            "一、主要工作及成效",
            "二、存在的问题",
            "三、下一步整改措施",
        ]
    )


SAMPLE_TIME = (2018, 9, 29, 10, 0, 0)


def gbk_zip(members: list[tuple[str, bytes]]) -> bytes:
    """A zip as Chinese Windows tools write it: member names as raw GBK bytes, without the UTF-8 flag
    (0x800). zipfile writes non-ASCII names as UTF-8 with the flag, so ASCII placeholders of the same byte
    length are written and then swapped for the GBK bytes (names are not covered by the CRC)."""
    buf = io.BytesIO()
    swaps: dict[bytes, bytes] = {}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (name, body) in enumerate(members):
            raw = name.encode("gbk")
            holder = (f"#{i:02d}" * len(raw))[: len(raw)]
            swaps[holder.encode()] = raw
            z.writestr(zipfile.ZipInfo(holder, SAMPLE_TIME), body, zipfile.ZIP_DEFLATED)
    data = buf.getvalue()
    for holder, raw in swaps.items():
        assert data.count(holder) == 2, holder  # the local header and the central directory
        data = data.replace(holder, raw)
    return data


def eml(sender: Branch, subject: str, attachments: list[tuple[str, bytes]]) -> bytes:
    """An e-mail as a clerk saves it (.eml): from the branch's 邮箱, the files attached (fixed boundary and
    date: the samples are the same on every run)."""
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = f"{sender.contact} <{sender.email}>"
    msg["To"] = "zzb@example.edu.cn"
    msg["Subject"] = subject
    msg["Date"] = "Sat, 29 Sep 2018 10:00:00 +0800"
    msg.set_content("您好！附件是我们的自查材料，请查收。")
    for name, body in attachments:
        msg.add_attachment(body, maintype="application", subtype="octet-stream", filename=name)
    msg.set_boundary("==dangjian-xlsx-sample==")
    return bytes(msg)


def libreoffice_convert(data: bytes, name: str, fmt: str) -> bytes | None:
    """Re-save a workbook with LibreOffice (as a branch using LibreOffice would); None when it is absent."""
    soffice = shutil.which("soffice")
    if not soffice:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / name
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                tmp,
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (Path(tmp) / (src.stem + "." + fmt)).read_bytes()


# 组织部's inspection: branch seq → points the inspectors take off the self-assessment (margin is 5).
INSPECTED = {1: 2.0, 4: 1.5, 15: 3.0, 16: 8.5}
OPINIONS = [
    "佐证材料不完整，",
    "会议记录与自评说明不符，",
    "现场查阅未见相关台账，",
    "制度已建立但执行记录缺失，",
    "未提供专题研究的会议纪要，",
]


def inspection_values(rng: random.Random, catalog: Any, sub: Submission, cut: float) -> dict[Key, object]:
    """督查得分: the self-assessment, minus `cut` points spread over a few items (each with a 督查意见);
    one item the branch under-rated is raised by half a point when the cut is small."""
    own = {s.item_id: s.score for s in sub.scores}
    values: dict[Key, object] = {(Field.DATE, ""): dt.date(2018, 10, 12)}
    for item in catalog.items:
        values[(Field.INSP_SCORE, item.id)] = own.get(item.id, item.points)
    items = [i for i in catalog.items if (own.get(i.id) or 0) > 0]
    rng.shuffle(items)
    left = cut
    for item in items:
        if left <= 0:
            break
        score = float(own[item.id])  # type: ignore[arg-type]
        d = min(left, rng.choice([0.5, 1.0, 1.5, 2.0]), score)
        values[(Field.INSP_SCORE, item.id)] = score - d
        values[(Field.INSP_OPINION, item.id)] = f"{rng.choice(OPINIONS)}扣{d:g}分"
        left -= d
    if cut < 5:
        low = next((i for i in items if (own.get(i.id) or 0) < i.points), None)
        if low is not None and (Field.INSP_OPINION, low.id) not in values:
            values[(Field.INSP_SCORE, low.id)] = float(own[low.id]) + 0.5  # type: ignore[arg-type]
            values[(Field.INSP_OPINION, low.id)] = "佐证材料齐全，督查加0.5分"
    return values


def set_cell(sheet: str, ref: str, value: object) -> Edit:
    def edit(wb: Workbook) -> None:
        wb[sheet][ref].value = value

    return edit


def build(dest: Path) -> dict[str, str]:
    """Write the sample inbox into `dest` (emptied first). Returns {relative path: what it demonstrates}."""
    campaign = default_campaign()
    cat = campaign.catalog
    roster = {b.seq: b for b in campaign.roster}
    rng = random.Random(20180930)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    made: dict[str, str] = {}

    def put(rel: str, data: bytes, why: str) -> None:
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        made[rel] = why

    lay1 = layout.form_layout(cat, FormKind.SCORING)
    sheet1 = lay1.sheet

    def score_cell(item_id: str) -> str:
        return lay1.input(Field.SCORE, item_id).a1

    for seq, branch in roster.items():
        day = dt.date(2018, 9, 26 + rng.randint(0, 4))
        quality = rng.choice([0.95, 0.9, 0.85, 0.8, 0.7])
        s = scores(rng, cat, quality, day)
        t = tasks(rng, cat, day)
        f1, f2 = form_filename(FormKind.SCORING, branch), form_filename(FormKind.TASKS, branch)
        if seq == 20:  # 图书馆直属党支部: its only file is password-protected
            data = fill(campaign, FormKind.SCORING, branch, s)
            put(
                f1,
                encrypt_ooxml(data),
                "设置了打开密码的附件1：无法读取，按文件名通知本单位重新发送；附件2未交",
            )
            continue
        if seq == 19:
            put(f1, fill(campaign, FormKind.SCORING, branch, s), "只交了附件1，附件2未交")
            continue
        if seq == 3:  # renamed by the mail client, in a subfolder
            put(
                "邮件附件/附件1(1).xlsx",
                fill(campaign, FormKind.SCORING, branch, s),
                "被邮件客户端改名、放在子文件夹",
            )
            put(
                "邮件附件/附件2(1).xlsx",
                fill(campaign, FormKind.TASKS, branch, t),
                "被邮件客户端改名、放在子文件夹",
            )
            put("邮件附件/数学与统计学院自查报告.docx", report(branch), "自查报告（文件名只有学院简称）")
            continue
        if seq == 18:  # one zip made on Chinese Windows: GBK member names
            put(
                f"{branch.name}材料.zip",
                gbk_zip([
                    (f"自查材料/{f1}", fill(campaign, FormKind.SCORING, branch, s)),
                    (f"自查材料/{f2}", fill(campaign, FormKind.TASKS, branch, t)),
                    (f"自查材料/{branch.name}自查报告.docx", report(branch)),
                ]),
                "一个压缩包（中文 Windows 压缩，成员名为 GBK 编码）：附件1、附件2 和自查报告逐个读取",
            )  # fmt: skip
            continue
        if seq == 1:  # the clerk saved the whole e-mail; the 自查报告's name and text name no branch
            anonymous_report = docx(["关于全面从严治党主体责任落实情况的自查报告", "现将自查情况报告如下。"])
            put(
                "邮件/报送自查材料.eml",
                eml(branch, "报送自查材料", [
                    ("附件1.xlsx", fill(campaign, FormKind.SCORING, branch, s)),
                    ("附件2.xlsx", fill(campaign, FormKind.TASKS, branch, t)),
                    ("自查报告.docx", anonymous_report),
                ]),
                "保存下来的整封邮件：三个附件逐个读取；自查报告的名称和内容都没有党总支名称，按发件人邮箱归属",
            )  # fmt: skip
            continue
        if seq == 5:  # first version with a mistake, then a corrected resubmission
            bad = dict(s)
            bad[(Field.DATE, "")] = dt.date(2018, 9, 27)
            bad[(Field.SCORE, "S03.2")] = 5
            put(
                f1.replace(".xlsx", "（初稿）.xlsx"),
                fill(campaign, FormKind.SCORING, branch, bad),
                "初稿，后被更正版替代",
            )
            good = dict(s)
            good[(Field.DATE, "")] = dt.date(2018, 9, 29)
            put(
                f1.replace(".xlsx", "（更正版）.xlsx"),
                fill(campaign, FormKind.SCORING, branch, good),
                "重新提交的更正版",
            )
            put(f2, fill(campaign, FormKind.TASKS, branch, t), "正常")
            put(f"{branch.name}自查报告.docx", report(branch), "自查报告")
            continue
        edit1: Edit | None = None
        why1 = "正常"
        if seq == 6:  # the first return has an over-max score; the corrected copy sets the date back
            fixed = dict(s)
            fixed[(Field.DATE, "")] = day - dt.timedelta(days=1)
            s[(Field.SCORE, "S01.2")] = 3
            why1 = f"得分超过分值（{score_cell('S01.2')} 满分2分填3），后交回更正表"
            put(
                copy_name(FormKind.SCORING, branch, 1),
                fill_bytes(build_form(campaign, FormKind.SCORING, branch, revision=1), campaign,
                           FormKind.SCORING, fixed),
                "更正表（更正版次1），填报日期改回了更早的实际填写日期：仍以更正表为准，并提示依据不一致",
            )  # fmt: skip
        elif seq == 7:
            s.pop((Field.SCORE, "S05.3"), None)
            why1 = f"漏填得分（{score_cell('S05.3')}）"
        elif seq == 8:
            s[(Field.SCORE, "S02.1")] = "2分"
            s[(Field.SCORE, "S04.2")] = "１.５"
            s[(Field.NOTE, "S04.2")] = "党章学习纳入培训课程不够系统"
            s[(Field.SCORE, "S06.1")] = " 2 "
            why1 = "“2分”、全角数字、多余空格（警告）"
        elif seq == 9:
            s[(Field.SCORE, "S07.2")] = 3
            s.pop((Field.NOTE, "S07.2"), None)
            why1 = f"扣分未写扣分说明（{lay1.input(Field.NOTE, 'S07.2').a1}）"
        elif seq == 11:
            d = lay1.fixed
            points_cell = next(c for c in d if c.what == "S01.5 分值")
            edit1 = set_cell(sheet1, points_cell.a1, 6)
            why1 = f"撤销保护后改了分值（{points_cell.a1} 由4改为6）"
        elif seq == 14:
            s[(Field.DATE, "")] = dt.date(2018, 10, 8)
            why1 = "填报日期不在自查时间内（警告）"
        elif seq == 2:
            s[(Field.NOTE, "S05.4")] = '=HYPERLINK("http://example.com","点击查看")'
            s[(Field.SCORE, "S05.4")] = 1
            why1 = "扣分说明以“=”开头（汇总表中按文本显示）"
        camp1 = _catalog_before_errata(campaign) if seq == 10 else campaign
        if seq == 10:
            why1 = "使用了旧版模板（目录版本不符）"
        data1 = fill(camp1, FormKind.SCORING, branch, s, edit1)
        data2 = fill(campaign, FormKind.TASKS, branch, t)
        if seq == 12:
            xls = libreoffice_convert(data1, f1, "xls")
            if xls is not None:
                put(f1.replace(".xlsx", ".xls"), xls, "用 LibreOffice 另存为 .xls")
            else:
                put(f1, data1, why1)
        elif seq == 13:
            ods = libreoffice_convert(data2, f2, "ods")
            put(f1, data1, why1)
            if ods is not None:
                put(f2.replace(".xlsx", ".ods"), ods, "用 LibreOffice 另存为 .ods")
            else:
                put(f2, data2, "正常")
            put(f"{branch.name}自查报告.docx", report(branch), "自查报告")
            continue
        else:
            put(f1, data1, why1)
        if seq == 16:  # 美术学院 sends the 附件2 template back untouched
            put(
                f2,
                build_form(campaign, FormKind.TASKS, branch),
                "交回的是空白的附件2：不计入统计，通知只说“空白表格”",
            )
        else:
            put(f2, data2, "正常")
        if seq == 17:  # 体育学院 filled 音乐学院's forwarded 附件2 and sent it under its own name
            put(
                f2.replace(".xlsx", "（补充）.xlsx"),
                fill(campaign, FormKind.TASKS, roster[15], tasks(rng, cat, dt.date(2018, 9, 30))),
                "用音乐学院的附件2填写、以本单位名义发回：身份存疑，不计入任何党总支，两个党总支都会收到说明",
            )
        if seq == 8:  # named by the 简称 people use (roster column 简称)
            put(
                f"{branch.short}党总支自查报告.docx",
                report(branch),
                f"自查报告（文件名用了名单中的简称“{branch.short}”）",
            )
        elif seq in (2, 4, 6, 9, 11, 15, 16, 17):
            put(f"{branch.name}自查报告.docx", report(branch), "自查报告")
        if seq == 12:
            put(f"~${f1}", b"\x0bWPS lock\x00" + "王老师".encode("utf-16-le"), "Office/WPS 锁文件（忽略）")
    # 组织部's inspection, built from what has been collected so far (as `dangjian-xlsx inspect` does)
    collected = run_collect(dest, campaign, jobs=1)
    forms1 = {bf.branch.seq: bf.forms[FormKind.SCORING].submission for bf in branch_files(collected)}
    books = dict(build_inspections(collected))
    for seq, cut in INSPECTED.items():
        branch, sub = roster[seq], forms1[seq]
        assert sub is not None, f"branch {seq} has no counted 附件1"
        name = form_filename(FormKind.INSPECTION, branch)
        values = inspection_values(rng, cat, sub, cut)
        lower = sum(s.score or 0 for s in sub.scores) - sum(
            float(v)  # type: ignore[arg-type]
            for (fld, _), v in values.items()
            if fld is Field.INSP_SCORE
        )
        why = f"组织部督查评分（督查总分比自评低{lower:g}分" + ("，自评偏高）" if lower > 5 else "）")
        put(f"组织部督查/{name}", fill_bytes(books[name], campaign, FormKind.INSPECTION, values), why)
    anonymous = docx(
        ["关于全面从严治党主体责任落实情况的自查报告", "根据校党委组织部通知要求，现将自查情况报告如下。"]
    )
    put(
        "自查报告（定稿）.docx",
        anonymous,
        "看得出是自查报告，但文件名没有党总支名称：列为“无法判断所属党总支”",
    )
    put(
        "通知原文及说明.txt",
        "请各党总支于9月30日前交回自查报告及两个附件。\n".encode(),
        "不是表格（列入文件清单备查）",
    )
    return made


def main() -> None:
    dest = Path(sys.argv[1] if len(sys.argv) > 1 else "sample_submissions")
    made = build(dest)
    lines = [
        "# 示例回收文件说明",
        "",
        "由 `scripts/make_samples.py` 生成（`make samples`）。",
        "",
        "| 文件 | 说明 |",
        "| --- | --- |",
    ]
    lines += [f"| `{rel}` | {why} |" for rel, why in sorted(made.items())]
    lines.append("| （图书馆直属党支部） | 未交任何文件 |")
    doc = Path(__file__).resolve().parent.parent / "docs" / "sample_submissions.md"
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"已生成 {len(made)} 个示例文件，位于 {dest}")


if __name__ == "__main__":
    main()
