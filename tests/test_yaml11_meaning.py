"""Inside proxy_config, every plain scalar YAML 1.1 (LiteLLM's reader) reads differently from
YAML 1.2 (litectl's) is a positioned warning, an error under --strict."""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from clirun import run
from hypothesis import given, settings
from hypothesis import strategies as st
from litectl.compiler import yaml11
from litectl.compiler.loader import load_text
from test_hardening_common import compile_text
from test_hardening_yaml11 import read_1_1

BASE = """\
apiVersion: litectl/v1alpha1
kind: LiteLLMTopology
metadata: {name: yaml11}
database:
  writer: {host: pg, dbname: litellm}
gateway:
  config:
    proxy_config:
"""

SCALARS = ["._", "0b_", "yes", "No", "on", "OFF", "true", "0755", "0o17", "1:30", "190:20:30.15", "1e-06", "1E+3",
           "2024-06-01", "2001-12-14t21:59:43.10-05:00", "0b101", "0x1F", "1_000", ".5", "+12", "-0",
           "10.0", "100", "~", "null", ".inf", "-.Inf", ".nan", "y", "n", "1.5:30", "12e3", "0.", "1__2",
           "-0755", "+0x1f", "0b", "08", "0_7", "gpt-4o", "2024-6-1", "3:60", "1:5"]


def pyyaml(text: str) -> Any:
    try:
        value = yaml.safe_load(f"a: {text}\n")["a"]
    except ValueError:  # PyYAML resolves it as a number, then cannot convert it
        return yaml11.Unreadable(text)
    return yaml11.Date(text) if isinstance(value, datetime.date) else value


@pytest.mark.parametrize("text", SCALARS)
def test_reading_is_what_pyyaml_reads(text: str) -> None:
    expected, got = pyyaml(text), yaml11.reading(text)
    assert type(got) is type(expected), (text, got, expected)
    assert got == expected or (isinstance(got, float) and math.isnan(got) and math.isnan(expected))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789_:.-+eEoxbT yesnoONFul~", min_size=1, max_size=12))
def test_reading_matches_pyyaml_on_scalar_like_text(text: str) -> None:
    text = text.strip()
    if not text:
        return
    try:
        expected = pyyaml(text)
    except yaml.YAMLError:
        return  # not a plain scalar at all
    if not text or isinstance(expected, dict | list):
        return
    got = yaml11.reading(text)
    assert type(got) is type(expected), (text, got, expected)
    assert got == expected or (isinstance(got, float) and math.isnan(got))


def test_each_divergent_scalar_is_one_positioned_warning() -> None:
    compiled = compile_text(BASE + """\
      litellm_settings: {drop_params: yes, mode: 0755, t: 1:30, small: 1e-06, ok: 10.5, name: gpt-4o}
      model_list:
        - model_name: a
          litellm_params: {model: azure/x, api_version: 2024-06-01, quoted: '2024-06-01', rpm: 100}
      general_settings: {on: 1}
environments:
  prod:
    gateway: {config: {proxy_config: {litellm_settings: {drop_params: off}}}}
""")
    got = [(d.span.line, d.span.col, d.message.split(" to LiteLLM")[0]) for d in compiled.warnings if d.span]
    assert got == [
        (9, 39, "yes is the boolean true"),
        (9, 50, "0755 is the integer 493"),
        (9, 59, "1:30 is the integer 90"),
        (9, 72, '1e-06 is the string "1e-06"'),
        (12, 57, "2024-06-01 is a date"),
        (13, 26, "on is the boolean true"),  # a key: LiteLLM's dict gets True, not "on"
        (16, 71, "off is the boolean false"),
    ]
    assert all(d.severity == "warning" for d in compiled.warnings)
    first = compiled.warnings[0]
    assert first.path == ("gateway", "config", "proxy_config", "litellm_settings", "drop_params")
    assert 'write "yes" (quoted) for the string or true for the boolean true' in first.message


