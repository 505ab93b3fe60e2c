"""The estate over real HTTP behaves as the default scenario says."""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET

import pytest

from tests.utils import fetch, follow


def test_healthy_301_to_the_same_product_in_the_mapped_region(sandbox):
    resp = fetch(sandbox, "https://www.po.co/uk/product/poco-f5/")
    assert resp.status == 301
    assert resp.headers["location"] == "https://www.mi.com/uk/product/poco-f5/"
    landing = fetch(sandbox, "https://www.mi.com/uk/product/poco-f5/")
    assert landing.status == 200
    assert "<title>POCO F5 | Xiaomi UK</title>" in landing.body


def test_old_generation_url_of_russian_site_lands_on_global(sandbox):
    hops = follow(sandbox, "https://www.po.co/ru/poco-x3-pro/specs/")
    assert hops == [
        (
            "https://www.po.co/ru/poco-x3-pro/specs/",
            301,
            "https://www.mi.com/global/product/poco-x3-pro/specs/",
        ),
        ("https://www.mi.com/global/product/poco-x3-pro/specs/", 200, None),
    ]


def test_http_apex_takes_https_then_www_then_mi_com(sandbox):
    hops = follow(sandbox, "http://po.co/uk/product/poco-f5/")
    assert [(h[1], h[2]) for h in hops] == [
        (301, "https://po.co/uk/product/poco-f5/"),
        (301, "https://www.po.co/uk/product/poco-f5/"),
        (301, "https://www.mi.com/uk/product/poco-f5/"),
        (200, None),
    ]


def test_target_aliases_hop_to_www_too(sandbox):
    assert follow(sandbox, "http://mi.com/global/")[-1] == ("https://www.mi.com/global/", 200, None)
    assert [h[1] for h in follow(sandbox, "http://poco.in/ewarranty")] == [301, 301, 200]
    assert [h[1] for h in follow(sandbox, "http://www.poco.in/ewarranty")] == [301, 200]


def test_loop_through_mi_com_back_to_po_co(sandbox):
    hops = follow(sandbox, "https://www.po.co/global/poco-x3-gt/")
    assert [h[0] for h in hops] == [
        "https://www.po.co/global/poco-x3-gt/",
        "https://www.mi.com/global/product/poco-x3-gt",
    ]
    assert hops[-1][2] == "https://www.po.co/global/poco-x3-gt/"


def test_self_redirect(sandbox):
    resp = fetch(sandbox, "https://www.po.co/tw/product/poco-f4/")
    assert (resp.status, resp.headers["location"]) == (301, "https://www.po.co/tw/product/poco-f4/")


def test_relative_and_protocol_relative_locations_are_sent_as_written(sandbox):
    assert fetch(sandbox, "https://www.po.co/de/poco-f3/").headers["location"] == "/de/product/poco-f3/"
    resp = fetch(sandbox, "https://www.po.co/uk/poco-x4-pro-5g/")
    assert resp.headers["location"] == "//www.mi.com/uk/product/poco-x4-pro-5g/"


def test_3xx_without_location(sandbox):
    resp = fetch(sandbox, "https://www.po.co/de/service/support/coupon-terms.html")
    assert resp.status == 301
    assert "location" not in resp.headers


def test_dead_origin_refuses_connections(sandbox):
    assert fetch(sandbox, "https://www.po.co/uk/service/support/declaration.html").headers["location"] == (
        "https://shop.po.co/uk/support/declaration"
    )
    with pytest.raises(ConnectionRefusedError):
        fetch(sandbox, "https://shop.po.co/uk/support/declaration")


def test_soft_404_is_a_302_to_an_error_page_that_answers_200(sandbox):
    hops = follow(sandbox, "https://www.po.co/global/poco-f2-pro/")  # a 2020 model: old-style URL
    assert [h[1] for h in hops] == [301, 302, 200]
    assert hops[-1][0] == "https://www.mi.com/global/errors/404"
    page = fetch(sandbox, hops[-1][0])
    assert "the page you requested was not found" in page.body
    # the cited case: mi.com has no XML sitemap, it answers a soft error
    assert (
        follow(sandbox, "https://www.mi.com/global/sitemap.xml")[-1][0]
        == "https://www.mi.com/global/errors/404"
    )


def test_soft_404_in_place_of_a_product(sandbox):
    page = fetch(sandbox, "https://www.mi.com/de/product/poco-f3-gt/")
    assert page.status == 200
    assert "not found" in page.body


def test_meta_refresh(sandbox):
    page = fetch(sandbox, "https://www.po.co/global/product/poco-f5-pro/specs/")
    assert page.status == 200
    assert (
        '<meta http-equiv="refresh" content="0; url=https://www.mi.com/global/product/poco-f5-pro/specs/">'
        in (page.body)
    )


