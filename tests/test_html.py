"""The HTML report: one self-contained, well-formed file that shows every attribution with its chain,
renders overlapping spans exactly, loads nothing from elsewhere and lets no article text become markup."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace import Pipeline, Report
from sourcetrace.article.ingest import article_from_text
from sourcetrace.cli import app
from sourcetrace.models import (
    Article,
    Attribution,
    AttributionKind,
    Conduit,
    Credibility,
    Mention,
    OutletLink,
    OutletRole,
    RegistryLabel,
    Sentence,
    Signal,
    SignalLevel,
    Source,
    SourceType,
    Span,
    Voice,
)
from sourcetrace.render.html import render_html, safe_href

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)"]


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def text(self, skip: set[str] = frozenset()) -> str:  # type: ignore[assignment]
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not (set(child.attrs.get("class", "").split()) & skip):
                parts.append(child.text(skip))
        return "".join(parts)

    def iter(self) -> list[Node]:
        nodes = [self]
        for child in self.children:
            if isinstance(child, Node):
                nodes.extend(child.iter())
        return nodes

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class TreeBuilder(HTMLParser):
    """A strict little DOM: every end tag must close the element on top of the stack."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.current.tag != tag or self.current.parent is None:
            self.errors.append(f"</{tag}> closes <{self.current.tag}>")
            return
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.errors == []
    assert builder.current is builder.root, f"unclosed <{builder.current.tag}>"
    return builder.root


def by_id(root: Node, element_id: str) -> Node:
    matches = [n for n in root.iter() if n.attrs.get("id") == element_id]
    assert len(matches) == 1, f"{len(matches)} elements with id {element_id!r}"
    return matches[0]


def covered(root: Node, predicate: Callable[[Node], bool]) -> dict[str, str]:
    """Per paragraph id, the article characters under elements matching ``predicate`` (refs skipped)."""
    result: dict[str, str] = {}

    def walk(node: Node, inside: bool, out: list[str]) -> None:
        for child in node.children:
            if isinstance(child, str):
                out.append(child if inside else "\0" * len(child))
            elif "ref" not in child.classes():
                walk(child, inside or predicate(child), out)

    for paragraph in by_id(root, "text").iter():
        if paragraph.tag == "p":
            chars: list[str] = []
            walk(paragraph, False, chars)
            result[paragraph.attrs["id"]] = "".join(chars)
    return result


def spans_under(root: Node, text: str, predicate: Callable[[Node], bool]) -> set[tuple[int, int]]:
    """Maximal runs of marked characters, as offsets into the article text."""
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    runs: set[tuple[int, int]] = set()
    for (start, _), marked in zip(paragraphs, covered(root, predicate).values(), strict=True):
        for m in re.finditer(r"[^\0]+", marked):
            runs.add((start + m.start(), start + m.end()))
    return runs


def part(kind: str, attribution_id: str) -> Callable[[Node], bool]:
    """Elements of one kind (content, cue, source, conduit) that belong to the attribution."""
    return lambda node: kind in node.classes() and attribution_id in node.attrs.get("data-a", "").split()


def csp_hash(content: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(content.encode()).digest()).decode()


@pytest.fixture(scope="module")
def seed_html(seed_report: Report) -> str:
    return render_html(seed_report)


