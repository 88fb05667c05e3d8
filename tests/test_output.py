"""The emit phase: YAML text every reader agrees on, and a writer that never loses user files."""

from __future__ import annotations

import importlib
import itertools
import json
import math
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import realtools
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litectl.compiler import output
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.loader import load_text
from litectl.compiler.output import (
    MANIFEST_NAME,
    Bundle,
    Drift,
    check_bundle,
    dump_yaml,
    dump_yaml_documents,
    format_drift,
    write_bundle,
)
from ruamel.yaml import YAML

# --------------------------------------------------------------------------------------------
# Readers: YAML 1.2 (ruamel, pure and C), YAML 1.1 (ruamel in 1.1 mode, PyYAML, libyaml)
# --------------------------------------------------------------------------------------------

Loader = Callable[[str], Any]


def _ruamel(*, pure: bool, version: tuple[int, int] | None) -> Loader:
    def load(text: str) -> Any:
        yaml = YAML(typ="safe", pure=pure)
        if version is not None:
            yaml.version = version
        return yaml.load(text)

    return load


LOADERS: dict[str, Loader] = {
    "ruamel-1.2": _ruamel(pure=True, version=None),
    "ruamel-1.2-c": _ruamel(pure=False, version=None),
    "ruamel-1.1": _ruamel(pure=True, version=(1, 1)),
}
try:  # PyYAML comes with the kubernetes client; it is the YAML 1.1 reader LiteLLM itself uses.
    pyyaml: Any = importlib.import_module("yaml")  # imported by name: it ships no type stubs
except ImportError:  # pragma: no cover
    pyyaml = None
if pyyaml is not None:
    LOADERS["pyyaml"] = lambda text: pyyaml.load(text, Loader=pyyaml.SafeLoader)
    if hasattr(pyyaml, "CSafeLoader"):  # libyaml, the parser go-yaml was ported from
        LOADERS["pyyaml-libyaml"] = lambda text: pyyaml.load(text, Loader=pyyaml.CSafeLoader)


def test_the_readers_really_differ() -> None:
    """Guards the test itself: the 1.1 readers must resolve what the 1.2 readers keep as text."""
    assert LOADERS["ruamel-1.2"]("a: on") == {"a": "on"}
    assert LOADERS["ruamel-1.1"]("a: on") == {"a": True}
    assert LOADERS["ruamel-1.1"]("a: 0755") == {"a": 0o755}


def assert_round_trips(data: Any) -> str:
    text = dump_yaml(data)
    for name, load in LOADERS.items():
        loaded = load(text)
        assert loaded == data, f"{name} read back {loaded!r} from:\n{text}"
    return text


# --------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return text.split()


TRICKY = [
    # nulls and booleans of YAML 1.1 (Kubernetes, Helm, LiteLLM) and 1.2
    *words("y Y yes Yes YES n N no No NO true True TRUE false False FALSE"),
    *words("on On ON off Off OFF null Null NULL ~ yEs oN nULL TRue"),
    "",
    # numbers in every notation some reader accepts
    *words("0 1 -1 +1 007 0755 0o17 0O17 0x1F 0X1f 0b101 +0b1 -0x1 1_000 1__0 _1 1_ 0_1"),
    *words("1e3 1E3 1e+3 1e-3 1.5e3 .5 -.5 +.5 1. 1.0 -1.0 +1.0 1.104.0 1.2.3.4 10.0.0.1 0.0.0.0"),
    *words(".inf -.inf +.inf .Inf .INF .nan .NaN .NAN inf -inf +inf nan NaN +NaN Infinity -Infinity"),
    *words("0x1p-2 0x1.8p1 12:30 1:2:3 -1:30 190:20:30.15 12:60 1:1:1:1 1:30.5"),
    *words(". .. ... .... - -- --- ---- + -. +. ._ e E 0e 1e 0x 0b 0o 1,000 1/2 v1.2"),
    # timestamps
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2001-1-1",
    "2001-12-14T21:59:43Z",
    "20011214",
    "2001-12-14-backup",
    # YAML 1.1 merge and value keys, tags, anchors, directives, reserved indicators
    *words("<< = <<< == ! !!str !a &a *a %TAG @x `x` & *"),
    # indicators and separators
    *words("-a --host -1a ? ?a :a ::1 a: a:b a:: ,a a,b [a] {a} a[0] a{b} ] } | |a > >a"),
    "- a",
    "? a",
    ": a",
    "a: b",
    "a :b",
    "a ? b",
    "a - b",
    "http://x:80/a#b",
    "a #b",
    "a#b",
    "#a",
    "# a",
    "'a'",
    '"a"',
    "a'b",
    'a"b',
    "'",
    '"',
    "\\",
    "a\\b",
    "C:\\path\\x",
    '{"host":"redis","port":6379}',
    '[{"host":"h","port":6379}]',
    "{{ .Values.x }}",
    "${VAR:?required}",
    "$$",
    "100%",
    "%",
    "a % b",
    "--- a",
    "... a",
    "a ---",
    # blanks and line breaks of both versions
    " ",
    "  ",
    " lead",
    "trail ",
    " both ",
    "\t",
    "a\tb",
    "tab\t",
    "\ttab",
    "\n",
    "\n\n",
    "a\n",
    "a\nb",
    "a\n\n",
    "a\n\n\n",
    "\na",
    "\n a",
    "\n\na\n",
    "a\r\nb",
    "a\rb",
    "\r",
    "a\x85b",
    "a\u2028b",
    "a\u2029b",
    "\ufeffa",
    "a\ufeff",
    "line1\nline2\n",
    "  indented\nlines\n",
    "a \nb",
    "a\t\nb",
    "\ta\nb",
    "a\n\tb",
    "  \n  ",
    "x\n  \ny",
    "x\n\n\ny\n",
    "- a\n- b\n",
    "#!/bin/sh\nexec litellm --port 4000 # comment\n",
    "key: value\nother: [1, 2]\n",
    "---\n...\n",
    "%YAML 1.1\n",
    # non-printable and non-ASCII
    "\x00",
    "\x07",
    "\x1b[31mred\x1b[0m",
    "\x7f",
    "\x80",
    "\x9f",
    "\xa0",
    "a\xa0",
    "\xa0a",
    "é",
    "日本語",
    "emoji 🎉",
    "\U0001f600",
    "\ufffd",
    "\ufffe",
    "\uffff",
    # long
    "x" * 5000,
    "word " * 2000 + "end",
    # values that must stay readable
    "4Gi",
    "500m",
    "ghcr.io/berriai/litellm",
    "IfNotPresent",
    "/health/liveliness",
    "os.environ/AZURE_API_KEY",
    "sha256:" + "a" * 64,
]

