"""Coverage-guided fuzzing (atheris, libFuzzer) of one target of targets.py.

    python -m tests.fuzz.atheris_fuzz TARGET [libFuzzer flags] [CORPUS_DIR ...]
    python -m tests.fuzz.atheris_fuzz ingest_bytes -atheris_runs=200000
    python -m tests.fuzz.atheris_fuzz web_request -max_total_time=600 out/fuzz/corpus/web_request

TARGET is one of the names in ``targets.TARGETS``, or ``all`` (each input picks a target: one start-up for
all, as CI runs it). The package's modules and the third-party parsers they hand untrusted input to are
instrumented, so libFuzzer keeps the inputs that reach new
code; the fuzzer's bytes steer every choice the target makes (draw.AtherisDraw). A crash (an exception the
target does not allow, or a broken invariant) prints its traceback and writes the input to
``crash-<sha1>`` (under ``-artifact_prefix``); rerun with that file as the only argument to reproduce it.
benchmarks/fuzz.py runs every target in turn and writes docs/reliability.md's table.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from importlib import import_module

import atheris

# What each target instruments: the modules of this package it exercises and the libraries they hand untrusted
# input to (pure-Python parts only: C extensions such as lxml and the json scanner are fuzzed through their
# callers but guide nothing). Fewer modules start faster: instrumenting everything costs about a minute.
INSTRUMENT: dict[str, list[str]] = {
    "ingest_bytes": ["sourcetrace.article.ingest", "tldextract"],
    "ingest_text": ["sourcetrace.article.ingest", "tldextract"],
    "html_page": ["sourcetrace.article.ingest", "trafilatura", "htmldate", "justext", "courlan"],
    "corpus_file": ["sourcetrace.corpus.sources", "sourcetrace.corpus.worker", "sourcetrace.corpus.dates",
                    "sourcetrace.article.ingest", "warcio", "gzip", "csv"],
    "url_check": ["sourcetrace.article.fetch", "ipaddress", "httpx._urlparse", "httpx._urls"],
    "redirects": ["sourcetrace.article.fetch", "httpx._urlparse", "httpx._urls", "urllib.parse"],
    "registry_file": ["sourcetrace.outlets.registry", "csv"],
    "renderers": ["sourcetrace.render", "markupsafe", "markdown_it", "html.parser"],
    "web_request": ["sourcetrace.web.app", "sourcetrace.corpus.web", "sourcetrace.corpus.api", "starlette",
                    "fastapi", "python_multipart"],
    "analyze": ["sourcetrace.article"],
}
INSTRUMENT["all"] = sorted({module for modules in INSTRUMENT.values() for module in modules})


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in INSTRUMENT:
        print("usage: python -m tests.fuzz.atheris_fuzz TARGET [libFuzzer flags]\n"
              f"targets: {', '.join(INSTRUMENT)} (all: each input picks one)", file=sys.stderr)
        raise SystemExit(2)
    name = argv.pop(1)
    logging.disable(logging.CRITICAL)  # trafilatura and warcio log every odd page; the fuzzer's output is enough
    with atheris.instrument_imports(include=INSTRUMENT[name]):
        for module in INSTRUMENT[name]:
            import_module(module)
        from . import targets
        from .draw import AtherisDraw

        chosen = list(targets.TARGETS) if name == "all" else [name]
        if "web_request" in chosen:
            targets.web_app()  # the app, its pipeline and its corpus store, made before the first (timed) input
        # One input per target before fuzzing, still under instrumentation: the modules the targets import on
        # first use (the renderers, the pipeline's stages) are instrumented too.
        if "analyze" in chosen or "web_request" in chosen:
            targets._pipeline().analyze("Warm-up. The minister said the talks would go on, according to Reuters.")
        for target in chosen:
            for seed in (b"", bytes(range(256)), b"\xff" * 256):
                with contextlib.suppress(Exception):  # a crash here is found again by the fuzzer, with its input
                    targets.TARGETS[target](AtherisDraw(atheris.FuzzedDataProvider(seed)))

    def one_input(data: bytes) -> None:
        draw = AtherisDraw(atheris.FuzzedDataProvider(data))
        targets.TARGETS[draw.choice(chosen) if len(chosen) > 1 else name](draw)

    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
