"""Hop-by-hop tracing, the mechanism both spiders share.

Every URL the auditor fetches is *traced*: requested with Scrapy's redirects off (``dont_redirect``)
and every status let through (``handle_httpstatus_all``), then followed by hand, one request per hop
(``dont_filter``: Scrapy's dupefilter would silently drop a hop to an already-seen URL and hide a loop,
scrapy/scrapy#1225). Each hop records its URL, status, Location resolved against it, elapsed time and
retries. A path ends at a non-redirect answer (``page``), a revisited URL (``loop``), a 3xx without a
usable Location (``no_location``), a non-http(s) or oversized Location (``bad_location``), a network
error (``error``), a URL robots.txt forbids (``robots``), or after the hop cap (``cap``). A meta refresh
of at most METAREFRESH_MAXDELAY seconds is a hop too (status 200, ``via: meta``).

Subclasses say what a trace is for (its ``purpose``) and what to do with the page it ends on.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from typing import Any, Self
from urllib.parse import urljoin

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.response import get_meta_refresh
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from auditor import defaults, soft404
from auditor.profile import Profile
from auditor.profile import load as load_profile
from auditor.store import CrawlStore, Hop, Trace
from auditor.urls import is_http

from . import facts, sitemaps
from .facts import is_html, page_facts
from .items import ProbeItem, SitemapItem, TraceItem
from .sizecap import CAPPED

META = "auditor_trace"


def apply_profile(crawler: Crawler, profile: Profile) -> None:
    """The profile's crawl table as Scrapy settings, at spider priority (``-s`` on the command line wins)."""
    c = profile.crawl
    values: dict[str, Any] = {
        "ROBOTSTXT_OBEY": c.robots_obey,
        "CONCURRENT_REQUESTS": c.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrent_requests_per_domain,
        "DOWNLOAD_DELAY": c.download_delay,
        "AUTOTHROTTLE_ENABLED": c.autothrottle,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": c.autothrottle_target_concurrency,
        "DOWNLOAD_TIMEOUT": c.download_timeout,
        "RETRY_TIMES": c.retry_times,
        "AUDITOR_RETRY_AFTER_MAX": c.retry_after_max,
        "DOWNLOAD_MAXSIZE": c.download_maxsize,
        "DOWNLOAD_WARNSIZE": c.download_warnsize,
    }
    for key, value in values.items():
        crawler.settings.set(key, value, priority="spider")


