"""Files the page hands out: only files directly inside one of the round's own folders, named exactly as
listed there (no path in a name, no way out of the folder), sent with their Chinese names; several at once as
one zip built in memory."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from fastapi.responses import Response

from .store import safe_name

MEDIA = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".eml": "message/rfc822",
    ".zip": "application/zip",
}


def listed(folder: Path, name: str) -> Path | None:
    """`folder/name` when `name` is one of the files directly in `folder` (compared with the folder's own
    listing, so no '..', separator or other spelling can reach anything else), else None."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return None
    if name not in entries:
        return None
    path = folder / name
    return path if path.is_file() and not path.is_symlink() else None


def files_in(folder: Path) -> frozenset[str]:
    """The names of the files directly in `folder` (no folders, no links); empty when it cannot be listed."""
    try:
        return frozenset(e.name for e in os.scandir(folder) if e.is_file(follow_symlinks=False))
    except OSError:
        return frozenset()


def disposition(name: str) -> str:
    """A Content-Disposition that every browser saves under the Chinese name `name`."""
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def file_response(path: Path) -> Response:
    data = path.read_bytes()
    media = MEDIA.get(path.suffix.lower(), "application/octet-stream")
    return Response(data, media_type=media, headers={"content-disposition": disposition(path.name)})


def listed_response(folder: Path, name: str, missing: str) -> Response:
    """The file `name` of `folder` (see `listed`), or 404 saying `missing` (Chinese: what to do instead)."""
    path = listed(folder, name)
    if path is None:
        return Response(missing, status_code=404, media_type=MEDIA[".txt"])
    return file_response(path)


def zip_response(files: Iterable[tuple[str, Path]], name: str) -> Response:
    """The files (name inside the zip, path) as one zip named `name`. Names are stored as UTF-8 (flag set), so
    Windows' own zip folder shows them in Chinese."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for inner, path in files:
            zf.write(path, inner)
    return Response(
        buffer.getvalue(),
        media_type=MEDIA[".zip"],
        headers={"content-disposition": disposition(safe_name(name))},
    )
