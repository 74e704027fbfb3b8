"""Conduit benchmark: are speakers and chains right on everyday wire copy?

Run from the repository root::

    python benchmarks/conduits.py [--data benchmarks/data/conduits-wire.txt] [--rules-only] [--show-errors]

Reads the hand-annotated stories (format in the data file's header), analyses each with ``sourcetrace`` and
scores every gold attribution against the predicted attribution whose content is the tightest one holding the
gold content fragment:

* chain exact: the speaker matches and the ordered conduits equal the gold ones (names compared
  case-insensitively, without a leading "the", a possessive or a trailing "newspaper"/"news agency"…);
* conduits exact: the ordered conduits alone;
* conduit precision / recall / F1: conduit names per attribution (a multiset); a gold attribution no prediction
  covers counts its conduits as missed, and a predicted attribution that covers no gold attribution counts its
  conduits as invented (every attribution in the stories is annotated);
* speaker and anonymity accuracy.

Without ``--rules-only`` or ``--no-docs`` it runs both configurations and rewrites the ``conduits`` section
of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from docs_section import REPO_ROOT, git_commit, markdown_table, today, write_section

DEFAULT_DATA = REPO_ROOT / "benchmarks" / "data" / "conduits-wire.txt"
_DESCRIPTORS = re.compile(r"\s+(newspaper|daily|news agency|agency|television|tv|radio|radio station)$")


@dataclass
class GoldAttribution:
    fragment: str
    speakers: list[str]
    anonymous: bool
    chain: list[list[str]]  # per conduit, its accepted names


@dataclass
class Story:
    id: str
    text: str
    gold: list[GoldAttribution]


def parse(path: Path) -> list[Story]:
    """Stories of the data file (see its header for the format)."""
    raw = "\n".join(line for line in path.read_text("utf-8").splitlines() if not line.startswith("#"))
    stories = []
    for block in raw.split("\n=== ")[1:]:
        header, rest = block.split("\n", 1)
        text, annotations = rest.split("\n---\n", 1)
        gold = []
        for line in annotations.strip().splitlines():
            fragment, speaker, anonymous, chain = (part.strip() for part in line.split("|"))
            gold.append(GoldAttribution(
                fragment, [s.strip() for s in speaker.split(" / ")], anonymous == "y",
                [[name.strip() for name in conduit.split(" / ")] for conduit in chain.split(" > ")] if chain else [],
            ))
        stories.append(Story(header.strip(), text.strip() + "\n", gold))
    return stories


def norm(name: str) -> str:
    name = " ".join(name.replace("’", "'").split()).strip(" ,.").lower()
    name = re.sub(r"^the\s+", "", name)
    name = re.sub(r"'s?$", "", name)
    return _DESCRIPTORS.sub("", name)


def speaker_matches(predicted: str | None, gold: list[str]) -> bool:
    return predicted is not None and norm(predicted) in {norm(g) for g in gold}


def chain_matches(predicted: list[str], gold: list[list[str]]) -> bool:
    if len(predicted) != len(gold):
        return False
    return all(norm(p) in {norm(n) for n in g} for p, g in zip(predicted, gold, strict=True))


@dataclass
class Tally:
    gold: int = 0
    with_chain: int = 0
    found: int = 0
    chain_exact: int = 0
    conduits_exact: int = 0
    speaker: int = 0
    anonymity: int = 0
    conduit_tp: int = 0
    conduit_gold: int = 0
    conduit_predicted: int = 0
    errors: list[str] = field(default_factory=list)

    def prf(self) -> tuple[float, float, float]:
        p = self.conduit_tp / self.conduit_predicted if self.conduit_predicted else 1.0
        r = self.conduit_tp / self.conduit_gold if self.conduit_gold else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(stories: list[Story], learned: bool, pipeline: object | None = None) -> Tally:
    from sourcetrace.article.pipeline import Pipeline

    pipe = pipeline if isinstance(pipeline, Pipeline) else Pipeline(learned_attribution=learned)
    tally = Tally()
    for story in stories:
        report = pipe.analyze(story.text)
        used: set[str] = set()
        for gold in story.gold:
            tally.gold += 1
            tally.with_chain += bool(gold.chain)
            tally.conduit_gold += len(gold.chain)
            matches = [a for a in report.attributions
                       if any(gold.fragment in " ".join(c.text.split()) for c in a.content)]
            if not matches:
                tally.errors.append(f"{story.id}: no attribution holds {gold.fragment!r}")
                continue
            best = min(matches, key=lambda a: sum(len(c.text) for c in a.content))
            used.add(best.id)
            tally.found += 1
            speaker = best.source.name if best.source else None
            conduits = [c.name for c in best.conduits]
            tally.conduit_predicted += len(conduits)
            gold_names = [g[0] for g in gold.chain]
            remaining = list(gold.chain)
            for name in conduits:
                hit = next((g for g in remaining if norm(name) in {norm(n) for n in g}), None)
                if hit is not None:
                    remaining.remove(hit)
                    tally.conduit_tp += 1
            speaker_ok = speaker_matches(speaker, gold.speakers)
            chain_ok = chain_matches(conduits, gold.chain)
            tally.speaker += speaker_ok
            tally.conduits_exact += chain_ok
            tally.chain_exact += speaker_ok and chain_ok
            tally.anonymity += best.source is not None and best.source.anonymous == gold.anonymous
            if not (speaker_ok and chain_ok) or (best.source is not None and best.source.anonymous != gold.anonymous):
                tally.errors.append(
                    f"{story.id}: {gold.fragment[:50]!r}: gold {gold.speakers[0]} "
                    f"({'anon' if gold.anonymous else 'named'})"
                    f" → {' → '.join(gold_names) or '-'}; got {speaker} "
                    f"({'anon' if best.source and best.source.anonymous else 'named'}) → {' → '.join(conduits) or '-'}"
                )
        for attribution in report.attributions:
            if attribution.id not in used and attribution.conduits:
                tally.conduit_predicted += len(attribution.conduits)
                name = attribution.source.name if attribution.source else None
                tally.errors.append(
                    f"{story.id}: unannotated attribution with conduits: {name}"
                    f" → {' → '.join(c.name for c in attribution.conduits)} ({attribution.content[0].text[:50]!r})"
                )
    return tally


def row(name: str, tally: Tally) -> list[object]:
    p, r, f = tally.prf()
    shares = [tally.chain_exact, tally.conduits_exact]
    return [name, tally.gold, tally.found, *(f"{n / tally.gold:.3f}" for n in shares), f"{p:.3f}", f"{r:.3f}",
            f"{f:.3f}", *(f"{n / tally.gold:.3f}" for n in (tally.speaker, tally.anonymity))]


HEADERS = ["pipeline", "gold", "found", "chain exact", "conduits exact", "conduit P", "conduit R", "conduit F1",
           "speaker", "anonymity"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rules-only", action="store_true", help="score only the rules (no learned tagger)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--show-errors", action="store_true", help="list every wrong speaker, chain or anonymity")
    args = parser.parse_args(argv)
    stories = parse(args.data)
    configs = [("rules only", False)]
    if not args.rules_only:
        configs.insert(0, ("shipped (rules + tagger)", True))
    rows = []
    for name, learned in configs:
        tally = score(stories, learned)
        rows.append(row(name, tally))
        if args.show_errors:
            print(f"--- {name}: errors")
            print("\n".join(tally.errors))
    table = markdown_table(HEADERS, rows)
    print(table)
    with_chain = sum(bool(g.chain) for s in stories for g in s.gold)
    if not args.rules_only and not args.no_docs:
        write_section("conduits", (
            "## Conduits and chains on wire copy\n\n"
            f"`python benchmarks/conduits.py` — {today()}, sourcetrace commit `{git_commit()}`. "
            f"{len(stories)} hand-annotated wire-style stories, {sum(len(s.gold) for s in stories)} attributions "
            f"({with_chain} with a non-empty chain) in `benchmarks/data/conduits-wire.txt` (format and conventions in "
            "its header).\n\n" + table + "\n\n"
            "*chain exact*: speaker and ordered conduits both right; *conduits exact*: the conduits alone; conduit "
            "P/R/F1 over conduit names per attribution, where a gold attribution nothing covers misses its conduits "
            "and a predicted attribution that covers no gold one invents its conduits; *found*: gold attributions "
            "whose content fragment lies in some predicted content. Goal: chain exact ≥ 0.90, conduit F1 ≥ 0.95."
        ))
    return 0


if __name__ == "__main__":
    sys.exit(main())
