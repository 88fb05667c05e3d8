"""Output safety, end to end through the CLI: a failed or killed compile leaves the previous
output intact (or, killed while committing, one the next run completes), files litectl did not
write are never touched, and symlinks never lead litectl outside the output directory.

compiler/output.py's own tests cover the writer function by function; these run `litectl compile`
as a user (or CI, or an editor's save hook) does, including a real SIGKILL of a compile process
at every step of its write. The kill is injected from the test's side: the child process wraps the
writer's staging and rename calls before running the ordinary entry point, so product code has no
test hook.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run

REPO = Path(__file__).resolve().parents[1]
MANIFEST = ".litectl-manifest.json"

SPEC_V1 = """\
apiVersion: litectl/v1alpha1
kind: LiteLLMTopology
metadata: {name: safe}
database:
  writer: {host: pg, dbname: litellm}
gateway:
  config:
    proxy_config:
      model_list: [{model_name: a, litellm_params: {model: openai/a}}]
environments:
  dev: {gateway: {replicas: 2}}
targets:
  kustomize: {output: out/kustomize}
  compose: {output: out/compose}
  helm: {output: out/helm}
"""
# v2 changes content, drops the ui and an environment's files, adds another environment.
SPEC_V2 = (
    SPEC_V1.replace("model: openai/a", "model: openai/b")
    .replace("  dev: {gateway: {replicas: 2}}\n", "  prod: {gateway: {replicas: 3}, backend: {enabled: false}}\n")
    + "ui: {enabled: false}\n"
)

#: Runs the real CLI after wrapping one writer step so that its N-th call kills the process.
CHILD = """
import os, signal, sys
import litectl.compiler.output as output

step, limit = os.environ["KILL_STEP"], int(os.environ["KILL_AT"])
calls = 0


def killing(original):
    def wrapped(*args, **kwargs):
        global calls
        calls += 1
        if calls > limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)
    return wrapped


if step == "stage":
    output._stage_file = killing(output._stage_file)
else:  # every rename and unlink of the commit
    output.os.replace = killing(os.replace)
    output.os.rename = killing(os.rename)
    output.os.unlink = killing(os.unlink)
