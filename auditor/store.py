"""The crawl store: one SQLite file per run, the single input of the analysis.

The spiders' pipeline streams rows in (WAL, batched, one transaction per batch); the graph and the
rules read them back. Nothing here imports Scrapy. Tables:

- ``meta``       key -> JSON value (profile, as_of, started, finished, stats)
- ``inventory``  the legacy URLs to trace: canonical form (the key), the URL as listed, its source
- ``redirect_map`` the migration team's map: old URL as listed -> new URL, with its line
- ``traces``     one row per traced URL and purpose (legacy | page | link | sitemap | probe): how the
                 path ended and its hops as JSON [{url, status, location, elapsed, retries, via, error}]
- ``pages``      facts of every page a trace ended on (status, headers, title, identity, freshness,
                 soft-404 verdict), keyed by URL
- ``links``      (page, rel, target) for a | canonical | hreflang, targets normalised
- ``sitemap_entries`` (url, lastmod, sitemap) read from XML sitemaps
- ``probes``     per site section, the trace of a URL that cannot exist (the soft-404 fingerprint)
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inventory (
    canonical TEXT PRIMARY KEY, url TEXT NOT NULL, source TEXT NOT NULL, line INTEGER
);
CREATE TABLE IF NOT EXISTS redirect_map (
    old_url TEXT NOT NULL, canonical TEXT PRIMARY KEY, new_url TEXT, line INTEGER
);
CREATE TABLE IF NOT EXISTS traces (
    id INTEGER PRIMARY KEY,
    start TEXT NOT NULL,
    purpose TEXT NOT NULL,
    end TEXT NOT NULL,
    final_url TEXT,
    final_status INTEGER,
    n_hops INTEGER NOT NULL,
    hops TEXT NOT NULL,
    depth INTEGER,
    UNIQUE (start, purpose)
);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    site TEXT, role TEXT, kind TEXT, region TEXT, slug TEXT,
    status INTEGER NOT NULL,
    content_type TEXT, last_modified TEXT, etag TEXT, bytes INTEGER,
    title TEXT, h1 TEXT, canonical TEXT, meta_robots TEXT,
    ld_name TEXT, ld_sku TEXT, og_title TEXT,
    freshness TEXT,            -- JSON [{source, value, date}]
    newest TEXT,               -- the newest date the evidence supports (ISO)
    newest_source TEXT,
    fingerprint INTEGER,       -- simhash of the main text (soft-404 comparison)
    text_words INTEGER,
    notfound_text TEXT,        -- what a short main text says, if it says "not found"
    soft404 INTEGER,           -- verdict: 1 / 0 / NULL (not judged: not a 200 HTML page)
    soft404_reason TEXT,
    crawled INTEGER NOT NULL DEFAULT 0,   -- reached by the site crawl (not only as a trace's end)
    depth INTEGER,
    links INTEGER
);
CREATE TABLE IF NOT EXISTS links (
    src TEXT NOT NULL, rel TEXT NOT NULL, dst TEXT NOT NULL, hreflang TEXT, text TEXT,
    PRIMARY KEY (src, rel, dst)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sitemap_entries (
    url TEXT NOT NULL, lastmod TEXT, sitemap TEXT NOT NULL, PRIMARY KEY (url, sitemap)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS probes (
    section TEXT PRIMARY KEY, url TEXT NOT NULL
);
"""

_PAGE_COLUMNS = [
    "url",
    "site",
    "role",
    "kind",
    "region",
    "slug",
    "status",
    "content_type",
    "last_modified",
    "etag",
    "bytes",
    "title",
    "h1",
    "canonical",
    "meta_robots",
    "ld_name",
    "ld_sku",
    "og_title",
    "freshness",
    "newest",
    "newest_source",
    "fingerprint",
    "text_words",
    "notfound_text",
    "crawled",
    "depth",
    "links",
]


