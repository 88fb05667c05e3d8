"""The kustomize target checked with the real tools: kustomize 4.5.4 and 5, Kubernetes schemas.

For every example, every spec under tests/specs/ and the specs below (written to make overlays
do everything they can: add, delete, rename, re-namespace, change images per component):
- every kustomization builds with both kustomize versions and every object passes the Kubernetes
  schemas strictly (1.27 and the newest bundled);
- the base and each environment build to the shared builder's objects for that topology, and to
  what the Helm chart renders (`helm template` through the Helm SDK, with the environment's
  values file), apart from the ConfigMap's hash suffix, the Job's name hash, Helm's own labels and
  test Pods, and how the migrations Job is sequenced;
- each overlay builds to exactly what compiling its environment alone (`--env`) builds to.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import os
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import realtools as rt
from litectl.compiler.ir import Topology
from litectl.compiler.validate import compile_file
from litectl.targets import kube, registry
from litectl.targets.kustomize import TARGET
from litectl.targets.kustomize.objects import JOB_HASH_LENGTH, job_hash

pytestmark = pytest.mark.realtool

REPO = Path(__file__).resolve().parents[1]
FLAVORS = rt.FLAVORS
KubeObject = dict[str, Any]

#: Specs that make the overlays work hard; each environment exercises a different kind of delta.
EXTRA_SPECS: Mapping[str, str] = {
    "kustomize-toggles": """
        apiVersion: litectl/v1alpha1
        kind: LiteLLMTopology
        metadata:
          name: lt
          namespace: team-a
          labels: {tier: gold}
          annotations: {owner: team-a}
        database:
          writer: {host: pg, dbname: litellm}
        serviceAccount: {create: true, name: lt-runner}
        ui: {enabled: false}
        gateway:
          extraEnv:
            - {name: FIRST, value: "1"}
            - {name: SECOND, value: "2"}
          config:
            proxy_config:
              model_list:
                - {model_name: a, litellm_params: {model: openai/a}}
        migrationJob:
          hooks: {argocd: {enabled: true}}
        ingress: {enabled: true, host: lt.example.com}
        environments:
          with-ui:              # objects only the environment has; a changed proxy config
            ui: {enabled: true, replicas: 2}
            gateway:
              extraEnv:
                - {name: SECOND, value: "two"}
                - {name: THIRD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
              tolerations:
                - {key: gpu, operator: Exists, effect: NoSchedule}
              config:
                proxy_config:
                  model_list:
                    - {model_name: b, litellm_params: {model: openai/b}}
          no-backend:           # deletions; no namespace at all; labels changed, annotations gone
            metadata:
              namespace: null
              labels: {tier: silver, extra: "yes"}
              annotations: null
            backend: {enabled: false}
            migrationJob: {hooks: {argocd: {enabled: false}}}
          api-only:             # the ConfigMap, the Job and the ServiceAccount all go
            gateway: {enabled: false}
            backend: {enabled: false}
            ui: {enabled: true}
            serviceAccount: {create: false, name: ""}
            migrationJob: {enabled: false}
          split-images:         # images differ per component: `images:` cannot say it alone
            image: {tag: "1.105.0"}
            gateway: {image: {tag: "1.104.1"}}
            migrationJob: {image: {repository: ghcr.io/berriai/litellm-migrations}}
          renamed:              # every object gets another name
            metadata: {name: lt2}
          locked-down:          # restricted pods: security contexts, emptyDir volumes and mounts
            podSecurity: restricted
        """,
    "kustomize-late-jobs": """
        apiVersion: litectl/v1alpha1
        kind: LiteLLMTopology
        metadata: {name: lj}
        podSecurity: restricted
        database:
          writer: {host: pg, dbname: litellm, useIAMAuth: true}
        serviceAccount: {create: true}
        migrationJob: {enabled: false}
        backend: {enabled: false}
        environments:
          jobs:                 # a Job only this environment runs, as the base's ServiceAccount
            metadata: {namespace: lj-jobs}
            migrationJob: {enabled: true, ttlSecondsAfterFinished: null, activeDeadlineSeconds: null}
          hpa-off:              # replicas instead of HPAs; a backend (mounting the config) and an
            gateway: {hpa: {enabled: false}, replicas: 3, pdb: {enabled: true}}  # Ingress only here
            backend: {enabled: true, hpa: {enabled: false}}
            ingress:
              enabled: true
              controller: nginx
              host: x.example.com
              extraPaths: [{path: /hooks.v1, service: backend}]
          mirror:               # every image from another registry: one `images:` entry
            image: {repository: registry.example.com/litellm, pullPolicy: Always}
            migrationJob: {enabled: true}
        """,
}


def _spec_files() -> dict[str, Path | None]:
    """Case name -> spec file (None: one of EXTRA_SPECS, written at run time)."""
    cases: dict[str, Path | None] = {path.stem: path for path in sorted((REPO / "examples").glob("*.yaml"))}
    cases.update({f"specs-{p.stem}": p for p in sorted((REPO / "tests" / "specs").glob("*.yaml"))})
    cases.update(dict.fromkeys(EXTRA_SPECS))
    return cases


CASES = _spec_files()


class Case:
    """One spec: its compilation and its kustomize output written to disk."""

    def __init__(self, spec: Path, out: Path) -> None:
        self.spec = spec
        self.out = out
        self.compilation = compile_file(spec)
        _write(TARGET.render(self.compilation, None).files, out / "all")
        helm = registry.load("helm")
        options = self.compilation.base.targets.get("helm") or helm.options_type()
        self.chart = out / "helm"
        _write(helm.render(self.compilation, options).files, self.chart)
        #: Each environment compiled on its own (`--env NAME`): environment name -> output.
        self.alone: dict[str, Path] = {}
        for env in self.compilation.environments:
            name = str(env.environment)
            alone = compile_file(spec, env=name)
            assert not alone.environments and alone.base.environment == name
            self.alone[name] = out / "alone" / name
            _write(TARGET.render(alone, None).files, self.alone[name])

    def leaves(self) -> Iterator[tuple[Path, Topology]]:
        """(application kustomization directory, the topology it must build) of base and envs."""
        yield self.out / "all" / "base", self.compilation.base
        for env in self.compilation.environments:
            yield self.out / "all" / "overlays" / str(env.environment), env


def _write(files: Mapping[str, bytes], root: Path) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.fixture(scope="session")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    root = tmp_path_factory.mktemp("kustomize")
    out: dict[str, Case] = {}
    for name, path in CASES.items():
        if path is None:
            path = root / "specs" / f"{name}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(EXTRA_SPECS[name]).lstrip(), encoding="utf-8")
        out[name] = Case(path, root / name)
    jobs = [(d, flavor) for case in out.values() for d in kustomizations(case.out / "all")
            for flavor in FLAVORS]
    jobs += [(d, reference_flavor()) for case in out.values() for d in kustomizations(case.out / "alone")]
    _prefetch(jobs)
    return out


def reference_flavor() -> rt.Flavor:
    """The kustomize that checks exact equalities; the other one must then build the same bytes."""
    return "v5" if "v5" in rt.available_kustomizes() else "v4"


def _prefetch(jobs: Sequence[tuple[Path, rt.Flavor]]) -> None:
    """Build everything up front, in parallel: kustomize 4.5.4 takes most of a second a build
    with an HPA in it (it loads its OpenAPI data). Failures are left for the tests to report."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        for future in [pool.submit(_built, d, flavor) for d, flavor in jobs]:
            with contextlib.suppress(Exception, pytest.skip.Exception, pytest.fail.Exception):
                future.result()


@functools.cache
def _built(directory: Path, flavor: rt.Flavor) -> str:
    return json.dumps(rt.kustomize_build(directory, flavor=flavor))


def build(directory: Path, flavor: rt.Flavor) -> list[KubeObject]:
    """kustomize build, once per directory and version (a fresh copy each call)."""
    objects: list[KubeObject] = json.loads(_built(directory, flavor))
    return objects


def kustomizations(root: Path) -> list[Path]:
    return sorted(path.parent for path in root.rglob("kustomization.yaml"))


# --- what may differ, and nothing else ------------------------------------------------------------

#: The hash suffix kustomize gives a generated ConfigMap's name.
CONFIGMAP_HASH = re.compile(r"^(?P<name>.+)-[a-z0-9]{10}$")
JOB_NAME = re.compile(rf"^(?P<name>.+-migrations)-(?P<hash>[0-9a-f]{{{JOB_HASH_LENGTH}}})$")
SEQUENCING = (kube.HELM_HOOK, kube.HELM_HOOK_WEIGHT, kube.HELM_HOOK_DELETE_POLICY, kube.ARGOCD_HOOK,
              kube.ARGOCD_HOOK_DELETE_POLICY)


def _drop_annotations(meta: KubeObject, keys: Sequence[str]) -> None:
    annotations = meta.get("annotations") or {}
    for key in keys:
        annotations.pop(key, None)
    if not annotations:
        meta.pop("annotations", None)


def comparable(objects: Sequence[KubeObject]) -> dict[tuple[str, str], KubeObject]:
    """Objects keyed by (kind, name) with only the sanctioned differences taken out.

    The ConfigMap's hash suffix (and the references to it), the Job's spec hash, sequencing
    annotations (Helm hooks, Argo CD PreSync) and the `checksum/config` pod annotation, which the
    hash suffix replaces. A Job name hash is checked to be the hash of the Job's own spec.
    """
    objects = copy.deepcopy(list(objects))
    renamed: dict[str, str] = {}
    for obj in objects:
        meta = obj["metadata"]
        if obj["kind"] == "ConfigMap" and (match := CONFIGMAP_HASH.match(meta["name"])):
            renamed[meta["name"]] = match["name"]
            meta["name"] = match["name"]
        if obj["kind"] == "Job" and (match := JOB_NAME.match(meta["name"])):
            assert match["hash"] == job_hash(obj), f"Job {meta['name']}: the suffix is not its spec's hash"
            meta["name"] = match["name"]
        _drop_annotations(meta, SEQUENCING)
        template = (obj.get("spec") or {}).get("template")
        if template:
            _drop_annotations(template["metadata"], (kube.CHECKSUM_ANNOTATION,))
            for volume in template["spec"].get("volumes") or []:
                config_map = volume.get("configMap")
                if config_map:
                    config_map["name"] = renamed.get(config_map["name"], config_map["name"])
    out = {(str(o["kind"]), str(o["metadata"]["name"])): o for o in objects}
    assert len(out) == len(objects), "two objects of the same kind and name"
    return out


def assert_config_references_resolve(objects: Sequence[KubeObject], what: str) -> None:
    """Every ConfigMap a pod mounts is in the build under that very (hash-suffixed) name."""
    names = {o["metadata"]["name"] for o in objects if o["kind"] == "ConfigMap"}
    for obj in objects:
        template = (obj.get("spec") or {}).get("template") or {}
        for volume in (template.get("spec") or {}).get("volumes") or []:
            mounted = (volume.get("configMap") or {}).get("name")
            if mounted is not None:
                where = f"{what}: {obj['kind']}/{obj['metadata']['name']} mounts ConfigMap {mounted}"
                assert mounted in names and CONFIGMAP_HASH.match(mounted), f"{where}, not one of {names}"


def assert_same_objects(actual: Sequence[KubeObject], expected: Sequence[KubeObject], what: str) -> None:
    assert_config_references_resolve(actual, what)
    got, want = comparable(actual), comparable(expected)
    assert sorted(got) == sorted(want), f"{what}: object sets differ"
    for key in sorted(want):
        assert got[key] == want[key], f"{what}: {key[0]}/{key[1]} differs"


def migrations_subset(objects: Sequence[KubeObject], topology: Topology) -> list[KubeObject]:
    """The objects of a migrations step: the Job, and the ServiceAccount it runs as if created."""
    job = topology.migrations
    if job is None:
        return []
    return [o for o in objects if o["kind"] == "Job"
            or (o["kind"] == "ServiceAccount" and o["metadata"]["name"] == job.pod.service_account_name)]


# --- the tests ----------------------------------------------------------------------------------

@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("case", list(CASES))
def test_every_kustomization_builds_and_validates(
    cases: dict[str, Case], case: str, flavor: rt.Flavor
) -> None:
    seen: set[str] = set()
    problems: list[str] = []
    for directory in kustomizations(cases[case].out / "all"):
        for obj in build(directory, flavor):
            text = json.dumps(obj, sort_keys=True)
            if text not in seen:
                seen.add(text)
                problems += rt.validate_object(obj)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("case", list(CASES))
def test_builds_equal_the_shared_builder(cases: dict[str, Case], case: str, flavor: rt.Flavor) -> None:
    for directory, topology in cases[case].leaves():
        expected = kube.build_objects(topology)
        assert_same_objects(build(directory, flavor), expected, f"{directory} ({flavor})")
        steps = migrations_subset(expected, topology)
        if steps:
            assert_same_objects(build(directory / "migrations", flavor), steps, f"{directory}/migrations")
        else:
            assert not (directory / "migrations" / "kustomization.yaml").exists() or directory.name == "base"


@pytest.mark.parametrize("case", list(CASES))
def test_both_kustomize_versions_build_the_same(cases: dict[str, Case], case: str) -> None:
    """Object for object, hash suffixes included, so every equality below holds for both."""
    for directory in kustomizations(cases[case].out / "all"):
        assert build(directory, "v4") == build(directory, "v5"), directory


@pytest.mark.parametrize("case", list(CASES))
def test_overlay_equals_its_environment_compiled_alone(cases: dict[str, Case], case: str) -> None:
    """The delta is exact: hash suffixes included, nothing normalised away."""
    current = cases[case]
    flavor = reference_flavor()
    for name, out in current.alone.items():
        assert not (out / "overlays").exists()
        overlay = current.out / "all" / "overlays" / name
        assert build(overlay, flavor) == build(out / "base", flavor), f"overlay {name} ({flavor})"
        if (overlay / "migrations").exists():
            assert build(overlay / "migrations", flavor) == build(out / "base" / "migrations", flavor)


def helm_objects(chart: Path, topology: Topology) -> list[KubeObject]:
    """`helm template` of the chart with the topology's values file, minus what is Helm's own.

    Helm's own: its test Pods (`helm.sh/hook: test`), the `helm.sh/chart` label and the
    managed-by value (`Helm` there, `litectl` in plain manifests).
    """
    values = [] if topology.environment is None else [chart / f"values-{topology.environment}.yaml"]
    rendered = rt.helm_render(chart, values_files=values, release=topology.name,
                              namespace=topology.namespace or "default")
    objects = [o for o in rendered if (o["metadata"].get("annotations") or {}).get(kube.HELM_HOOK) != "test"]
    for obj in objects:
        template = (obj.get("spec") or {}).get("template") or {}
        for meta in (obj["metadata"], template.get("metadata") or {}):
            labels = meta.get("labels") or {}
            labels.pop("helm.sh/chart", None)
            if "app.kubernetes.io/managed-by" in labels:
                assert labels["app.kubernetes.io/managed-by"] == "Helm"
                labels["app.kubernetes.io/managed-by"] = "litectl"
    return objects


@pytest.mark.parametrize("case", list(CASES))
def test_builds_equal_the_helm_render(cases: dict[str, Case], case: str) -> None:
    """What `kubectl apply -k` gets is what `helm install` gets, for the base and each environment."""
    current = cases[case]
    for directory, topology in current.leaves():
        expected = helm_objects(current.chart, topology)
        assert_same_objects(build(directory, reference_flavor()), expected, f"{directory} vs helm")


def _object_files(directory: Path) -> list[KubeObject]:
    """Objects written in full in one overlay directory (not patches, not kustomizations)."""
    out: list[KubeObject] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "kustomization.yaml" or path.name == "config.yaml":
            continue
        doc = rt.parse_yaml_documents(path.read_text(encoding="utf-8"), source=str(path))[0]
        if isinstance(doc, dict) and "$patch" not in doc:
            out.append(doc)
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_overlays_copy_no_base_object(cases: dict[str, Case], case: str) -> None:
    """Only objects the base does not have are written whole into an overlay."""
    current = cases[case]
    base = comparable(kube.build_objects(current.compilation.base))
    for env in current.compilation.environments:
        root = current.out / "all" / "overlays" / str(env.environment)
        for directory in (root, root / "migrations"):
            for key in comparable(_object_files(directory)):
                assert key not in base, f"{directory}: {key[0]}/{key[1]} is a copy of a base object"


@pytest.mark.parametrize("case", list(CASES))
def test_sequencing_annotations(cases: dict[str, Case], case: str) -> None:
    """Argo CD PreSync on the Job (and its created ServiceAccount) exactly when asked for."""
    for directory, topology in cases[case].leaves():
        for obj in build(directory, "v5"):
            annotations = obj["metadata"].get("annotations") or {}
            assert not any(key.startswith("helm.sh/") for key in annotations)
            job = topology.migrations
            wanted = job is not None and job.argocd_hook and (
                obj["kind"] == "Job"
                or (obj["kind"] == "ServiceAccount" and topology.service_account.create
                    and obj["metadata"]["name"] == job.pod.service_account_name))
            hooks = {k: annotations[k] for k in (kube.ARGOCD_HOOK, kube.ARGOCD_HOOK_DELETE_POLICY)
                     if k in annotations}
            assert hooks == (kube.argocd_hook_annotations() if wanted else {}), f"{directory}: {obj['kind']}"


def _config_volume(objects: Sequence[KubeObject], deployment: str) -> str:
    for obj in objects:
        if obj["kind"] == "Deployment" and obj["metadata"]["name"] == deployment:
            volumes = obj["spec"]["template"]["spec"]["volumes"]
            return str(next(v["configMap"]["name"] for v in volumes if "configMap" in v))
    raise AssertionError(f"no Deployment {deployment}")


def test_a_config_change_rolls_the_pods(cases: dict[str, Case]) -> None:
    """A changed proxy config is a new ConfigMap name in the pod templates: Kubernetes rolls them."""
    root = cases["kustomize-toggles"].out / "all"
    flavor = reference_flavor()
    base, changed, same = (build(root / path, flavor)
                           for path in ("base", "overlays/with-ui", "overlays/split-images"))
    for deployment in ("lt-gateway", "lt-backend"):
        assert _config_volume(changed, deployment) != _config_volume(base, deployment)
        assert _config_volume(same, deployment) == _config_volume(base, deployment)
