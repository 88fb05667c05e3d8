"""The everyday workflow: the drift gate, its discovery of specs, pre-commit hooks, editor set-up.

`litectl compile --check` is what CI and the `litectl-check` hook run, so every kind of drift is
exercised end to end through the CLI (stale, missing, extra, hand-edited, a lost manifest, a
renamed spec), always checking that a check writes nothing. The hooks are run for real with
`pre-commit try-repo` (marked realtool: it builds the hook environment with pip, from a local
wheelhouse so that it works offline once the wheelhouse exists).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import Result, run
from litectl.compiler.loader import load_text
from litectl.compiler.naming import generated_header
from litectl.compiler.output import MANIFEST_NAME
from litectl.schema import SCHEMA_ID, load_schema

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(REPO.glob("examples/*.yaml"))
GOLDEN = REPO / "tests" / "golden"
TARGETS = ("compose", "helm", "kustomize")


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `root` with its bytes and mtime: a check must change neither."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=litectl tests", "-c", "user.email=tests@invalid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's repository: `litectl init` spec, compiled to every target, committed; cwd is its root."""
    monkeypatch.chdir(tmp_path)
    init = run(["init"])
    assert init.code == 0
    Path("litellm.yaml").write_text(init.out, encoding="utf-8")
    assert compile_all().code == 0
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "litellm: first deployment")
    return tmp_path


def compile_all(*args: str) -> Result:
    return run(["compile", "litellm.yaml", *args])


def check(*args: str) -> Result:
    return run(["compile", "--check", *args])


# --- the drift gate: every kind of drift, every target, nothing written ---------------------------


def test_fresh_outputs_pass_and_checking_writes_nothing(project: Path) -> None:
    before = snapshot(project / "deploy")
    for result in (check(), check("litellm.yaml"), compile_all("--check")):
        assert result.code == 0, result.err
        assert result.out == ""
    assert snapshot(project / "deploy") == before
    assert sorted(p.name for p in (project / "deploy").iterdir()) == sorted(TARGETS)


def _edit_generated(project: Path) -> str:
    values = project / "deploy" / "helm" / "values.yaml"
    values.write_text(values.read_text(encoding="utf-8") + "# tweak\n", encoding="utf-8")
    return "modified: deploy/helm/values.yaml"


def _change_spec(project: Path) -> str:
    spec = project / "litellm.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("numWorkers: 1", "numWorkers: 2"), encoding="utf-8"
    )
    return "stale: deploy/kustomize/base/gateway-deployment.yaml"


def _delete_generated(project: Path) -> str:
    (project / "deploy" / "compose" / "compose.yaml").unlink()
    return "deleted: deploy/compose/compose.yaml (generated before and deleted since"


def _no_longer_generated(project: Path) -> str:
    spec = project / "litellm.yaml"
    text = spec.read_text(encoding="utf-8").replace("ingress:\n  enabled: false", "ingress:\n  enabled: true")
    spec.write_text(text, encoding="utf-8")
    assert compile_all().code == 0
    spec.write_text(text.replace("ingress:\n  enabled: true", "ingress:\n  enabled: false"), encoding="utf-8")
    return "extra: deploy/kustomize/base/ingress.yaml"


def _lose_the_manifest(project: Path) -> str:
    (project / "deploy" / "helm" / MANIFEST_NAME).unlink()
    return "tracked by git but missing"


def _delete_an_output(project: Path) -> str:
    shutil.rmtree(project / "deploy" / "kustomize")
    return "deleted: deploy/kustomize/base/kustomization.yaml"


DRIFTS = {
    "hand-edited": _edit_generated,
    "spec changed": _change_spec,
    "deleted": _delete_generated,
    "no longer generated": _no_longer_generated,
    "manifest lost": _lose_the_manifest,
    "output deleted": _delete_an_output,
}


@pytest.mark.parametrize("drift", sorted(DRIFTS))
@pytest.mark.parametrize("how", ["discovered", "named"])
def test_drift_fails_the_check_with_what_and_a_diff(project: Path, drift: str, how: str) -> None:
    expected = DRIFTS[drift](project)
    before = snapshot(project)
    result = check() if how == "discovered" else check("litellm.yaml")
    assert result.code == 1, (result.out, result.err)
    if drift == "manifest lost" and how == "named":
        expected = "missing: deploy/helm/.litectl-manifest.json"
    assert expected in result.out + result.err
    assert "error:" in result.err
    assert snapshot(project) == before, "--check wrote something"
    if drift in ("hand-edited", "spec changed"):
        assert re.search(r"^@@ .* @@$", result.out, re.MULTILINE), "a unified diff"
    # the fix is the command the error names
    assert compile_all().code == 0
    assert check().code == 0 and check("litellm.yaml").code == 0


