"""Who may use ``sourcetrace serve`` and how much: access tokens and roles, sessions with CSRF tokens, the
security headers (a strict Content-Security-Policy among them) and a request rate per client.

One ASGI middleware (:class:`Guard`) wraps the whole app, so every route, including the ones added later by
other modules (the corpus pages, the story pages, the JSON API) is covered without declaring anything.

The access model (docs/security.md):

* On a loopback address with no token configured, anyone who can reach the port may use the app, as before;
  requests must name a loopback host (``Host: 127.0.0.1:8000``, ``localhost``), so a web page that re-points
  its own name at 127.0.0.1 (DNS rebinding) is refused, and a state-changing request from a foreign
  ``Origin`` is refused.
* Bound to any other address (or with a token configured), every request needs a token: ``Authorization:
  Bearer TOKEN`` for the API, or the login form, which exchanges the token for a session cookie (HttpOnly,
  SameSite=Strict). Without one the answer is 401 (JSON, or the login form for a browser).
* Two roles, with separate tokens: a *viewer* reads (any GET) and analyses (``POST /report``,
  ``POST /api/analyze``, which store nothing); an *editor* may also add, delete and run jobs: every other
  state-changing request. A viewer asking for one is answered 403.
* A request authenticated by the session cookie that changes state must carry the session's CSRF token (a
  form field ``csrf_token`` or an ``X-CSRF-Token`` header), else 403; a bearer token in the Authorization
  header is never sent by a browser on its own, so it needs none.
* Tokens are 256-bit random strings, stored only as SHA-256 hashes (a token with that much entropy needs no
  slow hash). Generated on first start and printed once, or given by the operator in
  ``SOURCETRACE_VIEWER_TOKEN`` / ``SOURCETRACE_EDITOR_TOKEN``.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import html
import ipaddress
import json
import math
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2
from markupsafe import Markup

from sourcetrace.errors import InputError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

VIEWER, EDITOR = "viewer", "editor"
ROLES = (VIEWER, EDITOR)
TOKEN_ENV = {VIEWER: "SOURCETRACE_VIEWER_TOKEN", EDITOR: "SOURCETRACE_EDITOR_TOKEN"}
MIN_TOKEN_CHARS = 16  # an operator's own token shorter than this is refused: it could be guessed
SESSION_COOKIE = "sourcetrace_session"
LOGIN_COOKIE = "sourcetrace_login"  # the login form's own CSRF token (double submit), before any session
CSRF_FIELD = "csrf_token"
CSRF_HEADER = b"x-csrf-token"
SESSION_SECONDS = 12 * 3600
MAX_SESSIONS = 10_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# state-changing requests a viewer may make: analyses, which store nothing
VIEWER_POSTS = frozenset({"/report", "/api/analyze"})

# Headers on every answer. X-Frame-Options is for browsers that predate frame-ancestors; the feature list of
# Permissions-Policy names only features Chromium knows (an unknown one is a console error).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()",
}
# An HTML page states its own policy (hashes of its inline style and script) in a meta tag; the header
# repeats it with what only a header can say. A page without one gets this: nothing inline runs.
DEFAULT_HTML_CSP = "default-src 'none'; base-uri 'none'; form-action 'self'"
NON_HTML_CSP = "default-src 'none'; sandbox"
_META_CSP = re.compile(rb"<meta\s+http-equiv=[\"']Content-Security-Policy[\"']\s+content=\"([^\"]*)\"",
                       re.IGNORECASE)

_csrf: contextvars.ContextVar[str | None] = contextvars.ContextVar("sourcetrace_csrf", default=None)


def csrf_token() -> str | None:
    """The CSRF token of the current request's session, for a form's hidden ``csrf_token`` field; None when the
    request has no session (loopback without tokens, or a bearer token)."""
    return _csrf.get()


class AccessError(InputError):
    """The access settings cannot be used (a token too short, an unreadable token file)."""


# ---- tokens ------------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def default_token_file(db: Path | None) -> Path:
    """Next to the corpus store when there is one (its tokens belong to it), else in the user config dir."""
    if db is not None:
        return db.with_name(db.name + ".access.json")
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "sourcetrace" / "access.json"


def load_or_create_tokens(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The token hashes by role stored at ``path``; when the file is absent, new tokens are made and their
    hashes written (mode 0600, never overwriting a file made meanwhile). Returns (hashes, new plain tokens)."""
    if path.exists():
        try:
            data = json.loads(path.read_text("utf-8"))
            hashes = {role: str(data[role]) for role in ROLES}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise AccessError(f"cannot read the access tokens in {path}: {error}; delete the file to make new "
                              "ones") from None
        if not all(re.fullmatch(r"[0-9a-f]{64}", value) for value in hashes.values()):
            raise AccessError(f"the access token file {path} holds no SHA-256 hashes; delete it to make new ones")
        return hashes, {}
    tokens = {role: new_token() for role in ROLES}
    hashes = {role: hash_token(token) for role, token in tokens.items()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create_tokens(path)  # another server made it first: use its tokens
    except OSError as error:
        raise AccessError(f"cannot write the access token file {path}: {error.strerror or error}") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({**hashes, "hash": "sha256"}, handle, indent=1)
    return hashes, tokens


def is_loopback_host(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# ---- settings ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    """A token bucket per client: ``rate`` requests a second on average, bursts of up to ``burst``."""

    rate: float
    burst: int


@dataclass
class AccessPolicy:
    """What :class:`Guard` enforces. ``token_hashes`` empty and ``required`` False: open (loopback)."""

    token_hashes: dict[str, str] = field(default_factory=dict)
    required: bool = False
    rate_limit: RateLimit | None = None
    # Host header names accepted without a token (loopback mode); None accepts any (the tests' TestClient)
    allowed_hosts: frozenset[str] | None = None
    max_body_bytes: int = 2_000_000

    def role_for(self, token: str) -> str | None:
        """The role a presented token grants (compared in constant time), or None."""
        digest = hash_token(token)
        role = None
        for name in ROLES:
            expected = self.token_hashes.get(name)
            if expected is not None and hmac.compare_digest(digest, expected):
                role = name
        return role


def access_policy(host: str, *, db: Path | None = None, token_file: Path | None = None,
                  rate: float = 20.0, burst: int = 60, max_body_bytes: int = 2_000_000,
                  environ: Mapping[str, str] | None = None) -> tuple[AccessPolicy, list[str]]:
    """The policy for a server bound to ``host``, and the lines to print at start-up (new tokens, once).

    Tokens come from the environment when set there (both roles, or one: the other role then has no token
    and cannot log in), else from ``token_file`` (made on first start). Loopback with no token in the
    environment stays open."""
    environ = os.environ if environ is None else environ
    limit = RateLimit(rate, max(1, burst)) if rate > 0 else None
    given = {role: environ[variable] for role, variable in TOKEN_ENV.items() if environ.get(variable)}
    for role, token in given.items():
        if len(token) < MIN_TOKEN_CHARS:
            raise AccessError(f"{TOKEN_ENV[role]} is {len(token)} characters; use at least {MIN_TOKEN_CHARS} "
                              "random ones (python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    if given.get(VIEWER) and given.get(VIEWER) == given.get(EDITOR):
        raise AccessError(f"{TOKEN_ENV[VIEWER]} and {TOKEN_ENV[EDITOR]} are the same; the roles need separate "
                          "tokens")
    loopback = is_loopback_host(host)
    if loopback and not given:
        port_free = {"127.0.0.1", "localhost", "[::1]", "::1"}
        return AccessPolicy(rate_limit=limit, allowed_hosts=frozenset(port_free | {host.lower()}),
                            max_body_bytes=max_body_bytes), []
    if given:
        hashes = {role: hash_token(token) for role, token in given.items()}
        return AccessPolicy(hashes, True, limit, max_body_bytes=max_body_bytes), [
            f"access tokens from the environment ({', '.join(TOKEN_ENV[r] for r in hashes)}); every request "
            "needs one"]
    path = token_file or default_token_file(db)
    hashes, new = load_or_create_tokens(path)
    if new:
        lines = [f"access tokens made and stored hashed in {path}; they are shown this once, keep them:",
                 f"  viewer (read and analyse):           {new[VIEWER]}",
                 f"  editor (also add and delete):        {new[EDITOR]}"]
    else:
        lines = [f"access tokens: the ones made on first start (hashes in {path}; delete it for new ones)"]
    return AccessPolicy(hashes, True, limit, max_body_bytes=max_body_bytes), lines


# ---- sessions and the rate limit ---------------------------------------------------------------------


@dataclass
class Session:
    role: str
    csrf: str
    expires: float


class Sessions:
    """Server-side sessions (the cookie holds only a random id); bounded, oldest dropped first."""

    def __init__(self) -> None:
        self._by_id: dict[str, Session] = {}

    def create(self, role: str) -> tuple[str, Session]:
        now = time.monotonic()
        if len(self._by_id) >= MAX_SESSIONS:
            for key in [k for k, s in self._by_id.items() if s.expires <= now] or list(self._by_id)[:100]:
                self._by_id.pop(key, None)
        session_id = secrets.token_urlsafe(32)
        session = Session(role, secrets.token_urlsafe(32), now + SESSION_SECONDS)
        self._by_id[session_id] = session
        return session_id, session

    def get(self, session_id: str) -> Session | None:
        session = self._by_id.get(session_id)
        if session is not None and session.expires <= time.monotonic():
            del self._by_id[session_id]
            return None
        return session

    def drop(self, session_id: str) -> None:
        self._by_id.pop(session_id, None)


class Buckets:
    """Token buckets by client key; full (idle) buckets are forgotten when there are too many."""

    MAX_KEYS = 50_000

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._state: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        now = time.monotonic()
        tokens, then = self._state.get(key, (float(self.limit.burst), now))
        tokens = min(float(self.limit.burst), tokens + (now - then) * self.limit.rate)
        if tokens >= 1.0:
            self._state[key] = (tokens - 1.0, now)
            if len(self._state) > self.MAX_KEYS:
                self._forget_idle(now)
            return 0.0
        self._state[key] = (tokens, now)
        return (1.0 - tokens) / self.limit.rate

    def _forget_idle(self, now: float) -> None:
        full_after = self.limit.burst / self.limit.rate
        for key in [k for k, (_, then) in self._state.items() if now - then >= full_after]:
            del self._state[key]


# ---- the middleware ----------------------------------------------------------------------------------


_LOGIN = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · sourcetrace</title><style>{{ style }}</style></head>
<body><main>
<h1>sourcetrace</h1>
<p>This server is shared: enter the access token you were given (viewer or editor).</p>
{% if error %}<p class="error" role="alert">{{ error }}</p>{% endif %}
<form method="post" action="/login">
<input type="hidden" name="login_csrf" value="{{ login_csrf }}">
<input type="hidden" name="next" value="{{ next }}">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form></main></body></html>
""")
_LOGIN_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f6f4;color:#1d1d1b}"
                "main{max-width:28rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.5rem 0 .2rem}"
                "input[type=password]{width:100%;padding:.4rem;font:inherit;box-sizing:border-box}"
                "button{margin-top:.8rem;padding:.4rem 1rem;font:inherit}.error{color:#a11}")
_LOGIN_STYLE_MARKUP = Markup(_LOGIN_STYLE)


def _login_csp() -> str:
    from sourcetrace.render.html import _sha256

    return f"default-src 'none'; style-src '{_sha256(_LOGIN_STYLE)}'; form-action 'self'; base-uri 'none'"


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers") or []}


def _cookies(headers: Mapping[bytes, bytes]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name and name not in found:
            found[name] = value
    return found


def _wants_html(path: str, headers: Mapping[bytes, bytes]) -> bool:
    if path.startswith("/api/") or path == "/openapi.json":
        return False
    return b"text/html" in headers.get(b"accept", b"")


def _local_path(target: str) -> str:
    """``target`` when it is a path on this server (never ``//elsewhere`` or a scheme), else ``/``."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class Guard:
    """The access rules, the rate limit and the security headers, as one ASGI middleware around the app."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy) -> None:
        self.app, self.policy = app, policy
        self.sessions = Sessions()
        self.buckets = Buckets(policy.rate_limit) if policy.rate_limit else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_headers(scope, send)
        headers = _headers(scope)
        method, path = scope["method"], scope.get("path", "")
        if self.buckets is not None:
            client = scope.get("client")
            wait = self.buckets.take(client[0] if client else "?")
            if wait > 0:
                await self._refuse(scope, send, 429, "too many requests from this client; slow down",
                                   [(b"retry-after", str(max(1, math.ceil(wait))).encode())])
                return
        if not self.policy.required:
            await self._open(scope, receive, send, headers)
            return
        if path == "/login" and method == "POST":
            await self._login(scope, receive, send, headers)
            return
        role, session, session_id = self._credential(headers)
        if role is None:
            await self._unauthorised(scope, send, headers)
            return
        if path == "/logout" and method == "POST" and session_id is not None:
            body, receive = await self._buffer(receive)
            if session is None or not self._csrf_ok(scope, headers, body, session):
                await self._refuse(scope, send, 403, "missing or wrong CSRF token; reload the page and try again")
                return
            self.sessions.drop(session_id)
            await self._redirect(send, "/", [self._cookie(scope, SESSION_COOKIE, "", 0)])
            return
        if method not in SAFE_METHODS:
            if role != EDITOR and path not in VIEWER_POSTS:
                await self._refuse(scope, send, 403, "this needs the editor token; the viewer token only reads "
                                   "and analyses")
                return
            if session is not None:
                body, receive = await self._buffer(receive)
                if not self._csrf_ok(scope, headers, body, session):
                    await self._refuse(scope, send, 403, "missing or wrong CSRF token; reload the page and try "
                                       "again")
                    return
        scope.setdefault("state", {})["role"] = role
        token = _csrf.set(session.csrf if session is not None else None)
        try:
            await self.app(scope, receive, send)
        finally:
            _csrf.reset(token)

    # -- the open (loopback) mode

    async def _open(self, scope: Scope, receive: Receive, send: Send, headers: Mapping[bytes, bytes]) -> None:
        allowed = self.policy.allowed_hosts
        if allowed is not None:
            host = headers.get(b"host", b"").decode("latin-1").lower()
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in allowed and host not in allowed:
                await self._refuse(scope, send, 421, "this server answers only to a loopback host name "
                                   "(127.0.0.1, localhost)")
                return
            if scope["method"] not in SAFE_METHODS and self._cross_site(headers, allowed):
                await self._refuse(scope, send, 403, "cross-site request refused")
                return
        scope.setdefault("state", {})["role"] = EDITOR
        await self.app(scope, receive, send)

    @staticmethod
    def _cross_site(headers: Mapping[bytes, bytes], allowed: frozenset[str]) -> bool:
        """Whether a browser sent this request from another site. Fetch metadata says so where the browser
        sends it; else the Origin, except "null": under ``Referrer-Policy: no-referrer`` a browser sends
        ``Origin: null`` for this app's own form posts (a sandboxed frame elsewhere sends it too, but with
        ``Sec-Fetch-Site: cross-site`` in any browser of the last years)."""
        site = headers.get(b"sec-fetch-site")
        if site is not None:
            return site not in (b"same-origin", b"none")
        origin = headers.get(b"origin")
        if origin is None or origin == b"null":
            return False
        return (urlsplit(origin.decode("latin-1")).hostname or "").lower() not in {a.strip("[]") for a in allowed}

    # -- credentials

    def _credential(self, headers: Mapping[bytes, bytes]) -> tuple[str | None, Session | None, str | None]:
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return self.policy.role_for(token.strip()), None, None
        session_id = _cookies(headers).get(SESSION_COOKIE)
        if session_id:
            session = self.sessions.get(session_id)
            if session is not None:
                return session.role, session, session_id
        return None, None, None

    def _csrf_ok(self, scope: Scope, headers: Mapping[bytes, bytes], body: bytes, session: Session) -> bool:
        presented = headers.get(CSRF_HEADER, b"").decode("latin-1") or self._form_field(headers, body, CSRF_FIELD)
        return bool(presented) and hmac.compare_digest(presented.encode(), session.csrf.encode())

    @staticmethod
    def _form_field(headers: Mapping[bytes, bytes], body: bytes, name: str) -> str:
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        kind = content_type.split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            values = parse_qs(body.decode("utf-8", "replace")).get(name)
            return values[0] if values else ""
        if kind == "multipart/form-data":
            return _multipart_field(content_type, body, name)
        return ""

    async def _buffer(self, receive: Receive) -> tuple[bytes, Receive]:
        """The request body (at most the body limit; past it, what was read, and the app's limit answers 413)
        and a ``receive`` that replays it to the app."""
        chunks: list[bytes] = []
        size, more = 0, True
        while more and size <= self.policy.max_body_bytes:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": more}
            return await receive()

        return body, replay

    # -- login

    async def _login(self, scope: Scope, receive: Receive, send: Send, headers: Mapping[bytes, bytes]) -> None:
        body, _ = await self._buffer(receive)
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        next_path = _local_path(form.get("next", "/"))
        expected = _cookies(headers).get(LOGIN_COOKIE, "")
        if not expected or not hmac.compare_digest(form.get("login_csrf", "").encode(), expected.encode()):
            await self._login_page(scope, send, next_path, "The sign-in form expired; enter the token again.")
            return
        role = self.policy.role_for(form.get("token", "").strip())
        if role is None:
            await self._login_page(scope, send, next_path, "That token is not valid on this server.")
            return
        session_id, _ = self.sessions.create(role)
        await self._redirect(send, next_path, [self._cookie(scope, SESSION_COOKIE, session_id, SESSION_SECONDS),
                                               self._cookie(scope, LOGIN_COOKIE, "", 0)])

    async def _login_page(self, scope: Scope, send: Send, next_path: str, error: str | None) -> None:
        login_csrf = secrets.token_urlsafe(24)
        page = _LOGIN.render(csp=_login_csp(), style=_LOGIN_STYLE_MARKUP, error=error, login_csrf=login_csrf,
                             next=next_path).encode("utf-8")
        await self._send(send, 401, page, b"text/html; charset=utf-8",
                         [self._cookie(scope, LOGIN_COOKIE, login_csrf, 3600),
                          (b"www-authenticate", b'Bearer realm="sourcetrace"')])

    async def _unauthorised(self, scope: Scope, send: Send, headers: Mapping[bytes, bytes]) -> None:
        path = scope.get("path", "/")
        if _wants_html(path, headers) and scope["method"] == "GET":
            query = scope.get("query_string", b"").decode("latin-1")
            await self._login_page(scope, send, _local_path(path + (f"?{query}" if query else "")), None)
            return
        await self._refuse(scope, send, 401, "this server needs an access token: send 'Authorization: Bearer "
                           "TOKEN', or sign in at /", [(b"www-authenticate", b'Bearer realm="sourcetrace"')])

    # -- answers

    @staticmethod
    def _cookie(scope: Scope, name: str, value: str, max_age: int) -> tuple[bytes, bytes]:
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        return b"set-cookie", (f"{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
                               ).encode("latin-1")

    @staticmethod
    async def _send(send: Send, status: int, body: bytes, content_type: bytes,
                    extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store"), *extra]})
        await send({"type": "http.response.body", "body": body})

    async def _refuse(self, scope: Scope, send: Send, status: int, message: str,
                      extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
        await self._send(send, status, json.dumps({"error": message}).encode(), b"application/json", extra)

    async def _redirect(self, send: Send, location: str, extra: Iterable[tuple[bytes, bytes]]) -> None:
        await self._send(send, 303, b"", b"text/plain", [(b"location", location.encode("latin-1")), *extra])

    def _with_headers(self, scope: Scope, send: Send) -> Send:
        """``send`` adding the security headers; an HTML answer is held until its end so that the policy in
        its meta tag can be copied into the header (with ``frame-ancestors``, which only a header can say)."""
        start: Message | None = None
        held: list[bytes] = []

        def finish(message: Message, csp: str) -> Message:
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
                     if name.lower().encode() not in present]
            headers = [(n, v) for n, v in message.get("headers", []) if n.lower() != b"content-security-policy"]
            if self.policy.required and b"cache-control" not in present:
                extra.append((b"cache-control", b"no-store"))  # shared pages stay out of shared caches
            message["headers"] = [*headers, *extra,
                                  (b"content-security-policy", f"{csp}; frame-ancestors 'none'".encode())]
            return message

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict((n.lower(), v) for n, v in message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    start = message
                    return
                await send(finish(message, NON_HTML_CSP))
                return
            if start is not None and message["type"] == "http.response.body":
                held.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(held)
                found = _META_CSP.search(body[:20_000])
                csp = html.unescape(found.group(1).decode("utf-8", "replace")) if found else DEFAULT_HTML_CSP
                await send(finish(start, csp.rstrip("; ")))
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        return wrapped


def _multipart_field(content_type: str, body: bytes, name: str) -> str:
    """One small text field of a multipart body (the CSRF token), without parsing the files around it."""
    boundary = re.search(r'boundary="?([^";]+)"?', content_type)
    if boundary is None:
        return ""
    delimiter = b"--" + boundary.group(1).encode("latin-1")
    wanted = re.compile(rb'^content-disposition:\s*form-data;.*\bname="' + re.escape(name.encode()) + rb'"',
                        re.IGNORECASE | re.MULTILINE)
    for part in body.split(delimiter):
        head, separator, value = part.partition(b"\r\n\r\n")
        if separator and wanted.search(head):
            return value.removesuffix(b"\r\n").decode("utf-8", "replace")[:200]
    return ""


def install(app: Any, policy: AccessPolicy | None) -> None:
    """Wrap ``app`` (a FastAPI/Starlette app) in the guard; with no policy, the open loopback one without a host
    check or rate limit (the tests' in-process client)."""
    app.add_middleware(Guard, policy=policy or AccessPolicy())
