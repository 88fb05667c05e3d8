"""One Topology as a Compose application model (plain data), plus what it mounts and needs.

The wiring is the IR's: the same images, arguments (as `command`, since the image's entrypoint
dispatches on the first argument), environment names, values and order as the Kubernetes
targets. What Kubernetes resolves at run time from Secrets becomes Compose interpolation
(`${VAR:?...}`, one variable per Secret key, values in `.env`); envFrom becomes `env_file`.
Whatever Compose cannot express is collected as a `Gap` and reported by the target.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
from litectl.compiler import ir
from litectl.compiler.diagnostics import Diagnostic, JsonPath, error
from litectl.compiler.routes import build_routes
from litectl.targets.compose import healthcheck as hc
from litectl.targets.compose import podextras
from litectl.targets.compose.nginx import CONFIG_PATH as NGINX_CONFIG_PATH
from litectl.targets.compose.nginx import LISTEN_PORT, nginx_conf
from litectl.targets.compose.quantity import compose_cpus, compose_memory
from litectl.targets.kube import CHECKSUM_ANNOTATION, config_checksum, config_text
from litectl.targets.options import ComposeOptions

PROXY_IMAGE = "nginx:1.27-alpine"
CONFIG_FILE = "config/config.yaml"
NGINX_FILE = "nginx/nginx.conf"
ENV_DIR = "env"
POSTGRES_PORT = 5432
REDIS_PORT = 6379
POSTGRES_VOLUME = "postgres-data"
REDIS_VOLUME = "redis-data"
PULL_POLICY = {"Always": "always", "IfNotPresent": "missing", "Never": "never"}
RESTART = "unless-stopped"

VarKind = Literal["Secret", "ConfigMap"]


# --- gaps ---------------------------------------------------------------------------------------

#: Every feature Compose cannot express: id -> (feature, what the stack does instead); one warning each.
GAPS: dict[str, tuple[str, str]] = {
    "hpa": ("HorizontalPodAutoscaler",
            "compose runs a fixed number of containers (hpa.minReplicas) and never autoscales"),
    "pdb": ("PodDisruptionBudget", "compose has no disruption budgets"),
    "nodeSelector": ("nodeSelector", "compose runs every container on one host"),
    "tolerations": ("tolerations", "compose has no taints to tolerate"),
    "affinity": ("affinity", "compose runs every container on one host"),
    "topologySpreadConstraints": ("topologySpreadConstraints", "compose runs every container on one host"),
    "podAnnotations": ("pod annotations",
                       "containers carry no annotations, so tools reading them do not apply"),
    "service": ("Service type, port and annotations",
                "compose services are reached by service name on their container port"),
    "serviceAccount": ("ServiceAccount and its annotations (e.g. a cloud IAM role)",
                       "containers run without a Kubernetes identity; give them credentials another way"),
    "pullSecrets": ("image pull Secrets", "log in to the registry with `docker login` instead"),
    "envValueFrom": ("env valueFrom fieldRef/resourceFieldRef",
                     "only Kubernetes can fill these in, so the variables are left out"),
    "grpcProbe": ("gRPC readiness probes", "the image has no gRPC health client, so there is no healthcheck"),
    "probe": ("this readiness probe", "it cannot run as a compose healthcheck, so there is none"),
    "resources": ("resources other than cpu and memory (e.g. ephemeral-storage, GPUs)", "they are not set"),
    "runAsNonRoot": ("securityContext.runAsNonRoot",
                     "compose cannot refuse to start an image that runs as root"),
    "securityContext": ("these securityContext fields", "they are not applied"),
    "ingressTls": ("ingress TLS", "the compose proxy serves plain HTTP"),
    "ingressAnnotations": ("ingress annotations", "controller settings do not apply to the compose proxy"),
    "argocdHook": ("Argo CD hooks", "compose orders the migrations with depends_on instead"),
    "iamLocalPostgres": ("database IAM auth against the local postgres",
                         "the stack uses password auth with the writer's passwordSecret there instead"),
    "entraLocalPostgres": ("database Entra ID auth against the local postgres",
                           "the stack uses password auth with the writer's passwordSecret there instead"),
    "urlSecretLocalPostgres": ("database.urlSecret with the local postgres",
                               "the stack cannot know the credentials inside the URL, so no local "
                               "postgres is added: point the URL's variable at a database you run"),
    "sslLocalPostgres": ("database TLS against the local postgres",
                         "it serves no TLS, so DATABASE_SSLMODE/DATABASE_SSLROOTCERT are left out"),
    "readerSecretLocalPostgres": ("a reader passwordSecret other than the writer's with the local postgres",
                                  "it only has the writer's user: give both Secrets' variables the "
                                  "same values"),
    "redisClusterLocal": ("a Redis cluster with the local redis",
                          "it is a single node, so REDIS_CLUSTER_NODES is left out"),
    "redisSslLocal": ("Redis TLS with the local redis",
                      "it serves no TLS, so REDIS_SSL/REDIS_SSL_CERT_REQS are left out"),
    "redisUnused": ("a local redis without redis.host",
                    "nothing in the spec would use it, so none is added"),
    "extraResources": ("extraResources (whole Kubernetes objects)",
                       "compose has no Kubernetes API to apply them to, so they are skipped"),
    "serviceMonitor": ("gateway.serviceMonitor (a Prometheus Operator ServiceMonitor)",
                       "point your Prometheus at the gateway's /metrics/ with a key yourself"),
    "publishReplicas": ("several replicas behind one host port",
                        "the port range they need collides with another published port, so the service is "
                        "not published (reach it through the proxy, or change targets.compose.publish)"),
}

GAPS.update(podextras.GAPS)  # issue 13.1's pod extras


@attrs.frozen
class Gap:
    """One place where a feature Compose cannot express is used."""

    feature: str
    path: JsonPath


@attrs.frozen
class Variable:
    """An interpolated variable: the Secret (or ConfigMap) key whose value it carries."""

    name: str
    kind: VarKind
    source: str
    key: str


@attrs.frozen
class EnvFile:
    """An `env_file` standing in for envFrom: the object whose keys it must hold."""

    path: str
    kind: VarKind
    source: str


@attrs.define
class Stack:
    """A rendered topology: the compose document and everything around it."""

    topology: ir.Topology
    document: dict[str, Any]
    mounted: dict[str, str]  # relative path -> text of the files the services mount
    variables: dict[str, Variable]
    variable_users: dict[str, list[str]]  # variable -> services interpolating it
    env_files: dict[str, EnvFile]
    env_file_users: dict[str, list[str]]
    gaps: list[Gap]
    errors: list[Diagnostic]


def variable_name(source: str, key: str) -> str:
    """`<SOURCE>_<KEY>` in upper snake case (`litellm-db`, `password` -> `LITELLM_DB_PASSWORD`)."""
    name = re.sub(r"[^A-Za-z0-9]", "_", f"{source}_{key}").upper()
    return f"_{name}" if name[:1].isdigit() else name


def kube_expansion(value: str, earlier: Mapping[str, str]) -> str:
    """A user's extraEnv value (a Kubernetes EnvVar) as Compose text that means the same.

    Kubernetes replaces `$(NAME)` with the value of an earlier variable NAME of the container
    (leaving it as written when there is none) and reads `$$` as `$`. Compose has no such
    expansion, so it is done here, over the earlier variables' Compose values (`earlier`, a
    Secret's being its `${VAR:?...}` interpolation); every other `$` is escaped for Compose.
    """
    out: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "$" and value[index + 1 : index + 2] == "$":
            out.append("$$")
            index += 2
            continue
        if char == "$" and value[index + 1 : index + 2] == "(":
            close = value.find(")", index + 2)
            if close >= 0:
                name = value[index + 2 : close]
                out.append(earlier[name] if name in earlier else hc.escape(value[index : close + 1]))
                index = close + 1
                continue
        out.append(hc.escape(char))
        index += 1
    return "".join(out)


def env_file_path(source: str) -> str:
    return f"./{ENV_DIR}/{source}.env"


def project_name(topology: ir.Topology) -> str:
    """The Compose project: one per environment, so environments on one host keep their own
    containers, networks and volumes."""
    return f"{topology.name}-{topology.environment}" if topology.environment else topology.name


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def config_file_text(topology: ir.Topology, header: str) -> str:
    """The mounted proxy config: the ConfigMap's text, under the generated-file header."""
    return "".join(f"# {line}\n" for line in header.split("\n")) + config_text(topology)


