"""Structure a schema-valid document into the model, then resolve it into the IR.

Every default, fallback (reader -> writer, component image -> top-level image), environment
merge and cross-field rule lives here, once. The result is frozen and fully resolved, so the
targets only map data. Problems are reported as diagnostics with document paths; the caller
(`validate.py`) turns paths into file positions.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

import attrs
from litectl.compiler import ir, model
from litectl.compiler.diagnostics import Diagnostic, JsonPath, PathPart, error
from litectl.compiler.memo import WORTH_REMEMBERING, IdentityMemo
from litectl.compiler.naming import SELECTOR_KEYS
from litectl.compiler.routes import build_routes, extra_path_problems

MIGRATIONS_CONTAINER = "prisma-migrations"  # targets.kube's name of the Job's container


def structure(data: Mapping[str, Any]) -> model.Document:
    """Plain, schema-valid data to the model (the schema already rejected anything malformed)."""
    from litectl.compiler.structure import structure as build

    return build(_drop_extensions(data), model.Document)


def _drop_extensions(value: Any) -> Any:
    """`value` without `x-` keys; a subtree without any is returned as it is, not copied.

    LiteLLM's own `proxy_config` is passed through untouched (SPEC.md section 1): an `x-` key
    there is LiteLLM's business, not a note for litectl.

    Environments' documents share the base's unchanged parts (`deep_merge` copies only what an
    environment changes); keeping them shared here lets work keyed by identity, such as the proxy
    config's text (`targets.kube.config_text`), be done once for the base and all of them.
    """
    if isinstance(value, dict):
        out = {}
        changed = False
        for k, v in value.items():
            if isinstance(k, str) and k.startswith("x-"):
                changed = True
                continue
            item = out[k] = v if k == "proxy_config" else _drop_extensions(v)
            changed = changed or item is not v
        return out if changed else value
    if isinstance(value, list):
        items = [_drop_extensions(v) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """SPEC.md section 10: mappings merge key by key, lists and scalars replace, null removes."""
    out = dict(base)
    for key, value in overlay.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = _strip_nulls(value)
    return out


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    return value


def environment_document(data: Mapping[str, Any], env: str) -> dict[str, Any]:
    """The merged document of one environment (without `environments`)."""
    base = {k: v for k, v in data.items() if k != "environments"}
    return deep_merge(base, data["environments"][env] or {})


# --- security levels ------------------------------------------------------------------------


def _level_contexts(level: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(pod, container) securityContext of a Pod Security Standards level."""
    pod: dict[str, Any] = {"seccompProfile": {"type": "RuntimeDefault"}}
    container: dict[str, Any] = {"allowPrivilegeEscalation": False}
    if level == "restricted":
        pod = {"runAsNonRoot": True, **pod}
        container.update(
            {"capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True, "runAsNonRoot": True}
        )
    return pod, container


def _merged_context(level: dict[str, Any], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The level's context with the user's keys winning, merged key by key (adding a capability
    keeps the level's `drop: [ALL]`; `null` removes a level key)."""
    return deep_merge(level, given or {})


# The Pod Security Standards' allowed values (the Kubernetes documentation's "Pod Security
# Standards" page), for the fields a spec can set: explicit contexts win over the level's, but
# every pod must still pass the level the spec names (SPEC.md section 7).
_BASELINE_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})  # fmt: skip
_SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
})  # fmt: skip
_SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
_CONFINED = ("RuntimeDefault", "Localhost")
_APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def _pod_security_problems(
    level: str, pod: Mapping[str, Any], container: Mapping[str, Any], annotations: Mapping[str, str]
) -> Iterator[tuple[JsonPath, str]]:
    """(path below the component, what breaks the level) for the merged security contexts."""
    contexts = (("podSecurityContext", pod), ("securityContext", container))
    if container.get("privileged"):
        yield ("securityContext", "privileged"), "does not allow privileged containers"
    added = list((container.get("capabilities") or {}).get("add") or [])
    allowed = _BASELINE_CAPABILITIES if level == "baseline" else frozenset({"NET_BIND_SERVICE"})
    for capability in added:
        if capability not in allowed:
            yield ("securityContext", "capabilities", "add"), f"does not allow adding capability {capability}"
    if container.get("procMount") not in (None, "Default"):
        yield ("securityContext", "procMount"), "requires procMount Default"
    for sysctl in pod.get("sysctls") or []:
        if isinstance(sysctl, Mapping) and sysctl.get("name") not in _SAFE_SYSCTLS:
            yield ("podSecurityContext", "sysctls"), f"does not allow the sysctl {sysctl.get('name')}"
    for key, value in annotations.items():
        if key.startswith(_APPARMOR_ANNOTATION) and value != "runtime/default" and not value.startswith("localhost/"):
            yield ("podAnnotations", key), "requires the AppArmor profile runtime/default or localhost/*"
    for field, ctx in contexts:
        if (ctx.get("seccompProfile") or {}).get("type") == "Unconfined":
            yield (field, "seccompProfile"), "does not allow an Unconfined seccomp profile"
        if "appArmorProfile" in ctx and (ctx.get("appArmorProfile") or {}).get("type") not in _CONFINED:
            yield (field, "appArmorProfile"), "requires an AppArmor profile RuntimeDefault or Localhost"
        selinux = ctx.get("seLinuxOptions") or {}
        if selinux.get("type", "") not in _SELINUX_TYPES or selinux.get("user") or selinux.get("role"):
            yield (field, "seLinuxOptions"), "allows only the container SELinux types, without user or role"
        if (ctx.get("windowsOptions") or {}).get("hostProcess"):
            yield (field, "windowsOptions", "hostProcess"), "does not allow HostProcess containers"
    if level != "restricted":
        return
    if container.get("allowPrivilegeEscalation") is not False:
        yield ("securityContext", "allowPrivilegeEscalation"), "requires allowPrivilegeEscalation: false"
    if "ALL" not in ((container.get("capabilities") or {}).get("drop") or []):
        yield ("securityContext", "capabilities", "drop"), "requires capabilities.drop to include ALL"
    for field, ctx in contexts:
        if ctx.get("runAsNonRoot") is False:
            yield (field, "runAsNonRoot"), "requires runAsNonRoot: true"
        if ctx.get("runAsUser") == 0:
            yield (field, "runAsUser"), "does not allow runAsUser: 0"
    if pod.get("runAsNonRoot") is not True and container.get("runAsNonRoot") is not True:
        yield ("securityContext", "runAsNonRoot"), "requires runAsNonRoot: true"
    pod_seccomp = (pod.get("seccompProfile") or {}).get("type")
    own_seccomp = (container.get("seccompProfile") or {}).get("type")
    if own_seccomp not in _CONFINED and (own_seccomp is not None or pod_seccomp not in _CONFINED):
        yield ("securityContext", "seccompProfile"), "requires the seccomp profile RuntimeDefault or Localhost"


