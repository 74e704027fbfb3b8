"""Words, fingerprints and local alignment: the text side of copied-passage detection.

Three steps, each a plain function over one or two texts (no store, no NLP model):

* :func:`tokenize` — word tokens (``\\w+`` with inner apostrophes), case-folded, with character offsets into the
  exact text, so every passage found maps back to character spans in both articles;
* :func:`fingerprint` — hashed word 5-grams, winnowed (the smallest hash in every window of 5 consecutive
  n-grams, Schleimer et al. 2003): about a third of the n-grams are kept, the same ones in every text, and any
  shared run of 9 words or more keeps at least one. These are what the reuse index stores (passim indexes
  every n-gram; winnowing keeps the index a third the size with the same guarantee for passages of 9+ words);
* :func:`align` — the local alignment of two texts that share fingerprints: exact word-trigram anchors chained
  along near-diagonals, tolerating substituted, inserted and dropped words (gaps of up to ``max_gap`` words),
  each chain a passage with its word and character spans in both texts. Reordered sentences come out as
  separate passages. This is a sparse form of passim's Smith-Waterman step: NEWS-COPY's edited reprints share
  only a quarter to a third of their 3-4-word shingles, yet their trigram anchors still chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

WORD = re.compile(r"\w+(?:['’]\w+)*")
NGRAM = 5
WINDOW = 5
_PRIME = np.uint64(1_000_003)
_MASK63 = np.uint64((1 << 63) - 1)


class Tokens:
    """The words of a text, case-folded, with their character offsets (computed when first asked for: indexing
    needs only the words)."""

    def __init__(self, text: str) -> None:
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer (İ): fold the others only
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self._folded = lowered.replace("’", "'")
        self.words: list[str] = WORD.findall(self._folded)
        self._spans: NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return len(self.words)

    def _offsets(self) -> NDArray[np.int64]:
        if self._spans is None:
            flat = [x for match in WORD.finditer(self._folded) for x in match.span()]
            self._spans = np.asarray(flat, dtype=np.int64).reshape(-1, 2)
        return self._spans

    @property
    def starts(self) -> NDArray[np.int64]:
        return self._offsets()[:, 0]

    @property
    def ends(self) -> NDArray[np.int64]:
        return self._offsets()[:, 1]


def tokenize(text: str) -> Tokens:
    return Tokens(text)


_HASH_WIDTH = 24  # characters of a word that its hash reads (longer words are told apart by their first 24)
_POWERS = np.uint64(0x100000001B3) ** np.arange(_HASH_WIDTH, dtype=np.uint64)


def _word_hashes(words: list[str]) -> NDArray[np.uint64]:
    """A stable 64-bit hash per word, vectorised: the words as fixed-width UTF-32 code points, one polynomial."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    codes = np.asarray(words, dtype=f"U{_HASH_WIDTH}").view(np.uint32).reshape(len(words), _HASH_WIDTH)
    with np.errstate(over="ignore"):
        value = (codes.astype(np.uint64) * _POWERS).sum(axis=1, dtype=np.uint64)
        return np.asarray(value * np.uint64(0x9E3779B97F4A7C15) + np.uint64(1), dtype=np.uint64)


def ngram_hashes(words: list[str], n: int = NGRAM) -> NDArray[np.int64]:
    """One stable 63-bit hash per word n-gram (the same n-gram hashes the same in every process)."""
    if len(words) < n:
        return np.zeros(0, dtype=np.int64)
    base = _word_hashes(words)
    count = len(words) - n + 1
    value = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            value = value * _PRIME + base[k:k + count]
    return (value & _MASK63).astype(np.int64)


def fingerprint(words: list[str], n: int = NGRAM, window: int = WINDOW) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The winnowed n-gram hashes of a text and the word position of each (sorted by position)."""
    hashes = ngram_hashes(words, n)
    if len(hashes) == 0:
        return hashes, np.zeros(0, dtype=np.int64)
    if len(hashes) <= window:
        position = int(np.argmin(hashes))
        return hashes[position:position + 1], np.asarray([position], dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(hashes, window)
    # the rightmost minimum of each window (as Schleimer et al.), so a run of equal hashes keeps one
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    positions = np.unique(rightmost + np.arange(len(windows)))
    return hashes[positions], positions.astype(np.int64)


@dataclass
class Match:
    """One aligned passage: word spans [start, end) in texts a and b, and the aligned word pairs."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    pairs: list[tuple[int, int]] = field(default_factory=list)

    @property
    def words(self) -> int:
        """Words of text a inside the passage that are aligned to the same word in text b."""
        return len({i for i, _ in self.pairs})

    @property
    def similarity(self) -> float:
        return self.words / max(self.a_end - self.a_start, self.b_end - self.b_start, 1)


