"""The front half of the pipeline: load -> validate -> structure -> normalise.

Each phase reports every problem it finds; the pipeline stops after the first phase that found
errors. Problems carry document paths; this module turns them into file positions, pointing
into an environment's own lines when the problem comes from a value that environment sets.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from litectl.compiler import ir
from litectl.compiler.diagnostics import Diagnostic, JsonPath, LitectlError, Span, error, warning
from litectl.compiler.loader import Loaded, load_file

_schema: Mapping[str, Any] | None = None
_env_schema: Mapping[str, Any] | None = None


def spec_schema() -> Mapping[str, Any]:
    global _schema
    if _schema is None:
        from litectl.schema import load_schema

        _schema = load_schema()
    return _schema


def _merged_schema() -> Mapping[str, Any]:
    """The root schema without `environments`, for an environment's merged document."""
    global _env_schema
    if _env_schema is None:
        root = dict(spec_schema())
        root["properties"] = {k: v for k, v in root["properties"].items() if k != "environments"}
        _env_schema = root
    return _env_schema


@attrs.frozen
class _Locator:
    """Maps document paths (of the base or of an environment's merged document) to spans."""

    loaded: Loaded

    def span(self, path: JsonPath, env: str | None = None, *, key: bool = False) -> Span:
        if env is not None:
            overlay = self.loaded.data.get("environments", {}).get(env) or {}
            depth = _existing_depth(overlay, path)
            if depth:
                full = ("environments", env, *path[:depth])
                return self.loaded.source.span(full, key=key and depth == len(path))
            return self.loaded.source.span(path, key=False)
        return self.loaded.source.span(path, key=key)


def _existing_depth(data: Any, path: JsonPath) -> int:
    """How many leading parts of `path` exist in `data`."""
    depth = 0
    node = data
    for part in path:
        found, node = _child(node, part)
        if not found:
            break
        depth += 1
    return depth


def _child(node: Any, part: str | int) -> tuple[bool, Any]:
    if isinstance(node, Mapping):
        return (part in node, node.get(part))
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return (True, node[part])
    return (False, None)


def _positioned(
    problems: Iterable[tuple[JsonPath, str, bool]], locator: _Locator, env: str | None = None,
    *, make: Callable[[str, JsonPath, Span | None], Diagnostic] = error,
) -> list[Diagnostic]:
    out = []
    for path, message, at_key in problems:
        text, shown = message, path
        if env is not None:
            text = f"environment {env}: {message}"
            overlay = locator.loaded.data.get("environments", {}).get(env) or {}
            if _existing_depth(overlay, path):  # the environment set this value: point at it
                shown = ("environments", env, *path)
        out.append(make(text, shown, locator.span(path, env, key=at_key)))
    return out


def _unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, Span | None]] = set()
    out = []
    for d in diagnostics:
        marker = (d.message.split(": ", 1)[-1] if d.message.startswith("environment ") else d.message, d.span)
        if marker not in seen:
            seen.add(marker)
            out.append(d)
    return sorted(out, key=lambda d: (d.span or Span("", 0, 0), d.message))


def _schema_problems(data: Any, schema: Mapping[str, Any]) -> list[tuple[JsonPath, str, bool]]:
    from litectl.compiler.schema_check import check

    return [(p.path, p.message, p.at_key) for p in check(data, schema)]


