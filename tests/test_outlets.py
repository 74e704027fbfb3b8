"""The bundled outlet registry, user registries, the outlets CLI, and outlet linking on the seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli_outlets import outlets_app
from sourcetrace.errors import InputError
from sourcetrace.models import OutletRole, Report
from sourcetrace.outlets import Registry, default_registry


def _labels(name: str) -> dict[str, set[str]]:
    outlet = default_registry().lookup_name(name) or default_registry().lookup_domain(name)
    assert outlet is not None, name
    found: dict[str, set[str]] = {}
    for label in outlet.labels:
        found.setdefault(label.label, set()).add(label.registry)
    return found


@pytest.mark.parametrize("query", ["Russia Today", "RT", "rt.com", "https://www.rt.com/news/1", "arabic.rt.com"])
def test_rt_aliases_resolve_to_one_state_controlled_outlet(query: str) -> None:
    outlet = default_registry().lookup_name(query) or default_registry().lookup_domain(query)
    assert outlet is not None and outlet.id == "rt-com"
    assert "State Media Matrix" in _labels(query)["state_controlled"]


def test_seed_outlets_labels() -> None:
    assert "State Media Matrix" in _labels("Fars")["state_controlled"]
    assert _labels("farsnews.ir") == _labels("Fars News Agency")
    assert "state_controlled" in _labels("Anadolu News Agency") and "wire_service" in _labels("aa.com.tr")
    assert "wire_service" in _labels("Reuters") and "reliable" in _labels("reuters.com")
    assert "OpenSources" in _labels("usdefensewatch.com")["unreliable"]


def test_state_affiliation_is_kept_apart_from_reliability_and_disagreement_shown() -> None:
    anadolu = _labels("aa.com.tr")
    assert "state_controlled" in anadolu  # affiliation ...
    assert {"unreliable", "mixed_reliability"} <= set(anadolu)  # ... and Wikipedia's split verdict, unaveraged
    assert "quality_score" in anadolu  # while Lin et al. rate the domain above their low-quality line


def test_every_label_is_cited() -> None:
    sources = {s.registry for s in default_registry().sources}
    for outlet in list(default_registry().outlets.values())[:2000]:
        for label in outlet.labels:
            assert label.registry in sources and label.licence and label.snapshot


def test_user_csv_extends_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "name,domains,aliases,country,labels,registry\n"
        "Example Gazette,examplegazette.org,EG,Norway,reliable;wire_service,my newsroom\n"
        "Reuters,reuters.com,,,trusted_partner:contract 2024,my newsroom\n",
        encoding="utf-8",
    )
    registry = Registry.load(extra=[path])
    gazette = registry.lookup_domain("www.examplegazette.org")
    assert gazette is not None and gazette.name == "Example Gazette" and registry.lookup_name("EG") == gazette
    reuters = registry.lookup_name("Reuters")
    assert reuters is not None
    assert {"trusted_partner", "wire_service"} <= reuters.label_names()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", "name,domains\nGood,good.com\nBad,not a domain\n", "bad.csv, line 3, field 'domains'"),
        ("bad2.csv", "name,domains,labels\nX,x.com,Not A Label\n", "bad2.csv, line 2, field 'labels'"),
        ("bad3.csv", "title,url\nX,x.com\n", "bad3.csv, line 1: missing column 'name'"),
        ("bad.json", '[\n {"name": "A", "domains": ["a.com"]},\n {"domains": ["b.com"]}\n]\n',
         "bad.json, line 3, field 'name'"),
        ("broken.json", '[\n {"name": "A",\n]\n', "broken.json, line 3: invalid JSON"),
    ],
)
def test_malformed_user_registry_names_file_line_and_field(tmp_path: Path, name: str, content: str,
                                                           message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        Registry.load(extra=[path])
    assert message in str(error.value).replace(str(tmp_path) + "/", "")


def test_cli_show_search_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(outlets_app, ["show", "Fars", "--json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == "farsnews-com"
    found = runner.invoke(outlets_app, ["search", "anadolu"])
    assert found.exit_code == 0 and "aa.com.tr" in found.stdout
    missing = runner.invoke(outlets_app, ["show", "no-such-outlet-anywhere"])
    assert missing.exit_code == 1 and "outlets search" in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("name,domains\nX,not a domain\n", encoding="utf-8")
    refused = runner.invoke(outlets_app, ["show", "Fars", "--registry", str(bad)])
    assert refused.exit_code == 2 and "line 2, field 'domains'" in " ".join(refused.stderr.split())


def test_seed_outlets_are_linked_with_roles(seed_report_with_url: Report) -> None:
    by_id = {o.registry_id: o for o in seed_report_with_url.outlets}
    for outlet_id in ("farsnews-com", "aa-com-tr", "rt-com", "reuters-com"):
        assert OutletRole.CONDUIT in by_id[outlet_id].roles
        assert by_id[outlet_id].evidence and by_id[outlet_id].attribution_ids
    publisher = by_id["usdefensewatch-com"]
    assert publisher.roles == [OutletRole.PUBLISHER]
    assert "unreliable" in {label.label for label in publisher.labels}
