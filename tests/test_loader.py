"""The loader: plain data out, exact positions on demand, and clean diagnostics for bad input."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litectl.compiler.diagnostics import LitectlError, Span
from litectl.compiler.loader import MAX_ALIAS_EXPANSION, Loaded, SourceMap, load_file, load_text


def load(text: str) -> Loaded:
    return load_text(textwrap.dedent(text), "spec.yaml")


def problems(text: str) -> list[str]:
    """Every diagnostic of a text that must fail to load, formatted compiler-style."""
    with pytest.raises(LitectlError) as caught:
        load_text(textwrap.dedent(text), "spec.yaml")
    return [d.format() for d in caught.value.diagnostics]


def plain(value: Any) -> bool:
    """Only JSON-like types, string keys, and no object reachable twice."""
    seen: set[int] = set()

    def walk(node: Any) -> bool:
        if isinstance(node, (dict, list)):
            if id(node) in seen:
                return False
            seen.add(id(node))
        if isinstance(node, dict):
            return all(type(k) is str and walk(v) for k, v in node.items())
        if isinstance(node, list):
            return all(walk(v) for v in node)
        return node is None or type(node) in (str, int, float, bool)

    return walk(value)


# --- data ---------------------------------------------------------------------------------------


def test_scalars_follow_yaml_1_2_and_timestamps_stay_strings() -> None:
    data = load(
        """\
        date: 2024-01-01
        stamp: 2001-12-14t21:59:43.10-05:00
        yes_word: yes
        on_word: on
        octal: 0o17
        hex: 0x1F
        underscored: 1_000
        leading_zero: 0755
        exp: 1e3
        real: 1.5
        inf: .inf
        minus_inf: -.Inf
        nan: .nan
        tilde: ~
        empty:
        quoted_int: '1'
        quoted_null: "null"
        true_word: True
        explicit_str: !!str 12
        explicit_float: !!float 3
        explicit_int: !!int "7"
        explicit_stamp: !!timestamp 2020-02-02
        nonspecific: ! 12
        folded: >-
          one
          two
        literal: |
          a
           b
        """
    ).data
    expected = {
        "date": "2024-01-01",
        "stamp": "2001-12-14t21:59:43.10-05:00",
        "yes_word": "yes",
        "on_word": "on",
        "octal": 15,
        "hex": 31,
        "underscored": 1000,
        "leading_zero": 755,
        "exp": 1000.0,
        "real": 1.5,
        "inf": math.inf,
        "minus_inf": -math.inf,
        "tilde": None,
        "empty": None,
        "quoted_int": "1",
        "quoted_null": "null",
        "true_word": True,
        "explicit_str": "12",
        "explicit_float": 3.0,
        "explicit_int": 7,
        "explicit_stamp": "2020-02-02",
        "nonspecific": "12",
        "folded": "one two",
        "literal": "a\n b\n",
    }
    assert math.isnan(data.pop("nan"))
    assert data == expected
    assert [type(v) for v in data.values()] == [type(v) for v in expected.values()]
    assert plain(data)


def test_aliases_and_merge_keys_give_independent_copies() -> None:
    data = load(
        """\
        base: &base {cpu: 1, memory: 2Gi, nested: {a: 1}}
        same: *base
        merged:
          <<: *base
          memory: 4Gi
        several:
          <<: [{cpu: 9, q: 1}, *base]
        """
    ).data
    assert data["same"] == data["base"]
    assert data["merged"] == {"cpu": 1, "memory": "4Gi", "nested": {"a": 1}}
    assert data["several"] == {"cpu": 9, "q": 1, "memory": "2Gi", "nested": {"a": 1}}
    assert plain(data)  # in particular: no dict shared between "base", "same" and "merged"


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load("'<<': {a: 1}\n").data == {"<<": {"a": 1}}


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    spec = tmp_path / "bom.yaml"
    spec.write_bytes(b"\xef\xbb\xbfname: x\n")
    loaded = load_file(spec)
    assert loaded.data == {"name": "x"}
    assert loaded.file == str(spec)
    assert loaded.source.span(("name",), key=True) == Span(str(spec), 1, 1)


# --- positions ----------------------------------------------------------------------------------

SPANS_DOC = """\
apiVersion: litectl/v1alpha1
metadata:
  name: demo
  labels: {team: ml, tiers: [gold, "silver"]}
base: &b
  cpu: 1
  list: [1, 2]
derived:
  <<: *b
  text: >-
    folded
    lines
  unset:
items:
  - plain
  -   first: 1
      second: 2
  - - inner
