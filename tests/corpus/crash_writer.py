"""The writer the store crash test kills: stores articles from already-made rows (no analysis, so a run is fast),
and every few articles brings the copied-passages index and the stories up to date, as `corpus add`, `corpus
reuse` and `corpus stories` would. It prints ``ready`` once the store is open, ``stored ID`` once an
article's transaction has committed, and ``indexing`` before each update of the index and stories.

    python tests/corpus/crash_writer.py ROWS.pickle STORE.db TOTAL [EVERY]

Resumes like `corpus add`: an input (``crash:N``) already recorded is skipped.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
from pathlib import Path

from sourcetrace.corpus.records import content_hash, url_key
from sourcetrace.corpus.store import ArticleRow, Store
from sourcetrace.stories.assign import assign_stories
from sourcetrace.stories.reuse import ReuseIndex, ReuseOptions

DESKS = ("north", "south", "east", "west", "foreign", "city", "science")
# every article repeats one of a few bases, so the full index would align each with all before it; a low
# document-frequency cap stops that after the first few copies and keeps a run fast (the writes are the same)
REUSE = ReuseOptions(max_df=6)


def article(base: ArticleRow, number: int) -> ArticleRow:
    """Article ``number``: a base article with a paragraph of its own appended (its report's offsets stay
    valid: they all fall before the new paragraph)."""
    desk = DESKS[number % len(DESKS)]
    text = (base.text.rstrip() + f"\n\nThis is dispatch number {number} from the {desk} desk, filed "
            f"{number % 28 + 1} days into the month, the editors said.\n")
    url = f"https://example.org/{desk}/dispatch/{number}"
    return dataclasses.replace(base, text=text, content_hash=content_hash(text), url=url, url_key=url_key(url),
                               external_id=f"a{number}", origin=f"crash:{number}",
                               published=f"2024-03-{number % 28 + 1:02d}")


def main() -> None:
    rows_path, db, total = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    every = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    bases: list[ArticleRow] = pickle.loads(rows_path.read_bytes())
    with Store(db) as store:
        print("ready", flush=True)
        added = 0
        for number in range(total):
            if store.seen(f"crash:{number}"):
                continue
            store.add_article(article(bases[number % len(bases)], number))
            print(f"stored a{number}", flush=True)  # only after the commit
            added += 1
            if added % every == 0:
                print("indexing", flush=True)  # the crash test counts the kills that land in here
                ReuseIndex(store, REUSE).update()
                assign_stories(store)
        ReuseIndex(store, REUSE).update()
        assign_stories(store)
        print("done", flush=True)


if __name__ == "__main__":
    main()
