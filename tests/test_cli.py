"""The command line as a user meets it: exit codes, streams, and that nothing is ever lost."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from clirun import run
from litectl.compiler import __version__
from litectl.compiler.validate import compile_file

REPO = Path(__file__).parents[1]
MINIMAL = REPO / "examples" / "minimal.yaml"


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root with its bytes and mtime (to prove a directory was not touched)."""
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_validate_is_silent_on_success() -> None:
    result = run(["validate", str(MINIMAL)])
    assert (result.code, result.out, result.err) == (0, "", "")


def test_validate_json_on_success_is_an_empty_list() -> None:
    result = run(["validate", "--format", "json", str(MINIMAL)])
    assert result.code == 0
    assert json.loads(result.out) == []


def test_validate_many_files_reports_all(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.read_text().replace("name: litellm\n", "name: Bad\n", 1))
    result = run(["validate", str(MINIMAL), str(bad), str(bad)])
    assert result.code == 1
    assert result.err.count("must be a DNS-1123 label") == 2


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    result = run(["validate", str(tmp_path / "nope.yaml")])
    assert result.code == 1
    assert result.err.startswith(f"{tmp_path / 'nope.yaml'}:1:1: error: cannot read file")


def test_usage_errors_exit_2() -> None:
    assert run(["compile"]).code == 2
    assert run(["validate", "--bogus", "x.yaml"]).code == 2
    assert run(["nonsense"]).code == 2


def test_version_and_help() -> None:
    assert run(["--version"]).out == f"litectl {__version__}\n"
    help_text = run(["--help"]).out
    for command in ("compile", "validate", "schema", "init", "targets"):
        assert command in help_text


def test_schema_command_prints_the_committed_schema() -> None:
    result = run(["schema"])
    assert result.code == 0
    assert result.out == (REPO / "schema" / "litectl.schema.json").read_text()


def test_init_gives_a_valid_spec_with_the_modeline(tmp_path: Path) -> None:
    result = run(["init"])
    assert result.code == 0
    assert result.out.startswith("# yaml-language-server: $schema=https://")
    spec = tmp_path / "litellm.yaml"
    spec.write_text(result.out)
    assert run(["validate", str(spec)]).code == 0
    assert run(["init", "--name", "Not_A_Label"]).code == 2


def test_targets_lists_the_builtins() -> None:
    result = run(["targets"])
    assert result.code == 0
    names = [line.split()[0] for line in result.out.splitlines()]
    assert {"helm", "kustomize", "compose"} <= set(names)


def test_unknown_environment_is_reported(tmp_path: Path) -> None:
    result = run(["compile", str(MINIMAL), "--env", "prod", "-t", "helm", "-o", str(tmp_path / "o")])
    assert result.code == 1
    assert 'unknown environment "prod"' in result.err


def test_unknown_target_is_reported(tmp_path: Path) -> None:
    result = run(["compile", str(MINIMAL), "-t", "helmm", "-o", str(tmp_path / "o")])
    assert result.code == 2  # a command-line mistake: a usage error, like kubectl's and helm's
    assert 'unknown --target "helmm" (did you mean "helm"?)' in result.err


def test_output_takes_one_target(tmp_path: Path) -> None:
    result = run(["compile", str(MINIMAL), "-t", "helm", "-t", "compose", "-o", str(tmp_path / "o")])
    assert result.code == 2


def test_invalid_spec_leaves_a_users_directory_exactly_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    good = tmp_path / "litellm.yaml"
    shutil.copy(MINIMAL, good)
    assert run(["compile", str(good), "-t", "helm", "-o", str(out)]).code == 0
    (out / "my-notes.txt").write_text("mine, not litectl's\n")
    before = snapshot(out)
    assert before

    good.write_text(good.read_text().replace("dbname: litellm", "dbname: 42\n    bogus: true"))
    result = run(["compile", str(good), "-t", "helm", "-o", str(out)])
    assert result.code == 1
    assert "unknown key" in result.err
    assert snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging debris


def test_compile_then_check_is_clean_and_drift_is_caught(tmp_path: Path) -> None:
    spec = tmp_path / "litellm.yaml"
    shutil.copy(MINIMAL, spec)
    out = tmp_path / "out"
    assert run(["compile", str(spec), "-t", "helm", "-o", str(out)]).code == 0
    assert run(["compile", str(spec), "-t", "helm", "-o", str(out), "--check"]).code == 0
    values = out / "values.yaml"
    values.write_text(values.read_text() + "# hand edit\n")
    before = snapshot(out)
    result = run(["compile", str(spec), "-t", "helm", "-o", str(out), "--check"])
    assert result.code == 1
    assert "+++ b/values.yaml" in result.out or "values.yaml" in result.out
    assert "out of date" in result.err
    assert snapshot(out) == before  # --check writes nothing


def test_compile_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        for target in ("helm", "kustomize", "compose"):
            assert run(["compile", str(MINIMAL), "-t", target, "-o", str(tmp_path / name / target)]).code == 0
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert {k: v[0] for k, v in first.items()} == {k: v[0] for k, v in second.items()}


def test_default_output_is_relative_to_the_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "project" / "litellm.yaml"
    spec.parent.mkdir()
    # the example names committed outputs (deploy/minimal/<target>); drop them to get the default
    spec.write_text(re.sub(r"\{output: deploy/minimal/\w+\}", "{}", MINIMAL.read_text()))
    monkeypatch.chdir(tmp_path)
    assert run(["compile", os.path.relpath(spec), "-t", "compose"]).code == 0
    assert (tmp_path / "project" / "deploy" / "compose" / "compose.yaml").is_file()
    assert run(["compile", os.path.relpath(spec)]).code == 0  # every target listed in `targets`
    for target in ("helm", "kustomize", "compose"):
        assert (tmp_path / "project" / "deploy" / target / ".litectl-manifest.json").is_file()


def test_internal_errors_exit_3_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import litectl.compiler.validate as validate

    def boom(*_args: object, **_kw: object) -> object:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(validate, "compile_file", boom)
    monkeypatch.delenv("LITECTL_DEBUG", raising=False)
    result = run(["validate", str(MINIMAL)])
    assert result.code == 3
    assert "internal error, please report" in result.err
    assert "Traceback" not in result.err


def test_examples_validate() -> None:
    for spec in sorted((REPO / "examples").glob("*.yaml")):
        compile_file(spec)