'quoted key': "ä ö ü"
multi: "a
  b"
after: end
"""


@pytest.mark.parametrize(
    ("path", "key", "line", "col"),
    [
        ((), False, 1, 1),
        (("apiVersion",), False, 1, 13),
        (("apiVersion",), True, 1, 1),
        (("metadata",), False, 3, 3),
        (("metadata",), True, 2, 1),
        (("metadata", "name"), False, 3, 9),
        (("metadata", "name"), True, 3, 3),
        (("metadata", "labels"), False, 4, 11),
        (("metadata", "labels", "team"), True, 4, 12),
        (("metadata", "labels", "team"), False, 4, 18),
        (("metadata", "labels", "tiers", 1), False, 4, 36),
        (("derived", "cpu"), True, 6, 3),  # merged in: the key where it was written
        (("derived", "cpu"), False, 6, 8),
        (("derived", "list", 1), False, 7, 13),
        (("derived", "text"), False, 10, 9),
        (("derived", "unset"), False, 13, 9),
        (("items", 0), False, 15, 5),
        (("items", 1), False, 16, 7),
        (("items", 1, "second"), True, 17, 7),
        (("items", 1, "second"), False, 17, 15),
        (("items", 2, 0), False, 18, 7),
        (("quoted key",), True, 19, 1),
        (("quoted key",), False, 19, 15),
        (("multi",), False, 20, 8),
        (("after",), False, 22, 8),
        # paths that do not exist fully: the deepest existing ancestor's value
        (("items", 9), False, 15, 3),
        (("items", 9), True, 15, 3),
        (("metadata", "missing", "deeper"), True, 3, 3),
        (("metadata", "name", "deeper"), False, 3, 9),
        (("items", "not-an-index"), False, 15, 3),
        (("nope",), True, 1, 1),
    ],
)
def test_span(path: tuple[str | int, ...], key: bool, line: int, col: int) -> None:
    loaded = load_text(SPANS_DOC, "spec.yaml")
    assert loaded.source.span(path, key=key) == Span("spec.yaml", line, col)


def test_columns_count_characters_not_bytes() -> None:
    loaded = load("äöü: {ß: x}\n")
    assert loaded.source.span(("äöü", "ß"), key=True) == Span("spec.yaml", 1, 7)
    assert loaded.source.span(("äöü", "ß")) == Span("spec.yaml", 1, 10)


def test_positions_are_recorded_while_loading() -> None:
    loaded = load("a: {b: [1, 2]}\n")
    assert loaded.source.span(("a", "b", 1)) == Span("spec.yaml", 1, 12)
    assert loaded.source.span(("a",)) == Span("spec.yaml", 1, 4)
    assert type(loaded.source._root) is object  # answered from the record: no node tree built


PROXY_DOC = """\
gateway:
  replicas: 2
  config:
    proxy_config:
      model_list:
        - model_name: a
          litellm_params: {model: openai/a}
environments:
  dev:
    gateway:
      config:
        proxy_config:
          litellm_settings: {set_verbose: true}
