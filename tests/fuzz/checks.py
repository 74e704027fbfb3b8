"""The invariants the fuzz targets check on what a parser or renderer returns.

HTML: parsed with :mod:`html.parser`; no script or style block but the page's own (its hash is in the page's one
Content-Security-Policy, as a browser requires, and the policy has no 'unsafe-inline'), no
``on*`` handler, no ``javascript:``/``data:`` link, no comment, and none of the ``x-fuzz`` markers the inputs
carry as tag or attribute names (so markup injected anywhere, in text or in an attribute, shows). Markdown:
rendered by markdown-it (CommonMark with raw HTML allowed, the least safe setting a wiki could use) to HTML that
passes the same check and holds only the tags the report itself writes, and every table row has as many cells
as its header. Terminal: no control character reaches the terminal but the line breaks.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from sourcetrace.models import Article, Report, Span

_BAD_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data|file):", re.IGNORECASE)
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background"}
_MARKDOWN_TAGS = {"h1", "h2", "p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "em", "strong"}
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")


def sha(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


class _Checker(HTMLParser):
    def __init__(self, allowed_tags: set[str] | None) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.policies: list[str] = []
        self.blocks: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self._block: str | None = None
        self._block_text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if "x-fuzz" in tag:
            self.problems.append(f"injected element <{tag}>")
        if self.allowed_tags is not None and tag not in self.allowed_tags:
            self.problems.append(f"unexpected element <{tag}>")
        if tag in ("iframe", "object", "embed", "base", "link", "frame", "applet"):
            self.problems.append(f"forbidden element <{tag}>")
        for name, value in attrs:
            if "x-fuzz" in name:
                self.problems.append(f"injected attribute {name!r} on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"event handler attribute {name!r} on <{tag}>")
            if name in _URL_ATTRIBUTES and value is not None and _BAD_SCHEME.match(value):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if tag == "meta" and name == "http-equiv" and (value or "").lower() == "refresh":
                self.problems.append("meta refresh")
        if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "content-security-policy":
            self.policies.append(dict(attrs).get("content") or "")
        if tag in ("script", "style"):
            self._block, self._block_text = tag, []

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        if self._block is not None:
            self._block_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._block is not None and tag == self._block:
            self.blocks.append((tag, "".join(self._block_text)))
            self._block = None

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"a comment in the output: {data[:60]!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"a processing instruction: {data[:60]!r}")


def check_html(html: str, *, allowed_tags: set[str] | None = None) -> None:
    """Raise AssertionError when ``html`` carries markup that did not come from the page's templates."""
    checker = _Checker(allowed_tags)
    checker.feed(html)
    checker.close()
    if checker._block is not None:
        checker.problems.append(f"an unclosed <{checker._block}> block")
    if checker.blocks or checker.policies:
        assert len(checker.policies) == 1, f"{len(checker.policies)} Content-Security-Policy meta tags"
        policy = checker.policies[0]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
        for tag, content in checker.blocks:
            if f"'{sha(content)}'" not in policy:
                checker.problems.append(f"a <{tag}> block the page's policy does not list: {content[:80]!r}")
    assert not checker.problems, "; ".join(checker.problems[:5])


def check_markdown(markdown: str) -> None:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    check_html(html, allowed_tags=_MARKDOWN_TAGS)
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("|---"):
            width = len(_UNESCAPED_PIPE.findall(lines[index - 1]))
            for row in lines[index + 1:]:
                if not row.startswith("|"):
                    break
                assert len(_UNESCAPED_PIPE.findall(row)) == width, f"a table row with the wrong cell count: {row!r}"


def check_terminal(output: str) -> None:
    found = _TERMINAL_CONTROL.search(output)
    if found is not None:
        around = output[max(0, found.start() - 30):found.end() + 30]
        raise AssertionError(f"control character {found.group()!r} reaches the terminal: {around!r}")


def check_span(text: str, span: Span | None) -> None:
    if span is not None:
        assert 0 <= span.start <= span.end <= len(text), f"span {span.start}-{span.end} outside the text"
        assert text[span.start:span.end] == span.text, f"span {span.start}-{span.end} text differs from the article"


def check_article(article: Article, *, max_chars: int) -> None:
    assert article.text.strip(), "an empty article"
    assert len(article.text) <= max_chars
    assert "\r" not in article.text  # one leading BOM is dropped; a second is the text's own (U+FEFF as ZWNBSP)
    check_span(article.text, article.title_span)
    check_span(article.text, article.byline_span)


def check_report(report: Report) -> None:
    """Every span in the report points at the article text it names."""
    text = report.article.text
    check_article(report.article, max_chars=10**7)
    for sentence in report.sentences:
        check_span(text, sentence.span)
        for evidence in sentence.evidence:
            check_span(text, evidence.span)
    for entity in report.entities:
        for mention in entity.mentions:
            check_span(text, mention.span)
    for attribution in report.attributions:
        check_span(text, attribution.cue)
        for span in attribution.content:
            check_span(text, span)
        if attribution.source is not None:
            for part in (attribution.source.span, attribution.source.role, attribution.source.resolved_from):
                check_span(text, part)
        for conduit in attribution.conduits:
            check_span(text, conduit.span)
            check_span(text, conduit.cue)
    if report.credibility is not None:
        for signal in report.credibility.signals:
            for span in signal.evidence:
                check_span(text, span)
