"""A real crawl of the default sandbox scenario (over HTTP, with Scrapy) and the facts it stored."""

from __future__ import annotations

import pytest

from auditor.sandbox import Sandbox
from auditor.store import CrawlStore
from tests.crawling import Run

PO = "https://www.po.co"
MI = "https://www.mi.com"
IN = "https://www.poco.in"


def hops(store: CrawlStore, url: str, purpose: str = "legacy") -> tuple[str, list[tuple]]:
    trace = store.trace(url, purpose)
    assert trace is not None, f"no {purpose} trace of {url}"
    return trace.end, [(h.url, h.status, h.location) for h in trace.hops]


def test_run_prints_rate_memory_and_scrapy_stats(default_run: Run) -> None:
    assert "pages/s" in default_run.stdout and "peak memory" in default_run.stdout
    assert "Scrapy stats (legacy):" in default_run.stdout and "Scrapy stats (site):" in default_run.stdout
    assert "finish_reason: finished" in default_run.stdout


def test_every_legacy_url_is_traced(store: CrawlStore, sandbox: Sandbox) -> None:
    starts = {t.start for t in store.traces("legacy")}
    assert set(sandbox.estate.legacy_urls) <= starts
    assert store.count("inventory") == len(set(sandbox.estate.legacy_urls))


def test_every_page_a_crawl_should_reach_is_stored(store: CrawlStore, sandbox: Sandbox) -> None:
    """The sandbox knows (from its own table) which pages a robots-obeying crawl of the audited
    regions reaches by links; each must be stored as crawled."""
    expected = {p.url for p in sandbox.truth().crawled_pages()}
    crawled = {p["url"] for p in store.pages("crawled = 1")}
    assert expected - crawled == set()


def test_healthy_301(store: CrawlStore) -> None:
    url = f"{PO}/global/product/poco-f5/"
    assert hops(store, url) == (
        "page",
        [(url, 301, f"{MI}/global/product/poco-f5/"), (f"{MI}/global/product/poco-f5/", 200, None)],
    )


def test_three_hop_chain_through_http_apex_and_www(store: CrawlStore) -> None:
    url = "http://po.co/uk/product/poco-f5/"
    end, chain = hops(store, url)
    assert end == "page"
    assert [(u, s) for u, s, _ in chain] == [
        (url, 301),
        ("https://po.co/uk/product/poco-f5/", 301),
        (f"{PO}/uk/product/poco-f5/", 301),
        (f"{MI}/uk/product/poco-f5/", 200),
    ]


def test_tracking_parameter_is_traced_as_listed(store: CrawlStore) -> None:
    url = "https://po.co/de/product/poco-f6/?utm_source=newsletter"
    end, chain = hops(store, url)
    assert end == "page" and chain[0][0] == url and chain[-1][:2] == (f"{MI}/de/product/poco-f6/", 200)


def test_loop_back_to_the_legacy_site(store: CrawlStore) -> None:
    url = f"{PO}/global/poco-x3-gt/"
    end, chain = hops(store, url)
    assert end == "loop"
    assert chain == [
        (url, 301, f"{MI}/global/product/poco-x3-gt"),
        (f"{MI}/global/product/poco-x3-gt", 301, url),
    ]


def test_self_redirect(store: CrawlStore) -> None:
    url = f"{PO}/tw/product/poco-f4/"
    assert hops(store, url) == ("loop", [(url, 301, url)])


def test_relative_location_resolved_against_the_hop(store: CrawlStore) -> None:
    trace = store.trace(f"{PO}/de/poco-f3/", "legacy")
    assert trace is not None and trace.end == "page"
    first = trace.hops[0]
    assert (first.status, first.location, first.raw_location) == (
        301,
        f"{PO}/de/product/poco-f3/",
        "/de/product/poco-f3/",
    )
    assert [h.status for h in trace.hops] == [301, 301, 200]


def test_protocol_relative_location(store: CrawlStore) -> None:
    end, chain = hops(store, f"{PO}/uk/poco-x4-pro-5g/")
    assert end == "page" and chain[0][2] == f"{MI}/uk/product/poco-x4-pro-5g/" and chain[1][1] == 200


