"""A crawl stopped half-way (Ctrl-C, or killed outright) is resumed by running the same command again:
nothing stored is lost, nothing is stored twice, and the resumed run completes the crawl."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from auditor.sandbox import Sandbox
from auditor.store import CrawlStore
from tests.crawling import run_args, write_inputs


def stored_pages(store: Path) -> int:
    if not store.exists():
        return 0
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT count(*) FROM pages").fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        db.close()


def snapshot(store: Path) -> tuple[set[str], set[tuple[str, str]]]:
    with CrawlStore(store, readonly=True) as s:
        pages = {p["url"] for p in s.pages()}
        traces = {(t.start, t.purpose) for t in s.traces()}
    return pages, traces


@pytest.mark.parametrize(
    "how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "sigterm", "kill-9"]
)
def test_interrupted_crawl_resumes(sandbox: Sandbox, tmp_path: Path, how: signal.Signals) -> None:
    out = tmp_path / "run"
    urls, rmap = write_inputs(sandbox.estate, tmp_path / "inputs")
    args = run_args(sandbox, out, urls, rmap)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while stored_pages(out / "crawl.sqlite") < 400 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert first.poll() is None, "the crawl finished before it could be interrupted"
    first.send_signal(how)
    _stdout, stderr = first.communicate(timeout=120)
    if how in (signal.SIGINT, signal.SIGTERM):  # a clean stop: exit 130, resumable from its JOBDIR
        assert first.returncode == 130, stderr[-2000:]
        assert not (out / "findings.json").exists()  # an unfinished crawl is never judged
    else:
        assert first.returncode == -signal.SIGKILL
    pages_before, traces_before = snapshot(out / "crawl.sqlite")
    truth_pages = {p.url for p in sandbox.truth().crawled_pages()}
    assert len(pages_before) > 0 and not truth_pages <= pages_before

    second = subprocess.run(args, capture_output=True, text=True, env=env, timeout=240)
    assert second.returncode == 0, second.stderr[-3000:]
    pages_after, traces_after = snapshot(out / "crawl.sqlite")
    assert pages_before <= pages_after and traces_before <= traces_after  # nothing lost
    with CrawlStore(out / "crawl.sqlite", readonly=True) as s:
        crawled = {p["url"] for p in s.pages("crawled = 1")}
        assert truth_pages <= crawled  # the resumed run completed the crawl
        legacy = [t.start for t in s.traces("legacy")]
        assert len(legacy) == len(set(legacy)) and set(sandbox.estate.legacy_urls) <= set(legacy)
        assert s.count("traces") == len(traces_after)  # one row per (URL, purpose): none twice
        assert s.meta("finished") is not None
