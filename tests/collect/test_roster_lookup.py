"""Collecting a file costs the same whatever the roster's size: the roster's name matcher is looked up once per
process, not once per file (catalog.roster_names caches by the roster's value, which hashes every branch on each
look-up: O(roster) per file, a third of a file's CPU with 5,000 branches)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fill import clean_values

from dangjian_xlsx.catalog import default_campaign, roster_names
from dangjian_xlsx.collect import check_files, evidence
from dangjian_xlsx.forms import BRANCH_FORMS, build_form, form_filename
from dangjian_xlsx.models import Branch, Outcome


def test_the_roster_matcher_is_looked_up_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roster = tuple(Branch(seq=i, name=f"第{i}学院党总支") for i in range(1, 301))
    campaign = default_campaign(roster)
    paths = []
    for branch in roster[:3]:
        for kind in BRANCH_FORMS:
            path = tmp_path / form_filename(kind, branch)
            path.write_bytes(build_form(campaign, kind, branch, prefill=clean_values(campaign.catalog, kind)))
            paths.append(path)
    calls = []

    def counted(r: tuple[Branch, ...]):  # type: ignore[no-untyped-def]
        calls.append(r)
        return roster_names(r)

    monkeypatch.setattr(evidence, "roster_names", counted)
    records = check_files(paths, campaign)
    assert [r.outcome for r in records] == [Outcome.ACCEPTED] * 6
    assert [r.branch for r in records] == [b for b in roster[:3] for _ in BRANCH_FORMS]
    assert len(calls) <= 1  # six files, one look-up at most (none when this process already made it)
    # a file naming another branch in its name is still held: the matcher found is this roster's
    other = tmp_path / "sub" / f"{roster[5].name}_{paths[0].name}"
    other.parent.mkdir()
    other.write_bytes(paths[0].read_bytes())
    (held,) = check_files([other], campaign)
    assert held.outcome is Outcome.IDENTITY_DOUBT and held.claimant == roster[5]
