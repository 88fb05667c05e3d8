"""The kustomize target without external tools: patch algebra, image planning, layout, goldens.

The real-tool proof (builds, schemas, equality with the builder and Helm) is in
test_kustomize_build.py; these tests pin the pieces it is made of and the files it writes.
Regenerate the golden files with `scripts/regen-golden kustomize` and review the diff.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litectl.compiler.ir import Compilation
from litectl.compiler.naming import generated_header
from litectl.compiler.output import Bundle
from litectl.compiler.validate import compile_file
from litectl.targets import registry
from litectl.targets.kustomize import TARGET
from litectl.targets.kustomize.images import ContainerImage, ImageRef, plan_images
from litectl.targets.kustomize.jsonpatch import Op, diff, pointer
from litectl.targets.kustomize.objects import JOB_HASH_LENGTH
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
GOLDEN = REPO / "tests" / "golden"


# --- an RFC 6902 reader, to check what the diff writes ------------------------------------------


def _parts(path: str) -> list[str]:
    assert path.startswith("/"), path
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]


def apply_patch(document: Any, ops: list[Op]) -> Any:
    """Apply JSON6902 operations strictly (every path must exist, `test` must hold)."""
    doc = copy.deepcopy(document)
    for op in ops:
        *parents, last = _parts(op["path"])
        node = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        kind = op["op"]
        if isinstance(node, list):
            if kind == "add":
                index = len(node) if last == "-" else int(last)
                assert 0 <= index <= len(node), op
                node.insert(index, copy.deepcopy(op["value"]))
                continue
            index = int(last)
            assert 0 <= index < len(node), op
        else:
            index = last  # type: ignore[assignment]
            assert kind == "add" or last in node, op
        if kind == "test":
            assert node[index] == op["value"] and type(node[index]) is type(op["value"]), op
        elif kind == "remove":
            del node[index]
        elif kind in ("add", "replace"):
            node[index] = copy.deepcopy(op["value"])
        else:
            raise AssertionError(f"unexpected op {op}")
    return doc


# --- the diff -----------------------------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.text(alphabet="ab/~", max_size=3)
_keys = st.text(alphabet="ab/~.", min_size=1, max_size=3)


def _trees(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    named = st.lists(
        st.fixed_dictionaries({"name": st.sampled_from("wxyz")}, optional={"value": children}),
        max_size=4, unique_by=lambda item: item["name"])
    return st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4) | named


_values = st.recursive(_scalars, _trees, max_leaves=16)
_roots = st.dictionaries(_keys, _values, max_size=4)


@settings(max_examples=300, deadline=None)
@given(_roots, _roots)
def test_diff_turns_old_into_new(old: dict[str, Any], new: dict[str, Any]) -> None:
    assert apply_patch(old, diff(old, new)) == new


@settings(max_examples=200, deadline=None)
@given(_roots, st.data())
def test_diff_of_a_small_edit_is_small(old: dict[str, Any], data: st.DataObject) -> None:
    new = copy.deepcopy(old)
    key = data.draw(st.sampled_from(sorted(new))) if new else "k"
    new[key] = data.draw(_values)
    ops = diff(old, new)
    assert apply_patch(old, ops) == new
    assert all(op["path"] == pointer([key]) or op["path"].startswith(pointer([key]) + "/") for op in ops)


def _container(env: list[dict[str, Any]]) -> dict[str, Any]:
    """A Deployment-like object, big enough that replacing a whole list is the longer patch."""
    padding = [{"name": f"PAD_{i}", "value": "a value long enough to be worth keeping" * 2} for i in range(8)]
    return {"metadata": {"name": "d", "annotations": {"a": "1", "b": "2"}},
            "spec": {"containers": [{"name": "gateway", "image": "x:1", "env": [*env, *padding]}]}}


def test_env_var_removal_is_pinned_by_name() -> None:
    env = [{"name": n, "value": n.lower()} for n in ("A", "B", "C", "D")]
    old, new = _container(env), _container([env[0], env[3]])
    ops = diff(old, new)
    assert ops == [
        {"op": "test", "path": "/spec/containers/0/name", "value": "gateway"},
        {"op": "test", "path": "/spec/containers/0/env/1/name", "value": "B"},
        {"op": "remove", "path": "/spec/containers/0/env/1"},
        {"op": "test", "path": "/spec/containers/0/env/1/name", "value": "C"},
        {"op": "remove", "path": "/spec/containers/0/env/1"},
    ]
    assert apply_patch(old, ops) == new


def test_changed_value_keeps_its_place() -> None:
    env = [{"name": "A", "value": "1"}, {"name": "LOG", "value": "INFO"}]
    ops = diff(_container(env), _container([env[0], {"name": "LOG", "value": "DEBUG"}]))
    assert ops[-2:] == [{"op": "test", "path": "/spec/containers/0/env/1/name", "value": "LOG"},
                        {"op": "replace", "path": "/spec/containers/0/env/1/value", "value": "DEBUG"}]


def test_whole_value_replaced_when_shorter() -> None:
    old = {"spec": {"resources": {"requests": {"cpu": "1", "memory": "4Gi"},
                                  "limits": {"cpu": "2", "memory": "4Gi"}}}}
    new = {"spec": {"resources": {"requests": {"cpu": "2", "memory": "8Gi"},
                                  "limits": {"cpu": "4", "memory": "8Gi"}}}}
    assert diff(old, new) == [{"op": "replace", "path": "/spec/resources", "value": new["spec"]["resources"]}]


def test_metadata_maps_are_patched_key_by_key() -> None:
    """Kustomize keeps its own bookkeeping in metadata.annotations while building."""
    old = _container([])
    new = copy.deepcopy(old)
    new["metadata"]["annotations"] = {"c": "3"}
    ops = diff(old, new)
    assert {op["path"] for op in ops} == {"/metadata/annotations/a", "/metadata/annotations/b",
                                         "/metadata/annotations/c"}
    del new["metadata"]["annotations"]
    assert [op["path"] for op in diff(old, new)] == ["/metadata/annotations/a", "/metadata/annotations/b"]


def test_pointer_escapes_keys() -> None:
    assert pointer(["metadata", "labels", "app.kubernetes.io/name", "a~b"]) == (
        "/metadata/labels/app.kubernetes.io~1name/a~0b")


def test_booleans_are_not_numbers() -> None:
    assert diff({"a": True}, {"a": 1}) == [{"op": "replace", "path": "/a", "value": 1}]


# --- images -------------------------------------------------------------------------------------

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(("reference", "expected"), [
    ("ghcr.io/berriai/litellm:1.104.0", ImageRef("ghcr.io/berriai/litellm", "1.104.0", None)),
    (f"localhost:5000/a/b:1@{DIGEST}", ImageRef("localhost:5000/a/b", "1", DIGEST)),
    (f"localhost:5000/a/b@{DIGEST}", ImageRef("localhost:5000/a/b", None, DIGEST)),
    ("nginx", ImageRef("nginx", None, None)),
])
def test_image_reference(reference: str, expected: ImageRef) -> None:
    assert ImageRef.parse(reference) == expected


def test_one_image_changed_everywhere_is_an_images_entry() -> None:
    final = f"r/litellm:2@{DIGEST}"
    entries = plan_images([ContainerImage("r/litellm:1", final), ContainerImage("r/litellm:1", final)])
    expected = [{"name": "r/litellm", "newTag": "2", "digest": DIGEST}]
    assert [e.to_kustomize() for e in entries.values()] == expected


def test_images_that_diverge_stay_patches() -> None:
    diverging = [ContainerImage("r/litellm:1", "r/litellm:2"), ContainerImage("r/litellm:1", "r/litellm:3")]
    assert plan_images(diverging) == {}


def test_an_entry_may_not_rewrite_a_container_it_does_not_own() -> None:
    """A new container (or one patched anyway) already named like the entry must end the same."""
    assert plan_images([ContainerImage("r/a:1", "r/a:2"), ContainerImage(None, "r/a:1")]) == {}
    assert list(plan_images([ContainerImage("r/a:1", "r/a:2"), ContainerImage(None, "r/a:2")])) == ["r/a"]


def test_entries_never_chain() -> None:
    """Entries apply one after the other: `r/a -> r/b:1` would then be rewritten by `r/b -> r/b:2`."""
    assert plan_images([ContainerImage("r/a:1", "r/b:1"), ContainerImage("r/b:1", "r/b:2")]) == {}
    assert list(plan_images([ContainerImage("r/a:1", "r/b:1"), ContainerImage("r/b:1", "r/b:1")])) == ["r/a"]


# --- the rendered bundle ------------------------------------------------------------------------


def render(spec: Path, env: str | None = None) -> tuple[Compilation, Bundle]:
    compilation = compile_file(spec, env=env)
    return compilation, TARGET.render(compilation, None)


def test_registered_as_a_builtin() -> None:
    target = registry.load("kustomize")
    assert target is TARGET and target.name == "kustomize"
    assert target.options_type is registry.options_type("kustomize")


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_same_input_same_bytes(spec: Path) -> None:
    assert render(spec)[1].files == render(spec)[1].files


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_every_file_says_where_it_came_from(spec: Path) -> None:
    header = generated_header(str(spec))
    for path, data in render(spec)[1].files.items():
        text = data.decode("utf-8")
        if path.endswith("/config.yaml"):  # the ConfigMap's bytes: must equal the chart's ConfigMap
            assert not text.startswith("#")
        elif path.endswith(".yaml"):
            assert text.startswith(f"# {header}\n"), path
        else:
            assert path == "README.md" and text.startswith(f"<!-- {header} -->\n")


_YAML = YAML(typ="safe", pure=True)
ALLOWED = {"apiVersion", "kind", "namespace", "resources", "configMapGenerator", "patches", "replicas",
           "images"}


def _kustomizations(files: Mapping[str, bytes]) -> dict[PurePosixPath, dict[str, Any]]:
    return {PurePosixPath(path).parent: _YAML.load(data) for path, data in files.items()
            if path.endswith("kustomization.yaml")}


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_kustomizations_use_only_portable_fields(spec: Path) -> None:
    """What both 4.5.4 and 5 accept: no sortOptions, buildMetadata, commonLabels, plain-path patches."""
    files = render(spec)[1].files
    directories = _kustomizations(files)
    for directory, k in directories.items():
        assert set(k) <= ALLOWED, directory
        assert k["apiVersion"] == "kustomize.config.k8s.io/v1beta1" and k["kind"] == "Kustomization"
        for resource in k["resources"]:
            target = PurePosixPath(os.path.normpath(directory / resource))
            assert str(target / "kustomization.yaml") in files or str(target) in files, (directory, resource)
        for patch in k.get("patches", []):
            assert set(patch) == {"path", "target"} and set(patch["target"]) == {"kind", "name"}
            assert ".." not in PurePosixPath(patch["path"]).parts  # inside the kustomization's folder
            assert str(directory / patch["path"]) in files
        for generator in k.get("configMapGenerator", []):
            assert all(str(directory / name) in files for name in generator["files"])


def test_environment_alone_is_a_standalone_base() -> None:
    compilation, bundle = render(REPO / "examples" / "production.yaml", env="dev")
    assert not compilation.environments
    assert not any(path.startswith("overlays/") for path in bundle.files)
    readme = bundle.files["README.md"].decode()
    assert "kubectl apply -k base/migrations" in readme and "overlays" not in readme


def test_job_name_fits_the_job_name_label(tmp_path: Path) -> None:
    spec = tmp_path / "long.yaml"
    name = "a" * 40
    spec.write_text(f"apiVersion: litectl/v1alpha1\nkind: LiteLLMTopology\nmetadata: {{name: {name}}}\n"
                    "database: {writer: {host: pg, dbname: litellm}}\n", encoding="utf-8")
    job = _YAML.load(render(spec)[1].files["base/migrations/migrations-job.yaml"])
    assert len(job["metadata"]["name"]) == len(f"{name}-migrations-") + JOB_HASH_LENGTH <= 63


def test_readme_has_the_exact_commands() -> None:
    compilation, bundle = render(REPO / "examples" / "production.yaml")
    readme = bundle.files["README.md"].decode()
    jobs = {path: _YAML.load(data)["metadata"]["name"] for path, data in bundle.files.items()
            if path.endswith("migrations/migrations-job.yaml")}
    base_job = jobs["base/migrations/migrations-job.yaml"]
    assert (f"kubectl wait --namespace ai-platform --for=condition=complete --timeout=1860s job/{base_job}"
            in readme)
    for env in compilation.environments:
        root = f"overlays/{env.environment}"
        commands = [f"kubectl apply -k {root}/migrations\n", f"kubectl apply -k {root}\n"]
        assert all(c in readme for c in commands), env.environment
        assert readme.index(commands[0]) < readme.index(commands[1])


# --- golden files -------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_golden(spec: Path) -> None:
    """The committed output of each example, file set and bytes; a reviewer reads its diff."""
    files = render(spec)[1].files
    root = GOLDEN / spec.stem / "kustomize"
    committed = {str(p.relative_to(root).as_posix()): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert sorted(committed) == sorted(files), "file set differs: run scripts/regen-golden kustomize"
    for path, data in files.items():
        assert committed[path] == data, f"{path} differs: run scripts/regen-golden kustomize"
