"""The fault scenario (part one): hostile and broken Location headers, a 50-hop chain, refused ports,
and 503 bursts — transient ones retried away and never reported, persistent ones reported with the
retries as evidence. Crawled end to end over HTTP and scored against the scenario's ground truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.sandbox import Sandbox
from auditor.sandbox.score import score
from auditor.store import CrawlStore
from tests.crawling import crawl

PO = "https://www.po.co"
MI = "https://www.mi.com"


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any], Path]:
    with Sandbox("faults") as sb:
        run = crawl(sb, tmp_path_factory.mktemp("faults") / "run")
        assert run.returncode == 0, run.stderr[-3000:]
        truth = sb.truth().document()
    return truth, json.loads((run.out / "findings.json").read_text(encoding="utf-8")), run.out


def test_findings_equal_the_ground_truth(faults: tuple[dict[str, Any], dict[str, Any], Path]) -> None:
    truth, found, _out = faults
    for kind, s in score(truth, found).items():
        assert (kind, s.extra, s.missed) == (kind, [], [])


@pytest.mark.parametrize(
    ("url", "end", "what"),
    [
        (f"{PO}/uk/product/poco-f5/", "bad_location", "javascript:alert(document.domain)"),
        (f"{PO}/uk/product/poco-f6/", "bad_location", "mailto:support@po.co"),
        (f"{PO}/uk/product/poco-x6/", "bad_location", "ftp://ftp.po.co/uk/poco-x6.zip"),
        (f"{PO}/uk/product/poco-x6-pro-5g/", "bad_location", "(10000 characters)"),
        (f"{PO}/fr/product/poco-f6/", "error", "https://www.xn--m-jga.com/fr/product/poco-f6/"),
        (f"{PO}/fr/product/poco-x6/", "error", "https://cdn.po.co/fr/poco-x6/"),
        (f"{PO}/de/product/poco-f5/", "cap", f"{MI}/uk/r/10"),
        (f"{PO}/es/product/poco-f5/", "page", "503"),
    ],
    ids=["javascript", "mailto", "ftp", "10k Location", "IDN host", "//other-host", "50 hops", "503 x50"],
)
def test_each_fault_is_recorded_as_data(
    faults: tuple[dict[str, Any], dict[str, Any], Path], url: str, end: str, what: str
) -> None:
    _truth, found, out = faults
    with CrawlStore(out / "crawl.sqlite", readonly=True) as store:
        trace = store.trace(url, "legacy")
    assert trace is not None and trace.end == end
    seen = json.dumps([h.as_dict() for h in trace.hops], ensure_ascii=False)
    assert what in seen
    assert all(len(h.raw_location or "") < 2200 for h in trace.hops)  # evidence is bounded
    finding = {(f["type"], f["url"]): f for f in found["findings"]}[("redirect_broken", url)]
    if end == "page":  # persistent 503: reported with the retries that did not help
        assert finding["evidence"]["retries"] == 2 and finding["hops"][-1]["status"] == 503
    if end == "cap":
        assert len(trace.hops) == 11


def test_transient_failures_are_never_findings(faults: tuple[dict[str, Any], dict[str, Any], Path]) -> None:
    _truth, found, out = faults
    urls = {f["url"] for f in found["findings"]}
    assert f"{PO}/de/product/poco-x6/" not in urls  # 503 twice, then a healthy 301
    assert f"{MI}/es/product/poco-f6/" not in urls  # 503 twice on the target, then 200
    with CrawlStore(out / "crawl.sqlite", readonly=True) as store:
        trace = store.trace(f"{PO}/de/product/poco-x6/", "legacy")
        assert trace is not None and trace.hops[0].status == 301 and trace.hops[0].retries == 2
        page = store.page(f"{MI}/es/product/poco-f6/")
        assert page is not None and page["status"] == 200
    persistent = {(f["type"], f["url"]) for f in found["findings"]}
    assert ("missing_product", f"{PO}/es/product/poco-x6/") in persistent  # the target never answered
    assert ("broken_link", f"{MI}/es/product/poco-x6/") in persistent


def test_cut_connections_and_truncated_bodies(faults: tuple[dict[str, Any], dict[str, Any], Path]) -> None:
    _truth, found, out = faults
    keys = {(f["type"], f["url"]) for f in found["findings"]}
    with CrawlStore(out / "crawl.sqlite", readonly=True) as store:
        cut = store.trace(f"{PO}/it/product/poco-f5/", "legacy")  # reset on every attempt
        assert cut is not None and cut.end == "error" and cut.final.status is None
        assert cut.final.retries == 2 and cut.final.error
        healed = store.trace(f"{PO}/it/product/poco-f6/", "legacy")  # reset twice, then fine
        # (Twisted's connection pool may retry a cut keep-alive connection once by itself)
        assert healed is not None and healed.end == "page" and healed.hops[0].retries in (1, 2)
        assert store.page(f"{MI}/it/product/poco-f5-pro/")["status"] == 200  # truncated twice, then whole
        assert store.page(f"{MI}/it/product/poco-x6/") is None  # never a whole answer
    assert ("redirect_broken", f"{PO}/it/product/poco-f5/") in keys
    assert ("redirect_broken", f"{PO}/it/product/poco-x6/") in keys  # lands on the truncated page
    assert ("broken_link", f"{MI}/it/product/poco-x6/") in keys
    assert ("missing_product", f"{PO}/it/product/poco-x6/") in keys
    assert not {k for k in keys if k[1] in (f"{PO}/it/product/poco-f6/", f"{MI}/it/product/poco-f5-pro/")}