# The volume types the restricted level allows (Pod Security Standards, "Volume Types"); the
# baseline level forbids only hostPath.
_RESTRICTED_VOLUMES = frozenset({
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
})  # fmt: skip


def _volume_problems(level: str, volume: Mapping[str, Any]) -> Iterator[tuple[JsonPath, str]]:
    """(path below the volume, what breaks the level) for one of the user's pod volumes."""
    kinds = [k for k in volume if k != "name"]
    for kind in kinds:
        if kind == "hostPath":
            yield (kind,), "does not allow hostPath volumes"
        elif level == "restricted" and kind not in _RESTRICTED_VOLUMES:
            yield (kind,), f"does not allow {kind} volumes (only {', '.join(sorted(_RESTRICTED_VOLUMES))})"


# --- the resolver ---------------------------------------------------------------------------


class _Resolver:
    def __init__(self, doc: model.Document, env: str | None, plain: Mapping[str, Any]) -> None:
        self.doc = doc
        self.env = env
        self.plain = plain
        self.problems: list[Diagnostic] = []
        self.name = doc.metadata.name

    def fail(self, message: str, path: JsonPath) -> None:
        self.problems.append(error(message, path))

    # images
    def image(self, own: model.ComponentImage | None) -> ir.ImageRef:
        top = self.doc.image
        own = own or model.ComponentImage()
        return ir.ImageRef(
            repository=own.repository or top.repository,
            tag=own.tag or top.tag,
            digest=own.digest if own.digest is not None else top.digest,
            pull_policy=own.pullPolicy or top.pullPolicy,
            pull_secrets=tuple(own.pullSecrets if own.pullSecrets is not None else top.pullSecrets),
        )

    # environment wiring
    @functools.cached_property
    def master_key_env(self) -> list[ir.EnvVar]:
        mk = self.doc.masterKey
        ref = ir.SecretKeyRef(mk.secretName, mk.secretKey)
        env = [ir.EnvVar("LITELLM_MASTER_KEY", secret=ref), ir.EnvVar("PROXY_MASTER_KEY", secret=ref)]
        if mk.saltKey:
            env.append(
                ir.EnvVar(
                    "LITELLM_SALT_KEY", secret=ir.SecretKeyRef(mk.saltKey.secretName, mk.saltKey.secretKey)
                )
            )
        return env

    def database_env(self) -> list[ir.EnvVar]:
        db = self.doc.database
        if db.urlSecret is not None:
            return self.database_url_env(db)
        w = db.writer
        if w is None:
            self.fail("database needs writer (host, dbname, passwordSecret) or urlSecret", ("database",))
            return []
        ws = w.passwordSecret
        env = [
            ir.EnvVar("DATABASE_HOST", w.host),
            ir.EnvVar("DATABASE_PORT", str(w.port)),
            ir.EnvVar("DATABASE_USER", secret=ir.SecretKeyRef(ws.name, ws.usernameKey)),
            ir.EnvVar("DATABASE_USERNAME", secret=ir.SecretKeyRef(ws.name, ws.usernameKey)),
            ir.EnvVar("DATABASE_NAME", w.dbname),
        ]
        if w.schema is not None:
            env.append(ir.EnvVar("DATABASE_SCHEMA", w.schema))
        if w.sslMode is not None:
            env.append(ir.EnvVar("DATABASE_SSLMODE", w.sslMode))
        if w.sslRootCert is not None:
            env.append(ir.EnvVar("DATABASE_SSLROOTCERT", w.sslRootCert))
        if w.useIAMAuth and w.useAzureEntraAuth:
            self.fail(
                "database.writer.useIAMAuth and useAzureEntraAuth are exclusive: pick one token source",
                ("database", "writer", "useAzureEntraAuth"),
            )
        if w.useIAMAuth:
            env.append(ir.EnvVar("IAM_TOKEN_DB_AUTH", "true"))
        elif w.useAzureEntraAuth:
            env.append(ir.EnvVar("AZURE_POSTGRESQL_AUTH", "true"))
        else:
            env.append(ir.EnvVar("DATABASE_PASSWORD", secret=ir.SecretKeyRef(ws.name, ws.passwordKey)))
        r = db.reader
        if r is not None and r.host:
            reader_iam = r.useIAMAuth if r.useIAMAuth is not None else w.useIAMAuth
            reader_entra = r.useAzureEntraAuth if r.useAzureEntraAuth is not None else w.useAzureEntraAuth
            for toggle, on_reader, on_writer in (("useIAMAuth", r.useIAMAuth, w.useIAMAuth),
                                                 ("useAzureEntraAuth", r.useAzureEntraAuth, w.useAzureEntraAuth)):
                if on_reader and not on_writer:
                    self.fail(f"database.reader.{toggle} requires database.writer.{toggle}",
                              ("database", "reader", toggle))
            rs = r.passwordSecret or ws
            env += [
                ir.EnvVar("DATABASE_HOST_READ_REPLICA", r.host),
                ir.EnvVar("DATABASE_PORT_READ_REPLICA", str(r.port if r.port is not None else w.port)),
                ir.EnvVar("DATABASE_NAME_READ_REPLICA", r.dbname or w.dbname),
            ]
            schema = r.schema if r.schema is not None else w.schema
            if schema is not None:
                env.append(ir.EnvVar("DATABASE_SCHEMA_READ_REPLICA", schema))
            env.append(
                ir.EnvVar("DATABASE_USER_READ_REPLICA", secret=ir.SecretKeyRef(rs.name, rs.usernameKey))
            )
            if not (reader_iam or reader_entra):
                env.append(
                    ir.EnvVar(
                        "DATABASE_PASSWORD_READ_REPLICA", secret=ir.SecretKeyRef(rs.name, rs.passwordKey)
                    )
                )
        return env

    def database_url_env(self, db: model.Database) -> list[ir.EnvVar]:
        """`DATABASE_URL` (and the reader's) from an existing Secret, which LiteLLM uses as given.

        LiteLLM builds a URL from the `DATABASE_HOST`/... parts only when `DATABASE_URL` is unset,
        and token auth rewrites it (`DatabaseURLSettings`, upstream-contract section 6), so host
        wiring beside a URL would be ignored or fight it: the two are exclusive.
        """
        assert db.urlSecret is not None
        for other in ("writer", "reader"):
            if getattr(db, other) is not None:
                self.fail(f"database.urlSecret and database.{other} are exclusive: the URL in the Secret "
                          f"is the whole connection; remove database.{other} or urlSecret",
                          ("database", other))
        secret = db.urlSecret
        env = [ir.EnvVar("DATABASE_URL", secret=ir.SecretKeyRef(secret.name, secret.key))]
        if secret.readReplicaKey is not None:
            env.append(ir.EnvVar("DATABASE_URL_READ_REPLICA",
                                 secret=ir.SecretKeyRef(secret.name, secret.readReplicaKey)))
        return env

    def redis(self) -> ir.Redis | None:
        r = self.doc.redis
        if not r.host:
            return None
        password = (
            ir.SecretKeyRef(r.passwordSecret.name, r.passwordSecret.passwordKey)
            if r.passwordSecret.name
            else None
        )
        return ir.Redis(r.host, r.port, r.cluster, password)

    def redis_env(self) -> list[ir.EnvVar]:
        r = self.redis()
        if r is None:
            return []
        env = [ir.EnvVar("REDIS_HOST", r.host), ir.EnvVar("REDIS_PORT", str(r.port))]
        if r.password:
            env.append(ir.EnvVar("REDIS_PASSWORD", secret=r.password))
        if r.cluster:
            nodes = json.dumps([{"host": r.host, "port": r.port}], separators=(",", ":"))
            env.append(ir.EnvVar("REDIS_CLUSTER_NODES", nodes))
        # LiteLLM passes every REDIS_<KWARG> env var to redis-py as <kwarg> (litellm/_redis.py,
        # _redis_kwargs_from_environment): REDIS_SSL -> ssl, REDIS_SSL_CERT_REQS -> ssl_cert_reqs.
        spec = self.doc.redis
        if spec.sslCertReqs is not None and not spec.ssl:
            self.fail("redis.sslCertReqs needs redis.ssl: true", ("redis", "sslCertReqs"))
        if spec.ssl:
            env.append(ir.EnvVar("REDIS_SSL", "true"))
            if spec.sslCertReqs is not None:
                env.append(ir.EnvVar("REDIS_SSL_CERT_REQS", spec.sslCertReqs))
        return env

    @functools.cached_property
    def server_env(self) -> list[ir.EnvVar]:
        """Database, schema-update and Redis wiring: computed once, shared by every server."""
        return [*self.database_env(), ir.EnvVar("DISABLE_SCHEMA_UPDATE", "true"), *self.redis_env()]

    def user_env(self, items: Sequence[Mapping[str, Any]], path: JsonPath) -> list[ir.EnvVar]:
        out: list[ir.EnvVar] = []
        for index, item in enumerate(items):
            name = item["name"]
            source = item.get("valueFrom")
            if not source:
                out.append(ir.EnvVar(name, str(item.get("value", "")), user=True))
                continue
            for kind in ("secretKeyRef", "configMapKeyRef"):
                if kind in source and not source[kind].get("name"):
                    self.fail(
                        f"extraEnv {name}: valueFrom.{kind} needs the name of the object",
                        (*path, index, "valueFrom", kind),
                    )
            if "secretKeyRef" in source:
                ref = source["secretKeyRef"]
                secret = ir.SecretKeyRef(ref.get("name", ""), ref["key"], bool(ref.get("optional", False)))
                out.append(ir.EnvVar(name, secret=secret, user=True))
            elif "configMapKeyRef" in source:
                ref = source["configMapKeyRef"]
                config_map = ir.ConfigMapKeyRef(ref.get("name", ""), ref["key"], bool(ref.get("optional", False)))
                out.append(ir.EnvVar(name, config_map=config_map, user=True))
            else:
                out.append(ir.EnvVar(name, other=dict(source), user=True))
        return out

    # pods
    @functools.cached_property
    def service_account(self) -> ir.ServiceAccount:
        sa = self.doc.serviceAccount
        name = sa.name or (self.name if sa.create else "default")
        return ir.ServiceAccount(sa.create, name, dict(sa.annotations), sa.automount)

    def pod(
        self,
        spec: model.Scheduling,
        component: str,
        path: JsonPath,
        *,
        server: bool,
        labels: Mapping[str, str],
        annotations: Mapping[str, str],
        spread: Sequence[Mapping[str, Any]] = (),
    ) -> ir.PodSettings:
        level_pod, level_container = _level_contexts(self.doc.podSecurity)
        container = _merged_context(level_container, spec.securityContext)
        writable = ("/tmp",) if container.get("readOnlyRootFilesystem") else ()
        for key in labels:
            if key in SELECTOR_KEYS:
                self.fail(
                    f"{component}.podLabels cannot set {key}: it is a selector label",
                    (*path, "podLabels", key),
                )
        pod_context = _merged_context(level_pod, spec.podSecurityContext)
        for where, message in _pod_security_problems(self.doc.podSecurity, pod_context, container, annotations):
            self.fail(f"{component}: podSecurity {self.doc.podSecurity} {message}", (*path, *where))
        sa = self.service_account
        extras = self.pod_extras(spec, component, path, pod_context, writable, config=component in ("gateway", "backend"))
        return ir.PodSettings(
            service_account_name=sa.name if server else "default",
            automount_token=sa.automount if server else False,
            node_selector=spec.nodeSelector,
            tolerations=tuple(spec.tolerations),
            affinity=spec.affinity,
            topology_spread=tuple(spread),
            pod_annotations=dict(annotations),
            pod_labels=dict(labels),
            pod_security_context=pod_context,
            security_context=container,
            writable_dirs=writable,
            extras=extras,
        )

    def hpa(self, c: model.Component, path: JsonPath) -> ir.Hpa | None:
        h = c.hpa
        if not h.enabled:
            return None
        if h.minReplicas > h.maxReplicas:
            self.fail(
                f"hpa.minReplicas ({h.minReplicas}) must not exceed hpa.maxReplicas ({h.maxReplicas})",
                (*path, "hpa", "minReplicas"),
            )
        cpu, mem = h.targetCPUUtilizationPercentage, h.targetMemoryUtilizationPercentage
        if cpu is None and mem is None:
            self.fail(
                "hpa needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage",
                (*path, "hpa"),
            )
        for metric, target in (("cpu", cpu), ("memory", mem)):
            if target is not None and not _has_request(c.resources, metric):
                self.fail(
                    f"hpa scales on {metric} utilisation but resources.requests.{metric} is not set",
                    (*path, "resources"),
                )
        return ir.Hpa(h.minReplicas, h.maxReplicas, cpu, mem, h.behavior)

    def pdb(self, c: model.Component, path: JsonPath) -> ir.Pdb | None:
        p = c.pdb
        if not p.enabled:
            return None
        if p.minAvailable is not None and p.maxUnavailable is not None:
            self.fail("pdb: set minAvailable or maxUnavailable, not both", (*path, "pdb", "maxUnavailable"))
        if p.minAvailable is not None:
            return ir.Pdb(p.minAvailable, None)
        return ir.Pdb(None, p.maxUnavailable if p.maxUnavailable is not None else 1)

    def workload(self, component: ir.ComponentName) -> ir.Workload | None:
        c: model.Component = getattr(self.doc, component)
        if not c.enabled:
            return None
        path: JsonPath = (component,)
        port = ir.CONTAINER_PORTS[component]
        log = [ir.EnvVar("LITELLM_LOG", c.logLevel)]
        config = [ir.EnvVar("CONFIG_FILE_PATH", ir.CONFIG_MOUNT_PATH)]
        if component == "gateway":
            g = cast(model.Gateway, c)
            args: tuple[str, ...] = ("gateway", "--host", "0.0.0.0", "--port", str(port))
            env = [
                *self.master_key_env,
                *log,
                *self.server_env,
                *config,
                ir.EnvVar("NUM_WORKERS", str(g.numWorkers)),
            ]
            pool = self.doc.database.connectionPool
            if pool.enabled:
                env += [
                    ir.EnvVar("LITELLM_PGBOUNCER_ENABLED", "true"),
                    ir.EnvVar("LITELLM_PGBOUNCER_MAX_DB_CONNECTIONS", str(pool.maxDbConnections)),
                    ir.EnvVar("LITELLM_PGBOUNCER_MAX_CLIENT_CONN", str(pool.maxClientConn)),
                ]
        elif component == "backend":
            args = ("backend", "--host", "0.0.0.0", "--port", str(port))
            env = [*self.master_key_env, *log, *self.server_env, *config]
        else:
            args = ("ui",)
            env = [*log]
        env += self.user_env(c.extraEnv, (*path, "extraEnv"))
        env_from = [ir.EnvFrom("configMap", n) for n in c.envConfigMaps]
        env_from += [ir.EnvFrom("secret", n) for n in c.envSecrets]
        return ir.Workload(
            component=component,
            name=f"{self.name}-{component}",
            image=self.image(c.image),
            args=args,
            port=port,
            env=tuple(env),
            env_from=tuple(env_from),
            replicas=c.replicas,
            hpa=self.hpa(c, path),
            pdb=self.pdb(c, path),
            resources=c.resources,
            liveness_probe=c.livenessProbe,
            readiness_probe=c.readinessProbe,
            startup_probe=c.startupProbe,
            service=self.service_spec(c, path),
            pod=self.pod(
                c,
                component,
                path,
                server=component != "ui",
                labels=c.podLabels,
                annotations=c.podAnnotations,
                spread=c.topologySpreadConstraints,
            ),
            mounts_config=component != "ui",
            deployment=ir.DeploymentExtras(
                strategy=c.strategy,
                min_ready_seconds=c.minReadySeconds,
                annotations=dict(c.deploymentAnnotations),
                labels=dict(c.deploymentLabels),
            ),
        )

    # --- issue 13.1: the user's own pod parts --------------------------------------------------

    def service_spec(self, c: model.Component, path: JsonPath) -> ir.ServiceSpec:
        svc = c.service
        if svc.loadBalancerClass is not None and svc.type != "LoadBalancer":
            self.fail(
                f"{path[0]}.service.loadBalancerClass needs service.type LoadBalancer (got {svc.type}): Kubernetes "
                "refuses it on other types",
                (*path, "service", "loadBalancerClass"),
            )
        return ir.ServiceSpec(svc.type, svc.port, dict(svc.annotations), svc.loadBalancerClass)

    def pod_extras(
        self,
        spec: model.Scheduling,
        component: str,
        path: JsonPath,
        pod_context: Mapping[str, Any],
        writable: Sequence[str],
        *,
        config: bool,
    ) -> ir.PodExtras:
        """The user's volumes, mounts and containers, checked against what litectl itself adds
        (same names or paths would be refused by the API server or shadow litectl's) and against
        the `podSecurity` level: every pod of the topology must pass it (SPEC.md section 7)."""
        from litectl.targets.kube import volume_name  # the emptyDir naming rule, kept in one place

        sidecars: tuple[model.KubeObject, ...] = getattr(spec, "extraContainers", ())
        lifecycle: model.KubeObject | None = getattr(spec, "lifecycle", None)
        own_volumes = {volume_name(d) for d in writable} | ({ir.CONFIG_VOLUME} if config else set())
        seen: set[str] = set()
        for index, volume in enumerate(spec.volumes):
            name = str(volume.get("name", ""))
            if name in own_volumes:
                self.fail(f"volume name {name} is litectl's own volume of {component}: choose another name",
                          (*path, "volumes", index, "name"))
            elif name in seen:
                self.fail(f"volume name {name} is used twice", (*path, "volumes", index, "name"))
            seen.add(name)
            for spot, message in _volume_problems(self.doc.podSecurity, volume):
                self.fail(f"{component}: podSecurity {self.doc.podSecurity} {message}",
                          (*path, "volumes", index, *spot))
        known = seen | own_volumes
        own_paths = {*writable, *((ir.CONFIG_MOUNT_PATH,) if config else ())}
        for index, mount in enumerate(spec.volumeMounts):
            if mount.get("name") not in known:
                self.fail(f"volumeMounts: no volume named {mount.get('name')} in {component}.volumes",
                          (*path, "volumeMounts", index, "name"))
            if mount.get("mountPath") in own_paths:
                self.fail(f"volumeMounts: {mount.get('mountPath')} is already mounted by litectl",
                          (*path, "volumeMounts", index, "mountPath"))
        main = MIGRATIONS_CONTAINER if component == "migrationJob" else component
        names = {main}
        for field, containers in (("extraInitContainers", spec.extraInitContainers), ("extraContainers", sidecars)):
            for index, container in enumerate(containers):
                where: JsonPath = (*path, field, index)
                name = str(container.get("name", ""))
                if name in names:
                    self.fail(f"{field}: container name {name} is used twice in the {component} pod",
                              (*where, "name"))
                names.add(name)
                for mount_index, mount in enumerate(container.get("volumeMounts") or []):
                    if isinstance(mount, Mapping) and mount.get("name") not in known:
                        self.fail(f"{field} {name}: no volume named {mount.get('name')} in {component}.volumes",
                                  (*where, "volumeMounts", mount_index, "name"))
                self.user_container_security(component, field, name, container, pod_context, where)
        return ir.PodExtras(
            volumes=tuple(spec.volumes),
            volume_mounts=tuple(spec.volumeMounts),
            init_containers=tuple(spec.extraInitContainers),
            sidecars=tuple(sidecars),
            lifecycle=lifecycle,
            priority_class_name=spec.priorityClassName,
            termination_grace_period_seconds=spec.terminationGracePeriodSeconds,
        )

    def user_container_security(
        self,
        component: str,
        field: str,
        name: str,
        container: Mapping[str, Any],
        pod_context: Mapping[str, Any],
        where: JsonPath,
    ) -> None:
        """A user's container runs as written (litectl does not inject a context into it), so it
        must pass the level by itself: under `restricted` it needs an explicit securityContext."""
        level = self.doc.podSecurity
        given = container.get("securityContext")
        if given is None:
            if level == "restricted":
                self.fail(
                    f"{component}.{field} {name}: podSecurity restricted needs an explicit securityContext "
                    "(allowPrivilegeEscalation: false, capabilities.drop: [ALL], and runAsNonRoot and a "
                    "RuntimeDefault seccomp profile unless the pod sets them)",
                    where,
                )
            return
        for spot, message in _pod_security_problems(level, pod_context, given, {}):
            if spot[0] == "securityContext":
                self.fail(f"{component}.{field} {name}: podSecurity {level} {message}",
                          (*where, *spot))
        for index, port in enumerate(container.get("ports") or []):
            if isinstance(port, Mapping) and port.get("hostPort"):
                self.fail(f"{component}.{field} {name}: podSecurity {level} does not allow hostPort",
                          (*where, "ports", index, "hostPort"))

    def migrations(self) -> ir.MigrationJob | None:
        j = self.doc.migrationJob
        if not j.enabled:
            return None
        env = [*self.server_env, *self.user_env(j.extraEnv, ("migrationJob", "extraEnv"))]
        return ir.MigrationJob(
            name=f"{self.name}-migrations",
            image=self.image(j.image),
            args=("migrations",),
            env=tuple(env),
            backoff_limit=j.backoffLimit,
            ttl_seconds_after_finished=j.ttlSecondsAfterFinished,
            active_deadline_seconds=j.activeDeadlineSeconds,
            resources=j.resources,
            pod=self.pod(j, "migrationJob", ("migrationJob",), server=True, labels={}, annotations={}),
            helm_hook=j.hooks.helm.enabled,
            helm_hook_weight=j.hooks.helm.weight,
            argocd_hook=j.hooks.argocd.enabled,
        )

    def ingress(self, enabled: Sequence[ir.ComponentName]) -> ir.Ingress | None:
        ing = self.doc.ingress
        extra = [(p.path, p.pathType, p.service) for p in ing.extraPaths]
        for index, message in extra_path_problems(extra, ing.controller):
            self.fail(message, ("ingress", "extraPaths", index, "path"))
        for index, (_p, _t, component) in enumerate(extra):
            if component not in enabled and ing.enabled:
                self.fail(
                    f"extra path routes to {component}, which is disabled",
                    ("ingress", "extraPaths", index, "service"),
                )
        if not ing.enabled:
            return None
        return ir.Ingress(
            name=self.name,
            class_name=ing.className,
            controller=ing.controller,
            host=ing.host,
            annotations=dict(ing.annotations),
            tls=tuple(ing.tls),
            routes=build_routes(extra, ing.controller, enabled),
        )

    def targets(self) -> dict[str, Any]:
        from litectl.targets.registry import structure_options

        out: dict[str, Any] = {}
        for name, options in self.doc.targets.items():
            if name.startswith("x-"):
                continue
            value, problems = structure_options(name, options or {})
            self.problems += [attrs.evolve(p, path=("targets", name, *p.path)) for p in problems]
            out[name] = value
        return out

    def topology(self) -> ir.Topology:
        names: tuple[ir.ComponentName, ...] = ("gateway", "backend", "ui")
        workloads = {c: self.workload(c) for c in names}
        enabled: list[ir.ComponentName] = [c for c, w in workloads.items() if w is not None]
        return ir.Topology(
            name=self.name,
            environment=self.env,
            namespace=self.doc.metadata.namespace,
            labels=dict(self.doc.metadata.labels),
            annotations=dict(self.doc.metadata.annotations),
            image=self.image(None),
            pod_security=self.doc.podSecurity,
            service_account=self.service_account,
            config=ir.ProxyConfig(f"{self.name}-gateway-config", self.doc.gateway.config.proxy_config),
            redis=self.redis(),
            gateway=workloads["gateway"],
            backend=workloads["backend"],
            ui=workloads["ui"],
            migrations=self.migrations(),
            ingress=self.ingress(enabled),
            document=self.plain,
            targets=self.targets(),
            extra_resources=tuple(self.plain.get("extraResources") or ()),
            service_monitor=service_monitor(self.doc, workloads["gateway"]),
        )


