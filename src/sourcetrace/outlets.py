"""The bundled outlet registry: names, aliases, domains and cited labels, with fast lookups.

The registry is compiled by ``scripts/build_registry.py`` from four open registries (see
``resources/REGISTRY-SOURCES.md``). Users can add their own CSV or JSON file that extends or overrides it.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from sourcetrace.errors import InputError
from sourcetrace.ingest import registered_domain
from sourcetrace.models import RegistryLabel

__all__ = ["Outlet", "Registry", "default_registry", "get_outlet", "normalise_name", "registered_domain"]

# Hosting platforms: a blog on one of them is not the platform itself, so no registered-domain fallback.
SHARED_HOSTS = frozenset({"wordpress.com", "blogspot.com", "medium.com", "substack.com", "github.io", "tumblr.com"})
USER_CSV_COLUMNS = ("name", "domains", "aliases", "country", "labels", "registry")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class Outlet(BaseModel):
    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    country: str | None = None
    labels: list[RegistryLabel] = Field(default_factory=list)

    def label_names(self) -> set[str]:
        return {label.label for label in self.labels}


class RegistrySource(BaseModel):
    registry: str
    snapshot: str
    licence: str
    url: str
    credit: str


def normalise_name(name: str) -> str:
    """Case, punctuation, a leading 'the' and spacing do not tell outlets apart."""
    name = re.sub(r"[’'`]s\b", "", name.lower())
    name = re.sub(r"[^\w]+", " ", name).strip()
    return re.sub(r"^the ", "", name)


class Registry:
    """Outlets with indexes by id, normalised name or alias, and registered domain."""

    def __init__(self, outlets: list[Outlet], sources: list[RegistrySource]):
        self.sources = sources
        self.outlets: dict[str, Outlet] = {}
        self._by_name: dict[str, str] = {}
        self._by_domain: dict[str, str] = {}
        for outlet in outlets:
            self.add(outlet)

    def add(self, outlet: Outlet) -> None:
        """Add an outlet, or merge it into the entry it shares a domain or name with (its labels win)."""
        existing = next((self.outlets[self._by_domain[d]] for d in outlet.domains if d in self._by_domain), None)
        if existing is None:
            existing = self.lookup_name(outlet.name)
        if existing is not None:
            merged_labels = [label for label in existing.labels
                             if label.registry not in {new.registry for new in outlet.labels}] + outlet.labels
            outlet = existing.model_copy(update={
                "aliases": sorted({*existing.aliases, *outlet.aliases, outlet.name} - {existing.name}),
                "domains": sorted({*existing.domains, *outlet.domains}),
                "country": outlet.country or existing.country,
                "labels": merged_labels,
            })
        self.outlets[outlet.id] = outlet
        for name in (outlet.name, *outlet.aliases):
            self._by_name.setdefault(normalise_name(name), outlet.id)
        for domain in outlet.domains:
            self._by_domain.setdefault(domain, outlet.id)
        self._lookup_host.cache_clear()

    @classmethod
    def load(cls, path: Path | None = None, extra: list[Path] | tuple[Path, ...] = ()) -> Registry:
        if path is None:
            raw = resources.files("sourcetrace.resources").joinpath("outlets.json.gz").read_bytes()
        else:
            raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
        registry = cls([Outlet.model_validate(o) for o in data["outlets"]],
                       [RegistrySource.model_validate(s) for s in data["sources"]])
        for user_file in extra:
            for outlet in read_user_registry(user_file):
                registry.add(outlet)
        return registry

    def get(self, outlet_id: str) -> Outlet | None:
        return self.outlets.get(outlet_id)

    def lookup_name(self, name: str) -> Outlet | None:
        outlet_id = self._by_name.get(normalise_name(name))
        return self.outlets[outlet_id] if outlet_id else None

    def lookup_domain(self, url_or_domain: str) -> Outlet | None:
        host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url_or_domain.strip().lower()).split("/")[0].split(":")[0]
        outlet_id = self._lookup_host(host.removeprefix("www."))
        return self.outlets[outlet_id] if outlet_id else None

    @lru_cache(maxsize=65536)  # noqa: B019 - one registry lives for the process; the cache is its index
    def _lookup_host(self, host: str) -> str | None:
        if host in self._by_domain:
            return self._by_domain[host]
        domain = registered_domain(host)
        if domain is None or domain in SHARED_HOSTS:
            return None
        return self._by_domain.get(domain)

    def search(self, text: str, limit: int = 10) -> list[Outlet]:
        from rapidfuzz import fuzz, process

        exact = self.lookup_name(text) or self.lookup_domain(text)
        keys = list(self._by_name) + list(self._by_domain)
        ids = list(self._by_name.values()) + list(self._by_domain.values())
        found: list[Outlet] = [exact] if exact else []
        for _key, _score, index in process.extract(normalise_name(text), keys, scorer=fuzz.WRatio, limit=limit * 3):
            outlet = self.outlets[ids[index]]
            if outlet not in found:
                found.append(outlet)
        return found[:limit]


def read_user_registry(path: Path) -> list[Outlet]:
    """A user's CSV (columns: name, domains, aliases, country, labels, registry) or JSON list of outlets.

    Lists inside a CSV cell are separated by semicolons; a label is ``label`` or ``label:value``.
    Errors name the file, the line and the field.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the registry file ({error})") from None
    if path.suffix.lower() == ".json":
        return _read_json(path, text)
    return _read_csv(path, text)


