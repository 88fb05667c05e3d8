"""Every user mistake of tests/invalid/*.yaml gives exactly the diagnostics in its .expected file.

The .expected files are reviewed golden output: line, column, message and JSON path of every
problem. `validate` (the fast path) and `compile` (through the full CLI) must both print them,
exit 1, never a traceback, and `compile` must write nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from clirun import run

INVALID = Path(__file__).parent / "invalid"
CASES = sorted(INVALID.glob("*.yaml"))


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parents[1])


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_diagnostics_match_expected(case: Path) -> None:
    spec = os.path.relpath(case)
    result = run(["validate", spec])
    expected = case.with_suffix(".expected").read_text()
    assert result.code == 1
    assert result.out == ""
    assert result.err == expected
    assert "Traceback" not in result.err


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_compile_reports_the_same_problems(case: Path, tmp_path: Path) -> None:
    result = run(["compile", os.path.relpath(case), "--target", "helm", "-o", str(tmp_path / "out")])
    assert result.code == 1
    assert result.err == case.with_suffix(".expected").read_text()
    assert not (tmp_path / "out").exists()


def test_json_format_carries_the_same_positions() -> None:
    case = INVALID / "unknown-key.yaml"
    result = run(["validate", "--format", "json", os.path.relpath(case)])
    assert result.code == 1
    items = json.loads(result.out)
    assert [(i["line"], i["column"], i["path"]) for i in items] == [
        (10, 3, "$.gateway.replicsa"),
        (12, 5, "$.gateway.hpa.enabeld"),
    ]
    assert items[0]["message"] == 'unknown key "replicsa" (did you mean "replicas"?)'
    assert items[0]["severity"] == "error"


def test_every_listed_mistake_has_a_case() -> None:
    """Issue #3 point 4: each kind of mistake is covered by a reviewed case."""
    text = "".join(c.with_suffix(".expected").read_text() for c in CASES)
    for needle in (
        "invalid YAML",
        "did you mean",
        "expected integer, got string",
        "missing required key",
        "DNS-1123",
        "requires database.writer.useIAMAuth",
        "must not exceed hpa.maxReplicas",
        "repeats a path that is already routed",
        "may not be '/'",
        "plaintext secret",
        "duplicate key",
        "environment prod:",
    ):
        assert needle in text, needle
