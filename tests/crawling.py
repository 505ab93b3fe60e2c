"""Run real crawls (``python -m auditor run`` in a child process: Scrapy's reactor cannot restart in
the test process) against a sandbox, and read what they stored."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from auditor.sandbox import Estate


@dataclass
class Run:
    out: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def store_path(self) -> Path:
        return self.out / "crawl.sqlite"


def write_inputs(estate: Estate, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    urls = directory / "legacy-urls.txt"
    urls.write_text("\n".join(estate.legacy_urls) + "\n", encoding="utf-8")
    rmap = directory / "redirect-map.csv"
    with rmap.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["old_url", "new_url"])
        writer.writerows(estate.redirect_map())
    return urls, rmap


def run_args(sandbox, out: Path, urls: Path, rmap: Path, *extra: str) -> list[str]:
    args = [sys.executable, "-m", "auditor", "run", "--out", str(out), "--no-progress"]
    args += ["--legacy-urls", str(urls), "--redirect-map", str(rmap)]
    args += ["--as-of", sandbox.estate.s.as_of.isoformat()]  # the scenario's today, as its truth assumes
    for value in sandbox.resolve_args():
        args += ["--resolve", value]
    return args + list(extra)


def crawl(sandbox, out: Path, *extra: str, timeout: float = 240) -> Run:
    urls, rmap = write_inputs(sandbox.estate, out.parent / f"{out.name}-inputs")
    proc = subprocess.run(
        run_args(sandbox, out, urls, rmap, *extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    return Run(out, proc.returncode, proc.stdout, proc.stderr)
