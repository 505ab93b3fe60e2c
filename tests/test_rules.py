"""Each rule on tiny hand-built graphs (no crawl): seeded defects, near misses and edge cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from auditor.coverage import coverage
from auditor.findings import Finding
from auditor.graph import AuditGraph, write_graphml, write_node_link
from auditor.identity import Named, ProductIndex, pretty, slugify
from auditor.profile import Profile, load
from auditor.rules import RULES, judge
from auditor.vocabulary import FindingType as F

PO = "https://www.po.co"
MI = "https://www.mi.com"
IN = "https://www.poco.in"
AS_OF = dt.date(2026, 11, 21)
PROFILE = load()

Hop = tuple[str, int | None, str | None]


def new_graph(profile: Profile = PROFILE, as_of: dt.date = AS_OF) -> AuditGraph:
    return AuditGraph(profile, as_of)


def page(g: AuditGraph, url: str, status: int = 200, crawled: int = 0, **facts: Any) -> None:
    g.add_page(url, status=status, crawled=crawled, content_type="text/html", **facts)


def legacy(g: AuditGraph, url: str, *hops: Hop, end: str = "page", **extra: Any) -> None:
    """A legacy inventory URL and its trace; the last hop's page is added when the path ends on one."""
    g.add_inventory(url)
    g.add_trace(url, "legacy", end, [{"url": u, "status": s, "location": loc, **extra} for u, s, loc in hops])


def found(g: AuditGraph, kind: F) -> dict[str, Finding]:
    g.finish()
    return {f.url: f for f in RULES[kind](g)}


def one_hop(start: str, landing: str, status: int = 301) -> AuditGraph:
    """A legacy URL that moves in one hop (``status``) to a live page."""
    g = new_graph()
    legacy(g, start, (start, status, landing), (landing, 200, None))
    page(g, landing)
    return g


def product_page(g: AuditGraph, region: str, slug: str, name: str | None = None, **kw: Any) -> str:
    url = f"{MI}/{region}/product/{slug}/"
    page(g, url, ld_name=name, **kw)
    return url


# -- redirect_loop ------------------------------------------------------------------------------
def test_loop_of_length_one_is_a_loop() -> None:
    g = new_graph()
    url = f"{PO}/tw/product/poco-f4/"
    legacy(g, url, (url, 301, url), end="loop")
    product_page(g, "tw", "poco-f4", "POCO F4")  # the product itself made it: no missing_product
    f = found(g, F.REDIRECT_LOOP)[url]
    assert f.evidence["loop_length"] == 1 and "redirects to itself" in f.message
    assert f.product == "poco-f4" and f.region == "tw"
    assert judge(g) == [f]  # a loop is only a loop: not also broken, chained or temporary


def test_two_site_loop() -> None:
    g = new_graph()
    a, b = f"{PO}/global/poco-x3-gt/", f"{MI}/global/product/poco-x3-gt"
    legacy(g, a, (a, 301, b), (b, 301, a), end="loop")
    assert found(g, F.REDIRECT_LOOP)[a].evidence == {"revisited": a, "loop_length": 2}


def test_same_host_twice_is_not_a_loop() -> None:
    g = new_graph()
    a, b, c = "http://www.po.co/uk/product/poco-f5/", f"{PO}/uk/product/poco-f5/", f"{MI}/uk/product/poco-f5/"
    legacy(g, a, (a, 301, b), (b, 301, c), (c, 200, None))
    page(g, c)
    assert found(g, F.REDIRECT_LOOP) == {}


# -- redirect_chain -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("max_hops", "redirects", "reported"),
    [(1, 1, False), (1, 2, True), (2, 2, False), (2, 3, True)],
    ids=["one hop at max 1", "two hops at max 1", "exactly max_hops=2", "one over max_hops=2"],
)
def test_chain_counts_redirects_against_max_hops(max_hops: int, redirects: int, reported: bool) -> None:
    g = new_graph(dataclasses.replace(PROFILE, max_hops=max_hops))
    urls = [
        f"{PO}/uk/product/poco-f5/",
        *[f"{PO}/x{i}/" for i in range(redirects - 1)],
        f"{MI}/uk/product/poco-f5/",
    ]
    hops = [(u, 301, urls[i + 1]) for i, u in enumerate(urls[:-1])] + [(urls[-1], 200, None)]
    legacy(g, urls[0], *hops)
    page(g, urls[-1])
    chain = found(g, F.REDIRECT_CHAIN)
    assert (urls[0] in chain) is reported
    if reported:
        assert chain[urls[0]].evidence["redirects"] == redirects


