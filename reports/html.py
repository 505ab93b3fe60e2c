"""``report.html``: one self-contained file (inline CSS, inline SVG charts, a little inline JavaScript;
no network, opens from file://) for product managers (headline, coverage, product x region matrix,
regional lag) and QA (one section per finding type; search and filters; hop chains).

Rendered by jinja2 with autoescape on; crawled text only ever reaches the page escaped by jinja2 or,
in the findings tables, through ``textContent``. A Content-Security-Policy allows only the report's
own script (by hash), so even markup that slipped through could not run. The report embeds at most
``MAX_ROWS`` findings (the most severe first) so its size stays bounded at any scale; the counts are
always complete and findings.json / findings.csv hold every finding.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from auditor.vocabulary import DEFINITIONS, SEVERITY_RANK, FindingType

#: Findings embedded in report.html at most (about 300 bytes each).
MAX_ROWS = 20_000
#: Products shown in the product x region matrix at most (those with the most problems first).
MAX_MATRIX_PRODUCTS = 300

MATRIX_LABELS = {
    "migrated": "migrated",
    "missing": "missing",
    "redirect_broken": "redirect broken",
    None: "not sold there",
}


def environment() -> Environment:
    return Environment(
        loader=PackageLoader("auditor.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _script() -> str:
    return (resources.files("auditor.reports") / "templates" / "report.js").read_text(encoding="utf-8")


def render_html(document: dict[str, Any], max_rows: int = MAX_ROWS) -> str:
    script = _script()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    view = build_view(document, max_rows)
    payload = json.dumps(view.pop("payload"), ensure_ascii=False, separators=(",", ":"))
    view["payload_bytes"] = len(payload.encode("utf-8"))
    template = environment().get_template("report.html.j2")
    return template.render(
        **view,
        payload=Markup(_script_safe(payload)),
        script=Markup(script),
        script_hash=f"sha256-{digest}",
    )


def _script_safe(text: str) -> str:
    """JSON inside <script type="application/json">: no "</script>" or "<!--" can end it."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _cell(status: str | None) -> tuple[str | None, str]:
    return status, MATRIX_LABELS.get(status, status or "")


def trend(nights: list[dict[str, Any]], width: int = 640, height: int = 160) -> dict[str, Any] | None:
    """Polyline points for findings per night and coverage share per night (None below two nights)."""
    if len(nights) < 2:
        return None
    most = max(n["findings"] for n in nights) or 1
    step = (width - 60) / (len(nights) - 1)

    def points(values: list[float], top: float) -> str:
        return " ".join(
            f"{40 + i * step:.1f},{height - 20 - (v / top) * (height - 40):.1f}" for i, v in enumerate(values)
        )

    shares = [100.0 * n["on_target"] / n["legacy_products"] if n["legacy_products"] else 0.0 for n in nights]
    return {
        "width": width,
        "height": height,
        "findings": points([float(n["findings"]) for n in nights], float(most)),
        "coverage": points(shares, 100.0),
        "most": most,
        "first": nights[0]["as_of"],
        "last": nights[-1]["as_of"],
        "nights": nights,
    }


def build_view(doc: dict[str, Any], max_rows: int) -> dict[str, Any]:
    """What the template shows, read off the findings document (formatting only, no judging)."""
    run, summary = doc["run"], doc["summary"]
    as_of = dt.date.fromisoformat(run["as_of"])
    coverage = doc["coverage"]
    total = sum(c["legacy_products"] for c in coverage)
    made = sum(c["on_target"] for c in coverage)
    regions = [
        {
            "region": c["region"],
            "target_region": c["target_region"],
            "on_target": c["on_target"],
            "legacy_products": c["legacy_products"],
            "pct": 100.0 * c["on_target"] / c["legacy_products"] if c["legacy_products"] else None,
            "missing": c["missing"],
        }
        for c in coverage
    ]
    legacy_regions = [c["region"] for c in coverage]
    products = sorted(
        doc.get("products", []),
        key=lambda p: (-sum(1 for s in p.get("regions", {}).values() if s != "migrated"), p["product"]),
    )
    matrix = [
        {
            "product": p["product"],
            "name": p["name"],
            "cells": [
                (status := p.get("regions", {}).get(r), MATRIX_LABELS.get(status, status))
                for r in legacy_regions
            ],
        }
        for p in products[:MAX_MATRIX_PRODUCTS]
    ]
    regional = []
    for r in doc.get("regional", []):
        newest = r.get("newest_page")
        age = (as_of - dt.date.fromisoformat(newest[:10])).days if newest else None
        regional.append(dict(r, age_days=age))
    checked = summary.get("checked", {})
    types = [
        {
            "type": t.value,
            "count": summary["by_type"].get(t.value, 0),
            "severity": DEFINITIONS[t][0].value,
            "meaning": DEFINITIONS[t][1],
            "checked": checked.get(t.value),
        }
        for t in FindingType
    ]
    findings = sorted(doc["findings"], key=lambda f: (SEVERITY_RANK[f["severity"]], f["type"], f["url"]))
    shown = findings[:max_rows]
    payload = {
        "types": [t.value for t in FindingType],
        "rows": [
            [
                f["type"],
                f["severity"],
                f["url"],
                f["region"],
                f["product"],
                f["message"],
                [[h["url"], h["status"]] for h in f["hops"]],
                (f.get("evidence") or {}).get("title"),
                f.get("state"),
                (f.get("first_seen") or {}).get("as_of"),
                (f.get("accepted") or {}).get("reason"),
            ]
            for f in shown
        ],
    }
    diff = doc.get("diff")
    if diff is not None:
        diff = dict(
            diff,
            coverage_moved=[c for c in diff.get("coverage", []) if c.get("delta")],
            redirects_shown=diff.get("redirects_changed", [])[:50],
        )
    return {
        "run": run,
        "summary": summary,
        "diff": diff,
        "trend": trend(doc.get("history", [])),
        "accepted": sum(1 for f in doc["findings"] if "accepted" in f),
        "headline": {
            "made": made,
            "total": total,
            "pct": 100.0 * made / total if total else None,
            "findings": summary["findings"],
            "by_severity": summary["by_severity"],
        },
        "regions": regions,
        "legacy_regions": legacy_regions,
        "matrix": matrix,
        "matrix_total": len(products),
        "regional": regional,
        "types": types,
        "finding_regions": sorted({f["region"] for f in doc["findings"] if f["region"]}),
        "shown": len(shown),
        "max_rows": max_rows,
        "payload": payload,
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
