"""The redirect tracer: every legacy URL followed hop by hop.

    scrapy crawl legacy -a profile=poco -a store=crawl.sqlite -a legacy_urls=urls.txt

URLs come from the crawl store's inventory (``auditor run`` fills it from --legacy-urls, --sitemap
and --redirect-map; the spider's own ``legacy_urls``, ``sitemaps`` and ``redirect_map`` arguments do
the same for ``scrapy crawl``), from sitemap URLs, and — while the legacy site still answers pages —
from crawling it (the profile's ``crawl_live``). Inventory traces ignore robots.txt: they are a list
check of the site's own URLs, not a crawl.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response

from auditor import inventory
from auditor.store import CrawlStore, Trace
from auditor.urls import canonical, is_http

from . import facts
from .items import InventoryItem
from .tracing import TracingSpider


def _paths(value: str | None) -> list[Path]:
    return [Path(p) for p in (value or "").split(",") if p]


class LegacySpider(TracingSpider):
    name = "legacy"

    def __init__(
        self,
        legacy_urls: str | None = None,
        sitemaps: str | None = None,
        redirect_map: str | None = None,
        crawl_live: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.legacy_files = _paths(legacy_urls)
        # sitemap files are read into the inventory; sitemap URLs are fetched
        self.sitemap_urls = [s for s in (sitemaps or "").split(",") if is_http(s)]
        self.sitemap_files = [Path(s) for s in (sitemaps or "").split(",") if s and not is_http(s)]
        self.redirect_map = Path(redirect_map) if redirect_map else None
        self.starts: set[str] = set()
        sites = self.profile.role("legacy")
        self.crawl_live = any(s.crawl_live for s in sites) if crawl_live is None else crawl_live == "1"

    def start_traces(self) -> Iterator[scrapy.Request]:
        assert self.store_path is not None
        with CrawlStore(self.store_path) as store:
            if self.legacy_files or self.sitemap_files or self.redirect_map:
                inventory.load_into(store, self.legacy_files, self.sitemap_files, self.redirect_map)
            pending = list(store.untraced_inventory())
        self.crawler.stats.set_value("auditor/inventory/pending", len(pending))
        for url in self.sitemap_urls:
            yield self.trace(url, "sitemap", depth=0)
        if self.crawl_live:
            for url in self.profile.sitemap_urls("legacy"):
                yield self.trace(url, "sitemap", depth=0)
        for _canonical, url in pending:
            # the inventory is deduplicated already; resumed runs skip what is traced
            yield self.trace(url, "legacy", robots=False, dont_filter=True, depth=0)
        if self.crawl_live:
            # a start URL is where discovery begins, not evidence of a legacy page: it joins the
            # inventory only if the legacy site answers it (see follow())
            self.starts = set(self.profile.start_urls("legacy"))
            for url in self.profile.start_urls("legacy"):
                yield self.trace(url, "legacy", depth=1)

    def _discovered(self, url: str, source: str) -> Any:
        """A legacy URL found by crawling or in a sitemap: inventory it (if new) and trace it."""
        return [
            InventoryItem(canonical(url), url, source),
            self.trace(url, "legacy", robots=source != "sitemap", depth=1),
        ]

    def follows(self, trace: Trace, response: Response, page: dict[str, Any]) -> bool:
        """A live legacy page (the site still answers it) is crawled to complete the inventory."""
        site = self.profile.site_of(response.url)
        return (
            self.crawl_live
            and site is not None
            and site.role == "legacy"
            and response.status == 200
            and "nofollow" not in (facts.header(response, "X-Robots-Tag") or "")
        )

    def follow(self, trace: Trace, links: list[tuple[str, str, str | None, str | None]]) -> Iterator[Any]:
        if trace.start in self.starts:
            yield InventoryItem(canonical(trace.start), trace.start, "start")
        for rel, url, _lang, _text in links:
            site = self.profile.site_of(url)
            if (
                rel == "a"
                and site is not None
                and site.role == "legacy"
                and self.fresh(url)
                and not self.done_before(url)
            ):
                yield from self._discovered(url, "crawl")

    def sitemap_entry(self, url: str) -> Iterator[Any]:
        yield from self._discovered(url, "sitemap")
