"""The store pipeline: items streamed into the run's SQLite crawl store in batches.

Each batch is one transaction (WAL); a crawl killed mid-way keeps every batch it committed. No item
outlives its batch. When the spider closes, the page facts that need the whole crawl are completed
(``auditor.finish``) and the spider's stats are kept in the store's meta.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler

from auditor.finish import finish
from auditor.store import CrawlStore

from .items import InventoryItem, ProbeItem, SitemapItem, TraceItem


class StorePipeline:
    def __init__(self, crawler: Crawler, batch_size: int, batch_seconds: float) -> None:
        self.crawler = crawler
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.store: CrawlStore | None = None
        self._clear()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        pipeline = cls(
            crawler, s.getint("AUDITOR_STORE_BATCH", 500), s.getfloat("AUDITOR_STORE_BATCH_SECONDS", 2.0)
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def spider_closed(self, spider: Any, reason: str) -> None:
        """``closed:<spider>`` in the store's meta: how the spider ended (``finished`` when it ran out of
        work), so a store filled by ``scrapy crawl`` or Scrapyd can be judged once both spiders finished."""
        with CrawlStore(getattr(spider, "store_path", None) or "crawl.sqlite") as store, store.db:
            store.set_meta(
                f"closed:{spider.name}",
                {"reason": reason, "at": datetime.now(UTC).isoformat(timespec="seconds")},
            )

    def _clear(self) -> None:
        self.traces: list[Any] = []
        self.pages: list[dict[str, Any]] = []
        self.links: list[tuple[str, str, str, str | None, str | None]] = []
        self.sitemap: list[tuple[str, str | None, str]] = []
        self.probes: list[tuple[str, str]] = []
        self.inventory: list[tuple[str, str, str, int | None]] = []
        self.pending = 0
        self.since = time.monotonic()

    def open_spider(self) -> None:
        self.store = CrawlStore(getattr(self.crawler.spider, "store_path", None) or "crawl.sqlite")

    def process_item(self, item: Any) -> Any:
        if isinstance(item, TraceItem):
            self.traces.append(item.trace)
            if item.page is not None:
                self.pages.append(item.page)
                url = item.page["url"]
                self.links.extend((url, rel, dst, lang, text) for rel, dst, lang, text in item.links)
        elif isinstance(item, SitemapItem):
            self.sitemap.extend((loc, lastmod, item.sitemap) for loc, lastmod in item.entries)
        elif isinstance(item, ProbeItem):
            self.probes.append((item.section, item.url))
        elif isinstance(item, InventoryItem):
            self.inventory.append((item.canonical, item.url, item.source, None))
        else:
            return item
        self.pending += 1
        if self.pending >= self.batch_size or time.monotonic() - self.since >= self.batch_seconds:
            self.flush()
        return item

    def flush(self) -> None:
        store = self.store
        assert store is not None
        with store.db:
            store.add_inventory(self.inventory)
            store.add_traces(self.traces)
            store.add_pages(self.pages)
            store.add_links(self.links)
            store.add_sitemap_entries(self.sitemap)
            store.add_probes(self.probes)
        self.crawler.stats.inc_value("auditor/store/batches")
        self._clear()

    def close_spider(self) -> None:
        store = self.store
        assert store is not None
        self.flush()
        done = finish(store)
        stats = self.crawler.stats
        assert stats is not None
        for key, value in done.items():
            stats.set_value(f"auditor/finish/{key}", value)
        spider = self.crawler.spider
        name = spider.name if spider else "spider"
        with store.db:
            store.set_meta(f"stats:{name}", {k: _plain(v) for k, v in stats.get_stats().items()})
        store.close()
        self.store = None


def _plain(value: Any) -> Any:
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)
