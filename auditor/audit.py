"""Judge a finished crawl: store -> graph -> rules + coverage -> findings.json, graph.json, graph.graphml.

Reads the crawl store only; never fetches. ``auditor run`` calls it when the crawl ends; it can be
re-run over a run directory to re-judge it with newer rules or thresholds.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from auditor import findings as findings_mod
from auditor.coverage import coverage
from auditor.errors import InputError
from auditor.graph import AuditGraph, build, write_graphml, write_node_link
from auditor.history import History, Redirect
from auditor.nightly import NightlyOptions, annotate, apply_accept, diff_documents, gate
from auditor.profile import Profile
from auditor.profile import load as load_profile
from auditor.reports import write_reports
from auditor.reports.spreadsheet import hop_chain
from auditor.reports.verdicts import write_verdicts
from auditor.rules import judge
from auditor.rules.checked import LEGACY_TYPES, checked
from auditor.rules.paths import LegacyPath, legacy_paths
from auditor.store import CrawlStore
from auditor.vocabulary import SEVERITY_RANK

STORE = "crawl.sqlite"
FINDINGS = "findings.json"
GRAPH_JSON = "graph.json"
GRAPHML = "graph.graphml"
VERDICTS = "verdicts.csv"


@dataclass
class AuditResult:
    document: dict[str, Any]
    outputs: dict[str, Path]
    elapsed: float
    failed: list[str] = field(default_factory=list)  # ids failing the --fail-on gate


def audit(
    out_dir: Path,
    store_path: Path,
    profile: Profile,
    nightly: NightlyOptions | None = None,
    check_map: bool = False,
) -> AuditResult:
    """Judge the store, compare with the history (if any), write every output, then record the run
    in the history — last, in one transaction, so a run that dies earlier leaves it untouched.

    ``check_map``: list mode — only the redirect types are judged (there is no site crawl, so no
    coverage), and ``verdicts.csv`` gets one row per redirect-map row."""
    started = time.monotonic()
    nightly = nightly or NightlyOptions()
    with CrawlStore(store_path, readonly=True) as store:
        graph = build(store, profile)
        run = run_block(store, profile)
        map_rows = list(store.redirect_map()) if check_map else []
    found = judge(graph, LEGACY_TYPES if check_map else None)
    subjects = checked(graph)
    if check_map:
        subjects = {t: v for t, v in subjects.items() if t in LEGACY_TYPES}
    cov = {"regions": [], "products": [], "regional": []} if check_map else coverage(graph)
    doc = findings_mod.document(run, found, cov, {t.value: len(v) for t, v in subjects.items()})
    outcomes = redirect_outcomes(graph)
    history = History(nightly.history) if nightly.history else None
    try:
        if history is not None:
            annotate(doc, history, outcomes)
        apply_accept(doc, nightly.accept)
        failed = gate(doc, nightly.fail_on) if nightly.fail_on else []
        findings_mod.validate(doc)
        outputs = _write(doc, graph, subjects, out_dir, nightly.graph)
        if check_map:
            outputs["verdicts"] = out_dir / VERDICTS
            write_verdicts(verdict_rows(map_rows, legacy_paths(graph), doc["findings"]), outputs["verdicts"])
        if history is not None:
            history.record(doc, inventory_seen(graph), outcomes.values())
    finally:
        if history is not None:
            history.close()
        graph.links.close()
    return AuditResult(doc, outputs, time.monotonic() - started, failed)


def verdict_rows(
    map_rows: list[tuple[str, str | None, int]], paths: Iterable[LegacyPath], findings: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """One verdict per redirect-map row: where its old URL landed and which findings it carries
    (``ok`` when none; otherwise the most severe finding's type first)."""
    by_url: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_url.setdefault(f["url"], []).append(f)
    landed = {p.url: p for p in paths}
    for old, new, line in map_rows:
        p = landed.get(old)
        mine = sorted(by_url.get(old, []), key=lambda f: (SEVERITY_RANK[f["severity"]], f["type"]))
        yield {
            "line": line,
            "old_url": old,
            "new_url": new or "",
            "final_url": p.final_url if p else "",
            "final_status": "" if p is None or p.final_status is None else p.final_status,
            "redirects": p.redirects if p else "",
            "hops": hop_chain(list(p.hops)) if p else "",
            "verdict": mine[0]["type"] if mine else ("ok" if p else "not traced"),
            "findings": ";".join(f["type"] for f in mine),
        }


def redirect_outcomes(graph: AuditGraph) -> dict[str, Redirect]:
    """Where each traced legacy URL's path ended tonight, and its hop statuses."""
    return {
        p.url: Redirect(p.url, p.final_url, _statuses(h.get("status") for h in p.hops))
        for p in legacy_paths(graph)
    }


def store_redirects(store_path: Path) -> dict[str, Redirect]:
    """The same, read straight from a crawl store's legacy traces (``auditor diff``)."""
    with CrawlStore(store_path, readonly=True) as store:
        return {
            t.start: Redirect(t.start, t.final.url, _statuses(h.status for h in t.hops))
            for t in store.traces("legacy")
        }


def _statuses(statuses: Iterable[int | None]) -> str:
    return " ".join("ERR" if s is None else str(s) for s in statuses)


def diff(run_a: Path, run_b: Path) -> dict[str, Any]:
    """``auditor diff RUN_A RUN_B``: two finished runs' findings and redirect outcomes compared."""
    docs, redirects = [], []
    for run_dir in (run_a, run_b):
        path = run_dir / FINDINGS
        if not path.is_file():
            raise InputError("no findings.json here: not the --out directory of a finished run", path=run_dir)
        try:
            docs.append(json.loads(path.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise InputError(f"not JSON: {exc}", path=path) from exc
        redirects.append(store_redirects(run_dir / STORE) if (run_dir / STORE).is_file() else {})
    return diff_documents(docs[0], docs[1], redirects[0], redirects[1])


def inventory_seen(graph: AuditGraph) -> Iterator[tuple[str, bool]]:
    """(legacy URL, whether the legacy site still answered it live) for the history's baseline."""
    for p in legacy_paths(graph):
        yield p.url, p.final.get("role") == "legacy" and p.final_status == 200 and not p.final.get("soft404")


def _write(
    doc: dict[str, Any], graph: AuditGraph, subjects: dict[Any, list[str]], out_dir: Path, exports: str
) -> dict[str, Path]:
    outputs = {
        "findings": out_dir / FINDINGS,
        "graph_json": out_dir / GRAPH_JSON,
        "graphml": out_dir / GRAPHML,
    }
    tmp = outputs["findings"].with_name(FINDINGS + ".part")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(outputs["findings"])
    if exports == "none":
        del outputs["graph_json"], outputs["graphml"]
    else:
        write_node_link(graph, outputs["graph_json"], links=exports == "full")
        write_graphml(graph, outputs["graphml"], links=exports == "full")
    outputs |= write_reports(doc, out_dir, {t.value: v for t, v in subjects.items()})
    return outputs


def rejudge(
    run_dir: Path, profile_ref: str | None = None, nightly: NightlyOptions | None = None
) -> AuditResult:
    """``auditor report RUN_DIR``: the audit of a finished run's store, outputs written again."""
    store_path = run_dir / STORE
    if not store_path.is_file():
        raise InputError("no crawl store here: not the --out directory of an auditor run", path=run_dir)
    with CrawlStore(store_path, readonly=True) as store:
        finished = finished_at(store)
        recorded = (store.meta("profile") or {}).get("path")
    if finished is None:
        raise InputError(
            "the crawl has not finished: run the same `auditor run --out` again to resume it", path=run_dir
        )
    if profile_ref is None and recorded and not Path(recorded).is_file():
        raise InputError(f"the run's profile {recorded} is gone; name one with --profile", path=run_dir)
    return audit(run_dir, store_path, load_profile(profile_ref or recorded), nightly)


def finished_at(store: CrawlStore) -> str | None:
    """When the crawl finished: ``auditor run`` says so, or (``scrapy crawl``, Scrapyd) both spiders
    closed with reason ``finished``."""
    if store.meta("finished"):
        return str(store.meta("finished"))
    closed = [store.meta(f"closed:{name}") for name in ("legacy", "site")]
    if all(c and c.get("reason") == "finished" for c in closed):
        return max(str(c["at"]) for c in closed if c)
    return None


def run_block(store: CrawlStore, profile: Profile) -> dict[str, Any]:
    started = store.meta("started") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    crawl = store.meta("crawl") or {}
    return {
        "id": store.meta("run_id") or started,
        "profile": profile.name,
        "as_of": store.meta("as_of") or dt.date.today().isoformat(),
        "started": started,
        "finished": finished_at(store) or started,
        "pages_fetched": store.count("pages"),
        "legacy_urls": store.count("inventory"),
        "legacy_traced": store.count("traces", "purpose = 'legacy'"),
        "responses": crawl.get("responses"),
        "elapsed_seconds": crawl.get("elapsed"),
        "limits": limits(store, crawl.get("limits") or {}),
    }


def limits(store: CrawlStore, stats: dict[str, int]) -> dict[str, Any]:
    """Bodies the crawl cut at its size cap (or never inflated), from the store's hops, and the
    crawl's counters for sizes, robots.txt and retries given up."""
    capped: list[dict[str, str]] = []
    total = 0
    for url, why in store.capped():
        total += 1
        if len(capped) < 100:
            capped.append({"url": url, "capped": why})
    return {"capped": capped, "capped_total": total, "stats": stats}


def summarize(result: AuditResult, out: TextIO) -> None:
    """The terminal summary: counts per type and severity, coverage per region, where the outputs are."""
    doc = result.document
    summary = doc["summary"]
    lines = [f"audit: {summary['findings']} findings ({result.elapsed:.1f} s)"]
    sev = summary["by_severity"]
    lines.append("  by severity: " + ", ".join(f"{k} {v}" for k, v in sev.items()))
    lines += [f"  {kind:24} {n}" for kind, n in summary["by_type"].items() if n]
    total = sum(c["legacy_products"] for c in doc["coverage"])
    made = sum(c["on_target"] for c in doc["coverage"])
    share = f"{100 * made / total:.1f}%" if total else "n/a"
    if doc["coverage"]:
        lines.append(f"coverage: {made}/{total} legacy (region, product) pairs live on the target ({share})")
    for c in doc["coverage"]:
        pct = f"{100 * c['on_target'] / c['legacy_products']:5.1f}%" if c["legacy_products"] else "   n/a"
        missing = f"  missing: {', '.join(c['missing'])}" if c["missing"] else ""
        share_of = f"{c['on_target']:4}/{c['legacy_products']:<4}"
        lines.append(f"  {c['region']:8} -> {c['target_region']:8} {share_of} {pct}{missing}")
    for r in doc["regional"]:
        lines.append(
            f"regional {r['origin']} ({r['region']}): newest page {r['newest_page'] or 'unknown'}; "
            f"{len(r['lag'])} of {r['on_target']} products live on the target's {r['target_region']!r} "
            "are never listed"
        )
    diff = doc.get("diff")
    if diff is not None:
        if diff["previous_run"] is None:
            lines.append("history: the first recorded night; every finding is new")
        else:
            moved = [f"{c['region']} {c['delta']:+d}" for c in diff["coverage"] if c["delta"]]
            lines.append(
                f"since {diff['previous_run']} ({diff['previous_as_of']}): {len(diff['new'])} new, "
                f"{len(diff['persisting'])} persisting, {len(diff['fixed'])} fixed; coverage "
                + (", ".join(moved) if moved else "unchanged")
                + f"; {len(diff['redirects_changed'])} redirects changed"
                + f" ({sum(1 for r in diff['redirects_changed'] if r['flapping'])} flapping)"
            )
    accepted = sum(1 for f in doc["findings"] if "accepted" in f)
    if accepted:
        lines.append(f"accepted by QA: {accepted} findings (still reported, marked)")
    if "gate" in doc:
        rules = ",".join(doc["gate"]["fail_on"])
        failed = doc["gate"]["failed"]
        lines.append(
            f"gate --fail-on {rules}: " + (f"FAILED by {len(failed)} findings" if failed else "passed")
        )
    lines.append("outputs:")
    lines += [f"  {path}  ({_size(path)})" for path in result.outputs.values()]
    out.write("\n".join(lines) + "\n")
    out.flush()


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"
