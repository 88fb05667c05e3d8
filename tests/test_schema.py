"""The committed schema is generated from the model, agrees with the normaliser's defaults, and
is what editors expect (draft-07, absolute $id, documented and closed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from litectl.compiler import normalize, schema_check
from litectl.compiler.schema_gen import generate, render
from litectl.schema import SCHEMA_ID, load_schema, schema_text
from ruamel.yaml import YAML

REPO = Path(__file__).parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
MINIMAL_DOC = {
    "apiVersion": "litectl/v1alpha1",
    "kind": "LiteLLMTopology",
    "metadata": {"name": "litellm"},
    "database": {"writer": {"host": "pg", "dbname": "litellm"}},
}


def test_committed_schema_is_generated_from_the_model() -> None:
    assert schema_text() == render(generate()), "run: python -m litectl.compiler.schema_gen"


def test_schema_is_valid_draft7_with_absolute_versioned_id() -> None:
    schema = load_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"] == SCHEMA_ID
    assert SCHEMA_ID.startswith("https://") and "/v1alpha1/" in SCHEMA_ID


def _spec_objects(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "$", schema
    for name, definition in schema["definitions"].items():
        if not name.startswith("k8s."):
            yield name, definition


def test_every_spec_field_is_documented_and_every_object_closed() -> None:
    for where, obj in _spec_objects(load_schema()):
        assert obj["additionalProperties"] is False, where
        assert "^x-" in obj["patternProperties"], where
        assert obj.get("description"), where
        for key, prop in obj["properties"].items():
            assert prop.get("title") and prop.get("description"), f"{where}.{key}"


def _defaults(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The defaults the schema documents for an omitted object, recursively."""
    if "$ref" in node:
        node = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    out: dict[str, Any] = {}
    for key, prop in node.get("properties", {}).items():
        if "default" in prop:
            out[key] = prop["default"]
    return out


def test_schema_defaults_are_the_defaults_the_normaliser_applies() -> None:
    schema = load_schema()
    document = normalize.resolve(normalize.structure(MINIMAL_DOC))[0].document

    def walk(node: dict[str, Any], value: Any, where: str) -> int:
        checked = 0
        if "$ref" in node:
            node = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
        for key, prop in node.get("properties", {}).items():
            if key not in value:
                continue
            if "default" in prop and key not in MINIMAL_DOC.get(where, {}):
                assert value[key] == prop["default"], f"{where}.{key}"
                checked += 1
            target = prop.get("anyOf", [prop])[0]
            if isinstance(value[key], dict) and ("$ref" in target or "properties" in target):
                checked += walk(target, value[key], key)
        return checked

    assert walk(schema, document, "$") > 100


def test_component_defaults_follow_the_spec_table() -> None:
    doc = normalize.resolve(normalize.structure(MINIMAL_DOC))[0].document
    assert doc["gateway"]["hpa"] == {
        "enabled": True,
        "minReplicas": 1,
        "maxReplicas": 10,
        "targetCPUUtilizationPercentage": 70,
        "targetMemoryUtilizationPercentage": 80,
        "behavior": None,  # Kubernetes' own scaling behavior
    }
    assert doc["backend"]["hpa"]["maxReplicas"] == 4
    assert doc["backend"]["hpa"]["targetMemoryUtilizationPercentage"] is None
    assert doc["ui"]["hpa"] == {
        "enabled": False,
        "minReplicas": 1,
        "maxReplicas": 3,
        "targetCPUUtilizationPercentage": 80,
        "targetMemoryUtilizationPercentage": None,
        "behavior": None,
    }
    assert doc["ui"]["resources"] == {
        "requests": {"cpu": "500m", "memory": "500Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }
    assert doc["ui"]["service"]["port"] == 3000
    assert doc["migrationJob"]["backoffLimit"] == 4
    assert doc["image"] == {
        "repository": "ghcr.io/berriai/litellm",
        "tag": "1.104.0",
        "digest": None,
        "pullPolicy": "IfNotPresent",
        "pullSecrets": [],
    }


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_fast_checker_agrees_with_jsonschema_on_examples(example: Path) -> None:
    data = YAML(typ="safe").load(example.read_text())
    schema = load_schema()
    assert jsonschema.Draft7Validator(schema).is_valid(data)
    assert schema_check.check(data, schema) == []
    for env in data.get("environments", {}):
        merged = normalize.environment_document(data, env)
        assert jsonschema.Draft7Validator(schema).is_valid(merged)
        assert schema_check.check(merged, schema) == []


def test_examples_carry_the_modeline() -> None:
    for example in EXAMPLES:
        first = example.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/litectl.schema.json", example


def test_kubernetes_shapes_are_checked_against_kubernetes_definitions() -> None:
    bad = json.loads(json.dumps(MINIMAL_DOC))
    bad["gateway"] = {"resources": {"requests": {"cpu": "1"}, "limts": {}}}
    problems = schema_check.check(bad, load_schema())
    assert [(p.path, p.message) for p in problems] == [
        (("gateway", "resources", "limts"), 'unknown key "limts" (did you mean "limits"?)')
    ]