def compile_loaded(loaded: Loaded, *, env: str | None = None) -> ir.Compilation:
    """Validate and normalise a loaded spec; raise LitectlError with every problem found."""
    from litectl.compiler import normalize
    from litectl.compiler.secrets import find_plaintext_secrets

    locator = _Locator(loaded)
    data = loaded.data

    # phase: validate (plaintext secrets, then the schema), base document first
    found = list(find_plaintext_secrets(data))
    secrets = [(f.path, f.message, f.at_key) for f in found if f.severity == "error"]
    told = {path for path, _message, _key in secrets}  # no second "unknown key" for the same value
    problems = _positioned(secrets, locator)
    notices = _positioned(((f.path, f.message, f.at_key) for f in found if f.severity == "warning"),
                          locator, make=warning)
    problems += _positioned((p for p in _schema_problems(data, spec_schema()) if p[0] not in told), locator)
    if problems:
        raise LitectlError(_unique(problems))

    envs = sorted((data.get("environments") or {}).keys())
    if env is not None and env not in envs:
        known = ", ".join(envs) or "none"
        raise LitectlError(
            [
                error(
                    f'unknown environment "{env}" (environments in the spec: {known})',
                    ("environments",),
                    locator.span(("environments",)) if envs else None,
                )
            ]
        )
    merged = {name: normalize.environment_document(data, name) for name in envs}
    for name, document in merged.items():
        problems += _positioned(_schema_problems(document, _merged_schema()), locator, name)
    if problems:
        raise LitectlError(_unique(problems))

    # phase: structure + normalise, base and each environment
    def build(document: Mapping[str, Any], name: str | None) -> ir.Topology:
        topology, found = normalize.resolve(normalize.structure(document), name)
        problems.extend(_positioned(((d.path, d.message, False) for d in found), locator, name))
        return topology

    base = build({k: v for k, v in data.items() if k != "environments"}, None)
    environments = tuple(build(merged[name], name) for name in envs)
    if problems:
        raise LitectlError(_unique(problems))
    notices = _unique([*notices, *_yaml11_warnings(loaded)])
    if env is not None:
        chosen = next(t for t in environments if t.environment == env)
        return ir.Compilation(loaded.file, chosen, (), tuple(notices), written_paths(data))
    return ir.Compilation(loaded.file, base, environments, tuple(notices), written_paths(data))


def written_paths(data: Mapping[str, Any]) -> frozenset[tuple[str, ...]]:
    """Every path of mapping keys in the spec as written (not defaulted), for Compilation.written."""
    found: set[tuple[str, ...]] = set()
    stack: list[tuple[tuple[str, ...], Any]] = [((), data)]
    while stack:
        prefix, node = stack.pop()
        if isinstance(node, Mapping):
            for key, value in node.items():
                path = (*prefix, str(key))
                found.add(path)
                stack.append((path, value))
    return frozenset(found)


def _yaml11_warnings(loaded: Loaded) -> list[Diagnostic]:
    """Plain scalars of a proxy config that LiteLLM, reading YAML 1.1, would read differently."""
    from litectl.compiler import yaml11

    out = []
    for found in loaded.yaml11:
        path = found.path
        if path[:1] == ("environments",):
            path = path[2:]
        if path[:3] != ("gateway", "config", "proxy_config"):
            continue  # litectl's own keys are litectl's to read (and the schema checks them)
        ways = []
        for meaning in (found.value, found.read):
            if isinstance(meaning, str) and not isinstance(meaning, yaml11.Date | yaml11.Unreadable):
                ways.append(f'"{found.text}" (quoted) for the string')
            elif (plain := yaml11.unambiguous(meaning)) is not None:
                ways.append(f"{plain} for {yaml11.describe(meaning)}")
        message = (f"{found.text} is {yaml11.describe(found.read)} to LiteLLM, which reads its config as YAML "
                   f"1.1, but {yaml11.describe(found.value)} to litectl (YAML 1.2), which writes that; "
                   f"write {' or '.join(dict.fromkeys(ways))} to say which you mean")
        out.append(warning(message, found.path, found.span))
    return out


_ENV_PREFIX = re.compile(r"environment ([a-z0-9](?:[-a-z0-9]*[a-z0-9])?): ")


def position(loaded: Loaded, diagnostics: Iterable[Diagnostic], fallback: JsonPath = ()) -> list[Diagnostic]:
    """Point diagnostics found after validation (a target's: a document path, no span) into the file.

    A message starting `environment <name>: ` carries a path into that environment's merged
    document; it points into the environment's own lines where it sets the value. A diagnostic
    without a path points at `fallback`.
    """
    locator = _Locator(loaded)
    environments = loaded.data.get("environments") or {}
    out = []
    for d in diagnostics:
        if d.span is None:
            path = d.path or fallback
            match = _ENV_PREFIX.match(d.message)
            env = match.group(1) if match and match.group(1) in environments else None
            if path[:1] == ("environments",):
                env = None  # already a path of the file's own document
            d = attrs.evolve(d, span=locator.span(path, env))
        out.append(d)
    return out


def compile_file(path: str | os.PathLike[str], *, env: str | None = None) -> ir.Compilation:
    return compile_loaded(load_file(path), env=env)


def validate_files(paths: Iterable[str | os.PathLike[str]]) -> list[Diagnostic]:
    """Every problem of every spec (an empty list when all are valid)."""
    found: list[Diagnostic] = []
    for path in paths:
        try:
            found += compile_file(path).warnings
        except LitectlError as exc:
            found += exc.diagnostics
    return found
