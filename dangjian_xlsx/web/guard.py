"""Who may talk to the page: this machine's browser, holding the token printed at start.

Every request needs the token: the start address carries it once (`/?token=…`), which sets it as a cookie
(HttpOnly, SameSite=Strict) and redirects to the same page without it. A request without the token, a Host
other than the loopback address the server listens on (DNS rebinding), or a request from another site (an
Origin that is not ours, Sec-Fetch-Site: cross-site) is refused with 403 and a Chinese page."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "dj_token"
TOKEN_PARAM = "token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost")
# The most one request may send: a batch of uploads (each file is also held to `store.MAX_UPLOAD_BYTES`).
MAX_BODY = 200 * 1024 * 1024

REFUSED = (
    "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>{title}</title>"
    "<body style='font-family:sans-serif;margin:3em'><h1>{title}</h1><p>{reason}</p>{hint}</body></html>"
)
HINT = (
    "<p>请用启动 <code>dangjian-xlsx serve</code> 时显示的地址（含 token）在本机浏览器中打开；"
    "重新启动后，旧地址失效。</p>"
)


class Guard:
    """ASGI middleware in front of the whole app."""

    def __init__(self, app: App, token: str, port: int | None = None, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.token = token
        self.port = port  # None: any port (the tests' in-process client)
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await _refuse(send, "不支持的连接。")
            return
        headers = _headers(scope)
        reason = self._foreign(headers)
        if reason:
            await _refuse(send, reason)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        offered = query.get(TOKEN_PARAM)
        if offered is not None and _same(offered, self.token):
            await _enter(send, scope, query)
            return
        if not _same(_cookie(headers), self.token):
            await _refuse(send, "缺少或不符合本次启动的访问令牌（token）。")
            return
        too_big = self._too_big(scope, headers)
        if too_big:
            await _refuse(send, too_big, status=413)
            return
        await self.app(scope, receive, send)

    def _too_big(self, scope: Scope, headers: dict[str, str]) -> str:
        """Why a request's body is refused before it is read (and spooled to disk), or ''. Browsers state the
        length of what they send; a body of unstated length is refused too."""
        if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            return ""
        length = headers.get("content-length")
        if length is None:
            return (
                "上传的内容没有写明大小，无法接收。请在页面上重新上传。"
                if "transfer-encoding" in headers
                else ""
            )
        if not length.isdigit() or int(length) > self.max_body:
            return (
                f"一次上传的内容超过上限 {self.max_body // (1024 * 1024)} MB，没有保存。"
                "请分几次上传，或检查是否选错了文件。"
            )
        return ""

    def _foreign(self, headers: dict[str, str]) -> str:
        """Why a request comes from elsewhere than this machine's page, or ''."""
        host = headers.get("host", "")
        name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
        if name not in LOOPBACK_NAMES or (self.port is not None and port != str(self.port)):
            return "只接受本机（127.0.0.1）的访问。"
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{host}":
            return "拒绝来自其他网站的请求。"
        if headers.get("sec-fetch-site") == "cross-site":
            return "拒绝来自其他网站的请求。"
        return ""


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _same(offered: str | None, token: str) -> bool:
    return offered is not None and hmac.compare_digest(offered.encode(), token.encode())


def _cookie(headers: dict[str, str]) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is no token
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


async def _enter(send: Send, scope: Scope, query: dict[str, str]) -> None:
    """The start address: the token becomes a cookie, and the browser goes to the same page without it."""
    rest = urlencode({k: v for k, v in query.items() if k != TOKEN_PARAM})
    raw = scope.get("raw_path") or scope.get("path", "/").encode("utf-8")
    location = raw + (f"?{rest}".encode() if rest else b"")
    token = query[TOKEN_PARAM]
    cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", location),
                (b"set-cookie", cookie.encode("latin-1")),
                (b"cache-control", b"no-store"),
                (b"referrer-policy", b"no-referrer"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def _refuse(send: Send, reason: str, status: int = 403) -> None:
    title, hint = ("无法打开这个页面", HINT) if status == 403 else ("无法接收", "")
    body = REFUSED.format(title=title, reason=reason, hint=hint).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
