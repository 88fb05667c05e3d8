"""`litectl import --from-helm-values`: values of the upstream componentized chart become a spec.

What users rely on: the spec validates as written, it wires the same runtime contract as the
upstream chart did (checked end to end with real Helm in the round trip below), defaults never
cause noise, and every value that cannot be carried over is named once, with its position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import Result, run
from litectl.compiler import ir
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.importer import import_helm_values, import_loaded
from litectl.compiler.loader import load_text
from litectl.compiler.validate import compile_file, compile_loaded
from litectl.schema import SCHEMA_ID

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
MINIMAL_VALUES = FIXTURES / "upstream-values-minimal.yaml"
FULL_VALUES = FIXTURES / "upstream-values-full.yaml"
DEFAULT_VALUES = FIXTURES / "upstream-values-defaults.yaml"

REQUIRED = """\
database:
  writer:
    host: postgres.example.com
    dbname: litellm
"""


def imported(tmp_path: Path, values: str, *args: str) -> tuple[Result, Path]:
    """Write `values`, run `litectl import` on it (spec to stdout), save the spec next to it."""
    source = tmp_path / "values.yaml"
    source.write_text(values, encoding="utf-8")
    result = run(["import", "--from-helm-values", str(source), *args])
    spec = tmp_path / "spec.yaml"
    spec.write_text(result.out, encoding="utf-8")
    return result, spec


def spec_data(text: str) -> dict[str, Any]:
    data = load_text(text, "spec.yaml").data
    assert isinstance(data, dict)
    return data


def at(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def warning_paths(err: str) -> list[str]:
    return re.findall(r": warning: .* \[\$\.(.*)\]$", err, re.MULTILINE)


def line_of(path: Path, text: str, start: int = 1) -> int:
    """1-based number of the first line at or after `start` that starts with `text`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if number >= start and line.startswith(text):
            return number
    raise AssertionError(f"{text!r} not in {path}")


# --- the documented minimal values -------------------------------------------------------------


def test_minimal_values_become_a_valid_commented_spec() -> None:
    result = run(["import", "--from-helm-values", str(MINIMAL_VALUES)])
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == f"# yaml-language-server: $schema={SCHEMA_ID}"
    assert sum(line.lstrip().startswith("#") for line in lines) >= 8, "a commented spec"
    data = spec_data(result.out)
    assert data["metadata"] == {"name": "litellm"}
    assert data["masterKey"] == {"secretName": "litellm-master-key-secret", "secretKey": "master-key"}
    assert data["database"] == {
        "writer": {
            "host": "litellm-pg-rw.litellm.svc",
            "port": 5432,
            "dbname": "litellm",
            "passwordSecret": {
                "name": "litellm-writer-secret",
                "usernameKey": "username",
                "passwordKey": "password",
            },
        }
    }
    assert data["ingress"] == {"enabled": True, "className": "alb", "host": "aigateway.example.com"}
    assert data["targets"] == {"helm": {"output": "deploy/helm"}}
    compile_loaded(load_text(result.out, "spec.yaml"))  # validates, every environment merged


def test_the_same_values_give_the_same_bytes() -> None:
    first = import_helm_values(FULL_VALUES)
    assert import_helm_values(FULL_VALUES) == first
    assert run(["import", "--from-helm-values", str(FULL_VALUES)]).out == first.text


def test_upstream_defaults_import_silently_as_litectl_defaults(tmp_path: Path) -> None:
    """A copy of the upstream values.yaml must not produce a warning per default it holds."""
    result = run(["import", "--from-helm-values", str(DEFAULT_VALUES)])
    assert (result.code, result.err) == (0, "")
    spec = tmp_path / "imported.yaml"
    spec.write_text(result.out, encoding="utf-8")
    plain = tmp_path / "plain.yaml"
    plain.write_text(
        "apiVersion: litectl/v1alpha1\nkind: LiteLLMTopology\nmetadata: {name: litellm}\n"
        "targets: {helm: {output: deploy/helm}}\n" + REQUIRED,
        encoding="utf-8",
    )
    ours, theirs = compile_file(spec).base, compile_file(plain).base
    assert ours.document == theirs.document


