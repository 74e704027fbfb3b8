"""Claims speed (issue 24): the cost of claims + stance per article in a corpus run, relative to ``analyze`` alone.

    python benchmarks/claims_speed.py [--repeat 3] [--no-docs]

Texts: the packaged ones — the reference article, the demo corpus (7 texts) and the claims test corpus (4 texts),
12 articles that form one story — and, with ../shared present, the three largest stories of the story-labelled
FNC-1 train bodies (up to 20 bodies each: longer real news, and stories where most articles address the claims,
so the stance model is called most). In one process, the same run: (1) ``analyze``
each article (warm pipeline, the learned tagger on, as ``corpus add`` runs it); (2) store them, place them in
stories, and compute every story's claims from the stored reports: claim extraction + check-worthiness, matching,
each article's stance toward each story claim, contradictions — once with the stance model (when this install has
``sourcetrace.claims.stance``) and once with the rules alone. Reported per article and as a ratio to (1); the goal
is that claims + stance add at most 1x ``analyze`` (the corpus pipeline within 2x). Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from docs_section import cpu_model, git_commit, markdown_table, today, write_section  # noqa: E402

from sourcetrace.article.pipeline import Pipeline  # noqa: E402
from sourcetrace.claims.story import (  # noqa: E402
    MODEL_CALLS_PER_ARTICLE,
    StanceModel,
    build_story_claims,
    stance_model,
)
from sourcetrace.corpus.api import Corpus  # noqa: E402
from sourcetrace.stories.assign import assign_stories  # noqa: E402
from sourcetrace.stories.storage import StoryStorage  # noqa: E402

SCALE = (1, 10, 40)  # copies of the largest story
CLAIMS_CORPUS = REPO / "tests" / "claims" / "data" / "claims-corpus.jsonl"


def records() -> list[dict[str, str]]:
    package = resources.files("sourcetrace.resources")
    rows = [{"id": "seed", "outlet": "usdefensewatch.com", "date": "2015-10-23",
             "text": (package / "demo-article.txt").read_text(encoding="utf-8")}]
    for text in ((package / "demo_corpus" / "demo-corpus.jsonl").read_text(encoding="utf-8"),
                 CLAIMS_CORPUS.read_text(encoding="utf-8")):
        rows += [json.loads(line) for line in text.splitlines() if line.strip()]
    return rows


def fnc_records(stories: int, per_story: int) -> list[dict[str, str]]:
    """The largest stories of the story-labelled FNC-1 **train** bodies (sourcetrace.stories.labels), when
    ../shared is present: longer real news bodies, and stories of up to ``per_story`` articles."""
    from collections import defaultdict

    from sourcetrace.stories.labels import build, day_string

    data = REPO.parent / "shared" / "data"
    if not (data / "fnc1").exists():
        return []
    by_story: dict[str, list[dict[str, str]]] = defaultdict(list)
    for article in build(data).articles:
        if article.split == "train":
            by_story[article.story].append({"id": f"fnc-{article.body_id}", "outlet": f"body {article.body_id}",
                                            "date": day_string(article.date), "text": article.text})
    largest = sorted(by_story.values(), key=len, reverse=True)[:stories]
    return [r for rows in largest for r in rows[:per_story]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--fnc-stories", type=int, default=3, help="Add this many FNC-1 train stories (needs "
                        "../shared; 0: packaged texts only).")
    parser.add_argument("--per-story", type=int, default=20)
    parser.add_argument("--no-docs", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    args = parser.parse_args()
    packaged = records()
    fnc = fnc_records(args.fnc_stories, args.per_story) if args.fnc_stories else []
    rows = packaged + fnc
    pipeline = Pipeline()
    pipeline.analyze(rows[0]["text"])  # warm: models loaded before timing
    analyze = min(_time(lambda: [pipeline.analyze(r["text"]) for r in rows]) for _ in range(args.repeat))
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.jsonl"
        source.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        with Corpus(Path(folder) / "bench.db") as corpus:
            corpus.add(source, workers=1)
            assign_stories(corpus.store)
            storage = StoryStorage(corpus.store)
            stories = [(s.id, [a for a in (corpus.get(e.article_id) for e in storage.timeline(s.id)) if a])
                       for s in storage.stories(limit=1000)]
        models = {"rules + stance model": stance_model(), "rules alone": StanceModel()}
        timings = {}
        sizes = {}
        for name, model in models.items():
            if name.startswith("rules +") and model.stance is None:
                continue
            for sid, articles in stories:  # warm: the check-worthiness and stance models load here
                build_story_claims(sid, articles[:1], model=model)
            timings[name] = min(_time(lambda m=model: [build_story_claims(sid, arts, model=m)  # type: ignore[misc]
                                                       for sid, arts in stories]) for _ in range(args.repeat))
            sizes[name] = sum(len(build_story_claims(sid, arts, model=model).claims) for sid, arts in stories)
        # scale: one story made of the packaged articles repeated (new ids, same texts), as a story of wire copies
        # and reposts is; the cost per article should stay flat
        seed_story = max((arts for _, arts in stories), key=len)
        scale_rows = []
        for copies in SCALE:
            big = [dataclasses.replace(a, id=c * 100_000 + a.id) for c in range(copies) for a in seed_story]
            model = models["rules + stance model"] if models["rules + stance model"].stance else StanceModel()
            seconds = _time(lambda big=big, model=model: build_story_claims(1, big, model=model))
            scale_rows.append([len(big), f"{seconds:.1f}", f"{1000 * seconds / len(big):.0f}"])
    n = len(rows)
    kind = _stance_kind()
    table_rows = [["analyze (article pipeline)", f"{1000 * analyze / n:.0f}", "1.00", ""]]
    for name, seconds in timings.items():
        table_rows.append([f"claims + stance: {name}", f"{1000 * seconds / n:.0f}", f"{seconds / analyze:.2f}",
                           str(sizes[name])])
    table = markdown_table(["step", "ms per article", "× analyze", "story claims"], table_rows)
    scale = markdown_table(["articles in the story", "claims + stance (s)", "ms per article"], scale_rows)
    load = os.getloadavg()[0]
    print(table)
    print(scale)
    print(f"{n} articles ({len(fnc)} FNC-1) in {len(stories)} stories; load average {load:.2f}")
    if args.no_docs:
        return
    body = f"""## Claims + stance cost per article (issue 24)

