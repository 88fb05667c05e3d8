"""`litectl import --from-helm-values`: a topology spec from values written for the upstream chart.

People arrive with a values file for the upstream componentized LiteLLM chart. This module reads
it the way that chart does (its defaults, its "empty means unset" habit, its quirks such as the
reader Secret having a default name of its own) and writes the spec that gives the same runtime
wiring, as commented YAML that validates.

Every value is accounted for: mapped, equal to the upstream default, inert (empty, or inside a
block whose `enabled` is false), or reported as one positioned warning naming its path. Only
input the upstream chart itself could not render (missing database writer, master key Secret
without generation, wrong types) is an error. Nothing here writes files: the command does.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

import attrs
from litectl.compiler.diagnostics import Diagnostic, JsonPath, LitectlError, UsageError, error, warning
from litectl.compiler.loader import Loaded, load_file, load_text

__all__ = ["ImportResult", "import_helm_values", "import_loaded"]

COMPONENTS: Final = ("gateway", "backend", "ui")
_PORTS: Final = {"gateway": 4000, "backend": 4001, "ui": 3000}
_MISSING: Final = object()

# Helm reads values with a YAML 1.1 reader, where these plain words are booleans; litectl's
# loader follows YAML 1.2 and keeps them as strings.
_YAML11_TRUE: Final = frozenset({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})
_YAML11_FALSE: Final = frozenset({"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})
_DNS1123_LABEL: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")

# Keys compared (and kept) whole, never merged key by key with litectl's defaults: Kubernetes
# objects (a given probe replaces the default whole) and free-form maps.
_OPAQUE: Final = frozenset(
    {
        "resources", "livenessProbe", "readinessProbe", "startupProbe", "affinity", "nodeSelector",
        "podSecurityContext", "securityContext", "proxy_config", "annotations", "labels",
        "podAnnotations", "podLabels",
        "strategy", "lifecycle", "behavior", "deploymentAnnotations", "deploymentLabels",
    }
)  # fmt: skip

# Upstream values litectl has no field for, and why; `*` stands for gateway, backend or ui.
# A value is reported only when it is set: not empty, not the upstream default, and not inside
# a block whose `enabled` is false.
_UNMAPPED: Final[Mapping[tuple[str, ...], str]] = {
    ("replicaCount",): "the componentized chart has no top-level replica count (the classic chart's); "
    "set gateway/backend/ui.replicaCount",
    ("serviceAccount",): "the componentized chart reads serviceAccounts.<component> (this is the classic chart's)",
    ("nameOverride",): "litectl names objects <metadata.name>-<component>; pass --name to choose the name",
    ("monolith",): "litectl compiles the componentized topology only (gateway, backend, ui)",
    ("lens",): "the Lens subchart is not part of litectl's topology",
    ("lensWorker",): "the Lens worker is not part of litectl's topology",
    ("liteadmin",): "LiteAdmin is not part of litectl's topology",
    ("billingMetrics",): "billing metrics need mounted client certificates, which litectl does not emit",
    ("postgresql",): "the upstream chart rejects bundled Postgres; litectl wires an external database only",
    ("redis", "enabled"): "the upstream chart rejects bundled Redis; set redis.host to use one",
    ("*", "metricsServer"): "the metrics sidecar is not supported",
    ("*", "serviceMonitor"): "ServiceMonitors are not emitted",
    ("*", "collector"): "the collector sidecar is not supported",
    ("*", "keda"): "KEDA autoscaling is not supported; the HPA (hpa) is",
    ("*", "hpa", "targetRequestsPerSecond"): "autoscaling on custom metrics is not supported",
    ("*", "hpa", "targetTokensPerSecond"): "autoscaling on custom metrics is not supported",
    ("*", "service", "portName"): "the Service port is always named http",
    ("*", "service", "appProtocol"): "Service appProtocol is not supported",
    ("*", "service", "containerPort"): "container ports are fixed (gateway 4000, backend 4001, ui 3000)",
    ("gateway", "config", "create"): "litectl always writes the proxy config ConfigMap and mounts it",
    ("serviceAccounts", "ui"): "the ui never mounts a ServiceAccount token in litectl and runs as `default`",
    ("migrationJob", "serviceAccountName"): "the Job runs as serviceAccount (litectl makes it usable at first install)",
    ("migrationJob", "automountServiceAccountToken"): "the Job mounts the token as serviceAccount.automount says",
    ("migrationJob", "podLabels"): "pod labels on the migrations Job are not supported",
    ("migrationJob", "annotations"): "pod annotations on the migrations Job are not supported",
    ("migrationJob", "jobLabels"): "labels on the Job alone are not supported (metadata.labels labels every object)",
    ("migrationJob", "jobAnnotations"): "annotations on the Job alone are not supported (metadata.annotations)",
    ("migrationJob", "command"): "the Job's command is the image entrypoint",
    ("migrationJob", "args"): "the Job's arguments are always `migrations`",
    ("migrationJob", "extraContainers"): "a sidecar keeps the Job from ever completing: use "
    "migrationJob.extraInitContainers with restartPolicy: Always (a native sidecar) instead",
}  # fmt: skip

# Upstream defaults that are not empty, for values litectl does not map (so copying the whole
# upstream values.yaml does not produce a warning per default).
_UPSTREAM_DEFAULTS: Final[Mapping[tuple[str, ...], Any]] = {
    ("lens", "library"): True,
    ("masterKey", "generate"): False,
    ("*", "service", "portName"): "http",
    ("gateway", "config", "create"): True,
    ("migrationJob", "automountServiceAccountToken"): False,
    ("serviceAccounts", "ui", "create"): False,
    ("serviceAccounts", "ui", "automount"): False,
}


@attrs.frozen
class ImportResult:
    """The spec text and one warning per value that could not be carried over."""

    text: str
    warnings: tuple[Diagnostic, ...]


def import_helm_values(path: str | Path, *, name: str | None = None) -> ImportResult:
    """Read a values file of the upstream chart and return the equivalent commented spec."""
    return import_loaded(load_file(path), name=name)


def import_loaded(loaded: Loaded, *, name: str | None = None) -> ImportResult:
    """Like :func:`import_helm_values`, for values already loaded (positions come from `loaded`)."""
    if name is not None and (not _DNS1123_LABEL.fullmatch(name) or len(name) > 40):
        raise UsageError(f"--name {name!r} must be a DNS-1123 label of at most 40 characters")
    return _Importer(loaded, name).run()


def _pattern_key(path: JsonPath) -> tuple[str, ...] | None:
    """`path` with a component name replaced by `*`, for the tables above (None for list items)."""
    if any(not isinstance(part, str) for part in path):
        return None
    parts = tuple(str(part) for part in path)
    if parts and parts[0] in COMPONENTS:
        return ("*", *parts[1:])
    return parts


def _lookup(table: Mapping[tuple[str, ...], Any], path: JsonPath) -> Any:
    key = _pattern_key(path)
    if key is None:
        return _MISSING
    exact = tuple(str(part) for part in path)
    if exact in table:
        return table[exact]
    return table.get(key, _MISSING)


def _empty(value: Any) -> bool:
    """Helm's "unset": null, an empty string, an empty map or list."""
    return value is None or value == "" or value == {} or value == []


