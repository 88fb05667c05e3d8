"""The chart under real Helm: lint, Kubernetes schemas, Pod Security, the upstream runtime
contract, `--set` overrides users try, and the chart's own errors for invalid combinations."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import realtools
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.output import dump_yaml
from litectl.compiler.validate import compile_file
from litectl.targets import kube
from test_helm import REPO, chart_dirs, env_params, topologies, values_files
from test_helm_equivalence import by_key, comparable

__all__ = ["chart_dirs"]  # the shared session fixture, used by name

MINIMAL = REPO / "examples" / "minimal.yaml"
UPSTREAM = REPO.parent / "shared" / "reference" / "upstream-render-minimal.yaml"


def render(chart: Path, env: str | None = None, *, set_values: Mapping[str, Any] | None = None,
           release: str = "litellm", namespace: str = "litellm") -> list[dict[str, Any]]:
    return realtools.helm_render(chart, values_files=values_files(chart, env), set_values=set_values,
                                 release=release, namespace=namespace)


def find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name} not rendered once: {[(o['kind'], o['metadata']['name']) for o in objects]}"
    return matches[0]


def containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = obj["spec"]["template"]["spec"] if obj["kind"] != "Pod" else obj["spec"]
    return list(spec["containers"])


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"] if obj["kind"] != "Pod" else obj["spec"]
    return spec


def env_map(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


# --- every spec, base and environments: lint, schemas, Pod Security ----------------------------


@pytest.mark.realtool
@pytest.mark.parametrize(("spec", "env"), env_params())
def test_lint_strict_and_kubernetes_schemas(spec: Path, env: str | None, chart_dirs: dict[Path, Path]) -> None:
    chart = chart_dirs[spec]
    assert realtools.helm_lint(chart, values_files(chart, env), strict=True) == []
    if env is None:
        assert realtools.helm_lint(chart, [], strict=True) == []  # `helm lint --strict <chart>` as shipped
    objects = render(chart, env, release="rel", namespace="ns")
    assert objects
    assert realtools.k8s_validate_all(objects) == []  # strict, 1.27 and the newest bundled version
    topology = next(t for t in topologies(spec) if t.environment == env)
    if topology.pod_security == "restricted":
        for obj in objects:
            if obj["kind"] in ("Deployment", "Job", "Pod"):
                assert pss_restricted_problems(obj) == [], obj["metadata"]["name"]


ALLOWED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                   "projected", "secret"}


def pss_restricted_problems(obj: dict[str, Any]) -> list[str]:
    """The Pod Security Standards "restricted" rules (and the baseline ones they include)."""
    pod = pod_spec(obj)
    pod_ctx = pod.get("securityContext", {})
    problems = []
    if any(pod.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")):
        problems.append("host namespaces")
    for volume in pod.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= ALLOWED_VOLUMES:
            problems.append(f"volume type {kinds}")
    for c in [*pod.get("initContainers", []), *pod["containers"]]:
        ctx = c.get("securityContext", {})
        name = c["name"]
        if ctx.get("privileged"):
            problems.append(f"{name}: privileged")
        if ctx.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation must be false")
        caps = ctx.get("capabilities", {})
        if "ALL" not in caps.get("drop", []):
            problems.append(f"{name}: capabilities must drop ALL")
        if set(caps.get("add", [])) - {"NET_BIND_SERVICE"}:
            problems.append(f"{name}: only NET_BIND_SERVICE may be added")
        if not ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot")):
            problems.append(f"{name}: runAsNonRoot")
        if ctx.get("runAsUser", pod_ctx.get("runAsUser")) == 0:
            problems.append(f"{name}: runAsUser 0")
        seccomp = ctx.get("seccompProfile", pod_ctx.get("seccompProfile", {})).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problems.append(f"{name}: seccompProfile")
        if any("hostPort" in p for p in c.get("ports", [])):
            problems.append(f"{name}: hostPort")
    return problems


# --- the upstream chart's runtime contract (examples/minimal.yaml) --------------------------------


def _component(name: str, prefix: str) -> str:
    return name.removeprefix(prefix)


def _contract(objects: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    """What the image and the cluster see: per component args, env (name and source), ports,
    probes, resources, mounts, HPA; the Job's hook settings; the ingress routes in order."""
    out: dict[str, Any] = {}
    for obj in objects:
        kind, name = obj["kind"], obj["metadata"]["name"]
        component = _component(name, prefix)
        if kind in ("Deployment", "Job"):
            c = containers(obj)[0]
            env: list[tuple[str, ...]] = []
            for e in c.get("env", []):
                if "value" in e:
                    env.append((e["name"], "literal", e["value"]))
                else:
                    ref = e["valueFrom"]["secretKeyRef"]
                    env.append((e["name"], "secret", ref["name"], ref["key"]))
            entry = {
                "container": c["name"], "image": c["image"], "args": c["args"], "env": env,
                "ports": c.get("ports"), "resources": c.get("resources"),
                "probes": {k: c[k] for k in ("livenessProbe", "readinessProbe", "startupProbe") if k in c},
                "mounts": [m for m in c.get("volumeMounts", []) if m["name"] == "gateway-config"],
                "configVolume": [_component(v["configMap"]["name"], prefix) for v in pod_spec(obj).get("volumes", [])
                                 if "configMap" in v],
                "serviceAccountName": pod_spec(obj)["serviceAccountName"],
            }
            if kind == "Job":
                spec = obj["spec"]
                entry |= {"hooks": {k: v for k, v in obj["metadata"].get("annotations", {}).items()
                                    if k.startswith("helm.sh/hook")},
                          "job": {k: spec.get(k) for k in ("backoffLimit", "ttlSecondsAfterFinished",
                                                             "activeDeadlineSeconds")},
                          "restartPolicy": pod_spec(obj)["restartPolicy"]}
            else:
                entry["replicas"] = obj["spec"].get("replicas")
            out[f"{kind}/{component}"] = entry
        elif kind == "HorizontalPodAutoscaler":
            spec = obj["spec"]
            out[f"{kind}/{component}"] = {"target": _component(spec["scaleTargetRef"]["name"], prefix),
                                          "min": spec["minReplicas"], "max": spec["maxReplicas"],
                                          "metrics": spec["metrics"]}
        elif kind == "Service":
            out[f"{kind}/{component}"] = {"type": obj["spec"]["type"], "ports": obj["spec"]["ports"]}
        elif kind == "ConfigMap":
            out[f"{kind}/{component}"] = obj["data"]
        elif kind == "Ingress":
            rule = obj["spec"]["rules"][0]
            out["Ingress"] = {
                "className": obj["spec"].get("ingressClassName"), "host": rule.get("host"),
                "paths": [(p["path"], p["pathType"], _component(p["backend"]["service"]["name"], prefix),
                           p["backend"]["service"]["port"]["number"]) for p in rule["http"]["paths"]],
            }
    return out


