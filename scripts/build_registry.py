"""Compile the open registries in ../shared/data into sourcetrace's bundled outlet registry.

    python scripts/build_registry.py [--data ../shared/data] [--out src/sourcetrace/resources/outlets.json.gz]

Records from the four registries (and a short curated list of news agencies) are merged into outlets by
site (registered domain, public-suffix aware; a blog on a shared platform is its own site) and then by
normalised name. Every label keeps its registry, the registry's own wording, snapshot date and licence, so
registries that disagree stay visible side by side: nothing is averaged. A rating a registry gives only
part of a site (``en.farsnews.com``, ``newyorker.com/humor``) goes into that outlet's ``sections``.
Snapshot dates and commits come from the data READMEs; the output is sorted and gzip'd without a
timestamp, so rebuilding from the same data gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from sourcetrace.outlets.registry import LABELS, Registry, normalise_name, site_key

REPO = Path(__file__).resolve().parents[1]
CURATED_SNAPSHOT = "2026-11-25"  # when the curated list below was last checked
REGISTRIES: dict[str, dict[str, str]] = {
    "opensources": {
        "dir": "opensources", "registry": "OpenSources", "licence": "LGPL-3.0",
        "url": "https://github.com/BigMcLargeHuge/opensources",
        "credit": "OpenSources (opensources.co), curated by a team led by Melissa Zimdars, Merrimack College; "
                  "v2.1.0, frozen since 2017.",
    },
    "lin2023": {
        "dir": "domain-quality-ratings", "registry": "Lin et al. 2023 domain quality",
        "licence": "none stated; reuse invited",
        "url": "https://github.com/hauselin/domain-quality-ratings",
        "credit": "Lin, Lasser, Lewandowsky, Cole, Gully, Rand, Pennycook (2023), 'High level of correspondence "
                  "across different news domain quality rating sets', PNAS Nexus 2(9) pgad286, "
                  "doi:10.1093/pnasnexus/pgad286; no licence file, the README says 'Feel free to reuse the data'. "
                  "pc1: 0 (lowest) to 1 (highest quality).",
    },
    "wikipedia": {
        "dir": "wikipedia-perennial-sources", "registry": "Wikipedia perennial sources", "licence": "CC BY-SA 3.0",
        "url": "https://en.wikipedia.org/wiki/Wikipedia:Reliable_sources/Perennial_sources",
        "credit": "Wikipedia editors, 'Wikipedia:Reliable sources/Perennial sources', as scraped by "
                  "Kudusch/wikipedia-perennial-sources.",
    },
    "statemedia": {
        "dir": "state-media-profiles", "registry": "State Media Matrix", "licence": "MIT",
        "url": "https://github.com/ASD-at-GMF/state-media-profiles",
        "credit": "Alliance for Securing Democracy at GMF, State Media Matrix, seeded by the State Media Monitor "
                  "of the Media and Journalism Research Center (statemediamonitor.com).",
    },
}
CURATED_SOURCE = {
    "registry": "sourcetrace curated", "snapshot": CURATED_SNAPSHOT, "licence": "Apache-2.0",
    "url": "scripts/build_registry.py (CURATED), in the sourcetrace source",
    "credit": "sourcetrace developers: names, aliases and domains of major outlets, and which are news agencies "
              "(wire services), from the outlets' own sites.",
}
OPENSOURCES_LABELS = {
    "fake": "fake", "fake news": "fake", "satire": "satire", "satirical": "satire", "bias": "extreme_bias",
    "conspiracy": "conspiracy", "junksci": "junk_science", "hate": "hate", "clickbait": "clickbait",
    "unreliable": "unreliable", "unrealiable": "unreliable", "political": "political", "rumor": "rumor",
    "reliable": "reliable", "state": "state_media",
}  # "blog" (one site) is not a label
WIKIPEDIA_LABELS = {
    "Generally reliable": "reliable", "Generally unreliable": "unreliable", "No consensus": "mixed_reliability",
    "Deprecated": "deprecated", "Blacklisted": "blacklisted",
}
STATE_MEDIA_LABELS = {
    "SC": "state_controlled", "CaPu": "state_captured_public", "CaPr": "state_captured_private",
    "ISFM": "state_funded_independent", "ISFM?": "state_funded_independent", "ISF": "state_funded_independent",
    "ISM": "state_managed_independent", "IP": "independent_public",
}
CHANNEL_SITES = {"youtube.com", "facebook.com", "twitter.com", "x.com", "instagram.com", "t.me", "tiktok.com",
                 "vk.com", "linkedin.com", "reddit.com", "medium.com", "soundcloud.com"}
NEGATIVE = {"unreliable", "deprecated", "blacklisted", "fake", "conspiracy", "low_quality"}
LOW_QUALITY = 0.4  # pc1 below this: the lowest ~27 % of the 11,520 rated domains
WIRE = "news agency (wire service)"
# Major outlets and news agencies that articles name without a domain, or that the registries list without
# their short names. Primary domain first: it gives the outlet's id.
CURATED: list[dict[str, Any]] = [
    {"name": "Reuters", "aliases": ["Thomson Reuters", "Reuters News Agency"], "domains": ["reuters.com"],
     "country": "United Kingdom", "labels": ["wire_service"]},
    {"name": "Associated Press", "aliases": ["AP", "The Associated Press", "AP News", "Associated Press News"],
     "domains": ["apnews.com", "ap.org"], "country": "United States of America", "labels": ["wire_service"]},
    {"name": "Agence France-Presse", "aliases": ["AFP", "Agence France Presse", "France-Presse"],
     "domains": ["afp.com"], "country": "France", "labels": ["wire_service"]},
    {"name": "Fars News Agency", "aliases": ["Fars", "FNA", "Fars News"], "domains": ["farsnews.ir", "farsnews.com"],
     "country": "Iran", "labels": ["wire_service"]},
    {"name": "Anadolu Agency", "aliases": ["Anadolu", "Anadolu News Agency", "AA"], "domains": ["aa.com.tr"],
     "country": "Turkey", "labels": ["wire_service"]},
    {"name": "RT", "aliases": ["Russia Today", "RT News"], "domains": ["rt.com"], "country": "Russia", "labels": []},
    {"name": "TASS", "aliases": ["ITAR-TASS", "TASS News Agency", "TASS Russian News Agency"],
     "domains": ["tass.com", "tass.ru"], "country": "Russia", "labels": ["wire_service"]},
    {"name": "RIA Novosti", "aliases": [], "domains": ["ria.ru"], "country": "Russia", "labels": ["wire_service"]},
    {"name": "Sputnik", "aliases": ["Sputnik News", "Sputnik International"],
     "domains": ["sputniknews.com", "sputnikglobe.com"], "country": "Russia", "labels": []},
    {"name": "Xinhua", "aliases": ["Xinhua News Agency", "New China News Agency"],
     "domains": ["xinhuanet.com", "news.cn"], "country": "China", "labels": ["wire_service"]},
    {"name": "Islamic Republic News Agency", "aliases": ["IRNA"], "domains": ["irna.ir"], "country": "Iran",
     "labels": ["wire_service"]},
    {"name": "Tasnim News Agency", "aliases": ["Tasnim"], "domains": ["tasnimnews.com"], "country": "Iran",
     "labels": ["wire_service"]},
    {"name": "Press TV", "aliases": ["PressTV"], "domains": ["presstv.ir", "presstv.com"], "country": "Iran",
     "labels": []},
    {"name": "Deutsche Presse-Agentur", "aliases": ["dpa"], "domains": ["dpa.com"], "country": "Germany",
     "labels": ["wire_service"]},
    {"name": "Agencia EFE", "aliases": ["EFE"], "domains": ["efe.com"], "country": "Spain", "labels": ["wire_service"]},
    {"name": "Kyodo News", "aliases": ["Kyodo"], "domains": ["kyodonews.net"], "country": "Japan",
     "labels": ["wire_service"]},
    {"name": "Yonhap News Agency", "aliases": ["Yonhap"], "domains": ["yna.co.kr"], "country": "South Korea",
     "labels": ["wire_service"]},
    {"name": "ANSA", "aliases": [], "domains": ["ansa.it"], "country": "Italy", "labels": ["wire_service"]},
    {"name": "United Press International", "aliases": ["UPI"], "domains": ["upi.com"],
     "country": "United States of America", "labels": ["wire_service"]},
    {"name": "Syrian Arab News Agency", "aliases": ["SANA"], "domains": ["sana.sy"], "country": "Syria",
     "labels": ["wire_service"]},
    {"name": "Al Jazeera", "aliases": ["Al-Jazeera", "Aljazeera"], "domains": ["aljazeera.com", "aljazeera.net"],
     "country": "Qatar", "labels": []},
    {"name": "BBC", "aliases": ["BBC News", "British Broadcasting Corporation"], "domains": ["bbc.co.uk", "bbc.com"],
     "country": "United Kingdom", "labels": []},
]


@dataclass
class Record:
    """What one registry row says about one outlet (or one part of its site, when ``scope`` is set)."""

    source: str
    name: str | None
    sites: list[str]
    aliases: list[str] = field(default_factory=list)
    country: str | None = None
    labels: list[tuple[str, str]] = field(default_factory=list)  # (label, the registry's value)
    scope: str | None = None  # host/path the labels are limited to


@dataclass
class Entry:
    name: str
    sites: list[str]
    aliases: list[str] = field(default_factory=list)
    country: str | None = None
    labels: list[dict[str, str]] = field(default_factory=list)
    sections: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)


# ---- reading the registries ---------------------------------------------------------------------------
def snapshot_facts(data: Path) -> dict[str, dict[str, str]]:
    """Snapshot date and commit of each registry, read from the README that documents its copy."""
    facts = {}
    for key, meta in REGISTRIES.items():
        readme = (data / meta["dir"] / "README.md").read_text(encoding="utf-8")
        origin = next(line for line in readme.splitlines() if line.startswith("**Origin:**"))
        commit = re.search(r"commit `([0-9a-f]{40})`", origin)
        date = re.search(r"\b(\d{4}-\d{2}-\d{2})\b", origin)
        if date is None:  # no date in the README: the year of the licence file's copyright line
            licence = (data / meta["dir"] / "LICENSE").read_text(encoding="utf-8")
            date = re.search(r"Copyright \(c\) (\d{4})", licence)
        if commit is None or date is None:
            raise SystemExit(f"{meta['dir']}/README.md: no commit or snapshot date on its Origin line")
        facts[key] = {"snapshot": date.group(1), "commit": commit.group(1)}
    return facts


def _hosts(text: str) -> list[str]:
    return re.findall(r"(?:https?://)?((?:[\w-]+\.)+[a-z]{2,})", text.lower())


def _homepages(urls: list[str]) -> list[str]:
    """Hosts of the outlet's own pages among Wikipedia's infobox links, which also point at catalogues,
    Wikidata and video channels: a link with a query, a deep path or a file, or a channel, is not a homepage."""
    hosts = []
    for url in urls:
        text = re.sub(r"^(?:https?:)?//", "", url.strip().lower())
        host, _, path = text.partition("/")
        segments = [s for s in path.split("/") if s and not re.fullmatch(r"index\.\w+", s)]
        if "?" in text or "#" in text or len(segments) > 1 or any("." in s for s in segments):
            continue
        if segments and site_key(host) in CHANNEL_SITES:
            continue
        hosts += _hosts(host)
    return hosts


def _key_and_scope(raw: str) -> tuple[str | None, str | None]:
    """A domain-keyed registry's key → (site, scope): ``en.farsnews.com`` → (``farsnews.com``, itself)."""
    text = re.sub(r"\s+", "", raw.lower()).split("#")[0].removeprefix("http://").removeprefix("https://")
    host, _, path = text.partition("/")
    host = host.removeprefix("www.")
    site = site_key(host)
    if site is None:
        return None, None
    scope = host + ("/" + path.strip("/") if path.strip("/") else "")
    return site, (None if scope == site else scope)