def _has_request(resources: Mapping[str, Any], metric: str) -> bool:
    # Kubernetes copies limits to requests when only limits are given.
    return any(metric in (resources.get(kind) or {}) for kind in ("requests", "limits"))


# Helm reads values into JSON-like data and writes them with `toYaml`: its YAML reader rejects
# these characters (and folds U+0085 into a space), after which `toYaml` writes nothing at all, so
# the chart would hold an empty config or a broken object. Numbers become 64-bit floats.
_HELM_UNSAFE_CHAR = re.compile("[\x7f-\x9f\ufffe\uffff]")
_FLOAT64_EXACT = 2**53


def _helm_unsafe(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """Values no chart could carry as written (every target refuses them, so all stay alike)."""
    kind = type(value)
    if (kind is dict or kind is list) and len(value) >= WORTH_REMEMBERING:
        # Big containers (a proxy config's model list) are shared by the base and environments:
        # walked once, their findings re-rooted at `path`.
        found = _HELM_UNSAFE_FOUND.get(value, lambda: list(_helm_unsafe_walk(value, ())))
        for inner, message in found:
            yield (*path, *inner), message
    else:
        yield from _helm_unsafe_walk(value, path)


def _helm_unsafe_walk(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if type(value) is dict or isinstance(value, Mapping):
        entries: Iterable[tuple[PathPart, Any]] = value.items()
    elif isinstance(value, list | tuple):
        entries = enumerate(value)
    else:
        problem = _scalar_problem(value)
        if problem:
            yield path, problem
        return
    # Scalars, most of a big config, are checked in their container's loop: no generator and
    # no path tuple per scalar unless it is a problem.
    for where, item in entries:
        if isinstance(where, str) and _HELM_UNSAFE_CHAR.search(where):
            yield (*path, where), _char_problem(where, "key")
        kind = type(item)
        if kind is str or kind is int or kind is float:
            problem = _scalar_problem(item)
            if problem:
                yield (*path, where), problem
        elif item is not None and kind is not bool:
            yield from _helm_unsafe(item, (*path, where))


_HELM_UNSAFE_FOUND: IdentityMemo[list[tuple[JsonPath, str]]] = IdentityMemo()


def _scalar_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return _char_problem(value, "value") if _HELM_UNSAFE_CHAR.search(value) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        text = ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
        return f"{text} is not a number Helm (or JSON) can carry: quote it to pass a string"
    if abs(value) > _FLOAT64_EXACT:
        return (f"{value} is more than Helm's 64-bit float numbers hold exactly (it would become "
                f"{float(value)!r}): quote it to pass a string")
    return None


def _kustomize_unsafe(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """Multi-line strings starting with a tab: kustomize's YAML library writes them as a block it
    cannot read back, and the build fails. (The proxy config is exempt: kustomize only sees it
    inside the ConfigMap's text.)"""
    if path == ("gateway", "config", "proxy_config"):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _kustomize_unsafe(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _kustomize_unsafe(item, (*path, index))
    elif isinstance(value, str) and value.startswith("\t") and "\n" in value:
        yield path, ("a value of several lines may not start with a tab: kustomize's YAML library cannot "
                     "read such a value back and fails to build")


def _char_problem(text: str, what: str) -> str:
    found = _HELM_UNSAFE_CHAR.search(text)
    assert found is not None
    code = ord(found.group())
    effect = "reads it as a line break" if code == 0x85 else "would write an empty value"
    return f"the {what} holds the control character U+{code:04X}, which Helm cannot carry (it {effect}): remove it"


# --- what the Kubernetes API server would refuse ------------------------------------------------

_LABEL_VALUE = re.compile(r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
_KEY_NAME = re.compile(r"[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?")
_KEY_PREFIX = re.compile(model.DNS1123_SUBDOMAIN)
_NAME_MAX, _LABEL_MAX = 253, 63
ANNOTATIONS_MAX = 256 * 1024  # bytes of keys and values together, per object
CONFIG_MAP_MAX = 1024 * 1024  # bytes of data, per ConfigMap
_COMPONENTS = ("gateway", "backend", "ui")
_SCHEDULED = (*_COMPONENTS, "migrationJob")


def _key_problem(key: str) -> str | None:
    """Why `key` is no Kubernetes label/annotation key (`[prefix/]name`), if it is not."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and not (prefix and _KEY_PREFIX.match(prefix) and len(prefix) <= _NAME_MAX):
        return f'"{key}": the prefix before "/" must be a DNS subdomain of at most {_NAME_MAX} characters'
    if not _KEY_NAME.fullmatch(name) or len(name) > _LABEL_MAX:
        return (f'"{key}" is not a valid Kubernetes key: the name must be at most {_LABEL_MAX} letters, '
                "digits, '-', '_' or '.', starting and ending with a letter or digit")
    return None


def _labels(values: Mapping[str, Any] | None, path: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    for key, value in (values or {}).items():
        problem = _key_problem(key)
        if problem is not None:
            yield (*path, key), problem, True
        elif not _LABEL_VALUE.fullmatch(str(value)) or len(str(value)) > _LABEL_MAX:
            yield ((*path, key), f"{key}: a label value must be at most {_LABEL_MAX} letters, digits, "
                   "'-', '_' or '.', starting and ending with a letter or digit", False)


def _annotations(values: Mapping[str, Any] | None, path: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    for key in values or {}:
        problem = _key_problem(key)
        if problem is not None:
            yield (*path, key), problem, True


def _size(*maps: Mapping[str, Any] | None) -> int:
    return sum(len(k.encode()) + len(str(v).encode()) for m in maps for k, v in (m or {}).items())


# Keys a YAML 1.2 reader (go-yaml v3) takes for a number, boolean or null: kustomize 4.5.4 reads
# an object's metadata.annotations, and the labels of a configMapGenerator, that way, and then
# fails to build.
_NOT_A_STRING_KEY = re.compile(
    r"[-+]?(?:[0-9][0-9_]*|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+"
    r"|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))"
    r"|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL|~"
)


def _generator_keys(values: Mapping[str, Any] | None, path: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    for key in values or {}:
        if _NOT_A_STRING_KEY.fullmatch(key):
            yield ((*path, key), f'"{key}": kustomize reads this key as a number, boolean or null and '
                   "fails to build: use a key with a letter in it", True)


def _kubernetes_limits(plain: Mapping[str, Any]) -> Iterator[tuple[JsonPath, str, bool]]:
    """Names, labels and annotations the API server would refuse (the schema checks their shape)."""
    meta = plain.get("metadata") or {}
    yield from _labels(meta.get("labels"), ("metadata", "labels"))
    yield from _annotations(meta.get("annotations"), ("metadata", "annotations"))
    for field in ("labels", "annotations"):
        yield from _generator_keys(meta.get(field), ("metadata", field))
    owned: list[tuple[str, ...]] = [("serviceAccount", "annotations"), ("ingress", "annotations")]
    owned += [(c, "service", "annotations") for c in _COMPONENTS]
    for path in owned:
        node: Any = plain
        for part in path:
            node = (node or {}).get(part)
        yield from _annotations(node, path)
        yield from _generator_keys(node, path)
        if _size(meta.get("annotations"), node) > ANNOTATIONS_MAX:
            yield path, f"annotations may hold at most {ANNOTATIONS_MAX} bytes per object", False
    for section in _SCHEDULED:
        spec = plain.get(section) or {}
        yield from _labels(spec.get("nodeSelector"), (section, "nodeSelector"))
        if section != "migrationJob":
            yield from _labels(spec.get("podLabels"), (section, "podLabels"))
            yield from _annotations(spec.get("podAnnotations"), (section, "podAnnotations"))
            if _size(spec.get("podAnnotations")) > ANNOTATIONS_MAX - 100:  # room for checksum/config
                yield (section, "podAnnotations"), f"pod annotations may hold at most {ANNOTATIONS_MAX} bytes", False
    for section in _COMPONENTS:  # issue 13.1: the Deployment's own labels and annotations
        spec = plain.get(section) or {}
        yield from _labels(spec.get("deploymentLabels"), (section, "deploymentLabels"))
        yield from _annotations(spec.get("deploymentAnnotations"), (section, "deploymentAnnotations"))
        for field in ("deploymentLabels", "deploymentAnnotations"):
            yield from _generator_keys(spec.get(field), (section, field))
    names: list[tuple[JsonPath, Any]] = [
        (("serviceAccount", "name"), (plain.get("serviceAccount") or {}).get("name")),
        (("redis", "passwordSecret", "name"), ((plain.get("redis") or {}).get("passwordSecret") or {}).get("name")),
    ]
    images: list[tuple[JsonPath, Any]] = [(("image",), plain.get("image"))]
    images += [((s, "image"), (plain.get(s) or {}).get("image")) for s in _SCHEDULED]
    for place, image in images:
        names += [((*place, "pullSecrets", i), n) for i, n in enumerate((image or {}).get("pullSecrets") or [])]
    for section in _COMPONENTS:
        spec = plain.get(section) or {}
        for field in ("envSecrets", "envConfigMaps"):
            names += [((section, field, i), n) for i, n in enumerate(spec.get(field) or [])]
    for where, name in names:
        if isinstance(name, str) and len(name) > _NAME_MAX:
            yield where, f"a Kubernetes object name is at most {_NAME_MAX} characters (got {len(name)})", False


def _config_map_size(topology: ir.Topology) -> Iterator[tuple[JsonPath, str, bool]]:
    """The proxy config must fit the ConfigMap (1 MiB). Its exact text (Helm's format) is costly to
    compute, so only configs whose compact JSON is not far below the limit are measured: the text
    is at most ~33 times larger (indentation of a config nested 128 levels deep, the loader's cap)."""
    if not any(w.mounts_config for w in topology.workloads):
        return
    data = topology.config.data
    compact = _COMPACT_SIZE.get(data, lambda: len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()))
    if compact * 33 < CONFIG_MAP_MAX:
        return
    from litectl.targets.kube import config_text

    size = len(config_text(topology).encode())
    if size > CONFIG_MAP_MAX:
        yield (("gateway", "config", "proxy_config"),
               f"proxy_config is {size} bytes as the ConfigMap's config.yaml: a ConfigMap holds at most "
               "1 MiB (1048576 bytes); move large parts (e.g. model lists) out of the spec", False)


_COMPACT_SIZE: IdentityMemo[int] = IdentityMemo()


def resolve(doc: model.Document, env: str | None = None) -> tuple[ir.Topology, list[Diagnostic]]:
    """Resolve one structured document into a Topology, with every cross-field problem found."""
    plain = model.to_plain(doc)
    plain.pop("environments", None)
    resolver = _Resolver(doc, env, plain)
    topology = resolver.topology()
    for section, value in plain.items():
        if section != "targets":
            resolver.problems += [error(message, path) for path, message in _helm_unsafe(value, (section,))]
            resolver.problems += [error(message, path) for path, message in _kustomize_unsafe(value, (section,))]
    resolver.problems += extra_resource_problems(topology)
    found = [*_kubernetes_limits(plain), *_config_map_size(topology)]
    resolver.problems += [error(message, path) for path, message, _at_key in found]
    return topology, resolver.problems


# --- extraResources ----------------------------------------------------------------------------


def generated_objects(topology: ir.Topology) -> set[tuple[str, str]]:
    """(kind, name) of every object litectl itself emits for `topology` (as targets/kube builds them)."""
    out: set[tuple[str, str]] = set()
    if topology.service_account.create:
        out.add(("ServiceAccount", topology.service_account.name))
    if any(w.mounts_config for w in topology.workloads):
        out.add(("ConfigMap", topology.config.name))
    for w in topology.workloads:
        out |= {("Deployment", w.name), ("Service", w.name)}
        if w.hpa is not None:
            out.add(("HorizontalPodAutoscaler", w.name))
        if w.pdb is not None:
            out.add(("PodDisruptionBudget", w.name))
    if topology.migrations is not None:
        out.add(("Job", topology.migrations.name))
    if topology.ingress is not None:
        out.add(("Ingress", topology.ingress.name))
    if topology.service_monitor is not None:
        out.add(("ServiceMonitor", topology.service_monitor.name))
    return out


# --- gateway.serviceMonitor --------------------------------------------------------------------


def service_monitor(doc: model.Document, gateway: ir.Workload | None) -> ir.ServiceMonitor | None:
    """The ServiceMonitor of an enabled gateway; its token defaults to the master key's Secret.

    LiteLLM answers /metrics/ only with a key (1.85+), and the master key is the one every
    deployment already has as a Secret; a dedicated key's Secret can be named instead.
    """
    sm = doc.gateway.serviceMonitor
    if gateway is None or not sm.enabled:
        return None
    token = ir.SecretKeyRef(sm.bearerTokenSecret.name or doc.masterKey.secretName,
                            sm.bearerTokenSecret.key or doc.masterKey.secretKey)
    return ir.ServiceMonitor(
        name=gateway.name, labels=dict(sm.labels), annotations=dict(sm.annotations), interval=sm.interval,
        scrape_timeout=sm.scrapeTimeout, relabelings=tuple(sm.relabelings),
        namespace_selector=dict(sm.namespaceSelector), token=token,
    )


def extra_resource_problems(topology: ir.Topology) -> list[Diagnostic]:
    """An extra object may not replace a generated one, repeat another, or carry a Secret's data.

    Two objects of one kind and name would make `kubectl apply` keep only the last, and kustomize
    refuses to build them: say so at the spec's line instead.
    """
    problems: list[Diagnostic] = []
    generated = generated_objects(topology)
    seen: dict[tuple[str, str], int] = {}
    for index, obj in enumerate(topology.extra_resources):
        kind = str(obj.get("kind"))
        name = str((obj.get("metadata") or {}).get("name"))
        path: JsonPath = ("extraResources", index, "metadata", "name")
        if kind == "Secret":
            problems.append(error(
                "a Secret cannot be an extra resource: litectl never writes secret values into its "
                "output; create the Secret outside litectl and reference it", ("extraResources", index, "kind")))
        elif (kind, name) in generated:
            problems.append(error(f'{kind} "{name}" is already generated by litectl: choose another name', path))
        elif (kind, name) in seen:
            problems.append(error(
                f'{kind} "{name}" is already defined by extraResources[{seen[(kind, name)]}]', path))
        seen.setdefault((kind, name), index)
    return problems
