"""Fetching the URLs of a ``--urls`` list: the safe fetch of :mod:`sourcetrace.article.fetch`, a few at a time.

Politeness: requests to one host start at least ``host_delay`` seconds apart (one second by default), however
many fetcher threads there are; different hosts are fetched in parallel. Every URL goes through
:func:`sourcetrace.article.fetch.fetch_url`, so private and loopback addresses are refused (every redirect re-checked)
unless ``allow_private``. A page that cannot be fetched becomes a :class:`~sourcetrace.corpus.sources.Failure`
with the fetch error's one-line reason.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from urllib.parse import urlsplit

from sourcetrace.corpus.sources import Failure, Item, Task
from sourcetrace.errors import FetchError

DEFAULT_HOST_DELAY = 1.0
DEFAULT_FETCHERS = 4


class HostGate:
    """Hands out start times so that requests to one host are ``delay`` seconds apart."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self._lock:
            start = max(time.monotonic(), self._next.get(host, 0.0))
            self._next[host] = start + self.delay
        pause = start - time.monotonic()
        if pause > 0:
            time.sleep(pause)


def fetch_task(task: Task, gate: HostGate, *, allow_private: bool) -> Item:
    from sourcetrace.article.fetch import fetch_url
    from sourcetrace.article.ingest import MAX_INPUT_BYTES

    url = task.url or ""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        host = ""
    gate.wait(host)
    try:
        page = fetch_url(url, allow_private=allow_private, max_bytes=MAX_INPUT_BYTES)
    except FetchError as error:
        return Failure(task.origin, "fetch", str(error))
    return Task(origin=task.origin, kind="bytes", data=page.data, content_type=page.content_type, url=page.url,
                crawl_date=datetime.datetime.now(datetime.UTC).date().isoformat())


def fetched(items: Iterable[Item], *, allow_private: bool = False, host_delay: float = DEFAULT_HOST_DELAY,
            fetchers: int = DEFAULT_FETCHERS) -> Iterator[Item]:
    """``items`` with every ``url`` task replaced by its fetched page (or a failure); others pass through.

    At most ``2 × fetchers`` fetches are pending at once, so a million-line list is never queued whole.
    """
    gate = HostGate(host_delay)
    pool: ThreadPoolExecutor | None = None
    pending: set[Future[Item]] = set()
    try:
        for item in items:
            if isinstance(item, Task) and item.kind == "url":
                if pool is None:
                    pool = ThreadPoolExecutor(fetchers, thread_name_prefix="sourcetrace-fetch")
                pending.add(pool.submit(fetch_task, item, gate, allow_private=allow_private))
                while len(pending) >= 2 * fetchers:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from (future.result() for future in done)
            else:
                yield item
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (future.result() for future in done)
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
