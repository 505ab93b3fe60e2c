"""``verdicts.csv`` of ``auditor check-map``: one row per redirect-map row, in the map's order.

Columns: line (in the map), old_url, new_url (what the map expects), final_url, final_status,
redirects (hops taken), hops (``url -[301]-> url -[200]``), verdict (``ok``, or the most severe
finding's type), findings (every finding type on the row, ``;``-separated). Streamed: 100k rows keep
memory flat.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .spreadsheet import cell

COLUMNS = (
    "line",
    "old_url",
    "new_url",
    "final_url",
    "final_status",
    "redirects",
    "hops",
    "verdict",
    "findings",
)


def write_verdicts(rows: Iterable[dict[str, Any]], path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([cell(row[c]) for c in COLUMNS])
    tmp.replace(path)
