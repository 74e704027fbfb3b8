"""The outlet registry: names, aliases, domains and cited labels of news outlets, with fast exact lookups.

``scripts/build_registry.py`` compiles it from four open registries plus a short curated list (see
``resources/REGISTRY-SOURCES.md``). Every label keeps the registry that gives it, its own wording, snapshot
and licence: registries disagree, and a reader must be able to see who says what. Users extend or override
the bundled entries with their own CSV or JSON file (format in ``read_user_registry``).

Lookups are exact on purpose: a name matches a normalised name or alias, a URL matches by host and
registered domain. Fuzzy matching is only for ``search``, where a person picks the result.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from sourcetrace.article.ingest import registered_domain
from sourcetrace.errors import InputError, ResourceError
from sourcetrace.models import RegistryLabel

__all__ = [
    "LABELS",
    "Outlet",
    "OutletLabel",
    "Registry",
    "RegistrySource",
    "default_registry",
    "get_outlet",
    "normalise_name",
    "read_user_registry",
    "registered_domain",
    "site_key",
]

OutletLabel = RegistryLabel  # defined in models.py because reports embed it

# The normalised vocabulary: label -> (kind, meaning). State affiliation says who controls an outlet, not
# whether it is accurate, so it is a kind of its own; consumers must not read one as the other.
LABELS: dict[str, tuple[str, str]] = {
    "state_controlled": ("affiliation", "the state controls funding, governance and editorial line (SMM 'SC')"),
    "state_captured_public": ("affiliation", "public media captured by the government (SMM 'CaPu')"),
    "state_captured_private": ("affiliation", "private media captured by government allies (SMM 'CaPr')"),
    "state_funded_independent": ("affiliation", "state-funded, editorially independent (SMM 'ISFM', 'ISF')"),
    "state_managed_independent": ("affiliation", "state-managed, editorially independent (SMM 'ISM')"),
    "independent_public": ("affiliation", "independent public-service media (SMM 'IP')"),
    "state_media": ("affiliation", "operates under government sanction in a repressive state (OpenSources)"),
    "wire_service": ("role", "news agency whose reports other outlets republish"),
    "reliable": ("reliability", "generally reliable"),
    "mixed_reliability": ("reliability", "no consensus on reliability, or reliable only for some topics"),
    "unreliable": ("reliability", "generally unreliable, or verify before use"),
    "deprecated": ("reliability", "Wikipedia editors deprecated it: not to be cited for facts"),
    "blacklisted": ("reliability", "on Wikipedia's spam blacklist"),
    "fake": ("content", "fabricated news"),
    "satire": ("content", "satire or parody"),
    "extreme_bias": ("content", "extreme bias, propaganda or decontextualised information"),
    "conspiracy": ("content", "promotes conspiracy theories"),
    "junk_science": ("content", "promotes pseudoscience or junk science"),
    "hate": ("content", "promotes hate"),
    "clickbait": ("content", "clickbait headlines"),
    "political": ("content", "verifiable but partisan"),
    "rumor": ("content", "rumour mill"),
    "quality_score": ("score", "aggregate domain quality (Lin et al. 2023 pc1, 0 lowest to 1 highest)"),
    "low_quality": ("score", "aggregate domain quality below 0.4 (the lowest ~27% of rated domains)"),
}

# Platforms that host many unrelated sites: a blog on one of them is its own outlet, not the platform.
SHARED_HOSTS = frozenset({
    "altervista.org", "blogger.com", "github.io", "livejournal.com", "medium.com", "myblog.it", "over-blog.com",
    "over-blog.it", "substack.com", "tumblr.com", "typepad.com", "weebly.com", "wixsite.com", "wordpress.com",
    "wp.com", "wpengine.com",
})
USER_CSV_COLUMNS = ("name", "domains", "aliases", "country", "labels", "registry", "snapshot", "licence", "url", "id")
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_LABEL = re.compile(r"[a-z][a-z0-9_]*")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_POSSESSIVE = re.compile(r"[’'`]s\b")
_NON_WORD = re.compile(r"[\W_]+")
_PARENTHESIS = re.compile(r"([^()]+?)\s*\(([^()]+)\)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Outlet(_Strict):
    """One outlet. ``sections`` holds labels a registry gives only part of its site (``newyorker.com/humor``,
    ``en.farsnews.com``): ``Registry.lookup_domain`` adds them when a URL falls inside that part."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    country: str | None = None
    labels: list[RegistryLabel] = Field(default_factory=list)
    sections: dict[str, list[RegistryLabel]] = Field(default_factory=dict)

    def label_names(self) -> set[str]:
        return {label.label for label in self.labels}

    def labels_of(self, kind: str) -> list[RegistryLabel]:
        """Labels of one kind of the vocabulary ('affiliation', 'role', 'reliability', 'content', 'score')."""
        return [label for label in self.labels if LABELS.get(label.label, ("",))[0] == kind]


