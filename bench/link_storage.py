"""Where the links live: networkx edges (the design before issue #8) against the store's own table.

    python bench/link_storage.py /tmp/synth-100k      # a store from bench/synth_store.py

Loads every link of the store into a networkx MultiDiGraph keyed like the audit graph's edges, and
reports seconds and the RSS it added; then times what the link rules now ask SQLite instead (the
distinct targets of every followed page, and the links to a set of 1,000 targets or to po.co).
"""

from __future__ import annotations

import resource
import sqlite3
import sys
import time
from pathlib import Path

import networkx as nx

from auditor.links import LinkTable


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    store = Path(sys.argv[1]) / "crawl.sqlite"
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    links = db.execute("SELECT count(*) FROM links").fetchone()[0]
    pages = [u for (u,) in db.execute("SELECT url FROM pages WHERE crawled = 1 AND status = 200")]
    before, t = rss_mb(), time.monotonic()
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for src, rel, dst, text in db.execute("SELECT src, rel, dst, text FROM links"):
        g.add_edge(src, dst, key={"a": "links_to"}.get(rel, rel), text=text)
    nx_s, nx_mb = time.monotonic() - t, rss_mb() - before
    per_link = 2**20 * nx_mb / links
    print(f"| networkx | {links:,} links | {nx_s:.1f} s | +{nx_mb:.0f} MB | {per_link:.0f} B/link |")
    del g
    table = LinkTable(store)
    t = time.monotonic()
    targets = sum(1 for _ in table.targets(pages))
    targets_s = time.monotonic() - t
    sample = [u for (u,) in db.execute("SELECT DISTINCT dst FROM links LIMIT 1000")]
    t = time.monotonic()
    found = sum(1 for _ in table.matching(pages, sample, ["po.co"]))
    linking_s = time.monotonic() - t
    print(f"| SQLite: distinct targets of {len(pages):,} pages | {targets:,} | {targets_s:.1f} s | 0 MB |")
    print(f"| SQLite: links to 1,000 targets or to po.co | {found:,} links | {linking_s:.1f} s | 0 MB |")


if __name__ == "__main__":
    main()
