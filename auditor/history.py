"""The run history: one SQLite file a nightly job keeps (``--history DB``), night after night.

It holds each run (id, profile, as-of, timings, counts), its findings by stable id, its coverage per
region and per product, the legacy inventory it saw (and which of it the legacy site still answered
live: the baseline that supplies the inventory once the legacy site only redirects), and where each
legacy URL's redirect path ended. A run is recorded in one transaction at its very end: a run that
dies half-way leaves the history as it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import InputError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL,
    as_of TEXT NOT NULL,
    started TEXT, finished TEXT,
    summary TEXT NOT NULL          -- JSON: counts by type and severity, crawl timings
);
CREATE TABLE IF NOT EXISTS findings (
    run_seq INTEGER NOT NULL REFERENCES runs(seq),
    id TEXT NOT NULL, type TEXT NOT NULL, severity TEXT NOT NULL, url TEXT NOT NULL,
    region TEXT, product TEXT, message TEXT NOT NULL,
    PRIMARY KEY (run_seq, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS findings_by_id ON findings (id, run_seq);
CREATE TABLE IF NOT EXISTS coverage (
    run_seq INTEGER NOT NULL REFERENCES runs(seq), region TEXT NOT NULL, target_region TEXT,
    legacy_products INTEGER NOT NULL, on_target INTEGER NOT NULL, missing TEXT NOT NULL,
    PRIMARY KEY (run_seq, region)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS product_coverage (
    run_seq INTEGER NOT NULL REFERENCES runs(seq), product TEXT NOT NULL, regions TEXT NOT NULL,
    PRIMARY KEY (run_seq, product)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inventory (
    run_seq INTEGER NOT NULL REFERENCES runs(seq), url TEXT NOT NULL, live INTEGER NOT NULL,
    PRIMARY KEY (run_seq, url)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inventory_live ON inventory (live, url);
CREATE TABLE IF NOT EXISTS redirects (
    run_seq INTEGER NOT NULL REFERENCES runs(seq), url TEXT NOT NULL,
    final_url TEXT, statuses TEXT NOT NULL,   -- the hop statuses, e.g. "301 200"
    PRIMARY KEY (run_seq, url)
) WITHOUT ROWID;
"""


#: What the history keeps of each finding (its hops and evidence stay in that night's findings.json).
FINDING_KEYS = ("id", "type", "severity", "url", "region", "product", "message")


@dataclass(frozen=True)
class RunRow:
    seq: int
    id: str
    profile: str
    as_of: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class Redirect:
    url: str
    final_url: str | None
    statuses: str  # "301 200"; "ERR" for a hop without an answer

    @property
    def outcome(self) -> tuple[str | None, str]:
        """Where the path ended and how: two nights compare by this."""
        return self.final_url, self.statuses