"""


def test_proxy_config_positions_come_from_the_node_tree_built_on_demand() -> None:
    loaded = load_text(PROXY_DOC, "spec.yaml")
    assert loaded.source.span(("gateway", "replicas")) == Span("spec.yaml", 2, 13)
    assert loaded.source.span(("gateway", "config", "proxy_config"), key=True) == Span("spec.yaml", 4, 5)
    assert type(loaded.source._root) is object  # the record reaches the proxy config's own key
    path = ("gateway", "config", "proxy_config", "model_list", 0, "litellm_params", "model")
    assert loaded.source.span(path) == Span("spec.yaml", 7, 35)
    env_path = ("environments", "dev", "gateway", "config", "proxy_config", "litellm_settings")
    assert loaded.source.span(env_path, key=True) == Span("spec.yaml", 13, 11)
    assert type(loaded.source._root) is not object  # composed for the proxy config's insides


@pytest.mark.parametrize("text", [SPANS_DOC, PROXY_DOC, "a: &x {b: 1}\nc: *x\n"])
def test_recorded_positions_equal_the_node_tree(text: str) -> None:
    _assert_record_matches_tree(text)


def _assert_record_matches_tree(text: str) -> None:
    """Every path (and a missing child of each), as value and as key: the loader's record, where
    it has one, answers exactly like the node tree."""
    loaded = load_text(text, "spec.yaml")
    tree = SourceMap("spec.yaml", text)  # no record: always the node tree
    for path in _paths(loaded.data):
        for probe in (path, (*path, "missing"), (*path, 99)):
            for key in (False, True):
                assert loaded.source.span(probe, key=key) == tree.span(probe, key=key), (probe, key)


yaml_documents = st.dictionaries(st.text(max_size=8), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
), max_size=6)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_documents, st.sampled_from([False, True, None]))
def test_recorded_positions_equal_the_node_tree_for_any_document(document: dict[str, Any],
                                                                 style: bool | None) -> None:
    from ruamel.yaml import YAML

    stream = StringIO()
    dumper = YAML(typ="safe")  # libyaml's emitter, as in test_round_trips_what_ruamel_dumps
    dumper.default_flow_style = style
    dumper.dump({**document, "gateway": {"config": {"proxy_config": document}}}, stream)
    _assert_record_matches_tree(stream.getvalue())


# --- problems -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b: c\n", "spec.yaml:1:5: error: invalid YAML: mapping values are not allowed in this context"),
        (
            "a: [1, 2\nb: 3\n",
            "spec.yaml:2:2: error: invalid YAML: did not find expected ',' or ']'"
            " (while parsing a flow sequence started at line 1, column 4)",
        ),
        (
            "a:\n  - b\n c: 1\n",
            "spec.yaml:3:2: error: invalid YAML: did not find expected key"
            " (while parsing a block mapping started at line 1, column 1)",
        ),
        ("a:\n\t- x\n", "spec.yaml:2:1: error: invalid YAML: tab characters cannot indent YAML (use spaces)"),
        (
            'a: "\\q"\n',
            "spec.yaml:1:5: error: invalid YAML: found unknown escape character"
            " (while parsing a quoted scalar started at line 1, column 4)",
        ),
        (
            "ok: 1\nbad: ä\x07\n",
            "spec.yaml:2:7: error: invalid YAML: character U+0007 is not allowed"
            " (control characters are not allowed)",
        ),
        ("a: *nope\n", 'spec.yaml:1:4: error: undefined alias "*nope" [$.a]'),
        ("a: &x [1, *x]\n", 'spec.yaml:1:11: error: alias "*x" refers to a node that contains it [$.a[1]]'),
        ("", "spec.yaml:1:1: error: the document is empty (the spec must be a mapping)"),
        ("# only a comment\n", "spec.yaml:1:1: error: the document is empty (the spec must be a mapping)"),
        ("---\n", "spec.yaml:1:1: error: the document is empty (the spec must be a mapping)"),
        ("- a\n- b\n", "spec.yaml:1:1: error: the spec must be a mapping at the top level"),
        ("\n\njust text\n", "spec.yaml:3:1: error: the spec must be a mapping at the top level"),
        ("null\n", "spec.yaml:1:1: error: the spec must be a mapping at the top level"),
        (
            "a: 1\n---\nb: 2\n",
            "spec.yaml:2:1: error: the spec must be a single YAML document (found a second one)",
        ),
        ("a: !!binary aGk=\n", "spec.yaml:1:4: error: unsupported YAML tag !!binary [$.a]"),
        ("a: !Ref x\n", "spec.yaml:1:4: error: unsupported YAML tag !Ref [$.a]"),
        ("a: !!set {x}\n", "spec.yaml:1:4: error: YAML tag !!set is not supported on a mapping [$.a]"),
        ("a: !!int abc\n", 'spec.yaml:1:4: error: "abc" is not a valid !!int [$.a]'),
        (
            "a: {<<: 3}\n",
            "spec.yaml:1:9: error: a merge key (<<) needs a mapping or a list of mappings [$.a]",
        ),
    ],
)
def test_problem(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_every_duplicate_key_is_reported_at_its_second_occurrence() -> None:
    assert problems(
        """\
        a: 1
        b:
          c: 1
          'c': 2
        a: 3
        d: {e: 1, e: 2}
        """
    ) == [
        'spec.yaml:4:3: error: duplicate key "c" [$.b.c]',
        'spec.yaml:5:1: error: duplicate key "a" [$.a]',
        'spec.yaml:6:11: error: duplicate key "e" [$.d.e]',
    ]


def test_non_string_keys_are_errors() -> None:
    assert problems(
        """\
        1: one
        true: yes
        null: nothing
        1.5: x
        ? [a, b]
        : seq
        nested: {2: two}
        """
    ) == [
        'spec.yaml:1:1: error: mapping key 1 must be a string (quote it: "1")',
        'spec.yaml:2:1: error: mapping key true must be a string (quote it: "true")',
        'spec.yaml:3:1: error: mapping key null must be a string (quote it: "null")',
        'spec.yaml:4:1: error: mapping key 1.5 must be a string (quote it: "1.5")',
        "spec.yaml:5:3: error: mapping keys must be strings, not a sequence",
        'spec.yaml:7:10: error: mapping key 2 must be a string (quote it: "2") [$.nested]',
    ]


def test_nesting_is_capped() -> None:
    text = "a: " + "[" * 200 + "]" * 200 + "\n"
    (message,) = problems(text)
    assert message.startswith("spec.yaml:1:131: error: the document is nested more than 128 levels deep")


def test_alias_bomb_is_rejected_before_it_expands() -> None:
    """9^12 nodes if expanded: the loader stops at MAX_ALIAS_EXPANSION (this test would not end)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    (message,) = problems("\n".join(lines) + "\n")
    assert f"error: aliases expand to more than {MAX_ALIAS_EXPANSION} nodes" in message


