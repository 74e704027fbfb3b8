"""The stance of a text toward a claim, in FNC-1's terms: ``sourcetrace.stance(claim, body) -> Stance``.

Two stages, both shipped as package data in ``sourcetrace/resources/models/`` (see MODEL_CARD.md there) and
trained by ``training/train_stance.py`` on the FNC-1 train bodies of the development split:

1. **related or unrelated** — a logistic regression over cheap lexical features of the claim against the body
   (TF-IDF cosine with the whole body and its best sentences, the idf-weighted share of the claim's words and
   bigrams the body contains, its names and numbers; ``stance-lexical.json.gz``: weights, idf table, word lists);
2. **agree, disagree or discuss**, given related — a MiniLM cross-encoder (int8 ONNX, ``stance-encoder-int8.onnx``)
   that reads the claim with a focused window (the body sentences most similar to the claim plus its first
   sentences) and with the whole body in reading order, in windows of :data:`MAX_PIECES` WordPieces (at most
   :data:`MAX_WINDOWS`; one batch): half the weight on the focused window, half on the windows' mean (log
   probabilities), since the sentence that disputes a claim ("the photo is a hoax") often shares few words with
   it. That distribution is mixed with the lexical stance layer's (weight :data:`LEXICAL_SHARE`); when the
   encoder file is absent the lexical layer answers alone (weaker; the benchmark names which one ran).

Probabilities multiply: P(agree) = P(related) × P(agree | related), and so on; the label is ``unrelated`` when
P(related) < 1/2, else the likeliest of the three. The encoder runs only when P(related) ≥ 1/2; otherwise the
(small) conditional shares come from the lexical layer. The evidence is the focused window's sentences most similar
to the claim (at most :data:`EVIDENCE_SENTENCES`, best first), as character spans into ``body``; an unrelated body
has none.

Defined behaviour on bad input: an empty (or whitespace-only) claim or body raises :class:`StanceInputError`
(an ``InputError`` and a ``ValueError``); a claim or body confidently not English raises the article
pipeline's :class:`~sourcetrace.errors.UnsupportedLanguageError` (``article.language.require_english``);
a body of any length is read in linear time — every sentence is scored against the claim, but only the
:data:`MAX_BODY_CHARS` first characters are read at all, and the encoder reads at most :data:`MAX_WINDOWS` windows
of the body beside the focused one.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sourcetrace.errors import ResourceError, StanceInputError
from sourcetrace.models import Span

StanceLabel = Literal["agree", "disagree", "discuss", "unrelated"]
LABELS: tuple[StanceLabel, ...] = ("agree", "disagree", "discuss", "unrelated")
RELATED_LABELS: tuple[StanceLabel, ...] = ("agree", "disagree", "discuss")

LEXICAL_FILE = "stance-lexical.json.gz"
ENCODER_FILE = "stance-encoder-int8.onnx"
TOKENIZER_FILE = "tokenizer.json"

MAX_BODY_CHARS = 200_000  # a longer body is read up to here: news bodies are far shorter (FNC-1 max ≈ 29,000)
MAX_CLAIM_CHARS = 2_000  # a "claim" longer than this is a text, not a claim; its start is used
EVIDENCE_SENTENCES = 3
MAX_PIECES = 160  # WordPieces of one encoder input, [CLS] claim [SEP] sentences [SEP]; trained with 160
MAX_CLAIM_PIECES = 40
LEAD_SENTENCES = 2  # the body's first sentences always go in: the lead states what the article reports
TOP_SENTENCES = 6  # then the sentences most similar to the claim, while the budget lasts
MAX_WINDOWS = 8  # windows of the whole body the encoder reads beside the focused one (FNC-1 bodies: 4.1 on average)
FOCUSED_SHARE = 0.5  # the focused window's weight against the whole body's windows (equal halves, not tuned)
CLS_ID, SEP_ID, PAD_ID = 101, 102, 0
# The encoder's and the lexical layer's stance distributions are mixed, log-linearly, with this weight on the
# lexical one: its cue words (hoax, denied, false) are what the partly fine-tuned encoder reads least well.
# Chosen among 0, 1/4, 1/3 and 1/2 on the FNC-1 hold-out (macro-F1 0.693, 0.704, 0.704, 0.696): model
# selection (with the first encoder run; the second run scored 0.714 mixed, the shipped third run, all layers
# trained, 0.732 mixed).
LEXICAL_SHARE = 1 / 3


class Stance(BaseModel):
    """A body's stance toward a claim: FNC-1's label, the four probabilities and the sentences that decided it."""

    model_config = ConfigDict(frozen=True)

    label: StanceLabel
    probabilities: dict[str, float] = Field(description="agree, disagree, discuss, unrelated; they sum to 1")
    evidence: list[Span] = Field(
        default_factory=list,
        description="Body sentences (character spans into the body) most similar to the claim among those the "
        "model read, best first; empty when unrelated",
    )
    model: str = Field(description="'encoder' (cross-encoder for the related stances) or 'lexical'")


# ---------------------------------------------------------------- text

_SENTENCE_END = re.compile(r"(?<=[.!?])([\"'”’)\]]*)\s+(?=[\"“‘'(\[]?[A-Z0-9])|\n\s*")
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# negations and flat denials, one lexical stance feature (trained with this list) and the evidence of a disagree label
_NEGATIONS = frozenset({"not", "no", "never", "n't", "deny", "denied", "false"})
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z]+|\b\d[\d,.]*\b")


def sentences(body: str) -> list[tuple[int, int]]:
    """Half-open character ranges of the sentences of ``body`` (a cheap splitter: stops, line breaks), trimmed."""
    out: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(body):
        out.append((start, match.start() + len(match.group(1) or "")))  # closing quotes stay with it
        start = match.end()
    out.append((start, len(body)))
    trimmed = []
    for s, e in out:
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def _stem(word: str) -> str:
    # a plural/third-person "s" off, so "strikes" meets "strike"; nothing more (a full stemmer buys ~0.1 % here)
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    return [_stem(w.replace("’", "'")) for w in _TOKEN.findall(text.lower())]


# ---------------------------------------------------------------- the lexical model


@dataclass
class Lexical:
    """The lexical model's tables: idf per word, stopwords and cue words, and the two layers' weights."""

    idf: dict[str, float]
    default_idf: float
    stopwords: frozenset[str]
    refuting: frozenset[str]
    hedging: frozenset[str]
    related_mean: list[float]
    related_scale: list[float]
    related_weights: list[float]  # bias last
    stance_mean: list[float]
    stance_scale: list[float]
    stance_weights: list[list[float]]  # per related label, bias last

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Lexical:
        return cls(
            idf=data["idf"], default_idf=data["default_idf"], stopwords=frozenset(data["stopwords"]),
            refuting=frozenset(data["refuting"]), hedging=frozenset(data["hedging"]),
            related_mean=data["related"]["mean"], related_scale=data["related"]["scale"],
            related_weights=data["related"]["weights"], stance_mean=data["stance"]["mean"],
            stance_scale=data["stance"]["scale"], stance_weights=data["stance"]["weights"],
        )

    def content(self, words: list[str]) -> list[str]:
        return [w for w in words if w not in self.stopwords]

    def vector(self, words: list[str]) -> dict[str, float]:
        counts = Counter(words)
        return {w: (1.0 + math.log(c)) * self.idf.get(w, self.default_idf) for w, c in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float], b_norm: float | None = None) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
        b_norm = None
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = b_norm if b_norm is not None else math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


@dataclass
class PairText:
    """A claim and a body, tokenised once for every feature and for the choice of sentences."""

    claim: str
    body: str
    spans: list[tuple[int, int]]
    claim_words: list[str]  # content words, stemmed
    body_words: list[str]
    sentence_words: list[list[str]]
    similarity: list[float]  # TF-IDF cosine of each sentence with the claim


def read_body(lex: Lexical, body: str) -> tuple[list[tuple[int, int]], list[list[str]]]:
    """The sentences of a body and their content words (one body meets many claims in training)."""
    spans = sentences(body[:MAX_BODY_CHARS])
    return spans, [lex.content(tokens(body[s:e])) for s, e in spans]


def read_pair(lex: Lexical, claim: str, body: str,
              parts: tuple[list[tuple[int, int]], list[list[str]]] | None = None) -> PairText:
    body = body[:MAX_BODY_CHARS]
    spans, sentence_words = parts or read_body(lex, body)
    claim_words = lex.content(tokens(claim[:MAX_CLAIM_CHARS]))
    body_words = [w for ws in sentence_words for w in ws]
    cv = lex.vector(claim_words)
    claim_set = set(claim_words)
    similarity = []
    for ws in sentence_words:
        # most sentences share no word with the claim: skip building their vectors
        similarity.append(_cosine(cv, lex.vector(ws)) if claim_set.intersection(ws) else 0.0)
    return PairText(claim, body, spans, claim_words, body_words, sentence_words, similarity)


def _bigrams(words: list[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(words))


def related_features(lex: Lexical, pair: PairText) -> list[float]:
    """Features of relatedness (the first layer): how much of the claim the body says, and where."""
    cw, bw = pair.claim_words, pair.body_words
    cset, bset = set(cw), set(bw)
    idf = lex.idf
    weight = sum(idf.get(w, lex.default_idf) for w in cset) or 1.0
    found = sum(idf.get(w, lex.default_idf) for w in cset & bset) / weight
    share = len(cset & bset) / (len(cset) or 1)
    lead_words = {w for ws in pair.sentence_words[:5] for w in ws}
    lead = sum(idf.get(w, lex.default_idf) for w in cset & lead_words) / weight
    cb = _bigrams(cw)
    bigram = len(cb & _bigrams(bw)) / (len(cb) or 1)
    names = {_stem(m.lower()) for m in _NAME.findall(pair.claim[:MAX_CLAIM_CHARS])}
    names_found = len(names & bset) / len(names) if names else 0.5
    sims = sorted(pair.similarity, reverse=True)
    best = sims[0] if sims else 0.0
    top3 = sum(sims[:3]) / 3 if sims else 0.0
    whole = _cosine(lex.vector(cw), lex.vector(bw))
    return [
        whole, math.sqrt(whole), best, math.sqrt(best), top3, found, found * found, share, lead, bigram,
        names_found, math.log1p(len(bw)), math.log1p(len(cset)), found * best,
    ]


def stance_features(lex: Lexical, pair: PairText, chosen: list[int]) -> list[float]:
    """Features of the lexical stance layer (the fallback of the encoder): cue words near the claim's words."""
    claim_tokens = tokens(pair.claim[:MAX_CLAIM_CHARS])
    near = [w for i in chosen for w in tokens(pair.body[pair.spans[i][0] : pair.spans[i][1]])]
    all_tokens = tokens(pair.body)
    n_near, n_all = len(near) or 1, len(all_tokens) or 1

    def share(words: list[str], table: frozenset[str], n: int) -> float:
        return 100.0 * sum(1 for w in words if w in table) / n

    sims = sorted(pair.similarity, reverse=True)
    return [
        share(near, lex.refuting, n_near), share(all_tokens, lex.refuting, n_all),
        share(near, lex.hedging, n_near), share(all_tokens, lex.hedging, n_all),
        float(any(w in lex.refuting for w in claim_tokens)), float(any(w in lex.hedging for w in claim_tokens)),
        float(sum(1 for w in claim_tokens if w in _NEGATIONS)), share(near, _NEGATIONS, n_near),
        sims[0] if sims else 0.0, math.log1p(len(pair.body_words)),
        100.0 * sum(1 for w in all_tokens if w in ("said", "say", "told", "according", "report")) / n_all,
    ]