def test_git_rm_of_every_output_fails_the_gate(project: Path) -> None:
    """The hole of issue #16: with the manifests gone too, the spec is found by its own file."""
    git(project, "rm", "-r", "-q", "deploy")
    git(project, "commit", "-q", "-m", "drop the generated files")
    result = check()
    assert result.code == 1, (result.out, result.err)
    for target in TARGETS:
        assert f"{target} output in deploy/{target} is out of date with litellm.yaml" in result.err
    # committed at the previous HEAD only: "missing", since HEAD's manifests are gone as well
    assert "missing: deploy/helm/Chart.yaml (not generated yet)" in result.out
    assert compile_all().code == 0
    assert check().code == 0


def test_git_rm_before_the_commit_says_deleted(project: Path) -> None:
    git(project, "rm", "-r", "-q", "deploy")
    result = check()
    assert result.code == 1
    assert "deleted: deploy/helm/Chart.yaml (generated before and deleted since" in result.out
    assert "not generated yet" not in result.out


def test_files_named_like_specs_that_are_no_spec_are_not_required(project: Path) -> None:
    (project / "litellm-config.yaml").write_text("model_list: []\n", encoding="utf-8")
    nested = project / "team" / "gateway.litectl.yaml"
    nested.parent.mkdir()
    nested.write_text((project / "litellm.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    git(project, "add", "-A")
    result = check()
    assert result.code == 1  # the nested spec was never compiled: its outputs are required
    assert "out of date with team/gateway.litectl.yaml" in result.err
    assert "litellm-config.yaml" not in result.err
    assert run(["compile", "team/gateway.litectl.yaml"]).code == 0
    git(project, "add", "-A")
    assert check().code == 0


def test_a_diff_shows_the_changed_value(project: Path) -> None:
    _change_spec(project)
    result = check()
    assert "--- a/base/gateway-deployment.yaml" in result.out
    assert '-              value: "1"' in result.out and '+              value: "2"' in result.out


def test_a_renamed_spec_leaves_its_outputs_orphaned(project: Path) -> None:
    git(project, "mv", "litellm.yaml", "gateway.yaml")
    result = check()
    assert result.code == 1
    assert "generated from ../../litellm.yaml, which is not there any more" in result.err


def test_generated_files_name_litectl_and_the_spec(project: Path) -> None:
    header = generated_header("litellm.yaml")
    # Formats without comments, and the one file whose bytes are data (the proxy config the
    # kustomize ConfigMap generator reads: a comment would change the ConfigMap).
    no_comments = {"helm/values.schema.json", "kustomize/base/config.yaml"}
    for path in sorted((project / "deploy").rglob("*")):
        name = path.relative_to(project / "deploy").as_posix()
        if not path.is_file() or path.name == MANIFEST_NAME or name in no_comments:
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":  # JSON has no comments: the header is its "$comment"
            assert json.loads(text)["$comment"] == header, name
            continue
        first = text.splitlines()[0]
        assert header in first, f"{name}: {first}"


def test_manifests_name_their_spec_the_same_from_any_directory(project: Path) -> None:
    """So committed manifests never churn with where someone ran litectl."""
    manifest = project / "deploy" / "helm" / MANIFEST_NAME
    assert '"source": "../../litellm.yaml"' in manifest.read_text(encoding="utf-8")
    before = manifest.read_bytes()
    os.chdir(project / "deploy")
    assert run(["compile", "../litellm.yaml"]).code == 0
    assert manifest.read_bytes() == before
    assert run(["compile", "--check"]).code == 0  # discovery from a subdirectory


def test_environment_outputs_are_checked_and_o_outputs_are_reported(project: Path) -> None:
    spec = project / "litellm.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "environments: {}", "environments:\n  prod: {gateway: {hpa: {maxReplicas: 20}}}"
        ),
        encoding="utf-8",
    )
    assert compile_all().code == 0
    assert compile_all("--env", "prod", "-t", "helm").code == 0
    assert run(["compile", "litellm.yaml", "-t", "helm", "-o", "charts/litellm"]).code == 0
    git(project, "add", "-A")
    result = check()
    assert result.code == 0, result.err
    assert "charts/litellm: generated from litellm.yaml with -o" in result.err
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("maxReplicas: 20", "maxReplicas: 30"), encoding="utf-8"
    )
    result = check("-t", "helm")
    assert result.code == 1
    assert "stale: deploy/helm-prod/values-prod.yaml" in result.out or "deploy/helm-prod/" in result.out


