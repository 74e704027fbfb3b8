"""The command line: reports in every format, and one clear line plus a non-zero exit for bad input."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app

runner = CliRunner()


def _run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _assert_one_line_error(code: int, stderr: str, *fragments: str) -> None:
    assert code != 0
    message = " ".join(stderr.split())
    assert message.startswith("error:"), stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message


def test_demo_prints_the_report() -> None:
    code, out, _ = _run("demo")
    assert code == 0
    assert "Fars News Agency" in out and "Reuters" in out
    assert "author's opinion" in out


def test_analyze_file_as_json_follows_the_schema(tmp_path: Path, seed_text: str) -> None:
    article = tmp_path / "seed.txt"
    article.write_text(seed_text, encoding="utf-8")
    code, out, _ = _run("analyze", str(article), "--format", "json", "--url", "http://example.com/a")
    assert code == 0
    document = json.loads(out)
    assert document["article"]["url"] == "http://example.com/a"
    assert len(document["attributions"]) >= 11


def test_analyze_stdin_as_markdown_to_a_file(tmp_path: Path, seed_text: str) -> None:
    output = tmp_path / "report.md"
    code, _, _ = _run("analyze", "-", "--format", "markdown", "-o", str(output), stdin=seed_text.encode())
    assert code == 0
    markdown = output.read_text(encoding="utf-8")
    assert markdown.startswith("# Insult to injury")
    assert "Hakem al-Zameli → Fars News Agency → this article" in markdown


def test_schema_command_prints_json_schema() -> None:
    code, out, _ = _run("schema")
    assert code == 0
    assert json.loads(out)["title"] == "Report"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("   \n\n", encoding="utf-8")
    code, _, err = _run("analyze", str(path))
    _assert_one_line_error(code, err, "empty")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "picture.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    code, _, err = _run("analyze", str(path))
    _assert_one_line_error(code, err, "binary")


def test_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("The minister said the café was closed, officials told reporters.".encode("latin-1"))
    code, _, err = _run("analyze", str(path))
    _assert_one_line_error(code, err, "utf-8")


def test_non_english_article(tmp_path: Path) -> None:
    path = tmp_path / "de.txt"
    path.write_text(
        "Die Bundesregierung hat am Montag neue Maßnahmen angekündigt. Der Minister sagte, man werde die "
        "Lage genau beobachten und gegebenenfalls weitere Schritte einleiten. Kritiker bezeichneten die "
        "Pläne als unzureichend und forderten eine schnellere Umsetzung.",
        encoding="utf-8",
    )
    code, _, err = _run("analyze", str(path))
    _assert_one_line_error(code, err, "german", "english")


def test_five_megabyte_text_is_refused_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(("The official said the talks would continue. " * 120_000)[:5_000_000], encoding="utf-8")
    code, _, err = _run("analyze", str(path))
    _assert_one_line_error(code, err, "1,000,000")


def test_html_without_article_body(tmp_path: Path) -> None:
    path = tmp_path / "nav.html"
    path.write_text(
        "<!doctype html><html><head><title>Menu</title></head><body><nav><a href='/'>Home</a>"
        "<a href='/about'>About</a></nav><footer>© 2024</footer></body></html>",
        encoding="utf-8",
    )
    code, _, err = _run("analyze", str(path))
    _assert_one_line_error(code, err, "no article text")


def test_missing_file() -> None:
    code, _, err = _run("analyze", "/nonexistent/article.txt")
    _assert_one_line_error(code, err, "/nonexistent/article.txt")


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_url_that_cannot_be_fetched() -> None:
    code, _, err = _run("analyze", "http://nonexistent.invalid/story", "--allow-private")
    _assert_one_line_error(code, err, "nonexistent.invalid")


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("http://127.0.0.1:{port}/story", "loopback"),
        ("http://localhost:{port}/story", "loopback"),
        ("http://10.1.2.3/story", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
    ],
)
def test_private_addresses_are_refused(url: str, what: str) -> None:
    code, _, err = _run("analyze", url.format(port=_unused_port()))
    _assert_one_line_error(code, err, what, "--allow-private")