def test_flaky_url_answers_503_with_retry_after_then_301(sandbox):
    sandbox.reset()
    url = "https://www.po.co/uk/product/poco-x6/"
    first, second, third = (fetch(sandbox, url) for _ in range(3))
    assert (first.status, first.headers["retry-after"]) == (503, "1")
    assert second.status == 503
    assert (third.status, third.headers["location"]) == (301, "https://www.mi.com/uk/product/poco-x6/")


def test_stale_regional_page_carries_its_freshness_evidence(sandbox):
    page = fetch(sandbox, "https://www.poco.in/product/poco-m7-pro-5g")
    assert page.status == 200
    assert page.headers["last-modified"] == "Wed, 18 Dec 2024 08:00:00 GMT"
    assert '<meta property="article:modified_time" content="2024-12-18T10:00:00+05:30">' in page.body
    assert "© 2024 POCO India" in page.body
    sitemap = ET.fromstring(fetch(sandbox, "https://www.poco.in/sitemap.xml").body)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    lastmod = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in sitemap}
    assert lastmod["https://www.poco.in/product/poco-m7-pro-5g"] == "2024-12-18"
    assert lastmod["https://www.poco.in/ewarranty"] == "2026-10-02"  # the fresh near-miss


def test_frozen_regional_site_lists_late_2024_models_only(sandbox):
    home = fetch(sandbox, "https://www.poco.in/smartphones").body
    assert "/product/poco-c75" in home and "/product/poco-m7-pro-5g" in home
    assert "/product/poco-x7-pro" not in home
    mi_in = fetch(sandbox, "https://www.mi.com/in/poco/").body
    assert "/in/product/poco-x7-pro/" in mi_in


def test_product_identity_variants(sandbox):
    jsonld = fetch(sandbox, "https://www.mi.com/global/product/poco-x6-pro/").body  # the renamed one
    assert '"@type": "Product", "name": "POCO X6 Pro 5G"' in jsonld
    bodies = [
        fetch(sandbox, f"https://www.mi.com/global/product/{s}/").body
        for s in ("poco-f5", "poco-f6", "poco-x7", "poco-m6-pro", "poco-c65", "poco-f7", "poco-x6")
    ]
    kinds = set()
    for body in bodies:
        kinds.add(
            "jsonld"
            if "application/ld+json" in body
            else "og"
            if 'property="og:title"' in body
            else "h1"
            if re.search(r"<h1>POCO ", body)
            else "slug"
        )
    assert len(kinds) >= 3, kinds


def test_listing_is_paginated_newest_first(sandbox):
    first = fetch(sandbox, "https://www.mi.com/global/phone/").body
    assert "https://www.mi.com/global/phone/?page=2" in first
    assert "/global/product/poco-x8-pro-max/" in first
    fourth = fetch(sandbox, "https://www.mi.com/global/phone/?page=4").body
    assert "?page=5" in fourth and "/global/product/poco-f3/" not in fourth
    last_page = fetch(sandbox, "https://www.mi.com/global/phone/?page=5").body  # 51 models, 12 a page
    assert "/global/product/poco-f3/" in last_page and "?page=6" not in last_page


def test_robots_and_crawl_traps(sandbox):
    robots = fetch(sandbox, "https://www.mi.com/robots.txt").body
    assert "Disallow: /*/search/" in robots and "Disallow: /*/cart" in robots
    calendar = fetch(sandbox, "https://www.mi.com/global/events/calendar/?month=2031-12")
    assert calendar.status == 200 and "?month=2032-01" in calendar.body  # unbounded on purpose


def test_tracking_parameters_are_ignored_by_pages(sandbox):
    assert fetch(sandbox, "https://www.mi.com/global/product/poco-f6/?utm_source=x").status == 200


def test_conditional_get_and_head(sandbox):
    url = "https://www.mi.com/uk/support/"
    page = fetch(sandbox, url)
    assert fetch(sandbox, url, headers={"If-None-Match": page.headers["etag"]}).status == 304
    assert fetch(sandbox, url, headers={"If-Modified-Since": page.headers["last-modified"]}).status == 304
    head = fetch(sandbox, url, method="HEAD")
    assert (
        head.status == 200
        and head.body == ""
        and int(head.headers["content-length"]) == len(page.body.encode())
    )


def test_unknown_host_is_misdirected(sandbox):
    resp = fetch(sandbox, "https://www.example.com/")
    assert resp.status == 421
    assert "https://www.po.co" in resp.body


def test_keep_alive_serves_many_requests_on_one_connection(sandbox):
    address = sandbox.address("https://www.mi.com")
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        request = b"GET /global/ HTTP/1.1\r\nHost: www.mi.com\r\n\r\n"
        sock.sendall(request * 3)
        data = b""
        while data.count(b"HTTP/1.1 200 OK") < 3:
            chunk = sock.recv(65536)
            assert chunk, "connection closed early"
            data += chunk
