"""Scenarios of the sandbox estate: data files, loaded and validated here.

A scenario says which products each region sells, how each legacy URL behaves, which pages are
stale and which links are broken. It is TOML; ``extends = "name"`` starts from another scenario and
overrides tables key by key (arrays are replaced whole). Every mistake in a scenario is an InputError
naming the file, the line and the field.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from auditor import tomlsource
from auditor.errors import InputError
from auditor.tomlsource import Fields

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
REGION = re.compile(r"^[a-z]{2,8}(-[a-z]{2})?$")

PHASES = ("before", "mid", "after")

#: How a failing URL fails (``fail_first``): a 503 or 429 with ``Retry-After: 1`` (``-bare``: without
#: one), a cut connection, a body cut short of its Content-Length, or no answer at all until the
#: client gives up (``timeout``).
FAIL_WITH = ("503", "429", "503-bare", "429-bare", "reset", "truncate", "timeout")

#: What a page's body does wrong (``faults`` of a [[page]]), whatever its status:
#: ``huge``      50 MB: the page, then a 50 MB blob, with its Content-Length declared
#: ``bomb``      a gzip bomb: Content-Encoding gzip, ~200 KB on the wire, 200 MB once inflated
#: ``malformed`` unclosed and misnested tags, unquoted attributes, stray ``<``, a NUL byte
#: ``mislabelled`` UTF-8 bytes under a header that says ISO-8859-1 (the header wins: mojibake)
#: ``garbage``   an HTML error page where a text file (robots.txt, a sitemap) should be
#: ``gzip``      a gzip file (application/x-gzip, no Content-Encoding), as sitemap.xml.gz is
#: ``cut``       cut short mid-document (a sitemap whose generator died half way)
PAGE_FAULTS = ("huge", "bomb", "malformed", "mislabelled", "garbage", "gzip", "cut")

#: What a legacy URL can do once its region is migrated (see docs in scenarios/default.toml).
BEHAVIOURS = (
    "permanent",  # 301 to the intended target (the default)
    "temporary",  # `status` (302/303/307) to the intended target
    "redirect",  # `status` (default 301) to `to`
    "chain",  # 301 through every URL of `via`, then to `to` or the intended target
    "loop",  # 301 to `to` (default: intended target), which 301s back to the legacy URL
    "self",  # 301 to itself
    "relative",  # 301 with the Location written relative (`location` as written)
    "no_location",  # a `status` 3xx without a Location header
    "refused",  # 301 to `to`, an origin where nothing listens
    "meta_refresh",  # 200 with <meta http-equiv="refresh" content="0; url=..."> to `to` or intended
    "homepage",  # 301 to the mapped target region's home
    "wrong_region",  # 301 to the same page in target `region`
    "wrong_product",  # 301 to `product`'s page in the mapped target region
    "live",  # still answers 200 with the legacy page
    "gone",  # answers `status` (404/410) without redirecting
)


@dataclass(frozen=True)
class Product:
    slug: str  # the product key: its slug on the target site
    name: str
    launched: str  # YYYY-MM

    @property
    def series(self) -> str:
        return self.slug.split("-")[1][0]  # c, f, m, x


@dataclass(frozen=True)
class Window:
    """Which products a region sells: launched in [first, last], minus `without`, plus `also`."""

    first: str | None = None
    last: str | None = None
    without: frozenset[str] = frozenset()
    also: frozenset[str] = frozenset()

    def admits(self, product: Product, as_of: dt.date) -> bool:
        if product.slug in self.without:
            return False
        if product.slug in self.also:
            return True
        if product.launched > as_of.strftime("%Y-%m"):
            return False
        return (self.first is None or product.launched >= self.first) and (
            self.last is None or product.launched <= self.last
        )


@dataclass(frozen=True)
class Origins:
    """One site of the estate: its canonical origin and the aliases that redirect to it."""

    origin: str
    aliases: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return self.origin.split("://", 1)[1]


@dataclass(frozen=True)
class LegacyRule:
    url: str
    behaviour: str
    line: int | None
    status: int | None = None
    to: str | None = None
    via: tuple[str, ...] = ()
    location: str | None = None
    region: str | None = None
    product: str | None = None
    fail_first: int = 0  # fail this many times before behaving (more than the crawler's retries: a
    # persistent failure; fewer: transient noise)
    fail_with: str = "503"  # how: 503 (Retry-After: 1) | reset (the connection is cut) | truncate


@dataclass(frozen=True)
class PageRule:
    """An override of one target/regional page: status, soft-404, or transient failures."""

    url: str
    status: int | None = None
    soft404: bool = False
    fail_first: int = 0
    title: str | None = None  # hostile or odd titles for report tests
    fail_with: str = "503"
    faults: tuple[str, ...] = ()  # PAGE_FAULTS


@dataclass(frozen=True)
class ExtraLink:
    page: str
    to: str
    rel: str = "a"  # a | canonical | hreflang
    text: str = ""


@dataclass
class Scenario:
    name: str
    title: str
    path: Path
    as_of: dt.date
    phase: str
    migrated: tuple[str, ...]  # legacy regions already redirecting in phase "mid"
    legacy: Origins
    target: Origins
    regional: Origins
    dead: tuple[str, ...]
    products: list[Product]
    legacy_regions: list[str]
    legacy_sold: dict[str, Window]
    new_urls_from: str
    renames: dict[str, str]  # product slug -> its slug on the legacy site
    services: dict[str, str]  # legacy path template -> target path template
    service_regions: dict[str, tuple[str, ...]]  # legacy path template -> regions that have it
    inventory_extra: list[str]  # more legacy URLs in the exported inventory (http/apex variants)
    target_regions: list[str]
    target_sells: dict[str, Window]
    region_map: dict[str, str]
    not_found: str  # how the target answers an unknown path: "404" or "302:/{region}/errors/404"
    regional_region: str
    regional_sold: Window
    frozen: dt.date
    fresh_pages: dict[str, dt.date]
    legacy_rules: dict[str, LegacyRule]
    page_rules: dict[str, PageRule]
    links: list[ExtraLink]
    map_overrides: dict[str, str]
    scale: int = 1
    text: str = field(default="", repr=False)

    def sold_in_legacy(self, region: str) -> list[Product]:
        window = self.legacy_sold[region]
        return [p for p in self.products if window.admits(p, self.as_of)]

    def sold_on_target(self, region: str) -> list[Product]:
        window = self.target_sells.get(region)
        if window is None:
            return []
        return [p for p in self.products if window.admits(p, self.as_of)]

    def sold_on_regional(self) -> list[Product]:
        frozen_month = self.frozen.strftime("%Y-%m")
        return [
            p
            for p in self.products
            if self.regional_sold.admits(p, self.as_of) and p.launched <= frozen_month
        ]

    def legacy_slug(self, product: Product) -> str:
        return self.renames.get(product.slug, product.slug)

    def region_migrated(self, region: str) -> bool:
        return self.phase == "after" or (self.phase == "mid" and region in self.migrated)

    def product(self, slug: str) -> Product | None:
        return next((p for p in self.products if p.slug == slug), None)


def builtin_dir() -> Path:
    return Path(str(resources.files("auditor.sandbox") / "scenarios"))


def builtin_names() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.toml") if not p.stem.startswith("_"))


def resolve_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise InputError("no such scenario file", path=path)
        return path
    candidate = builtin_dir() / f"{name_or_path}.toml"
    if not candidate.is_file():
        raise InputError(
            f"no scenario named {name_or_path!r}; built in: {', '.join(builtin_names())} "
            "(or give a .toml path)"
        )
    return candidate


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _read(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], str]:
    if path.resolve() in seen:
        raise InputError("scenario extends itself", path=path, field="extends")
    data, text = tomlsource.load(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, text
    if not isinstance(parent, str):
        raise InputError(
            "must be a scenario name or path",
            path=path,
            field="extends",
            line=tomlsource.locate(text, "extends"),
        )
    parent_path = resolve_path(parent) if "/" not in parent else (path.parent / parent)
    base, _ = _read(parent_path, (*seen, path.resolve()))
    return _merge(base, data), text


def _month(f: Fields, key: str, default: Any = None) -> str | None:
    value = f.get(key, str, default)
    if value is not None and not MONTH.match(value):
        raise f.error(key, f"must be a month YYYY-MM, got {value!r}")
    return value


def _date(f: Fields, key: str, default: Any = ...) -> dt.date:
    value = f.get(key, (str, dt.date), default)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise f.error(key, f"must be a date YYYY-MM-DD, got {value!r}") from exc


def _window(f: Fields, slugs: set[str]) -> Window:
    for key in f.data:
        if key not in ("from", "until", "without", "also"):
            raise f.error(key, "unknown key; a window has from, until, without, also")
    without = f.strings("without", [])
    also = f.strings("also", [])
    for key, names in (("without", without), ("also", also)):
        unknown = [s for s in names if s not in slugs]
        if unknown:
            raise f.error(key, f"unknown product {unknown[0]!r}")
    return Window(_month(f, "from"), _month(f, "until"), frozenset(without), frozenset(also))


def _origins(f: Fields, key: str) -> Origins:
    site = f.sub(key, required=True)
    origin = site.get("origin", str)
    if not re.match(r"^https?://[a-z0-9.\-]+$", origin):
        raise site.error("origin", f"must be scheme://host with no path, got {origin!r}")
    aliases = tuple(site.strings("aliases", []))
    for alias in aliases:
        if not re.match(r"^https?://[a-z0-9.\-]+$", alias):
            raise site.error("aliases", f"must be scheme://host with no path, got {alias!r}")
    return Origins(origin, aliases)


def load_catalog(scale: int = 1) -> list[Product]:
    path = Path(str(resources.files("auditor.sandbox") / "data" / "lineup.toml"))
    data, text = tomlsource.load(path)
    root = Fields(data, path, text)
    products = [
        Product(p.get("slug", str), p.get("name", str), str(_month(p, "launched", ...)))
        for p in root.items("product")
    ]
    # --scale N: N-1 synthetic generations of the lineup, same launch months, so the catalog (and
    # every region selling it) grows N-fold while keeping the real proportions.
    grown = list(products)
    for k in range(2, scale + 1):
        grown += [Product(f"{p.slug}-g{k}", f"{p.name} G{k}", p.launched) for p in products]
    return grown


def _catalog(f: Fields, lineup: list[Product]) -> list[Product]:
    """The shared lineup, changed by the scenario's [catalog]: ``drop`` slugs, add [[catalog.product]]."""
    for key in f.data:
        if key not in ("drop", "product"):
            raise f.error(key, "unknown key; [catalog] has drop and [[catalog.product]]")
    known = {p.slug for p in lineup}
    drop = f.strings("drop", [])
    for slug in drop:
        if slug not in known:
            raise f.error("drop", f"unknown product {slug!r}")
    products = [p for p in lineup if p.slug not in drop]
    for p in f.items("product"):
        slug = p.get("slug", str)
        if not SLUG.match(slug) or slug in known:
            raise p.error("slug", f"not a new product slug: {slug!r}")
        known.add(slug)
        products.append(Product(slug, p.get("name", str), str(_month(p, "launched", ...))))
    return products


