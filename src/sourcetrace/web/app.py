"""``sourcetrace serve``: a small web app over the same pipeline and renderers as the command line.

``GET /`` is a plain HTML form (paste text, upload a file, or give a URL) that answers with the same
self-contained HTML report as ``--format html``; ``POST /api/analyze`` answers with the report JSON.

Choices worth knowing:

* Analyses run in a pool of worker processes (``serve --workers N``, :mod:`sourcetrace.web.workers`), each with
  its models loaded once at start-up, so one long article never holds the other requests: a request that
  finds every worker busy for ``--queue-wait`` seconds is answered 503, and an analysis that runs over
  ``--time-limit`` seconds is stopped (its worker replaced) and answered 504. Without workers (``workers=0``,
  or a ``pipeline`` passed in, as the tests do) one in-process pipeline analyses one article at a time
  behind a lock, with no time limit (spaCy's ``Language`` is not documented as thread-safe).
* Bodies are capped (2 MB by default) before any parsing, by an ASGI middleware that buffers at most that
  much, so an oversized upload costs nothing and is answered 413.
* Every expected failure is one JSON line ``{"error": "..."}`` (or the form again, with the message, for the
  HTML flow) with a status that says whose fault it is; the server keeps serving.
* URLs are fetched only over http(s) and, unless the server was started with ``--allow-private``, never
  from private, loopback or link-local addresses: the app must not become a way into the network it runs in.
  A user-supplied URL never reaches :func:`sourcetrace.article.ingest.load_article`, which would read a local path.
* No page loads anything from elsewhere: the OpenAPI UIs (which pull scripts from a CDN) are off; the
  machine-readable ``/openapi.json`` stays.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from sourcetrace.article.pipeline import Pipeline
from sourcetrace.errors import FetchError, InputError, SourcetraceError, UnsupportedLanguageError
from sourcetrace.models import Article, Report
from sourcetrace.web.security import AccessPolicy, csrf_token
from sourcetrace.web.security import install as install_guard
from sourcetrace.web.workers import AnalysisTimeout, ServerBusy, WorkerBug, WorkerPool

MAX_BODY_BYTES = 2_000_000
# per analysis, in a worker: a long article (50,000 characters) takes a few seconds of one core, the longest
# text allowed (1,000,000) about 90 s (docs/benchmarks.md, "Long texts"); longer runs are for the command line
TIME_LIMIT_S = 120.0
QUEUE_WAIT_S = 30.0  # how long a request waits for a free worker before it is answered 503
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    # frame-ancestors only works as a header; the pages carry the rest of their policy in a meta tag.
    "Content-Security-Policy": "frame-ancestors 'none'",
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestTooLarge(InputError):
    """The request body or the text in it is over the server's limit (answered 413)."""


class AnalyzeRequest(BaseModel):
    """``text`` is analysed as given; without it, ``url`` is fetched. With both, ``url`` is metadata."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="The article as plain text (first line: title)")
    url: str | None = Field(None, description="The article's URL: fetched when no text is given")
    title: str | None = Field(None, description="Override the detected title")
    site: str | None = Field(None, description="The publishing site (domain), if not given by the URL")


def status_for(error: SourcetraceError) -> int:
    """The HTTP status for an expected failure: 4xx when the request must change, 502 when the remote page failed."""
    if isinstance(error, RequestTooLarge):
        return 413
    if isinstance(error, ServerBusy):
        return 503
    if isinstance(error, AnalysisTimeout):
        return 504
    if isinstance(error, UnsupportedLanguageError | InputError):
        return 422
    if isinstance(error, _FetchRefused):
        return 400
    if isinstance(error, FetchError):
        return 502
    return 500


class _FetchRefused(FetchError):
    """The URL itself was refused (not http(s), no host, a private address): the user's to fix. A host that
    does not resolve is a page that cannot be fetched (502), as the README says."""


# ---- body limit --------------------------------------------------------------------------------------


class BodyLimit:
    """Reject request bodies over ``limit`` bytes with 413 before the app parses anything.

    The declared Content-Length is checked first; chunked bodies are buffered up to the limit and then
    replayed to the app, so the limit holds whatever the client claims.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        message = f"the request body is over the {self.limit:,}-byte limit of this server"
        response = _error_response(scope.get("path", ""), 413, message, self.limit)
        await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