class RegistrySource(_Strict):
    """A registry the bundled data was compiled from, with what it takes to cite it."""

    registry: str
    snapshot: str
    licence: str
    url: str
    credit: str


def normalise_name(name: str) -> str:
    """Case, punctuation, possessives, '&', a leading 'the' and spacing do not tell outlets apart."""
    name = _POSSESSIVE.sub("", name.lower().replace("&", " and "))
    name = _NON_WORD.sub(" ", name).strip()
    return name[4:] if name.startswith("the ") else name


def site_key(host: str) -> str | None:
    """The key a host is registered under: its registered domain, or the whole host on a blog platform.

    ``www.bbc.co.uk`` → ``bbc.co.uk``; ``arabic.rt.com`` → ``rt.com``; ``x.wordpress.com`` stays itself.
    Hosts under a public suffix with no registrable part (``nhs.uk``) and IP addresses key as themselves.
    """
    host = host.strip().lower().rstrip(".").removeprefix("www.")
    if _IPV4.fullmatch(host):
        return host
    domain = registered_domain(host)
    if domain is None:
        return host if _DOMAIN.fullmatch(host) else None
    if host != domain and (domain in SHARED_HOSTS or domain.startswith("blogspot.")):
        return host
    return domain


def _split_url(url_or_domain: str) -> tuple[str, str]:
    """``https://www.rt.com/news/1?x#y`` → (``rt.com``, ``news/1``)."""
    text = _SCHEME.sub("", url_or_domain.strip().lower()).removeprefix("//")
    cut = min((i for i in (text.find("/"), text.find("?"), text.find("#")) if i != -1), default=len(text))
    host = text[:cut].rpartition("@")[2].partition(":")[0].rstrip(".").removeprefix("www.")
    path = re.split(r"[?#]", text[cut:], maxsplit=1)[0].strip("/")
    return host, path