def choose_sentences(pair: PairText, lead: int = LEAD_SENTENCES, top: int = TOP_SENTENCES) -> list[int]:
    """The sentences the stance layer reads: the first ``lead`` ones, then the ``top`` most similar to the
    claim (ties: the earlier first), in body order."""
    ranked = sorted(range(len(pair.spans)), key=lambda i: (-pair.similarity[i], i))
    chosen = set(range(min(lead, len(pair.spans))))
    chosen.update(i for i in ranked[:top] if pair.similarity[i] > 0)
    return sorted(chosen)


def evidence_sentences(pair: PairText, chosen: list[int], refuting: frozenset[str] = frozenset()) -> list[int]:
    """The sentences to show as evidence, best first: the focused window's sentences most similar to the claim.
    With ``refuting`` words (a disagree label), the body's sentences that carry one of them or a negation and
    share a word with the claim come first ("Reports that … are false"), then those with a refuting word alone,
    since those are what dispute it; a restatement of the claim alone would show the reader the opposite of the
    label."""
    def ranked(indices: Iterable[int]) -> list[int]:
        return sorted((i for i in indices if pair.similarity[i] > 0), key=lambda i: (-pair.similarity[i], i))

    disputing: list[int] = []
    if refuting:
        words = [set(tokens(pair.body[s:e])) for s, e in pair.spans]
        disputing = ranked(i for i, ws in enumerate(words) if ws & (refuting | _NEGATIONS))
        # then a refuting word with none of the claim's ("The pictures are fake"), in reading order
        disputing += [i for i, ws in enumerate(words) if ws & refuting and pair.similarity[i] == 0]
    rest = [i for i in ranked(chosen) if i not in disputing]
    return (disputing + rest)[:EVIDENCE_SENTENCES]


