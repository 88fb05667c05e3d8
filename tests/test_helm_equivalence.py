"""`helm template` of the chart gives the objects of `targets/kube.build_objects`.

For every example and test spec, the base and each environment: the chart rendered by real
Helm with `-f values.yaml [-f values-<env>.yaml]` equals the plain objects litectl builds for
that environment compiled on its own, apart from what only Helm adds: its own labels
(`helm.sh/chart`, `app.kubernetes.io/managed-by: Helm`), hook annotations (which must be exactly
the ones kube's helpers give) and the `helm test` Pod. A release name other than metadata.name
is used on purpose: nothing may depend on it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import realtools
from litectl.targets import kube
from test_helm import SPEC_IDS, SPECS, chart_dirs, compiled, env_params, topologies, values_files

__all__ = ["chart_dirs"]  # the shared session fixture, used by name

RELEASE = "some-release"
HELM_LABELS = ("helm.sh/chart", "app.kubernetes.io/managed-by")
HOOK_PREFIXES = ("helm.sh/hook", "argocd.argoproj.io/hook")


def _strip_labels(meta: dict[str, Any], managed_by: str) -> None:
    labels = meta.get("labels", {})
    assert labels.get("app.kubernetes.io/managed-by") == managed_by, meta
    for key in HELM_LABELS:
        labels.pop(key, None)


def comparable(obj: dict[str, Any], managed_by: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The object without Helm's own labels and hook annotations, and those hook annotations."""
    obj = copy.deepcopy(obj)
    meta = obj["metadata"]
    _strip_labels(meta, managed_by)
    template = obj.get("spec", {}).get("template")
    if template:
        _strip_labels(template["metadata"], managed_by)
    annotations = meta.get("annotations", {})
    hooks = {k: annotations.pop(k) for k in list(annotations) if k.startswith(HOOK_PREFIXES)}
    if "annotations" in meta and not annotations:
        del meta["annotations"]
    return obj, hooks


def by_key(objects: list[dict[str, Any]]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    return {realtools.object_key(o): o for o in objects}


def diff_text(expected: dict[str, Any], actual: dict[str, Any]) -> str:
    import difflib

    a = json.dumps(expected, indent=1, sort_keys=True).splitlines()
    b = json.dumps(actual, indent=1, sort_keys=True).splitlines()
    return "\n".join(difflib.unified_diff(a, b, "kube.build_objects", "helm template", lineterm="", n=3))


@pytest.mark.realtool
@pytest.mark.parametrize(("spec", "env"), env_params())
def test_helm_template_equals_kube_objects(spec: Path, env: str | None, chart_dirs: dict[Path, Path]) -> None:
    topology = next(t for t in topologies(spec) if t.environment == env)
    chart = chart_dirs[spec]
    rendered = realtools.helm_render(chart, values_files=values_files(chart, env), release=RELEASE,
                                     namespace="elsewhere")
    tests = [o for o in rendered if o["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    assert [o["kind"] for o in tests] == (["Pod"] if topology.gateway or topology.backend else [])
    helm_side = {key: comparable(o, "Helm") for key, o in by_key(rendered).items() if o not in tests}
    kube_side = {key: comparable(o, "litectl") for key, o in by_key(kube.build_objects(topology)).items()}
    assert sorted(helm_side) == sorted(kube_side)
    for key, (expected, kube_hooks) in kube_side.items():
        actual, helm_hooks = helm_side[key]
        assert actual == expected, f"{key}:\n{diff_text(expected, actual)}"
        assert kube_hooks == {}, "build_objects must not carry sequencing annotations"
        if key[0] == "Job":
            assert topology.migrations is not None
            assert helm_hooks == kube.migration_hook_annotations(topology.migrations, helm=True)
        elif key[0] == "ServiceAccount":
            assert helm_hooks == kube.service_account_hook_annotations(topology, helm=True)
        else:
            assert helm_hooks == {}, key


@pytest.mark.realtool
@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_chart_defaults_alone_give_the_base(spec: Path, chart_dirs: dict[Path, Path]) -> None:
    """`helm install` without -f: the chart's own values.yaml is the compiled base.

    (Helm drops nulls from a chart's default values; nulls inside proxy_config are dropped by
    every target for that reason, see goyaml.without_map_nulls.)
    """
    chart = chart_dirs[spec]
    alone = by_key(realtools.helm_render(chart, release=RELEASE, namespace="n"))
    explicit = by_key(realtools.helm_render(chart, values_files=[chart / "values.yaml"], release=RELEASE,
                                            namespace="n"))
    assert alone == explicit
    assert len(alone) >= len(kube.build_objects(compiled(spec).base))
