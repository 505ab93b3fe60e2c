"""Scrapy's HttpCompressionMiddleware, with a gzip bomb kept as data: a body that inflates past
DOWNLOAD_MAXSIZE becomes a response with its status and headers and no body (flag
``decompression_capped``), instead of an IgnoreRequest that would lose the status and read as a
network error. Stat: ``auditor/size/decompression_capped``; the hop records ``capped``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest

from .sizecap import CAPPED, UNREAD

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response


class BoundedDecompressionMiddleware(HttpCompressionMiddleware):
    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get(UNREAD):  # stopped at its headers (sizecap): there is nothing to inflate
            return self._unread(response)
        try:
            return super().process_response(request, response)
        except IgnoreRequest as e:
            if "during decompression" not in str(e):
                raise
            if self.stats:
                self.stats.inc_value("auditor/size/decompression_capped")
            max_size = request.meta.get("download_maxsize", self._max_size)
            encoding = (response.headers.get("Content-Encoding") or b"").decode("latin-1")
            request.meta[CAPPED] = (
                f"{len(response.body)} B {encoding} inflates past DOWNLOAD_MAXSIZE ({max_size} B): not read"
            )
            request.meta[UNREAD] = True
            return self._unread(response)

    @staticmethod
    def _unread(response: Response) -> Response:
        headers = response.headers.copy()
        headers.pop(b"Content-Encoding", None)
        return response.replace(body=b"", headers=headers, flags=[*response.flags, "decompression_capped"])
