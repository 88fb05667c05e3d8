"""`goyaml` against real Helm: the ConfigMap text (and so `checksum/config`) of the plain
manifests must be the bytes the chart writes, for any proxy config, and LiteLLM (PyYAML, YAML
1.1) must read that text as the config the user wrote."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import realtools
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litectl.targets.helm.goyaml import (
    JSON_DOTLESS_EXPONENT,
    config_text,
    to_pretty_json,
    to_yaml,
    without_map_nulls,
    yaml11_unsafe,
)

SEPARATOR = "\n#--8<--\n"


def litellm_load(text: str) -> Any:
    """Load YAML the way LiteLLM loads its config (PyYAML's safe loader, YAML 1.1)."""
    try:
        import yaml  # type: ignore[import-untyped]  # ships no py.typed
    except ImportError as exc:
        realtools.tool_missing(f"PyYAML is not importable ({exc}): it is how LiteLLM reads config.yaml")
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def to_yaml_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chart whose one template writes `toYaml` of every value in `.Values.cases`."""
    chart = tmp_path_factory.mktemp("toyaml")
    (chart / "templates").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: toyaml\nversion: 0.1.0\n")
    (chart / "templates" / "out.yaml").write_text(
        "{{- range .Values.cases }}{{ toYaml . }}" + SEPARATOR + "{{ end }}"
    )
    return chart


def helm_to_yaml(chart: Path, cases: list[Any]) -> list[str]:
    rendered = realtools.helm_render_raw(chart, set_values={"cases": cases}, release="r", namespace="n")
    text = rendered["toyaml/templates/out.yaml"]
    return text.split(SEPARATOR)[:-1]


WORDS = ["yes", "no", "on", "off", "y", "n", "true", "False", "null", "~", "", "<<", "=", "1", "0x1F", "0o17",
         "017", "09", "1_000", "1e3", "1.5", ".5", ".inf", "-.inf", ".nan", "+1", "-0", "1:30", "12:30:45",
         "2020-01-01", "2020-1-1", "2020-02-30", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10",
         "0b101", "-0b11", "---", "...", "- a", "-a", "? x", ":x", "a:", "a: b", "a #b", "a#b", "#c",
         "{{ .Release.Name }}", "'q'", '"d"', "\\", "%p", "@a", "`b", "!t", "&a", "*a", "|", ">",
         "os.environ/OPENAI_API_KEY", "openai/gpt-4o", "é", "日本", "x😀", "\t", "a\tb", "a\u2028b",
         "a\x85b", "\ufeff", "a\nb", "a\n", "a\n\n", " a", "a ", "a \nb", "a\n b", "\n", "\na"]


def text() -> st.SearchStrategy[str]:
    alphabet = st.sampled_from([*"abcXYZ019 _-.:#'\"\n\t{}[],?!|>%@*&é", "😀", "\u2028"])
    long_words = st.lists(st.text(st.sampled_from("abcdefgh"), min_size=1, max_size=14), min_size=1,
                          max_size=14).map(" ".join)
    return st.one_of(st.sampled_from(WORDS), st.text(alphabet, max_size=12), long_words,
                     long_words.map(lambda s: s.replace(" ", "  ", 2)), long_words.map(lambda s: s + "\n"))


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        text(), st.booleans(), st.none(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([0.5, 1.0, -0.0, 1e-7, 1e21, 1234567.5, 100000.5, 0.0001, 3e-5, 2**64 + 0.0]),
    )


# Generated keys hold no digits: go-yaml's key order is not consistent when a letter follows a
# digit (`v1beta` < `v2` < `v10` < `v1beta`), and Helm's own output then depends on Go's random
# map iteration order (see goyaml._sorted_keys).
KEYS = st.one_of(st.sampled_from(["a", "B", "_x", "a2", "a10", "1", "01", "9", "10", "x1y", "model_list",
                                  "litellm_params", "yes", "n", "", "a b", "k" * 130, "m\nk"]),
                 st.text(st.sampled_from("aBz_-é"), min_size=1, max_size=5))

DATA = st.recursive(
    scalars(),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(KEYS, children, max_size=5)),
    max_leaves=25,
)


@pytest.mark.realtool
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(KEYS, DATA, max_size=6), min_size=1, max_size=8))
def test_to_yaml_matches_helm(to_yaml_chart: Path, cases: list[dict[str, Any]]) -> None:
    expected = helm_to_yaml(to_yaml_chart, cases)
    assert [to_yaml(case) for case in cases] == expected, json.dumps(cases)[:2000]


@pytest.mark.realtool
def test_known_shapes(to_yaml_chart: Path) -> None:
    cases: list[Any] = [{}, *({"w": w} for w in WORDS), {w: 1 for w in WORDS if "\n" not in w}]
    cases.append({"model_list": [{"model_name": "gpt", "litellm_params": {"model": "openai/x", "rpm": 1000000,
                                                                             "temperature": 0.7}}]})
    assert [to_yaml(case) for case in cases] == helm_to_yaml(to_yaml_chart, cases)


# --- toPrettyJson, and the ConfigMap text the chart picks -------------------------------------------


@pytest.fixture(scope="module")
def pretty_json_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chart = tmp_path_factory.mktemp("prettyjson")
    (chart / "templates").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: prettyjson\nversion: 0.1.0\n")
    (chart / "templates" / "out.yaml").write_text(
        "{{- range .Values.cases }}{{ toPrettyJson . }}" + SEPARATOR + "{{ end }}")
    return chart


@pytest.mark.realtool
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(KEYS, DATA, max_size=6), min_size=1, max_size=8))
def test_to_pretty_json_matches_helm(pretty_json_chart: Path, cases: list[dict[str, Any]]) -> None:
    rendered = realtools.helm_render_raw(pretty_json_chart, set_values={"cases": cases}, release="r",
                                         namespace="n")["prettyjson/templates/out.yaml"].split(SEPARATOR)[:-1]
    assert [to_pretty_json(case) for case in cases] == rendered, json.dumps(cases)[:2000]


@pytest.mark.realtool
def test_to_pretty_json_of_big_shared_lists_matches_helm(pretty_json_chart: Path) -> None:
    """Lists of 32+ items are written once per object and depth (a model list shared by several
    configs): the remembered text must be what Helm writes, at every depth it appears."""
    models = [{"model_name": f"m{i}", "litellm_params": {"model": f"openai/x{i}", "rpm": i, "p": 1e-05 * i},
               "tags": ["<a&b>", None, True]} for i in range(40)]
    cases: list[Any] = [{"model_list": models}, {"a": {"b": models}}, {"model_list": models, "c": [models]}]
    rendered = realtools.helm_render_raw(pretty_json_chart, set_values={"cases": cases}, release="r",
                                         namespace="n")["prettyjson/templates/out.yaml"].split(SEPARATOR)[:-1]
    assert [to_pretty_json(case) for case in cases] == rendered


@settings(max_examples=200)
@given(st.dictionaries(KEYS, DATA, max_size=6))
def test_exponent_dot_is_the_charts_pattern(data: dict[str, Any]) -> None:
    """config_text puts the dot into dotless exponents while formatting numbers; the chart runs
    JSON_DOTLESS_EXPONENT over toPrettyJson's text. Same bytes."""
    expected = re.sub(JSON_DOTLESS_EXPONENT, r"\1.0\2", to_pretty_json(data))
    assert to_pretty_json(data, exponent_dot=True) == expected


def test_remembered_list_text_depends_on_depth_and_dots_only() -> None:
    shared = [{"n": i, "cost": 1e-05, "s": "x"} for i in range(40)]
    for first, second in (({"a": shared}, {"b": {"c": shared}}), ({"b": {"c": shared}}, {"a": shared})):
        for dots in (False, True):
            fresh = copy.deepcopy(second)  # other objects: nothing remembered for them
            to_pretty_json(first, exponent_dot=not dots)
            to_pretty_json(first, exponent_dot=dots)
            assert to_pretty_json(second, exponent_dot=dots) == to_pretty_json(fresh, exponent_dot=dots)


@pytest.fixture(scope="module")
def litectl_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_helm import EXAMPLES, rendered, write_chart

    minimal = next(p for p in EXAMPLES if p.stem == "minimal")
    return write_chart(rendered(minimal), tmp_path_factory.mktemp("minimal"))


def chart_config_text(chart: Path, proxy_config: dict[str, Any]) -> str:
    objects = realtools.helm_render(chart, values_files=[chart / "values.yaml"],
                                    set_values={"gateway.config.proxy_config": proxy_config},
                                    release="litellm", namespace="litellm")
    config_map = next(o for o in objects if o["kind"] == "ConfigMap")
    text: str = config_map["data"]["config.yaml"]
    return text


def _no_nel(value: Any) -> bool:
    """NEL (U+0085) is left out: YAML folds it as a line break wherever it appears raw, and both
    toYaml's JSON round trip and the ConfigMap's own serialisation do that differently."""
    return "\x85" not in json.dumps(value, ensure_ascii=False)


@pytest.mark.realtool
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(KEYS, DATA, max_size=6).filter(_no_nel))
def test_config_text_is_what_the_chart_writes(litectl_chart: Path, proxy_config: dict[str, Any]) -> None:
    assert config_text(proxy_config) == chart_config_text(litectl_chart, proxy_config), json.dumps(proxy_config)