MUST_QUOTE = [
    *words("on off yes no y n Y N true True null ~ 0755 0x1F 1e3 1_000 12:30 22:22 8080:80 2001-12-14"),
    *words(".inf .nan -.5 +1 << = - --- ... ? : # @x `x` 1.104.0 0o17 0b101 +inf"),
    "",
    " a",
    "a ",
    "a: b",
    "a #b",
    "- a",
    "a:",
]

STAYS_PLAIN = [
    "hello world",
    "4Gi",
    "500m",
    "ghcr.io/berriai/litellm",
    "--host",
    "-Xmx4g",
    "::1",
    "http://x:80/a#b",
    "a:b",
    "a#b",
    "a[0]",
    "a, b",
    "os.environ/AZURE_API_KEY",
    "sha256:" + "0" * 64,
    "yEs",
    "inf",
    "Infinity",
    "日本語",
    "it's",
    'say "hi"',
    "x" * 3000,
]


def short_id(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}...({len(text)} chars)"


@pytest.mark.parametrize("text", TRICKY, ids=short_id)
def test_tricky_strings_round_trip_everywhere(text: str) -> None:
    assert_round_trips({"value": text})
    assert_round_trips([text])
    assert_round_trips({text: "key"})
    assert_round_trips({"nested": [{"deep": [text, {text: text}]}]})
    assert_round_trips(text)


def test_whole_corpus_in_one_document_round_trips() -> None:
    assert_round_trips({"values": TRICKY, "keys": {text: index for index, text in enumerate(TRICKY)}})


@pytest.mark.parametrize("text", MUST_QUOTE, ids=short_id)
def test_strings_other_readers_would_convert_are_quoted(text: str) -> None:
    dumped = dump_yaml({"k": text})
    assert dumped != f"k: {text}\n"
    assert dumped in (f'k: "{text}"\n', f"k: '{text}'\n")


@pytest.mark.parametrize("text", STAYS_PLAIN, ids=short_id)
def test_other_strings_stay_plain(text: str) -> None:
    assert dump_yaml({"k": text}) == f"k: {text}\n"
    if len(text) < 1000:  # longer keys take the explicit `? key` form
        assert dump_yaml({text: 1}) == f"{text}: 1\n"


def test_quoting_style() -> None:
    assert dump_yaml({"k": "8080:80"}) == 'k: "8080:80"\n'
    assert dump_yaml({"k": '[{"a":1}]'}) == "k: '[{\"a\":1}]'\n"  # single quotes avoid escapes
    assert dump_yaml({"k": "it's: \\"}) == "k: 'it''s: \\'\n"
    assert dump_yaml({"k": "tab\there"}) == 'k: "tab\\there"\n'
    assert dump_yaml({"k": "a\x85b\u2028\ufeff\x00"}) == 'k: "a\\x85b\\u2028\\ufeff\\0"\n'
    assert dump_yaml({"k": "é 日本語 🎉"}) == "k: é 日本語 🎉\n"


