"""What the spiders hand to the store pipeline. Plain dataclasses; the pipeline writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.store import Trace


@dataclass(slots=True)
class TraceItem:
    trace: Trace


@dataclass(slots=True)
class PageItem:
    page: dict[str, Any]
    links: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)  # rel, url, lang, text


@dataclass(slots=True)
class SitemapItem:
    sitemap: str
    entries: list[tuple[str, str | None]]  # loc, lastmod


@dataclass(slots=True)
class ProbeItem:
    section: str
    url: str


@dataclass(slots=True)
class InventoryItem:
    canonical: str
    url: str
    source: str