class History:
    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        try:
            if readonly:
                if not path.is_file():
                    raise InputError("no such history file", path=path, field="--history")
                self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.executescript(_SCHEMA)
            self.db.execute("SELECT count(*) FROM runs").fetchone()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"not an auditor history file ({exc})", path=path, field="--history") from exc
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror}", path=path, field="--history") from exc

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------
    def runs(self, profile: str | None = None, before: str | None = None) -> list[RunRow]:
        """Recorded runs, oldest first (of one profile; recorded before run id ``before``)."""
        sql = "SELECT seq, id, profile, as_of, summary FROM runs WHERE 1"
        args: list[Any] = []
        if profile is not None:
            sql += " AND profile = ?"
            args.append(profile)
        if before is not None:
            sql += " AND seq < coalesce((SELECT seq FROM runs WHERE id = ?), 1e18)"
            args.append(before)
        rows = self.db.execute(sql + " ORDER BY seq", args).fetchall()
        return [RunRow(s, i, p, a, json.loads(m)) for s, i, p, a, m in rows]

    def findings(self, run: RunRow) -> dict[str, dict[str, Any]]:
        cur = self.db.execute(
            "SELECT id, type, severity, url, region, product, message FROM findings WHERE run_seq = ?",
            (run.seq,),
        )
        return {row[0]: dict(zip(FINDING_KEYS, row, strict=True)) for row in cur}

    def presence(self, runs: list[RunRow]) -> dict[str, set[int]]:
        """finding id -> the seqs of ``runs`` it was present in (one query for all ids)."""
        if not runs:
            return {}
        out: dict[str, set[int]] = {}
        low, high = runs[0].seq, runs[-1].seq
        for fid, seq in self.db.execute(
            "SELECT id, run_seq FROM findings WHERE run_seq BETWEEN ? AND ?", (low, high)
        ):
            out.setdefault(fid, set()).add(seq)
        return out

    def coverage(self, run: RunRow) -> dict[str, dict[str, Any]]:
        cur = self.db.execute(
            "SELECT region, target_region, legacy_products, on_target, missing FROM coverage"
            " WHERE run_seq = ?",
            (run.seq,),
        )
        return {
            r: {
                "region": r,
                "target_region": t,
                "legacy_products": lp,
                "on_target": ot,
                "missing": json.loads(m),
            }
            for r, t, lp, ot, m in cur
        }

    def redirects(self, run: RunRow) -> dict[str, Redirect]:
        cur = self.db.execute("SELECT url, final_url, statuses FROM redirects WHERE run_seq = ?", (run.seq,))
        return {u: Redirect(u, f, s) for u, f, s in cur}

    def redirect_series(self, url: str, runs: list[RunRow]) -> list[Redirect | None]:
        got = {
            seq: Redirect(url, f, s)
            for seq, f, s in self.db.execute(
                "SELECT run_seq, final_url, statuses FROM redirects WHERE url = ?", (url,)
            )
        }
        return [got.get(r.seq) for r in runs]

    def baseline(self, profile: str) -> Iterator[str]:
        """Legacy URLs a past run of this profile saw the legacy site answer live."""
        yield from (
            u
            for (u,) in self.db.execute(
                "SELECT DISTINCT i.url FROM inventory i JOIN runs r ON r.seq = i.run_seq"
                " WHERE i.live = 1 AND r.profile = ? ORDER BY i.url",
                (profile,),
            )
        )

    # -- writing -------------------------------------------------------------------------------
    def record(
        self,
        document: dict[str, Any],
        inventory: Iterable[tuple[str, bool]],
        redirects: Iterable[Redirect],
    ) -> int:
        """Record one finished run in one transaction; returns its seq. Recording a run id again
        replaces it in place (a re-judged run keeps its place among the nights)."""
        run = document["run"]
        with self.db:
            summary = dict(document["summary"])
            summary["coverage"] = {
                "legacy_products": sum(c["legacy_products"] for c in document["coverage"]),
                "on_target": sum(c["on_target"] for c in document["coverage"]),
            }
            values = (run["profile"], run["as_of"], run["started"], run["finished"], json.dumps(summary))
            old = self.db.execute("SELECT seq FROM runs WHERE id = ?", (run["id"],)).fetchone()
            if old:  # re-judged: replaced in place, keeping its place among the nights
                seq = int(old[0])
                for table in ("findings", "coverage", "product_coverage", "inventory", "redirects"):
                    self.db.execute(f"DELETE FROM {table} WHERE run_seq = ?", (seq,))
                self.db.execute(
                    "UPDATE runs SET profile = ?, as_of = ?, started = ?, finished = ?, summary = ?"
                    " WHERE seq = ?",
                    (*values, seq),
                )
            else:
                cur = self.db.execute(
                    "INSERT INTO runs (id, profile, as_of, started, finished, summary)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (run["id"], *values),
                )
                seq = int(cur.lastrowid or 0)
            self.db.executemany(
                "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                ((seq, *(f[k] for k in FINDING_KEYS)) for f in document["findings"]),
            )
            self.db.executemany(
                "INSERT INTO coverage VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (
                        seq,
                        c["region"],
                        c["target_region"],
                        c["legacy_products"],
                        c["on_target"],
                        json.dumps(c["missing"]),
                    )
                    for c in document["coverage"]
                ),
            )
            self.db.executemany(
                "INSERT INTO product_coverage VALUES (?, ?, ?)",
                ((seq, p["product"], json.dumps(p.get("regions", {}))) for p in document.get("products", [])),
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO inventory VALUES (?, ?, ?)",
                ((seq, u, int(live)) for u, live in inventory),
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO redirects VALUES (?, ?, ?, ?)",
                ((seq, r.url, r.final_url, r.statuses) for r in redirects),
            )
        return seq
