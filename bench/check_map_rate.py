"""Rows/second of ``auditor check-map`` over a big redirect map, against the sandbox at --scale.

    python bench/check_map_rate.py [SCALE] [CONCURRENCY]

Starts the sandbox estate in its own process at SCALE (about 533 legacy URLs per unit: 190 gives
~100k), exports its redirect map, then times one ``auditor check-map`` over every row (a fresh --out)
and prints rows, seconds, rows/s and the run's own summary lines. Run by hand; results go to
BENCHMARKS.md and the README.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from auditor.sandbox import SandboxProcess


def main() -> None:
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 190
    with tempfile.TemporaryDirectory() as tmp, SandboxProcess("default", scale=scale) as sb:
        rmap = Path(tmp) / "map.csv"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "auditor",
                "sandbox",
                "redirect-map",
                "--scale",
                str(scale),
                "--out",
                str(rmap),
            ],
            check=True,
        )
        rows = sum(1 for _ in rmap.open()) - 1
        args = [sys.executable, "-m", "auditor", "check-map", str(rmap), "--out", str(Path(tmp) / "out")]
        args += ["--no-progress", "--as-of", "2026-11-21"]
        for value in sb.resolve_args():
            args += ["--resolve", value]
        started = time.monotonic()
        proc = subprocess.run(args, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        if proc.returncode not in (0, 3):
            print(proc.stderr[-3000:])
            raise SystemExit(proc.returncode)
        wanted = ("legacy URLs traced", "responses in", "audit:", "verdicts.csv")
        print("\n".join(line for line in proc.stdout.splitlines() if any(w in line for w in wanted)))
        print(f"| {rows:,} rows | {elapsed:.1f} s | {rows / elapsed:.0f} rows/s | scale {scale} |")


if __name__ == "__main__":
    main()