def _claim_pieces(tokenizer: Any, claim: str) -> list[int]:
    return list(tokenizer.encode(claim[:MAX_CLAIM_CHARS], add_special_tokens=False).ids[:MAX_CLAIM_PIECES])


def _with_claim(claim_ids: list[int], body_ids: list[int]) -> tuple[list[int], list[int]]:
    ids = [CLS_ID, *claim_ids, SEP_ID, *body_ids, SEP_ID]
    return ids, [0] * (len(claim_ids) + 2) + [1] * (len(body_ids) + 1)


def body_windows(tokenizer: Any, pair: PairText) -> list[tuple[list[int], list[int]]]:
    """The whole body in reading order as encoder inputs ``[CLS] claim [SEP] sentences [SEP]``: sentences packed
    whole into windows of :data:`MAX_PIECES` (a longer sentence cut), at most :data:`MAX_WINDOWS`."""
    claim_ids = _claim_pieces(tokenizer, pair.claim)
    budget = MAX_PIECES - len(claim_ids) - 3
    texts = [pair.body[s:e][:2000] for s, e in pair.spans]
    windows: list[list[int]] = []
    current: list[int] = []
    for start in range(0, len(texts), 32):  # tokenised in batches, until the windows are full
        for encoding in tokenizer.encode_batch(texts[start:start + 32], add_special_tokens=False):
            ids = encoding.ids[:budget]
            if current and len(current) + len(ids) > budget:
                windows.append(current)
                current = []
                if len(windows) == MAX_WINDOWS:
                    return [_with_claim(claim_ids, w) for w in windows]
            current = current + ids
    if current:
        windows.append(current)
    return [_with_claim(claim_ids, w) for w in windows]


