"""`generate --eml`'s drafts: one unsent e-mail per branch with an address, both of its forms attached."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from dangjian_xlsx.forms import cn_date, form_filename, generate_for_roster
from dangjian_xlsx.models import Campaign, FormKind
from dangjian_xlsx.round.mail import address_of, form_drafts


def test_form_drafts_carry_both_forms_to_each_addressed_branch(campaign: Campaign, tmp_path: Path) -> None:
    b1, b2, b3 = campaign.roster[:3]
    camp = campaign.model_copy(update={"roster": (b1, b2.model_copy(update={"email": "没有"}), b3)})
    generate_for_roster(camp, tmp_path)
    written, missing = form_drafts(camp, tmp_path)
    assert [b.name for b in missing] == [b2.name]
    assert sorted(p.name for p in written) == [f"01_{b1.name}_填报通知.eml", f"03_{b3.name}_填报通知.eml"]
    msg = email.message_from_bytes(written[0].read_bytes(), policy=email.policy.default)
    assert msg["X-Unsent"] == "1"
    (to,) = msg["To"].addresses
    assert (to.display_name, to.addr_spec) == (b1.contact, b1.email)
    assert msg["Subject"] == f"请填报：{camp.title}（{b1.name}）"
    kinds = (FormKind.SCORING, FormKind.TASKS)
    expected = {
        form_filename(k, b1, camp.catalog): (tmp_path / form_filename(k, b1, camp.catalog)) for k in kinds
    }
    attached = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    assert attached == {name: path.read_bytes() for name, path in expected.items()}
    body = msg.get_body(("plain",)).get_content()
    assert cn_date(camp.due) in body and (camp.return_to or camp.department) in body
    assert all(name in body for name in expected)


def test_only_a_plain_address_counts(campaign: Campaign) -> None:
    b = campaign.roster[0]
    assert address_of(b.model_copy(update={"email": " a.b@x.edu.cn。"})) == "a.b@x.edu.cn"
    assert address_of(b.model_copy(update={"email": "a＠x.edu.cn"})) == "a@x.edu.cn"
    for bad in ("", "张三", "a@b", "a@x.cn; b@y.cn", "<a@x.cn>\nBcc: z@evil.cn"):
        assert address_of(b.model_copy(update={"email": bad})) is None, bad
