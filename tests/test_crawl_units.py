"""The crawl's pure parts, without a crawl: URL canonical form, the profile's reading of URLs,
soft-404 verdicts and freshness evidence."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from auditor import freshness, soft404
from auditor.profile import _origin_path, load
from auditor.urls import canonical

PROFILE = load()


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        ("https://po.co/de/product/poco-f6/?utm_source=newsletter", "https://po.co/de/product/poco-f6/"),
        ("HTTPS://WWW.PO.CO:443/uk/#top", "https://www.po.co/uk/"),
        ("https://www.mi.com/x?b=2&a=1&gclid=9", "https://www.mi.com/x?a=1&b=2"),
        ("http://www.po.co:80/global/", "http://www.po.co/global/"),
        (
            "https://www.mi.com/global/product/poco-f6/?gid=12",
            "https://www.mi.com/global/product/poco-f6/?gid=12",
        ),
    ],
)
def test_canonical(listed: str, expected: str) -> None:
    assert canonical(listed) == expected


@pytest.mark.parametrize(
    ("url", "site", "kind", "region", "slug"),
    [
        ("https://www.po.co/uk/product/poco-f5/", "legacy", "product", "uk", "poco-f5"),
        ("https://www.po.co/global/poco-f3/specs/", "legacy", "specs", "global", "poco-f3"),
        ("https://www.po.co/uk/index.html", "legacy", "home", "uk", None),
        ("https://www.po.co/de/service/support/points-terms.html", "legacy", "service", "de", None),
        ("https://www.po.co/global/service/support/warranty/cz.html", "legacy", "warranty", "global", None),
        ("http://po.co/uk/product/poco-f5/", "legacy", "product", "uk", "poco-f5"),
        ("https://www.mi.com/uk/product/poco-f5/buy/", "target", "buy", "uk", "poco-f5"),
        ("https://www.mi.com/ae-en/", "target", "home", "ae-en", None),
        ("https://www.mi.com/xx/product/poco-f5/", "target", "page", None, None),  # not a region
        ("https://www.poco.in/product/poco-c75", "regional", "product", "in", "poco-c75"),
        ("https://www.poco.in/ewarranty", "regional", "support", "in", None),
        ("https://example.com/", None, "external", None, None),
    ],
)
def test_classify(url: str, site: str | None, kind: str, region: str | None, slug: str | None) -> None:
    info = PROFILE.classify(url)
    assert (info.site, info.kind, info.region, info.slug) == (site, kind, region, slug)


def test_crawl_scope_is_the_mapped_regions_plus_the_regional_sites() -> None:
    target = next(s for s in PROFILE.sites if s.role == "target")
    assert set(target.crawl_regions) == {"global", "uk", "fr", "de", "es", "it", "tw", "in"}
    assert PROFILE.crawlable("https://www.mi.com/tw/phone/")
    assert not PROFILE.crawlable("https://www.mi.com/pl/phone/")
    assert PROFILE.crawlable("https://www.poco.in/smartphones")
    assert not PROFILE.crawlable("https://www.po.co/uk/")


def test_traps() -> None:
    assert PROFILE.trap_of("https://www.mi.com/uk/phone/?sort=new&color=c1") is not None
    assert PROFILE.trap_of("https://www.mi.com/uk/phone/?page=2") is None
    assert PROFILE.trap_of("https://www.mi.com/global/events/calendar/?month=2031-01") is not None


NOT_FOUND_TEXT = "Sorry, the page you requested was not found. Go back to the home page."
PRODUCT_TEXT = "POCO F6 Power that lasts Display 6.67 AMOLED 120Hz Battery 5000mAh Add to cart " * 8


def page(url: str, text: str, title: str = "POCO F6 | Xiaomi UK", h1: str = "POCO F6") -> dict:
    words = soft404.words(text)
    return {
        "url": url,
        "status": 200,
        "title": title,
        "h1": h1,
        "fingerprint": soft404.simhash(words),
        "text_words": len(words),
        "notfound_text": soft404.says_not_found(text, len(words)),
    }


PROBE_END = page("https://www.mi.com/uk/errors/404", NOT_FOUND_TEXT, title="Xiaomi UK", h1="")


@pytest.mark.parametrize(
    ("candidate", "probe_end", "expected"),
    [
        (PROBE_END, PROBE_END, True),  # it is where unknown URLs land
        (page("https://www.mi.com/uk/product/x/", NOT_FOUND_TEXT + " x"), PROBE_END, True),  # same text
        (page("https://www.mi.com/uk/product/poco-f6/", PRODUCT_TEXT), PROBE_END, False),
        (page("https://www.mi.com/uk/product/poco-f6/", PRODUCT_TEXT), None, False),
        (page("https://x.test/a", PRODUCT_TEXT, title="404 Not Found"), None, True),  # title says so
        (page("https://x.test/a", "Oops, this product does not exist anymore"), None, True),
        (page("https://x.test/a", PRODUCT_TEXT + " 404 reasons to buy"), None, False),  # long text
    ],
)
def test_soft404_verdict(candidate: dict, probe_end: dict | None, expected: bool) -> None:
    assert soft404.verdict(candidate, probe_end)[0] is expected


def test_probe_url_keeps_the_section_and_slash_style() -> None:
    section, url = soft404.probe_url("https://www.mi.com/de/product/poco-f3-gt/")
    assert section == "https://www.mi.com/de/product/" and url.startswith(section) and url.endswith("/")
    section, url = soft404.probe_url("https://www.poco.in/product/poco-c75")
    assert section == "https://www.poco.in/product/" and not url.endswith("/")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Wed, 18 Dec 2024 10:00:00 GMT", "2024-12-18"),
        ("2024-12-18T10:00:00+05:30", "2024-12-18"),
        ("18 December 2024", "2024-12-18"),
        ("December 18, 2024", "2024-12-18"),
        ("yesterday", None),
        ("2024-13-45", None),
    ],
)
def test_parse_date(value: str, expected: str | None) -> None:
    date = freshness.parse_date(value)
    assert (date.isoformat() if date else None) == expected


def test_newest_prefers_precise_dates_over_a_copyright_year() -> None:
    items = [
        freshness.evidence("last-modified", "Wed, 18 Dec 2024 10:00:00 GMT"),
        freshness.copyright_year("© 2010 - 2025 POCO"),
    ]
    assert freshness.newest([e for e in items if e]) == ("2024-12-18", "last-modified")
    only_year = freshness.copyright_year("Copyright © 2023 POCO India")
    assert only_year is not None and freshness.newest([only_year]) == ("2023-12-31", "copyright")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.mi.com/uk/product/x/?a=1#f",
        "HTTPS://WWW.MI.COM",
        "https://www.mi.com?x=1",
        "https://u:p@www.mi.com/a",
        "https://www.mi.com#frag",
        "http://po.co/a b/ü",
        "https://www.mi.com:8443/x",
        "mailto:x@y",
        " https://www.mi.com/\tx",
        "https://[::1]:8080/p?q",
        "https://www.mi.com\\evil.com/x",
    ],
)
def test_the_fast_origin_split_agrees_with_urlsplit(url: str) -> None:
    parts = urlsplit(url)
    assert _origin_path(url) == (f"{parts.scheme}://{parts.netloc}".lower(), parts.path or "/")