def encoder_input(tokenizer: Any, pair: PairText, chosen: list[int]) -> tuple[list[int], list[int]]:
    """WordPiece ids and segment ids of ``[CLS] claim [SEP] sentences [SEP]``, at most :data:`MAX_PIECES`:
    the chosen sentences in order of similarity to the claim until the budget is spent, then put back in body
    order (a sentence that does not fit whole is cut)."""
    claim_ids = _claim_pieces(tokenizer, pair.claim)
    budget = MAX_PIECES - len(claim_ids) - 3
    order = sorted(chosen, key=lambda i: (-pair.similarity[i], i))
    taken: dict[int, list[int]] = {}
    for i in order:
        if budget <= 0:
            break
        s, e = pair.spans[i]
        ids = tokenizer.encode(pair.body[s:e][:2000], add_special_tokens=False).ids[:budget]
        taken[i] = ids
        budget -= len(ids)
    return _with_claim(claim_ids, [t for i in sorted(taken) for t in taken[i]])


def _log_softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    log_total = top + math.log(sum(math.exp(x - top) for x in logits))
    return [x - log_total for x in logits]


def _softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return [x / total for x in exps]


def _linear(features: list[float], mean: list[float], scale: list[float], weights: list[float]) -> float:
    z = weights[-1]
    for x, m, s, w in zip(features, mean, scale, weights, strict=False):
        z += w * (x - m) / s
    return z


