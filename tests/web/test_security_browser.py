"""The security cases in a real browser: a page of another site (another port of this machine: the same
"site" to the browser, so the cookie IS sent) cannot make the page act — its form post and its fetch are
refused by the Origin check; a tab without the token sees only the refusal."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from dangjian_xlsx.web import RoundFolder

from .conftest import shot, start_live

EVIL = """<!doctype html><html><body>
<form id="f" method="post" action="{target}/create"><button>go</button></form>
<script>
window.fetchResult = "pending";
fetch("{target}/create", {{method: "POST", credentials: "include", mode: "no-cors"}})
  .then(() => {{ window.fetchResult = "sent"; }}, () => {{ window.fetchResult = "failed"; }});
</script></body></html>"""


def _evil_server(target: str) -> tuple[ThreadingHTTPServer, str]:
    body = EVIL.format(target=target).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def test_another_site_cannot_act_through_the_clerks_browser(browser, tmp_path: Path) -> None:
    folder = RoundFolder.at(tmp_path / "空文件夹")  # no round yet: POST /create would set one up
    live, server, thread = start_live(folder.root)
    evil, evil_url = _evil_server(live.base)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        tab = context.new_page()
        tab.goto(live.start)  # the clerk has the page open: the cookie is set
        assert "建立本轮督查" in tab.content()
        other = context.new_page()
        other.goto(evil_url)
        other.wait_for_function("window.fetchResult !== 'pending'")
        with other.expect_navigation():
            other.click("button")
        assert "拒绝来自其他网站的请求" in other.content()
        shot(other, "security-other-site")
        assert not folder.campaign_file.exists()
        # the clerk's own button still works
        with tab.expect_navigation():
            tab.locator("form[action='/create'] button[type=submit]").click()
        assert folder.campaign_file.exists()
    finally:
        context.close()
        evil.shutdown()
        server.should_exit = True
        thread.join(10)


def test_a_tab_without_the_token_sees_only_the_refusal(browser, live) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        tab = context.new_page()
        response = tab.goto(live.base + "/summary")
        assert response is not None and response.status == 403
        assert "访问令牌" in tab.content() and "dangjian-xlsx serve" in tab.content()
        shot(tab, "security-no-token")
        assert tab.goto(live.base + "/?token=guess").status == 403
    finally:
        context.close()
