"""Profile one litectl command on a generated spec, in-process, with cProfile.

    python -m benchmarks.profile [--models 5000] [--envs 5] [--target kustomize | --validate]
                                 [--sort cumulative|tottime] [--limit 40] [--output FILE]

The spec is generated like the benchmark's (same seed); with `--lift-configmap-limit` the 1 MiB
ConfigMap check reports nothing, so specs too large for one ConfigMap can still be profiled.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.specgen import spec_text
from benchmarks.unlimited import lift_configmap_limit


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--envs", type=int, default=5)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--target", default="kustomize", help="compile this target (default: kustomize)")
    group.add_argument("--validate", action="store_true", help="profile `litectl validate` instead")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    parser.add_argument("--limit", type=int, default=40, help="rows to print")
    parser.add_argument("--output", type=Path, help="also save the raw profile (for snakeviz & co.)")
    parser.add_argument("--lift-configmap-limit", action="store_true",
                        help="do not reject proxy configs over 1 MiB (see benchmarks/unlimited.py)")
    args = parser.parse_args(argv)
    if args.lift_configmap_limit:
        lift_configmap_limit()
    from litectl.compiler.cli import main as litectl

    with tempfile.TemporaryDirectory(prefix="litectl-profile-") as tmp:
        spec = Path(tmp) / "litellm.yaml"
        spec.write_text(spec_text(args.models, args.envs), encoding="utf-8")
        command = ["validate", str(spec)] if args.validate else \
            ["compile", str(spec), "-t", args.target, "-o", str(Path(tmp) / "out")]
        profiler = cProfile.Profile()
        start = time.perf_counter()
        status: object = 0
        profiler.enable()
        try:
            litectl(command)
        except SystemExit as exc:
            status = exc.code
        finally:
            profiler.disable()
        elapsed = time.perf_counter() - start
    print(f"litectl {' '.join(command[:1] + command[2:4])}: exit {status}, {elapsed:.2f} s under the profiler",
          file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    if args.output is not None:
        stats.dump_stats(args.output)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
