"""Generate `schema/litectl.schema.json` from the spec model (`compiler/model.py`).

The model is the one source: this walks its attrs classes (types, defaults, field metadata) and
the built-in targets' option classes, and embeds the Kubernetes definitions that pass-through
fields must satisfy (taken from the Kubernetes OpenAPI schemas bundled with kubernetes-validate,
oldest supported version, so the editor and the validator both check them like the API server).

Run `python -m litectl.compiler.schema_gen` to rewrite the committed file; a test fails when it
drifts. Generation is a development step: nothing here runs when a user validates a spec.
"""

from __future__ import annotations

import json
import re
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import attrs
from litectl.compiler import model
from litectl.compiler.model import to_plain
from litectl.schema import SCHEMA_ID
from litectl.targets.options import BUILTIN_OPTIONS

DRAFT7 = "http://json-schema.org/draft-07/schema#"
KUBE_VERSION = "1.27.0"
KUBE_PREFIX = "k8s."
EXTENSIONS = {"^x-": {"description": "Your own notes: keys starting with `x-` are ignored."}}
_ANNOTATIONS = ("description", "x-kubernetes-", "format")


def _title(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").split()
    return " ".join([words[0].capitalize(), *words[1:]]) if words else name


def field_default(field: attrs.Attribute[Any]) -> Any:
    """The default a field takes when the spec omits it (`attrs.NOTHING` when required)."""
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # attrs types Factory as a function
        return default.factory()
    return default


QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
#: Kubernetes' own definition is "a string or a number": `1 core`, `2GB` and `-1` pass it and fail
#: only at the API server. This is the quantity grammar (a non-negative decimal, then a binary or
#: decimal SI suffix or a decimal exponent), so the mistake is reported at its line instead.
QUANTITY_SCHEMA: dict[str, Any] = {
    "type": ["string", "number"],
    "pattern": r"^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$",
    "minimum": 0,
    "description": "A Kubernetes quantity: 500m or 0.5 (cores), 4Gi (binary), 1G or 1e9 (decimal).",
    "x-message": "must be a Kubernetes quantity, such as 500m, 2, 512Mi or 4Gi (not negative, "
    "no spaces; Gi/Mi are binary, G/M decimal)",
}


class _Generator:
    def __init__(self, kube_defs: dict[str, Any]) -> None:
        self.definitions: dict[str, Any] = {}
        self.kube_source = kube_defs
        self.partial = False

    # -- Kubernetes definitions ------------------------------------------------------------
    def kube_ref(self, name: str) -> dict[str, Any]:
        self._embed_kube(name)
        return {"$ref": f"#/definitions/{KUBE_PREFIX}{name}"}

    def _embed_kube(self, name: str) -> None:
        key = KUBE_PREFIX + name
        if key in self.definitions:
            return
        self.definitions[key] = {}
        if name == QUANTITY:
            self.definitions[key] = QUANTITY_SCHEMA
            return
        self.definitions[key] = self._convert_kube(self.kube_source[name])

    def _convert_kube(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self._convert_kube(n) for n in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for k, v in node.items():
            if k == "$ref":
                ref = v.rsplit("/", 1)[-1]
                self._embed_kube(ref)
                out[k] = f"#/definitions/{KUBE_PREFIX}{ref}"
            elif k == "oneOf":  # Kubernetes' IntOrString/Quantity unions overlap on null
                out["anyOf"] = self._convert_kube(v)
            elif k == "properties":
                out[k] = {p: self._convert_kube(s) for p, s in v.items()}
            elif k.startswith("x-kubernetes-") or k == "format":
                continue
            elif k == "type" and isinstance(v, list):
                # The API server reads null as "unset"; litectl asks for the value or its absence,
                # so a stray `null` is reported instead of reaching the output as "None".
                kept = [t for t in v if t != "null"]
                out[k] = kept[0] if len(kept) == 1 else kept
            else:
                out[k] = self._convert_kube(v)
        return out

    # -- spec classes ------------------------------------------------------------------------
    def ref(self, cls: type) -> dict[str, Any]:
        name = cls.__name__ + (".partial" if self.partial else "")
        if name not in self.definitions:
            self.definitions[name] = {}
            self.definitions[name] = self.object_schema(cls)
        return {"$ref": f"#/definitions/{name}"}

    def object_schema(self, cls: type, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
        props: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if field.name in skip:
                continue
            props[field.name] = self.field_schema(field, hints[field.name])
            if field.default is attrs.NOTHING and not self.partial:
                required.append(field.name)
        schema: dict[str, Any] = {
            "type": "object",
            "title": _title(cls.__name__.removesuffix("Options")),
            "description": (cls.__doc__ or "").strip(),
            "properties": props,
            "patternProperties": EXTENSIONS,
            "additionalProperties": False,
        }
        if required:
            schema["required"] = required
        return schema

    def field_schema(self, field: attrs.Attribute[Any], hint: Any) -> dict[str, Any]:
        meta = field.metadata
        schema = self.type_schema(hint, meta)
        out: dict[str, Any] = {"title": _title(field.name), "description": meta.get("description", "")}
        out.update(schema)
        default = field_default(field)
        if default is not attrs.NOTHING and not self.partial:
            out["default"] = to_plain(default)
        if meta.get("examples"):
            out["examples"] = meta["examples"]
        return out

    def type_schema(self, hint: Any, meta: typing.Mapping[str, Any]) -> dict[str, Any]:
        constraints = dict(meta.get("constraints") or {})
        kube = meta.get("kube")
        args = typing.get_args(hint)
        origin = typing.get_origin(hint)
        nullable = (origin in (typing.Union, types.UnionType) and type(None) in args) or self.partial
        if origin in (typing.Union, types.UnionType):
            members = [a for a in args if a is not type(None)]
            hint = members[0] if len(members) == 1 else hint
            if len(members) > 1:  # int | str: the constraints spell the union out
                schema = dict(constraints)
                if nullable:
                    schema = {"anyOf": [*schema.pop("anyOf"), {"type": "null"}], **schema}
                return schema
        schema = self._non_null(hint, constraints, kube)
        if nullable:
            if "type" in schema and isinstance(schema["type"], str) and "enum" not in schema:
                schema["type"] = [schema["type"], "null"]
            else:
                schema = {"anyOf": [schema, {"type": "null"}]}
        return schema

    def _non_null(self, hint: Any, constraints: dict[str, Any], kube: str | None) -> dict[str, Any]:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if hint is str:
            return {"type": "string", **constraints}
        if hint is bool:
            return {"type": "boolean"}
        if hint is int:
            return {"type": "integer", **constraints}
        if origin is Literal:
            return {"enum": list(args)}
        if origin is tuple:
            item_constraints = constraints.pop("items", {})
            items = self._non_null(args[0], item_constraints, kube)
            return {"type": "array", "items": items, **constraints}
        if origin is dict:
            if args[1] is str:
                # In an environment, `null` removes a key (SPEC.md section 10), labels included.
                value_type = ["string", "null"] if self.partial else "string"
                return {"type": "object", "additionalProperties": {"type": value_type}}
            if kube and not self.partial:
                return self.kube_ref(kube)
            if args[1] is typing.Any:
                return {"type": "object", **constraints}
            return {"type": "object", "additionalProperties": self._non_null(args[1], {}, None)}
        if attrs.has(hint):
            return self.ref(hint)
        raise TypeError(f"no schema mapping for {hint!r}")


def _targets_schema(gen: _Generator) -> dict[str, Any]:
    props = {
        name: {"title": name, "description": f"Options of the `{name}` target.", **gen.ref(cls)}
        for name, cls in BUILTIN_OPTIONS.items()
    }
    if not gen.partial:
        for name, cls in BUILTIN_OPTIONS.items():
            props[name]["default"] = to_plain(cls())
    return {
        "type": "object",
        "title": "Targets",
        "description": "Per-target options (`targets.<name>`). Listing a target makes "
        "`litectl compile` without `--target` build it. Installed third-party targets take "
        "their own options; every target accepts `output`.",
        "properties": props,
        "patternProperties": EXTENSIONS,
        "additionalProperties": {
            "type": "object",
            "description": "Options of an installed third-party target.",
            "properties": {"output": {"type": "string", "description": "Output directory."}},
        },
    }


def _document_schema(gen: _Generator, *, partial: bool) -> dict[str, Any]:
    gen.partial = partial
    skip = model.NOT_IN_ENVIRONMENTS if partial else ()
    schema = gen.object_schema(model.Document, skip=(*skip, "targets"))
    schema["properties"]["targets"] = _targets_schema(gen)
    if partial:
        schema["title"] = "Environment"
        schema["description"] = (
            "A partial document deep-merged over the base: mappings merge key by key, lists and "
            "scalars replace, `null` removes a key. The merged result is validated like the base."
        )
    return schema


def generate(kube_defs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the whole spec schema as a JSON-ready mapping."""
    gen = _Generator(kube_defs if kube_defs is not None else load_kube_definitions())
    environment = _document_schema(gen, partial=True)
    gen.definitions["Environment"] = environment
    root = _document_schema(gen, partial=False)
    root["properties"]["environments"].update(
        {
            "propertyNames": {
                "pattern": model.DNS1123_LABEL,
                "maxLength": 63,
                "x-message": model.DNS1123_MESSAGE,
            },
            "additionalProperties": {"$ref": "#/definitions/Environment"},
        }
    )
    _extra_resources_schema(gen, root["properties"]["extraResources"]["items"])
    root["properties"]["apiVersion"]["examples"] = [model.API_VERSION]
    root["properties"]["kind"]["examples"] = [model.KIND]
    return {
        "$schema": DRAFT7,
        "$id": SCHEMA_ID,
        **{k: v for k, v in root.items() if k != "title"},
        "title": "litectl topology spec (litectl/v1alpha1)",
        "definitions": dict(sorted(gen.definitions.items())),
    }


def _extra_resources_schema(gen: _Generator, item: dict[str, Any]) -> None:
    """Known kinds of `extraResources` must be exactly their Kubernetes object (strict)."""
    checks = []
    for kind, (_api_version, definition) in model.EXTRA_RESOURCE_KINDS.items():
        checks.append({
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": gen.kube_ref(definition),  # its apiVersion enum pins the version too
        })
    item["allOf"] = checks


def load_kube_definitions(version: str = KUBE_VERSION) -> dict[str, Any]:
    """The Kubernetes OpenAPI definitions bundled with kubernetes-validate (a development dependency)."""
    import kubernetes_validate  # type: ignore[import-untyped]  # development-time only, untyped

    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    data = json.loads((base / f"v{version}-local-strict" / "_definitions.json").read_text())
    defs: dict[str, Any] = data["$defs"]
    return defs


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schema_path() -> Path:
    return Path(__file__).resolve().parent.parent / "schema" / "litectl.schema.json"


def main(argv: list[str] | None = None, write: Callable[[str], object] | None = None) -> int:
    text = render(generate())
    target = schema_path()
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
