"""What the crawled target and regional pages link to: broken_link (the target is broken) and
legacy_link (the page still points at the legacy domain)."""

from __future__ import annotations

from collections.abc import Iterator
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
    sources: dict[str, list[tuple[str, str]]] = {}
    for page, _a in graph.followed_pages():
        for rel, dst, _text in graph.links_from(page):
            sources.setdefault(dst, []).append((page, rel))
    for dst in sorted(sources):
        trace = graph.trace(dst, PURPOSES)
        if trace is None or not trace["hops"]:
            continue
        last = trace["hops"][-1]
        if trace["end"] != "loop" and not ends_broken(graph, trace["end"], last["url"], last.get("status")):
            continue
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
    for page, a in graph.followed_pages():
        found = []
        for rel, dst, text in graph.links_from(page):
            host = (urlsplit(dst).hostname or "").lower()
            if any(host == d or host.endswith("." + d) for d in domains):
                found.append({"rel": rel, "url": dst, "text": text})
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
