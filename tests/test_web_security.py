"""The web app shared beyond loopback (issue 26): no token, no answer on any route; viewers read and analyse,
editors also add and delete; the login form and every state change by cookie carry a CSRF token; the security
headers on every answer; a request rate per client; URL fetches never reach a private address, whatever the
DNS answers or a redirect says."""

from __future__ import annotations

import html
import json
import re
import socket
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sourcetrace import Pipeline
from sourcetrace.article import fetch
from sourcetrace.errors import FetchError
from sourcetrace.web.app import create_app, server_app
from sourcetrace.web.security import (
    EDITOR,
    VIEWER,
    AccessError,
    AccessPolicy,
    RateLimit,
    access_policy,
    hash_token,
)

with warnings.catch_warnings():  # Starlette nudges towards httpx2; the pinned httpx works as it is
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

VIEWER_TOKEN = "viewer-token-for-the-tests-0123456789"
EDITOR_TOKEN = "editor-token-for-the-tests-9876543210"
ARTICLE = ("Port city approves harbour dredging\n\n"
           "The city council approved the dredging of the old harbour on Tuesday, the mayor said. "
           "\"The port must stay open to larger ships,\" the mayor told reporters. Environmental groups warned "
           "that the work would harm the salt marsh, according to a statement from the coalition.")


def _policy(**changes: object) -> AccessPolicy:
    policy = AccessPolicy({VIEWER: hash_token(VIEWER_TOKEN), EDITOR: hash_token(EDITOR_TOKEN)}, required=True)
    for name, value in changes.items():
        setattr(policy, name, value)
    return policy


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sourcetrace.corpus.store import Store

    path = tmp_path_factory.mktemp("shared") / "store.db"
    Store(path).close()  # an empty store, created
    return path


@pytest.fixture(scope="module")
def client(pipeline: Pipeline, store: Path) -> Iterator[TestClient]:
    app = server_app(workers=0, pipeline=pipeline, db=str(store), access=_policy())
    with TestClient(app) as test_client:
        yield test_client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---- no token, no answer -------------------------------------------------------------------------------


