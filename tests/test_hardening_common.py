"""Shared helpers of the hardening tests (`test_hardening_*.py`, `test_fuzz_*.py`).

Everything here looks at litectl's output the way the consuming tools do: every target rendered
in-process (the same code path as `litectl compile`), written to disk, and read back by the real
tools (Helm SDK, kustomize, Kubernetes schemas, the Compose schema) or by small, documented
re-implementations of the rules those tools apply to values (Kubernetes `$(VAR)` expansion,
Compose interpolation). The few tests at the bottom check those re-implementations themselves.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
import realtools as rt
from litectl.compiler import ir
from litectl.compiler.loader import load_text
from litectl.compiler.output import Bundle, write_bundle
from litectl.compiler.validate import compile_file, compile_loaded
from litectl.targets import registry

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(REPO.glob("examples/*.yaml"))
SPECS = [*EXAMPLES, *sorted((REPO / "tests" / "specs").glob("*.yaml"))]
SPEC_IDS = [f"{p.parent.name}/{p.stem}" for p in SPECS]
HOSTILE_SPECS = sorted((REPO / "tests" / "specs").glob("hostile-*.yaml"))
TARGETS = ("helm", "kustomize", "compose")
KubeObject = dict[str, Any]


# --- compiling --------------------------------------------------------------------------------


def options_for(compilation: ir.Compilation, target: str) -> Any:
    own = compilation.base.targets.get(target)
    return own if own is not None else registry.options_type(target)()


def render(compilation: ir.Compilation, target: str) -> Bundle:
    """One target's bundle, as `litectl compile` renders it (warnings kept, not strict)."""
    bundle: Bundle = registry.load(target).render(compilation, options_for(compilation, target), strict=False)
    return bundle


def compile_text(text: str, file: str = "spec.yaml", env: str | None = None) -> ir.Compilation:
    return compile_loaded(load_text(text, file), env=env)


@functools.cache
def compiled(spec: Path) -> ir.Compilation:
    return compile_file(spec)


def write(bundle: Bundle, directory: Path, label: str = "spec.yaml") -> Path:
    write_bundle(bundle, directory, spec_label=label)
    return directory


def texts(bundle: Bundle) -> dict[str, str]:
    return {path: content.decode("utf-8") for path, content in bundle.files.items()}


def environments(compilation: ir.Compilation) -> list[str | None]:
    """None (the base) and every environment name."""
    return [None, *(t.environment for t in compilation.environments)]


def topology(compilation: ir.Compilation, env: str | None) -> ir.Topology:
    if env is None:
        return compilation.base
    return next(t for t in compilation.environments if t.environment == env)


# --- reading what the tools read ----------------------------------------------------------------


def helm_objects(chart: Path, env: str | None, namespace: str | None) -> list[KubeObject]:
    """`helm template` of the chart with `-f values.yaml [-f values-<env>.yaml]`."""
    files = [chart / "values.yaml", *([chart / f"values-{env}.yaml"] if env else [])]
    return rt.helm_render(chart, values_files=files, release="release", namespace=namespace or "default")


def kustomize_objects(root: Path, env: str | None, flavor: rt.Flavor = "v4") -> list[KubeObject]:
    """`kustomize build` of the base or of an environment's overlay, read the way kubectl reads it.

    kustomize writes its output with its own YAML library, which leaves the string values `<<`
    and `=` plain; kubectl's reader (go-yaml) takes them for the strings they are, where a strict
    YAML 1.1 reader would see a merge key and a value key. So they are read as strings here.
    """
    text = rt.kustomize_build_raw(root / ("base" if env is None else f"overlays/{env}"), flavor=flavor)
    objects = [doc for doc in _go_reader().load_all(text) if doc is not None]
    return sorted(objects, key=rt.object_key)


def _go_reader() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor

    class GoLikeConstructor(SafeConstructor):
        """YAML 1.1 scalars as go-yaml reads them: timestamps, `<<` and `=` values stay strings."""

    for tag in ("timestamp", "merge", "value"):
        GoLikeConstructor.add_constructor(f"tag:yaml.org,2002:{tag}", SafeConstructor.construct_scalar)
    reader = YAML(typ="safe", pure=True)
    reader.Constructor = GoLikeConstructor
    reader.version = (1, 1)
    return reader


def yaml_files(bundle: Bundle) -> dict[str, str]:
    """The emitted files a YAML reader consumes (chart templates are Go templates, not YAML)."""
    return {
        path: text
        for path, text in texts(bundle).items()
        if path.endswith((".yaml", ".yml")) and not path.startswith("templates/")
    }


