"""Learned attribution extractor: a 4-layer MiniLM BIO tagger (source / cue / content) run with onnxruntime.

The model is trained on PolNeAR train by ``training/train_attribution.py`` and shipped as an int8 ONNX file in
``sourcetrace/resources/models/`` (see MODEL_CARD.md there). It tags every word of an article inside overlapping
windows of WordPieces that start at sentence starts, reads spans back from the BIO tags that a small CRF over
the tagger's distributions finds best (:class:`TagDecoder`, fitted to the shipped tagger by
``training/fit_decoder.py``), and links them:

* each content span goes to the nearest cue (character gap; a cue in another paragraph costs extra); the
  content spans of one cue form one attribution, so "A," she said, "B." gives one attribution with two pieces;
* each cue then takes the nearest free source span of its own paragraph, one source per cue (greedy by gap);
  a cue without one gets ``source=None`` (PolNeAR has no source for about 7 % of attributions).

Nothing is downloaded: the model, its tokenizer and its decoder are package data, loaded once on first use.
"""

from __future__ import annotations

import itertools
import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sourcetrace.article.offset_index import OffsetIndex
from sourcetrace.errors import ResourceError

MODEL_FILE = "attribution-tagger-int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
DECODER_FILE = "attribution-decoder.json"
LABELS = ("O", "B-source", "I-source", "B-cue", "I-cue", "B-content", "I-content")
ROLES = ("source", "cue", "content")
MAX_LEN = 256  # WordPieces per window including [CLS] and [SEP]; the model was trained with 256
MIN_OVERLAP = 32  # WordPieces two neighbouring windows share at least
CLS_ID, SEP_ID = 101, 102
PARAGRAPH_PENALTY = 400  # characters added to a content→cue gap per paragraph boundary in between
MAX_CUE_GAP = 1200  # characters; a content farther than this from every cue is dropped

CharSpan = tuple[int, int]


@dataclass
class _Span:
    role: str
    start: int
    end: int
    prob: float


def word_spans(enc: Any) -> tuple[list[CharSpan], list[int]]:
    """Character span and index of the first WordPiece of every word of a ``tokenizers`` encoding."""
    firsts: list[int] = []
    lasts: list[int] = []
    previous = object()
    for i, w in enumerate(enc.word_ids):
        if w is None or w != previous:
            firsts.append(i)
            lasts.append(i)
        else:
            lasts[-1] = i
        previous = w
    offsets = enc.offsets  # a property that builds a new list on every access
    return [(offsets[f][0], offsets[last][1]) for f, last in zip(firsts, lasts, strict=True)], firsts


