"""Night over night: what is new, what persists (since which night), what got fixed; coverage and
redirect changes; findings QA accepted; and the gate a CI job trusts (``--fail-on``).

The comparisons are pure functions of two nights' data; :func:`annotate` reads what it needs from the
history (``auditor/history.py``) and writes it into the findings document, additively:
``diff``, ``history`` (the nights kept, for trend lines), each finding's ``state`` and ``first_seen``,
``accepted`` where QA accepted it, and ``gate``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.history import History, Redirect, RunRow
from auditor.vocabulary import FindingType, Severity

#: Nights of history shown as trend lines (and looked back over for "since which night").
TREND_NIGHTS = 60

STATES = ("new", "persisting", "any")
FINDING_ID = re.compile(r"^[a-z_]+:[0-9a-f]{12}$")


@dataclass(frozen=True)
class FailOn:
    state: str  # new | persisting | any
    what: str  # a severity, a finding type, or "any"

    def matches(self, finding: dict[str, Any]) -> bool:
        if self.state != "any" and finding.get("state", "new") != self.state:
            return False
        return self.what in ("any", finding["severity"], finding["type"])

    def __str__(self) -> str:
        return f"{self.state}:{self.what}"


@dataclass
class NightlyOptions:
    history: Path | None = None
    accept: dict[str, str] = field(default_factory=dict)  # finding id -> reason
    fail_on: list[FailOn] = field(default_factory=list)
    graph: str = "full"  # which graph exports a run writes (not nightly as such: an output option)


def parse_fail_on(text: str) -> list[FailOn]:
    """``new:critical,new:major`` (state: new | persisting | any; then a severity, a finding type, or
    ``any``)."""
    out = []
    whats = {s.value for s in Severity} | {t.value for t in FindingType} | {"any"}
    for part in (p.strip() for p in text.split(",")):
        state, _, what = part.partition(":")
        if state not in STATES or what not in whats:
            raise InputError(
                f"{part!r} is not STATE:WHAT (STATE: new, persisting or any; WHAT: critical, major, minor, "
                "a finding type, or any)",
                field="--fail-on",
            )
        out.append(FailOn(state, what))
    return out


def read_accept(path: Path) -> dict[str, str]:
    """A CSV of findings QA accepted: columns ``id`` and ``reason`` (``#`` lines are comments)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path, field="--accept") from exc
    lines = [
        (n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")
    ]
    if not lines:
        return {}
    reader = csv.reader(line for _n, line in lines)
    header = [h.strip() for h in next(reader)]
    if "id" not in header or "reason" not in header:
        raise InputError(
            "the header must name the columns id and reason", path=path, line=lines[0][0], field="id"
        )
    at_id, at_reason = header.index("id"), header.index("reason")
    accepted: dict[str, str] = {}
    for (n, _line), row in zip(lines[1:], reader, strict=True):
        fid = row[at_id].strip() if len(row) > at_id else ""
        reason = row[at_reason].strip() if len(row) > at_reason else ""
        if not FINDING_ID.match(fid):
            raise InputError(
                f"not a finding id (like redirect_loop:0123456789ab): {fid!r}", path=path, line=n, field="id"
            )
        if not reason:
            raise InputError("an accepted finding needs a reason", path=path, line=n, field="reason")
        if fid in accepted:
            raise InputError(f"{fid} is accepted twice", path=path, line=n, field="id")
        accepted[fid] = reason
    return accepted


# -- pure comparisons ------------------------------------------------------------------------------
def classify(current: Iterable[str], previous: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """(new, persisting, fixed) finding ids."""
    cur, prev = set(current), set(previous)
    return sorted(cur - prev), sorted(cur & prev), sorted(prev - cur)


def streak_start(present_in: set[int], runs: list[RunRow]) -> RunRow | None:
    """The first night of the unbroken run of nights (ending with the last of ``runs``) a finding was
    present in; None if it was absent last night."""
    start = None
    for run in reversed(runs):
        if run.seq not in present_in:
            break
        start = run
    return start


def coverage_deltas(
    previous: dict[str, dict[str, Any]], current: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    out = []
    for c in current:
        before = previous.get(c["region"])
        was = before["on_target"] if before else None
        out.append(
            {
                "region": c["region"],
                "on_target_before": was,
                "on_target": c["on_target"],
                "delta": None if was is None else c["on_target"] - was,
                "newly_missing": sorted(set(c["missing"]) - set(before["missing"] if before else [])),
                "no_longer_missing": sorted(set(before["missing"] if before else []) - set(c["missing"])),
            }
        )
    return out


def redirect_changes(
    previous: dict[str, Redirect], current: dict[str, Redirect], series: dict[str, list[Redirect | None]]
) -> list[dict[str, Any]]:
    """Legacy URLs whose destination or hop statuses changed since last night. ``series`` gives the
    nights before for the changed ones: a URL is ``flapping`` when it returns to an outcome it had
    already left (A, B, A)."""
    out = []
    for url in sorted(set(previous) & set(current)):
        a, b = previous[url], current[url]
        if a.outcome == b.outcome:
            continue
        outcomes = [r.outcome for r in series.get(url, []) if r is not None]
        outcomes.append(b.outcome)
        changes = [o for i, o in enumerate(outcomes) if i == 0 or o != outcomes[i - 1]]
        flapping = len(changes) != len(set(changes))  # it came back to an outcome it had left
        what = []
        if a.final_url != b.final_url:
            what.append("destination")
        if a.statuses != b.statuses:
            what.append("status")
        out.append(
            {
                "url": url,
                "changed": what,
                "before": {"final_url": a.final_url, "statuses": a.statuses},
                "after": {"final_url": b.final_url, "statuses": b.statuses},
                "flapping": flapping,
            }
        )
    return out


# -- the document -----------------------------------------------------------------------------------
def annotate(doc: dict[str, Any], history: History, redirects: dict[str, Redirect]) -> None:
    """Compare tonight with the last recorded night of the same profile; add diff, states, first_seen
    and the trend to ``doc`` (in place)."""
    run = doc["run"]
    runs = history.runs(profile=run["profile"], before=run["id"])
    runs = [r for r in runs if r.id != run["id"]][-TREND_NIGHTS:]
    current = {f["id"]: f for f in doc["findings"]}
    if not runs:
        for f in doc["findings"]:
            f["state"] = "new"
            f["first_seen"] = {"run": run["id"], "as_of": run["as_of"]}
        doc["diff"] = {"previous_run": None, "new": sorted(current), "persisting": [], "fixed": []}
        doc["history"] = [_night(run["id"], run["as_of"], doc["summary"], doc["coverage"])]
        return
    last = runs[-1]
    before = history.findings(last)
    new, persisting, fixed = classify(current, before)
    presence = history.presence(runs)
    for fid, f in current.items():
        start = streak_start(presence.get(fid, set()), runs) if fid in before else None
        if start is None:
            f["state"] = "new"
            f["first_seen"] = {"run": run["id"], "as_of": run["as_of"]}
        else:
            f["state"] = "persisting"
            f["first_seen"] = {"run": start.id, "as_of": start.as_of}
    previous_redirects = history.redirects(last)
    changed_urls = [
        u
        for u in set(previous_redirects) & set(redirects)
        if previous_redirects[u].outcome != redirects[u].outcome
    ]
    series = {u: history.redirect_series(u, runs) for u in changed_urls}
    doc["diff"] = {
        "previous_run": last.id,
        "previous_as_of": last.as_of,
        "new": new,
        "persisting": persisting,
        "fixed": fixed,
        "fixed_findings": [before[i] for i in fixed],
        "coverage": coverage_deltas(history.coverage(last), doc["coverage"]),
        "redirects_changed": redirect_changes(previous_redirects, redirects, series),
    }
    doc["history"] = [_night(r.id, r.as_of, r.summary, None) for r in runs] + [
        _night(run["id"], run["as_of"], doc["summary"], doc["coverage"])
    ]


def _night(
    run_id: str, as_of: str, summary: dict[str, Any], coverage: list[dict[str, Any]] | None
) -> dict[str, Any]:
    if coverage is not None:
        legacy = sum(c["legacy_products"] for c in coverage)
        on_target = sum(c["on_target"] for c in coverage)
    else:
        legacy = summary.get("coverage", {}).get("legacy_products", 0)
        on_target = summary.get("coverage", {}).get("on_target", 0)
    return {
        "run": run_id,
        "as_of": as_of,
        "findings": summary["findings"],
        "by_severity": summary["by_severity"],
        "legacy_products": legacy,
        "on_target": on_target,
    }


def apply_accept(doc: dict[str, Any], accepted: dict[str, str]) -> None:
    for f in doc["findings"]:
        if f["id"] in accepted:
            f["accepted"] = {"reason": accepted[f["id"]]}


def gate(doc: dict[str, Any], fail_on: list[FailOn]) -> list[str]:
    """Ids of the findings that fail the gate (accepted findings never do); recorded in ``doc``."""
    failed = sorted(
        f["id"] for f in doc["findings"] if "accepted" not in f and any(rule.matches(f) for rule in fail_on)
    )
    doc["gate"] = {"fail_on": [str(r) for r in fail_on], "failed": failed}
    return failed


def diff_documents(
    a: dict[str, Any], b: dict[str, Any], redirects_a: dict[str, Redirect], redirects_b: dict[str, Redirect]
) -> dict[str, Any]:
    """``auditor diff RUN_A RUN_B``: run B against run A, from their findings documents and the
    redirect outcomes of their crawl stores."""
    fa = {f["id"]: f for f in a["findings"]}
    fb = {f["id"]: f for f in b["findings"]}
    new, persisting, fixed = classify(fb, fa)
    return {
        "a": {"run": a["run"]["id"], "as_of": a["run"]["as_of"]},
        "b": {"run": b["run"]["id"], "as_of": b["run"]["as_of"]},
        "new": [fb[i] for i in new],
        "persisting": persisting,
        "fixed": [fa[i] for i in fixed],
        "coverage": coverage_deltas({c["region"]: c for c in a["coverage"]}, b["coverage"]),
        "redirects_changed": redirect_changes(
            redirects_a, redirects_b, {u: [r] for u, r in redirects_a.items()}
        ),
    }


def format_diff(d: dict[str, Any]) -> str:
    lines = [
        f"{d['b']['run']} ({d['b']['as_of']}) against {d['a']['run']} ({d['a']['as_of']}): "
        f"{len(d['new'])} new, {len(d['persisting'])} persisting, {len(d['fixed'])} fixed"
    ]
    for title, rows in (("new", d["new"]), ("fixed", d["fixed"])):
        if rows:
            lines.append(f"{title}:")
            lines += [f"  {f['severity']:8} {f['type']:24} {f['url']}  {f['message']}" for f in rows]
    moved = [c for c in d["coverage"] if c["delta"]]
    if moved:
        lines.append("coverage:")
        lines += [
            f"  {c['region']:8} {c['on_target_before']} -> {c['on_target']} ({c['delta']:+d})"
            + (f"  now missing: {', '.join(c['newly_missing'])}" if c["newly_missing"] else "")
            for c in moved
        ]
    if d["redirects_changed"]:
        lines.append(f"redirects changed: {len(d['redirects_changed'])}")
        lines += [
            f"  {r['url']}: {r['before']['statuses']} -> {r['before']['final_url']}  now  "
            f"{r['after']['statuses']} -> {r['after']['final_url']}"
            for r in d["redirects_changed"]
        ]
    return "\n".join(lines) + "\n"