def test_meta_refresh_is_a_hop() -> None:
    g = new_graph()
    a, b, c = (
        f"{PO}/global/product/poco-f5-pro/specs/",
        f"{MI}/global/x/",
        f"{MI}/global/product/poco-f5-pro/specs/",
    )
    legacy(g, a, (a, 301, b), (b, 200, c), (c, 200, None))
    page(g, c)
    assert found(g, F.REDIRECT_CHAIN)[a].evidence["redirects"] == 2


# -- redirect_temporary -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "reported"), [(302, True), (303, True), (307, True), (301, False), (308, False)]
)
def test_temporary_statuses(status: int, reported: bool) -> None:
    a, b = f"{PO}/es/product/poco-f5/", f"{MI}/es/product/poco-f5/"
    assert (a in found(one_hop(a, b, status), F.REDIRECT_TEMPORARY)) is reported


def test_temporary_hop_to_a_broken_page_is_only_broken() -> None:
    g = new_graph()
    a, b = f"{PO}/es/service/warranty/", f"{MI}/es/support/warranty/"
    legacy(g, a, (a, 302, b), (b, 404, None))
    page(g, b, 404)
    assert [f.type for f in judge(g.finish())] == [F.REDIRECT_BROKEN]


# -- redirect_homepage --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "landing", "reported"),
    [
        (f"{PO}/de/product/poco-x5-5g/", f"{MI}/de/", True),  # product -> region home
        (f"{PO}/it/service/support/points-terms.html", f"{MI}/it/", True),  # support page -> region home
        (f"{PO}/de/product/poco-x5-5g/", f"{MI}/", True),  # product -> the site root
        (f"{PO}/de/", f"{MI}/de/", False),  # a home page may land on a home page
        (f"{PO}/de/product/poco-x5-5g/", f"{MI}/de/product/poco-x5-5g/", False),
    ],
    ids=["product to region home", "support to region home", "product to site root", "home to home", "deep"],
)
def test_homepage(start: str, landing: str, reported: bool) -> None:
    f = found(one_hop(start, landing), F.REDIRECT_HOMEPAGE)
    assert (start in f) is reported
    if reported and landing == f"{MI}/":
        assert "site root" in f[start].message


# -- redirect_wrong_region ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "landing", "reported"),
    [
        (f"{PO}/fr/product/poco-f6/", f"{MI}/global/product/poco-f6/", True),
        (f"{PO}/ru/product/poco-f6/", f"{MI}/global/product/poco-f6/", False),  # ru maps to global
        (f"{PO}/fr/product/poco-f6/", f"{MI}/fr/product/poco-f6/", False),
    ],
)
def test_wrong_region(start: str, landing: str, reported: bool) -> None:
    f = found(one_hop(start, landing), F.REDIRECT_WRONG_REGION)
    assert (start in f) is reported
    if reported:
        assert f[start].evidence["expected_region"] == "fr" and f[start].evidence["landed_region"] == "global"


# -- redirect_wrong_product and identity --------------------------------------------------------
def test_renamed_slug_naming_the_product_is_the_same_product() -> None:
    g = new_graph()
    a, b = f"{PO}/uk/product/poco-x6-pro-5g/", f"{MI}/uk/product/poco-x6-pro/"
    legacy(g, a, (a, 301, b), (b, 200, None))
    product_page(g, "uk", "poco-x6-pro", "POCO X6 Pro 5G")
    assert found(g, F.REDIRECT_WRONG_PRODUCT) == {}
    assert g.node(a)["product"] == "poco-x6-pro"
    assert (b, "product:poco-x6-pro", "describes", {"by": "slug"}) in list(g.edges())
    assert g.products.how("poco-x6-pro-5g") == "name"