def test_modest_aliasing_is_fine() -> None:
    lines = ["a0: &a0 [1, 2, 3]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 10)]
    data = load("\n".join(lines) + "\n").data
    assert len(json.dumps(data["a9"])) > 3000
    assert plain(data)


def test_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(LitectlError) as caught:
        load_file(missing)
    assert [d.format() for d in caught.value.diagnostics] == [
        f"{missing}:1:1: error: cannot read file: No such file or directory"
    ]
    with pytest.raises(LitectlError) as caught:
        load_file(tmp_path)
    assert [d.format() for d in caught.value.diagnostics] == [
        f"{tmp_path}:1:1: error: cannot read file: Is a directory"
    ]


def test_invalid_utf8(tmp_path: Path) -> None:
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes("a: 1\nname: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(LitectlError) as caught:
        load_file(spec)
    assert [d.format() for d in caught.value.diagnostics] == [
        f"{spec}:1:1: error: cannot read file: not valid UTF-8 (byte 0xe9 at line 2, column 10)"
    ]


def test_lone_surrogate_in_text() -> None:
    assert problems("a: 1\nb: x\ud800\n") == [
        "spec.yaml:2:5: error: cannot read file: character U+D800 cannot be encoded"
    ]


# --- properties ---------------------------------------------------------------------------------

texts = st.text(max_size=20)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | texts
    | st.sampled_from(["2024-01-01", "yes", "0o17", "1_0", "<<", "~", "null", "1e3", ".inf", "=", "-_", "0x"])
)
json_documents = st.dictionaries(
    texts,
    st.recursive(
        json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4)
    ),
    max_size=6,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(json_documents)
def test_round_trips_what_ruamel_dumps(document: dict[str, Any]) -> None:
    from ruamel.yaml import YAML

    for style in (False, True, None):
        stream = StringIO()
        dumper = YAML(typ="safe")  # libyaml's emitter (ruamel's pure one trips over NEL and ":x")
        dumper.default_flow_style = style
        dumper.dump(document, stream)
        assert load_text(stream.getvalue(), "gen.yaml").data == document


# JSON text is YAML when it holds no raw character YAML forbids and no surrogate-pair escapes.
printable = st.text(
    st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\x85\u2028\u2029\ufeff\ufffe\uffff")
    | st.sampled_from("\t\n\x01"),
    max_size=20,
)
json_like_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | printable
)
json_like_documents = st.dictionaries(
    printable,
    st.recursive(
        json_like_scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(printable, inner, max_size=4),
    ),
    max_size=6,
)


@settings(max_examples=150)
@given(json_like_documents)
def test_json_is_yaml(document: dict[str, Any]) -> None:
    loaded = load_text(json.dumps(document, ensure_ascii=False), "gen.json")
    assert loaded.data == document
    for path in _paths(document):  # every existing path has a position inside the text
        span = loaded.source.span(path, key=bool(path) and isinstance(path[-1], str))
        assert span.line == 1 and span.col >= 1


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


yamlish = st.text(alphabet=st.sampled_from(list("ab1 :-,[]{}&*!|>'\"#%@`?~<\n\t.\\\x07ä\ud800")), max_size=60)


@settings(max_examples=400)
@given(yamlish)
def test_any_text_loads_or_fails_cleanly(text: str) -> None:
    try:
        loaded = load_text(text, "fuzz.yaml")
    except LitectlError as failure:
        assert failure.diagnostics
        for diagnostic in failure.diagnostics:
            assert diagnostic.span is not None and diagnostic.span.line >= 1 and diagnostic.span.col >= 1
        return
    assert isinstance(loaded.data, dict) and plain(loaded.data)
    for path in _paths(loaded.data):
        loaded.source.span(path, key=True)


