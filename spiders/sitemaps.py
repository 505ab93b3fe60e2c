"""XML sitemaps (urlset and sitemapindex, gzip'd or not) read from a response, with Scrapy's parser."""

from __future__ import annotations

from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap

from auditor.urls import is_http

MAX_ENTRIES = 50_000  # the sitemap protocol's own limit per file


def read(response: Response, max_size: int) -> tuple[str, list[tuple[str, str | None]]] | None:
    """(type, [(loc, lastmod)]) of a sitemap response, or None when it is not one."""
    body = response.body
    if gzip_magic_number(response):
        try:
            body = gunzip(body, max_size=max_size)
        except Exception:  # a broken or oversized gzip body is no sitemap
            return None
    head = body[:512].lstrip().lower()
    if not (head.startswith(b"<?xml") or head.startswith(b"<urlset") or head.startswith(b"<sitemapindex")):
        return None
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml refuses what recovery cannot save
        return None
    if sitemap.type not in ("urlset", "sitemapindex"):
        return None
    entries: list[tuple[str, str | None]] = []
    for entry in sitemap:
        loc = (entry.get("loc") or "").strip()
        if is_http(loc):
            entries.append((loc, (entry.get("lastmod") or "").strip() or None))
        if len(entries) >= MAX_ENTRIES:
            break
    return sitemap.type, entries
