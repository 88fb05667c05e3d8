"""The topology spec as written (SPEC.md sections 1-11), as frozen attrs classes.

This module is the single source of truth for the spec's shape: the JSON Schema
(`litectl schema`, `schema/litectl.schema.json`) is generated from these classes and their
field metadata, and the normaliser takes its defaults from them, so the two cannot drift.

Attribute names are the YAML keys exactly (camelCase, as in the upstream chart's values),
which keeps the model, the schema, the Helm values and the diagnostics in one vocabulary.
Kubernetes-shaped fields (probes, resources, affinity, ...) stay plain mappings typed
``KubeObject``; the schema checks them against Kubernetes' own definitions.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs
from litectl.compiler.memo import WORTH_REMEMBERING, IdentityMemo

API_VERSION = "litectl/v1alpha1"
KIND = "LiteLLMTopology"
DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS1123_MESSAGE = (
    "must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)"
)
DNS1123_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
SUBDOMAIN_MESSAGE = "must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')"
ENV_NAME = r"^[-._a-zA-Z][-._a-zA-Z0-9]*$"

KubeObject = dict[str, Any]
PullPolicy = Literal["Always", "IfNotPresent", "Never"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
PodSecurityLevel = Literal["baseline", "restricted"]
ServiceType = Literal["ClusterIP", "NodePort", "LoadBalancer"]
PathType = Literal["Prefix", "Exact", "ImplementationSpecific"]
RoutedComponent = Literal["gateway", "backend", "ui"]
IngressController = Literal["alb", "nginx"]


def spec(
    default: Any = attrs.NOTHING,
    *,
    description: str,
    factory: Any = None,
    examples: list[Any] | None = None,
    kube: str | None = None,
    constraints: dict[str, Any] | None = None,
    secret_ref: bool = False,
) -> Any:
    """Declare a spec field with the metadata the schema generator reads.

    ``kube`` names the Kubernetes definition (e.g. ``io.k8s.api.core.v1.Probe``) a pass-through
    mapping must satisfy; ``constraints`` adds JSON Schema keywords (pattern, minimum, ...).
    """
    metadata = {
        "description": description,
        "examples": examples,
        "kube": kube,
        "constraints": constraints or {},
        "secret_ref": secret_ref,
    }
    if factory is not None:
        return attrs.field(factory=factory, metadata=metadata)
    return attrs.field(default=default, metadata=metadata)


def required(*, description: str, examples: list[Any] | None = None, **kw: Any) -> Any:
    return spec(description=description, examples=examples, **kw)


_frozen = attrs.frozen(kw_only=True)


def _dict_of_str() -> dict[str, str]:
    return {}


# --- section 1: metadata -------------------------------------------------------------------


@_frozen
class Metadata:
    """Identity of the deployment; `name` prefixes every object name."""

    name: str = required(
        description="Name of the deployment; every object is named `<name>-<component>`.",
        examples=["litellm"],
        constraints={"pattern": DNS1123_LABEL, "maxLength": 40, "x-message": DNS1123_MESSAGE},
    )
    namespace: str | None = spec(
        None,
        description="Kubernetes namespace the objects go into (none: the namespace of the apply/install).",
        examples=["litellm"],
        constraints={"pattern": DNS1123_LABEL, "maxLength": 63, "x-message": DNS1123_MESSAGE},
    )
    labels: dict[str, str] = spec(
        factory=_dict_of_str,
        description="Extra labels on every object (never on selectors).",
        examples=[{"team": "ml-platform"}],
    )
    annotations: dict[str, str] = spec(
        factory=_dict_of_str, description="Extra annotations on every object.", examples=[{"owner": "ml"}]
    )


# --- section 2: image ----------------------------------------------------------------------

DIGEST = {"pattern": r"^sha256:[a-f0-9]{64}$", "x-message": "must be sha256:<64 lowercase hex digits>"}


@_frozen
class Image:
    """The one LiteLLM image; its entrypoint picks the component from the first argument."""

    repository: str = spec(
        "ghcr.io/berriai/litellm",
        description="Image repository used by every component.",
        examples=["ghcr.io/berriai/litellm", "ghcr.io/berriai/litellm-non_root"],
        constraints={"minLength": 1},
    )
    tag: str = spec(
        "1.104.0",
        description="Image tag (a string: quote versions such as `1.80`).",
        examples=["1.104.0"],
        constraints={"minLength": 1},
    )
    digest: str | None = spec(
        None,
        description="Optional `sha256:<64 hex>` digest; the reference becomes `repository:tag@digest`.",
        constraints=DIGEST,
    )
    pullPolicy: PullPolicy = spec("IfNotPresent", description="Image pull policy.")
    pullSecrets: tuple[str, ...] = spec(
        (),
        description="Names of image pull Secrets.",
        examples=[["regcred"]],
        constraints={"items": {"pattern": DNS1123_SUBDOMAIN, "x-message": SUBDOMAIN_MESSAGE}},
    )


@_frozen
class ComponentImage:
    """A component's own image; each unset field inherits the top-level `image`."""

    repository: str | None = spec(
        None,
        description="Repository (default: `image.repository`).",
        examples=["ghcr.io/berriai/litellm-migrations"],
        constraints={"minLength": 1},
    )
    tag: str | None = spec(None, description="Tag (default: `image.tag`).", constraints={"minLength": 1})
    digest: str | None = spec(None, description="Digest (default: `image.digest`).", constraints=DIGEST)
    pullPolicy: PullPolicy | None = spec(None, description="Pull policy (default: `image.pullPolicy`).")
    pullSecrets: tuple[str, ...] | None = spec(
        None, description="Pull Secrets (default: `image.pullSecrets`)."
    )


