"""Kustomization directories in memory: the base, its migrations, and one overlay per environment.

An overlay is computed, not templated: for every object it compares what the base builds with
what the environment compiles to, and says the difference the way Kustomize users write it:
`namespace:`, `replicas:`, `images:`, a `configMapGenerator` merge for a changed proxy config,
a JSON6902 patch per changed object, a `$patch: delete` per removed one, and a full file only for
an object the base does not have. Kustomize runs the `patches` before the namespace, replica and
image transformers, so each patch is computed against the environment's object with those
fields given back their base values: the transformers then set them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from litectl.compiler import ir
from litectl.targets.kustomize import images as img
from litectl.targets.kustomize.jsonpatch import diff
from litectl.targets.kustomize.objects import Item, KubeObject, pod_containers

API_VERSION = "kustomize.config.k8s.io/v1beta1"
MIGRATIONS_DIR = "migrations"


@attrs.frozen
class Directory:
    """One kustomization: `kustomization.yaml` plus the files beside it (plain data or text)."""

    kustomization: dict[str, Any]
    files: dict[str, Any]


def _head(namespace: str | None) -> dict[str, Any]:
    head: dict[str, Any] = {"apiVersion": API_VERSION, "kind": "Kustomization"}
    if namespace:
        head["namespace"] = namespace
    return head


def _file_object(obj: KubeObject) -> KubeObject:
    """The object as written to a file: the kustomization sets the namespace."""
    out = copy.deepcopy(obj)
    out["metadata"].pop("namespace", None)
    return out


def _generator(item: Item, *, behavior: str | None = None) -> dict[str, Any]:
    """The proxy config's `configMapGenerator` entry; labels and annotations as the object has them."""
    meta = item.obj["metadata"]
    data = item.obj.get("data") or {}
    if set(data) != {ir.CONFIG_KEY}:
        raise ValueError(f"ConfigMap {item.name} holds {sorted(data)}, expected only {ir.CONFIG_KEY}")
    entry: dict[str, Any] = {"name": meta["name"]}
    if behavior:
        entry["behavior"] = behavior
    entry["files"] = [ir.CONFIG_KEY]
    options = {key: dict(meta[key]) for key in ("labels", "annotations") if meta.get(key)}
    if options and behavior is None:  # a merge keeps the base's; patches change them
        entry["options"] = options
    return entry


def _config_text(item: Item) -> str:
    return str(item.obj["data"][ir.CONFIG_KEY])


def base_directories(all_items: Sequence[Item], namespace: str | None,
                     stems: Mapping[tuple[str, str], str]) -> tuple[Directory, Directory | None]:
    """`base/` and, when a migrations step needs objects, `base/migrations/` (part of `base/` too)."""
    migrations = None
    resources: list[str] = []
    files: dict[str, Any] = {}
    generators: list[dict[str, Any]] = []
    steps = [item for item in all_items if item.migrations]
    if steps:
        migration_files = {f"{stems[i.key]}.yaml": _file_object(i.obj) for i in steps}
        migrations = Directory({**_head(namespace), "resources": list(migration_files)}, migration_files)
        resources.append(MIGRATIONS_DIR)
    for item in all_items:
        if item.migrations:
            continue
        if item.config:
            generators.append(_generator(item))
            files[ir.CONFIG_KEY] = _config_text(item)
            continue
        name = f"{stems[item.key]}.yaml"
        files[name] = _file_object(item.obj)
        resources.append(name)
    kustomization = {**_head(namespace), "resources": resources}
    if generators:
        kustomization["configMapGenerator"] = generators
    return Directory(kustomization, files), migrations


def image_entries(base: Sequence[Item], env: Sequence[Item]) -> dict[str, img.ImageEntry]:
    """The `images:` entries of an environment, chosen over all of its objects."""
    return img.plan_images(_container_images(base, env))


def _container_images(base: Sequence[Item], env: Sequence[Item]) -> list[img.ContainerImage]:
    by_key = {item.key: item for item in base}
    out: list[img.ContainerImage] = []
    for item in env:
        before = by_key.get(item.key)
        base_images = {str(c["name"]): str(c["image"]) for c in pod_containers(before.obj)} if before else {}
        out += [img.ContainerImage(base_images.get(str(c["name"])), str(c["image"]))
                for c in pod_containers(item.obj)]
    return out