def test_3xx_without_location(store: CrawlStore) -> None:
    url = f"{PO}/de/service/support/coupon-terms.html"
    assert hops(store, url) == ("no_location", [(url, 301, None)])


def test_refused_connection_is_a_row_with_its_retries(store: CrawlStore) -> None:
    trace = store.trace(f"{PO}/uk/service/support/declaration.html", "legacy")
    assert trace is not None and trace.end == "error"
    last = trace.final
    assert last.url == "https://shop.po.co/uk/support/declaration" and last.status is None
    assert "refused" in (last.error or "").lower() and last.retries == 2


def test_meta_refresh_is_a_hop(store: CrawlStore) -> None:
    trace = store.trace(f"{PO}/global/product/poco-f5-pro/specs/", "legacy")
    assert trace is not None and trace.end == "page"
    first = trace.hops[0]
    target = f"{MI}/global/product/poco-f5-pro/specs/"
    assert (first.status, first.via, first.location) == (200, "meta", target)
    assert trace.final.status == 200 and len(trace.hops) == 2


def test_503_then_200_is_stored_healthy(store: CrawlStore) -> None:
    trace = store.trace(f"{PO}/uk/product/poco-x6/", "legacy")
    assert trace is not None and trace.end == "page"
    assert trace.hops[0].status == 301 and trace.hops[0].retries == 2
    page = store.page(f"{MI}/uk/product/poco-f6/")  # 503 once, then fine
    assert page is not None and page["status"] == 200 and page["soft404"] == 0


@pytest.mark.parametrize("variant", ["jsonld", "og", "h1", "slug"])
def test_product_identity_from_each_markup_variant(store: CrawlStore, sandbox: Sandbox, variant: str) -> None:
    estate = sandbox.estate
    page = next(
        p
        for p in estate.pages.values()
        if (p.site, p.kind, p.variant, p.region) == ("target", "product", variant, "uk") and p.is_html
    )
    product = estate.s.product(page.product or "")
    assert product is not None
    row = store.page(page.url)
    assert row is not None, page.url
    found = {k: row[k] for k in ("ld_name", "og_title", "h1", "slug")}
    expected = {
        "jsonld": {"ld_name": product.name, "og_title": product.name, "h1": product.name},
        "og": {"ld_name": None, "og_title": product.name},
        "h1": {"ld_name": None, "og_title": None, "h1": product.name},
        "slug": {"ld_name": None, "og_title": None},
    }[variant]
    assert {k: found[k] for k in expected} == expected
    assert found["slug"] == product.slug
    if variant == "slug":
        assert found["h1"] != product.name  # only a tagline: the slug is the only identity


def test_soft404_verdicts(store: CrawlStore) -> None:
    def verdict(url: str) -> tuple[int | None, str | None]:
        row = store.page(url)
        assert row is not None, url
        return row["soft404"], row["soft404_reason"]

    assert verdict(f"{MI}/de/product/poco-f3-gt/")[0] == 1  # 200 with a "not found" page
    assert verdict(f"{MI}/de/errors/404")[0] == 1  # where unknown URLs land (302 -> here)
    assert verdict(f"{MI}/de/product/poco-f6/") == (0, None)  # a real product page
    assert verdict(f"{MI}/global/") == (0, None)
    assert verdict(f"{IN}/product/poco-x3/")[0] is None  # a hard 404 needs no verdict
    probes = store.probes()
    assert f"{MI}/de/product/" in probes and f"{IN}/product/" in probes


def test_freshness_evidence_of_a_frozen_regional_page(store: CrawlStore, sandbox: Sandbox) -> None:
    url = f"{IN}/product/poco-c75"
    row = store.page(url)
    assert row is not None
    sources = {e["source"]: e["date"] for e in row["freshness"]}
    frozen = sandbox.estate.pages[url].modified
    assert frozen is not None
    for source in ("last-modified", "article:modified_time", "sitemap-lastmod", "updated-text"):
        assert sources.get(source) == frozen.isoformat(), source
    assert sources["copyright"] == f"{frozen.year}-12-31"
    assert row["newest"] == frozen.isoformat()
    fresh = store.page(f"{IN}/ewarranty")
    assert fresh is not None and fresh["newest"] == "2026-10-02"