# --- section 3: master key -----------------------------------------------------------------

SECRET_NAME = {"pattern": DNS1123_SUBDOMAIN, "maxLength": 253, "x-message": SUBDOMAIN_MESSAGE}
SECRET_KEY = {
    "pattern": r"^[-._a-zA-Z0-9]+$",
    "maxLength": 253,
    "x-message": "must be a Secret key (letters, digits, '-', '_' and '.')",
}


@_frozen
class SecretKeyRef:
    """A key of an existing Secret."""

    secretName: str = required(description="Name of the Secret.", constraints=SECRET_NAME, secret_ref=True)
    secretKey: str = required(description="Key inside the Secret.", constraints=SECRET_KEY)


@_frozen
class MasterKey:
    """Where gateway and backend read the proxy master key from (never written by litectl)."""

    secretName: str = spec(
        "litellm-master-key-secret",
        description="Secret holding the master key.",
        constraints=SECRET_NAME,
        secret_ref=True,
    )
    secretKey: str = spec(
        "master-key", description="Key of the master key in that Secret.", constraints=SECRET_KEY
    )
    saltKey: SecretKeyRef | None = spec(
        None,
        description="Optional Secret key for `LITELLM_SALT_KEY` on gateway and backend.",
        examples=[{"secretName": "litellm-salt-key", "secretKey": "salt-key"}],
    )


# --- section 4: database -------------------------------------------------------------------


@_frozen
class DatabasePasswordSecret:
    """Secret with the database user name and password."""

    name: str = spec(
        "litellm-writer-secret", description="Secret name.", constraints=SECRET_NAME, secret_ref=True
    )
    usernameKey: str = spec("username", description="Key of the user name.", constraints=SECRET_KEY)
    passwordKey: str = spec(
        "password", description="Key of the password (unused under IAM auth).", constraints=SECRET_KEY
    )


@_frozen
class ReaderPasswordSecret:
    """Secret with the read replica's user name and password."""

    name: str = required(description="Secret name.", constraints=SECRET_NAME, secret_ref=True)
    usernameKey: str = spec("username", description="Key of the user name.", constraints=SECRET_KEY)
    passwordKey: str = spec("password", description="Key of the password.", constraints=SECRET_KEY)


PORT = {"minimum": 1, "maximum": 65535}
HOST = {
    "minLength": 1,
    "pattern": r"^[^\s/]+$",
    "x-message": "must be a host name or address, without spaces or '/'",
}


@_frozen
class DatabaseWriter:
    """The primary (writer) Postgres."""

    host: str = required(
        description="Writer host name.", examples=["litellm-pg-rw.litellm.svc"], constraints=HOST
    )
    port: int = spec(5432, description="Writer port.", constraints=PORT)
    dbname: str = required(description="Database name.", examples=["litellm"], constraints={"minLength": 1})
    schema: str | None = spec(None, description="Postgres schema (`DATABASE_SCHEMA`).", examples=["litellm"])
    sslMode: SslMode | None = spec(None, description="libpq sslmode (`DATABASE_SSLMODE`).")
    sslRootCert: str | None = spec(
        None,
        description="CA bundle path in the container (`DATABASE_SSLROOTCERT`).",
        examples=["/etc/ssl/rds/global-bundle.pem"],
    )
    useIAMAuth: bool = spec(False, description="Use RDS/Aurora IAM tokens instead of a password.")
    useAzureEntraAuth: bool = spec(
        False,
        description="Use Microsoft Entra ID tokens (Azure Database for PostgreSQL) instead of a password; "
        "exclusive with useIAMAuth.",
    )
    passwordSecret: DatabasePasswordSecret = spec(
        factory=DatabasePasswordSecret, description="Secret with user name and password."
    )


