"""How a legacy URL moves: redirect_loop, not_redirected, redirect_broken, redirect_chain,
redirect_temporary. Each reports the full hop list; retries the tracer needed are evidence."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import defaults
from auditor.findings import Finding
from auditor.graph import AuditGraph
from auditor.rules import rule
from auditor.rules.paths import LegacyPath, legacy_paths
from auditor.vocabulary import FindingType as F


def _finding(kind: F, p: LegacyPath, message: str, **evidence: object) -> Finding:
    if p.retries:
        evidence["retries"] = p.retries
    return Finding(kind, p.url, p.region, p.product, message, p.hops, evidence)


@rule(F.REDIRECT_LOOP)
def redirect_loop(graph: AuditGraph) -> Iterator[Finding]:
    for p in legacy_paths(graph):
        if p.outcome == "loop":
            back = p.hops[-1].get("location")
            yield _finding(
                F.REDIRECT_LOOP,
                p,
                f"redirects in a loop: {back} was already on the path"
                + (" (it redirects to itself)" if back == p.hops[-1]["url"] else ""),
                revisited=back,
                loop_length=len(p.hops) - next(i for i, h in enumerate(p.hops) if h["url"] == back),
            )


@rule(F.NOT_REDIRECTED)
def not_redirected(graph: AuditGraph) -> Iterator[Finding]:
    for p in legacy_paths(graph):
        if p.outcome == "not_redirected":
            yield _finding(
                F.NOT_REDIRECTED,
                p,
                f"answers {p.final_status} on the legacy site instead of redirecting",
                status=p.final_status,
                final_url=p.final_url,
            )


@rule(F.REDIRECT_BROKEN)
def redirect_broken(graph: AuditGraph) -> Iterator[Finding]:
    for p in legacy_paths(graph):
        if p.outcome == "broken":
            evidence: dict[str, object] = {
                "end": p.end,
                "final_url": p.final_url,
                "final_status": p.final_status,
            }
            if p.hops[-1].get("error"):
                evidence["error"] = p.hops[-1]["error"]
            if p.final.get("soft404"):
                evidence["soft404_reason"] = p.final.get("soft404_reason")
            yield _finding(F.REDIRECT_BROKEN, p, f"the redirect path ends in {p.why_broken()}", **evidence)


@rule(F.REDIRECT_CHAIN)
def redirect_chain(graph: AuditGraph) -> Iterator[Finding]:
    most = graph.profile.max_hops
    for p in legacy_paths(graph):
        if p.outcome == "landed" and p.redirects > most:
            yield _finding(
                F.REDIRECT_CHAIN,
                p,
                f"takes {p.redirects} redirects to land on {p.final_url} (at most {most})",
                redirects=p.redirects,
                max_hops=most,
            )


@rule(F.REDIRECT_TEMPORARY)
def redirect_temporary(graph: AuditGraph) -> Iterator[Finding]:
    for p in legacy_paths(graph):
        if p.outcome != "landed":
            continue
        temporary = [h for h in p.hops[:-1] if h.get("status") in defaults.AUDITOR_TEMPORARY_STATUSES]
        if temporary:
            yield _finding(
                F.REDIRECT_TEMPORARY,
                p,
                f"moves with a temporary {temporary[0]['status']} at {temporary[0]['url']} instead of a 301",
                statuses=[h["status"] for h in temporary],
                temporary_hops=[h["url"] for h in temporary],
            )
