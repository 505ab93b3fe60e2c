"""Judge a finished crawl: store -> graph -> rules + coverage -> findings.json, graph.json, graph.graphml.

Reads the crawl store only; never fetches. ``auditor run`` calls it when the crawl ends; it can be
re-run over a run directory to re-judge it with newer rules or thresholds.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from auditor import findings as findings_mod
from auditor.coverage import coverage
from auditor.errors import InputError
from auditor.graph import build, write_graphml, write_node_link
from auditor.profile import Profile
from auditor.profile import load as load_profile
from auditor.reports import write_reports
from auditor.rules import judge
from auditor.rules.checked import checked
from auditor.store import CrawlStore

STORE = "crawl.sqlite"
FINDINGS = "findings.json"
GRAPH_JSON = "graph.json"
GRAPHML = "graph.graphml"


@dataclass
class AuditResult:
    document: dict[str, Any]
    outputs: dict[str, Path]
    elapsed: float


def audit(out_dir: Path, store_path: Path, profile: Profile) -> AuditResult:
    started = time.monotonic()
    with CrawlStore(store_path, readonly=True) as store:
        graph = build(store, profile)
        run = run_block(store, profile)
    found = judge(graph)
    subjects = checked(graph)
    doc = findings_mod.document(run, found, coverage(graph), {t.value: len(v) for t, v in subjects.items()})
    findings_mod.validate(doc)
    outputs = {
        "findings": out_dir / FINDINGS,
        "graph_json": out_dir / GRAPH_JSON,
        "graphml": out_dir / GRAPHML,
    }
    tmp = outputs["findings"].with_name(FINDINGS + ".part")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(outputs["findings"])
    write_node_link(graph, outputs["graph_json"])
    write_graphml(graph, outputs["graphml"])
    outputs |= write_reports(doc, out_dir, {t.value: v for t, v in subjects.items()})
    return AuditResult(doc, outputs, time.monotonic() - started)


def rejudge(run_dir: Path, profile_ref: str | None = None) -> AuditResult:
    """``auditor report RUN_DIR``: the audit of a finished run's store, outputs written again."""
    store_path = run_dir / STORE
    if not store_path.is_file():
        raise InputError("no crawl store here: not the --out directory of an auditor run", path=run_dir)
    with CrawlStore(store_path, readonly=True) as store:
        finished = store.meta("finished")
        recorded = (store.meta("profile") or {}).get("path")
    if finished is None:
        raise InputError(
            "the crawl has not finished: run the same `auditor run --out` again to resume it", path=run_dir
        )
    if profile_ref is None and recorded and not Path(recorded).is_file():
        raise InputError(f"the run's profile {recorded} is gone; name one with --profile", path=run_dir)
    return audit(run_dir, store_path, load_profile(profile_ref or recorded))


def run_block(store: CrawlStore, profile: Profile) -> dict[str, Any]:
    started = store.meta("started") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    crawl = store.meta("crawl") or {}
    return {
        "id": store.meta("run_id") or started,
        "profile": profile.name,
        "as_of": store.meta("as_of") or dt.date.today().isoformat(),
        "started": started,
        "finished": store.meta("finished") or started,
        "pages_fetched": store.count("pages"),
        "legacy_urls": store.count("inventory"),
        "legacy_traced": store.count("traces", "purpose = 'legacy'"),
        "responses": crawl.get("responses"),
        "elapsed_seconds": crawl.get("elapsed"),
    }


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
    lines.append("outputs:")
    lines += [f"  {path}  ({_size(path)})" for path in result.outputs.values()]
    out.write("\n".join(lines) + "\n")
    out.flush()


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"
