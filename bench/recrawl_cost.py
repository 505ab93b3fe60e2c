"""Re-crawl cost: a second night over an unchanged estate, with and without --http-cache.

    python bench/recrawl_cost.py [SCALE]

The sandbox (default scenario at SCALE) in its own process counts the bytes it sends. Night 1 runs
``auditor run --http-cache C`` (full run: legacy traces and site crawl, the scenario's inventory and
redirect map); night 2 runs again with the same cache (every cached page revalidated: 304s), and
once more without any cache, each into a fresh --out, the sandbox's flaky-URL counters reset before
each night. Prints bytes sent by the server, responses, seconds, and the ratio to night 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from auditor.sandbox import SandboxProcess


def served(sb: SandboxProcess, what: str = "stats") -> dict:
    url, host = sb.url_for(f"https://www.mi.com/__sandbox__/{what}")
    req = urllib.request.Request(url, headers={"Host": host})
    with urllib.request.urlopen(req, timeout=10) as r:
        data: dict = json.loads(r.read()) if what == "stats" else {}
    return data


def night(sb: SandboxProcess, scale: int, out: Path, inputs: list[str], cache: Path | None) -> dict:
    served(sb, "reset")
    before = served(sb)
    args = [sys.executable, "-m", "auditor", "run", "--out", str(out), "--no-progress", "--graph", "none"]
    args += ["--as-of", "2026-11-21", *inputs]
    if cache is not None:
        args += ["--http-cache", str(cache)]
    for value in sb.resolve_args():
        args += ["--resolve", value]
    started = time.monotonic()
    subprocess.run(args, check=True, capture_output=True)
    elapsed = time.monotonic() - started
    after = served(sb)
    return {
        "bytes": after["bytes"] - before["bytes"],
        "requests": after["served"] - before["served"] - 1,
        "seconds": elapsed,
    }


def main() -> None:
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    with tempfile.TemporaryDirectory() as tmp, SandboxProcess("default", scale=scale) as sb:
        t = Path(tmp)
        for kind, name in (
            ("inventory", "urls.txt"),
            ("redirect-map", "map.csv"),
        ):
            cmd = [
                sys.executable,
                "-m",
                "auditor",
                "sandbox",
                kind,
                "--scale",
                str(scale),
                "--out",
                str(t / name),
            ]
            subprocess.run(cmd, check=True)
        inputs = ["--legacy-urls", str(t / "urls.txt"), "--redirect-map", str(t / "map.csv")]
        cache = t / "cache"
        first = night(sb, scale, t / "n1", inputs, cache)
        cached = night(sb, scale, t / "n2-cache", inputs, cache)
        plain = night(sb, scale, t / "n2-plain", inputs, None)
        for name, r in (
            ("night 1 (cache filled)", first),
            ("night 2, --http-cache", cached),
            ("night 2, no cache", plain),
        ):
            share = 100 * r["bytes"] / first["bytes"]
            mb = r["bytes"] / 2**20
            print(f"| {name} | {r['requests']:,} | {mb:.1f} MB | {share:.0f}% | {r['seconds']:.1f} s |")


if __name__ == "__main__":
    main()