@_frozen
class DatabaseReader:
    """An optional read replica; every unset field falls back to the writer's."""

    host: str | None = spec(
        None,
        description="Reader host; the reader is enabled when set.",
        examples=["litellm-pg-ro.litellm.svc"],
        constraints=HOST,
    )
    port: int | None = spec(None, description="Reader port (default: the writer's).", constraints=PORT)
    dbname: str | None = spec(
        None, description="Reader database name (default: the writer's).", constraints={"minLength": 1}
    )
    schema: str | None = spec(None, description="Reader schema (default: the writer's).")
    useIAMAuth: bool | None = spec(None, description="IAM auth for the reader (requires it on the writer).")
    useAzureEntraAuth: bool | None = spec(
        None, description="Entra ID auth for the reader (requires it on the writer)."
    )
    passwordSecret: ReaderPasswordSecret | None = spec(
        None, description="Reader Secret (default: the writer's Secret)."
    )


@_frozen
class DatabaseUrlSecret:
    """Existing Secret holding complete connection URLs (`DATABASE_URL`), instead of host wiring."""

    name: str = required(description="Secret name.", constraints=SECRET_NAME, secret_ref=True)
    key: str = spec("url", description="Key of the writer's URL (`DATABASE_URL`).", constraints=SECRET_KEY)
    readReplicaKey: str | None = spec(
        None,
        description="Key of the read replica's URL (`DATABASE_URL_READ_REPLICA`); unset: no reader.",
        constraints=SECRET_KEY,
    )


@_frozen
class ConnectionPool:
    """In-container PgBouncer on the gateway."""

    enabled: bool = spec(False, description="Run PgBouncer inside each gateway pod.")
    maxDbConnections: int = spec(20, description="Server-side connections.", constraints={"minimum": 1})
    maxClientConn: int = spec(1000, description="Client-side connections.", constraints={"minimum": 1})


@_frozen
class Database:
    """External Postgres wiring (SPEC.md section 4); litectl never builds a URL or sees a password."""

    writer: DatabaseWriter | None = spec(
        None, description="The writer database (required unless urlSecret is set)."
    )
    reader: DatabaseReader | None = spec(None, description="Optional read replica.")
    urlSecret: DatabaseUrlSecret | None = spec(
        None,
        description="Take `DATABASE_URL` (and `DATABASE_URL_READ_REPLICA`) from an existing Secret; "
        "exclusive with writer and reader.",
    )
    connectionPool: ConnectionPool = spec(factory=ConnectionPool, description="Gateway connection pooling.")


# --- section 5: redis ----------------------------------------------------------------------


@_frozen
class RedisPasswordSecret:
    """Secret with the Redis password; an empty name means auth-less Redis."""

    name: str = spec(
        "",
        description="Secret name (empty: no password).",
        constraints={"pattern": r"^$|" + DNS1123_SUBDOMAIN[1:], "x-message": SUBDOMAIN_MESSAGE},
        secret_ref=True,
    )
    passwordKey: str = spec("password", description="Key of the password.", constraints=SECRET_KEY)


@_frozen
class Redis:
    """Optional Redis (plain or cluster)."""

    host: str = spec(
        "",
        description="Redis host (empty: no Redis).",
        examples=["redis.litellm.svc"],
        constraints={"pattern": r"^[^\s/]*$", "x-message": "must be a host name, without spaces or '/'"},
    )
    port: int = spec(6379, description="Redis port.", constraints=PORT)
    cluster: bool = spec(False, description="Redis Cluster: emit `REDIS_CLUSTER_NODES` with this seed node.")
    ssl: bool = spec(False, description="Connect with TLS (`REDIS_SSL`).")
    sslCertReqs: Literal["required", "optional", "none"] | None = spec(
        None, description="Server certificate check under TLS (`REDIS_SSL_CERT_REQS`; default: required)."
    )
    passwordSecret: RedisPasswordSecret = spec(factory=RedisPasswordSecret, description="Password Secret.")


# --- section 6: service account ------------------------------------------------------------