class Registry(BaseModel):
    """Outlets with indexes by id, normalised name or alias, and domain. Load it once and pass it around."""

    sources: list[RegistrySource] = Field(default_factory=list)
    outlets: dict[str, Outlet] = Field(default_factory=dict)
    _name_claims: dict[str, dict[str, int]] = PrivateAttr(default_factory=dict)
    _by_name: dict[str, str] = PrivateAttr(default_factory=dict)
    _by_domain: dict[str, str] = PrivateAttr(default_factory=dict)
    _hosts: dict[str, str | None] = PrivateAttr(default_factory=dict)
    _search_keys: list[tuple[str, str]] | None = PrivateAttr(None)

    def model_post_init(self, context: Any, /) -> None:
        for outlet in self.outlets.values():
            self._index(outlet, user=False)

    # ---- building -------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | None = None, extra: list[Path] | tuple[Path, ...] = ()) -> Registry:
        """The bundled registry (or a file in the same format at ``path``), extended by the user's files."""
        try:
            raw = (resources.files("sourcetrace.resources").joinpath("outlets.json.gz").read_bytes()
                   if path is None else path.read_bytes())
            data = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
            registry = cls(sources=data["sources"], outlets={o["id"]: o for o in data["outlets"]})
        except (OSError, ValueError, KeyError, TypeError) as error:  # ValidationError is a ValueError
            reason = str(error).splitlines()[0]
            if path is None:
                raise ResourceError(f"the bundled outlet registry is missing or broken ({reason}); reinstall "
                                    "sourcetrace or run scripts/build_registry.py") from None
            raise InputError(f"{path}: not an outlet registry ({reason})") from None
        for user_file in extra:
            for outlet in read_user_registry(Path(user_file)):
                registry.add(outlet)
        return registry

    def add(self, outlet: Outlet) -> Outlet:
        """Add a user's outlet, or merge it into the entry it shares a domain or name with.

        Its labels replace the labels that entry has from the same registry; its names and domains win over
        the bundled ones in lookups. Returns the stored outlet.
        """
        existing = next((self.outlets[self._by_domain[d]] for d in outlet.domains if d in self._by_domain), None)
        existing = existing or self.lookup_name(outlet.name) or self.outlets.get(outlet.id)
        if existing is not None:
            registries = {label.registry for label in outlet.labels}
            outlet = existing.model_copy(update={
                "aliases": sorted({*existing.aliases, *outlet.aliases, outlet.name} - {existing.name}),
                "domains": [*existing.domains, *(d for d in outlet.domains if d not in existing.domains)],
                "country": outlet.country or existing.country,
                "labels": [label for label in existing.labels if label.registry not in registries] + outlet.labels,
                "sections": {**existing.sections, **outlet.sections},
            })
        for domain in outlet.domains:  # a domain the user gives to this outlet leaves any other one
            other = self._by_domain.get(domain)
            if other is not None and other != outlet.id:
                previous = self.outlets[other]
                self.outlets[other] = previous.model_copy(
                    update={"domains": [d for d in previous.domains if d != domain]})
        self.outlets[outlet.id] = outlet
        self._index(outlet, user=True)
        return outlet

    def _index(self, outlet: Outlet, user: bool) -> None:
        # Rank of a claim on a name: the user's own entries first, then primary names, then aliases. A name
        # that two outlets claim at the same best rank is ambiguous and matches neither.
        for rank, name in [(0 if user else 1, outlet.name), *((0 if user else 2, a) for a in outlet.aliases)]:
            key = normalise_name(name)
            if not key or name in outlet.domains:  # a bare domain is matched by lookup_domain
                continue
            claims = self._name_claims.setdefault(key, {})
            claims[outlet.id] = min(rank, claims.get(outlet.id, rank))
            best = min(claims.values())
            winners = [outlet_id for outlet_id, r in claims.items() if r == best]
            if len(winners) == 1:
                self._by_name[key] = winners[0]
            else:
                self._by_name.pop(key, None)
        for domain in outlet.domains:
            if user:
                self._by_domain[domain] = outlet.id
            else:
                self._by_domain.setdefault(domain, outlet.id)
        self._hosts.clear()
        self._search_keys = None

    # ---- lookups --------------------------------------------------------------------------------
    def get(self, outlet_id: str) -> Outlet | None:
        return self.outlets.get(outlet_id)

    def lookup_name(self, name: str) -> Outlet | None:
        """The outlet whose normalised name or alias is exactly this one ('The Associated Press' = 'AP')."""
        outlet_id = self._by_name.get(normalise_name(name))
        if outlet_id is None and (parts := _PARENTHESIS.fullmatch(name.strip())):
            # "Islamic Republic News Agency (IRNA)": the name and the bracketed one, when they agree
            found = {i for part in parts.groups() if (i := self._by_name.get(normalise_name(part)))}
            outlet_id = found.pop() if len(found) == 1 else None
        return self.outlets[outlet_id] if outlet_id is not None else None

    def ambiguous_names(self) -> dict[str, list[str]]:
        """Normalised names that several outlets claim equally, so ``lookup_name`` matches none of them."""
        return {key: sorted(claims) for key, claims in self._name_claims.items()
                if key not in self._by_name and len(claims) > 1}

    def lookup_domain(self, url_or_domain: str) -> Outlet | None:
        """The outlet a URL or host belongs to: the most specific listed host, then the registered domain.

        ``https://www.rt.com/news/1`` and ``arabic.rt.com`` give RT. Labels a registry gives only part of
        the site (a subdomain or path in ``Outlet.sections``) are added when the URL falls inside it.
        """
        host, path = _split_url(url_or_domain)
        hosts = self._hosts  # pydantic private attributes are slow to reach; look once
        if host in hosts:
            outlet_id = hosts[host]
        else:
            if len(hosts) > 200_000:
                hosts.clear()
            outlet_id = hosts[host] = self._match_host(host)
        if outlet_id is None:
            return None
        outlet = self.outlets[outlet_id]
        if not outlet.sections:
            return outlet
        extra = [label for scope, labels in outlet.sections.items() if _in_scope(host, path, scope)
                 for label in labels]
        return outlet.model_copy(update={"labels": outlet.labels + extra}) if extra else outlet

    def _match_host(self, host: str) -> str | None:
        # a.b.example.com, b.example.com, example.com: the most specific listed host wins. Listed domains are
        # registered domains (or whole hosts), so no public-suffix parsing is needed here; the walk stops at a
        # shared platform, whose blogs are not the platform, and never reaches a bare top-level domain.
        by_domain = self._by_domain
        while "." in host:
            if host in by_domain:
                return by_domain[host]
            host = host.partition(".")[2]
            if host in SHARED_HOSTS or host.startswith("blogspot."):
                return None
        return None

    def search(self, text: str, limit: int = 10) -> list[Outlet]:
        """Outlets whose names, aliases or domains resemble ``text``, best first: an exact name or domain, then
        keys with a word starting with ``text`` ("reuters" → "Thomson Reuters", "reuters.com"), then near
        spellings (rapidfuzz ratio ≥ 75: "aljazeera"), then names (not domains) holding it inside a word. Each
        tier runs shortest key first, names before domains. No partial-ratio matching: it ranked one-letter
        names ("E!") next to Reuters."""
        from rapidfuzz import fuzz, process

        if self._search_keys is None:
            self._search_keys = [(key, outlet_id) for key, claims in self._name_claims.items() for outlet_id in claims]
            self._search_keys += list(self._by_domain.items())
        exact = [o for o in (self.lookup_name(text), self.lookup_domain(text)) if o is not None]
        query = normalise_name(text) if " " in text.strip() or "." not in text else text.strip().lower()
        if not query:
            return exact[:limit]
        is_domain = "." in query and " " not in query
        word_start = re.compile(rf"(?<![a-z0-9]){re.escape(query)}")
        ranks: dict[str, tuple[int, float, int]] = {o.id: (0, 0.0, 0) for o in exact}

        def rank(outlet_id: str, tier: int, closeness: float, order: int) -> None:
            if (tier, closeness, order) < ranks.get(outlet_id, (9, 0.0, 0)):
                ranks[outlet_id] = (tier, closeness, order)

        names = len(self._name_claims)  # keys before this position are names and aliases, the rest domains
        for order, (key, outlet_id) in enumerate(self._search_keys):
            if query in key:
                if word_start.search(key):
                    rank(outlet_id, 1, len(key) - len(query), order)
                elif not is_domain and order < names:
                    rank(outlet_id, 3, len(key) - len(query), order)
        keys = [key for key, _ in self._search_keys]
        for _key, score, order in process.extract(query, keys, scorer=fuzz.ratio, score_cutoff=75, limit=limit * 4):
            rank(self._search_keys[order][1], 2, -score, order)
        best = sorted(ranks, key=lambda outlet_id: ranks[outlet_id])[:limit]
        return [next(o for o in exact if o.id == outlet_id) if ranks[outlet_id][0] == 0 else self.outlets[outlet_id]
                for outlet_id in best]


