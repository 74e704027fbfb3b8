"""A store of bare texts (as the scale benchmarks write: texts and metadata, no analysis) or a damaged report:
one clear line and a non-zero exit from the commands that need reports, never a zlib traceback; the commands
that need only texts (stories, copied passages) still work. Texts: the bundled demo corpus."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app
from sourcetrace.corpus.records import decode_report
from sourcetrace.corpus.store import Store
from sourcetrace.errors import StoreError
from sourcetrace.stories.demo import demo_corpus_records
from sourcetrace.stories.reuse import ArticleMeta, store_bare_texts

runner = CliRunner()


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("newcomer-bare") / "bare.db"
    metas = [ArticleMeta(id=0, text=r["text"], url=r.get("url"), title=r.get("title"), outlet=r.get("outlet"),
                         published=r.get("date")) for r in demo_corpus_records()]
    with Store(path) as store:
        store_bare_texts(store, metas)
    return path


def test_report_commands_refuse_bare_texts_in_one_line(bare: Path) -> None:
    for args in (["corpus", "claims"], ["corpus", "show", "1"], ["corpus", "show", "1", "-f", "html"]):
        result = runner.invoke(app, [*args, "--db", str(bare)])
        assert result.exit_code not in (0, 1), (args, result.output)  # 1 would be an uncaught exception
        assert "without their analysis" in result.output and "Traceback" not in result.output, result.output
        assert not isinstance(result.exception, zlib.error)


def test_text_commands_still_work_on_bare_texts(bare: Path) -> None:
    stories = runner.invoke(app, ["corpus", "stories", "--db", str(bare)])
    assert stories.exit_code == 0, stories.output
    story = runner.invoke(app, ["corpus", "story", "1", "--db", str(bare)])
    assert story.exit_code == 0, story.output
    assert "Timeline" in story.output


def test_a_damaged_report_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="damaged"):
        decode_report(b"not zlib at all", "text")
    with pytest.raises(StoreError, match="damaged"):
        decode_report(zlib.compress(b'{"no": "article"}'), "text")
