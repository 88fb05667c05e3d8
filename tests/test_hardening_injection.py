"""Injection: a user's string comes out of every target meaning exactly what the user wrote.

tests/specs/hostile-values.yaml puts `{{ }}`, `$`, `$(VAR)`, `${VAR}`, quotes, colons, `#`,
newlines, unicode and YAML 1.1 words into labels, annotations, env values, database settings, the
proxy config and an ingress snippet. Each target's output is read back the way its consumer reads
it -- Helm renders the chart (it must never evaluate a user's `{{ }}`), kustomize builds, the
kubelet expands `$(VAR)` in env values, Compose interpolates `$` -- and compared with the spec.

What "meaning exactly what the user wrote" is, per kind of value (the decision these tests pin):
- litectl's own env values (DATABASE_NAME from `database.writer.dbname`, DATABASE_SCHEMA, ...) are
  literal text: the kubelet must hand the container exactly that text, so in Kubernetes manifests
  every `$` is written `$$` (Kubernetes reads `$$` as `$` and would otherwise expand `$(NAME)`).
  In Compose every `$` is written `$$` for the same reason.
- a user's `extraEnv[].value` is a Kubernetes EnvVar value (SPEC.md section 7 says extraEnv is a
  Kubernetes EnvVar list): it keeps Kubernetes' meaning, `$(NAME)` being the value of an earlier
  variable and `$$` a literal `$`. Kubernetes manifests carry it verbatim; Compose, which has no
  such expansion, gets the expanded result (a reference to an earlier variable becomes that
  variable's Compose value, Secret-backed ones as `${VAR:?...}` interpolation).
- everything else (labels, annotations, the proxy config, ingress annotations) is data that no
  consumer expands: it is carried verbatim.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import realtools as rt
import yaml
from litectl.compiler import ir
from litectl.compiler.loader import load_file
from litectl.compiler.validate import compile_file
from litectl.targets.compose.stack import variable_name
from test_hardening_common import (
    HOSTILE_SPECS,
    KubeObject,
    Outputs,
    by_kind_name,
    compose_interpolate,
    compose_variables,
    environments,
    helm_objects,
    kube_expand,
    kustomize_objects,
    topology,
    write_all,
)

pytestmark = pytest.mark.realtool

HOSTILE = Path(__file__).resolve().parent / "specs" / "hostile-values.yaml"


def fake_secret(name: str, key: str) -> str:
    """The value a test Secret key holds (litectl never sees it; Compose gets it from `.env`)."""
    return f"fake-{variable_name(name, key).lower()}-value"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    return write_all(compile_file(HOSTILE), tmp_path_factory.mktemp("hostile"))


# --- what each component's environment means ------------------------------------------------------


def expected_env(env: Sequence[ir.EnvVar], *, compose: bool = False) -> dict[str, str]:
    """Name -> the text the process sees, computed from the IR by the rules in the module doc."""
    seen: dict[str, str] = {}
    for var in env:
        if var.secret is not None:
            value = fake_secret(var.secret.name, var.secret.key)
        elif var.config_map is not None:
            value = fake_secret(var.config_map.name, var.config_map.key)
        elif var.other is not None:
            seen.pop(var.name, None)  # filled in by Kubernetes only; compose leaves it out
            continue
        elif var.user:
            value = kube_expand(var.value or "", seen)
        else:
            value = var.value or ""
        seen.pop(var.name, None)
        seen[var.name] = value
    return seen


def kube_effective_env(container: Mapping[str, Any]) -> dict[str, str]:
    """What the kubelet gives the process: `$(VAR)` expanded over earlier variables, Secrets filled."""
    seen: dict[str, str] = {}
    for item in container.get("env") or []:
        source = item.get("valueFrom") or {}
        ref = source.get("secretKeyRef") or source.get("configMapKeyRef")
        if ref is not None:
            value = fake_secret(ref["name"], ref["key"])
        elif "value" in item:
            value = kube_expand(str(item["value"]), seen)
        else:
            seen.pop(item["name"], None)
            continue
        seen.pop(item["name"], None)
        seen[item["name"]] = value
    return seen


def workloads(t: ir.Topology) -> dict[str, tuple[str, tuple[ir.EnvVar, ...]]]:
    """component -> (object name, env) for every pod litectl runs."""
    out: dict[str, tuple[str, tuple[ir.EnvVar, ...]]] = {w.component: (w.name, w.env) for w in t.workloads}
    if t.migrations is not None:
        out["migrations"] = (t.migrations.name, t.migrations.env)
    return out


def pod_containers(obj: KubeObject) -> list[Mapping[str, Any]]:
    return list(obj["spec"]["template"]["spec"]["containers"])


def find(objects: Sequence[KubeObject], kind: str, name: str) -> KubeObject:
    if kind == "Job":  # kustomize names the Job with a hash of its spec
        jobs = [o for o in objects if o["kind"] == "Job" and o["metadata"]["name"].startswith(name)]
        assert len(jobs) == 1, [o["metadata"]["name"] for o in jobs]
        return jobs[0]
    return by_kind_name(objects)[(kind, name)]


# --- Kubernetes targets -------------------------------------------------------------------------


@functools.cache
def _kube_outputs(root: Path, target: str, env: str | None, namespace: str | None) -> list[KubeObject]:
    if target == "helm":
        return helm_objects(root / "helm", env, namespace)
    return kustomize_objects(root / "kustomize", env)


def kube_params() -> list[Any]:
    compilation = compile_file(HOSTILE)
    return [
        pytest.param(target, env, id=f"{target}:{env or 'base'}")
        for target in ("helm", "kustomize")
        for env in environments(compilation)
    ]


@pytest.mark.parametrize(("target", "env"), kube_params())
def test_kubernetes_env_means_what_the_spec_says(outputs: Outputs, target: str, env: str | None) -> None:
    t = topology(outputs.compilation, env)
    objects = _kube_outputs(outputs.root, target, env, t.namespace)
    for component, (name, env_vars) in workloads(t).items():
        kind = "Job" if component == "migrations" else "Deployment"
        (container,) = pod_containers(find(objects, kind, name))
        raw = {item["name"]: item for item in container.get("env") or []}
        for var in env_vars:
            if var.user and var.value is not None:  # a Kubernetes EnvVar: verbatim
                assert raw[var.name] == {"name": var.name, "value": var.value}, (component, var.name)
        assert kube_effective_env(container) == expected_env(env_vars), component


@pytest.mark.parametrize(("target", "env"), kube_params())
def test_kubernetes_metadata_and_config_are_verbatim(outputs: Outputs, target: str, env: str | None) -> None:
    t = topology(outputs.compilation, env)
    objects = _kube_outputs(outputs.root, target, env, t.namespace)
    for obj in objects:
        meta = obj["metadata"]
        if obj["kind"] == "Pod":  # Helm's test pod
            continue
        labels = meta.get("labels") or {}
        annotations = meta.get("annotations") or {}
        assert {k: labels.get(k) for k in t.labels} == dict(t.labels), obj["kind"]
        extra = dict(t.annotations)
        if obj["kind"] == "Service":
            component = labels["app.kubernetes.io/component"]
            extra.update(getattr(t, component).service.annotations)
        if obj["kind"] == "Ingress":
            assert t.ingress is not None
            extra.update(t.ingress.annotations)
        assert {k: annotations.get(k) for k in extra} == extra, obj["kind"]
    for w in t.workloads:
        template = find(objects, "Deployment", w.name)["spec"]["template"]["metadata"]
        for key, value in w.pod.pod_annotations.items():
            assert template["annotations"][key] == value
        for key, value in w.pod.pod_labels.items():
            assert template["labels"][key] == value
    (config_map,) = [o for o in objects if o["kind"] == "ConfigMap"]
    # LiteLLM reads its config with PyYAML (YAML 1.1): it must get the spec's mapping back, nulls too
    assert yaml.safe_load(config_map["data"]["config.yaml"]) == t.config.data


def test_helm_never_evaluates_user_text(outputs: Outputs) -> None:
    """No user `{{ }}` is evaluated: each one appears in the rendered text exactly as written."""
    rendered = rt.helm_render_raw(
        outputs.dir("helm"), values_files=[outputs.dir("helm") / "values.yaml"], release="r", namespace="n"
    )
    text = "".join(rendered.values())
    for needle in ('{{ .Release.Name }} {{ fail \\"boom\\" }}', "{{ .Capabilities.KubeVersion }}", "{{ model }}"):
        assert needle.replace('\\"', '"') in text or needle in text, needle
    assert "boom" in text  # the `fail` call is text, not an evaluated failure


# --- Compose --------------------------------------------------------------------------------------


def compose_values(outputs: Outputs, env: str | None) -> dict[str, Any]:
    """The compose document of the base (`compose.yaml`) or an environment (its `--env` document:
    overrides are checked against it by the compose target's own tests)."""
    if env is None:
        path = outputs.dir("compose") / "compose.yaml"
        return rt.load_compose(path)
    compilation = compile_file(HOSTILE, env=env)
    from test_hardening_common import render

    bundle = render(compilation, "compose")
    text = bundle.files["compose.yaml"].decode("utf-8")
    docs = rt.parse_yaml_documents(text, yaml_1_1=False)
    document: dict[str, Any] = docs[0]
    return document


@pytest.mark.parametrize("env", [None, "prod"], ids=["base", "prod"])
def test_compose_env_means_what_the_spec_says(outputs: Outputs, env: str | None) -> None:
    t = topology(outputs.compilation, env)
    document = compose_values(outputs, env)
    variables: dict[str, str] = {}
    for service in document["services"].values():
        for value in (service.get("environment") or {}).values():
            for name in compose_variables(str(value)):
                variables[name] = ""
    # Each variable stands for one Secret key (tested by the compose target's own tests); give it
    # the value the test Secret holds.
    keys = {variable_name(v.secret.name, v.secret.key): v.secret for w in workloads(t).values()
            for v in w[1] if v.secret is not None}
    for name in variables:
        ref = keys[name]
        variables[name] = fake_secret(ref.name, ref.key)
    for component, (_name, env_vars) in workloads(t).items():
        service = document["services"][component]
        environment = {k: compose_interpolate(str(v), variables) for k, v in service["environment"].items()}
        assert environment == expected_env(env_vars, compose=True), component
    for w in t.workloads:
        labels = document["services"][w.component].get("labels") or {}
        for key, value in w.pod.pod_labels.items():
            assert compose_interpolate(labels[key], {}) == value


def test_compose_config_file_is_the_proxy_config(outputs: Outputs) -> None:
    text = (outputs.dir("compose") / "config" / "config.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) == outputs.compilation.base.config.data


# --- every hostile spec, every target: no exception, and nothing evaluated ---------------------------


@pytest.mark.parametrize("spec", HOSTILE_SPECS, ids=[p.stem for p in HOSTILE_SPECS])
def test_hostile_specs_compile_with_every_target(spec: Path, tmp_path: Path) -> None:
    loaded = load_file(spec)
    assert loaded.data  # a valid spec: the other tests read its output
    outputs = write_all(compile_file(spec), tmp_path)
    for target in ("helm", "kustomize", "compose"):
        assert (outputs.dir(target) / ".litectl-manifest.json").is_file()


def test_compose_interpolates_no_user_text(tmp_path: Path) -> None:
    """Every string of every compose file (images and local-service images included) reads back,
    after Compose's interpolation with the Secret variables set, as what litectl meant: no `$` in
    user text is taken for a variable, and none makes the file invalid."""
    from test_hardening_common import compile_text, render, texts

    spec = (
        "apiVersion: litectl/v1alpha1\nkind: LiteLLMTopology\nmetadata: {name: dollars}\n"
        "image: {repository: 'registry.example.com/lite$llm', tag: 'v$1'}\n"
        "database: {writer: {host: pg, dbname: 'db$x', passwordSecret: {name: db}}}\n"
        "redis: {host: r}\n"
        "targets:\n  compose:\n    postgres: {enabled: true, image: 'postgres:$16'}\n"
        "    redis: {enabled: true, image: 'redis:${7}'}\n"
    )
    files = texts(render(compile_text(spec), "compose"))
    document = rt.parse_yaml_documents(files["compose.yaml"], yaml_1_1=False)[0]
    variables = {name: "x" for value in _strings(document) for name in compose_variables(value)}
    images = {name: compose_interpolate(service["image"], variables) for name, service in document["services"].items()}
    assert images["gateway"] == "registry.example.com/lite$llm:v$1"
    assert images["postgres"] == "postgres:$16"
    assert images["redis"] == "redis:${7}"
    for value in _strings(document):
        compose_interpolate(value, variables)  # a lone `$` would be an error in Compose


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize(
    "name", ["evil\nname: x.yaml", "evil\r\n---\nkind: Secret.yaml", "ev*il {{ fail \"x\" }} $(y) ${z}.yaml", "tab\there\u2028.yaml"]
)
def test_the_spec_file_name_cannot_inject_into_headers(tmp_path: Path, name: str) -> None:
    """The spec's file name is in every file's header comment: whatever it holds, every file still
    parses as before and the chart still renders."""
    from clirun import run

    spec = tmp_path / name
    spec.write_text((Path(__file__).resolve().parents[1] / "examples" / "minimal.yaml").read_text(), encoding="utf-8")
    for target in ("helm", "kustomize", "compose"):
        result = run(["compile", str(spec), "-t", target, "-o", str(tmp_path / "out" / target)])
        assert result.code == 0, result.err
    for path in (tmp_path / "out").rglob("*.yaml"):
        if "templates" in path.parts:
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            assert not (isinstance(doc, dict) and doc.get("kind") == "Secret"), path
    chart = tmp_path / "out" / "helm"
    assert rt.helm_render(chart, values_files=[chart / "values.yaml"], release="r", namespace="n")
    header = (chart / "Chart.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# Generated by litectl from ") and "\n" not in header
