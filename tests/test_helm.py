"""The helm target's files: set, headers, determinism, values and deltas, schema, goldens.

Also holds the helpers the other `test_helm_*` modules share (writing a chart to disk, the
specs every test runs over). Real Helm checks of what the chart renders are in
test_helm_render.py and test_helm_equivalence.py.

Golden files: `scripts/regen-golden helm` rewrites tests/golden/<example>/helm/.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # ships no py.typed
import pytest
import realtools
from litectl.compiler import ir
from litectl.compiler.naming import generated_header
from litectl.compiler.output import Bundle
from litectl.compiler.validate import compile_file
from litectl.schema import load_schema
from litectl.targets import registry
from litectl.targets.helm import TARGET
from litectl.targets.helm.values import chart_values, delta
from litectl.targets.options import HelmOptions

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(REPO.glob("examples/*.yaml"))
SPECS = [*EXAMPLES, *sorted(REPO.glob("tests/specs/*.yaml"))]
SPEC_IDS = [f"{p.parent.name}/{p.stem}" for p in SPECS]
GOLDEN = REPO / "tests" / "golden"


# --- shared helpers ---------------------------------------------------------------------------


def options_of(compilation: ir.Compilation) -> HelmOptions:
    own = compilation.base.targets.get("helm")
    return own if isinstance(own, HelmOptions) else HelmOptions()


@cache
def compiled(spec: Path) -> ir.Compilation:
    return compile_file(spec)


@cache
def rendered(spec: Path) -> Bundle:
    compilation = compiled(spec)
    bundle: Bundle = TARGET.render(compilation, options_of(compilation))
    return bundle


def write_chart(bundle: Bundle, directory: Path) -> Path:
    """Write a bundle as a chart directory (what `litectl compile` writes, minus its manifest)."""
    for path, content in bundle.files.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return directory


@pytest.fixture(scope="session")
def chart_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Every spec's chart, written once per session."""
    root = tmp_path_factory.mktemp("charts")
    return {spec: write_chart(rendered(spec), root / spec.stem) for spec in SPECS}


def values_files(chart: Path, env: str | None) -> list[Path]:
    """`-f values.yaml [-f values-<env>.yaml]`, as a user installs the base or an environment."""
    return [chart / "values.yaml", *([chart / f"values-{env}.yaml"] if env else [])]


def topologies(spec: Path) -> list[ir.Topology]:
    compilation = compiled(spec)
    return [compilation.base, *compilation.environments]


def env_params() -> list[Any]:
    """(spec, environment) for the base and every environment of every spec."""
    return [pytest.param(spec, t.environment, id=f"{spec_id}:{t.environment or 'base'}")
            for spec, spec_id in zip(SPECS, SPEC_IDS, strict=True) for t in topologies(spec)]