def _in_scope(host: str, path: str, scope: str) -> bool:
    scope_host, _, scope_path = scope.partition("/")
    if host != scope_host and not host.endswith("." + scope_host):
        return False
    return not scope_path or path == scope_path or path.startswith(scope_path + "/")


# ---- user registries ------------------------------------------------------------------------------
def read_user_registry(path: Path) -> list[Outlet]:
    """Outlets from a user's CSV or JSON file (by its suffix); errors name the file, line and field.

    CSV: a header row, then one outlet per row. Columns (only ``name`` or ``domains`` is required):
    ``name``; ``domains`` (``;``-separated host names, a URL is reduced to its host); ``aliases`` (``;``);
    ``country``; ``labels`` (``;``-separated, each ``label`` or ``label:value``, lower-case words joined by
    ``_``: the vocabulary in ``LABELS`` or your own); ``registry`` (who gives the labels, default "user
    registry FILE"); ``snapshot``, ``licence``, ``url`` (to cite it); ``id``. Other columns are an error.

    JSON: a list of outlets, or ``{"outlets": [...]}``, shaped like the bundled ones; ``id`` is optional, a
    label may be an object or a ``"label:value"`` string and its ``registry`` defaults as above.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the registry file ({error})") from None
    if path.suffix.lower() == ".json":
        return _read_json(path, text)
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return _read_csv(path, text)
    raise InputError(f"{path}: a user registry must be a .csv or .json file")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "outlet"


def _domain(path: Path, line: int, raw: str) -> str:
    host, rest = _split_url(raw)
    if not (_DOMAIN.fullmatch(host) or _IPV4.fullmatch(host)) or rest:
        raise InputError(f"{path}, line {line}, field 'domains': {raw.strip()!r} is not a domain name")
    return host


def _label(path: Path, line: int, raw: str | dict[str, Any], defaults: dict[str, str | None]) -> RegistryLabel:
    """A label from ``label``, ``label:value`` or an object; the registry and citation default to the file's."""
    if isinstance(raw, str):
        name, _, value = raw.partition(":")
        raw = {"label": name.strip(), "value": value.strip() or None}
    try:
        label = RegistryLabel.model_validate({**defaults, **raw} if isinstance(raw, dict) else raw)
    except ValidationError as error:
        _raise(path, line, error, prefix="labels")
    if not _LABEL.fullmatch(label.label):
        raise InputError(f"{path}, line {line}, field 'labels': {label.label!r} is not a label "
                         "(lower-case words joined by _, optionally ':value')")
    return label


