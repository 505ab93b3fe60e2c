"""Crawl throughput: ``auditor run --only site`` against a bare Scrapy spider fetching the same URLs.

    python bench/crawl_throughput.py [SCALE] [ROUNDS] [CONCURRENCY]

The sandbox (default scenario at SCALE; 8 gives ~21k pages) runs in its own process. Each round runs
the auditor's site crawl (fresh --out), then bench/bare_spider.py over the URLs that crawl fetched,
from the same start URLs, at the same concurrency — alternately, in one session. Prints per run:
responses, seconds, pages/s, CPU seconds per 1000 pages, peak RSS; then the median ratio.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from auditor.sandbox import SandboxProcess
from auditor.store import CrawlStore


def auditor_run(sb: SandboxProcess, out: Path, concurrency: int) -> dict:
    profile = out.parent / "profile.toml"
    shipped = Path("auditor/profiles/poco.toml").read_text(encoding="utf-8")
    profile.write_text(
        shipped.replace("concurrent_requests = 32", f"concurrent_requests = {concurrency}").replace(
            "concurrent_requests_per_domain = 16", f"concurrent_requests_per_domain = {concurrency}"
        ),
        encoding="utf-8",
    )
    args = [sys.executable, "-m", "auditor", "run", "--only", "site", "--out", str(out), "--no-progress"]
    args += ["--profile", str(profile), "--as-of", "2026-11-21", "--graph", "none"]
    for value in sb.resolve_args():
        args += ["--resolve", value]
    subprocess.run(args, check=True, capture_output=True)
    with CrawlStore(out / "crawl.sqlite", readonly=True) as store:
        crawl = store.meta("crawl")
    return {
        "responses": crawl["responses"],
        "elapsed": crawl["elapsed"],
        "cpu": crawl["cpu_seconds"],
        "peak_rss_mb": crawl["peak_rss_mb"],
    }


def fetched(out: Path, tmp: Path) -> tuple[Path, Path]:
    """The URLs the auditor's crawl fetched, and its start URLs (depth 0)."""
    allowed, starts = set(), set()
    with CrawlStore(out / "crawl.sqlite", readonly=True) as store:
        for trace in store.traces():
            if trace.purpose == "legacy":
                continue
            allowed.update(h.url for h in trace.hops)
            if trace.depth == 0 and trace.purpose == "page":
                starts.add(trace.start)
    (tmp / "allowed.txt").write_text("\n".join(sorted(allowed)))
    (tmp / "starts.txt").write_text("\n".join(sorted(starts)))
    return tmp / "allowed.txt", tmp / "starts.txt"


def line(name: str, r: dict) -> str:
    rate = r["responses"] / r["elapsed"]
    cpu_k = 1000 * r["cpu"] / r["responses"]
    cells = [name, f"{r['responses']:,}", f"{r['elapsed']:.1f} s", f"{rate:.0f}", f"{cpu_k:.1f} s"]
    return "| " + " | ".join([*cells, f"{r['peak_rss_mb']:.0f} MB"]) + " |"


def main() -> None:
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    ratios = []
    with tempfile.TemporaryDirectory() as tmp, SandboxProcess("default", scale=scale) as sb:
        for i in range(rounds):
            out = Path(tmp) / f"run{i}"
            a = auditor_run(sb, out, concurrency)
            allowed, starts = fetched(out, Path(tmp))
            bare = subprocess.run(
                [sys.executable, "bench/bare_spider.py", str(allowed), str(starts), str(concurrency),
                 *sb.resolve_args()],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            b = json.loads(bare.stdout.strip().splitlines()[-1])
            print(line(f"auditor (round {i + 1})", a))
            print(line(f"bare Scrapy (round {i + 1})", b))
            ratios.append((a["responses"] / a["elapsed"]) / (b["responses"] / b["elapsed"]))
            sys.stdout.flush()
    each = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"auditor / bare pages per second: median {statistics.median(ratios):.2f} ({each})")


if __name__ == "__main__":
    main()
