"""Ground truth of a scenario, in the findings vocabulary, read off the estate's own routing table.

Nothing here parses HTML or guesses: the estate knows what each URL answers, which product and
region each page is, how fresh it is and what it links to. The auditor must find the same from the
outside, over HTTP. The truth is a findings document (``auditor.findings/1``) so the two compare
directly, by (type, url).

What the truth assumes of the audit (the default profile's behaviour, documented in the README):
the legacy inventory is the scenario's exported inventory; the target is crawled in the regions the
legacy regions map to plus the regional site's region; robots.txt is obeyed; max_hops and
stale_after_days are the defaults in ``auditor.defaults``; redirect_mismatch is judged against the
scenario's exported redirect map.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from auditor import defaults
from auditor.profile import Crawl
from auditor.sandbox import bodies
from auditor.sandbox.estate import Estate, Page
from auditor.vocabulary import SCHEMA_ID, FindingType, default_severity, finding_id

F = FindingType


@dataclass
class Hop:
    url: str
    status: int | None  # None: the connection failed
    location: str | None
    page: Page | None

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "location": self.location}


#: Attempts the default profile makes at one URL (1 + its retries). A URL that answers 503 at least
#: this many times is still failing when the crawler gives up: a persistent failure, a finding. One
#: that recovers sooner is transient noise, never a finding.
ATTEMPTS = 1 + Crawl().retry_times


def trace(estate: Estate, url: str, cap: int = defaults.AUDITOR_HOP_CAP) -> tuple[list[Hop], str]:
    """Follow a URL through the estate's table. Returns the hops and how the path ended:
    ``page`` (a non-redirect answer), ``loop``, ``no_location``, ``refused``, ``bad_scheme``, ``cap``
    or ``unavailable`` (503 on every attempt)."""
    hops: list[Hop] = []
    seen: set[str] = set()
    current = url
    while True:
        if current in seen:
            return hops, "loop"
        seen.add(current)
        scheme = urlsplit(current).scheme
        if scheme not in ("http", "https"):
            return hops, "bad_scheme"
        origin = f"{scheme}://{urlsplit(current).netloc}"
        if origin not in estate.played:
            hops.append(Hop(current, None, None, None))
            return hops, "refused"
        page = estate.resolve(current)
        if page.fail_first >= ATTEMPTS:  # a 503/429 each time, or no answer (reset, cut, timeout)
            hops.append(Hop(current, failure_status(page), None, page))
            return hops, "unavailable"
        nxt = None
        if page.is_redirect:
            nxt = page.target_of_location()
        elif page.refresh:
            nxt = urljoin(current, page.refresh)
        hops.append(Hop(current, page.status, nxt, page))
        if nxt is None:
            return hops, "no_location" if page.is_redirect else "page"
        if len(hops) > cap:
            return hops, "cap"
        current = nxt


def failure_status(page: Page) -> int | None:
    """The status a failing page answers with: 503/429, or None when it does not answer at all."""
    return int(page.fail_with[:3]) if page.fail_with[:3].isdigit() else None


def readable(page: Page | None) -> bool:
    """Whether a crawler gets this text file (robots.txt, a sitemap) as what it claims to be."""
    return (
        page is not None
        and page.status == 200
        and page.fail_first < ATTEMPTS
        and "garbage" not in page.faults
        and page.body is not None
    )


def sitemap_locs(page: Page | None) -> list[str]:
    """The <loc>s a crawler reads from a sitemap page: none if unreadable, the whole entries before
    the cut if it was cut short."""
    if page is None or not readable(page):
        return []
    assert page.body is not None
    body = page.body.encode("utf-8")
    if "cut" in page.faults:
        body = bodies.cut(body)
    return [m.decode("utf-8") for m in re.findall(rb"<loc>([^<]*)</loc>", body)]


def _broken(end: str, final: Page | None) -> bool:
    if end in ("no_location", "refused", "cap", "bad_scheme", "unavailable"):
        return True
    return end == "page" and final is not None and (final.status >= 400 or final.soft404)


def links_of(page: Page) -> list[tuple[str, str]]:
    """The links a crawler reads from a page: none from a gzip bomb (its body is never read)."""
    return [] if "bomb" in page.faults else page.links


def _home_kind(page: Page) -> bool:
    return page.kind in ("home", "root")


class Truth:
    def __init__(
        self,
        estate: Estate,
        max_hops: int = defaults.AUDITOR_MAX_HOPS,
        stale_after_days: int = defaults.AUDITOR_STALE_AFTER_DAYS,
    ) -> None:
        self.e = estate
        self.s = estate.s
        self.max_hops = max_hops
        self.stale_after_days = stale_after_days
        self.findings: list[dict[str, Any]] = []
        self.coverage: list[dict[str, Any]] = []
        self.live_products: dict[str, set[str]] = {}
        self.regional: list[dict[str, Any]] = []
        self._judge()

    def add(
        self,
        kind: F,
        url: str,
        region: str | None,
        product: str | None,
        message: str,
        hops: list[Hop] | None = None,
        **evidence: Any,
    ) -> None:
        self.findings.append(
            {
                "id": finding_id(kind, url),
                "type": kind.value,
                "severity": default_severity(kind).value,
                "url": url,
                "region": region,
                "product": product,
                "hops": [h.as_dict() for h in hops or []],
                "message": message,
                "evidence": evidence,
            }
        )

    # -- the judging --------------------------------------------------------------------------
    def _judge(self) -> None:
        self._live_products()
        self._regional_lag()
        self._legacy_urls()
        self._crawl_findings()
        self.findings.sort(key=lambda f: (f["type"], f["url"]))

    def _live_products(self) -> None:
        """Which products have a live product page on each target region (status 200, not soft-404)."""
        for region in self.s.target_regions:
            live = set()
            for p in self.s.products:
                url = self.e.product_url(region, p.slug)
                hops, end = trace(self.e, url)
                final = hops[-1].page if hops else None
                if (
                    end == "page"
                    and len(hops) == 1
                    and final
                    and final.status == 200
                    and not final.soft404
                    and final.product == p.slug
                ):
                    live.add(p.slug)
            self.live_products[region] = live

    def _regional_lag(self) -> None:
        """Products live on the target region poco.in shadows that poco.in never lists."""
        s = self.s
        region = s.regional_region
        if region not in self.live_products:
            return
        listed = {p.slug for p in s.sold_on_regional()}
        self.regional.append(
            {
                "site": "regional",
                "region": region,
                "target_region": region,
                "lag": sorted(self.live_products[region] - listed),
            }
        )

    def _legacy_urls(self) -> None:
        e, s = self.e, self.s
        redirect_map = dict(e.redirect_map())
        missing_by_region: dict[str, list[str]] = {}
        for region in s.legacy_regions:
            mapped = s.region_map[region]
            sold = s.sold_in_legacy(region)
            missing = [p.slug for p in sold if p.slug not in self.live_products[mapped]]
            missing_by_region[region] = missing
            self.coverage.append(
                {
                    "region": region,
                    "target_region": mapped,
                    "legacy_products": len(sold),
                    "on_target": len(sold) - len(missing),
                    "missing": sorted(missing),
                }
            )
            for slug in missing:
                p = s.product(slug)
                assert p is not None
                page_url = e.l(e.legacy_product_paths(region, p)[0])
                self.add(
                    F.MISSING_PRODUCT,
                    page_url,
                    region,
                    slug,
                    f"{p.name} was sold on {s.legacy.host}/{region}/ but has no live product page on "
                    f"{s.target.host}/{mapped}/",
                    target_region=mapped,
                    expected=e.product_url(mapped, slug),
                )
        for url in e.legacy_urls:
            self._judge_legacy(url, redirect_map.get(url))

    def _legacy_meta(self, url: str) -> tuple[str | None, str | None, str]:
        """Region, product and kind the legacy URL stood for (from the legacy page it was)."""
        parts = urlsplit(url)
        path = parts.path
        canonical = self.e.l(path)
        page = self.e.pages.get(canonical)
        if page is not None and page.site == "legacy":
            return page.region, page.product, page.kind
        region = path.strip("/").split("/", 1)[0] or None
        return region if region in self.s.legacy_regions else None, None, "page"

    def _judge_legacy(self, url: str, mapped_to: str | None) -> None:
        s = self.s
        region, product, kind = self._legacy_meta(url)
        hops, end = trace(self.e, url)
        final = hops[-1].page
        redirects = len(hops) - 1 if end == "page" else len(hops)
        known = s.product(product) if product else None
        name = known.name if known else None
        if end == "loop":
            self.add(
                F.REDIRECT_LOOP,
                url,
                region,
                product,
                f"redirects in a loop back to {hops[-1].location}",
                hops,
                revisited=hops[-1].location,
            )
            return
        last = hops[-1]
        if (
            end == "page"
            and final is not None
            and final.site == "legacy"
            and (final.status == 200 or 400 <= final.status < 500)
        ):  # the legacy site still answers it (after its own http/apex hops, if any)
            self.add(
                F.NOT_REDIRECTED,
                url,
                region,
                product,
                f"answers {last.status} on the legacy site instead of redirecting",
                hops,
                status=last.status,
            )
            return
        if _broken(end, final):
            why = {
                "no_location": f"a {last.status} without a Location header",
                "refused": "a refused connection",
                "cap": f"more than {defaults.AUDITOR_HOP_CAP} hops",
                "bad_scheme": "a non-http(s) Location",
                "unavailable": f"a failure on each of {ATTEMPTS} attempts",
            }.get(end)
            if why is None:
                why = (
                    "a soft-404 page"
                    if final and final.soft404 and final.status == 200
                    else f"a {last.status}"
                )
            self.add(
                F.REDIRECT_BROKEN,
                url,
                region,
                product,
                f"the redirect path ends in {why}",
                hops,
                end=end,
                final_url=last.url,
                final_status=last.status,
            )
            return
        assert final is not None
        final_url = hops[-1].url
        mapped = s.region_map.get(region or "", None)
        if redirects > self.max_hops:
            self.add(
                F.REDIRECT_CHAIN,
                url,
                region,
                product,
                f"takes {redirects} redirects to land (at most {self.max_hops})",
                hops,
                redirects=redirects,
            )
        temporary = [h for h in hops if h.status in defaults.AUDITOR_TEMPORARY_STATUSES]
        if temporary:
            self.add(
                F.REDIRECT_TEMPORARY,
                url,
                region,
                product,
                f"moves with a temporary {temporary[0].status} instead of a 301",
                hops,
                statuses=[h.status for h in temporary],
            )
        if kind != "home" and final.site == "target" and _home_kind(final):
            self.add(
                F.REDIRECT_HOMEPAGE,
                url,
                region,
                product,
                f"a {kind} page lands on the home page {final_url}",
                hops,
                landing=final_url,
            )
        if mapped and final.site == "target" and final.region and final.region != mapped:
            self.add(
                F.REDIRECT_WRONG_REGION,
                url,
                region,
                product,
                f"lands in region {final.region!r}; {region!r} maps to {mapped!r}",
                hops,
                expected_region=mapped,
                landed_region=final.region,
            )
        if product and final.product and final.product != product:
            other = s.product(final.product)
            self.add(
                F.REDIRECT_WRONG_PRODUCT,
                url,
                region,
                product,
                f"{name} lands on the page of {other.name if other else final.product}",
                hops,
                landed_product=final.product,
            )
        if mapped_to is not None and mapped_to != final_url:
            self.add(
                F.REDIRECT_MISMATCH,
                url,
                region,
                product,
                f"lands on {final_url}; the redirect map says {mapped_to}",
                hops,
                expected=mapped_to,
                landed=final_url,
            )

    # -- what a crawl of the target and regional sites finds ---------------------------------
    def crawled_pages(self) -> list[Page]:
        """Pages a robots-obeying crawl of the audited regions reaches by following links."""
        e, s = self.e, self.s
        scope = set(e.support_regions())
        starts = [e.t(f"/{r}/") for r in s.target_regions if r in scope] + [e.r("/")]
        if "global" in scope:
            starts.append(e.t("/global/sitemap/"))
        listed = set(sitemap_locs(e.pages.get(e.r("/sitemap.xml"))))
        starts += [p.url for p in e.pages.values() if p.site == "regional" and p.is_html and p.url in listed]
        seen: set[str] = set()
        out: list[Page] = []
        queue = deque(starts)
        while queue:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            page = e.pages.get(url)
            if page is None or not page.is_html or page.fail_first >= ATTEMPTS:
                continue
            if self._disallowed(url):
                continue
            site = page.site
            if site == "target" and page.region not in scope:
                continue
            out.append(page)
            for rel, link in links_of(page):
                if rel == "a" and e.site_of(link) == site and link not in seen:
                    queue.append(link)
        return out

    def _disallowed(self, url: str) -> bool:
        e = self.e
        if e.site_of(url) != "target":
            return False
        if not readable(e.pages.get(e.t("/robots.txt"))):  # unreadable robots.txt: allowed (Scrapy's way)
            return False
        path = urlsplit(url).path
        return bool(re.match(r"^/[^/]+/(user/|cart|site/|misc/|search/)", path))

    def _crawl_findings(self) -> None:
        e, s = self.e, self.s
        legacy_domain = s.legacy.host.removeprefix("www.")
        limit = s.as_of - dt.timedelta(days=self.stale_after_days)
        broken: dict[str, list[str]] = {}
        status_of: dict[str, tuple[list[Hop], str]] = {}
        for page in self.crawled_pages():
            legacy_links = []
            for rel, link in links_of(page):
                host = urlsplit(link).hostname or ""
                if host == legacy_domain or host.endswith("." + legacy_domain):
                    legacy_links.append({"rel": rel, "url": link})
                if urlsplit(link).scheme not in ("http", "https") or self._disallowed(link):
                    continue
                if link not in status_of:
                    status_of[link] = trace(e, link)
                hops, end = status_of[link]
                if end == "loop" or _broken(end, hops[-1].page):
                    broken.setdefault(link, []).append(page.url)
            if legacy_links:
                self.add(
                    F.LEGACY_LINK,
                    page.url,
                    page.region,
                    page.product,
                    f"links to the legacy site {len(legacy_links)} time(s)",
                    links=legacy_links,
                )
            if page.site == "regional" and page.modified and page.modified < limit:
                age = (s.as_of - page.modified).days
                self.add(
                    F.STALE_PAGE,
                    page.url,
                    page.region,
                    page.product,
                    f"last updated {page.modified.isoformat()}, {age} days before {s.as_of.isoformat()}",
                    modified=page.modified.isoformat(),
                    age_days=age,
                )
        for link, sources in broken.items():
            hops, end = status_of[link]
            last = hops[-1]
            self.add(
                F.BROKEN_LINK,
                link,
                None,
                None,
                f"linked from {len(sources)} page(s); answers "
                + (
                    "a refused connection"
                    if last.status is None
                    else f"{last.status}" + (" (soft-404)" if last.page and last.page.soft404 else "")
                ),
                hops,
                linked_from=sorted(sources)[:20],
                end=end,
            )

    # -- output ---------------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        s = self.s
        now = dt.datetime.combine(s.as_of, dt.time(0, 0), tzinfo=dt.UTC).isoformat()
        return {
            "schema": SCHEMA_ID,
            "run": {
                "id": f"truth-{s.name}",
                "profile": f"sandbox:{s.name}",
                "as_of": s.as_of.isoformat(),
                "started": now,
                "finished": now,
                "pages_fetched": 0,
                "source": "ground truth",
            },
            "coverage": [
                {k: c[k] for k in ("region", "legacy_products", "on_target", "missing")}
                | {"target_region": c["target_region"]}
                for c in self.coverage
            ],
            "regional": self.regional,
            "findings": self.findings,
        }
