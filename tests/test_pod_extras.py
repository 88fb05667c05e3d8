"""The upstream chart's pod and Deployment extras (issue 13.1) on every target.

tests/specs/pod-extras.yaml is also one of the specs every Helm/kustomize/Kubernetes test runs
(render, lint strict, Helm == kustomize per environment, kubernetes-validate strict); here: what
those generic tests cannot see. `--set` of each new key renders what the compiler builds for the
same change, the chart refuses what the compiler refuses, the database CA reaches every pod that
reads DATABASE_SSLROOTCERT, and compose maps what a single host can express.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import realtools
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.validate import compile_file
from litectl.targets import kube
from test_compose import compose_merge, load_compose_text, render, texts, untagged
from test_helm import chart_dirs
from test_helm_equivalence import by_key, comparable
from test_helm_render import MINIMAL, spec_with
from test_helm_render import render as helm_render

__all__ = ["chart_dirs"]  # the shared session fixture, used by name

REPO = Path(__file__).resolve().parents[1]
EXTRAS = REPO / "tests" / "specs" / "pod-extras.yaml"
RESTRICTED_CONTEXT = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
SIDECAR = {"name": "proxy", "image": "envoyproxy/envoy:v1.30", "securityContext": RESTRICTED_CONTEXT}

SET_OVERRIDES: list[dict[str, Any]] = [
    {"gateway.volumes": [{"name": "ca", "secret": {"secretName": "db-ca"}}],
     "gateway.volumeMounts": [{"name": "ca", "mountPath": "/etc/ssl/db", "readOnly": True}]},
    {"backend.extraContainers": [SIDECAR], "backend.extraInitContainers": [{**SIDECAR, "name": "init"}]},
    {"gateway.lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
     "gateway.strategy": {"type": "Recreate"}, "gateway.minReadySeconds": 0},
    {"ui.terminationGracePeriodSeconds": 0, "ui.priorityClassName": "low",
     "ui.deploymentAnnotations": {"a": "b"}, "ui.deploymentLabels": {"team": "web"}},
    {"gateway.service.type": "LoadBalancer", "gateway.service.loadBalancerClass": "service.k8s.aws/nlb"},
    {"gateway.hpa.behavior": {"scaleDown": {"stabilizationWindowSeconds": 600}}},
    {"migrationJob.volumes": [{"name": "ca", "configMap": {"name": "ca"}}],
     "migrationJob.volumeMounts": [{"name": "ca", "mountPath": "/ca"}],
     "migrationJob.extraInitContainers": [{"name": "wait", "image": "busybox"}],
     "migrationJob.priorityClassName": "high", "migrationJob.terminationGracePeriodSeconds": 5},
    {"podSecurity": "restricted", "gateway.extraContainers": [SIDECAR]},
]


@pytest.mark.realtool
@pytest.mark.parametrize("overrides", SET_OVERRIDES, ids=[",".join(o) for o in SET_OVERRIDES])
def test_set_of_the_new_keys_renders_like_the_changed_spec(overrides: dict[str, Any],
                                                           chart_dirs: dict[Path, Path], tmp_path: Path) -> None:
    objects = helm_render(chart_dirs[MINIMAL], set_values=overrides)
    assert realtools.k8s_validate_all(objects) == []
    expected = kube.build_objects(compile_file(spec_with(MINIMAL, overrides, tmp_path)).base)
    helm_side = {k: comparable(o, "Helm")[0] for k, o in by_key(objects).items()
                 if o["metadata"].get("annotations", {}).get("helm.sh/hook") != "test"}
    kube_side = {k: comparable(o, "litectl")[0] for k, o in by_key(expected).items()}
    assert helm_side == kube_side
    # and the change is really there (equal but unchanged objects would also compare equal)
    baseline = {k: comparable(o, "litectl")[0]
                for k, o in by_key(kube.build_objects(compile_file(MINIMAL).base)).items()}
    assert kube_side != baseline


FAILURES: list[tuple[dict[str, Any], str]] = [
    ({"podSecurity": "restricted", "gateway.extraContainers": [{"name": "log", "image": "busybox"}]},
     "gateway.extraContainers log: podSecurity restricted needs an explicit securityContext"),
    ({"podSecurity": "restricted", "migrationJob.extraInitContainers": [{"name": "wait", "image": "busybox"}]},
     "migrationJob.extraInitContainers wait: podSecurity restricted needs an explicit securityContext"),
    ({"gateway.volumes": [{"name": "gateway-config", "emptyDir": {}}]},
     "volume name gateway-config is litectl's own volume of gateway: choose another name"),
    ({"podSecurity": "restricted", "migrationJob.volumes": [{"name": "tmp", "emptyDir": {}}]},
     "volume name tmp is litectl's own volume of migrationJob: choose another name"),
    ({"ui.volumes": [{"name": "a", "emptyDir": {}}, {"name": "a", "emptyDir": {}}]},
     "volume name a is used twice"),
    ({"backend.service.loadBalancerClass": "x"},
     "backend.service.loadBalancerClass needs service.type LoadBalancer (got ClusterIP)"),
]


@pytest.mark.realtool
@pytest.mark.parametrize(("overrides", "message"), FAILURES, ids=[",".join(f[0]) for f in FAILURES])
def test_the_chart_refuses_what_the_compiler_refuses(overrides: dict[str, Any], message: str,
                                                    chart_dirs: dict[Path, Path], tmp_path: Path) -> None:
    with pytest.raises(realtools.HelmRejectedError) as caught:
        helm_render(chart_dirs[MINIMAL], set_values=overrides)
    assert message in caught.value.message
    with pytest.raises(LitectlError) as refused:
        compile_file(spec_with(MINIMAL, overrides, tmp_path))
    assert any(message in d.message for d in refused.value.diagnostics)


def _pod(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def test_the_database_ca_is_mounted_where_every_reader_of_sslrootcert_looks() -> None:
    """DATABASE_SSLROOTCERT names a file; each pod that gets it must have a volume mounted over it."""
    for topology in (compile_file(EXTRAS).base, *compile_file(EXTRAS).environments):
        readers = 0
        for obj in kube.build_objects(topology):
            if obj["kind"] not in ("Deployment", "Job"):
                continue
            main = _pod(obj)["containers"][0]
            env = {e["name"]: e.get("value") for e in main.get("env", [])}
            if "DATABASE_SSLROOTCERT" not in env:
                continue
            readers += 1
            cert = env["DATABASE_SSLROOTCERT"]
            mounts = [m for m in main.get("volumeMounts", []) if cert.startswith(m["mountPath"].rstrip("/") + "/")]
            assert len(mounts) == 1, (obj["metadata"]["name"], main.get("volumeMounts"))
            volume = next(v for v in _pod(obj)["volumes"] if v["name"] == mounts[0]["name"])
            assert volume["secret"]["secretName"] == "litellm-db-ca"
            assert mounts[0]["readOnly"] is True
        assert readers == 3  # gateway, backend, migrations


def test_user_parts_come_after_litectls_own() -> None:
    """The main container stays first (kubectl logs/exec pick it) and litectl's mounts stay in place."""
    gateway = next(o for o in kube.build_objects(compile_file(EXTRAS).base)
                   if o["kind"] == "Deployment" and o["metadata"]["name"] == "extras-gateway")
    pod = _pod(gateway)
    assert [c["name"] for c in pod["containers"]] == ["gateway", "log-shipper"]
    assert [c["name"] for c in pod["initContainers"]] == ["wait-for-db"]
    assert [v["name"] for v in pod["volumes"]] == ["gateway-config", "tmp", "db-ca", "shared"]
    assert [m["name"] for m in pod["containers"][0]["volumeMounts"]] == ["gateway-config", "tmp", "db-ca", "shared"]
    assert gateway["metadata"]["labels"]["team"] == "ml-platform"
    assert "team" not in gateway["spec"]["template"]["metadata"]["labels"]
    assert gateway["metadata"]["annotations"] == {"reloader.stakater.com/auto": "true"}