def _outlet(path: Path, line: int, fields: dict[str, Any]) -> Outlet:
    """An outlet from one CSV row or JSON entry whose lists are already split; checks domains and labels."""
    for key in ("domains", "aliases"):
        bad = next((x for x in fields.get(key) or [] if not isinstance(x, str)), None)
        if bad is not None:
            raise InputError(f"{path}, line {line}, field '{key}': {bad!r} is not a string")
    domains = [_domain(path, line, d) for d in fields.get("domains") or []]
    name = str(fields.get("name") or "").strip() or (domains[0] if domains else "")
    if not name:
        raise InputError(f"{path}, line {line}, field 'name': an outlet needs a name or a domain")
    defaults: dict[str, str | None] = {"registry": f"user registry {path.name}", "snapshot": None, "licence": None,
                                       "url": None}
    defaults |= {k: str(fields[k]).strip() for k in defaults if fields.get(k)}
    labels = [_label(path, line, raw, defaults) for raw in fields.get("labels") or []]
    try:
        return Outlet(id=str(fields.get("id") or _slug(domains[0] if domains else name)), name=name,
                      aliases=[a.strip() for a in fields.get("aliases") or [] if a.strip()], domains=domains,
                      country=str(fields.get("country") or "").strip() or None, labels=labels,
                      sections=fields.get("sections") or {})
    except ValidationError as error:
        _raise(path, line, error)


def _raise(path: Path, line: int, error: ValidationError, prefix: str = "") -> NoReturn:
    first = error.errors()[0]
    field = ".".join(str(p) for p in (prefix, *first["loc"]) if p != "") or "(entry)"
    raise InputError(f"{path}, line {line}, field '{field}': {first['msg']}") from None


