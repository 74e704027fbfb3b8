"""Compile the open source registries in ../shared/data into sourcetrace's bundled outlet registry.

    python scripts/build_registry.py [--data ../shared/data] [--out src/sourcetrace/resources/outlets.json.gz]

Entries from the four registries are merged by registered domain (public-suffix aware) and by normalised
name; every label keeps the registry that gives it, its own wording, the snapshot date and the licence, so
disagreement between registries stays visible. A small curated list adds names, aliases and the
wire-service label for news agencies the registries list without them. The output is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from sourcetrace.outlets import normalise_name, registered_domain

REGISTRIES: dict[str, dict[str, str]] = {
    "opensources": {
        "registry": "OpenSources", "snapshot": "2017-04-28", "licence": "LGPL-3.0",
        "url": "https://github.com/BigMcLargeHuge/opensources",
        "credit": "OpenSources, curated by Melissa Zimdars et al. (Merrimack College), v2.1.0, commit 77dad6d.",
    },
    "lin2023": {
        "registry": "Lin et al. 2023 domain quality", "snapshot": "2023-09-14",
        "licence": "none stated; reuse invited, cite the paper",
        "url": "https://github.com/hauselin/domain-quality-ratings",
        "credit": "Lin, Lasser, Lewandowsky, Cole, Gully, Rand, Pennycook (2023), 'High level of correspondence "
                  "across different news domain quality rating sets', PNAS Nexus. pc1: 0 (lowest) to 1 (highest).",
    },
    "wikipedia": {
        "registry": "Wikipedia perennial sources", "snapshot": "2021-03-17", "licence": "CC BY-SA 3.0",
        "url": "https://en.wikipedia.org/wiki/Wikipedia:Reliable_sources/Perennial_sources",
        "credit": "Wikipedia editors, 'Reliable sources/Perennial sources', scraped 2021-03-17 "
                  "(Kudusch/wikipedia-perennial-sources).",
    },
    "statemedia": {
        "registry": "State Media Matrix", "snapshot": "2023", "licence": "MIT",
        "url": "https://github.com/ASD-at-GMF/state-media-profiles",
        "credit": "Alliance for Securing Democracy at GMF, State Media Matrix, seeded by the State Media Monitor of "
                  "the Media and Journalism Research Center (statemediamonitor.com).",
    },
    "curated": {
        "registry": "sourcetrace curated", "snapshot": "2026-11-25", "licence": "Apache-2.0",
        "url": "https://github.com/sourcetrace/sourcetrace",
        "credit": "Names, aliases and wire-service status of major news agencies, from their own publications.",
    },
}
OPENSOURCES_LABELS = {
    "fake": "fake", "fake news": "fake", "satire": "satire", "satirical": "satire", "bias": "extreme_bias",
    "conspiracy": "conspiracy", "junksci": "junk_science", "hate": "hate", "clickbait": "clickbait",
    "unreliable": "unreliable", "unrealiable": "unreliable", "political": "political", "rumor": "rumor",
    "reliable": "reliable", "state": "state_media",
}
WIKIPEDIA_LABELS = {
    "Generally reliable": "reliable", "Generally unreliable": "unreliable", "No consensus": "mixed_reliability",
    "Deprecated": "deprecated", "Blacklisted": "blacklisted",
}
STATE_MEDIA_LABELS = {
    "SC": "state_controlled", "CaPu": "state_captured_public", "CaPr": "state_captured_private",
    "ISFM": "independent_state_funded", "ISFM?": "independent_state_funded", "ISF": "independent_state_funded",
    "ISM": "independent_state_funded", "IP": "independent_public",
}
LOW_QUALITY = 0.4  # pc1 below this: the lowest ~27 % of the 11,520 rated domains
CURATED = [
    {"name": "Reuters", "aliases": ["Thomson Reuters", "Reuters News Agency"], "domains": ["reuters.com"],
     "country": "United Kingdom", "labels": ["wire_service"]},
    {"name": "Associated Press", "aliases": ["AP", "The Associated Press", "AP News"],
     "domains": ["apnews.com", "ap.org"], "country": "United States", "labels": ["wire_service"]},
    {"name": "Agence France-Presse", "aliases": ["AFP", "Agence France Presse"], "domains": ["afp.com"],
     "country": "France", "labels": ["wire_service"]},
    {"name": "Fars News Agency", "aliases": ["Fars", "FNA", "Fars News"], "domains": ["farsnews.ir", "farsnews.com"],
     "country": "Iran", "labels": ["wire_service"]},
    {"name": "Anadolu Agency", "aliases": ["Anadolu", "Anadolu News Agency", "AA"], "domains": ["aa.com.tr"],
     "country": "Turkey", "labels": ["wire_service"]},
    {"name": "RT", "aliases": ["Russia Today", "RT News"], "domains": ["rt.com"], "country": "Russia", "labels": []},
    {"name": "TASS", "aliases": ["ITAR-TASS"], "domains": ["tass.com", "tass.ru"], "country": "Russia",
     "labels": ["wire_service"]},
    {"name": "Sputnik", "aliases": ["Sputnik News"], "domains": ["sputniknews.com", "sputnikglobe.com"],
     "country": "Russia", "labels": []},
    {"name": "Xinhua", "aliases": ["Xinhua News Agency"], "domains": ["xinhuanet.com", "news.cn"], "country": "China",
     "labels": ["wire_service"]},
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
    {"name": "United Press International", "aliases": ["UPI"], "domains": ["upi.com"], "country": "United States",
     "labels": ["wire_service"]},
    {"name": "Syrian Arab News Agency", "aliases": ["SANA"], "domains": ["sana.sy"], "country": "Syria",
     "labels": ["wire_service"]},
    {"name": "Al Jazeera", "aliases": ["Al-Jazeera", "Aljazeera"], "domains": ["aljazeera.com", "aljazeera.net"],
     "country": "Qatar", "labels": []},
    {"name": "BBC", "aliases": ["BBC News", "British Broadcasting Corporation"], "domains": ["bbc.co.uk", "bbc.com"],
     "country": "United Kingdom", "labels": []},
    {"name": "The New York Times", "aliases": ["New York Times", "NYT"], "domains": ["nytimes.com"],
     "country": "United States", "labels": []},
    {"name": "The Washington Post", "aliases": ["Washington Post"], "domains": ["washingtonpost.com"],
     "country": "United States", "labels": []},
]


class _Merger:
    def __init__(self) -> None:
        self.outlets: list[dict[str, Any]] = []
        self.by_domain: dict[str, dict[str, Any]] = {}
        self.by_name: dict[str, dict[str, Any]] = {}

    def entry(self, name: str | None, domains: list[str]) -> dict[str, Any] | None:
        """The existing entry with one of these domains or this name, or a new one (None: nothing to key on)."""
        registered = sorted({d for d in (registered_domain(x) for x in domains) if d})
        if not registered and not name:
            return None
        found = next((self.by_domain[d] for d in registered if d in self.by_domain), None)
        if found is None and name:
            found = self.by_name.get(normalise_name(name))
        if found is None:
            found = {"name": name or registered[0], "aliases": [], "domains": [], "country": None, "labels": []}
            self.outlets.append(found)
        if name and normalise_name(name) != normalise_name(found["name"]) and name not in found["aliases"]:
            found["aliases"].append(name)
        for domain in registered:
            if domain not in found["domains"]:
                found["domains"].append(domain)
            self.by_domain.setdefault(domain, found)
        for alias in [found["name"], *found["aliases"]]:
            self.by_name.setdefault(normalise_name(alias), found)
        return found

    @staticmethod
    def label(entry: dict[str, Any], source: str, label: str, value: str | None) -> None:
        meta = REGISTRIES[source]
        item = {"label": label, "registry": meta["registry"], "value": value, "snapshot": meta["snapshot"],
                "licence": meta["licence"], "url": meta["url"]}
        if item not in entry["labels"]:
            entry["labels"].append(item)


def _hosts(text: str) -> list[str]:
    return re.findall(r"(?:https?://)?((?:[\w-]+\.)+[a-z]{2,})", text.lower())


def build(data: Path) -> dict[str, Any]:
    merger = _Merger()
    for item in CURATED:
        entry = merger.entry(str(item["name"]), list(item["domains"]))
        assert entry is not None
        entry["aliases"] += [a for a in item["aliases"] if a not in entry["aliases"]]
        entry["country"] = item["country"]
        for label in item["labels"]:
            merger.label(entry, "curated", label, "news agency selling its reports to other outlets")
        merger.entry(str(item["name"]), list(item["domains"]))  # index the aliases
    with (data / "state-media-profiles" / "State_Media_Matrix.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            label = STATE_MEDIA_LABELS.get(row["Typology"].strip())
            hosts = _hosts(row["URL"])
            if label is None or not hosts:
                continue
            entry = merger.entry(row["Main assets"].strip() or row["Media company"].strip(), hosts)
            if entry is None:
                continue
            entry["country"] = entry["country"] or row["Country"].strip() or None
            merger.label(entry, "statemedia", label, f"{row['Typology'].strip()} ({row['Media company'].strip()})")
    with (data / "wikipedia-perennial-sources" / "perennial-sources.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            hosts = [h for u in json.loads(row["urls"] or "[]") for h in _hosts(u)]
            entry = merger.entry(row["name"].strip(), hosts)
            if entry is None:
                continue
            for status in json.loads(row["status"] or "[]"):
                if status in WIKIPEDIA_LABELS:
                    merger.label(entry, "wikipedia", WIKIPEDIA_LABELS[status], status)
    sources = json.loads((data / "opensources" / "sources.json").read_text(encoding="utf-8"))
    for domain, tags in sorted(sources.items()):
        entry = merger.entry(None, [domain.split("/")[0]])
        if entry is None:
            continue
        for slot in ("type", "2nd type", "3rd type"):
            tag = str(tags.get(slot) or "").strip().lower()
            if tag in OPENSOURCES_LABELS:
                merger.label(entry, "opensources", OPENSOURCES_LABELS[tag], tag)
    ratings: dict[str, tuple[str, float]] = {}  # registered domain → (rated host, pc1); the site itself wins
    with (data / "domain-quality-ratings" / "domain_pc1.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            domain = registered_domain(row["domain"])
            if domain is not None and (domain not in ratings or row["domain"].lower() == domain):
                ratings[domain] = (row["domain"].lower(), float(row["pc1"]))
    for domain, (host, score) in sorted(ratings.items()):
        entry = merger.entry(None, [domain])
        if entry is None:
            continue
        # one rating per registered domain: an outlet with mirror domains carries each with its domain
        merger.label(entry, "lin2023", "low_quality" if score < LOW_QUALITY else "quality_score",
                     f"{score:.3f} on 0-1 for {host}")
    outlets = []
    used: set[str] = set()
    for entry in sorted(merger.outlets, key=lambda e: (e["domains"][:1] or [""])[0] + "|" + e["name"]):
        slug = re.sub(r"[^a-z0-9]+", "-", (entry["domains"][:1] or [entry["name"]])[0].lower()).strip("-")
        while slug in used:
            slug += "-x"
        used.add(slug)
        entry["labels"].sort(key=lambda item: (item["registry"], item["label"]))
        outlets.append({"id": slug, **entry, "aliases": sorted(entry["aliases"])})
    return {"sources": list(REGISTRIES.values()), "outlets": outlets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "src/sourcetrace/resources/outlets.json.gz")
    args = parser.parse_args()
    registry = build(args.data)
    payload = json.dumps(registry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    args.out.write_bytes(gzip.compress(payload, mtime=0))
    labelled = {s["registry"]: 0 for s in registry["sources"]}
    for outlet in registry["outlets"]:
        for registry_name in {label["registry"] for label in outlet["labels"]}:
            labelled[registry_name] += 1
    print(f"{len(registry['outlets']):,} outlets → {args.out} ({args.out.stat().st_size:,} bytes)")
    for name, count in labelled.items():
        print(f"  {count:6,} outlets labelled by {name}")


if __name__ == "__main__":
    main()