`python benchmarks/claims_speed.py` — {today()}, commit {git_commit()}, {cpu_model()}, one process, load
average {load:.2f} at the end on 2 cores (the ratio, measured in the same run, is the number to read). {n}
articles: the 12 packaged ones (reference article, demo corpus, claims test corpus) and
{len(fnc)} FNC-1 train bodies from its {args.fnc_stories} largest labelled stories, in {len(stories)} stories as
the clusterer grouped them; best of {args.repeat}. Stance model: {kind} (the focused window: the story step's
reading); its calls are bounded at {MODEL_CALLS_PER_ARTICLE} per article, besides the grouping re-ranker's
claim-against-claim calls. Claims + stance read the stored reports: nothing is re-parsed.

{table}

Goal: the corpus pipeline with claims + stance within 2x `analyze`, i.e. the claims row at most 1.00.

Scale: the largest story above repeated as one story (the same texts under new ids, as wire copy and reposts
make a story), claims + stance with the stance model:

{scale}
"""
    write_section("claims_speed", body)
    print("wrote the claims_speed section of docs/benchmarks.md")


def _stance_kind() -> str:
    """Which stance path this install runs ('encoder' or 'lexical'), as sourcetrace.stance reports it."""
    try:
        from sourcetrace.claims.stance import stance
    except ImportError:
        return "none installed"
    return f"sourcetrace.stance, {stance('Iraq allowed Russian strikes', 'Iraq allowed Russian strikes.').model}"


def _time(work: object) -> float:
    started = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
