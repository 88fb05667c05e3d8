"""The upstream chart's pod extras (issue 13.1) as Compose can express them.

A Kubernetes volume becomes what a single host offers for it: an `emptyDir` a tmpfs, a
`persistentVolumeClaim` a named volume (hostPath never gets here: both podSecurity levels refuse it), and a Secret or
ConfigMap volume a read-only bind mount of `./volumes/<volume name>` (Compose cannot read
Kubernetes objects: the user puts the files there, e.g. the database CA bundle; the bind does
not create a missing directory, so a forgotten file fails at `up` instead of mounting nothing).
Everything else (sidecars, init containers, lifecycle hooks, rollout settings, priority) is
reported like the other features Compose cannot express.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litectl.compiler import ir
from litectl.compiler.diagnostics import JsonPath

#: Where Secret and ConfigMap volumes are looked for, relative to compose.yaml.
VOLUME_DIR = "volumes"

#: id -> (feature, what the stack does instead): merged into stack.GAPS.
GAPS: dict[str, tuple[str, str]] = {
    "extraContainers": ("sidecar containers (extraContainers)",
                        "compose runs only litectl's services: add sidecars as services in your own override file"),
    "extraInitContainers": ("init containers (extraInitContainers)",
                            "compose runs only litectl's services: run the step as a one-shot service of your own"),
    "lifecycle": ("container lifecycle hooks", "compose has no postStart/preStop hooks"),
    "strategy": ("Deployment strategy and minReadySeconds", "compose recreates containers on `up`"),
    "priorityClassName": ("priorityClassName", "compose has no pod priorities"),
    "deploymentMetadata": ("Deployment labels and annotations", "compose has no Deployment object"),
    "volumeKind": ("this volume type", "compose has no such volume: its mounts are left out"),
    "secretVolume": ("Secret and ConfigMap volumes",
                     f"they are bind-mounted read-only from ./{VOLUME_DIR}/<volume name>: put the files there"),
}


def mounts(
    extras: ir.PodExtras, path: JsonPath, gap: Callable[[str, JsonPath], None]
) -> tuple[list[Any], list[str], dict[str, Any]]:
    """(volumes entries, tmpfs paths, named top-level volumes) of the main container's mounts."""
    by_name = {str(v.get("name")): (i, v) for i, v in enumerate(extras.volumes)}
    entries: list[Any] = []
    tmpfs: list[str] = []
    named: dict[str, Any] = {}
    for mount in extras.volume_mounts:
        found = by_name.get(str(mount.get("name")))
        if found is None:  # normalize refused it already
            continue
        volume_index, volume = found
        target = str(mount["mountPath"])
        sub = str(mount.get("subPath") or "")
        read_only = bool(mount.get("readOnly", False))
        if "emptyDir" in volume:
            tmpfs.append(target)
        elif "persistentVolumeClaim" in volume:
            claim = str((volume.get("persistentVolumeClaim") or {}).get("claimName") or volume["name"])
            entry: dict[str, Any] = {"type": "volume", "source": claim, "target": target}
            if read_only:
                entry["read_only"] = True
            if sub:
                entry["volume"] = {"subpath": sub}
            entries.append(entry)
            named[claim] = {}
        elif "secret" in volume or "configMap" in volume:
            source = f"./{VOLUME_DIR}/{volume['name']}" + (f"/{sub}" if sub else "")
            entries.append(_bind(source, target, True))
            gap("secretVolume", (*path, "volumes", volume_index))
        else:
            gap("volumeKind", (*path, "volumes", volume_index))

    return entries, tmpfs, named


def _bind(source: str, target: str, read_only: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "bind", "source": source, "target": target}
    if read_only:
        entry["read_only"] = True
    entry["bind"] = {"create_host_path": False}  # a missing directory fails `up` instead of mounting nothing
    return entry


def pod_gaps(extras: ir.PodExtras, path: JsonPath, gap: Callable[[str, JsonPath], None]) -> None:
    """Report the extras Compose cannot express."""
    if extras.sidecars:
        gap("extraContainers", (*path, "extraContainers"))
    if extras.init_containers:
        gap("extraInitContainers", (*path, "extraInitContainers"))
    if extras.lifecycle:
        gap("lifecycle", (*path, "lifecycle"))
    if extras.priority_class_name:
        gap("priorityClassName", (*path, "priorityClassName"))


def deployment_gaps(d: ir.DeploymentExtras, path: JsonPath, gap: Callable[[str, JsonPath], None]) -> None:
    if d.strategy or d.min_ready_seconds is not None:
        gap("strategy", (*path, "strategy" if d.strategy else "minReadySeconds"))
    if d.annotations or d.labels:
        gap("deploymentMetadata", (*path, "deploymentAnnotations" if d.annotations else "deploymentLabels"))


def stop_grace_period(extras: ir.PodExtras) -> dict[str, Any]:
    """terminationGracePeriodSeconds as Compose's `stop_grace_period` (SIGTERM, then SIGKILL)."""
    seconds = extras.termination_grace_period_seconds
    return {} if seconds is None else {"stop_grace_period": f"{seconds}s"}


def apply(service: dict[str, Any], extras: ir.PodExtras, path: JsonPath,
          gap: Callable[[str, JsonPath], None], named: dict[str, Any]) -> None:
    """Add one service's extras in place (after litectl's own volumes and tmpfs)."""
    entries, tmpfs, volumes = mounts(extras, path, gap)
    if entries:
        service["volumes"] = [*service.get("volumes", []), *entries]
    if tmpfs:
        service["tmpfs"] = [*service.get("tmpfs", []), *tmpfs]
    named.update(volumes)
    service.update(stop_grace_period(extras))
    pod_gaps(extras, path, gap)


