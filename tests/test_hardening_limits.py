"""Limits: input that would give output Kubernetes or Compose rejects is refused at compile time,
with a positioned `file:line:col: error: ...` diagnostic, never written as broken output.

Covered: the 1 MiB ConfigMap limit on the proxy config; Kubernetes name and label lengths after
litectl's suffixes; label keys and values; ports that must differ (Compose host ports); an HPA
with nothing to scale on; values Helm cannot carry (control characters, NaN, huge integers).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from clirun import run
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.output import dump_yaml
from test_hardening_common import TARGETS, compile_text, render

BASE = """\
apiVersion: litectl/v1alpha1
kind: LiteLLMTopology
metadata:
  name: limits
database:
  writer: {host: pg, dbname: litellm}
"""
POSITIONED = re.compile(r"^(?P<file>[^:]+):(?P<line>[0-9]+):(?P<col>[0-9]+): error: (?P<message>.*)$")
MIB = 1024 * 1024


def errors_of(spec: Path, *args: str) -> list[re.Match[str]]:
    """Compile with every target (or `args`); every line on stderr must be a positioned error."""
    result = run(["compile", str(spec), *(args or [a for t in TARGETS for a in ("-t", t)])])
    assert result.code == 1, result.err
    lines = [line for line in result.err.splitlines() if line and ": warning: " not in line]
    assert lines
    matches = []
    for line in lines:
        match = POSITIONED.match(line)
        assert match, f"not a positioned error: {line!r}"
        assert match["file"] == str(spec)
        matches.append(match)
    return matches


def write_spec(tmp_path: Path, extra: str, base: str = BASE) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_text(base + extra, encoding="utf-8")
    return spec


def line_of(spec: Path, needle: str) -> int:
    for number, line in enumerate(spec.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


# --- the proxy config and the 1 MiB ConfigMap limit -------------------------------------------


def _big_config(models: int) -> str:
    model_list = [
        {"model_name": f"model-{i:05d}", "litellm_params": {"model": f"openai/gpt-4o-{i:05d}",
                                                             "api_key": "os.environ/OPENAI_API_KEY"}}
        for i in range(models)
    ]
    body = dump_yaml({"gateway": {"config": {"proxy_config": {"model_list": model_list}}}})
    return body


def test_a_proxy_config_over_one_mib_is_refused(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, _big_config(9500))
    (match,) = errors_of(spec)
    assert "1 MiB" in match["message"] and "ConfigMap" in match["message"], match["message"]
    # the value's position: the first line of the mapping under `proxy_config:`
    assert int(match["line"]) == line_of(spec, "proxy_config:") + 1
    assert not (tmp_path / "deploy").exists()


def test_a_proxy_config_under_the_limit_compiles(tmp_path: Path) -> None:
    compilation = compile_text(BASE + _big_config(300))
    for target in TARGETS:
        bundle = render(compilation, target)
        assert bundle.files


# --- names and labels -----------------------------------------------------------------------------


def test_the_longest_metadata_name_fits_every_suffix() -> None:
    """metadata.name is capped at 40 so `<name>-gateway-config`, `<name>-migrations-<hash>` and
    every Service/label stay within 63."""
    name = "a" * 40
    compilation = compile_text(BASE.replace("name: limits", f"name: {name}"))
    for target in ("kustomize", "helm", "compose"):
        assert render(compilation, target).files
    too_long = BASE.replace("name: limits", f"name: {'a' * 41}")
    with pytest.raises(LitectlError) as caught:
        compile_text(too_long)
    assert caught.value.diagnostics[0].span is not None


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (f"serviceAccount: {{create: true, name: {'s' * 254}}}\n", "serviceAccount"),
        (f"image: {{pullSecrets: [{'p' * 254}]}}\n", "pullSecrets"),
        (f"gateway: {{envSecrets: [{'e' * 254}]}}\n", "envSecrets"),
        (f"gateway: {{envConfigMaps: [{'c' * 254}]}}\n", "envConfigMaps"),
        (f"redis: {{host: r, passwordSecret: {{name: {'r' * 254}}}}}\n", "passwordSecret"),
        ("metadata:\n  name: limits\n  labels: {team: " + "v" * 64 + "}\n", "labels"),
        ("metadata:\n  name: limits\n  labels: {team: 'has space'}\n", "labels"),
        ("metadata:\n  name: limits\n  labels: {'bad key!': x}\n", "labels"),
        ("metadata:\n  name: limits\n  labels: {" + "k" * 64 + ": x}\n", "labels"),
        ("metadata:\n  name: limits\n  annotations: {'not a key': x}\n", "annotations"),
        ("metadata:\n  name: limits\n  labels: {'0755': x}\n", "labels"),
        ("gateway: {service: {annotations: {'8': x}}}\n", "annotations"),
        ("gateway: {podLabels: {team: " + "v" * 64 + "}}\n", "podLabels"),
        ("gateway: {podAnnotations: {'/x': y}}\n", "podAnnotations"),
    ],
    ids=["sa-name", "pull-secret", "env-secret", "env-configmap", "redis-secret", "label-value-long",
         "label-value-space", "label-key-bad", "label-key-long", "annotation-key-bad", "label-key-number", "service-annotation-key-number", "pod-label-long",
         "pod-annotation-key"],
)
def test_names_and_labels_kubernetes_rejects_are_refused(tmp_path: Path, extra: str, needle: str) -> None:
    base = BASE
    if extra.startswith("metadata:"):
        base = BASE.replace("metadata:\n  name: limits\n", "")
    spec = write_spec(tmp_path, extra, base)
    matches = errors_of(spec)
    assert any(int(m["line"]) == line_of(spec, needle) for m in matches), [m.group() for m in matches]


# --- ports -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "publish",
    ["{gateway: 4000, backend: 4000}", "{gateway: 8080}", "{ui: 9000, backend: 9000, gateway: 0}"],
)
def test_compose_host_port_clashes_are_positioned_errors(tmp_path: Path, publish: str) -> None:
    spec = write_spec(tmp_path, f"ingress: {{enabled: true}}\ntargets:\n  compose:\n    publish: {publish}\n")
    (match,) = errors_of(spec, "-t", "compose")
    assert "host port" in match["message"]
    assert int(match["line"]) == line_of(spec, "publish:")


def test_compose_port_clash_in_an_environment_points_at_the_environment(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        "targets:\n  compose: {}\nenvironments:\n  dev:\n    targets:\n      compose:\n"
        "        publish: {ui: 4000}\n",
    )
    (match,) = errors_of(spec, "-t", "compose")
    assert match["message"].startswith("environment dev: ")
    assert int(match["line"]) == line_of(spec, "publish: {ui: 4000}")


def test_equal_service_ports_of_different_components_are_fine() -> None:
    """Each component has a Service of its own: equal ports do not clash in Kubernetes."""
    compilation = compile_text(BASE + "gateway: {service: {port: 80}}\nbackend: {service: {port: 80}}\n")
    for target in TARGETS:
        assert render(compilation, target).files


# --- autoscaling ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resources",
    ["{}", "{requests: {memory: 1Gi}}", "{limits: {memory: 1Gi}}"],
)
def test_an_hpa_with_no_cpu_request_is_refused(tmp_path: Path, resources: str) -> None:
    spec = write_spec(tmp_path, f"gateway:\n  hpa: {{targetMemoryUtilizationPercentage: null}}\n"
                                f"  resources: {resources}\n")
    (match,) = errors_of(spec)
    assert "resources.requests.cpu" in match["message"]
    assert int(match["line"]) == line_of(spec, "resources:")


def test_an_hpa_with_no_metric_is_refused(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "backend:\n  hpa:\n    targetCPUUtilizationPercentage: null\n")
    (match,) = errors_of(spec)
    assert "targetCPUUtilizationPercentage" in match["message"]


def test_limits_alone_count_as_requests() -> None:
    """Kubernetes copies limits into unset requests, so an HPA can scale on them."""
    compilation = compile_text(BASE + "backend:\n  resources: {limits: {cpu: '1', memory: 1Gi}}\n")
    assert compilation.base.backend is not None and compilation.base.backend.hpa is not None


# --- values Helm cannot carry ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (".nan", ".nan is not a number"),
        ("-.inf", "-.inf is not a number"),
        ("12345678901234567890", "64-bit float"),
        ('"a\\x7fb"', "U+007F"),
        ('"a\\x85b"', "U+0085"),
    ],
)
def test_values_helm_cannot_carry_are_refused(tmp_path: Path, value: str, message: str) -> None:
    spec = write_spec(tmp_path, f"gateway:\n  config:\n    proxy_config:\n      setting: {value}\n")
    (match,) = errors_of(spec)
    assert message in match["message"]
    assert int(match["line"]) == line_of(spec, "setting:")


def test_problems_in_a_big_shared_model_list_point_at_their_own_line(tmp_path: Path) -> None:
    """A model list of 32+ entries is checked once however many environments share it; each
    finding still points at its own line, in the base and in an environment's own list."""
    def models(bad: int, indent: str) -> str:
        return "".join(f"{indent}- {{model_name: m{i}, rpm: {'.nan' if i == bad else i}}}\n" for i in range(40))

    extra = ("gateway:\n  config:\n    proxy_config:\n      model_list:\n" + models(35, "        ")
             + "environments:\n  dev:\n    metadata: {namespace: dev}\n"
             + "  qa:\n    gateway:\n      config:\n        proxy_config:\n          model_list:\n"
             + models(3, "            "))
    spec = write_spec(tmp_path, extra)
    found = sorted((int(m["line"]), m["message"]) for m in errors_of(spec))
    assert [line for line, _message in found] == [line_of(spec, "m35,"), line_of(spec, "- {model_name: m3, rpm: .nan")]
    assert all(".nan is not a number" in message for _line, message in found), found


