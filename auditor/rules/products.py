"""missing_product: a product a legacy region sold has no live product page on the target region the
legacy region maps to. One finding per (legacy region, product), on its legacy product page."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.coverage import legacy_catalog, live_products
from auditor.findings import Finding
from auditor.graph import AuditGraph
from auditor.rules import rule
from auditor.vocabulary import FindingType as F


@rule(F.MISSING_PRODUCT)
def missing_product(graph: AuditGraph) -> Iterator[Finding]:
    live = live_products(graph, "target")
    target = graph.profile.role("target")[0]
    dead: dict[tuple[str, str], list[dict[str, object]]] = {}
    for url, a in graph.url_nodes():  # target product pages that exist but are not live: evidence
        if (
            a.get("role") == "target"
            and a.get("product")
            and a.get("kind") == "product"
            and a.get("page")
            and not graph.live(url)
        ):
            dead.setdefault((a["region"], a["product"]), []).append(
                {"url": url, "status": a.get("status"), "soft404": bool(a.get("soft404"))}
            )
    for region, products in sorted(legacy_catalog(graph).items()):
        mapped = graph.profile.target_region(region)
        for key, urls in sorted(products.items()):
            if key in live.get(mapped, {}):
                continue
            elsewhere = sorted(r for r, keys in live.items() if key in keys)
            trace = graph.trace(urls[0], ("legacy",))
            yield Finding(
                F.MISSING_PRODUCT,
                urls[0],
                region,
                key,
                f"{graph.product_name(key)} was sold on the legacy {region!r} site but has no live product "
                f"page on {target.origin}/{mapped}/",
                evidence={
                    "target_region": mapped,
                    "target_pages": dead.get((mapped, key), []),
                    "live_in_regions": elsewhere,
                    "legacy_urls": urls,
                    "legacy_lands_on": trace["hops"][-1]["url"] if trace and trace["hops"] else None,
                },
            )