def load(name_or_path: str, scale: int = 1) -> Scenario:
    path = resolve_path(name_or_path)
    data, text = _read(path)
    if scale < 1:
        raise InputError("--scale must be 1 or more", field="scale")
    root = Fields(data, path, text)
    for key in data:
        if key not in (
            "scenario",
            "sites",
            "legacy",
            "target",
            "regional",
            "region_map",
            "legacy_url",
            "page",
            "link",
            "redirect_map",
            "catalog",
        ):
            raise root.error(key, "unknown table")
    products = _catalog(root.sub("catalog"), load_catalog(scale))
    slugs = {p.slug for p in products}

    meta = root.sub("scenario", required=True)
    for key in meta.data:
        if key not in ("name", "title", "as_of", "phase", "migrated"):
            raise meta.error(key, "unknown key; [scenario] has name, title, as_of, phase, migrated")
    phase = meta.get("phase", str, "after", choices=PHASES)
    sites = root.sub("sites", required=True)
    legacy = root.sub("legacy", required=True)
    target = root.sub("target", required=True)
    regional = root.sub("regional", required=True)

    legacy_regions = legacy.strings("regions")
    for r in legacy_regions:
        if not REGION.match(r):
            raise legacy.error("regions", f"not a region code: {r!r}")
    sold_f = legacy.sub("sold", required=True)
    legacy_sold = {}
    for region in legacy_regions:
        if region not in sold_f.data:
            raise sold_f.error(region, f"legacy region {region!r} has no sales window")
        legacy_sold[region] = _window(sold_f.sub(region), slugs)
    for region in sold_f.data:
        if region not in legacy_regions:
            raise sold_f.error(region, f"{region!r} is not in legacy.regions")

    target_regions = target.strings("regions")
    sells_f = target.sub("sells", required=True)
    target_sells = {}
    for region in sells_f.data:
        if region not in target_regions:
            raise sells_f.error(region, f"{region!r} is not in target.regions")
        target_sells[region] = _window(sells_f.sub(region), slugs)

    map_f = root.sub("region_map", required=True)
    region_map = {}
    for region in legacy_regions:
        mapped = map_f.get(region, str, region)
        if mapped not in target_regions:
            raise map_f.error(region, f"maps to {mapped!r}, which is not in target.regions")
        region_map[region] = mapped

    renames = {}
    renames_f = legacy.sub("renames")
    for slug in renames_f.data:
        entry = renames_f.sub(slug)
        if slug not in slugs:
            raise renames_f.error(slug, f"unknown product {slug!r}")
        legacy_slug = entry.get("legacy_slug", str)
        if not SLUG.match(legacy_slug):
            raise entry.error("legacy_slug", f"not a slug: {legacy_slug!r}")
        renames[slug] = legacy_slug
        shown = entry.get("name", str, None)
        if shown is not None:  # the name both sites print for it ("POCO X6 Pro 5G")
            products = [Product(p.slug, shown, p.launched) if p.slug == slug else p for p in products]

    services: dict[str, str] = {}
    service_regions: dict[str, tuple[str, ...]] = {}
    for i, svc in enumerate(legacy.items("service")):
        path_t = svc.get("path", str)
        target_t = svc.get("target", str)
        if not path_t.startswith("/") or not target_t.startswith("/"):
            raise svc.error("path", f"legacy.service[{i}]: paths must start with /")
        services[path_t] = target_t
        regions = svc.strings("regions", legacy_regions)
        for r in regions:
            if r not in legacy_regions:
                raise svc.error("regions", f"{r!r} is not in legacy.regions")
        service_regions[path_t] = tuple(regions)

    not_found = target.get("not_found", str, "404")
    if not re.match(r"^(404|410|302:/.*)$", not_found):
        raise target.error("not_found", 'must be "404", "410" or "302:/path/with/{region}"')

    legacy_rules: dict[str, LegacyRule] = {}
    for rule_f in root.items("legacy_url"):
        rule = _legacy_rule(rule_f, target_regions, slugs)
        if rule.url in legacy_rules:
            raise rule_f.error("url", f"{rule.url} is already described by an earlier [[legacy_url]]")
        legacy_rules[rule.url] = rule

    page_rules: dict[str, PageRule] = {}
    for page_f in root.items("page"):
        url = page_f.get("url", str)
        status = page_f.get("status", int, None)
        if status is not None and not 100 <= status <= 599:
            raise page_f.error("status", f"not an HTTP status: {status}")
        page_rules[url] = PageRule(
            url,
            status,
            page_f.get("soft404", bool, False),
            page_f.get("fail_first", int, 0),
            page_f.get("title", str, None),
            page_f.get("fail_with", str, "503", choices=FAIL_WITH),
            _faults(page_f),
        )

    links = []
    for link_f in root.items("link"):
        links.append(
            ExtraLink(
                link_f.get("page", str),
                link_f.get("to", str),
                link_f.get("rel", str, "a", choices=("a", "canonical", "hreflang")),
                link_f.get("text", str, ""),
            )
        )

    map_overrides = {}
    for row_f in root.items("redirect_map"):
        map_overrides[row_f.get("old", str)] = row_f.get("new", str)

    fresh = {}
    fresh_f = regional.sub("fresh_pages")
    for page_path in fresh_f.data:
        fresh[page_path] = _date(fresh_f, page_path)

    migrated = tuple(meta.strings("migrated", []))
    for r in migrated:
        if r not in legacy_regions:
            raise meta.error("migrated", f"{r!r} is not in legacy.regions")

    scenario = Scenario(
        name=meta.get("name", str, path.stem),
        title=meta.get("title", str, ""),
        path=path,
        as_of=_date(meta, "as_of"),
        phase=phase,
        migrated=migrated,
        legacy=_origins(sites, "legacy"),
        target=_origins(sites, "target"),
        regional=_origins(sites, "regional"),
        dead=tuple(sites.strings("dead", [])),
        products=products,
        legacy_regions=legacy_regions,
        legacy_sold=legacy_sold,
        new_urls_from=str(_month(legacy, "new_urls_from", "2022-06")),
        renames=renames,
        services=services,
        service_regions=service_regions,
        inventory_extra=legacy.strings("inventory_extra", []),
        target_regions=target_regions,
        target_sells=target_sells,
        region_map=region_map,
        not_found=not_found,
        regional_region=regional.get("region", str),
        regional_sold=_window(regional.sub("sold"), slugs),
        frozen=_date(regional, "frozen"),
        fresh_pages=fresh,
        legacy_rules=legacy_rules,
        page_rules=page_rules,
        links=links,
        map_overrides=map_overrides,
        scale=scale,
        text=text,
    )
    return scenario


