"""Errors that cross the CLI boundary, each mapped to an exit status there."""

from __future__ import annotations

from pathlib import Path


class AuditorError(Exception):
    """Base of the auditor's own errors."""


class InputError(AuditorError):
    """A person's input is wrong. The message names the file, the line and the field where known."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.detail = message
        super().__init__(self.format())

    def format(self) -> str:
        where = self.path or ""
        if self.path and self.line is not None:
            where = f"{self.path}:{self.line}"
        parts = [p for p in (where, f"field '{self.field}'" if self.field else "") if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.detail}" if prefix else self.detail
