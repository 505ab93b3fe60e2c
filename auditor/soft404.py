"""Soft-404s: pages that answer 200 but say "not found".

Two kinds of evidence, both recorded at crawl time and judged here (pure functions):
- **the section's fingerprint**: per site section the crawler requests a URL that cannot exist
  (``probe_url``) and stores where it ends; a page that *is* that landing page, or whose main text
  is a near-duplicate of it (simhash), is the site's not-found page under another URL;
- **the words**: a title, h1 or short main text that says "not found", "404", "no longer available".
"""

from __future__ import annotations

import hashlib
import itertools
import re
from typing import Any
from urllib.parse import urlsplit

PROBE_LEAF = "auditor-probe-"

#: Hamming distance (of 64 bits) under which two main texts are the same page.
NEAR_DUPLICATE_BITS = 6

#: A main text at most this long may be judged by its words alone.
SHORT_TEXT_WORDS = 80

NOT_FOUND = re.compile(
    r"\b(404|page not found|not found|no longer (exists|available)|does ?n[o']t exist|"
    r"could ?n[o']t be found|cannot be found|page (you|you're) (requested|are looking for|were looking for)"
    r")\b",
    re.IGNORECASE,
)

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def simhash(tokens: list[str]) -> int:
    """64-bit simhash over words and word pairs, as a signed integer (SQLite's INTEGER)."""
    if not tokens:
        return 0
    weights = [0] * 64
    features = tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
    for feature in features:
        h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    value = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def section(url: str) -> str:
    """The section a page belongs to for soft-404 fingerprinting: origin + up to two directories."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    directory = segments[:-1][:2]
    return f"{parts.scheme}://{parts.netloc}/" + "".join(f"{s}/" for s in directory)


def probe_url(url: str) -> tuple[str, str]:
    """(section, a URL in that section that cannot exist), in the page's own trailing-slash style."""
    sec = section(url)
    token = hashlib.sha256(sec.encode()).hexdigest()[:10]
    slash = "/" if urlsplit(url).path.endswith("/") else ""
    return sec, f"{sec}{PROBE_LEAF}{token}{slash}"


def says_not_found(main_text: str, n_words: int) -> str | None:
    """The "not found" phrase of a short main text (recorded with the page's facts), if any."""
    if n_words > SHORT_TEXT_WORDS:
        return None
    m = NOT_FOUND.search(main_text)
    return m.group(0) if m else None


def verdict(page: dict[str, Any], probe_end: dict[str, Any] | None) -> tuple[bool, str]:
    """Is a 200 HTML page a soft-404? ``probe_end`` is the page its section's probe ended on
    (None when the probe ended on no page, or when there was no probe)."""
    if probe_end is not None and probe_end.get("status") == 200:
        if page["url"] == probe_end["url"]:
            return True, "is where a URL that cannot exist lands"
        a, b = page.get("fingerprint"), probe_end.get("fingerprint")
        close = a is not None and b is not None and distance(a, b) <= NEAR_DUPLICATE_BITS
        if close and (page.get("text_words") or 0) > 0:
            return True, f"main text matches the not-found page {probe_end['url']}"
    for field in ("title", "h1"):
        value = page.get(field) or ""
        m = NOT_FOUND.search(value)
        if m:
            return True, f"{field} says {m.group(0)!r}"
    if page.get("notfound_text"):
        return True, f"main text says {page['notfound_text']!r}"
    return False, ""
