"""The anchor: real Helm (helm-python-sdk, Helm's Go SDK in-process) rendering a compiled chart.

What it does is what `helm template -f values.yaml [-f values-<env>.yaml]` does for the base and for
every environment: load the chart, read the values files with Helm's own YAML reader, merge them
(maps deep-merged, the later file winning) and render every template. All renders happen in one
process, which is kinder to Helm than one `helm template` process per environment would be.

`python -m benchmarks.helm_anchor CHART [ENV...]` is the cold measurement (a fresh process that
imports the SDK); with `--warm RUNS` it renders once unmeasured, then RUNS times, and prints the
(wall, cpu) seconds of each as JSON: the warm figure (SDK loaded, chart files cached).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

RELEASE = "bench"
NAMESPACE = "bench"


def merge_values(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`helm -f base -f override`: maps merge deeply, anything else from the later file wins."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = merge_values(current, value)
        else:
            merged[key] = value
    return merged


def render_all(chart_dir: Path, environments: Sequence[str]) -> int:
    """Render the base and each environment; return the number of manifest bytes Helm produced."""
    import helm_python as helm

    helm.disable_logging()
    base = helm.values_from_yaml((chart_dir / "values.yaml").read_text(encoding="utf-8"))
    produced = 0
    with helm.Chart.load(str(chart_dir)) as chart:
        for env in (None, *environments):
            values = base
            if env is not None:
                delta = helm.values_from_yaml((chart_dir / f"values-{env}.yaml").read_text(encoding="utf-8"))
                values = merge_values(base, delta)
            rendered: dict[str, str] = chart.render(values=values, name=RELEASE, namespace=NAMESPACE)
            produced += sum(len(text) for text in rendered.values())
    if not produced:
        raise RuntimeError(f"helm rendered nothing from {chart_dir}")
    return produced


def warm(chart_dir: Path, environments: Sequence[str], runs: int) -> list[tuple[float, float]]:
    """(wall, cpu) seconds of `runs` renders after one unmeasured render in this process."""
    render_all(chart_dir, environments)
    out = []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        render_all(chart_dir, environments)
        out.append((time.perf_counter() - wall, time.process_time() - cpu))
    return out


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    runs = 0
    if args[:1] == ["--warm"] and len(args) > 1:
        runs = int(args[1])
        args = args[2:]
    if not args:
        sys.stderr.write("usage: python -m benchmarks.helm_anchor [--warm RUNS] CHART_DIR [ENV...]\n")
        return 2
    if runs:
        json.dump(warm(Path(args[0]), args[1:], runs), sys.stdout)
    else:
        render_all(Path(args[0]), args[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
