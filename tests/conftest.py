"""Session-wide test setup: a stable environment for the real tools and the two root folders.

Kept light on purpose: nothing heavy is imported or probed here; ``realtools`` loads each tool
only when a test first uses it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Subprocess tools (kustomize, nginx, npm) then behave the same on every machine; a caller's own
# settings win.
for _key, _value in {
    "TZ": "UTC",
    "LC_ALL": "C.UTF-8",
    "NO_COLOR": "1",
    "npm_config_update_notifier": "false",
    "npm_config_fund": "false",
    "npm_config_audit": "false",
}.items():
    os.environ.setdefault(_key, _value)

_REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository checkout (the folder holding pyproject.toml)."""
    return _REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir(repo_root: Path) -> Path:
    """The shared folder CI places beside the repository (``../shared``): spec, references, hooks."""
    shared = repo_root.parent / "shared"
    if not (shared / "reference" / "compose-spec.json").is_file():
        pytest.fail(
            f"{shared} is missing or incomplete: the tests need the shared folder beside the repository "
            "(../shared with reference/compose-spec.json), as CI provides it",
            pytrace=False,
        )
    return shared
