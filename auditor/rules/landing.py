"""Where a legacy URL lands: redirect_homepage, redirect_wrong_region, redirect_wrong_product,
redirect_mismatch. Judged only for paths that land on a page (see ``paths.py``)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.findings import Finding
from auditor.graph import AuditGraph
from auditor.identity import PRODUCT_KINDS
from auditor.rules import rule
from auditor.rules.paths import LegacyPath, legacy_paths
from auditor.urls import canonical
from auditor.vocabulary import FindingType as F


def _landed(graph: AuditGraph) -> Iterator[LegacyPath]:
    return (p for p in legacy_paths(graph) if p.outcome == "landed")


def _finding(kind: F, p: LegacyPath, message: str, **evidence: object) -> Finding:
    return Finding(kind, p.url, p.region, p.product, message, p.hops, {"landing": p.final_url, **evidence})


@rule(F.REDIRECT_HOMEPAGE)
def redirect_homepage(graph: AuditGraph) -> Iterator[Finding]:
    """A legacy page that is not a home page lands on the target's site root or a region's home."""
    for p in _landed(graph):
        if p.kind != "home" and p.final.get("role") == "target" and p.final.get("kind") == "home":
            where = f"region {p.final['region']!r}" if p.final.get("region") else "the site root"
            yield _finding(
                F.REDIRECT_HOMEPAGE,
                p,
                f"a {p.kind} page lands on the home page of {where}: {p.final_url}",
                legacy_kind=p.kind,
                landing_region=p.final.get("region"),
            )


@rule(F.REDIRECT_WRONG_REGION)
def redirect_wrong_region(graph: AuditGraph) -> Iterator[Finding]:
    for p in _landed(graph):
        if p.region is None:
            continue
        expected = graph.profile.target_region(p.region)
        landed = p.final.get("region")
        if p.final.get("role") == "target" and landed and landed != expected:
            yield _finding(
                F.REDIRECT_WRONG_REGION,
                p,
                f"lands in region {landed!r}; legacy region {p.region!r} maps to {expected!r}",
                expected_region=expected,
                landed_region=landed,
            )


@rule(F.REDIRECT_WRONG_PRODUCT)
def redirect_wrong_product(graph: AuditGraph) -> Iterator[Finding]:
    """A legacy product (or specs) URL lands on a page of another product. Identity is the joined
    product key (auditor/identity.py): a renamed slug whose page names the product is not wrong."""
    for p in _landed(graph):
        landed = p.final.get("product") if p.final.get("kind") in PRODUCT_KINDS else None
        if p.product is None or landed is None or landed == p.product:
            continue
        printed = p.final.get("ld_name") or p.final.get("og_title") or p.final.get("h1")
        yield _finding(
            F.REDIRECT_WRONG_PRODUCT,
            p,
            f"{graph.product_name(p.product)} lands on the page of {graph.product_name(landed)}",
            landed_product=landed,
            landing_names=printed,
            legacy_slug=graph.node(p.url).get("slug"),
        )


@rule(F.REDIRECT_MISMATCH)
def redirect_mismatch(graph: AuditGraph) -> Iterator[Finding]:
    """The path lands elsewhere than the redirect map's row for it (compared in canonical form)."""
    for p in _landed(graph):
        expected = graph.redirect_map.get(canonical(p.url))
        if expected is not None and canonical(expected) != canonical(p.final_url):
            yield _finding(
                F.REDIRECT_MISMATCH,
                p,
                f"lands on {p.final_url}; the redirect map says {expected}",
                expected=expected,
            )
