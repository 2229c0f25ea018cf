"""The long fuzzing run (`make fuzz`): N seeded mutants of filled forms through collect, in batches.

    .venv/bin/python scripts/fuzz.py [N] [--seed S] [--batch B] [--keep DIR]

Each batch of B mutants (tests/hostile_fuzz.py) is written to an inbox and collected twice: through the
library in this process (each file timed) and by the command line in a subprocess (exit code, terminal
output, 文件清单 read back, the inbox unchanged). Prints one line per batch and the counts at the end —
cases, tracebacks, panics shown, hangs over 10 s, unaccounted files — and exits 1 when any is not zero.
`--keep DIR` copies every file behind a finding there (with how it was made), to reproduce it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from hostile_fuzz import mutants, seeds  # noqa: E402
from hostile_fuzzrun import Findings, cli, in_process, write_inbox  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=10_000, help="mutants in all (default 10000)")
    ap.add_argument("--seed", type=int, default=2018, help="random seed (default 2018)")
    ap.add_argument("--batch", type=int, default=500, help="mutants per inbox (default 500)")
    ap.add_argument("--keep", type=Path, help="copy the files behind findings here")
    args = ap.parse_args(argv)

    total = Findings()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dj-fuzz-") as tmp:
        work = Path(tmp)
        every = list(mutants(seeds(work / "seeds"), args.n, args.seed))
        for k in range(0, len(every), args.batch):
            batch = every[k : k + args.batch]
            inbox, out = work / f"inbox{k}", work / f"out{k}"
            out.mkdir()
            made = write_inbox(inbox, batch)
            here, there = in_process(inbox, made), cli(inbox, out, made)
            found = Findings(cases=len(batch))
            for f in (here, there):
                f.cases = 0
                found.add(f)
            total.add(found)
            print(f"{k + len(batch):>6}/{len(every)}  {found.summary()}", flush=True)
            _show(found)
            if args.keep and not found.clean:
                _keep(args.keep, inbox, made, found)
            shutil.rmtree(inbox)
            shutil.rmtree(out)
    print(
        f"\n模糊测试 {time.strftime('%Y-%m-%d %H:%M')}，seed {args.seed}，{time.monotonic() - start:.0f} s:"
    )
    print(total.summary())
    return 0 if total.clean else 1


def _show(found: Findings) -> None:
    for kind in ("tracebacks", "panics", "hangs", "unaccounted"):
        for line in getattr(found, kind)[:5]:
            print(f"    {kind}: {line[:400]}")
    for code in found.exit_codes:
        if code not in (0, 1):
            print(f"    exit code {code}")


def _keep(dest: Path, inbox: Path, made: dict[str, str], found: Findings) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    lines = "\n".join(found.tracebacks + found.panics + found.hangs + found.unaccounted)
    for rel, how in made.items():
        if rel in lines:
            target = dest / rel.replace("/", "_")
            shutil.copyfile(inbox / rel, target)
            target.with_suffix(target.suffix + ".how.txt").write_text(how + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
