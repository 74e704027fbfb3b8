"""Fetching an article URL without becoming a proxy into the user's own network.

sourcetrace runs on laptops and behind web forms, where "fetch this URL" could otherwise reach a router's
admin page, a cloud metadata service (169.254.169.254) or an intranet. So every hop, the first request and
each redirect, is resolved first and refused if any address it resolves to is not public (loopback,
private, link-local, multicast, reserved, unspecified, shared/CGNAT, or an IPv6 form embedding one of
those), unless the user opts in with ``allow_private``.

DNS rebinding: the request is then sent to the very address that was checked (the URL's host is replaced
by the IP; the ``Host`` header and, for HTTPS, the TLS server name and certificate check keep the real
name through httpx's public ``sni_hostname`` extension), so a DNS answer that changes between the check
and the connection cannot redirect it. Residual risks, left as they are: an HTTP proxy configured in the
environment (``HTTPS_PROXY`` and friends, which httpx honours) makes the connection and is trusted to be
where the user wants traffic to go; name resolution itself has no timeout of its own beyond the system
resolver's.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin

import httpx

from sourcetrace.errors import FetchError

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 10_000_000  # the same limit ingest puts on a file or standard input
DEFAULT_TIMEOUT = 20.0
# Content types that are never an article; refusing them on the headers saves downloading a video.
_REFUSED_TYPES = ("image/", "audio/", "video/", "font/")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598): not global, not "private"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the last 32 bits are an IPv4 address a NAT64 gateway reaches
# Not globally reachable, yet neither private nor reserved to Python 3.11's ipaddress (found by fuzzing against
# the IANA special-purpose registries): IETF protocol assignments (192.0.0.8 passed) and deprecated site-local IPv6.
_SPECIAL = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("fec0::/10"))


@dataclass(frozen=True)
class FetchedPage:
    """A fetched response body; ``url`` is the final URL after redirects, with its real host name."""

    url: str
    status: int
    content_type: str | None
    data: bytes


@cache
def user_agent() -> str:
    """Sites (and their operators' logs) should see who is asking and where to read about it."""
    try:
        own_version = version("sourcetrace")
    except PackageNotFoundError:
        own_version = "0+unknown"
    return f"sourcetrace/{own_version} (+https://github.com/sourcetrace)"


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), if any: it is what gets reached."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_kind(address: IPAddress) -> str | None:
    """Why ``address`` must not be fetched without consent, as "a loopback address"; None if it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_kind(embedded)
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if address.is_private:
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if any(address in network for network in _SPECIAL if network.version == address.version):
        return "a special-purpose address"
    if not address.is_global:
        return "a non-public address"
    return None


def _shown(url: str) -> str:
    """The URL for a one-line message: control characters, line breaks and lone surrogates as escapes."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in url)


def _parse(url: str) -> httpx.URL:
    if not url.isprintable():  # found by fuzzing: a line break in the URL broke the one-line error message
        raise FetchError(f"refusing to fetch {_shown(url)}: it is not a valid URL (it holds control characters)")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise FetchError(f"refusing to fetch {url}: it is not a valid URL") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"refusing to fetch {url}: only http and https URLs are supported")
    if not parsed.host:
        raise FetchError(f"refusing to fetch {url}: the URL has no host")
    return parsed