def proxy_routes(topology: ir.Topology) -> tuple[ir.Route, ...]:
    """The Ingress route table; built from the spec's ingress settings when no Ingress is emitted."""
    if topology.ingress is not None:
        return topology.ingress.routes
    ingress = topology.document.get("ingress") or {}
    extra = [(str(p["path"]), p.get("pathType", "Prefix"), p.get("service", "gateway"))
             for p in ingress.get("extraPaths") or []]
    enabled = [w.component for w in topology.workloads]
    return build_routes(extra, str(ingress.get("controller", "alb")), enabled)


def proxy_enabled(topology: ir.Topology, options: ComposeOptions) -> bool:
    if options.proxy.enabled is not None:
        return options.proxy.enabled
    return topology.ingress is not None


def nginx_text(topology: ir.Topology, header: str) -> str:
    return nginx_conf(proxy_routes(topology), header=header)


# --- the builder ---------------------------------------------------------------------------------


class _Builder:
    def __init__(self, topology: ir.Topology, options: ComposeOptions, header: str,
                 paths: Mapping[str, str]) -> None:
        self.t = topology
        self.o = options
        self.header = header
        self.paths = paths
        self.env = topology.environment
        self.variables: dict[str, Variable] = {}
        self.variable_users: dict[str, list[str]] = {}
        self.env_files: dict[str, EnvFile] = {}
        self.env_file_users: dict[str, list[str]] = {}
        self.gaps: list[Gap] = []
        self.errors: list[Diagnostic] = []
        self.mounted: dict[str, str] = {}
        self.named_volumes: dict[str, Any] = {}  # persistentVolumeClaim volumes (podextras)
        self.postgres = options.postgres.enabled and self._database_user() is not None
        if options.postgres.enabled and (topology.document.get("database") or {}).get("urlSecret"):
            self.gap("urlSecretLocalPostgres", ("targets", "compose", "postgres", "enabled"))
        self.redis = options.redis.enabled and topology.redis is not None
        if options.redis.enabled and topology.redis is None:
            self.gap("redisUnused", ("targets", "compose", "redis", "enabled"))
        if topology.service_monitor is not None:
            self.gap("serviceMonitor", ("gateway", "serviceMonitor", "enabled"))
        for index, _obj in enumerate(topology.extra_resources):
            self.gap("extraResources", ("extraResources", index))

    # reporting
    def gap(self, feature: str, path: JsonPath) -> None:
        self.gaps.append(Gap(feature, path))

    def fail(self, message: str, path: JsonPath) -> None:
        prefix = f"environment {self.env}: " if self.env else ""
        self.errors.append(error(prefix + message, path))

    # interpolation
    def reference(self, kind: VarKind, source: str, key: str, service: str) -> str:
        """`${VAR:?message}` for one Secret/ConfigMap key; the same key is always the same variable."""
        name = variable_name(source, key)
        wanted = Variable(name, kind, source, key)
        known = self.variables.setdefault(name, wanted)
        if known != wanted:
            self.fail(f"{known.kind} {known.source} key {known.key} and {kind} {source} key {key} both "
                      f"become the compose variable {name}; rename one of them", ())
        users = self.variable_users.setdefault(name, [])
        if service not in users:
            users.append(service)
        return f"${{{name}:?{kind} {source} key {key} is not set: see .env.example}}"

    def env_value(self, var: ir.EnvVar, service: str, path: JsonPath) -> str | None:
        if var.secret is not None:
            return self.reference("Secret", var.secret.name, var.secret.key, service)
        if var.config_map is not None:
            return self.reference("ConfigMap", var.config_map.name, var.config_map.key, service)
        if var.other is not None:
            self.gap("envValueFrom", path)
            return None
        return hc.escape(var.value or "")

    def environment(self, env: Sequence[ir.EnvVar], service: str, path: JsonPath) -> dict[str, str]:
        out: dict[str, str] = {}
        for var in self.local_wiring(env):
            if var.user and var.value is not None:
                value: str | None = kube_expansion(var.value, out)
            else:
                value = self.env_value(var, service, path)
            if value is not None:
                out.pop(var.name, None)  # a later duplicate wins, as in Kubernetes
                out[var.name] = value
        return out

    def env_file(self, ref: ir.EnvFrom, service: str) -> str:
        kind: VarKind = "Secret" if ref.kind == "secret" else "ConfigMap"
        path = env_file_path(ref.name)
        self.env_files.setdefault(path, EnvFile(path, kind, ref.name))
        users = self.env_file_users.setdefault(path, [])
        if service not in users:
            users.append(service)
        return path

    # local postgres / redis
    def _server_env(self) -> tuple[ir.EnvVar, ...]:
        for source in (self.t.migrations, self.t.gateway, self.t.backend):
            if source is not None:
                return source.env
        return ()

    def _database_user(self) -> ir.EnvVar | None:
        return next((v for v in self._server_env() if v.name == "DATABASE_USER" and not v.user), None)

    def _writer_password(self) -> ir.SecretKeyRef | None:
        """The writer's password key (from the spec when IAM auth left it out of the wiring)."""
        var = next((v for v in self._server_env() if v.name == "DATABASE_PASSWORD" and not v.user), None)
        if var is not None and var.secret is not None:
            return var.secret
        secret = ((self.t.document.get("database") or {}).get("writer") or {}).get("passwordSecret") or {}
        if not secret.get("name"):
            return None
        return ir.SecretKeyRef(str(secret["name"]), str(secret.get("passwordKey", "password")))

    def local_wiring(self, env: Sequence[ir.EnvVar]) -> list[ir.EnvVar]:
        """The IR's wiring pointed at the local postgres/redis when the stack brings them."""
        out: list[ir.EnvVar] = []
        for var in env:
            if var.user:
                out.append(var)
                continue
            name = var.name
            if self.postgres:
                if name in ("DATABASE_HOST", "DATABASE_HOST_READ_REPLICA"):
                    var = ir.EnvVar(name, "postgres")
                elif name in ("DATABASE_PORT", "DATABASE_PORT_READ_REPLICA"):
                    var = ir.EnvVar(name, str(POSTGRES_PORT))
                elif name in ("DATABASE_SSLMODE", "DATABASE_SSLROOTCERT"):
                    self.gap("sslLocalPostgres", ("database", "writer", "sslMode"))
                    continue
                elif name in ("IAM_TOKEN_DB_AUTH", "AZURE_POSTGRESQL_AUTH"):
                    if name == "IAM_TOKEN_DB_AUTH":
                        self.gap("iamLocalPostgres", ("database", "writer", "useIAMAuth"))
                    else:
                        self.gap("entraLocalPostgres", ("database", "writer", "useAzureEntraAuth"))
                    password = self._writer_password()
                    if password is not None:
                        out.append(ir.EnvVar("DATABASE_PASSWORD", secret=password))
                    continue
                elif name == "DATABASE_USER_READ_REPLICA":
                    writer = self._database_user()
                    if writer is not None and writer.secret != var.secret:
                        self.gap("readerSecretLocalPostgres", ("database", "reader", "passwordSecret"))
            if self.redis:
                if name == "REDIS_HOST":
                    var = ir.EnvVar(name, "redis")
                elif name == "REDIS_PORT":
                    var = ir.EnvVar(name, str(REDIS_PORT))
                elif name == "REDIS_CLUSTER_NODES":
                    self.gap("redisClusterLocal", ("redis", "cluster"))
                    continue
                elif name in ("REDIS_SSL", "REDIS_SSL_CERT_REQS"):
                    self.gap("redisSslLocal", ("redis", "ssl"))
                    continue
            out.append(var)
        return out

    def postgres_service(self) -> dict[str, Any]:
        user = self._database_user()
        password = self._writer_password()
        database = next((v.value for v in self._server_env() if v.name == "DATABASE_NAME"), None)
        env: dict[str, str] = {}
        if user is not None and user.secret is not None:
            env["POSTGRES_USER"] = self.reference("Secret", user.secret.name, user.secret.key, "postgres")
        if password is not None:
            env["POSTGRES_PASSWORD"] = self.reference("Secret", password.name, password.key, "postgres")
        if database:
            env["POSTGRES_DB"] = hc.escape(database)
        return {
            "image": hc.escape(self.o.postgres.image),
            "restart": RESTART,
            "environment": env,
            "volumes": [f"{POSTGRES_VOLUME}:/var/lib/postgresql/data"],
            "healthcheck": {
                # Over TCP: the image's first-start initialisation runs a socket-only server, which
                # must not count as ready.
                "test": ["CMD-SHELL", 'pg_isready -h 127.0.0.1 -U "$${POSTGRES_USER}" -d "$${POSTGRES_DB}"'],
                "interval": "5s",
                "timeout": "5s",
                "retries": 12,
                "start_period": "10s",
            },
        }

    def redis_service(self) -> dict[str, Any]:
        assert self.t.redis is not None
        service: dict[str, Any] = {"image": hc.escape(self.o.redis.image), "restart": RESTART}
        secret = self.t.redis.password
        if secret is not None:
            ref = self.reference("Secret", secret.name, secret.key, "redis")
            service["command"] = ["redis-server", "--requirepass", ref]
            service["environment"] = {"REDISCLI_AUTH": ref}  # redis-cli reads its password from here
        service["volumes"] = [f"{REDIS_VOLUME}:/data"]
        service["healthcheck"] = {
            "test": ["CMD-SHELL", "redis-cli ping | grep -q PONG"],
            "interval": "5s",
            "timeout": "5s",
            "retries": 12,
            "start_period": "5s",
        }
        return service

    def local_dependencies(self) -> dict[str, Any]:
        deps: dict[str, Any] = {}
        if self.postgres:
            deps["postgres"] = {"condition": "service_healthy"}
        if self.redis:
            deps["redis"] = {"condition": "service_healthy"}
        return deps

    # pods
    def pod_gaps(self, pod: ir.PodSettings, path: JsonPath) -> None:
        if pod.node_selector:
            self.gap("nodeSelector", (*path, "nodeSelector"))
        if pod.tolerations:
            self.gap("tolerations", (*path, "tolerations"))
        if pod.affinity:
            self.gap("affinity", (*path, "affinity"))
        if pod.topology_spread:
            self.gap("topologySpreadConstraints", (*path, "topologySpreadConstraints"))
        if pod.pod_annotations:
            self.gap("podAnnotations", (*path, "podAnnotations"))

    def security(self, pod: ir.PodSettings, path: JsonPath) -> dict[str, Any]:
        """Container security settings Compose has: the pod's context, the container's winning."""
        ctx = {**(pod.pod_security_context or {}), **(pod.security_context or {})}
        out: dict[str, Any] = {}
        options: list[str] = []
        container = pod.security_context or {}
        for key, value in ctx.items():
            where = (*path, "securityContext" if key in container else "podSecurityContext", key)
            if key == "privileged":
                if value:
                    out["privileged"] = True
            elif key == "allowPrivilegeEscalation":
                if value is False:
                    options.append("no-new-privileges:true")
            elif key == "readOnlyRootFilesystem":
                if value:
                    out["read_only"] = True
            elif key == "capabilities":
                for field, target in (("add", "cap_add"), ("drop", "cap_drop")):
                    if value.get(field):
                        out[target] = [str(c) for c in value[field]]
            elif key == "runAsUser":
                group = ctx.get("runAsGroup")
                out["user"] = f"{value}:{group}" if group is not None else str(value)
            elif key == "runAsGroup":
                if ctx.get("runAsUser") is None:
                    self.gap("securityContext", where)
            elif key == "supplementalGroups":
                if value:
                    out["group_add"] = [str(g) for g in value]
            elif key == "sysctls":
                if value:
                    out["sysctls"] = {str(s["name"]): hc.escape(str(s["value"])) for s in value}
            elif key == "seccompProfile":
                kind = (value or {}).get("type")
                if kind == "Unconfined":
                    options.append("seccomp:unconfined")
                elif kind != "RuntimeDefault":  # Docker's default profile is the runtime default
                    self.gap("securityContext", where)
            elif key == "runAsNonRoot":
                if value:
                    self.gap("runAsNonRoot", where)
            else:
                self.gap("securityContext", where)
        if options:
            out["security_opt"] = options
        return out

    def deploy(self, resources: Mapping[str, Any], path: JsonPath, replicas: int | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if replicas is not None:
            out["replicas"] = replicas
        converted: dict[str, dict[str, str]] = {}
        for kind, target in (("limits", "limits"), ("requests", "reservations")):
            for name, quantity in (resources.get(kind) or {}).items():
                value = (compose_cpus(quantity) if name == "cpu"
                         else compose_memory(quantity) if name == "memory" else None)
                if value is None:
                    self.gap("resources", (*path, "resources", kind, name))
                    continue
                converted.setdefault(target, {})["cpus" if name == "cpu" else "memory"] = value
        if converted:
            out["resources"] = converted
        return out

    def image(self, image: ir.ImageRef, path: JsonPath) -> dict[str, Any]:
        if image.pull_secrets:
            self.gap("pullSecrets", (*path, "image", "pullSecrets"))
        return {"image": hc.escape(image.reference), "pull_policy": PULL_POLICY.get(image.pull_policy, "missing")}

    def health(self, w: ir.Workload) -> dict[str, Any] | None:
        if not w.readiness_probe:
            return None
        tools: hc.Tools = "shell" if w.component == "ui" else "python"
        try:
            return hc.healthcheck(w.readiness_probe, w.startup_probe, tools, {"http": w.port})
        except hc.UnsupportedProbeError:
            grpc = "grpc" in w.readiness_probe
            self.gap("grpcProbe" if grpc else "probe", (w.component, "readinessProbe"))
            return None

    # services
    def migrations_service(self, job: ir.MigrationJob) -> dict[str, Any]:
        path: JsonPath = ("migrationJob",)
        service = self.image(job.image, path)
        service["command"] = [hc.escape(a) for a in job.args]
        service["restart"] = "no"  # runs once; gateway and backend wait for it to succeed
        deps = self.local_dependencies()
        if deps:
            service["depends_on"] = deps
        env = self.environment(job.env, "migrations", (*path, "extraEnv"))
        if env:
            service["environment"] = env
        if job.pod.writable_dirs:
            service["tmpfs"] = list(job.pod.writable_dirs)
        deploy = self.deploy(job.resources, path, None)
        if deploy:
            service["deploy"] = deploy
        service.update(self.security(job.pod, path))
        self.pod_gaps(job.pod, path)
        podextras.apply(service, job.pod.extras, path, self.gap, self.named_volumes)
        if job.argocd_hook:
            self.gap("argocdHook", ("migrationJob", "hooks", "argocd", "enabled"))
        return service

    def replicas(self, w: ir.Workload) -> int:
        if w.hpa is not None:
            self.gap("hpa", (w.component, "hpa"))
            return w.hpa.min_replicas
        return w.replicas

    def workload_service(self, w: ir.Workload, replicas: int, ports: list[str]) -> dict[str, Any]:
        path: JsonPath = (w.component,)
        service = self.image(w.image, path)
        service["command"] = [hc.escape(a) for a in w.args]
        service["restart"] = RESTART
        if w.component != "ui":
            deps = self.local_dependencies()
            if self.t.migrations is not None:
                deps["migrations"] = {"condition": "service_completed_successfully"}
            if deps:
                service["depends_on"] = deps
        env = self.environment(w.env, w.component, (*path, "extraEnv"))
        if env:
            service["environment"] = env
        env_files = [self.env_file(e, w.component) for e in w.env_from]
        if env_files:
            service["env_file"] = env_files
        if w.mounts_config:
            service["volumes"] = [f"./{self.paths['config']}:{ir.CONFIG_MOUNT_PATH}:ro"]
        if w.pod.writable_dirs:
            service["tmpfs"] = list(w.pod.writable_dirs)
        if ports:
            service["ports"] = ports
        check = self.health(w)
        if check is not None:
            service["healthcheck"] = check
        service["deploy"] = self.deploy(w.resources, path, replicas)
        service.update(self.security(w.pod, path))
        labels = {str(k): hc.escape(str(v)) for k, v in w.pod.pod_labels.items()}
        if w.mounts_config:
            # Like the pods' checksum/config annotation: a config change changes the service, so
            # `docker compose up` recreates the containers that read it.
            labels[CHECKSUM_ANNOTATION] = config_checksum(self.t)
        if labels:
            service["labels"] = labels
        self.pod_gaps(w.pod, path)
        podextras.apply(service, w.pod.extras, path, self.gap, self.named_volumes)
        podextras.deployment_gaps(w.deployment, path, self.gap)
        if w.pdb is not None:
            self.gap("pdb", (*path, "pdb"))
        default_port = ir.CONTAINER_PORTS[w.component]
        if w.service.type != "ClusterIP" or w.service.annotations or w.service.port != default_port:
            self.gap("service", (w.component, "service"))
        return service

    def published_ports(self, counts: Mapping[str, int], proxy: bool) -> dict[str, list[str]]:
        """Host ports: one per single-replica service, a range for several replicas."""
        publish = self.o.publish
        wanted: list[tuple[str, int, int, JsonPath]] = []
        for w in self.t.workloads:
            host = int(getattr(publish, w.component))
            if host:
                wanted.append((w.component, host, w.port, ("targets", "compose", "publish", w.component)))
        if proxy:
            wanted.append(("proxy", self.o.proxy.port, LISTEN_PORT, ("targets", "compose", "proxy", "port")))
        taken: dict[int, str] = {}
        out: dict[str, list[str]] = {}
        for service, host, container, path in wanted:
            if counts.get(service, 1) > 1:
                continue
            if host in taken:
                self.fail(f"{service} and {taken[host]} both publish host port {host}", path)
                continue
            taken[host] = service
            out[service] = [f"{host}:{container}"]
        for service, host, container, path in wanted:
            count = counts.get(service, 1)
            if count <= 1:
                continue
            last = host + count - 1
            if last > 65535 or any(port in taken for port in range(host, last + 1)):
                self.gap("publishReplicas", path)
                continue
            taken.update({port: service for port in range(host, last + 1)})
            out[service] = [f"{host}-{last}:{container}"]
        return out

    def proxy_service(self, ports: list[str]) -> dict[str, Any]:
        text = self.mounted[self.paths["nginx"]]
        deps = {w.component: {"condition": "service_started"} for w in self.t.workloads}
        service: dict[str, Any] = {"image": PROXY_IMAGE, "pull_policy": "missing", "restart": RESTART}
        if deps:
            service["depends_on"] = deps
        service["volumes"] = [f"./{self.paths['nginx']}:{NGINX_CONFIG_PATH}:ro"]
        if ports:
            service["ports"] = ports
        service["labels"] = {CHECKSUM_ANNOTATION: sha256(text)}
        ingress = self.t.ingress
        if ingress is not None and ingress.tls:
            self.gap("ingressTls", ("ingress", "tls"))
        if ingress is not None and ingress.annotations:
            self.gap("ingressAnnotations", ("ingress", "annotations"))
        return service

    def build(self) -> Stack:
        t = self.t
        services: dict[str, Any] = {}
        if self.postgres:
            services["postgres"] = self.postgres_service()
        if self.redis:
            services["redis"] = self.redis_service()
        if t.migrations is not None:
            services["migrations"] = self.migrations_service(t.migrations)
        if t.workloads:
            self.mounted[self.paths["config"]] = config_file_text(t, self.header)
        proxy = proxy_enabled(t, self.o)
        if proxy:
            self.mounted[self.paths["nginx"]] = nginx_text(t, self.header)
        counts: dict[str, int] = {w.component: self.replicas(w) for w in t.workloads}
        ports = self.published_ports(counts, proxy)
        for w in t.workloads:
            services[w.component] = self.workload_service(w, counts[w.component], ports.get(w.component, []))
        if proxy:
            services["proxy"] = self.proxy_service(ports.get("proxy", []))
        if t.service_account.create or t.service_account.annotations:
            self.gap("serviceAccount", ("serviceAccount",))
        document: dict[str, Any] = {"name": project_name(t)}
        meta: dict[str, Any] = {"generator": "litectl", "target": "compose"}
        if t.environment:
            meta["environment"] = t.environment
        document["x-litectl"] = meta
        document["services"] = services
        volumes: dict[str, Any] = {}
        if self.postgres:
            volumes[POSTGRES_VOLUME] = {}
        if self.redis:
            volumes[REDIS_VOLUME] = {}
        volumes.update(sorted(self.named_volumes.items()))
        if volumes:
            document["volumes"] = volumes
        return Stack(t, document, self.mounted, self.variables, self.variable_users, self.env_files,
                     self.env_file_users, self.gaps, self.errors)


def build_stack(topology: ir.Topology, options: ComposeOptions, header: str,
                paths: Mapping[str, str] | None = None) -> Stack:
    """The compose model of one topology; `paths` names the mounted files (default names if None)."""
    return _Builder(topology, options, header, paths or {"config": CONFIG_FILE, "nginx": NGINX_FILE}).build()
