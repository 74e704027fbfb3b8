"""Boilerplate is a site's own stock text, not a quotation its articles share, nor a copy that holds one.

Found on FNC-1 bodies stored under one site: the Foley family's statement and Obama's words, quoted by
several of the site's articles, were all called "boilerplate", and so was any copy that contained such a
quotation. Here on real text: Fars's al-Zameli quotation, Sputnik's report carrying it, and the reference
article (which copies Sputnik's paragraphs uncredited), put on one site. Before: all three passages
boilerplate. A real footer shared by three articles of one site stays boilerplate.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sourcetrace.corpus.store import Store
from sourcetrace.stories.demo import demo_corpus_records
from sourcetrace.stories.reuse import ArticleMeta, ReuseIndex, store_bare_texts

FOOTER = ("\n\nDelivered by The Daily Sheeple. We encourage you to share and republish our reports, analyses, "
          "breaking news and videos. This content may be freely reproduced in full or in part in digital form with "
          "full attribution to the author and a link to the original page.")


def _kinds(path: Path, texts: list[tuple[str, str, str]]) -> dict[tuple[int, int], list[str]]:
    with Store(path) as store:
        metas = [ArticleMeta(id=0, text=text, url=f"https://one-site.example/{name}", published=date)
                 for name, text, date in texts]
        store_bare_texts(store, metas)
        ReuseIndex(store).update()
        out: dict[tuple[int, int], list[str]] = {}
        for source, target, kind in store.connection.execute(
                "SELECT source_id, target_id, kind FROM reuse_passages ORDER BY source_id, target_id, words DESC"):
            out.setdefault((int(source), int(target)), []).append(str(kind))
        return out


def test_a_quotation_and_a_copy_holding_it_are_not_boilerplate(tmp_path: Path) -> None:
    records = {r["id"]: r for r in demo_corpus_records()}
    seed = resources.files("sourcetrace.resources").joinpath("demo-article.txt").read_text("utf-8")
    kinds = _kinds(tmp_path / "quote.db", [("fars", records["demo-fars"]["text"], "2015-10-22"),
                                          ("sputnik", records["demo-sputnik"]["text"], "2015-10-23"),
                                          ("seed", seed, "2015-10-24")])
    fars, sputnik, seed_id = 1, 2, 3
    assert kinds[(fars, sputnik)] == ["shared_quote"]
    assert kinds[(fars, seed_id)] == ["shared_quote"]
    assert kinds[(sputnik, seed_id)][0] == "copy"  # the 305-word uncredited copy


def test_a_footer_on_three_of_a_sites_articles_is_boilerplate(tmp_path: Path) -> None:
    records = demo_corpus_records()
    texts = [(r["id"], r["text"] + FOOTER, r.get("date") or "2015-10-25")
             for r in records if r["id"] in ("demo-reuters", "demo-fars", "demo-anadolu")]
    kinds = _kinds(tmp_path / "footer.db", texts)
    footers = [k for pair in kinds.values() for k in pair if k == "boilerplate"]
    assert len(footers) == 3, kinds  # the footer between each pair of the three


def test_blogs_of_one_platform_are_not_one_site(tmp_path: Path) -> None:
    # the store's site column is the registered domain: "wordpress.com" for every blog hosted there
    records = [r for r in demo_corpus_records() if r["id"] in ("demo-reuters", "demo-fars", "demo-anadolu")]

    def kinds(path: Path, hosts: list[str]) -> list[str]:
        with Store(path) as store:
            metas = [ArticleMeta(id=0, text=r["text"] + FOOTER, url=f"https://{host}/2015/10/{r['id']}/",
                                 site="wordpress.com", published=r.get("date"))
                     for r, host in zip(records, hosts, strict=True)]
            store_bare_texts(store, metas)
            ReuseIndex(store).update()
            return [str(k) for (k,) in store.connection.execute(
                "SELECT kind FROM reuse_passages WHERE words < 60")]  # the footer passages

    three_blogs = kinds(tmp_path / "three.db", ["one.wordpress.com", "two.wordpress.com", "three.wordpress.com"])
    assert three_blogs and "boilerplate" not in three_blogs  # three bloggers copying one text: copies
    one_blog = kinds(tmp_path / "one.db", ["one.wordpress.com"] * 3)
    assert one_blog and set(one_blog) == {"boilerplate"}  # one blog's footer
