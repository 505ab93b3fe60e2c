"""What the crawled target and regional pages link to: broken_link (the target is broken) and
legacy_link (the page still points at the legacy domain)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from auditor.findings import MAX_SOURCES, Finding
from auditor.graph import AuditGraph
from auditor.rules import rule
from auditor.rules.paths import describe_end, ends_broken
from auditor.vocabulary import FindingType as F

#: A link target's status is read from whichever trace started from it.
PURPOSES = ("link", "page", "legacy", "sitemap")


@rule(F.BROKEN_LINK)
def broken_link(graph: AuditGraph) -> Iterator[Finding]:
    """A link (a, canonical, hreflang) whose target ends in a 4xx/5xx, a soft-404, a network error or a
    loop. url = the target; the pages linking to it are evidence. Targets robots.txt kept the crawler
    from, and targets never traced (past a crawl cap), are not judged."""
    broken, rows = _interesting(graph)
    sources: dict[str, list[tuple[str, str]]] = {}
    for src, rel, dst, _text in rows:
        if dst in broken:
            sources.setdefault(dst, []).append((src, rel))
    for dst in sorted(sources):
        trace = broken[dst]
        last = trace["hops"][-1]
        what = describe_end(trace["end"], trace["hops"], graph.node(last["url"]))
        pages = sorted({p for p, _rel in sources[dst]})
        a = graph.node(dst)
        yield Finding(
            F.BROKEN_LINK,
            dst,
            a.get("region"),
            a.get("product"),
            f"linked from {len(pages)} page(s); answers {what}",
            tuple(trace["hops"]),
            {
                "end": trace["end"],
                "final_url": last["url"],
                "final_status": last.get("status"),
                "linked_from_count": len(pages),
                "linked_from": pages[:MAX_SOURCES],
                "rels": sorted({rel for _p, rel in sources[dst]}),
                "retries": sum(int(h.get("retries") or 0) for h in trace["hops"]),
            },
        )


def _interesting(
    graph: AuditGraph,
) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str, str, str | None]]]:
    """The traced URLs that end broken (their traces), and the links from followed pages to one of
    them or to a legacy domain: one scan of the links table for both link rules (memoized)."""
    memo: tuple[dict[str, dict[str, Any]], list[tuple[str, str, str, str | None]]] | None
    memo = graph.memo.get("interesting_links")
    if memo is None:
        broken = {}
        for url, _a in graph.url_nodes():
            trace = graph.trace(url, PURPOSES)
            if trace is None or not trace["hops"]:
                continue
            last = trace["hops"][-1]
            if trace["end"] == "loop" or ends_broken(graph, trace["end"], last["url"], last.get("status")):
                broken[url] = trace
        followed = (u for u, _a in graph.followed_pages())
        rows = list(graph.links.matching(followed, broken, _legacy_domains(graph)))
        memo = graph.memo["interesting_links"] = (broken, rows)
    return memo


def _legacy_domains(graph: AuditGraph) -> tuple[str, ...]:
    hosts = set()
    for site in graph.profile.role("legacy"):
        for origin in site.origins:
            host = urlsplit(origin).hostname or ""
            hosts.add(host.removeprefix("www."))
    return tuple(sorted(hosts))


@rule(F.LEGACY_LINK)
def legacy_link(graph: AuditGraph) -> Iterator[Finding]:
    """A crawled target or regional page that links (a, canonical, hreflang) to the legacy domain or
    one of its subdomains. url = the linking page."""
    domains = _legacy_domains(graph)
    followed = dict(graph.followed_pages())
    found_by: dict[str, list[dict[str, str | None]]] = {}
    for src, rel, dst, text in _interesting(graph)[1]:
        host = (urlsplit(dst).hostname or "").lower()
        if any(host == d or host.endswith("." + d) for d in domains):
            found_by.setdefault(src, []).append({"rel": rel, "url": dst, "text": text})
    for page, found in found_by.items():
        a = followed[page]
        if found:
            found.sort(key=lambda x: (x["rel"] or "", x["url"] or ""))
            yield Finding(
                F.LEGACY_LINK,
                page,
                a.get("region"),
                a.get("product"),
                f"links to the legacy site {len(found)} time(s): "
                + ", ".join(f"{x['rel']} {x['url']}" for x in found[:3]),
                evidence={"title": a.get("title"), "links": found[:MAX_SOURCES], "count": len(found)},
            )