def test_non_string_scalars() -> None:
    data = {"t": True, "f": False, "none": None, "i": -12, "big": 10**30, "x": 0.1, "e": 1e16, "s": 5e-324}
    text = assert_round_trips(data)
    assert text == "t: true\nf: false\nnone: null\ni: -12\nbig: 1000000000000000000000000000000\n" + (
        "x: 0.1\ne: 1.0e+16\ns: 5.0e-324\n"
    )
    assert dump_yaml([math.inf, -math.inf]) == "- .inf\n- -.inf\n"
    for name, load in LOADERS.items():
        assert math.isnan(load(dump_yaml({"nan": math.nan}))["nan"]), name
    assert dump_yaml({1: "a", None: "b", False: "c", 1.5: "d"}) == "1: a\nnull: b\nfalse: c\n1.5: d\n"


def test_layout_is_block_style_with_indented_sequences() -> None:
    data = {
        "apiVersion": "v1",
        "metadata": {"name": "x", "labels": {"app": "web"}},
        "data": {"config.yaml": "model_list:\n  - model_name: gpt\n"},
        "items": [{"name": "a", "value": "1"}, ["n1", ["n2"]], [], {}, "s"],
        "empty": {},
        "none": None,
    }
    assert assert_round_trips(data) == (
        "apiVersion: v1\n"
        "metadata:\n"
        "  name: x\n"
        "  labels:\n"
        "    app: web\n"
        "data:\n"
        "  config.yaml: |\n"
        "    model_list:\n"
        "      - model_name: gpt\n"
        "items:\n"
        "  - name: a\n"
        '    value: "1"\n'
        "  - - n1\n"
        "    - - n2\n"
        "  - []\n"
        "  - {}\n"
        "  - s\n"
        "empty: {}\n"
        "none: null\n"
    )
    assert dump_yaml({}) == "{}\n"
    assert dump_yaml([]) == "[]\n"
    assert dump_yaml(["a", ["b"]]) == "- a\n- - b\n"
    assert dump_yaml((1, 2)) == "- 1\n- 2\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"a": "x\ny"}, "a: |-\n  x\n  y\n"),
        ({"a": "x\ny\n"}, "a: |\n  x\n  y\n"),
        ({"a": "x\n\n", "b": 1}, "a: |+\n  x\n\nb: 1\n"),
        ({"a": "  x\ny\n"}, "a: |2\n    x\n  y\n"),
        ({"a": "\nx\n"}, "a: |2\n\n  x\n"),
        ({"a": "x\n\n\ny"}, "a: |-\n  x\n\n\n  y\n"),
        (["x\ny"], "- |-\n  x\n  y\n"),
        ({"a": [{"b": "x\ny\n"}]}, "a:\n  - b: |\n      x\n      y\n"),
        ({"a": [{"b": " x\n"}]}, "a:\n  - b: |2\n       x\n"),
        # not representable as a block, or not wanted as one: double-quoted on one line
        ({"a": "x\n\n"}, 'a: "x\\n\\n"\n'),  # a `|+` block would end the file with blank lines
        ({"a": "x \ny"}, 'a: "x \\ny"\n'),  # trailing blanks would be stripped by editors
        ({"a": "x\r\ny"}, 'a: "x\\r\\ny"\n'),
        ({"a": "\n"}, 'a: "\\n"\n'),
        ({"a\nb": 1}, '"a\\nb": 1\n'),
        ("x\ny", '"x\\ny"\n'),
    ],
)
def test_multi_line_strings(data: Any, expected: str) -> None:
    assert assert_round_trips(data) == expected


def test_long_keys_use_explicit_key_syntax() -> None:
    key = "k" * 2000
    data = {key: {"a": 1}, "short": [{key: "v"}], "list": {key: [1, 2]}}
    text = assert_round_trips(data)
    assert text.startswith(f"? {key}\n: a: 1\n")


def test_header_and_trailing_newline() -> None:
    text = dump_yaml({"a": 1}, header="Generated by litectl from litellm.yaml. Do not edit.\n\nSecond")
    assert text == "# Generated by litectl from litellm.yaml. Do not edit.\n#\n# Second\na: 1\n"
    assert_loaded_equal(text, {"a": 1})
    assert dump_yaml({}, header="one\n") == "# one\n{}\n"
    with pytest.raises(ValueError, match="header"):
        dump_yaml({}, header="bad\rline")
    for data in ({"a": "x\n"}, ["x\ny\n"], "s", {"a": {"b": "x\n\n"}}):
        text = dump_yaml(data)
        assert text.endswith("\n")
        assert not text.endswith("\n\n")


def assert_loaded_equal(text: str, data: Any) -> None:
    for name, load in LOADERS.items():
        assert load(text) == data, name