class SecurityHeaders:
    """Headers every answer carries: no sniffing, no referrer, no framing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
                         if name.lower().encode() not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ---- pages -------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _form_assets() -> tuple[str, str]:
    """The form page's stylesheet and its CSP (the report's look, plus the form's own rules)."""
    from importlib import resources

    from sourcetrace.render.html import _sha256, page_css

    style = page_css() + "\n" + resources.files("sourcetrace.render").joinpath("templates", "form.css").read_text(
        "utf-8")
    csp = f"default-src 'none'; style-src '{_sha256(style)}'; form-action 'self'; base-uri 'none'"
    return style, csp


def _form_page(*, error: str | None = None, text: str = "", url: str = "", title: str = "",
               allow_private: bool = False, max_bytes: int = MAX_BODY_BYTES) -> str:
    from sourcetrace.render.html import _environment

    style, csp = _form_assets()
    return _environment().get_template("form.html").render(
        style=Markup(style), csp=csp, error=error, text=text, url=url, title=title, allow_private=allow_private,
        max_mb=max_bytes / 1_000_000, csrf_token=csrf_token(),
    )


def _error_response(path: str, status: int, message: str, max_bytes: int = MAX_BODY_BYTES) -> Response:
    if path == "/report":
        return HTMLResponse(_form_page(error=message, max_bytes=max_bytes), status_code=status)
    return JSONResponse({"error": message}, status_code=status)


# ---- the app -----------------------------------------------------------------------------------------


