"""`litectl compile`: render every requested target, then write (or check) their outputs.

Every target renders in memory first; nothing is written unless all of them succeeded, so a
failing target never leaves another target's output half-updated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
from litectl.compiler.diagnostics import Diagnostic, LitectlError, UsageError, error, warning
from litectl.compiler.discover import source_label, tracked_env_file
from litectl.compiler.ir import Compilation
from litectl.compiler.output import Bundle, check_bundle, format_drift, write_bundle


@attrs.frozen
class Planned:
    target: str
    out_dir: Path
    bundle: Bundle


def selected_targets(compilation: Compilation, requested: Sequence[str]) -> list[str]:
    if requested:
        return list(dict.fromkeys(requested))
    listed = sorted(compilation.base.targets)
    if not listed:
        raise UsageError(
            "the spec lists no targets: pass --target helm|kustomize|compose, "
            "or add them under `targets:` in the spec"
        )
    return listed


def output_dir(
    spec: Path, compilation: Compilation, target: str, options: Any, output: Path | None, env: str | None
) -> Path:
    """-o wins; else `targets.<name>.output` relative to the spec file (`<output>-<env>` with --env)."""
    if output is not None:
        return output
    relative = Path(getattr(options, "output", None) or f"deploy/{target}")
    if env is not None:
        relative = relative.with_name(f"{relative.name}-{env}")
    return relative if relative.is_absolute() else spec.parent / relative


def plan(
    spec: Path,
    compilation: Compilation,
    targets: Sequence[str],
    *,
    env: str | None,
    output: Path | None,
    strict: bool,
) -> tuple[list[Planned], list[Diagnostic]]:
    from litectl.targets import registry

    names = selected_targets(compilation, targets)
    if output is not None and len(names) > 1:
        raise UsageError("-o/--output takes one target; pass a single --target")
    planned: list[Planned] = []
    warnings: list[Diagnostic] = []
    problems: list[Diagnostic] = []
    for name in names:
        target = registry.load(name)
        options = compilation.base.targets.get(name) or registry.options_type(name)()
        try:
            bundle = target.render(compilation, options, strict=strict)
        except LitectlError as exc:
            # a problem only this target sees, without a path of its own: point at its options
            problems += [d if d.path else attrs.evolve(d, path=("targets", name)) for d in exc.diagnostics]
            continue
        warnings += bundle.warnings
        planned.append(Planned(name, output_dir(spec, compilation, name, options, output, env), bundle))
    if problems:
        raise LitectlError(problems)
    return planned, warnings


def build(
    spec: Path,
    *,
    targets: Sequence[str],
    env: str | None,
    output: Path | None,
    check: bool,
    strict: bool,
    report: Callable[[Sequence[Diagnostic]], None],
) -> bool:
    """Compile; return True when `check` found drift. Raises LitectlError on invalid input."""
    from litectl.compiler.loader import load_file
    from litectl.compiler.validate import compile_loaded, position

    loaded = load_file(spec)
    compilation = compile_loaded(loaded, env=env)
    if strict and compilation.warnings:
        raise LitectlError([attrs.evolve(d, severity="error") for d in compilation.warnings])
    try:
        planned, warnings = plan(spec, compilation, targets, env=env, output=output, strict=strict)
    except LitectlError as exc:  # `file:line:col` for what the targets found, like every other phase
        raise LitectlError(position(loaded, exc.diagnostics)) from None
    warnings = [*compilation.warnings, *warnings]
    # The drift gate runs on every commit: the same feature warnings each time would be noise
    # there (they are shown when the output is compiled, and --strict still turns them into errors).
    if warnings and not check:
        report(position(loaded, warnings))
    if check:
        drifted = False
        for item in planned:
            env_file = tracked_env_file(item.out_dir) if item.target == "compose" else None
            if env_file is not None:
                report([warning(f"{env_file}: tracked by git, so its secret values are committed; "
                                f"run: git rm --cached {env_file} (the compose .gitignore lists it)")])
            drifts = check_bundle(item.bundle, item.out_dir)
            if drifts:
                drifted = True
                print(format_drift(drifts, label=str(item.out_dir)), end="")
                report(
                    [
                        error(
                            f"{item.target} output in {item.out_dir} is out of date with {spec} "
                            f"({len(drifts)} file(s)); run: litectl compile {spec} --target {item.target}"
                            + (f" --env {env}" if env else "")
                        )
                    ]
                )
        return drifted
    for item in planned:
        write_bundle(item.bundle, item.out_dir, spec_label=source_label(spec, item.out_dir))
    return False
