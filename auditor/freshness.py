"""Freshness evidence: dates read from a page, and the newest date they support (pure functions).

Evidence is a list of ``{"source", "value", "date"}``: the HTTP Last-Modified header, modified-time
meta tags (article:modified_time, og:updated_time, JSON-LD dateModified ...), a "last updated" line,
the sitemap's lastmod, and the footer's copyright year. A year alone is weak evidence (it says the
page was touched at most by the end of that year), so it only counts when nothing precise exists.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from typing import Any

YEAR_ONLY = ("copyright",)

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_COPYRIGHT = re.compile(
    r"(?:©|&copy;|\(c\)|copyright)\s*(?:©\s*)?(\d{4})(?:\s*[-–—]\s*(\d{4}))?", re.IGNORECASE
)
_UPDATED = re.compile(
    r"(?:last\s+)?(?:updated|modified)(?:\s+on)?\s*:?\s*"
    r"(\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Za-z]+\s+\d{4}|[A-Za-z]+\s+\d{1,2},\s*\d{4})",
    re.IGNORECASE,
)


def parse_date(value: str) -> dt.date | None:
    """A date from an ISO 8601 string, an HTTP date, or "18 December 2024" / "December 18, 2024"."""
    value = value.strip()
    if not value:
        return None
    m = _ISO.search(value)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d,%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def evidence(source: str, value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    date = parse_date(value)
    if date is None:
        return None
    return {"source": source, "value": value[:200], "date": date.isoformat()}


def copyright_year(text: str) -> dict[str, Any] | None:
    """The latest year of a footer's copyright line ("© 2010 - 2026 Xiaomi")."""
    years = [int(y) for m in _COPYRIGHT.finditer(text) for y in m.groups() if y]
    years = [y for y in years if 1990 <= y <= 2100]
    if not years:
        return None
    year = max(years)
    return {"source": "copyright", "value": str(year), "date": dt.date(year, 12, 31).isoformat()}


def updated_line(text: str) -> dict[str, Any] | None:
    m = _UPDATED.search(text)
    return evidence("updated-text", m.group(1)) if m else None


def newest(items: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """(date, source) of the newest evidence; year-only evidence counts only without precise dates."""
    precise = [e for e in items if e["source"] not in YEAR_ONLY]
    pool = precise or items
    if not pool:
        return None, None
    best = max(pool, key=lambda e: e["date"])
    return best["date"], best["source"]
