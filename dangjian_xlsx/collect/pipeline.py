"""The collect pipeline: discover the inbox, read + validate every file (worker processes), resolve duplicates,
cross-check returned 督查评分表.

Every entry of the inbox ends up in exactly one FileRecord; the batch never stops because one file is bad.
Inputs are only ever opened for reading. The Report depends only on the inbox's contents (paths, bytes,
modification times), never on the clock, so the same inbox gives the same Report.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import heap, parallel, read
from ..answers import keeping_texts
from ..models import Campaign, FileRecord, Outcome, Report, keep_branches
from .classify import process_file
from .containers import Entry, expand
from .crosscheck import cross_check
from .inbox import discover, display_name
from .resolve import resolve

Progress = Callable[[int, int], None]

PARALLEL_THRESHOLD = 40  # jobs=0: below this many files, worker start-up costs more than it saves (measured)


class _Listing:
    """The inbox's entries as the processes reading them share them: the files' paths one string and where
    each ends, a container's member (`containers.Entry`) as it is. A province's ten thousand `Path` objects
    (half a kilobyte each) lay on pages that both processes wrote as they read them (a reference counted, a
    cached part): the forked helper ended up with its own copy of all of them."""

    def __init__(self, entries: Sequence[Path | Entry]) -> None:
        paths = [os.fspath(e) if isinstance(e, Path) else "" for e in entries]
        self._text = "".join(paths)
        self._ends = array("q", itertools.accumulate(map(len, paths)))
        self._members = {k: e for k, e in enumerate(entries) if not isinstance(e, Path)}

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, k: int) -> Path | Entry:
        member = self._members.get(k)
        if member is not None:
            return member
        return Path(self._text[self._ends[k - 1] if k else 0 : self._ends[k]])


def _process_all(
    listing: _Listing, inbox: Path, campaign: Campaign, jobs: int, progress: Progress | None
) -> list[FileRecord]:
    total = len(listing)
    if jobs == 0:
        jobs = parallel.cpus() if total > PARALLEL_THRESHOLD else 1
    jobs = max(1, min(jobs, total))
    if progress:
        progress(0, total)
    if not total:
        return []
    # The first file is read here: that warms up what every helper needs (lazy imports of the reader,
    # validation's per-campaign context), which forked helpers then inherit instead of each redoing it.
    # With one process, `share` reads the rest here too, in order. The records kept here hold their task
    # answers' texts in this collect's few large strings (`answers.keeping_texts`).
    with keeping_texts():
        first = process_file(listing[0], inbox, campaign).compact()
        if progress:
            progress(1, total)
        rest = parallel.share(
            lambda k: process_file(listing[k + 1], inbox, campaign).compact(),  # small, as it is kept or sent
            total - 1,
            processes=jobs,
            done=(lambda n: progress(n + 1, total)) if progress else None,
            name="dj-collect",
        )
    read.release_reader()  # the batch is read: its reader process (holding pages it shares) is not kept
    return [first, *rest]


def _generated_at(records: list[FileRecord], campaign: Campaign) -> dt.datetime:
    """Deterministic: the newest input's modification time (the due date when there is none). Ignored
    entries do not count: Office lock files come and go while a form is open."""
    times = [r.mtime for r in records if r.mtime and r.outcome is not Outcome.IGNORED]
    if not times:
        return dt.datetime.combine(campaign.due, dt.time())
    return dt.datetime.fromtimestamp(max(times)).replace(microsecond=0)


def run_collect(inbox: Path, campaign: Campaign, jobs: int = 0, progress: Progress | None = None) -> Report:
    """Collect a folder: every file read, identified, validated; duplicates resolved."""
    inbox = Path(inbox)
    heap.steady_large_blocks()  # the tables' long columns given back whole when freed, not left as holes
    listing = _Listing(discover(inbox))  # the Path objects go: the processes share the one string
    keep_branches(campaign.roster)  # a helper's records come back naming the roster's branches, not copies
    records = resolve(_process_all(listing, inbox, campaign, jobs, progress), campaign.catalog.unit)
    records = cross_check(records, campaign)
    return Report(
        inbox=str(inbox), campaign=campaign, files=records, generated_at=_generated_at(records, campaign)
    )


def check_files(paths: Sequence[Path], campaign: Campaign) -> list[FileRecord]:
    """The `check` command: each named file on its own, shown by the path as given; links are followed."""
    out = []
    for p in paths:
        p = Path(p)
        shown = display_name(os.fsdecode(p))
        out.append(process_file(p, p.parent, campaign, display=shown, follow_links=True))
        for member in expand(p, shown, display_name(p.name), set()):  # an archive's or e-mail's files
            out.append(process_file(member, p.parent, campaign))
    return out
