"""`values.schema.json`: the committed spec schema, transformed for the chart's values.

One source: the spec schema is generated from the model, and this derives the values schema
from it, so a field's type, constraints, default and description cannot differ between the
spec and the chart. The transformation is structural: the document-only sections go
(apiVersion, kind, environments, targets), `metadata.name` becomes `fullnameOverride`, the
closed root declares `global` (Helm passes it to every chart), and unreferenced definitions are
dropped. draft-07, which every Helm 3 and 4 understands.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from litectl.compiler.model import DNS1123_LABEL
from litectl.targets.helm.values import FULLNAME_DESCRIPTION

DRAFT7 = "http://json-schema.org/draft-07/schema#"
DROPPED = ("apiVersion", "kind", "environments", "targets")


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.rsplit("/", 1)[-1]
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def values_schema(spec_schema: dict[str, Any], *, chart: str, header: str) -> dict[str, Any]:
    """The chart's values schema derived from the spec schema."""
    spec = copy.deepcopy(spec_schema)
    definitions: dict[str, Any] = spec.get("definitions", {})
    properties = {k: v for k, v in spec["properties"].items() if k not in DROPPED}

    metadata = copy.deepcopy(definitions["Metadata"])
    metadata["properties"].pop("name", None)
    metadata.pop("required", None)
    metadata["description"] = "Namespace, labels and annotations of every object (the name is fullnameOverride)."
    definitions["ChartMetadata"] = metadata
    name = definitions["Metadata"]["properties"]["name"]
    properties["metadata"] = {k: v for k, v in properties["metadata"].items() if k not in ("$ref", "default")}
    properties["metadata"]["$ref"] = "#/definitions/ChartMetadata"
    properties["metadata"]["description"] = metadata["description"]
    properties = {
        "fullnameOverride": {
            "title": "Fullname override",
            "description": FULLNAME_DESCRIPTION,
            "type": "string",
            "pattern": f"^$|{DNS1123_LABEL}",
            "maxLength": name.get("maxLength", 40),
        },
        **properties,
        "global": {"title": "Global", "description": "Values Helm passes to every chart (unused here).",
                   "type": "object"},
    }
    root: dict[str, Any] = {
        "$schema": DRAFT7,
        "$comment": header,
        "title": f"Values of the {chart} chart",
        "description": "The litectl topology spec's sections 2-9 (SPEC.md) as Helm values.",
        "type": "object",
        "properties": properties,
        "patternProperties": spec.get("patternProperties", {}),
        "additionalProperties": False,
        "required": [r for r in spec.get("required", []) if r in properties],
    }
    # keep only the definitions the values reach
    keep: set[str] = set()
    todo = list(_refs(root))
    while todo:
        ref = todo.pop()
        if ref in keep or ref not in definitions:
            continue
        keep.add(ref)
        todo.extend(_refs(definitions[ref]))
    root["definitions"] = {k: definitions[k] for k in sorted(keep)}
    return root


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