def _inert(path: JsonPath, value: Any) -> bool:
    """True when `value` changes nothing upstream: unset, the default, or a disabled block."""
    default = _lookup(_UPSTREAM_DEFAULTS, path)
    if _empty(value) or (default is not _MISSING and value == default):
        return True
    if isinstance(value, dict):
        if value.get("enabled") is False:
            return True
        return all(_inert((*path, key), item) for key, item in value.items())
    return False


def _dotted(path: JsonPath) -> str:
    return ".".join(f"[{part}]" if isinstance(part, int) else part for part in path).replace(".[", "[")


class _Importer:
    """One import: read values with upstream semantics, build the spec, account for every value."""

    def __init__(self, loaded: Loaded, name: str | None) -> None:
        self.loaded = loaded
        self.values: Any = loaded.data
        self.name_option = name
        self.spec: dict[str, Any] = {}
        self.origin: dict[JsonPath, JsonPath] = {}  # spec path -> values path it came from
        self.notes: dict[JsonPath, list[str]] = {}  # spec path -> comment lines above it
        self.seen: set[JsonPath] = set()  # values paths accounted for
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []

    # --- reading values ----------------------------------------------------------------------

    def span_of(self, path: JsonPath) -> Any:
        return self.loaded.source.span(path, key=True)

    def warn(self, path: JsonPath, message: str) -> None:
        self.warnings.append(warning(f"{_dotted(path)}: not imported: {message}", path, self.span_of(path)))

    def fail(self, path: JsonPath, message: str) -> None:
        self.errors.append(error(f"{_dotted(path)}: {message}", path, self.span_of(path)))

    def peek(self, path: JsonPath) -> Any:
        """The value at `path` (or _MISSING), without accounting for it."""
        node = self.values
        for part in path:
            if isinstance(part, int):
                if not isinstance(node, list) or not 0 <= part < len(node):
                    return _MISSING
            elif not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        return node

    def raw(self, path: JsonPath) -> Any:
        """The value at `path` (or _MISSING), accounted for: this import decides what it means."""
        self.seen.add(path)
        return self.peek(path)

    def get(self, path: JsonPath) -> Any:
        """The value at `path`, or None when it is unset in Helm's sense (missing, null, "")."""
        value = self.raw(path)
        return None if value is _MISSING or value is None or value == "" else value

    def string(self, path: JsonPath) -> str | None:
        value = self.get(path)
        if value is None:
            return None
        if isinstance(value, (bool, dict, list)):
            self.fail(path, f"expected a string, found {type(value).__name__}")
            return None
        return str(value)

    def integer(self, path: JsonPath) -> int | None:
        value = self.get(path)
        if value is None:
            return None
        if isinstance(value, str) and re.fullmatch(r"[-+]?[0-9]+", value.strip()):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"expected an integer, found {value!r}")
            return None
        return value

    def boolean(self, path: JsonPath) -> bool | None:
        value = self.get(path)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value in _YAML11_TRUE | _YAML11_FALSE:
            return value in _YAML11_TRUE  # Helm's YAML 1.1 reader reads these words as booleans
        self.fail(path, f"expected true or false, found {value!r}")
        return None

    def mapping(self, path: JsonPath) -> dict[str, Any] | None:
        value = self.get(path)
        if value is None or value == {}:
            return None
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping, found {type(value).__name__}")
            return None
        return value

    def sequence(self, path: JsonPath) -> list[Any] | None:
        value = self.get(path)
        if value is None or value == []:
            return None
        if not isinstance(value, list):
            self.fail(path, f"expected a list, found {type(value).__name__}")
            return None
        return value

    def names(self, path: JsonPath) -> list[str] | None:
        """A list of names, accepting `- name: x` items as Kubernetes references are written."""
        items = self.sequence(path)
        if items is None:
            return None
        out: list[str] = []
        for index, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("name"), str) and len(item) == 1:
                out.append(item["name"])
            elif isinstance(item, str) and item:
                out.append(item)
            else:
                self.fail((*path, index), "expected a name (or `name: <name>`)")
        return out

    # --- writing the spec --------------------------------------------------------------------

    def put(self, spec_path: JsonPath, value: Any, origin: JsonPath) -> None:
        node = self.spec
        for part in spec_path[:-1]:
            node = node.setdefault(str(part), {})
        node[str(spec_path[-1])] = value
        self.origin[spec_path] = origin

    def note(self, spec_path: JsonPath, text: str) -> None:
        lines = self.notes.setdefault(spec_path, [])
        if text not in lines:
            lines.append(text)

    def copy(
        self, spec_path: JsonPath, values_path: JsonPath, read: Callable[[JsonPath], Any] | None = None
    ) -> Any:
        """Copy a value that is set upstream to the spec as it is; return it (None if unset)."""
        value = (read or self.get)(values_path)
        if value is not None:
            self.put(spec_path, value, values_path)
        return value

    # --- the sections, in the spec's order ---------------------------------------------------

    def run(self) -> ImportResult:
        if not isinstance(self.values, dict):
            raise LitectlError(
                [error("expected a mapping of chart values at the top level", (), self.span_of(()))]
            )
        self.metadata()
        self.image()
        self.master_key()
        self.database()
        self.redis()
        self.service_account()
        for component in COMPONENTS:
            self.component(component)
        self.migration_job()
        self.ingress()
        self.extra_resources()
        self.sweep((), self.values)
        if self.errors:
            raise LitectlError(self.errors)
        return self.finish()

    def metadata(self) -> None:
        self.put(("apiVersion",), "litectl/v1alpha1", ())
        self.put(("kind",), "LiteLLMTopology", ())
        full = self.string(("fullnameOverride",))
        name = self.name_option
        if name is None and full is not None:
            if _DNS1123_LABEL.fullmatch(full) and len(full) <= 40:
                name = full
                self.note(("metadata", "name"), "from fullnameOverride")
            else:
                self.warn(
                    ("fullnameOverride",),
                    "not a DNS-1123 label of at most 40 characters; named the deployment `litellm`",
                )
        if name is None:
            name = "litellm"
            self.note(
                ("metadata", "name"),
                "objects are named <name>-gateway, <name>-backend, ...; the upstream chart "
                "named them <release>-litellm-<component>",
            )
        self.put(("metadata", "name"), name, ("fullnameOverride",) if full == name else ())
        self.note(("metadata",), "no namespace: objects go where you install them (e.g. `helm install -n`)")

    def image(self) -> None:
        image = ("image",)
        self.copy((*image, "repository"), (*image, "repository"), self.string)
        tag = self.string((*image, "tag"))
        if tag is not None:
            self.put((*image, "tag"), tag, (*image, "tag"))
        self.copy((*image, "digest"), (*image, "digest"), self.string)
        self.copy((*image, "pullPolicy"), (*image, "pullPolicy"), self.string)
        secrets = self.names(("imagePullSecrets",))
        if secrets:
            self.put((*image, "pullSecrets"), secrets, ("imagePullSecrets",))

    def component_image(self, spec_path: JsonPath, values_path: JsonPath) -> None:
        if not isinstance(self.peek(values_path), dict):
            value = self.raw(values_path)
            if value is not _MISSING and not _empty(value):
                self.fail(values_path, "expected a mapping")
            return
        for key in ("repository", "tag", "digest", "pullPolicy"):
            self.copy((*spec_path, key), (*values_path, key), self.string)

    def master_key(self) -> None:
        base = ("masterKey",)
        name = self.string((*base, "secretName"))
        if self.peek((*base, "secretName")) is _MISSING:
            name = "litellm-master-key-secret"  # the upstream default
        key = self.string((*base, "secretKey")) or "master-key"
        generate = self.boolean((*base, "generate"))
        if name is None:
            if not generate:
                self.fail(
                    (*base, "secretName"),
                    "is empty and masterKey.generate is false: the upstream chart cannot render this",
                )
                return
            name = "litellm-master-key-secret"
            self.warn(
                (*base, "generate"),
                "litectl never writes Secrets; the spec points at litellm-master-key-secret: create it "
                "(a release that generated its key kept it as <release>-litellm-masterkey)",
            )
        self.put((*base, "secretName"), name, (*base, "secretName"))
        self.put((*base, "secretKey"), key, (*base, "secretKey"))
        self.note(base, "an existing Secret: litectl never writes secret values")

    def database(self) -> None:
        writer = ("database", "writer")
        host = self.string((*writer, "host"))
        dbname = self.string((*writer, "dbname"))
        for key, value in (("host", host), ("dbname", dbname)):
            if value is None:
                self.fail((*writer, key), "is required (the upstream chart cannot render without it)")
        if host is not None:
            self.put((*writer, "host"), host, (*writer, "host"))
        port = self.integer((*writer, "port")) or 5432
        self.put((*writer, "port"), port, (*writer, "port"))
        if dbname is not None:
            self.put((*writer, "dbname"), dbname, (*writer, "dbname"))
        for key in ("schema", "sslMode", "sslRootCert"):
            self.copy((*writer, key), (*writer, key), self.string)
        writer_tokens: dict[str, bool] = {}
        for toggle in ("useIAMAuth", "useAzureEntraAuth"):
            writer_tokens[toggle] = bool(self.boolean((*writer, toggle)))
            if writer_tokens[toggle]:
                self.put((*writer, toggle), True, (*writer, toggle))
        writer_secret = self.secret((*writer, "passwordSecret"), "litellm-writer-secret", required=True)
        self.put((*writer, "passwordSecret"), writer_secret, (*writer, "passwordSecret"))

        reader = ("database", "reader")
        reader_host = self.string((*reader, "host"))
        if reader_host is None:
            self.seen.add(reader)  # no reader host: upstream ignores the rest of the block
            self.connection_pool()
            return
        self.put((*reader, "host"), reader_host, (*reader, "host"))
        # Each reader value falls back to the writer's in litectl, but upstream has defaults of its
        # own (port 5432, the Secret litellm-reader-secret, password auth): write what differs.
        reader_port = self.integer((*reader, "port")) or 5432
        if reader_port != port:
            self.put((*reader, "port"), reader_port, (*reader, "port"))
        reader_db = self.string((*reader, "dbname"))
        if reader_db is None:
            self.fail((*reader, "dbname"), "is required when database.reader.host is set")
        elif reader_db != dbname:
            self.put((*reader, "dbname"), reader_db, (*reader, "dbname"))
        self.copy((*reader, "schema"), (*reader, "schema"), self.string)
        reader_token = False
        for toggle in ("useIAMAuth", "useAzureEntraAuth"):
            reader_on = bool(self.boolean((*reader, toggle)))
            reader_token = reader_token or reader_on
            if reader_on != writer_tokens[toggle]:
                self.put((*reader, toggle), reader_on, (*reader, toggle))
                if not reader_on:
                    self.note(
                        (*reader, toggle),
                        f"upstream reader.{toggle} defaults to false: the reader logs in with a password",
                    )
        reader_secret = self.secret(
            (*reader, "passwordSecret"), "litellm-reader-secret", required=not reader_token
        )
        if reader_secret != writer_secret:
            self.put((*reader, "passwordSecret"), reader_secret, (*reader, "passwordSecret"))
            if self.get((*reader, "passwordSecret", "name")) is None:
                self.note(
                    (*reader, "passwordSecret"),
                    "the upstream chart's default reader Secret (litectl would reuse the writer's)",
                )
        self.connection_pool()

    def connection_pool(self) -> None:
        pool = ("database", "connectionPool")
        if self.boolean((*pool, "enabled")):
            self.put((*pool, "enabled"), True, (*pool, "enabled"))
        for key in ("maxDbConnections", "maxClientConn"):
            self.copy((*pool, key), (*pool, key), self.integer)

    def secret(self, path: JsonPath, default_name: str, *, required: bool) -> dict[str, str]:
        name = self.string((*path, "name"))
        if name is None and required and self.peek((*path, "name")) is not _MISSING:
            self.fail((*path, "name"), "is required (the upstream chart cannot render without it)")
        return {
            "name": name or default_name,
            "usernameKey": self.string((*path, "usernameKey")) or "username",
            "passwordKey": self.string((*path, "passwordKey")) or "password",
        }

    def redis(self) -> None:
        base = ("redis",)
        host = self.copy((*base, "host"), (*base, "host"), self.string)
        if host is None:
            self.seen.update({(*base, "port"), (*base, "cluster"), (*base, "passwordSecret")})
            return
        self.copy((*base, "port"), (*base, "port"), self.integer)
        if self.boolean((*base, "cluster")):
            self.put((*base, "cluster"), True, (*base, "cluster"))
        secret = self.string((*base, "passwordSecret", "name"))
        key = self.string((*base, "passwordSecret", "passwordKey"))
        if secret is not None:
            self.put((*base, "passwordSecret", "name"), secret, (*base, "passwordSecret", "name"))
            if key is not None:
                self.put(
                    (*base, "passwordSecret", "passwordKey"), key, (*base, "passwordSecret", "passwordKey")
                )

    def service_account(self) -> None:
        """litectl has one identity for gateway, backend and the Job; merge the upstream two."""
        spec_path = ("serviceAccount",)
        defaults: dict[str, Any] = {"create": False, "name": None, "annotations": None, "automount": True}
        read: dict[str, dict[str, Any]] = {}
        for component in ("gateway", "backend"):
            base = ("serviceAccounts", component)
            read[component] = {
                "create": self.boolean((*base, "create")),
                "name": self.string((*base, "name")),
                "annotations": self.mapping((*base, "annotations")),
                "automount": self.boolean((*base, "automount")),
            }
        merged: dict[str, Any] = {}
        for key, default in defaults.items():
            gateway, backend = (
                default if read[c][key] is None else read[c][key] for c in ("gateway", "backend")
            )
            if gateway == backend:
                if gateway != default:
                    merged[key] = gateway
                    self.put((*spec_path, key), gateway, ("serviceAccounts", "gateway", key))
                continue
            # One identity for both: a value set on either side applies to both (the gateway's
            # when both are set), and the change is reported where it happens.
            taken, other = ("gateway", "backend") if gateway != default else ("backend", "gateway")
            value = read[taken][key]
            merged[key] = value
            self.put((*spec_path, key), value, ("serviceAccounts", taken, key))
            if read[other][key] is not None and read[other][key] != default:
                self.warn(
                    ("serviceAccounts", other, key),
                    f"differs from serviceAccounts.{taken}.{key}; litectl runs gateway, backend and the "
                    f"migrations Job as one ServiceAccount (serviceAccount) and kept the {taken}'s",
                )
            else:
                self.warn(
                    ("serviceAccounts", taken, key),
                    f"now applies to the {other} too: litectl runs gateway, backend and the migrations "
                    "Job as one ServiceAccount (serviceAccount)",
                )
        if merged.get("create") and not merged.get("name"):
            self.note(
                (*spec_path, "create"),
                "created as <metadata.name> (the upstream chart created <release>-litellm-gateway "
                "and -backend)",
            )

    def component(self, component: str) -> None:
        base: JsonPath = (component,)
        if self.peek(base) is not _MISSING and not isinstance(self.peek(base), dict):
            self.fail(base, "expected a mapping")
            return
        enabled = self.boolean((*base, "enabled"))
        if enabled is False:
            self.put((*base, "enabled"), False, (*base, "enabled"))
        self.component_image((*base, "image"), (*base, "image"))
        replicas = self.integer((*base, "replicaCount"))
        if replicas is not None:
            self.put((*base, "replicas"), replicas, (*base, "replicaCount"))
        if component == "gateway":
            workers = self.integer((*base, "numWorkers"))
            if workers:  # empty or 0: upstream omits NUM_WORKERS and the image runs one worker
                self.put((*base, "numWorkers"), workers, (*base, "numWorkers"))
        for key in ("resources", "livenessProbe", "readinessProbe"):
            value = self.raw((*base, key))
            if value is _MISSING:
                continue
            if _empty(value):  # upstream renders no probe (no resources) for an empty block
                self.put((*base, key), None if key != "resources" else {}, (*base, key))
            elif isinstance(value, dict):
                self.put((*base, key), value, (*base, key))
            else:
                self.fail((*base, key), f"expected a mapping, found {type(value).__name__}")
        self.copy((*base, "startupProbe"), (*base, "startupProbe"), self.mapping)
        self.hpa(component)
        self.pdb(component)
        self.copy((*base, "logLevel"), (*base, "logLevel"), self.string)
        self.env(component)
        self.copy((*base, "nodeSelector"), (*base, "nodeSelector"), self.mapping)
        self.copy((*base, "tolerations"), (*base, "tolerations"), self.sequence)
        self.copy((*base, "affinity"), (*base, "affinity"), self.mapping)
        self.copy((*base, "topologySpreadConstraints"), (*base, "topologySpreadConstraints"), self.sequence)
        self.copy((*base, "podAnnotations"), (*base, "podAnnotations"), self.mapping)
        self.copy((*base, "podLabels"), (*base, "podLabels"), self.mapping)
        self.copy((*base, "podSecurityContext"), (*base, "podSecurityContext"), self.mapping)
        self.copy((*base, "securityContext"), (*base, "securityContext"), self.mapping)
        service = (*base, "service")
        self.copy((*service, "type"), (*service, "type"), self.string)
        self.copy((*service, "port"), (*service, "port"), self.integer)
        self.copy((*service, "annotations"), (*service, "annotations"), self.mapping)
        self.pod_extras(base, deployment=True)
        self.copy((*service, "loadBalancerClass"), (*service, "loadBalancerClass"), self.string)
        self.copy((*base, "hpa", "behavior"), (*base, "hpa", "behavior"), self.mapping)
        if component == "gateway":
            config = self.raw((*base, "config", "proxy_config"))
            if config is not _MISSING and not _empty(config):
                if isinstance(config, dict):
                    self.put((*base, "config", "proxy_config"), config, (*base, "config", "proxy_config"))
                else:
                    self.fail((*base, "config", "proxy_config"), "expected a mapping (LiteLLM's config)")
            if self.boolean((*base, "config", "create")) is False:
                self.warn((*base, "config", "create"), _UNMAPPED[("gateway", "config", "create")])

    def hpa(self, component: str) -> None:
        base: JsonPath = (component, "hpa")
        if self.peek(base) is _MISSING and self.peek((component, "autoscaling")) is not _MISSING:
            base = (component, "autoscaling")  # the name other charts use for the same block
        spec_path: JsonPath = (component, "hpa")
        enabled = self.boolean((*base, "enabled"))
        if enabled is not None:
            self.put((*spec_path, "enabled"), enabled, (*base, "enabled"))
        for key in ("minReplicas", "maxReplicas"):
            self.copy((*spec_path, key), (*base, key), self.integer)
        for key in ("targetCPUUtilizationPercentage", "targetMemoryUtilizationPercentage"):
            if self.peek((*base, key)) is _MISSING:
                # Upstream backend and ui have no memory target unless one is given; neither has litectl.
                continue
            self.put((*spec_path, key), self.integer((*base, key)), (*base, key))

    def pdb(self, component: str) -> None:
        base: JsonPath = (component, "pdb")
        if self.peek(base) is _MISSING and self.peek((component, "podDisruptionBudget")) is not _MISSING:
            base = (component, "podDisruptionBudget")
        spec_path: JsonPath = (component, "pdb")
        enabled = self.boolean((*base, "enabled"))
        if enabled is not None:
            self.put((*spec_path, "enabled"), enabled, (*base, "enabled"))
        least = self.pdb_bound((*base, "minAvailable"))
        most = self.pdb_bound((*base, "maxUnavailable"))
        if least is not None:
            self.put((*spec_path, "minAvailable"), least, (*base, "minAvailable"))
            if most is not None:
                self.note((*spec_path, "minAvailable"), "minAvailable wins over maxUnavailable, as upstream")
        elif most is not None:
            self.put((*spec_path, "maxUnavailable"), most, (*base, "maxUnavailable"))

    def pdb_bound(self, path: JsonPath) -> int | str | None:
        value = self.get(path)
        if value is None:
            return None
        if isinstance(value, str) and value.endswith("%"):
            return value
        return self.integer(path)

    def env(self, component: str) -> None:
        base: JsonPath = (component,)
        extra = self.sequence((*base, "extraEnv"))
        env: list[Any] = list(extra or [])
        if component == "ui":
            url = self.string(("ui", "backendUrl"))
            if url is not None:
                # Upstream emits it right after LITELLM_LOG, which is where extraEnv starts in litectl.
                env.insert(0, {"name": "LITELLM_BACKEND_URL", "value": url})
                self.note(("ui", "extraEnv"), "LITELLM_BACKEND_URL from ui.backendUrl")
        if env:
            self.put((*base, "extraEnv"), env, (*base, "extraEnv"))
        config_maps = self.names((*base, "envConfigMaps")) or []
        secrets = self.names((*base, "envSecrets")) or []
        for index, item in enumerate(self.sequence((*base, "envFrom")) or []):
            where = (*base, "envFrom", index)
            ref = item if isinstance(item, dict) else {}
            if set(ref) == {"configMapRef"} and isinstance(ref["configMapRef"], dict):
                config_maps.append(str(ref["configMapRef"].get("name", "")))
            elif set(ref) == {"secretRef"} and isinstance(ref["secretRef"], dict):
                secrets.append(str(ref["secretRef"].get("name", "")))
            else:
                self.warn(
                    where,
                    "only configMapRef/secretRef entries without prefix map to envConfigMaps/envSecrets",
                )
        if config_maps:
            self.put((*base, "envConfigMaps"), config_maps, (*base, "envConfigMaps"))
        if secrets:
            self.put((*base, "envSecrets"), secrets, (*base, "envSecrets"))

    def migration_job(self) -> None:
        base: JsonPath = ("migrationJob",)
        enabled = self.boolean((*base, "enabled"))
        if enabled is False:
            self.put((*base, "enabled"), False, (*base, "enabled"))
        self.component_image((*base, "image"), (*base, "image"))
        self.copy((*base, "backoffLimit"), (*base, "backoffLimit"), self.integer)
        for key in ("ttlSecondsAfterFinished", "activeDeadlineSeconds"):
            if self.peek((*base, key)) is not _MISSING:  # null removes it, upstream and here
                self.put((*base, key), self.integer((*base, key)), (*base, key))
        self.copy((*base, "extraEnv"), (*base, "extraEnv"), self.sequence)
        self.copy((*base, "resources"), (*base, "resources"), self.mapping)
        for key in ("nodeSelector", "affinity", "podSecurityContext", "securityContext"):
            self.copy((*base, key), (*base, key), self.mapping)
        self.copy((*base, "tolerations"), (*base, "tolerations"), self.sequence)
        self.pod_extras(base, deployment=False)
        hooks = (*base, "hooks")
        helm_enabled = self.boolean((*hooks, "helm", "enabled"))
        if helm_enabled is not None:
            self.put((*hooks, "helm", "enabled"), helm_enabled, (*hooks, "helm", "enabled"))
        self.copy((*hooks, "helm", "weight"), (*hooks, "helm", "weight"), self.integer)
        argo = self.boolean((*hooks, "argocd", "enabled"))
        if argo is not None:
            self.put((*hooks, "argocd", "enabled"), argo, (*hooks, "argocd", "enabled"))
        if self.boolean((*base, "automountServiceAccountToken")):
            self.warn(
                (*base, "automountServiceAccountToken"),
                _UNMAPPED[("migrationJob", "automountServiceAccountToken")],
            )

    def pod_extras(self, base: JsonPath, *, deployment: bool) -> None:
        """Issue 13.1: the upstream chart's pod (and, for components, Deployment) extras, same keys."""
        for key in ("volumes", "volumeMounts", "extraInitContainers"):
            self.copy((*base, key), (*base, key), self.sequence)
        self.copy((*base, "priorityClassName"), (*base, "priorityClassName"), self.string)
        self.copy((*base, "terminationGracePeriodSeconds"), (*base, "terminationGracePeriodSeconds"), self.integer)
        if not deployment:
            return
        self.copy((*base, "extraContainers"), (*base, "extraContainers"), self.sequence)
        for key in ("lifecycle", "strategy", "deploymentAnnotations", "deploymentLabels"):
            self.copy((*base, key), (*base, key), self.mapping)
        self.copy((*base, "minReadySeconds"), (*base, "minReadySeconds"), self.integer)

    def ingress(self) -> None:
        base: JsonPath = ("ingress",)
        enabled = self.boolean((*base, "enabled"))
        if not enabled:
            self.seen.add(base)  # a disabled Ingress renders nothing upstream
            return
        self.put((*base, "enabled"), True, (*base, "enabled"))
        self.copy((*base, "className"), (*base, "className"), self.string)
        self.copy((*base, "controller"), (*base, "controller"), self.string)
        self.copy((*base, "host"), (*base, "host"), self.string)
        self.copy((*base, "annotations"), (*base, "annotations"), self.mapping)
        self.copy((*base, "tls"), (*base, "tls"), self.sequence)
        paths: list[dict[str, Any]] = []
        for index, item in enumerate(self.sequence((*base, "extraPaths")) or []):
            where = (*base, "extraPaths", index)
            if not isinstance(item, dict) or not isinstance(item.get("path"), str):
                self.fail(where, "expected `path:` with optional `service:` and `pathType:`")
                continue
            entry = {"path": item["path"]}
            for key in ("pathType", "service"):
                if item.get(key) not in (None, ""):
                    entry[key] = str(item[key])
            for key in item:
                if key not in ("path", "pathType", "service"):
                    self.warn((*where, key), "unknown extraPaths key")
            paths.append(entry)
        if paths:
            self.put((*base, "extraPaths"), paths, (*base, "extraPaths"))

    def extra_resources(self) -> None:
        """Whole objects carry over as they are; upstream runs them through `tpl`, litectl does not.

        The spec's own checks (run by `finish`) then refuse an object that breaks them, with a warning.
        """
        base: JsonPath = ("extraResources",)
        items = self.sequence(base)
        self.seen.add(base)
        kept: list[dict[str, Any]] = []
        for index, item in enumerate(items or []):
            where = (*base, index)
            if not isinstance(item, dict):
                self.warn(where, "not a Kubernetes object (a mapping)")
                continue
            if "{{" in json.dumps(item, ensure_ascii=False):
                # Written as it is, a template would reach the cluster as literal text: leave it out.
                self.warn(where, "holds `{{ }}`, which upstream renders with `tpl` and litectl never does; "
                          "write the rendered object")
                continue
            kept.append(item)
        if kept:
            self.put(base, kept, base)

    # --- everything else: report it unless it is inert ---------------------------------------

    def sweep(self, path: JsonPath, value: Any) -> None:
        if path in self.seen:
            return
        if path:
            if _inert(path, value):
                return
            reason = _lookup(_UNMAPPED, path)
            if reason is not _MISSING:
                self.warn(path, str(reason))
                return
        if isinstance(value, dict) and self.known(path):
            for key, item in value.items():
                self.sweep((*path, key), item)
            return
        self.warn(path, "not a value of the upstream componentized chart that litectl knows")

    def known(self, path: JsonPath) -> bool:
        """Whether `path` is a block of the upstream values (so its keys are looked at one by one)."""
        if not path:
            return True
        pattern = _pattern_key(path)
        for seen in self.seen:
            if len(seen) > len(path) and seen[: len(path)] == path:
                return True
        for table in (_UNMAPPED, _UPSTREAM_DEFAULTS):
            for key in table:
                if pattern is not None and len(key) > len(pattern) and key[: len(pattern)] == pattern:
                    return True
        return False

    # --- output --------------------------------------------------------------------------------

    def finish(self) -> ImportResult:
        """Prune litectl's defaults, render, and drop any value the spec's own checks refuse."""
        for _ in range(20):
            text = _render(self.pruned(), self.notes, self.warnings, self.loaded.file)
            refused = _refusals(text)
            if not refused:
                return ImportResult(text, tuple(sorted(self.warnings, key=_warning_order)))
            for problem in refused:
                spec_path = self.owner(problem.path)
                if spec_path is None or spec_path in _REQUIRED:
                    where = self.origin.get(spec_path, ()) if spec_path else ()
                    raise LitectlError([error(problem.message, where, self.span_of(where))])
                origin = self.origin.pop(spec_path)
                _remove(self.spec, spec_path)
                self.warnings.append(
                    warning(
                        f"{_dotted(origin)}: not imported: {problem.message}",
                        origin,
                        self.span_of(origin),
                    )
                )
        raise LitectlError([error("the imported spec does not validate", (), None)])

    def owner(self, spec_path: JsonPath) -> JsonPath | None:
        """The longest prefix of `spec_path` this import set (the value to drop)."""
        for end in range(len(spec_path), 0, -1):
            if spec_path[:end] in self.origin:
                return spec_path[:end]
        return None

    def pruned(self) -> dict[str, Any]:
        return _prune(self.spec, _litectl_defaults(), ())


