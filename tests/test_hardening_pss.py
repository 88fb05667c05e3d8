"""Pod Security Standards: `restricted` output passes the restricted rules, `baseline` output
passes baseline and keeps working with the stock image (which runs as root).

Checked with tests/pss.py (the documented rules, control by control) on what kustomize builds
and what Helm renders (Helm's test pod included), for the base and every environment of every
example and test spec, plus the checker's own tests on pods that break each control.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pss
import pytest
from litectl.compiler.diagnostics import LitectlError
from litectl.targets import kube
from test_hardening_common import (
    SPEC_IDS,
    SPECS,
    compile_text,
    compiled,
    containers,
    environments,
    helm_objects,
    kustomize_objects,
    render,
    topology,
    write,
)

# --- the checker itself ----------------------------------------------------------------------------

GOOD_POD: dict[str, Any] = {
    "metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}},
    "spec": {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {
                "name": "app",
                "ports": [{"containerPort": 80}],
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
                },
            }
        ],
        "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "c", "configMap": {"name": "c"}}],
    },
}


def _with(change: dict[str, Any], where: str = "container") -> dict[str, Any]:
    pod = copy.deepcopy(GOOD_POD)
    target = pod["spec"]["containers"][0]["securityContext"] if where == "container" else (
        pod["spec"]["securityContext"] if where == "pod" else pod["spec"]
    )
    target.update(change)
    return pod


BREAKS_BASELINE = {
    "hostNetwork": _with({"hostNetwork": True}, "spec"),
    "hostPID": _with({"hostPID": True}, "spec"),
    "hostIPC": _with({"hostIPC": True}, "spec"),
    "privileged": _with({"privileged": True}),
    "capability": _with({"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}),
    "hostPath": _with({"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}, "spec"),
    "hostPort": _with({"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 80}],
                                       "securityContext": GOOD_POD["spec"]["containers"][0]["securityContext"]}]},
                      "spec"),
    "apparmor-annotation": {**copy.deepcopy(GOOD_POD), "metadata": {"annotations": {
        "container.apparmor.security.beta.kubernetes.io/app": "unconfined"}}},
    "apparmor-field": _with({"appArmorProfile": {"type": "Unconfined"}}),
    "selinux-type": _with({"seLinuxOptions": {"type": "spc_t"}}),
    "selinux-user": _with({"seLinuxOptions": {"user": "root"}}, "pod"),
    "procMount": _with({"procMount": "Unmasked"}),
    "seccomp-unconfined": _with({"seccompProfile": {"type": "Unconfined"}}, "pod"),
    "sysctl": _with({"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}, "pod"),
    "hostProcess": _with({"windowsOptions": {"hostProcess": True}}),
}
BREAKS_RESTRICTED_ONLY = {
    "volume-type": _with({"volumes": [{"name": "n", "nfs": {"server": "s", "path": "/"}}]}, "spec"),
    "escalation": _with({"allowPrivilegeEscalation": True}),
    "escalation-unset": _with({"capabilities": {"drop": ["ALL"]}, "allowPrivilegeEscalation": None}),
    "non-root-false": _with({"runAsNonRoot": False}),
    "non-root-unset": _with({"runAsNonRoot": None}, "pod"),
    "run-as-root": _with({"runAsUser": 0}),
    "seccomp-unset": _with({"seccompProfile": None}, "pod"),
    "drop-not-all": _with({"capabilities": {"drop": ["NET_RAW"]}}),
    "add-chown": _with({"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}),
}


def _clean(pod: Any) -> Any:
    """Remove the keys the fixtures set to None (meaning: unset)."""
    if isinstance(pod, dict):
        return {k: _clean(v) for k, v in pod.items() if v is not None}
    if isinstance(pod, list):
        return [_clean(v) for v in pod]
    return pod


def test_a_compliant_pod_passes_both_levels() -> None:
    assert pss.check_pod(GOOD_POD, "restricted") == []
    assert pss.check_pod(GOOD_POD, "baseline") == []


@pytest.mark.parametrize("pod", BREAKS_BASELINE.values(), ids=BREAKS_BASELINE.keys())
def test_the_checker_catches_every_baseline_control(pod: dict[str, Any]) -> None:
    assert pss.check_pod(_clean(pod), "baseline")
    assert pss.check_pod(_clean(pod), "restricted")


@pytest.mark.parametrize("pod", BREAKS_RESTRICTED_ONLY.values(), ids=BREAKS_RESTRICTED_ONLY.keys())
def test_the_checker_catches_every_restricted_control(pod: dict[str, Any]) -> None:
    assert pss.check_pod(_clean(pod), "restricted")
    assert pss.check_pod(_clean(pod), "baseline") == []


def test_container_level_settings_can_stand_in_for_the_pod() -> None:
    pod = copy.deepcopy(GOOD_POD)
    pod["spec"]["securityContext"] = {}
    pod["spec"]["containers"][0]["securityContext"].update(
        {"runAsNonRoot": True, "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}
    )
    assert pss.check_pod(pod, "restricted") == []


def test_objects_are_found_in_every_workload_kind() -> None:
    deployment = {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": _with({"privileged": True})}}
    cron = {"kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": _with({"privileged": True})}}}}
    service = {"kind": "Service", "metadata": {"name": "s"}, "spec": {}}
    problems = pss.check_objects([deployment, cron, service], "baseline")
    assert [p.split(":")[0] for p in problems] == ["Deployment/d", "CronJob/c"]


# --- litectl's output ---------------------------------------------------------------------------------


def _check_level(objects: list[dict[str, Any]], level: str, where: str) -> None:
    assert level in pss.LEVELS
    assert pss.pods(objects), f"{where}: no pods"
    problems = pss.check_objects(objects, "restricted" if level == "restricted" else "baseline")
    assert problems == [], f"{where}: {problems}"
    if level == "baseline":
        # The stock image runs as root: nothing may demand otherwise.
        for pod in pss.pods(objects):
            assert "runAsNonRoot" not in ((pod.get("spec") or {}).get("securityContext") or {}), where
        for obj in objects:
            for container in containers(obj):
                context = container.get("securityContext") or {}
                assert "runAsNonRoot" not in context and not context.get("readOnlyRootFilesystem"), where


def _params() -> list[Any]:
    return [
        pytest.param(spec, env, id=f"{spec_id}:{env or 'base'}")
        for spec, spec_id in zip(SPECS, SPEC_IDS, strict=True)
        for env in environments(compiled(spec))
    ]


def _user_contexts(spec: Path) -> bool:
    """Specs whose components set their own security contexts (the level's defaults then differ)."""
    text = spec.read_text(encoding="utf-8")
    return "securityContext" in text or "SecurityContext" in text


@pytest.mark.parametrize(("spec", "env"), _params())
def test_shared_objects_pass_their_level(spec: Path, env: str | None) -> None:
    t = topology(compiled(spec), env)
    objects = kube.build_objects(t)
    if _user_contexts(spec):
        assert pss.check_objects(objects, t.pod_security) == []
    else:
        _check_level(objects, t.pod_security, f"{spec.name}:{env}")


@pytest.mark.realtool
@pytest.mark.parametrize(("spec", "env"), _params())
def test_kustomize_and_helm_output_pass_their_level(spec: Path, env: str | None, tmp_path: Path) -> None:
    compilation = compiled(spec)
    t = topology(compilation, env)
    chart = write(render(compilation, "helm"), tmp_path / "helm")
    tree = write(render(compilation, "kustomize"), tmp_path / "kustomize")
    for tool, objects in (("helm", helm_objects(chart, env, t.namespace)), ("kustomize", kustomize_objects(tree, env))):
        where = f"{tool} {spec.name}:{env or 'base'}"
        if _user_contexts(spec):
            assert pss.check_objects(objects, t.pod_security) == [], where
        else:
            _check_level(objects, t.pod_security, where)
        if tool == "helm":
            assert any(o["kind"] == "Pod" for o in objects), "the chart's test pod is checked too"


# --- a spec cannot ask for pods that break its own level --------------------------------------------

BASE = """\
apiVersion: litectl/v1alpha1
kind: LiteLLMTopology
metadata: {name: pss}
database:
  writer: {host: pg, dbname: litellm}
"""

BREAKING = {
    "escalation": ("restricted", "gateway:\n  securityContext: {allowPrivilegeEscalation: true}\n"),
    "root-user": ("restricted", "backend:\n  podSecurityContext: {runAsUser: 0}\n"),
    "non-root-off": ("restricted", "ui:\n  securityContext: {runAsNonRoot: false}\n"),
    "keep-caps": ("restricted", "gateway:\n  securityContext: {capabilities: {drop: [NET_RAW]}}\n"),
    "add-cap": ("restricted", "migrationJob:\n  securityContext: {capabilities: {add: [CHOWN]}}\n"),
    "unconfined": ("baseline", "gateway:\n  podSecurityContext: {seccompProfile: {type: Unconfined}}\n"),
    "privileged": ("baseline", "gateway:\n  securityContext: {privileged: true}\n"),
    "sys-admin": ("baseline", "backend:\n  securityContext: {capabilities: {add: [SYS_ADMIN]}}\n"),
    "proc-mount": ("baseline", "ui:\n  securityContext: {procMount: Unmasked}\n"),
    "sysctl": ("baseline", "gateway:\n  podSecurityContext: {sysctls: [{name: kernel.msgmax, value: '1'}]}\n"),
    "selinux": ("baseline", "gateway:\n  securityContext: {seLinuxOptions: {type: spc_t}}\n"),
    "apparmor": ("baseline", "gateway:\n  podAnnotations:\n"
                 "    container.apparmor.security.beta.kubernetes.io/gateway: unconfined\n"),
    "env-only": ("restricted", "environments:\n  dev:\n    gateway:\n      securityContext: {runAsUser: 0}\n"),
}


@pytest.mark.parametrize(("level", "extra"), BREAKING.values(), ids=BREAKING.keys())
def test_contexts_that_break_the_level_are_refused(level: str, extra: str) -> None:
    with pytest.raises(LitectlError) as caught:
        compile_text(BASE + f"podSecurity: {level}\n" + extra)
    for d in caught.value.diagnostics:
        assert d.span is not None and d.span.line > 5, d.format()
        assert f"podSecurity {level}" in d.message, d.format()


ALLOWED = {
    "bind-service": ("restricted", "gateway:\n  securityContext: {capabilities: {add: [NET_BIND_SERVICE]}}\n"),
    "localhost-seccomp": ("restricted", "gateway:\n  podSecurityContext:\n"
                          "    seccompProfile: {type: Localhost, localhostProfile: p.json}\n"),
    "user-id": ("restricted", "gateway:\n  podSecurityContext: {runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000}\n"),
    "writable-root": ("restricted", "gateway:\n  securityContext: {readOnlyRootFilesystem: false}\n"),
    "baseline-root": ("baseline", "gateway:\n  securityContext: {runAsUser: 0, capabilities: {add: [CHOWN]}}\n"),
    "safe-sysctl": ("baseline", "gateway:\n  podSecurityContext:\n"
                    "    sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: '0'}]\n"),
}


@pytest.mark.parametrize(("level", "extra"), ALLOWED.values(), ids=ALLOWED.keys())
def test_contexts_within_the_level_are_kept(level: str, extra: str) -> None:
    t = compile_text(BASE + f"podSecurity: {level}\n" + extra).base
    objects = kube.build_objects(t)
    assert pss.check_objects(objects, level) == []  # type: ignore[arg-type]
