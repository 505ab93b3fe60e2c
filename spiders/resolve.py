"""``--resolve ORIGIN=HOST:PORT``: connect an origin's requests to another address, like curl --resolve.

A download handler wrapping Scrapy's HTTP/1.1 handler: the request goes to HOST:PORT with the
original Host header, and the response comes back under the original URL. Everything above the
downloader (robots.txt, redirects, the dupefilter, the store) only ever sees original URLs — a
downloader middleware returning a rewritten Request would be rescheduled and break robots.txt.

``ORIGIN=HOST:PORT`` speaks plain HTTP to the address (the sandbox plays https:// origins that way);
``ORIGIN=https://HOST:PORT`` keeps TLS (a staging host behind its own certificate).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.utils.misc import build_from_crawler

from auditor.errors import InputError

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def parse_resolve(values: list[str], allow: tuple[str, ...] = ()) -> dict[str, tuple[str, str]]:
    """``ORIGIN=[SCHEME://]HOST:PORT`` values -> {origin: (scheme, host:port)}.

    The address must be loopback, or a host listed in ``allow`` (``--allow-resolve HOST``): pointing
    an audit of public origins at an arbitrary machine is a mistake more often than a wish."""
    out: dict[str, tuple[str, str]] = {}
    for value in values:
        origin, sep, address = value.partition("=")
        parts = urlsplit(origin.strip())
        if (
            not sep
            or parts.scheme not in ("http", "https")
            or not parts.netloc
            or parts.path not in ("", "/")
        ):
            raise InputError(
                f"expected ORIGIN=HOST:PORT like https://www.po.co=127.0.0.1:8443; got {value!r}",
                field="--resolve",
            )
        address = address.strip()
        scheme = "http"
        if "://" in address:
            scheme, address = address.split("://", 1)
            if scheme not in ("http", "https"):
                raise InputError(f"address scheme must be http or https; got {value!r}", field="--resolve")
        address = address.rstrip("/")
        try:
            probe = urlsplit(f"//{address}")
            host, port = probe.hostname, probe.port
        except ValueError:
            host, port = None, None
        if not host or port is None:
            raise InputError(f"address must be HOST:PORT; got {address!r} in {value!r}", field="--resolve")
        if not _loopback(host) and host not in allow:
            raise InputError(
                f"{host} is not a loopback address; allow it explicitly with --allow-resolve {host}",
                field="--resolve",
            )
        out[f"{parts.scheme}://{parts.netloc}".lower()] = (scheme, address)
    return out


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ResolveDownloadHandler(BaseDownloadHandler):
    """http(s) download handler honouring AUDITOR_RESOLVE; other origins pass straight through."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.map = parse_resolve(
            settings.getlist("AUDITOR_RESOLVE"), tuple(settings.getlist("AUDITOR_RESOLVE_ALLOW"))
        )
        self.inner = build_from_crawler(HTTP11DownloadHandler, crawler)

    async def download_request(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        target = self.map.get(f"{parts.scheme}://{parts.netloc}".lower())
        if target is None:
            return await self.inner.download_request(request)
        scheme, address = target
        headers = request.headers.copy()
        headers[b"Host"] = parts.netloc.encode("ascii", "ignore")
        routed = request.replace(
            url=urlunsplit((scheme, address, parts.path or "/", parts.query, "")), headers=headers
        )
        response = await self.inner.download_request(routed)
        # what the handler and the signal handlers wrote in the routed copy's meta (latency, size cap)
        for key in [k for k in request.meta if k not in routed.meta]:
            del request.meta[key]
        request.meta.update(routed.meta)
        return response.replace(url=request.url)

    async def close(self) -> None:
        await self.inner.close()
