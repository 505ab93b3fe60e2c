"""``auditor run``: the whole crawl of one night — legacy tracer and site crawler — into one store,
then the audit of that store (``auditor/audit.py``: findings.json, graph.json, graph.graphml).

Everything a person gave is checked before anything is written (bad input is exit 2 and nothing
half-made). The crawl runs in this process (Scrapy's CrawlerProcess, both spiders side by side), each
spider with its own JOBDIR under ``--out/jobs/``: a run stopped with Ctrl-C or killed is resumed by
running the same command again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import resource
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from auditor import inventory
from auditor.audit import STORE, AuditResult, audit, summarize
from auditor.errors import InputError
from auditor.history import History
from auditor.nightly import NightlyOptions, parse_fail_on, read_accept
from auditor.profile import Profile
from auditor.profile import load as load_profile
from auditor.status import ExitStatus
from auditor.store import CrawlStore
from auditor.urls import canonical


@dataclass
class RunOptions:
    out: Path
    profile: str | None = None
    resolve: list[str] = field(default_factory=list)
    allow_resolve: list[str] = field(default_factory=list)
    legacy_urls: list[Path] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    redirect_map: Path | None = None
    max_pages: int = 0
    robots: bool | None = None
    progress: bool | None = None
    log_level: str = "WARNING"
    only: str | None = None  # legacy | site
    as_of: str | None = None
    cdx: list[Path] = field(default_factory=list)
    history: Path | None = None
    accept: Path | None = None
    fail_on: str | None = None
    graph: str = "full"  # --graph: full | products | none
    http_cache: Path | None = None  # --http-cache DIR: conditional requests against last night's bodies
    check_map: bool = False  # list mode: trace only the redirect map's old URLs, judge only redirects


@dataclass
class Summary:
    store: Path
    elapsed: float
    responses: int
    peak_rss_mb: float
    stats: dict[str, dict[str, Any]]
    interrupted: bool
    counts: dict[str, int]
    audit: AuditResult | None = None

    @property
    def pages_per_second(self) -> float:
        return self.responses / self.elapsed if self.elapsed else 0.0


def check_out(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".auditor-write-test"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror}", path=out, field="--out") from exc


def prepare(opts: RunOptions) -> tuple[Profile, inventory.Sources]:
    """Check everything a person gave; raise InputError before anything is written."""
    from auditor.spiders.resolve import parse_resolve  # Scrapy import: only once a crawl is wanted

    profile = load_profile(opts.profile)
    parse_resolve(opts.resolve, tuple(opts.allow_resolve))
    if opts.max_pages < 0:
        raise InputError("must be 0 (no cap) or more", field="--max-pages")
    if opts.as_of is not None:
        try:
            dt.date.fromisoformat(opts.as_of)
        except ValueError as exc:
            raise InputError(f"not a date (YYYY-MM-DD): {opts.as_of!r}", field="--as-of") from exc
    files = [Path(s) for s in opts.sitemaps if not s.startswith(("http://", "https://"))]
    for path in [*opts.legacy_urls, *files, *opts.cdx, *([opts.redirect_map] if opts.redirect_map else [])]:
        if not path.is_file():
            raise InputError("no such file", path=path)
    sources = inventory.read_sources(opts.legacy_urls, files, opts.redirect_map, opts.cdx)
    nightly_options(opts.history, opts.accept, opts.fail_on)  # checked now, before anything is written
    return profile, sources


def nightly_options(
    history: Path | None, accept: Path | None, fail_on: str | None, graph: str = "full"
) -> NightlyOptions:
    """--history, --accept, --fail-on and --graph, checked: a history that exists must be one."""
    if history is not None and history.exists():
        History(history, readonly=True).close()
    return NightlyOptions(
        history=history,
        accept=read_accept(accept) if accept else {},
        fail_on=parse_fail_on(fail_on) if fail_on else [],
        graph=graph,
    )


def run(opts: RunOptions, out: TextIO, err: TextIO) -> tuple[ExitStatus, Summary]:
    profile, sources = prepare(opts)
    check_out(opts.out)
    store_path = opts.out / STORE
    nightly = nightly_options(opts.history, opts.accept, opts.fail_on, opts.graph)
    baseline: list[str] = []
    if opts.history is not None and opts.history.exists():
        with History(opts.history, readonly=True) as history:
            baseline = list(history.baseline(profile.name))
    with CrawlStore(store_path) as store:
        added = inventory.store_sources(store, sources)
        with store.db:
            from_baseline = store.add_inventory((canonical(u), u, "baseline", None) for u in baseline)
        with store.db:
            store.set_meta("profile", {"name": profile.name, "path": profile.path})
            store.set_meta("as_of", opts.as_of or dt.date.today().isoformat())
            if store.meta("started") is None:
                now = dt.datetime.now(dt.UTC)
                store.set_meta("started", now.isoformat(timespec="seconds"))
                store.set_meta("run_id", now.strftime("%Y%m%dT%H%M%S.%f")[:-3] + "Z")
            store.set_meta("resolve", opts.resolve)
        listed = store.count("inventory")
    err.write(
        f"auditor run: profile {profile.name} -> {store_path}\n"
        f"  legacy inventory: {listed} URLs ({added['added']} new from {added['listed']} listed"
        + (f"; {from_baseline} new from the history's baseline of {len(baseline)}" if baseline else "")
        + ")\n"
    )
    err.flush()
    summary = _crawl(opts, profile, store_path)
    with CrawlStore(store_path) as store, store.db:
        if not summary.interrupted:
            store.set_meta("finished", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        store.set_meta(
            "crawl",
            {
                "elapsed": round(summary.elapsed, 2),
                "responses": summary.responses,
                "pages_per_second": round(summary.pages_per_second, 1),
                "peak_rss_mb": round(summary.peak_rss_mb, 1),
                "cpu_seconds": round(_cpu_seconds(), 1),
                "interrupted": summary.interrupted,
                "limits": limit_stats(summary.stats),
            },
        )
    report(summary, out)
    if summary.interrupted:
        return ExitStatus.INTERRUPTED, summary
    summary.audit = audit(opts.out, store_path, profile, nightly, check_map=opts.check_map)
    summarize(summary.audit, out)
    return (ExitStatus.GATE if summary.audit.failed else ExitStatus.OK), summary


#: Crawl counters kept in the run's limits: bodies cut or not inflated, robots.txt not answered 200,
#: URLs still failing after their retries, and why retries happened.
LIMIT_STATS = (
    "auditor/size/",
    "robotstxt/response_status_count/",
    "robotstxt/exception_count/",
    "retry/max_reached",
    "retry/reason_count/",
)


def _cpu_seconds() -> float:
    """CPU this process has used so far (the crawl's, when asked before the audit)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def limit_stats(stats: dict[str, dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for spider_stats in stats.values():
        for key, value in spider_stats.items():
            if key.startswith(LIMIT_STATS) and key != "robotstxt/response_status_count/200":
                out[key] = out.get(key, 0) + int(value)
    return dict(sorted(out.items()))


def http_cache_settings(cache_dir: Path) -> dict[str, Any]:
    """--http-cache DIR: Scrapy's HTTP cache with the RFC 2616 policy, every request revalidated.

    Each request says ``Cache-Control: max-age=0``, so a cached answer is never used blind: it is
    revalidated with If-None-Match / If-Modified-Since, and a 304 brings the stored body back instead
    of downloading it again. A redirect, a 404 or a 503 is asked again every night (none carry
    validators), so traces stay tonight's truth; only unchanged pages cost less."""
    return {
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_DIR": str(cache_dir.resolve()),
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en",
            "Cache-Control": "max-age=0",
        },
    }


