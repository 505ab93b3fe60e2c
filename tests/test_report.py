"""The reports of a real sandbox run: report.html in real headless Chromium, findings.csv, junit.xml,
and `auditor report RUN_DIR` re-rendering without a crawl."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import junitparser
import networkx as nx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from auditor.reports.html import MAX_ROWS, render_html
from auditor.reports.spreadsheet import COLUMNS, hop_chain, write_csv
from auditor.vocabulary import FindingType
from tests.crawling import Run
from tests.utils import run_cli

MI = "https://www.mi.com"


def chromium() -> str:
    """Debian's Chromium (installed by .ci/run), or AUDITOR_CHROMIUM."""
    for candidate in (os.environ.get("AUDITOR_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (path := shutil.which(candidate)):
            return path
    pytest.fail("no Chromium: install Debian's chromium (apt-get install chromium) or set AUDITOR_CHROMIUM")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def doc(default_run: Run) -> dict[str, Any]:
    return json.loads((default_run.out / "findings.json").read_text(encoding="utf-8"))


class Watched:
    """A page with every console error, uncaught exception and dialog (alert) it raised."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.message}")  # hostile script ran
        dialog.dismiss()


def open_report(browser: Browser, path: Path) -> Watched:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watched = Watched(page)
    page.goto(path.as_uri())
    page.wait_for_selector("#shown-count:not(:empty)")
    return watched


def visible_rows(page: Page) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "section.ftype:not([hidden]) tbody tr",
        "rows => rows.map(r => ({region: r.dataset.region, severity: r.dataset.severity,"
        " type: r.closest('section').dataset.type, url: r.querySelector('td.url a').textContent}))",
    )


def test_report_in_a_real_browser(
    browser: Browser, default_run: Run, doc: dict[str, Any], tmp_path: Path
) -> None:
    w = open_report(browser, default_run.out / "report.html")
    page = w.page
    # the headline equals findings.json
    made = sum(c["on_target"] for c in doc["coverage"])
    total = sum(c["legacy_products"] for c in doc["coverage"])
    assert page.text_content("#products-migrated") == f"{made} / {total}"
    assert page.text_content("#findings-total") == str(len(doc["findings"]))
    severities = Counter(f["severity"] for f in doc["findings"])
    for sev in ("critical", "major", "minor"):
        assert page.text_content(f"#severity-{sev}") == str(severities[sev])
    assert len(visible_rows(page)) == len(doc["findings"])  # every finding is a row (150 < a page)
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    print(f"report screenshot: {shot}")

    # filtering by a region shows only that region's rows, all of them
    page.select_option("#f-region", "uk")
    rows = visible_rows(page)
    assert rows and {r["region"] for r in rows} == {"uk"}
    assert sorted(r["url"] for r in rows) == sorted(f["url"] for f in doc["findings"] if f["region"] == "uk")
    page.select_option("#f-type", "legacy_link")
    assert {r["type"] for r in visible_rows(page)} == {"legacy_link"}
    page.select_option("#f-severity", "critical")
    assert visible_rows(page) == []
    page.select_option("#f-region", "")
    page.select_option("#f-type", "")
    page.select_option("#f-severity", "")

    # the sandbox's hostile page title is shown as text and never runs
    page.fill("#q", "coupon terms <script>")
    page.wait_for_function(
        "() => document.querySelectorAll('section.ftype:not([hidden]) tbody tr').length === 1"
    )
    title = page.text_content("section.ftype:not([hidden]) tbody tr td.msg .title") or ""
    assert "<script>alert('x')</script><img src=x onerror=alert(1)>" in title
    assert page.evaluate("document.querySelectorAll('main img, main td script').length") == 0
    page.screenshot(path=str(tmp_path / "report-hostile.png"))
    assert w.problems == []


def test_a_hundred_thousand_findings_stay_bounded(
    browser: Browser, doc: dict[str, Any], tmp_path: Path
) -> None:
    """The report embeds at most MAX_ROWS findings, most severe first; the counts stay complete."""
    base = doc["findings"]
    findings = [
        dict(base[i % len(base)], url=f"{base[i % len(base)]['url']}?n={i}", message=f"message {i}")
        for i in range(100_000)
    ]
    by_type = Counter(f["type"] for f in findings)
    big = dict(
        doc,
        findings=findings,
        summary=dict(
            doc["summary"],
            findings=len(findings),
            by_type={t.value: by_type[t.value] for t in FindingType},
            by_severity=dict(Counter(f["severity"] for f in findings)),
        ),
    )
    html = render_html(big)
    path = tmp_path / "big.html"
    path.write_text(html, encoding="utf-8")
    assert len(html.encode()) < 10 * 1024 * 1024
    w = open_report(browser, path)
    assert w.page.text_content("#findings-total") == "100000"
    assert f"embeds the {MAX_ROWS} most severe of 100000" in (w.page.text_content("#truncated") or "")
    assert len(visible_rows(w.page)) <= 100 * len(FindingType)  # tables render a page at a time
    w.page.click("#type-redirect_broken button.more")
    assert w.problems == []


def test_markup_in_any_field_stays_inert(browser: Browser, doc: dict[str, Any], tmp_path: Path) -> None:
    evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    finding = dict(doc["findings"][0], url=f"{MI}/x/{evil}", product=evil, message=evil, region=evil)
    finding["evidence"] = {"title": evil}
    finding["hops"] = [{"url": f"javascript:alert(3)//{evil}", "status": 301, "location": None}]
    hostile = dict(doc, findings=[finding], coverage=[dict(doc["coverage"][0], region=evil)])
    html = render_html(hostile)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    path = tmp_path / "hostile.html"
    path.write_text(html, encoding="utf-8")
    w = open_report(browser, path)
    w.page.fill("#q", "alert")
    w.page.wait_for_function("() => document.querySelectorAll('table.findings tbody tr').length === 1")
    assert evil in (w.page.text_content("table.findings tbody tr td.msg") or "")
    assert w.page.evaluate("document.querySelectorAll('main img, main td script').length") == 0
    assert w.page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    assert w.problems == []


def test_csv_round_trips(default_run: Run, doc: dict[str, Any]) -> None:
    with (default_run.out / "findings.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(doc["findings"])
    for row, finding in zip(rows, doc["findings"], strict=True):
        for column in ("id", "type", "severity", "url", "message"):
            assert row[column] == finding[column]
        assert row["region"] == (finding["region"] or "") and row["product"] == (finding["product"] or "")
        assert row["hops"] == hop_chain(finding["hops"])
        assert json.loads(row["evidence"]) == finding["evidence"]


def test_csv_cells_never_start_a_formula(tmp_path: Path, doc: dict[str, Any]) -> None:
    finding = dict(doc["findings"][0], message='=HYPERLINK("http://evil")', product="+1", region="@x")
    write_csv(dict(doc, findings=[finding]), tmp_path / "f.csv")
    with (tmp_path / "f.csv").open(newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["message"], row["product"], row["region"]) == ('\'=HYPERLINK("http://evil")', "'+1", "'@x")


def test_junit_has_one_suite_per_type_and_one_case_per_checked_subject(
    default_run: Run, doc: dict[str, Any]
) -> None:
    path = default_run.out / "junit.xml"
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [t.value for t in FindingType]
    failures_by_type = Counter(f["type"] for f in doc["findings"])
    for suite in suites:
        cases = suite.findall("testcase")
        failed = [c for c in cases if c.find("failure") is not None]
        assert int(suite.get("tests") or -1) == len(cases) == doc["summary"]["checked"][suite.get("name")]
        assert int(suite.get("failures") or -1) == len(failed) == failures_by_type[suite.get("name")]
        assert all(c.get("classname") == f"auditor.{suite.get('name')}" for c in cases)
    messages = {
        (s.get("name"), c.get("name")): c.find("failure").get("message")  # type: ignore[union-attr]
        for s in suites
        for c in s.findall("testcase")
        if c.find("failure") is not None
    }
    assert messages == {(f["type"], f["url"]): f["message"] for f in doc["findings"]}
    assert int(root.get("failures") or -1) == len(doc["findings"])
    # what Jenkins' and GitLab's parsers see
    xml = junitparser.JUnitXml.fromfile(str(path))
    assert xml.failures == len(doc["findings"]) and xml.tests == sum(doc["summary"]["checked"].values())


def _store_copy(run: Run, tmp_path: Path) -> Path:
    """A run directory holding only a copy of the run's crawl store (as after a crawl on another box)."""
    run_dir = tmp_path / "copy"
    run_dir.mkdir()
    shutil.copy(run.out / "crawl.sqlite", run_dir / "crawl.sqlite")
    return run_dir


def test_report_command_rerenders_a_finished_run(
    default_run: Run, doc: dict[str, Any], tmp_path: Path
) -> None:
    run_dir = _store_copy(default_run, tmp_path)
    code, out, err = run_cli("report", str(run_dir))
    assert code == 0, err
    assert "audit: 150 findings" in out and str(run_dir / "report.html") in out
    again = json.loads((run_dir / "findings.json").read_text(encoding="utf-8"))
    assert again == doc  # the same store judges the same, byte for byte in content
    for name in ("report.html", "findings.csv", "junit.xml", "graph.json", "graph.graphml"):
        assert (run_dir / name).stat().st_size > 0


def test_graph_exports_can_leave_out_links_or_be_skipped(
    default_run: Run, doc: dict[str, Any], tmp_path: Path
) -> None:
    run_dir = _store_copy(default_run, tmp_path)
    code, _out, err = run_cli("report", str(run_dir), "--graph", "products")
    assert code == 0, err
    g = nx.node_link_graph(json.loads((run_dir / "graph.json").read_text(encoding="utf-8")), edges="edges")
    kinds = {k for _u, _v, k in g.edges(keys=True)}
    assert kinds == {"redirects_to", "describes", "in_region", "part_of"}  # no links_to/canonical/hreflang
    assert g.nodes["product:poco-x6-pro"]["name"] == "POCO X6 Pro 5G"
    for name in ("graph.json", "graph.graphml"):
        (run_dir / name).unlink()
    code, out, err = run_cli("report", str(run_dir), "--graph", "none")
    assert code == 0, err
    assert not (run_dir / "graph.json").exists() and not (run_dir / "graph.graphml").exists()
    assert "graph.json" not in out
    assert json.loads((run_dir / "findings.json").read_text(encoding="utf-8")) == doc


def test_report_command_refuses_what_is_not_a_finished_run(default_run: Run, tmp_path: Path) -> None:
    code, out, err = run_cli("report", str(tmp_path))
    assert code == 2 and f"{tmp_path}: no crawl store here" in err and out == ""
    shutil.copy(default_run.out / "crawl.sqlite", tmp_path / "crawl.sqlite")
    with sqlite3.connect(tmp_path / "crawl.sqlite") as db:  # a Scrapyd-style store: spiders closed, no run
        db.execute("DELETE FROM meta WHERE key = 'finished'")
        assert {k for (k,) in db.execute("SELECT key FROM meta WHERE key LIKE 'closed:%'")} == {
            "closed:legacy",
            "closed:site",
        }
        db.execute(
            'UPDATE meta SET value = \'{"reason": "shutdown", "at": "x"}\' WHERE key = \'closed:site\''
        )
    code, out, err = run_cli("report", str(tmp_path))
    assert code == 2 and "the crawl has not finished" in err
    assert not (tmp_path / "findings.json").exists()
    with sqlite3.connect(tmp_path / "crawl.sqlite") as db:
        db.execute("DELETE FROM meta WHERE key = 'closed:site'")
        db.execute("INSERT INTO meta SELECT 'closed:site', value FROM meta WHERE key = 'closed:legacy'")
    code, out, err = run_cli("report", str(tmp_path))
    assert code == 0, err  # both spiders finished (scrapy crawl, Scrapyd): the store can be judged
