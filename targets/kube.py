"""The one place that turns a Topology into Kubernetes objects (plain dicts).

The kustomize target emits these objects and the helm target's tests compare the chart's
rendering against them, so Helm and Kustomize users get the same workloads. Objects are plain
dicts with a fixed key order (the order the upstream chart renders), which keeps every emitted
file deterministic. No hook or sequencing annotations here: those depend on the deploy tool,
so each target adds them with the helpers at the bottom.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from litectl.compiler import ir
from litectl.compiler.memo import IdentityMemo
from litectl.compiler.model import CLUSTER_SCOPED_KINDS
from litectl.compiler.naming import common_labels, selector_labels
from litectl.targets.helm.goyaml import config_text_as_written

KubeObject = dict[str, Any]

#: Container name of the migrations Job: the upstream chart's, so `kubectl logs -c` commands,
#: dashboards and alerts written for that chart keep working.
MIGRATIONS_CONTAINER = "prisma-migrations"
HELM_HOOK = "helm.sh/hook"
HELM_HOOK_WEIGHT = "helm.sh/hook-weight"
HELM_HOOK_DELETE_POLICY = "helm.sh/hook-delete-policy"
ARGOCD_HOOK = "argocd.argoproj.io/hook"
ARGOCD_HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
CHECKSUM_ANNOTATION = "checksum/config"


# --- small helpers other targets use ----------------------------------------------------------


def env_entry(var: ir.EnvVar) -> KubeObject:
    """One container `env` item; literal values are always strings (the API rejects numbers)."""
    refs: tuple[tuple[str, ir.SecretKeyRef | ir.ConfigMapKeyRef | None], ...] = (
        ("secretKeyRef", var.secret),
        ("configMapKeyRef", var.config_map),
    )
    for kind, ref in refs:
        if ref is not None:
            selector: KubeObject = {"name": ref.name, "key": ref.key}
            if ref.optional:
                selector["optional"] = True
            return {"name": var.name, "valueFrom": {kind: selector}}
    if var.other is not None:
        return {"name": var.name, "valueFrom": _plain(var.other)}
    value = "" if var.value is None else str(var.value)
    if var.user:  # the user's own Kubernetes EnvVar: `$(NAME)` references mean what they wrote
        return {"name": var.name, "value": value}
    # litectl's values (a database name, a path) are literal text, but Kubernetes expands `$(NAME)`
    # in env values and reads `$$` as `$`: doubling every `$` hands the container the text as is.
    return {"name": var.name, "value": value.replace("$", "$$")}


#: [its text, its sha256 or ""] per proxy config object (compiler/memo.py). A compile asks for
#: the text many times: the ConfigMap size check, each ConfigMap, each pod's checksum, of the base
#: and of every environment sharing the base's config, in every target.
_CONFIG_TEXTS: IdentityMemo[list[str]] = IdentityMemo(size=8)


def _config_entry(topology: ir.Topology) -> list[str]:
    data = topology.config.data
    return _CONFIG_TEXTS.get(data, lambda: [config_text_as_written(data), ""])


def config_text(topology: ir.Topology) -> str:
    """The proxy config as the ConfigMap's `config.yaml` text.

    Written like Helm's `toYaml` (or indented JSON when that text would be misread by LiteLLM's
    YAML 1.1 reader), plus a final newline, with every number and null as the spec has it
    (`goyaml.config_text_as_written`). The chart ships this very text precompiled, so the chart
    and the plain manifests hold the same bytes and roll pods on the same `checksum/config`.
    """
    return _config_entry(topology)[0]


def config_checksum(topology: ir.Topology) -> str:
    """sha256 of the ConfigMap text: a pod annotation, so a config change rolls the pods."""
    entry = _config_entry(topology)
    if not entry[1]:
        entry[1] = hashlib.sha256(entry[0].encode("utf-8")).hexdigest()
    return entry[1]


def helm_hook_annotations(weight: int) -> dict[str, str]:
    """A pre-install/pre-upgrade hook, replaced (not patched) on every run: Job specs are immutable."""
    return {
        HELM_HOOK: "pre-install,pre-upgrade",
        HELM_HOOK_WEIGHT: str(weight),
        HELM_HOOK_DELETE_POLICY: "before-hook-creation",
    }


def argocd_hook_annotations() -> dict[str, str]:
    """An Argo CD PreSync hook, deleted before it is created again (Job specs are immutable)."""
    return {ARGOCD_HOOK: "PreSync", ARGOCD_HOOK_DELETE_POLICY: "BeforeHookCreation"}


def migration_hook_annotations(job: ir.MigrationJob, *, helm: bool) -> dict[str, str]:
    """The sequencing annotations the Job asks for (`helm`: whether the target is Helm)."""
    out: dict[str, str] = {}
    if helm and job.helm_hook:
        out.update(helm_hook_annotations(job.helm_hook_weight))
    if job.argocd_hook:
        out.update(argocd_hook_annotations())
    return out


def service_account_hook_annotations(topology: ir.Topology, *, helm: bool) -> dict[str, str]:
    """Hook annotations that make a created ServiceAccount exist before the migrations Job runs.

    A pre-install hook runs before any release object exists, so when the Job (which runs as
    this ServiceAccount, e.g. for IAM database auth) is a hook, the ServiceAccount must be one
    too, with a lower weight. Empty when no hook needs it.
    """
    job = topology.migrations
    if job is None or not topology.service_account.create:
        return {}
    out: dict[str, str] = {}
    if helm and job.helm_hook:
        out.update(helm_hook_annotations(job.helm_hook_weight - 1))
    if job.argocd_hook:
        out.update(argocd_hook_annotations())
    return out


# --- object builders ---------------------------------------------------------------------------


def build_objects(topology: ir.Topology, *, managed_by: str = "litectl") -> list[KubeObject]:
    """Every object of the enabled parts, in a fixed order (no tool-specific annotations)."""
    b = _Builder(topology, managed_by)
    objects: list[KubeObject] = []
    if topology.service_account.create:
        objects.append(b.service_account())
    if any(w.mounts_config for w in topology.workloads):
        objects.append(b.config_map())
    for workload in topology.workloads:
        objects.append(b.deployment(workload))
        objects.append(b.service(workload))
        if workload.hpa is not None:
            objects.append(b.hpa(workload, workload.hpa))
        if workload.pdb is not None:
            objects.append(b.pdb(workload, workload.pdb))
    if topology.migrations is not None:
        objects.append(b.job(topology.migrations))
    if topology.ingress is not None:
        objects.append(b.ingress(topology.ingress))
    if topology.service_monitor is not None:
        objects.append(service_monitor(b, topology.service_monitor))
    objects += [extra_resource(b, obj) for obj in topology.extra_resources]
    return objects


#: Where LiteLLM serves Prometheus metrics on the gateway's own port (the upstream chart's path:
#: `/metrics` answers with a redirect to it).
METRICS_PATH = "/metrics/"


def service_monitor(b: _Builder, sm: ir.ServiceMonitor) -> KubeObject:
    """The gateway's ServiceMonitor: its Service's `http` port, the token from a Secret reference."""
    meta = b.metadata(sm.name, "gateway", sm.annotations)
    meta["labels"] = b.labels("gateway", sm.labels)
    endpoint: KubeObject = {
        "port": "http",
        "path": METRICS_PATH,
        "scheme": "http",
        "interval": sm.interval,
        "scrapeTimeout": sm.scrape_timeout,
        "authorization": {"type": "Bearer", "credentials": {"name": sm.token.name, "key": sm.token.key}},
    }
    if sm.relabelings:
        endpoint["relabelings"] = [_plain(r) for r in sm.relabelings]
    spec: KubeObject = {"selector": {"matchLabels": selector_labels(b.t.name, "gateway")}}
    if sm.namespace_selector:
        spec["namespaceSelector"] = _plain(sm.namespace_selector)
    spec["endpoints"] = [endpoint]
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": meta, "spec": spec}


def extra_resource(b: _Builder, obj: Mapping[str, Any]) -> KubeObject:
    """The user's object as written, plus what every object of the deployment carries.

    The deployment's labels (ours win, as on every object; the object's own come before them),
    annotations (the object's own win) and namespace (unless the object names one or the kind
    is cluster-scoped), so `kubectl get -l` and the namespace setting cover it too.
    """
    out: KubeObject = _plain(obj)
    meta: KubeObject = out["metadata"]
    if b.t.namespace and "namespace" not in meta and out["kind"] not in CLUSTER_SCOPED_KINDS:
        meta["namespace"] = b.t.namespace
    meta["labels"] = common_labels(b.t.name, None, {**b.t.labels, **(meta.get("labels") or {})},
                                   b.managed_by)
    annotations = {**b.t.annotations, **(meta.get("annotations") or {})}
    if annotations:
        meta["annotations"] = annotations
    return out


def volume_name(path: str) -> str:
    """Name of the emptyDir volume for a writable directory: `/tmp` -> `tmp`."""
    slug = "".join(c if c.isalnum() else "-" for c in path.strip("/").lower())
    return "-".join(part for part in slug.split("-") if part) or "root"


class _Builder:
    def __init__(self, topology: ir.Topology, managed_by: str) -> None:
        self.t = topology
        self.managed_by = managed_by

    def metadata(self, name: str, component: str | None,
                 annotations: Mapping[str, str] | None = None,
                 labels: Mapping[str, str] | None = None) -> KubeObject:
        meta: KubeObject = {"name": name}
        if self.t.namespace:
            meta["namespace"] = self.t.namespace
        meta["labels"] = self.labels(component, labels)
        merged = {**self.t.annotations, **(annotations or {})}
        if merged:
            meta["annotations"] = merged
        return meta

    def labels(self, component: str | None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return common_labels(self.t.name, component, {**self.t.labels, **(extra or {})}, self.managed_by)

    # objects
    def service_account(self) -> KubeObject:
        sa = self.t.service_account
        return {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": self.metadata(sa.name, None, sa.annotations),
            "automountServiceAccountToken": sa.automount,
        }

    def config_map(self) -> KubeObject:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": self.metadata(self.t.config.name, "gateway"),
            "data": {ir.CONFIG_KEY: config_text(self.t)},
        }

    def deployment(self, w: ir.Workload) -> KubeObject:
        spec: KubeObject = {}
        if w.hpa is None:
            spec["replicas"] = w.replicas
        spec["selector"] = {"matchLabels": selector_labels(self.t.name, w.component)}
        if w.deployment.strategy:
            spec["strategy"] = _plain(w.deployment.strategy)
        if w.deployment.min_ready_seconds is not None:
            spec["minReadySeconds"] = w.deployment.min_ready_seconds
        annotations = dict(w.pod.pod_annotations)
        if w.mounts_config:
            annotations[CHECKSUM_ANNOTATION] = config_checksum(self.t)
        template_meta: KubeObject = {}
        if annotations:
            template_meta["annotations"] = annotations
        template_meta["labels"] = self.labels(w.component, w.pod.pod_labels)
        container = self.container(
            w.component, w.image, w.args, w.env, w.resources, w.pod,
            port=w.port, env_from=w.env_from, probes=self.probes(w), config=w.mounts_config,
        )
        pod = self.pod_spec(w.pod, w.image, [container], config=w.mounts_config)
        spec["template"] = {"metadata": template_meta, "spec": pod}
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": self.metadata(w.name, w.component, w.deployment.annotations, w.deployment.labels),
            "spec": spec,
        }

    def service(self, w: ir.Workload) -> KubeObject:
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": self.metadata(w.name, w.component, w.service.annotations),
            "spec": {
                "type": w.service.type,
                **({"loadBalancerClass": w.service.load_balancer_class} if w.service.load_balancer_class else {}),
                "ports": [{"name": "http", "port": w.service.port, "targetPort": "http", "protocol": "TCP"}],
                "selector": selector_labels(self.t.name, w.component),
            },
        }

    def hpa(self, w: ir.Workload, h: ir.Hpa) -> KubeObject:
        metrics = [
            {"type": "Resource",
             "resource": {"name": name, "target": {"type": "Utilization", "averageUtilization": target}}}
            for name, target in (("cpu", h.cpu_utilization), ("memory", h.memory_utilization))
            if target is not None
        ]
        return {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": self.metadata(w.name, w.component),
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": w.name},
                "minReplicas": h.min_replicas,
                "maxReplicas": h.max_replicas,
                "metrics": metrics,
                **({"behavior": _plain(h.behavior)} if h.behavior else {}),
            },
        }

    def pdb(self, w: ir.Workload, p: ir.Pdb) -> KubeObject:
        spec: KubeObject = {}
        if p.min_available is not None:
            spec["minAvailable"] = p.min_available
        else:
            spec["maxUnavailable"] = p.max_unavailable
        spec["selector"] = {"matchLabels": selector_labels(self.t.name, w.component)}
        return {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": self.metadata(w.name, w.component),
            "spec": spec,
        }

    def job(self, j: ir.MigrationJob) -> KubeObject:
        spec: KubeObject = {"backoffLimit": j.backoff_limit}
        if j.ttl_seconds_after_finished is not None:
            spec["ttlSecondsAfterFinished"] = j.ttl_seconds_after_finished
        if j.active_deadline_seconds is not None:
            spec["activeDeadlineSeconds"] = j.active_deadline_seconds
        container = self.container(MIGRATIONS_CONTAINER, j.image, j.args, j.env, j.resources, j.pod)
        pod = {"restartPolicy": "Never", **self.pod_spec(j.pod, j.image, [container], config=False)}
        template_meta: KubeObject = {"labels": self.labels("migrations", j.pod.pod_labels)}
        if j.pod.pod_annotations:
            template_meta = {"annotations": dict(j.pod.pod_annotations), **template_meta}
        spec["template"] = {"metadata": template_meta, "spec": pod}
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": self.metadata(j.name, "migrations"),
            "spec": spec,
        }

    def ingress(self, ing: ir.Ingress) -> KubeObject:
        paths = [
            {
                "path": r.path,
                "pathType": r.path_type,
                "backend": {"service": {"name": self.workload(r.component).name,
                                        "port": {"number": self.workload(r.component).service.port}}},
            }
            for r in ing.routes
        ]
        rule: KubeObject = {}
        if ing.host:
            rule["host"] = ing.host
        rule["http"] = {"paths": paths}
        spec: KubeObject = {}
        if ing.class_name:
            spec["ingressClassName"] = ing.class_name
        if ing.tls:
            spec["tls"] = [_plain(t) for t in ing.tls]
        spec["rules"] = [rule]
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": self.metadata(ing.name, None, ing.annotations),
            "spec": spec,
        }

    # parts
    def workload(self, component: ir.ComponentName) -> ir.Workload:
        w: ir.Workload | None = getattr(self.t, component)
        if w is None:  # normalize.build_routes never routes to a disabled component
            raise ValueError(f"route to disabled component {component}")
        return w

    def container(self, name: str, image: ir.ImageRef, args: Sequence[str], env: Sequence[ir.EnvVar],
                  resources: Mapping[str, Any], pod: ir.PodSettings, *, port: int | None = None,
                  env_from: Sequence[ir.EnvFrom] = (), probes: Mapping[str, Any] | None = None,
                  config: bool = False) -> KubeObject:
        """A container in the upstream chart's key order."""
        c: KubeObject = {
            "name": name,
            "image": image.reference,
            "imagePullPolicy": image.pull_policy,
            "args": list(args),
        }
        if port is not None:
            c["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        if env:
            c["env"] = [env_entry(e) for e in env]
        if env_from:
            c["envFrom"] = [self.env_from(e) for e in env_from]
        mounts = []
        if config:
            mounts.append({"name": ir.CONFIG_VOLUME, "mountPath": ir.CONFIG_MOUNT_PATH,
                           "subPath": ir.CONFIG_KEY})
        mounts += [{"name": volume_name(d), "mountPath": d} for d in pod.writable_dirs]
        mounts += [_plain(m) for m in pod.extras.volume_mounts]
        if mounts:
            c["volumeMounts"] = mounts
        c.update(probes or {})
        if pod.extras.lifecycle:
            c["lifecycle"] = _plain(pod.extras.lifecycle)
        if resources:
            c["resources"] = _plain(resources)
        if pod.security_context:
            c["securityContext"] = _plain(pod.security_context)
        return c

    def probes(self, w: ir.Workload) -> KubeObject:
        out: KubeObject = {}
        for key, probe in (("livenessProbe", w.liveness_probe), ("readinessProbe", w.readiness_probe),
                           ("startupProbe", w.startup_probe)):
            if probe:
                out[key] = _plain(probe)
        return out

    def env_from(self, e: ir.EnvFrom) -> KubeObject:
        key = "configMapRef" if e.kind == "configMap" else "secretRef"
        return {key: {"name": e.name}}

    def pod_spec(self, pod: ir.PodSettings, image: ir.ImageRef, containers: list[KubeObject], *,
                 config: bool) -> KubeObject:
        spec: KubeObject = {
            "serviceAccountName": pod.service_account_name,
            "automountServiceAccountToken": pod.automount_token,
        }
        if image.pull_secrets:
            spec["imagePullSecrets"] = [{"name": n} for n in image.pull_secrets]
        if pod.pod_security_context:
            spec["securityContext"] = _plain(pod.pod_security_context)
        if pod.node_selector:
            spec["nodeSelector"] = dict(pod.node_selector)
        if pod.affinity:
            spec["affinity"] = _plain(pod.affinity)
        if pod.tolerations:
            spec["tolerations"] = [_plain(t) for t in pod.tolerations]
        if pod.topology_spread:
            spec["topologySpreadConstraints"] = [_plain(t) for t in pod.topology_spread]
        extras = pod.extras
        if extras.priority_class_name:
            spec["priorityClassName"] = extras.priority_class_name
        if extras.termination_grace_period_seconds is not None:
            spec["terminationGracePeriodSeconds"] = extras.termination_grace_period_seconds
        if extras.init_containers:
            spec["initContainers"] = [_plain(c) for c in extras.init_containers]
        spec["containers"] = [*containers, *(_plain(c) for c in extras.sidecars)]
        volumes: list[KubeObject] = []
        if config:
            volumes.append({"name": ir.CONFIG_VOLUME, "configMap": {"name": self.t.config.name}})
        volumes += [{"name": volume_name(d), "emptyDir": {}} for d in pod.writable_dirs]
        volumes += [_plain(v) for v in extras.volumes]
        if volumes:
            spec["volumes"] = volumes
        return spec


def _plain(value: Any) -> Any:
    """A deep copy as plain dicts/lists, so callers may mutate objects without touching the IR."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