def test_multiple_documents() -> None:
    docs = [{"kind": "A", "x": "a\n\n"}, ["on"], {"kind": "B"}]
    text = dump_yaml_documents(docs, header="gen")
    assert text == '# gen\nkind: A\nx: "a\\n\\n"\n---\n- "on"\n---\nkind: B\n'
    assert list(YAML(typ="safe", pure=True).load_all(text)) == docs
    if pyyaml is not None:
        assert list(pyyaml.safe_load_all(text)) == docs
    assert dump_yaml_documents([]) == ""


def test_determinism_and_insertion_order() -> None:
    data = {"b": [1, {"z": 1, "a": 2}], "a": "x"}
    assert dump_yaml(data) == dump_yaml(dict(data)) == dump_yaml(data)
    assert dump_yaml(data).splitlines()[0] == "b:"
    assert dump_yaml({"a": "x", "b": 1}) != dump_yaml({"b": 1, "a": "x"})


def test_rejects_what_is_not_plain_data() -> None:
    for bad in ({1, 2}, b"bytes", object(), {"a": [Path("x")]}):
        with pytest.raises(TypeError):
            dump_yaml(bad)
    with pytest.raises(TypeError):
        dump_yaml({("a", "b"): 1})


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        dump_yaml({"k": "a\ud800"})


def test_str_and_int_subclasses_are_written_as_their_values() -> None:
    import enum

    class Color(str, enum.Enum):
        RED = "on"

    class Level(enum.IntEnum):
        HIGH = 3

    assert dump_yaml({"c": Color.RED, "l": Level.HIGH}) == 'c: "on"\nl: 3\n'


# Hypothesis: any text, any nested plain data, every reader reads back the input.

YAML_ALPHABET = st.sampled_from(
    list(" -?:,[]{}#&*!|>'\"%@`\n\t\r.0123456789eExXoObBpP+_~yYnN<=\\\x85\u2028\ufeff\xa0é")
)
SCALARS = (
    st.text()
    | st.text(YAML_ALPHABET, max_size=12)
    | st.integers()
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
)
KEYS = st.text() | st.text(YAML_ALPHABET, max_size=8) | st.integers() | st.none()
DATA = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=25,
)
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.text() | st.text(YAML_ALPHABET))
def test_any_text_round_trips(text: str) -> None:
    assert_round_trips({"k": text, text: [text, {"n": text}]})


@PROPERTY
@given(DATA)
def test_any_plain_data_round_trips(data: Any) -> None:
    text = assert_round_trips(data)
    assert text == dump_yaml(data)
    assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.realtool
def test_helm_reads_back_the_corpus() -> None:
    """Helm's Go reader (go-yaml, YAML 1.1 booleans `y`/`n` included) agrees with the input."""
    helm = realtools._helm()  # CI=true: a missing Helm SDK fails the test, never skips it
    data = {"values": TRICKY, "keys": {text: "v" for text in TRICKY}}
    assert helm.values_from_yaml(dump_yaml(data)) == data


def test_a_large_config_is_written_whole() -> None:
    """How fast is the benchmark's business (benchmarks/); this checks a 5,000-model config is
    written whole and reads back as it was."""
    models = [
        {
            "model_name": f"gpt-4o-{index}",
            "litellm_params": {
                "model": f"azure/gpt-4o-{index}",
                "api_base": f"https://example-{index % 50}.invalid/",
                "api_key": f"os.environ/AZURE_KEY_{index % 50}",
                "rpm": 600,
                "timeout": 30.5,
            },
            "model_info": {"id": f"id-{index}", "tags": ["prod", "on"], "notes": "two\nlines\n"},
        }
        for index in range(5000)
    ]
    data = {"model_list": models, "litellm_settings": {"drop_params": True}}
    text = dump_yaml(data)
    assert len(text) > 1_000_000
    assert load_text(text, "big.yaml").data == data


def test_importing_the_module_does_not_import_ruamel() -> None:
    code = "import sys, litectl.compiler.output; sys.exit('ruamel' in ' '.join(sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --------------------------------------------------------------------------------------------
# Bundles
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["", "/abs", "a/../b", "..", "a\\b", "./a", "a/./b", "a//b", "a/", "a\nb", MANIFEST_NAME]
)
def test_bundle_rejects_unsafe_paths(path: str) -> None:
    with pytest.raises(ValueError, match="bundle path"):
        Bundle({path: b""})