EDGE_CASES: list[tuple[dict[str, Any], bool]] = [  # (proxy_config, written as JSON)
    ({"litellm_settings": {"<<": "<<", "=": "="}}, True),
    ({"a": "2020-02-30"}, True), ({"a": "2001-12-14 21:59:43.10 -5"}, True), ({"a": "2001-12-14T21:59:43"}, True),
    ({"a": "._5"}, True), ({"a": "line\u2028separator"}, True),
    ({"a": 1.5e21}, False), ({"a": 2.0**64}, False), ({"a": -(2**63)}, False),
    ({"api_version": "2024-02-01", "long": "x " * 60}, False), ({}, False),
    ({"a": {"b": None, "c": [None, {"d": None}]}}, False),
]


@pytest.mark.realtool
@pytest.mark.parametrize(("proxy_config", "as_json"), EDGE_CASES, ids=[repr(c) for c, _ in EDGE_CASES])
def test_config_text_edge_cases(litectl_chart: Path, proxy_config: dict[str, Any], as_json: bool) -> None:
    text = config_text(proxy_config)
    assert text == chart_config_text(litectl_chart, proxy_config)
    assert litellm_load(text) == without_map_nulls(proxy_config)  # what LiteLLM (PyYAML, YAML 1.1) reads
    assert text.startswith("{\n") == as_json == yaml11_unsafe(proxy_config)