from litectl.compiler.cli import main
main(sys.argv[1:])
"""


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def contents(root: Path) -> dict[str, bytes]:
    """Every file's bytes; the manifest without `source` (the spec's path, which differs per copy)."""
    out = {path: data for path, (data, _mtime) in snapshot(root).items()}
    if MANIFEST in out:
        manifest = json.loads(out[MANIFEST])
        manifest.pop("source", None)
        out[MANIFEST] = json.dumps(manifest).encode()
    return out


def project(tmp_path: Path, text: str = SPEC_V1) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    return spec


def compile_ok(spec: Path, *args: str) -> None:
    result = run(["compile", str(spec), *args])
    assert result.code == 0, result.err


# --- failures leave the previous output intact ---------------------------------------------------------


def test_an_invalid_spec_changes_nothing(tmp_path: Path) -> None:
    spec = project(tmp_path)
    compile_ok(spec)
    before = snapshot(tmp_path / "out")
    spec.write_text(SPEC_V2.replace("dbname: litellm", "dbname: ''"), encoding="utf-8")
    result = run(["compile", str(spec)])
    assert result.code == 1
    assert snapshot(tmp_path / "out") == before


def test_one_failing_target_writes_no_target(tmp_path: Path) -> None:
    """Every target renders before any writes: a compose error leaves helm and kustomize as they were."""
    spec = project(tmp_path)
    compile_ok(spec)
    before = snapshot(tmp_path / "out")
    spec.write_text(SPEC_V2.replace("  compose: {output: out/compose}",
                                    "  compose: {output: out/compose, publish: {gateway: 4000, backend: 4000}}")
                    .replace("backend: {enabled: false}", "ui: {enabled: true}"), encoding="utf-8")
    result = run(["compile", str(spec)])
    assert result.code == 1 and "both publish host port 4000" in result.err
    assert snapshot(tmp_path / "out") == before


def test_a_user_file_in_the_way_stops_everything(tmp_path: Path) -> None:
    spec = project(tmp_path)
    compile_ok(spec)
    spec.write_text(SPEC_V2, encoding="utf-8")
    expected_new = tmp_path / "out" / "kustomize" / "overlays" / "prod" / "kustomization.yaml"
    expected_new.parent.mkdir(parents=True)
    expected_new.write_text("mine\n", encoding="utf-8")
    before = snapshot(tmp_path / "out")
    result = run(["compile", str(spec), "-t", "kustomize"])
    assert result.code == 1 and "did not write" in result.err
    assert snapshot(tmp_path / "out") == before


def test_files_litectl_did_not_write_survive_every_recompile(tmp_path: Path) -> None:
    spec = project(tmp_path)
    compile_ok(spec)
    mine = {
        tmp_path / "out" / "kustomize" / "NOTES.md": b"my notes\n",
        tmp_path / "out" / "kustomize" / "overlays" / "dev" / "extra.yaml": b"kind: Mine\n",
        tmp_path / "out" / "helm" / "templates" / "my-extra.yaml": b"# mine\n",
        tmp_path / "out" / "compose" / ".env": b"SECRET=x\n",
    }
    for path, data in mine.items():
        path.write_bytes(data)
    spec.write_text(SPEC_V2, encoding="utf-8")  # drops overlays/dev: its generated files go
    compile_ok(spec)
    for path, data in mine.items():
        assert path.read_bytes() == data
    assert not (tmp_path / "out" / "kustomize" / "overlays" / "dev" / "kustomization.yaml").exists()
    assert run(["compile", str(spec), "--check"]).code == 0


# --- symlinks -----------------------------------------------------------------------------------------------


def test_a_symlinked_output_directory_is_refused(tmp_path: Path) -> None:
    spec = project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "kustomize").symlink_to(outside, target_is_directory=True)
    result = run(["compile", str(spec), "-t", "kustomize"])
    assert result.code == 1 and "symlink" in result.err
    assert list(outside.iterdir()) == []


def test_symlinks_inside_the_output_never_lead_outside(tmp_path: Path) -> None:
    spec = project(tmp_path)
    compile_ok(spec, "-t", "kustomize")
    root = tmp_path / "out" / "kustomize"
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "kustomization.yaml"
    victim.write_text("precious\n", encoding="utf-8")
    # a generated directory replaced by a symlink to somewhere else
    overlay = root / "overlays" / "dev"
    shutil.rmtree(overlay)
    overlay.symlink_to(outside, target_is_directory=True)
    result = run(["compile", str(spec), "-t", "kustomize"])
    assert result.code == 1 and "symlink" in result.err
    assert victim.read_text(encoding="utf-8") == "precious\n"
    # a generated file replaced by a symlink to a file outside
    overlay.unlink()
    compile_ok(spec, "-t", "kustomize")  # restores the overlay
    target = root / "base" / "kustomization.yaml"
    target.unlink()
    target.symlink_to(victim)
    spec.write_text(SPEC_V1.replace("model: openai/a", "model: openai/c"), encoding="utf-8")
    result = run(["compile", str(spec), "-t", "kustomize"])
    assert result.code == 1
    assert victim.read_text(encoding="utf-8") == "precious\n"
    # stale files behind a symlink are never deleted
    target.unlink()
    compile_ok(spec, "-t", "kustomize")
    overlay_files = sorted(str(p.relative_to(overlay)) for p in overlay.rglob("*"))
    moved = outside / "dev"
    overlay.rename(moved)
    overlay.symlink_to(moved, target_is_directory=True)
    spec.write_text(SPEC_V2, encoding="utf-8")  # dev is gone: its files are stale
    compile_ok(spec, "-t", "kustomize")
    assert sorted(str(p.relative_to(moved)) for p in moved.rglob("*")) == overlay_files


# --- a compile killed at any point ----------------------------------------------------------------------


def _killed_compile(spec: Path, step: str, at: int) -> int:
    env = {**os.environ, "KILL_STEP": step, "KILL_AT": str(at)}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, "compile", str(spec), "-t", "kustomize"],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )
    return proc.returncode


@pytest.mark.parametrize("step", ["stage", "commit"])
def test_a_compile_killed_at_any_step_never_leaves_a_broken_output(tmp_path: Path, step: str) -> None:
    """Kill `litectl compile` with SIGKILL at each staging write (step "stage") or each rename and
    unlink of the commit (step "commit"), in turn, until it runs to the end. After every kill:
    - killed while staging, the output is byte for byte what it was, mtimes included;
    - killed while committing, every file is the old or the new version of itself (never partial),
      nothing else appeared, and the next ordinary run completes it to exactly the new output.
    """
    spec = project(tmp_path)
    compile_ok(spec, "-t", "kustomize")
    root = tmp_path / "out" / "kustomize"
    old = snapshot(root)
    spec.write_text(SPEC_V2, encoding="utf-8")
    reference = tmp_path / "reference"
    reference.mkdir()
    reference_spec = project(reference, SPEC_V2)
    compile_ok(reference_spec, "-t", "kustomize")
    new = contents(reference / "out" / "kustomize")
    kills = 0
    for at in range(200):
        code = _killed_compile(spec, step, at)
        if code == 0:
            break
        assert code == -signal.SIGKILL, code
        kills += 1
        now = contents(root)
        if step == "stage":
            assert snapshot(root) == old, f"killed at staging write {at}: output changed"
        else:
            old_contents = {path: data for path, (data, _mtime) in old.items()}
            for path, data in now.items():
                if path == MANIFEST:
                    continue  # the intent manifest: checked by the completing run below
                versions = {old_contents.get(path), new.get(path)}
                assert data in versions, f"killed at commit step {at}: {path} is neither old nor new"
        # an ordinary run after the kill completes the new output exactly
        shadow = tmp_path / f"shadow-{step}-{at}"
        subprocess.run(["cp", "-a", str(root), str(shadow)], check=True)
        result = run(["compile", str(spec), "-t", "kustomize", "-o", str(shadow)])
        assert result.code == 0, result.err
        assert contents(shadow) == new, f"killed at {step} {at}: the next run did not complete the output"
        # restore the old output for the next kill point
        subprocess.run(["rm", "-rf", str(root)], check=True)
        spec.write_text(SPEC_V1, encoding="utf-8")
        compile_ok(spec, "-t", "kustomize")
        spec.write_text(SPEC_V2, encoding="utf-8")
        old = snapshot(root)
    else:
        pytest.fail("the compile never ran to the end")
    assert kills >= 3, f"only {kills} kill points: the hook did not reach the writer"
    print(f"{step}: {kills} kill points")
    assert contents(root) == new
    leftovers = [p.name for p in root.parent.iterdir() if ".litectl-" in p.name]
    assert leftovers == [] or all(p.startswith(".kustomize.litectl-") for p in leftovers)
