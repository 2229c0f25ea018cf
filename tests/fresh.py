"""A script run in a fresh interpreter, its last line of output read back as JSON: for the tests that need a
process of their own (forking needs a single-threaded process, and pytest-xdist's workers run a second
thread; what an import loads is only seen in a process that has imported nothing yet)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_json(body: str, *args: str) -> Any:
    """`body` (dedented) run by `python -c` in the repository's root with `args`; the JSON it printed last.
    A failure of the script fails the test with its standard error."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(body), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