def test_bundle_shape() -> None:
    with pytest.raises(ValueError, match="is a file"):
        Bundle({"a": b"", "a/b": b""})
    with pytest.raises(TypeError, match="bytes"):
        Bundle({"a": "text"})  # type: ignore[dict-item]
    bundle = Bundle.from_text({"z.yaml": "z: 1\n", "a/é.yaml": "é"})
    assert list(bundle.files) == ["a/é.yaml", "z.yaml"]
    assert bundle.files["a/é.yaml"] == "é".encode()
    assert bundle == Bundle({"z.yaml": b"z: 1\n", "a/\xe9.yaml": "é".encode()})
    assert bundle.warnings == ()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        bundle.files = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        bundle.files["new"] = b""  # type: ignore[index]


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

Snapshot = dict[str, tuple[Any, ...]]


def snapshot(root: Path) -> Snapshot:
    """Everything observable about a tree: type, mode, mtime, content or link target."""
    result: Snapshot = {}
    if not os.path.lexists(root):
        return result
    st_root = os.lstat(root)
    result["."] = ("dir", st_root.st_mode, st_root.st_mtime_ns)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            full = Path(dirpath, name)
            rel = full.relative_to(root).as_posix()
            info = os.lstat(full)
            if full.is_symlink():
                result[rel] = ("link", os.readlink(full), info.st_mtime_ns)
            elif full.is_dir():
                result[rel] = ("dir", info.st_mode, info.st_mtime_ns)
            else:
                result[rel] = ("file", info.st_mode, info.st_mtime_ns, full.read_bytes())
    return result


