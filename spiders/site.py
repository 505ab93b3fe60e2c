"""The site crawler: the target and regional sites, from start URLs and sitemaps, following in-site links.

    scrapy crawl site -a profile=poco -a store=crawl.sqlite

A URL of a target or regional site in one of the regions the profile crawls is a ``page``: traced,
stored, and — within the depth cap, the per-section cap and the caps of the profile's traps (faceted
filters, calendars, search) — its links followed. Every other linked URL (other sites, other regions,
pages past a cap) is a ``link``: traced for its status, never followed. robots.txt is obeyed unless
the profile says otherwise; so is a page's nofollow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from auditor.store import CrawlStore, Trace

from . import facts
from .tracing import TracingSpider


class SiteSpider(TracingSpider):
    name = "site"

    def start_traces(self) -> Iterator[scrapy.Request]:
        assert self.store_path is not None
        with CrawlStore(self.store_path) as store:
            # a start URL not traced yet is fetched even if a resumed JOBDIR thinks it was seen
            starts = [
                (url, purpose, not store.traced(url))
                for role in ("target", "regional")
                for purpose, urls in (
                    ("sitemap", self.profile.sitemap_urls(role)),
                    ("page", self.profile.start_urls(role)),
                )
                for url in urls
            ]
            # resuming: what the interrupted crawl had scheduled or in flight (the JOBDIR queue may
            # hold some of it too; the store keeps one row per trace either way)
            pending = list(store.unvisited_links())
        for url, purpose, again in starts:
            yield self.trace(url, purpose, depth=0, dont_filter=again)
        self.crawler.stats.set_value("auditor/resume/links", len(pending))
        for url, depth in pending:
            purpose = "page" if self.profile.crawlable(url) else "link"
            yield self.trace(url, purpose, depth=depth, dont_filter=True)

    def schedule(self, url: str, depth: int) -> scrapy.Request:
        purpose = "page" if self.profile.crawlable(url) else "link"
        return self.trace(url, purpose, depth=depth)

    def follows(self, trace: Trace, response: Response, page: dict[str, Any]) -> bool:
        if trace.purpose != "page" or response.status != 200 or not facts.is_html(response):
            return False
        url = response.url
        if not self.profile.crawlable(url):
            return False
        if (trace.depth or 0) > self.profile.crawl.max_depth:
            self.crawler.stats.inc_value("auditor/crawl/capped/depth")
            return False
        if self.profile.crawl.robots_obey:
            robots = page.get("meta_robots") or ""  # X-Robots-Tag and meta robots, lowercased
            if "nofollow" in robots or "none" in re.split(r"[,\s]+", robots):
                self.crawler.stats.inc_value("auditor/crawl/nofollow")
                return False
        trap = self.profile.trap_of(url)
        key, cap = (
            (f"trap:{trap.name}:{self.profile.section_of(url)}", trap.max_pages)
            if trap
            else (self.profile.section_of(url), self.profile.crawl.max_pages_per_section)
        )
        counts = self.state.setdefault("section_pages", {})
        if counts.get(key, 0) >= cap:
            self.crawler.stats.inc_value(f"auditor/crawl/capped/{trap.name if trap else 'section'}")
            return False
        counts[key] = counts.get(key, 0) + 1
        return True

    def follow(self, trace: Trace, links: list[tuple[str, str, str | None, str | None]]) -> Iterator[Any]:
        depth = (trace.depth or 0) + 1
        for _rel, url, _lang, _text in links:
            if self.fresh(url) and not self.done_before(url):
                yield self.schedule(url, depth)

    def sitemap_entry(self, url: str) -> Iterator[Any]:
        if self.profile.site_of(url) is not None:
            yield self.schedule(url, 1)