def overlay_directory(base: Sequence[Item], env: Sequence[Item], *, base_ref: str | None,
                      namespace: str | None, entries: Mapping[str, img.ImageEntry],
                      stems: Mapping[tuple[str, str], str]) -> Directory:
    """The kustomization that turns the build of `base_ref` (objects `base`) into `env`."""
    before = {item.key: item for item in base}
    after = {item.key: item for item in env}
    resources: list[str] = [base_ref] if base_ref else []
    files: dict[str, Any] = {}
    generators: list[dict[str, Any]] = []
    patches: list[dict[str, Any]] = []
    replicas: list[dict[str, Any]] = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new, stem = before.get(key), after.get(key), stems[key]
        if new is None:
            assert old is not None
            name = f"{stem}-delete.yaml"
            files[name] = {"$patch": "delete", "apiVersion": old.api_version, "kind": old.kind,
                           "metadata": {"name": old.name}}
            patches.append({"path": name, "target": {"kind": old.kind, "name": old.name}})
        elif old is None:
            if new.config:
                generators.append(_generator(new))
                files[ir.CONFIG_KEY] = _config_text(new)
            else:
                name = f"{stem}.yaml"
                files[name] = _file_object(new.obj)
                resources.append(name)
        else:
            wanted = copy.deepcopy(new.obj)
            _leave_namespace(wanted, old.obj, namespace)
            if new.kind == "Deployment":
                count = _leave_replicas(wanted, old.obj)
                if count is not None:
                    replicas.append({"name": old.name, "count": count})
            _leave_images(wanted, old.obj, entries)
            if new.config and wanted.get("data") != old.obj.get("data"):
                generators.append(_generator(new, behavior="merge"))
                files[ir.CONFIG_KEY] = _config_text(new)
                wanted["data"] = copy.deepcopy(old.obj.get("data"))
            ops = diff(old.obj, wanted)
            if ops:
                name = f"{stem}-patch.yaml"
                files[name] = ops
                patches.append({"path": name, "target": {"kind": old.kind, "name": old.name}})
    kustomization: dict[str, Any] = {**_head(namespace), "resources": resources}
    if generators:
        kustomization["configMapGenerator"] = generators
    if patches:
        kustomization["patches"] = patches
    if replicas:
        kustomization["replicas"] = replicas
    used = _used_entries(base, env, entries)
    if used:
        kustomization["images"] = [entry.to_kustomize() for entry in used]
    return Directory(kustomization, files)


def _leave_namespace(wanted: KubeObject, old: KubeObject, namespace: str | None) -> None:
    """With `namespace:` in the overlay, the transformer sets it: the patch leaves the base's."""
    if not namespace:
        return
    meta = wanted["metadata"]
    if "namespace" in old["metadata"]:
        meta["namespace"] = old["metadata"]["namespace"]
    else:
        meta.pop("namespace", None)


def _leave_replicas(wanted: KubeObject, old: KubeObject) -> int | None:
    """A replica count the `replicas:` field can set (the patch then leaves the base's)."""
    count = wanted["spec"].get("replicas")
    previous = old["spec"].get("replicas")
    if not isinstance(count, int) or count == previous:
        return None
    if previous is None:
        del wanted["spec"]["replicas"]
    else:
        wanted["spec"]["replicas"] = previous
    return count


def _leave_images(wanted: KubeObject, old: KubeObject, entries: Mapping[str, img.ImageEntry]) -> None:
    base_images = {str(c["name"]): str(c["image"]) for c in pod_containers(old)}
    for container in pod_containers(wanted):
        image = img.ContainerImage(base_images.get(str(container["name"])), str(container["image"]))
        if img.handled(image, entries) and image.base is not None:
            container["image"] = image.base


def _used_entries(base: Sequence[Item], env: Sequence[Item],
                  entries: Mapping[str, img.ImageEntry]) -> list[img.ImageEntry]:
    """Entries that touch a container of this kustomization (others would only be noise)."""
    names: set[str] = set()
    for c in _container_images(base, env):
        source = c.base if img.handled(c, entries) and c.base is not None else c.final
        names.add(img.ImageRef.parse(source).name)
    return [entry for name, entry in sorted(entries.items()) if name in names]


def share_with_migrations(app: Directory, migrations: Directory) -> Directory:
    """Let the application overlay use the migrations overlay's identical files, not copies.

    The Job (and its ServiceAccount) are in both kustomizations; a patch or file that is the
    same in both lives once, in `migrations/`, and the application refers to it there.
    """
    shared = {name for name, data in app.files.items()
              if name in migrations.files and migrations.files[name] == data and name != ir.CONFIG_KEY}
    if not shared:
        return app
    kustomization = copy.deepcopy(app.kustomization)

    def moved(path: str) -> str:
        return f"{MIGRATIONS_DIR}/{path}" if path in shared else path

    kustomization["resources"] = [moved(path) for path in kustomization["resources"]]
    for patch in kustomization.get("patches", []):
        patch["path"] = moved(patch["path"])
    files = {name: data for name, data in app.files.items() if name not in shared}
    return Directory(kustomization, files)
