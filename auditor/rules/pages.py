"""stale_page: a page of a live regional site whose newest freshness evidence is older than
stale_after_days at the run's as-of date. The evidence says which date, where it was read, and how
far the regional site lags behind the target region it shadows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from auditor.coverage import MAX_LISTED, regional_lag
from auditor.findings import Finding
from auditor.graph import AuditGraph
from auditor.rules import rule
from auditor.vocabulary import FindingType as F


@rule(F.STALE_PAGE)
def stale_page(graph: AuditGraph) -> Iterator[Finding]:
    limit = graph.as_of - dt.timedelta(days=graph.profile.stale_after_days)
    lag = {(r["site"], r["region"]): r for r in regional_lag(graph)}
    for url, a in graph.followed_pages(("regional",)):
        if not a.get("newest") or not str(a.get("content_type") or "text/html").startswith("text/html"):
            continue
        newest = dt.date.fromisoformat(a["newest"][:10])
        if newest >= limit:
            continue
        age = (graph.as_of - newest).days
        site_lag = lag.get((a["site"], a["region"]))
        evidence: dict[str, object] = {
            "title": a.get("title"),
            "newest": newest.isoformat(),
            "newest_source": a.get("newest_source"),
            "age_days": age,
            "stale_after_days": graph.profile.stale_after_days,
            "freshness": a.get("freshness") or [],
        }
        if site_lag is not None:
            evidence["regional_lag"] = {
                "target_region": site_lag["target_region"],
                "products_missing": len(site_lag["lag"]),
                "products": site_lag["lag"][:MAX_LISTED],
                "site_newest_page": site_lag["newest_page"],
            }
        yield Finding(
            F.STALE_PAGE,
            url,
            a.get("region"),
            a.get("product"),
            f"last updated {newest.isoformat()} ({a.get('newest_source')}), {age} days before "
            f"{graph.as_of.isoformat()}",
            evidence=evidence,
        )
