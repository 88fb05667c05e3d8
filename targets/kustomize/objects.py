"""The objects one kustomization builds: the shared builder's objects, adapted to Kustomize.

Three adaptations, each because plain `kubectl apply -k` has no Helm to lean on:
- the proxy config comes from a `configMapGenerator`, whose name hash rolls the pods on a change,
  so the `checksum/config` pod annotation (Helm's way to do that) is left out;
- the migrations Job is named with a hash of its spec: a Job spec is immutable, so a new version
  must be a new Job, while re-applying the same version changes nothing;
- the Job (and the ServiceAccount it runs as, when litectl creates it) also form a kustomization
  of their own, applied and waited for before the rest (Argo CD users get PreSync hooks instead).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
from litectl.compiler import ir
from litectl.targets import kube

KubeObject = dict[str, Any]
#: Hex digits of the Job's spec hash in its name: `<metadata.name>` (40) + `-migrations-` + 8
#: stays within the 63 characters the `job-name` label allows.
JOB_HASH_LENGTH = 8
#: Short, conventional file stems per kind (kubectl's short names where they read well).
KIND_STEMS: Mapping[str, str] = {
    "Deployment": "deployment",
    "Service": "service",
    "HorizontalPodAutoscaler": "hpa",
    "PodDisruptionBudget": "pdb",
    "ServiceAccount": "serviceaccount",
    "ConfigMap": "configmap",
    "Job": "job",
    "Ingress": "ingress",
}


@attrs.frozen
class Item:
    """One object of a build, with the identity that links it across base and environments.

    `logical` is the object's name without the Job's hash, so the base's Job and an
    environment's Job are the same item even when their names differ.
    """

    kind: str
    logical: str
    obj: KubeObject
    migrations: bool  # part of the migrations kustomization (and of the application's)
    #: the proxy config's ConfigMap (a `configMapGenerator`); other ConfigMaps (extraResources) are files
    config: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.logical)

    @property
    def name(self) -> str:
        return str(self.obj["metadata"]["name"])

    @property
    def api_version(self) -> str:
        return str(self.obj["apiVersion"])


def job_hash(job: Mapping[str, Any]) -> str:
    """A short hash of the Job's spec (image, args, env, ...): what makes it a new Job."""
    text = json.dumps(job["spec"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:JOB_HASH_LENGTH]


def items(topology: ir.Topology) -> list[Item]:
    """Every object the kustomize output builds for `topology`, in the builder's order."""
    out: list[Item] = []
    job = topology.migrations
    for obj in kube.build_objects(topology):
        obj = copy.deepcopy(obj)
        kind = str(obj["kind"])
        logical = str(obj["metadata"]["name"])
        in_migrations = False
        if kind == "Deployment":
            _drop_checksum(obj)
        elif kind == "Job" and job is not None:
            obj["metadata"]["name"] = f"{logical}-{job_hash(obj)}"
            _annotate(obj, kube.migration_hook_annotations(job, helm=False))
            in_migrations = True
        elif kind == "ServiceAccount":
            _annotate(obj, kube.service_account_hook_annotations(topology, helm=False))
            # The Job runs as this account: it must exist before the Job, on the first install too.
            in_migrations = job is not None and job.pod.service_account_name == logical
        config = kind == "ConfigMap" and logical == topology.config.name
        out.append(Item(kind, logical, obj, in_migrations, config))
    return out


def _drop_checksum(deployment: KubeObject) -> None:
    meta = deployment["spec"]["template"]["metadata"]
    annotations = meta.get("annotations") or {}
    annotations.pop(kube.CHECKSUM_ANNOTATION, None)
    if not annotations:
        meta.pop("annotations", None)


def _annotate(obj: KubeObject, annotations: Mapping[str, str]) -> None:
    if annotations:
        meta = obj["metadata"]
        meta["annotations"] = {**(meta.get("annotations") or {}), **annotations}


def pod_containers(obj: Mapping[str, Any]) -> list[KubeObject]:
    """The containers of a workload's pod template (empty for other kinds)."""
    pod = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    return [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]


def stems(all_items: Iterable[Item], deployment: str) -> dict[tuple[str, str], str]:
    """File stems per item: `gateway-deployment`, `migrations-job`, `ingress`, ...

    The common `<metadata.name>-` prefix is left out; should two stems collide (an object named
    after another one's stem), both fall back to `<kind>-<name>`.
    """
    out: dict[tuple[str, str], str] = {}
    for item in all_items:
        kind = KIND_STEMS.get(item.kind, item.kind.lower())
        if item.logical == deployment:
            stem = kind
        elif item.logical.startswith(deployment + "-"):
            stem = f"{item.logical[len(deployment) + 1:]}-{kind}"
        else:
            stem = f"{item.logical}-{kind}"
        out[item.key] = stem
    counts: dict[str, int] = {}
    for stem in out.values():
        counts[stem] = counts.get(stem, 0) + 1
    for key, stem in out.items():
        if counts[stem] > 1:
            out[key] = f"{KIND_STEMS.get(key[0], key[0].lower())}-{key[1]}"
    return out
