"""`goyaml.to_yaml` against real Helm: the ConfigMap text (and so `checksum/config`) of the
plain manifests must be the bytes the chart's `toYaml` writes, for any proxy config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import realtools
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litectl.targets.helm.goyaml import to_yaml

SEPARATOR = "\n#--8<--\n"


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