def _is_alias(item: str, base: str) -> bool:
    """Whether a parenthesised name is another name of ``base`` (an acronym, its expansion, a variant), not a
    sister publication or a topic ("House of Commons" in Hansard's entry, "Indian edition")."""
    if " " not in item and len(item) <= 10 and sum(c.isupper() for c in item) >= 2:
        return True
    words = [w for w in normalise_name(item).split() if w not in {"of", "and", "the", "for", "de", "la", "al"}]
    if "".join(w[0] for w in words) == normalise_name(base).replace(" ", ""):
        return True
    return bool(set(normalise_name(item).split()) & set(normalise_name(base).split()) - {"news", "media"})


def _parse_name(raw: str) -> tuple[str, list[str], list[str]]:
    """``Anadolu Agency (controversial topics) (AA)`` → ("Anadolu Agency", ["AA"], ["controversial topics"])."""
    raw = re.sub(r"^(?:News agency|Print media|Print|Television|Radio|Online|News portals): ", "", raw.strip())
    raw = raw.rstrip("*").strip()
    base = re.split(r" \(", raw, maxsplit=1)[0].strip()
    aliases, qualifiers = [], []
    for group in re.findall(r"\(([^()]*)(?:\)|$)", raw[len(base):]):
        group = group.strip().strip('"')
        if group in ("UK", "US"):
            base = f"{base} ({group})" if f"({group})" not in base else base
        elif not group[:1].isupper():  # "general topics", "pre-2013", "12 March 2014–present" read as topics
            qualifiers.append(group)
        else:
            aliases += [item.strip() for item in group.split(",") if _is_alias(item.strip(), base)]
    return base, aliases, qualifiers