def test_untracked_outputs_are_not_what_discovery_checks(project: Path) -> None:
    """Inside git, only committed (tracked) outputs are the contract; scratch builds are not."""
    scratch = project / "scratch"
    assert run(["compile", "litellm.yaml", "-t", "compose", "-o", str(scratch)]).code == 0
    (scratch / "compose.yaml").write_text("edited\n", encoding="utf-8")
    assert check().code == 0


def test_outside_git_discovery_walks_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("litellm.yaml").write_text(run(["init"]).out, encoding="utf-8")
    assert compile_all().code == 0
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert check().code == 0
    (tmp_path / "deploy" / "helm" / "Chart.yaml").write_text("x\n", encoding="utf-8")
    assert check().code == 1


def test_check_with_nothing_to_check_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = check()
    assert result.code == 0
    assert "nothing to check" in result.err


def test_usage_of_compile_without_and_with_several_specs(project: Path) -> None:
    assert run(["compile"]).code == 2  # writing needs a SPEC: only --check finds them
    assert check("--env", "prod").code == 2
    second = project / "other.yaml"
    second.write_text(
        (project / "litellm.yaml").read_text(encoding="utf-8").replace("deploy/", "other/"), encoding="utf-8"
    )
    assert run(["compile", "litellm.yaml", "other.yaml", "-o", "x"]).code == 2
    assert run(["compile", "litellm.yaml", "other.yaml"]).code == 0
    assert check("litellm.yaml", "other.yaml").code == 0
    _edit_generated(project)
    assert check("other.yaml").code == 0 and check("litellm.yaml", "other.yaml").code == 1


# --- the repository's own examples: committed outputs, consistent with the goldens --------------


def test_examples_outputs_are_committed_fresh_and_equal_the_goldens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    for example in EXAMPLES:
        data = load_text(example.read_text(encoding="utf-8"), str(example)).data
        assert sorted(data["targets"]) == sorted(TARGETS)
        for target in TARGETS:
            output = data["targets"][target]["output"]
            assert output == f"deploy/{example.stem}/{target}", f"{example.name}: targets.{target}.output"
            out, golden = example.parent / output, GOLDEN / example.stem / target
            ours = {k: v for k, v in _files(out).items() if k != MANIFEST_NAME}
            assert ours == _files(golden), f"{out} differs from {golden}: run scripts/regen-golden"
        result = run(["compile", str(example.relative_to(REPO)), "--check"])
        assert result.code == 0, f"{example.name}: {result.out}{result.err}"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "examples/deploy/minimal/helm/Chart.yaml"], cwd=REPO, check=False
    )
    assert ignored.returncode == 1, "examples/deploy must not be git-ignored: the outputs are committed"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- pre-commit: the hook manifest, the dogfood config, and the hooks run for real ----------------


def _yaml(path: Path) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def test_hook_manifest_follows_pre_commit_conventions() -> None:
    hooks = {hook["id"]: hook for hook in _yaml(REPO / ".pre-commit-hooks.yaml")}
    assert sorted(hooks) == ["litectl-check", "litectl-validate"]
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["require_serial"] is True
        assert hook["entry"].startswith("litectl ")
    validate, drift = hooks["litectl-validate"], hooks["litectl-check"]
    assert validate["pass_filenames"] is True and validate["entry"] == "litectl validate"
    files = re.compile(validate["files"])
    for name in ("litellm.yaml", "infra/litellm-prod.yml", "deploy/gw.litectl.yaml"):
        assert files.search(name), name
    for name in ("values.yaml", "deploy/helm/values.yaml", "deploy/compose/compose.yaml", "litellm.json"):
        assert not files.search(name), name
    # the drift gate runs on every commit, without file names (deleted files are never passed)
    assert drift["entry"] == "litectl compile --check"
    assert drift["always_run"] is True and drift["pass_filenames"] is False


