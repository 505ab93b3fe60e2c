"""What each rule examined: the subjects a finding type could have been reported on.

A JUnit test case is one subject (passing unless a finding of that type names it), and the report
states how many were checked. Subjects follow the rules' own scopes: the traced legacy inventory for
redirect types, (legacy region, product) pairs for missing_product, followed regional pages for
stale_page, judged link targets for broken_link, followed target and regional pages for legacy_link.
"""

from __future__ import annotations

from auditor.coverage import legacy_catalog
from auditor.graph import AuditGraph
from auditor.rules.links import PURPOSES
from auditor.rules.paths import legacy_paths
from auditor.urls import canonical
from auditor.vocabulary import FindingType as F

LEGACY_TYPES = (
    F.REDIRECT_BROKEN,
    F.REDIRECT_LOOP,
    F.REDIRECT_CHAIN,
    F.REDIRECT_TEMPORARY,
    F.REDIRECT_HOMEPAGE,
    F.REDIRECT_WRONG_REGION,
    F.REDIRECT_WRONG_PRODUCT,
    F.REDIRECT_MISMATCH,
    F.NOT_REDIRECTED,
)


def checked(graph: AuditGraph) -> dict[F, list[str]]:
    """Finding type -> the URLs its rule judged, sorted."""
    legacy = sorted(p.url for p in legacy_paths(graph) if p.outcome != "unchecked")
    out: dict[F, list[str]] = {t: legacy for t in LEGACY_TYPES}
    out[F.REDIRECT_MISMATCH] = [u for u in legacy if canonical(u) in graph.redirect_map]
    catalog = legacy_catalog(graph)
    out[F.MISSING_PRODUCT] = sorted(urls[0] for products in catalog.values() for urls in products.values())
    followed = sorted(url for url, _a in graph.followed_pages())
    out[F.LEGACY_LINK] = followed
    out[F.STALE_PAGE] = sorted(url for url, _a in graph.followed_pages(("regional",)))
    out[F.BROKEN_LINK] = sorted(t for t in graph.links.targets(followed) if _judged(graph, t))
    return out


def _judged(graph: AuditGraph, url: str) -> bool:
    trace = graph.trace(url, PURPOSES)
    return trace is not None and bool(trace["hops"]) and trace["end"] != "robots"