@pytest.mark.realtool
def test_minimal_matches_the_upstream_runtime_contract(chart_dirs: dict[Path, Path]) -> None:
    upstream_objects = realtools.parse_yaml_documents(UPSTREAM.read_text(encoding="utf-8"))
    ours_objects = render(chart_dirs[MINIMAL])
    tests = [o for o in ours_objects if o["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    ours_objects = [o for o in ours_objects if o not in tests]
    # Difference 1 (SPEC.md 11): object names are <metadata.name>-<component> because
    # fullnameOverride is pinned to metadata.name; upstream's are <release>-<chart>-<component>.
    upstream = _contract(upstream_objects, "litellm-litellm-")
    ours = _contract(ours_objects, "litellm-")
    upstream["Ingress"]["paths"] = [(p, t, c.removeprefix("litellm-litellm"), n) if c == "litellm-litellm" else
                                    (p, t, c, n) for p, t, c, n in upstream["Ingress"]["paths"]]
    # Difference 2 (SPEC.md 6): the migrations Job runs as the same ServiceAccount as gateway and
    # backend (here `default` in both charts), and so mounts its token like them (upstream: false).
    job = find(ours_objects, "Job", "litellm-migrations")
    assert pod_spec(job)["automountServiceAccountToken"] is True
    # Difference 3 (SPEC.md 7): podSecurity baseline contexts (upstream renders none).
    for obj in ours_objects:
        if obj["kind"] in ("Deployment", "Job"):
            assert pod_spec(obj)["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
            assert containers(obj)[0]["securityContext"] == {"allowPrivilegeEscalation": False}
    # Difference 4 (SPEC.md 7): `replicas` (default 1) is written when the HPA is off; upstream
    # leaves replicaCount unset, which the API server defaults to the same 1.
    assert ours["Deployment/ui"]["replicas"] == 1 and upstream["Deployment/ui"]["replicas"] is None
    upstream["Deployment/ui"]["replicas"] = 1
    # Difference 5 (SPEC.md 11): labels (part-of, instance = fullname) and the checksum, which
    # covers the config text rather than the whole rendered ConfigMap; both checked elsewhere.
    assert sorted(ours) == sorted(upstream)
    for key in sorted(upstream):
        assert ours[key] == upstream[key], key
    assert len(ours["Ingress"]["paths"]) == 96


# --- --set overrides users try ---------------------------------------------------------------------


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def spec_with(spec: Path, overrides: Mapping[str, Any], tmp: Path) -> Path:
    """The spec with the same overrides applied to its base document (the values contract is the spec)."""
    data = realtools.parse_yaml_documents(spec.read_text(encoding="utf-8"), yaml_1_1=False)[0]
    data = copy.deepcopy(data)
    for path, value in overrides.items():
        _set_path(data, path, value)
    out = tmp / spec.name
    out.write_text(dump_yaml(data), encoding="utf-8")
    return out


OVERRIDES: list[dict[str, Any]] = [
    {"gateway.hpa.maxReplicas": 20},
    {"image.tag": "1.105.0"},
    {"database.reader.host": "replica.example.com"},
    {"ingress.controller": "nginx"},
    {"gateway.enabled": False, "ingress.extraPaths": [{"path": "/custom", "service": "backend"}]},
    {"podSecurity": "restricted", "serviceAccount.create": True},
    {"redis.host": "redis.example.com", "redis.cluster": True, "database.connectionPool.enabled": True},
    {"gateway.config.proxy_config": {"model_list": [{"model_name": "{{ x }}"}], "n": 3}},
    {"redis.host": "redis.example.com", "redis.ssl": True, "redis.sslCertReqs": "none"},
    {"database.writer.useAzureEntraAuth": True, "database.reader.host": "replica.example.com"},
    {"database.writer": None, "database.urlSecret": {"name": "db-urls", "readReplicaKey": "reader"}},
    {"extraResources": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "extra", "labels": {"x": "y"}},
                         "data": {"k": "v", "n": "3"}}]},
    {"gateway.serviceMonitor.enabled": True},
    {"gateway.serviceMonitor.enabled": True, "gateway.serviceMonitor.bearerTokenSecret.name": "metrics-key",
     "gateway.serviceMonitor.relabelings": [{"targetLabel": "team", "replacement": "ml"}]},
]


