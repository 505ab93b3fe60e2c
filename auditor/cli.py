"""The ``auditor`` command: the one boundary that turns errors into exit statuses and messages."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import signal
import sys
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from auditor import __version__
from auditor.errors import AuditorError, InputError
from auditor.status import ExitStatus

if TYPE_CHECKING:
    from auditor.run import RunOptions


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="auditor", description="Audit a site migration: POCO (po.co, poco.in) -> mi.com.")
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sandbox = commands.add_parser("sandbox", help="the sandbox estate: po.co, mi.com and poco.in on loopback")
    sb = sandbox.add_subparsers(dest="sandbox_command", required=True, parser_class=_Parser)
    serve = sb.add_parser("serve", help="serve a scenario's estate over HTTP until stopped")
    serve.add_argument("--scenario", default="default", help="a built-in scenario name or a .toml file")
    serve.add_argument("--scale", type=int, default=1, help="grow the catalog N-fold (load work)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--https-port", type=int, default=8443, help="port playing the https:// origins (0: any)"
    )
    serve.add_argument(
        "--http-port", type=int, default=8080, help="port playing the http:// origins (0: any)"
    )
    serve.add_argument("--json", action="store_true", help="print ports and origins as one JSON line")
    for name, help_text in (
        ("truth", "print a scenario's ground truth (findings.json format)"),
        ("inventory", "print a scenario's legacy URL inventory (for --legacy-urls)"),
        ("redirect-map", "print a scenario's intended redirect map (CSV old_url,new_url)"),
    ):
        sub = sb.add_parser(name, help=help_text)
        sub.add_argument("scenario", nargs="?", default="default")
        sub.add_argument("--scale", type=int, default=1)
        sub.add_argument("--out", type=Path, help="write to this file instead of standard output")
        if name == "truth":
            sub.add_argument("--format", choices=("json", "summary"), default="json")
    sb.add_parser("list", help="list the built-in scenarios")

    run = commands.add_parser(
        "run", help="crawl: trace every legacy URL, crawl the target and regional sites"
    )
    _crawl_options(run)
    run.add_argument(
        "--out", type=Path, default=Path("auditor-out"), help="the run's directory (default: auditor-out)"
    )
    run.add_argument(
        "--legacy-urls",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="legacy URLs, one per line (repeatable)",
    )
    run.add_argument(
        "--sitemap",
        action="append",
        default=[],
        metavar="FILE|URL",
        help="a legacy XML sitemap: a file is read, a URL fetched (repeatable)",
    )
    run.add_argument(
        "--redirect-map",
        type=Path,
        metavar="CSV",
        help="the migration's redirect map (old_url[,new_url]); its old URLs join the inventory",
    )
    run.add_argument(
        "--cdx",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a Wayback Machine CDX export of the legacy site; its 2xx captures join the inventory",
    )
    run.add_argument(
        "--http-cache",
        type=Path,
        metavar="DIR",
        help="keep bodies here between nights and revalidate them (ETag / If-Modified-Since): an "
        "unchanged page costs a 304, not a download",
    )
    _nightly_options(run)

    demo = commands.add_parser("demo", help="audit the sandbox estate end to end (no network needed)")
    demo.add_argument("--scenario", default="default", help="a built-in scenario name or a .toml file")
    demo.add_argument("--out", type=Path, default=Path("auditor-demo"), help="the run's directory")
    _crawl_options(demo, resolve=False)
    _nightly_options(demo)

    report = commands.add_parser(
        "report", help="judge a finished run's crawl store again and re-render its outputs (no crawling)"
    )
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the --out directory of a finished run")
    report.add_argument("--profile", help="a profile .toml file or built-in name (default: the run's own)")
    _nightly_options(report)

    check = commands.add_parser(
        "check-map",
        help="list mode: trace only a redirect map's old URLs (no site crawl); a verdict per row",
    )
    check.add_argument("map", type=Path, metavar="MAP.csv", help="the redirect map (old_url[,new_url])")
    check.add_argument(
        "--out",
        type=Path,
        default=Path("auditor-check-map"),
        help="the run's directory (default: auditor-check-map)",
    )
    _crawl_options(check)
    check.add_argument(
        "--accept", type=Path, metavar="CSV", help="finding ids QA accepted (columns: id, reason)"
    )
    check.add_argument("--fail-on", metavar="CLASSES", help="exit 3 when findings of these classes exist")
    _graph_option(check)

    diff = commands.add_parser("diff", help="what changed from one finished run to another")
    diff.add_argument("run_a", type=Path, metavar="RUN_A", help="the earlier run's --out directory")
    diff.add_argument("run_b", type=Path, metavar="RUN_B", help="the later run's --out directory")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _nightly_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--history",
        type=Path,
        metavar="DB",
        help="the run history (SQLite; created if missing): diff against last night, baseline inventory",
    )
    parser.add_argument(
        "--accept", type=Path, metavar="CSV", help="finding ids QA accepted (columns: id, reason)"
    )
    parser.add_argument(
        "--fail-on",
        metavar="CLASSES",
        help="exit 3 when findings of these classes exist, e.g. new:critical,new:major "
        "(STATE new|persisting|any : WHAT critical|major|minor|a finding type|any)",
    )
    _graph_option(parser)


def _graph_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--graph",
        choices=("full", "products", "none"),  # what audit._write and graph.write_* understand
        default="full",
        help="graph.json/graph.graphml: full (with every link), products (the product/redirect graph, "
        "no links: for large crawls), none",
    )


def _crawl_options(parser: argparse.ArgumentParser, resolve: bool = True) -> None:
    parser.add_argument("--profile", help="a profile .toml file or built-in name (default: poco)")
    if resolve:
        parser.add_argument(
            "--resolve",
            action="append",
            default=[],
            metavar="ORIGIN=HOST:PORT",
            help="connect ORIGIN to HOST:PORT (plain HTTP; https://HOST:PORT for TLS)",
        )
        parser.add_argument(
            "--allow-resolve",
            action="append",
            default=[],
            metavar="HOST",
            help="allow a non-loopback --resolve address",
        )
    parser.add_argument("--max-pages", type=int, default=0, help="stop each spider after N responses")
    parser.add_argument(
        "--no-robots",
        dest="robots",
        action="store_false",
        default=None,
        help="ignore robots.txt on the site crawl",
    )
    parser.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="progress lines on standard error (default: when it is a terminal)",
    )
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument(
        "--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    )
    parser.add_argument("--only", choices=("legacy", "site"), help="run one spider")
    parser.add_argument("--as-of", help="the audit's date (YYYY-MM-DD; default today)")


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        return int(_dispatch(args, out))
    except InputError as exc:
        print(f"auditor: error: {exc}", file=err)
        return ExitStatus.BAD_INPUT
    except KeyboardInterrupt:
        print("auditor: interrupted", file=err)
        return ExitStatus.INTERRUPTED
    except AuditorError as exc:
        print(f"auditor: error: {exc}", file=err)
        return ExitStatus.ERROR
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except BrokenPipeError:  # `auditor ... | head`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitStatus.ERROR
    except Exception as exc:  # a bug or an unforeseen failure: one line, the traceback on demand
        print(f"auditor: internal error: {type(exc).__name__}: {exc}", file=err)
        if os.environ.get("AUDITOR_TRACEBACK"):
            traceback.print_exc(file=err)
        else:
            print("auditor: set AUDITOR_TRACEBACK=1 to see the traceback", file=err)
        return ExitStatus.ERROR


def _dispatch(args: argparse.Namespace, out: TextIO) -> ExitStatus:
    if args.command == "sandbox":
        return _sandbox(args, out)
    if args.command == "run":
        return _run(args, out)
    if args.command == "demo":
        return _demo(args, out)
    if args.command == "check-map":
        from auditor.run import run

        opts = _options(
            args,
            resolve=args.resolve,
            allow_resolve=args.allow_resolve,
            redirect_map=args.map,
            check_map=True,
            history=None,
        )
        status, _summary = run(opts, out, sys.stderr)
        return status
    if args.command == "diff":
        from auditor.audit import diff
        from auditor.nightly import format_diff

        d = diff(args.run_a, args.run_b)
        out.write(
            json.dumps(d, indent=1, ensure_ascii=False) + "\n" if args.format == "json" else format_diff(d)
        )
        return ExitStatus.OK
    if args.command == "report":
        from auditor.audit import rejudge, summarize
        from auditor.run import nightly_options

        nightly = nightly_options(args.history, args.accept, args.fail_on, args.graph)
        result = rejudge(args.run_dir, args.profile, nightly)
        summarize(result, out)
        return ExitStatus.GATE if result.failed else ExitStatus.OK
    raise InputError(f"unknown command {args.command!r}")


def _options(args: argparse.Namespace, **extra: object) -> RunOptions:
    from auditor.run import RunOptions

    values = {
        "out": args.out,
        "profile": args.profile,
        "max_pages": args.max_pages,
        "robots": args.robots,
        "progress": args.progress,
        "log_level": args.log_level,
        "only": args.only,
        "as_of": args.as_of,
        "history": getattr(args, "history", None),
        "accept": args.accept,
        "fail_on": args.fail_on,
        "graph": getattr(args, "graph", "full"),
    }
    values |= extra
    return RunOptions(**values)


def _run(args: argparse.Namespace, out: TextIO) -> ExitStatus:
    from auditor.run import run

    opts = _options(
        args,
        resolve=args.resolve,
        allow_resolve=args.allow_resolve,
        legacy_urls=args.legacy_urls,
        sitemaps=args.sitemap,
        redirect_map=args.redirect_map,
        cdx=args.cdx,
        http_cache=args.http_cache,
    )
    status, _summary = run(opts, out, sys.stderr)
    return status


def _demo(args: argparse.Namespace, out: TextIO) -> ExitStatus:
    """The sandbox estate in a child process, its exported inventory and redirect map, one full run."""
    from auditor import sandbox
    from auditor.run import check_out, run

    scenario = sandbox.load(args.scenario)
    estate = sandbox.Estate(scenario)
    check_out(args.out)
    inventory_file = args.out / "legacy-urls.txt"
    map_file = args.out / "redirect-map.csv"
    _emit("\n".join(estate.legacy_urls) + "\n", inventory_file, out)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["old_url", "new_url"])
    writer.writerows(estate.redirect_map())
    _emit(buf.getvalue(), map_file, out)
    with sandbox.SandboxProcess(args.scenario) as sb:
        sys.stderr.write(f"auditor demo: sandbox estate {scenario.name!r} on {sb.host} ports {sb.ports}\n")
        opts = _options(
            args,
            resolve=sb.resolve_args(),
            legacy_urls=[inventory_file],
            redirect_map=map_file,
            as_of=args.as_of or scenario.as_of.isoformat(),
        )
        status, summary = run(opts, out, sys.stderr)
    if summary.audit is not None and opts.as_of == scenario.as_of.isoformat():
        from auditor.sandbox.score import report, score  # the truth assumes the scenario's own as-of

        out.write(report(score(sandbox.Truth(estate).document(), summary.audit.document)) + "\n")
    return status


def _emit(text: str, path: Path | None, out: TextIO) -> None:
    if path is None:
        out.write(text)
        return
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=path, field="--out") from exc


def _sandbox(args: argparse.Namespace, out: TextIO) -> ExitStatus:
    from auditor import sandbox

    if args.sandbox_command == "list":
        for name in sandbox.builtin_names():
            scenario = sandbox.load(name)
            out.write(f"{name:24} {scenario.as_of}  {scenario.phase:6}  {scenario.title}\n")
        return ExitStatus.OK
    if args.scale < 1:
        raise InputError("must be 1 or more", field="--scale")
    if args.sandbox_command == "serve":
        return _serve(args, out)
    estate = sandbox.Estate(sandbox.load(args.scenario, scale=args.scale))
    if args.sandbox_command == "inventory":
        _emit("\n".join(estate.legacy_urls) + "\n", args.out, out)
    elif args.sandbox_command == "redirect-map":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["old_url", "new_url"])
        writer.writerows(estate.redirect_map())
        _emit(buf.getvalue(), args.out, out)
    elif args.sandbox_command == "truth":
        doc = sandbox.Truth(estate).document()
        if args.format == "json":
            _emit(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", args.out, out)
        else:
            counts = Counter(f["type"] for f in doc["findings"])
            lines = [f"scenario {estate.s.name}: {len(doc['findings'])} findings, as of {estate.s.as_of}"]
            lines += [f"  {kind:24} {n}" for kind, n in sorted(counts.items())]
            lines += ["coverage (legacy region -> target region: on target / legacy products):"]
            lines += [
                f"  {c['region']:8} -> {c['target_region']:8} {c['on_target']}/{c['legacy_products']}"
                + (f"  missing: {', '.join(c['missing'])}" if c["missing"] else "")
                for c in doc["coverage"]
            ]
            _emit("\n".join(lines) + "\n", args.out, out)
    return ExitStatus.OK


def _serve(args: argparse.Namespace, out: TextIO) -> ExitStatus:
    from auditor.sandbox import Estate, load
    from auditor.sandbox.server import EstateServer

    scenario = load(args.scenario, scale=args.scale)
    estate = Estate(scenario)
    server = EstateServer(estate, args.host)

    async def serve() -> None:
        try:
            ports = await server.start(args.https_port, args.http_port)
        except OSError as exc:
            raise InputError(f"cannot listen: {exc.strerror}", field="--https-port/--http-port") from exc
        addr = {
            o: f"{args.host}:{ports['https' if o.startswith('https') else 'http']}" for o in estate.origins()
        }
        addr |= {o: f"{args.host}:{ports['refused']}" for o in scenario.dead}
        if args.json:
            out.write(
                json.dumps(
                    {
                        "ports": ports,
                        "origins": estate.origins(),
                        "dead": list(scenario.dead),
                        "resolve": addr,
                        "pages": len(estate.pages),
                    }
                )
                + "\n"
            )
        else:
            out.write(
                f"sandbox estate {scenario.name!r} ({scenario.phase}, as of {scenario.as_of}): "
                f"{len(estate.pages)} pages, {len(estate.legacy_urls)} legacy URLs\n"
            )
            out.write(
                f"  https:// origins on {args.host}:{ports['https']}, http:// origins on "
                f"{args.host}:{ports['http']}, dead origins refused on {args.host}:{ports['refused']}\n"
            )
            out.write(
                "  try: curl -si -H 'Host: www.po.co' "
                f"http://{args.host}:{ports['https']}/uk/product/poco-f5/\n"
            )
            out.write("  point the auditor at it with:\n")
            out.write("".join(f"    --resolve {o}={a}\n" for o, a in addr.items()))
            out.write("  Ctrl-C to stop\n")
        out.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.close()

    asyncio.run(serve())
    return ExitStatus.OK