class StanceModel:
    """The loaded models (construct once; :func:`stance` keeps one per process)."""

    def __init__(self, use_encoder: bool = True, lexical_path: Path | None = None,
                 encoder_path: Path | None = None) -> None:
        """``use_encoder=False`` answers with the lexical layers alone; the paths replace the package's files
        (benchmarks and training compare models with them)."""
        folder = resources.files("sourcetrace.resources").joinpath("models")
        lexical_file: Traversable = lexical_path or folder.joinpath(LEXICAL_FILE)
        if not lexical_file.is_file():
            raise ResourceError(
                f"stance model file missing: {lexical_file}. Reinstall sourcetrace, or rebuild it with "
                "training/train_stance.py (see training/README.md)"
            )
        self.lexical = Lexical.from_json(json.loads(gzip.decompress(lexical_file.read_bytes())))
        self.session: Any = None
        self.tokenizer: Any = None
        encoder_file: Traversable = encoder_path or folder.joinpath(ENCODER_FILE)
        if use_encoder and encoder_file.is_file():
            try:
                import numpy as np
                import onnxruntime as ort
                from tokenizers import Tokenizer
            except ImportError as error:
                raise ResourceError(
                    f"the stance model needs {error.name!r}: pip install onnxruntime==1.32.0 tokenizers==0.23.3"
                ) from error
            self.np = np
            self.tokenizer = Tokenizer.from_str(folder.joinpath(TOKENIZER_FILE).read_text("utf-8"))
            self.tokenizer.no_truncation()
            self.tokenizer.no_padding()
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            self.session = ort.InferenceSession(encoder_file.read_bytes(), options,
                                                providers=["CPUExecutionProvider"])

    @property
    def kind(self) -> str:
        return "encoder" if self.session is not None else "lexical"

    def related_probability(self, pair: PairText) -> float:
        lex = self.lexical
        z = _linear(related_features(lex, pair), lex.related_mean, lex.related_scale, lex.related_weights)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def related_stance(self, pair: PairText, chosen: list[int], encoder: bool = True,
                       whole_body: bool = True) -> list[float]:
        """P(agree, disagree, discuss | related): with the encoder loaded (and ``encoder``), its distribution
        and the lexical layer's mixed as a weighted geometric mean (:data:`LEXICAL_SHARE`); else the lexical
        layer's alone."""
        lex = self.lexical
        features = stance_features(lex, pair, chosen)
        lexical = [_linear(features, lex.stance_mean, lex.stance_scale, w) for w in lex.stance_weights]
        if self.session is not None and encoder:
            inputs = [encoder_input(self.tokenizer, pair, chosen)]
            if whole_body:
                inputs += body_windows(self.tokenizer, pair)
            focused, *windows = [_log_softmax(row) for row in self._logits(inputs)]
            read = [FOCUSED_SHARE * f + (1 - FOCUSED_SHARE) * sum(w[k] for w in windows) / len(windows)
                    if windows else f for k, f in enumerate(focused)]
            p_lexical = _softmax(lexical)
            return _softmax([(1 - LEXICAL_SHARE) * a + LEXICAL_SHARE * math.log(max(b, 1e-12))
                             for a, b in zip(read, p_lexical, strict=True)])
        return _softmax(lexical)

    def _logits(self, inputs: list[tuple[list[int], list[int]]]) -> list[list[float]]:
        """The encoder's logits for several inputs, run as one padded batch."""
        np = self.np
        width = max(len(ids) for ids, _ in inputs)
        ids = np.full((len(inputs), width), PAD_ID, dtype=np.int64)
        types = np.zeros((len(inputs), width), dtype=np.int64)
        mask = np.zeros((len(inputs), width), dtype=np.int64)
        for row, (piece_ids, type_ids) in enumerate(inputs):
            ids[row, :len(piece_ids)] = piece_ids
            types[row, :len(type_ids)] = type_ids
            mask[row, :len(piece_ids)] = 1
        out = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        return [[float(x) for x in row] for row in out]

    def __call__(self, claim: str, body: str, check_language: bool = True, whole_body: bool = True) -> Stance:
        """``whole_body=False`` reads the focused window alone: about a fifth of the encoder's cost, a little less
        accurate (docs/benchmarks.md, "Stance"); the story step, which calls the model many times, uses it."""
        if not claim or not claim.strip():
            raise StanceInputError("the claim is empty: give the sentence whose stance is wanted")
        if not body or not body.strip():
            raise StanceInputError("the body is empty: give the text whose stance toward the claim is wanted")
        if check_language:
            english(claim[:MAX_CLAIM_CHARS])
            english(body[:MAX_BODY_CHARS])
        pair = read_pair(self.lexical, claim, body)
        p_related = self.related_probability(pair)
        chosen = choose_sentences(pair)
        # an unrelated body's stance probabilities come from the lexical layer: the encoder (nearly all the
        # cost) runs only on the related pairs, where its answer is the label
        conditional = self.related_stance(pair, chosen, encoder=p_related >= 0.5, whole_body=whole_body)
        probs = {label: p_related * p for label, p in zip(RELATED_LABELS, conditional, strict=True)}
        probs["unrelated"] = 1.0 - p_related
        if p_related < 0.5:
            label: StanceLabel = "unrelated"
            evidence: list[Span] = []
        else:
            label = RELATED_LABELS[max(range(3), key=lambda k: conditional[k])]
            refuting = self.lexical.refuting if label == "disagree" else frozenset()
            evidence = [Span.of(body, *pair.spans[i]) for i in evidence_sentences(pair, chosen, refuting)]
        return Stance(label=label, probabilities={k: round(v, 6) for k, v in probs.items()}, evidence=evidence,
                      model=self.kind)


@functools.lru_cache(maxsize=256)
def english(text: str) -> bool:
    """``article.language.require_english`` (raises UnsupportedLanguageError), remembered for the last texts
    checked: in a story one body meets every claim, and the check costs more than the lexical layers."""
    from sourcetrace.article.language import require_english

    require_english(text)
    return True


_MODEL: StanceModel | None = None
_LOCK = threading.Lock()


def default_model() -> StanceModel:
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            _MODEL = StanceModel()
        return _MODEL


def stance(claim: str, body: str) -> Stance:
    """The stance of ``body`` toward ``claim`` (FNC-1: agree, disagree, discuss, unrelated), its probabilities and
    the body sentences that decided it. Raises :class:`StanceInputError` for an empty claim or body and
    :class:`~sourcetrace.errors.UnsupportedLanguageError` for text confidently not English."""
    return default_model()(claim, body)
