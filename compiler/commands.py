"""The `litectl` commands (typer), with one error funnel for every command."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from litectl.compiler import __version__
from litectl.compiler.cli import INTERNAL_ERROR, report
from litectl.compiler.diagnostics import Diagnostic, LitectlError, UsageError

app = typer.Typer(
    name="litectl",
    help="Compile one LiteLLM topology spec into a Helm chart, Kustomize or docker compose.",
    add_completion=True,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", metavar="FORMAT", help="How to print diagnostics: text or json.")
]
T = TypeVar("T")


def _report(diagnostics: Sequence[Diagnostic], fmt: Format) -> None:
    report(diagnostics, fmt.value)


def _run(fmt: Format, action: Callable[[], T]) -> T:
    """The error funnel: user mistakes exit 1 with diagnostics, bugs exit 3."""
    try:
        return action()
    except LitectlError as exc:
        _report(exc.diagnostics, fmt)
        raise typer.Exit(1) from None
    except UsageError as exc:
        sys.stderr.write(f"litectl: error: {exc}\n")
        raise typer.Exit(2) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if os.environ.get("LITECTL_DEBUG"):
            raise
        sys.stderr.write(f"{INTERNAL_ERROR}{type(exc).__name__}: {exc}\n")
        raise typer.Exit(3) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"litectl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """litectl: a declarative config compiler for LiteLLM deployments."""
    if ctx.invoked_subcommand is None:  # `litectl` alone: help and exit 0, as kubectl and helm do
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


_PLACEHOLDERS = {"from_helm_values": "FILE", "target": "NAME", "env": "NAME", "output": "PATH"}


def plain_placeholders(command: Any) -> Any:
    """One placeholder style in --help (`--target NAME`), no Python type names (`<list[str]>`).

    typer labels every parameter with its annotation; users of kubectl and helm read
    upper-case value names and bare flags. Applied to the click command before it runs.
    """
    # duck-typed: typer vendors its own click in recent releases, and used the package before
    for sub in (getattr(command, "commands", None) or {}).values():
        plain_placeholders(sub)
    for param in getattr(command, "params", None) or ():
        label: str | None = None
        option = getattr(param, "param_type_name", "") == "option"
        if option and not getattr(param, "is_flag", False) and not getattr(param, "count", False):
            name = str(getattr(param, "name", None) or "value")
            label = param.metavar or _PLACEHOLDERS.get(name, name.upper())
            param.metavar = label
        if hasattr(param, "display_type_rich"):
            param.display_type_rich = lambda ctx, label=label: label
    original = getattr(command, "get_help_option", None)
    if original is not None:  # --help is made per run, outside `params`

        def help_option(ctx: object, original: Any = original) -> Any:
            option = original(ctx)
            if option is not None and hasattr(option, "display_type_rich"):
                option.display_type_rich = lambda ctx: None
            return option

        command.get_help_option = help_option
    return command


@app.command()
def validate(
    specs: Annotated[list[Path], typer.Argument(help="Topology spec files.", show_default=False)],
    fmt: FormatOption = Format.text,
) -> None:
    """Validate specs (and every environment, merged): silent on success, one line per problem."""
    from litectl.compiler.validate import validate_files

    found = _run(fmt, lambda: validate_files(specs))
    if found or fmt is Format.json:
        _report(found, fmt)
    if any(d.severity == "error" for d in found):
        raise typer.Exit(1)


@app.command(name="compile")
def compile_command(
    specs: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="SPEC",
            help="Topology spec files. With --check and none given: every spec whose outputs "
            "(with litectl's manifest) git tracks under the current directory.",
            show_default=False,
        ),
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target", "-t", help="Target to build (repeatable; default: every target listed in `targets`)."
        ),
    ] = None,
    env: Annotated[
        str | None,
        typer.Option(
            "--env", help="Emit this environment's merged document as a standalone output, without overlays."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Output directory (one target only; default: targets.<name>.output)."
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 with a unified diff when any generated file is stale."
        ),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings (features a target cannot express) as errors.")
    ] = False,
    fmt: FormatOption = Format.text,
) -> None:
    """Compile specs through one or more targets into output directories."""
    from litectl.compiler.cli import compile_specs

    code = compile_specs(specs or [], targets=target or (), env=env, output=output, check=check, strict=strict,
                         fmt=fmt.value)
    if code:
        raise typer.Exit(code)


@app.command()
def schema() -> None:
    """Print the spec's JSON Schema (draft-07), for editors and CI."""
    from litectl.schema import schema_text

    sys.stdout.write(schema_text())


@app.command()
def init(
    name: Annotated[str, typer.Option(help="metadata.name of the new deployment.")] = "litellm",
) -> None:
    """Print a commented starter spec (with the editor schema modeline on line 1)."""
    from litectl.compiler.starter import starter_spec

    sys.stdout.write(_run(Format.text, lambda: starter_spec(name)))


@app.command()
def targets() -> None:
    """List the built-in and installed targets."""
    from litectl.targets.registry import describe

    rows = _run(Format.text, describe)
    width = max(len(r[0]) for r in rows)
    for name, origin, description in rows:
        typer.echo(f"{name.ljust(width)}  {description}  [{origin}]")


@app.command(name="import")
def import_command(
    from_helm_values: Annotated[
        Path,
        typer.Option(
            "--from-helm-values",
            help="A values file written for the upstream componentized LiteLLM chart.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the spec to this new file (default: stdout)."),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(help="metadata.name of the spec (default: fullnameOverride, else litellm)."),
    ] = None,
) -> None:
    """Turn upstream chart values into a commented topology spec; warn about what cannot be mapped."""
    from litectl.compiler.importer import import_helm_values

    if output is not None and (output.exists() or output.is_symlink()):
        sys.stderr.write(f"litectl: error: {output} exists; litectl import writes new files only\n")
        raise typer.Exit(2)
    result = _run(Format.text, lambda: import_helm_values(from_helm_values, name=name))
    _report(result.warnings, Format.text)
    if output is None:
        sys.stdout.write(result.text)
        return

    def write() -> None:
        try:
            with open(output, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(result.text)
        except OSError as exc:
            raise LitectlError([Diagnostic("error", f"{output}: cannot write: {exc.strerror or exc}")]) from None

    _run(Format.text, write)
