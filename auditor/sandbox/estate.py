"""The estate's routing table, built from a scenario.

Every URL the sandbox answers is a ``Page`` here, with what a visitor gets (status, Location, body)
and what the sandbox knows about it (site, kind, region, product, freshness, links). The HTTP server
answers from this table and the ground truth is read from it: one table, so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from auditor.sandbox.scenario import LegacyRule, Product, Scenario, stable_choice

REDIRECTS = (301, 302, 303, 307, 308)

#: How each mi.com region names itself in titles ("POCO F6 | Xiaomi UK").
REGION_NAMES = {
    "global": "Global",
    "uk": "UK",
    "fr": "France",
    "de": "Deutschland",
    "es": "España",
    "it": "Italia",
    "pl": "Polska",
    "nl": "Nederland",
    "tw": "台灣",
    "in": "India",
    "my": "Malaysia",
    "ph": "Philippines",
    "th": "Thailand",
    "sg": "Singapore",
    "pk": "Pakistan",
    "tr": "Türkiye",
    "mx": "México",
    "pe": "Perú",
    "au": "Australia",
    "ae-en": "UAE",
    "ru": "Россия",
}

#: Markup variants of a target product page: where its product identity can be read.
IDENTITY_VARIANTS = ("jsonld", "og", "h1", "slug")

LISTING_PAGE_SIZE = 12


@dataclass(slots=True)
class Page:
    url: str
    status: int = 200
    site: str = "target"  # legacy | target | regional
    kind: str = "page"  # home listing landing product specs buy support service warranty sitemap ...
    region: str | None = None
    product: str | None = None
    location: str | None = None  # the Location header as sent (may be relative); None: no header
    refresh: str | None = None  # meta refresh target
    soft404: bool = False
    modified: dt.date | None = None
    title: str = ""
    variant: str = "jsonld"
    links: list[tuple[str, str]] = field(default_factory=list)  # (rel, absolute URL)
    fail_first: int = 0
    fail_with: str = "503"
    content_type: str = "text/html; charset=utf-8"
    body: str | None = None  # fixed bodies (robots.txt, sitemaps); HTML pages render on demand
    retry_after: str | None = None
    faults: tuple[str, ...] = ()  # what its body does wrong (scenario.PAGE_FAULTS)

    @property
    def is_html(self) -> bool:
        """A page a crawler parses: answers 200 with HTML."""
        return self.status == 200 and self.content_type.startswith("text/html")

    @property
    def is_redirect(self) -> bool:
        return self.status in REDIRECTS

    def target_of_location(self) -> str | None:
        return urljoin(self.url, self.location) if self.location is not None else None


class Estate:
    """All origins, pages and redirects of one scenario at one moment of its timeline."""

    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.pages: dict[str, Page] = {}
        self.alias: dict[str, str] = {}  # alias origin -> origin it redirects to (next hop)
        self.legacy_urls: list[str] = []  # the inventory exported before the shutdown
        self.intended: dict[str, str] = {}  # legacy URL -> the target the migration intended
        self.region_map = scenario.region_map
        self.sold_on: dict[str, set[str]] = {
            r: {p.slug for p in scenario.sold_on_target(r)} for r in scenario.target_regions
        }
        self._build()
        self.played = frozenset(self.origins())  # asked on every request: computed once

    # -- origins -------------------------------------------------------------------------------
    def origins(self) -> list[str]:
        out = []
        for site in (self.s.legacy, self.s.target, self.s.regional):
            out += [site.origin, *site.aliases]
        return out

    def site_of(self, url: str) -> str | None:
        origin = _origin(url)
        for role, site in (
            ("legacy", self.s.legacy),
            ("target", self.s.target),
            ("regional", self.s.regional),
        ):
            if origin == site.origin or origin in site.aliases:
                return role
        return None

    def _alias_chain(self, site_origin: str, aliases: tuple[str, ...]) -> None:
        """http://apex -> https://apex -> https://www: the real shape of a hosted origin's hops."""
        for alias in aliases:
            scheme, host = alias.split("://", 1)
            upgraded = f"https://{host}"
            secure_alias = scheme == "http" and (upgraded in aliases or upgraded == site_origin)
            self.alias[alias] = upgraded if secure_alias else site_origin

    # -- building ------------------------------------------------------------------------------
    def add(self, page: Page) -> Page:
        self.pages[page.url] = page
        return page

    def _build(self) -> None:
        s = self.s
        self._alias_chain(s.legacy.origin, s.legacy.aliases)
        self._alias_chain(s.target.origin, s.target.aliases)
        self._alias_chain(s.regional.origin, s.regional.aliases)
        self._build_target()
        self._build_regional()
        self._build_legacy()
        self._apply_overrides()
        self._chrome()

    # mi.com ---------------------------------------------------------------------------------
    def t(self, path: str) -> str:
        return self.s.target.origin + path

    def product_url(self, region: str, slug: str, sub: str = "") -> str:
        return self.t(f"/{region}/product/{slug}/{sub}")

    def support_regions(self) -> list[str]:
        regions = set(self.region_map.values()) | {self.s.regional_region}
        return [r for r in self.s.target_regions if r in regions]

    def _build_target(self) -> None:
        s = self.s
        as_of = s.as_of
        recent = (as_of - dt.timedelta(days=730)).strftime("%Y-%m")
        self.add(Page(self.t("/"), 302, kind="root", location="/global/"))
        robots = "\n".join(
            [
                "User-agent: *",
                *(f"Disallow: /*/{p}" for p in ("user/", "cart", "site/", "misc/", "search/")),
                "",
            ]
        )
        self.add(Page(self.t("/robots.txt"), kind="robots", content_type="text/plain", body=robots))
        self.add(Page(self.t("/global/sitemap.xml"), 302, kind="sitemap", location="/global/errors/404"))
        for region in s.target_regions:
            name = REGION_NAMES.get(region, region.upper())
            sold = sorted(s.sold_on_target(region), key=lambda p: (p.launched, p.slug), reverse=True)
            modified = as_of - dt.timedelta(days=1 + stable_choice(region, 20))
            home = self.add(
                Page(
                    self.t(f"/{region}/"),
                    kind="home",
                    region=region,
                    modified=modified,
                    title=f"Xiaomi {name} | Xiaomi Official Website",
                )
            )
            home.links += [
                ("a", self.t(f"/{region}/phone/")),
                ("a", self.t(f"/{region}/poco/")),
                ("a", self.t(f"/{region}/search/?q=poco")),
            ]
            home.links += [("a", self.product_url(region, p.slug)) for p in sold[:8]]
            has_support = region in self.support_regions()
            if has_support:
                home.links.append(("a", self.t(f"/{region}/support/")))
            for account in ("cart", "user/login"):  # disallowed by robots.txt; a real page all the same
                self.add(
                    Page(
                        self.t(f"/{region}/{account}"),
                        kind="account",
                        region=region,
                        modified=modified,
                        title=f"Sign in | Xiaomi {name}",
                    )
                )
            self.add(
                Page(
                    self.t(f"/{region}/errors/404"),
                    kind="error",
                    region=region,
                    soft404=True,
                    title=f"Xiaomi {name}",
                    modified=modified,
                )
            )
            self.add(
                Page(
                    self.t(f"/{region}/search/?q=poco"),
                    kind="search",
                    region=region,
                    title=f"Search | Xiaomi {name}",
                    modified=modified,
                    links=[("a", self.t(f"/{region}/search/?q=poco&page=2"))],
                )
            )
            # paginated phone listing, newest first; older models only on later pages
            pages = max(1, -(-len(sold) // LISTING_PAGE_SIZE))
            for n in range(1, pages + 1):
                chunk = sold[(n - 1) * LISTING_PAGE_SIZE : n * LISTING_PAGE_SIZE]
                url = self.t(f"/{region}/phone/") + (f"?page={n}" if n > 1 else "")
                listing = self.add(
                    Page(
                        url,
                        kind="listing",
                        region=region,
                        modified=modified,
                        title=f"Smartphones | Xiaomi {name}",
                    )
                )
                listing.links += [("a", self.product_url(region, p.slug)) for p in chunk]
                if n < pages:
                    listing.links.append(("a", self.t(f"/{region}/phone/?page={n + 1}")))
                if n > 1:
                    listing.links.append(
                        ("a", self.t(f"/{region}/phone/") + (f"?page={n - 1}" if n > 2 else ""))
                    )
                if n == 1:  # faceted filters: an unbounded URL space (a crawl trap)
                    listing.links += [
                        ("a", self.t(f"/{region}/phone/?sort={o}")) for o in ("price-asc", "new")
                    ]
            landing = self.add(
                Page(
                    self.t(f"/{region}/poco/"),
                    kind="landing",
                    region=region,
                    modified=modified,
                    title=f"POCO | Xiaomi {name}",
                )
            )
            landing.links += [("a", self.product_url(region, p.slug)) for p in sold if p.launched >= recent]
            for i, p in enumerate(sold):
                self._target_product(region, name, p, sold, i, modified)
            if has_support:
                self._target_support(region, name, modified)
        glob = "global" if "global" in s.target_regions else s.target_regions[0]
        sitemap = self.add(
            Page(
                self.t(f"/{glob}/sitemap/"),
                kind="sitemap_html",
                region=glob,
                title="Sitemap | Xiaomi Global",
                modified=as_of - dt.timedelta(days=3),
            )
        )
        sitemap.links += [("a", self.product_url(glob, p.slug)) for p in s.sold_on_target(glob)]
        sitemap.links += [("a", self.t(f"/{glob}/support/"))]
        month = as_of.strftime("%Y-%m")
        self.pages[self.t(f"/{glob}/")].links += [
            ("a", self.t(f"/{glob}/sitemap/")),
            ("a", self.t(f"/{glob}/events/calendar/?month={month}")),
        ]

    def _target_product(
        self, region: str, name: str, p: Product, sold: list[Product], position: int, modified: dt.date
    ) -> None:
        s = self.s
        variant = "jsonld" if p.slug in s.renames else IDENTITY_VARIANTS[stable_choice(p.slug, 4)]
        base = self.product_url(region, p.slug)
        hreflang = []
        if variant == "jsonld":
            hreflang = [
                ("hreflang", self.product_url(r, p.slug))
                for r in s.target_regions
                if r != region and p.slug in self.sold_on[r]
            ]
        i = position
        related = [q for q in sold[max(0, i - 2) : i + 3] if q is not p][:3]
        links = [("a", base + "specs/"), ("a", base + "buy/"), ("a", self.t(f"/{region}/phone/"))]
        links += [("a", self.product_url(region, q.slug)) for q in related]
        gid = 4000 + stable_choice(p.slug + region, 5000)
        pages = (
            ("", "product", f"{p.name} | Xiaomi {name}", links + hreflang),
            ("specs/", "specs", f"{p.name} Specs - Xiaomi {name}", [("a", base), ("a", base + "buy/")]),
            ("buy/", "buy", f"Buy {p.name} | Xiaomi {name}", [("a", base), ("a", base + f"buy/?gid={gid}")]),
        )
        for suffix, kind, title, page_links in pages:
            self.add(
                Page(
                    base + suffix,
                    kind=kind,
                    region=region,
                    product=p.slug,
                    variant=variant,
                    modified=modified,
                    title=title,
                    links=page_links,
                )
            )

    def _target_support(self, region: str, name: str, modified: dt.date) -> None:
        s = self.s
        index = self.add(
            Page(
                self.t(f"/{region}/support/"),
                kind="support",
                region=region,
                modified=modified,
                title=f"Support | Xiaomi {name}",
            )
        )
        seen: set[str] = set()
        for legacy_t, target_t in s.services.items():
            path = target_t.format(region=region)
            if path in seen or path.split("/")[1] != region:  # "/global/..." belongs to global only
                continue
            seen.add(path)
            kind = "warranty" if "/warranty" in path else "support"
            title = _title_from_path(path)
            self.add(
                Page(
                    self.t(path),
                    kind=kind,
                    region=region,
                    modified=modified,
                    title=f"{title} | Xiaomi {name}",
                    links=[("a", self.t(f"/{region}/support/"))],
                )
            )
            index.links.append(("a", self.t(path)))
            # mi.com's own old-style /service/support/*.html pages 301 to the new support paths
            if legacy_t.startswith("/{region}/service/support/"):
                old = self.t(legacy_t.format(region=region))
                self.add(Page(old, 301, kind="service", region=region, location=self.t(path)))
        for i in range(3):
            for section in ("faq/details", "article"):
                number = f"KA-{(stable_choice(f'{region}{section}{i}', 90000) + 10000):05d}"
                url = self.t(f"/{region}/support/{section}/{number}/")
                self.add(
                    Page(
                        url,
                        kind="support",
                        region=region,
                        modified=modified,
                        title=f"{number} | Xiaomi {name} Support",
                        links=[("a", index.url)],
                    )
                )
                index.links.append(("a", url))

    # poco.in --------------------------------------------------------------------------------
    def r(self, path: str) -> str:
        return self.s.regional.origin + path

    def _build_regional(self) -> None:
        s = self.s
        region = s.regional_region
        sold = sorted(s.sold_on_regional(), key=lambda p: (p.launched, p.slug), reverse=True)
        frozen = min(s.frozen, s.as_of)  # before it froze, the site was as fresh as the night
        home = self.add(
            Page(
                self.r("/"),
                kind="home",
                site="regional",
                region=region,
                modified=frozen,
                title="POCO India | Official Website",
            )
        )
        listing = self.add(
            Page(
                self.r("/smartphones"),
                kind="listing",
                site="regional",
                region=region,
                modified=frozen,
                title="Smartphones | POCO India",
            )
        )
        for p in sold:
            launched = dt.date.fromisoformat(p.launched + "-01")
            page_date = min(frozen, launched + dt.timedelta(days=20))
            url = self.r(f"/product/{p.slug}")
            self.add(
                Page(
                    url,
                    kind="product",
                    site="regional",
                    region=region,
                    product=p.slug,
                    modified=page_date,
                    title=f"{p.name} | POCO India",
                    variant=IDENTITY_VARIANTS[stable_choice(p.slug, 3)],
                    links=[("a", self.r("/")), ("a", self.r("/smartphones"))],
                )
            )
            listing.links.append(("a", url))
        home.links += [("a", self.r("/smartphones")), ("a", self.r("/ewarranty"))]
        home.links += [("a", self.r(f"/product/{p.slug}")) for p in sold[:6]]
        self.add(
            Page(
                self.r("/ewarranty"),
                kind="support",
                site="regional",
                region=region,
                modified=frozen,
                title="E-Warranty | POCO India",
                links=[("a", self.r("/"))],
            )
        )
        for path, date in s.fresh_pages.items():
            if self.r(path) in self.pages:
                self.pages[self.r(path)].modified = min(date, s.as_of)
        self.add(
            Page(
                self.r("/robots.txt"),
                kind="robots",
                site="regional",
                content_type="text/plain",
                body=f"User-agent: *\nDisallow:\nSitemap: {self.r('/sitemap.xml')}\n",
            )
        )
        regional_pages = [p for p in self.pages.values() if p.site == "regional" and p.kind != "robots"]
        entries = "".join(
            f"<url><loc>{p.url}</loc><lastmod>{p.modified.isoformat()}</lastmod></url>"
            for p in regional_pages
            if p.modified
        )
        self.add(
            Page(
                self.r("/sitemap.xml"),
                kind="sitemap",
                site="regional",
                content_type="application/xml",
                body='<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n',
            )
        )

    # po.co ----------------------------------------------------------------------------------
    def l(self, path: str) -> str:  # noqa: E743 - l for legacy, like t and r
        return self.s.legacy.origin + path

    def legacy_product_paths(self, region: str, p: Product) -> tuple[str, str]:
        slug = self.s.legacy_slug(p)
        if p.launched >= self.s.new_urls_from:
            return f"/{region}/product/{slug}/", f"/{region}/product/{slug}/specs/"
        return f"/{region}/{slug}/", f"/{region}/{slug}/specs/"

    def _build_legacy(self) -> None:
        s = self.s
        frozen_at = dt.date(2024, 12, 31)
        for region in s.legacy_regions:
            t_region = self.region_map[region]
            sold = sorted(s.sold_in_legacy(region), key=lambda p: (p.launched, p.slug), reverse=True)
            live: list[Page] = []
            home = Page(
                self.l(f"/{region}/"),
                site="legacy",
                kind="home",
                region=region,
                title=f"POCO {REGION_NAMES.get(region, region)} | POCO Official Site",
                modified=min(s.as_of, frozen_at),
            )
            live.append(home)
            index = Page(
                self.l(f"/{region}/index.html"),
                site="legacy",
                kind="home",
                region=region,
                title=home.title,
                modified=home.modified,
            )
            live.append(index)
            self.intended[home.url] = self.t(f"/{t_region}/")
            self.intended[index.url] = self.t(f"/{t_region}/")
            for p in sold:
                page_path, specs_path = self.legacy_product_paths(region, p)
                product = Page(
                    self.l(page_path),
                    site="legacy",
                    kind="product",
                    region=region,
                    product=p.slug,
                    title=f"{p.name} - POCO {REGION_NAMES.get(region, region)}",
                    modified=home.modified,
                    links=[("a", self.l(specs_path)), ("a", home.url)],
                )
                specs = Page(
                    self.l(specs_path),
                    site="legacy",
                    kind="specs",
                    region=region,
                    product=p.slug,
                    title=f"{p.name} Specs - POCO",
                    modified=home.modified,
                    links=[("a", product.url)],
                )
                live += [product, specs]
                home.links.append(("a", product.url))
                self.intended[product.url] = self.product_url(t_region, p.slug)
                self.intended[specs.url] = self.product_url(t_region, p.slug, "specs/")
            for legacy_t, target_t in s.services.items():
                if region not in s.service_regions[legacy_t]:
                    continue
                page = Page(
                    self.l(legacy_t.format(region=region)),
                    site="legacy",
                    kind="warranty" if "warranty" in legacy_t else "service",
                    region=region,
                    title=_title_from_path(legacy_t) + " - POCO",
                    modified=home.modified,
                    links=[("a", home.url)],
                )
                live.append(page)
                home.links.append(("a", page.url))
                self.intended[page.url] = self.t(target_t.format(region=t_region))
            index.links = list(home.links)
            migrated = s.region_migrated(region)
            for page in live:
                self.legacy_urls.append(page.url)
                rule = s.legacy_rules.get(page.url)
                if not migrated or (rule is not None and rule.behaviour == "live"):
                    self.add(page)
                else:
                    self._legacy_redirect(page, rule)
                if rule is not None and rule.fail_first:
                    self.pages[page.url].fail_first = rule.fail_first
                    self.pages[page.url].fail_with = rule.fail_with
        self.legacy_urls += s.inventory_extra
        for url, rule in s.legacy_rules.items():  # a rule for a URL outside the inventory: a route only
            if url not in self.pages and _origin(url) == s.legacy.origin and s.phase != "before":
                self._legacy_redirect(Page(url, site="legacy", kind="page"), rule)
        sitemap_urls = "".join(
            f"<url><loc>{u}</loc></url>" for u in self.legacy_urls if u.startswith(self.l("/"))
        )
        if s.phase != "after":
            self.add(
                Page(
                    self.l("/sitemap.xml"),
                    site="legacy",
                    kind="sitemap",
                    content_type="application/xml",
                    body='<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
                    f'"http://www.sitemaps.org/schemas/sitemap/0.9">{sitemap_urls}</urlset>\n',
                )
            )
            self.add(
                Page(
                    self.l("/robots.txt"),
                    site="legacy",
                    kind="robots",
                    content_type="text/plain",
                    body=f"User-agent: *\nDisallow: /*/cart\nSitemap: {self.l('/sitemap.xml')}\n",
                )
            )

    def _legacy_redirect(self, page: Page, rule: LegacyRule | None) -> None:
        """Turn a legacy page into what its migrated URL answers, as the scenario's rule says."""
        s = self.s
        url = page.url
        rule = rule or LegacyRule(url, "permanent", None)
        mapped = self.region_map.get(page.region or "", "global")
        intended = self.intended.get(url) or self.t(f"/{mapped}/")
        behaviour = rule.behaviour
        out = Page(url, 301, site="legacy", kind=page.kind, region=page.region, product=page.product)
        if behaviour == "permanent":
            out.location = intended
        elif behaviour == "temporary":
            out.status, out.location = (rule.status or 302), intended
        elif behaviour == "redirect":
            out.status, out.location = (rule.status or 301), rule.to
        elif behaviour == "chain":
            hops = [*rule.via, rule.to or intended]
            out.location = hops[0]
            for here, there in itertools.pairwise(hops):
                if here not in self.pages:  # a hop the estate already answers keeps its own answer
                    self.add(
                        Page(here, 301, site=self.site_of(here) or "target", kind="redirect", location=there)
                    )
        elif behaviour == "loop":
            back_from = rule.to or intended
            out.location = back_from
            self.add(
                Page(back_from, 301, site=self.site_of(back_from) or "target", kind="redirect", location=url)
            )
        elif behaviour == "self":
            out.location = url
        elif behaviour == "relative":
            out.location = rule.location
        elif behaviour == "no_location":
            out.status = rule.status or 301
        elif behaviour == "refused":
            out.location = rule.to
        elif behaviour == "meta_refresh":
            out.status, out.refresh, out.title = 200, rule.to or intended, page.title
        elif behaviour == "homepage":
            out.location = self.t(f"/{mapped}/")
        elif behaviour == "wrong_region":
            out.location = intended.replace(f"/{mapped}/", f"/{rule.region}/", 1)
        elif behaviour == "wrong_product":
            other = s.product(rule.product or "")
            assert other is not None, "validated when the scenario was loaded"
            out.location = self.product_url(mapped, other.slug, "specs/" if page.kind == "specs" else "")
        elif behaviour == "gone":
            out.status, out.title = rule.status or 404, "Page not found - POCO"
        self.add(out)

    def _apply_overrides(self) -> None:
        s = self.s
        for url, rule in s.page_rules.items():
            page = self.pages.get(url)
            if page is None:
                page = self.add(
                    Page(url, site=self.site_of(url) or "target", kind="page", title="Page", modified=s.as_of)
                )
            if rule.status is not None:
                page.status = rule.status
                page.location = None
                if rule.status >= 400 and page.body is not None:  # a failing robots.txt or sitemap
                    page.body = f"<html><body><h1>{rule.status} Error</h1></body></html>\n"
                    page.content_type = "text/html; charset=utf-8"
            page.faults = rule.faults or page.faults
            if rule.soft404:
                page.soft404 = True
                page.kind = "error"
                page.product = None
            page.fail_first = rule.fail_first or page.fail_first
            page.fail_with = rule.fail_with if rule.fail_first else page.fail_with
            if rule.title is not None:
                page.title = rule.title
        for link in s.links:
            targets = (
                [p for u, p in self.pages.items() if u.startswith(link.page[:-1])]
                if link.page.endswith("*")
                else [self.pages[link.page]]
                if link.page in self.pages
                else []
            )
            for page in targets:
                if page.is_html:
                    page.links.append((link.rel, link.to))

    def chrome_links(self, region: str) -> list[tuple[str, str]]:
        """Header and footer of every mi.com page: menu, cart, sign-in and the region switcher."""
        menu = [self.t(f"/{region}/{p}") for p in ("phone/", "poco/", "cart", "user/login")]
        return [("a", u) for u in menu] + [("a", self.t(f"/{r}/")) for r in self.s.target_regions]

    def _chrome(self) -> None:
        chrome = {r: self.chrome_links(r) for r in self.s.target_regions}
        for page in self.pages.values():
            if page.site == "target" and page.region in chrome and page.is_html:
                page.links = page.links + [c for c in chrome[page.region] if c not in page.links]
        home = ("a", self.r("/"))
        for page in self.pages.values():
            if page.site == "regional" and page.is_html and home not in page.links:
                page.links.insert(0, home)

    # -- answering -----------------------------------------------------------------------------
    def resolve(self, url: str) -> Page:
        """What the estate answers for an absolute URL: a stored page, an alias hop, or a fallback."""
        page = self.pages.get(url)
        if page is not None:
            return page
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        path = parts.path or "/"
        if origin in self.alias:
            rest = path + (f"?{parts.query}" if parts.query else "")
            return Page(
                url, 301, site=self.site_of(url) or "", kind="alias", location=self.alias[origin] + rest
            )
        if parts.query:
            bare = self.pages.get(f"{origin}{path}")
            if bare is not None and bare.kind not in ("listing", "search"):
                return bare  # tracking parameters and ?gid= are ignored, as real sites do
            facet = self._facet(origin, path, parts.query)
            if facet is not None:
                return facet
        return self._not_found(origin, url, path)

    def _facet(self, origin: str, path: str, query: str) -> Page | None:
        s = self.s
        params = parse_qsl(query)
        m = re.match(r"^/([a-z\-]+)/phone/$", path)
        if origin == s.target.origin and m and all(k in ("sort", "color", "ram", "page") for k, _ in params):
            region = m.group(1)
            if region not in s.target_regions:
                return None
            depth = len(params)
            links = [
                ("a", f"{origin}{path}?{urlencode([*params, (k, v)])}")
                for k, v in (("color", f"c{depth}"), ("ram", f"{depth * 4}gb"))
            ]
            return Page(
                f"{origin}{path}?{query}",
                kind="facet",
                region=region,
                title="Smartphones",
                modified=s.as_of,
                links=links,
            )
        m = re.match(r"^/([a-z\-]+)/events/calendar/$", path)
        if origin == s.target.origin and m and len(params) == 1 and params[0][0] == "month":
            mm = re.match(r"^(\d{4})-(\d{2})$", params[0][1])
            if not mm:
                return None
            year, month = int(mm.group(1)), int(mm.group(2))
            nxt = f"{year + month // 12}-{month % 12 + 1:02d}"
            prv = f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"
            base = f"{origin}{path}?month="
            return Page(
                f"{origin}{path}?{query}",
                kind="calendar",
                region=m.group(1),
                title="Events",
                modified=s.as_of,
                links=[("a", base + nxt), ("a", base + prv)],
            )
        return None

    def _not_found(self, origin: str, url: str, path: str) -> Page:
        s = self.s
        site = self.site_of(url) or ""
        if origin == s.legacy.origin and s.phase == "after":
            # po.co's catch-all after the shutdown: anything unknown goes to mi.com's global home
            return Page(url, 301, site="legacy", kind="catch_all", location=self.t("/global/"))
        if origin == s.target.origin and s.not_found.startswith("302:"):
            first = path.strip("/").split("/", 1)[0]
            region = first if first in s.target_regions else "global"
            return Page(url, 302, site=site, kind="not_found", location=s.not_found[4:].format(region=region))
        status = int(s.not_found) if origin == s.target.origin else 404
        return Page(url, status, site=site, kind="not_found", title="404 Not Found")

    # -- views -----------------------------------------------------------------------------
    def redirect_map(self) -> list[tuple[str, str]]:
        """The map the migration team wrote: legacy URL -> intended target (with the scenario's edits)."""
        rows = []
        for url in self.legacy_urls:
            new = self.s.map_overrides.get(url, self.intended.get(url))
            if new is not None:
                rows.append((url, new))
        return rows


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _title_from_path(path: str) -> str:
    leaf = [p for p in path.split("/") if p and "{" not in p][-1]
    leaf = re.sub(r"\.html$", "", leaf)
    words = leaf.replace("{region}-", "").split("-")
    return " ".join(w.upper() if w in ("mi", "poco") else w.capitalize() for w in words)
