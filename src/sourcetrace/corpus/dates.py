"""An article's publication date and where it came from, in this order of trust:

1. ``input`` — the input's own date field (JSONL/CSV ``date``), parsed to an ISO date;
2. ``html_metadata`` — the page's metadata (``article:published_time``, JSON-LD, ``<time>`` ...) read by
   htmldate, which prefers the original publication date over a later modification;
3. ``url`` — a date written in the URL path (``/2015/10/14/`` or ``/2015-10-14/``; ``/2015/10/`` gives the month);
4. ``file_name`` — a date in the input file's name (``nyt_2016-10-02_slug.txt``), as archives often name them;
5. ``crawl_date`` — when the page was fetched (the WARC record's date, a ``scraped_at`` field, or now for a URL
   fetched by this run): a bound, not a publication date, so it comes last and says so.

Dates are ``YYYY-MM-DD`` (or ``YYYY-MM`` when only the month is known, ``YYYY`` when only the year); times are
dropped: sources that give one rarely agree on its time zone.
"""

from __future__ import annotations

import datetime
import re

_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0[1-9]|1[0-2])(?:[/-](0[1-9]|[12]\d|3[01]))?(?=/|$|[-_.])")
_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")
_EARLIEST = datetime.date(1990, 1, 1)


def parse_date(value: object) -> str | None:
    """An ISO date from a field value (ISO strings, RFC 2822, '14 October 2015', epoch seconds); None if unreadable."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.datetime.fromtimestamp(float(value), datetime.UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return _plausible(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date())
    except ValueError:
        pass
    from dateutil import parser  # htmldate's own dependency

    try:
        # parsed twice with different defaults: a part that follows the default was not written, so "2015-10"
        # and "October 2015" stay months (never a made-up 1st of the month), "2015" a year, "14 October" no date
        parsed = parser.parse(text, default=datetime.datetime(2000, 1, 1)).date()
        other = parser.parse(text, default=datetime.datetime(2001, 2, 2)).date()
    except (ValueError, OverflowError, parser.ParserError):
        return None
    if parsed.year != other.year:
        return None
    day = _plausible(parsed)
    if day is None or parsed.month != other.month:
        return None if day is None else day[:4]
    return day if parsed.day == other.day else day[:7]


def _plausible(date: datetime.date) -> str | None:
    if date < _EARLIEST or date > datetime.date.today() + datetime.timedelta(days=2):
        return None
    return date.isoformat()


def from_html(markup: str) -> str | None:
    """The publication date in an HTML page's metadata, via htmldate (no guessing from the body text; not given
    the URL, whose date htmldate would otherwise prefer: the URL is a source of its own, further down)."""
    import htmldate

    try:
        found = htmldate.find_date(markup, extensive_search=False, original_date=True)
    except Exception:  # htmldate parses arbitrary markup; a page it cannot read simply has no date
        return None
    return found or None


def from_url(url: str | None) -> str | None:
    if not url:
        return None
    match = _URL_DATE.search(url)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        date = datetime.date(int(year), int(month), int(day or 1))
    except ValueError:
        return None
    if _plausible(date) is None:
        return None
    return date.isoformat() if day else date.isoformat()[:7]


def from_file_name(name: str | None) -> str | None:
    if not name:
        return None
    match = _NAME_DATE.search(name)
    if not match:
        return None
    try:
        return _plausible(datetime.date(*(int(part) for part in match.groups())))
    except ValueError:
        return None


def resolve(*, field: object = None, html: str | None = None, url: str | None = None, file_name: str | None = None,
            crawl_date: str | None = None) -> tuple[str | None, str | None]:
    """(date, where it came from) by the order of trust above; (None, None) when nothing gives one."""
    date = parse_date(field)
    if date:
        return date, "input"
    if html is not None:
        date = from_html(html)
        if date:
            return date, "html_metadata"
    date = from_url(url)
    if date:
        return date, "url"
    date = from_file_name(file_name)
    if date:
        return date, "file_name"
    if crawl_date:
        return crawl_date[:10], "crawl_date"
    return None, None
