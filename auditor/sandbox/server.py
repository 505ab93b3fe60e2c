"""The estate's HTTP/1.1 server: one port plays the https:// origins, another the http:// ones.

Plain HTTP on loopback, virtual hosting by the Host header, keep-alive, HEAD and conditional GET
(ETag / If-Modified-Since), responses rendered once and kept as bytes. A third port is bound and
never listened on, so origins the scenario calls dead refuse connections for real.

Control paths, on any host: ``/__sandbox__/stats`` (requests served, bytes sent, JSON) and
``/__sandbox__/reset`` (forget how often each flaky URL failed).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import functools
import hashlib
import json
import socket
import struct
from collections import Counter
from http import HTTPStatus

from auditor.sandbox import bodies
from auditor.sandbox.estate import Estate, Page
from auditor.sandbox.pages import render

MAX_HEADER_BYTES = 64 * 1024
CACHE_LIMIT = 50_000  # responses kept as bytes; past it the oldest are dropped (load work at --scale)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class Responder:
    """Turns a request (scheme, Host, target, headers) into response bytes from the estate's table."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.cache: dict[str, tuple[bytes, bytes, str | None, str | None]] = {}
        self.failures: Counter[str] = Counter()
        self.served = 0
        self.bytes_sent = 0
        self.by_status: Counter[int] = Counter()

    def reset(self) -> None:
        self.failures.clear()

    def _prepare(self, page: Page) -> tuple[bytes, bytes, str | None, str | None]:
        cached = self.cache.get(page.url)
        if cached is not None:
            return cached
        body, content_type, extra = bodies.apply(
            page.faults, render(page, self.estate).encode("utf-8"), page.content_type
        )
        etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"' if page.status == 200 else None
        last_modified = None
        if page.modified is not None and page.status == 200:
            stamp = dt.datetime.combine(page.modified, dt.time(8, 0), tzinfo=dt.UTC)
            last_modified = email.utils.format_datetime(stamp, usegmt=True)
        head = [
            f"HTTP/1.1 {page.status} {_reason(page.status)}",
            "Server: sandbox-estate",
            f"Content-Type: {content_type}",
            *extra,
        ]
        if page.location is not None:
            head.append(f"Location: {page.location}")
        if etag:
            head.append(f"ETag: {etag}")
        if last_modified:
            head.append(f"Last-Modified: {last_modified}")
        head_bytes = ("\r\n".join(head) + "\r\n").encode("utf-8")
        prepared = (head_bytes, body, etag, last_modified)
        if len(self.cache) >= CACHE_LIMIT:
            self.cache.pop(next(iter(self.cache)))
        self.cache[page.url] = prepared
        return prepared

    def respond(self, scheme: str, host: str, target: str, method: str, headers: dict[str, str]) -> bytes:
        response = self._respond(scheme, host, target, method, headers)
        if not response.startswith(b"\x00"):  # the sentinels are not sent as such
            self.bytes_sent += len(response)
        return response

    def _respond(self, scheme: str, host: str, target: str, method: str, headers: dict[str, str]) -> bytes:
        self.served += 1
        if target.startswith("/__sandbox__/"):
            return self._control(target)
        host = host.lower().rsplit(":", 1)[0] if not host.startswith("[") else host.lower()
        url = f"{scheme}://{host}{target}"
        origin = f"{scheme}://{host}"
        if origin not in self.estate.played:
            self.by_status[421] += 1
            text = "This sandbox plays: " + ", ".join(self.estate.origins()) + "\n"
            return _simple(421, text, close=False)
        page = self.estate.resolve(url)
        failing = page.fail_first and self.failures[page.url] < page.fail_first
        if failing:
            self.failures[page.url] += 1
        if failing and page.fail_with == "reset":
            return RESET
        if failing and page.fail_with == "timeout":
            return HANG
        if failing and page.fail_with != "truncate":
            status = int(page.fail_with[:3])
            self.by_status[status] += 1
            extra = [] if page.fail_with.endswith("-bare") else ["Retry-After: 1"]
            return _simple(status, f"{_reason(status)}\n", extra=extra)
        head, body, etag, last_modified = self._prepare(page)
        if failing:  # truncate: the whole body announced, half of it sent, the connection closed
            full = f"Content-Length: {len(body) + 64}\r\nConnection: close\r\n\r\n".encode()
            return TRUNCATED + head + full + body[: len(body) // 2]
        if page.status == 200 and (
            (etag and headers.get("if-none-match") == etag)
            or (last_modified and headers.get("if-modified-since") == last_modified)
        ):
            self.by_status[304] += 1
            return (
                head.replace(b"HTTP/1.1 200 OK", b"HTTP/1.1 304 Not Modified", 1)
                + b"Content-Length: 0\r\n\r\n"
            )
        self.by_status[page.status] += 1
        length = f"Content-Length: {len(body)}\r\n\r\n".encode()
        return head + length + (b"" if method == "HEAD" else body)

    def _control(self, target: str) -> bytes:
        if target.startswith("/__sandbox__/reset"):
            self.reset()
            return _simple(200, "reset\n")
        stats = {
            "served": self.served,
            "bytes": self.bytes_sent,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "pages": len(self.estate.pages),
            "scenario": self.estate.s.name,
        }
        return _simple(200, json.dumps(stats) + "\n", content_type="application/json")


def _simple(
    status: int,
    text: str,
    extra: list[str] | None = None,
    close: bool = False,
    content_type: str = "text/plain; charset=utf-8",
) -> bytes:
    body = text.encode()
    head = [
        f"HTTP/1.1 {status} {_reason(status)}",
        "Server: sandbox-estate",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        *(extra or []),
    ]
    if close:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


#: What ``respond`` returns to cut the connection without an answer (a reset), and the prefix of an
#: answer after which the connection is closed (a body cut short of its Content-Length).
RESET = b"\x00reset"
TRUNCATED = b"\x00truncated"
#: No answer at all: the connection is held open, silent, until the client gives up (or a minute).
HANG = b"\x00hang"
HANG_SECONDS = 60


class _HTTPProtocol(asyncio.Protocol):
    def __init__(self, responder: Responder, scheme: str) -> None:
        self.responder = responder
        self.scheme = scheme
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEADER_BYTES:
                    self.transport.write(_simple(431, "Request header fields too large\n", close=True))
                    self.transport.close()
                return
            raw, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            lines = raw.decode("latin-1").split("\r\n")
            try:
                method, target, version = lines[0].split(" ", 2)
            except ValueError:
                self.transport.write(_simple(400, "Bad request line\n", close=True))
                self.transport.close()
                return
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            skip = int(headers.get("content-length", "0") or 0)
            self.buffer = self.buffer[skip:]
            response = self.responder.respond(self.scheme, headers.get("host", ""), target, method, headers)
            if response == RESET:
                sock = self.transport.get_extra_info("socket")
                if sock is not None:  # SO_LINGER 0: the close sends RST, as a crashed server would
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.transport.abort()
                self.transport = None
                return
            if response == HANG:
                transport = self.transport
                asyncio.get_running_loop().call_later(HANG_SECONDS, transport.close)
                self.transport = None  # anything more the client sends on it is not read
                return
            if response.startswith(TRUNCATED):
                self.transport.write(response[len(TRUNCATED) :])
                self.transport.close()
                self.transport = None
                return
            self.transport.write(response)
            if version == "HTTP/1.0" or headers.get("connection", "").lower() == "close":
                self.transport.close()
                return


class EstateServer:
    """Serves an Estate on loopback from an asyncio loop (the caller's, or a thread's)."""

    def __init__(self, estate: Estate, host: str = "127.0.0.1") -> None:
        self.responder = Responder(estate)
        self.host = host
        self.servers: list[asyncio.base_events.Server] = []
        self.ports: dict[str, int] = {}
        self._refused: socket.socket | None = None

    async def start(self, https_port: int = 0, http_port: int = 0) -> dict[str, int]:
        loop = asyncio.get_running_loop()
        for scheme, port in (("https", https_port), ("http", http_port)):
            factory = functools.partial(_HTTPProtocol, self.responder, scheme)
            server = await loop.create_server(factory, self.host, port, backlog=1024, reuse_address=True)
            self.servers.append(server)
            self.ports[scheme] = server.sockets[0].getsockname()[1]
        # bound, never listening: connecting to it is refused, and no other process can take the port
        self._refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._refused.bind((self.host, 0))
        self.ports["refused"] = self._refused.getsockname()[1]
        return self.ports

    async def close(self) -> None:
        for server in self.servers:
            server.close()
            if hasattr(server, "close_clients"):  # Python 3.13+: keep-alive clients would hold wait_closed
                server.close_clients()
            await asyncio.wait_for(server.wait_closed(), timeout=5)
        if self._refused is not None:
            self._refused.close()