def align(a: Tokens, b: Tokens, *, min_words: int = 12, max_gap: int = 10, max_shift: int = 4,
          min_density: float = 0.4) -> list[Match]:
    """The passages texts ``a`` and ``b`` share, each at least ``min_words`` aligned words long and at least
    ``min_density`` of its span aligned in both texts; non-overlapping in both, longest first."""
    k = 3
    if len(a) < k or len(b) < k:
        return []
    grams_b: dict[tuple[str, ...], list[int]] = {}
    wb = b.words
    for j in range(len(wb) - k + 1):
        grams_b.setdefault((wb[j], wb[j + 1], wb[j + 2]), []).append(j)
    wa = a.words
    # chains: [first_i, first_j, last_i, last_j, anchors]
    chains: list[list[object]] = []
    active: list[list[object]] = []
    for i in range(len(wa) - k + 1):
        hits = grams_b.get((wa[i], wa[i + 1], wa[i + 2]))
        if not hits or len(hits) > 8:
            continue
        if active:
            active = [c for c in active if i - c[2] <= max_gap]  # type: ignore[operator]
        for j in hits:
            best = None
            best_key: tuple[int, int] = (0, 0)
            for chain in active:
                di = i - chain[2]  # type: ignore[operator]
                dj = j - chain[3]  # type: ignore[operator]
                if 0 < di <= max_gap and 0 < dj <= max_gap and abs(di - dj) <= max_shift:
                    key = (abs(di - dj), di)
                    if best is None or key < best_key:
                        best, best_key = chain, key
            if best is None:
                best = [i, j, i, j, []]
                active.append(best)
                chains.append(best)
            best[2], best[3] = i, j
            best[4].append((i, j))  # type: ignore[attr-defined]
    matches: list[Match] = []
    for chain in chains:
        anchors: list[tuple[int, int]] = chain[4]  # type: ignore[assignment]
        pairs = sorted({(i + d, j + d) for i, j in anchors for d in range(k)})
        a_start, b_start = anchors[0]
        a_end, b_end = anchors[-1][0] + k, anchors[-1][1] + k
        match = Match(a_start, a_end, b_start, b_end, pairs)
        aligned = match.words
        if (aligned >= min_words and aligned >= min_density * (a_end - a_start)
                and aligned >= min_density * (b_end - b_start)):
            matches.append(match)
    matches.sort(key=lambda m: -m.words)
    kept: list[Match] = []
    for match in matches:
        if any(_overlap(match.a_start, match.a_end, o.a_start, o.a_end) > 0.5 * (match.a_end - match.a_start)
               or _overlap(match.b_start, match.b_end, o.b_start, o.b_end) > 0.5 * (match.b_end - match.b_start)
               for o in kept):
            continue
        kept.append(match)
    return _merge_adjacent(kept, max_gap)


def _overlap(s1: int, e1: int, s2: int, e2: int) -> int:
    return max(0, min(e1, e2) - max(s1, s2))


def _merge_adjacent(matches: list[Match], max_gap: int) -> list[Match]:
    """Join passages that follow each other in both texts (a chain broken by a longer edit)."""
    matches = sorted(matches, key=lambda m: (m.a_start, m.b_start))
    merged: list[Match] = []
    for match in matches:
        if merged:
            last = merged[-1]
            gap_a, gap_b = match.a_start - last.a_end, match.b_start - last.b_end
            if 0 <= gap_a <= max_gap and 0 <= gap_b <= max_gap:
                merged[-1] = Match(last.a_start, match.a_end, last.b_start, match.b_end, last.pairs + match.pairs)
                continue
        merged.append(match)
    return merged