# --- mapping ------------------------------------------------------------------------------------


FULL_EXPECTED: dict[str, Any] = {
    "metadata.name": "llm",  # fullnameOverride
    "image.repository": "ghcr.io/berriai/litellm-non_root",
    "image.pullPolicy": "Always",
    "image.pullSecrets": ["ghcr-pull"],  # imagePullSecrets, `- name:` items
    "masterKey": {"secretName": "llm-master-key", "secretKey": "key"},
    "database.writer.useIAMAuth": True,
    "database.writer.sslMode": "verify-full",
    "database.writer.passwordSecret.name": "llm-db",
    # the upstream reader has defaults of its own, where litectl's fall back to the writer's
    "database.reader.port": 5433,
    "database.reader.useIAMAuth": False,
    "database.reader.passwordSecret.name": "litellm-reader-secret",
    "database.connectionPool": {"enabled": True, "maxDbConnections": 40},
    "redis": {
        "host": "redis.llm.svc",
        "port": 6380,
        "cluster": True,
        "passwordSecret": {"name": "llm-redis"},
    },
    "serviceAccount": {
        "create": True,
        "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/llm"},
    },
    "gateway.replicas": 3,
    "gateway.numWorkers": 4,
    "gateway.logLevel": "DEBUG",
    # behavior carried over although the HPA is off: turning it on later keeps the user's policy
    "gateway.hpa": {"enabled": False, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}},
    "gateway.strategy": {"type": "RollingUpdate"},
    "gateway.pdb": {"enabled": True, "minAvailable": 1},
    "gateway.extraEnv": [{"name": "LITELLM_MODE", "value": "PRODUCTION"}],
    "gateway.envSecrets": ["llm-providers"],
    "gateway.nodeSelector": {"kubernetes.io/arch": "amd64"},
    "gateway.podAnnotations": {"prometheus.io/scrape": "true"},
    "gateway.securityContext": {"readOnlyRootFilesystem": True},
    "gateway.config.proxy_config.model_list.0.model_name": "gpt-4o",
    "backend.hpa": {"maxReplicas": 6},
    "backend.envConfigMaps": ["llm-backend-env"],  # from envFrom
    "backend.startupProbe.failureThreshold": 30,
    "ui.hpa": {"enabled": True},
    "ui.extraEnv": [{"name": "LITELLM_BACKEND_URL", "value": "https://llm.example.com"}],
    "migrationJob.ttlSecondsAfterFinished": None,
    "migrationJob.hooks": {"helm": {"weight": -5}, "argocd": {"enabled": True}},
    "migrationJob.extraEnv": [{"name": "USE_V2_MIGRATION_RESOLVER", "value": "false"}],
    "ingress.controller": "nginx",
    "ingress.extraPaths": [{"path": "/watsonx"}],
}


@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    return spec_data(import_helm_values(FULL_VALUES).text)


@pytest.mark.parametrize("dotted", sorted(FULL_EXPECTED))
def test_values_map_to_the_spec(full: dict[str, Any], dotted: str) -> None:
    assert at(full, dotted) == FULL_EXPECTED[dotted]


def test_defaults_are_left_out(full: dict[str, Any]) -> None:
    assert "tag" not in full["image"]  # "1.104.0", litectl's default too
    assert "service" not in full["gateway"]  # type ClusterIP, port 4000
    assert "resources" not in full["backend"]