_REQUIRED: Final = frozenset(
    {
        ("apiVersion",), ("kind",), ("metadata", "name"), ("database", "writer", "host"),
        ("database", "writer", "dbname"),
    }
)  # fmt: skip
# Sections always written in full, even where they equal litectl's defaults: they name what
# must exist in the cluster (Secrets, the database), which a reader of the spec wants to see.
_KEEP: Final = frozenset({("masterKey",), ("database", "writer")})


def _warning_order(diagnostic: Diagnostic) -> tuple[int, int]:
    span = diagnostic.span
    return (span.line, span.col) if span else (0, 0)


def _litectl_defaults() -> dict[str, Any]:
    from litectl.compiler import model

    defaults: dict[str, Any] = {
        "image": model.to_plain(model.Image()),
        "masterKey": model.to_plain(model.MasterKey()),
        "database": {"connectionPool": model.to_plain(model.ConnectionPool())},
        "redis": model.to_plain(model.Redis()),
        "serviceAccount": model.to_plain(model.ServiceAccount()),
        "gateway": model.to_plain(model.Gateway()),
        "backend": model.to_plain(model.Backend()),
        "ui": model.to_plain(model.Ui()),
        "migrationJob": model.to_plain(model.MigrationJob()),
        "ingress": model.to_plain(model.Ingress()),
    }
    return defaults


