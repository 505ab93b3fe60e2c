"""`auditor check-map`: list mode over the sandbox — only the map's old URLs are traced (no site
crawl), the redirect findings equal the truth's for those URLs, and each map row gets a verdict."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from auditor.sandbox import Sandbox
from auditor.status import ExitStatus
from auditor.store import CrawlStore
from tests.crawling import write_inputs

PO = "https://www.po.co"
REDIRECT_TYPES = {
    "redirect_broken",
    "redirect_loop",
    "redirect_chain",
    "redirect_temporary",
    "redirect_homepage",
    "redirect_wrong_region",
    "redirect_wrong_product",
    "redirect_mismatch",
    "not_redirected",
}


def check_map(sandbox: Sandbox, rmap: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "auditor", "check-map", str(rmap), "--out", str(out), "--no-progress"]
    args += ["--as-of", sandbox.estate.s.as_of.isoformat()]
    for value in sandbox.resolve_args():
        args += ["--resolve", value]
    return subprocess.run(args + list(extra), capture_output=True, text=True, timeout=240)


def test_check_map_judges_every_row(sandbox: Sandbox, truth: dict, tmp_path: Path) -> None:
    _urls, rmap = write_inputs(sandbox.estate, tmp_path / "inputs")
    proc = check_map(sandbox, rmap, tmp_path / "out", "--fail-on", "any:redirect_loop")
    assert proc.returncode == ExitStatus.GATE, proc.stderr[-3000:]  # the map has two loops
    with rmap.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with CrawlStore(tmp_path / "out" / "crawl.sqlite", readonly=True) as store:
        purposes = {t.purpose for t in store.traces()}
        traced = {t.start for t in store.traces("legacy")}
    # no site crawl, no sitemaps, no live crawl of po.co: legacy traces, and the soft-404 probes that
    # fingerprint the sections they land in
    assert purposes == {"legacy", "probe"}
    assert traced == {r["old_url"] for r in rows}

    doc = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    mapped = {r["old_url"] for r in rows}
    want = {
        (f["type"], f["url"]) for f in truth["findings"] if f["type"] in REDIRECT_TYPES and f["url"] in mapped
    }
    assert {(f["type"], f["url"]) for f in doc["findings"]} == want
    assert doc["coverage"] == [] and doc["gate"]["failed"]

    with (tmp_path / "out" / "verdicts.csv").open(newline="", encoding="utf-8") as f:
        verdicts = list(csv.DictReader(f))
    assert [v["old_url"] for v in verdicts] == [r["old_url"] for r in rows]  # one per row, in map order
    by_url = {v["old_url"]: v for v in verdicts}
    loop = by_url[f"{PO}/tw/product/poco-f4/"]
    assert loop["verdict"] == "redirect_loop" and loop["hops"].endswith("-[301]")
    mismatch = by_url[f"{PO}/de/service/warranty/"]
    assert mismatch["verdict"] == "redirect_mismatch" and mismatch["new_url"].endswith("/de/support/")
    healthy = by_url[f"{PO}/uk/product/poco-f6/"]
    assert (healthy["verdict"], healthy["findings"], healthy["redirects"], healthy["final_status"]) == (
        "ok",
        "",
        "1",
        "200",
    )
    assert sum(1 for v in verdicts if v["verdict"] == "ok") == len(rows) - len({u for _t, u in want})


def test_check_map_bad_map_is_exit_2(sandbox: Sandbox, tmp_path: Path) -> None:
    rmap = tmp_path / "map.csv"
    rmap.write_text(f"old_url,new_url\n{PO}/uk/,https://www.mi.com/uk/\n{PO}/uk/,https://www.mi.com/uk/\n")
    proc = check_map(sandbox, rmap, tmp_path / "out")
    assert proc.returncode == ExitStatus.BAD_INPUT
    assert f"{rmap}:3" in proc.stderr and not (tmp_path / "out" / "crawl.sqlite").exists()
