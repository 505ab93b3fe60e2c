"""The migration rules: one small pure function per finding type, each over the audit graph.

Every rule is registered under the finding type it decides (``@rule(FindingType.REDIRECT_LOOP)``)
and named after it, so ``grep -rn redirect_loop auditor/rules`` finds where that type is decided.
:func:`judge` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from auditor.findings import Finding
from auditor.graph import AuditGraph
from auditor.vocabulary import FindingType

Rule = Callable[[AuditGraph], Iterable[Finding]]

RULES: dict[FindingType, Rule] = {}


def rule(kind: FindingType) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        assert fn.__name__ == kind.value, f"rule {fn.__name__} must be named {kind.value}"
        RULES[kind] = fn
        return fn

    return register


def judge(graph: AuditGraph, kinds: Iterable[FindingType] | None = None) -> list[Finding]:
    """Every finding of the chosen types (all by default), sorted by (type, url)."""
    found: list[Finding] = []
    for kind in kinds or FindingType:
        found += RULES[kind](graph)
    return sorted(found, key=lambda f: (f.type.value, f.url))


from auditor.rules import landing, links, pages, products, redirects  # noqa: E402,F401  (registration)