def age(root: Path) -> None:
    """Push every mtime an hour back, so a rewrite cannot hide inside the clock's resolution."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            if not os.path.islink(full):
                st_full = os.stat(full)
                os.utime(full, ns=(st_full.st_atime_ns, st_full.st_mtime_ns - 3_600_000_000_000))
    st_root = os.stat(root)
    os.utime(root, ns=(st_root.st_atime_ns, st_root.st_mtime_ns - 3_600_000_000_000))


def manifest_of(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / MANIFEST_NAME).read_text())
    return data


V1 = Bundle.from_text(
    {"values.yaml": "a: 1\n", "templates/a.yaml": "kind: A\n", "templates/b.yaml": "kind: B\n"}
)
V2 = Bundle.from_text({"values.yaml": "a: 2\n", "templates/a.yaml": "kind: A\n", "Chart.yaml": "name: x\n"})


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "deploy" / "helm"


def test_fresh_write_creates_the_directory_and_manifest(out: Path) -> None:
    report = write_bundle(V1, out, spec_label="litellm.yaml")
    assert report.written == ("templates/a.yaml", "templates/b.yaml", "values.yaml")
    assert report.unchanged == report.removed == ()
    assert report.changed
    assert (out / "values.yaml").read_bytes() == b"a: 1\n"
    assert (out / "templates" / "b.yaml").read_bytes() == b"kind: B\n"
    manifest = manifest_of(out)
    assert manifest["generator"] == "litectl"
    assert manifest["source"] == "litellm.yaml"
    import hashlib

    assert manifest["files"] == [
        {"path": path, "sha256": hashlib.sha256(content).hexdigest()} for path, content in V1.files.items()
    ]
    assert sorted(os.listdir(out.parent)) == ["helm"]  # no staging left behind
    assert check_bundle(V1, out) == []


def test_rewrite_removes_stale_files_and_keeps_user_files(out: Path) -> None:
    write_bundle(V1, out, spec_label="litellm.yaml")
    (out / "README.md").write_text("mine")
    (out / "templates" / "mine.yaml").write_text("mine")
    (out / "notes").mkdir()
    (out / "notes" / "n.txt").write_text("mine")
    report = write_bundle(V2, out, spec_label="litellm.yaml")
    assert report.written == ("Chart.yaml", "values.yaml")
    assert report.unchanged == ("templates/a.yaml",)
    assert report.removed == ("templates/b.yaml",)
    assert not (out / "templates" / "b.yaml").exists()
    assert (out / "README.md").read_text() == "mine"
    assert (out / "templates" / "mine.yaml").read_text() == "mine"
    assert (out / "notes" / "n.txt").read_text() == "mine"
    assert [entry["path"] for entry in manifest_of(out)["files"]] == list(V2.files)
    assert check_bundle(V2, out) == []


def test_directories_left_empty_by_stale_files_are_removed(out: Path) -> None:
    write_bundle(Bundle.from_text({"a/b/c.yaml": "x", "keep.yaml": "k"}), out, spec_label="s")
    write_bundle(Bundle.from_text({"keep.yaml": "k"}), out, spec_label="s")
    assert sorted(os.listdir(out)) == [MANIFEST_NAME, "keep.yaml"]


def test_file_and_directory_may_swap_places(out: Path) -> None:
    write_bundle(Bundle.from_text({"a": "file", "d/x": "1", "d/y/z": "2"}), out, spec_label="s")
    report = write_bundle(Bundle.from_text({"a/inner": "now a dir", "d": "now a file"}), out, spec_label="s")
    assert report.removed == ("a", "d/x", "d/y/z")
    assert (out / "a" / "inner").read_text() == "now a dir"
    assert (out / "d").read_text() == "now a file"


def test_a_directory_holding_user_files_is_not_replaced(out: Path) -> None:
    write_bundle(Bundle.from_text({"d/x": "1"}), out, spec_label="s")
    (out / "d" / "user.txt").write_text("mine")
    before = snapshot(out)
    with pytest.raises(LitectlError, match="refusing to overwrite"):
        write_bundle(Bundle.from_text({"d": "now a file"}), out, spec_label="s")
    assert snapshot(out) == before


def test_user_file_collision_is_refused_and_nothing_changes(out: Path) -> None:
    write_bundle(V1, out, spec_label="litellm.yaml")
    (out / "Chart.yaml").write_text("my own chart\n")
    age(out)
    before = snapshot(out)
    with pytest.raises(LitectlError) as caught:
        write_bundle(V2, out, spec_label="litellm.yaml")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.message == (
        f"{out / 'Chart.yaml'}: refusing to overwrite a file litectl did not write; "
        "remove it or choose another output directory"
    )
    assert snapshot(out) == before
    assert sorted(os.listdir(out.parent)) == ["helm"]


def test_every_collision_is_reported_at_once(out: Path) -> None:
    out.mkdir(parents=True)
    (out / "values.yaml").write_text("mine")
    (out / "templates").write_text("a file where a directory is needed")
    with pytest.raises(LitectlError) as caught:
        write_bundle(V1, out, spec_label="s")
    assert len(caught.value.diagnostics) == 3


def test_identical_unknown_file_is_adopted_without_rewriting(out: Path) -> None:
    out.mkdir(parents=True)
    (out / "values.yaml").write_bytes(b"a: 1\n")
    age(out)
    mtime = os.stat(out / "values.yaml").st_mtime_ns
    report = write_bundle(V1, out, spec_label="s")
    assert report.unchanged == ("values.yaml",)
    assert os.stat(out / "values.yaml").st_mtime_ns == mtime
    assert "values.yaml" in [entry["path"] for entry in manifest_of(out)["files"]]


def test_unchanged_output_is_not_rewritten(out: Path) -> None:
    write_bundle(V1, out, spec_label="litellm.yaml")
    age(out)
    before = snapshot(out)
    report = write_bundle(V1, out, spec_label="litellm.yaml")
    assert report.written == report.removed == ()
    assert report.unchanged == tuple(V1.files)
    assert not report.changed
    assert snapshot(out) == before  # manifest and directories included


def test_only_changed_files_are_rewritten(out: Path) -> None:
    write_bundle(V1, out, spec_label="s")
    age(out)
    before = snapshot(out)
    changed = Bundle({**V1.files, "values.yaml": b"a: 3\n"})
    assert write_bundle(changed, out, spec_label="s").written == ("values.yaml",)
    after = snapshot(out)
    assert after["templates/a.yaml"] == before["templates/a.yaml"]
    assert after["templates/b.yaml"] == before["templates/b.yaml"]
    assert after["values.yaml"] != before["values.yaml"]


def _scenario(out: Path) -> Snapshot:
    write_bundle(V1, out, spec_label="litellm.yaml")
    (out / "user.txt").write_text("mine")
    (out / "templates" / "user.yaml").write_text("mine")
    age(out)
    return snapshot(out)


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
@pytest.mark.parametrize("exception", [OSError(28, "No space left on device"), RuntimeError("boom")])
def test_failure_while_staging_leaves_the_tree_identical(
    out: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int, exception: Exception
) -> None:
    before = _scenario(out)
    parent_before = sorted(os.listdir(out.parent))
    calls = []
    real_stage = output._stage_file

    def failing_stage(path: Path, content: bytes) -> None:
        calls.append(path)
        if len(calls) == fail_at:
            raise exception
        real_stage(path, content)

    monkeypatch.setattr(output, "_stage_file", failing_stage)
    expected = LitectlError if isinstance(exception, OSError) else type(exception)
    with pytest.raises(expected):
        write_bundle(V2, out, spec_label="litellm.yaml")
    assert len(calls) == fail_at
    assert snapshot(out) == before
    assert sorted(os.listdir(out.parent)) == parent_before


def test_failure_in_fsync_leaves_a_fresh_directory_absent(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(LitectlError, match="nothing was changed"):
        write_bundle(V1, out, spec_label="s")
    assert not out.exists()
    assert os.listdir(out.parent) == []


def test_staging_falls_back_inside_when_the_parent_is_not_writable(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    write_bundle(V1, out, spec_label="s")
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        if Path(kwargs["dir"]) == out.parent:
            raise PermissionError(13, "Permission denied")
        return str(real_mkdtemp(*args, **kwargs))

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    assert write_bundle(V2, out, spec_label="s").written == ("Chart.yaml", "values.yaml")
    assert sorted(os.listdir(out)) == [MANIFEST_NAME, "Chart.yaml", "templates", "values.yaml"]
    assert check_bundle(V2, out) == []


def test_interrupted_commit_is_finished_by_the_next_run(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_bundle(V1, out, spec_label="s")
    real_unlink = os.unlink

    def failing_unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path) == out / "templates" / "b.yaml":
            raise OSError(13, "Permission denied")
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", failing_unlink)
    with pytest.raises(LitectlError, match="part-way"):
        write_bundle(V2, out, spec_label="s")
    monkeypatch.undo()
    # The new Chart.yaml was placed before the failure; the intent manifest still owns it, so
    # a run with yet another bundle removes it instead of mistaking it for a user file.
    assert (out / "Chart.yaml").exists()
    report = write_bundle(Bundle.from_text({"values.yaml": "a: 9\n"}), out, spec_label="s")
    assert report.removed == ("Chart.yaml", "templates/a.yaml", "templates/b.yaml")
    assert sorted(os.listdir(out)) == [MANIFEST_NAME, "values.yaml"]
    assert sorted(os.listdir(out.parent)) == ["helm"]


def test_symlinked_output_directory_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "deploy"
    link.symlink_to(elsewhere)
    with pytest.raises(LitectlError, match="symlink"):
        write_bundle(V1, link, spec_label="s")
    with pytest.raises(LitectlError, match="symlink"):
        check_bundle(V1, link)
    assert os.listdir(elsewhere) == []


def test_symlinked_parents_of_the_output_directory_are_fine(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    write_bundle(V1, tmp_path / "alias" / "out", spec_label="s")
    assert (tmp_path / "real" / "out" / "values.yaml").exists()


def test_writing_through_a_symlink_inside_is_refused(tmp_path: Path, out: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out.mkdir(parents=True)
    (out / "templates").symlink_to(outside)
    before = snapshot(out)
    with pytest.raises(LitectlError, match="symlink"):
        write_bundle(V1, out, spec_label="s")
    assert os.listdir(outside) == []
    assert snapshot(out) == before


def test_a_symlink_at_a_generated_path_is_not_replaced(tmp_path: Path, out: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("keep")
    write_bundle(V1, out, spec_label="s")
    (out / "values.yaml").unlink()
    (out / "values.yaml").symlink_to(secret)
    with pytest.raises(LitectlError, match="symlink"):
        write_bundle(V2, out, spec_label="s")
    assert secret.read_text() == "keep"
    assert (out / "values.yaml").is_symlink()


def test_stale_files_behind_symlinks_are_never_deleted(tmp_path: Path, out: Path) -> None:
    write_bundle(V1, out, spec_label="s")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.yaml").write_text("not litectl's")
    (outside / "a.yaml").write_text("not litectl's")
    for name in ("a.yaml", "b.yaml"):
        (out / "templates" / name).unlink()
    (out / "templates").rmdir()
    (out / "templates").symlink_to(outside)
    report = write_bundle(Bundle.from_text({"values.yaml": "a: 1\n"}), out, spec_label="s")
    assert report.skipped == ("templates/a.yaml", "templates/b.yaml")
    assert report.removed == ()
    assert sorted(os.listdir(outside)) == ["a.yaml", "b.yaml"]
    assert [entry["path"] for entry in manifest_of(out)["files"]] == ["values.yaml"]


def test_a_manifest_pointing_outside_is_rejected(tmp_path: Path, out: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    out.mkdir(parents=True)
    entry = {"path": "../../victim.txt", "sha256": "0" * 64}
    (out / MANIFEST_NAME).write_text(json.dumps({"generator": "litectl", "files": [entry]}))
    with pytest.raises(LitectlError, match="not a valid litectl manifest"):
        write_bundle(V1, out, spec_label="s")
    assert victim.read_text() == "keep"


@pytest.mark.parametrize(
    "content", ["", "{", "[]", '{"files": []}', '{"generator": "litectl", "files": [1]}']
)
def test_a_corrupt_manifest_is_reported(out: Path, content: str) -> None:
    out.mkdir(parents=True)
    (out / MANIFEST_NAME).write_text(content)
    with pytest.raises(LitectlError, match="not a valid litectl manifest"):
        write_bundle(V1, out, spec_label="s")
    with pytest.raises(LitectlError, match="not a valid litectl manifest"):
        check_bundle(V1, out)


def test_output_path_that_is_a_file_is_refused(out: Path) -> None:
    out.parent.mkdir(parents=True)
    out.write_text("x")
    with pytest.raises(LitectlError, match="not a directory"):
        write_bundle(V1, out, spec_label="s")


def test_manifest_is_rewritten_when_only_the_label_changes(out: Path) -> None:
    write_bundle(V1, out, spec_label="a.yaml")
    report = write_bundle(V1, out, spec_label="b.yaml")
    assert not report.changed
    assert manifest_of(out)["source"] == "b.yaml"


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------


def test_check_reports_every_kind_of_drift_and_writes_nothing(out: Path) -> None:
    write_bundle(V1, out, spec_label="s")
    (out / "templates" / "a.yaml").write_text("kind: Edited\n")  # edited by hand
    age(out)
    before = snapshot(out)
    expected = Bundle.from_text(
        {"values.yaml": "a: 2\n", "templates/a.yaml": "kind: A\n", "new.yaml": "n\n"}
    )  # values changed in the spec, b removed, new added
    drifts = check_bundle(expected, out)
    assert snapshot(out) == before
    assert [(d.path, d.kind) for d in drifts] == [
        ("new.yaml", "missing"),
        ("templates/a.yaml", "modified"),
        ("templates/b.yaml", "extra"),
        ("values.yaml", "stale"),
    ]
    by_path = {d.path: d for d in drifts}
    assert by_path["values.yaml"].diff == (
        "--- a/values.yaml\n+++ b/values.yaml\n@@ -1 +1 @@\n-a: 1\n+a: 2\n"
    )
    assert by_path["templates/a.yaml"].diff == (
        "--- a/templates/a.yaml\n+++ b/templates/a.yaml\n@@ -1 +1 @@\n-kind: Edited\n+kind: A\n"
    )
    text = format_drift(drifts)
    assert "missing: new.yaml (not generated yet)\n" in text
    assert "extra: templates/b.yaml (no longer generated; litectl would remove it)\n" in text
    assert "stale: values.yaml (out of date" in text
    assert "-kind: Edited\n+kind: A\n" in text
    write_bundle(expected, out, spec_label="s")
    assert check_bundle(expected, out) == []


def test_check_of_a_missing_directory(out: Path) -> None:
    assert [(d.path, d.kind) for d in check_bundle(V1, out)] == [(path, "missing") for path in V1.files]
    assert check_bundle(Bundle({}), out) == [Drift(MANIFEST_NAME, "missing")]
    assert not out.exists()


def test_check_flags_an_unknown_file_in_the_way(out: Path) -> None:
    write_bundle(V1, out, spec_label="s")
    (out / "Chart.yaml").write_text("mine\n")
    drift = {d.path: d for d in check_bundle(V2, out)}["Chart.yaml"]
    assert drift.kind == "modified"
    assert drift.diff.startswith("--- a/Chart.yaml\n+++ b/Chart.yaml\n")


def test_check_diff_marks_missing_final_newline_and_binary(out: Path) -> None:
    write_bundle(Bundle({"t": b"x\n", "bin": b"\xff\x00"}), out, spec_label="s")
    drifts = {d.path: d for d in check_bundle(Bundle({"t": b"x", "bin": b"\xfe"}), out)}
    assert drifts["t"].diff == "--- a/t\n+++ b/t\n@@ -1 +1 @@\n-x\n+x\n\\ No newline at end of file\n"
    assert drifts["bin"].diff == "Binary files a/bin and b/bin differ\n"


def test_check_reports_a_manifest_that_lags_behind(out: Path) -> None:
    write_bundle(V1, out, spec_label="s")
    (out / "values.yaml").write_text("a: 2\n")  # hand-edited into what the new spec gives
    expected = Bundle({**V1.files, "values.yaml": b"a: 2\n"})
    [drift] = check_bundle(expected, out)
    assert drift.path == MANIFEST_NAME
    assert drift.kind == "stale"
    assert f"--- a/{MANIFEST_NAME}" in drift.diff
    write_bundle(expected, out, spec_label="s")
    assert check_bundle(expected, out) == []


def test_check_and_write_agree(out: Path) -> None:
    """`check` finds nothing exactly when `write` would change nothing."""
    bundles = [V1, V2, Bundle({}), Bundle.from_text({"values.yaml": "a: 1\n"}), V1]
    for current, following in itertools.pairwise(bundles):
        write_bundle(current, out, spec_label="s")
        drifts = check_bundle(following, out)
        report = write_bundle(following, out, spec_label="s")
        assert (drifts == []) == (not report.changed and current == following)


def iter_drift_kinds() -> Iterator[str]:
    yield from ("stale", "missing", "extra", "modified")


def test_format_drift_names_every_kind() -> None:
    text = format_drift([Drift("p", kind) for kind in iter_drift_kinds()])  # type: ignore[arg-type]
    assert [line.split(":")[0] for line in text.splitlines()] == list(iter_drift_kinds())
    assert format_drift([]) == ""
    assert format_drift([Drift("a.yaml", "missing")], label="deploy/helm/") == (
        "missing: deploy/helm/a.yaml (not generated yet)\n"
    )
