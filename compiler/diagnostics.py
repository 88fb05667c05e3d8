"""User-facing problems: one shape for every phase, printed compiler-style.

Every phase (load, validate, normalise, render) reports problems as :class:`Diagnostic`
values and raises :class:`LitectlError` carrying all of them at once, so the CLI has one
funnel that prints ``file:line:col: error: message [$.json.path]`` and exits 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs

Severity = Literal["error", "warning"]
PathPart = str | int
JsonPath = tuple[PathPart, ...]


@attrs.frozen(order=True)
class Span:
    """A 1-based position in a source file."""

    file: str
    line: int
    col: int


def format_path(path: Sequence[PathPart]) -> str:
    """Render a path as a JSONPath-ish string: ``$.database.writer``, ``$.extraEnv[0].name``."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part and all(c.isalnum() or c in "_-" for c in part):
            out.append(f".{part}")
        else:
            out.append("[" + json.dumps(part) + "]")
    return "".join(out)


@attrs.frozen
class Diagnostic:
    """One problem: what is wrong, where in the document (path) and in which file (span)."""

    severity: Severity
    message: str
    path: JsonPath = ()
    span: Span | None = attrs.field(default=None, eq=False)

    def format(self) -> str:
        where = f"{self.span.file}:{self.span.line}:{self.span.col}" if self.span else "litectl"
        suffix = f" [{format_path(self.path)}]" if self.path else ""
        return f"{where}: {self.severity}: {self.message}{suffix}"

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "message": self.message,
            "path": format_path(self.path),
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "column": self.span.col if self.span else None,
        }


def error(message: str, path: Sequence[PathPart] = (), span: Span | None = None) -> Diagnostic:
    return Diagnostic("error", message, tuple(path), span)


def warning(message: str, path: Sequence[PathPart] = (), span: Span | None = None) -> Diagnostic:
    return Diagnostic("warning", message, tuple(path), span)


class LitectlError(Exception):
    """A user mistake (exit 1). Carries every diagnostic found by the failing phase."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class UsageError(Exception):
    """A command-line usage mistake (exit 2)."""
