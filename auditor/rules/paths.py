"""The legacy URLs' redirect paths, read once and classified, for the redirect rules.

A path's ``outcome`` is the first of: ``loop`` (it revisits a URL), ``not_redirected`` (it ends on
the legacy site with a 200 or a 4xx), ``broken`` (it ends in a 4xx/5xx, a soft-404, a network error,
a 3xx without a usable Location, or the hop cap), ``unchecked`` (robots.txt kept the tracer out) or
``landed``. Only a landed path is judged for chains, temporary hops, home pages, region, product and
the redirect map, so one defect is reported once, by its most telling type.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from auditor import defaults
from auditor.graph import AuditGraph

BROKEN_ENDS = {
    "no_location": "a {status} without a Location header",
    "bad_location": "a {status} whose Location is not a usable http(s) URL",
    "error": "a network error ({error})",
    "cap": "the hop cap ({n} hops)",
}


@dataclass(frozen=True)
class LegacyPath:
    url: str  # as listed in the inventory
    region: str | None
    kind: str
    product: str | None
    end: str
    hops: tuple[dict[str, Any], ...]
    outcome: str
    final: dict[str, Any]  # the node of the last hop's URL

    @property
    def final_url(self) -> str:
        return str(self.hops[-1]["url"])

    @property
    def final_status(self) -> int | None:
        status = self.hops[-1].get("status")
        return None if status is None else int(status)

    @property
    def redirects(self) -> int:
        """Redirect hops taken (a meta refresh counts; the landing page does not)."""
        return len(self.hops) - 1 if self.end == "page" else len(self.hops)

    @property
    def retries(self) -> int:
        return sum(int(h.get("retries") or 0) for h in self.hops)

    def why_broken(self) -> str:
        return describe_end(self.end, self.hops, self.final)


def describe_end(end: str, hops: Sequence[dict[str, Any]], final: dict[str, Any]) -> str:
    """How a broken path ends, for a message: "a 404", "a soft-404 page (...)", "a network error (...)"."""
    last = hops[-1]
    if end == "loop":
        return f"a redirect loop back to {last.get('location')}"
    if end in BROKEN_ENDS:
        return BROKEN_ENDS[end].format(status=last.get("status"), error=last.get("error"), n=len(hops))
    if final.get("soft404") and last.get("status") == 200:
        return f"a soft-404 page ({final.get('soft404_reason') or 'not found'})"
    return f"a {last.get('status')}"


def ends_broken(graph: AuditGraph, end: str, final_url: str, status: int | None) -> bool:
    """A path that ends in a 4xx/5xx, a soft-404, a network error, a bad or missing Location or the
    hop cap (a loop is its own verdict)."""
    if end in BROKEN_ENDS:
        return True
    return end == "page" and (status is None or status >= 400 or bool(graph.node(final_url).get("soft404")))


def outcome(graph: AuditGraph, end: str, final_url: str, status: int | None) -> str:
    if end == "loop":
        return "loop"
    if end == "robots":
        return "unchecked"
    final = graph.node(final_url)
    if (
        end == "page"
        and final.get("role") == "legacy"
        and status is not None
        and (status == 200 or 400 <= status < 500)
        and status not in defaults.AUDITOR_TRY_LATER_STATUSES
    ):
        return "not_redirected"
    return "broken" if ends_broken(graph, end, final_url, status) else "landed"


def legacy_paths(graph: AuditGraph) -> list[LegacyPath]:
    """Every traced legacy inventory URL's path, in inventory order: classified once per finished
    graph, then shared by every rule and output that reads them."""
    paths: list[LegacyPath] | None = graph.memo.get("legacy_paths")
    if paths is None:
        paths = graph.memo["legacy_paths"] = list(_legacy_paths(graph))
    return paths


def _legacy_paths(graph: AuditGraph) -> Iterator[LegacyPath]:
    for url in graph.inventory:
        trace = graph.trace(url, ("legacy",))
        if trace is None or not trace["hops"]:
            continue
        a = graph.node(url)
        hops = tuple(trace["hops"])
        last = hops[-1]
        yield LegacyPath(
            url=url,
            region=a.get("region"),
            kind=a.get("kind") or "page",
            product=a.get("product"),
            end=trace["end"],
            hops=hops,
            outcome=outcome(graph, trace["end"], last["url"], last.get("status")),
            final=graph.node(last["url"]),
        )