def test_quoted_and_unambiguous_scalars_give_no_warning() -> None:
    compiled = compile_text(BASE + """\
      litellm_settings: {drop_params: true, mode: '0755', t: "1:30", small: 1.0e-06, version: "2024-06-01"}
""")
    assert compiled.warnings == ()


def test_the_spec_outside_proxy_config_is_litectls_to_read() -> None:
    loaded = load_text(BASE + "      {}\nx-note: yes\n", "spec.yaml")
    assert [r.path for r in loaded.yaml11] == [("x-note",)]
    assert compile_text(BASE + "      {}\nx-note: yes\n").warnings == ()


def test_strict_turns_the_warning_into_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "litellm.yaml"
    spec.write_text(BASE + "      litellm_settings: {drop_params: yes}\ntargets: {kustomize: {}}\n")
    result = run(["compile", str(spec), "--strict"])
    assert result.code == 1
    assert f"{spec}:9:39: error: yes is the boolean true to LiteLLM" in result.err
    assert not (tmp_path / "deploy").exists()
    result = run(["compile", str(spec)])
    assert result.code == 0 and f"{spec}:9:39: warning: yes is the boolean true" in result.err


@pytest.mark.parametrize("text", ["yes", "0755", "1:30", "1e-06", "2024-06-01", "on", "0o17"])
def test_without_a_warning_litellm_reads_what_the_user_wrote(text: str) -> None:
    """The issue's criterion: the YAML 1.1 reading of the emitted config equals the YAML 1.1
    reading of what the user wrote, or a warning was given (here: always one, at that value)."""
    from test_hardening_common import render

    spec = BASE + f"      litellm_settings: {{value: {text}}}\n"
    compiled = compile_text(spec)
    wrote = read_1_1(spec)[0]["gateway"]["config"]["proxy_config"]["litellm_settings"]["value"]
    for target, config in (("kustomize", "base/config.yaml"), ("compose", "config/config.yaml")):
        (emitted,) = read_1_1(render(compiled, target).files[config].decode())
        if emitted["litellm_settings"]["value"] != wrote:
            assert [d.path[-1] for d in compiled.warnings] == ["value"], (target, text)


# --- floats and nulls: what LiteLLM reads is what the user wrote, with its type ------------------


def typed(value: Any) -> Any:
    """`value` with every scalar tagged by its type: 10 == 10.0 in Python, not to LiteLLM."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


FLOATS_AND_NULLS = """\
      model_list:
        - model_name: m
          litellm_params: {model: openai/m, timeout: 10.0, input_cost_per_token: 2.0e-06, rpm: 60}
      litellm_settings: {request_timeout: 600.0, num_retries: 3, success_callback: [null, x]}
      environment_variables: {EMPTY: , TINY: 1.0e-7}
      router_settings: {big: 9007199254740992}
"""


def test_floats_stay_floats_and_nulls_stay_on_every_target() -> None:
    from test_hardening_common import render

    spec = BASE + FLOATS_AND_NULLS
    compiled = compile_text(spec)
    assert compiled.warnings == ()
    wrote = read_1_1(spec)[0]["gateway"]["config"]["proxy_config"]
    assert wrote["environment_variables"]["EMPTY"] is None and isinstance(wrote["litellm_settings"]["request_timeout"], float)
    for target, config in (("kustomize", "base/config.yaml"), ("compose", "config/config.yaml"),
                           ("helm", "files/proxy-config/base.yaml")):
        (emitted,) = read_1_1(render(compiled, target).files[config].decode())
        assert typed(emitted) == typed(wrote), target


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "timeout", "cost", "x"]), st.recursive(
    st.one_of(st.none(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
              st.sampled_from(["text", "1.0", "null"])),
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.sampled_from(["k", "v", "1"]), c, max_size=3)),
    max_leaves=12), max_size=4))
def test_the_text_as_written_reads_back_with_every_type(data: dict[str, Any]) -> None:
    from litectl.targets.helm.goyaml import config_text_as_written

    assert typed(yaml.safe_load(config_text_as_written(data))) == typed(data)
