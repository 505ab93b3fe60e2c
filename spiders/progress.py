"""Progress on a terminal: responses, queue and rate every few seconds (AUDITOR_PROGRESS_INTERVAL).

One line per crawler to standard error, only when AUDITOR_PROGRESS is on (``auditor run`` turns it on
when standard error is a terminal, or with --progress). Scrapy's own LogStats stays for logs.
"""

from __future__ import annotations

import sys
import time
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: task.LoopingCall | None = None
        self.last = (time.monotonic(), 0)
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("AUDITOR_PROGRESS"):
            raise NotConfigured
        o = cls(crawler, crawler.settings.getfloat("AUDITOR_PROGRESS_INTERVAL", 5.0))
        crawler.signals.connect(o.opened, signal=signals.spider_opened)
        crawler.signals.connect(o.closed, signal=signals.spider_closed)
        return o

    def opened(self) -> None:
        self.started = time.monotonic()
        self.task = task.LoopingCall(self.report)
        self.task.start(self.interval, now=False)

    def report(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        now = time.monotonic()
        responses = int(stats.get_value("response_received_count", 0))
        queued = int(stats.get_value("scheduler/enqueued", 0)) - int(stats.get_value("scheduler/dequeued", 0))
        then, before = self.last
        rate = (responses - before) / max(now - then, 1e-6)
        self.last = (now, responses)
        traced = int(stats.get_value("auditor/trace/page", 0) + stats.get_value("auditor/trace/legacy", 0))
        name = self.crawler.spider.name if self.crawler.spider else "?"
        print(
            f"  [{name:6}] {responses:7d} responses  {queued:6d} queued  {rate:7.0f}/s"
            f"  {traced:7d} traced  {now - self.started:5.0f} s",
            file=sys.stderr,
            flush=True,
        )

    def closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