def _read_json(path: Path, text: str) -> list[Outlet]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path}, line {error.lineno}: invalid JSON ({error.msg})") from None
    items = data.get("outlets") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(f"{path}, line 1: expected a list of outlets or {{\"outlets\": [...]}}")
    outlets = []
    for number, item in enumerate(items, 1):
        line = _json_line(text, number)
        try:
            outlet = Outlet.model_validate({"id": f"user-{number}", **item} if isinstance(item, dict) else item)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(entry)"
            raise InputError(f"{path}, line {line}, field '{field}': {first['msg']} (outlet #{number})") from None
        for domain in outlet.domains:
            _check_domain(path, line, domain)
        outlets.append(outlet)
    return outlets


def _json_line(text: str, number: int) -> int:
    """The line where the ``number``-th top-level object of the list starts (best effort)."""
    depth, count = 0, 0
    for offset, char in enumerate(text):
        if char in "[{":
            depth += 1
            if char == "{" and depth == 2 - (0 if text.lstrip().startswith("[") else -1):
                count += 1
                if count == number:
                    return text.count("\n", 0, offset) + 1
        elif char in "]}":
            depth -= 1
    return 1


def _check_domain(path: Path, line: int, domain: str) -> None:
    if not _DOMAIN.match(domain.lower()):
        raise InputError(f"{path}, line {line}, field 'domains': {domain!r} is not a domain name")


def _read_csv(path: Path, text: str) -> list[Outlet]:
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in ("name", "domains") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}, line 1: missing column {missing[0]!r} (columns: {', '.join(USER_CSV_COLUMNS)})")
    outlets = []
    for row in reader:
        line = reader.line_num
        name = (row.get("name") or "").strip()
        if not name:
            raise InputError(f"{path}, line {line}, field 'name': empty")
        domains = [d.strip().lower() for d in (row.get("domains") or "").split(";") if d.strip()]
        for domain in domains:
            _check_domain(path, line, domain)
        registry_name = (row.get("registry") or "").strip() or f"user registry {path.name}"
        labels = []
        for raw in (row.get("labels") or "").split(";"):
            if not raw.strip():
                continue
            label, _, value = raw.partition(":")
            if not re.fullmatch(r"[a-z][a-z0-9_]*", label.strip()):
                raise InputError(f"{path}, line {line}, field 'labels': {label.strip()!r} is not a label "
                                 "(lower-case words joined by _)")
            labels.append(RegistryLabel(label=label.strip(), registry=registry_name, value=value.strip() or None))
        outlets.append(Outlet(
            id=re.sub(r"[^a-z0-9]+", "-", (domains[:1] or [name])[0].lower()).strip("-"),
            name=name,
            aliases=[a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()],
            domains=domains,
            country=(row.get("country") or "").strip() or None,
            labels=labels,
        ))
    return outlets


@cache
def default_registry() -> Registry:
    return Registry.load()


def get_outlet(outlet_id: str) -> Outlet | None:
    """The web API's lookup: an outlet of the bundled registry by id."""
    return default_registry().get(outlet_id)