@_frozen
class ServiceAccount:
    """Identity of gateway, backend and the migrations Job (the ui never mounts a token)."""

    create: bool = spec(False, description="Create the ServiceAccount.")
    name: str = spec(
        "",
        description="Name (empty: `<metadata.name>` when created, else `default`).",
        constraints={"pattern": r"^$|" + DNS1123_SUBDOMAIN[1:], "x-message": SUBDOMAIN_MESSAGE},
    )
    annotations: dict[str, str] = spec(
        factory=_dict_of_str,
        description="Annotations, e.g. `eks.amazonaws.com/role-arn` for IRSA.",
        examples=[{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/litellm"}],
    )
    automount: bool = spec(True, description="Mount the token into gateway, backend and the Job.")


# --- section 7: components -----------------------------------------------------------------


@_frozen
class Hpa:
    """Autoscaling of a component (the defaults differ per component: see the subclasses)."""

    enabled: bool = spec(True, description="Autoscale with a HorizontalPodAutoscaler.")
    minReplicas: int = spec(1, description="Lower replica bound.", constraints={"minimum": 1})
    maxReplicas: int = spec(10, description="Upper replica bound.", constraints={"minimum": 1})
    targetCPUUtilizationPercentage: int | None = spec(
        70, description="Target CPU utilisation in percent (null: no CPU metric).", constraints={"minimum": 1}
    )
    targetMemoryUtilizationPercentage: int | None = spec(
        80,
        description="Target memory utilisation in percent (null: no memory metric).",
        constraints={"minimum": 1},
    )
    behavior: KubeObject | None = spec(
        None,
        description="Scaling behavior (Kubernetes HorizontalPodAutoscalerBehavior: scaleUp/scaleDown policies).",
        kube="io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior",
        examples=[{"scaleDown": {"stabilizationWindowSeconds": 300}}],
    )


@_frozen
class BackendHpa(Hpa):
    """Backend autoscaling (default: enabled, 1-4 replicas, CPU 70%)."""

    maxReplicas: int = spec(4, description="Upper replica bound.", constraints={"minimum": 1})
    targetMemoryUtilizationPercentage: int | None = spec(
        None,
        description="Target memory utilisation in percent (null: no memory metric).",
        constraints={"minimum": 1},
    )


@_frozen
class UiHpa(Hpa):
    """UI autoscaling (default: disabled, 1-3 replicas, CPU 80%)."""

    enabled: bool = spec(False, description="Autoscale with a HorizontalPodAutoscaler.")
    maxReplicas: int = spec(3, description="Upper replica bound.", constraints={"minimum": 1})
    targetCPUUtilizationPercentage: int | None = spec(
        80, description="Target CPU utilisation in percent (null: no CPU metric).", constraints={"minimum": 1}
    )
    targetMemoryUtilizationPercentage: int | None = spec(
        None,
        description="Target memory utilisation in percent (null: no memory metric).",
        constraints={"minimum": 1},
    )


INT_OR_PERCENT = {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^[0-9]+%$"}]}


@_frozen
class Pdb:
    """PodDisruptionBudget; enabled with neither bound gives `maxUnavailable: 1`."""

    enabled: bool = spec(False, description="Emit a PodDisruptionBudget.")
    minAvailable: int | str | None = spec(
        None, description="Minimum available pods (number or percent).", constraints=INT_OR_PERCENT
    )
    maxUnavailable: int | str | None = spec(
        None, description="Maximum unavailable pods (number or percent).", constraints=INT_OR_PERCENT
    )


@_frozen
class Service:
    """A component's Service (the port defaults to the component's own port)."""

    type: ServiceType = spec("ClusterIP", description="Service type.")
    port: int = spec(4000, description="Service port.", constraints=PORT)
    annotations: dict[str, str] = spec(factory=_dict_of_str, description="Service annotations.")
    loadBalancerClass: str | None = spec(
        None,
        description="Service loadBalancerClass (only with `type: LoadBalancer`).",
        examples=["service.k8s.aws/nlb"],
        constraints={"minLength": 1},
    )


@_frozen
class BackendService(Service):
    """The backend Service."""

    port: int = spec(4001, description="Service port.", constraints=PORT)


@_frozen
class UiService(Service):
    """The ui Service."""

    port: int = spec(3000, description="Service port.", constraints=PORT)


def _http_probe(
    path: str, initial: int, period: int, timeout: int | None = None, failure: int | None = None
) -> KubeObject:
    probe: KubeObject = {
        "httpGet": {"path": path, "port": "http"},
        "initialDelaySeconds": initial,
        "periodSeconds": period,
    }
    if timeout is not None:
        probe["timeoutSeconds"] = timeout
    if failure is not None:
        probe["failureThreshold"] = failure
    return probe


def _resources(req_cpu: str, req_mem: str, lim_cpu: str, lim_mem: str) -> KubeObject:
    return {"requests": {"cpu": req_cpu, "memory": req_mem}, "limits": {"cpu": lim_cpu, "memory": lim_mem}}


SERVER_LIVENESS = _http_probe("/health/liveliness", 10, 15, timeout=10, failure=6)
SERVER_READINESS = _http_probe("/health/readiness", 5, 10, timeout=10)
SERVER_RESOURCES = _resources("1", "4Gi", "2", "4Gi")
UI_LIVENESS = _http_probe("/", 5, 20)
UI_READINESS = _http_probe("/", 2, 10)
UI_RESOURCES = _resources("500m", "500Mi", "1", "1Gi")

K8S = "io.k8s.api.core.v1."
NAMES = {"items": {"pattern": DNS1123_SUBDOMAIN, "x-message": SUBDOMAIN_MESSAGE}}


def _probe(default: KubeObject | None, what: str) -> Any:
    return spec(
        default,
        description=f"{what}: a Kubernetes Probe that replaces the default whole.",
        kube=K8S + "Probe",
    )


def _resources_field(default: KubeObject) -> Any:
    return spec(
        default,
        description="Container resources (Kubernetes ResourceRequirements).",
        kube=K8S + "ResourceRequirements",
    )


@_frozen
class Scheduling:
    """Pod placement and security fields shared by every workload (passed through to Kubernetes)."""

    nodeSelector: dict[str, str] | None = spec(
        None, description="Pod nodeSelector.", examples=[{"kubernetes.io/arch": "amd64"}]
    )
    tolerations: tuple[KubeObject, ...] = spec((), description="Pod tolerations.", kube=K8S + "Toleration")
    affinity: KubeObject | None = spec(None, description="Pod affinity.", kube=K8S + "Affinity")
    podSecurityContext: KubeObject | None = spec(
        None,
        description="Pod securityContext (default: from `podSecurity`; given keys win).",
        kube=K8S + "PodSecurityContext",
    )
    securityContext: KubeObject | None = spec(
        None,
        description="Container securityContext (default: from `podSecurity`; given keys win).",
        kube=K8S + "SecurityContext",
    )
    extraEnv: tuple[KubeObject, ...] = spec(
        (),
        description="Kubernetes EnvVar list appended after litectl's own variables.",
        kube=K8S + "EnvVar",
        examples=[[{"name": "LITELLM_MODE", "value": "PRODUCTION"}]],
    )
    image: ComponentImage | None = spec(None, description="Own image (each unset field inherits `image`).")
    # --- issue 13.1: the upstream chart's pod extras (volumes, init containers, priority) ---
    volumes: tuple[KubeObject, ...] = spec(
        (),
        description="Extra pod volumes (Kubernetes Volume list), e.g. a Secret with a database CA bundle.",
        kube=K8S + "Volume",
        examples=[[{"name": "db-ca", "secret": {"secretName": "litellm-db-ca"}}]],
    )
    volumeMounts: tuple[KubeObject, ...] = spec(
        (),
        description="Extra volume mounts of the main container (Kubernetes VolumeMount list).",
        kube=K8S + "VolumeMount",
        examples=[[{"name": "db-ca", "mountPath": "/etc/ssl/db", "readOnly": True}]],
    )
    extraInitContainers: tuple[KubeObject, ...] = spec(
        (),
        description="Init containers run before the main container (Kubernetes Container list); under "
        "`podSecurity: restricted` each needs a securityContext that passes the level.",
        kube=K8S + "Container",
    )
    priorityClassName: str | None = spec(
        None,
        description="Pod priorityClassName.",
        examples=["high-priority"],
        constraints={"pattern": DNS1123_SUBDOMAIN, "x-message": SUBDOMAIN_MESSAGE},
    )
    terminationGracePeriodSeconds: int | None = spec(
        None, description="Pod terminationGracePeriodSeconds (null: Kubernetes' 30).", constraints={"minimum": 0}
    )


@_frozen
class Component(Scheduling):
    """Fields every long-running component (gateway, backend, ui) accepts."""

    enabled: bool = spec(
        True, description="Emit this component (a disabled component and its routes are omitted)."
    )
    replicas: int = spec(1, description="Replica count when the HPA is disabled.", constraints={"minimum": 0})
    resources: KubeObject = _resources_field(SERVER_RESOURCES)
    livenessProbe: KubeObject | None = _probe(SERVER_LIVENESS, "Liveness probe")
    readinessProbe: KubeObject | None = _probe(SERVER_READINESS, "Readiness probe")
    startupProbe: KubeObject | None = _probe(None, "Startup probe")
    hpa: Hpa = spec(factory=Hpa, description="HorizontalPodAutoscaler settings.")
    pdb: Pdb = spec(factory=Pdb, description="PodDisruptionBudget settings.")
    envConfigMaps: tuple[str, ...] = spec(
        (), description="ConfigMap names loaded with envFrom.", constraints=NAMES
    )
    envSecrets: tuple[str, ...] = spec(
        (), description="Secret names loaded with envFrom.", constraints=NAMES, secret_ref=True
    )
    logLevel: LogLevel = spec("INFO", description="`LITELLM_LOG` level.")
    topologySpreadConstraints: tuple[KubeObject, ...] = spec(
        (), description="Pod topology spread constraints.", kube=K8S + "TopologySpreadConstraint"
    )
    podAnnotations: dict[str, str] = spec(factory=_dict_of_str, description="Extra pod annotations.")
    podLabels: dict[str, str] = spec(
        factory=_dict_of_str, description="Extra pod labels (may not override the selector labels)."
    )
    service: Service = spec(factory=Service, description="The component's Service.")
    # --- issue 13.1: the upstream chart's Deployment extras ---
    extraContainers: tuple[KubeObject, ...] = spec(
        (),
        description="Sidecar containers (Kubernetes Container list); under `podSecurity: restricted` "
        "each needs a securityContext that passes the level.",
        kube=K8S + "Container",
    )
    lifecycle: KubeObject | None = spec(
        None,
        description="Lifecycle hooks of the main container (e.g. a preStop sleep for graceful drains).",
        kube=K8S + "Lifecycle",
        examples=[{"preStop": {"exec": {"command": ["sleep", "10"]}}}],
    )
    strategy: KubeObject | None = spec(
        None,
        description="Deployment strategy (Kubernetes DeploymentStrategy; null: RollingUpdate 25%/25%).",
        kube="io.k8s.api.apps.v1.DeploymentStrategy",
        examples=[{"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}],
    )
    minReadySeconds: int | None = spec(
        None, description="Deployment minReadySeconds.", constraints={"minimum": 0}
    )
    deploymentAnnotations: dict[str, str] = spec(
        factory=_dict_of_str, description="Extra annotations on the Deployment object (not its pods)."
    )
    deploymentLabels: dict[str, str] = spec(
        factory=_dict_of_str,
        description="Extra labels on the Deployment object (not its pods; never on selectors).",
    )


@_frozen
class GatewayConfig:
    """LiteLLM's own proxy config, mounted at /app/config/config.yaml on gateway and backend."""

    proxy_config: dict[str, Any] = spec(
        factory=dict,
        description="LiteLLM proxy config (`model_list`, `litellm_settings`, ...), passed through untouched.",
        examples=[
            {
                "model_list": [
                    {
                        "model_name": "gpt-4o",
                        "litellm_params": {"model": "openai/gpt-4o", "api_key": "os.environ/OPENAI_API_KEY"},
                    }
                ]
            }
        ],
    )


# --- gateway.serviceMonitor (Prometheus Operator) -------------------------------------------

DURATION = {"pattern": r"^(0|([0-9]+(ms|s|m|h))+)$", "x-message": "must be a Prometheus duration such as 30s or 1m"}


@_frozen
class BearerTokenSecret:
    """The Secret key holding the token Prometheus sends on /metrics (LiteLLM asks for a key since 1.85)."""

    name: str | None = spec(None, description="Secret name (none: masterKey.secretName).", constraints=SECRET_NAME,
                            secret_ref=True)
    key: str | None = spec(None, description="Key inside the Secret (none: masterKey.secretKey).",
                           constraints=SECRET_KEY)


@_frozen
class ServiceMonitor:
    """A Prometheus Operator ServiceMonitor scraping the gateway's /metrics/ (upstream chart keys)."""

    enabled: bool = spec(False, description="Emit the ServiceMonitor (needs the Prometheus Operator CRDs).")
    labels: dict[str, str] = spec(factory=_dict_of_str, description="Extra labels (e.g. the `release` "
                                  "label a Prometheus' serviceMonitorSelector picks).")
    annotations: dict[str, str] = spec(factory=_dict_of_str, description="ServiceMonitor annotations.")
    interval: str = spec("30s", description="Scrape interval.", constraints=DURATION)
    scrapeTimeout: str = spec("10s", description="Scrape timeout (at most the interval).", constraints=DURATION)
    relabelings: tuple[KubeObject, ...] = spec((), description="Prometheus Operator RelabelConfig list.")
    namespaceSelector: KubeObject = spec(
        factory=dict, description="Prometheus Operator NamespaceSelector (`matchNames`, `any`); empty: the "
        "ServiceMonitor's own namespace.", examples=[{"matchNames": ["litellm"]}])
    bearerTokenSecret: BearerTokenSecret = spec(
        factory=BearerTokenSecret, description="Secret reference of the scrape's bearer token (never a literal).")


@_frozen
class Gateway(Component):
    """The LLM data plane (port 4000)."""

    numWorkers: int = spec(
        1, description="Uvicorn workers per pod (`NUM_WORKERS`).", constraints={"minimum": 1}
    )
    config: GatewayConfig = spec(factory=GatewayConfig, description="LiteLLM proxy configuration.")
    serviceMonitor: ServiceMonitor = spec(factory=ServiceMonitor, description="Prometheus Operator ServiceMonitor.")


@_frozen
class Backend(Component):
    """The management/UI API (port 4001)."""

    hpa: BackendHpa = spec(factory=BackendHpa, description="HorizontalPodAutoscaler settings.")
    service: BackendService = spec(factory=BackendService, description="The component's Service.")


@_frozen
class Ui(Component):
    """The static admin dashboard served by nginx (port 3000)."""

    resources: KubeObject = _resources_field(UI_RESOURCES)
    livenessProbe: KubeObject | None = _probe(UI_LIVENESS, "Liveness probe")
    readinessProbe: KubeObject | None = _probe(UI_READINESS, "Readiness probe")
    hpa: UiHpa = spec(factory=UiHpa, description="HorizontalPodAutoscaler settings.")
    service: UiService = spec(factory=UiService, description="The component's Service.")


# --- section 8: migrations Job -------------------------------------------------------------


@_frozen
class HelmHook:
    """Run the Job as a Helm pre-install/pre-upgrade hook."""

    enabled: bool = spec(True, description="Annotate the Job as a Helm hook.")
    weight: int = spec(0, description="`helm.sh/hook-weight`.")


@_frozen
class ArgoHook:
    """Run the Job as an Argo CD PreSync hook."""

    enabled: bool = spec(False, description="Annotate the Job as an Argo CD PreSync hook.")


@_frozen
class MigrationHooks:
    """How deploy tools sequence the Job before the servers."""

    helm: HelmHook = spec(factory=HelmHook, description="Helm hook settings.")
    argocd: ArgoHook = spec(factory=ArgoHook, description="Argo CD hook settings.")


@_frozen
class MigrationJob(Scheduling):
    """The one-shot `prisma migrate deploy` Job, run before gateway and backend."""

    enabled: bool = spec(True, description="Emit the migrations Job.")
    backoffLimit: int = spec(4, description="Job backoffLimit.", constraints={"minimum": 0})
    ttlSecondsAfterFinished: int | None = spec(
        120, description="Seconds a finished Job is kept (null: forever).", constraints={"minimum": 0}
    )
    activeDeadlineSeconds: int | None = spec(
        1800, description="Job deadline in seconds (null: none).", constraints={"minimum": 1}
    )
    resources: KubeObject = spec(
        factory=dict, description="Container resources.", kube=K8S + "ResourceRequirements"
    )
    hooks: MigrationHooks = spec(factory=MigrationHooks, description="Deploy-tool hooks.")


# --- section 9: ingress --------------------------------------------------------------------


@_frozen
class ExtraPath:
    """An additional ingress route, placed before the backend catch-all."""

    path: str = required(
        description="URL path.",
        examples=["/custom"],
        constraints={"pattern": "^/", "x-message": "must start with '/'"},
    )
    pathType: PathType = spec("Prefix", description="Kubernetes pathType.")
    service: RoutedComponent = spec("gateway", description="Component the path routes to.")


@_frozen
class Ingress:
    """One host fronting ui, gateway and backend."""

    enabled: bool = spec(False, description="Emit the Ingress.")
    className: str | None = spec(None, description="ingressClassName.", examples=["alb", "nginx"])
    controller: IngressController = spec("alb", description="Controller quirks to apply to the route table.")
    host: str | None = spec(
        None,
        description="Host of the single rule.",
        examples=["aigateway.example.com"],
        constraints={
            "pattern": r"^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
            "x-message": "must be a lowercase DNS host name",
        },
    )
    annotations: dict[str, str] = spec(factory=_dict_of_str, description="Ingress annotations.")
    tls: tuple[KubeObject, ...] = spec(
        (), description="Kubernetes IngressTLS list.", kube="io.k8s.api.networking.v1.IngressTLS"
    )
    extraPaths: tuple[ExtraPath, ...] = spec((), description="Extra routes (never `/` or a built-in path).")


# --- extraResources: the escape hatch ------------------------------------------------------

#: Kinds checked strictly (kind -> (apiVersion, Kubernetes definition)); other kinds (custom
#: resources) only need the identity every object has. Secret is absent on purpose: secrets are
#: referenced, never written into any output (normalize refuses it).
EXTRA_RESOURCE_KINDS: dict[str, tuple[str, str]] = {
    "ConfigMap": ("v1", "io.k8s.api.core.v1.ConfigMap"),
    "Service": ("v1", "io.k8s.api.core.v1.Service"),
    "ServiceAccount": ("v1", "io.k8s.api.core.v1.ServiceAccount"),
    "PersistentVolumeClaim": ("v1", "io.k8s.api.core.v1.PersistentVolumeClaim"),
    "Deployment": ("apps/v1", "io.k8s.api.apps.v1.Deployment"),
    "StatefulSet": ("apps/v1", "io.k8s.api.apps.v1.StatefulSet"),
    "Job": ("batch/v1", "io.k8s.api.batch.v1.Job"),
    "CronJob": ("batch/v1", "io.k8s.api.batch.v1.CronJob"),
    "NetworkPolicy": ("networking.k8s.io/v1", "io.k8s.api.networking.v1.NetworkPolicy"),
    "PodDisruptionBudget": ("policy/v1", "io.k8s.api.policy.v1.PodDisruptionBudget"),
    "Role": ("rbac.authorization.k8s.io/v1", "io.k8s.api.rbac.v1.Role"),
    "RoleBinding": ("rbac.authorization.k8s.io/v1", "io.k8s.api.rbac.v1.RoleBinding"),
}
#: Kinds that live outside any namespace: the deployment's namespace is not added to them.
CLUSTER_SCOPED_KINDS = (
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass",
    "StorageClass", "IngressClass", "PersistentVolume", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "ClusterIssuer",
)
EXTRA_RESOURCE_ITEM: dict[str, Any] = {
    "required": ["apiVersion", "kind", "metadata"],
    "properties": {
        "apiVersion": {"type": "string", "minLength": 1},
        "kind": {"type": "string", "minLength": 1},
        "metadata": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "maxLength": 253, "pattern": DNS1123_SUBDOMAIN,
                         "x-message": SUBDOMAIN_MESSAGE},
            },
        },
    },
}


# --- section 10/11: the document -----------------------------------------------------------


@_frozen
class Document:
    """A LiteLLM deployment topology (litectl/v1alpha1)."""

    apiVersion: Literal["litectl/v1alpha1"] = required(description="Spec version.")
    kind: Literal["LiteLLMTopology"] = required(description="Document kind.")
    metadata: Metadata = required(description="Deployment identity.")
    image: Image = spec(factory=Image, description="Image of every component.")
    masterKey: MasterKey = spec(factory=MasterKey, description="Proxy master key Secret.")
    database: Database = required(description="External Postgres.")
    redis: Redis = spec(factory=Redis, description="Optional Redis.")
    serviceAccount: ServiceAccount = spec(factory=ServiceAccount, description="ServiceAccount.")
    podSecurity: PodSecurityLevel = spec(
        "baseline",
        description="Pod Security Standards level: `baseline` for the stock image (runs as root), "
        "`restricted` for non-root images.",
    )
    gateway: Gateway = spec(factory=Gateway, description="The gateway (LLM data plane).")
    backend: Backend = spec(factory=Backend, description="The backend (management API).")
    ui: Ui = spec(factory=Ui, description="The ui (static dashboard).")
    migrationJob: MigrationJob = spec(factory=MigrationJob, description="The migrations Job.")
    ingress: Ingress = spec(factory=Ingress, description="The Ingress.")
    extraResources: tuple[KubeObject, ...] = spec(
        (),
        description="Whole Kubernetes objects emitted as written by the Kubernetes targets (with the "
        "deployment's labels, annotations and namespace added): kinds litectl knows are checked "
        "against the Kubernetes schemas, others need `apiVersion`, `kind` and `metadata.name`.",
        examples=[[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "litellm-callbacks"},
                    "data": {"callbacks.py": "..."}}]],
        constraints={"items": EXTRA_RESOURCE_ITEM},
    )
    environments: dict[str, dict[str, Any]] = spec(
        factory=dict,
        description="Per-environment partial documents, deep-merged over the base "
        "(maps merge, lists and scalars replace, null removes).",
        examples=[{"prod": {"gateway": {"replicas": 3}}}],
    )
    targets: dict[str, dict[str, Any]] = spec(
        factory=dict, description="Per-target options (`targets.<name>`); each accepts `output`."
    )


#: Top-level sections an environment may not override.
NOT_IN_ENVIRONMENTS = ("apiVersion", "kind", "environments")


_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain_container(value: dict[str, Any] | list[Any]) -> Any:
    if type(value) is dict:
        return {k: to_plain(v) for k, v in value.items()}
    return [to_plain(v) for v in value]


_PLAIN_COPIES: IdentityMemo[Any] = IdentityMemo()


def to_plain(value: Any) -> Any:
    """Model instances (and their tuples) as plain JSON-like data, keys in field order."""
    kind = type(value)
    # The bulk of a big spec is plain data (proxy_config): settle it before the costly attrs.has.
    if kind is dict or kind is list:
        if len(value) >= WORTH_REMEMBERING:  # shared by the base and its environments: copied once
            return _PLAIN_COPIES.get(value, lambda: _plain_container(value))
        return _plain_container(value)
    if kind in _PLAIN_SCALARS:
        return value
    if attrs.has(kind):
        return {f.name: to_plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value