def containers(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    spec = obj.get("spec") or {}
    pod = spec if obj.get("kind") == "Pod" else (spec.get("template") or {}).get("spec") or {}
    return [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]


def by_kind_name(objects: Sequence[KubeObject]) -> dict[tuple[str, str], KubeObject]:
    return {(str(o["kind"]), str(o["metadata"]["name"])): o for o in objects}


# --- Kubernetes `$(VAR)` expansion (container env values, command and args) -------------------


def kube_expand(text: str, defined: Mapping[str, str]) -> str:
    """What the kubelet makes of an env value: `$$` is a literal `$`, `$(NAME)` is the value of an
    earlier variable NAME (left as written when there is none), any other `$` is kept."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "$" or index + 1 == len(text):
            out.append(char)
            index += 1
            continue
        following = text[index + 1]
        if following == "$":
            out.append("$")
            index += 2
        elif following == "(":
            close = text.find(")", index + 2)
            if close < 0:
                out.append("$(")
                index += 2
            else:
                name = text[index + 2 : close]
                out.append(defined.get(name, f"$({name})"))
                index = close + 1
        else:
            out.append("$" + following)
            index += 2
    return "".join(out)


def container_env(container: Mapping[str, Any]) -> dict[str, str]:
    """A container's literal env values after Kubernetes' expansion, in order (valueFrom skipped,
    but a later literal still sees it as undefined, as for a Secret Kubernetes would fill in)."""
    seen: dict[str, str] = {}
    for item in container.get("env") or []:
        if "value" in item:
            seen[item["name"]] = kube_expand(str(item["value"]), seen)
    return seen


# --- Compose interpolation ------------------------------------------------------------------------

_COMPOSE_VAR = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[_A-Za-z][_A-Za-z0-9]*)(?P<rest>(?::?[-?+])[^}]*)?\}"
    r"|(?P<named>[_A-Za-z][_A-Za-z0-9]*)|(?P<invalid>))"
)


class ComposeInterpolationError(ValueError):
    pass


def compose_interpolate(text: str, variables: Mapping[str, str]) -> str:
    """A Compose value after interpolation: `$$` is `$`; `${NAME}`, `$NAME`, `${NAME:-default}`,
    `${NAME-default}`, `${NAME:?err}`, `${NAME?err}`, `${NAME:+alt}`, `${NAME+alt}` as the
    Compose specification's interpolation section defines them; a lone `$` is an error."""

    def one(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return variables.get(match["named"], "")
        name = match["braced"]
        if name is None:
            raise ComposeInterpolationError(f"invalid interpolation at {match.start()} in {text!r}")
        rest = match["rest"] or ""
        value = variables.get(name)
        if not rest:
            return value or ""
        colon = rest.startswith(":")
        operator, argument = rest[1 if colon else 0], rest[2 if colon else 1 :]
        unset = value is None or (colon and value == "")
        if operator == "-":
            return argument if unset else str(value)
        if operator == "?":
            if unset:
                raise ComposeInterpolationError(f"required variable {name} is missing: {argument}")
            return str(value)
        return "" if unset else argument

    return _COMPOSE_VAR.sub(one, text)


def compose_variables(text: str) -> set[str]:
    """Names a Compose value interpolates."""
    names: set[str] = set()
    for match in _COMPOSE_VAR.finditer(text):
        if match["braced"] or match["named"]:
            names.add(match["braced"] or match["named"])
    return names


def walk_strings(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every string (keys too, with a `<key>` marker) inside plain data, with its path."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str):
                yield (*path, "<key>"), key
            yield from walk_strings(item, (*path, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from walk_strings(item, (*path, index))
    elif isinstance(value, str):
        yield path, value


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """`value` with every string value (not keys) passed through `change`."""
    if isinstance(value, Mapping):
        return {key: map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [map_strings(item, change) for item in value]
    return change(value) if isinstance(value, str) else value


@attrs.frozen
class Outputs:
    """Every target of one spec, written under `root/<target>`."""

    compilation: ir.Compilation
    bundles: Mapping[str, Bundle]
    root: Path

    def dir(self, target: str) -> Path:
        return self.root / target


def write_all(compilation: ir.Compilation, root: Path, targets: Sequence[str] = TARGETS) -> Outputs:
    bundles = {target: render(compilation, target) for target in targets}
    for target, bundle in bundles.items():
        write(bundle, root / target, os.path.basename(compilation.spec_file))
    return Outputs(compilation, bundles, root)


# --- the helpers' own tests -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("$(A)/x", "1/x"),
        ("$$(A)", "$(A)"),
        ("$$$(A)", "$1"),
        ("$(MISSING)", "$(MISSING)"),
        ("$(A", "$(A"),
        ("cost $5 and $$", "cost $5 and $"),
        ("$", "$"),
        ("${A}", "${A}"),
    ],
)
def test_kube_expand_follows_the_documented_rules(text: str, expected: str) -> None:
    assert kube_expand(text, {"A": "1"}) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$$", "$"),
        ("$$(A)", "$(A)"),
        ("${A}-$A", "1-1"),
        ("${B:-d}", "d"),
        ("${E:-d}|${E-d}", "d|"),
        ("${A:?missing}", "1"),
        ("${A:+alt}|${B:+alt}", "alt|"),
        ("$$$$", "$$"),
    ],
)
def test_compose_interpolate_follows_the_documented_rules(text: str, expected: str) -> None:
    assert compose_interpolate(text, {"A": "1", "E": ""}) == expected


def test_compose_interpolate_rejects_what_compose_rejects() -> None:
    with pytest.raises(ComposeInterpolationError):
        compose_interpolate("${B:?not set}", {})
    with pytest.raises(ComposeInterpolationError):
        compose_interpolate("a $ b", {})
    with pytest.raises(ComposeInterpolationError):
        compose_interpolate("${1}", {})