def test_repository_dogfoods_its_hooks_on_the_examples() -> None:
    config = _yaml(REPO / ".pre-commit-config.yaml")
    local = [repo for repo in config["repos"] if repo["repo"] == "local"]
    assert len(local) == 1
    ours = {hook["id"]: hook for hook in local[0]["hooks"]}
    published = {hook["id"]: hook for hook in _yaml(REPO / ".pre-commit-hooks.yaml")}
    assert sorted(ours) == sorted(published)
    for hook_id, hook in ours.items():
        assert hook["entry"].endswith(published[hook_id]["entry"])
        for key in ("pass_filenames", "require_serial", "always_run"):
            assert hook.get(key) == published[hook_id].get(key), (hook_id, key)
    assert re.compile(ours["litectl-validate"]["files"]).search("examples/minimal.yaml")


def _pre_commit() -> list[str]:
    return [sys.executable, "-m", "pre_commit"]


def _project_requirements() -> tuple[list[str], list[str]]:
    """litectl's runtime dependencies and its build backend's, from pyproject.toml."""
    import realtools

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        realtools.tool_missing("tomllib (Python 3.11+) is needed to read pyproject.toml")
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return list(project["project"]["dependencies"]), list(project["build-system"]["requires"])


def _cached(kind: str, wanted: list[str], build: list[str]) -> Path:
    """A directory under .tools/ made once per Python and requirement list by `pip <build> <dir>`."""
    import realtools

    key = hashlib.sha256("\n".join([sys.version, *wanted]).encode()).hexdigest()[:16]
    place = realtools.TOOLS_DIR / kind / key
    if (place / ".complete").is_file():
        return place
    shutil.rmtree(place, ignore_errors=True)
    place.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-m", "pip", *build, str(place), *wanted],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    if done.returncode != 0:
        realtools.tool_missing(f"cannot prepare {kind} for the pre-commit hook envs: {done.stderr[-2000:]}")
    (place / ".complete").write_text("\n".join(wanted) + "\n", encoding="utf-8")
    return place


def _wheelhouse() -> Path:
    """Wheels of litectl's dependencies and build backend: hook envs then install offline."""
    runtime, backend = _project_requirements()
    return _cached("wheelhouse", [*runtime, *backend], ["wheel", "-q", "--wheel-dir"])


def _dependencies(house: Path) -> Path:
    """litectl's dependencies installed once into a plain directory (for the quick hook envs)."""
    runtime, _ = _project_requirements()
    return _cached(
        "hook-deps",
        runtime,
        ["install", "-q", "--no-index", "--no-compile", "--find-links", str(house), "--target"],
    )


def _hook_repository(destination: Path) -> Path:
    """A git repository holding this checkout's files (tracked and new, not ignored), committed."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    for name in sorted(set(os.fsdecode(listed.stdout).split("\0"))):
        source = REPO / name
        if name and source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "litectl under test")
    return destination


def _user_repository(destination: Path) -> Path:
    """A user's repository: an initialised spec compiled to every target, committed."""
    destination.mkdir(parents=True)
    spec = destination / "litellm.yaml"
    spec.write_text(run(["init"]).out, encoding="utf-8")
    assert run(["compile", str(spec)]).code == 0
    (destination / "README.md").write_text("notes\n", encoding="utf-8")
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "litellm")
    return destination


def _scenarios(root: Path) -> Iterator[tuple[str, Path, list[str], list[str], int, str]]:
    """(name, work tree, hook ids, --files, expected exit code, expected output), trees prepared."""
    fresh = _user_repository(root / "fresh")
    yield "fresh: both hooks", fresh, [], ["litellm.yaml"], 0, "litectl compile --check"
    edited = _user_repository(root / "edited")
    _edit_generated(edited)
    yield (
        "edited",
        edited,
        ["litectl-check"],
        ["deploy/helm/values.yaml"],
        1,
        "modified: deploy/helm/values.yaml",
    )
    changed = _user_repository(root / "changed")
    _change_spec(changed)
    yield "spec changed", changed, ["litectl-check"], ["litellm.yaml"], 1, "stale: deploy/kustomize/base/"
    deleted = _user_repository(root / "deleted")
    _delete_generated(deleted)
    # a commit that only deletes passes no file names: the hook runs anyway (always_run)
    yield "deleted", deleted, ["litectl-check"], ["README.md"], 1, "deleted: deploy/compose/compose.yaml"
    broken = _user_repository(root / "broken")
    spec = broken / "litellm.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("numWorkers: 1", "numWorkers: 0"), encoding="utf-8"
    )
    yield "invalid spec", broken, ["litectl-validate"], ["litellm.yaml"], 1, "litellm.yaml:"


