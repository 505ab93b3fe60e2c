"""Night over night with one history file: the sandbox timeline replayed (before, mid, after the
migration), the diff's classification, po.co's URLs supplied by the baseline once it only redirects,
the gate's exit codes, and a run killed mid-way leaving the history untouched. Plus the pure parts."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from auditor.history import Redirect, RunRow
from auditor.inventory import cdx_file
from auditor.nightly import FailOn, classify, coverage_deltas, parse_fail_on, redirect_changes, streak_start
from auditor.sandbox import Sandbox
from auditor.status import ExitStatus
from auditor.store import CrawlStore
from auditor.vocabulary import finding_id
from tests.crawling import run_args, write_inputs
from tests.test_resume import stored_pages
from tests.utils import run_cli

PO = "https://www.po.co"


def dump(db: Path) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def night(
    name: str, out: Path, history: Path, *extra: str, inventory: bool = True
) -> tuple[int, dict[str, Any], str]:
    with Sandbox(name) as sb:
        urls, rmap = write_inputs(sb.estate, out.parent / f"{out.name}-inputs")
        args = run_args(sb, out, urls, rmap, "--history", str(history), *extra)
        if not inventory:  # po.co is gone and nobody kept a list: the history must supply it
            args = [a for a in args if a not in (str(urls), str(rmap), "--legacy-urls", "--redirect-map")]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 3), proc.stderr[-3000:]
    return proc.returncode, json.loads((out / "findings.json").read_text(encoding="utf-8")), proc.stderr


def by_key(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["type"], f["url"]): f for f in doc["findings"]}


def test_three_nights_with_one_history(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"

    # night 1: po.co live everywhere
    code1, n1, _ = night("night-1-before", tmp_path / "n1", history)
    assert code1 == ExitStatus.OK and n1["diff"]["previous_run"] is None
    assert all(f["state"] == "new" for f in n1["findings"])

    # night 2, killed half-way: the history is exactly as night 1 left it; then resumed to the end
    before = dump(history)
    with Sandbox("night-2-mid") as sb:
        urls, rmap = write_inputs(sb.estate, tmp_path / "n2-inputs")
        args = run_args(
            sb, tmp_path / "n2", urls, rmap, "--history", str(history), "--fail-on", "new:critical"
        )
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while stored_pages(tmp_path / "n2" / "crawl.sqlite") < 300 and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert proc.poll() is None, "night 2 finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert dump(history) == before  # readable, and unchanged
        resumed = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == ExitStatus.GATE, resumed.stderr[-3000:]  # new critical findings
    n2 = json.loads((tmp_path / "n2" / "findings.json").read_text(encoding="utf-8"))
    assert n2["diff"]["previous_run"] == n1["run"]["id"] and n2["gate"]["failed"]

    # night 3: po.co only redirects; no inventory file is given — the history's baseline supplies it
    code3, n3, err3 = night("night-3-after", tmp_path / "n3", history, inventory=False)
    assert code3 == ExitStatus.OK and "new from the history's baseline of" in err3
    with CrawlStore(tmp_path / "n3" / "crawl.sqlite", readonly=True) as store:
        sources = {url: src for _c, url, src, _l in store.inventory()}
    live_night_1 = {
        f["url"] for f in n1["findings"] if f["type"] == "not_redirected" and f["evidence"]["status"] == 200
    }
    assert live_night_1 and live_night_1 <= set(sources)
    assert sum(1 for s in sources.values() if s == "baseline") >= len(live_night_1)

    one, two, three = by_key(n1), by_key(n2), by_key(n3)
    # new on night 2, still there on night 3 (persisting since night 2)
    homepage = ("redirect_homepage", f"{PO}/de/product/poco-x5-5g/")
    assert homepage not in one and two[homepage]["state"] == "new"
    assert (
        three[homepage]["state"] == "persisting" and three[homepage]["first_seen"]["run"] == n2["run"]["id"]
    )
    # there on nights 1 and 2 (po.co/fr still live), fixed on night 3
    live_fr = ("not_redirected", f"{PO}/fr/product/poco-f6/")
    assert live_fr in one and two[live_fr]["state"] == "persisting"
    assert live_fr not in three and finding_id(*live_fr) in n3["diff"]["fixed"]
    # persisting across all three nights, first seen on night 1
    missing = ("missing_product", f"{PO}/global/poco-c3/")
    assert three[missing]["state"] == "persisting" and three[missing]["first_seen"]["run"] == n1["run"]["id"]
    assert set(n3["diff"]["new"]) | set(n3["diff"]["persisting"]) == {f["id"] for f in n3["findings"]}
    # po.co/fr's URLs changed destination overnight; the coverage did not move
    changed = {r["url"]: r for r in n3["diff"]["redirects_changed"]}
    assert changed[f"{PO}/fr/product/poco-f6/"]["changed"] == ["destination", "status"]
    assert n3["history"][-1]["run"] == n3["run"]["id"] and len(n3["history"]) == 3

    # auditor diff: the same comparison from two run directories, no history needed
    code, out, err = run_cli("diff", str(tmp_path / "n2"), str(tmp_path / "n3"), "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert [f["id"] for f in d["new"]] == n3["diff"]["new"] and d["persisting"] == n3["diff"]["persisting"]
    assert [f["id"] for f in d["fixed"]] == n3["diff"]["fixed"]
    assert {r["url"] for r in d["redirects_changed"]} == set(changed)
    code, out, _err = run_cli("diff", str(tmp_path / "n2"), str(tmp_path / "n3"))
    assert f"{len(n3['diff']['new'])} new, {len(n3['diff']['persisting'])} persisting" in out

    # the gate over night 3, re-judged from its store (no crawl): accepted findings never fail it
    run_dir = str(tmp_path / "n3")
    code, _out, err = run_cli("report", run_dir, "--history", str(history), "--fail-on", "new:critical")
    assert code == ExitStatus.GATE, err
    failed = json.loads((tmp_path / "n3" / "findings.json").read_text())["gate"]["failed"]
    accept = tmp_path / "accept.csv"
    accept.write_text("id,reason\n" + "".join(f"{fid},known since the shutdown\n" for fid in failed))
    code, _out, err = run_cli(
        "report", run_dir, "--history", str(history), "--fail-on", "new:critical", "--accept", str(accept)
    )
    assert code == ExitStatus.OK, err
    accepted = json.loads((tmp_path / "n3" / "findings.json").read_text())
    assert {f["id"] for f in accepted["findings"] if "accepted" in f} == set(failed)
    code, _out, _err = run_cli(
        "report", run_dir, "--history", str(history), "--fail-on", "persisting:critical"
    )
    assert code == ExitStatus.GATE


# -- the pure parts -------------------------------------------------------------------------------
def runs(n: int) -> list[RunRow]:
    return [RunRow(i, f"r{i}", "p", f"2024-10-{i:02d}", {}) for i in range(1, n + 1)]


def test_classify_and_streaks() -> None:
    assert classify(["a", "b"], ["b", "c"]) == (["a"], ["b"], ["c"])
    nights = runs(4)
    assert streak_start({2, 3, 4}, nights) == nights[1]
    assert streak_start({1, 3, 4}, nights) == nights[2]  # absent on night 2: the streak starts again
    assert streak_start({1, 2, 3}, nights) is None  # absent last night


def test_coverage_deltas() -> None:
    before = {"uk": {"region": "uk", "on_target": 28, "missing": ["poco-f3", "poco-f4"]}}
    now = [
        {"region": "uk", "on_target": 29, "missing": ["poco-f4", "poco-f5"]},
        {"region": "de", "on_target": 3, "missing": []},
    ]
    uk, de = coverage_deltas(before, now)
    assert (uk["delta"], uk["newly_missing"], uk["no_longer_missing"]) == (1, ["poco-f5"], ["poco-f3"])
    assert de["delta"] is None and de["on_target_before"] is None


@pytest.mark.parametrize(
    ("past", "tonight", "flapping"),
    [(["A", "A"], "B", False), (["A", "B"], "A", True), (["B", "A"], "B", True), (["A"], "B", False)],
    ids=["A A B", "A B A: flapping", "B A B: flapping", "A B"],
)
def test_redirect_changes_and_flapping(past: list[str], tonight: str, flapping: bool) -> None:
    def r(dest: str) -> Redirect:
        return Redirect("u", f"https://www.mi.com/{dest}", "301 200")

    (change,) = redirect_changes({"u": r(past[-1])}, {"u": r(tonight)}, {"u": [r(p) for p in past]})
    assert change["changed"] == ["destination"] and change["flapping"] is flapping


def test_fail_on_classes() -> None:
    rules = parse_fail_on("new:critical, persisting:redirect_loop,any:any")
    assert rules == [FailOn("new", "critical"), FailOn("persisting", "redirect_loop"), FailOn("any", "any")]
    f = {"severity": "critical", "type": "missing_product", "state": "persisting"}
    assert not rules[0].matches(f) and not rules[1].matches(f) and rules[2].matches(f)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fail-on", "new:urgent"], "--fail-on"),
        (["--fail-on", "tonight:critical"], "is not STATE:WHAT"),
        (["--accept", "ACCEPT"], "accept.csv:3: field 'id': not a finding id"),
        (["--history", "NOTDB"], "not an auditor history file"),
    ],
)
def test_bad_nightly_input_is_exit_2(tmp_path: Path, argv: list[str], message: str) -> None:
    (tmp_path / "accept.csv").write_text("id,reason\nredirect_loop:0123456789ab,known\nbogus,why\n")
    (tmp_path / "not.sqlite").write_text("this is not SQLite at all, just text long enough to be read\n" * 20)
    argv = [
        a.replace("ACCEPT", str(tmp_path / "accept.csv")).replace("NOTDB", str(tmp_path / "not.sqlite"))
        for a in argv
    ]
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{PO}/uk/\n")
    code, out, err = run_cli("run", "--out", str(tmp_path / "out"), "--legacy-urls", str(urls), *argv)
    assert code == ExitStatus.BAD_INPUT, err
    assert message in err and out == ""
    assert not (tmp_path / "out" / "crawl.sqlite").exists()  # nothing half-written


def test_cdx_export(tmp_path: Path) -> None:
    path = tmp_path / "po.cdx"
    path.write_text(
        " CDX N b a m s k r M S V g\n"
        "co,po)/uk/product/poco-f5 20240101000000 https://www.po.co/uk/product/poco-f5/ text/html 200 A 1\n"
        "co,po)/uk/product/poco-f5 20240601000000 https://www.po.co/uk/product/poco-f5/ warc/revisit - A 4\n"
        "co,po)/uk/old 20240101000000 https://www.po.co/uk/old/ text/html 301 CD 200\n"
        "co,po)/fr 20230101000000 http://po.co:80/fr/ text/html 200 EF 999\n"
    )
    rows = list(cdx_file(path))
    assert [(u, src, line) for _c, u, src, line in rows] == [
        (f"{PO}/uk/product/poco-f5/", "cdx", 2),
        (f"{PO}/uk/product/poco-f5/", "cdx", 3),
        ("http://po.co:80/fr/", "cdx", 5),
    ]
    path.write_text("co,po)/uk 20240101000000 mailto:x@po.co text/html 200 AB 1\n")
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{PO}/uk/\n")
    code, _out, err = run_cli("run", "--out", str(tmp_path / "out"), "--cdx", str(path))
    assert code == 2 and f"{path}:1: field 'original'" in err


def test_a_rejudged_night_keeps_its_place(tmp_path: Path) -> None:
    from auditor.history import History

    def doc(run_id: str, as_of: str, ids: list[str]) -> dict[str, Any]:
        return {
            "run": {"id": run_id, "profile": "p", "as_of": as_of, "started": as_of, "finished": as_of},
            "summary": {"findings": len(ids), "by_type": {}, "by_severity": {}},
            "coverage": [],
            "findings": [
                {
                    "id": i,
                    "type": "redirect_loop",
                    "severity": "critical",
                    "url": i,
                    "region": None,
                    "product": None,
                    "message": "m",
                }
                for i in ids
            ],
        }

    with History(tmp_path / "h.sqlite") as h:
        h.record(doc("a", "2024-10-01", ["x"]), [("u", True)], [])
        h.record(doc("b", "2024-10-02", ["x", "y"]), [], [])
        h.record(doc("a", "2024-10-01", ["z"]), [("u", True)], [])  # night a judged again
        assert [r.id for r in h.runs()] == ["a", "b"]
        assert set(h.findings(h.runs()[0])) == {"z"} and list(h.baseline("p")) == ["u"]
