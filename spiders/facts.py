"""Page facts: what a fetched page says about itself, read with parsel (Scrapy's selectors).

Status and headers, title, canonical, hreflang alternates, meta robots, product identity (JSON-LD
Product name/sku, og:title, h1, URL slug), outgoing links normalised, freshness evidence and the
main-text fingerprint for soft-404 judging. Strings are bounded; nothing here judges.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag

from scrapy.http import Response, TextResponse
from w3lib.url import safe_url_string

from auditor import freshness, soft404
from auditor.profile import Profile
from auditor.urls import is_http

from .sizecap import UNREAD

MAX_TEXT = 500
MAX_WORDS = 3000
MAX_JSONLD = 200_000

MODIFIED_META = (
    ("article:modified_time", "meta[property='article:modified_time']::attr(content)"),
    ("og:updated_time", "meta[property='og:updated_time']::attr(content)"),
    ("last-modified-meta", "meta[http-equiv='last-modified' i]::attr(content)"),
    ("last-modified-meta", "meta[name='last-modified' i]::attr(content)"),
    ("dateModified", "meta[itemprop='dateModified']::attr(content)"),
    ("dcterms.modified", "meta[name='dcterms.modified' i]::attr(content)"),
)


def _clip(value: str | None, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value[:limit] if value else None


def header(response: Response, name: str) -> str | None:
    raw = response.headers.get(name)
    return raw.decode("latin-1")[:MAX_TEXT] if raw else None


def is_html(response: Response) -> bool:
    ctype = (header(response, "Content-Type") or "").lower()
    return isinstance(response, TextResponse) and (
        "html" in ctype or (not ctype and b"<html" in response.body[:2048].lower())
    )


def page_facts(response: Response, profile: Profile, depth: int | None) -> dict[str, Any]:
    """The page row for the crawl store (links are extracted separately by ``links``; whether the
    page is ``crawled`` is the spider's to say)."""
    info = profile.classify(response.url)
    page: dict[str, Any] = {
        "url": response.url,
        "site": info.site,
        "role": info.role,
        "kind": info.kind,
        "region": info.region,
        "slug": info.slug,
        "status": response.status,
        "content_type": header(response, "Content-Type"),
        "last_modified": header(response, "Last-Modified"),
        "etag": header(response, "ETag"),
        "bytes": len(response.body),
        "crawled": 0,
        "depth": depth,
        "freshness": [],
    }
    evidence = [freshness.evidence("last-modified", page["last_modified"])]
    if is_html(response) and not response.meta.get(UNREAD):  # a gzip bomb's body was never read
        assert isinstance(response, TextResponse)
        sel = response
        page["title"] = _clip(sel.css("title::text").get())
        page["h1"] = _clip(" ".join(sel.css("h1 ::text").getall()))
        canonical = sel.css("link[rel~='canonical']::attr(href)").get()
        page["canonical"] = _absolute(response, canonical) if canonical else None
        robots = [header(response, "X-Robots-Tag"), *sel.css("meta[name='robots' i]::attr(content)").getall()]
        page["meta_robots"] = _clip(", ".join(r.lower() for r in robots if r)) or None
        page["og_title"] = _clip(sel.css("meta[property='og:title']::attr(content)").get())
        name, sku, modified = _jsonld_product(sel)
        page["ld_name"], page["ld_sku"] = _clip(name), _clip(sku)
        evidence.append(freshness.evidence("jsonld:dateModified", modified))
        for source, css in MODIFIED_META:
            evidence.append(freshness.evidence(source, sel.css(css).get()))
        footer = " ".join(sel.xpath("//footer//text()").getall())[-4000:]
        evidence += [freshness.updated_line(footer), freshness.copyright_year(footer)]
        text = _main_text(sel)
        tokens = soft404.words(text)[:MAX_WORDS]
        page["fingerprint"] = soft404.simhash(tokens)
        page["text_words"] = len(tokens)
        page["notfound_text"] = soft404.says_not_found(text, len(tokens))
    page["freshness"] = [e for e in evidence if e]
    page["newest"], page["newest_source"] = freshness.newest(page["freshness"])
    return page


def links(response: Response, limit: int) -> Iterator[tuple[str, str, str | None, str | None]]:
    """(rel, absolute URL, hreflang, anchor text) of a | canonical | hreflang; http(s) only, deduplicated.

    Walks the lxml tree parsel already built (one pass; a CSS query per anchor costs more than the
    rest of the page's facts together)."""
    if not is_html(response):
        return
    assert isinstance(response, TextResponse)
    seen: set[tuple[str, str]] = set()
    found = 0
    root = response.selector.root
    if not hasattr(root, "iter"):
        return
    for el in root.iter("a", "area", "link"):
        href = el.get("href")
        if not href:
            continue
        if el.tag == "link":
            rels = (el.get("rel") or "").lower().split()
            if "canonical" in rels:
                rel, lang, text = "canonical", None, None
            elif "alternate" in rels and el.get("hreflang"):
                rel, lang, text = "hreflang", el.get("hreflang"), None
            else:
                continue
        else:
            rel, lang, text = "a", None, "".join(el.itertext()) if el.tag == "a" else el.get("alt")
        url = _absolute(response, href)
        if url is None or (rel, url) in seen:
            continue
        seen.add((rel, url))
        yield rel, url, _clip(lang, 40), _clip(text, 200)
        found += 1
        if found >= limit:
            return


def _absolute(response: TextResponse, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if len(href) > 4096:
        return None
    try:
        url = urldefrag(response.urljoin(href))[0]
    except ValueError:
        return None
    if not is_http(url):
        return None  # javascript:, mailto:, tel:, data: ... are never followed
    return safe_url_string(url)


def _main_text(sel: TextResponse) -> str:
    parts = sel.xpath("//main//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    if not parts:
        parts = sel.xpath(
            "//body//text()[not(ancestor::script or ancestor::style or ancestor::nav or ancestor::header"
            " or ancestor::footer)]"
        ).getall()
    return " ".join(" ".join(parts).split())[:50_000]


def _jsonld_product(sel: TextResponse) -> tuple[str | None, str | None, str | None]:
    """name, sku and dateModified of the first schema.org Product in the page's JSON-LD."""
    modified = None
    for raw in sel.css("script[type='application/ld+json']::text").getall():
        if len(raw) > MAX_JSONLD:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for node in _nodes(data):
            types = node.get("@type")
            types = types if isinstance(types, list) else [types]
            if modified is None and isinstance(node.get("dateModified"), str):
                modified = node["dateModified"]
            if "Product" in types or "ProductGroup" in types:
                name, sku = node.get("name"), node.get("sku")
                return (
                    name if isinstance(name, str) else None,
                    str(sku) if isinstance(sku, (str, int)) else None,
                    node.get("dateModified") if isinstance(node.get("dateModified"), str) else modified,
                )
    return None, None, modified


def _nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data[:100]:
            yield from _nodes(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _nodes(data["@graph"], depth + 1)
