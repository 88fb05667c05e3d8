"""The floor chart: the least any chart carrying a compiled proxy config must make Helm do.

It is written into a temporary directory by the benchmark itself (never shipped): one ConfigMap
holding `toYaml` of `gateway.config.proxy_config` and one Deployment mounting it. Rendering it with
real Helm beside litectl's chart, per values file, gives the ratio litectl-chart / floor-chart
that issue #14 asks to keep within 1.5x; `helm lint` time and the size of the release Helm would
store (gzipped, base64 in a Secret, which Kubernetes caps at 1 MiB) are reported beside it.

`python -m benchmarks.floor CHART_DIR [ENV...] [--reps N]` prints one JSON object per values file.
"""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.helm_anchor import NAMESPACE, RELEASE, merge_values

SECRET_LIMIT = 1024 * 1024

CHART_YAML = "apiVersion: v2\nname: floor\nversion: 0.1.0\n"
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  config.yaml: |
    {{- toYaml .Values.gateway.config.proxy_config | nindent 4 }}
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-gateway
spec:
  selector:
    matchLabels: {app: gateway}
  template:
    metadata:
      labels: {app: gateway}
    spec:
      containers:
        - name: gateway
          image: ghcr.io/berriai/litellm:main-stable
          args: ["--config", "/etc/litellm/config.yaml"]
          volumeMounts:
            - {name: config, mountPath: /etc/litellm}
      volumes:
        - name: config
          configMap: {name: {{ .Release.Name }}-config}
"""


def write_floor_chart(directory: Path) -> Path:
    """Write the floor chart into `directory` (created) and return it."""
    (directory / "templates").mkdir(parents=True, exist_ok=True)
    (directory / "Chart.yaml").write_text(CHART_YAML, encoding="utf-8")
    (directory / "templates" / "configmap.yaml").write_text(CONFIGMAP, encoding="utf-8")
    (directory / "templates" / "deployment.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    return directory


def _values(chart_dir: Path, env: str | None) -> dict[str, Any]:
    import helm_python as helm

    base: dict[str, Any] = helm.values_from_yaml((chart_dir / "values.yaml").read_text(encoding="utf-8"))
    if env is None:
        return base
    delta = helm.values_from_yaml((chart_dir / f"values-{env}.yaml").read_text(encoding="utf-8"))
    return merge_values(base, delta)


def release_size(chart_dir: Path, values: dict[str, Any], manifest: dict[str, str]) -> int:
    """Bytes of the release Secret's data as Helm stores it: JSON of chart files, values and manifest,
    gzipped, then base64 (an estimate: Helm's release record holds these plus small metadata)."""
    files = {str(p.relative_to(chart_dir)): p.read_text(encoding="utf-8")
             for p in sorted(chart_dir.rglob("*")) if p.is_file()}
    record = json.dumps({"chart": files, "config": values, "manifest": "\n---\n".join(manifest.values())})
    return len(base64.b64encode(gzip.compress(record.encode("utf-8"))))


def measure(chart_dir: Path, env: str | None, reps: int) -> dict[str, Any]:
    """Warm render times (min of `reps`) of litectl's chart and the floor chart for one values file."""
    import helm_python as helm

    helm.disable_logging()
    values = _values(chart_dir, env)
    out: dict[str, Any] = {"values": "values.yaml" if env is None else f"values-{env}.yaml"}
    with tempfile.TemporaryDirectory(prefix="litectl-floor-") as scratch:
        floor_dir = write_floor_chart(Path(scratch) / "floor")
        for name, directory in (("litectl", chart_dir), ("floor", floor_dir)):
            with helm.Chart.load(str(directory)) as chart:
                manifest: dict[str, str] = chart.render(values=values, name=RELEASE, namespace=NAMESPACE)
                times = []
                for _ in range(reps):
                    started = time.perf_counter()
                    chart.render(values=values, name=RELEASE, namespace=NAMESPACE)
                    times.append(time.perf_counter() - started)
            out[f"{name}_warm_s"] = min(times)
            out[f"{name}_release_bytes"] = release_size(directory, values, manifest)
    out["ratio"] = out["litectl_warm_s"] / out["floor_warm_s"]
    started = time.perf_counter()
    helm.lint(str(chart_dir), values)
    out["lint_s"] = time.perf_counter() - started
    out["release_fits"] = out["litectl_release_bytes"] < SECRET_LIMIT
    return out


def cold(chart_dir: Path, env: str | None) -> float:
    """Wall seconds of a fresh process rendering one values file (import of the SDK included)."""
    code = ("import sys; from pathlib import Path; from benchmarks.floor import _values; import helm_python as h;"
            "d=Path(sys.argv[1]); e=sys.argv[2] or None; v=_values(d, e);"
            "c=h.Chart.load(str(d)); c.render(values=v, name='bench', namespace='bench')")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(chart_dir), env or ""], check=True)
    return time.perf_counter() - started


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    reps = 3
    if "--reps" in args:
        at = args.index("--reps")
        reps = int(args[at + 1])
        del args[at:at + 2]
    if not args:
        sys.stderr.write("usage: python -m benchmarks.floor CHART_DIR [ENV...] [--reps N]\n")
        return 2
    chart_dir = Path(args[0])
    for env in (None, *args[1:]):
        row = measure(chart_dir, env, reps)
        with tempfile.TemporaryDirectory(prefix="litectl-floor-") as scratch:
            floor_dir = write_floor_chart(Path(scratch) / "floor")
            (floor_dir / "values.yaml").write_text((chart_dir / "values.yaml").read_text(encoding="utf-8"),
                                                   encoding="utf-8")
            if env is not None:
                (floor_dir / f"values-{env}.yaml").write_text(
                    (chart_dir / f"values-{env}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
            row["floor_cold_s"] = cold(floor_dir, env)
        row["litectl_cold_s"] = cold(chart_dir, env)
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