# --- cost ---------------------------------------------------------------------------------------


def test_import_is_cheap() -> None:
    code = "import sys, litectl.compiler.loader; print(sorted(m for m in sys.modules if 'ruamel' in m))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_megabyte_loads_completely() -> None:
    """How fast is the benchmark's business (benchmarks/); this checks a big file loads whole."""
    entry = textwrap.dedent(
        """\
          - model_name: model-{i}
            litellm_params:
              model: azure/gpt-4o-{i}
              api_base: https://example-{i}.invalid/openai
              rpm: {i}
              tpm: {i}.5
              stream: true
              tags: [a, b, 'c-{i}', null]
            model_info: {{id: m{i}, created: 2024-01-01}}
        """
    )
    body = "".join(entry.format(i=i) for i in range(4600))
    text = "kind: LiteLLMTopology\nmodel_list:\n" + body
    assert len(text) > 1_000_000
    loaded = load_text(text, "big.yaml")
    assert loaded.data["model_list"][4599]["model_info"] == {"id": "m4599", "created": "2024-01-01"}


# --- libyaml refusals the pure parser accepts ---------------------------------------------------

# Valid YAML that libyaml (ruamel.yaml.clib) refuses and PyYAML, LiteLLM's own reader, accepts.
LIBYAML_REFUSES = [
    "fallbacks:\n  - qwen2.5-coder:14b: [mistral:7b]\n",
    "router:\n  fallbacks: [{gpt-4o: [claude:3.5, llama3:70b]}]\n",
    "a: [b:c, d:e]\n",
]


@pytest.mark.parametrize("text", LIBYAML_REFUSES)
def test_text_libyaml_refuses_loads_as_pyyaml_reads_it(text: str) -> None:
    import _ruamel_yaml  # type: ignore[import-not-found]  # ruamel.yaml.clib's C module, untyped
    import yaml
    from ruamel.yaml.error import YAMLError

    parser = _ruamel_yaml.CParser(text)
    with pytest.raises(YAMLError):  # the premise: the fast parser alone refuses this text
        while parser.check_event():
            parser.get_event()
    assert load_text(text, "spec.yaml").data == yaml.safe_load(text)


def test_positions_after_a_libyaml_refusal_come_from_the_pure_parser() -> None:
    loaded = load("""\
        gateway:
          config:
            proxy_config:
              router_settings:
                fallbacks:
                  - qwen2.5-coder:14b: [mistral:7b]
          replicsa: 2
        """)
    assert loaded.data["gateway"]["config"]["proxy_config"]["router_settings"]["fallbacks"] == [
        {"qwen2.5-coder:14b": ["mistral:7b"]}]
    assert loaded.source.span(("gateway", "replicsa"), key=True) == Span("spec.yaml", 7, 3)
    assert loaded.source.span(
        ("gateway", "config", "proxy_config", "router_settings", "fallbacks", 0)) == Span("spec.yaml", 6, 13)


BROKEN_YAML = [
    "a: b: c\n",
    "a: [1, 2\nb: 3\n",
    "a:\n  - b\n c: 1\n",
    "a:\n\t- x\n",
    'a: "\\q"\n',
    "ok: 1\nbad: ä\x07\n",
    "a: {b: 1\n",
    "a: 'unterminated\n",
    "key: value\n  other: 1\n",
    "- a\nb: c\n",
    "a: &x\n  b: 1\n&y\n",
    "a: [b, c]]\n",
    "? a\n? b\n: c\n  d: e\n",
]


@pytest.mark.parametrize("text", [*BROKEN_YAML, (Path(__file__).parent / "invalid" / "yaml-syntax.yaml").read_text()])
def test_every_refusal_reported_is_one_the_pure_parser_makes_too(text: str) -> None:
    """A syntax error reaches the user only when ruamel's pure parser refuses the text as well,
    and at the same line: the fast path never reports an error of its own."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    with pytest.raises(LitectlError) as caught:
        load_text(text, "spec.yaml")
    reported = caught.value.diagnostics
    assert len(reported) == 1 and "invalid YAML" in reported[0].message
    with pytest.raises(YAMLError) as pure:
        YAML(typ="safe", pure=True).load(text)
    mark = getattr(pure.value, "problem_mark", None)
    if mark is not None:  # a reader error (control character) carries a byte position instead
        assert reported[0].span.line == mark.line + 1