def _routes(routes: list[Any]) -> Iterator[Any]:
    """Every route, those of included routers too (FastAPI keeps an included router as one entry)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes)
        else:
            yield route


def test_every_route_refuses_a_request_without_a_valid_token(client: TestClient) -> None:
    seen = 0
    for route in _routes(client.app.routes):  # type: ignore[attr-defined]
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            for headers in ({}, _bearer("not-a-token-at-all-0000000000"), {"Cookie": "sourcetrace_session=forged"}):
                response = client.request(method, path, headers=headers, json={"text": ARTICLE})
                assert response.status_code == 401, (method, path, headers, response.text)
                assert response.headers["www-authenticate"].startswith("Bearer")
                seen += 1
    assert seen >= 3 * 12  # the form, the API, the corpus pages and the editor's routes are all in app.routes
    for route in _routes(client.app.routes):  # type: ignore[attr-defined]
        if "GET" in (getattr(route, "methods", None) or ()):  # with a token: answered (404 for id 1)
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            assert client.get(path, headers=_bearer(VIEWER_TOKEN)).status_code in (200, 404, 422), path
    assert client.get("/no/such/page").status_code == 401  # not even a 404 says what exists
    assert client.get("/api/corpus/stats").json()["error"].startswith("this server needs an access token")
    login = client.get("/corpus", headers={"Accept": "text/html"})
    assert login.status_code == 401 and 'action="/login"' in login.text and 'type="password"' in login.text


def test_tokens_are_made_once_stored_hashed_and_needed_beyond_loopback(tmp_path: Path) -> None:
    open_policy, notes = access_policy("127.0.0.1", token_file=tmp_path / "a.json", environ={})
    assert not open_policy.required and notes == [] and not (tmp_path / "a.json").exists()
    shared, notes = access_policy("0.0.0.0", token_file=tmp_path / "a.json", environ={})
    assert shared.required
    stored = json.loads((tmp_path / "a.json").read_text())
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o600
    printed = {line.split(":")[0].strip().split()[0]: line.split()[-1] for line in notes[1:]}
    assert shared.role_for(printed[VIEWER]) == VIEWER and shared.role_for(printed[EDITOR]) == EDITOR
    assert printed[VIEWER] not in (tmp_path / "a.json").read_text() and stored[VIEWER] == hash_token(printed[VIEWER])
    assert len(printed[VIEWER]) >= 40 and printed[VIEWER] != printed[EDITOR]
    again, notes = access_policy("192.0.2.7", token_file=tmp_path / "a.json", environ={})
    assert again.token_hashes == shared.token_hashes and not any(printed[VIEWER] in line for line in notes)
    from_env, _ = access_policy("127.0.0.1", environ={"SOURCETRACE_EDITOR_TOKEN": EDITOR_TOKEN})
    assert from_env.required and from_env.role_for(EDITOR_TOKEN) == EDITOR and from_env.role_for("") is None
    with pytest.raises(AccessError, match="at least 16"):
        access_policy("0.0.0.0", environ={"SOURCETRACE_VIEWER_TOKEN": "short"})
    with pytest.raises(AccessError, match="separate"):
        access_policy("0.0.0.0", environ={"SOURCETRACE_VIEWER_TOKEN": VIEWER_TOKEN,
                                          "SOURCETRACE_EDITOR_TOKEN": VIEWER_TOKEN})


# ---- roles ---------------------------------------------------------------------------------------------


def test_a_viewer_reads_and_analyses_but_cannot_add_or_delete_and_an_editor_can(client: TestClient) -> None:
    viewer, editor = _bearer(VIEWER_TOKEN), _bearer(EDITOR_TOKEN)
    assert client.get("/api/corpus/stats", headers=viewer).status_code == 200
    assert client.get("/", headers=viewer).status_code == 200
    analysed = client.post("/api/analyze", headers=viewer, json={"text": ARTICLE})
    assert analysed.status_code == 200 and analysed.json()["attributions"]
    refused = client.post("/api/corpus/articles", headers=viewer, json={"text": ARTICLE})
    assert refused.status_code == 403 and "editor" in refused.json()["error"]
    assert client.get("/api/corpus/stats", headers=viewer).json()["articles"] == 0

    added = client.post("/api/corpus/articles", headers=editor, json={"text": ARTICLE, "date": "2024-03-05"})
    assert added.status_code == 201 and added.json()["created"] is True
    article_id = added.json()["id"]
    again = client.post("/api/corpus/articles", headers=editor, json={"text": ARTICLE})
    assert again.status_code == 200 and again.json() == {"id": article_id, "created": False}
    stored = client.get(f"/api/corpus/articles/{article_id}", headers=viewer)
    assert stored.status_code == 200 and stored.json()["article"]["title"].startswith("Port city")
    assert client.get("/api/corpus/search", params={"q": "dredging"}, headers=viewer).json()[0]["id"] == article_id

    assert client.delete(f"/api/corpus/articles/{article_id}", headers=viewer).status_code == 403
    assert client.get(f"/api/corpus/articles/{article_id}", headers=viewer).status_code == 200
    deleted = client.delete(f"/api/corpus/articles/{article_id}", headers=editor)
    assert deleted.status_code == 200 and deleted.json() == {"deleted": article_id}
    assert client.get(f"/api/corpus/articles/{article_id}", headers=viewer).status_code == 404
    assert client.get("/api/corpus/search", params={"q": "dredging"}, headers=viewer).json() == []
    assert client.delete(f"/api/corpus/articles/{article_id}", headers=editor).status_code == 404


# ---- the login form and CSRF ---------------------------------------------------------------------------


def _sign_in(client: TestClient, token: str) -> str:
    """Sign in through the form as a browser would; returns the session's CSRF token from the form page."""
    client.cookies.clear()
    page = client.get("/", headers={"Accept": "text/html"})
    login_csrf = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert page.status_code == 401 and login_csrf is not None
    signed = client.post("/login", data={"token": token, "login_csrf": login_csrf.group(1), "next": "/"},
                         follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    form = client.get("/")
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert form.status_code == 200 and found is not None
    return found.group(1)


def test_the_login_form_needs_its_own_csrf_token_and_a_valid_token(client: TestClient) -> None:
    client.cookies.clear()
    page = client.get("/corpus?q=x", headers={"Accept": "text/html"})
    assert 'name="next" value="/corpus?q=x"' in page.text
    forged = client.post("/login", data={"token": EDITOR_TOKEN, "login_csrf": "guess", "next": "/"},
                         follow_redirects=False)
    assert forged.status_code == 401 and "expired" in forged.text and "sourcetrace_session=" not in str(
        forged.headers.get("set-cookie"))
    login_csrf = re.search(r'name="login_csrf" value="([^"]+)"', forged.text)
    assert login_csrf is not None
    wrong = client.post("/login", data={"token": "wrong-token-wrong-token", "login_csrf": login_csrf.group(1),
                                        "next": "https://evil.example/"}, follow_redirects=False)
    assert wrong.status_code == 401 and "not valid" in wrong.text
    login_csrf = re.search(r'name="login_csrf" value="([^"]+)"', wrong.text)
    assert login_csrf is not None
    offsite = client.post("/login", data={"token": VIEWER_TOKEN, "login_csrf": login_csrf.group(1),
                                          "next": "//evil.example/"}, follow_redirects=False)
    assert offsite.status_code == 303 and offsite.headers["location"] == "/"  # never sent elsewhere


def test_the_form_is_csrf_protected(client: TestClient) -> None:
    csrf = _sign_in(client, VIEWER_TOKEN)
    fields = {"text": (None, ARTICLE), "title": (None, "")}
    missing = client.post("/report", files=fields)
    assert missing.status_code == 403 and "CSRF" in missing.json()["error"]
    wrong = client.post("/report", files={**fields, "csrf_token": (None, "x" + csrf[1:])})
    assert wrong.status_code == 403
    other_session = _sign_in(client, VIEWER_TOKEN)  # a token from one session is no good in another
    assert other_session != csrf
    assert client.post("/report", files={**fields, "csrf_token": (None, csrf)}).status_code == 403
    report = client.post("/report", files={**fields, "csrf_token": (None, other_session)})
    assert report.status_code == 200 and "the mayor" in report.text

    editor_csrf = _sign_in(client, EDITOR_TOKEN)
    added = client.post("/api/corpus/articles", json={"text": ARTICLE})  # by cookie, so CSRF applies to JSON too
    assert added.status_code == 403
    added = client.post("/api/corpus/articles", json={"text": ARTICLE}, headers={"X-CSRF-Token": editor_csrf})
    assert added.status_code == 201
    article_id = added.json()["id"]
    assert client.delete(f"/api/corpus/articles/{article_id}").status_code == 403
    assert client.delete(f"/api/corpus/articles/{article_id}", headers={"X-CSRF-Token": editor_csrf}).status_code \
        == 200
    assert client.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    out = client.post("/logout", data={"csrf_token": editor_csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/api/corpus/stats").status_code == 401  # the session is gone on the server
    client.cookies.clear()


# ---- headers -------------------------------------------------------------------------------------------


def _assert_security_headers(response: Any) -> str:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    policies = response.headers.get_list("content-security-policy")
    assert len(policies) == 1 and "frame-ancestors 'none'" in policies[0] and "default-src 'none'" in policies[0]
    assert "unsafe-inline" not in policies[0] and "unsafe-eval" not in policies[0]
    return policies[0]


def test_security_headers_on_html_json_and_refusals(client: TestClient, pipeline: Pipeline) -> None:
    viewer = _bearer(VIEWER_TOKEN)
    page = client.get("/", headers=viewer)
    policy = _assert_security_headers(page)
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page.text)
    assert meta is not None and policy.startswith(html.unescape(meta.group(1)))  # the page's own hashes, as a header
    assert "style-src 'sha256-" in policy and page.headers["cache-control"] == "no-store"
    assert "sandbox" in _assert_security_headers(client.get("/api/corpus/stats", headers=viewer))
    report = client.post("/api/analyze", headers=viewer, json={"text": ARTICLE})
    _assert_security_headers(report)
    html_report = client.post("/report", headers=viewer, files={"text": (None, ARTICLE)})
    assert html_report.status_code == 200 and "script-src 'sha256-" in _assert_security_headers(html_report)
    for refused in (client.get("/api/schema"), client.get("/", headers={"Accept": "text/html"}),
                    client.post("/api/corpus/articles", headers=viewer, json={})):
        _assert_security_headers(refused)
    with TestClient(create_app(pipeline=pipeline)) as local:  # the loopback app carries them too
        _assert_security_headers(local.get("/"))
        _assert_security_headers(local.get("/healthz"))


# ---- rate limit and the loopback mode -----------------------------------------------------------------


def test_request_rate_per_client_is_bounded(pipeline: Pipeline) -> None:
    app = create_app(pipeline=pipeline, access=_policy(rate_limit=RateLimit(rate=0.5, burst=3)))
    with TestClient(app) as test_client:
        answers = [test_client.get("/healthz", headers=_bearer(VIEWER_TOKEN)).status_code for _ in range(3)]
        assert answers == [200, 200, 200]
        limited = test_client.get("/healthz", headers=_bearer(VIEWER_TOKEN))
        assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 2
        assert "too many requests" in limited.json()["error"]
        # guessing tokens counts against the same bucket
        assert test_client.get("/healthz", headers=_bearer("guess-guess-guess-guess")).status_code == 429
        other = TestClient(app, client=("192.0.2.9", 5000))  # another client has its own bucket
        assert other.get("/healthz", headers=_bearer(VIEWER_TOKEN)).status_code == 200


def test_loopback_without_tokens_answers_only_loopback_names_and_same_origin(pipeline: Pipeline) -> None:
    policy, _ = access_policy("127.0.0.1", environ={}, rate=0)
    assert not policy.required and policy.rate_limit is None
    with TestClient(create_app(pipeline=pipeline, access=policy), base_url="http://127.0.0.1:8000") as local:
        assert local.get("/healthz").status_code == 200
        assert local.get("/healthz", headers={"Host": "localhost:8000"}).status_code == 200
        rebound = local.get("/healthz", headers={"Host": "attacker.example:8000"})  # DNS rebinding
        assert rebound.status_code == 421
        cross = local.post("/api/analyze", json={"text": ARTICLE}, headers={"Origin": "https://evil.example"})
        assert cross.status_code == 403
        # a sandboxed frame elsewhere sends Origin null; so does this app's own form under no-referrer, and fetch
        # metadata tells them apart
        sandboxed = local.post("/api/analyze", json={"text": ARTICLE},
                               headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"})
        assert sandboxed.status_code == 403
        own_form = local.post("/api/analyze", json={"text": ARTICLE},
                              headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
        assert own_form.status_code == 200
        assert local.post("/api/analyze", json={"text": ARTICLE}, headers={"Origin": "http://127.0.0.1:8000",
                                                                           "Sec-Fetch-Site": "same-site"}
                          ).status_code == 403  # another port of this host is another origin
        # no Content-Type at all (a cross-site fetch of a typeless Blob may send one) is still JSON to FastAPI
        blob = local.post("/api/analyze", content=json.dumps({"text": ARTICLE}).encode(),
                          headers={"Origin": "https://evil.example"})
        assert blob.status_code == 403
        same = local.post("/api/analyze", json={"text": ARTICLE}, headers={"Origin": "http://127.0.0.1:8000"})
        assert same.status_code == 200


# ---- URL fetches: private addresses refused, the checked address is the one connected to ---------------


class FakeNet:
    """A resolver and a transport in place of the network: names map to address lists (one list per lookup,
    the last repeated), and every request the fetcher sends is recorded."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, names: dict[str, list[list[str]]],
                 pages: dict[str, httpx.Response]) -> None:
        self.names, self.pages, self.lookups = names, pages, {name: 0 for name in names}
        self.sent: list[httpx.Request] = []
        monkeypatch.setattr(fetch.socket, "getaddrinfo", self.getaddrinfo)
        real_client = httpx.Client
        net = self

        class Client(real_client):  # type: ignore[misc,valid-type]
            def __init__(self, **options: object) -> None:
                super().__init__(transport=httpx.MockTransport(net.answer), **options)

        monkeypatch.setattr(fetch.httpx, "Client", Client)

    def getaddrinfo(self, host: str, port: int, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        if host not in self.names:
            raise socket.gaierror(f"unknown host {host}")
        answers = self.names[host]
        answer = answers[min(self.lookups[host], len(answers) - 1)]
        self.lookups[host] += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in answer]

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.pages.get(f"{request.headers['host']}{request.url.path}", httpx.Response(404))


PAGE = httpx.Response(200, headers={"content-type": "text/html"},
                      html=f"<html><head><title>Port</title></head><body><p>{ARTICLE}</p></body></html>")


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.0.10", "::1"])
def test_a_name_resolving_to_a_private_address_is_refused_before_any_connection(
        monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    net = FakeNet(monkeypatch, {"intranet.example": [[address]]}, {"intranet.example/": PAGE})
    with pytest.raises(FetchError, match=f"refusing to fetch .*resolves to {re.escape(address)}"):
        fetch.fetch_url("http://intranet.example/")
    assert net.sent == []


def test_one_private_address_among_public_ones_is_enough_to_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    net = FakeNet(monkeypatch, {"mixed.example": [["93.184.216.34", "10.0.0.1"]]}, {})
    with pytest.raises(FetchError, match=r"10\.0\.0\.1, a private address"):
        fetch.fetch_url("http://mixed.example/")
    assert net.sent == []


def test_a_redirect_to_a_private_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    hop = httpx.Response(302, headers={"location": "http://metadata.example/latest/meta-data/"})
    net = FakeNet(monkeypatch, {"news.example": [["93.184.216.34"]], "metadata.example": [["169.254.169.254"]]},
                  {"news.example/story": hop})
    with pytest.raises(FetchError, match=r"refusing to fetch http://metadata\.example/.*link-local"):
        fetch.fetch_url("http://news.example/story")
    assert [request.url.host for request in net.sent] == ["93.184.216.34"]


def test_dns_rebinding_cannot_move_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # the name answers a public address when checked and 127.0.0.1 on every later lookup; the request must
    # still go to the checked address (pinned), with the real name in the Host header
    net = FakeNet(monkeypatch, {"rebind.example": [["93.184.216.34"], ["127.0.0.1"]]}, {"rebind.example/a": PAGE})
    page = fetch.fetch_url("http://rebind.example/a")
    assert page.url == "http://rebind.example/a" and b"harbour" in page.data
    assert [(r.url.host, r.headers["host"]) for r in net.sent] == [("93.184.216.34", "rebind.example")]
    assert net.lookups["rebind.example"] == 1  # one lookup per hop: the address checked is the address used


def test_the_web_app_refuses_private_fetches_for_any_user(monkeypatch: pytest.MonkeyPatch, client: TestClient) -> None:
    hop = httpx.Response(301, headers={"location": "http://intranet.example/"})
    net = FakeNet(monkeypatch, {"intranet.example": [["10.0.0.7"]], "news.example": [["93.184.216.34"]]},
                  {"news.example/moved": hop})
    editor = _bearer(EDITOR_TOKEN)
    direct = client.post("/api/analyze", headers=editor, json={"url": "http://intranet.example/"})
    assert direct.status_code == 400 and "private address" in direct.json()["error"]
    redirected = client.post("/api/corpus/articles", headers=editor, json={"url": "http://news.example/moved"})
    assert redirected.status_code == 400 and "intranet.example" in redirected.json()["error"]
    assert all(request.url.host != "10.0.0.7" for request in net.sent)
