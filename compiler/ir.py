"""The intermediate representation every target renders from.

Frozen and fully resolved by `normalize.py`: defaults applied, reader->writer fallbacks done,
environment merged, every component's environment variables computed once, in their final
order, as data. Targets map this wiring; they never re-derive it. No import of ruamel,
kubernetes or any target here. Mappings inside are plain dicts by convention: never mutate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs
from litectl.compiler.diagnostics import Diagnostic

ComponentName = Literal["gateway", "backend", "ui"]
PathType = Literal["Prefix", "Exact", "ImplementationSpecific"]
CONFIG_MOUNT_PATH = "/app/config/config.yaml"
CONFIG_VOLUME = "gateway-config"
CONFIG_KEY = "config.yaml"
CONTAINER_PORTS: Mapping[ComponentName, int] = {"gateway": 4000, "backend": 4001, "ui": 3000}


@attrs.frozen
class SecretKeyRef:
    """A key of a Secret the user manages; litectl only ever references it."""

    name: str
    key: str
    optional: bool = False  # a user's extraEnv may mark the reference optional


@attrs.frozen
class ConfigMapKeyRef:
    name: str
    key: str
    optional: bool = False


@attrs.frozen
class EnvVar:
    """One container environment variable: exactly one of value, secret, config_map or other.

    `other` holds a Kubernetes `valueFrom` that only Kubernetes can express (fieldRef,
    resourceFieldRef), passed through from a user's extraEnv.
    """

    name: str
    value: str | None = None
    secret: SecretKeyRef | None = None
    config_map: ConfigMapKeyRef | None = None
    other: Mapping[str, Any] | None = None
    user: bool = False  # True for the user's extraEnv entries (appended after litectl's own)


@attrs.frozen
class EnvFrom:
    kind: Literal["configMap", "secret"]
    name: str


@attrs.frozen
class ImageRef:
    repository: str
    tag: str
    digest: str | None
    pull_policy: str
    pull_secrets: tuple[str, ...]

    @property
    def reference(self) -> str:
        ref = f"{self.repository}:{self.tag}"
        return f"{ref}@{self.digest}" if self.digest else ref


@attrs.frozen
class Hpa:
    min_replicas: int
    max_replicas: int
    cpu_utilization: int | None
    memory_utilization: int | None
    behavior: Mapping[str, Any] | None = None  # HorizontalPodAutoscalerBehavior, passed through


@attrs.frozen
class Pdb:
    """Exactly one of the two bounds is set (int or percent string)."""

    min_available: int | str | None
    max_unavailable: int | str | None


@attrs.frozen
class ServiceSpec:
    type: str
    port: int
    annotations: Mapping[str, str]
    load_balancer_class: str | None = None


@attrs.frozen
class PodSettings:
    """Pod-level fields shared by Deployments and the Job (Kubernetes shapes, passed through)."""

    service_account_name: str
    automount_token: bool
    node_selector: Mapping[str, str] | None
    tolerations: tuple[Mapping[str, Any], ...]
    affinity: Mapping[str, Any] | None
    topology_spread: tuple[Mapping[str, Any], ...]
    pod_annotations: Mapping[str, str]
    pod_labels: Mapping[str, str]
    pod_security_context: Mapping[str, Any] | None
    security_context: Mapping[str, Any] | None
    writable_dirs: tuple[str, ...]  # emptyDir mounts needed under readOnlyRootFilesystem
    extras: PodExtras = attrs.field(factory=lambda: PodExtras())


@attrs.frozen
class PodExtras:
    """The user's own pod parts (issue 13.1; Kubernetes shapes, passed through after litectl's)."""

    volumes: tuple[Mapping[str, Any], ...] = ()
    volume_mounts: tuple[Mapping[str, Any], ...] = ()  # of the main container
    init_containers: tuple[Mapping[str, Any], ...] = ()
    sidecars: tuple[Mapping[str, Any], ...] = ()
    lifecycle: Mapping[str, Any] | None = None  # of the main container
    priority_class_name: str | None = None
    termination_grace_period_seconds: int | None = None


@attrs.frozen
class DeploymentExtras:
    """Deployment-level fields of a long-running component (issue 13.1)."""

    strategy: Mapping[str, Any] | None = None
    min_ready_seconds: int | None = None
    annotations: Mapping[str, str] = attrs.field(factory=dict)
    labels: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Workload:
    """A long-running component (gateway, backend or ui), fully resolved."""

    component: ComponentName
    name: str  # object name: <metadata.name>-<component>
    image: ImageRef
    args: tuple[str, ...]
    port: int  # container port, named "http"
    env: tuple[EnvVar, ...]
    env_from: tuple[EnvFrom, ...]
    replicas: int
    hpa: Hpa | None
    pdb: Pdb | None
    resources: Mapping[str, Any]
    liveness_probe: Mapping[str, Any] | None
    readiness_probe: Mapping[str, Any] | None
    startup_probe: Mapping[str, Any] | None
    service: ServiceSpec
    pod: PodSettings
    mounts_config: bool  # mounts the proxy config at CONFIG_MOUNT_PATH (and rolls on its change)
    deployment: DeploymentExtras = attrs.field(factory=lambda: DeploymentExtras())


@attrs.frozen
class MigrationJob:
    name: str  # <metadata.name>-migrations
    image: ImageRef
    args: tuple[str, ...]
    env: tuple[EnvVar, ...]
    backoff_limit: int
    ttl_seconds_after_finished: int | None
    active_deadline_seconds: int | None
    resources: Mapping[str, Any]
    pod: PodSettings
    helm_hook: bool
    helm_hook_weight: int
    argocd_hook: bool


@attrs.frozen
class ProxyConfig:
    """LiteLLM's config.yaml: the mapping and its canonical text (what the ConfigMap holds)."""

    name: str  # ConfigMap name: <metadata.name>-gateway-config
    data: Mapping[str, Any]


