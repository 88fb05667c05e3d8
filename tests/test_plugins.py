"""Third-party targets register under the `litectl.targets` entry-point group.

The plugin here is really installed for the test run: a module plus its `.dist-info` metadata
on the path of a fresh `python -m litectl.compiler` process, found by importlib.metadata exactly
as an installed distribution would be.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
PLUGIN = textwrap.dedent(
    """
    from __future__ import annotations
    import attrs
    from litectl.compiler.output import Bundle

    @attrs.frozen(kw_only=True)
    class Options:
        output: str = "deploy/inventory"
        title: str = "inventory"

    class Inventory:
        name = "inventory"
        description = "a list of the workloads (test plugin)"
        options_type = Options

        def render(self, compilation, options, *, strict=False):
            lines = [options.title] + [w.name for w in compilation.base.workloads]
            return Bundle.from_text({"inventory.txt": "\\n".join(lines) + "\\n"})

    TARGET = Inventory()
    """
)


@pytest.fixture()
def plugin_path(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "litectl_inventory.py").write_text(PLUGIN)
    dist = site / "litectl_inventory-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: litectl-inventory\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[litectl.targets]\ninventory = litectl_inventory:TARGET\nhelm = litectl_inventory:TARGET\n"
    )
    return site


def litectl(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(
        [sys.executable, "-m", "litectl.compiler", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_plugin_is_listed_and_may_not_replace_a_builtin(plugin_path: Path, tmp_path: Path) -> None:
    result = litectl(["targets"], plugin_path, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("inventory ") and "test plugin" in line for line in lines)
    assert any(line.startswith("helm ") and "built-in" in line for line in lines)
    assert any(line.startswith("helm ") and "may not replace a built-in" in line for line in lines)


def test_plugin_compiles_with_its_own_options(plugin_path: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        (REPO / "examples" / "minimal.yaml")
        .read_text()
        .replace("targets:\n", "targets:\n  inventory:\n    title: workloads\n")
    )
    result = litectl(["compile", str(spec), "--target", "inventory"], plugin_path, tmp_path)
    assert result.returncode == 0, result.stderr
    produced = (tmp_path / "deploy" / "inventory" / "inventory.txt").read_text()
    assert produced == "workloads\nlitellm-gateway\nlitellm-backend\nlitellm-ui\n"

    spec.write_text(spec.read_text().replace("title: workloads", "titel: workloads"))
    result = litectl(["validate", str(spec)], plugin_path, tmp_path)
    assert result.returncode == 1
    assert 'unknown option "titel" of target inventory' in result.stderr