def test_near_twin_is_another_product() -> None:
    g = new_graph()
    a, b = f"{PO}/uk/product/poco-m6-pro-5g/", f"{MI}/uk/product/poco-m6-pro/"
    legacy(g, a, (a, 301, b), (b, 200, None))
    product_page(g, "uk", "poco-m6-pro", "POCO M6 Pro")
    product_page(g, "uk", "poco-m6-pro-5g", "POCO M6 Pro 5G")
    f = found(g, F.REDIRECT_WRONG_PRODUCT)[a]
    assert f.product == "poco-m6-pro-5g" and f.evidence["landed_product"] == "poco-m6-pro"
    assert f.message == "POCO M6 Pro 5G lands on the page of POCO M6 Pro"


def test_m4_pro_and_m4_pro_5g_stay_two_products_unless_the_profile_says_otherwise() -> None:
    def wrong(profile: Profile) -> dict[str, Finding]:
        g = new_graph(profile)
        a, b = f"{PO}/global/product/poco-m4-pro-5g/", f"{MI}/global/product/poco-m4-pro/"
        legacy(g, a, (a, 301, b), (b, 200, None))
        product_page(g, "global", "poco-m4-pro", "POCO M4 Pro")  # "poco-m4-pro" != "poco-m4-pro-5g"
        return found(g, F.REDIRECT_WRONG_PRODUCT)

    assert len(wrong(PROFILE)) == 1
    aliased = dataclasses.replace(PROFILE, product_aliases={"poco-m4-pro-5g": "poco-m4-pro"})
    assert wrong(aliased) == {}


def test_specs_page_landing_on_the_home_page_is_not_a_product_verdict() -> None:
    g = new_graph()
    a, b = f"{PO}/de/product/poco-x5-5g/specs/", f"{MI}/de/"
    legacy(g, a, (a, 301, b), (b, 200, None))
    page(g, b)
    assert found(g, F.REDIRECT_WRONG_PRODUCT) == {}


@pytest.mark.parametrize(
    ("name", "slug"),
    [("POCO X6 Pro 5G", "poco-x6-pro-5g"), ("POCOPHONE F1", "pocophone-f1"), (" Poco  F4 GT ", "poco-f4-gt")],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_product_index_prefers_same_slug_then_name_then_itself() -> None:
    index = ProductIndex.build(
        [
            Named("target", "poco-x6-pro", "product", True, ("POCO X6 Pro 5G", "", "")),
            Named("target", "poco-m4-pro", "product", True, ("", "", "POCO M4 Pro")),
            Named("target", "poco-f3-gt", "product", False, ("", "", "")),  # a soft-404: no live slug
        ]
    )
    assert index.key("poco-x6-pro-5g") == "poco-x6-pro"
    assert index.key("poco-m4-pro") == "poco-m4-pro" and index.key("poco-m4-pro-5g") == "poco-m4-pro-5g"
    assert index.key("poco-f3-gt") == "poco-f3-gt" and index.how("poco-f3-gt") == "unknown"
    assert index.name("poco-x6-pro") == "POCO X6 Pro 5G" and index.name("poco-m4-pro") == "POCO M4 Pro"
    assert pretty("poco-f3-gt") == "POCO F3 GT"


def test_names_join_across_hyphen_spellings() -> None:
    index = ProductIndex.build([Named("target", "poco-pad", "product", True, ("POCO Pad Wi-Fi", "", ""))])
    assert index.key("poco-pad-wifi") == "poco-pad" and index.how("poco-pad-wifi") == "name"
    assert index.key("poco-pad-wi-fi") == "poco-pad" and index.key("poco-pad-5g") == "poco-pad-5g"


# -- redirect_mismatch --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mapped", "reported"),
    [
        (f"{MI}/global/product/poco-x6/", True),
        (f"{MI}/global/product/poco-x6-neo/", False),
        (f"{MI}/global/product/poco-x6-neo/?utm_source=map", False),  # same page in canonical form
    ],
)
def test_mismatch_compares_canonical_forms(mapped: str, reported: bool) -> None:
    a, b = f"{PO}/global/product/poco-x6/", f"{MI}/global/product/poco-x6-neo/"
    g = one_hop(a, b)
    g.add_map_row(a, mapped)
    assert (a in found(g, F.REDIRECT_MISMATCH)) is reported