def _crawl(opts: RunOptions, profile: Profile, store_path: Path) -> Summary:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from auditor.spiders.legacy import LegacySpider
    from auditor.spiders.site import SiteSpider

    settings = Settings()
    settings.setmodule("auditor.settings", priority="project")
    cmdline = {
        "AUDITOR_RESOLVE": opts.resolve,
        "AUDITOR_RESOLVE_ALLOW": opts.allow_resolve,
        "LOG_LEVEL": opts.log_level,
        "AUDITOR_PROGRESS": sys.stderr.isatty() if opts.progress is None else opts.progress,
        "TELNETCONSOLE_ENABLED": False,
    }
    if opts.max_pages:
        cmdline["CLOSESPIDER_PAGECOUNT"] = opts.max_pages
    if opts.robots is not None:
        cmdline["ROBOTSTXT_OBEY"] = opts.robots
    if opts.http_cache is not None:
        cmdline |= http_cache_settings(opts.http_cache)
    settings.setdict(cmdline, priority="cmdline")
    process = CrawlerProcess(settings)
    recover = _recover_jobdirs(opts.out / "jobs", ("legacy", "site"))
    if logging.getLevelName(opts.log_level) >= logging.WARNING:
        # a dead origin's robots.txt fails with a traceback at ERROR; the trace already records the
        # refused connection as data, so the terminal need not shout about it
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    common = {"profile": profile.path, "store": str(store_path)}
    crawlers = []
    only = "legacy" if opts.check_map else opts.only
    if only in (None, "legacy"):
        legacy = process.create_crawler(LegacySpider)
        crawlers.append(legacy)
        process.crawl(
            legacy,
            jobdir=str(opts.out / "jobs" / "legacy"),
            recover=recover["legacy"],
            sitemaps=",".join(s for s in opts.sitemaps if s.startswith(("http://", "https://"))),
            **({"crawl_live": "0"} if opts.check_map else {}),
            **common,
        )
    if only in (None, "site"):
        site = process.create_crawler(SiteSpider)
        crawlers.append(site)
        process.crawl(site, jobdir=str(opts.out / "jobs" / "site"), recover=recover["site"], **common)
    started = time.monotonic()
    process.start()
    elapsed = time.monotonic() - started
    for name in recover:  # the crawl ended cleanly (finished, or stopped gracefully: resumable)
        (opts.out / "jobs" / f"{name}.running").unlink(missing_ok=True)
    stats = {c.spider.name: c.stats.get_stats() for c in crawlers if c.spider and c.stats}
    responses = sum(int(s.get("response_received_count", 0)) for s in stats.values())
    interrupted = any(s.get("finish_reason") == "shutdown" for s in stats.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    with CrawlStore(store_path, readonly=True) as store:
        counts = {
            "inventory": store.count("inventory"),
            "legacy_traced": store.count("traces", "purpose = 'legacy'"),
            "pages": store.count("pages"),
            "crawled": store.count("pages", "crawled = 1"),
            "soft404": store.count("pages", "soft404 = 1"),
            "links": store.count("links"),
            "link_checks": store.count("traces", "purpose = 'link'"),
        }
    return Summary(store_path, elapsed, responses, peak, stats, interrupted, counts)


def _recover_jobdirs(jobs: Path, names: tuple[str, ...]) -> dict[str, str]:
    """A JOBDIR whose run was killed (its ``.running`` marker survived) cannot be trusted: Scrapy's
    disk queue is only consistent after a clean close. Discard it; the spider then recovers from the
    crawl store (untraced inventory, start URLs, and links no trace started from)."""
    jobs.mkdir(parents=True, exist_ok=True)
    recover = {}
    for name in names:
        marker = jobs / f"{name}.running"
        killed = marker.exists()
        if killed:
            shutil.rmtree(jobs / name, ignore_errors=True)
        marker.write_text(str(os.getpid()), encoding="utf-8")
        recover[name] = "1" if killed else "0"
    return recover


def report(summary: Summary, out: TextIO) -> None:
    c = summary.counts
    lines = [
        f"crawl store: {summary.store}",
        f"  legacy URLs traced: {c['legacy_traced']} of {c['inventory']}",
        f"  pages stored: {c['pages']} ({c['crawled']} crawled, {c['soft404']} soft-404), "
        f"{c['links']} links, {c['link_checks']} linked URLs checked",
        f"  {summary.responses} responses in {summary.elapsed:.1f} s: {summary.pages_per_second:.0f} pages/s;"
        f" peak memory {summary.peak_rss_mb:.0f} MB",
    ]
    if summary.interrupted:
        lines.append("  interrupted: run the same command again to resume")
    for name, stats in summary.stats.items():
        lines.append(f"Scrapy stats ({name}):")
        lines += [f"  {k}: {_show(v)}" for k, v in sorted(stats.items())]
    out.write("\n".join(lines) + "\n")
    out.flush()


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)
