"""The audit profile: which sites play which role, what their URLs mean, and how to crawl them.

A profile is TOML and data only (``auditor/profiles/poco.toml`` is the shipped default): the code
knows the roles ``legacy``, ``target`` and ``regional``, never a host name. Everything here is pure;
the spiders read a loaded ``Profile``, so do the graph and the rules.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor import defaults
from auditor.errors import InputError
from auditor.tomlsource import Fields
from auditor.tomlsource import load as load_toml

ROLES = ("legacy", "target", "regional")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DEFAULT_PROFILE = "poco"


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    role: str
    origin: str
    aliases: tuple[str, ...]
    regions: tuple[str, ...]
    start_urls: tuple[str, ...]
    sitemaps: tuple[str, ...]
    crawl_regions: tuple[str, ...]  # the regions whose pages are crawled (not just status-checked)
    crawl_live: bool = False  # legacy: crawl it while it answers, to complete the inventory

    @property
    def origins(self) -> tuple[str, ...]:
        return (self.origin, *self.aliases)

    def expand(self, paths: tuple[str, ...], regions: tuple[str, ...]) -> list[str]:
        """Absolute URLs of start paths, ``{region}`` expanded over ``regions``."""
        out: list[str] = []
        for path in paths:
            for region in regions if "{region}" in path else ("",):
                url = self.origin + path.format(region=region)
                if url not in out:
                    out.append(url)
        return out


@dataclass(frozen=True, slots=True)
class Pattern:
    site: str
    kind: str
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Trap:
    name: str
    regex: re.Pattern[str]
    max_pages: int


@dataclass(frozen=True, slots=True)
class UrlInfo:
    """What the profile says a URL is."""

    site: str | None  # site name; None: not one of the profile's sites
    role: str | None
    kind: str
    region: str | None
    slug: str | None


@dataclass(frozen=True, slots=True)
class Crawl:
    robots_obey: bool = True
    max_depth: int = 12
    max_pages_per_section: int = 2000
    max_links_per_page: int = 1000
    concurrent_requests: int = 32
    concurrent_requests_per_domain: int = 16
    download_delay: float = 0.0
    autothrottle: bool = False
    autothrottle_target_concurrency: float = 8.0
    download_timeout: int = 20
    retry_times: int = 2
    retry_after_max: int = 30
    download_maxsize: int = defaults.AUDITOR_MAX_BODY_BYTES
    download_warnsize: int = 2 * 1024 * 1024
    traps: tuple[Trap, ...] = ()


def _origin_path(url: str) -> tuple[str, str]:
    """(lowercased scheme://netloc, path or "/") of an absolute URL: urlsplit's answer for the URLs a
    store holds (absolute, http(s)), at a fifth of its cost; anything unusual goes to urlsplit."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" in rest or "\\" in rest or not url[:1].isalpha() or any(c in url for c in "\t\r\n"):
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower(), parts.path or "/"
    netloc, slash, tail = rest.partition("/")
    for mark in ("?", "#"):
        if mark in netloc:
            netloc = netloc.split(mark, 1)[0]
            slash, tail = "", ""
    path = slash + tail.split("?", 1)[0].split("#", 1)[0]
    return f"{scheme}://{netloc}".lower(), path or "/"


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str
    path: str
    sites: tuple[Site, ...]
    region_map: dict[str, str]
    patterns: tuple[Pattern, ...]
    crawl: Crawl
    max_hops: int = defaults.AUDITOR_MAX_HOPS
    stale_after_days: int = defaults.AUDITOR_STALE_AFTER_DAYS
    hop_cap: int = defaults.AUDITOR_HOP_CAP
    product_aliases: dict[str, str] = field(default_factory=dict)  # any site's slug -> product key
    _by_origin: dict[str, Site] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for site in self.sites:
            for origin in site.origins:
                self._by_origin[origin] = site

    # -- sites ---------------------------------------------------------------------------------
    def role(self, role: str) -> list[Site]:
        return [s for s in self.sites if s.role == role]

    def site_of(self, url: str) -> Site | None:
        parts = urlsplit(url)
        return self._by_origin.get(f"{parts.scheme}://{parts.netloc}".lower())

    def origins(self) -> list[str]:
        return list(self._by_origin)

    def target_region(self, legacy_region: str) -> str:
        return self.region_map.get(legacy_region, legacy_region)

    # -- what a URL is -------------------------------------------------------------------------
    def classify(self, url: str) -> UrlInfo:
        origin, path = _origin_path(url)  # a million URLs are classified when a big store is judged
        site = self._by_origin.get(origin)
        if site is None:
            return UrlInfo(None, None, "external", None, None)
        for pattern in self.patterns:
            if pattern.site != site.name:
                continue
            m = pattern.regex.search(path)
            if m is None:
                continue
            groups = m.groupdict()
            region = groups.get("region")
            if region is not None and region not in site.regions:
                continue  # /{region}/ that is no region of this site: not this pattern
            if region is None and len(site.regions) == 1:
                region = site.regions[0]
            return UrlInfo(site.name, site.role, pattern.kind, region, groups.get("slug"))
        first = path.strip("/").split("/", 1)[0]
        region = first if first in site.regions else (site.regions[0] if len(site.regions) == 1 else None)
        return UrlInfo(site.name, site.role, "page", region, None)

    def crawlable(self, url: str) -> bool:
        """A page the site crawl fetches and follows (not only status-checks): a target or regional
        site's URL in one of the regions it crawls."""
        site = self.site_of(url)
        if site is None or site.role == "legacy":
            return False
        if not site.crawl_regions:
            return True
        return self.classify(url).region in site.crawl_regions

    def trap_of(self, url: str) -> Trap | None:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        for trap in self.crawl.traps:
            if trap.regex.search(target):
                return trap
        return None

    def section_of(self, url: str) -> str:
        """Where a per-section page cap counts: origin + first two path segments (+ '?' if queried)."""
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s][:2]
        return f"{parts.scheme}://{parts.netloc}/" + "/".join(segments) + ("?" if parts.query else "")

    def start_urls(self, role: str) -> list[str]:
        return [u for s in self.role(role) for u in s.expand(s.start_urls, s.crawl_regions or s.regions)]

    def sitemap_urls(self, role: str) -> list[str]:
        return [u for s in self.role(role) for u in s.expand(s.sitemaps, s.crawl_regions or s.regions)]


