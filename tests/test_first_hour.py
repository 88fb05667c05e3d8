"""Issue #16: what a new user meets in the first hour (resource quantities, compose .env hygiene, CLI).

Each test drives the real `litectl` entry point on a spec written the way a user would write it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run

SPEC = """\
apiVersion: litectl/v1alpha1
kind: LiteLLMTopology
metadata: {name: litellm}
masterKey: {secretName: mk}
database:
  writer: {host: db, dbname: litellm, passwordSecret: {name: pw}}
gateway:
  resources:
    requests: {cpu: CPU, memory: MEMORY}
targets: {compose: {}}
"""


def _spec(tmp_path: Path, cpu: str, memory: str) -> Path:
    path = tmp_path / "litellm.yaml"
    path.write_text(SPEC.replace("CPU", cpu).replace("MEMORY", memory), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("cpu", "memory", "column"),
    [("1 core", "1Gi", 21), ("1", "2GB", 32), ("-1", "1Gi", 21), ('"-1"', "1Gi", 21), ("1", "4gi", 32),
     ("1", "1.5.2", 32), ("2 ", "''", 33)],
)
def test_a_bad_quantity_is_an_error_at_its_line(tmp_path: Path, cpu: str, memory: str, column: int) -> None:
    result = run(["validate", str(_spec(tmp_path, cpu, memory))])
    assert result.code == 1
    [line] = result.err.splitlines()
    assert line.startswith(f"{tmp_path / 'litellm.yaml'}:9:{column}: error: must be ")
    assert "Kubernetes quantity" in line or "at least 0" in line


@pytest.mark.parametrize(
    ("cpu", "memory", "cpus", "bytes_"),
    [("500m", "512Mi", '"0.5"', "512m"), ("2", "1G", '"2"', "1000000000b"), ("0.25", "1e9", '"0.25"', "1000000000b"),
     ("1", "4Gi", '"1"', "4g")],
)
def test_valid_quantities_reach_compose_converted(
    tmp_path: Path, cpu: str, memory: str, cpus: str, bytes_: str
) -> None:
    spec = _spec(tmp_path, cpu, memory)
    result = run(["compile", str(spec), "--strict"])
    assert result.code == 0, result.err
    assert "other than cpu and memory" not in result.err
    compose = (tmp_path / "deploy" / "compose" / "compose.yaml").read_text(encoding="utf-8")
    assert f"cpus: {cpus}\n          memory: {bytes_}\n" in compose


def test_compose_output_ignores_env_and_check_warns_when_it_is_tracked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    monkeypatch.chdir(tmp_path)
    spec = _spec(tmp_path, "1", "1Gi")
    assert run(["compile", "litellm.yaml"]).code == 0
    ignore = tmp_path / "deploy" / "compose" / ".gitignore"
    assert ignore.read_text(encoding="utf-8").splitlines()[-1] == ".env"

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@invalid", *args], cwd=tmp_path,
                       check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "deploy" / "compose" / ".env").write_text("LITELLM_MASTER_KEY=sk-real\n", encoding="utf-8")
    git("add", "-A")
    assert "deploy/compose/.env" not in subprocess.run(
        ["git", "ls-files"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.splitlines()  # the generated .gitignore keeps it out of `git add -A`
    clean = run(["compile", str(spec.name), "--check"])
    assert clean.code == 0 and clean.err == ""
    git("add", "-f", "deploy/compose/.env")
    for result in (run(["compile", "litellm.yaml", "--check"]), run(["compile", "--check"])):
        assert result.code == 0  # a warning: the outputs themselves are fresh
        assert "warning: deploy/compose/.env: tracked by git, so its secret values are committed" in result.err


@pytest.mark.parametrize("command", [[], ["compile"], ["validate"], ["import"], ["init"], ["schema"], ["targets"]])
def test_help_uses_one_placeholder_style_and_no_python_types(command: list[str]) -> None:
    result = run([*command, "--help"])
    assert result.code == 0
    for python in ("<bool>", "<str>", "<path>", "<list[", "<text|json>", "<int>"):
        assert python not in result.out, python
    if command == ["compile"]:
        for placeholder in ("NAME", "PATH", "FORMAT", "SPEC"):
            assert placeholder in result.out


def test_bare_litectl_prints_help_and_exits_0() -> None:
    result = run([])
    assert result.code == 0
    assert "Usage: litectl" in result.out and "compile" in result.out


@pytest.mark.parametrize("flag", [["-t", "nope"], ["--target=helm", "--target", "hlem"]])
def test_an_unknown_target_option_is_a_usage_error(tmp_path: Path, flag: list[str]) -> None:
    spec = _spec(tmp_path, "1", "1Gi")
    for args in (["compile", str(spec), *flag], ["compile", "--check", *flag]):
        result = run(args)
        assert result.code == 2, result.err
        assert result.err.startswith("litectl: error: unknown --target")
        assert "available: compose, helm, kustomize" in result.err
    assert not (tmp_path / "deploy").exists()
