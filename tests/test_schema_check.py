"""The fast schema checker: exact human messages, and the same verdicts as jsonschema's Draft7Validator."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs installed; the reference only
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litectl.compiler.schema_check import SchemaProblem, check, did_you_mean, is_valid

DNS = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_MESSAGE = (
    "must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)"
)

# Closed objects, required keys, patterns (with and without x-message), enums, nested refs,
# anyOf with null, oneOf, arrays, propertyNames, minProperties.
COMPONENT: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://example.invalid/component.json",
    "title": "Component",
    "type": "object",
    "additionalProperties": False,
    "patternProperties": {"^x-": {}},
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": DNS, "maxLength": 10, "x-message": DNS_MESSAGE},
        "replicas": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1},
        "policy": {"anyOf": [{"enum": ["Always", "IfNotPresent", "Never"]}, {"type": "null"}]},
        "image": {"anyOf": [{"$ref": "#/definitions/Image"}, {"type": "null"}], "description": "image"},
        "tags": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "maxItems": 3,
        },
        "labels": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "propertyNames": {"pattern": "^[a-z]+$"},
            "minProperties": 1,
        },
        "port": {
            "oneOf": [
                {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 65536},
                {"type": "string", "pattern": "^[a-z]+$"},
            ]
        },
        "ratio": {"type": "number", "minimum": 0, "maximum": 1},
        "size": {"anyOf": [{"type": ["string", "null"]}, {"type": ["number", "null"]}]},
    },
    "definitions": {
        "Image": {
            "type": "object",
            "additionalProperties": False,
            "required": ["repository"],
            "properties": {
                "repository": {"type": "string", "minLength": 1},
                "tag": {"type": ["string", "null"]},
                "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
            },
        }
    },
}

# Tagged unions (oneOf + const), if/then/else, not, allOf, const, items of a $ref.
TAGGED: dict[str, Any] = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
        "pdb": {
            "type": "object",
            "properties": {"minAvailable": {"type": "integer"}, "maxUnavailable": {"type": "integer"}},
            "not": {"required": ["minAvailable", "maxUnavailable"]},
        },
        "mode": {"const": "fast"},
        "legacy": {"type": "object", "not": {"required": ["old"]}},
        "level": {"allOf": [{"type": "integer"}, {"minimum": 0}, {"maximum": 9}]},
    },
    "if": {"properties": {"mode": {"const": "fast"}}, "required": ["mode"]},
    "then": {"required": ["items"]},
    "else": {"properties": {"items": {"maxItems": 1}}},
    "definitions": {
        "Item": {
            "oneOf": [
                {
                    "type": "object",
                    "properties": {"kind": {"const": "a"}, "value": {"type": "integer"}},
                    "required": ["kind"],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {"kind": {"const": "b"}, "value": {"type": "string"}},
                    "required": ["kind"],
                    "additionalProperties": False,
                },
                {"type": "string"},
            ]
        }
    },
}

# Recursion through $ref, from a root that is itself a $ref.
TREE: dict[str, Any] = {
    "$ref": "#/definitions/Node",
    "definitions": {
        "Node": {
            "type": "object",
            "additionalProperties": False,
            "required": ["value"],
            "properties": {
                "value": {"type": "number"},
                "children": {"type": "array", "items": {"$ref": "#/definitions/Node"}},
            },
        }
    },
}

# Scalars: alternatives of several types, enums of mixed values, booleans vs numbers.
SCALAR: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "minLength": 2},
        {"type": "integer", "minimum": 0},
        {"type": "null"},
        {"type": "array", "items": {"enum": [1, "1", True, None, {"a": [1]}]}, "minItems": 1},
    ]
}

SCHEMAS = {"component": COMPONENT, "tagged": TAGGED, "tree": TREE, "scalar": SCALAR}


def problems(instance: Any, schema: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str, str, bool]]:
    return [(p.path, p.message, p.keyword, p.at_key) for p in check(instance, schema)]


# --- messages -----------------------------------------------------------------------------------

CASES: list[tuple[str, dict[str, Any], Any, list[tuple[tuple[str | int, ...], str, str, bool]]]] = [
    ("valid", COMPONENT, {"name": "app", "replicas": 2, "x-note": {"any": "thing"}}, []),
    (
        "unknown key with a suggestion",
        COMPONENT,
        {"name": "app", "replicsa": 3},
        [(("replicsa",), 'unknown key "replicsa" (did you mean "replicas"?)', "additionalProperties", True)],
    ),
    (
        "unknown key without a close name",
        COMPONENT,
        {"name": "app", "zzz": 1},
        [(("zzz",), 'unknown key "zzz"', "additionalProperties", True)],
    ),
    (
        "no suggestion of a key that is already there",
        {"type": "object", "additionalProperties": False, "properties": {"name": {}}},
        {"name": "x", "nmae": "y"},
        [(("nmae",), 'unknown key "nmae"', "additionalProperties", True)],
    ),
    (
        "case-only slip",
        {"type": "object", "additionalProperties": False, "properties": {"pullPolicy": {}}},
        {"pullpolicy": 1},
        [
            (
                ("pullpolicy",),
                'unknown key "pullpolicy" (did you mean "pullPolicy"?)',
                "additionalProperties",
                True,
            )
        ],
    ),
    (
        "type",
        COMPONENT,
        {"name": "app", "replicas": "abc"},
        [(("replicas",), 'expected integer, got string "abc"', "type", False)],
    ),
    (
        "bool is not an integer",
        COMPONENT,
        {"name": "app", "replicas": True},
        [(("replicas",), "expected integer, got boolean true", "type", False)],
    ),
    ("1.0 is an integer", COMPONENT, {"name": "app", "replicas": 2.0}, []),
    (
        "number",
        COMPONENT,
        {"name": "app", "replicas": 2.5},
        [(("replicas",), "expected integer, got number 2.5", "type", False)],
    ),
    (
        "mapping for a scalar",
        COMPONENT,
        {"name": {"a": 1}},
        [(("name",), "expected string, got mapping", "type", False)],
    ),
    (
        "list for a mapping",
        COMPONENT,
        {"name": "app", "labels": [1]},
        [(("labels",), "expected mapping, got list", "type", False)],
    ),
    ("missing required", COMPONENT, {}, [((), 'missing required key "name"', "required", False)]),
    (
        "nested required through $ref inside anyOf",
        COMPONENT,
        {"name": "app", "image": {"tag": "1"}},
        [(("image",), 'missing required key "repository"', "required", False)],
    ),
    (
        "enum",
        COMPONENT,
        {"name": "app", "policy": "Sometimes"},
        [(("policy",), 'must be one of: Always, IfNotPresent, Never (got "Sometimes")', "enum", False)],
    ),
    (
        "enum with a suggestion",
        COMPONENT,
        {"name": "app", "image": {"repository": "r", "pullPolicy": "IfNotPresnt"}},
        [
            (
                ("image", "pullPolicy"),
                'must be one of: Always, IfNotPresent, Never (got "IfNotPresnt";'
                ' did you mean "IfNotPresent"?)',
                "enum",
                False,
            )
        ],
    ),
    (
        "pattern with x-message",
        COMPONENT,
        {"name": "Bad_Name"},
        [(("name",), f'{DNS_MESSAGE} (got "Bad_Name")', "pattern", False)],
    ),
    (
        "pattern without x-message",
        {"type": "string", "pattern": DNS},
        "Bad_Name",
        [((), f'must match pattern {DNS} (got "Bad_Name")', "pattern", False)],
    ),
    (
        "maxLength",
        COMPONENT,
        {"name": "a" * 12},
        [(("name",), "must be at most 10 characters (got 12)", "maxLength", False)],
    ),
    (
        "minLength 1",
        COMPONENT,
        {"name": "a", "tags": [""]},
        [(("tags", 0), "must not be empty", "minLength", False)],
    ),
    (
        "minLength",
        {"minLength": 3},
        "ab",
        [((), "must be at least 3 characters (got 2)", "minLength", False)],
    ),
    (
        "minimum",
        COMPONENT,
        {"name": "a", "replicas": 0},
        [(("replicas",), "must be at least 1 (got 0)", "minimum", False)],
    ),
    (
        "maximum",
        COMPONENT,
        {"name": "a", "replicas": 6},
        [(("replicas",), "must be at most 5 (got 6)", "maximum", False)],
    ),
    (
        "float bounds",
        COMPONENT,
        {"name": "a", "ratio": 1.5},
        [(("ratio",), "must be at most 1 (got 1.5)", "maximum", False)],
    ),
    (
        "exclusive bounds inside oneOf",
        COMPONENT,
        {"name": "a", "port": 0},
        [(("port",), "must be greater than 0 (got 0)", "exclusiveMinimum", False)],
    ),
    (
        "exclusiveMaximum",
        {"exclusiveMaximum": 10},
        10,
        [((), "must be less than 10 (got 10)", "exclusiveMaximum", False)],
    ),
    (
        "oneOf branch chosen by type",
        COMPONENT,
        {"name": "a", "port": "HTTP"},
        [(("port",), 'must match pattern ^[a-z]+$ (got "HTTP")', "pattern", False)],
    ),
    (
        "oneOf with no branch for the type",
        COMPONENT,
        {"name": "a", "port": None},
        [(("port",), "expected integer or string, got null", "type", False)],
    ),
    (
        "anyOf with nullable types folds into one type message",
        COMPONENT,
        {"name": "a", "size": [1]},
        [(("size",), "expected string, number or null, got list", "type", False)],
    ),
    (
        "anyOf enum-or-null keeps the enum message for a wrong type",
        COMPONENT,
        {"name": "a", "policy": 3},
        [(("policy",), "must be one of: Always, IfNotPresent, Never (got 3)", "enum", False)],
    ),
    (
        "maxItems",
        COMPONENT,
        {"name": "a", "tags": ["a", "b", "c", "d"]},
        [(("tags",), "must have at most 3 items (got 4)", "maxItems", False)],
    ),
    ("minItems", {"minItems": 2}, [1], [((), "must have at least 2 items (got 1)", "minItems", False)]),
    ("minItems 1", {"minItems": 1}, [], [((), "must not be empty", "minItems", False)]),
    (
        "uniqueItems",
        COMPONENT,
        {"name": "a", "tags": ["x", "y", "x"]},
        [(("tags", 2), "repeats item 0 (items must be unique)", "uniqueItems", False)],
    ),
    (
        "minProperties",
        COMPONENT,
        {"name": "a", "labels": {}},
        [(("labels",), "must not be empty", "minProperties", False)],
    ),
    (
        "propertyNames and additionalProperties schema",
        COMPONENT,
        {"name": "a", "labels": {"Team": "x", "ok": 1}},
        [
            (
                ("labels", "Team"),
                'invalid key "Team": must match pattern ^[a-z]+$',
                "propertyNames",
                True,
            ),
            (("labels", "ok"), "expected string, got integer 1", "type", False),
        ],
    ),
    (
        "tagged union picks the branch whose tag matches",
        TAGGED,
        {"items": [{"kind": "b", "value": 1}]},
        [(("items", 0, "value"), "expected string, got integer 1", "type", False)],
    ),
    (
        "tagged union with an unknown key in the matching branch",
        TAGGED,
        {"items": [{"kind": "a", "vlaue": 1}]},
        [
            (
                ("items", 0, "vlaue"),
                'unknown key "vlaue" (did you mean "value"?)',
                "additionalProperties",
                True,
            )
        ],
    ),
    (
        "oneOf matching more than one branch",
        {"oneOf": [{"type": "integer"}, {"minimum": 0}]},
        3,
        [
            (
                (),
                "matches more than one of the allowed forms (forms 1 and 2); it must match exactly one",
                "oneOf",
                False,
            )
        ],
    ),
    (
        "alternatives of constants read as an enum",
        {"anyOf": [{"const": "auto"}, {"const": "off"}, {"enum": [1, 2]}]},
        "on",
        [((), 'must be one of: auto, off, 1, 2 (got "on")', "enum", False)],
    ),
    ("const", TAGGED, {"mode": "slow"}, [(("mode",), 'must be "fast" (got "slow")', "const", False)]),
    (
        "single-value enum reads like const",
        {"enum": ["litectl/v1alpha1"]},
        "v1",
        [((), 'must be "litectl/v1alpha1" (got "v1")', "enum", False)],
    ),
    ("if/then", TAGGED, {"mode": "fast"}, [((), 'missing required key "items"', "required", False)]),
    (
        "if/else",
        TAGGED,
        {"items": ["a", "b"]},
        [(("items",), "must have at most 1 item (got 2)", "maxItems", False)],
    ),
    (
        "not with two required keys",
        TAGGED,
        {"pdb": {"minAvailable": 1, "maxUnavailable": 1}},
        [(("pdb",), 'must not set both "minAvailable" and "maxUnavailable"', "not", False)],
    ),
    (
        "not with one required key points at the key",
        TAGGED,
        {"legacy": {"old": 1}},
        [(("legacy", "old"), 'key "old" is not allowed here', "not", True)],
    ),
    (
        "not with x-message",
        {"not": {"required": ["a", "b"], "x-message": "set a or b, not both"}},
        {"a": 1, "b": 2},
        [((), "set a or b, not both", "not", False)],
    ),
    (
        "allOf reports every failing part",
        TAGGED,
        {"level": 10},
        [(("level",), "must be at most 9 (got 10)", "maximum", False)],
    ),
    (
        "recursive $ref",
        TREE,
        {"value": 1, "children": [{"value": 2, "children": [{"value": "x"}]}]},
        [(("children", 0, "children", 0, "value"), 'expected number, got string "x"', "type", False)],
    ),
    (
        "false schemas",
        {"properties": {"gone": False}, "patternProperties": {"^tmp": False}, "items": False},
        {"gone": 1, "tmpx": 2},
        [
            (("gone",), 'key "gone" is not allowed here', "properties", True),
            (("tmpx",), 'key "tmpx" is not allowed here', "patternProperties", True),
        ],
    ),
    ("false items", {"items": False}, [1], [((0,), "is not allowed here", "false", False)]),
    (
        "enum with non-string values",
        SCALAR,
        [2],
        [((0,), 'must be one of: 1, "1", true, null, {"a": [1]} (got 2)', "enum", False)],
    ),
    ("bool is not 1 in an enum", SCALAR, [1.0, True, "1", None, {"a": [1.0]}], []),
    (
        "scalar fold",
        SCALAR,
        True,
        [((), "expected string, integer, list or null, got boolean true", "type", False)],
    ),
]


@pytest.mark.parametrize(("name", "schema", "instance", "expected"), CASES, ids=[case[0] for case in CASES])
def test_messages(name: str, schema: dict[str, Any], instance: Any, expected: list[Any]) -> None:
    assert problems(instance, schema) == expected
    assert jsonschema.Draft7Validator(schema).is_valid(instance) == (not expected)
    assert is_valid(instance, schema) == (not expected)


def test_every_problem_in_document_order() -> None:
    instance = {
        "replicsa": 1,
        "name": "Bad_Name",
        "image": {"repository": "", "extra": 1},
        "tags": ["a", "a"],
    }
    assert check(instance, COMPONENT) == [
        SchemaProblem(
            ("replicsa",), 'unknown key "replicsa" (did you mean "replicas"?)', "additionalProperties", True
        ),
        SchemaProblem(("name",), f'{DNS_MESSAGE} (got "Bad_Name")', "pattern"),
        SchemaProblem(("image", "repository"), "must not be empty", "minLength"),
        SchemaProblem(("image", "extra"), 'unknown key "extra"', "additionalProperties", True),
        SchemaProblem(("tags", 1), "repeats item 0 (items must be unique)", "uniqueItems"),
    ]


def test_long_values_are_shortened() -> None:
    (problem,) = check("x" * 200, {"type": "integer"})
    assert problem.message == 'expected integer, got string "' + "x" * 77 + '..."'


def test_did_you_mean() -> None:
    assert did_you_mean("replicsa", ["replicas", "resources"]) == "replicas"
    assert did_you_mean("PULLPOLICY", ["pullPolicy"]) == "pullPolicy"
    assert did_you_mean("zzz", ["replicas"]) is None
    assert did_you_mean("a", []) is None


@pytest.mark.parametrize(
    ("schema", "complaint"),
    [
        ({"format": "email"}, "unsupported JSON Schema keyword 'format'"),
        (
            {"properties": {"a": {"multipleOf": 2}}},
            "#/properties/a: unsupported JSON Schema keyword 'multipleOf'",
        ),
        ({"definitions": {"unused": {"contains": {}}}}, "unsupported JSON Schema keyword 'contains'"),
        ({"items": [{}, {}]}, "only the single-schema form of items"),
        ({"$ref": "other.json#/definitions/a"}, "only local '#/definitions/...' references"),
        ({"$ref": "#/definitions/missing"}, "does not resolve"),
        (
            {"$ref": "#/definitions/a", "type": "object", "definitions": {"a": {}}},
            "draft-07 ignores type next to $ref",
        ),
        ({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}}, "$ref cycle"),
        ({"type": "text"}, "unknown type 'text'"),
        ({"pattern": "("}, "not a valid regular expression"),
        ({"anyOf": []}, "must list at least one schema"),
        ({"properties": {"a": {"$id": "#a"}}}, "$id is only supported on the root schema"),
        ({"minimum": "1"}, "must be a number"),
        ({"maxLength": "3"}, "must be a non-negative integer"),
        ({"minItems": -1}, "must be a non-negative integer"),
    ],
)
def test_unsupported_schemas_fail_loudly(schema: dict[str, Any], complaint: str) -> None:
    with pytest.raises(
        ValueError, match=complaint.replace("$", r"\$").replace("(", r"\(").replace("[", r"\[")
    ):
        check({}, schema)


def test_annotations_are_ignored() -> None:
    schema = {
        "$comment": "c",
        "title": "t",
        "description": "d",
        "markdownDescription": "m",
        "default": 1,
        "examples": [1],
        "deprecated": False,
        "readOnly": True,
        "x-anything": {"format": "not checked"},
        "type": "integer",
    }
    assert check(1, schema) == []


# --- agreement with jsonschema ------------------------------------------------------------------

KEYS = [
    "name", "replicas", "policy", "image", "tags", "labels", "port", "ratio", "size", "repository",
    "tag", "pullPolicy", "x-note", "replicsa", "items", "pdb", "minAvailable", "maxUnavailable",
    "mode", "legacy", "old", "level", "kind", "value", "children", "Team", "",
]  # fmt: skip
WORDS = [
    "",
    "a",
    "ab",
    "app",
    "my-app",
    "Bad_Name",
    "x" * 11,
    "Always",
    "Never",
    "IfNotPresent",
    "fast",
    "b",
    "1",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-3, max_value=70000)
    | st.sampled_from([0.0, 1.0, 2.0, 0.5, -1.5, 1e300, 65536.0])
    | st.floats(allow_nan=False)
    | st.sampled_from(WORDS)
    | st.text(max_size=4)
)
keys = st.sampled_from(KEYS) | st.text(max_size=3)
instances = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


def plausible_component() -> st.SearchStrategy[Any]:
    """Mostly-right components, so both verdicts come up often."""
    return st.fixed_dictionaries(
        {"name": st.sampled_from(["app", "my-app", "web", "Bad_Name", "a" * 11, ""])},
        optional={
            "replicas": st.sampled_from([0, 1, 3, 5, 6, 2.0, True, "2"]),
            "policy": st.sampled_from(["Always", "Never", None, "Sometimes", 1]),
            "image": st.none()
            | st.fixed_dictionaries(
                {"repository": st.sampled_from(["r", "", 1])},
                optional={
                    "tag": st.sampled_from(["1", None, 2]),
                    "pullPolicy": st.sampled_from(["Never", "never"]),
                },
            ),
            "tags": st.lists(st.sampled_from(["a", "b", "", 1]), max_size=4),
            "labels": st.dictionaries(
                st.sampled_from(["team", "Team", "x"]), st.sampled_from(["v", 1]), max_size=2
            ),
            "port": st.sampled_from([0, 1, 80, 65535, 65536, "http", "HTTP", None, 1.0]),
            "ratio": st.sampled_from([0, 0.5, 1, 1.5, "1"]),
            "size": st.sampled_from(["1Gi", 1, None, [1], True]),
            "x-note": instances,
        },
    )


def plausible_tagged() -> st.SearchStrategy[Any]:
    item = st.sampled_from(["s", 1]) | st.fixed_dictionaries(
        {"kind": st.sampled_from(["a", "b", "c"])},
        optional={"value": st.sampled_from([1, "1", None]), "vlaue": st.just(1)},
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "items": st.lists(item, max_size=3),
            "mode": st.sampled_from(["fast", "slow"]),
            "pdb": st.dictionaries(
                st.sampled_from(["minAvailable", "maxUnavailable"]), st.sampled_from([1, "1"])
            ),
            "legacy": st.dictionaries(st.sampled_from(["old", "new"]), st.just(1)),
            "level": st.sampled_from([0, 9, 10, -1, 1.0, "1"]),
        },
    )


def plausible_tree() -> st.SearchStrategy[Any]:
    leaf = st.fixed_dictionaries({"value": st.sampled_from([1, 2.5, "x", True])})
    return st.recursive(
        leaf,
        lambda inner: st.fixed_dictionaries(
            {"value": st.sampled_from([1, 0.5])}, optional={"children": st.lists(inner, max_size=3)}
        ),
        max_leaves=8,
    )


PLAUSIBLE = {
    "component": plausible_component(),
    "tagged": plausible_tagged(),
    "tree": plausible_tree(),
    "scalar": instances,
}


def jsonschema_paths(schema: Mapping[str, Any], instance: Any) -> list[tuple[Any, ...]]:
    return [tuple(error.absolute_path) for error in jsonschema.Draft7Validator(schema).iter_errors(instance)]


def comparable(one: tuple[Any, ...], two: tuple[Any, ...]) -> bool:
    """One path is a prefix of the other: both talk about the same part of the document."""
    shorter = min(len(one), len(two))
    return one[:shorter] == two[:shorter]


def assert_agrees(name: str, instance: Any) -> None:
    schema = SCHEMAS[name]
    ours = check(instance, schema)
    theirs = jsonschema_paths(schema, instance)
    assert (not ours) == (not theirs), (ours, theirs)
    assert is_valid(instance, schema) == (not theirs)
    for problem in ours:  # nothing reported where jsonschema sees nothing wrong
        assert any(comparable(problem.path, path) for path in theirs), (problem, theirs)
    for path in theirs:  # and every place jsonschema flags gets a problem at or around it
        assert any(comparable(problem.path, path) for problem in ours), (path, ours)
    for problem in ours:
        assert problem.message and problem.keyword
        if problem.at_key:
            assert problem.path and isinstance(problem.path[-1], str)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_agrees_with_jsonschema_on_random_instances(name: str, data: st.DataObject) -> None:
    assert_agrees(name, data.draw(instances))


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_agrees_with_jsonschema_on_plausible_instances(name: str, data: st.DataObject) -> None:
    assert_agrees(name, data.draw(PLAUSIBLE[name]))


def test_plausible_instances_cover_both_verdicts() -> None:
    valid = [{"name": "app"}, {"items": [{"kind": "a", "value": 1}, "s"], "mode": "fast"}, {"value": 1}, "ab"]
    for name, instance in zip(["component", "tagged", "tree", "scalar"], valid, strict=True):
        assert check(instance, SCHEMAS[name]) == []
        assert jsonschema.Draft7Validator(SCHEMAS[name]).is_valid(instance)


# --- the committed spec schema ------------------------------------------------------------------


def test_committed_schema_is_supported_and_agrees_on_the_examples() -> None:
    schema_module = pytest.importorskip("litectl.schema")
    from pathlib import Path

    from litectl.compiler.loader import load_file

    schema = schema_module.load_schema()
    validator = jsonschema.Draft7Validator(schema)
    examples = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))
    for example in examples:
        data = load_file(example).data
        assert check(data, schema) == [], example
        assert validator.is_valid(data)
        broken = copy.deepcopy(data)
        broken["replicsa"] = 1
        broken.setdefault("metadata", {})["name"] = "Bad_Name"
        assert len(check(broken, schema)) == 2
        assert not validator.is_valid(broken)


# --- cost ---------------------------------------------------------------------------------------


def test_import_is_cheap() -> None:
    code = (
        "import sys, litectl.compiler.schema_check; "
        "print(sorted(m for m in ('jsonschema', 'difflib', 'ruamel') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_large_instance_checks_clean() -> None:
    """How fast is the benchmark's business; this checks ~1 MB of valid JSON finds nothing."""
    component = {"name": "app", "replicas": 2, "image": {"repository": "r", "tag": "1"}, "tags": ["a", "b"]}
    item = {key: value for key, value in COMPONENT.items() if key not in ("$id", "$schema", "definitions")}
    schema = {
        "type": "object",
        "properties": {"components": {"type": "array", "items": item}},
        "definitions": COMPONENT["definitions"],
    }
    instance = {"components": [dict(component, name=f"app-{i % 1000}") for i in range(15000)]}
    assert check(instance, schema) == []
