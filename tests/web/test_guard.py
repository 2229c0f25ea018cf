"""The guard: the token, loopback only, other sites refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dangjian_xlsx.web import create_app


def _client(folder, port=None) -> tuple[TestClient, str]:
    token = "t0ken-" + "x" * 20
    return TestClient(create_app(folder.root, token, port), base_url="http://127.0.0.1:8765"), token


def test_start_address_sets_cookie_and_drops_token(round_dir) -> None:
    tc, token = _client(round_dir)
    r = tc.get(f"/settings?token={token}&x=1", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/settings?x=1"
    cookie = r.headers["set-cookie"]
    assert f"dj_token={token}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert tc.get("/").status_code == 200


def test_without_token_refused(round_dir) -> None:
    tc, _token = _client(round_dir)
    for path in ("/", "/static/app.css", "/api/jobs/1", "/nowhere"):
        r = tc.get(path)
        assert r.status_code == 403, path
        assert "访问令牌" in r.text
    assert tc.get("/?token=wrong").status_code == 403
    tc.cookies.set("dj_token", "wrong")
    assert tc.get("/").status_code == 403


def test_other_host_and_origin_refused(client) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/", headers={"host": "evil.example:8765"}).status_code == 403
    assert client.get("/", headers={"host": "192.168.1.5:8765"}).status_code == 403
    r = client.post("/create", headers={"origin": "http://evil.example"})
    assert r.status_code == 403 and "其他网站" in r.text
    assert client.get("/", headers={"sec-fetch-site": "cross-site"}).status_code == 403
    assert client.get("/", headers={"origin": "http://127.0.0.1:8765"}).status_code == 200


def test_port_must_match(round_dir) -> None:
    tc, token = _client(round_dir, port=9999)
    assert tc.get(f"/?token={token}", follow_redirects=False).status_code == 403
    tc2 = TestClient(create_app(round_dir.root, token, 9999), base_url="http://127.0.0.1:9999")
    assert tc2.get(f"/?token={token}", follow_redirects=False).status_code == 303


def test_a_body_over_the_limit_is_refused_before_it_is_read(round_dir) -> None:
    token = "t0ken-" + "y" * 20
    tc = TestClient(create_app(round_dir.root, token), base_url="http://127.0.0.1:8765")
    tc.get(f"/?token={token}", follow_redirects=False)
    app = tc.app
    limit = app.max_body  # the guard itself
    r = tc.post("/create", headers={"content-length": str(limit + 1)}, content=b"")
    assert r.status_code == 413 and "超过上限" in r.text
    assert tc.post("/create", content=b"x" * 10).status_code in (200, 303)
