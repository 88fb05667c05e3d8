"""A built wheel installed into a fresh virtual environment works, not only the editable install.

Catches what editable installs hide: package data (the schema, the chart templates) missing
from the wheel, and imports that only resolve from the source tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]


def sh(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False, timeout=600
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    shutil.copytree(
        REPO,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "*.egg-info", "build", "dist", "__pycache__", ".tools", "node_modules", "deploy"
        ),
    )
    built = sh(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", work / "dist", src
    )
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next((work / "dist").glob("litectl-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "litectl/schema/litectl.schema.json" in names
    assert any(n.startswith("litectl/targets/helm/chart/templates/") for n in names)
    assert not any(n.startswith(("compiler/", "targets/", "schema/", "tests/")) for n in names)
    env = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    py = env / "bin" / "python"
    done = sh(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel)
    assert done.returncode == 0, done.stdout + done.stderr
    return env


def test_wheel_cli_validates_and_compiles(installed: Path, tmp_path: Path) -> None:
    litectl = installed / "bin" / "litectl"
    spec = tmp_path / "litellm.yaml"
    shutil.copy(REPO / "examples" / "production.yaml", spec)
    assert sh(litectl, "--version").returncode == 0
    result = sh(litectl, "validate", spec)
    assert (result.returncode, result.stderr) == (0, "")
    for target in ("helm", "kustomize", "compose"):
        result = sh(litectl, "compile", spec, "--target", target, "-o", tmp_path / target)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "helm" / "templates").is_dir()
    assert (tmp_path / "kustomize" / "base" / "kustomization.yaml").is_file()
    assert (tmp_path / "compose" / "compose.yaml").is_file()
    assert sh(litectl, "schema").stdout.startswith("{")
