"""Score an audit against a scenario's ground truth: precision and recall per finding type.

Findings are compared by (type, url) — the pair a finding's stable id is made of. Used by
``auditor demo`` (which prints the score) and by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.vocabulary import FindingType


@dataclass
class TypeScore:
    expected: int = 0
    found: int = 0
    extra: list[str] = field(default_factory=list)  # found, not in the truth (false positives)
    missed: list[str] = field(default_factory=list)  # in the truth, not found (false negatives)

    @property
    def true_positives(self) -> int:
        return self.found - len(self.extra)

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0


def score(truth: dict[str, Any], audit: dict[str, Any]) -> dict[str, TypeScore]:
    """Per finding type (every type, even with nothing expected or found)."""
    want = {(f["type"], f["url"]) for f in truth["findings"]}
    got = {(f["type"], f["url"]) for f in audit["findings"]}
    out = {t.value: TypeScore() for t in FindingType}
    for kind, url in want:
        out[kind].expected += 1
        if (kind, url) not in got:
            out[kind].missed.append(url)
    for kind, url in got:
        out[kind].found += 1
        if (kind, url) not in want:
            out[kind].extra.append(url)
    for s in out.values():
        s.extra.sort()
        s.missed.sort()
    return out


def report(scores: dict[str, TypeScore]) -> str:
    """One line overall, then one per type that is not perfect, with the URLs that differ."""
    expected = sum(s.expected for s in scores.values())
    found = sum(s.found for s in scores.values())
    right = sum(s.true_positives for s in scores.values())
    p = right / found if found else 1.0
    r = right / expected if expected else 1.0
    lines = [f"against the sandbox's ground truth: precision {p:.3f}, recall {r:.3f} ({right} of {expected})"]
    for kind, s in scores.items():
        if s.extra or s.missed:
            lines.append(f"  {kind}: precision {s.precision:.3f}, recall {s.recall:.3f}")
            lines += [f"    extra  {u}" for u in s.extra[:10]] + [f"    missed {u}" for u in s.missed[:10]]
    return "\n".join(lines)
