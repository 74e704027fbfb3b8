"""The offset indexes that keep long texts linear answer exactly what the scans they replaced answered."""

from __future__ import annotations

import random

from sourcetrace import Pipeline
from sourcetrace.article.entities import extract
from sourcetrace.article.nlp import parse
from sourcetrace.article.offset_index import OffsetIndex
from sourcetrace.article.segment import build_layout
from sourcetrace.models import EntityKind


def test_offset_index_matches_a_scan_on_random_ranges() -> None:
    rng = random.Random(21)
    for _ in range(50):
        ranges = [(s, s + rng.randint(0, 40)) for s in (rng.randint(0, 500) for _ in range(rng.randint(0, 60)))]
        index = OffsetIndex(ranges)
        for _ in range(40):
            start = rng.randint(-10, 520)
            end = start + rng.randint(0, 80)
            assert index.overlapping(start, end) == [k for k, (s, e) in enumerate(ranges) if s < end and e > start]
            assert index.starting_in(start, end) == [k for k, (s, _) in enumerate(ranges) if start <= s < end]


def test_entity_index_and_layout_answer_as_the_scans_did(pipeline: Pipeline, seed_text: str) -> None:
    doc = parse(seed_text, pipeline.nlp)
    index = extract(seed_text, doc, pipeline.lexicon)
    layout = build_layout(seed_text, doc)

    def entity_at_by_scan(start: int, end: int, kinds: set[EntityKind] | None) -> str | None:
        best: tuple[int, str] | None = None
        for cluster in index.clusters.values():
            if kinds and cluster.kind not in kinds:
                continue
            for mention in cluster.mentions:
                inside = start <= mention.span.start and mention.span.end <= end
                ends_inside = start < mention.span.end <= end and cluster.kind is EntityKind.PERSON
                if (inside or ends_inside) and mention.resolved_from is None:
                    length = mention.span.end - mention.span.start
                    if best is None or length > best[0]:
                        best = (length, cluster.id)
        return best[1] if best else None

    found = 0
    for unit in layout.sentences:
        for start, end in [(unit.start, unit.end), *((t.idx, t.idx + len(t)) for t in unit.sent)]:
            for kinds in (None, {EntityKind.PERSON}, {EntityKind.OUTLET, EntityKind.ORGANIZATION}):
                expected = entity_at_by_scan(start, end, kinds)
                assert index.entity_at(start, end, kinds) == expected
                found += expected is not None
        assert layout.quotes_in(unit.start, unit.end) == [
            q for q in layout.quotes if q.start < unit.end and q.end > unit.start]
        assert layout.quoted_chars(unit.start, unit.end) == sum(
            max(0, min(unit.end, q.end) - max(unit.start, q.start)) for q in layout.quotes if q.level == 0)
        assert layout.sentence_at(unit.start) is unit and layout.sentence_at(unit.end - 1) is unit
    assert found > 100
