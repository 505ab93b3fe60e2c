"""Faulty bodies: what a page's ``faults`` (scenario.PAGE_FAULTS) do to its bytes and headers.

The server renders a page, then hands the bytes here. Each fault is something real servers send:
a page with a 50 MB blob, a gzip bomb, tag soup, a wrong charset, an HTML error page where a text
file should be, a gzip'd file, a document cut short.
"""

from __future__ import annotations

import functools
import gzip
import re

HUGE_BYTES = 50 * 1024 * 1024
BOMB_BYTES = 200 * 1024 * 1024

GARBAGE = (
    b"<!DOCTYPE html><html><head><title>Oops! Page not found</title></head><body>"
    b"<h1>Something went wrong</h1><p>User-agent: this is not the file you asked for.</p>"
    b"<p>Disallow: nothing; Allow: everything?</p><script>var cfg = {'robots': 'txt'};</script>"
    b"</body></html>\n"
)


@functools.cache
def _bomb() -> bytes:
    """A small page, then 200 MB of spaces, gzip'd: about 200 KB. Made of gzip members (one per MB,
    compressed once), as a gzip stream may be, so that the server's loop is not held for a second."""
    mb = gzip.compress(b" " * (1024 * 1024), compresslevel=9, mtime=0)
    head = gzip.compress(b"<!DOCTYPE html><html><head><title>POCO</title></head><body>", mtime=0)
    return head + mb * (BOMB_BYTES // (1024 * 1024))


def malform(body: bytes) -> bytes:
    """Tag soup that HTML parsers still read: closing tags dropped, attributes unquoted where they
    can be, a stray ``<``, a NUL byte, a second <head>. Every link and the title survive."""
    body = re.sub(rb"</(p|li|div|span|nav|header|footer|section|ul)>", b"", body)
    body = re.sub(rb'(class|lang|id)="([A-Za-z0-9_-]+)"', rb"\1=\2", body)
    body = body.replace(b"<body>", b"<body>\x00 <p>1 < 2 && 3 > 2 <b><i>misnested</b></i>", 1)
    return body.replace(b"</head>", b"</head><head><meta name=junk content=x>", 1)


def cut(body: bytes) -> bytes:
    """Cut a document off half way, after its last whole ``</url>``/``</sitemap>`` if it has one."""
    half = body[: len(body) // 2]
    ends = [half.rfind(b"</url>") + len(b"</url>"), half.rfind(b"</sitemap>") + len(b"</sitemap>")]
    at = max(ends)
    return (half[:at] if at > len(b"</url>") else half) + b"<url><lo"


def apply(faults: tuple[str, ...], body: bytes, content_type: str) -> tuple[bytes, str, list[str]]:
    """(body, Content-Type, extra header lines) of a page with these faults."""
    extra: list[str] = []
    if "garbage" in faults:
        body, content_type = GARBAGE, "text/html; charset=utf-8"
    if "malformed" in faults:
        body = malform(body)
    if "mislabelled" in faults:
        content_type = "text/html; charset=iso-8859-1"
    if "cut" in faults:
        body = cut(body)
    if "huge" in faults:
        blob = b"<!-- " + b"A" * (HUGE_BYTES - len(body) - 10) + b" -->\n"
        body += blob
    if "gzip" in faults:
        body, content_type = gzip.compress(body, mtime=0), "application/x-gzip"
    if "bomb" in faults:
        body = _bomb()
        extra.append("Content-Encoding: gzip")
    return body, content_type, extra