def read_records(data: Path) -> list[Record]:
    """All registries as records, in a fixed order: curated, state media, Wikipedia, OpenSources, Lin et al."""
    records = [Record("curated", item["name"], [s for d in item["domains"] if (s := site_key(d))],
                      item["aliases"], item["country"], [(label, WIRE) for label in item["labels"]])
               for item in CURATED]
    with (data / "state-media-profiles" / "State_Media_Matrix.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code, company = row["Typology"].strip(), row["Media company"].strip().rstrip("*")
            sites = [s for h in _hosts(row["URL"]) if (s := site_key(h))]
            if code not in STATE_MEDIA_LABELS:
                continue
            name, aliases, _ = _parse_name(row["Main assets"] or company)
            records.append(Record("statemedia", name, sites, aliases, row["Country"].strip() or None,
                                  [(STATE_MEDIA_LABELS[code], f"{code} ({company})")]))
    with (data / "wikipedia-perennial-sources" / "perennial-sources.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name, aliases, qualifiers = _parse_name(row["name"])
            sites = [s for h in _homepages(json.loads(row["urls"] or "[]")) if (s := site_key(h))]
            topic = f" ({'; '.join(qualifiers)})" if qualifiers else ""
            labels = [(WIKIPEDIA_LABELS[s], s + topic) for s in json.loads(row["status"] or "[]")
                      if s in WIKIPEDIA_LABELS]
            records.append(Record("wikipedia", name, list(dict.fromkeys(sites)), aliases, None, labels))
    sources = json.loads((data / "opensources" / "sources.json").read_text(encoding="utf-8"))
    for key, tags in sources.items():
        site, scope = _key_and_scope(key)
        if site is None:
            continue
        raw_tags = [str(tags.get(slot) or "").strip() for slot in ("type", "2nd type", "3rd type")]
        labels = [(OPENSOURCES_LABELS[t.lower()], t + (f" (for {scope})" if scope else "")) for t in raw_tags
                  if t.lower() in OPENSOURCES_LABELS]
        records.append(Record("opensources", None, [site], labels=labels, scope=scope))
    with (data / "domain-quality-ratings" / "domain_pc1.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            site, scope = _key_and_scope(row["domain"])
            if site is None:
                continue
            score = float(row["pc1"])
            label = "low_quality" if score < LOW_QUALITY else "quality_score"
            value = f"pc1 {score:.3f} on 0-1 for {row['domain'].strip().lower()}"
            records.append(Record("lin2023", None, [site], labels=[(label, value)], scope=scope))
    return records


# ---- merging --------------------------------------------------------------------------------------------
class Merger:
    """Merges records into entries by site, then by name where neither side's sites or country say otherwise."""

    def __init__(self, citations: dict[str, dict[str, str]]):
        self.citations = citations
        self.entries: list[Entry] = []
        self.by_site: dict[str, Entry] = {}
        self.by_name: dict[str, Entry] = {}
        self.merged: Counter[str] = Counter()  # records that joined an entry another registry started
        self.conflicts: list[str] = []
        self.name_merges: list[str] = []  # merged by name although both sides had (different) sites

    def add(self, record: Record) -> None:
        matches = list({id(e): e for s in record.sites if (e := self.by_site.get(s)) is not None}.values())
        entry = matches[0] if matches else self._by_name(record)
        if len(matches) > 1:
            self.conflicts.append(f"{record.source} {record.name or record.sites}: sites of "
                                  f"{', '.join(e.name for e in matches)}; kept with {entry.name if entry else '-'}")
        if entry is None:
            entry = Entry(record.name or record.sites[0], [])
            self.entries.append(entry)
        elif record.source not in entry.sources:
            self.merged[record.source] += 1
        entry.sources.add(record.source)
        if record.name:
            if entry.name in entry.sites and record.name not in entry.sites:  # a real name replaces a domain
                entry.aliases.append(entry.name)
                entry.name = record.name
            entry.aliases += [a for a in [record.name, *record.aliases]
                              if normalise_name(a) not in {normalise_name(x) for x in [entry.name, *entry.aliases]}]
        for site in record.sites:
            if site not in self.by_site:
                self.by_site[site] = entry
                entry.sites.append(site)
        for name in [entry.name, *entry.aliases]:
            self.by_name.setdefault(normalise_name(name), entry)
        entry.country = entry.country or record.country
        target = entry.sections.setdefault(record.scope, []) if record.scope else entry.labels
        meta = REGISTRIES.get(record.source, CURATED_SOURCE)
        cite = self.citations.get(record.source, {"snapshot": CURATED_SNAPSHOT})
        for label, value in record.labels:
            assert label in LABELS, label
            same = next((x for x in target if x["label"] == label and x["registry"] == meta["registry"]), None)
            if record.source == "statemedia" and same is not None:  # several asset rows, one verdict
                code, companies = same["value"].split(" ", 1)[0], _companies(same["value"]) | _companies(value)
                same["value"] = f"{code} ({'; '.join(sorted(companies))})"
                continue
            item = {"label": label, "registry": meta["registry"], "value": value, "snapshot": cite["snapshot"],
                    "licence": meta["licence"], "url": meta["url"]}
            if item not in target:
                target.append(item)

    def _by_name(self, record: Record) -> Entry | None:
        """The entry this record names, unless they are different outlets: a shared name counts only within
        one country ("Radio Nacional" of Argentina is not Peru's), and with different sites on both sides and
        a country unknown, only as both primary names (Blaze Media's alias "CRTV" is not Cameroon's)."""
        for rank, name in enumerate([record.name, *record.aliases] if record.name else []):
            entry = self.by_name.get(normalise_name(name))
            if entry is None:
                continue
            if record.country and entry.country and record.country != entry.country:
                return None
            if record.sites and entry.sites:
                if not (record.country and entry.country) and (
                        rank > 0 or normalise_name(name) != normalise_name(entry.name)):
                    return None
                self.name_merges.append(f"{record.source} {name} {record.sites} → {entry.name} {entry.sites}")
            return entry
        return None


def _companies(value: str) -> set[str]:
    """``SC (A; B)`` → {A, B}: the media companies a State Media Matrix label names."""
    return set(value.split(" ", 1)[1][1:-1].split("; "))


def build(data: Path) -> tuple[dict[str, Any], Merger]:
    citations = snapshot_facts(data)
    merger = Merger(citations)
    for record in read_records(data):
        merger.add(record)
    outlets, used = [], set()
    by_content = lambda item: (item["registry"], item["label"], item["value"])  # noqa: E731
    for entry in sorted(merger.entries, key=lambda e: ((e.sites or [""])[0], e.name)):
        slug = re.sub(r"[^a-z0-9]+", "-", (entry.sites or [entry.name])[0].lower()).strip("-")
        outlet_id, n = slug, 1
        while outlet_id in used:
            n += 1
            outlet_id = f"{slug}-{n}"
        used.add(outlet_id)
        outlet: dict[str, Any] = {"id": outlet_id, "name": entry.name, "aliases": sorted(entry.aliases),
                                  "domains": entry.sites, "labels": sorted(entry.labels, key=by_content)}
        if entry.country:
            outlet["country"] = entry.country
        if entry.sections:
            outlet["sections"] = {scope: sorted(labels, key=by_content)
                                  for scope, labels in sorted(entry.sections.items())}
        outlets.append(outlet)
    sources = [{"registry": meta["registry"], "snapshot": citations[k]["snapshot"], "licence": meta["licence"],
                "url": meta["url"], "credit": f"{meta['credit']} Copy of commit {citations[k]['commit'][:7]}."}
               for k, meta in REGISTRIES.items()] + [CURATED_SOURCE]
    return {"format": 1, "sources": sources, "outlets": outlets}, merger


def encode(registry: dict[str, Any]) -> bytes:
    """One outlet per line (diffs stay readable once unzipped); gzip with no name or time in its header."""
    head = json.dumps({k: v for k, v in registry.items() if k != "outlets"}, ensure_ascii=False, sort_keys=True)
    lines = [json.dumps(o, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for o in registry["outlets"]]
    text = head[:-1] + ',"outlets":[\n' + ",\n".join(lines) + "\n]}\n"
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def summary(registry: dict[str, Any], merger: Merger, size: int, out: Path) -> str:
    """Counts a maintainer checks after a rebuild: coverage per registry, merges, disagreements, ambiguity."""
    outlets = registry["outlets"]
    by_registry: Counter[str] = Counter()
    multi = disagree = 0
    for outlet in outlets:
        labels = outlet["labels"] + [x for scoped in outlet.get("sections", {}).values() for x in scoped]
        registries = {label["registry"] for label in labels}
        by_registry.update(registries)
        multi += len(registries) > 1
        good = {x["registry"] for x in outlet["labels"] if x["label"] == "reliable"}
        bad = {x["registry"] for x in outlet["labels"] if x["label"] in NEGATIVE}
        disagree += bool(good and bad and good != bad)
    ambiguous = Registry.model_validate({"sources": registry["sources"],
                                         "outlets": {o["id"]: o for o in outlets}}).ambiguous_names()
    lines = [f"{len(outlets):,} outlets → {out} ({size:,} bytes)"]
    for key, meta in [*REGISTRIES.items(), ("curated", CURATED_SOURCE)]:
        lines.append(f"  {by_registry[meta['registry']]:6,} outlets labelled by {meta['registry']}; "
                     f"{merger.merged[key]:,} of its entries merged into an outlet listed before it")
    lines.append(f"  {multi:6,} outlets labelled by two or more registries; {disagree:,} that one registry calls "
                 "reliable and another unreliable, deprecated, fake or low quality")
    lines.append(f"  {len(merger.conflicts):6,} records whose sites belonged to different outlets (kept apart; -v)")
    lines.append(f"  {len(ambiguous):6,} names that several outlets share, matched by no name lookup: "
                 + ", ".join(sorted(ambiguous)[:10]) + (" …" if len(ambiguous) > 10 else ""))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "src/sourcetrace/resources/outlets.json.gz")
    parser.add_argument("-v", "--verbose", action="store_true", help="list conflicts and merges by name")
    args = parser.parse_args()
    registry, merger = build(args.data)
    payload = encode(registry)
    args.out.write_bytes(payload)
    print(summary(registry, merger, len(payload), args.out))
    if args.verbose:
        print("\n".join(["sites of several outlets:", *merger.conflicts, "merged by name across sites:",
                         *merger.name_merges]))


if __name__ == "__main__":
    main()
