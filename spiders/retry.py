"""Retries that honour ``Retry-After``: Scrapy's RetryMiddleware, waiting as long as the server asks.

A 503 or 429 with ``Retry-After: N`` is retried after N seconds (capped by AUDITOR_RETRY_AFTER_MAX);
a URL that answers after a retry is healthy. How many retries a hop took is kept in its meta
(``retry_times``) and so in the hop's record.
"""

from __future__ import annotations

import asyncio
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Self

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings


def retry_after_seconds(value: bytes | None, cap: float) -> float:
    if not value:
        return 0.0
    text = value.decode("latin-1").strip()
    try:
        seconds = float(int(text))
    except ValueError:
        try:
            import datetime as dt

            when = parsedate_to_datetime(text)
            seconds = (when - dt.datetime.now(dt.UTC)).total_seconds()
        except (TypeError, ValueError, IndexError):
            return 0.0
    return max(0.0, min(seconds, cap))


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings, retry_after_max: float) -> None:
        super().__init__(settings)
        self.retry_after_max = retry_after_max

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        o = cls(crawler.settings, crawler.settings.getfloat("AUDITOR_RETRY_AFTER_MAX", 30))
        o.crawler = crawler
        return o

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        delay = retry_after_seconds(response.headers.get("Retry-After"), self.retry_after_max)
        if delay:
            self.crawler.stats.inc_value("auditor/retry/after_seconds", int(delay))
            await asyncio.sleep(delay)
        return retry