def check_url(url: str, *, allow_private: bool = False) -> list[IPAddress]:
    """Resolve the URL's host and return its addresses, or raise FetchError if any of them is not public.

    Every address counts, not just the first: a name with one public and one private record would
    otherwise reach the private one whenever the client happened to pick it.
    """
    parsed = _parse(url)
    host = parsed.host
    try:
        infos = socket.getaddrinfo(host, parsed.port or (443 if parsed.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise FetchError(f"could not fetch {url}: could not resolve host {host}") from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(f"could not fetch {url}: could not resolve host {host}")
    if allow_private:
        return addresses
    for address in addresses:
        kind = address_kind(address)
        if kind is not None:
            what = f"{host} is {kind}" if _is_ip_literal(host) else f"{host} resolves to {address}, {kind}"
            raise FetchError(f"refusing to fetch {url}: {what} (use --allow-private to allow it)")
    return addresses


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def fetch_url(url: str, *, allow_private: bool = False, timeout: float = DEFAULT_TIMEOUT,
              max_bytes: int = DEFAULT_MAX_BYTES) -> FetchedPage:
    """GET an http(s) URL: every hop checked and pinned, at most ``max_bytes`` read, ``timeout`` seconds in all.

    Redirects are followed here rather than by httpx so that each new host is checked before it is
    contacted. ``timeout`` bounds the whole fetch, not just each read, so a server that trickles bytes
    cannot hold a worker for long.
    """
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        addresses = check_url(url, allow_private=allow_private)
        response = _get_pinned(url, addresses, deadline=deadline, timeout=timeout, max_bytes=max_bytes)
        if isinstance(response, str):  # a redirect: check and follow the new location
            url = response
            continue
        return response
    raise FetchError(f"could not fetch {url}: more than {MAX_REDIRECTS} redirects")


def _get_pinned(url: str, addresses: list[IPAddress], *, deadline: float, timeout: float,
                max_bytes: int) -> FetchedPage | str:
    """One GET of ``url`` sent to the checked addresses in turn; a redirect comes back as its absolute target."""
    parsed = _parse(url)
    headers = {
        "User-Agent": user_agent(),
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
        # no brotli or zstd: their expansion ratios make a small response a large decompression bomb
        "Accept-Encoding": "gzip, deflate",
        "Host": parsed.netloc.decode("ascii"),
    }
    extensions = {"sni_hostname": parsed.raw_host.decode("ascii")} if parsed.scheme == "https" else {}
    last_error: Exception | None = None
    for address in addresses:
        pinned = parsed.copy_with(host=str(address), username=None, password=None)
        # A fresh client per hop: a pooled connection is keyed by address, and reusing one opened for
        # another host name would send this request under that name's TLS session.
        with httpx.Client(timeout=min(timeout, max(deadline - time.monotonic(), 0.1)),
                          follow_redirects=False) as client:
            try:
                request = client.build_request("GET", pinned, headers=headers, extensions=extensions)
                response = client.send(request, stream=True)
            except httpx.ConnectError as error:
                last_error = error  # this address refused or is unreachable; try the host's next one
                continue
            except httpx.TimeoutException:
                raise FetchError(f"could not fetch {url}: timed out after {timeout:g} s") from None
            except httpx.HTTPError as error:
                raise FetchError(f"could not fetch {url}: {_one_line(error)}") from None
            except httpx.InvalidURL:  # found by fuzzing: httpx reads a redirect's Location even when not following
                raise FetchError(f"could not fetch {url}: the server redirected to an invalid URL") from None
            try:
                return _read(url, response, deadline=deadline, timeout=timeout, max_bytes=max_bytes)
            finally:
                response.close()
    raise FetchError(f"could not fetch {url}: could not connect to {parsed.host} ({_one_line(last_error)})")


def _read(url: str, response: httpx.Response, *, deadline: float, timeout: float,
          max_bytes: int) -> FetchedPage | str:
    if response.is_redirect:
        if "location" not in response.headers:  # found by fuzzing: a 3xx without a Location raised KeyError
            raise FetchError(f"could not fetch {url}: HTTP {response.status_code} without a Location to follow")
        return urljoin(url, response.headers["location"])
    if not 200 <= response.status_code < 300:
        raise FetchError(f"could not fetch {url}: HTTP {response.status_code} {response.reason_phrase}".rstrip())
    content_type = response.headers.get("content-type")
    if content_type and content_type.lower().startswith(_REFUSED_TYPES):
        raise FetchError(f"could not fetch {url}: the server sent {content_type.split(';')[0]}, not an article page")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"could not fetch {url}: the page is {int(declared):,} bytes; the limit is {max_bytes:,}")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():  # decompressed bytes, so the limit holds after gzip too
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"could not fetch {url}: the page is larger than the {max_bytes:,}-byte limit")
            if time.monotonic() > deadline:
                raise FetchError(f"could not fetch {url}: timed out after {timeout:g} s")
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise FetchError(f"could not fetch {url}: timed out after {timeout:g} s") from None
    except httpx.HTTPError as error:
        raise FetchError(f"could not fetch {url}: {_one_line(error)}") from None
    return FetchedPage(url=url, status=response.status_code, content_type=content_type, data=b"".join(chunks))


def _one_line(error: BaseException | None) -> str:
    text = " ".join(str(error).split()) if error is not None else ""
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "its TLS certificate could not be verified"
    return text or (error.__class__.__name__ if error is not None else "unknown error")
