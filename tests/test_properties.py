"""Property tests: whatever the input, the loader and validator end in a result or in clean,
positioned diagnostics -- never an exception escaping to the user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.loader import load_text
from litectl.compiler.output import dump_yaml
from litectl.compiler.validate import compile_loaded
from ruamel.yaml import YAML

REPO = Path(__file__).parents[1]
EXAMPLES = [YAML(typ="safe").load(p.read_text()) for p in sorted((REPO / "examples").glob("*.yaml"))]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["", "on", "yes", "0755", "1e3", "~", "{{ x }}", "os.environ/X", "sk-" + "a" * 30]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def _outcome(text: str) -> None:
    try:
        compile_loaded(load_text(text, "spec.yaml"))
    except LitectlError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.span is not None, d
            assert d.span.file == "spec.yaml" and d.span.line >= 1 and d.span.col >= 1, d
            assert "\n" not in d.format(), d


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    _outcome(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=" \t\n-:[]{}#&*!|>'\"%@`,?abc012", max_size=120))
def test_yaml_punctuation_soup(text: str) -> None:
    _outcome(text)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_arbitrary_documents(data: Any) -> None:
    _outcome(dump_yaml(data))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


@st.composite
def mutated_examples(draw: st.DrawFn) -> Any:
    import copy

    doc = copy.deepcopy(draw(st.sampled_from(EXAMPLES)))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
        else:
            parent.append(draw(json_values))
    return doc


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_examples())
def test_mutated_examples(doc: Any) -> None:
    _outcome(dump_yaml(doc))