# -- not_redirected and redirect_broken ---------------------------------------------------------
@pytest.mark.parametrize(
    ("hops", "end", "final_status", "soft404", "kind"),
    [
        ([200], "page", 200, False, F.NOT_REDIRECTED),
        ([410], "page", 410, False, F.NOT_REDIRECTED),
        ([301, 200], "page", 200, False, F.NOT_REDIRECTED),  # po.co's own http->https hop, then 200
        ([500], "page", 500, False, F.REDIRECT_BROKEN),  # a legacy 5xx is broken, not "not redirected"
        ([301, 404], "page", 404, False, F.REDIRECT_BROKEN),
        ([301, 200], "page", 200, True, F.REDIRECT_BROKEN),  # lands on a soft-404
        ([301], "no_location", 301, False, F.REDIRECT_BROKEN),
        ([301, None], "error", None, False, F.REDIRECT_BROKEN),  # refused connection
        ([301] * 11, "cap", 301, False, F.REDIRECT_BROKEN),
        ([301], "bad_location", 301, False, F.REDIRECT_BROKEN),
    ],
    ids=[
        "legacy 200",
        "legacy 410",
        "legacy 301 200",
        "legacy 500",
        "404",
        "soft-404",
        "no Location",
        "refused",
        "hop cap",
        "mailto Location",
    ],
)
def test_not_redirected_or_broken(
    hops: list[int | None], end: str, final_status: int | None, soft404: bool, kind: F
) -> None:
    g = new_graph()
    start = f"{PO}/uk/service/support/declaration.html"
    on_legacy = kind is F.NOT_REDIRECTED
    urls = [start] + [
        (f"{PO}/uk/x{i}" if on_legacy else f"{MI}/uk/support/x{i}") for i in range(1, len(hops))
    ]
    trace = [
        (u, s, urls[i + 1] if i + 1 < len(urls) else None)
        for i, (u, s) in enumerate(zip(urls, hops, strict=True))
    ]
    legacy(g, start, *trace, end=end, **({"error": "ConnectionRefusedError"} if end == "error" else {}))
    if end == "page":
        page(
            g, urls[-1], final_status or 0, soft404=int(soft404), soft404_reason="probe" if soft404 else None
        )
    result = judge(g.finish())
    assert [f.type for f in result] == [kind]
    if kind is F.REDIRECT_BROKEN:
        assert result[0].evidence["final_status"] == final_status
        assert ("error" in result[0].evidence) is (end == "error")


def test_503_then_200_with_retries_is_healthy() -> None:
    g = new_graph()
    a, b = f"{PO}/uk/product/poco-x6/", f"{MI}/uk/product/poco-x6/"
    g.add_inventory(a)
    g.add_trace(
        a,
        "legacy",
        "page",
        [{"url": a, "status": 301, "location": b, "retries": 2}, {"url": b, "status": 200, "location": None}],
    )
    page(g, b)
    product_page(g, "uk", "poco-x6", "POCO X6")
    assert judge(g.finish()) == []


# -- missing_product and coverage ---------------------------------------------------------------
def test_missing_product_per_mapped_region_with_product_pages_in_two_regions() -> None:
    g = new_graph()
    for region in ("uk", "de", "ru"):
        legacy(
            g,
            f"{PO}/{region}/product/poco-f6/",
            (f"{PO}/{region}/product/poco-f6/", 301, f"{MI}/x/"),
            (f"{MI}/x/", 200, None),
        )
    legacy(
        g,
        "http://po.co/uk/product/poco-f6/",
        ("http://po.co/uk/product/poco-f6/", 301, f"{MI}/x/"),
        (f"{MI}/x/", 200, None),
    )  # a second listing of the same legacy page
    page(g, f"{MI}/x/")
    product_page(g, "uk", "poco-f6", "POCO F6")  # live in uk
    product_page(g, "de", "poco-f6", "POCO F6", status=410)  # withdrawn in de
    product_page(g, "fr", "poco-f6", "POCO F6")  # live in fr: does not count for de or ru's global
    product_page(g, "global", "poco-f6", "POCO F6", soft404=1)  # a soft-404 is not live
    missing = found(g, F.MISSING_PRODUCT)
    assert sorted(missing) == [f"{PO}/de/product/poco-f6/", f"{PO}/ru/product/poco-f6/"]
    de = missing[f"{PO}/de/product/poco-f6/"]
    assert de.evidence["target_pages"] == [
        {"url": f"{MI}/de/product/poco-f6/", "status": 410, "soft404": False}
    ]
    assert de.evidence["live_in_regions"] == ["fr", "uk"]
    assert missing[f"{PO}/ru/product/poco-f6/"].evidence["target_region"] == "global"
    cov = {c["region"]: c for c in coverage(g)["regions"]}
    assert (cov["uk"]["legacy_products"], cov["uk"]["on_target"], cov["uk"]["missing"]) == (1, 1, [])
    assert cov["ru"]["missing"] == ["poco-f6"] and cov["ru"]["target_region"] == "global"
    assert cov["fr"]["legacy_products"] == 0
    (product,) = coverage(g)["products"]
    assert product["missing_in"] == ["de", "ru"] and product["target_regions"] == ["fr", "uk"]