@pytest.mark.realtool
@pytest.mark.parametrize("overrides", OVERRIDES, ids=[",".join(o) for o in OVERRIDES])
def test_set_overrides_render_like_the_changed_spec(overrides: dict[str, Any], chart_dirs: dict[Path, Path],
                                                    tmp_path: Path) -> None:
    objects = render(chart_dirs[MINIMAL], set_values=overrides)
    assert realtools.k8s_validate_all(objects) == []
    expected = kube.build_objects(compile_file(spec_with(MINIMAL, overrides, tmp_path)).base)
    helm_side = {k: comparable(o, "Helm")[0] for k, o in by_key(objects).items()
                 if o["metadata"].get("annotations", {}).get("helm.sh/hook") != "test"}
    kube_side = {k: comparable(o, "litectl")[0] for k, o in by_key(expected).items()}
    assert helm_side == kube_side


@pytest.mark.realtool
def test_set_overrides_spot_checks(chart_dirs: dict[Path, Path]) -> None:
    chart = chart_dirs[MINIMAL]
    hpa = find(render(chart, set_values={"gateway.hpa.maxReplicas": 20}), "HorizontalPodAutoscaler",
               "litellm-gateway")
    assert hpa["spec"]["maxReplicas"] == 20
    objects = render(chart, set_values={"image.tag": "1.105.0"})
    images = {c["image"] for o in objects if o["kind"] in ("Deployment", "Job", "Pod") for c in containers(o)}
    assert images == {"ghcr.io/berriai/litellm:1.105.0"}
    objects = render(chart, set_values={"database.reader.host": "replica.example.com"})
    for name in ("litellm-gateway", "litellm-backend"):
        env = env_map(containers(find(objects, "Deployment", name))[0])
        assert env["DATABASE_HOST_READ_REPLICA"] == "replica.example.com"
        assert env["DATABASE_PASSWORD_READ_REPLICA"] == {
            "secretKeyRef": {"name": "litellm-writer-secret", "key": "password"}}
    assert "DATABASE_HOST_READ_REPLICA" in env_map(containers(find(objects, "Job", "litellm-migrations"))[0])
    ingress = find(render(chart, set_values={"ingress.controller": "nginx"}), "Ingress", "litellm")
    paths = {p["path"]: p["pathType"] for p in ingress["spec"]["rules"][0]["http"]["paths"]}
    assert paths["/favicon.ico"] == paths["/eu.assemblyai"] == "ImplementationSpecific"
    assert "/*.txt" not in paths


