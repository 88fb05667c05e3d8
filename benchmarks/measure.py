"""Cold-process measurements: wall time, CPU time and peak memory of one child process.

Each measurement is a fresh process, reaped with `os.wait4`, whose resource usage is that child's
alone (`RUSAGE_CHILDREN` would report the largest child so far, not this one).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One run: wall and CPU (user + system) seconds, peak resident memory in bytes."""

    wall: float
    cpu: float
    max_rss: int


@dataclass(frozen=True)
class Summary:
    """The medians of repeated runs (peak memory: the largest seen), plus how many runs, and the
    least CPU time of any run (what the work costs, with the least added by a busy machine)."""

    wall: float
    cpu: float
    max_rss: int
    runs: int
    cpu_min: float

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Summary:
        if not samples:
            raise ValueError("no samples")
        return cls(
            wall=statistics.median(s.wall for s in samples),
            cpu=statistics.median(s.cpu for s in samples),
            max_rss=max(s.max_rss for s in samples),
            runs=len(samples),
            cpu_min=min(s.cpu for s in samples),
        )


class ChildFailedError(RuntimeError):
    """A measured command exited with a status other than the expected one."""


class ChildTimedOutError(RuntimeError):
    """A measured command ran longer than its time limit (it and its children were killed)."""


# The process that starts each measured command. It has to be small: on Linux a child's peak RSS
# starts from the memory of the process it was spawned from, so the harness starts this launcher
# (~8 MB, `python -S`), which spawns the command, reaps it and prints its wall time (spawn to
# exit), CPU time (user + system), peak RSS and exit status.
_LAUNCHER = """
import os, sys, time
null = os.open(os.devnull, os.O_RDWR)
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ,
                      file_actions=[(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1)])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_cold(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    expect: Sequence[int] = (0,),
    timeout: float | None = None,
) -> Sample:
    """Run `argv` once as a fresh process and measure it; raise when its exit status is unexpected."""
    with tempfile.TemporaryFile() as stderr:
        # A session of its own: on a timeout the launcher and the command are killed together.
        process = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER, *argv], cwd=cwd, env=dict(env),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, start_new_session=True,
        )
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ChildTimedOutError(f"{' '.join(argv)} ran longer than {timeout:.0f} s") from None
        fields = out.split()
        if process.returncode != 0 or len(fields) != 4 or int(fields[3]) not in expect:
            stderr.seek(0)
            detail = stderr.read().decode("utf-8", "replace").strip()
            status = fields[3].decode() if len(fields) == 4 else f"launcher {process.returncode}"
            raise ChildFailedError(f"{' '.join(argv)} exited {status}: {detail[-2000:]}")
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    scale = 1 if sys.platform == "darwin" else 1024
    return Sample(wall=float(fields[0]), cpu=float(fields[1]), max_rss=int(fields[2]) * scale)
