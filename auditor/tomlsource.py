"""Read a TOML file of a person's and point at the line of a field when it is wrong.

tomllib reports syntax errors with a line; it does not keep positions for values. ``locate`` finds
the line of a dotted field path (``legacy.sold.uk``, ``legacy_url[3].to``) by reading the text the
way TOML is laid out: table headers, arrays of tables and ``key = value`` lines.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from auditor.errors import InputError

_HEADER = re.compile(r"^\s*\[(\[)?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]+"|'[^']+'|[A-Za-z0-9_\-.]+)\s*=""")
_INDEX = re.compile(r"^(.*)\[(\d+)\]$")


def load(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; a syntax error becomes an InputError with the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from exc
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", path=path) from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)", msg)  # Python 3.11-3.13 put it in the text
        line = getattr(exc, "lineno", None) or (int(where.group(1)) if where else None)
        msg = getattr(exc, "msg", msg)
        raise InputError(f"not valid TOML: {msg}", path=path, line=line) from exc


def _split(path: str) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    for part in path.split("."):
        m = _INDEX.match(part)
        out.append((m.group(1), int(m.group(2))) if m else (part, None))
    return out


def _unquote(key: str) -> str:
    return key[1:-1] if key[:1] in "\"'" else key


def locate(text: str, field: str) -> int | None:
    """The 1-based line where ``field`` (dotted, with ``[i]`` for arrays of tables) is written."""
    parts = _split(field)
    lines = text.splitlines()
    table: list[str] = []
    counts: dict[str, int] = {}
    current_index: dict[str, int] = {}
    best: int | None = None
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0] if not raw.lstrip().startswith(('"', "'")) else raw
        header = _HEADER.match(raw)
        if header:
            name = ".".join(_unquote(p.strip()) for p in header.group(2).split("."))
            if header.group(1):  # [[array]]
                counts[name] = counts.get(name, -1) + 1
                current_index[name] = counts[name]
            table = name.split(".")
            # a header that is a prefix of the field path is the best guess so far
            if _matches(table, parts, current_index, exact=False):
                best = number
            continue
        key = _KEY.match(line)
        if not key:
            continue
        dotted = table + [_unquote(k.strip()) for k in key.group(1).split(".")]
        if _matches(dotted, parts, current_index, exact=False):
            best = number
            if len(dotted) >= len(parts):
                return number
    return best


def _matches(
    names: list[str], parts: list[tuple[str, int | None]], index: dict[str, int], exact: bool
) -> bool:
    if len(names) > len(parts) and exact:
        return False
    for i, (want, want_index) in enumerate(parts):
        if i >= len(names):
            return not exact
        if names[i] != want:
            return False
        if want_index is not None and index.get(".".join(names[: i + 1])) != want_index:
            return False
    return True


class Fields:
    """Typed access to a parsed TOML table that raises InputError naming the file, line and field."""

    def __init__(self, data: dict[str, Any], path: Path, text: str, prefix: str = "") -> None:
        self.data = data
        self.path = path
        self.text = text
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def error(self, key: str, message: str) -> InputError:
        field = self.name(key)
        return InputError(message, path=self.path, line=locate(self.text, field), field=field)

    def sub(self, key: str, required: bool = False) -> Fields:
        value = self.data.get(key, {} if not required else None)
        if value is None:
            raise self.error(key, "missing table")
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, not {type(value).__name__}")
        return Fields(value, self.path, self.text, self.name(key))

    def items(self, key: str) -> list[Fields]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, "must be an array of tables ([[...]])")
        return [Fields(v, self.path, self.text, f"{self.name(key)}[{i}]") for i, v in enumerate(value)]

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., choices: Any = None) -> Any:
        if key not in self.data:
            if default is ...:
                raise self.error(key, "missing")
            return default
        value = self.data[key]
        if (isinstance(value, bool) and kind is int) or not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.error(key, f"must be {names}, not {type(value).__name__} {value!r}")
        if choices is not None and value not in choices:
            raise self.error(key, f"must be one of {', '.join(map(str, choices))}; got {value!r}")
        return value

    def strings(self, key: str, default: Any = ...) -> list[str]:
        value = self.get(key, list, default)
        if not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of strings")
        return list(value)
