"""The light commands stay light: `import sourcetrace`, `import sourcetrace.cli`, `sourcetrace --help`,
`corpus stories` and `corpus reuse` never load spaCy or onnxruntime (about a second of imports that only the
article analysis needs). Each check runs in a fresh interpreter and reads its ``sys.modules``.

The reuse run is real: two bare-stored texts from the bundled demo corpus sharing a paragraph, indexed and
aligned by the command, with the quote finder (``article.segment``) deciding copy or shared quotation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sourcetrace.corpus.store import Store
from sourcetrace.stories.demo import demo_corpus_records
from sourcetrace.stories.reuse import ArticleMeta, store_bare_texts

HEAVY = ("spacy", "onnxruntime", "thinc", "torch")

# Runs the given code, then prints the heavy modules it loaded as the last line (JSON).
_PROBE = """
import json, sys
{code}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""

_CLI = """
from sourcetrace.cli import app
try:
    app({args!r})
except SystemExit as exit:
    assert not exit.code, exit.code
"""


def _heavy_after(code: str) -> tuple[list[str], str]:
    done = subprocess.run([sys.executable, "-c", _PROBE.format(code=code, heavy=HEAVY)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]), "\n".join(lines[:-1])


def test_importing_the_package_and_its_cli_loads_no_nlp_model() -> None:
    heavy, _ = _heavy_after("import sourcetrace, sourcetrace.cli, sourcetrace.corpus.cli")
    assert heavy == []


def test_the_heavy_names_still_load_on_first_use() -> None:
    heavy, out = _heavy_after("import sourcetrace\nprint(sourcetrace.Pipeline.__name__, sourcetrace.__version__)")
    assert out.startswith("Pipeline ")
    assert "spacy" in heavy


def test_help_loads_no_nlp_model() -> None:
    heavy, out = _heavy_after(_CLI.format(args=["--help"]))
    assert "corpus" in out
    assert heavy == []


def test_corpus_stories_and_reuse_load_no_nlp_model(tmp_path: Path) -> None:
    records = {r["id"]: r for r in demo_corpus_records()}
    reuters = records["demo-reuters"]["text"]
    shared = max(reuters.split("\n"), key=len)  # its longest paragraph, copied word for word
    later = records["demo-anadolu"]["text"] + "\n\n" + shared
    db = tmp_path / "light.db"
    store = Store(db)
    store_bare_texts(store, [ArticleMeta(0, reuters, outlet="Reuters", published="2015-10-20"),
                             ArticleMeta(0, later, outlet="Later Outlet", published="2015-10-23")])
    store.close()
    heavy, out = _heavy_after(_CLI.format(args=["corpus", "reuse", "--db", str(db), "--format", "json"]))
    found = json.loads(out)["passages"]
    assert any(p["kind"] == "copy" and p["target_date"] == "2015-10-23" for p in found)
    assert heavy == []
    heavy, out = _heavy_after(_CLI.format(args=["corpus", "stories", "--db", str(db)]))
    assert heavy == []
