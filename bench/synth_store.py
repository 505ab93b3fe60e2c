"""A synthetic crawl store of N pages, shaped like the poco estate, for the analysis benchmark.

    python bench/synth_store.py 100000 /tmp/synth-100k      # writes /tmp/synth-100k/crawl.sqlite

Target pages (mi.com: product, specs and buy pages of P products in 20 regions, region homes and
listings), poco.in pages (1%), a legacy inventory of N/10 po.co URLs traced to mi.com (5% through a
chain, 2% to a 404, 1% in a loop: redirect hops for the 10%), and ~50 links per page: 20 of chrome
(region homes, listing) and 30 to product pages of the region, 1% to po.co and 1% to pages that 404.
Deterministic (seeded). Written through CrawlStore (its schema and its methods), in big batches.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from auditor.store import CrawlStore, Hop, Trace

MI, PO, IN = "https://www.mi.com", "https://www.po.co", "https://www.poco.in"
REGIONS = ["global", "uk", "fr", "de", "es", "it", "pl", "nl", "tw", "in", "my", "ph", "th", "sg",
           "pk", "tr", "mx", "pe", "au", "ae-en"]  # fmt: skip
LEGACY_REGIONS = ["global", "uk", "fr", "de", "es", "it"]
BATCH = 20_000


def _page(url: str, status: int, title: str | None, name: str | None, depth: int) -> dict:
    return {
        "url": url, "status": status, "content_type": "text/html; charset=utf-8", "bytes": 48_000,
        "title": title, "h1": name, "ld_name": name, "og_title": title, "freshness": [],
        "newest": "2026-10-01", "newest_source": "jsonld:dateModified", "fingerprint": random.getrandbits(62),
        "text_words": 800, "crawled": int(status == 200), "depth": depth, "links": 50 if status == 200 else 0,
    }  # fmt: skip


def generate(n: int, out: Path) -> dict[str, int]:
    random.seed(n)
    products = max(1, n // (len(REGIONS) * 3))
    slugs = [f"poco-x{i}" for i in range(products)]
    store = CrawlStore(out / "crawl.sqlite")
    store.db.execute("PRAGMA synchronous=OFF")
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    meta = {"as_of": "2026-11-21", "run_id": f"synth-{n}", "started": now, "finished": now}
    meta |= {"profile": {"name": "poco"}, "crawl": {"responses": n, "elapsed": 0}}
    for key, value in meta.items():
        store.set_meta(key, value)
    target = [f"{MI}/{r}/product/{s}/{sub}" for s in slugs for r in REGIONS for sub in ("", "specs/", "buy/")]
    target = target[: max(0, n - n // 100 - 2 * len(REGIONS))]
    hubs = [f"{MI}/{r}/" for r in REGIONS] + [f"{MI}/{r}/phone/" for r in REGIONS]
    regional = [f"{IN}/product/{slugs[i % products]}-{i}" for i in range(n // 100)]
    dead = [f"{MI}/{REGIONS[i % 20]}/product/gone-{i}/" for i in range(max(1, n // 1000))]
    counts = {"pages": 0, "links": 0, "traces": 0, "inventory": 0}

    def pages() -> Iterator[dict]:
        for url in hubs:
            yield _page(url, 200, "Xiaomi", None, 0)
        for url in target:
            slug = url.split("/product/")[1].split("/")[0]
            yield _page(url, 200, f"{slug.upper()} | Xiaomi", slug.upper().replace("-", " "), 2)
        for url in regional:
            yield _page(url, 200, "POCO India", "POCO", 1)
        for url in dead:
            yield _page(url, 404, "Page not found", None, 3)

    def flush_pages(batch: list[dict]) -> None:
        store.add_pages(batch)
        store.add_traces(Trace(p["url"], "page" if p["status"] == 200 else "link", "page",
                               (Hop(p["url"], p["status"], None),), p["depth"]) for p in batch)  # fmt: skip
        rows = []
        for p in batch:
            if p["status"] != 200:
                continue
            region = p["url"].split("/")[3] if p["url"].startswith(MI) else "in"
            region = region if region in REGIONS else "global"
            rows += [(p["url"], "a", h, None, "menu") for h in hubs[:20]]
            for _ in range(28):
                s = slugs[random.randrange(products)]
                rows.append((p["url"], "a", f"{MI}/{region}/product/{s}/", None, s))
            if random.random() < 0.02:
                rows.append((p["url"], "a", f"{PO}/{LEGACY_REGIONS[0]}/product/{slugs[0]}/", None, "old"))
            if random.random() < 0.02:
                rows.append((p["url"], "a", dead[random.randrange(len(dead))], None, "dead"))
        store.add_links(rows)
        store.commit()
        counts["pages"] += len(batch)
        counts["links"] += len(rows)
        counts["traces"] += len(batch)

    batch: list[dict] = []
    for page in pages():
        batch.append(page)
        if len(batch) >= BATCH:
            flush_pages(batch)
            batch = []
    flush_pages(batch)

    inventory, traces = [], []
    for i in range(n // 10):
        region, slug = LEGACY_REGIONS[i % 6], slugs[(i // 6) % products]
        url = f"{PO}/{region}/product/{slug}/" + ("" if i // (6 * products) == 0 else f"v{i}/")
        inventory.append((url, url, "synthetic", i + 1))
        dest = f"{MI}/{'global' if region == 'ru' else region}/product/{slug}/"
        roll = random.random()
        if roll < 0.01:
            hops, end = (Hop(url, 301, dest), Hop(dest, 301, url)), "loop"
        elif roll < 0.03:
            gone = dead[i % len(dead)]
            hops, end = (Hop(url, 301, gone), Hop(gone, 404, None)), "page"
        elif roll < 0.08:
            mid = f"{MI}/{region}/r/{i}"
            hops, end = (Hop(url, 301, mid), Hop(mid, 301, dest), Hop(dest, 200, None)), "page"
        else:
            hops, end = (Hop(url, 301, dest), Hop(dest, 200, None)), "page"
        traces.append(Trace(url, "legacy", end, hops, 0))
        if len(traces) >= BATCH:
            store.add_inventory(inventory)
            store.add_traces(traces)
            store.commit()
            counts["inventory"] += len(inventory)
            counts["traces"] += len(traces)
            inventory, traces = [], []
    store.add_inventory(inventory)
    store.add_traces(traces)
    counts["inventory"] += len(inventory)
    counts["traces"] += len(traces)
    store.commit()
    store.close()
    return counts


if __name__ == "__main__":
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    if (out / "crawl.sqlite").exists():
        sys.exit(f"{out / 'crawl.sqlite'} exists; remove it first")
    t = time.monotonic()
    counts = generate(n, out)
    size = (out / "crawl.sqlite").stat().st_size
    seconds = round(time.monotonic() - t, 1)
    print(json.dumps({"n": n, **counts, "seconds": seconds, "mb": round(size / 2**20)}))
