"""The round folder (工作目录): one folder holding a round's configuration, its inbox and its outputs, under the
names the command line uses when it runs there — the page and the CLI are two faces of one round."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..outnames import FEEDBACK_DIR, PACK_DIR

CAMPAIGN_FILE = "campaign.toml"
INBOX_DIR = "收件"
FORMS_DIR = "表格"
SUMMARY_FILE = "汇总表.xlsx"
INSPECTION_DIR = "督查评分表"


@dataclass(frozen=True)
class RoundFolder:
    """Where everything of a round is. `root` is resolved once: the page never follows a name elsewhere."""

    root: Path

    @classmethod
    def at(cls, folder: Path | str) -> RoundFolder:
        return cls(Path(folder).expanduser().resolve())

    @property
    def campaign_file(self) -> Path:
        return self.root / CAMPAIGN_FILE

    @property
    def inbox(self) -> Path:
        return self.root / INBOX_DIR

    @property
    def forms_dir(self) -> Path:
        return self.root / FORMS_DIR

    @property
    def summary(self) -> Path:
        return self.root / SUMMARY_FILE

    @property
    def corrections_dir(self) -> Path:
        return self.root / PACK_DIR

    @property
    def feedback_dir(self) -> Path:
        return self.root / FEEDBACK_DIR

    @property
    def inspection_dir(self) -> Path:
        return self.root / INSPECTION_DIR

    def is_round(self) -> bool:
        """A round has been set up here (its campaign.toml exists)."""
        return self.campaign_file.is_file()

    def create(self) -> list[Path]:
        """Set up a round here: campaign.toml, roster.csv and 表格内容.xlsx as `init` writes them (the built-in
        sample, which the page labels as such until the clerk changes it), and the inbox."""
        from ..errors import writing
        from ..forms import write_init_files

        with writing(self.root, "没有写出任何文件"):
            self.root.mkdir(parents=True, exist_ok=True)
            written = write_init_files(self.root)
            self.inbox.mkdir(exist_ok=True)
        return written

    def load(self) -> tuple[Any, tuple[str, ...]]:
        """The round's campaign and the notes of how its files were understood (ConfigError when they cannot
        be read: its message says which file, which line and how to fix it)."""
        from ..catalog import load_campaign_noted

        return load_campaign_noted(self.campaign_file if self.is_round() else None)

    def inputs(self) -> list[Path]:
        """The files a run reads besides the inbox (outputs must never overwrite them)."""
        from ..outcheck import input_files

        return input_files(self.campaign_file if self.is_round() else None, None)
