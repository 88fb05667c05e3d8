"""Render a compilation into the kustomize output: `base/`, `overlays/<env>/`, `README.md`.

Pure: the same compilation gives the same bytes. Object content comes from the shared builder
(`targets.kube`), so the objects equal what the Helm chart renders; this module only decides
where each object or difference is written.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import attrs
from litectl.compiler.ir import Compilation, Topology
from litectl.compiler.naming import generated_header
from litectl.compiler.output import Bundle, dump_yaml
from litectl.targets.kustomize import layout
from litectl.targets.kustomize.objects import Item, items, stems
from litectl.targets.kustomize.readme import Leaf, readme

KUSTOMIZATION = "kustomization.yaml"


def render(compilation: Compilation) -> Bundle:
    header = generated_header(compilation.spec_file)
    base = compilation.base
    envs = [(env, items(env)) for env in compilation.environments]
    base_items = _share_migration_objects(items(base), [env_items for _env, env_items in envs])
    names = stems([*base_items, *(i for _env, env_items in envs for i in env_items)], base.name)

    files: dict[str, str] = {}
    app, migrations = layout.base_directories(base_items, base.namespace, names)
    _emit(files, "base", app, header)
    if migrations is not None:
        _emit(files, "base/migrations", migrations, header)
    standalone = not compilation.environments
    label = (base.environment or "base") if standalone else "base"
    leaves = [_leaf(label, "base", base, base_items)]

    base_jobs = [i for i in base_items if i.migrations]
    for env, env_items in envs:
        assert env.environment is not None
        root = f"overlays/{env.environment}"
        entries = layout.image_entries(base_items, env_items)
        app = layout.overlay_directory(base_items, env_items, base_ref="../../base", namespace=env.namespace,
                                       entries=entries, stems=names)
        env_jobs = [i for i in env_items if i.migrations]
        if env_jobs:
            migrations = layout.overlay_directory(
                base_jobs, env_jobs, base_ref="../../../base/migrations" if base_jobs else None,
                namespace=env.namespace, entries=entries, stems=names)
            app = layout.share_with_migrations(app, migrations)
            _emit(files, f"{root}/migrations", migrations, header)
        _emit(files, root, app, header)
        leaves.append(_leaf(env.environment, root, env, env_items))

    files["README.md"] = readme(header=header, deployment=base.name,
                                spec_name=PurePosixPath(compilation.spec_file.replace("\\", "/")).name,
                                leaves=leaves, standalone=standalone)
    return Bundle.from_text(files)


def _share_migration_objects(base_items: list[Item], env_items: list[list[Item]]) -> list[Item]:
    """Put a base object into `base/migrations/` when any environment's migrations step needs it.

    An environment may run a Job where the base has none; the ServiceAccount that Job runs as is
    then still a base object, and the environment's migrations overlay can only refer to it
    (rather than copy it) if it lives in the base's migrations kustomization.
    """
    needed = {item.key for items_ in env_items for item in items_ if item.migrations}
    return [attrs.evolve(item, migrations=True) if item.key in needed else item for item in base_items]


def _emit(files: dict[str, str], root: str, directory: layout.Directory, header: str) -> None:
    files[f"{root}/{KUSTOMIZATION}"] = dump_yaml(directory.kustomization, header=header)
    for name, data in directory.files.items():
        files[f"{root}/{name}"] = _file_text(name, data, header)


def _file_text(name: str, data: Any, header: str) -> str:
    if isinstance(data, str):
        # The proxy config: its bytes become the ConfigMap's data as they are, so it carries no
        # header (the Helm chart's ConfigMap holds the config alone, and so must this one).
        return data
    return dump_yaml(data, header=header)


def _leaf(label: str, path: str, topology: Topology, leaf_items: list[Item]) -> Leaf:
    jobs = [i for i in leaf_items if i.kind == "Job"]
    job = topology.migrations
    migration_objects = tuple(f"{i.kind} {i.name}" for i in leaf_items if i.migrations)
    return Leaf(
        label=label,
        path=path,
        namespace=topology.namespace,
        job_name=jobs[0].name if jobs else None,
        job_deadline=job.active_deadline_seconds if job else None,
        argocd=bool(job and job.argocd_hook),
        migrations_objects=migration_objects,
    )
