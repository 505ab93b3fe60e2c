"""Findings: what a rule reports, and the ``findings.json`` document (``auditor.findings/1``).

A finding's id is :func:`auditor.vocabulary.finding_id` of its type and URL, so the same defect has
the same id every night. The document is validated against the shipped JSON Schema before it is
written; an invalid document is a bug, never a file on disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from auditor.vocabulary import SCHEMA_ID, FindingType, Severity, default_severity, finding_id

#: Hop keys a finding carries (elapsed times vary night to night; findings.json does not).
HOP_KEYS = ("url", "status", "location", "via", "retries", "error", "raw_location")

#: Most pages a broken_link finding lists as "linked from" (the count is always complete).
MAX_SOURCES = 20


@dataclass(frozen=True)
class Finding:
    type: FindingType
    url: str
    region: str | None
    product: str | None
    message: str
    hops: tuple[dict[str, Any], ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)
    severity: Severity | None = None

    @property
    def id(self) -> str:
        return finding_id(self.type, self.url)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type.value,
            "severity": (self.severity or default_severity(self.type)).value,
            "url": self.url,
            "region": self.region,
            "product": self.product,
            "hops": [
                {k: h[k] for k in HOP_KEYS if k in h and (k in ("url", "status", "location") or h[k])}
                for h in self.hops
            ],
            "message": self.message,
            "evidence": self.evidence,
        }


def schema_path() -> Path:
    return Path(str(resources.files("auditor").joinpath("schema", "findings.schema.json")))


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate(document: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if the document breaks the contract."""
    _validator().validate(document)


def document(
    run: dict[str, Any],
    findings: list[Finding],
    coverage: dict[str, Any],
    checked: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The findings.json document: run, summary counts (and how many subjects each rule checked),
    coverage (per legacy region), products (with their region matrix), regional lag, and the findings
    sorted by (type, url)."""
    from auditor.coverage import product_matrix

    rows = [f.as_dict() for f in sorted(findings, key=lambda f: (f.type.value, f.url))]
    product_matrix(coverage["products"], rows)
    by_type = {t.value: 0 for t in FindingType}
    by_severity = {s.value: 0 for s in Severity}
    for f in rows:
        by_type[f["type"]] += 1
        by_severity[f["severity"]] += 1
    return {
        "schema": SCHEMA_ID,
        "run": run,
        "summary": {
            "findings": len(rows),
            "by_type": by_type,
            "by_severity": by_severity,
            **({"checked": checked} if checked is not None else {}),
        },
        "coverage": coverage["regions"],
        "products": coverage["products"],
        "regional": coverage["regional"],
        "findings": rows,
    }
