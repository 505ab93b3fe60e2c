"""Complete a crawl store's page facts once the crawl is over (pure; no Scrapy).

Two facts need the whole crawl: a page's sitemap lastmod (the sitemap may be read after the page)
and its soft-404 verdict (its section's probe may end after the page was stored). Both are written
into the page rows. Idempotent: run it after every spider, the last run sees everything.
"""

from __future__ import annotations

import json
from typing import Any

from auditor import freshness, soft404
from auditor.store import CrawlStore

BATCH = 2000


def finish(store: CrawlStore) -> dict[str, int]:
    with store.db:
        merged = _sitemap_lastmod(store)
        judged, soft = _soft404(store)
    return {"sitemap_lastmod": merged, "soft404_judged": judged, "soft404": soft}


def _sitemap_lastmod(store: CrawlStore) -> int:
    merged = 0
    after = ""
    while True:
        rows = store.db.execute(
            "SELECT p.url, p.freshness, group_concat(s.lastmod, char(9)) FROM pages p"
            " JOIN sitemap_entries s ON s.url = p.url WHERE s.lastmod IS NOT NULL AND p.url > ?"
            " GROUP BY p.url ORDER BY p.url LIMIT ?",
            (after, BATCH),
        ).fetchall()
        if not rows:
            return merged
        updates = []
        for url, evidence, lastmods in rows:
            items: list[dict[str, Any]] = json.loads(evidence) if evidence else []
            for lastmod in lastmods.split("\t"):
                e = freshness.evidence("sitemap-lastmod", lastmod)
                if e and not any(x["source"] == e["source"] and x["value"] == e["value"] for x in items):
                    items.append(e)
            date, source = freshness.newest(items)
            updates.append((json.dumps(items, ensure_ascii=False), date, source, url))
        store.set_newest(updates)
        merged += len(updates)
        after = rows[-1][0]


def _probe_ends(store: CrawlStore) -> dict[str, dict[str, Any] | None]:
    """For each probed section, the page its probe ended on (None: the probe ended on no page)."""
    out: dict[str, dict[str, Any] | None] = {}
    for section, url in store.probes().items():
        trace = store.trace(url, "probe")
        if trace is None or trace.end != "page":
            out[section] = None
            continue
        out[section] = store.page(trace.final.url)
    return out


def _soft404(store: CrawlStore) -> tuple[int, int]:
    ends = _probe_ends(store)
    judged = soft = 0
    after = ""
    while True:
        rows = store.db.execute(
            "SELECT url, status, title, h1, fingerprint, text_words, notfound_text FROM pages"
            " WHERE status = 200 AND fingerprint IS NOT NULL AND url > ? ORDER BY url LIMIT ?",
            (after, BATCH),
        ).fetchall()
        if not rows:
            return judged, soft
        batch: list[tuple[int, str | None, str]] = []
        for url, status, title, h1, fingerprint, text_words, notfound_text in rows:
            page = {
                "url": url,
                "status": status,
                "title": title,
                "h1": h1,
                "fingerprint": fingerprint,
                "text_words": text_words,
                "notfound_text": notfound_text,
            }
            is_soft, reason = soft404.verdict(page, ends.get(soft404.section(url)))
            batch.append((int(is_soft), reason or None, url))
            soft += is_soft
        store.set_soft404(batch)
        judged += len(rows)
        after = rows[-1][0]
