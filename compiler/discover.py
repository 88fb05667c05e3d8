"""Which specs have generated outputs here: `litectl compile --check` without a SPEC.

The drift gate has to notice a hand-edited or deleted generated file in a commit that touches
no spec, so it cannot rely on being told which spec changed. Every output directory litectl
writes carries a manifest naming the spec it came from, as a path relative to that directory
(so it reads the same from any working directory and never churns in version control). This
module finds those manifests -- the ones git tracks when inside a work tree, since what is
committed is what must be fresh -- and maps them back to specs and to the output each one is.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath

import attrs
from litectl.compiler.diagnostics import Diagnostic, LitectlError, UsageError, error, warning
from litectl.compiler.output import MANIFEST_NAME

__all__ = ["Found", "check_found", "find_outputs", "source_label"]

# Folders never searched when walking a tree without git: tool caches, virtualenvs, VCS data.
_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages"})


def source_label(spec: Path, out_dir: Path) -> str:
    """How an output directory's manifest names its spec: relative to that directory, '/'-separated.

    Relative to the output (not to wherever litectl ran) so that the manifest reads the same
    from any working directory, and the spec can be found again from the manifest alone.
    """
    try:
        relative = os.path.relpath(os.path.abspath(spec), os.path.abspath(out_dir))
    except ValueError:  # another drive on Windows: no relative path exists
        return PurePath(os.path.abspath(spec)).as_posix()
    return PurePath(relative).as_posix()


@attrs.frozen
class Found:
    """The outputs under a tree, grouped by the spec that generated them."""

    outputs: dict[Path, list[Path]]  # spec -> output directories (both as found, relative or not)
    problems: list[Diagnostic]  # manifests that name no existing spec


def _tracked_manifests(root: Path) -> list[Path] | None:
    """Manifests git tracks under `root` (None when `root` is not in a git work tree)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--", f":(glob)**/{MANIFEST_NAME}"],
            cwd=root,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode != 0:
        return None
    return [root / name for name in sorted(set(os.fsdecode(listed.stdout).split("\0"))) if name]


# The file names the litectl-validate hook takes for specs (its `files:` pattern), and how a
# spec says what it is: a file by that name that is not a topology spec (a proxy config named
# litellm-config.yaml) is not one the gate should require outputs for.
SPEC_FILE_PATTERN = re.compile(r"(^|/)(litellm[^/]*|[^/]+\.litectl)\.ya?ml$")
_SPEC_KIND = re.compile(rb"^kind:[ \t]*[\"']?LiteLLMTopology[\"']?[ \t]*(#.*)?$", re.MULTILINE)


def _tracked_specs(root: Path) -> list[Path] | None:
    """Spec files git tracks under `root`, found by their own names (None outside a work tree).

    Found by manifests alone, a spec whose outputs were all deleted (`git rm -r deploy`) would
    vanish from the check with them; found by its own file, its missing outputs fail it.
    """
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--", "."],
            cwd=root,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode != 0:
        return None
    names = sorted(set(os.fsdecode(listed.stdout).split("\0")))
    return [root / name for name in names if name and SPEC_FILE_PATTERN.search(name)]


