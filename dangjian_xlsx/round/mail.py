"""E-mail drafts (`.eml`) the clerk opens, checks and sends: To the roster's 联系人 and 邮箱, a Chinese subject,
the notice (or the forms' covering letter) as the body, the files attached. Marked `X-Unsent: 1`, so Outlook,
Foxmail and Thunderbird open them as unsent messages, ready to send; no From (the clerk's own client fills it)
and no Date (set when sent), so a re-run writes the same bytes.
Built with the standard library's `email` package (RFC 2047 subject and names, RFC 2231 file names, base64)."""

from __future__ import annotations

import email.policy
import hashlib
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from ..atomic import write_all_atomic
from ..forms import BRANCH_FORMS, MAIL_DIR, cn_date, form_filename
from ..models import Branch, Campaign

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# A plain e-mail address (what the roster's 邮箱 column should hold); anything else gets no draft.
_ADDRESS = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")


@dataclass(frozen=True)
class Draft:
    """One e-mail to write: whom to, subject, body, attachments as (file name, bytes)."""

    branch: Branch
    subject: str
    body: str
    attachments: tuple[tuple[str, bytes], ...] = ()


def address_of(branch: Branch) -> str | None:
    """The branch's 邮箱 when it is one plain address (spaces and a trailing full stop trimmed), else None."""
    addr = branch.email.strip().strip("。.;；,，").replace("＠", "@")
    return addr if _ADDRESS.match(addr) else None


def draft_name(filename: str) -> str:
    """The draft's file name for a notice or form file name (`…_退回修改通知.txt` → `…_退回修改通知.eml`)."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return f"{stem}.eml"


def eml_bytes(draft: Draft) -> bytes:
    """The draft as an RFC 5322 message (CRLF line ends, UTF-8 body, base64 attachments). Requires an address."""
    addr = address_of(draft.branch)
    if addr is None:
        raise ValueError(f"{draft.branch.name} 没有可用的邮箱")
    msg = EmailMessage(policy=email.policy.SMTP)
    local, domain = addr.rsplit("@", 1)
    display = draft.branch.contact.strip() or draft.branch.name
    msg["To"] = Address(display_name=_one_line(display), username=local, domain=domain)
    msg["Subject"] = _one_line(draft.subject)
    msg["X-Unsent"] = "1"
    msg.set_content(draft.body.replace("\r\n", "\n"), subtype="plain", charset="utf-8", cte="base64")
    for name, data in draft.attachments:
        main, sub = XLSX if name.lower().endswith(".xlsx") else ("application", "octet-stream")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    if msg.is_multipart():  # the same draft, byte for byte, on every run (no random boundary)
        digest = hashlib.sha256(draft.body.encode("utf-8"))
        for name, data in draft.attachments:
            digest.update(name.encode("utf-8") + data)
        msg.set_boundary(f"=_dangjian_{digest.hexdigest()[:24]}")
    return msg.as_bytes()


def _one_line(text: str) -> str:
    """Header text on one line: line breaks and control characters become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def forms_body(campaign: Campaign, branch: Branch, names: list[str]) -> str:
    """The covering letter of `generate --eml`: what to fill, by when, where to send it back."""
    to = campaign.return_to or campaign.department
    unit = campaign.catalog.unit
    attached = "\n".join(f"    {i}. {n}" for i, n in enumerate(names, 1))
    return (
        f"{branch.name}：\n\n"
        f"    根据{campaign.title}的安排，请你{unit}于{cn_date(campaign.self_check_start)}至"
        f"{cn_date(campaign.self_check_end)}开展自查，填写附件中的表格（只填黄色单元格，得分、完成状态和日期必填；"
        "扣分或未完成的，写明扣分说明或整改措施），连同自查报告，"
        f"于{cn_date(campaign.due)}前发送至{to}。\n\n"
        "    请直接在附件中的表格里填写，不要改动表格的结构、名称和锁定内容，也不要另存为其他格式后改名。\n\n"
        f"附件：\n{attached}\n\n"
        f"{campaign.department}\n"
    )


def form_draft_name(branch: Branch) -> str:
    """`邮件/NN_<党总支>_填报通知.eml`, relative to the forms' folder."""
    return f"{MAIL_DIR}/{branch.id}_{branch.name}_填报通知.eml"


def form_drafts(campaign: Campaign, out_dir: Path) -> tuple[list[Path], list[Branch]]:
    """`generate --eml`: per branch of the roster with a 邮箱, a draft in `out_dir/邮件/` with both of its
    generated forms (read back from `out_dir`) attached and the covering letter as the body. Returns the
    drafts written and the branches without a usable address (they get no draft)."""
    out_dir = Path(out_dir)
    files: list[tuple[Path, bytes]] = []
    missing: list[Branch] = []
    for branch in campaign.roster:
        if address_of(branch) is None:
            missing.append(branch)
            continue
        names = [form_filename(kind, branch, campaign.catalog) for kind in BRANCH_FORMS]
        attachments = tuple((n, (out_dir / n).read_bytes()) for n in names)
        subject = f"请填报：{campaign.title}（{branch.name}）"
        draft = Draft(branch, subject, forms_body(campaign, branch, names), attachments)
        files.append((out_dir / form_draft_name(branch), eml_bytes(draft)))
    return write_all_atomic(files), missing


def generated_names(campaign: Campaign, blank: bool, eml: bool) -> set[str]:
    """What `generate` writes into its folder (relative paths): the forms, and with `eml` the drafts."""
    if blank:
        return {form_filename(k, None, campaign.catalog) for k in BRANCH_FORMS}
    names = {form_filename(k, b, campaign.catalog) for b in campaign.roster for k in BRANCH_FORMS}
    return names | ({form_draft_name(b) for b in campaign.roster} if eml else set())
