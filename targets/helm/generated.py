"""`templates/_generated.tpl`: what the chart takes from litectl's own sources instead of copies.

The route table (compiler/routes.py), the component ports, arguments and mounts, the podSecurity
levels and the spec model's defaults are written into the chart as data, so the chart and every
other target read one source. Ports, arguments and security levels are taken from the
normaliser itself, by resolving a minimal spec, rather than restated here.
"""

from __future__ import annotations

import functools
import json
import sys
import types
import typing
from collections.abc import Mapping
from typing import Any

import attrs
from litectl.compiler import ir, model, normalize, routes
from litectl.compiler.naming import APP
from litectl.compiler.schema_gen import field_default
from litectl.targets.helm import goyaml
from litectl.targets.kube import MIGRATIONS_CONTAINER, volume_name

#: Spec classes whose defaults the chart fills into objects a user may add with --set
#: (list items and nullable sections), by name as in `__CHART__.object`.
OBJECT_CLASSES: tuple[type, ...] = (model.ExtraPath, model.DatabaseWriter, model.DatabaseReader,
                                    model.ReaderPasswordSecret, model.DatabaseUrlSecret,
                                    model.ComponentImage, model.SecretKeyRef)
SKIPPED_SECTIONS = ("apiVersion", "kind", "environments", "targets")


def _nullable(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)


def _strip_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return value


#: Marks a default that is filled in whole when its key is missing, never merged key by key:
#: Kubernetes shapes (probes, resources) and free-form maps replace the default whole in the spec.
LEAF = "litectl.leaf"
#: A section's whole default (nullable fields included), used when the section itself is missing.
WHOLE = "litectl.whole"


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))


def _node(value: Any) -> Any:
    """The defaults node of one default value."""
    if attrs.has(type(value)):
        return section_defaults(type(value), value)
    plain = _strip_none(model.to_plain(value))
    return {LEAF: plain} if isinstance(plain, dict) else plain


def section_defaults(cls: type, instance: Any = None) -> dict[str, Any]:
    """The defaults tree of a spec section, as `__CHART__.fillDefaults` reads it.

    A key missing from the values gets its default. Inside a section that is present, only the
    non-nullable fields are filled in: Helm drops nulls from a chart's values, so for a nullable
    field (a probe, an HPA target) a missing key must keep meaning null. A section missing as a
    whole gets its whole default (WHOLE), nullable fields included, as the spec would.
    """
    hints = _hints(cls)
    node: dict[str, Any] = {}
    if instance is not None:
        node[WHOLE] = _strip_none(model.to_plain(instance))
    for field in attrs.fields(cls):
        hint = hints[field.name]
        if _nullable(hint):
            continue
        if instance is not None:
            node[field.name] = _node(getattr(instance, field.name))
            continue
        default = field_default(field)
        if default is not attrs.NOTHING:
            node[field.name] = _node(default)
        elif attrs.has(hint):  # a required section: fill its own defaults when it is there
            nested = section_defaults(hint)
            if nested:
                node[field.name] = nested
    return node


def document_defaults() -> dict[str, Any]:
    """The values defaults: the document's, without the sections the chart does not carry."""
    out = {k: v for k, v in section_defaults(model.Document).items() if k not in SKIPPED_SECTIONS}
    out["metadata"] = {k: v for k, v in out.get("metadata", {}).items() if k != "name"}
    return out


@functools.cache
def _reference_topologies() -> dict[str, ir.Topology]:
    """A minimal spec resolved by the normaliser at each podSecurity level (every part enabled)."""
    out = {}
    for level in ("baseline", "restricted"):
        document = {
            "apiVersion": model.API_VERSION, "kind": model.KIND, "metadata": {"name": "x"},
            "podSecurity": level, "database": {"writer": {"host": "h", "dbname": "d"}},
        }
        topology, problems = normalize.resolve(normalize.structure(document))
        if problems:  # pragma: no cover - the minimal spec is valid by construction
            raise RuntimeError(f"reference spec rejected: {problems}")
        out[level] = topology
    return out


