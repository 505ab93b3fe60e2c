"""Bounded bodies: a response past DOWNLOAD_MAXSIZE keeps its first DOWNLOAD_MAXSIZE bytes and its
status, flagged and counted, instead of becoming an error with no status.

Scrapy cancels a download whose body passes DOWNLOAD_MAXSIZE, so a 50 MB product page would be
recorded as a network error and judged broken, though it answered 200 and its <head> says what it
is. Here, on ``bytes_received``, the download stops at the cap with ``StopDownload(fail=False)``: the
response carries the bytes read so far (flag ``download_stopped``). A declared Content-Length over
the cap raises the request's own ``download_maxsize`` just past it, so Scrapy reads on until this
extension stops it (a compressed body is stopped at its headers instead: half a gzip stream is no
page). DOWNLOAD_WARNSIZE is counted too.

Stats: ``auditor/size/capped``, ``auditor/size/over_warnsize``. The hop records ``capped``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured, StopDownload

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Headers
    from scrapy.statscollectors import StatsCollector

#: request.meta keys: bytes read so far; why the body was cut (the hop's ``capped``); and that none
#: of it was read (nothing to parse)
READ = "auditor_bytes_read"
MAXSIZE = "auditor_maxsize"  # the request's own cap (download_maxsize may be raised past it)
CAPPED = "auditor_capped"
UNREAD = "auditor_unread"


class SizeCap:
    def __init__(self, stats: StatsCollector, maxsize: int, warnsize: int) -> None:
        self.stats = stats
        self.maxsize = maxsize
        self.warnsize = warnsize

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        if not maxsize or not crawler.settings.getbool("AUDITOR_SIZE_CAP", True):
            raise NotConfigured
        assert crawler.stats is not None
        o = cls(crawler.stats, maxsize, crawler.settings.getint("DOWNLOAD_WARNSIZE"))
        crawler.signals.connect(o.headers_received, signal=signals.headers_received)
        crawler.signals.connect(o.bytes_received, signal=signals.bytes_received)
        return o

    def headers_received(self, headers: Headers, body_length: Any, request: Request, **kwargs: Any) -> None:
        request.meta[READ] = 0  # a retry carries its first attempt's meta
        request.meta.pop(CAPPED, None)
        request.meta.pop(UNREAD, None)
        maxsize = request.meta.setdefault(MAXSIZE, request.meta.get("download_maxsize", self.maxsize))
        request.meta["download_maxsize"] = maxsize  # a retry carries the raised one
        if not isinstance(body_length, int) or not maxsize or body_length <= maxsize:
            return
        if headers.get(b"Content-Encoding"):
            why = f"{body_length} B compressed, over DOWNLOAD_MAXSIZE ({maxsize} B): not read"
            self._capped(request, why)
            request.meta[UNREAD] = True
            raise StopDownload(fail=False)
        request.meta["download_maxsize"] = body_length + 1  # read on; bytes_received stops at the cap

    def bytes_received(self, data: bytes, request: Request, **kwargs: Any) -> None:
        before = request.meta.get(READ, 0)
        read = request.meta[READ] = before + len(data)
        if self.warnsize and before <= self.warnsize < read:
            self.stats.inc_value("auditor/size/over_warnsize")
        cap = request.meta.get(MAXSIZE, self.maxsize)
        if cap and read >= cap:
            self._capped(request, f"body over DOWNLOAD_MAXSIZE ({cap} B): the first {read} B kept")
            raise StopDownload(fail=False)

    def _capped(self, request: Request, why: str) -> None:
        request.meta[CAPPED] = why
        self.stats.inc_value("auditor/size/capped")
