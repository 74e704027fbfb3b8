"""The benchmark's metrics on tiny hand-made cases whose answers were worked out by hand.

They need no PolNeAR data: a wrong metric would silently skew every reported number, so each definition
(CofeNet exact/begin/Jaccard, relation F1, GGT quote coverage) is pinned here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import attribution_metrics as m
from polnear_data import GoldAttribution, parse_ann

# "Trump said it." → Trump [0,5) said [6,10) it [11,13) . [13,14)
STARTS, ENDS = [0, 6, 11, 13], [5, 10, 13, 14]
# A synthetic text whose token i covers the single character 2i: handy for Jaccard arithmetic.
GRID_STARTS, GRID_ENDS = list(range(0, 40, 2)), list(range(1, 41, 2))


def toks(first: int, last: int) -> tuple[tuple[int, int], ...]:
    """Character piece covering grid tokens first..last inclusive."""
    return ((2 * first, 2 * last + 1),)


def test_prf_arithmetic_and_empty_cases():
    prf = m.PRF(tp=1, fp=2, fn=1) + m.PRF()
    assert (prf.precision, prf.recall) == (pytest.approx(1 / 3), 0.5)
    assert prf.f1 == pytest.approx(0.4)
    assert m.PRF().f1 == 0.0


def test_merge_and_overlap_do_not_double_count():
    assert m.merge([(3, 8), (0, 5), (9, 9)]) == [(0, 8)]
    assert m.overlap_chars([(0, 5), (3, 8)], [(4, 6)]) == 2
    assert m.covered_chars([(0, 5), (10, 15)]) == 10


def test_token_range_takes_every_token_a_piece_touches():
    assert m.token_range((6, 10), STARTS, ENDS) == (1, 2)  # "said"
    assert m.token_range((7, 12), STARTS, ENDS) == (1, 3)  # "aid i" → said, it
    assert m.token_range((5, 6), STARTS, ENDS) is None  # the space alone
    assert m.token_set([(0, 5), (11, 14)], STARTS, ENDS) == {0, 2, 3}


def test_spans_are_cut_at_unit_boundaries():
    assert m.clip_to_units([(0, 20)], [(0, 10), (12, 30)]) == [(0, 10), (12, 20)]
    units = [(0, 9), (10, 40)]  # grid tokens 0-4 | 5-19
    assert m.role_token_spans(toks(2, 7), units, GRID_STARTS, GRID_ENDS) == {(2, 5), (5, 8)}


def test_cofenet_exact_and_begin():
    gold, pred = {(0, 3), (5, 8)}, {(0, 3), (5, 7), (10, 12)}
    exact = m.exact_counts(gold, pred)
    assert (exact.tp, exact.fp, exact.fn) == (1, 2, 1)
    assert exact.f1 == pytest.approx(0.4)  # P 1/3, R 1/2
    begin = m.begin_counts(gold, pred)  # starts {0, 5} vs {0, 5, 10}
    assert (begin.tp, begin.fp, begin.fn) == (2, 1, 0)
    assert begin.f1 == pytest.approx(0.8)  # P 2/3, R 1


def test_cofenet_jaccard_score():
    assert m.span_jaccard((0, 4), (2, 6)) == pytest.approx(2 / 6)
    assert m.span_jaccard((0, 2), (2, 4)) == 0
    # (0,4) best-overlaps (0,2) at 2/4; (10,12) has no partner; (20,22) overlaps no gold → 0.5 / (2 + 1)
    score = m.jaccard_score({(0, 4), (10, 12)}, {(0, 2), (20, 22)})
    assert (score.total, score.count) == (0.5, 3)
    assert score.value == pytest.approx(1 / 6)
    assert m.jaccard_score(set(), set()).value == 0.0


def test_relation_needs_content_jaccard_cue_and_source():
    gold = m.Triple(source=toks(0, 0), cue=toks(1, 1), content=toks(2, 6))  # content = 5 tokens
    half = m.Triple(source=toks(0, 0), cue=toks(1, 1), content=toks(2, 4))  # 3/5 = 0.6
    short = m.Triple(source=toks(0, 0), cue=toks(1, 1), content=toks(2, 3))  # 2/5 = 0.4
    wrong_cue = m.Triple(source=toks(0, 0), cue=toks(7, 7), content=toks(2, 6))
    no_source = m.Triple(source=None, cue=toks(1, 1), content=toks(2, 6))
    far_source = m.Triple(source=toks(9, 9), cue=toks(1, 1), content=toks(2, 6))
    alias = m.Triple(source=toks(9, 9), cue=toks(1, 1), content=toks(2, 6), source_aliases=toks(0, 0))

    def matched(pred: m.Triple, g: m.Triple = gold) -> bool:
        return bool(m.relation_matches([g], [pred], GRID_STARTS, GRID_ENDS))

    assert matched(half) and not matched(short)
    assert not matched(wrong_cue) and not matched(no_source) and not matched(far_source)
    assert matched(alias)
    sourceless = m.Triple(source=None, cue=toks(1, 1), content=toks(2, 6))
    assert matched(no_source, sourceless) and not matched(half, sourceless)


def test_relation_matching_is_one_to_one_and_greedy_by_jaccard():
    cue = toks(1, 1)
    g1 = m.Triple(None, cue, toks(2, 5))  # tokens 2-5
    g2 = m.Triple(None, cue, toks(2, 4))  # tokens 2-4
    p1 = m.Triple(None, cue, toks(2, 4))  # J(g1) = 3/4, J(g2) = 1
    p2 = m.Triple(None, cue, toks(2, 5))  # J(g1) = 1,   J(g2) = 3/4
    matches = m.relation_matches([g1, g2], [p1, p2, p2], GRID_STARTS, GRID_ENDS)
    assert sorted(matches) == [(0, 1, 1.0), (1, 0, 1.0)]
    prf = m.relation_counts([g1, g2], [p1, p2, p2], GRID_STARTS, GRID_ENDS)
    assert (prf.tp, prf.fp, prf.fn) == (2, 1, 0)


def test_ggt_quote_coverage_is_strict_asymmetric_and_one_to_one():
    gold = [[(0, 10)]]
    assert m.ggt_quote_counts(gold, [[(0, 4)]], 0.3).tp == 1  # 40 % > 30 %
    assert m.ggt_quote_counts(gold, [[(0, 4)]], 0.8).tp == 0
    assert m.ggt_quote_counts(gold, [[(0, 3)]], 0.3).tp == 0  # exactly 30 % is not enough
    assert m.ggt_quote_counts(gold, [[(0, 100)]], 0.8).tp == 1  # an over-long prediction still counts
    prf = m.ggt_quote_counts([[(0, 10)], [(20, 30)]], [[(0, 30)]], 0.8)  # one prediction, two quotes
    assert (prf.tp, prf.fp, prf.fn) == (1, 0, 1)
    prf = m.ggt_quote_counts([[(0, 5), (10, 15)]], [[(0, 5)], [(50, 60)]], 0.3)  # 5 / 10 characters
    assert (prf.tp, prf.fp, prf.fn) == (1, 1, 0)


def test_quote_marks():
    assert m.has_quote_marks("“We won,” she said")
    assert not m.has_quote_marks("Clinton’s plan")


def test_parse_ann_reads_roles_and_skips_flags():
    ann = (
        "T1\tSource 0 5\tTrump\n"
        "T2\tCue 6 10\tsaid\n"
        "T3\tContent 11 20;25 30\tit was so and more\n"
        "T4\tAttribution 6 10\tsaid\n"
        "T5\tContent 40 52\tline one\n"
        "Tail of the line\n"  # a continuation line that happens to start with "T"
        "T6\tCue 53 58\tadded\n"
        "T7\tAttribution-no-source 53 58\tadded\n"
        "T8\tDiscuss 60 70\tunsure\n"
        "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
        "E2\tAttribution-no-source:T7 Cue:T6 Content:T5\n"
        "E3\tAttribution-no-source:T7 \n"  # dangling duplicate anchor
        "#1\tAnnotatorNotes T3\tcheck\n"
    )
    assert parse_ann(ann) == [
        GoldAttribution(source=((0, 5),), cue=((6, 10),), content=((11, 20), (25, 30))),
        GoldAttribution(source=None, cue=((53, 58),), content=((40, 52),)),
    ]


def test_loader_gives_one_annotator_per_article_or_every_annotator_of_shared_articles(tmp_path: Path) -> None:
    from polnear_data import load_annotator_versions, load_split

    text = "Trump said it."
    (tmp_path / "dev" / "text").mkdir(parents=True)
    (tmp_path / "dev" / "attributions").mkdir()
    for stem in ("nyt_a", "nyt_b"):
        (tmp_path / "dev" / "text" / f"{stem}.txt").write_text(text, encoding="utf-8")
    ann = "T1\tSource 0 5\tTrump\nT2\tCue 6 10\tsaid\nT3\tContent 11 13\tit\nT4\tAttribution 6 10\tsaid\n"
    event = "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
    (tmp_path / "dev" / "attributions" / "nyt_a_00aa.ann").write_text(ann + event, encoding="utf-8")
    (tmp_path / "dev" / "attributions" / "nyt_a_11bb.ann").write_text(ann, encoding="utf-8")  # no event
    (tmp_path / "dev" / "attributions" / "nyt_b_22cc.ann").write_text(ann + event, encoding="utf-8")

    assert [(a.stem, a.ann_file, len(a.attributions)) for a in load_split(tmp_path, "dev")] == [
        ("nyt_a", "nyt_a_00aa.ann", 1), ("nyt_b", "nyt_b_22cc.ann", 1)]
    (versions,) = load_annotator_versions(tmp_path, "dev")
    assert [(a.ann_file, len(a.attributions)) for a in versions] == [("nyt_a_00aa.ann", 1), ("nyt_a_11bb.ann", 0)]
