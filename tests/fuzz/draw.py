"""Where fuzz inputs come from: one small interface over hypothesis (``data.draw``) and atheris
(``FuzzedDataProvider``), so the structured inputs (a report, a request, a CSV file) are built by the same code
for both harnesses.

Text is drawn three ways, because plain random Unicode rarely hits what breaks parsers: any Unicode; the
characters that are special somewhere (markup, quoting, line breaks, controls, a lone surrogate, a BOM); and
runs of tokens (HTML and Markdown injections, rich markup, quote marks, words the pipeline reacts to).
The markers ``x-fuzz`` (a tag or attribute name) let the HTML checks tell injected markup from the page's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

SPECIAL_CHARS = (
    "<>&\"'`/=\\|[]{}()*_~#!:;.,-+?%@ \t\n\r\f\v\x00\x01\x08\x0b\x1b\x7f\x85\x9b\xa0\u2028\u2029\u200b\u202e"
    "\ufeff\ufffd\ud800\udfff“”‘’«»—–…éßЖ中🙂aAzZ09"
)
TOKENS = (
    "<script>alert(1)</script>", "<x-fuzz>", "</x-fuzz>", "\" x-fuzz=\"1", "' x-fuzz='1", "<!--", "-->",
    "<img src=x onerror=alert(1)>", "javascript:alert(1)", "JaVaScRiPt:", "data:text/html,", "</textarea>",
    "</title>", "</style>", "</script>", "<![CDATA[", "]]>", "&lt;", "&amp;", "&#60;", "&", "<", ">", "\"", "'",
    "[bold]", "[/]", "[/bold]", "[link=x]", "\\[", "\\", "|", "\\|", "`", "*", "_", "[x](javascript:alert(1))",
    "<https://x.test>", "\x1b[31m", "\x1b]0;pwn\x07", "\x9b2J", "\r\n", "\n", "\n\n", " ", "\t", "\ufeff",
    "\u00a0", "\ud800", "“", "”", "\"", "‘", "’", "said", " said ", "told", "according to ", "Reuters",
    "The minister", " The ", "Mr. ", "he ", "she ", "they ", "By John Smith", "http://", "https://",
    "example.com", "www.", "/", ".", ",", ":", "?", "#", "%", "%00", "%ff", "@", "10.0.0.1", "[::1]", "0x7f.1",
    "http://127.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/", "{", "}", "[", "]", "null",
    "1e999", "-1", "0", "99999999999999999999999", "NaN", "<p>", "</p>", "<div>", "<br>", "<html>", "<meta charset=",
    "utf-16", "latin-1", "x-unknown", "WARC/1.0", "Content-Length: ", "0\r\n", "text", "html", "url", "title",
)


class Draw(Protocol):
    """The choices a structured input is built from."""

    def int(self, low: int, high: int) -> int: ...
    def bool(self) -> bool: ...
    def text(self, max_size: int = 60) -> str: ...
    def raw(self, max_size: int = 200) -> bytes: ...
    def choice(self, options: Sequence[T]) -> T: ...


class HypothesisDraw:
    """Draws from a hypothesis ``st.data()`` object."""

    def __init__(self, data: Any) -> None:
        from hypothesis import strategies as st

        self._data, self._st = data, st

    def int(self, low: int, high: int) -> int:
        return int(self._data.draw(self._st.integers(low, high)))

    def bool(self) -> bool:
        return bool(self._data.draw(self._st.booleans()))

    def text(self, max_size: int = 60) -> str:
        return str(self._data.draw(text_strategy(max_size)))

    def raw(self, max_size: int = 200) -> bytes:
        return bytes(self._data.draw(self._st.binary(max_size=max_size)))

    def choice(self, options: Sequence[T]) -> T:
        return options[self.int(0, len(options) - 1)]


def text_strategy(max_size: int = 60) -> Any:
    """Hypothesis text: any Unicode, the special characters, or runs of tokens."""
    from hypothesis import strategies as st

    return st.one_of(
        st.text(max_size=max_size),
        st.text(alphabet=st.sampled_from(SPECIAL_CHARS), max_size=max_size),
        st.lists(st.sampled_from(TOKENS), max_size=max(1, max_size // 6)).map("".join),
    )


class AtherisDraw:
    """Draws from an atheris ``FuzzedDataProvider``: the fuzzer's bytes steer every choice."""

    def __init__(self, provider: Any) -> None:
        self._fdp = provider

    def int(self, low: int, high: int) -> int:
        return int(self._fdp.ConsumeIntInRange(low, high))

    def bool(self) -> bool:
        return bool(self._fdp.ConsumeBool())

    def text(self, max_size: int = 60) -> str:
        how = self._fdp.ConsumeIntInRange(0, 3)
        if how == 0:
            return str(self._fdp.ConsumeUnicode(max_size))  # may hold lone surrogates, as JSON "\ud800" does
        if how == 1:
            return str(self._fdp.ConsumeUnicodeNoSurrogates(max_size))
        if how == 2:
            count = self._fdp.ConsumeIntInRange(0, max_size)
            return "".join(SPECIAL_CHARS[self._fdp.ConsumeIntInRange(0, len(SPECIAL_CHARS) - 1)] for _ in range(count))
        count = self._fdp.ConsumeIntInRange(0, max(1, max_size // 6))
        return "".join(TOKENS[self._fdp.ConsumeIntInRange(0, len(TOKENS) - 1)] for _ in range(count))

    def raw(self, max_size: int = 200) -> bytes:
        return bytes(self._fdp.ConsumeBytes(self._fdp.ConsumeIntInRange(0, max_size)))

    def choice(self, options: Sequence[T]) -> T:
        return options[self.int(0, len(options) - 1)]