# --- invalid combinations: the chart's own messages --------------------------------------------------


FAILURES: list[tuple[dict[str, Any], str]] = [
    ({"database.reader.host": "r", "database.reader.useIAMAuth": True},
     "database.reader.useIAMAuth requires database.writer.useIAMAuth"),
    ({"ingress.extraPaths": [{"path": "/v1/chat"}]}, "extra path /v1/chat (Prefix) repeats a path that is already routed"),
    ({"ingress.extraPaths": [{"path": "/x"}, {"path": "/x"}]}, "extra path /x (Prefix) repeats a path"),
    ({"ingress.extraPaths": [{"path": "/", "pathType": "Exact"}]}, "an extra path may not be '/'"),
    ({"ingress.controller": "nginx", "ingress.extraPaths": [{"path": "/favicon.ico", "service": "ui"}]},
     "extra path /favicon.ico (ImplementationSpecific) repeats"),
    ({"ui.enabled": False, "ingress.extraPaths": [{"path": "/x", "service": "ui"}]},
     "extra path routes to ui, which is disabled"),
    ({"gateway.hpa.minReplicas": 5, "gateway.hpa.maxReplicas": 2},
     "gateway.hpa.minReplicas (5) must not exceed gateway.hpa.maxReplicas (2)"),
    ({"backend.hpa.targetCPUUtilizationPercentage": None},
     "backend.hpa needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage"),
    ({"gateway.resources.requests.cpu": None, "gateway.resources.limits.cpu": None},
     "gateway.hpa scales on cpu utilisation but gateway.resources.requests.cpu is not set"),
    ({"gateway.podLabels": {"app.kubernetes.io/component": "x"}},
     "gateway.podLabels cannot set app.kubernetes.io/component: it is a selector label"),
    ({"ui.pdb": {"enabled": True, "minAvailable": 1, "maxUnavailable": 1}},
     "ui.pdb: set minAvailable or maxUnavailable, not both"),
    ({"ingress.controller": "traefik"}, "controller"),
    ({"gateway.hpa.maxReplicas": "20"}, "maxReplicas"),
    ({"database.writer.host": None}, "host"),
    ({"database.writer": None}, "database needs writer (host, dbname, passwordSecret) or urlSecret"),
    ({"database.urlSecret.name": "db-urls"}, "database.urlSecret and database.writer are exclusive"),
    ({"redis.host": "r", "redis.sslCertReqs": "none"}, "redis.sslCertReqs needs redis.ssl: true"),
    ({"database.writer.useIAMAuth": True, "database.writer.useAzureEntraAuth": True},
     "database.writer.useIAMAuth and useAzureEntraAuth are exclusive"),
    ({"database.reader.host": "r", "database.reader.useAzureEntraAuth": True},
     "database.reader.useAzureEntraAuth requires database.writer.useAzureEntraAuth"),
    ({"gateway.numWorkers": 0}, "numWorkers"),
]


@pytest.mark.realtool
@pytest.mark.parametrize(("overrides", "message"), FAILURES, ids=[",".join(f[0]) for f in FAILURES])
def test_invalid_values_fail_with_the_chart_message(overrides: dict[str, Any], message: str,
                                                    chart_dirs: dict[Path, Path], tmp_path: Path) -> None:
    with pytest.raises(realtools.HelmRejectedError) as caught:
        render(chart_dirs[MINIMAL], set_values=overrides)
    assert message in caught.value.message
    # litectl rejects the same spec too (the chart and the compiler agree on what is invalid)
    with pytest.raises(LitectlError):
        compile_file(spec_with(MINIMAL, overrides, tmp_path))


# --- no tpl: user text comes out literally ---------------------------------------------------------


@pytest.mark.realtool
def test_template_syntax_in_values_comes_out_literally(chart_dirs: dict[Path, Path]) -> None:
    chart = chart_dirs[REPO / "tests" / "specs" / "helm-wiring.yaml"]
    objects = render(chart, set_values={"gateway.config.proxy_config.boom": '{{ fail "templated!" }}',
                                        "ui.extraEnv": [{"name": "X", "value": "{{ .Release.Name }}"}]})
    config = find(objects, "ConfigMap", "wiring-gateway-config")["data"]["config.yaml"]
    assert "alerting_template: '{{ .Release.Name }}: {{ .Values.x | quote }}'" in config
    assert "boom: '{{ fail \"templated!\" }}'" in config
    assert "model_name: '{{ model }}'" in config
    gateway = env_map(containers(find(objects, "Deployment", "wiring-gateway"))[0])
    assert gateway["TEMPLATED"] == '{{ .Values.masterKey }} and {{ template "x" }}'
    assert env_map(containers(find(objects, "Deployment", "wiring-ui"))[0])["X"] == "{{ .Release.Name }}"
    assert find(objects, "Service", "wiring-ui")["metadata"]["annotations"]["note"] == \
        "{{ .Release.Name }} stays literal"


