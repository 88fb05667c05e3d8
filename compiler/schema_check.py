"""A small, fast JSON Schema (draft-07 subset) checker that reports every problem in plain words.

Why not ``jsonschema`` at run time: importing it costs about 100 ms, and ``litectl validate`` has
to start cold in under 150 ms. The committed draft-07 schema stays the contract: the tests compare
this checker's verdicts with ``jsonschema.Draft7Validator``.

A schema is compiled once into closures (cached per schema object; treat a schema as immutable
once checked). Any keyword outside the supported set raises :class:`ValueError`, so a schema that
relies on something this checker would silently skip fails loudly instead.

Messages are written for the person editing the YAML: ``unknown key "replicsa" (did you mean
"replicas"?)``, ``expected integer, got string "abc"``, ``missing required key "host"``. A schema
may word a ``pattern`` failure (or a ``not`` failure) itself with an ``x-message`` annotation in the
same schema object (for ``not``: inside the negated schema); the value found is appended as
``(got ...)``. When no branch of an ``anyOf``/``oneOf`` fits, only the most relevant branch is
reported (the one whose type fits the value, then the one with the fewest problems), and branches
that differ only by type are folded into one ``expected A or B`` message.

Problems come out in a deterministic order that follows the document: the problems of a mapping
itself (type, required keys) before those of its keys, keys and items in their written order.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, TypeAlias

import attrs
from litectl.compiler.diagnostics import JsonPath, PathPart

__all__ = ["SchemaProblem", "check", "did_you_mean", "is_valid"]


@attrs.frozen
class SchemaProblem:
    """One way the instance breaks the schema.

    ``at_key`` is true when the problem is the mapping key itself (an unknown or malformed key),
    so the caller points at the key rather than at its value.
    """

    path: JsonPath
    message: str
    keyword: str
    at_key: bool = False


def check(instance: Any, schema: Mapping[str, Any]) -> list[SchemaProblem]:
    """Every problem of ``instance`` against ``schema``, in document order (empty when valid)."""
    out: list[_Problem] = []
    _compiled(schema)(instance, None, out)
    return [
        SchemaProblem(_materialize(problem.path), problem.message, problem.keyword, problem.at_key)
        for problem in out
    ]


def is_valid(instance: Any, schema: Mapping[str, Any]) -> bool:
    """Whether ``instance`` satisfies ``schema`` (stops at the first problem)."""
    return _compiled(schema)(instance, None, None)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` was most likely meant to be, or None when nothing is close."""
    pool = sorted(set(candidates))
    if not pool:
        return None
    folded = {candidate.casefold(): candidate for candidate in pool}
    if word.casefold() in folded:
        return folded[word.casefold()]
    import difflib  # only on the error path: keeps the import of this module cheap

    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return matches[0] if matches else None


# --- internals -------------------------------------------------------------------------------

# A path while checking is a linked list (parent, part): O(1) to extend, materialised only for
# problems that are reported.
_Path: TypeAlias = "tuple[_Path, PathPart] | None"
# What a failed check expected, for folding anyOf/oneOf branches: ("type", names) or ("values", vs).
_Expect: TypeAlias = "tuple[str, tuple[Any, ...]] | None"


class _Problem:
    __slots__ = ("at_key", "expect", "keyword", "message", "path")

    def __init__(
        self, path: _Path, message: str, keyword: str, at_key: bool = False, expect: _Expect = None
    ) -> None:
        self.path = path
        self.message = message
        self.keyword = keyword
        self.at_key = at_key
        self.expect = expect


# (instance, path, out) -> valid. With out=None the check stops at the first problem.
_Check: TypeAlias = Callable[[Any, _Path, "list[_Problem] | None"], bool]

_ANNOTATIONS: Final = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "markdownDescription", "default",
     "examples", "deprecated", "readOnly", "definitions"}
)  # fmt: skip
_KEYWORDS: Final = frozenset(
    {"$ref", "type", "properties", "patternProperties", "additionalProperties", "required", "enum",
     "const", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
     "exclusiveMaximum", "minItems", "maxItems", "uniqueItems", "items", "minProperties",
     "propertyNames", "anyOf", "oneOf", "allOf", "not", "if", "then", "else"}
)  # fmt: skip
_TYPE_WORDS: Final = {
    "string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
    "null": "null", "object": "mapping", "array": "list",
}  # fmt: skip
_PY_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "null": (type(None),), "object": (dict,), "array": (list,),
}  # fmt: skip

