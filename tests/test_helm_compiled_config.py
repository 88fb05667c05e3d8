"""The chart's precompiled proxy-config texts: taken for every compiled values file, and the
same text as the chart's own path writes for any other config (`--set`, another -f)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import realtools
from litectl.compiler import ir
from litectl.targets import kube
from litectl.targets.helm import goyaml
from test_helm import REPO, chart_dirs, env_params, topologies, values_files

__all__ = ["chart_dirs"]  # the shared session fixture, used by name


def render(chart: Path, env: str | None, **kw: Any) -> list[dict[str, Any]]:
    return realtools.helm_render(chart, values_files=values_files(chart, env), release="litellm",
                                 namespace="litellm", **kw)


def config_map_text(objects: list[dict[str, Any]]) -> str:
    (config_map,) = [o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].endswith("-gateway-config")]
    text: str = config_map["data"][ir.CONFIG_KEY]
    return text


def checksums(objects: list[dict[str, Any]]) -> set[str]:
    return {o["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
            for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"].endswith(("-gateway", "-backend"))}


@pytest.mark.realtool
@pytest.mark.parametrize(("spec", "env"), env_params())
def test_compiled_text_is_taken_and_the_walk_writes_helms_reading(
        spec: Path, env: str | None, chart_dirs: dict[Path, Path], tmp_path: Path) -> None:
    chart = chart_dirs[spec]
    (topology,) = [t for t in topologies(spec) if t.environment == env]
    fast = render(chart, env)
    assert config_map_text(fast) == kube.config_text(topology)
    assert len(checksums(fast)) == 1

    # the chart's own path (the same chart without the precompiled texts) writes the config as
    # Helm holds it: the same text, unless the config has nulls or floats written 10.0
    walked_chart = tmp_path / "walked"
    shutil.copytree(chart, walked_chart)
    shutil.rmtree(walked_chart / "files")
    walked = render(walked_chart, env)
    assert config_map_text(walked) == goyaml.config_text(topology.config.data)
    if kube.config_text(topology) == goyaml.config_text(topology.config.data):
        assert checksums(walked) == checksums(fast)

    # proof the precompiled text is what was rendered: mark every text, render again
    marked_chart = tmp_path / "marked"
    shutil.copytree(chart, marked_chart)
    for text_file in (marked_chart / "files" / "proxy-config").glob("*.yaml"):
        text_file.write_text(text_file.read_text() + "# precompiled\n")
    marked = render(marked_chart, env)
    assert config_map_text(marked) == config_map_text(fast) + "# precompiled\n"
    assert (chart / "files" / "proxy-config" / "index.json").is_file()


def test_the_hostile_spec_shows_the_difference() -> None:
    """So the walk branch above is exercised: this spec's config has a null and a float."""
    (base, *_) = topologies(REPO / "tests" / "specs" / "hostile-values.yaml")
    assert kube.config_text(base) != goyaml.config_text(base.config.data)


@pytest.mark.realtool
def test_a_config_set_at_install_time_is_written_by_the_chart(chart_dirs: dict[Path, Path]) -> None:
    chart = next(iter(chart_dirs.values()))
    objects = render(chart, None, set_values={"gateway.config.proxy_config.litellm_settings.num_retries": 7})
    text = config_map_text(objects)
    assert "num_retries: 7" in text and "# precompiled" not in text