def test_seed_report_renders_with_the_article_text(seed_report: Report, seed_html: str) -> None:
    root = parse(seed_html)
    text = seed_report.article.text
    paragraphs = [m.group() for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    rendered = [n.text(skip={"ref"}) for n in by_id(root, "text").iter() if n.tag == "p"]
    assert rendered == paragraphs
    assert "Insult to injury" in by_id(root, "text").text()
    assert seed_html.startswith("<!DOCTYPE html>")


def test_every_attribution_is_marked_and_carries_its_chain(seed_report: Report, seed_html: str) -> None:
    root = parse(seed_html)
    text = seed_report.article.text
    assert len(seed_report.attributions) >= 11
    for a in seed_report.attributions:
        card = by_id(root, f"att-{a.id}")
        chain = [n.text() for n in card.iter() if n.tag == "li" and n.parent and "chain" in n.parent.classes()]
        assert chain == a.chain
        assert a.cue.text in card.text()
        # In the text: the cue carries the anchor, and each part covers exactly its span.
        assert by_id(root, f"cue-{a.id}").text().startswith(a.cue.text)
        assert spans_under(root, text, part("content", a.id)) == {(s.start, s.end) for s in a.content}
        assert spans_under(root, text, part("cue", a.id)) == {(a.cue.start, a.cue.end)}
        if a.source is not None:
            assert spans_under(root, text, part("source", a.id)) == {(a.source.span.start, a.source.span.end)}
        for conduit in a.conduits:
            assert (conduit.span.start, conduit.span.end) in spans_under(root, text, part("conduit", a.id))
    fars = [a for a in seed_report.attributions if "Fars News Agency" in a.chain]
    assert fars, "the seed article's Fars conduit is missing"
    graph = [n for n in root.iter() if n.tag == "svg" and "graph" in n.classes()]
    assert len(graph) == 1
    labels = {n.text() for n in graph[0].iter() if n.tag == "text"}
    assert {"Fars News Agency", "Reuters", "this article"} <= labels


def test_the_voice_of_every_sentence_is_shaded(seed_report: Report, seed_html: str) -> None:
    root = parse(seed_html)
    for sentence in seed_report.sentences:
        node = by_id(root, f"st-{sentence.id}")
        assert f"v-{sentence.voice.value}" in node.classes()
    legend = by_id(root, "legend").text()
    for label in ("reported", "direct quote", "author's opinion", "author's assertion"):
        assert label in legend
    chart = [n for n in root.iter() if n.tag == "svg" and "chart" in n.classes()]
    assert len(chart) == 1


def test_credibility_signals_link_to_their_evidence(seed_report: Report, seed_html: str) -> None:
    assert seed_report.credibility is not None
    root = parse(seed_html)
    ids = {n.attrs["id"] for n in root.iter() if "id" in n.attrs}
    links = [n.attrs["href"] for n in by_id(root, "credibility").iter() if n.tag == "a"]
    evidence = [s for signal in seed_report.credibility.signals for s in signal.evidence]
    assert evidence and len(links) >= len(evidence)
    for href in links:
        assert href.startswith("#") and href[1:] in ids


def test_nothing_is_loaded_from_elsewhere(seed_report: Report, seed_html: str) -> None:
    root = parse(seed_html)
    allowed = {seed_report.article.url} | {label.url for o in seed_report.outlets for label in o.labels}
    for node in root.iter():
        assert node.tag not in {"link", "img", "iframe", "object", "embed", "base", "form"}
        for name, value in node.attrs.items():
            if name in {"src", "srcset", "action", "poster", "data", "background"}:
                pytest.fail(f"<{node.tag} {name}={value!r}>")
            if name in {"href", "xlink:href"}:
                assert value.startswith("#") or (node.tag == "a" and value in allowed), value
    styles = [n.text() for n in root.iter() if n.tag == "style"]
    assert len(styles) == 1
    assert "@import" not in styles[0] and not re.search(r"url\(\s*['\"]?(?!#)", styles[0])
    assert not re.search(r"@font-face", styles[0])
    # The Content-Security-Policy names exactly the file's own style and script.
    csp = next(n.attrs["content"] for n in root.iter()
               if n.tag == "meta" and n.attrs.get("http-equiv") == "Content-Security-Policy")
    scripts = [n for n in root.iter() if n.tag == "script"]
    assert len(scripts) == 1 and "src" not in scripts[0].attrs
    assert "default-src 'none'" in csp
    assert f"style-src '{csp_hash(styles[0])}'" in csp
    assert f"script-src '{csp_hash(scripts[0].text())}'" in csp


def _assert_inert(html: str) -> Node:
    root = parse(html)
    scripts = [n for n in root.iter() if n.tag == "script"]
    assert len(scripts) == 1 and "alert" not in scripts[0].text()
    for node in root.iter():
        assert node.tag not in {"img", "iframe", "object", "embed", "svg:script"}
        for name, value in node.attrs.items():
            assert not name.startswith("on"), f"<{node.tag} {name}={value!r}>"
            assert not value.strip().lower().startswith("javascript:"), f"<{node.tag} {name}={value!r}>"
    return root


def test_hostile_article_renders_as_text_only(pipeline: Pipeline) -> None:
    payload = " ".join(HOSTILE)
    body = (
        f"{payload} headline for a hostile page\n\n"
        f"The mayor said on Tuesday that {payload} was found in the city budget, according to "
        f"The {HOSTILE[1]} Gazette. \"We will look into {HOSTILE[0]} at once,\" the mayor told reporters. "
        "Officials in the city council said they had not been told about the problem before this week.\n\n"
        f"{HOSTILE[2]} is not a place anyone should go, Dr. {HOSTILE[1]} Evans said.\n"
    )
    article = article_from_text(body, url=HOSTILE[2], title=payload, byline=payload, site=payload)
    report = pipeline.analyze_article(article)
    report.outlets = [OutletLink(
        name=payload, registry_id=payload, roles=[OutletRole.CONDUIT], domains=[payload], country=payload,
        labels=[RegistryLabel(label=payload, registry=payload, value=payload, snapshot=payload, licence=payload,
                              url=HOSTILE[2])],
        evidence=[Span.of(body, 0, 10)], attribution_ids=[payload],
    )]
    report.credibility = Credibility(summary=payload, method=payload, signals=[Signal(
        id=payload, name=payload, value=payload, level=SignalLevel.WARNING, explanation=payload,
        evidence=[Span.of(body, 0, 25)])])
    report.warnings = [payload]
    report.generator = payload
    html = render_html(report)
    root = _assert_inert(html)
    assert "<script>alert(1)</script>" in by_id(root, "text").text()
    assert "<script>alert(1)</script>" in next(n for n in root.iter() if n.tag == "h1").text()
    assert safe_href(HOSTILE[2]) is None


def test_hostile_ids_and_names_cannot_break_out() -> None:
    text = "Alice said the plan works. Bob said it does not.\n"
    evil = 'a1" onclick="alert(1)'
    report = _report(text, [
        Attribution(id=evil, source=Source(span=Span.of(text, 0, 5), name=HOSTILE[1], type=SourceType.PERSON,
                                           anonymous=False), cue=Span.of(text, 6, 10),
                    content=[Span.of(text, 11, 25)], kind=AttributionKind.INDIRECT),
    ])
    report.entities[0].id = evil
    report.sentences[0].id = evil
    root = _assert_inert(render_html(report))
    assert any(n.attrs.get("id") == "att-a1__onclick__alert_1_" for n in root.iter())


def _report(text: str, attributions: list[Attribution]) -> Report:
    from sourcetrace.models import Entity, EntityKind, VoiceShare

    sentences = [Sentence(id=f"s{i}", span=Span.of(text, m.start(), m.end()), paragraph=0, voice=Voice.REPORTED)
                 for i, m in enumerate(re.finditer(r"[^.\n]+\.", text))]
    entity = Entity(id="e1", name="Alice", kind=EntityKind.PERSON,
                    mentions=[Mention(span=Span.of(text, 0, 5), entity_id="e1")])
    return Report(generator="test", article=Article(text=text, title="t"), sentences=sentences, entities=[entity],
                  attributions=attributions,
                  voice_breakdown=[VoiceShare(voice=Voice.REPORTED, sentences=len(sentences), characters=len(text),
                                              share=1.0)])


def test_crossing_and_nested_spans_render_exactly() -> None:
    """Spans that cross each other, nest, share boundaries and run across sentences and paragraphs."""
    text = ("Anna Berg of the Daily Post said Carl Dunn told her: \u201cWe won. Truly.\u201d Then it rained.\n"
            "Next line, said Eve.\n")
    outer_content = Span.of(text, text.index("Carl"), text.index(" Then"))
    inner_content = Span.of(text, text.index("\u201cWe"), text.index(" Then"))
    crossing = Span.of(text, text.index("said Carl"), text.index(" her"))  # crosses the outer content's start
    across = Span.of(text, text.index("it rained"), text.index("Next line") + 4)  # crosses a paragraph break
    attributions = [
        Attribution(id="a1", source=Source(span=Span.of(text, 0, 9), name="Anna Berg", type=SourceType.PERSON,
                                           anonymous=False, role=Span.of(text, 10, 26)),
                    cue=Span.of(text, text.index("said"), text.index("said") + 4), content=[outer_content],
                    kind=AttributionKind.MIXED,
                    conduits=[Conduit(span=Span.of(text, 17, 26), cue=Span.of(text, 10, 16), name="Daily Post",
                                      type=SourceType.OUTLET)]),
        Attribution(id="a2", source=Source(span=Span.of(text, text.index("Carl"), text.index(" told")),
                                           name="Carl Dunn", type=SourceType.PERSON, anonymous=False),
                    cue=crossing, content=[inner_content, across], kind=AttributionKind.DIRECT, nested_in="a1"),
    ]
    report = _report(text, attributions)
    between = Span.of(text, text.index("\n"), text.index("Next") + 4)  # starts on the newline between paragraphs
    report.credibility = Credibility(summary="s", method="m", signals=[Signal(
        id="x", name="x", value=1, level=SignalLevel.INFO, explanation="x", evidence=[between])])
    root = parse(render_html(report))
    rendered = [n.text(skip={"ref"}) for n in by_id(root, "text").iter() if n.tag == "p"]
    assert rendered == [line for line in text.split("\n") if line]
    assert by_id(root, f"ev-{between.start}-{between.end}").text() == "Next"

    assert spans_under(root, text, part("content", "a1")) == {(outer_content.start, outer_content.end)}
    assert spans_under(root, text, part("cue", "a2")) == {(crossing.start, crossing.end)}
    assert spans_under(root, text, part("content", "a2")) == {
        (inner_content.start, inner_content.end), (across.start, text.index("\n")),
        (text.index("Next"), across.end)}
    assert spans_under(root, text, part("conduit", "a1")) == {(17, 26)}
    # Ids are on the first fragment only, and every fragment of a split element keeps its data.
    assert len([n for n in root.iter() if n.attrs.get("id") == "cue-a2"]) == 1
    fragments = [n for n in root.iter() if "content" in n.classes() and n.attrs.get("data-a") == "a1"]
    assert len(fragments) >= 2 and all("cont" in f.classes() for f in fragments[1:])
    assert not any("cont" in n.classes() and "id" in n.attrs for n in root.iter())


def test_empty_report_parts_render_gracefully() -> None:
    report = _report("Nothing is attributed here.\n", [])
    report.credibility = None
    root = parse(render_html(report))
    assert "No attributions" in by_id(root, "attributions").text()
    assert "No outlets" in by_id(root, "outlets").text()
    assert "No credibility assessment" in by_id(root, "credibility").text()


def test_outlets_with_registry_labels(seed_report: Report) -> None:
    report = seed_report.model_copy(deep=True)
    report.outlets = [OutletLink(
        name="Fars News Agency", registry_id="fars-news-agency", roles=[OutletRole.CONDUIT], domains=["farsnews.ir"],
        country="IR", labels=[RegistryLabel(label="state_controlled", registry="state-media-profiles",
                                            value="state-controlled", snapshot="2024-05", licence="CC BY 4.0",
                                            url="https://example.org/profiles/fars")],
        attribution_ids=["a3"],
    )]
    root = parse(render_html(report))
    panel = by_id(root, "outlets").text()
    assert "state controlled" in panel and "state-media-profiles" in panel and "CC BY 4.0" in panel
    assert any(n.attrs.get("href") == "https://example.org/profiles/fars" for n in by_id(root, "outlets").iter())


@pytest.mark.parametrize(("url", "href"), [
    ("https://example.com/a?b=1#c", "https://example.com/a?b=1#c"),
    ("http://example.com", "http://example.com"),
    ("javascript:alert(1)", None),
    ("JAVASCRIPT:alert(1)", None),
    (" javascript:alert(1)", None),
    ("java\tscript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("//example.com/a", None),
    ("https:///nohost", None),
    (None, None),
])
def test_only_plain_http_urls_become_links(url: str | None, href: str | None) -> None:
    assert safe_href(url) == href


def test_cli_writes_the_html_report(tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["demo", "--format", "html", "--output", str(output)])
    assert result.exit_code == 0, result.output
    root = parse(output.read_text(encoding="utf-8"))
    assert "Fars News Agency" in by_id(root, "attributions").text()
