"""``findings.csv``: one row per finding, for a spreadsheet.

Columns: id, type, severity, region, product, url, message, hops (``url -[301]-> url -[200]``),
evidence (JSON). A cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return: crawled text is hostile) is written with a leading ``'``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

COLUMNS = ("id", "type", "severity", "region", "product", "url", "message", "hops", "evidence")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def hop_chain(hops: list[dict[str, Any]]) -> str:
    """``url -[301]-> url -[404]``; a hop without an answer shows ``-[ERR]``."""
    parts = []
    for i, h in enumerate(hops):
        status = "ERR" if h.get("status") is None else str(h["status"])
        parts.append(f"{h['url']} -[{status}]" + ("->" if i < len(hops) - 1 else ""))
    return " ".join(parts)


def cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(document: dict[str, Any], path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for finding in document["findings"]:
            row = dict(finding)
            row["hops"] = hop_chain(finding["hops"])
            row["evidence"] = json.dumps(finding["evidence"], ensure_ascii=False, sort_keys=True)
            writer.writerow([cell(row[c]) for c in COLUMNS])
    tmp.replace(path)
