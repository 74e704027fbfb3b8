"""Issue 21 item 11-12: the library refuses binary-looking text as the CLI does, and ``--version`` exists."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import sourcetrace
from sourcetrace import InputError, Pipeline
from sourcetrace.cli import app


def test_the_library_refuses_an_executable_passed_as_a_string(pipeline: Pipeline) -> None:
    executable = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + bytes(range(256)) * 20
    with pytest.raises(InputError, match=r"^the text looks like binary data, not an article: .*NUL"):
        pipeline.analyze("Headline\n\n" + executable.decode("latin-1"))
    with pytest.raises(InputError, match="binary"):
        sourcetrace.analyze(executable.decode("latin-1"))


def test_control_characters_without_nul_are_refused_in_bulk_but_tolerated_singly(pipeline: Pipeline) -> None:
    noise = "".join(chr(c) for c in range(1, 9)) * 200  # no NUL, all control characters
    with pytest.raises(InputError, match="binary"):
        pipeline.analyze("Headline\n\nThe minister said the talks would resume. " + noise)
    text = "Talks resume\n\nThe minister said\x0b the talks would resume on Monday, according to Reuters.\n"
    assert pipeline.analyze(text).attributions  # one stray vertical tab in a pasted article is fine


def test_version_option() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"sourcetrace {sourcetrace.__version__} ")


def test_text_and_markdown_outputs_show_the_quality_score_itself(seed_report_with_url: object) -> None:
    """Issue 21: the text output said "quality_score (Lin et al. 2023)" without the score."""
    from io import StringIO

    from rich.console import Console

    from sourcetrace.render import format_report
    from sourcetrace.render.terminal import render_terminal

    buffer = StringIO()
    render_terminal(seed_report_with_url, Console(file=buffer, width=400, color_system=None))  # type: ignore[arg-type]
    assert "low_quality pc1 0.393 on 0-1 for usdefensewatch.com (Lin et al. 2023 domain quality)" in buffer.getvalue()
    assert "quality_score pc1 " in buffer.getvalue()
    markdown = format_report(seed_report_with_url, "markdown")  # type: ignore[arg-type]
    assert "low_quality pc1 0.393 on 0-1 for usdefensewatch.com (Lin et al. 2023 domain quality)" in markdown