# -- loading ------------------------------------------------------------------------------------
def builtin_path(name: str) -> Path:
    return Path(str(resources.files("auditor.profiles").joinpath(f"{name}.toml")))


def load(name_or_path: str | Path | None = None) -> Profile:
    """Load a profile by built-in name (``poco``) or path; a wrong field is an InputError naming it."""
    ref = str(name_or_path or DEFAULT_PROFILE)
    path = Path(ref)
    if not path.suffix and not path.exists():
        path = builtin_path(ref)
        if not path.exists():
            raise InputError(
                f"no such profile {ref!r} (a .toml file or the built-in 'poco')", field="--profile"
            )
    data, text = load_toml(path)
    return _parse(Fields(data, path, text), str(path))


def _regex(f: Fields, key: str) -> re.Pattern[str]:
    value = f.get(key, str)
    try:
        return re.compile(value)
    except re.error as exc:
        raise f.error(key, f"not a valid regular expression: {exc}") from exc


def _positive(f: Fields, key: str, kind: type, default: Any, minimum: float = 0) -> Any:
    value = f.get(key, (int, float) if kind is float else kind, default)
    if value < minimum:
        raise f.error(key, f"must be {minimum} or more; got {value!r}")
    return kind(value)


def _origin(f: Fields, key: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise f.error(key, f"must be an origin like https://www.example.com; got {value!r}")
    return f"{parts.scheme}://{parts.netloc}".lower()


def _parse(root: Fields, path: str) -> Profile:
    known = {"profile", "thresholds", "crawl", "sites", "region_map", "pattern", "products"}
    for key in root.data:
        if key not in known:
            raise root.error(key, f"unknown table; expected one of {', '.join(sorted(known))}")
    head = root.sub("profile", required=True)
    thresholds = root.sub("thresholds")
    crawl_f = root.sub("crawl")
    traps = []
    for t in crawl_f.items("trap"):
        traps.append(Trap(t.get("name", str), _regex(t, "pattern"), _positive(t, "max_pages", int, ...)))
    base = Crawl()
    crawl = Crawl(
        robots_obey=crawl_f.get("robots_obey", bool, base.robots_obey),
        max_depth=_positive(crawl_f, "max_depth", int, base.max_depth),
        max_pages_per_section=_positive(crawl_f, "max_pages_per_section", int, base.max_pages_per_section, 1),
        max_links_per_page=_positive(crawl_f, "max_links_per_page", int, base.max_links_per_page, 1),
        concurrent_requests=_positive(crawl_f, "concurrent_requests", int, base.concurrent_requests, 1),
        concurrent_requests_per_domain=_positive(
            crawl_f, "concurrent_requests_per_domain", int, base.concurrent_requests_per_domain, 1
        ),
        download_delay=_positive(crawl_f, "download_delay", float, base.download_delay),
        autothrottle=crawl_f.get("autothrottle", bool, base.autothrottle),
        autothrottle_target_concurrency=_positive(
            crawl_f, "autothrottle_target_concurrency", float, base.autothrottle_target_concurrency, 0.1
        ),
        download_timeout=_positive(crawl_f, "download_timeout", int, base.download_timeout, 1),
        retry_times=_positive(crawl_f, "retry_times", int, base.retry_times),
        retry_after_max=_positive(crawl_f, "retry_after_max", int, base.retry_after_max),
        download_maxsize=_positive(crawl_f, "download_maxsize", int, base.download_maxsize, 1),
        download_warnsize=_positive(crawl_f, "download_warnsize", int, base.download_warnsize, 1),
        traps=tuple(traps),
    )
    for key in crawl_f.data:
        if key != "trap" and not hasattr(base, key):
            raise crawl_f.error(key, "unknown setting")
    sites_f = root.sub("sites", required=True)
    sites: list[Site] = []
    for name in sites_f.data:
        s = sites_f.sub(name)
        role = s.get("role", str, choices=ROLES)
        sites.append(
            Site(
                name=name,
                role=role,
                origin=_origin(s, "origin", s.get("origin", str)),
                aliases=tuple(_origin(s, "aliases", a) for a in s.strings("aliases", [])),
                regions=tuple(s.strings("regions", [])),
                start_urls=tuple(_paths(s, "start_urls")),
                sitemaps=tuple(_paths(s, "sitemaps")),
                crawl_regions=tuple(s.strings("crawl_regions", [])),
                crawl_live=s.get("crawl_live", bool, False),
            )
        )
    for role in ("legacy", "target"):
        if not any(s.role == role for s in sites):
            raise sites_f.error(role, f"the profile needs a site with role = {role!r}")
    seen: dict[str, str] = {}
    for site in sites:
        for origin in site.origins:
            if origin in seen:
                raise sites_f.sub(site.name).error(
                    "origin", f"{origin} is already a origin of {seen[origin]}"
                )
            seen[origin] = site.name
    legacy_regions = {r for site in sites if site.role == "legacy" for r in site.regions}
    target_regions = {r for site in sites if site.role == "target" for r in site.regions}
    rm = root.sub("region_map")
    region_map = {r: r for r in sorted(legacy_regions) if r in target_regions}
    for key in rm.data:
        value = rm.get(key, str)
        if key not in legacy_regions:
            raise rm.error(key, f"{key!r} is not a region of a legacy site")
        if value not in target_regions:
            raise rm.error(key, f"{value!r} is not a region of a target site")
        region_map[key] = value
    for region in sorted(legacy_regions - set(region_map)):
        raise root.sub("sites").error(
            next(site.name for site in sites if site.role == "legacy"),
            f"legacy region {region!r} has no target region: add it to [region_map]",
        )
    regional_regions = {r for site in sites if site.role == "regional" for r in site.regions}
    mapped = tuple(dict.fromkeys([*region_map.values(), *sorted(regional_regions & target_regions)]))
    resolved = []
    for site in sites:
        crawl_regions = site.crawl_regions
        if crawl_regions == ("mapped",):
            crawl_regions = tuple(r for r in site.regions if r in mapped)
        for r in crawl_regions:
            if r not in site.regions:
                raise sites_f.sub(site.name).error("crawl_regions", f"{r!r} is not one of the site's regions")
        resolved.append(dataclasses.replace(site, crawl_regions=crawl_regions))
    patterns = []
    names = {s.name for s in sites}
    for p in root.items("pattern"):
        site = p.get("site", str)
        if site not in names:
            raise p.error("site", f"no site named {site!r}; sites: {', '.join(sorted(names))}")
        regex = _regex(p, "path")
        patterns.append(Pattern(site, p.get("kind", str), regex))
    aliases_f = root.sub("products").sub("aliases")
    aliases = {}
    for key in aliases_f.data:
        value = aliases_f.get(key, str)
        for slug in (key, value):
            if not SLUG.match(slug):
                raise aliases_f.error(key, f"not a product slug (a-z, 0-9, '-'): {slug!r}")
        aliases[key] = value
    for key in root.sub("products").data:
        if key != "aliases":
            raise root.sub("products").error(key, "unknown setting; expected 'aliases'")
    return Profile(
        name=head.get("name", str),
        description=head.get("description", str, ""),
        path=path,
        sites=tuple(resolved),
        region_map=region_map,
        patterns=tuple(patterns),
        crawl=crawl,
        max_hops=_positive(thresholds, "max_hops", int, defaults.AUDITOR_MAX_HOPS),
        stale_after_days=_positive(thresholds, "stale_after_days", int, defaults.AUDITOR_STALE_AFTER_DAYS),
        hop_cap=_positive(thresholds, "hop_cap", int, defaults.AUDITOR_HOP_CAP, 1),
        product_aliases=aliases,
    )


def _paths(f: Fields, key: str) -> list[str]:
    paths = f.strings(key, [])
    for p in paths:
        if not p.startswith("/"):
            raise f.error(key, f"paths start with '/'; got {p!r}")
    return paths
