"""Fetching an article URL without becoming a proxy into the user's private network.

Every hop (the first request and each redirect) is resolved and refused if any address it resolves to is
private, loopback, link-local, multicast, reserved or unspecified, unless the user opts in. Residual risk:
the HTTP client resolves the name again when it connects, so a DNS record that changes between the check
and the connection (DNS rebinding) is not caught; users who need that guarantee should fetch through an
egress proxy.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from sourcetrace.errors import FetchError

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 10_000_000
USER_AGENT = "sourcetrace/0.1 (article analysis; +https://github.com/sourcetrace/sourcetrace)"


@dataclass(frozen=True)
class FetchedPage:
    url: str
    status: int
    content_type: str | None
    data: bytes


def _address_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if isinstance(address, ipaddress.IPv4Address) and address in ipaddress.ip_network("100.64.0.0/10"):
        return "shared (carrier-grade NAT)"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    return None


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Raise FetchError unless ``url`` is http(s) and (unless allowed) resolves only to public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refusing to fetch {url}: only http and https URLs are supported")
    host = parts.hostname
    if not host:
        raise FetchError(f"refusing to fetch {url}: the URL has no host")
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"could not fetch {url}: could not resolve host {host}") from None
    if allow_private:
        return
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        kind = _address_kind(address)
        if kind is not None:
            raise FetchError(
                f"refusing to fetch {url}: {host} resolves to {address}, a {kind} address "
                "(use --allow-private to allow it)"
            )


def fetch_url(url: str, *, allow_private: bool = False, timeout: float = 20.0,
              max_bytes: int = DEFAULT_MAX_BYTES) -> FetchedPage:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"}
    with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, allow_private=allow_private)
            try:
                with client.stream("GET", url) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"could not fetch {url}: HTTP {response.status_code} "
                                         f"{response.reason_phrase}")
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise FetchError(f"could not fetch {url}: the page is larger than the "
                                             f"{max_bytes:,}-byte limit")
                        chunks.append(chunk)
                    return FetchedPage(str(response.url), response.status_code,
                                       response.headers.get("content-type"), b"".join(chunks))
            except httpx.TimeoutException:
                raise FetchError(f"could not fetch {url}: timed out after {timeout:g} s") from None
            except httpx.HTTPError as error:
                raise FetchError(f"could not fetch {url}: {error.__class__.__name__}: {error}") from None
    raise FetchError(f"could not fetch {url}: more than {MAX_REDIRECTS} redirects")
