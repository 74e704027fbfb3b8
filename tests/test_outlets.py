"""The bundled outlet registry, user registries, the outlets CLI, and outlet linking on the seed article.

These run on the compiled ``outlets.json.gz`` alone; ``test_registry_build.py`` checks it against the data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.errors import InputError
from sourcetrace.models import OutletRole, Report
from sourcetrace.outlets.cli import outlets_app
from sourcetrace.outlets.registry import LABELS, Outlet, Registry, default_registry, normalise_name


def _find(query: str) -> Outlet:
    outlet = default_registry().lookup_name(query) or default_registry().lookup_domain(query)
    assert outlet is not None, query
    return outlet


def _said(query: str) -> dict[str, set[str]]:
    """label → the registries that give it."""
    found: dict[str, set[str]] = {}
    for label in _find(query).labels:
        found.setdefault(label.label, set()).add(label.registry)
    return found


@pytest.mark.parametrize("query", ["Russia Today", "RT", "rt.com", "https://www.rt.com/news/1", "arabic.rt.com",
                                   "RT (Russia Today)", "swentr.site"])
def test_rt_names_and_domains_are_one_state_controlled_outlet(query: str) -> None:
    outlet = _find(query)
    assert outlet.id == "rt-com"
    smm = next(x for x in outlet.labels if x.label == "state_controlled")
    assert (smm.registry, smm.value, smm.licence) == ("State Media Matrix", "SC (RT)", "MIT")
    assert smm.url == "https://github.com/ASD-at-GMF/state-media-profiles" and smm.snapshot == "2023"


@pytest.mark.parametrize("query", ["Fars", "Fars News Agency", "FNA", "farsnews.ir", "farsnews.com",
                                   "http://english.farsnews.ir/newstext.aspx?nn=1"])
def test_fars_is_iranian_state_media(query: str) -> None:
    outlet = _find(query)
    assert (outlet.id, outlet.country) == ("farsnews-ir", "Iran")
    assert _said(query)["state_controlled"] == {"State Media Matrix"}


@pytest.mark.parametrize("query", ["Anadolu", "Anadolu Agency", "Anadolu News Agency", "aa.com.tr",
                                   "https://www.aa.com.tr/en/world/x/123"])
def test_anadolu_is_turkish_state_run(query: str) -> None:
    outlet = _find(query)
    assert (outlet.id, outlet.country) == ("aa-com-tr", "Turkey")
    assert {"state_controlled", "wire_service"} <= outlet.label_names()


@pytest.mark.parametrize("query", ["Reuters", "reuters.com", "Thomson Reuters", "https://uk.reuters.com/x"])
def test_reuters_is_a_reliable_wire_service(query: str) -> None:
    said = _said(query)
    assert said["wire_service"] == {"sourcetrace curated"} and said["reliable"] == {"Wikipedia perennial sources"}
    assert not {label for label in said if LABELS[label][0] == "affiliation"}


@pytest.mark.parametrize(("query", "outlet_id"), [
    ("The Associated Press", "apnews-com"), ("AP", "apnews-com"), ("associated press", "apnews-com"),
    ("AFP", "afp-com"), ("Agence France Presse", "afp-com"), ("Xinhua", "xinhuanet-com"), ("TASS", "tass-com"),
    ("ITAR-TASS", "tass-com"), ("Sputnik", "sputniknews-com"), ("Press TV", "presstv-ir"), ("presstv.com",
    "presstv-ir"), ("Al Jazeera", "aljazeera-com"), ("BBC", "bbc-co-uk"), ("the BBC", "bbc-co-uk"),
    ("CGTN", "cgtn-com"),
])
def test_major_outlets_by_name_and_alias(query: str, outlet_id: str) -> None:
    assert _find(query).id == outlet_id


def test_usdefensewatch_is_unreliable_per_opensources_and_low_quality_per_lin() -> None:
    outlet = _find("http://usdefensewatch.com/2015/10/insult-to-injury/")
    cited = {(x.label, x.registry, x.value) for x in outlet.labels}
    assert ("unreliable", "OpenSources", "unreliable") in cited
    assert ("low_quality", "Lin et al. 2023 domain quality", "pc1 0.393 on 0-1 for usdefensewatch.com") in cited


def test_registries_that_disagree_are_all_kept() -> None:
    oann = _said("One America News Network")  # OpenSources (2017): political, reliable; Wikipedia: deprecated
    assert oann["reliable"] == {"OpenSources"} and oann["deprecated"] == {"Wikipedia perennial sources"}
    anadolu = {(x.label, x.value) for x in _find("Anadolu").labels if x.registry == "Wikipedia perennial sources"}
    assert anadolu == {("mixed_reliability", "No consensus (general topics)"),
                       ("unreliable", "Generally unreliable (controversial topics, international politics)")}
    scores = [x.value for x in _find("RT").labels if x.registry.startswith("Lin")]
    assert len(scores) > 1 and "pc1 0.293 on 0-1 for rt.com" in scores  # one per rated domain, none averaged


def test_state_affiliation_is_not_a_reliability_verdict() -> None:
    bbc = _find("BBC")
    assert [x.label for x in bbc.labels_of("affiliation")] == ["independent_public"]
    assert [x.label for x in bbc.labels_of("reliability")] == ["reliable"]


def test_labels_scoped_to_part_of_a_site_apply_only_there() -> None:
    assert "satire" not in _find("newyorker.com").label_names()
    humor = default_registry().lookup_domain("https://www.newyorker.com/humor/borowitz-report/x")
    assert humor is not None and humor.id == "newyorker-com" and "satire" in humor.label_names()
    assert "low_quality" in _find("https://en.farsnews.com/news/1").label_names()


def test_blogs_on_shared_platforms_are_not_the_platform() -> None:
    blog = _find("https://4threvolutionarywar.wordpress.com/2017/x")
    assert blog.id == "4threvolutionarywar-wordpress-com" and "conspiracy" in blog.label_names()
    assert "conspiracy" not in _find("wordpress.com").label_names()
    assert default_registry().lookup_domain("someone-else.wordpress.com") is None


def test_shared_names_match_nothing_rather_than_the_wrong_outlet() -> None:
    registry = default_registry()
    assert registry.lookup_name("Radio Nacional") is None and "radio nacional" in registry.ambiguous_names()
    assert registry.lookup_name("CRTV").country == "Cameroon"  # type: ignore[union-attr]  # not Blaze Media


def test_name_normalisation() -> None:
    assert normalise_name("The Associated Press") == normalise_name("associated  press") == "associated press"
    assert normalise_name("Agence France-Presse") == "agence france presse"
    assert default_registry().lookup_name("Breitbart") is None  # names match exactly; search is the fuzzy way
    assert default_registry().lookup_domain("not a domain") is None


def test_every_label_is_in_the_vocabulary_and_cited() -> None:
    registry = default_registry()
    sources = {s.registry: s for s in registry.sources}
    for outlet in registry.outlets.values():
        for label in outlet.labels + [x for xs in outlet.sections.values() for x in xs]:
            assert label.label in LABELS
            source = sources[label.registry]
            assert (label.snapshot, label.licence, label.url) == (source.snapshot, source.licence, source.url)


def test_search_is_fuzzy_with_exact_matches_first() -> None:
    assert default_registry().search("Russia Today", limit=3)[0].id == "rt-com"
    assert "breitbart-com" in [o.id for o in default_registry().search("breitbart", limit=5)]


def test_user_csv_extends_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "name,domains,aliases,country,labels,registry,snapshot\n"
        "Example Gazette,https://www.examplegazette.org/,EG,Norway,reliable;wire_service,my newsroom,2026-01\n"
        "Reuters,reuters.com,,,trusted_partner:contract 2024,my newsroom,2026-01\n"
        'Radio Nacional,radionacional.com.ar,,Argentina,"state_funded_independent:our call",my newsroom,\n',
        encoding="utf-8",
    )
    registry = Registry.load(extra=[path])
    gazette = registry.lookup_domain("news.examplegazette.org/a")
    assert gazette is not None and gazette.name == "Example Gazette" and registry.lookup_name("EG") == gazette
    assert gazette.labels[0].registry == "my newsroom" and gazette.labels[0].snapshot == "2026-01"
    reuters = registry.lookup_name("Reuters")
    assert reuters is not None and reuters.id == "reuters-com"
    assert {"trusted_partner", "wire_service", "reliable"} <= reuters.label_names()
    radio = registry.lookup_name("Radio Nacional")  # the user's entry settles a shared name
    assert radio is not None and radio.country == "Argentina"
    assert default_registry().lookup_domain("examplegazette.org") is None  # the bundled registry is untouched


def test_user_json_registry(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"outlets": [
        {"name": "Fars", "labels": ["unreliable:our desk's view", {"label": "hate", "registry": "Desk B"}]},
        {"name": "New Site", "domains": ["newsite.example"], "country": "Chile"},
    ]}, indent=1), encoding="utf-8")
    registry = Registry.load(extra=[path])
    fars = registry.lookup_name("Fars")
    assert fars is not None and fars.id == "farsnews-ir" and "state_controlled" in fars.label_names()
    mine = {(x.label, x.registry) for x in fars.labels}
    assert {("unreliable", "user registry mine.json"), ("hate", "Desk B")} <= mine
    assert registry.lookup_domain("newsite.example") is not None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("my.csv", "name,domains\nGood,good.com\nBad,not a domain\n",
         "my.csv, line 3, field 'domains': 'not a domain' is not a domain name"),
        ("my.csv", 'name,domains\n"Two\nlines",ok.com\nBad,x y\n', "my.csv, line 4, field 'domains'"),
        ("my.csv", "name,domains,labels\nX,x.com,Not A Label\n", "my.csv, line 2, field 'labels'"),
        ("my.csv", "name,domains\n,\n", "my.csv, line 2, field 'name'"),
        ("my.csv", "title,url\nX,x.com\n", "my.csv, line 1: unknown column 'title'"),
        ("my.csv", "name,domains\nX,x.com,extra\n", "my.csv, line 2: more cells than columns"),
        ("my.json", '[\n {"name": "A", "domains": ["a.com"]},\n {"name": "B",\n  "domains": ["b c"]}\n]\n',
         "my.json, line 4, field 'domains': 'b c' is not a domain name"),
        ("my.json", '[\n {"name": "A"},\n {"domain": "b.com"}\n]\n', "my.json, line 3, field 'domain': unknown"),
        ("my.json", '[{"name": "A",\n  "labels": [{"label": "x", "value": 3}]}]',
         "my.json, line 2, field 'labels.value'"),
        ("my.json", '[\n {"name": "A",\n]\n', "my.json, line 3: invalid JSON"),
        ("my.json", '{"name": "A"}', "my.json, line 1: expected a list of outlets"),
        ("my.txt.gz", "x", "must be a .csv or .json file"),
    ],
)
def test_malformed_user_registry_names_file_line_and_field(tmp_path: Path, name: str, content: str,
                                                           message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        Registry.load(extra=[path])
    assert message in str(error.value).replace(str(tmp_path) + "/", "")
    assert "\n" not in str(error.value)


def test_cli_show(tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(outlets_app, ["show", "Fars", "--format", "json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == "farsnews-ir"
    panel = runner.invoke(outlets_app, ["show", "Russia Today"], env={"COLUMNS": "200"})
    assert panel.exit_code == 0
    for text in ("RT", "rt-com", "rt.com", "Russia", "state_controlled", "State Media Matrix", "SC (RT)", "MIT",
                 "deprecated", "Wikipedia perennial sources", "CC BY-SA 3.0", "2021-03-17"):
        assert text in panel.stdout, text
    missing = runner.invoke(outlets_app, ["show", "no-such-outlet-anywhere"])
    assert missing.exit_code == 1
    assert missing.stderr.strip() == ("no outlet matches 'no-such-outlet-anywhere'; "
                                      "try `sourcetrace outlets search no-such-outlet-anywhere`")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,domains\nX,not a domain\n", encoding="utf-8")
    refused = runner.invoke(outlets_app, ["show", "Fars", "--registry", str(bad)])
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "line 2, field 'domains'" in refused.stderr and "Traceback" not in refused.stderr


def test_cli_search(tmp_path: Path) -> None:
    runner = CliRunner()
    found = runner.invoke(outlets_app, ["search", "anadolu"], env={"COLUMNS": "200"})
    assert found.exit_code == 0 and "aa-com-tr" in found.stdout and "Anadolu Agency" in found.stdout
    mine = tmp_path / "mine.csv"
    mine.write_text("name,domains\nZyx Courier,zyxcourier.example\n", encoding="utf-8")
    listed = runner.invoke(outlets_app, ["search", "zyx courier", "-r", str(mine), "-f", "json", "-n", "2"])
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["name"] == "Zyx Courier"


def test_seed_outlets_are_linked_with_roles(seed_report_with_url: Report) -> None:
    by_id = {o.registry_id: o for o in seed_report_with_url.outlets}
    for outlet_id in ("farsnews-ir", "aa-com-tr", "rt-com", "reuters-com"):
        assert OutletRole.CONDUIT in by_id[outlet_id].roles
        assert by_id[outlet_id].evidence and by_id[outlet_id].attribution_ids
    publisher = by_id["usdefensewatch-com"]
    assert publisher.roles == [OutletRole.PUBLISHER]
    assert "unreliable" in {label.label for label in publisher.labels}


def test_search_ranks_the_outlet_named_first_and_lists_no_unrelated_short_names() -> None:
    """Issue 21: `outlets search reuters` listed E!, EPRS, RTRS … after Reuters (partial-ratio matches)."""
    registry = default_registry()
    found = [o.name for o in registry.search("reuters")]
    assert found[0] == "Reuters"
    assert not {"E!", "EPRS", "RTRS", "RSS"} & set(found)
    assert registry.search("reuter")[0].name == "Reuters"  # a word start
    assert registry.search("aljazeera")[0].name == "Al Jazeera"  # a near spelling
    washington = [o.name for o in registry.search("washington post", limit=5)]
    assert washington[0] == "The Washington Post" and "PanAm Post" not in washington