def create_app(*, pipeline: Pipeline | None = None, allow_private: bool = False,
               max_body_bytes: int = MAX_BODY_BYTES, workers: int = 0, time_limit: float = TIME_LIMIT_S,
               queue_wait: float = QUEUE_WAIT_S, access: AccessPolicy | None = None) -> FastAPI:
    """The ASGI app. With ``workers`` ≥ 1 (and no ``pipeline``), analyses run in that many worker processes
    under ``time_limit`` seconds each; otherwise in this process, with ``pipeline`` or one built at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = None
        if pipeline is None and workers >= 1:
            app.state.pool = WorkerPool(workers, time_limit=time_limit, queue_wait=queue_wait)
            await app.state.pool.start()
        else:
            app.state.pipeline = pipeline if pipeline is not None else await run_in_threadpool(Pipeline)
        try:
            yield
        finally:
            if app.state.pool is not None:
                await run_in_threadpool(app.state.pool.close)

    app = FastAPI(
        title="sourcetrace",
        summary="Who claims what, through whom, in whose voice: news articles read like a fact-checker.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    app.add_middleware(SecurityHeaders)
    install_guard(app, access)  # issue 26: tokens, roles, CSRF, CSP, rate limit (web/security.py), outermost
    lock = threading.Lock()

    def analyze_here(article: Article) -> Report:
        with lock:
            result: Report = app.state.pipeline.analyze_article(article)
            return result

    async def analyze_article(article: Article) -> Report:
        if app.state.pool is None:
            return await run_in_threadpool(analyze_here, article)
        report: Report = await app.state.pool.analyze(article, as_json=False)
        return report

    async def analyze_to_json(article: Article) -> str:
        if app.state.pool is None:
            return (await run_in_threadpool(analyze_here, article)).model_dump_json()
        answer: str = await app.state.pool.analyze(article, as_json=True)
        return answer

    app.state.analyze_article = analyze_article  # for routes defined elsewhere (web/editing.py)

    def fetch(url: str, title: str | None, site: str | None) -> Article:
        from sourcetrace.article.fetch import check_url, fetch_url
        from sourcetrace.article.ingest import article_from_bytes

        try:
            check_url(url, allow_private=allow_private)
        except FetchError as error:
            if not str(error).startswith("refusing"):
                raise  # the host does not resolve: the page cannot be fetched (502), the URL itself is fine
            raise _FetchRefused(str(error).replace("use --allow-private", "start the server with --allow-private")) \
                from None
        try:
            page = fetch_url(url, allow_private=allow_private)
        except FetchError as error:
            # fetch_url re-checks every redirect; a redirect to a refused address is the URL's fault, not the
            # remote server's, so it is answered like the first refusal.
            if str(error).startswith("refusing"):
                raise _FetchRefused(str(error).replace("use --allow-private",
                                                       "start the server with --allow-private")) from None
            raise
        return article_from_bytes(page.data, url=page.url, content_type=page.content_type, title=title, site=site)

    def from_text(text: str, url: str | None, title: str | None, site: str | None) -> Article:
        from sourcetrace.article.ingest import MAX_TEXT_CHARS, article_from_text

        if len(text) > MAX_TEXT_CHARS:
            raise RequestTooLarge(f"the text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
        return article_from_text(text, url=url or None, title=title or None, site=site or None)

    @app.exception_handler(SourcetraceError)
    async def expected_error(request: Request, error: SourcetraceError) -> Response:
        response = _error_response(request.url.path, status_for(error), str(error), max_body_bytes)
        if isinstance(error, ServerBusy):
            response.headers["Retry-After"] = "60"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = error.errors()
        first = problems[0] if problems else {}
        if isinstance(first.get("input"), bytes) and tuple(first.get("loc", ())) == ("body",):
            # not sent as JSON: FastAPI hands the raw bytes on, which may not even be text
            return JSONResponse({"error": _not_json_message(first["input"], request.headers.get("content-type"))},
                                status_code=415)
        if first.get("type") == "json_invalid":
            message = "invalid request: the body is not valid JSON"
        else:
            where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
            # a field name is the client's text: one line (found by fuzzing: {"\n\n": 1} broke the message)
            where = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in where)
            message = f"invalid request: {where + ': ' if where else ''}{first.get('msg', 'malformed body')}"
        # ASCII-escaped: the details echo the input, where a lone surrogate (JSON "\ud800") cannot be UTF-8 encoded
        # (found by fuzzing: a 500)
        body = json.dumps({"error": message, "details": jsonable_encoder(problems)}, ensure_ascii=True)
        return Response(body, status_code=422, media_type="application/json")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return _error_response(request.url.path, error.status_code, str(error.detail))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> Response:
        # A bug, not bad input: say so in one line; the traceback goes to the server log via uvicorn.
        name = error.name if isinstance(error, WorkerBug) else error.__class__.__name__
        return _error_response(request.url.path, 500, f"internal error ({name}); the server logged the details")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(_form_page(allow_private=allow_private, max_bytes=max_body_bytes))

    @app.post("/report", response_class=HTMLResponse, include_in_schema=False)
    async def report_page(request: Request) -> HTMLResponse:
        """The form's target: the HTML report, or the form again with a one-line error."""
        form = await request.form(max_part_size=max_body_bytes)
        text = str(form.get("text") or "")
        url = str(form.get("url") or "").strip()
        title = str(form.get("title") or "").strip() or None
        upload = form.get("file")
        try:
            if isinstance(upload, UploadFile) and upload.filename:
                from sourcetrace.article.ingest import article_from_bytes

                data = await upload.read()
                article = await run_in_threadpool(article_from_bytes, data, url=url or None,
                                                  content_type=upload.content_type, title=title)
            elif text.strip():
                article = await run_in_threadpool(from_text, text, url, title, None)
            elif url:
                article = await run_in_threadpool(fetch, url, title, None)
            else:
                raise InputError("nothing to analyse: paste the article text, choose a file or give a URL")
            report = await analyze_article(article)
        except SourcetraceError as error:
            page = _form_page(error=str(error), text=text, url=url, title=title or "", allow_private=allow_private,
                              max_bytes=max_body_bytes)
            response = HTMLResponse(page, status_code=status_for(error))
            if isinstance(error, ServerBusy):
                response.headers["Retry-After"] = "60"
            return response
        from sourcetrace.render.html import render_html

        return HTMLResponse(await run_in_threadpool(render_html, report, home_url="/"))

    @app.post("/api/analyze", summary="Analyse one article", response_model=None,
              responses={200: {"description": "The report (see /api/schema)"},
                         400: {"description": "URL refused"}, 413: {"description": "Body too large"},
                         415: {"description": "The body is not JSON (raw text or a binary file)"},
                         422: {"description": "Empty, binary, not English or malformed input"},
                         502: {"description": "The URL could not be fetched"},
                         503: {"description": "Every analysis worker is busy; try again (Retry-After)"},
                         504: {"description": "The analysis ran over the server's time limit"}})
    async def analyze(body: AnalyzeRequest) -> Response:
        """Analyse ``text`` (or fetch and analyse ``url``) and answer with the report JSON."""
        if body.text is not None and body.text.strip():
            article = await run_in_threadpool(from_text, body.text, body.url, body.title, body.site)
        elif body.text is None and body.url:
            article = await run_in_threadpool(fetch, body.url, body.title, body.site)
        elif body.text is not None:
            raise InputError("the text is empty")
        else:
            raise InputError("give the article as \"text\", or a \"url\" to fetch")
        return Response(await analyze_to_json(article), media_type="application/json")

    @app.get("/api/schema", summary="The report's JSON schema")
    async def schema() -> JSONResponse:
        return JSONResponse(_report_schema())

    @app.get("/api/outlets/{outlet_id:path}", summary="One outlet of the bundled registry, by id, name or domain")
    async def outlet(outlet_id: str) -> JSONResponse:
        record = _outlet(outlet_id)
        if record is None:
            return JSONResponse({"error": f"no outlet {outlet_id!r} in the registry"}, status_code=404)
        return JSONResponse(jsonable_encoder(record))

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _not_json_message(body: bytes, content_type: str | None) -> str:
    from sourcetrace.article.ingest import _binary_kind

    kind = _binary_kind(body)
    what = (f"looks like a binary file{f' ({kind})' if kind else ''}" if kind is not None
            else f"is {content_type or 'of no declared type'}")
    return (f"the request body {what}, not JSON: send {{\"text\": ...}} or {{\"url\": ...}} as application/json, "
            "or upload the file through the form at /")


