"""A small mixed batch for the corpus tests: every input format, duplicates, and the bad inputs of issue 22.

The articles are short news texts written for these tests (tests/corpus/data), the bundled demo article and
tests/data/article.html; nothing here needs ../shared.
"""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sourcetrace.corpus import Corpus, RunSummary
from sourcetrace.corpus.sources import Tally

DATA = Path(__file__).parent / "data"
HTML_PAGE = Path(__file__).parents[1] / "data" / "article.html"

SIXTH_ARTICLE = """Rail union calls off strike after pay deal

By Lena Hofmann

The rail workers' union called off next week's strike on Friday after accepting a pay offer of 6 percent over two
years, the union's general secretary said.

"Our members held firm and it paid off," said Marek Nowak, who led the talks. The rail operator said services
would run normally from Monday.

Transport minister Helen Carter welcomed the agreement and said she hoped it would last.
"""

FRENCH = ("Le conseil municipal a adopté mercredi un budget de deux milliards d'euros après une séance qui s'est "
          "prolongée bien au-delà de minuit. Le maire a déclaré que le plan protégeait toutes les bibliothèques.")


def html_page(text: str, *, published: str | None = None) -> bytes:
    lines = [line for line in text.strip().split("\n\n")]
    title, byline, paragraphs = lines[0], lines[1].removeprefix("By "), lines[2:]
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(f"<p>{' '.join(p.split())}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="author" content="{byline}">{meta}</head><body><article><h1>{title}</h1>{body}</article>'
            "</body></html>").encode()


def write_warc(path: Path, records: list[tuple[str, str, bytes]]) -> list[int]:
    """A gzipped WARC of response records (url, content type, body); returns each record's byte offset."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    offsets = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, content_type, body in records:
            offsets.append(handle.tell())
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                               warc_headers_dict={"WARC-Date": "2024-05-02T09:30:00Z"})
            writer.write_record(record)
    return offsets


@dataclass
class Batch:
    root: Path
    directory: Path
    jsonl: Path
    csv: Path
    csv_without_text: Path
    warc: Path
    truncated_warc: Path
    truncated_offset: int
    urls: Path

    @property
    def sources(self) -> list[Path]:
        return [self.directory, self.jsonl, self.csv, self.csv_without_text, self.warc, self.truncated_warc]


def make_batch(root: Path) -> Batch:
    council = (DATA / "council-budget.txt").read_text("utf-8")
    directory = root / "articles"
    (directory / "sub").mkdir(parents=True)
    (directory / "council-budget.txt").write_text(council, "utf-8")
    # the same article again, other line endings and spacing: a duplicate by content hash
    (directory / "sub" / "council-copy.txt").write_bytes(council.replace("\n", "\r\n").replace(". ", ".  ").encode())
    (directory / "page.html").write_bytes(HTML_PAGE.read_bytes())
    (directory / "empty.txt").write_bytes(b"")
    (directory / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (directory / "notes.md").write_text("not an article file", "utf-8")

    jsonl = root / "feed.jsonl"
    lines = [
        json.dumps({"id": "r1", "text": (DATA / "river-flooding.txt").read_text("utf-8"),
                    "url": "https://www.example-news.com/2024/03/10/flood-warnings/?utm_source=feed"}),
        # another text under the same page's URL (scheme, www., slash and tracking differ): a duplicate by URL
        json.dumps({"id": "r2", "text": SIXTH_ARTICLE.replace("rail", "tram"),
                    "url": "http://example-news.com/2024/03/10/flood-warnings"}),
        '{"id": "broken", "text": "an unfinished line',
        json.dumps({"id": "t1", "title": "a record without text"}),
        json.dumps({"id": "fr", "text": FRENCH}),
        json.dumps({"id": "long", "text": "Word after word. " * 60_000}),
        json.dumps({"id": "v1", "text": (DATA / "vaccine-trial.txt").read_text("utf-8"), "date": "March 3, 2024",
                    "outlet": "Example Wire"}),
    ]
    jsonl.write_text("\n".join(lines) + "\n", "utf-8")

    csv_path = root / "items.csv"
    harbour = (DATA / "harbour-expansion.txt").read_text("utf-8").replace('"', '""')
    csv_path.write_text(f'id,domain,content,url,scraped_at\nh1,harbour-news.com,"{harbour}",'
                        "https://harbour-news.com/story/expansion,2018-01-25 16:17:44.789555\n", "utf-8")
    csv_without_text = root / "headlines.csv"
    csv_without_text.write_text("id,headline\n1,Harbour expansion delayed\n", "utf-8")

    demo = resources.files("sourcetrace.resources").joinpath("demo-article.txt").read_text("utf-8")
    warc = root / "crawl.warc.gz"
    write_warc(warc, [
        ("http://usdefensewatch.com/2015/10/insult-to-injury/", "text/html; charset=utf-8", html_page(demo)),
        ("http://usdefensewatch.com/logo.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ])
    whole = root / "whole.warc.gz"
    offsets = write_warc(whole, [
        ("https://rail-news.org/strike-called-off", "text/html", html_page(SIXTH_ARTICLE,
                                                                          published="2024-04-30T08:00:00Z")),
        ("https://rail-news.org/second", "text/html", html_page((DATA / "river-flooding.txt").read_text("utf-8"))),
    ])
    data = whole.read_bytes()
    truncated = root / "cut.warc.gz"
    truncated.write_bytes(data[: offsets[1] + (len(data) - offsets[1]) // 2])
    whole.unlink()
    assert gzip.decompress(data)  # the whole file was a valid gzip: only the cut makes it bad

    urls = root / "urls.txt"
    urls.write_text("# unreachable: nothing listens on port 1\n\nhttp://127.0.0.1:1/story\n", "utf-8")
    return Batch(root, directory, jsonl, csv_path, csv_without_text, warc, truncated, offsets[1], urls)


@dataclass
class Added:
    corpus: Corpus
    batch: Batch
    summary: RunSummary
    tally: Tally