def test_renamed_product_is_not_missing() -> None:
    g = new_graph()
    a = f"{PO}/uk/product/poco-x6-pro-5g/"
    legacy(g, a, (a, 301, f"{MI}/uk/product/poco-x6-pro/"), (f"{MI}/uk/product/poco-x6-pro/", 200, None))
    product_page(g, "uk", "poco-x6-pro", "POCO X6 Pro 5G")
    assert found(g, F.MISSING_PRODUCT) == {}


def test_probe_pages_are_never_products() -> None:
    g = new_graph()
    probe = f"{PO}/uk/product/auditor-probe-0123456789/"
    g.add_probe(probe)
    page(g, probe, crawled=1)
    assert found(g, F.MISSING_PRODUCT) == {}


# -- stale_page and regional lag ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("age_days", "url", "reported"),
    [
        (181, f"{IN}/product/poco-x6/", True),
        (180, f"{IN}/product/poco-x6/", False),
        (30, f"{IN}/ewarranty", False),
        (400, f"{MI}/in/product/poco-x6/", False),
    ],
    ids=["181 days", "exactly 180 days", "fresh", "target pages are never stale"],
)
def test_stale_page(age_days: int, url: str, reported: bool) -> None:
    g = new_graph()
    newest = (AS_OF - dt.timedelta(days=age_days)).isoformat()
    page(g, url, crawled=1, newest=newest, newest_source="meta:last-modified", freshness=[])
    f = found(g, F.STALE_PAGE)
    assert (url in f) is reported
    if reported:
        assert f[url].evidence["newest"] == newest and f[url].evidence["age_days"] == age_days
        assert f[url].product == "poco-x6" and f[url].region == "in"


def test_page_without_freshness_evidence_is_not_stale() -> None:
    g = new_graph()
    page(g, f"{IN}/smartphones", crawled=1)
    assert found(g, F.STALE_PAGE) == {}


def test_regional_lag_is_evidence_on_stale_pages() -> None:
    g = new_graph()
    page(g, f"{IN}/product/poco-x6/", crawled=1, newest="2024-12-18", newest_source="http:last-modified")
    product_page(g, "in", "poco-x6", "POCO X6")
    product_page(g, "in", "poco-x7", "POCO X7")
    lag = found(g, F.STALE_PAGE)[f"{IN}/product/poco-x6/"].evidence["regional_lag"]
    assert lag == {
        "target_region": "in",
        "products_missing": 1,
        "products": ["poco-x7"],
        "site_newest_page": "2024-12-18",
    }
    (regional,) = coverage(g)["regional"]
    assert regional["lag"] == ["poco-x7"] and regional["listed"] == 1 and regional["on_target"] == 2


# -- broken_link and legacy_link ----------------------------------------------------------------
def linking_graph(
    target: str, *hops: Hop, end: str = "page", soft404: int = 0, crawled: int = 1
) -> AuditGraph:
    g = new_graph()
    src = f"{MI}/uk/support/"
    page(g, src, crawled=crawled)
    g.add_link(src, "a", target, "a link")
    if hops:
        g.add_trace(target, "link", end, [{"url": u, "status": s, "location": loc} for u, s, loc in hops])
        if end == "page":
            page(g, hops[-1][0], hops[-1][1] or 0, soft404=soft404)
    return g


LINK = f"{MI}/uk/support/article/KA-09999/"


