"""Coverage: how much of the legacy catalogue made it to the target, per region and per product, and
how far a frozen regional site lags behind the target region it shadows.

Pure functions over the :class:`~auditor.graph.AuditGraph`. ``missing_product`` findings
(``auditor/rules/products.py``) are the same sets, one finding per (legacy region, product).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from auditor.graph import AuditGraph

#: Most product keys a regional-lag evidence lists (the count is always complete).
MAX_LISTED = 50


def legacy_catalog(graph: AuditGraph) -> dict[str, dict[str, list[str]]]:
    """legacy region -> product key -> its legacy product page URLs (listed in the inventory, or live
    pages of the legacy site's crawl), the profile's own origin first."""
    catalog: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for url, a in graph.url_nodes():
        if (
            a.get("role") == "legacy"
            and a.get("kind") == "product"
            and a.get("region")
            and a.get("product")
            and (a.get("inventory") or graph.live(url))
        ):
            catalog[a["region"]][a["product"]].append(url)
    origins = {s.origin for s in graph.profile.role("legacy")}
    for products in catalog.values():
        for urls in products.values():
            urls.sort(key=lambda u: (not any(u.startswith(o + "/") for o in origins), "?" in u, len(u), u))
    return {r: dict(p) for r, p in catalog.items()}


def live_products(graph: AuditGraph, role: str = "target") -> dict[str, dict[str, str]]:
    """region -> product key -> URL of a live product page (200, not a soft-404) on a site of ``role``."""
    live: dict[str, dict[str, str]] = defaultdict(dict)
    for url, a in graph.url_nodes():
        if a.get("role") == role and a.get("kind") == "product" and a.get("product") and graph.live(url):
            live[a["region"]].setdefault(a["product"], url)
    return dict(live)


def listed_products(graph: AuditGraph, role: str) -> dict[str, set[str]]:
    """region -> product keys a site of ``role`` has any product URL for (a page or a link to one)."""
    listed: dict[str, set[str]] = defaultdict(set)
    for _url, a in graph.url_nodes():
        if a.get("role") == role and a.get("product") and a.get("region"):
            listed[a["region"]].add(a["product"])
    return dict(listed)


def regional_lag(graph: AuditGraph) -> list[dict[str, Any]]:
    """Per regional site: the products live on the target region it shadows that it never lists, and
    the date of its newest page."""
    target_live = live_products(graph, "target")
    listed = listed_products(graph, "regional")
    out = []
    for site in graph.profile.role("regional"):
        newest = max(
            (
                a["newest"]
                for _u, a in graph.followed_pages(("regional",))
                if a.get("site") == site.name and a.get("newest")
            ),
            default=None,
        )
        for region in site.regions:
            live = target_live.get(region, {})
            lag = sorted(set(live) - listed.get(region, set()))
            out.append(
                {
                    "site": site.name,
                    "origin": site.origin,
                    "region": region,
                    "target_region": region,
                    "listed": len(listed.get(region, set())),
                    "on_target": len(live),
                    "lag": lag,
                    "newest_page": newest,
                }
            )
    return out


def coverage(graph: AuditGraph) -> dict[str, Any]:
    """``regions`` (per legacy region), ``products`` (per product) and ``regional`` (lag), as written
    into findings.json."""
    catalog = legacy_catalog(graph)
    live = live_products(graph, "target")
    regions = []
    per_product: dict[str, dict[str, Any]] = {}
    for legacy_region in _legacy_regions(graph, catalog):
        mapped = graph.profile.target_region(legacy_region)
        sold = catalog.get(legacy_region, {})
        on_target = live.get(mapped, {})
        missing = sorted(k for k in sold if k not in on_target)
        regions.append(
            {
                "region": legacy_region,
                "target_region": mapped,
                "legacy_products": len(sold),
                "on_target": len(sold) - len(missing),
                "missing": missing,
            }
        )
        for key in sold:
            row = per_product.setdefault(
                key,
                {"product": key, "name": graph.products.name(key), "legacy_regions": [], "missing_in": []},
            )
            row["legacy_regions"].append(legacy_region)
            if key in missing:
                row["missing_in"].append(legacy_region)
    products = sorted(per_product.values(), key=lambda r: r["product"])
    for row in products:
        row["target_regions"] = sorted(r for r, keys in live.items() if row["product"] in keys)
    return {"regions": regions, "products": products, "regional": regional_lag(graph)}


def _legacy_regions(graph: AuditGraph, catalog: dict[str, Any]) -> list[str]:
    """The legacy sites' regions in the profile's order (regions with no product still listed)."""
    ordered = [r for s in graph.profile.role("legacy") for r in s.regions]
    return list(dict.fromkeys([*ordered, *sorted(catalog)]))


#: Finding types that mean a legacy URL does not lead a visitor to the product.
BROKEN_PATH_TYPES = ("redirect_broken", "redirect_loop", "not_redirected")


def product_matrix(products: list[dict[str, Any]], findings: list[dict[str, Any]]) -> None:
    """Add ``regions`` to each product row: legacy region -> ``migrated`` | ``missing`` |
    ``redirect_broken`` (on the target, but a legacy URL of it in that region does not lead there).
    A region that never sold the product is absent (the report's "not sold there")."""
    broken = {
        (f["region"], f["product"]) for f in findings if f["type"] in BROKEN_PATH_TYPES and f["product"]
    }
    for row in products:
        row["regions"] = {
            r: "missing"
            if r in row["missing_in"]
            else "redirect_broken"
            if (r, row["product"]) in broken
            else "migrated"
            for r in row["legacy_regions"]
        }
