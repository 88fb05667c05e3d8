"""The `litectl` entry point: exit codes 0 / 1 / 2 / 3 and the fast paths of `validate` and `compile`.

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


def compile_specs(
    specs: Sequence[str | os.PathLike[str]],
    *,
    targets: Sequence[str],
    env: str | None,
    output: str | os.PathLike[str] | None,
    check: bool,
    strict: bool,
    fmt: str,
) -> int:
    """`litectl compile` itself, with its error funnel, for both command lines: the exit status.

    Without specs, `--check` checks every spec whose outputs git tracks (the pre-commit hook).
    The first spec with problems stops the run (exit 1, diagnostics reported); exit 1 also when
    `--check` found drift, 2 for a usage error, 3 for a bug (re-raised with LITECTL_DEBUG=1).
    """
    from pathlib import Path

    from litectl.compiler.diagnostics import LitectlError, UsageError

    def warn(diagnostics: Sequence[Diagnostic]) -> None:
        report(diagnostics, fmt)

    try:
        if targets:  # a name given on the command line is a usage error, not a spec position
            import difflib

            from litectl.targets.registry import names

            unknown = [name for name in targets if name not in names()]
            if unknown:
                close = difflib.get_close_matches(unknown[0], names(), n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                raise UsageError(f'unknown --target "{unknown[0]}"{hint}; available: {", ".join(names())}')
        if not specs:
            if not check:
                raise UsageError("give a SPEC (only --check finds the specs by itself)")
            if env is not None or output is not None:
                raise UsageError("--env and -o need a SPEC")
            from litectl.compiler.discover import check_found

            return 1 if check_found(Path("."), targets=targets, strict=strict, report=warn) else 0
        if output is not None and len(specs) > 1:
            raise UsageError("-o/--output takes one SPEC")
        from litectl.compiler.build import build

        drifted = False
        for spec in specs:
            drifted |= build(Path(spec), targets=targets, env=env, output=None if output is None else Path(output),
                             check=check, strict=strict, report=warn)
        return 1 if drifted else 0
    except LitectlError as exc:
        report(exc.diagnostics, fmt)
        return 1
    except UsageError as exc:
        sys.stderr.write(f"litectl: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        if os.environ.get("LITECTL_DEBUG"):
            raise
        sys.stderr.write(f"{INTERNAL_ERROR}{type(exc).__name__}: {exc}\n")
        return 3


_COMPILE_VALUED = {"--target": "targets", "-t": "targets", "--env": "env", "--output": "output", "-o": "output",
                   "--format": "fmt"}


def _fast_compile(args: Sequence[str]) -> int | None:
    """`litectl compile [SPEC...] [-t T]... [-o DIR] [--env E] [--check] [--strict] [--format F]`
    without importing the CLI framework.

    typer (and pydantic, which it imports) costs ~130 ms CPU of a ~330 ms cold compile of the
    minimal example, against a 250 ms budget, and the pre-commit hook runs `compile --check` on
    every commit. Only the plain forms take this path; anything else (help, unknown or odd
    options, a value that looks like an option) falls through to the full CLI, which gives the
    same results and the usage errors.
    """
    if not args or args[0] != "compile":
        return None
    specs: list[str] = []
    options: dict[str, str] = {}
    targets: list[str] = []
    flags = {"--check": False, "--strict": False}
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        name, equals, value = arg.partition("=")
        if arg in flags:
            flags[arg] = True
        elif name in _COMPILE_VALUED and not (equals and not name.startswith("--")):
            if not equals:
                if not rest or rest[0].startswith("-"):
                    return None
                value = rest.pop(0)
            if name in ("--target", "-t"):
                targets.append(value)
            else:
                options[_COMPILE_VALUED[name]] = value
        elif arg == "--":
            specs += rest
            break
        elif arg.startswith("-") and arg != "-":
            return None
        else:
            specs.append(arg)
    fmt = options.get("fmt", "text")
    if fmt not in ("text", "json"):
        return None
    return compile_specs(specs, targets=targets, env=options.get("env"), output=options.get("output"),
                         check=flags["--check"], strict=flags["--strict"], fmt=fmt)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        fast = _fast_validate(args)
        if fast is None:
            fast = _fast_compile(args)
    except Exception as exc:
        if os.environ.get("LITECTL_DEBUG"):
            raise
        sys.stderr.write(f"{INTERNAL_ERROR}{type(exc).__name__}: {exc}\n")
        raise SystemExit(3) from None
    if fast is not None:
        raise SystemExit(fast)
    import typer.main
    from litectl.compiler.commands import app, plain_placeholders

    command = typer.main.get_command(app)
    plain_placeholders(command)
    try:
        command.main(args=args, prog_name="litectl", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        raise SystemExit(code) from None
    raise SystemExit(0)