def test_a_quoted_huge_number_is_fine() -> None:
    compilation = compile_text(BASE + "gateway: {config: {proxy_config: {big: '12345678901234567890'}}}\n")
    assert json.dumps(compilation.base.config.data) == '{"big": "12345678901234567890"}'


def test_a_multi_line_value_starting_with_a_tab_is_refused(tmp_path: Path) -> None:
    """kustomize 4.5.4 writes such a value as a block scalar it cannot read back (found by fuzzing)."""
    spec = write_spec(tmp_path, 'gateway:\n  podAnnotations:\n    example.com/x: "\\tfirst\\nsecond"\n')
    (match,) = errors_of(spec)
    assert "tab" in match["message"]
    assert int(match["line"]) == line_of(spec, "example.com/x")
    accepted = compile_text(BASE + 'gateway:\n  podAnnotations: {example.com/x: "\\tone line", example.com/y: "a\\n\\tb"}\n')
    assert accepted.base.gateway is not None


@pytest.mark.parametrize(
    ("option", "value"),
    [("chartVersion", "66.11.82429165965120936505"), ("chartVersion", "1.2.3-01"),
     ("chartVersion", "1.2.3-beta..1"), ("kubeVersion", "<<"), ("kubeVersion", ">= 1.20,"),
     ("kubeVersion", "{{ .Capabilities }}")],
)
def test_chart_versions_helm_rejects_are_refused(tmp_path: Path, option: str, value: str) -> None:
    """Helm refuses a chart whose version overflows its integers (found by fuzzing) or is no SemVer,
    and cannot install one whose kubeVersion is no constraint."""
    spec = write_spec(tmp_path, f"targets:\n  helm: {{{option}: '{value}'}}\n")
    (match,) = errors_of(spec, "-t", "helm")
    assert int(match["line"]) == line_of(spec, option)


@pytest.mark.realtool
@pytest.mark.parametrize(
    ("version", "kube"),
    [("9999999999999999999.0.0", "^1.27"), ("1.2.3-rc.1+build.5", ">= 1.20, < 2.0"),
     ("0.1.0", ">=1.20 || <1.10"), ("2.0.0", "1.20 - 1.40")],
)
def test_chart_versions_within_the_rules_render(tmp_path: Path, version: str, kube: str) -> None:
    import realtools as rt
    from test_hardening_common import write

    compilation = compile_text(BASE + f"targets:\n  helm: {{chartVersion: '{version}', kubeVersion: '{kube}'}}\n")
    chart = write(render(compilation, "helm"), tmp_path / "chart")
    assert rt.helm_render(chart, values_files=[chart / "values.yaml"], release="r", namespace="n")
