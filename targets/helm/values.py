"""The chart's values files: the compiled base, and one delta per environment, commented.

`values.yaml` is the compiled base document (the spec's sections 2-9 with every default
written out) plus `fullnameOverride`, which takes the place of `metadata.name` so that Helm
users find the knob they know; `metadata` keeps `namespace`, `labels` and `annotations`.

`values-<env>.yaml` holds only what the environment changes, in Helm's terms: mappings are
merged key by key by Helm itself, lists and scalars are replaced, and a key the environment
removes is written as `null`, which deletes it from the chart's values.

Every key the spec's schema describes carries a comment `# <dotted.path> -- <description>`,
the form helm-docs reads; the descriptions come from the same schema the spec is checked with.
Inside Kubernetes objects (probes, resources, ...) and free-form maps (proxy_config, labels)
the parent's comment stands for its content.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litectl.compiler import ir
from litectl.compiler.output import dump_yaml

SKIPPED_SECTIONS = ("apiVersion", "kind", "metadata", "environments", "targets")
FULLNAME_DESCRIPTION = ("Prefix of every object name; litectl pins it to the spec's metadata.name "
                        "(empty: <release>-<chart>).")
# Values whose content is the user's own data: nulls inside are data, not deletions.
_OPAQUE = {"proxy_config"}


def chart_values(topology: ir.Topology) -> dict[str, Any]:
    """The values a topology compiles to (the base's become values.yaml)."""
    document = topology.document
    metadata = {k: v for k, v in document["metadata"].items() if k != "name"}
    values: dict[str, Any] = {"fullnameOverride": document["metadata"]["name"], "metadata": metadata}
    values.update({k: v for k, v in document.items() if k not in SKIPPED_SECTIONS})
    return values


def _same(a: Any, b: Any) -> bool:
    """Equal in value and type (`1`, `1.0` and `True` differ in a values file)."""
    if a is b:  # environments share the base's untouched data (a model list): nothing to compare
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


def delta(base: Mapping[str, Any], env: Mapping[str, Any], *, opaque: bool = False) -> dict[str, Any]:
    """What `helm -f values.yaml -f <delta>` needs to turn `base` into `env`.

    A new subtree is written without nulls (a missing key is null to the chart), except inside
    opaque user data, where a null is a value.
    """
    out: dict[str, Any] = {}
    for key, value in env.items():
        inner = opaque or key in _OPAQUE
        if key not in base:
            out[key] = value if inner else _without_nulls(value)
        elif isinstance(value, Mapping) and isinstance(base[key], Mapping):
            changed = delta(base[key], value, opaque=inner)
            if changed:
                out[key] = changed
        elif not _same(base[key], value):
            out[key] = value if inner or not isinstance(value, Mapping) else _without_nulls(value)
    for key in base:
        if key not in env:
            out[key] = None
    return out


# --- the commented YAML writer --------------------------------------------------------------------


class _SchemaView:
    """Descriptions and nesting of the spec schema, following `$ref`s and nullable unions."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.definitions: Mapping[str, Any] = schema.get("definitions", {})

    def resolve(self, node: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        seen = 0
        while node is not None and seen < 20:
            seen += 1
            if "$ref" in node:
                name = str(node["$ref"]).rsplit("/", 1)[-1]
                if name.startswith("k8s."):
                    return None  # a Kubernetes shape: documented by its parent key
                node = self.definitions.get(name)
            elif "anyOf" in node:
                options = [o for o in node["anyOf"] if o.get("type") != "null"]
                node = options[0] if len(options) == 1 else None
            else:
                return node
        return None

    def child(self, node: Mapping[str, Any] | None, key: str) -> tuple[str | None, Mapping[str, Any] | None]:
        """(description, resolved schema) of `key` inside the object schema `node`."""
        if node is None:
            return None, None
        prop = (node.get("properties") or {}).get(key)
        if prop is None:
            return None, None
        return prop.get("description") or None, self.resolve(prop)


def _comment(path: Sequence[str], description: str) -> str:
    return f"# {'.'.join(path)} -- {' '.join(description.split())}"


def commented_yaml(values: Mapping[str, Any], schema: Mapping[str, Any], *, header: str) -> str:
    """`values` as YAML with a helm-docs comment above every key the (values) schema describes."""
    view = _SchemaView(schema)
    lines = [f"# {line}".rstrip() for line in header.split("\n")]
    root = view.resolve(schema)

    def emit(mapping: Mapping[str, Any], node: Mapping[str, Any] | None, path: list[str], indent: int) -> None:
        pad = " " * indent
        for key, value in mapping.items():
            description, child = view.child(node, key)
            if not path:
                lines.append("")
            here = [*path, key]
            if description:
                lines.append(pad + _comment(here, description))
            if isinstance(value, Mapping) and value and child is not None and "properties" in child \
                    and key not in _OPAQUE:
                lines.append(f"{pad}{_key_text(key)}:")
                emit(value, child, here, indent + 2)
            else:
                text = dump_yaml({key: value})
                lines.extend(pad + line if line else line for line in text.rstrip("\n").split("\n"))

    emit(values, root, [], 0)
    if not values:
        lines.append("{}")
    return "\n".join(lines) + "\n"


def _key_text(key: str) -> str:
    """A mapping key as the shared writer would write it."""
    return dump_yaml({key: None}).rsplit(":", 1)[0]