def _prune(spec: Mapping[str, Any], defaults: Mapping[str, Any], path: JsonPath) -> dict[str, Any]:
    """`spec` without the values equal to litectl's defaults (sections merge key by key)."""
    out: dict[str, Any] = {}
    for key, value in spec.items():
        here = (*path, key)
        default = defaults.get(key, _MISSING)
        if here in _KEEP:
            out[key] = value
        elif isinstance(value, dict) and isinstance(default, dict) and key not in _OPAQUE:
            inner = _prune(value, default, here)
            if inner:
                out[key] = inner
        elif isinstance(value, dict) and default is _MISSING and key not in _OPAQUE:
            inner = _prune(value, {}, here)
            if inner:
                out[key] = inner
        elif value != default:
            out[key] = value
    return out


def _remove(spec: dict[str, Any], path: JsonPath) -> None:
    node: Any = spec
    parents: list[tuple[dict[str, Any], str]] = []
    for part in path[:-1]:
        parents.append((node, str(part)))
        node = node.get(str(part), {})
    if isinstance(node, dict):
        node.pop(str(path[-1]), None)
    for parent, key in reversed(parents):
        if parent.get(key) == {}:
            parent.pop(key)


def _refusals(text: str) -> list[Diagnostic]:
    """What litectl's own validation says about the rendered spec (nothing when it is valid)."""
    from litectl.compiler.validate import compile_loaded

    try:
        compile_loaded(load_text(text, "imported.yaml"))
    except LitectlError as exc:
        return [d for d in exc.diagnostics if d.severity == "error"]
    return []


