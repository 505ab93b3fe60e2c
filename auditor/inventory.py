"""The legacy inventory: which legacy URLs to trace, read from the files people have.

Sources: URL lists (one URL per line, ``#`` comments), XML sitemaps (files, gzip'd or not; sitemap
URLs are fetched by the legacy spider), Wayback Machine CDX exports, and the ``old_url`` column of a
redirect map CSV (and, with ``--history``, the URLs past nights saw the legacy site answer). The live
crawl of the legacy site adds what it finds while the site still answers. URLs are deduplicated by
their canonical form (``auditor.urls.canonical``); each keeps the form it was first listed in.

Reading is all-or-nothing: every line is checked before anything is stored, and a bad line is an
InputError naming the file, the line and the field.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path

from scrapy.utils.sitemap import Sitemap

from auditor.errors import InputError
from auditor.store import CrawlStore
from auditor.urls import canonical, is_http

Row = tuple[str, str, str, int | None]  # canonical, url as listed, source, line

MAX_LINE = 8192


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from exc
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"broken gzip data: {exc}", path=path) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", path=path, line=line) from exc


def url_list(path: Path) -> Iterator[Row]:
    """A text file of URLs, one per line; blank lines and ``#`` comments are skipped."""
    for number, raw in enumerate(_read_text(path).splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > MAX_LINE or not is_http(line) or any(c.isspace() for c in line):
            shown = line if len(line) <= 80 else line[:77] + "..."
            raise InputError(f"not an http(s) URL: {shown!r}", path=path, line=number, field="url")
        yield canonical(line), line, "list", number


def cdx_file(path: Path) -> Iterator[Row]:
    """A Wayback Machine CDX export: space-separated lines ``urlkey timestamp original mimetype
    statuscode digest length`` (an optional `` CDX ...`` header first). The ``original`` URLs of
    captures that answered 2xx (or ``-``: a revisit of one) are the site's pages."""
    for number, raw in enumerate(_read_text(path).splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("CDX ", "#")) or raw.startswith(" CDX"):
            continue
        fields = line.split()
        if len(fields) < 5 or not fields[1].isdigit():
            raise InputError(
                "not a CDX line (urlkey timestamp original mimetype statuscode ...)", path=path, line=number
            )
        original, status = fields[2], fields[4]
        if len(original) > MAX_LINE or not is_http(original):
            shown = original if len(original) <= 80 else original[:77] + "..."
            raise InputError(f"not an http(s) URL: {shown!r}", path=path, line=number, field="original")
        if status == "-" or status.startswith("2"):
            yield canonical(original), original, "cdx", number


def looks_like_sitemap(path: Path) -> bool:
    head = _read_text(path)[:2048].lstrip()
    return head.startswith("<?xml") or head.startswith("<urlset") or head.startswith("<sitemapindex")


def sitemap_file(path: Path) -> Iterator[Row]:
    """The <loc>s of an XML sitemap file (urlset); a sitemap index is refused (list its files)."""
    text = _read_text(path)
    try:
        sitemap = Sitemap(text.encode("utf-8"))
    except Exception as exc:  # lxml's recover mode rarely raises; an empty document does
        raise InputError(f"not an XML sitemap: {exc}", path=path) from exc
    if sitemap.type == "sitemapindex":
        raise InputError("a sitemap index: pass the sitemap files (or their URLs) it lists", path=path)
    if sitemap.type != "urlset":
        raise InputError(f"not an XML sitemap (root element <{sitemap.type}>)", path=path)
    for number, entry in enumerate(sitemap, 1):
        loc = (entry.get("loc") or "").strip()
        if not is_http(loc):
            raise InputError(
                f"<loc> is not an http(s) URL: {loc[:80]!r}", path=path, line=number, field="loc"
            )
        yield canonical(loc), loc, "sitemap", number


def redirect_map(path: Path) -> Iterator[tuple[str, str, str | None, int]]:
    """(old_url, canonical, new_url or None, line) from a CSV with an ``old_url`` column."""
    text = _read_text(path)
    reader = csv.reader(text.splitlines())
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError("empty file; expected a header with an old_url column", path=path, line=1) from None
    if "old_url" not in header:
        raise InputError(
            f"no old_url column (columns: {', '.join(header) or 'none'})", path=path, line=1, field="old_url"
        )
    old_i = header.index("old_url")
    new_i = header.index("new_url") if "new_url" in header else None
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, 2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputError(f"{len(row)} columns; the header has {len(header)}", path=path, line=number)
        old = row[old_i].strip()
        if not is_http(old):
            raise InputError(f"not an http(s) URL: {old[:80]!r}", path=path, line=number, field="old_url")
        new = row[new_i].strip() if new_i is not None else ""
        if new and not is_http(new):
            raise InputError(f"not an http(s) URL: {new[:80]!r}", path=path, line=number, field="new_url")
        key = canonical(old)
        if key in seen:
            raise InputError(
                f"{old} is listed twice (first on line {seen[key]})", path=path, line=number, field="old_url"
            )
        seen[key] = number
        yield old, key, new or None, number


Sources = tuple[list[Row], list[tuple[str, str, str | None, int]]]


def read_sources(
    legacy_urls: list[Path],
    sitemaps: list[Path],
    redirect_map_path: Path | None,
    cdx: list[Path] | None = None,
) -> Sources:
    """Read and check every source; nothing is stored (a bad line stops everything here)."""
    rows: list[Row] = []
    for path in cdx or []:
        rows.extend(cdx_file(path))
    for path in legacy_urls:
        rows.extend(url_list(path))
    for path in sitemaps:
        rows.extend(sitemap_file(path))
    map_rows = list(redirect_map(redirect_map_path)) if redirect_map_path else []
    rows.extend((key, old, "redirect_map", line) for old, key, _new, line in map_rows)
    return rows, map_rows


def store_sources(store: CrawlStore, sources: Sources) -> dict[str, int]:
    """Store what ``read_sources`` read, in one transaction."""
    rows, map_rows = sources
    with store.db:
        added = store.add_inventory(rows)
        store.add_redirect_map(map_rows)
    return {"listed": len(rows), "added": added, "redirect_map": len(map_rows)}


def load_into(
    store: CrawlStore, legacy_urls: list[Path], sitemaps: list[Path], redirect_map_path: Path | None
) -> dict[str, int]:
    return store_sources(store, read_sources(legacy_urls, sitemaps, redirect_map_path))
