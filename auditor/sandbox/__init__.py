"""The sandbox estate: po.co, mi.com and poco.in played on loopback, with ground truth.

    with Sandbox("default") as sb:            # a thread of this process, ports chosen by the OS
        sb.url_for("https://www.po.co/uk/")   # -> http://127.0.0.1:PORT/uk/ (send Host: www.po.co)
        sb.resolve_args()                     # -> ["https://www.po.co=127.0.0.1:PORT", ...]

    with SandboxProcess("default") as sb:     # the same in a child process (own core, own GIL)
        ...

The sandbox shares the findings vocabulary with the auditor and nothing else: its truth comes from
its own routing table (see truth.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Self

from auditor.sandbox.estate import Estate
from auditor.sandbox.scenario import Scenario, builtin_names, load
from auditor.sandbox.server import EstateServer
from auditor.sandbox.truth import Truth

__all__ = ["Estate", "Sandbox", "SandboxProcess", "Scenario", "Truth", "builtin_names", "load"]


class _Endpoints:
    host: str
    ports: dict[str, int]
    estate_origins: list[str]
    dead_origins: list[str]

    def address(self, origin: str) -> str:
        """host:port that plays an origin (https:// origins on one port, http:// on another)."""
        if origin in self.dead_origins:
            return f"{self.host}:{self.ports['refused']}"
        scheme = origin.split("://", 1)[0]
        return f"{self.host}:{self.ports[scheme]}"

    def resolve_map(self) -> dict[str, str]:
        return {o: self.address(o) for o in [*self.estate_origins, *self.dead_origins]}

    def resolve_args(self) -> list[str]:
        """``--resolve`` values for ``auditor run``: every origin of the estate, dead ones included."""
        return [f"{o}={a}" for o, a in self.resolve_map().items()]

    def url_for(self, url: str) -> tuple[str, str]:
        """The loopback URL that answers for ``url``, and the Host header to send with it."""
        scheme, rest = url.split("://", 1)
        host, _, path = rest.partition("/")
        return f"http://{self.address(f'{scheme}://{host}')}/{path}", host

    def describe(self) -> dict[str, Any]:
        return {"host": self.host, "ports": self.ports, "resolve": self.resolve_map()}


class Sandbox(_Endpoints):
    """The estate served from a background thread of this process."""

    def __init__(
        self,
        scenario: str | Scenario = "default",
        scale: int = 1,
        host: str = "127.0.0.1",
        https_port: int = 0,
        http_port: int = 0,
    ) -> None:
        self.scenario = scenario if isinstance(scenario, Scenario) else load(scenario, scale=scale)
        self.estate = Estate(self.scenario)
        self.host = host
        self.ports = {}
        self.estate_origins = self.estate.origins()
        self.dead_origins = list(self.scenario.dead)
        self._wanted = (https_port, http_port)
        self._server = EstateServer(self.estate, host)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def truth(self) -> Truth:
        return Truth(self.estate)

    def start(self) -> Self:
        started = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self.ports = loop.run_until_complete(self._server.start(*self._wanted))
            except BaseException as exc:  # reported to the starting thread
                errors.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._server.close())
            loop.close()

        self._thread = threading.Thread(target=run, name="sandbox-estate", daemon=True)
        self._thread.start()
        started.wait()
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop = None

    def reset(self) -> None:
        """Forget transient failures already served (flaky URLs fail again from the start)."""
        if self._loop is not None:

            async def reset() -> None:
                self._server.responder.reset()

            asyncio.run_coroutine_threadsafe(reset(), self._loop).result(timeout=10)

    def counters(self) -> dict[str, Any]:
        """What the server has answered so far: requests, bytes sent, responses by status."""
        r = self._server.responder
        return {"served": r.served, "bytes": r.bytes_sent, "by_status": dict(r.by_status)}

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SandboxProcess(_Endpoints):
    """The estate served by ``python -m auditor sandbox serve`` in a child process."""

    def __init__(self, scenario: str = "default", scale: int = 1, host: str = "127.0.0.1") -> None:
        self.scenario_name = scenario
        self.scale = scale
        self.host = host
        self.ports = {}
        self.estate_origins = []
        self.dead_origins = []
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> Self:
        cmd = [
            sys.executable,
            "-m",
            "auditor",
            "sandbox",
            "serve",
            "--scenario",
            self.scenario_name,
            "--scale",
            str(self.scale),
            "--host",
            self.host,
            "--https-port",
            "0",
            "--http-port",
            "0",
            "--json",
        ]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"sandbox did not start: {err.strip()}")
        info = json.loads(line)
        self.ports = {k: int(v) for k, v in info["ports"].items()}
        self.estate_origins = info["origins"]
        self.dead_origins = info["dead"]
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()
            self.proc = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def write_inventory(estate: Estate, path: Path) -> None:
    path.write_text(
        "# legacy inventory exported from the sandbox scenario "
        f"{estate.s.name!r}\n" + "\n".join(estate.legacy_urls) + "\n",
        encoding="utf-8",
    )