def _read_csv(path: Path, text: str) -> list[Outlet]:
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    unknown = [c for c in columns if c not in USER_CSV_COLUMNS]
    if unknown or not {"name", "domains"} & set(columns):
        problem = f"unknown column {unknown[0]!r}" if unknown else "no 'name' or 'domains' column"
        raise InputError(f"{path}, line 1: {problem} (columns: {', '.join(USER_CSV_COLUMNS)})")
    reader.fieldnames = columns
    outlets = []
    for row in reader:
        start = reader.line_num - sum(v.count("\n") for v in row.values() if isinstance(v, str))
        if None in row:
            raise InputError(f"{path}, line {start}: more cells than columns")
        split = {k: [x.strip() for x in (v or "").split(";") if x.strip()] for k, v in row.items()
                 if k in ("domains", "aliases", "labels")}
        outlets.append(_outlet(path, start, {**row, **split}))
    return outlets


def _read_json(path: Path, text: str) -> list[Outlet]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path}, line {error.lineno}: invalid JSON ({error.msg})") from None
    items = data.get("outlets") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(f"{path}, line 1: expected a list of outlets or {{\"outlets\": [...]}}")
    spans = _json_item_spans(text)
    outlets = []
    for number, item in enumerate(items):
        start, end = spans[number] if number < len(spans) else (0, len(text))
        if not isinstance(item, dict):
            raise InputError(f"{path}, line {text.count(chr(10), 0, start) + 1}, field '(entry)': "
                             f"outlet #{number + 1} is not an object")

        def line_of(field: str, start: int = start, end: int = end) -> int:
            at = text.find(f'"{field}"', start, end)
            return text.count("\n", 0, at if at != -1 else start) + 1

        for field in ("domains", "aliases", "labels"):
            if not isinstance(item.get(field, []), list):
                raise InputError(f"{path}, line {line_of(field)}, field '{field}': expected a list")
        unknown = sorted(set(item) - set(Outlet.model_fields))
        if unknown:
            raise InputError(f"{path}, line {line_of(unknown[0])}, field '{unknown[0]}': unknown field")
        try:
            outlets.append(_outlet(path, line_of("name"), item))
        except InputError as error:  # re-point the line at the offending field where the entry spans lines
            named = re.search(r"field '([^'.]+)", str(error))
            if named is None:
                raise
            raise InputError(re.sub(r"line \d+", f"line {line_of(named.group(1))}", str(error), count=1)) from None
    return outlets


def _json_item_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of the outlets list's items in ``text`` (already known to be valid JSON)."""
    decoder = json.JSONDecoder()
    start = len(text) - len(text.lstrip())
    if text[start:start + 1] == "{":
        found = re.compile(r'"outlets"\s*:\s*\[').search(text, start)
        if found is None:
            return []
        position = found.end()
    else:
        position = start + 1
    spans: list[tuple[int, int]] = []
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return spans
        _, end = decoder.raw_decode(text, position)
        spans.append((position, end))
        position = end


def default_registry() -> Registry:
    """The bundled registry, loaded on first use and shared (the article pipeline's resource bundle, which
    loads it alone when asked for it): loading takes a fraction of a second."""
    from sourcetrace.article.resources import load_resources

    return load_resources().registry


def label_summary(label: RegistryLabel) -> str:
    """One label for a table cell: its name, with the value for a score ("quality_score pc1 0.213 on 0-1 for
    rt.com"), then the registry: a score without its number says nothing."""
    value = label.value or "" if LABELS.get(label.label, ("",))[0] == "score" else ""
    return f"{label.label}{' ' + value if value else ''} ({label.registry})"


def get_outlet(outlet_id: str) -> Outlet | None:
    """The web API's lookup in the bundled registry, as ``sourcetrace outlets show`` does it: an id, then a
    name or alias, then a domain or URL (``rt-com``, ``Russia Today``, ``rt.com``)."""
    registry = default_registry()
    return registry.get(outlet_id) or registry.lookup_name(outlet_id) or registry.lookup_domain(outlet_id)
