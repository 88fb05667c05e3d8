"""Unit tests of `targets/kube.py`: the Kubernetes objects every target's output is judged by."""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import realtools
from litectl.compiler import ir
from litectl.compiler.validate import compile_file
from litectl.targets import kube

BASE = """\
apiVersion: litectl/v1alpha1
kind: LiteLLMTopology
metadata:
  name: llm
database:
  writer:
    host: pg.example.com
    dbname: litellm
"""

Compile = Callable[..., ir.Topology]


@pytest.fixture
def topo(tmp_path: Path) -> Compile:
    """Compile BASE plus an extra YAML fragment into the base Topology."""

    def build(extra: str = "", base: str = BASE) -> ir.Topology:
        path = tmp_path / "spec.yaml"
        path.write_text(base + textwrap.dedent(extra), encoding="utf-8")
        return compile_file(path).base

    return build


def objects(t: ir.Topology) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in kube.build_objects(t)}


def container(obj: dict[str, Any]) -> dict[str, Any]:
    c: dict[str, Any] = obj["spec"]["template"]["spec"]["containers"][0]
    return c


def env_of(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, source) with source = the literal value, or `secret:<name>/<key>`."""
    out = []
    for item in container(obj).get("env", []):
        if "value" in item:
            out.append((item["name"], item["value"]))
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            out.append((item["name"], f"secret:{ref['name']}/{ref['key']}"))
    return out


WRITER = [
    ("DATABASE_HOST", "pg.example.com"),
    ("DATABASE_PORT", "5432"),
    ("DATABASE_USER", "secret:litellm-writer-secret/username"),
    ("DATABASE_USERNAME", "secret:litellm-writer-secret/username"),
    ("DATABASE_NAME", "litellm"),
]
MASTER = [
    ("LITELLM_MASTER_KEY", "secret:litellm-master-key-secret/master-key"),
    ("PROXY_MASTER_KEY", "secret:litellm-master-key-secret/master-key"),
]


def test_default_env_order_and_sources(topo: Compile) -> None:
    objs = objects(topo())
    password = [("DATABASE_PASSWORD", "secret:litellm-writer-secret/password")]
    server = [*WRITER, *password, ("DISABLE_SCHEMA_UPDATE", "true")]
    config = [("CONFIG_FILE_PATH", "/app/config/config.yaml")]
    assert env_of(objs["Deployment", "llm-gateway"]) == [
        *MASTER, ("LITELLM_LOG", "INFO"), *server, *config, ("NUM_WORKERS", "1")]
    assert env_of(objs["Deployment", "llm-backend"]) == [*MASTER, ("LITELLM_LOG", "INFO"), *server, *config]
    assert env_of(objs["Deployment", "llm-ui"]) == [("LITELLM_LOG", "INFO")]
    assert env_of(objs["Job", "llm-migrations"]) == server


def test_iam_reader_redis_cluster_and_pool(topo: Compile) -> None:
    t = topo("""\
        redis: {host: redis.example.com, port: 6380, cluster: true, passwordSecret: {name: rs}}
        """, base=BASE.replace("    dbname: litellm\n", """\
    dbname: litellm
    schema: app
    useIAMAuth: true
  reader:
    host: ro.example.com
  connectionPool: {enabled: true, maxDbConnections: 7}
"""))
    objs = objects(t)
    job = env_of(objs["Job", "llm-migrations"])
    assert job == [
        *WRITER,
        ("DATABASE_SCHEMA", "app"),
        ("IAM_TOKEN_DB_AUTH", "true"),
        ("DATABASE_HOST_READ_REPLICA", "ro.example.com"),
        ("DATABASE_PORT_READ_REPLICA", "5432"),
        ("DATABASE_NAME_READ_REPLICA", "litellm"),
        ("DATABASE_SCHEMA_READ_REPLICA", "app"),
        ("DATABASE_USER_READ_REPLICA", "secret:litellm-writer-secret/username"),
        ("DISABLE_SCHEMA_UPDATE", "true"),
        ("REDIS_HOST", "redis.example.com"),
        ("REDIS_PORT", "6380"),
        ("REDIS_PASSWORD", "secret:rs/password"),
        ("REDIS_CLUSTER_NODES", '[{"host":"redis.example.com","port":6380}]'),
    ]
    assert not any("PASSWORD" in name and "DATABASE" in name for name, _ in job)
    gateway = env_of(objs["Deployment", "llm-gateway"])
    assert gateway[-3:] == [("LITELLM_PGBOUNCER_ENABLED", "true"),
                            ("LITELLM_PGBOUNCER_MAX_DB_CONNECTIONS", "7"),
                            ("LITELLM_PGBOUNCER_MAX_CLIENT_CONN", "1000")]
    backend = env_of(objs["Deployment", "llm-backend"])
    assert not any(name.startswith("LITELLM_PGBOUNCER") for name, _ in backend)
    assert json.loads(dict(job)["REDIS_CLUSTER_NODES"]) == [{"host": "redis.example.com", "port": 6380}]


def test_reader_password_secret_and_plain_redis(topo: Compile) -> None:
    t = topo("""\
        redis: {host: redis}
        """, base=BASE + """\
  reader:
    host: ro.example.com
    port: 6432
    passwordSecret: {name: reader-secret, usernameKey: u}