class _Model:
    def __init__(self) -> None:
        try:
            import numpy as np
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as error:
            raise ResourceError(
                f"the learned attribution model needs {error.name!r}: pip install onnxruntime==1.32.0 "
                "tokenizers==0.23.3"
            ) from error
        folder = resources.files("sourcetrace.resources").joinpath("models")
        model_path, tok_path = folder.joinpath(MODEL_FILE), folder.joinpath(TOKENIZER_FILE)
        for path in (model_path, tok_path):
            if not path.is_file():
                raise ResourceError(
                    f"attribution model file missing: {path}. Reinstall sourcetrace (pip install --force-reinstall "
                    "sourcetrace), or rebuild it with training/train_attribution.py and copy the int8 model and "
                    "tokenizer.json into src/sourcetrace/resources/models/ (see training/README.md)"
                )
        self.np = np
        self.tokenizer = Tokenizer.from_str(tok_path.read_text("utf-8"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(model_path.read_bytes(), options, providers=["CPUExecutionProvider"])

    def word_probs(self, text: str, sentences: list[tuple[int, int]]) -> tuple[list[CharSpan], Any]:
        """Character span and tag probabilities (words × labels) of every word of ``text``."""
        np = self.np
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        ids, offsets = enc.ids, enc.offsets
        n = len(ids)
        if n == 0:
            return [], np.zeros((0, len(LABELS)), dtype=np.float32)
        words, firsts = word_spans(enc)

        width = MAX_LEN - 2
        piece_starts = [s for s, _ in offsets]
        starts_at = sorted({0} | {min(n - 1, bisect_left(piece_starts, s)) for s, _ in sentences})
        spans = []
        start = 0
        while True:
            end = min(n, start + width)
            spans.append((start, end))
            if end >= n:
                break
            # next window: the last sentence start at least MIN_OVERLAP pieces before this one's end, so that
            # every word is read from a window with context on both sides; mid-sentence if sentences are long
            limit = end - MIN_OVERLAP
            k = bisect_right(starts_at, limit) - 1
            start = starts_at[k] if k >= 0 and starts_at[k] > start + width // 2 else limit
        # one window per onnxruntime call: as fast per window as batches on one core (16.8 ms for 256 pieces,
        # batches of 1-4 alike), no padding, and the int8 model's dynamic activation scales then depend on the
        # window alone, not on which windows shared its batch
        logits = np.zeros((n, len(LABELS)), dtype=np.float32)
        best = np.full(n, -1.0)
        for s, e in spans:
            feed = {"input_ids": np.array([[CLS_ID, *ids[s:e], SEP_ID]], dtype=np.int64),
                    "attention_mask": np.ones((1, e - s + 2), dtype=np.int64)}
            out = self.session.run(["logits"], feed)[0][0, 1 : e - s + 1]
            positions = np.arange(s, e)
            left = positions - s if s > 0 else np.full(e - s, 10**6)
            right = e - 1 - positions if e < n else np.full(e - s, 10**6)
            margin = np.minimum(left, right).astype(float)
            take = margin > best[s:e]
            logits[s:e][take] = out[take]
            best[s:e][take] = margin[take]
        first_logits = logits[firsts]
        first_logits -= first_logits.max(-1, keepdims=True)
        probs = np.exp(first_logits)
        probs /= probs.sum(-1, keepdims=True)
        return words, probs


def _model() -> _Model:
    """The tagger, loaded once per process (the process's resource bundle)."""
    from sourcetrace.article.resources import load_resources

    return load_resources().tagger


@dataclass(frozen=True)
class TagDecoder:
    """A linear-chain CRF that reads the tagger's per-word tag distributions as its features.

    The tagger is distilled from a teacher's soft tags, so its distributions keep the teacher's hesitations; the
    best BIO path through them cut contents at clause boundaries and kept short spurious pieces. The decoder's
    emission scores are a linear map of the log-probabilities of each word and its ``context`` neighbours on
    either side, plus learned label-to-label transitions; ``training/fit_decoder.py`` fits both on PolNeAR train
    gold for one tagger (+2.6 content F1 on dev for the shipped one). The BIO constraint (``I-X`` only after
    ``B-X`` or ``I-X``) holds whatever the weights.
    """

    weight: Any  # labels × labels·(2·context + 1), the log-probabilities of words i-context … i+context in turn
    bias: Any  # labels
    transitions: Any  # previous label × next label
    start: Any  # labels: score of the first word's label
    context: int

    @classmethod
    def plain(cls) -> TagDecoder:
        """No learned weights: the best BIO path through the distributions themselves."""
        import numpy as np

        n = len(LABELS)
        return cls(np.eye(n), np.zeros(n), np.zeros((n, n)), np.zeros(n), 0)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TagDecoder:
        import numpy as np

        if tuple(data["labels"]) != LABELS:
            raise ResourceError(f"the decoder's labels {data['labels']} are not the tagger's {list(LABELS)}")
        weights = {key: np.array(data[key], dtype=np.float64) for key in ("weight", "bias", "transitions", "start")}
        return cls(**weights, context=int(data["context"]))

    def features(self, probs: Any) -> Any:
        """Words × labels·(2·context + 1): the log-probabilities of each word's neighbours, zero past the ends."""
        import numpy as np

        logp = np.log(np.clip(probs, 1e-6, 1.0))
        n, width = len(logp), len(LABELS)
        padded = np.zeros((n + 2 * self.context, width))
        padded[self.context : self.context + n] = logp
        return np.concatenate([padded[k : k + n] for k in range(2 * self.context + 1)], axis=1)

    def scores(self, features: Any) -> tuple[Any, Any, Any]:
        """Emission (words × labels, from :meth:`features`), transition and start scores, with the BIO
        constraint as -1e9 entries."""
        import numpy as np

        inside = np.array([label.startswith("I-") for label in LABELS])
        allowed = ~inside[None, :] | np.eye(len(LABELS), dtype=bool)  # anything → B-X or O; I-X → I-X
        allowed |= np.eye(len(LABELS), k=1, dtype=bool) & inside[None, :]  # B-X → I-X
        emissions = features @ self.weight.T + self.bias
        return emissions, np.where(allowed, self.transitions, -1e9), np.where(inside, -1e9, self.start)

    def best_tags(self, probs: Any) -> list[int]:
        """The highest-scoring label sequence (Viterbi)."""
        import numpy as np

        emissions, transitions, start = self.scores(self.features(probs))
        score = start + emissions[0]
        back = np.zeros(emissions.shape, dtype=np.int64)
        for i in range(1, len(emissions)):
            total = score[:, None] + transitions
            back[i] = total.argmax(0)
            score = total.max(0) + emissions[i]
        tags = [int(score.argmax())]
        for i in range(len(emissions) - 1, 0, -1):
            tags.append(int(back[i, tags[-1]]))
        return tags[::-1]


def shipped_decoder() -> TagDecoder:
    """The decoder fitted to the shipped tagger (package data, read once: the process's resource bundle)."""
    from sourcetrace.article.resources import load_resources

    return load_resources().decoder


def read_shipped_decoder() -> TagDecoder:
    """The decoder fitted to the shipped tagger, read from package data (uncached: use shipped_decoder)."""
    path = resources.files("sourcetrace.resources").joinpath("models").joinpath(DECODER_FILE)
    if not path.is_file():
        raise ResourceError(f"attribution decoder file missing: {path}. Reinstall sourcetrace, or rebuild it with "
                            "training/fit_decoder.py (see training/README.md)")
    return TagDecoder.from_dict(json.loads(path.read_text("utf-8")))


def decode(words: list[CharSpan], probs: Any, decoder: TagDecoder | None = None) -> list[_Span]:
    """BIO tags → spans, from the best tag sequence under ``decoder`` (the shipped one by default); a ``B-`` tag
    always starts a new span. (Joining touching content pieces of one sentence, +1.1 content F1 with the old
    decoding, changes no dev score with the learned one: its transitions do it.)"""
    if len(words) == 0:
        return []
    tags = (decoder or shipped_decoder()).best_tags(probs)
    spans: list[_Span] = []
    current: _Span | None = None
    tag_probs: list[float] = []
    for (start, end), tag, row in zip(words, tags, probs, strict=True):
        label = LABELS[tag]
        role = label[2:] if tag else None
        if current is not None and (role != current.role or label.startswith("B-")):
            current.prob = sum(tag_probs) / len(tag_probs)
            spans.append(current)
            current = None
        if role is not None:
            if current is None:
                current, tag_probs = _Span(role, start, end, 0.0), []
            current.end = end
            tag_probs.append(float(row[tag]))
    if current is not None:
        current.prob = sum(tag_probs) / len(tag_probs)
        spans.append(current)
    return spans


def _gap(a: _Span, b: _Span) -> int:
    return max(0, max(a.start, b.start) - min(a.end, b.end))


@dataclass(frozen=True)
class TaggedAttribution:
    """One attribution as the tagger reads it, in character offsets: its source (PolNeAR has none for about 7 % of
    attributions), its cue, its content pieces in order, and ``score``, the lowest mean tag probability over its
    spans (0–1; no threshold is applied)."""

    source: CharSpan | None
    cue: CharSpan
    content: list[CharSpan]
    score: float


def link(text: str, spans: list[_Span]) -> list[TaggedAttribution]:
    """Group tagged spans into attributions (see the module docstring for the rules)."""
    breaks = [m.start() for m in re.finditer(r"\n+", text)]

    def paragraph(pos: int) -> int:
        return bisect_right(breaks, pos)

    cues = [s for s in spans if s.role == "cue"]
    sources = [s for s in spans if s.role == "source"]
    # only a cue within MAX_CUE_GAP characters can be chosen, so only those are costed (in cue order, as before)
    near = OffsetIndex([(cue.start, cue.end) for cue in cues])
    contents: dict[int, list[_Span]] = {}
    for content in (s for s in spans if s.role == "content"):
        best, best_cost = None, float(MAX_CUE_GAP)
        for k in near.overlapping(content.start - MAX_CUE_GAP - 1, content.end + MAX_CUE_GAP + 1):
            cue = cues[k]
            first, second = sorted((cue, content), key=lambda s: s.start)
            between = max(0, paragraph(second.start) - paragraph(first.end - 1))
            cost = _gap(cue, content) + PARAGRAPH_PENALTY * between
            if cost <= best_cost:
                best, best_cost = k, cost
        if best is not None:
            contents.setdefault(best, []).append(content)

    sources_in: dict[int, list[int]] = {}  # paragraph → its sources
    for j, s in enumerate(sources):
        sources_in.setdefault(paragraph(s.start), []).append(j)
    pairs = sorted(
        (_gap(cues[k], sources[j]), k, j)
        for k in contents
        for j in sources_in.get(paragraph(cues[k].start), [])
    )
    source_of: dict[int, int] = {}
    used: set[int] = set()
    for _, k, j in pairs:
        if k not in source_of and j not in used:
            source_of[k] = j
            used.add(j)

    out = []
    for k in sorted(contents):
        cue, pieces = cues[k], sorted(contents[k], key=lambda s: s.start)
        source = sources[source_of[k]] if k in source_of else None
        members = [cue, *pieces, *([source] if source else [])]
        out.append(TaggedAttribution(
            source=(source.start, source.end) if source else None,
            cue=(cue.start, cue.end),
            content=[(p.start, p.end) for p in pieces],
            score=round(min(m.prob for m in members), 4),
        ))
    return out


@dataclass
class Tagging:
    """The tagger's reading of one text: every word's character span and tag probabilities (words × LABELS)."""

    text: str
    words: list[CharSpan]
    probs: Any
    word_ends: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.word_ends = [end for _, end in self.words]  # for bisecting in role_probability

    def attributions(self) -> list[TaggedAttribution]:
        """The tagger's attributions, in cue order."""
        return link(self.text, decode(self.words, self.probs))

    def role_probability(self, role: str, start: int, end: int) -> float:
        """The highest probability, over the words that ``[start, end)`` touches, that a word belongs to a
        ``role`` span (B- and I- tags together); 0.0 when it touches no word."""
        first, last = LABELS.index(f"B-{role}"), LABELS.index(f"I-{role}")
        touched = itertools.takewhile(lambda k: self.words[k][0] < end,
                                      range(bisect_left(self.word_ends, start + 1), len(self.words)))
        return max((float(self.probs[k][first] + self.probs[k][last]) for k in touched), default=0.0)


def tag(text: str, sentences: list[tuple[int, int]]) -> Tagging:
    """Run the tagger over ``text``. ``sentences`` are the article's sentence spans (character offsets, e.g.
    from the spaCy parse); windows of WordPieces start at sentence starts so that a sentence is seen with its
    left context. Raises :class:`~sourcetrace.errors.ResourceError` when the model file or a runtime dependency
    is missing."""
    if not text.strip():
        return Tagging(text, [], None)
    words, probs = _model().word_probs(text, sentences)
    return Tagging(text, words, probs)


def predict_attributions(text: str, sentences: list[tuple[int, int]]) -> list[TaggedAttribution]:
    """Attributions in ``text`` as character spans (see :meth:`Tagging.attributions`)."""
    return tag(text, sentences).attributions()
