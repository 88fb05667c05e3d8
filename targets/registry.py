"""Which targets exist: the built-ins (explicit) plus the `litectl.targets` entry-point group.

Plugins are discovered lazily, only when a command needs the target list, and may not reuse a
built-in name. Options of built-ins are read without importing their renderers.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any

import attrs
from litectl.compiler.diagnostics import Diagnostic, LitectlError, error
from litectl.targets.options import BUILTIN_OPTIONS

ENTRY_POINT_GROUP = "litectl.targets"

BUILTINS: dict[str, tuple[str, str]] = {
    "helm": (
        "litectl.targets.helm",
        "a parameterised Helm chart (the upstream componentized chart's values contract)",
    ),
    "kustomize": ("litectl.targets.kustomize", "Kustomize base/ plus one minimal overlay per environment"),
    "compose": ("litectl.targets.compose", "docker compose files for local and single-host use"),
}

_plugins: dict[str, Any] | None = None


def _plugin_entry_points() -> dict[str, Any]:
    global _plugins
    if _plugins is None:
        from importlib.metadata import entry_points

        _plugins = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return _plugins


def names() -> list[str]:
    return sorted({*BUILTINS, *_plugin_entry_points()})


def describe() -> list[tuple[str, str, str]]:
    """(name, origin, description) of every target, built-ins first."""
    rows = [(name, "built-in", desc) for name, (_mod, desc) in BUILTINS.items()]
    for name, ep in sorted(_plugin_entry_points().items()):
        if name in BUILTINS:
            rows.append((name, f"ignored plugin ({ep.value})", "may not replace a built-in target"))
            continue
        try:
            target = load(name)
            rows.append((name, f"plugin ({ep.value})", target.description))
        except LitectlError as exc:
            rows.append((name, f"plugin ({ep.value})", f"cannot load: {exc.diagnostics[0].message}"))
    return rows


def _unknown(name: str) -> LitectlError:
    close = difflib.get_close_matches(name, names(), n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return LitectlError([error(f'unknown target "{name}"{hint}; available: {", ".join(names())}')])


def load(name: str) -> Any:
    """The Target object called `name`."""
    if name in BUILTINS:
        module = importlib.import_module(BUILTINS[name][0])
        return module.TARGET
    ep = _plugin_entry_points().get(name)
    if ep is None:
        raise _unknown(name)
    try:
        target = ep.load()
    except Exception as exc:  # a broken plugin is the plugin's bug, reported as such
        raise LitectlError([error(f'target plugin "{name}" failed to load: {exc}')]) from exc
    if callable(target) and not hasattr(target, "render"):
        target = target()
    if not hasattr(target, "render") or not hasattr(target, "options_type"):
        raise LitectlError([error(f'target plugin "{name}" does not implement the Target protocol')])
    return target


def options_type(name: str) -> type:
    if name in BUILTIN_OPTIONS:
        return BUILTIN_OPTIONS[name]
    return load(name).options_type  # type: ignore[no-any-return]


def structure_options(name: str, data: dict[str, Any]) -> tuple[Any, list[Diagnostic]]:
    """Options object for `targets.<name>`; problems carry paths relative to it."""
    try:
        cls = options_type(name)
    except LitectlError as exc:
        return None, [attrs.evolve(d, path=()) for d in exc.diagnostics]
    from litectl.compiler.structure import structure

    fields = {f.name for f in attrs.fields(cls)}
    problems = [
        error(f'unknown option "{key}" of target {name}', (key,))
        for key in data
        if key not in fields and not key.startswith("x-")
    ]
    if problems:
        return None, problems
    try:
        return structure(data, cls), []
    except (TypeError, ValueError) as exc:  # a plugin's options class rejected the values
        return None, [error(f"invalid options of target {name}: {exc}")]
