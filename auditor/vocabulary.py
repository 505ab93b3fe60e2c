"""The closed vocabulary of findings: the contract shared by the rules, the reports and the sandbox.

Only names, severities, meanings and identities live here; no detection code does. The sandbox
derives its ground truth in this vocabulary from its own routing tables, the rules derive findings
from the crawl store, and the two meet only in these names.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

SCHEMA_ID = "auditor.findings/1"


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


#: Most severe first: the order reports and verdicts sort findings in.
SEVERITY_RANK = {s.value: i for i, s in enumerate(Severity)}


class FindingType(StrEnum):
    MISSING_PRODUCT = "missing_product"
    REDIRECT_BROKEN = "redirect_broken"
    REDIRECT_LOOP = "redirect_loop"
    REDIRECT_CHAIN = "redirect_chain"
    REDIRECT_TEMPORARY = "redirect_temporary"
    REDIRECT_HOMEPAGE = "redirect_homepage"
    REDIRECT_WRONG_REGION = "redirect_wrong_region"
    REDIRECT_WRONG_PRODUCT = "redirect_wrong_product"
    REDIRECT_MISMATCH = "redirect_mismatch"
    NOT_REDIRECTED = "not_redirected"
    STALE_PAGE = "stale_page"
    BROKEN_LINK = "broken_link"
    LEGACY_LINK = "legacy_link"


#: Default severity of each type, and what it means (the README's table is generated from this).
DEFINITIONS: dict[FindingType, tuple[Severity, str]] = {
    FindingType.MISSING_PRODUCT: (
        Severity.CRITICAL,
        "a product sold in legacy region R has no live product page on the target region R maps to; "
        "url = the product's legacy product page in R",
    ),
    FindingType.REDIRECT_BROKEN: (
        Severity.CRITICAL,
        "the legacy URL's redirect path ends in a 4xx/5xx, a soft-404, a network error, a 3xx without "
        "a usable Location, or the hop cap",
    ),
    FindingType.REDIRECT_LOOP: (
        Severity.CRITICAL,
        "the redirect path revisits a URL (a self-redirect included)",
    ),
    FindingType.REDIRECT_CHAIN: (Severity.MINOR, "the path takes more than max_hops redirects to land"),
    FindingType.REDIRECT_TEMPORARY: (
        Severity.MAJOR,
        "a hop of a permanent move answers 302, 303 or 307 instead of 301/308",
    ),
    FindingType.REDIRECT_HOMEPAGE: (
        Severity.MAJOR,
        "a deep legacy URL (product, specs, service page) lands on a site or region home page",
    ),
    FindingType.REDIRECT_WRONG_REGION: (
        Severity.MAJOR,
        "the path lands on a target page of another region than the one the legacy region maps to",
    ),
    FindingType.REDIRECT_WRONG_PRODUCT: (
        Severity.CRITICAL,
        "a legacy product URL lands on another product's page (a renamed slug naming the same product "
        "is not wrong)",
    ),
    FindingType.REDIRECT_MISMATCH: (Severity.MAJOR, "the final URL differs from the --redirect-map row"),
    FindingType.NOT_REDIRECTED: (
        Severity.MAJOR,
        "the legacy URL answers 200 itself, or a 4xx, without redirecting",
    ),
    FindingType.STALE_PAGE: (
        Severity.MINOR,
        "a page of a live regional site whose newest freshness evidence is older than "
        "stale_after_days at as-of",
    ),
    FindingType.BROKEN_LINK: (
        Severity.MAJOR,
        "url = a link target, found on a target or regional page, that answers 4xx/5xx or a network error",
    ),
    FindingType.LEGACY_LINK: (
        Severity.MINOR,
        "url = a target or regional page that still links (a href, hreflang, canonical) to the legacy domain",
    ),
}


def default_severity(kind: FindingType | str) -> Severity:
    return DEFINITIONS[FindingType(kind)][0]


def finding_id(kind: FindingType | str, url: str) -> str:
    """The stable id of a finding: the same defect on the same URL has the same id every night.

    A finding is keyed by its type and its URL as listed (one URL may carry several types, and
    each finding type names one URL per defect: missing_product names the legacy product page,
    broken_link the broken target, legacy_link the page that links).
    """
    digest = hashlib.sha256(f"{FindingType(kind).value}\n{url}".encode()).hexdigest()
    return f"{FindingType(kind).value}:{digest[:12]}"
