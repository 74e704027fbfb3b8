"""Copied passages across a corpus: the reuse index in the store, candidate pairs, alignment, kind and credit.

passim's stages, run incrementally over the store (:mod:`sourcetrace.corpus.store`, schema 2):

1. **Index.** Every article not yet in ``reuse_articles`` is tokenised and fingerprinted
   (:func:`sourcetrace.stories.align.fingerprint`); its hashes go into ``reuse_postings`` (hash, article). The
   index is updated, never rebuilt: adding one article to a store of 100,000 looks up its few hundred hashes.
2. **Candidate pairs.** Two articles are a candidate pair when they share at least ``min_shared``
   fingerprints whose document frequency is at most ``max_df`` (a hash in more articles than that is a
   stock phrase or boilerplate, passim's ``--max-df``).
3. **Alignment.** Each candidate pair is aligned (:func:`sourcetrace.stories.align.align`) into passages with
   character spans in both texts. The earlier article (by publication date, then by store id; undated after
   dated) is the source, the later the target.
4. **Kind.** ``shared_quote`` when nearly all aligned words lie inside quotation marks in both texts (both
   quote Dunford: neither copied the other; at most ``max_unquoted`` aligned words outside the quotes);
   ``boilerplate`` when source and target are of the same site and the same target passage is carried by two
   or more articles of that site (a footer, a standard paragraph; never a shared quotation, nor by overlap with
   one); otherwise ``copy``.
5. **Credit.** A copy is credited when the target names the source's outlet (its stored outlet, the registry's
   name and aliases for its site, or the site's name) in or around the passage (its paragraph, and the short
   paragraph before it such as "Anti War reports:") — and the name is the target's own: one that the source's
   copied text already contains ("according to Fars" copied along from Sputnik) is inherited, not a credit.

Each article is marked in ``reuse_articles`` when done (or excluded with a reason, e.g. too short), so an
interrupted or repeated run skips what is done.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from numpy.typing import NDArray

from sourcetrace.article.segment import find_paragraphs, find_quotes
from sourcetrace.corpus.store import Store, now
from sourcetrace.stories.align import Match, Tokens, align, fingerprint, tokenize

WORDS = re.compile(r"\w+")
_QUOTE_MARKS = re.compile("[\"“”‘]|(?<!\\w)'")  # a double quote mark, or a single one opening a quotation
METHOD = "winnowed word 5-grams (window 5), df <= max_df, trigram-anchored alignment"


@dataclass(frozen=True)
class ReuseOptions:
    """Thresholds of copied-passage detection (defaults as benchmarked in docs/benchmarks.md)."""

    min_words: int = 12  # aligned words for a passage
    min_shared: int = 2  # shared fingerprints for a candidate pair
    max_df: int = 100  # fingerprints in more articles are ignored for candidate pairs
    max_candidates: int = 200  # candidate sources aligned per article, most shared fingerprints first
    max_unquoted: int = 5  # aligned words outside quotation marks a shared quotation may have ("he said")
    batch: int = 5000  # articles fingerprinted per transaction


@dataclass
class ArticleMeta:
    """What reuse detection needs of a stored article."""

    id: int
    text: str
    url: str | None = None
    title: str | None = None
    site: str | None = None
    outlet: str | None = None
    published: str | None = None
    date_source: str | None = None
    _tokens: Tokens | None = field(default=None, repr=False)

    @property
    def tokens(self) -> Tokens:
        if self._tokens is None:
            self._tokens = tokenize(self.text)
        return self._tokens

    def quotes_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """Top-level quotation spans (marks included) in the paragraphs holding text[start:end], from
        sourcetrace's own quote finder (quotations never run across paragraphs: it closes them there)."""
        first = self.text.rfind("\n", 0, start) + 1
        last = self.text.find("\n", end)
        last = len(self.text) if last < 0 else last
        part = self.text[first:last]
        if not _QUOTE_MARKS.search(part):
            return []
        return [(first + q.start, first + q.end) for q in find_quotes(part, find_paragraphs(part)) if q.level == 0]

    def order_key(self) -> tuple[bool, str, int]:
        """Earlier first: dated before undated, then by date, then by store id. A date known only to the month
        or year counts as its last day ("2015-10" after "2015-10-23"): it is never claimed earlier than it may be."""
        return (self.published is None, sortable_date(self.published), self.id)

    def label(self) -> str:
        return outlet_name(self) or f"article {self.id}"


