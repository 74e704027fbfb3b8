"""Coverage-guided fuzzing (atheris, libFuzzer) of one target of targets.py.

    python -m tests.fuzz.atheris_fuzz TARGET [libFuzzer flags] [CORPUS_DIR ...]
    python -m tests.fuzz.atheris_fuzz ingest_bytes -atheris_runs=200000
    python -m tests.fuzz.atheris_fuzz web_request -max_total_time=600 out/fuzz/corpus/web_request

TARGET is one of the names in ``targets.TARGETS`` (``list`` prints them). The package's modules and the
third-party parsers they hand untrusted input to are instrumented, so libFuzzer keeps the inputs that reach new
code; the fuzzer's bytes steer every choice the target makes (draw.AtherisDraw). A crash (an exception the
target does not allow, or a broken invariant) prints its traceback and writes the input to
``crash-<sha1>`` (under ``-artifact_prefix``); rerun with that file as the only argument to reproduce it.
benchmarks/fuzz.py runs every target in turn and writes docs/reliability.md's table.
"""

from __future__ import annotations

import logging
import sys
from importlib import import_module

import atheris

# Instrumented: this package, and the libraries its parsers hand untrusted input to (pure-Python parts only;
# C extensions such as lxml and the json scanner are fuzzed through their callers but guide nothing).
INSTRUMENTED = ["sourcetrace", "tests.fuzz", "warcio", "httpx", "ipaddress", "urllib", "trafilatura", "htmldate",
                "justext", "courlan", "starlette", "fastapi", "python_multipart", "multipart", "jinja2", "markupsafe",
                "rich", "markdown_it", "tldextract", "html", "gzip", "csv", "email"]
# What each target reaches, imported under instrumentation before the first input.
MODULES = ["sourcetrace.article.ingest", "sourcetrace.article.fetch", "sourcetrace.corpus.sources",
           "sourcetrace.corpus.worker", "sourcetrace.corpus.dates", "sourcetrace.outlets.registry",
           "sourcetrace.render.html", "sourcetrace.render.markdown", "sourcetrace.render.terminal",
           "sourcetrace.web.app", "sourcetrace.corpus.web", "warcio.archiveiterator", "warcio.warcwriter",
           "trafilatura", "htmldate", "httpx", "markdown_it", "rich.console", "html.parser", "fastapi.testclient"]


def main(argv: list[str]) -> None:
    names = ", ".join(_targets())
    if len(argv) < 2 or argv[1] not in _targets():
        print(f"usage: python -m tests.fuzz.atheris_fuzz TARGET [libFuzzer flags]\ntargets: {names}", file=sys.stderr)
        raise SystemExit(2)
    name = argv.pop(1)
    logging.disable(logging.CRITICAL)  # trafilatura and warcio log every odd page; the fuzzer's output is enough
    with atheris.instrument_imports(include=INSTRUMENTED):
        for module in MODULES:
            import_module(module)
        from . import targets
        from .draw import AtherisDraw
    target = targets.TARGETS[name]
    if name == "web_request":
        targets.web_app()  # the app, its pipeline and its corpus store, made before the first (timed) input
    if name in ("analyze", "web_request"):
        targets._pipeline().analyze("Warm-up. The minister said the talks would go on, according to Reuters.")

    def one_input(data: bytes) -> None:
        target(AtherisDraw(atheris.FuzzedDataProvider(data)))

    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def _targets() -> list[str]:
    # the names without importing targets.py (and sourcetrace) before instrumentation is in place
    return ["ingest_bytes", "ingest_text", "html_page", "corpus_file", "url_check", "redirects", "registry_file",
            "renderers", "web_request", "analyze"]


if __name__ == "__main__":
    main(sys.argv)