def numbers_as_floats(value: Any) -> Any:
    """Helm reads every number as a float64; compare values that way."""
    if isinstance(value, dict):
        return {k: numbers_as_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [numbers_as_floats(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


# --- the files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_file_set_and_headers(spec: Path) -> None:
    bundle = rendered(spec)
    compilation = compiled(spec)
    envs = {f"values-{t.environment}.yaml" for t in compilation.environments}
    names = set(bundle.files)
    assert {"Chart.yaml", "values.yaml", "values.schema.json", "templates/NOTES.txt",
            "templates/_helpers.tpl", "templates/_generated.tpl", "templates/tests/test-connection.yaml",
            *envs} <= names
    assert {n for n in names if n.startswith("values-")} == envs
    assert list(bundle.files) == sorted(bundle.files)
    header = generated_header(compilation.spec_file)
    for name, content in bundle.files.items():
        text = content.decode("utf-8")
        if name.endswith(".json"):
            assert json.loads(text)["$comment"] == header
        elif name.startswith("templates/"):
            assert text.startswith(f"{{{{/* {header} */}}}}\n"), name
        else:
            assert text.startswith(f"# {header}\n"), name
        assert "__CHART__" not in text, name
        assert text.endswith("\n") and not text.endswith("\n\n"), name
        assert not re.search(r"[ \t]$", text, re.MULTILINE), f"{name} has trailing whitespace"


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_render_is_deterministic(spec: Path) -> None:
    compilation = compile_file(spec)
    first = TARGET.render(compilation, options_of(compilation))
    second = TARGET.render(compile_file(spec), options_of(compilation))
    assert first.files == second.files


def test_target_is_registered_and_pure() -> None:
    target = registry.load("helm")
    assert target is TARGET and target.options_type is HelmOptions
    assert isinstance(target.render(compiled(EXAMPLES[0]), HelmOptions()), Bundle)


def test_chart_yaml() -> None:
    spec = REPO / "examples" / "production.yaml"
    chart = realtools.parse_yaml_documents(rendered(spec).files["Chart.yaml"].decode())[0]
    assert chart == {"apiVersion": "v2", "name": "llm-gateway", "type": "application",
                     "description": chart["description"], "version": "1.2.0", "appVersion": "1.104.0",
                     "kubeVersion": ">=1.27.0-0"}
    text = rendered(spec).files["Chart.yaml"].decode()
    assert 'appVersion: "1.104.0"' in text and 'kubeVersion: ">=1.27.0-0"' in text
    options = realtools.parse_yaml_documents(
        rendered(REPO / "tests/specs/helm-disabled.yaml").files["Chart.yaml"].decode())[0]
    assert (options["name"], options["version"]) == ("parts-chart", "2.0.0-rc.1+build.5")


def test_define_names_are_chart_prefixed() -> None:
    bundle = rendered(REPO / "tests/specs/helm-images.yaml")
    defines = set()
    for name, content in bundle.files.items():
        if name.startswith("templates/"):
            defines |= set(re.findall(r'define "([^"]+)"', content.decode()))
    assert defines and all(d.startswith("images-chart.") for d in defines), sorted(defines)


def test_no_template_passes_values_through_tpl() -> None:
    for name, content in rendered(EXAMPLES[0]).files.items():
        if name.startswith("templates/"):
            actions = re.findall(r"\{\{-?\s*(?!/\*)(.*?)-?\}\}", content.decode(), re.DOTALL)
            assert actions and not [a for a in actions if re.search(r"\btpl\b", a)], name


# --- values ---------------------------------------------------------------------------------------


@pytest.mark.realtool
@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_values_files_read_back_by_helm(spec: Path, chart_dirs: dict[Path, Path]) -> None:
    """Helm's YAML reader (YAML 1.1 flavoured) sees exactly the compiled values."""
    chart = chart_dirs[spec]
    compilation = compiled(spec)
    base = chart_values(compilation.base)
    assert realtools.load_values([chart / "values.yaml"]) == numbers_as_floats(base)
    for env in compilation.environments:
        changes = delta(base, chart_values(env))
        assert realtools.load_values([chart / f"values-{env.environment}.yaml"]) == numbers_as_floats(changes)


def test_values_yaml_is_the_compiled_base() -> None:
    compilation = compiled(REPO / "examples" / "production.yaml")
    values = chart_values(compilation.base)
    assert list(values)[:2] == ["fullnameOverride", "metadata"]
    assert values["fullnameOverride"] == "llm-gateway"
    assert values["metadata"] == {"namespace": "ai-platform", "labels": {"team": "ml-platform"},
                                  "annotations": {"owner": "ml-platform@example.com"}}
    assert not {"apiVersion", "kind", "environments", "targets"} & set(values)
    assert values["gateway"]["hpa"]["maxReplicas"] == 30


def test_delta_semantics() -> None:
    base = {"a": {"b": 1, "c": [1, 2], "d": {"e": 1}}, "r": {"host": "x"}, "s": None, "n": 1,
            "gateway": {"config": {"proxy_config": {"k": 1}}}}
    env = {"a": {"b": 1, "c": [1], "d": {"e": 1}}, "r": None, "s": {"host": "y", "port": None}, "n": True,
           "gateway": {"config": {"proxy_config": {"k": 1, "new": {"x": None}}}}}
    assert delta(base, env) == {"a": {"c": [1]}, "r": None, "s": {"host": "y"}, "n": True,
                                "gateway": {"config": {"proxy_config": {"new": {"x": None}}}}}
    assert delta(base, base) == {}
    assert delta({"x": {"y": 1, "z": 2}}, {"x": {"y": 1}}) == {"x": {"z": None}}


def test_every_described_key_has_a_helm_docs_comment() -> None:
    text = rendered(REPO / "examples" / "production.yaml").files["values.yaml"].decode()
    lines = text.splitlines()
    checked = 0
    for index, line in enumerate(lines):
        match = re.match(r"^( *)([A-Za-z_][A-Za-z0-9_]*):", line)
        if not match or index == 0:
            continue
        indent, key = match.groups()
        if key in ("proxy_config",) or lines[index - 1].lstrip().startswith("- "):
            continue
        previous = lines[index - 1]
        if previous.startswith(indent + "# "):
            path = previous.strip()[2:].split(" -- ", 1)[0]
            assert path.split(".")[-1] == key, (previous, line)
            checked += 1
    assert checked > 150
    for section in ("fullnameOverride", "image", "gateway", "migrationJob", "ingress"):
        assert re.search(rf"^# {section} -- \S", text, re.MULTILINE), section
    assert "# gateway.hpa.maxReplicas -- Upper replica bound." in text


# --- values.schema.json ---------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_values_schema_accepts_the_values(spec: Path) -> None:
    bundle = rendered(spec)
    schema = json.loads(bundle.files["values.schema.json"])
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    compilation = compiled(spec)
    for topology in (compilation.base, *compilation.environments):
        values = chart_values(topology)
        assert list(validator.iter_errors(values)) == []


def test_values_schema_is_the_spec_schema_transformed() -> None:
    schema = json.loads(rendered(EXAMPLES[0]).files["values.schema.json"])
    spec = load_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["additionalProperties"] is False and "global" in schema["properties"]
    assert not {"apiVersion", "kind", "environments", "targets"} & set(schema["properties"])
    assert schema["definitions"]["Gateway"] == spec["definitions"]["Gateway"]
    assert "name" not in schema["definitions"]["ChartMetadata"]["properties"]
    assert "Environment" not in schema["definitions"]
    validator = jsonschema.Draft7Validator(schema)
    values = chart_values(compiled(EXAMPLES[0]).base)
    bad = {**values, "gateway": {**values["gateway"], "hpa": {"maxReplicas": "20"}}}
    assert [e.message for e in validator.iter_errors(bad)] == ["'20' is not of type 'integer'"]
    assert list(validator.iter_errors({**values, "unknown": 1}))
    assert list(validator.iter_errors({**values, "fullnameOverride": "Bad_Name"}))


# --- golden files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_golden_files(example: Path) -> None:
    """Byte for byte, with the file set; regenerate with `scripts/regen-golden helm`."""
    directory = GOLDEN / example.stem / "helm"
    bundle = rendered(example)
    on_disk = {p.relative_to(directory).as_posix(): p.read_bytes()
               for p in sorted(directory.rglob("*")) if p.is_file()}
    assert sorted(on_disk) == sorted(bundle.files), "file set differs: run scripts/regen-golden helm"
    for name, content in bundle.files.items():
        assert on_disk[name] == content, f"{name} differs: run scripts/regen-golden helm"


def test_nulls_and_floats_of_the_proxy_config_reach_the_chart_text() -> None:
    """Helm's values cannot hold them (no nulls, every number a float64): the precompiled text does."""
    bundle = rendered(REPO / "tests" / "specs" / "hostile-values.yaml")
    assert not any("null" in w.message for w in bundle.warnings)
    text = bundle.files["files/proxy-config/base.yaml"].decode()
    assert '"nothing": null' in text and '"number": 1000.0' in text
    assert rendered(REPO / "examples" / "production.yaml").warnings == ()