# --- rendering ---------------------------------------------------------------------------------

_SECTION_NOTES: Final[Mapping[str, str]] = {
    "image": "one image for every component (per-component `image` blocks inherit unset fields)",
    "database": "external Postgres; the image builds DATABASE_URL itself, litectl never sees a password",
    "redis": "Redis wiring (host empty: no Redis)",
    "serviceAccount": "one ServiceAccount for gateway, backend and the migrations Job",
    "podSecurity": "baseline: allowPrivilegeEscalation false and seccomp RuntimeDefault on every "
    "container (the upstream chart sets no security context); restricted: for non-root images",
    "gateway": "the LLM data plane (port 4000)",
    "backend": "the management API (port 4001)",
    "ui": "the static dashboard (port 3000)",
    "migrationJob": "runs `prisma migrate deploy` before gateway and backend start",
    "ingress": "one host in front of ui, gateway and backend",
    "extraResources": "your own objects, emitted beside litectl's (known kinds checked strictly)",
    "targets": "what `litectl compile` builds; kustomize and compose work from the same spec",
}


def _render(
    spec: Mapping[str, Any], notes: Mapping[JsonPath, list[str]], warnings: list[Diagnostic], source: str
) -> str:
    from litectl.schema import SCHEMA_ID

    document = dict(spec)
    document.setdefault("podSecurity", "baseline")
    document["targets"] = {"helm": {"output": "deploy/helm"}}
    order = [
        "apiVersion", "kind", "metadata", "image", "masterKey", "database", "redis", "serviceAccount",
        "podSecurity", "gateway", "backend", "ui", "migrationJob", "ingress", "extraResources", "targets",
    ]  # fmt: skip
    document = {key: document[key] for key in order if key in document}
    all_notes: dict[JsonPath, list[str]] = {key: list(value) for key, value in notes.items()}
    for key, text in _SECTION_NOTES.items():
        if key in document:
            all_notes.setdefault((key,), []).insert(0, text)
    name = Path(source).name
    lines = [
        f"# yaml-language-server: $schema={SCHEMA_ID}",
        f"# Imported by `litectl import` from {name}, values of the upstream componentized",
        "# LiteLLM chart. Values equal to litectl's defaults are left out. Check it with",
        "# `litectl validate`; build it with `litectl compile` (every target under `targets`).",
    ]
    out = "\n".join(lines) + "\n" + _block(document, all_notes, (), 0)
    if warnings:
        out += "# Not imported (litectl has no equivalent; see the warnings `litectl import` printed):\n"
        for diagnostic in sorted(warnings, key=_warning_order):
            where = f"{name}:{diagnostic.span.line}" if diagnostic.span else name
            wrapped = textwrap.wrap(
                f"{where}: {diagnostic.message}", width=96, subsequent_indent="  ", break_on_hyphens=False
            )
            out += "".join(f"#   {line}\n" for line in wrapped)
    return out


def _block(
    mapping: Mapping[str, Any], notes: Mapping[JsonPath, list[str]], path: JsonPath, indent: int
) -> str:
    """A mapping as block YAML with `notes` as comment lines above their keys."""
    from litectl.compiler.output import dump_yaml

    pad = " " * indent
    out: list[str] = []
    for key, value in mapping.items():
        here = (*path, key)
        for text in notes.get(here, []):
            for line in textwrap.wrap(text, width=max(40, 98 - indent), break_on_hyphens=False):
                out.append(f"{pad}# {line}\n")
        if isinstance(value, dict) and value and _has_notes(notes, here) and key not in _OPAQUE:
            out.append(f"{pad}{key}:\n")  # spec keys: plain identifiers
            out.append(_block(value, notes, here, indent + 2))
            continue
        for line in dump_yaml({key: value}).splitlines():
            out.append(f"{pad}{line}\n" if line else "\n")
    return "".join(out)


def _has_notes(notes: Mapping[JsonPath, list[str]], path: JsonPath) -> bool:
    return any(len(key) > len(path) and key[: len(path)] == path for key in notes)
