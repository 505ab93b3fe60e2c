"""Test helpers: fetch from the sandbox over real HTTP, run the CLI in-process."""

from __future__ import annotations

import http.client
import io
from dataclasses import dataclass
from urllib.parse import urljoin

from auditor.cli import main


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


def fetch(sandbox, url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    """GET ``url`` (an estate URL such as https://www.po.co/uk/) from the sandbox, Host header kept."""
    loopback, host = sandbox.url_for(url)
    address, _, path = loopback.removeprefix("http://").partition("/")
    hostname, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(hostname, int(port), timeout=10)
    try:
        conn.request(method, "/" + path, headers={"Host": host, **(headers or {})})
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", "replace")
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


def follow(sandbox, url: str, cap: int = 10) -> list[tuple[str, int | None, str | None]]:
    """Follow redirects by hand over HTTP: [(url, status, absolute Location)]; status None = refused."""
    hops: list[tuple[str, int | None, str | None]] = []
    seen = set()
    while url not in seen and len(hops) <= cap:
        seen.add(url)
        try:
            resp = fetch(sandbox, url)
        except ConnectionRefusedError:
            hops.append((url, None, None))
            break
        while resp.status == 503:  # transient: retry, as a crawler honouring Retry-After would
            resp = fetch(sandbox, url)
        location = resp.headers.get("location")
        nxt = urljoin(url, location) if location is not None else None
        if resp.status == 200 and 'http-equiv="refresh"' in resp.body:
            nxt = resp.body.split('http-equiv="refresh" content="0; url=', 1)[1].split('"', 1)[0]
        hops.append((url, resp.status, nxt))
        if nxt is None:
            break
        url = nxt
    return hops


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()