@pytest.mark.realtool
def test_hooks_run_with_pre_commit_try_repo(tmp_path: Path) -> None:
    """`pre-commit try-repo <checkout> [hook] --files ...`, as a user tries the hooks out.

    try-repo builds a fresh hook environment every run (a virtualenv, then `pip install .` of
    the hook repository); installing litectl's dependencies takes 25-30 s here (the kubernetes
    client dominates), even offline from the wheelhouse cached under .tools/. So one run, the
    fresh repository with both hooks, installs everything for real, and the other runs, in
    parallel with it, install only litectl itself and find its dependencies, installed once
    into .tools/hook-deps, through PYTHONPATH. About 40 s in all once the caches exist (the
    first run builds them: a few minutes, and the only step that needs a package index).
    """
    house = _wheelhouse()
    dependencies = _dependencies(house)
    hooks = _hook_repository(tmp_path / "litectl")
    offline = {
        **os.environ,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(house),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_COMPILE": "1",
        "PRE_COMMIT_COLOR": "never",
    }
    quick = {
        **offline,
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "1",  # the virtualenv's own setuptools builds litectl
        "PYTHONPATH": str(dependencies),
    }
    started = time.monotonic()
    running = []
    for index, (name, cwd, hook_ids, files, code, text) in enumerate(_scenarios(tmp_path / "work")):
        process = subprocess.Popen(
            [*_pre_commit(), "try-repo", str(hooks), *hook_ids, "--files", *files],
            cwd=cwd,
            env=offline if index == 0 else quick,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        running.append((name, process, code, text))
    failures = []
    for name, process, code, text in running:
        out, _ = process.communicate(timeout=900)
        if process.returncode != code or text not in out:
            failures.append(
                f"--- {name}: exit {process.returncode}, wanted {code} and {text!r}\n{out[-3000:]}"
            )
        if name.startswith("fresh"):
            assert out.count("Passed") == 2, out
    print(f"pre-commit try-repo, {len(running)} runs in parallel: {time.monotonic() - started:.0f} s")
    assert not failures, "\n".join(failures)


# --- editor validation ------------------------------------------------------------------------------


def test_the_schema_modeline_is_everywhere_a_spec_is_written() -> None:
    assert load_schema()["$id"] == SCHEMA_ID
    assert run(["init"]).out.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_ID}"
    for example in EXAMPLES:
        first = example.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/litectl.schema.json", example.name
    editor = (REPO / "docs" / "editor.md").read_text(encoding="utf-8")
    assert SCHEMA_ID in editor and '"yaml.schemas"' in editor
    assert "(docs/editor.md)" in (REPO / "README.md").read_text(encoding="utf-8")


# --- the README walk-through, run -----------------------------------------------------------------


def _readme_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("## From zero to a drift-checked deployment")
    end = text.index("## Development", start)
    return text[start:end]


def test_readme_walks_from_init_to_a_drift_checked_deployment(project: Path) -> None:
    """The section's commands, in its order, work as it says (the `project` fixture did steps 1-4)."""
    section = _readme_section()
    steps = [
        "litectl init --name litellm > litellm.yaml",
        "litectl validate litellm.yaml",
        "litectl compile litellm.yaml",
        "git add litellm.yaml deploy/",
        "id: litectl-validate",
        "id: litectl-check",
        "pre-commit install",
        "litectl compile --check",
        "litectl import --from-helm-values",
    ]
    positions = [section.index(step) for step in steps[:-1]]
    assert positions == sorted(positions), "the steps are in order"
    assert steps[-1] in section
    assert run(["validate", "litellm.yaml"]).code == 0
    _edit_generated(project)
    assert check().code == 1  # what the hook and CI report ...
    assert compile_all().code == 0  # ... and the fix the section gives
    assert check().code == 0
