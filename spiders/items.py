"""What the spiders hand to the store pipeline. Plain dataclasses; the pipeline writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.store import Trace


@dataclass(slots=True)
class TraceItem:
    """A finished trace, with the facts and links of the page it ended on (if any). One item, so one
    batch of the store holds both or neither: a crawl killed between them cannot keep a trace whose
    page is lost (a resumed crawl re-fetches URLs without a trace)."""

    trace: Trace
    page: dict[str, Any] | None = None
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