@dataclass(frozen=True, slots=True)
class Hop:
    url: str
    status: int | None  # None: no answer (network error, robots.txt)
    location: str | None  # absolute, resolved against the hop
    elapsed: float | None = None
    retries: int = 0
    via: str = "http"  # http | meta (a meta refresh)
    error: str | None = None
    raw_location: str | None = None  # the header as sent, when it differs from ``location``
    capped: str | None = None  # the body was cut at the size cap, or not read at all: why

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"url": self.url, "status": self.status, "location": self.location}
        if self.elapsed is not None:
            d["elapsed"] = round(self.elapsed, 4)
        for key in ("retries", "error", "raw_location", "capped"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        if self.via != "http":
            d["via"] = self.via
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Hop:
        return cls(
            d["url"],
            d.get("status"),
            d.get("location"),
            d.get("elapsed"),
            d.get("retries", 0),
            d.get("via", "http"),
            d.get("error"),
            d.get("raw_location"),
            d.get("capped"),
        )


@dataclass(frozen=True, slots=True)
class Trace:
    start: str
    purpose: str
    end: str  # page | loop | no_location | bad_scheme | cap | error | robots
    hops: tuple[Hop, ...]
    depth: int | None = None

    @property
    def final(self) -> Hop:
        return self.hops[-1]


class CrawlStore:
    """One run's crawl store. Writes are batched by the caller; ``commit`` ends a batch."""

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = Path(path)
        if readonly:
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level="DEFERRED")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            self.db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (json.dumps(SCHEMA_VERSION),)
            )
            self.db.commit()
        self.db.execute("PRAGMA busy_timeout=10000")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CrawlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def commit(self) -> None:
        self.db.commit()

    # -- meta ----------------------------------------------------------------------------------
    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def meta(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    # -- writing -------------------------------------------------------------------------------
    def add_inventory(self, rows: Iterable[tuple[str, str, str, int | None]]) -> int:
        """(canonical, url as listed, source, line); the first listing of a canonical URL wins."""
        before = self.db.total_changes
        self.db.executemany("INSERT OR IGNORE INTO inventory VALUES (?, ?, ?, ?)", rows)
        return self.db.total_changes - before

    def add_redirect_map(self, rows: Iterable[tuple[str, str, str | None, int]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO redirect_map VALUES (?, ?, ?, ?)", rows)

    def add_traces(self, traces: Iterable[Trace]) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO traces (start, purpose, end, final_url, final_status, n_hops, hops, depth)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    t.start,
                    t.purpose,
                    t.end,
                    t.final.url,
                    t.final.status,
                    len(t.hops),
                    json.dumps([h.as_dict() for h in t.hops], ensure_ascii=False),
                    t.depth,
                )
                for t in traces
            ),
        )

    def add_pages(self, pages: Iterable[dict[str, Any]]) -> None:
        """Upsert page facts; a page once reached by the site crawl stays ``crawled``."""
        cols = ", ".join(_PAGE_COLUMNS)
        marks = ", ".join("?" for _ in _PAGE_COLUMNS)
        updates = ", ".join(
            f"{c} = excluded.{c}" for c in _PAGE_COLUMNS if c not in ("url", "crawled", "depth")
        )
        self.db.executemany(
            f"INSERT INTO pages ({cols}) VALUES ({marks}) ON CONFLICT(url) DO UPDATE SET {updates}, "
            "crawled = max(pages.crawled, excluded.crawled), "
            "depth = coalesce(min(pages.depth, excluded.depth), pages.depth, excluded.depth)",
            (
                tuple(
                    json.dumps(p[c], ensure_ascii=False) if c == "freshness" else p.get(c)
                    for c in _PAGE_COLUMNS
                )
                for p in pages
            ),
        )

    def add_links(self, rows: Iterable[tuple[str, str, str, str | None, str | None]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO links VALUES (?, ?, ?, ?, ?)", rows)

    def add_sitemap_entries(self, rows: Iterable[tuple[str, str | None, str]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO sitemap_entries VALUES (?, ?, ?)", rows)

    def add_probes(self, rows: Iterable[tuple[str, str]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO probes VALUES (?, ?)", rows)

    def set_soft404(self, rows: Iterable[tuple[int, str | None, str]]) -> None:
        self.db.executemany("UPDATE pages SET soft404 = ?, soft404_reason = ? WHERE url = ?", rows)

    def set_newest(self, rows: Iterable[tuple[str, str | None, str | None, str]]) -> None:
        self.db.executemany(
            "UPDATE pages SET freshness = ?, newest = ?, newest_source = ? WHERE url = ?", rows
        )

    # -- reading -------------------------------------------------------------------------------
    def _batched(self, sql: str, batch: int) -> Iterator[tuple[Any, ...]]:
        """Rows of ``sql`` read in batches, keyed by their first column (``:after``, ``:batch``), so
        no read transaction stays open while the crawl writes."""
        after = ""
        while True:
            rows = self.db.execute(sql, {"after": after, "batch": batch}).fetchall()
            if not rows:
                return
            yield from rows
            after = rows[-1][0]

    def untraced_inventory(self, batch: int = 1000) -> Iterator[tuple[str, str]]:
        """(canonical, url as listed) of inventory URLs without a legacy trace yet: what a (resumed)
        tracer still has to do."""
        return self._batched(
            "SELECT i.canonical, i.url FROM inventory i WHERE i.canonical > :after AND NOT EXISTS"
            " (SELECT 1 FROM traces t WHERE t.start = i.url AND t.purpose = 'legacy')"
            " ORDER BY i.canonical LIMIT :batch",
            batch,
        )

    def inventory(self) -> Iterator[tuple[str, str, str, int | None]]:
        """(canonical, url as listed, source, line), in canonical order."""
        return self._batched(
            "SELECT canonical, url, source, line FROM inventory WHERE canonical > :after"
            " ORDER BY canonical LIMIT :batch",
            5000,
        )

    def traced(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM traces WHERE start = ? LIMIT 1", (url,)).fetchone() is not None

    def unvisited_links(self, batch: int = 1000) -> Iterator[tuple[str, int]]:
        """Link targets of crawled pages and sitemap entries that no trace started from, with their
        depth: what an interrupted crawl had scheduled (or had in flight) and not finished."""
        rows = self._batched(
            "SELECT url, min(depth) FROM ("
            " SELECT l.dst AS url, p.depth + 1 AS depth FROM links l JOIN pages p ON p.url = l.src"
            " WHERE l.dst > :after UNION ALL SELECT url, 1 FROM sitemap_entries WHERE url > :after)"
            " WHERE NOT EXISTS (SELECT 1 FROM traces t WHERE t.start = url)"
            " GROUP BY url ORDER BY url LIMIT :batch",
            batch,
        )
        return ((url, depth or 1) for url, depth in rows)

    def traces(self, purpose: str | None = None) -> Iterator[Trace]:
        sql = "SELECT start, purpose, end, hops, depth FROM traces"
        args: tuple[Any, ...] = ()
        if purpose is not None:
            sql += " WHERE purpose = ?"
            args = (purpose,)
        for start, purp, end, hops, depth in self.db.execute(sql + " ORDER BY id", args):
            yield Trace(start, purp, end, tuple(Hop.from_dict(h) for h in json.loads(hops)), depth)

    def capped(self) -> Iterator[tuple[str, str]]:
        """(url, why) of every distinct URL whose body a trace's hop cut at the size cap."""
        seen: set[str] = set()
        for (hops,) in self.db.execute("SELECT hops FROM traces WHERE hops LIKE '%\"capped\"%' ORDER BY id"):
            for h in json.loads(hops):
                if h.get("capped") and h["url"] not in seen:
                    seen.add(h["url"])
                    yield h["url"], h["capped"]

    def trace_dicts(self) -> Iterator[tuple[str, str, str, list[dict[str, Any]]]]:
        """(start, purpose, end, hops as stored) of every trace, in insertion order: what the graph
        reads, without building Trace and Hop objects only to turn them back into dicts."""
        rows = self.db.execute("SELECT start, purpose, end, hops FROM traces ORDER BY id")
        for start, purpose, end, hops in rows:
            yield start, purpose, end, json.loads(hops)

    def trace(self, start: str, purpose: str) -> Trace | None:
        row = self.db.execute(
            "SELECT start, purpose, end, hops, depth FROM traces WHERE start = ? AND purpose = ?",
            (start, purpose),
        ).fetchone()
        if row is None:
            return None
        return Trace(row[0], row[1], row[2], tuple(Hop.from_dict(h) for h in json.loads(row[3])), row[4])

    def page(self, url: str) -> dict[str, Any] | None:
        cur = self.db.execute("SELECT * FROM pages WHERE url = ?", (url,))
        row = cur.fetchone()
        if row is None:
            return None
        return _page_dict(cur.description, row)

    def pages(
        self, where: str = "1", args: tuple[Any, ...] = (), columns: tuple[str, ...] = ()
    ) -> Iterator[dict[str, Any]]:
        """Stored pages as dicts: every column, or ``url`` and these ``columns`` only."""
        wanted = ", ".join(("url", *columns)) if columns else "*"
        cur = self.db.execute(f"SELECT {wanted} FROM pages WHERE {where} ORDER BY url", args)
        for row in cur:
            yield _page_dict(cur.description, row)

    def links_from(self, url: str) -> list[tuple[str, str, str | None]]:
        return self.db.execute(
            "SELECT rel, dst, hreflang FROM links WHERE src = ? ORDER BY rel, dst", (url,)
        ).fetchall()

    def probes(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT section, url FROM probes").fetchall())

    def redirect_map(self) -> Iterator[tuple[str, str | None, int]]:
        yield from self.db.execute("SELECT old_url, new_url, line FROM redirect_map ORDER BY line")

    def count(self, table: str, where: str = "1") -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0])


def _page_dict(description: Any, row: tuple[Any, ...]) -> dict[str, Any]:
    d = {col[0]: value for col, value in zip(description, row, strict=True)}
    d["freshness"] = json.loads(d["freshness"]) if d.get("freshness") else []
    return d