def test_reader_wiring_keeps_the_upstream_defaults(full: dict[str, Any], tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(import_helm_values(FULL_VALUES).text, encoding="utf-8")
    gateway = compile_file(spec).base.gateway
    assert gateway is not None
    env = {e.name: e for e in gateway.env}
    assert env["DATABASE_PORT_READ_REPLICA"].value == "5433"
    assert env["DATABASE_PASSWORD_READ_REPLICA"].secret == ir.SecretKeyRef(
        "litellm-reader-secret", "password"
    )
    assert env["IAM_TOKEN_DB_AUTH"].value == "true"  # the writer keeps IAM auth
    assert "DATABASE_PASSWORD" not in env
    # ui.backendUrl lands right after LITELLM_LOG, where the upstream chart puts it
    ui = compile_file(spec).base.ui
    assert ui is not None
    assert [e.name for e in ui.env][:2] == ["LITELLM_LOG", "LITELLM_BACKEND_URL"]


# --- warnings -----------------------------------------------------------------------------------


def test_every_value_that_cannot_be_mapped_is_one_positioned_warning() -> None:
    result = run(["import", "--from-helm-values", str(FULL_VALUES)])
    assert result.code == 0
    expected = [
        ("gateway.keda", line_of(FULL_VALUES, "  keda:"), 3),
        ("migrationJob.serviceAccountName", line_of(FULL_VALUES, "  serviceAccountName:"), 3),
        ("telemetry", line_of(FULL_VALUES, "telemetry:"), 1),
        ("replicaCount", line_of(FULL_VALUES, "replicaCount:"), 1),
    ]
    lines = result.err.splitlines()
    assert len(lines) == len(expected), result.err
    for line, (path, number, column) in zip(lines, expected, strict=True):
        assert line.startswith(f"{FULL_VALUES}:{number}:{column}: warning: {path}: not imported: "), line
        assert line.endswith(f"[$.{path}]"), line
    # the disabled metrics sidecar, `lens.library: true` and `monolith.enabled: false` change
    # nothing upstream: no warning for them (the HPA's behavior and strategy are imported)
    for quiet in ("gateway.hpa.behavior", "gateway.strategy", "ui.metricsServer", "lens", "monolith"):
        assert quiet not in warning_paths(result.err)
    # the spec lists them too, for whoever reads it later
    assert "# Not imported" in result.out and "gateway.keda" in result.out


UNMAPPED_CASES = {
    "migrationJob.extraContainers": "migrationJob:\n  extraContainers: [{name: x, image: busybox}]\n",
    "gateway.hpa.targetTokensPerSecond": "gateway:\n  hpa: {targetTokensPerSecond: 6M}\n",
    "gateway.service.appProtocol": "gateway:\n  service: {appProtocol: http}\n",
    "gateway.config.create": "gateway:\n  config: {create: false}\n",
    "gateway.metricsServer": "gateway:\n  metricsServer: {enabled: true}\n",
    "serviceAccounts.ui": "serviceAccounts:\n  ui: {create: true}\n",
    "serviceAccounts.backend.annotations": (
        "serviceAccounts:\n  gateway: {annotations: {a: b}}\n  backend: {annotations: {a: c}}\n"
    ),
    "migrationJob.automountServiceAccountToken": "migrationJob:\n  automountServiceAccountToken: true\n",
    "monolith": "monolith:\n  enabled: true\n",
    "nameOverride": "nameOverride: llm\n",
    "gateway.unknownKey": "gateway:\n  unknownKey: {deep: {er: 1}}\n",
    "masterKey.generate": "masterKey:\n  secretName: ''\n  generate: true\n",
}


def test_entra_auth_is_imported_on_writer_and_reader(tmp_path: Path) -> None:
    values = ("database:\n  writer: {host: pg, dbname: litellm, useAzureEntraAuth: true}\n"
              "  reader: {host: pg-ro, dbname: litellm}\n")
    result, spec = imported(tmp_path, values)
    assert result.code == 0, result.err
    data = spec_data(result.out)
    assert at(data, "database.writer.useAzureEntraAuth") is True
    # upstream's reader toggle defaults to false: the reader keeps its password, as upstream does
    assert at(data, "database.reader.useAzureEntraAuth") is False
    env = {e.name for e in compile_file(spec).base.gateway.env}  # type: ignore[union-attr]
    assert {"AZURE_POSTGRESQL_AUTH", "DATABASE_PASSWORD_READ_REPLICA"} <= env and "DATABASE_PASSWORD" not in env


@pytest.mark.parametrize("path", sorted(UNMAPPED_CASES))
def test_unmapped_value_is_reported_by_path(path: str, tmp_path: Path) -> None:
    values = UNMAPPED_CASES[path]
    if not values.startswith("database:"):
        values = REQUIRED + values
    else:
        values = values.replace("writer: {", "writer: {host: pg, dbname: litellm, ")
    result, spec = imported(tmp_path, values)
    assert result.code == 0, result.err
    assert warning_paths(result.err) == [path]
    compile_file(spec)


def test_values_litectl_refuses_are_dropped_with_a_warning(tmp_path: Path) -> None:
    """The upstream chart passes an upper-case host through; the spec's schema does not."""
    result, spec = imported(tmp_path, REQUIRED + "ingress:\n  enabled: true\n  host: AI.Example.COM\n")
    assert result.code == 0
    assert warning_paths(result.err) == ["ingress.host"]
    assert "must be a lowercase DNS host name" in result.err
    assert compile_file(spec).base.ingress is not None


def test_helm_reads_yaml_1_1_booleans(tmp_path: Path) -> None:
    result, _ = imported(tmp_path, REQUIRED + "ingress:\n  enabled: yes\n  host: llm.example.com\n")
    assert result.code == 0
    assert spec_data(result.out)["ingress"]["enabled"] is True


# --- options, output, invalid input -------------------------------------------------------------


def test_name_option_and_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "litellm.yaml"
    target.parent.mkdir()
    result = run(["import", "--from-helm-values", str(FULL_VALUES), "-o", str(target), "--name", "gw"])
    assert result.code == 0 and result.out == ""
    assert len(result.err.splitlines()) == 4  # the warnings still go to stderr
    assert spec_data(target.read_text(encoding="utf-8"))["metadata"]["name"] == "gw"
    # never overwrites: a spec may have been edited since
    before = target.read_bytes()
    again = run(["import", "--from-helm-values", str(MINIMAL_VALUES), "-o", str(target)])
    assert again.code == 2 and "exists" in again.err
    assert target.read_bytes() == before


def test_bad_name_is_a_usage_error() -> None:
    assert run(["import", "--from-helm-values", str(MINIMAL_VALUES), "--name", "Not_A_Label"]).code == 2
    assert run(["import"]).code == 2  # --from-helm-values is required


INVALID: dict[str, tuple[str, str]] = {
    "no writer host": ("database:\n  writer:\n    dbname: litellm\n", "database.writer.host: is required"),
    "empty master key": (
        REQUIRED + "masterKey:\n  secretName: ''\n",
        "masterKey.secretName: is empty and masterKey.generate is false",
    ),
    "replicas not a number": (REQUIRED + "gateway:\n  replicaCount: three\n", "expected an integer"),
    "extraEnv not a list": (REQUIRED + "ui:\n  extraEnv: {A: b}\n", "ui.extraEnv: expected a list"),
    "reader without dbname": (
        REQUIRED.replace("    dbname: litellm\n", "    dbname: litellm\n  reader:\n    host: ro\n"),
        "database.reader.dbname: is required",
    ),
    "not a mapping": ("- a\n- b\n", "must be a mapping at the top level"),
    "not YAML": ("database: [\n", "error:"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_input_exits_1_with_a_positioned_error(case: str, tmp_path: Path) -> None:
    values, message = INVALID[case]
    result, _ = imported(tmp_path, values)
    assert result.code == 1, result.err
    assert result.out == ""
    assert message in result.err
    assert re.search(r"values\.yaml:\d+:\d+: error: ", result.err), result.err


def test_missing_file_exits_1(tmp_path: Path) -> None:
    result = run(["import", "--from-helm-values", str(tmp_path / "nope.yaml")])
    assert result.code == 1 and "cannot read file" in result.err


def test_api_raises_user_errors_only() -> None:
    with pytest.raises(LitectlError):
        import_loaded(load_text("database: {writer: {}}\n", "v.yaml"))


def _all_paths(data: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _all_paths(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix


def test_every_leaf_of_the_full_values_is_accounted_for() -> None:
    """Mapped (the spec changes when it changes), default, inert, or warned about: never lost."""
    values = load_text(FULL_VALUES.read_text(encoding="utf-8"), str(FULL_VALUES)).data
    baseline = import_helm_values(FULL_VALUES)
    warned = {d.path for d in baseline.warnings}
    silent_on_purpose = {
        "ui.metricsServer.enabled",
        "ui.metricsServer.port",  # disabled sidecar
        "monolith.enabled",
        "lens.library",  # upstream defaults
        "gateway.service.type",
        "gateway.service.port",
        "gateway.service.portName",  # defaults
        "serviceAccounts.ui.create",
        "serviceAccounts.ui.automount",  # defaults
        "database.reader.dbname",  # the writer's, which litectl falls back to
        "image.tag",  # the default tag
        # the same as the gateway's: changing one alone is reported, not lost
        "serviceAccounts.backend.create",
        "serviceAccounts.backend.annotations.eks.amazonaws.com/role-arn",
        "serviceAccounts.gateway.create",
        "serviceAccounts.gateway.annotations.eks.amazonaws.com/role-arn",
    }
    for dotted in _all_paths(values):
        if any(
            dotted == ".".join(map(str, w)) or dotted.startswith(".".join(map(str, w)) + ".") for w in warned
        ):
            continue
        if dotted in silent_on_purpose:
            continue
        assert _changes_the_spec(values, dotted), f"{dotted} is neither mapped nor reported"


def _changes_the_spec(values: dict[str, Any], dotted: str) -> bool:
    """Whether changing the value at `dotted` changes the imported spec."""
    import copy

    from litectl.compiler.output import dump_yaml

    keys = dotted.split(".")
    # keys with dots (annotation names) were split: rejoin greedily against the data
    node: Any = values
    parts: list[str] = []
    index = 0
    while index < len(keys):
        key = keys[index]
        while isinstance(node, dict) and key not in node and index + 1 < len(keys):
            index += 1
            key = f"{key}.{keys[index]}"
        parts.append(key)
        node = node[key] if isinstance(node, dict) else node
        index += 1
    changed = copy.deepcopy(values)
    node = changed
    for part in parts[:-1]:
        node = node[part]
    old = node[parts[-1]]
    node[parts[-1]] = _different(old)
    before = import_loaded(load_text(dump_yaml(values), "v.yaml")).text
    try:
        after = import_loaded(load_text(dump_yaml(changed), "v.yaml")).text
    except LitectlError:
        return True  # the new value is refused: the value matters
    return before != after


def _different(value: Any) -> Any:
    if value is None:
        return 1
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x" if not value.startswith("/") else value + "/x"
    if isinstance(value, list):
        return [*value, value[-1]] if value else ["x"]
    return value


# --- round trip: upstream values -> import -> compile -> real Helm -> the upstream contract -------


@pytest.mark.realtool
def test_round_trip_keeps_the_upstream_runtime_contract(tmp_path: Path) -> None:
    """The documented minimal values, imported and compiled, wire what the upstream chart wired.

    Compared with the contract extraction of the helm target's tests, against the reference
    render of the upstream chart made from the same values; the only differences allowed are the
    ones SPEC.md names (listed below, as in test_minimal_matches_the_upstream_runtime_contract).
    """
    import realtools
    from test_helm_render import UPSTREAM, _contract, containers, pod_spec, render

    spec = tmp_path / "litellm.yaml"
    assert run(["import", "--from-helm-values", str(MINIMAL_VALUES), "-o", str(spec)]).code == 0
    chart = tmp_path / "chart"
    compiled = run(["compile", str(spec), "--target", "helm", "-o", str(chart)])
    assert compiled.code == 0, compiled.err

    ours_objects = [
        o for o in render(chart) if o["metadata"].get("annotations", {}).get("helm.sh/hook") != "test"
    ]
    upstream_objects = realtools.parse_yaml_documents(UPSTREAM.read_text(encoding="utf-8"))
    # SPEC.md 11: objects are <metadata.name>-<component>; upstream's <release>-<chart>-<component>.
    upstream = _contract(upstream_objects, "litellm-litellm-")
    ours = _contract(ours_objects, "litellm-")
    upstream["Ingress"]["paths"] = [
        (
            path,
            kind,
            service.removeprefix("litellm-litellm") if service == "litellm-litellm" else service,
            port,
        )
        for path, kind, service, port in upstream["Ingress"]["paths"]
    ]
    # SPEC.md 6: the Job runs as the gateway's and backend's ServiceAccount and mounts its token.
    job = next(o for o in ours_objects if o["kind"] == "Job")
    assert pod_spec(job)["automountServiceAccountToken"] is True
    # SPEC.md 7: podSecurity baseline contexts, where upstream renders none.
    for obj in ours_objects:
        if obj["kind"] in ("Deployment", "Job"):
            assert pod_spec(obj)["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
            assert containers(obj)[0]["securityContext"] == {"allowPrivilegeEscalation": False}
    # SPEC.md 7: `replicas: 1` written for the ui (no HPA), which the API server defaults to anyway.
    assert (ours["Deployment/ui"]["replicas"], upstream["Deployment/ui"]["replicas"]) == (1, None)
    upstream["Deployment/ui"]["replicas"] = 1
    assert sorted(ours) == sorted(upstream)
    for key in sorted(upstream):
        assert ours[key] == upstream[key], key


# --- issue 13.1: the pod and Deployment extras keep their upstream keys ---------------------------

POD_EXTRAS_VALUES = """\
gateway:
  volumes: [{name: ca, secret: {secretName: db-ca}}]
  volumeMounts: [{name: ca, mountPath: /etc/ssl/db, readOnly: true}]
  extraInitContainers: [{name: init, image: busybox}]
  extraContainers: [{name: side, image: busybox}]
  lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}
  strategy: {type: Recreate}
  minReadySeconds: 10
  terminationGracePeriodSeconds: 45
  priorityClassName: high
  deploymentAnnotations: {a: b}
  deploymentLabels: {team: ml}
  service: {type: LoadBalancer, loadBalancerClass: service.k8s.aws/nlb}
  hpa: {behavior: {scaleDown: {stabilizationWindowSeconds: 60}}}
migrationJob:
  volumes: [{name: ca, secret: {secretName: db-ca}}]
  volumeMounts: [{name: ca, mountPath: /etc/ssl/db}]
  extraInitContainers: [{name: wait, image: busybox}]
"""


def test_pod_extras_import_under_their_upstream_keys(tmp_path: Path) -> None:
    result, spec = imported(tmp_path, REQUIRED + POD_EXTRAS_VALUES)
    assert (result.code, result.err) == (0, "")
    data = spec_data(result.out)
    values = load_text(POD_EXTRAS_VALUES, "v.yaml").data
    for section, keys in (("gateway", values["gateway"]), ("migrationJob", values["migrationJob"])):
        for key, value in keys.items():
            if key in ("service", "hpa"):
                continue
            assert data[section][key] == value, (section, key)
    assert data["gateway"]["service"]["loadBalancerClass"] == "service.k8s.aws/nlb"
    assert data["gateway"]["hpa"]["behavior"] == {"scaleDown": {"stabilizationWindowSeconds": 60}}
    gateway = compile_file(spec).base.gateway
    assert gateway is not None and gateway.pod.extras.sidecars[0]["name"] == "side"


# --- extraResources (issue #13 point 4) ----------------------------------------------------------


def test_extra_resources_carry_over_and_templating_is_reported(tmp_path: Path) -> None:
    values = REQUIRED + (
        "extraResources:\n"
        "  - apiVersion: networking.k8s.io/v1\n    kind: NetworkPolicy\n    metadata: {name: deny}\n"
        "    spec: {podSelector: {}, policyTypes: [Ingress]}\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: '{{ .Release.Name }}-x'}\n"
        "  - just text\n"
    )
    result, spec = imported(tmp_path, values)
    assert result.code == 0, result.err
    # a templated object would reach the cluster as literal text: left out, as is a non-object
    assert warning_paths(result.err) == ["extraResources[1]", "extraResources[2]"]
    assert "tpl" in result.err
    [policy] = spec_data(result.out)["extraResources"]
    assert policy["kind"] == "NetworkPolicy"
    objects = compile_file(spec).base.extra_resources
    assert [o["metadata"]["name"] for o in objects] == ["deny"]