class TracingSpider(scrapy.Spider):
    """Base of the legacy tracer and the site crawler (not a spider of its own: it has no name)."""

    def __init__(
        self,
        profile: str | None = None,
        store: str | None = None,
        jobdir: str | None = None,
        recover: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.jobdir = jobdir
        # recover=1: the last run was killed and its JOBDIR discarded; the store says what is done
        self.recover = recover == "1"
        self._reader: CrawlStore | None = None
        self.profile = load_profile(profile)
        self.store_path = store
        self.hop_cap = self.profile.hop_cap
        self.meta_refresh_max = 100.0
        self.url_limit = 2083
        self.state: dict[str, Any] = {}  # replaced by the JOBDIR's saved state when resuming
        # URLs scheduled lately: a page's header and footer links repeat on every page, and a Request
        # per repeat costs more than the fetch it saves (the dupefilter still decides; this is a cache)
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._recent_max = 20_000

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        apply_profile(crawler, spider.profile)
        if spider.jobdir:  # one JOBDIR per spider when several run in one process (auditor run)
            crawler.settings.set("JOBDIR", spider.jobdir, priority="spider")
        if spider.store_path is None:
            spider.store_path = crawler.settings.get("AUDITOR_STORE", "crawl.sqlite")
        spider.meta_refresh_max = crawler.settings.getfloat("METAREFRESH_MAXDELAY", 100)
        spider.url_limit = crawler.settings.getint("URLLENGTH_LIMIT", 2083)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_traces():
            yield request

    def start_traces(self) -> Iterator[scrapy.Request]:
        return iter(())

    # -- tracing -------------------------------------------------------------------------------
    def trace(
        self,
        url: str,
        purpose: str,
        *,
        depth: int | None = None,
        robots: bool = True,
        dont_filter: bool = False,
        priority: int | None = None,
        listed: str | None = None,
    ) -> scrapy.Request:
        if priority is None:  # breadth first: shallower pages first (the queues are FIFO)
            priority = -(depth or 0)
        state: dict[str, Any] = {
            "start": listed or url,
            "purpose": purpose,
            "hops": [],
            "depth": depth,
            "robots": robots,
        }
        return self._hop_request(url, state, dont_filter=dont_filter, priority=priority)

    def _hop_request(
        self, url: str, state: dict[str, Any], dont_filter: bool = True, priority: int = 0
    ) -> scrapy.Request:
        meta: dict[str, Any] = {"dont_redirect": True, "handle_httpstatus_all": True, META: state}
        if not state["robots"]:
            meta["dont_obey_robotstxt"] = True
        return scrapy.Request(
            url,
            callback=self._on_hop,
            errback=self._on_hop_error,
            meta=meta,
            dont_filter=dont_filter,
            priority=priority,
        )

    def _on_hop(self, response: Response) -> Iterator[Any]:
        state = response.meta[META]
        status = response.status
        raw: str | None = None
        nxt: str | None = None
        via = "http"
        end: str | None = None
        if status in defaults.AUDITOR_REDIRECT_STATUSES:
            header = response.headers.get("Location")
            raw = _decode(header) if header is not None else None
            if raw is None or not raw.strip():
                end = "no_location"
            else:
                nxt = self._resolve(response.url, raw)
                if nxt is None:
                    end = "bad_location"
        elif 200 <= status < 300 and is_html(response):
            assert isinstance(response, TextResponse)
            interval, target = get_meta_refresh(response, ignore_tags=("script", "noscript"))
            if target is not None and interval is not None and interval <= self.meta_refresh_max:
                raw, via = target, "meta"
                nxt = self._resolve(response.url, target)
                if nxt is None:
                    end = "bad_location"
        hop = Hop(
            url=response.url,
            status=status,
            location=nxt,
            elapsed=response.meta.get("download_latency"),
            retries=response.meta.get("retry_times", 0),
            via=via,
            raw_location=_clipped(raw, self.url_limit) if raw is not None and raw != nxt else None,
            capped=response.meta.get(CAPPED),
        )
        state = {**state, "hops": [*state["hops"], hop.as_dict()]}
        if end is None and nxt is not None:
            if any(h["url"] == nxt for h in state["hops"]):
                end = "loop"
            elif len(state["hops"]) > self.hop_cap:
                end = "cap"
            else:
                self.crawler.stats.inc_value("auditor/hops")
                yield self._hop_request(
                    nxt, state, priority=(response.request.priority if response.request else 0) + 1
                )
                return
        yield from self._finish(state, end or "page", response)

    def _on_hop_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        state = request.meta[META]
        if failure.check(IgnoreRequest):
            end, error = "robots", "forbidden by robots.txt"
        else:
            kind = failure.type.__name__ if failure.type else "Error"
            end, error = "error", f"{kind}: {failure.getErrorMessage()}"[:300]
        hop = Hop(request.url, None, None, retries=request.meta.get("retry_times", 0), error=error)
        self.crawler.stats.inc_value(f"auditor/trace/{end}")
        state = {**state, "hops": [*state["hops"], hop.as_dict()]}
        yield from self._finish(state, end, None)

    def _resolve(self, base: str, location: str) -> str | None:
        try:
            url = safe_url_string(urljoin(base, location.strip()))
        except ValueError:
            return None
        if not is_http(url) or len(url) > self.url_limit:
            return None
        return url

    def _finish(self, state: dict[str, Any], end: str, response: Response | None) -> Iterator[Any]:
        trace = Trace(
            state["start"],
            state["purpose"],
            end,
            tuple(Hop.from_dict(h) for h in state["hops"]),
            state["depth"],
        )
        self.crawler.stats.inc_value(f"auditor/trace/{trace.purpose}")
        if end == "loop":
            self.crawler.stats.inc_value("auditor/redirect/loop")
        if response is None or end != "page":
            yield TraceItem(trace)
            return
        page = page_facts(response, self.profile, depth=trace.depth)
        follow = self.follows(trace, response, page)
        page["crawled"] = int(follow and page["site"] is not None)
        links = list(facts.links(response, self.profile.crawl.max_links_per_page)) if follow else []
        yield TraceItem(trace, page, links)
        if follow:
            yield from self.follow(trace, links)
        yield from self.ended(trace, response)
        if trace.purpose != "probe" and response.status == 200 and is_html(response):
            yield from self._probe(response.url)

    def _probe(self, url: str) -> Iterator[Any]:
        """Once per site section: request a URL that cannot exist there (the soft-404 fingerprint)."""
        if self.profile.site_of(url) is None:
            return
        section, probe = soft404.probe_url(url)
        probed = self.state.setdefault("probed", {})
        if section in probed:
            return
        probed[section] = probe
        self.crawler.stats.inc_value("auditor/soft404/probes")
        yield ProbeItem(section, probe)
        yield self.trace(probe, "probe", priority=5)

    def fresh(self, url: str) -> bool:
        """False if ``url`` was scheduled lately (bounded memory; the dupefilter is the real judge)."""
        if url in self._recent:
            self._recent.move_to_end(url)
            return False
        self._recent[url] = None
        if len(self._recent) > self._recent_max:
            self._recent.popitem(last=False)
        return True

    def done_before(self, url: str) -> bool:
        """When recovering from a killed run: whether the store already holds a trace of ``url``."""
        if not self.recover or self.store_path is None:
            return False
        if self._reader is None:
            self._reader = CrawlStore(self.store_path, readonly=True)
        return self._reader.traced(url)

    # -- hooks ---------------------------------------------------------------------------------
    def follows(self, trace: Trace, response: Response, page: dict[str, Any]) -> bool:
        """Whether the page a trace ended on (its facts in ``page``) is crawled: its links stored
        and followed."""
        return False

    def follow(self, trace: Trace, links: list[tuple[str, str, str | None, str | None]]) -> Iterator[Any]:
        return iter(())

    def ended(self, trace: Trace, response: Response) -> Iterator[Any]:
        """A sitemap trace's answer: an index fans out, a urlset's entries are stored and scheduled."""
        if trace.purpose != "sitemap":
            return
        found = sitemaps.read(response, self.profile.crawl.download_maxsize)
        if found is None:
            self.crawler.stats.inc_value("auditor/sitemap/not_a_sitemap")
            return
        kind, entries = found
        if kind == "sitemapindex":
            for loc, _ in entries:
                yield self.trace(loc, "sitemap", depth=0)
            return
        yield SitemapItem(trace.start, entries)
        for loc, _ in entries:
            yield from self.sitemap_entry(loc)

    def sitemap_entry(self, url: str) -> Iterator[Any]:
        """What to do with a URL a sitemap lists."""
        return iter(())


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _clipped(text: str, limit: int) -> str:
    """A header kept as evidence, bounded: crawled text is hostile and may be of any size."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"