@pytest.mark.parametrize(
    ("hops", "end", "soft404", "reported"),
    [
        ([(LINK, 404, None)], "page", 0, True),
        ([(LINK, 302, f"{MI}/uk/errors/404"), (f"{MI}/uk/errors/404", 200, None)], "page", 1, True),
        ([("https://buy.poco.in/cart", None, None)], "error", 0, True),
        ([(LINK, 301, LINK)], "loop", 0, True),
        ([(LINK, 503, None)], "page", 0, True),  # still 503 after the retries: persistent
        ([(LINK, 301, f"{MI}/uk/support/terms/"), (f"{MI}/uk/support/terms/", 200, None)], "page", 0, False),
        ([(LINK, 200, None)], "page", 0, False),
        ([(LINK, None, None)], "robots", 0, False),  # robots.txt kept the crawler out: not judged
        ([], "page", 0, False),  # never traced (past a crawl cap): not judged
    ],
    ids=["404", "302 to soft-404", "refused", "loop", "503", "301 to live", "200", "robots", "untraced"],
)
def test_broken_link(hops: list[Hop], end: str, soft404: int, reported: bool) -> None:
    target = hops[0][0] if hops else LINK
    g = linking_graph(target, *hops, end=end, soft404=soft404)
    f = found(g, F.BROKEN_LINK)
    assert (target in f) is reported
    if reported:
        assert f[target].evidence["linked_from"] == [f"{MI}/uk/support/"]
        assert [h["url"] for h in f[target].hops] == [h[0] for h in hops]


def test_links_of_pages_the_crawl_did_not_follow_are_not_judged() -> None:
    g = linking_graph(LINK, (LINK, 404, None), crawled=0)
    assert found(g, F.BROKEN_LINK) == {}


@pytest.mark.parametrize(
    ("rel", "target", "reported"),
    [
        ("a", f"{PO}/global/", True),
        ("canonical", "https://po.co/uk/product/poco-f5/", True),
        ("hreflang", "https://shop.po.co/de/", True),  # a subdomain of the legacy domain
        ("a", f"{IN}/", False),  # the regional site is not the legacy site
        ("a", "https://notpo.co/", False),  # a suffix, not a subdomain
    ],
)
def test_legacy_link(rel: str, target: str, reported: bool) -> None:
    g = new_graph()
    src = f"{MI}/uk/product/poco-f5/"
    page(g, src, crawled=1)
    g.add_link(src, rel, target)
    f = found(g, F.LEGACY_LINK)
    assert (src in f) is reported
    if reported:
        assert f[src].evidence["links"] == [{"rel": rel, "url": target, "text": None}]
        assert f[src].product == "poco-f5"


# -- the registry and the exports ----------------------------------------------------------------
def test_every_finding_type_has_one_rule_named_after_it() -> None:
    assert set(RULES) == set(F)
    assert all(fn.__name__ == kind.value for kind, fn in RULES.items())


def test_graph_exports_read_back(tmp_path: Path) -> None:
    g = new_graph()
    a, b = f"{PO}/uk/product/poco-x6-pro-5g/", f"{MI}/uk/product/poco-x6-pro/"
    legacy(g, a, (a, 301, b), (b, 200, None))
    product_page(g, "uk", "poco-x6-pro", "POCO X6 Pro 5G")
    g.add_link(b, "hreflang", f"{MI}/de/product/poco-x6-pro/")
    g.finish()
    write_node_link(g, tmp_path / "graph.json")
    back = nx.node_link_graph(json.loads((tmp_path / "graph.json").read_text()), edges="edges")
    assert back.has_edge(a, b, key="redirects_to") and back.edges[a, b, "redirects_to"]["status"] == 301
    assert back.nodes["product:poco-x6-pro"]["slugs"] == ["poco-x6-pro", "poco-x6-pro-5g"]
    assert back.has_edge(b, "product:poco-x6-pro", key="describes")
    assert back.has_edge(b, f"{MI}/de/product/poco-x6-pro/", key="hreflang")
    write_graphml(g, tmp_path / "graph.graphml")
    ml = nx.read_graphml(tmp_path / "graph.graphml", force_multigraph=True)
    assert ml.nodes[b]["status"] == 200 and ml.nodes["region:target/uk"]["type"] == "region"
    assert {d["type"] for _u, _v, d in ml.edges(data=True)} >= {"redirects_to", "describes", "hreflang"}
