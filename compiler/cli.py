"""The `litectl` entry point: exit codes 0 / 1 / 2 / 3 and the fast path of `validate`.

0 success; 1 invalid input or drift (`--check`); 2 usage error; 3 an internal error (a bug:
the only case where a traceback is worth showing, and then only with LITECTL_DEBUG=1).
Data goes to stdout, diagnostics to stderr as `file:line:col: severity: message [path]`.
The command framework (typer) and heavy modules are imported only when a command needs them.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from litectl.compiler.diagnostics import Diagnostic

INTERNAL_ERROR = "litectl: internal error, please report it (set LITECTL_DEBUG=1 for details): "


def report(diagnostics: Sequence[Diagnostic], fmt: str) -> None:
    """Diagnostics as compiler-style lines on stderr, or as a JSON list on stdout (`--format json`)."""
    if fmt == "json":
        json.dump([d.to_json() for d in diagnostics], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    for d in diagnostics:
        sys.stderr.write(d.format() + "\n")


def _fast_validate(args: Sequence[str]) -> int | None:
    """`litectl validate FILE... [--format text|json]` without importing the CLI framework.

    pre-commit runs validate on every commit, and typer costs ~35 ms of a 150 ms cold-start
    budget. Only the plain forms take this path; anything else (help, unknown options, no
    files) falls through to the full CLI, which gives the same results and the usage errors.
    """
    if not args or args[0] != "validate":
        return None
    files: list[str] = []
    fmt = "text"
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        if arg == "--format" and rest and rest[0] in ("text", "json"):
            fmt = rest.pop(0)
        elif arg.startswith("--format=") and arg.split("=", 1)[1] in ("text", "json"):
            fmt = arg.split("=", 1)[1]
        elif arg == "--":
            files += rest
            break
        elif arg.startswith("-"):
            return None
        else:
            files.append(arg)
    if not files:
        return None
    from litectl.compiler.validate import validate_files

    found = validate_files(files)
    if found or fmt == "json":
        report(found, fmt)
    return 1 if any(d.severity == "error" for d in found) else 0


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        fast = _fast_validate(args)
    except Exception as exc:
        if os.environ.get("LITECTL_DEBUG"):
            raise
        sys.stderr.write(f"{INTERNAL_ERROR}{type(exc).__name__}: {exc}\n")
        raise SystemExit(3) from None
    if fast is not None:
        raise SystemExit(fast)
    from litectl.compiler.commands import app

    try:
        app(args=args, prog_name="litectl", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        raise SystemExit(code) from None
    raise SystemExit(0)