@attrs.frozen
class ServiceAccount:
    create: bool
    name: str  # effective name (the one pods run as)
    annotations: Mapping[str, str]
    automount: bool


@attrs.frozen
class Route:
    """One ingress path; `component` is the Service it routes to."""

    path: str
    path_type: PathType
    component: ComponentName
    extra: bool = False  # from ingress.extraPaths


@attrs.frozen
class Ingress:
    name: str
    class_name: str | None
    controller: str
    host: str | None
    annotations: Mapping[str, str]
    tls: tuple[Mapping[str, Any], ...]
    routes: tuple[Route, ...]


@attrs.frozen
class Redis:
    host: str
    port: int
    cluster: bool
    password: SecretKeyRef | None


@attrs.frozen
class ServiceMonitor:
    """The gateway's Prometheus Operator ServiceMonitor; the token only as a Secret reference."""

    name: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    interval: str
    scrape_timeout: str
    relabelings: tuple[Mapping[str, Any], ...]
    namespace_selector: Mapping[str, Any]
    token: SecretKeyRef


@attrs.frozen
class Topology:
    """One deployment (the base, or one environment merged over it), ready to render."""

    name: str
    environment: str | None  # None for the base
    namespace: str | None
    labels: Mapping[str, str]  # metadata.labels (extra labels, never on selectors)
    annotations: Mapping[str, str]
    image: ImageRef
    pod_security: Literal["baseline", "restricted"]
    service_account: ServiceAccount
    config: ProxyConfig
    redis: Redis | None
    gateway: Workload | None
    backend: Workload | None
    ui: Workload | None
    migrations: MigrationJob | None
    ingress: Ingress | None
    #: The fully defaulted spec as plain data (sections 1-11 minus environments): the Helm values
    #: contract and what targets read their `targets.<name>` options from.
    document: Mapping[str, Any]
    targets: Mapping[str, Any]  # target name -> options object (attrs instance)
    #: the user's whole objects (`extraResources`), as written; the Kubernetes targets emit them
    extra_resources: tuple[Mapping[str, Any], ...] = ()
    service_monitor: ServiceMonitor | None = None

    @property
    def workloads(self) -> tuple[Workload, ...]:
        return tuple(w for w in (self.gateway, self.backend, self.ui) if w is not None)


@attrs.frozen
class Compilation:
    """What a target renders: the base and each environment (empty when compiled with --env)."""

    spec_file: str  # the spec's path as the user gave it (for headers)
    base: Topology
    environments: tuple[Topology, ...]
    #: positioned warnings of the validation phases (e.g. a borderline placeholder key), shown by
    #: `validate` and `compile`; errors under `compile --strict`
    warnings: tuple[Diagnostic, ...] = ()
    #: every mapping-key path the user wrote (environments included): lets a target tell a
    #: feature the user asked for from a default, and warn about the former only (None: unknown)
    written: frozenset[tuple[str, ...]] | None = None