def test_crawl_traps_are_capped(store: CrawlStore, default_run: Run) -> None:
    facets = store.count(
        "pages", "crawled = 1 AND (url LIKE '%/phone/?%sort=%' OR url LIKE '%/phone/?%color=%')"
    )
    calendar = store.count("pages", "crawled = 1 AND url LIKE '%/events/calendar/%'")
    regions = 8  # the audited mi.com regions: each has its own faceted listing
    assert 0 < facets <= 8 * regions
    assert 0 < calendar <= 4
    assert "auditor/crawl/capped/faceted filters" in default_run.stdout


def test_robots_txt_is_obeyed_by_the_site_crawl(store: CrawlStore) -> None:
    fetched = store.count(
        "pages", "crawled = 1 AND (url LIKE '%/cart' OR url LIKE '%/user/%' OR url LIKE '%/search/%')"
    )
    assert fetched == 0
    trace = store.trace(f"{MI}/uk/cart", "page")
    assert trace is not None and trace.end == "robots"


def test_links_are_stored_normalised(store: CrawlStore) -> None:
    links = store.links_from(f"{MI}/uk/product/poco-f5/")
    assert ("canonical", f"{PO}/uk/product/poco-f5/", None) in links
    assert {rel for rel, _, _ in links} == {"a", "canonical"}
    alternates = store.links_from(f"{MI}/de/product/poco-f6/")
    assert ("hreflang", f"{PO}/de/product/poco-f6/", "en-de") in alternates
    # root-relative menu links come back absolute
    assert ("a", f"{MI}/uk/phone/", None) in links
    assert all(dst.startswith(("http://", "https://")) and "#" not in dst for _, dst, _ in links)


def test_links_to_other_sites_are_checked_not_followed(store: CrawlStore) -> None:
    trace = store.trace("https://buy.poco.in/cart", "link")
    assert trace is not None and trace.end == "error"
    assert store.count("pages", "crawled = 1 AND site IS NULL") == 0
    assert store.trace(f"{PO}/global/", "link") is not None  # a legacy link: its status checked


def test_sitemap_lastmod_is_recorded(store: CrawlStore) -> None:
    n = store.count("sitemap_entries", f"sitemap = '{IN}/sitemap.xml'")
    assert n > 10


def test_demo_audits_the_sandbox_end_to_end(tmp_path) -> None:
    """The README's first command: sandbox in a child process, its inventory and map, one full run."""
    import subprocess
    import sys

    out = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "demo", "--out", str(out), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "legacy URLs traced: 572 of 572" in proc.stdout
    assert (out / "crawl.sqlite").exists() and (out / "legacy-urls.txt").exists()
    assert (out / "redirect-map.csv").read_text().startswith("old_url,new_url\n")
    assert "audit: 150 findings" in proc.stdout and "coverage: 236/260" in proc.stdout
    assert "precision 1.000, recall 1.000 (150 of 150)" in proc.stdout  # scored against the truth
    for name in ("findings.json", "graph.json", "graph.graphml"):
        assert str(out / name) in proc.stdout and (out / name).stat().st_size > 0


def test_start_urls_that_redirect_away_are_not_inventoried(sandbox: Sandbox, tmp_path) -> None:
    """The profile's legacy start URLs begin discovery; one that only redirects (po.co is gone) is no
    evidence of a legacy page, so the inventory stays what was listed (and what answers live)."""
    import subprocess

    from tests.crawling import run_args

    listed = [f"{PO}/uk/product/poco-f5/", f"{PO}/fr/product/poco-f6/"]
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(listed) + "\n")
    rmap = tmp_path / "map.csv"
    rmap.write_text("old_url,new_url\n")
    out = tmp_path / "run"
    proc = subprocess.run(
        run_args(sandbox, out, urls, rmap, "--only", "legacy"), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    with CrawlStore(out / "crawl.sqlite", readonly=True) as s:
        assert sorted(url for _c, url, _s, _l in s.inventory()) == sorted(listed)
        # the start URLs were traced all the same (po.co/tw/ -> mi.com/tw/)
        assert s.trace(f"{PO}/tw/", "legacy") is not None
