"""Report rendering of the auditor (installed as ``auditor.reports``): renders what it is given.

``write_reports`` turns one findings document (and the subjects each rule checked) into
``report.html`` (one self-contained file), ``findings.csv`` and ``junit.xml``. Nothing here judges,
crawls or reads the crawl store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .html import render_html
from .junit import write_junit
from .spreadsheet import write_csv

REPORT = "report.html"
CSV = "findings.csv"
JUNIT = "junit.xml"


def write_reports(
    document: dict[str, Any], out_dir: Path, subjects: Mapping[str, Sequence[str]]
) -> dict[str, Path]:
    paths = {"report": out_dir / REPORT, "csv": out_dir / CSV, "junit": out_dir / JUNIT}
    _atomic(paths["report"], render_html(document))
    write_csv(document, paths["csv"])
    write_junit(document, subjects, paths["junit"])
    return paths


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
