"""`dangjian-xlsx serve` as the clerk starts it: the printed address (with its token) opens the page, nothing
else does; the socket listens on 127.0.0.1 only; a taken port is a Chinese message; Ctrl+C stops it quietly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

URL = re.compile(r"请在浏览器中打开：(http://127\.0\.0\.1:(\d+)/\?token=([\w-]+))")


def _start(folder: Path, *args: str) -> tuple[subprocess.Popen[str], str, int, str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dangjian_xlsx", "serve", str(folder), "--no-browser", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    seen = []
    end = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        m = URL.search(line)
        if m:
            return proc, m.group(1), int(m.group(2)), m.group(3)
    proc.kill()
    raise AssertionError(f"no address printed: {seen!r} {proc.stderr.read() if proc.stderr else ''}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8")


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port` (Linux /proc/net/tcp, tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                found.add(address)
    return found


def test_the_printed_address_opens_the_page_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "督查 2025"
    proc, url, port, token = _start(folder)
    try:
        base = f"http://127.0.0.1:{port}"
        status, _, body = _get(base + "/")
        assert status == 403 and "访问令牌" in body
        status, headers, _ = _get(url)
        assert status == 303 and headers["location"] == "/"
        cookie = headers["set-cookie"].split(";")[0]
        status, _, body = _get(base + "/", cookie)
        assert (
            status == 200 and "建立本轮督查" in body
        )  # a folder without a round: the page offers to set one up
        assert str(folder.resolve()) in body
        if sys.platform.startswith("linux"):
            assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1 only, no IPv6 or other interface
        # a second start has a new token: the first one's address does not open it
        proc2, _url2, port2, token2 = _start(folder)
        try:
            assert token2 != token
            status, _, _ = _get(f"http://127.0.0.1:{port2}/?token={token}")
            assert status == 403
        finally:
            proc2.kill()
            proc2.wait(30)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err and "Traceback" not in out


def test_a_taken_port_is_said_in_chinese(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "dangjian_xlsx",
                "serve",
                str(tmp_path),
                "--no-browser",
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            timeout=60,
        )
    assert done.returncode == 2
    assert f"端口 {port} 已被占用" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT as Ctrl+C is a POSIX signal here")
def test_ctrl_c_stops_quietly(tmp_path: Path) -> None:
    proc, *_ = _start(tmp_path)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode in (0, 130)
    assert "Traceback" not in err
