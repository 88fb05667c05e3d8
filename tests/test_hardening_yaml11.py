"""YAML 1.1 readers: every YAML file litectl emits reads the same under YAML 1.1 and YAML 1.2.

Kubernetes (go-yaml), Helm and LiteLLM (PyYAML) read YAML 1.1, where `on`, `yes`, `no`, `off`,
`y`, `n`, `~`, `0755`, `1e3`, `1:20`, `2001-12-14`, `<<` and `=` are not the strings they are in
YAML 1.2. For every example and test spec, every target's YAML files -- and the `config.yaml`
inside the ConfigMap, and what Helm renders from the chart -- are read with PyYAML's YAML 1.1
SafeLoader and with ruamel's YAML 1.2 safe loader, and must give the same data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import realtools as rt
import yaml
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.output import dump_yaml
from ruamel.yaml import YAML
from test_hardening_common import (
    SPEC_IDS,
    SPECS,
    compile_text,
    compiled,
    environments,
    render,
    texts,
    topology,
    write,
    yaml_files,
)

TRAPS = [
    "on", "On", "ON", "off", "yes", "Yes", "no", "NO", "y", "Y", "n", "N", "true", "False", "~", "null",
    "0755", "0o755", "0x1F", "0b101", "1e3", "1E3", "1.5e3", ".5", "1.", "+1", "-0", "1_000", "1:20",
    "190:20:30", "1:20.5", ".inf", "-.Inf", ".nan", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5", "2001-13-45", "<<", "=", "", " ", "-", "?", ":", "#", "- a", "? a",
    "a: b", "a #b", "'", '"', "|", ">", "%x", "@x", "`x", "!x", "&x", "*x", "[a]", "{a: b}", "a\nb",
    "trailing ", " leading", "\t", "日本", "\u0085", "\u2028", "null ", "1_0.5", "1__0", "+1_", "._5",
]  # fmt: skip


#: Compose's own tags in override files (`!reset`, `!override`): read as (tag, value) by both.
COMPOSE_TAGS = ("!reset", "!override")


class _Loader11(yaml.SafeLoader):
    """PyYAML's YAML 1.1 safe loader, plus Compose's two tags."""


def _tagged(loader: yaml.SafeLoader, node: yaml.Node) -> tuple[str, Any]:
    if isinstance(node, yaml.MappingNode):
        return (node.tag, loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, loader.construct_sequence(node, deep=True))
    assert isinstance(node, yaml.ScalarNode)
    return (node.tag, loader.construct_scalar(node))


for _tag in COMPOSE_TAGS:
    _Loader11.add_constructor(_tag, _tagged)


def _loader_1_2() -> YAML:
    loader = YAML(typ="safe", pure=True)

    def tagged(constructor: Any, node: Any) -> tuple[str, Any]:
        if node.id == "mapping":
            return (node.tag, constructor.construct_mapping(node, deep=True))
        if node.id == "sequence":
            return (node.tag, constructor.construct_sequence(node, deep=True))
        return (node.tag, constructor.construct_scalar(node))

    for tag in COMPOSE_TAGS:
        loader.constructor.add_constructor(tag, tagged)
    return loader


def read_1_1(text: str) -> list[Any]:
    return [doc for doc in yaml.load_all(text, Loader=_Loader11) if doc is not None]


def read_1_2(text: str) -> list[Any]:
    return [doc for doc in _loader_1_2().load_all(text) if doc is not None]


def comparable(value: Any) -> Any:
    """Dates are compared as the text both readers were given (only the type question matters)."""
    if isinstance(value, dict):
        return {comparable(k): comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, datetime.date):
        return ("date", value.isoformat())
    return value


def assert_same_under_both(text: str, where: str) -> list[Any]:
    try:
        old = read_1_1(text)
    except yaml.YAMLError as exc:
        pytest.fail(f"{where}: a YAML 1.1 reader (PyYAML) cannot read it: {exc}")
    new = read_1_2(text)
    assert comparable(old) == comparable(new), f"{where}: YAML 1.1 and 1.2 readers disagree"
    return new


def embedded_configs(docs: list[Any]) -> Iterator[str]:
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "ConfigMap":
            for key, value in (doc.get("data") or {}).items():
                if key.endswith((".yaml", ".yml")):
                    yield value


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_every_emitted_yaml_file_reads_the_same(spec: Path) -> None:
    compilation = compiled(spec)
    for target in ("helm", "kustomize", "compose"):
        for path, text in yaml_files(render(compilation, target)).items():
            docs = assert_same_under_both(text, f"{target}/{path}")
            for config in embedded_configs(docs):
                assert_same_under_both(config, f"{target}/{path}: ConfigMap config.yaml")


@pytest.mark.realtool
@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_helm_rendered_output_reads_the_same(spec: Path, tmp_path: Path) -> None:
    compilation = compiled(spec)
    chart = write(render(compilation, "helm"), tmp_path / "chart")
    for env in environments(compilation):
        values = [chart / "values.yaml", *([chart / f"values-{env}.yaml"] if env else [])]
        t = topology(compilation, env)
        rendered = rt.helm_render_raw(chart, values_files=values, release="r", namespace=t.namespace or "n")
        for template, text in sorted(rendered.items()):
            if template.endswith("NOTES.txt") or not text.strip():
                continue
            docs = assert_same_under_both(text, f"{env or 'base'}: {template}")
            for config in embedded_configs(docs):
                assert_same_under_both(config, f"{env or 'base'}: {template}: config.yaml")


@pytest.mark.parametrize("text", TRAPS, ids=[repr(t) for t in TRAPS])
def test_the_shared_writer_keeps_every_trap_a_string(text: str) -> None:
    written = dump_yaml({text: text, "list": [text], "nested": {"k": text}})
    assert read_1_1(written) == read_1_2(written) == [{text: text, "list": [text], "nested": {"k": text}}]


def _spec_with(proxy_config: str, annotation: str) -> str:
    return (
        "apiVersion: litectl/v1alpha1\nkind: LiteLLMTopology\nmetadata:\n  name: traps\n"
        f"  annotations:\n    example.com/a: {annotation}\n"
        "database: {writer: {host: pg, dbname: db}}\n"
        f"gateway:\n  config:\n    proxy_config:\n{proxy_config}"
    )


@pytest.mark.parametrize("text", TRAPS, ids=[repr(t) for t in TRAPS])
def test_every_trap_survives_every_target_or_is_refused(text: str) -> None:
    """A trap in the proxy config (key and value) and in an annotation: either each target's
    output reads back the same under both readers, LiteLLM's config included, or litectl refuses
    the spec with a positioned error. Never a file that some reader misreads."""
    quoted = dump_yaml(text).rstrip("\n")
    if "\n" in quoted:  # a block scalar: keep it flow-safe inside the test spec
        quoted = '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    proxy = f"      settings:\n        {quoted}: {quoted}\n        list: [{quoted}]\n"
    try:
        compilation = compile_text(_spec_with(proxy, quoted))
    except LitectlError as exc:
        for d in exc.diagnostics:
            assert d.span is not None and d.span.line > 1, d.format()
            assert "YAML 1.1" in d.message or "Helm" in d.message, d.format()
        return
    assert compilation.base.config.data["settings"] == {text: text, "list": [text]}
    for target in ("helm", "kustomize", "compose"):
        files = texts(render(compilation, target))
        for path, content in yaml_files(render(compilation, target)).items():
            docs = assert_same_under_both(content, f"{target}/{path}")
            for config in embedded_configs(docs):
                assert assert_same_under_both(config, f"{target}/{path} config")[0]["settings"] == {
                    text: text,
                    "list": [text],
                }
        assert files  # every target wrote something


@pytest.mark.realtool
def test_every_trap_survives_helm(tmp_path: Path) -> None:
    """All traps at once, in annotations, an env value and the proxy config, rendered by real Helm:
    the manifests and the config.yaml inside read the same under both readers."""
    usable = [t for t in TRAPS if _accepted(t)]
    annotations = "".join(f"    example.com/t{i}: {_flow(t)}\n" for i, t in enumerate(usable))
    env = "".join(f"    - {{name: T{i}, value: {_flow(t)}}}\n" for i, t in enumerate(usable))
    settings = "".join(f"        {_flow(t)}: {_flow(t)}\n" for t in usable)
    spec = (
        "apiVersion: litectl/v1alpha1\nkind: LiteLLMTopology\nmetadata:\n  name: traps\n"
        f"  annotations:\n{annotations}database: {{writer: {{host: pg, dbname: db}}}}\n"
        f"gateway:\n  extraEnv:\n{env}  config:\n    proxy_config:\n      settings:\n{settings}"
    )
    compilation = compile_text(spec)
    chart = write(render(compilation, "helm"), tmp_path / "chart")
    rendered = rt.helm_render_raw(chart, values_files=[chart / "values.yaml"], release="r", namespace="n")
    for template, text in sorted(rendered.items()):
        if template.endswith("NOTES.txt") or not text.strip():
            continue
        docs = assert_same_under_both(text, template)
        for config in embedded_configs(docs):
            assert assert_same_under_both(config, f"{template} config")[0]["settings"] == {t: t for t in usable}
        for doc in docs:
            if doc.get("kind") in ("Deployment", "Service", "ConfigMap"):
                assert {f"example.com/t{i}": t for i, t in enumerate(usable)}.items() <= \
                    doc["metadata"]["annotations"].items()


def _flow(text: str) -> str:
    """`text` as a double-quoted YAML scalar (valid in flow and block context alike)."""
    import json

    return json.dumps(text)


def _accepted(text: str) -> bool:
    try:
        compile_text(_spec_with(f"      x: {_flow(text)}\n", _flow(text)))
    except LitectlError:
        return False
    return True


@pytest.mark.realtool
def test_small_and_large_numbers_reach_litellm_as_numbers(tmp_path: Path) -> None:
    """Per-token costs such as 0.000002 are written `2e-06` by Helm's toYaml and by JSON, which
    YAML 1.1 (LiteLLM's reader) takes for a string: the config text must carry them as numbers on
    every target, Helm's render included."""
    numbers = {"a": 0.000002, "b": 1e-05, "c": 3e-06, "d": 1e-07, "e": 1e21, "f": 1.5e-07, "g": 0.001}
    body = "".join(f"        {k}: {v!r}\n" for k, v in numbers.items())
    compilation = compile_text(
        "apiVersion: litectl/v1alpha1\nkind: LiteLLMTopology\nmetadata: {name: costs}\n"
        "database: {writer: {host: pg, dbname: db}}\ngateway:\n  config:\n    proxy_config:\n"
        f"      model_list:\n      - model_name: m\n        model_info: {{}}\n      costs:\n{body}"
    )
    configs = [text for target in ("kustomize", "compose") for path, text in texts(render(compilation, target)).items()
               if path.endswith("config.yaml")]
    chart = write(render(compilation, "helm"), tmp_path / "chart")
    rendered = rt.helm_render(chart, values_files=[chart / "values.yaml"], release="r", namespace="n")
    configs += [o["data"]["config.yaml"] for o in rendered if o["kind"] == "ConfigMap"]
    assert len(configs) == 3
    for text in configs:
        assert read_1_1(text)[0]["costs"] == numbers, text