def test_environments_change_the_extras() -> None:
    envs = {t.environment: t for t in compile_file(EXTRAS).environments}
    prod = envs["prod"].gateway
    dev = envs["dev"].gateway
    assert prod is not None and dev is not None
    assert prod.deployment.min_ready_seconds == 30 and prod.pod.extras.termination_grace_period_seconds == 120
    assert prod.hpa is not None and prod.hpa.behavior is not None and set(prod.hpa.behavior) == {"scaleDown", "scaleUp"}
    assert dev.pod.extras.sidecars == () and dev.pod.extras.init_containers == ()
    assert dev.deployment.strategy is None and dev.service.load_balancer_class is None


def test_compose_maps_what_one_host_can_express() -> None:
    bundle = render(EXTRAS)
    files = texts(bundle)
    base = load_compose_text(files["compose.yaml"])
    assert realtools.compose_validate(base) == []
    gateway = base["services"]["gateway"]
    assert gateway["tmpfs"] == ["/tmp", "/var/run/shared"]  # the emptyDir
    assert {"type": "bind", "source": "./volumes/db-ca", "target": "/etc/ssl/db", "read_only": True,
            "bind": {"create_host_path": False}} in gateway["volumes"]
    assert gateway["stop_grace_period"] == "60s"
    assert base["services"]["migrations"]["stop_grace_period"] == "10s"
    for path, text in files.items():
        if path.startswith("compose.") and path != "compose.yaml":
            override = untagged(load_compose_text(text))
            assert realtools.compose_validate(override, base=base) == [], path
            assert realtools.compose_validate(compose_merge(base, load_compose_text(text))) == [], path
    reported = " ".join(w.message for w in bundle.warnings)
    for feature in ("sidecar containers", "init containers", "container lifecycle hooks", "Deployment strategy",
                    "priorityClassName", "Deployment labels and annotations", "Secret and ConfigMap volumes"):
        assert f"compose cannot express {feature}" in reported


def test_compose_pvc_volumes_become_named_volumes(tmp_path: Path) -> None:
    overrides = {"gateway.volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "cache"}},
                                     {"name": "certs", "configMap": {"name": "certs"}}],
                 "gateway.volumeMounts": [{"name": "data", "mountPath": "/data"},
                                          {"name": "certs", "mountPath": "/certs", "subPath": "ca"}]}
    doc = load_compose_text(texts(render(spec_with(MINIMAL, overrides, tmp_path)))["compose.yaml"])
    assert realtools.compose_validate(doc) == []
    assert doc["volumes"]["cache"] == {}
    volumes = doc["services"]["gateway"]["volumes"]
    assert {"type": "volume", "source": "cache", "target": "/data"} in volumes
    assert {"type": "bind", "source": "./volumes/certs/ca", "target": "/certs", "read_only": True,
            "bind": {"create_host_path": False}} in volumes