def _walked_specs(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        relative = Path(directory).relative_to(root)
        found.extend(
            Path(directory) / name
            for name in sorted(filenames)
            if SPEC_FILE_PATTERN.search((relative / name).as_posix())
        )
    return found


def _is_spec(path: Path) -> bool:
    try:
        return _SPEC_KIND.search(path.read_bytes()[:1_000_000]) is not None
    except OSError:
        return False


def tracked_env_file(out_dir: Path) -> Path | None:
    """The `.env` beside a compose output when git tracks it (its secrets are then committed)."""
    env_file = Path(out_dir) / ".env"
    if not env_file.parent.is_dir():
        return None
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--error-unmatch", "--", ".env"],
            cwd=env_file.parent,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return env_file if listed.returncode == 0 else None


def _walked_manifests(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        if MANIFEST_NAME in filenames:
            found.append(Path(directory) / MANIFEST_NAME)
    return found


def find_outputs(root: Path) -> Found:
    """Every output directory with a manifest under `root`, by the spec its manifest names."""
    root = Path(root)
    manifests = _tracked_manifests(root)
    if manifests is None:
        manifests = _walked_manifests(root)
    outputs: dict[Path, list[Path]] = {}
    problems: list[Diagnostic] = []
    for manifest in manifests:
        shown = manifest  # relative to the current directory when `root` is "."
        try:
            document = json.loads(manifest.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            problems.append(
                error(
                    f"{shown}: tracked by git but missing: its output was deleted; regenerate it or git rm it"
                )
            )
            continue
        except (OSError, UnicodeDecodeError, ValueError):
            document = None
        source = document.get("source") if isinstance(document, dict) else None
        if not isinstance(source, str) or not source:
            problems.append(
                error(f"{shown}: not a litectl manifest naming its spec; cannot check this output")
            )
            continue
        spec = Path(os.path.normpath(shown.parent / source))
        if not spec.is_file() and (root / source).is_file():
            spec = Path(source)  # written by an older litectl, relative to where it ran
        if not spec.is_file():
            problems.append(
                error(
                    f"{shown.parent}: generated from {source}, which is not there any more; "
                    "remove the output or restore the spec"
                )
            )
            continue
        outputs.setdefault(spec, []).append(shown.parent)
    specs = _tracked_specs(root)
    for path in _walked_specs(root) if specs is None else specs:
        spec = Path(os.path.normpath(path))
        if spec.is_file() and _is_spec(spec) and spec not in outputs:
            outputs[spec] = []
    return Found(outputs, problems)


def check_found(
    root: Path,
    *,
    targets: Sequence[str],
    strict: bool,
    report: Callable[[Sequence[Diagnostic]], None],
) -> bool:
    """`litectl compile --check` with no SPEC: check every spec with outputs under `root`.

    Each spec is checked like `litectl compile SPEC --check` (its configured outputs), plus
    `--env` outputs (`<output>-<env>`) that are present. An output found anywhere else was
    written with -o and is reported as not checked. Returns True when anything is stale or
    could not be checked.
    """
    from litectl.compiler.build import build
    from litectl.compiler.loader import load_file

    found = find_outputs(root)
    failed = bool(found.problems)
    if found.problems:
        report(found.problems)
    if not found.outputs and not found.problems:
        report([warning(f"no litectl output directories under {root}: nothing to check")])
    for spec in sorted(found.outputs):
        unchecked = {os.path.realpath(d): d for d in found.outputs[spec]}
        try:
            failed |= build(
                spec, targets=targets, env=None, output=None, check=True, strict=strict, report=report
            )
        except LitectlError as exc:
            failed = True
            report(exc.diagnostics)
            continue
        except UsageError as exc:
            failed = True
            report([error(f"{spec}: {exc}")])
            continue
        data = load_file(spec).data  # it compiled just now, so it loads
        configured = data.get("targets") or {}
        for name in list(targets) or sorted(configured):
            # the rule of build.output_dir: targets.<name>.output relative to the spec, `-<env>` with --env
            relative = Path((configured.get(name) or {}).get("output") or f"deploy/{name}")
            base = relative if relative.is_absolute() else spec.parent / relative
            unchecked.pop(os.path.realpath(base), None)
            for env in sorted(data.get("environments") or {}):
                if unchecked.pop(os.path.realpath(base.with_name(f"{base.name}-{env}")), None) is None:
                    continue
                try:
                    failed |= build(
                        spec, targets=[name], env=env, output=None, check=True, strict=strict, report=report
                    )
                except LitectlError as exc:
                    failed = True
                    report(exc.diagnostics)
        for directory in sorted(unchecked.values()):
            report(
                [
                    warning(
                        f"{directory}: generated from {spec} with -o, not at one of its outputs "
                        "(targets.<name>.output); not checked"
                    )
                ]
            )
    return failed