""")
    env = env_of(objects(t)["Deployment", "llm-backend"])
    names = [n for n, _ in env]
    assert ("DATABASE_USER_READ_REPLICA", "secret:reader-secret/u") in env
    assert ("DATABASE_PASSWORD_READ_REPLICA", "secret:reader-secret/password") in env
    assert ("DATABASE_PORT_READ_REPLICA", "6432") in env
    assert names.index("DATABASE_PASSWORD_READ_REPLICA") < names.index("DISABLE_SCHEMA_UPDATE")
    assert ("REDIS_HOST", "redis") in env and "REDIS_PASSWORD" not in names
    assert "REDIS_CLUSTER_NODES" not in names


def test_extra_env_envfrom_and_string_values(topo: Compile) -> None:
    t = topo("""\
        gateway:
          numWorkers: 3
          envSecrets: [providers]
          envConfigMaps: [settings]
          extraEnv:
            - {name: A, value: "1"}
            - name: POD
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
        """)
    gw = container(objects(t)["Deployment", "llm-gateway"])
    assert gw["env"][-2:] == [{"name": "A", "value": "1"},
                              {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    assert gw["envFrom"] == [{"configMapRef": {"name": "settings"}}, {"secretRef": {"name": "providers"}}]
    assert all(isinstance(e["value"], str) for e in gw["env"] if "value" in e)
    assert {"name": "NUM_WORKERS", "value": "3"} in gw["env"]


def test_baseline_and_restricted_contexts(topo: Compile) -> None:
    baseline = objects(topo())["Deployment", "llm-gateway"]["spec"]["template"]["spec"]
    assert baseline["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    assert baseline["containers"][0]["securityContext"] == {"allowPrivilegeEscalation": False}
    assert [v["name"] for v in baseline["volumes"]] == ["gateway-config"]

    restricted = objects(topo("podSecurity: restricted\nui: {securityContext: {runAsUser: 101}}\n"))
    for (kind, _name), obj in restricted.items():
        if kind not in ("Deployment", "Job"):
            continue
        pod = obj["spec"]["template"]["spec"]
        c = pod["containers"][0]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert c["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
        assert {"name": "tmp", "emptyDir": {}} in pod["volumes"]
    ui = container(restricted["Deployment", "llm-ui"])
    assert ui["securityContext"]["runAsUser"] == 101  # explicit values win over the level's
    assert "gateway-config" not in [m["name"] for m in ui["volumeMounts"]]


def test_disabled_components(topo: Compile) -> None:
    t = topo("""\
        gateway: {enabled: false}
        backend: {enabled: false}
        migrationJob: {enabled: false}
        ingress: {enabled: true}
        """)
    objs = objects(t)
    assert set(objs) == {("Deployment", "llm-ui"), ("Service", "llm-ui"), ("Ingress", "llm")}
    paths = objs["Ingress", "llm"]["spec"]["rules"][0]["http"]["paths"]
    assert {p["backend"]["service"]["name"] for p in paths} == {"llm-ui"}
    assert "host" not in objs["Ingress", "llm"]["spec"]["rules"][0]


def test_hpa_pdb_and_replicas(topo: Compile) -> None:
    t = topo("""\
        gateway: {pdb: {enabled: true, minAvailable: 2}, hpa: {maxReplicas: 20}}
        backend: {pdb: {enabled: true}}
        ui: {replicas: 2, pdb: {enabled: true, maxUnavailable: "50%"}}
        """)
    objs = objects(t)
    assert "replicas" not in objs["Deployment", "llm-gateway"]["spec"]
    assert objs["Deployment", "llm-ui"]["spec"]["replicas"] == 2
    assert ("HorizontalPodAutoscaler", "llm-ui") not in objs
    hpa = objs["HorizontalPodAutoscaler", "llm-gateway"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (1, 20)
    assert [m["resource"]["name"] for m in hpa["metrics"]] == ["cpu", "memory"]
    backend_metrics = objs["HorizontalPodAutoscaler", "llm-backend"]["spec"]["metrics"]
    assert [m["resource"]["name"] for m in backend_metrics] == ["cpu"]
    assert objs["PodDisruptionBudget", "llm-gateway"]["spec"]["minAvailable"] == 2
    assert objs["PodDisruptionBudget", "llm-backend"]["spec"]["maxUnavailable"] == 1
    assert objs["PodDisruptionBudget", "llm-ui"]["spec"]["maxUnavailable"] == "50%"
    selector = objs["PodDisruptionBudget", "llm-ui"]["spec"]["selector"]["matchLabels"]
    assert selector == {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "llm",
                        "app.kubernetes.io/component": "ui"}


def test_metadata_on_every_object_and_service_account(topo: Compile) -> None:
    t = topo("""\
        serviceAccount: {create: true, annotations: {role: x}}
        ingress: {enabled: true, annotations: {a: b}}
        gateway: {podLabels: {tier: data}}
        """, base=BASE.replace("  name: llm\n", "  name: llm\n  namespace: ns\n  labels: {team: t}\n"
                                                "  annotations: {owner: o}\n"))
    objs = objects(t)
    for obj in objs.values():
        meta = obj["metadata"]
        assert meta["namespace"] == "ns"
        assert meta["labels"]["team"] == "t"
        assert meta["labels"]["app.kubernetes.io/managed-by"] == "litectl"
        assert meta["annotations"]["owner"] == "o"
    sa = objs["ServiceAccount", "llm"]
    assert sa["metadata"]["annotations"] == {"owner": "o", "role": "x"}
    for name in ("llm-gateway", "llm-backend"):
        pod = objs["Deployment", name]["spec"]["template"]["spec"]
        assert (pod["serviceAccountName"], pod["automountServiceAccountToken"]) == ("llm", True)
    job_pod = objs["Job", "llm-migrations"]["spec"]["template"]["spec"]
    assert job_pod["serviceAccountName"] == "llm" and job_pod["restartPolicy"] == "Never"
    assert container(objs["Job", "llm-migrations"])["name"] == "prisma-migrations"
    ui = objs["Deployment", "llm-ui"]["spec"]["template"]["spec"]
    assert (ui["serviceAccountName"], ui["automountServiceAccountToken"]) == ("default", False)
    gw = objs["Deployment", "llm-gateway"]
    assert gw["spec"]["template"]["metadata"]["labels"]["tier"] == "data"
    assert "tier" not in gw["spec"]["selector"]["matchLabels"]
    assert objs["Ingress", "llm"]["metadata"]["annotations"] == {"owner": "o", "a": "b"}
    for obj in objs.values():
        assert "helm.sh/hook" not in obj["metadata"].get("annotations", {})


def test_config_map_checksum_rolls_gateway_and_backend(topo: Compile) -> None:
    t = topo("gateway: {config: {proxy_config: {model_list: [{model_name: a}]}}}\n")
    objs = objects(t)
    text = objs["ConfigMap", "llm-gateway-config"]["data"]["config.yaml"]
    assert text == kube.config_text(t)
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert kube.config_checksum(t) == digest
    for name in ("llm-gateway", "llm-backend"):
        template = objs["Deployment", name]["spec"]["template"]
        assert template["metadata"]["annotations"]["checksum/config"] == digest
        assert {"name": "gateway-config", "mountPath": "/app/config/config.yaml", "subPath": "config.yaml"} \
            in container(objs["Deployment", name])["volumeMounts"]
    assert "annotations" not in objs["Deployment", "llm-ui"]["spec"]["template"]["metadata"]
    other = topo("gateway: {config: {proxy_config: {model_list: [{model_name: b}]}}}\n")
    assert kube.config_checksum(other) != digest


def test_hook_helpers(topo: Compile) -> None:
    t = topo("serviceAccount: {create: true}\n"
             "migrationJob: {hooks: {helm: {weight: 5}, argocd: {enabled: true}}}\n")
    assert t.migrations is not None
    assert kube.migration_hook_annotations(t.migrations, helm=True) == {
        "helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": "5",
        "helm.sh/hook-delete-policy": "before-hook-creation",
        "argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation"}
    assert kube.migration_hook_annotations(t.migrations, helm=False) == kube.argocd_hook_annotations()
    assert kube.service_account_hook_annotations(t, helm=True)["helm.sh/hook-weight"] == "4"
    assert kube.service_account_hook_annotations(topo(), helm=True) == {}


@pytest.mark.realtool
@pytest.mark.parametrize("example", ["minimal", "production", "local"])
def test_examples_pass_kubernetes_schemas(repo_root: Path, example: str) -> None:
    compilation = compile_file(repo_root / "examples" / f"{example}.yaml")
    for t in (compilation.base, *compilation.environments):
        assert realtools.k8s_validate_all(kube.build_objects(t)) == []


@pytest.mark.realtool
def test_feature_rich_topology_passes_kubernetes_schemas(topo: Compile) -> None:
    t = topo("""\
        podSecurity: restricted
        serviceAccount: {create: true}
        gateway:
          pdb: {enabled: true}
          tolerations: [{key: k, operator: Exists}]
          affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution:
            {nodeSelectorTerms: [{matchExpressions: [{key: a, operator: In, values: [b]}]}]}}}
          nodeSelector: {kubernetes.io/arch: amd64}
          startupProbe: {httpGet: {path: /health/liveliness, port: http}, failureThreshold: 30}
          service: {type: LoadBalancer, annotations: {x: y}}
        ui: {hpa: {enabled: true}, podAnnotations: {a: b}}
        ingress:
          enabled: true
          className: nginx
          controller: nginx
          tls: [{hosts: [a.example.com], secretName: tls}]
          extraPaths: [{path: /x, service: backend, pathType: Exact}]
        """)
    assert realtools.k8s_validate_all(kube.build_objects(t)) == []