def sortable_date(published: str | None) -> str:
    """``YYYY-MM-DD`` as is; ``YYYY-MM`` and ``YYYY`` padded past any day of that month or year."""
    if not published:
        return ""
    day = published[:10]
    return day + "-99" * max(0, (10 - len(day)) // 3)


@dataclass
class Passage:
    """One passage shared by two articles: the earlier (source) and the later (target), spans in both."""

    source_id: int
    target_id: int
    source_start: int
    source_end: int
    target_start: int
    target_end: int
    words: int
    similarity: float
    kind: str  # copy | shared_quote | boilerplate
    credited: bool
    credit_name: str | None = None
    credit_start: int | None = None
    credit_end: int | None = None
    dated: bool = True  # whether source-before-target rests on two dates
    id: int | None = None

    def row(self) -> tuple[object, ...]:
        return (self.source_id, self.target_id, self.source_start, self.source_end, self.target_start,
                self.target_end, self.words, round(self.similarity, 4), self.kind, int(self.credited),
                self.credit_name, self.credit_start, self.credit_end, int(self.dated))


def insert_passages(db: Any, passages: Iterable[Passage]) -> None:
    """Store found passages inside the caller's transaction, each taking the id the store gave it."""
    for passage in passages:
        cursor = db.execute(
            "INSERT INTO reuse_passages (source_id, target_id, source_start, source_end, target_start, "
            "target_end, words, similarity, kind, credited, credit_name, credit_start, credit_end, dated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", passage.row())
        passage.id = cursor.lastrowid


@dataclass
class UpdateSummary:
    indexed: int = 0
    excluded: int = 0
    candidate_pairs: int = 0
    passages: int = 0
    seconds: float = 0.0
    new_passages: list[Passage] = field(default_factory=list)


# ---- outlet names ---------------------------------------------------------------------------------------


def _host(article: ArticleMeta) -> str | None:
    """The article's site: the registry's key for its URL's host (``www.bbc.co.uk`` → ``bbc.co.uk``, but each
    blog of a platform its own: the stored ``site`` is the registered domain, which makes every
    ``*.wordpress.com`` blog one site and their shared text its "boilerplate"), else the stored site."""
    if article.url:
        host = urlsplit(article.url).hostname
        if host:
            from sourcetrace.outlets.registry import site_key

            return site_key(host) or host.lower().removeprefix("www.")
    if article.site:
        return article.site.lower().removeprefix("www.")
    return None


@lru_cache(maxsize=4096)
def _registry_names(host: str) -> tuple[str, tuple[str, ...]] | None:
    from sourcetrace.outlets.registry import default_registry

    outlet = default_registry().lookup_domain(host)
    return (outlet.name, tuple(outlet.aliases)) if outlet else None


def outlet_name(article: ArticleMeta) -> str | None:
    """The article's outlet as a reader names it: the stored outlet, else the registry's name for its site,
    else the site."""
    if article.outlet:
        return article.outlet
    host = _host(article)
    if host is None:
        return None
    names = _registry_names(host)
    return names[0] if names else host


def outlet_names(article: ArticleMeta) -> list[str]:
    """Every name that credits the article's outlet: stored outlet, registry name and aliases, the site and
    its name without the suffix (``sputniknews.com`` → "sputniknews")."""
    names: list[str] = []
    if article.outlet:
        names.append(article.outlet)
    host = _host(article)
    if host:
        registered = _registry_names(host)
        if registered:
            names += [registered[0], *registered[1]]
        names.append(host)
        stem = host.split(".")[-2] if host.count(".") >= 1 else host
        if len(stem) >= 4:
            names.append(stem)
    unique: dict[str, str] = {}
    for name in names:
        if len(name) >= 2:
            unique.setdefault(name.casefold(), name)
    return list(unique.values())


def _name_pattern(names: Sequence[str]) -> re.Pattern[str] | None:
    if not names:
        return None
    alternatives = sorted({re.escape(n) for n in names}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def credit_window(text: str, start: int, end: int) -> tuple[int, int]:
    """Where a credit for text[start:end] may stand: the paragraphs the passage touches, plus the paragraph
    before when the passage opens its paragraph and that one is short (a block marker: "Anti War reports:")."""
    window_start = text.rfind("\n", 0, start) + 1
    window_end = text.find("\n", end)
    window_end = len(text) if window_end < 0 else window_end
    if len(WORDS.findall(text, window_start, start)) <= 12:  # the passage opens its paragraph (give or take an edit)
        before = text[:window_start].rstrip()
        previous = before.rfind("\n") + 1
        if before and len(before) - previous <= 160:
            window_start = previous
    return window_start, window_end


def find_credit(target: ArticleMeta, start: int, end: int, names: Sequence[str],
                inherited_from: str = "") -> tuple[str, int, int] | None:
    """The first of ``names`` written near target[start:end] that is not also in ``inherited_from`` (the
    source's copied text), as (name as written, start, end)."""
    pattern = _name_pattern(names)
    if pattern is None:
        return None
    window_start, window_end = credit_window(target.text, start, end)
    for found in pattern.finditer(target.text, window_start, window_end):
        if inherited_from and re.search(r"(?<!\w)" + re.escape(found.group()) + r"(?!\w)", inherited_from,
                                        re.IGNORECASE):
            continue
        return found.group(), found.start(), found.end()
    return None


# ---- the index --------------------------------------------------------------------------------------------


_META_COLUMNS = "id, text, url, title, site, outlet, published, date_source"


def load_articles(store: Store, ids: Iterable[int]) -> dict[int, ArticleMeta]:
    out: dict[int, ArticleMeta] = {}
    wanted = list(dict.fromkeys(ids))
    for chunk in _chunks(wanted, 500):
        rows = store.connection.execute(
            f"SELECT {_META_COLUMNS} FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        for row in rows:
            out[int(row[0])] = ArticleMeta(*row)
    return out


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for index in range(0, len(items), size):
        yield items[index:index + size]


class ReuseIndex:
    """The copied-passages index of one store. :meth:`update` brings it up to date with the stored articles."""

    def __init__(self, store: Store, options: ReuseOptions | None = None) -> None:
        self.store = store
        self.options = options or ReuseOptions()

    def pending(self) -> list[int]:
        """Stored articles not yet in the reuse index, in store order."""
        db = self.store.connection
        # new articles come after the indexed ones: look there first (an index seek), and scan the whole table
        # (0.4 s at 100,000 articles: its pages hold the texts) only when the counts say some lie elsewhere
        waiting = int(db.execute("SELECT (SELECT count(*) FROM articles) - "
                                 "(SELECT count(*) FROM reuse_articles)").fetchone()[0])
        if not waiting:
            return []
        newer = [int(r[0]) for r in db.execute(
            "SELECT id FROM articles WHERE id > (SELECT coalesce(max(article_id), 0) FROM reuse_articles) ORDER BY id")]
        if len(newer) == waiting:
            return newer
        return [int(r[0]) for r in db.execute(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM reuse_articles) ORDER BY id")]

    def update(self, *, progress: Callable[[int], None] | None = None,
               articles: Sequence[ArticleMeta] | None = None) -> UpdateSummary:
        """Index every pending article and find its passages shared with articles indexed before it or in the
        same batch. ``articles`` gives the texts directly (benchmarks); by default they are read from the store."""
        started = time.perf_counter()
        summary = UpdateSummary()
        if articles is not None:
            batches: Iterator[list[ArticleMeta]] = (list(articles[i:i + self.options.batch])
                                                    for i in range(0, len(articles), self.options.batch))
        else:
            pending = self.pending()
            batches = (list(load_articles(self.store, chunk).values())
                       for chunk in _chunks(pending, self.options.batch))
        for batch in batches:
            self._update_batch(batch, summary)
            if progress is not None:
                progress(len(batch))
        summary.seconds = time.perf_counter() - started
        return summary

    # ---- one batch ------------------------------------------------------------------------------------

    def _update_batch(self, batch: list[ArticleMeta], summary: UpdateSummary) -> None:
        opts = self.options
        prints: dict[int, NDArray[np.int64]] = {}
        n_words: dict[int, int] = {}
        excluded: list[tuple[int, str, int]] = []
        for article in batch:
            # the words are not kept on the article: only the few in a candidate pair are tokenised again, to
            # align (a batch of 5,000 articles' tokens would hold ~150 MB for nothing)
            words = article.tokens.words if article._tokens is not None else tokenize(article.text).words
            n_words[article.id] = len(words)
            if len(words) < opts.min_words:
                excluded.append((article.id, f"too short to carry a passage ({len(words)} words)", len(words)))
                continue
            hashes, _ = fingerprint(words)
            prints[article.id] = np.unique(hashes)
        metas = {a.id: a for a in batch}
        pairs = self._candidate_pairs(prints)
        summary.candidate_pairs += sum(len(v) for v in pairs.values())
        needed = {s for sources in pairs.values() for s in sources} - set(metas)
        metas.update(load_articles(self.store, needed))
        passages: list[Passage] = []
        for target_id, sources in pairs.items():
            passages += self._passages_for(target_id, sources, metas)
        _mark_boilerplate(passages, metas, self.store)
        posting_hashes = np.concatenate(list(prints.values())) if prints else np.zeros(0, dtype=np.int64)
        posting_ids = (np.concatenate([np.full(len(h), i, dtype=np.int64) for i, h in prints.items()])
                       if prints else np.zeros(0, dtype=np.int64))
        order = np.lexsort((posting_ids, posting_hashes))  # in key order: the B-tree is filled page by page
        stamp = now()
        with self.store.transaction() as db:
            # pairs made as SQLite reads them, not a list of 650,000 rows held at once
            db.executemany("INSERT OR IGNORE INTO reuse_postings VALUES (?, ?)",
                           zip(posting_hashes[order].tolist(), posting_ids[order].tolist(), strict=True))
            db.executemany("INSERT OR REPLACE INTO reuse_articles VALUES (?, 'indexed', NULL, ?, ?, ?)",
                           [(i, n_words[i], METHOD, stamp) for i in prints])
            db.executemany("INSERT OR REPLACE INTO reuse_articles VALUES (?, 'excluded', ?, ?, ?, ?)",
                           [(i, reason, n, METHOD, stamp) for i, reason, n in excluded])
            insert_passages(db, passages)
        summary.indexed += len(prints)
        summary.excluded += len(excluded)
        summary.passages += len(passages)
        summary.new_passages += passages

    def _candidate_pairs(self, prints: dict[int, NDArray[np.int64]]) -> dict[int, list[int]]:
        """For each article of the batch, the articles (indexed before, or earlier in the batch) it shares at
        least ``min_shared`` low-frequency fingerprints with, most shared first."""
        opts = self.options
        if not prints:
            return {}
        ids = np.concatenate([np.full(len(h), i, dtype=np.int64) for i, h in prints.items()])
        hashes = np.concatenate(list(prints.values()))
        order = np.argsort(hashes, kind="stable")
        hashes, ids = hashes[order], ids[order]
        unique, first, batch_df = np.unique(hashes, return_index=True, return_counts=True)
        # postings already in the store for these hashes: counted first, fetched only under the df cap (a stock
        # phrase in 5,000 stored articles costs one count, not 5,000 rows)
        old: dict[int, list[int]] = defaultdict(list)
        old_counts: dict[int, int] = {}
        db = self.store.connection
        if db.execute("SELECT 1 FROM reuse_postings LIMIT 1").fetchone():
            in_batch = dict(zip(unique.tolist(), batch_df.tolist(), strict=True))
            for chunk in _chunks(unique.tolist(), 900):
                marks = ",".join("?" * len(chunk))
                counted = db.execute(f"SELECT hash, count(*) FROM reuse_postings WHERE hash IN ({marks}) GROUP BY hash",
                                     chunk).fetchall()
                old_counts.update(counted)
                low = [h for h, c in counted if c + in_batch[h] <= opts.max_df]
                if low:
                    for value, article_id in db.execute(
                            f"SELECT hash, article_id FROM reuse_postings WHERE hash IN ({','.join('?' * len(low))})",
                            low):
                        old[int(value)].append(int(article_id))
        counts: dict[tuple[int, int], int] = defaultdict(int)
        # within the batch: groups of equal hashes, vectorised by group size
        if len(unique):
            old_df = (np.asarray([old_counts.get(v, 0) for v in unique.tolist()], dtype=np.int64)
                      if old_counts else 0)
            df = batch_df + old_df
            usable = (batch_df >= 2) & (df <= opts.max_df)
            for size in np.unique(batch_df[usable]):
                starts = first[usable & (batch_df == size)]
                members = ids[starts[:, None] + np.arange(size)[None, :]]
                for x in range(size):
                    for y in range(x + 1, size):
                        a, b = members[:, x], members[:, y]
                        keep = a != b
                        lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
                        for pair in (hi * (1 << 32) + lo).tolist():
                            counts[(pair >> 32, pair & 0xFFFFFFFF)] += 1
            if old:
                for index, value in enumerate(unique.tolist()):
                    sources = old.get(value)
                    if not sources or df[index] > opts.max_df:
                        continue
                    start = int(first[index])
                    for member in ids[start:start + int(batch_df[index])].tolist():
                        for source in sources:
                            if source != member:
                                counts[(member, source)] += 1
        by_target: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for (target, source), shared in counts.items():
            if shared >= opts.min_shared:
                by_target[target].append((shared, source))
        return {t: [s for _, s in sorted(v, reverse=True)[:opts.max_candidates]] for t, v in by_target.items()}

    def _passages_for(self, article_id: int, others: list[int], metas: dict[int, ArticleMeta]) -> list[Passage]:
        """Align one article with its candidates; orient each passage earlier → later; kind and credit."""
        article = metas[article_id]
        found: list[Passage] = []
        for other_id in others:
            other = metas.get(other_id)
            if other is None:
                continue
            source, target = (other, article) if other.order_key() < article.order_key() else (article, other)
            for match in align(source.tokens, target.tokens, min_words=self.options.min_words):
                found.append(self._passage(source, target, match))
        return found

    def _passage(self, source: ArticleMeta, target: ArticleMeta, match: Match) -> Passage:
        s_tok, t_tok = source.tokens, target.tokens
        s_start, s_end = int(s_tok.starts[match.a_start]), int(s_tok.ends[match.a_end - 1])
        t_start, t_end = int(t_tok.starts[match.b_start]), int(t_tok.ends[match.b_end - 1])
        kind = "copy"
        if _unquoted_words(match, source, target) <= self.options.max_unquoted:
            kind = "shared_quote"
        credit = find_credit(target, t_start, t_end, outlet_names(source), source.text[s_start:s_end])
        return Passage(
            source_id=source.id, target_id=target.id, source_start=s_start, source_end=s_end, target_start=t_start,
            target_end=t_end, words=match.words, similarity=match.similarity, kind=kind,
            credited=credit is not None, credit_name=credit[0] if credit else None,
            credit_start=credit[1] if credit else None, credit_end=credit[2] if credit else None,
            dated=source.published is not None and target.published is not None)


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)


def _unquoted_words(match: Match, source: ArticleMeta, target: ArticleMeta) -> int:
    """Aligned words that stand outside quotation marks in either text: the shared framing (a copy has it,
    two reports quoting the same speaker have only "he said")."""
    s_quotes = source.quotes_in(int(source.tokens.starts[match.a_start]), int(source.tokens.ends[match.a_end - 1]))
    t_quotes = target.quotes_in(int(target.tokens.starts[match.b_start]), int(target.tokens.ends[match.b_end - 1]))
    if not s_quotes or not t_quotes:
        return match.words
    return len({i for i, j in match.pairs if not (_inside(int(source.tokens.starts[i]), s_quotes)
                                                  and _inside(int(target.tokens.starts[j]), t_quotes))})


def _mark_boilerplate(found: list[Passage], metas: dict[int, ArticleMeta], store: Store) -> None:
    """A passage between two articles of one site is the site's boilerplate when the same text of either is
    also shared with a third article of that site (a footer, a standard paragraph), in this batch or stored."""
    def site(article_id: int) -> str | None:
        meta = metas.get(article_id)
        return _host(meta) if meta else None

    same = [p for p in found if site(p.source_id) is not None and site(p.source_id) == site(p.target_id)]
    if not same:
        return
    involved = sorted({i for p in same for i in (p.source_id, p.target_id)})
    stored: list[Passage] = []
    for chunk in _chunks(involved, 400):
        marks = ",".join("?" * len(chunk))
        stored += [_passage_from_row(row) for row in store.connection.execute(
            f"SELECT {_PASSAGE_COLUMNS} FROM reuse_passages WHERE source_id IN ({marks}) OR target_id IN ({marks})",
            [*chunk, *chunk])]
    missing = {i for p in stored for i in (p.source_id, p.target_id)} - set(metas)
    if missing:
        metas.update(load_articles(store, missing))
    everything = same + [p for p in stored if site(p.source_id) is not None and site(p.source_id) == site(p.target_id)]
    regions: dict[int, list[tuple[int, int, int, Passage]]] = defaultdict(list)
    for p in everything:
        regions[p.source_id].append((p.source_start, p.source_end, p.target_id, p))
        regions[p.target_id].append((p.target_start, p.target_end, p.source_id, p))
    for p in same:
        if p.kind == "shared_quote":  # the same quotation in three of a site's articles is still a quotation
            continue
        for article, start, end, partner in ((p.source_id, p.source_start, p.source_end, p.target_id),
                                             (p.target_id, p.target_start, p.target_end, p.source_id)):
            # a quotation the site's articles share is no footer: a copy that contains one stays a copy
            others = {other for s, e, other, q in regions[article] if q is not p and other != partner
                      and q.kind != "shared_quote" and min(e, end) - max(s, start) > 0.5 * min(e - s, end - start)}
            if others:
                p.kind = "boilerplate"


def _overlap(a: Passage, b: Passage) -> float:
    shared = max(0, min(a.target_end, b.target_end) - max(a.target_start, b.target_start))
    return shared / max(1, min(a.target_end - a.target_start, b.target_end - b.target_start))


# ---- reading ---------------------------------------------------------------------------------------------


_PASSAGE_COLUMNS = ("id, source_id, target_id, source_start, source_end, target_start, target_end, words, "
                    "similarity, kind, credited, credit_name, credit_start, credit_end, dated")


def _passage_from_row(row: Sequence[object]) -> Passage:
    (pid, source_id, target_id, s0, s1, t0, t1, words, similarity, kind, credited, credit_name, c0, c1,
     dated) = row
    return Passage(int(source_id), int(target_id), int(s0), int(s1), int(t0), int(t1),  # type: ignore[call-overload]
                   int(words), float(similarity), str(kind), bool(credited),  # type: ignore[call-overload,arg-type]
                   credit_name if credit_name is None else str(credit_name),
                   None if c0 is None else int(c0), None if c1 is None else int(c1),  # type: ignore[call-overload]
                   bool(dated), int(pid))  # type: ignore[call-overload]


def passages(store: Store, *, article_id: int | None = None, kind: str | None = None,
             limit: int | None = None) -> list[Passage]:
    """Stored passages (of one article, as source or target, when ``article_id`` is given), by target."""
    where: list[str] = []
    params: list[object] = []
    if article_id is not None:
        where.append("(source_id = ? OR target_id = ?)")
        params += [article_id, article_id]
    if kind is not None:
        where.append("kind = ?")
        params.append(kind)
    sql = f"SELECT {_PASSAGE_COLUMNS} FROM reuse_passages" + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY target_id, target_start" + (f" LIMIT {int(limit)}" if limit else "")
    return [_passage_from_row(row) for row in store.connection.execute(sql, params)]


def iter_passages(store: Store) -> Iterator[tuple[Passage, ArticleMeta, ArticleMeta]]:
    """Every stored passage with its two articles' metadata (texts left empty), for export."""
    sql = (f"SELECT {', '.join('p.' + c.strip() for c in _PASSAGE_COLUMNS.split(','))}, "
           "s.url, s.published, s.date_source, s.site, s.outlet, t.url, t.published, t.date_source, t.site, t.outlet "
           "FROM reuse_passages p JOIN articles s ON s.id = p.source_id JOIN articles t ON t.id = p.target_id "
           "ORDER BY p.target_id, p.target_start")
    for row in store.connection.execute(sql):
        passage = _passage_from_row(row[:15])
        source = ArticleMeta(passage.source_id, "", url=row[15], published=row[16], date_source=row[17],
                             site=row[18], outlet=row[19])
        target = ArticleMeta(passage.target_id, "", url=row[20], published=row[21], date_source=row[22],
                             site=row[23], outlet=row[24])
        yield passage, source, target


def reuse_stats(store: Store) -> dict[str, int]:
    db = store.connection
    kinds = dict(db.execute("SELECT kind, count(*) FROM reuse_passages GROUP BY kind").fetchall())
    return {
        "indexed": db.execute("SELECT count(*) FROM reuse_articles WHERE status = 'indexed'").fetchone()[0],
        "excluded": db.execute("SELECT count(*) FROM reuse_articles WHERE status = 'excluded'").fetchone()[0],
        # counts, not a scan of the articles table (reuse_articles rows go with their article: ON DELETE CASCADE)
        "pending": db.execute("SELECT (SELECT count(*) FROM articles) - "
                              "(SELECT count(*) FROM reuse_articles)").fetchone()[0],
        "copy": int(kinds.get("copy", 0)),
        "shared_quote": int(kinds.get("shared_quote", 0)),
        "boilerplate": int(kinds.get("boilerplate", 0)),
        "credited_copies": db.execute("SELECT count(*) FROM reuse_passages WHERE kind = 'copy' AND credited = 1")
        .fetchone()[0],
    }


def store_bare_texts(store: Store, articles: Sequence[ArticleMeta], *, origin_prefix: str = "bare") -> list[int]:
    """Store texts with their metadata but without an analysis (an empty report): for the scale benchmark and
    fast tests of reuse detection only, which read nothing but texts and metadata. Such a store cannot show
    reports. Each article's ``id`` is replaced by its store id (also returned)."""
    from sourcetrace.corpus.records import content_hash, url_key

    stamp = now()
    ids = []
    with store.transaction() as db:
        for index, article in enumerate(articles):
            cursor = db.execute(
                "INSERT INTO articles (external_id, url, url_key, content_hash, title, site, outlet, published, "
                "date_source, input_format, origin, added_at, analyzed_at, sourcetrace_version, report_schema, "
                "n_sentences, n_attributions, n_entities, text, speakers, contents, report) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'text', ?, ?, ?, 'bare', 'none', 0, 0, 0, ?, '', '', x'')",
                (str(article.id), article.url, url_key(article.url),
                 content_hash(article.text) + f":{origin_prefix}:{index}",
                 article.title, article.site, article.outlet, article.published,
                 article.date_source or ("input" if article.published else None), f"{origin_prefix}:{index}",
                 stamp, stamp, article.text))
            article.id = int(cursor.lastrowid or 0)
            ids.append(article.id)
    return ids


def reuse_records(store: Store) -> Iterator[Any]:
    """The rows of ``corpus export --what reuse``: one per stored passage pair."""
    from sourcetrace.corpus.export import ReuseRecord

    for passage, source, target in iter_passages(store):
        yield ReuseRecord(
            source_id=passage.source_id, source_url=source.url, target_id=passage.target_id, target_url=target.url,
            source_start=passage.source_start, source_end=passage.source_end, target_start=passage.target_start,
            target_end=passage.target_end, kind=passage.kind, credited=passage.credited, credit=passage.credit_name,
            source_date=source.published, target_date=target.published, dated=passage.dated, words=passage.words,
            similarity=passage.similarity)
