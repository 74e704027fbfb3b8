"""Reads PolNeAR (brat standoff) into plain character spans, one annotator per article.

PolNeAR ships several ``.ann`` files for a few articles (one per annotator). The upstream helper picks one at
random; we take the alphabetically first file so every run scores against the same gold. ``Discuss`` and
``Discard`` records are annotator flags, not attributions, and are ignored. Texts are read from the data folder
at run time and never copied into this repository.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

CharSpan = tuple[int, int]

_RECORD = re.compile(r"^[TE#]\d+\t")
_ROLES = {"Source": "source", "Cue": "cue", "Content": "content"}


@dataclass(frozen=True)
class GoldAttribution:
    """One gold attribution; each role is a list of pieces because brat spans can be discontinuous."""

    source: tuple[CharSpan, ...] | None
    cue: tuple[CharSpan, ...]
    content: tuple[CharSpan, ...]


@dataclass(frozen=True)
class GoldArticle:
    stem: str
    publisher: str
    text: str
    attributions: tuple[GoldAttribution, ...]
    ann_file: str


BIO_LABELS = ("O", "B-source", "I-source", "B-cue", "I-cue", "B-content", "I-content")


def word_labels(article: GoldArticle, words: list[CharSpan]) -> list[int]:
    """The gold BIO label (an index into ``BIO_LABELS``) of every word, given as sorted character spans.

    A word takes the role of any gold piece it overlaps; the first word of a piece gets ``B-``. Where pieces of
    two roles overlap (rare), the first role written wins."""
    starts = [start for start, _ in words]
    labels = [0] * len(words)
    for attribution in article.attributions:
        for role in ("source", "cue", "content"):
            begin = BIO_LABELS.index(f"B-{role}")
            for start, end in getattr(attribution, role) or ():
                first = True
                j = max(0, bisect_right(starts, start) - 1)
                while j < len(words) and words[j][0] < end:
                    if words[j][1] > start:
                        if labels[j] == 0:
                            labels[j] = begin + (0 if first else 1)
                        first = False
                    j += 1
    return labels


class DataMissing(FileNotFoundError):
    pass


def _records(ann_text: str) -> list[str]:
    """Glue continuation lines (a surface text that runs over a newline) onto their record."""
    records: list[str] = []
    for line in ann_text.split("\n"):
        if _RECORD.match(line) or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    return records


def parse_ann(ann_text: str) -> list[GoldAttribution]:
    """Brat standoff → attributions, in the order of their ``E`` records.

    Events without a cue or a content are dropped: the data holds a few dangling duplicates such as
    ``E21 Attribution-no-source:T83`` next to the complete ``E22`` on the same anchor.
    """
    spans: dict[str, tuple[str, tuple[CharSpan, ...]]] = {}
    events: list[list[tuple[str, str]]] = []
    for record in _records(ann_text):
        fields = record.split("\t")
        if record.startswith("T") and len(fields) >= 2:
            label, _, offsets = fields[1].partition(" ")
            pieces = tuple((int(start), int(end)) for start, end in (piece.split() for piece in offsets.split(";")))
            spans[fields[0]] = (label, pieces)
        elif record.startswith("E") and len(fields) >= 2:
            events.append([tuple(item.split(":", 1)) for item in fields[1].split()])  # type: ignore[misc]

    attributions = []
    for event in events:
        roles: dict[str, list[CharSpan]] = {}
        for role, ref in event:
            key = _ROLES.get(role.rstrip("0123456789"))  # Content2 → content
            if key and ref in spans and spans[ref][0] in _ROLES:
                roles.setdefault(key, []).extend(spans[ref][1])
        if roles.get("cue") and roles.get("content"):
            source = roles.get("source")
            attributions.append(
                GoldAttribution(
                    source=tuple(sorted(source)) if source else None,
                    cue=tuple(sorted(roles["cue"])),
                    content=tuple(sorted(roles["content"])),
                )
            )
    return attributions


def load_split(data_dir: Path, split: str, limit: int | None = None) -> list[GoldArticle]:
    """All articles of one compartment (``train``, ``dev``), sorted by file name, with one annotator each."""
    return [versions[0] for versions in _articles(data_dir, split, limit)]


def load_annotator_versions(data_dir: Path, compartment: str) -> list[list[GoldArticle]]:
    """The articles of a compartment that several annotators annotated: one :class:`GoldArticle` per annotator,
    annotators in file-name order."""
    return [versions for versions in _articles(data_dir, compartment, None) if len(versions) > 1]


def _articles(data_dir: Path, compartment: str, limit: int | None) -> list[list[GoldArticle]]:
    text_dir, ann_dir = data_dir / compartment / "text", data_dir / compartment / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise DataMissing(
            f"PolNeAR {compartment!r} compartment not found under {data_dir} (expected {compartment}/text/*.txt)"
        )
    articles = []
    for text_path in sorted(text_dir.glob("*.txt"))[:limit]:
        ann_files = sorted(ann_dir.glob(f"{text_path.stem}_[0-9a-f][0-9a-f][0-9a-f][0-9a-f].ann"))
        text = text_path.read_bytes().decode("utf-8")  # no newline translation: offsets are exact
        versions = [
            GoldArticle(
                stem=text_path.stem,
                publisher=text_path.stem.split("_", 1)[0],
                text=text,
                attributions=tuple(parse_ann(ann_file.read_bytes().decode("utf-8"))),
                ann_file=ann_file.name,
            )
            for ann_file in ann_files
        ]
        if versions:
            articles.append(versions)
    return articles
