"""report.html at scale: render time, file size, and how long real headless Chromium takes to show it.

    python bench/report_scale.py FINDINGS_JSON [N ...]

Takes a real findings.json (e.g. `auditor demo`'s) and grows its findings to N by varying their URLs,
renders report.html, then loads it from file:// in Debian's Chromium (Playwright) and times until the
headline is painted and until the findings tables are filled. Run by hand; results go to BENCHMARKS.md.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from playwright.sync_api import sync_playwright

from auditor.reports.html import render_html
from auditor.vocabulary import FindingType


def grow(doc: dict, n: int) -> dict:
    base = doc["findings"]
    findings = [dict(base[i % len(base)], url=f"{base[i % len(base)]['url']}?n={i}") for i in range(n)]
    by_type = Counter(f["type"] for f in findings)
    summary = dict(
        doc["summary"],
        findings=n,
        by_type={t.value: by_type[t.value] for t in FindingType},
        by_severity=dict(Counter(f["severity"] for f in findings)),
    )
    return dict(doc, findings=findings, summary=summary)


def main() -> None:
    doc = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    sizes = [int(a) for a in sys.argv[2:]] or [1_000, 10_000, 100_000]
    print("| findings | render | report.html | headline painted | tables filled |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for n in sizes:
            big = grow(doc, n)
            t0 = time.perf_counter()
            html = render_html(big)
            render = time.perf_counter() - t0
            path = Path(tmp) / f"report-{n}.html"
            path.write_text(html, encoding="utf-8")
            page = browser.new_page()
            t0 = time.perf_counter()
            page.goto(path.as_uri(), wait_until="commit")
            page.wait_for_selector("#findings-total")
            painted = time.perf_counter() - t0
            page.wait_for_selector("#shown-count:not(:empty)")
            filled = time.perf_counter() - t0
            page.close()
            size = path.stat().st_size / 1024 / 1024
            print(f"| {n:,} | {render:.2f} s | {size:.1f} MB | {painted:.2f} s | {filled:.2f} s |")
        browser.close()


if __name__ == "__main__":
    main()
