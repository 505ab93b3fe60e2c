"""Links, kept in SQLite rather than in the graph: a million pages carry fifty million links, and
networkx spends ~200 B and ~5 µs on each edge. The product/redirect graph stays in networkx; the rules
ask this table for the few links they need (joins on a temporary table of source pages).

Built from a crawl store, the table is the store's own ``links`` table (read-only connection); built by
hand (tests), an in-memory table with the same columns.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

_TABLE = (
    "CREATE TABLE IF NOT EXISTS links (src TEXT NOT NULL, rel TEXT NOT NULL, dst TEXT NOT NULL,"
    " hreflang TEXT, text TEXT, PRIMARY KEY (src, rel, dst)) WITHOUT ROWID"
)


class LinkTable:
    def __init__(self, store_path: Path | None = None) -> None:
        if store_path is None:
            self.db = sqlite3.connect(":memory:")
            self.db.execute(_TABLE)
        else:
            self.db = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)

    def close(self) -> None:
        self.db.close()

    def add(self, src: str, rel: str, dst: str, text: str | None = None) -> None:
        self.db.execute("INSERT OR IGNORE INTO links VALUES (?, ?, ?, NULL, ?)", (src, rel, dst, text))

    def from_(self, src: str) -> list[tuple[str, str, str | None]]:
        """(rel, dst, anchor text) of one page's links, in (rel, dst) order."""
        rows: list[tuple[str, str, str | None]] = self.db.execute(
            "SELECT rel, dst, text FROM links WHERE src = ? ORDER BY rel, dst", (src,)
        ).fetchall()
        return rows

    def all(self) -> Iterator[tuple[str, str, str, str | None]]:
        """(src, rel, dst, text) of every link, in (src, rel, dst) order."""
        yield from self.db.execute("SELECT src, rel, dst, text FROM links ORDER BY src, rel, dst")

    def _scope(self, name: str, urls: Iterable[str]) -> None:
        self.db.execute(f"DROP TABLE IF EXISTS temp.{name}")
        self.db.execute(f"CREATE TEMP TABLE {name} (url TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.executemany(f"INSERT OR IGNORE INTO temp.{name} VALUES (?)", ((u,) for u in urls))

    def targets(self, sources: Iterable[str]) -> Iterator[str]:
        """Every distinct URL these pages link to."""
        self._scope("sources", sources)
        for (dst,) in self.db.execute(
            "SELECT DISTINCT l.dst FROM temp.sources s JOIN links l ON l.src = s.url"
        ):
            yield dst

    def matching(
        self, sources: Iterable[str], targets: Iterable[str], needles: Iterable[str]
    ) -> Iterator[tuple[str, str, str, str | None]]:
        """(src, rel, dst, text) of the links from these pages to one of ``targets``, or whose URL
        contains one of ``needles`` (a cheap prefilter; the caller decides exactly): one scan of the
        links for both, in (src, rel, dst) order."""
        self._scope("sources", sources)
        self._scope("targets", targets)
        needles = list(needles)
        contains = "".join(" OR instr(lower(l.dst), ?) > 0" for _ in needles)
        yield from self.db.execute(
            "SELECT l.src, l.rel, l.dst, l.text FROM temp.sources s JOIN links l ON l.src = s.url"
            f" WHERE l.dst IN (SELECT url FROM temp.targets){contains} ORDER BY l.src, l.rel, l.dst",
            needles,
        )