# --- hooks, identity, the helm test Pod, NOTES -------------------------------------------------------


@pytest.mark.realtool
def test_service_account_exists_before_the_migrations_hook(chart_dirs: dict[Path, Path]) -> None:
    chart = chart_dirs[REPO / "tests" / "specs" / "helm-iam.yaml"]
    objects = render(chart)
    sa = find(objects, "ServiceAccount", "iam-runner")
    job = find(objects, "Job", "iam-migrations")
    sa_ann, job_ann = sa["metadata"]["annotations"], job["metadata"]["annotations"]
    assert job_ann["helm.sh/hook"] == sa_ann["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert (job_ann["helm.sh/hook-weight"], sa_ann["helm.sh/hook-weight"]) == ("-5", "-6")
    assert job_ann["helm.sh/hook-delete-policy"] == sa_ann["helm.sh/hook-delete-policy"] == "before-hook-creation"
    assert job_ann["argocd.argoproj.io/hook"] == sa_ann["argocd.argoproj.io/hook"] == "PreSync"
    assert sa_ann["eks.amazonaws.com/role-arn"] == "arn:aws:iam::123456789012:role/iam"
    assert pod_spec(job)["serviceAccountName"] == "iam-runner"
    for name in ("iam-gateway", "iam-backend"):
        assert pod_spec(find(objects, "Deployment", name))["serviceAccountName"] == "iam-runner"
    assert pod_spec(find(objects, "Deployment", "iam-ui"))["serviceAccountName"] == "default"
    argo_only = render(chart, "argo-only")
    sa_ann = find(argo_only, "ServiceAccount", "iam-runner")["metadata"]["annotations"]
    assert "helm.sh/hook" not in sa_ann and sa_ann["argocd.argoproj.io/hook"] == "PreSync"
    assert "helm.sh/hook" not in find(argo_only, "Job", "iam-migrations")["metadata"]["annotations"]
    no_account = render(chart, "no-account")
    assert not [o for o in no_account if o["kind"] == "ServiceAccount"]
    assert pod_spec(find(no_account, "Job", "iam-migrations"))["serviceAccountName"] == "default"
    plain = render(chart_dirs[MINIMAL], set_values={"serviceAccount.create": True})
    assert find(plain, "ServiceAccount", "litellm")["metadata"]["annotations"]["helm.sh/hook-weight"] == "-1"


@pytest.mark.realtool
def test_helm_test_pod_and_notes(chart_dirs: dict[Path, Path]) -> None:
    chart = chart_dirs[MINIMAL]
    objects = render(chart)
    pod = find(objects, "Pod", "litellm-test-connection")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert env_map(containers(pod)[0]) == {"LITELLM_READINESS_URL": "http://litellm-gateway:4000/health/readiness"}
    assert containers(pod)[0]["args"][:2] == ["python", "-c"]
    backend_only = render(chart, set_values={"gateway.enabled": False})
    assert env_map(containers(find(backend_only, "Pod", "litellm-test-connection"))[0])[
        "LITELLM_READINESS_URL"] == "http://litellm-backend:4001/health/readiness"
    raw = realtools.helm_render_raw(chart, values_files=[chart / "values.yaml"], release="litellm",
                                    namespace="litellm")
    notes = raw["litellm/templates/NOTES.txt"]
    assert "litellm-migrations" in notes and "pre-install/pre-upgrade hook" in notes
    assert "http://aigateway.example.com/" in notes


@pytest.mark.realtool
def test_removing_a_section_with_null_gives_the_spec_default(chart_dirs: dict[Path, Path]) -> None:
    """Like a key left out of a spec: non-nullable sections come back with the spec's defaults."""
    chart = chart_dirs[MINIMAL]
    removed = render(chart, set_values={"gateway.hpa": None, "backend.service": None, "redis": None,
                                        "ui.resources": None, "migrationJob.hooks": None})
    original = render(chart)
    assert by_key(removed) == by_key(original)
    probe_removed = find(render(chart, set_values={"gateway.livenessProbe": None}), "Deployment", "litellm-gateway")
    assert "livenessProbe" not in containers(probe_removed)[0]  # nullable: null means none