def _levels() -> dict[str, dict[str, Any]]:
    levels = {}
    for level, topology in _reference_topologies().items():
        gateway = topology.gateway
        assert gateway is not None
        levels[level] = {"pod": dict(gateway.pod.pod_security_context or {}),
                         "container": dict(gateway.pod.security_context or {})}
    return levels


def _writable_dirs() -> list[dict[str, str]]:
    gateway = _reference_topologies()["restricted"].gateway
    assert gateway is not None
    return [{"name": volume_name(d), "path": d} for d in gateway.pod.writable_dirs]


def _args() -> dict[str, list[str]]:
    topology = _reference_topologies()["baseline"]
    out: dict[str, list[str]] = {w.component: list(w.args) for w in topology.workloads}
    assert topology.migrations is not None
    out["migrations"] = list(topology.migrations.args)
    return out


def _route_list(items: typing.Iterable[ir.Route]) -> list[dict[str, str]]:
    return [{"path": r.path, "pathType": r.path_type, "component": r.component} for r in items]


def _raw(value: Any) -> str:
    """A Go template raw string literal holding `value` as JSON."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if "`" in text:  # pragma: no cover - none of our constants holds a backquote
        raise ValueError(f"cannot embed {text!r} in a raw string")
    return f"`{text}`"


def _define(chart: str, name: str, body: str) -> str:
    return f'{{{{- define "{chart}.{name}" -}}}}\n{body}\n{{{{- end }}}}\n'


def generated_tpl(chart: str) -> str:
    """The text of `templates/_generated.tpl` for a chart named `chart`."""
    controllers = list(typing.get_args(model.IngressController))
    object_defaults = {cls.__name__: section_defaults(cls) for cls in OBJECT_CLASSES}
    parts = [
        _define(chart, "appName", APP),
        _define(chart, "port", "{{- index (dict " + " ".join(
            f'"{c}" "{p}"' for c, p in ir.CONTAINER_PORTS.items()) + ") . -}}"),
        _define(chart, "args", f"{{{{- index (fromJson {_raw(_args())}) . | toJson -}}}}"),
        _define(chart, "configMountPath", ir.CONFIG_MOUNT_PATH),
        _define(chart, "configVolume", ir.CONFIG_VOLUME),
        _define(chart, "configKey", ir.CONFIG_KEY),
        _define(chart, "migrationsContainer", MIGRATIONS_CONTAINER),
        _define(chart, "podSecurityLevels", f"{{{{- {_raw(_levels())} -}}}}"),
        _define(chart, "readOnlyWritableDirs", f"{{{{- {_raw(_writable_dirs())} -}}}}"),
        _define(chart, "controllers", f"{{{{- {_raw(controllers)} -}}}}"),
        *(_define(chart, f"routes.{c}", f"{{{{- {_raw(_route_list(routes.builtin_routes(c)))} -}}}}")
          for c in controllers),
        _define(chart, "routes.catchAll", f"{{{{- {_raw(_route_list([routes.CATCH_ALL]))} -}}}}"),
        _define(chart, "yaml11Pattern", f"^(?:{goyaml.YAML11_OTHER})$"),
        _define(chart, "yaml11TimestampPattern", f"^(?:{goyaml.YAML11_TIMESTAMP})$"),
        _define(chart, "jsonDotlessExponent", goyaml.JSON_DOTLESS_EXPONENT),
        _define(chart, "goTimestampLayouts", f"{{{{- {_raw(list(goyaml.GO_TIMESTAMP_LAYOUTS))} -}}}}"),
        _define(chart, "clusterScopedKinds", f"{{{{- {_raw(list(model.CLUSTER_SCOPED_KINDS))} -}}}}"),
        _define(chart, "defaults", f"{{{{- {_raw({'document': document_defaults(), **object_defaults})} -}}}}"),
    ]
    intro = ("{{/*\nConstants, the ingress route table and the spec's defaults, written by litectl from its own\n"
             "sources (compiler/routes.py, compiler/normalize.py, compiler/model.py). Values-independent.\n*/}}\n")
    return intro + "\n".join(parts)
