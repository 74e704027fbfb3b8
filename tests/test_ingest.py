"""Ingest and the English-only check: what gets in, exactly as given, and what is refused with a usable message."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest

from sourcetrace import Pipeline
from sourcetrace.article.fetch import DEFAULT_MAX_BYTES
from sourcetrace.article.ingest import (
    MAX_INPUT_BYTES,
    MAX_TEXT_CHARS,
    article_from_bytes,
    article_from_text,
    load_article,
    registered_domain,
)
from sourcetrace.article.language import detect_language, require_english
from sourcetrace.errors import InputError, UnsupportedLanguageError

DATA = Path(__file__).parent / "data"

GERMAN = (
    "Die Bundesregierung hat am Dienstag neue Maßnahmen beschlossen, um die Energiepreise zu senken. "
    "Die Opposition kritisierte den Plan als unzureichend und forderte eine deutliche Entlastung der "
    "Haushalte noch vor dem Winter. „Die Kosten sind vertretbar“, sagte der Finanzminister in Berlin."
)
FRENCH = (
    "Le gouvernement a annoncé mardi de nouvelles mesures pour réduire les prix de l'énergie. L'opposition "
    "a jugé le plan insuffisant et réclame un soutien plus important pour les ménages avant l'hiver. "
    "« Le coût est raisonnable », a déclaré le ministre des finances lors d'une conférence de presse."
)


def _noise(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


# --- plain text ------------------------------------------------------------------------------------------


def test_seed_title_and_byline_spans_point_at_the_text(seed_text: str) -> None:
    article = article_from_text(seed_text)
    assert article.text == seed_text.replace("\r\n", "\n")
    assert article.input_format == "text"
    assert article.title == "Insult to injury – Russia given the green light by Baghdad to hit ISIS in Iraq"
    assert article.title_span is not None and article.title_span.start == 0
    assert article.text[article.title_span.start : article.title_span.end] == article.title
    assert article.byline == "John O’Hara"
    assert article.byline_span is not None
    assert article.text[article.byline_span.start : article.byline_span.end] == "John O’Hara"
    assert article.text[article.byline_span.start - 3 : article.byline_span.start] == "By "


def test_text_is_kept_exactly_apart_from_line_endings_and_bom() -> None:
    raw = "\ufeffHeadline  here\r\n\r\nBy Ann Lee\r\n\r\n\tFirst  paragraph, said X.  \rSecond line.\n"
    article = article_from_text(raw)
    assert article.text == "Headline  here\n\nBy Ann Lee\n\n\tFirst  paragraph, said X.  \nSecond line.\n"
    assert article.title == "Headline here"  # the title value is tidied, the text is not
    assert article.byline == "Ann Lee"


def test_explicit_metadata_wins_and_site_comes_from_the_url(seed_text: str) -> None:
    article = article_from_text(seed_text, url="https://www.bbc.co.uk/news/world-123", title="My title")
    assert article.title == "My title"
    assert article.site == "bbc.co.uk"
    assert article.url == "https://www.bbc.co.uk/news/world-123"
    assert article.title_span is not None and article.title_span.text.startswith("Insult to injury")
    assert article_from_text(seed_text, url="https://www.bbc.co.uk/x", site="BBC").site == "BBC"
    given = article_from_text(seed_text, byline="J. O'Hara", date="2015-10-07")
    assert (given.byline, given.date) == ("J. O'Hara", "2015-10-07")
    assert given.byline_span is not None and given.byline_span.text == "John O’Hara"
    assert registered_domain("http://usdefensewatch.com/2015/10/x/") == "usdefensewatch.com"


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("By JANE DOE and John Roe, Reuters", "JANE DOE and John Roe"),
        ("By: Hakem al-Zameli | Fars News Agency", "Hakem al-Zameli"),
        ("Written by Maria de la Cruz", "Maria de la Cruz"),
    ],
)
def test_byline_variants(line: str, name: str) -> None:
    article = article_from_text(f"A headline about talks\n\n{line}\n\nOfficials said the talks would resume.\n")
    assert article.byline == name
    assert article.byline_span is not None and article.byline_span.text == name


def test_a_single_paragraph_has_no_title() -> None:
    article = article_from_text("Officials said on Tuesday that the talks would resume next week in Geneva.")
    assert article.title is None and article.title_span is None


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t \n", "\ufeff"])
def test_empty_text_refused(text: str) -> None:
    with pytest.raises(InputError, match=r"^the input is empty$"):
        article_from_text(text)


def test_text_over_the_character_limit_refused() -> None:
    text = ("word " * (5 * 1024 * 1024 // 5))[: 5 * 1024 * 1024]
    with pytest.raises(InputError) as caught:
        article_from_text(text)
    assert str(caught.value) == (
        "the text is 5,242,880 characters; sourcetrace analyses at most 1,000,000 characters per article "
        "(split it or pass a single article)"
    )
    assert MAX_TEXT_CHARS == 1_000_000


# --- files, stdin, bytes ---------------------------------------------------------------------------------


def test_empty_and_whitespace_files_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b" \n\t\r\n  \n")
    for path in (empty, blank):
        with pytest.raises(InputError, match=r"^the input is empty$"):
            load_article(str(path))


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive or office document"),
        (b"\x1f\x8b\x08\x00", "gzip archive"),
    ],
)
def test_binary_files_refused_by_kind(tmp_path: Path, header: bytes, kind: str) -> None:
    path = tmp_path / "upload.txt"  # the name says text; the bytes do not
    path.write_bytes(header + _noise(4000))
    with pytest.raises(InputError) as caught:
        load_article(str(path))
    assert str(caught.value) == f"the input looks like a binary file ({kind}), not text or HTML"


def test_unknown_binary_refused() -> None:
    with pytest.raises(InputError, match=r"^the input looks like a binary file, not text or HTML$"):
        article_from_bytes(b"Headline\n" + b"\x00\x01\x02" * 100)


def test_invalid_utf8_names_the_byte_offset() -> None:
    data = "Headline\n\nThe café opened on Monday, officials said.\n".encode("latin-1")
    with pytest.raises(InputError) as caught:
        article_from_bytes(data)
    offset = data.index(b"\xe9")
    assert f"byte 0xe9 at byte offset {offset} (line 3)" in str(caught.value)
    assert str(caught.value).startswith("the input is not valid UTF-8")


def test_declared_charsets_are_honoured() -> None:
    page = _html_page("Café owners say rents doubled",
                      "Café owners in the old town said on Monday that their rents had doubled in two years "
                      "and that several would close before the summer.")
    latin = page.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">').encode("cp1252")
    assert "Café owners in the old town" in article_from_bytes(latin).text
    plain = "Headline\n\nThe café opened on Monday, officials said.\n".encode("cp1252")
    assert "café" in article_from_bytes(plain, content_type="text/plain; charset=windows-1252").text


def test_utf16_with_a_byte_order_mark_is_read() -> None:
    text = "Headline\n\nOfficials said on Tuesday that talks would resume.\n"
    assert article_from_bytes(text.encode("utf-16")).text == text


def test_raw_input_over_the_byte_limit_refused_before_decoding(tmp_path: Path) -> None:
    assert MAX_INPUT_BYTES == DEFAULT_MAX_BYTES == 10_000_000
    with pytest.raises(InputError, match=r"^the input is 10,000,001 bytes; sourcetrace reads at most 10,000,000"):
        article_from_bytes(b"\xff" * (MAX_INPUT_BYTES + 1))  # not UTF-8 either: the size is checked first
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 10)
    with pytest.raises(InputError, match=r"big.txt is 10,000,010 bytes; sourcetrace reads at most 10,000,000 bytes"):
        load_article(str(big))


def test_missing_file_directory_and_stdin(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^no such file: .*nope\.txt$"):
        load_article(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match=r"https://"):
        load_article("www.example.com/news/story")
    with pytest.raises(InputError, match=r"is a directory, not an article file$"):
        load_article(str(tmp_path))
    article = load_article("-", stdin=io.BytesIO(b"Headline\n\nBy Ann Lee\n\nOfficials said so.\n"))
    assert article.byline == "Ann Lee" and article.input_format == "text"


def test_impossible_paths_refused() -> None:
    with pytest.raises(InputError, match=r"^cannot read x+: file name too long$"):
        load_article("x" * 5000)
    with pytest.raises(InputError, match=r"^no such file: bad"):
        load_article("bad\x00name.txt")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("Headline\n\nText.\n")
    path.chmod(0)
    with pytest.raises(InputError, match=r"^cannot read .*secret\.txt: permission denied$"):
        load_article(str(path))


# --- HTML ------------------------------------------------------------------------------------------------


def _html_page(title: str, *paragraphs: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>{title}</h1>{body}</article>'
            "<footer>© 2024 Example</footer></body></html>")


def test_html_article_page_extracts_metadata_and_paragraphs() -> None:
    data = (DATA / "article.html").read_bytes()
    article = article_from_bytes(data, url="https://www.harbourcourier.co.uk/local/port-strike")
    assert article.input_format == "html"
    assert article.title == "Port strike enters second week as talks stall"
    assert article.byline == "Maria Lindqvist"
    assert article.date == "2024-04-16"
    assert article.site == "harbourcourier.co.uk"
    assert article.title_span is not None and article.byline_span is not None
    assert article.text[article.title_span.start : article.title_span.end] == article.title
    assert article.text[article.byline_span.start : article.byline_span.end] == "Maria Lindqvist"
    paragraphs = article.text.strip().split("\n\n")
    assert paragraphs[:2] == ["Port strike enters second week as talks stall", "By Maria Lindqvist"]
    body = paragraphs[2:]
    assert len(body) == 4
    assert body[0].startswith("The strike at the city's container port entered its second week")
    assert body[1].startswith("“We are not going back")
    assert body[3].endswith("had already been delayed.")
    for boilerplate in ("Home", "Subscribe", "Most read", "Privacy policy", "All rights reserved", "Ferry timetable"):
        assert boilerplate not in article.text


def test_html_detected_by_content_type_and_by_markup() -> None:
    paragraphs = [f"Paragraph {n} says officials met on Tuesday to discuss the budget and the roads." for n in range(6)]
    fragment = "".join(f"<p>{p}</p>\n" for p in paragraphs).encode()
    assert article_from_bytes(fragment).input_format == "html"
    page = _html_page("Budget talks", *paragraphs).encode()
    assert article_from_bytes(page.replace(b"<!DOCTYPE html>", b""), content_type="text/html").input_format == "html"
    prose = b"Headline\n\nThe <p> tag starts a paragraph in HTML, the council's web designer said.\n"
    assert article_from_bytes(prose).input_format == "text"


@pytest.mark.parametrize(
    "markup",
    [
        '<!DOCTYPE html><html><head><title>Example News</title></head><body><header><nav><ul>'
        '<li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li>'
        '</ul></nav></header><main></main><footer><p>© 2024 Example News. All rights reserved.</p>'
        '<p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms of use</a></p></footer></body></html>',
        '<!DOCTYPE html><html><head><title>App</title><script src="/app.js"></script></head><body>'
        '<div id="root"></div><noscript>You need to enable JavaScript to run this app.</noscript></body></html>',
    ],
    ids=["nav-and-footer-only", "javascript-shell"],
)
def test_html_without_an_article_body_refused(markup: str) -> None:
    with pytest.raises(InputError, match=r"^no article text found in the HTML page"):
        article_from_bytes(markup.encode())


# --- language --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "language"), [(GERMAN, "German"), (FRENCH, "French")])
def test_non_english_refused_naming_the_language(text: str, language: str) -> None:
    with pytest.raises(UnsupportedLanguageError) as caught:
        require_english(text)
    message = str(caught.value)
    assert message.startswith(f"the article appears to be in {language} (confidence ")
    assert message.endswith("); sourcetrace supports only English articles")


# Paragraphs of the kind readers paste, one per language a news reader commonly meets (issue 20).
NEWS_PARAGRAPHS = {
    "Indonesian": "Pemerintah akan menaikkan harga bahan bakar minyak bersubsidi mulai pekan depan, kata Menteri "
    "Energi kepada wartawan di Jakarta pada hari Senin. Kenaikan itu diperlukan untuk menjaga anggaran negara, "
    "ujarnya.",
    "Dutch": "Het kabinet wil de komende jaren miljarden euro's extra uitgeven aan defensie, maakte de "
    "minister-president dinsdag bekend na afloop van de ministerraad.",
    "Ukrainian": "Уряд ухвалив рішення про підвищення мінімальної заробітної плати з наступного року, повідомив "
    "прем'єр-міністр на брифінгу в Києві у вівторок.",
    "Polish": "Policja zatrzymała w sobotę dwóch mężczyzn podejrzanych o napad na bank w centrum miasta, poinformował "
    "rzecznik komendy.",
    "Hindi": "सरकार ने मंगलवार को घोषणा की कि अगले साल से किसानों को दी जाने वाली सहायता राशि बढ़ाई जाएगी।",
    "Japanese": "政府は火曜日、来年度から最低賃金を引き上げる方針を発表した。"
    "首相は記者団に対し、家庭を支援するためだと説明した。",
    "Korean": "정부는 화요일 내년부터 최저임금을 인상하겠다고 발표했다. "
    "총리는 기자들에게 가정을 지원하기 위한 조치라고 설명했다.",
    "Hebrew": "הממשלה הודיעה ביום שלישי כי שכר המינימום יעלה החל מהשנה הבאה, אמר ראש הממשלה לכתבים.",
    "Malay": "Kerajaan akan menaikkan gaji minimum bermula tahun hadapan, kata Perdana Menteri dalam satu kenyataan "
    "di Putrajaya semalam.",
}
# One short paragraph (under 200 characters), capitalised nouns and names throughout: few words to judge by.
SHORT_GERMAN = (
    "Die Regierung in Bagdad hat Russland erlaubt, Stellungen der Extremisten aus der Luft anzugreifen, sagte "
    "ein Sprecher des Außenministeriums am Freitag in Berlin."
)


@pytest.mark.parametrize(("language", "text"), NEWS_PARAGRAPHS.items(), ids=NEWS_PARAGRAPHS.keys())
def test_common_news_languages_are_named_right(language: str, text: str) -> None:
    # Malay and Indonesian are close enough that lingua may name both, most likely first; never a third language.
    named = rf"(?:{language}|{language} or \w+|\w+ or {language})"
    with pytest.raises(UnsupportedLanguageError, match=rf"^the article appears to be in {named} \(confidence"):
        require_english(text)


def test_a_short_non_english_paragraph_is_refused(pipeline: Pipeline) -> None:
    assert len(SHORT_GERMAN) < 200
    with pytest.raises(UnsupportedLanguageError, match="German"):
        pipeline.analyze(SHORT_GERMAN)


@pytest.mark.parametrize(
    "text",
    [
        "Police arrested two men on Saturday after a bank robbery in the city centre, a spokesman said.",
        "Prabowo Subianto met Joko Widodo and Sri Mulyani Indrawati in Jakarta on Monday.",
        "Kyiv, Odesa, Kharkiv, Lviv, Dnipro and Zaporizhzhia were hit overnight.",
        "Bundeskanzler Olaf Scholz und Finanzminister Christian Lindner trafen sich am Montag in Berlin, "
        "officials said.",
        "“Kami tidak akan mundur,” Prabowo told reporters in Jakarta.",
        "Stocks slump as rate fears grip markets",
    ],
    ids=["plain", "indonesian-names", "ukrainian-places", "german-titles", "indonesian-quote", "headline"],
)
def test_short_english_with_foreign_names_or_quotes_passes(text: str) -> None:
    require_english(text)


def test_language_names_come_from_the_code() -> None:
    from sourcetrace.article.language import language_name

    assert [language_name(code) for code in ("id", "he", "uk", "de")] == ["Indonesian", "Hebrew", "Ukrainian", "German"]
    assert language_name("xx") == "xx"


def test_pipeline_refuses_before_parsing(pipeline: Pipeline) -> None:
    with pytest.raises(UnsupportedLanguageError, match="German"):
        pipeline.analyze(GERMAN)


def test_english_passes(seed_text: str) -> None:
    require_english(seed_text)
    code, confidence = detect_language(seed_text)
    assert code == "en" and confidence > 0.9


@pytest.mark.parametrize(
    "text",
    [
        "Merkel in Berlin",  # too short to judge
        "Participants: Jean-Pierre Dupont, François Lefèvre, Hélène Marchand, Jacques Béranger, Marie-Thérèse "
        "Lévêque, Étienne Rousseau, Amélie Poulain, Benoît Giraud and Cécile Moreau attended the summit in Besançon.",
        "Lineup: Müller, Schweinsteiger, Götze, Höwedes, Großkreutz, Schürrle, Kroos, Özil, Boateng, Hummels, Neuer.",
        "ISTANBUL (Reuters) - “Bu millet asla teslim olmayacak, bunu herkes bilsin ve bunu çok iyi anlasın, "
        "kardeşlerim,” Erdoğan told supporters in a televised speech on Sunday.",
        "“Wir schaffen das,” said Merkel. “Es ist eine historische Bewährungsprobe für Europa, und wir werden "
        "sie bestehen,” she told reporters in Berlin.",
        "12345 67890 — 2024-04-16",
    ],
    ids=["short", "french-names", "german-names", "turkish-quote", "german-quotes", "no-letters"],
)
def test_short_name_heavy_or_quoting_english_is_not_refused(text: str) -> None:
    require_english(text)
