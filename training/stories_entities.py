"""Entities of the story-labelled FNC-1 bodies, by sourcetrace's own entity index (spaCy NER + gazetteer
canonicalisation, ISIS = ISIL), cached for training/train_stories.py and benchmarks/stories.py.

    python training/stories_entities.py          # writes out/stories/entities.json.gz (~2 min on 2 cores)

The cache is derived from FNC-1 (research data, no stated licence): it stays out of git (``/out/``).
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
CACHE = REPO / "out" / "stories" / "entities.json.gz"


def entities_of(texts: dict[int, str]) -> dict[int, list[tuple[str, int]]]:
    """(canonical name, mention offset) per named mention, as a stored report would give them."""
    from sourcetrace.article import entities
    from sourcetrace.article.lexicon import Lexicon
    from sourcetrace.article.nlp import load_nlp, normalise_for_parsing

    nlp, lexicon = load_nlp(), Lexicon.load()
    out: dict[int, list[tuple[str, int]]] = {}
    ids = list(texts)
    docs = nlp.pipe((normalise_for_parsing(texts[i]) for i in ids), batch_size=32)
    for body_id, doc in zip(ids, docs, strict=True):
        index = entities.extract(texts[body_id], doc, lexicon)
        out[body_id] = [(e.name, m.span.start) for e in index.entities() for m in e.mentions if not m.resolved_from]
    return out


def load() -> dict[int, list[tuple[str, int]]]:
    if not CACHE.exists():
        sys.exit(f"no entity cache at {CACHE}: run python training/stories_entities.py first")
    data = json.loads(gzip.decompress(CACHE.read_bytes()))
    return {int(k): [(n, int(o)) for n, o in v] for k, v in data.items()}


def main() -> None:
    sys.path.insert(0, str(REPO / "src"))
    from sourcetrace.stories.labels import build

    labelled = build(DATA)
    started = time.perf_counter()
    found = entities_of({a.body_id: a.text for a in labelled.articles})
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_bytes(gzip.compress(json.dumps({str(k): v for k, v in found.items()}).encode()))
    print(f"{len(found)} bodies, {sum(map(len, found.values()))} mentions, {time.perf_counter() - started:.0f} s "
          f"→ {CACHE}")


if __name__ == "__main__":
    main()
