"""Schema-valid plain data to the frozen model classes.

Why not cattrs: its generated structuring functions cost ~45 ms to build on every cold start
(plus ~20 ms to import), a third of the 150 ms budget of `litectl validate` in a pre-commit hook.
The JSON Schema has already checked every type, so structuring is only "call the class with the
keys it has, recursing into nested classes", which this does interpretively in well under 1 ms.
Field types are resolved once per class from the annotations (strings under PEP 563).
"""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

T = TypeVar("T")
_Converter = Callable[[Any], Any]
_plans: dict[type, dict[str, _Converter]] = {}


def _identity(value: Any) -> Any:
    return value


def _converter_for(hint: Any) -> _Converter:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        classes = [a for a in args if attrs.has(a)]
        if classes:
            inner = _converter_for(classes[0])
            return lambda v: None if v is None else inner(v)
        return _identity
    if attrs.has(hint):
        return lambda v: structure(v, hint)
    if origin is tuple:
        item = _converter_for(args[0])
        return lambda v: tuple(item(i) for i in v)
    return _identity


def _plan(cls: type) -> dict[str, _Converter]:
    plan = _plans.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
        plan = {f.name: _converter_for(hints[f.name]) for f in attrs.fields(cls)}
        _plans[cls] = plan
    return plan


def structure(data: Mapping[str, Any], cls: type[T]) -> T:
    """Build `cls` from a mapping; unknown keys (e.g. `x-` notes) are ignored."""
    plan = _plan(cls)
    kwargs = {name: convert(data[name]) for name, convert in plan.items() if name in data}
    return cls(**kwargs)