@pytest.mark.realtool
@pytest.mark.parametrize("number", [1e21, 1e-7, 1e20, 2e-06, 1e-05, -3e-06], ids=repr)
def test_exponent_floats_without_a_dot(litectl_chart: Path, number: float) -> None:
    """go-yaml and encoding/json write these with an exponent and no dot (`2e-06`), which YAML 1.1
    (so LiteLLM) reads as a string -- a per-token cost would become text. The config text is then
    JSON with the dot added (`2.0e-06`, the chart by a regexReplaceAll); both targets agree."""
    text = config_text({"a": number})
    assert text == chart_config_text(litectl_chart, {"a": number})
    assert litellm_load(text) == {"a": number}


# LiteLLM reads its config with PyYAML (YAML 1.1). Excluded: NEL (a line break to YAML, which the
# JSON round trip inside toYaml already folds) and numbers beyond float64's exact integer range
# (Helm holds every number as a float64 and writes integral ones with all digits).
SAFE_TEXT = st.text(st.sampled_from([*"abcXYZ019 _-.:#'\"\n\t{}[],?!|>%@*&<=é", "😀", "\u2028"]), max_size=12)
SAFE_SCALARS = st.one_of(SAFE_TEXT, st.sampled_from([w for w in WORDS if "\x85" not in w]), st.booleans(),
                         st.none(), st.integers(min_value=-(2**53), max_value=2**53),
                         st.floats(min_value=-(2.0**53), max_value=2.0**53))
SAFE_DATA = st.recursive(SAFE_SCALARS, lambda c: st.one_of(st.lists(c, max_size=3),
                                                           st.dictionaries(SAFE_TEXT, c, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(SAFE_TEXT, SAFE_DATA, max_size=6))
def test_litellm_reads_the_config_text_as_written(proxy_config: dict[str, Any]) -> None:
    """As written, except null-valued mapping entries, which every target drops (as Helm must)."""
    assert litellm_load(config_text(proxy_config)) == without_map_nulls(proxy_config)