def _legacy_rule(f: Fields, target_regions: list[str], slugs: set[str]) -> LegacyRule:
    url = f.get("url", str)
    if not re.match(r"^https?://", url):
        raise f.error("url", f"must be an absolute http(s) URL, got {url!r}")
    behaviour = f.get("behaviour", str, "permanent", choices=BEHAVIOURS)
    status = f.get("status", int, None)
    if behaviour == "temporary" and status not in (None, 302, 303, 307):
        raise f.error("status", "a temporary redirect is 302, 303 or 307")
    if behaviour == "gone" and status not in (None, 400, 403, 404, 410, 451):
        raise f.error("status", "gone answers a 4xx")
    if behaviour == "no_location" and status not in (None, 301, 302, 303, 307, 308):
        raise f.error("status", "no_location answers a 3xx")
    to = f.get("to", str, None)
    if behaviour in ("redirect", "refused") and to is None:
        raise f.error("to", f"behaviour {behaviour!r} needs `to`")
    region = f.get("region", str, None)
    if behaviour == "wrong_region" and region not in target_regions:
        raise f.error("region", f"wrong_region needs a target region, got {region!r}")
    product = f.get("product", str, None)
    if behaviour == "wrong_product" and product not in slugs:
        raise f.error("product", f"wrong_product needs a product slug, got {product!r}")
    location = f.get("location", str, None)
    if behaviour == "relative" and location is None:
        raise f.error("location", "relative needs the `location` header value as written")
    fail_first = f.get("fail_first", int, 0)
    if not 0 <= fail_first <= 100:
        raise f.error("fail_first", "must be 0 to 100")
    return LegacyRule(
        url=url,
        behaviour=behaviour,
        line=tomlsource.locate(f.text, f.name("url")),
        status=status,
        to=to,
        via=tuple(f.strings("via", [])),
        location=location,
        region=region,
        product=product,
        fail_first=fail_first,
        fail_with=f.get("fail_with", str, "503", choices=FAIL_WITH),
    )


def _faults(f: Fields) -> tuple[str, ...]:
    faults = tuple(f.strings("faults", []))
    for fault in faults:
        if fault not in PAGE_FAULTS:
            raise f.error("faults", f"{fault!r} is not one of {', '.join(PAGE_FAULTS)}")
    return faults


def stable_choice(key: str, options: int) -> int:
    """A deterministic pick among `options`, the same on every run and machine."""
    return zlib.crc32(key.encode()) % options