@lru_cache(maxsize=1)
def _report_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(Report.model_json_schema()))
    return schema


def _outlet(outlet_id: str) -> object | None:
    """The registry's record for ``outlet_id``, or None when it is unknown or no registry is installed.

    The contract with :mod:`sourcetrace.outlets.registry`: ``get_outlet(outlet_id)`` returns a pydantic model or a
    JSON-able dict, and None or KeyError for an unknown id.
    """
    try:
        registry = importlib.import_module("sourcetrace.outlets.registry")
    except ImportError:
        return None
    lookup = getattr(registry, "get_outlet", None)
    if lookup is None:
        return None
    try:
        record = lookup(outlet_id)
    except KeyError:
        return None
    if isinstance(record, BaseModel):
        return record.model_dump(mode="json")
    return record


def server_app(*, allow_private: bool = False, workers: int = 2, time_limit: float = TIME_LIMIT_S,
               queue_wait: float = QUEUE_WAIT_S, db: str | None = None, access: AccessPolicy | None = None,
               pipeline: Pipeline | None = None) -> FastAPI:
    """The app as ``serve`` runs it: every page and route, behind ``access`` (the tests use this to reach every
    route the server has)."""
    from pathlib import Path

    app = create_app(allow_private=allow_private, workers=workers, time_limit=time_limit, queue_wait=queue_wait,
                     access=access, pipeline=pipeline)
    if db is not None:  # issue 22: the corpus pages (corpus/web.py)
        from sourcetrace.corpus.web import corpus_router
        from sourcetrace.web.editing import editing_router

        app.include_router(corpus_router(Path(db)))
        app.include_router(editing_router(Path(db), allow_private=allow_private))  # issue 26: editor routes
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, *, allow_private: bool = False, workers: int = 2,
          time_limit: float = TIME_LIMIT_S, queue_wait: float = QUEUE_WAIT_S, db: str | None = None,
          token_file: str | None = None, rate_limit: float = 20.0, rate_burst: int = 60) -> None:
    """Run the app with uvicorn (blocking); every worker has loaded its models before the first request is
    accepted. Bound beyond loopback, every request needs an access token (web/security.py)."""
    import sys
    from pathlib import Path

    import uvicorn

    from sourcetrace.web.security import access_policy

    access, notes = access_policy(host, db=Path(db) if db is not None else None,
                                  token_file=Path(token_file) if token_file else None, rate=rate_limit,
                                  burst=rate_burst)
    for line in notes:
        print(line, file=sys.stderr, flush=True)
    app = server_app(allow_private=allow_private, workers=workers, time_limit=time_limit, queue_wait=queue_wait,
                     db=db, access=access)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False, proxy_headers=False)
