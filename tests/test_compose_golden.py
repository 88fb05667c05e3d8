"""Golden files: each example's compose output, committed and compared byte for byte.

A reviewer reads the diff of `tests/golden/<example>/compose/` to see what a change does to the
files users run. Regenerate after an intended change with:

    .venv/bin/python tests/test_compose_golden.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from litectl.compiler.output import Bundle
from litectl.compiler.validate import compile_file
from litectl.targets.compose import TARGET
from litectl.targets.options import ComposeOptions

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
EXAMPLES = sorted(REPO.glob("examples/*.yaml"))


def _bundle(example: Path) -> Bundle:
    # The spec's path as users pass it (relative), though only its base name reaches the files.
    compilation = compile_file(example.relative_to(REPO) if example.is_relative_to(Path.cwd()) else example)
    options = compilation.base.targets.get("compose")
    return TARGET.render(compilation, options if isinstance(options, ComposeOptions) else ComposeOptions())


def _golden_dir(example: Path) -> Path:
    return GOLDEN / example.stem / "compose"


def _on_disk(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_compose_output_matches_the_golden_files(example: Path) -> None:
    directory = _golden_dir(example)
    assert directory.is_dir(), f"no golden files for {example.name}: run python {Path(__file__).name}"
    expected = _on_disk(directory)
    actual = dict(_bundle(example).files)
    assert sorted(actual) == sorted(expected), "the set of files changed"
    for path, content in actual.items():
        assert content == expected[path], f"{path} differs from {directory / path}"


def regenerate() -> None:
    """Rewrite every example's golden compose files (stale ones removed)."""
    for example in EXAMPLES:
        directory = _golden_dir(example)
        shutil.rmtree(directory, ignore_errors=True)
        for path, content in _bundle(example).files.items():
            target = directory / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        print(f"wrote {directory.relative_to(REPO)}")


if __name__ == "__main__":
    regenerate()
    sys.exit(0)