_CACHE: dict[int, tuple[Mapping[str, Any], _Check]] = {}
_CACHE_SIZE: Final = 32


def _compiled(schema: Mapping[str, Any]) -> _Check:
    found = _CACHE.get(id(schema))
    if found is not None and found[0] is schema:
        return found[1]
    compiled = _Compiler(schema).root()
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[id(schema)] = (schema, compiled)  # holding the schema keeps its id from being reused
    return compiled


def _materialize(path: _Path) -> JsonPath:
    parts: list[PathPart] = []
    while path is not None:
        path, part = path
        parts.append(part)
    parts.reverse()
    return tuple(parts)


def _json_type(value: Any) -> str | None:
    """The draft-07 type name of a value (``integer`` before ``number``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return None


def _render(value: Any) -> str:
    """A value as the user would write it, short enough for one diagnostic line."""
    if isinstance(value, str):
        text = json.dumps(value if len(value) <= 80 else value[:77] + "...", ensure_ascii=False)
        return text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _describe(value: Any) -> str:
    """``string "abc"``, ``integer 5``, ``mapping``: what a type error says it found."""
    kind = _json_type(value)
    if kind is None:
        return type(value).__name__
    if kind in ("object", "array", "null"):
        return _TYPE_WORDS[kind]
    if kind == "integer" and isinstance(value, float):
        kind = "number"
    return f"{_TYPE_WORDS[kind]} {_render(value)}"


def _enum_word(value: Any) -> str:
    """An allowed value in a ``one of:`` list: plain when unambiguous, quoted otherwise."""
    if isinstance(value, str):
        plain = value and value.strip() == value and "," not in value and not _looks_non_string(value)
        return value if plain else json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return _render(value)


def _looks_non_string(text: str) -> bool:
    if text in ("null", "true", "false", "~"):
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def _type_words(names: Sequence[str]) -> str:
    """``string``, ``string or null``, ``string, number or null`` (null last: it reads as "unset")."""
    words = [_TYPE_WORDS[name] for name in dict.fromkeys(names) if name != "null"]
    if "null" in names:
        words.append("null")
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _canon(value: Any) -> Any:
    """A hashable form under which JSON-equal values are equal (1 == 1.0, but true != 1)."""
    if value is True or value is False or value is None:
        return ("const", value)
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, (int, float)):
        return ("num", value)
    if isinstance(value, list):
        return ("list", tuple(_canon(item) for item in value))
    if isinstance(value, dict):
        return ("map", frozenset((name, _canon(item)) for name, item in value.items()))
    return ("other", id(value))


class _Compiler:
    """Turns one root schema into closures; subschemas are compiled once each (by identity)."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        if not isinstance(root, Mapping):
            raise ValueError("the root schema must be an object")
        self._root = root
        self._done: dict[int, _Check] = {}

    def root(self) -> _Check:
        return self.compile(self._root, "#")

    # -- schema objects --

    def compile(self, schema: Any, where: str) -> _Check:
        if schema is True:
            return _accept
        if schema is False:
            return _reject
        if not isinstance(schema, Mapping):
            raise ValueError(f"{where}: a schema must be an object or a boolean, not {schema!r}")
        found = self._done.get(id(schema))
        if found is not None:
            return found
        cell: list[_Check] = []

        def forward(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
            return cell[0](instance, path, out)

        self._done[id(schema)] = forward  # reached again while compiling: recursion via $ref
        compiled = self._build(schema, where)
        cell.append(compiled)
        self._done[id(schema)] = compiled
        return compiled

    def _build(self, schema: Mapping[str, Any], where: str) -> _Check:
        for keyword in schema:
            if not isinstance(keyword, str) or not (
                keyword in _KEYWORDS or keyword in _ANNOTATIONS or keyword.startswith("x-")
            ):
                raise ValueError(f"{where}: unsupported JSON Schema keyword {keyword!r}")
        if "$id" in schema and schema is not self._root:
            raise ValueError(f"{where}: $id is only supported on the root schema")
        for name, definition in _mapping(schema.get("definitions", {}), where, "definitions").items():
            self.compile(definition, f"{where}/definitions/{name}")
        if "$ref" in schema:
            ignored = [k for k in schema if k in _KEYWORDS and k != "$ref"]
            if ignored:
                raise ValueError(f"{where}: draft-07 ignores {', '.join(ignored)} next to $ref")
            return self.compile(self._follow(schema, where), str(schema["$ref"]))

        checks: list[_Check] = []
        type_check = self._type(schema, where) if "type" in schema else None
        if "const" in schema:
            checks.append(_const(schema["const"]))
        if "enum" in schema:
            checks.append(_enum(_array(schema["enum"], where, "enum")))
        if "pattern" in schema:
            checks.append(_pattern(schema["pattern"], schema.get("x-message"), where))
        if "minLength" in schema or "maxLength" in schema:
            low, high = (_count(schema.get(k), where, k) for k in ("minLength", "maxLength"))
            checks.append(_length(low, high))
        for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if keyword in schema:
                checks.append(_bound(keyword, _number(schema[keyword], where, keyword)))
        if "required" in schema:
            checks.append(_required(_array(schema["required"], where, "required")))
        if "minProperties" in schema:
            checks.append(_min_properties(_count(schema["minProperties"], where, "minProperties") or 0))
        if "propertyNames" in schema:
            checks.append(_property_names(self.compile(schema["propertyNames"], f"{where}/propertyNames")))
        if "properties" in schema or "patternProperties" in schema or "additionalProperties" in schema:
            checks.append(self._members(schema, where))
        if "minItems" in schema or "maxItems" in schema:
            low, high = (_count(schema.get(k), where, k) for k in ("minItems", "maxItems"))
            checks.append(_item_count(low, high))
        if schema.get("uniqueItems") is True:
            checks.append(_unique_items)
        if "items" in schema:
            if not isinstance(schema["items"], (Mapping, bool)):
                raise ValueError(f"{where}/items: only the single-schema form of items is supported")
            checks.append(_items(self.compile(schema["items"], f"{where}/items")))
        if "allOf" in schema:
            checks.extend(self._branches(schema, "allOf", where))
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                checks.append(_alternatives(keyword, self._branches(schema, keyword, where)))
        if "not" in schema:
            checks.append(_not(self.compile(schema["not"], f"{where}/not"), schema["not"]))
        then = self.compile(schema["then"], f"{where}/then") if "then" in schema else None
        otherwise = self.compile(schema["else"], f"{where}/else") if "else" in schema else None
        if "if" in schema:  # then/else without if are compiled (checked) but never apply
            checks.append(_if(self.compile(schema["if"], f"{where}/if"), then, otherwise))
        return _all_of_schema(type_check, checks)

    def _follow(self, schema: Mapping[str, Any], where: str) -> Any:
        """The schema a chain of $refs ends at."""
        seen: set[int] = set()
        target: Any = schema
        while isinstance(target, Mapping) and "$ref" in target:
            if id(target) in seen:
                raise ValueError(f"{where}: $ref cycle through {target['$ref']!r}")
            seen.add(id(target))
            target = self._resolve(target["$ref"], where)
        return target

    def _resolve(self, ref: Any, where: str) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#/definitions/"):
            raise ValueError(f"{where}: only local '#/definitions/...' references are supported, not {ref!r}")
        node: Any = self._root
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or token not in node:
                raise ValueError(f"{where}: $ref {ref!r} does not resolve")
            node = node[token]
        return node

    def _branches(self, schema: Mapping[str, Any], keyword: str, where: str) -> list[_Check]:
        items = _array(schema[keyword], where, keyword)
        if not items:
            raise ValueError(f"{where}/{keyword}: must list at least one schema")
        return [self.compile(item, f"{where}/{keyword}/{index}") for index, item in enumerate(items)]

    def _type(self, schema: Mapping[str, Any], where: str) -> _Check:
        names = schema["type"]
        names = [names] if isinstance(names, str) else list(_array(names, where, "type"))
        for name in names:
            if name not in _PY_TYPES:
                raise ValueError(f"{where}: unknown type {name!r}")
        return _type_check(tuple(dict.fromkeys(names)))

    def _members(self, schema: Mapping[str, Any], where: str) -> _Check:
        properties = {
            name: self.compile(sub, f"{where}/properties/{name}")
            for name, sub in _mapping(schema.get("properties", {}), where, "properties").items()
        }
        forbidden = {
            name for name, sub in _mapping(schema.get("properties", {}), where, "").items() if sub is False
        }
        patterns = [
            (re.compile(pattern), self.compile(sub, f"{where}/patternProperties/{pattern}"), sub is False)
            for pattern, sub in _mapping(
                schema.get("patternProperties", {}), where, "patternProperties"
            ).items()
        ]
        extra = schema.get("additionalProperties", True)
        additional = None if extra is True else self.compile(extra, f"{where}/additionalProperties")
        return _members(properties, forbidden, patterns, additional, extra is False)


def _mapping(value: Any, where: str, keyword: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}/{keyword}: must be an object")
    return value


def _array(value: Any, where: str, keyword: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{where}/{keyword}: must be an array")
    return value


def _number(value: Any, where: str, keyword: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}/{keyword}: must be a number")
    return value


def _count(value: Any, where: str, keyword: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{where}/{keyword}: must be a non-negative integer")
    return value


# --- closures for each keyword -----------------------------------------------------------------


def _accept(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
    return True


def _reject(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
    if out is not None:
        out.append(_Problem(path, "is not allowed here", "false"))
    return False


def _all_of_schema(type_check: _Check | None, checks: list[_Check]) -> _Check:
    """One schema object: its type first (nothing else is reported on a type mismatch)."""
    if type_check is None and len(checks) <= 1:
        return checks[0] if checks else _accept

    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if type_check is not None and not type_check(instance, path, out):
            return False
        valid = True
        for each in checks:
            if not each(instance, path, out):
                if out is None:
                    return False
                valid = False
        return valid

    return run


def _type_check(names: tuple[str, ...]) -> _Check:
    exact = frozenset(t for name in names for t in _PY_TYPES[name])
    integral_floats = "integer" in names and "number" not in names
    words = _type_words(names)
    expect: _Expect = ("type", names)

    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        kind = type(instance)
        if kind in exact:
            return True
        if kind is float and integral_floats and instance.is_integer():
            return True
        found = _json_type(instance)
        if (
            kind not in (bool, int, float, str, dict, list, type(None))
            and found is not None
            and (found in names or (found == "integer" and "number" in names))
        ):
            return True  # a subclass of a JSON type
        if out is not None:
            out.append(_Problem(path, f"expected {words}, got {_describe(instance)}", "type", expect=expect))
        return False

    return run


def _const(value: Any) -> _Check:
    wanted = _canon(value)
    expect: _Expect = ("values", (value,))

    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if instance is value or _canon(instance) == wanted:
            return True
        if out is not None:
            message = f"must be {_render(value)} (got {_render(instance)})"
            out.append(_Problem(path, message, "const", expect=expect))
        return False

    return run


def _enum(values: Sequence[Any]) -> _Check:
    strings = frozenset(value for value in values if isinstance(value, str))
    others = frozenset(_canon(value) for value in values if not isinstance(value, str))
    expect: _Expect = ("values", tuple(values))

    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if type(instance) is str:
            if instance in strings:
                return True
        elif _canon(instance) in others:
            return True
        if out is not None:
            out.append(_Problem(path, _one_of_message(values, instance), "enum", expect=expect))
        return False

    return run


def _one_of_message(values: Sequence[Any], instance: Any) -> str:
    if len(values) == 1:
        message = f"must be {_render(values[0])} (got {_render(instance)}"
    else:
        message = (
            f"must be one of: {', '.join(_enum_word(value) for value in values)} (got {_render(instance)}"
        )
    if isinstance(instance, str):
        hint = did_you_mean(instance, (value for value in values if isinstance(value, str)))
        if hint is not None and hint != instance:
            message += f"; did you mean {json.dumps(hint, ensure_ascii=False)}?"
    return message + ")"


def _pattern(pattern: Any, custom: Any, where: str) -> _Check:
    if not isinstance(pattern, str):
        raise ValueError(f"{where}/pattern: must be a string")
    try:
        search = re.compile(pattern).search
    except re.error as exc:
        raise ValueError(f"{where}/pattern: not a valid regular expression: {exc}") from None
    wording = str(custom) if custom is not None else f"must match pattern {pattern}"

    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if not isinstance(instance, str) or search(instance):
            return True
        if out is not None:
            out.append(_Problem(path, f"{wording} (got {_render(instance)})", "pattern"))
        return False

    return run


def _length(low: int | None, high: int | None) -> _Check:
    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if not isinstance(instance, str):
            return True
        size = len(instance)
        if low is not None and size < low:
            if out is not None:
                message = "must not be empty" if low == 1 else f"must be at least {_plural(low, 'character')}"
                out.append(_Problem(path, message if low == 1 else f"{message} (got {size})", "minLength"))
            return False
        if high is not None and size > high:
            if out is not None:
                out.append(
                    _Problem(path, f"must be at most {_plural(high, 'character')} (got {size})", "maxLength")
                )
            return False
        return True

    return run


_BOUNDS: Final[dict[str, tuple[Callable[[Any, Any], bool], str]]] = {
    "minimum": (lambda value, limit: value < limit, "must be at least"),
    "maximum": (lambda value, limit: value > limit, "must be at most"),
    "exclusiveMinimum": (lambda value, limit: value <= limit, "must be greater than"),
    "exclusiveMaximum": (lambda value, limit: value >= limit, "must be less than"),
}


def _bound(keyword: str, limit: float) -> _Check:
    breaks, wording = _BOUNDS[keyword]

    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if (
            isinstance(instance, bool)
            or not isinstance(instance, (int, float))
            or not breaks(instance, limit)
        ):
            return True
        if out is not None:
            out.append(_Problem(path, f"{wording} {_render(limit)} (got {_render(instance)})", keyword))
        return False

    return run


def _required(names: Sequence[Any]) -> _Check:
    wanted = tuple(dict.fromkeys(names))

    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if not isinstance(instance, dict):
            return True
        valid = True
        for name in wanted:
            if name not in instance:
                if out is None:
                    return False
                out.append(_Problem(path, f"missing required key {_render(name)}", "required"))
                valid = False
        return valid

    return run


def _min_properties(low: int) -> _Check:
    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if not isinstance(instance, dict) or len(instance) >= low:
            return True
        if out is not None:
            size = len(instance)
            message = (
                "must not be empty" if low == 1 else f"must have at least {_plural(low, 'key')} (got {size})"
            )
            out.append(_Problem(path, message, "minProperties"))
        return False

    return run


def _property_names(names: _Check) -> _Check:
    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if not isinstance(instance, dict):
            return True
        valid = True
        for key in instance:
            if names(key, None, None):
                continue
            if out is None:
                return False
            valid = False
            inner: list[_Problem] = []
            names(key, None, inner)
            found = f" (got {_render(key)})"
            for problem in inner:  # the key is named up front, so drop a trailing "(got <key>)"
                text = problem.message.removesuffix(found)
                message = f"invalid key {_render(key)}: {text}"
                out.append(_Problem((path, key), message, "propertyNames", at_key=True))
        return valid

    return run


def _members(
    properties: dict[str, _Check],
    forbidden: set[str],
    patterns: list[tuple[re.Pattern[str], _Check, bool]],
    additional: _Check | None,
    closed: bool,
) -> _Check:
    """properties + patternProperties + additionalProperties, in one pass over the keys."""
    names = tuple(properties)

    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if not isinstance(instance, dict):
            return True
        valid = True
        for key, value in instance.items():
            matched = False
            sub = properties.get(key)
            if sub is not None:
                matched = True
                if key in forbidden:
                    if out is None:
                        return False
                    out.append(
                        _Problem((path, key), f"key {_render(key)} is not allowed here", "properties", True)
                    )
                    valid = False
                elif not sub(value, (path, key), out):
                    if out is None:
                        return False
                    valid = False
            for regex, check_value, is_false in patterns:
                if regex.search(key):
                    matched = True
                    if is_false:
                        if out is None:
                            return False
                        message = f"key {_render(key)} is not allowed here"
                        out.append(_Problem((path, key), message, "patternProperties", True))
                        valid = False
                    elif not check_value(value, (path, key), out):
                        if out is None:
                            return False
                        valid = False
            if matched:
                continue
            if closed:
                if out is None:
                    return False
                out.append(_unknown_key(path, key, names, instance))
                valid = False
            elif additional is not None and not additional(value, (path, key), out):
                if out is None:
                    return False
                valid = False
        return valid

    return run


def _unknown_key(path: _Path, key: str, names: Sequence[str], instance: Mapping[str, Any]) -> _Problem:
    message = f"unknown key {_render(key)}"
    hint = did_you_mean(key, (name for name in names if name not in instance))
    if hint is not None:
        message += f" (did you mean {_render(hint)}?)"
    return _Problem((path, key), message, "additionalProperties", at_key=True)


def _item_count(low: int | None, high: int | None) -> _Check:
    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if not isinstance(instance, list):
            return True
        size = len(instance)
        if low is not None and size < low:
            if out is not None:
                message = (
                    "must not be empty"
                    if low == 1
                    else f"must have at least {_plural(low, 'item')} (got {size})"
                )
                out.append(_Problem(path, message, "minItems"))
            return False
        if high is not None and size > high:
            if out is not None:
                out.append(
                    _Problem(path, f"must have at most {_plural(high, 'item')} (got {size})", "maxItems")
                )
            return False
        return True

    return run


def _unique_items(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
    if not isinstance(instance, list):
        return True
    seen: dict[Any, int] = {}
    valid = True
    for index, item in enumerate(instance):
        key = _canon(item)
        first = seen.setdefault(key, index)
        if first != index:
            if out is None:
                return False
            out.append(_Problem((path, index), f"repeats item {first} (items must be unique)", "uniqueItems"))
            valid = False
    return valid


def _items(each: _Check) -> _Check:
    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if not isinstance(instance, list):
            return True
        valid = True
        for index, item in enumerate(instance):
            if not each(item, (path, index), out):
                if out is None:
                    return False
                valid = False
        return valid

    return run


def _alternatives(keyword: str, branches: list[_Check]) -> _Check:
    """anyOf / oneOf: on failure report the branch that best fits the value, not all of them."""

    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        fitting = [index for index, branch in enumerate(branches) if branch(instance, path, None)]
        if fitting and (keyword == "anyOf" or len(fitting) == 1):
            return True
        if out is None:
            return False
        if fitting:
            listed = " and ".join(str(index + 1) for index in fitting)
            message = (
                f"matches more than one of the allowed forms (forms {listed}); it must match exactly one"
            )
            out.append(_Problem(path, message, keyword))
            return False
        out.extend(_best_branch(instance, path, branches))
        return False

    return run


def _best_branch(instance: Any, path: _Path, branches: list[_Check]) -> list[_Problem]:
    found: list[list[_Problem]] = []
    for branch in branches:
        problems: list[_Problem] = []
        branch(instance, path, problems)
        found.append(problems)

    def wrong_type(problems: list[_Problem]) -> bool:
        return len(problems) == 1 and problems[0].path is path and problems[0].keyword == "type"

    candidates = [index for index, problems in enumerate(found) if not wrong_type(problems)]
    if not candidates:  # no branch takes this type of value: say which types would do
        names: list[str] = []
        for problems in found:
            expect = problems[0].expect
            names.extend(expect[1] if expect is not None else ())
        names = list(dict.fromkeys(names))
        words = _type_words(names)
        expect_all: _Expect = ("type", tuple(names))
        return [_Problem(path, f"expected {words}, got {_describe(instance)}", "type", expect=expect_all)]
    folded = _fold_values(instance, path, [found[index] for index in candidates])
    if folded is not None:
        return [folded]

    def rank(index: int) -> tuple[int, int, int]:
        problems = found[index]
        mismatched_tag = any(
            problem.keyword in ("const", "enum") and problem.path is not None and problem.path[0] is path
            for problem in problems
        )
        return (1 if mismatched_tag else 0, len(problems), index)

    return found[min(candidates, key=rank)]


def _fold_values(instance: Any, path: _Path, candidates: list[list[_Problem]]) -> _Problem | None:
    """Branches that each want one of a few values (const/enum) read best as one enum message."""
    if len(candidates) < 2:
        return None
    values: list[Any] = []
    for problems in candidates:
        if len(problems) != 1 or problems[0].path is not path:
            return None
        expect = problems[0].expect
        if expect is None or expect[0] != "values":
            return None
        values.extend(expect[1])
    return _Problem(path, _one_of_message(values, instance), "enum", expect=("values", tuple(values)))


def _not(negated: _Check, schema: Any) -> _Check:
    message, key = _not_message(schema)

    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        if not negated(instance, path, None):
            return True
        if out is not None:
            if key is not None and isinstance(instance, dict) and key in instance:
                out.append(_Problem((path, key), message, "not", at_key=True))
            else:
                out.append(_Problem(path, message, "not"))
        return False

    return run


def _not_message(schema: Any) -> tuple[str, str | None]:
    """Words for a ``not`` failure, and the one key to point at when it forbids a single key."""
    if isinstance(schema, Mapping):
        if "x-message" in schema:
            return str(schema["x-message"]), None
        checks = {k for k in schema if k in _KEYWORDS}
        names = schema.get("required")
        if checks == {"required"} and isinstance(names, list) and names:
            quoted = [_render(name) for name in names]
            if len(quoted) == 1:
                return f"key {quoted[0]} is not allowed here", str(names[0])
            if len(quoted) == 2:
                return f"must not set both {quoted[0]} and {quoted[1]}", None
            return f"must not set all of {', '.join(quoted)}", None
    return "must not match the schema under 'not'", None


def _if(condition: _Check, then: _Check | None, otherwise: _Check | None) -> _Check:
    def run(instance: Any, path: _Path, out: list[_Problem] | None) -> bool:
        branch = then if condition(instance, path, None) else otherwise
        return True if branch is None else branch(instance, path, out)

    return run
