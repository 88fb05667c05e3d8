"""Fuzzing every target with specs that are valid by construction.

The strategy is built from the spec model itself (compiler/model.py, the source of the schema):
every attrs class becomes a `fixed_dictionaries` of its fields, each field present or left to its
default, each value drawn from the field's type and constraints (patterns, bounds, enums). Where
the model says "a Kubernetes object" (probes, resources, security contexts, env vars, ...) small
hand-written strategies give valid objects of that kind, and free text is drawn from pieces that
templates, interpolation and YAML 1.1 readers misread (`{{ }}`, `$(X)`, `${X}`, `on`, `0755`, ...).
`environments` get partial documents from the same strategies, `targets` their options.

For every example: validation and every target end in output or in clean diagnostics, never an
exception; and every success
- renders with real Helm (base and each environment's values) and builds with kustomize 4.5.4;
- passes the Kubernetes schemas strictly (oldest and newest supported version) and the Compose
  schema (base and overrides);
- reads the same under YAML 1.1 and 1.2 (every file, the embedded config.yaml);
- passes its Pod Security Standards level;
- keeps every user env value verbatim and every litectl value literal (test_hardening_injection).

CI runs a bounded, derandomised number of examples (`LITECTL_FUZZ_EXAMPLES`, default 50); set it
higher locally for a longer run (then the examples are random); `LITECTL_FUZZ_SHRINK=1` shrinks a
failing example (slow: every example runs the real tools).
"""

from __future__ import annotations

import os
import sys
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs
import pss
import pytest
import realtools as rt
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from litectl.compiler import model
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.output import dump_yaml
from litectl.compiler.secrets import _secret_name
from litectl.targets.options import ComposeOptions, HelmOptions, KustomizeOptions
from test_hardening_common import (
    compile_text,
    compose_interpolate,
    compose_variables,
    container_env,
    containers,
    environments,
    helm_objects,
    kustomize_objects,
    render,
    texts,
    topology,
    walk_strings,
    write,
    yaml_files,
)
from test_hardening_yaml11 import COMPOSE_TAGS, assert_same_under_both, embedded_configs, read_1_2

pytestmark = pytest.mark.realtool

EXAMPLES = int(os.environ.get("LITECTL_FUZZ_EXAMPLES", "50"))
RANDOM = "LITECTL_FUZZ_EXAMPLES" in os.environ

# --- text ----------------------------------------------------------------------------------------------

PIECES = [
    "a", "Z", "0", "9", "-", "_", ".", " ", "/", ":", "#", "'", '"', "`", "\\", "{", "}", "[", "]",
    "{{ .Release.Name }}", "{{", "}}", "$", "$$", "$(A)", "$(LITELLM_LOG)", "${B}", "${C:-d}", "$D",
    "on", "yes", "no", "y", "~", "null", "true", "0755", "1e3", "1:20", "2001-12-14", "<<", "=",
    "é", "日本", "🙂", "\u00a0", "\n", "\t", "- ", "? ", ": ", " #", "&x", "*x", "!x", "%", "@", "|", ">",
]  # fmt: skip
text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=5).map("".join)
words = st.sampled_from(["on", "yes", "no", "off", "y", "n", "true", "null", "0755", "1e3", "1.0", "x", "a-b"])
label_value = st.one_of(words, st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?", fullmatch=True))
key_name = st.from_regex(r"[a-z0-9]([-a-z0-9_.]{0,10}[a-z0-9])?", fullmatch=True)
label_key = st.builds(lambda prefix, name: prefix + name, st.sampled_from(["", "example.com/", "a.b/"]), key_name)
labels = st.dictionaries(label_key, label_value, max_size=3)
annotation_maps = st.dictionaries(label_key, text, max_size=3)
dns_label = st.from_regex(r"[a-z]([-a-z0-9]{0,8}[a-z0-9])?", fullmatch=True)
env_name = st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True).filter(lambda n: not _secret_name(n))
host = st.from_regex(r"[a-z]([-a-z0-9]{0,8}[a-z0-9])?(\.[a-z]{2,5}){0,2}", fullmatch=True)
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=64), text,
)  # fmt: skip
proxy_keys = text.filter(lambda k: not _secret_name(k.replace(" ", "_")) and "api" not in k)
json_shallow = st.one_of(json_scalar, st.lists(json_scalar, max_size=3))
json_value = st.one_of(json_shallow, st.dictionaries(proxy_keys, json_shallow, max_size=3),
                       st.lists(st.dictionaries(proxy_keys, json_shallow, max_size=3), max_size=2))
proxy_config = st.dictionaries(proxy_keys, json_value, max_size=4)

# --- Kubernetes shapes ---------------------------------------------------------------------------------

QUANTITIES = {"cpu": ["100m", "250m", "500m", "1", "2"], "memory": ["128Mi", "512Mi", "1Gi", "2Gi", "4Gi"]}


@st.composite
def resources(draw: st.DrawFn) -> dict[str, Any]:
    requests, limits = {}, {}
    for name, choices in QUANTITIES.items():
        index = draw(st.integers(0, len(choices) - 1))
        requests[name] = choices[index]
        if draw(st.booleans()):
            limits[name] = choices[draw(st.integers(index, len(choices) - 1))]
    return {"requests": requests, **({"limits": limits} if limits else {})}


probe_timing = st.fixed_dictionaries({}, optional={
    "initialDelaySeconds": st.integers(0, 30), "periodSeconds": st.integers(1, 30),
    "timeoutSeconds": st.integers(1, 10), "failureThreshold": st.integers(1, 10),
})  # fmt: skip
probe = st.builds(
    lambda action, timing: {**action, **timing},
    st.one_of(
        st.builds(lambda p: {"httpGet": {"path": "/" + p, "port": "http"}}, st.sampled_from(["", "health", "a/b"])),
        st.just({"tcpSocket": {"port": "http"}}),
        st.builds(lambda t: {"exec": {"command": ["sh", "-c", t]}}, text),
    ),
    probe_timing,
)
toleration = st.one_of(
    st.builds(lambda k, e: {"key": k, "operator": "Exists", "effect": e}, label_key,
              st.sampled_from(["NoSchedule", "PreferNoSchedule", "NoExecute"])),
    st.builds(lambda k, v: {"key": k, "operator": "Equal", "value": v, "effect": "NoSchedule"}, label_key, label_value),
)
affinity = st.builds(
    lambda k, v: {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": k, "operator": "In", "values": [v]}]}]}}},
    label_key, label_value,
)
spread = st.builds(
    lambda skew, when, sel: {"maxSkew": skew, "topologyKey": "topology.kubernetes.io/zone",
                             "whenUnsatisfiable": when, "labelSelector": {"matchLabels": sel}},
    st.integers(1, 3), st.sampled_from(["ScheduleAnyway", "DoNotSchedule"]), labels,
)
pod_context = st.fixed_dictionaries({}, optional={
    "runAsUser": st.integers(1, 65535), "runAsGroup": st.integers(1, 65535), "fsGroup": st.integers(1, 65535),
    "runAsNonRoot": st.just(True), "seccompProfile": st.just({"type": "RuntimeDefault"}),
})  # fmt: skip
container_context = st.fixed_dictionaries({}, optional={
    "readOnlyRootFilesystem": st.booleans(), "allowPrivilegeEscalation": st.just(False),
    "runAsNonRoot": st.just(True),
    "capabilities": st.just({"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}),
})  # fmt: skip
env_var = st.one_of(
    st.builds(lambda n, v: {"name": n, "value": v}, env_name, text),
    st.builds(lambda n, s, k: {"name": n, "valueFrom": {"secretKeyRef": {"name": s, "key": k}}},
              env_name, dns_label, dns_label),
    st.builds(lambda n, s, k: {"name": n, "valueFrom": {"configMapKeyRef": {"name": s, "key": k}}},
              env_name, dns_label, dns_label),
    st.builds(lambda n: {"name": n, "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}, env_name),
)
ingress_tls = st.builds(lambda h, s: {"hosts": [h], "secretName": s}, host, dns_label)

KUBE: dict[str, st.SearchStrategy[Any]] = {
    "Probe": probe,
    "ResourceRequirements": resources(),
    "Toleration": toleration,
    "Affinity": affinity,
    "TopologySpreadConstraint": spread,
    "PodSecurityContext": pod_context,
    "SecurityContext": container_context,
    "EnvVar": env_var,
    "IngressTLS": ingress_tls,
}
#: Fields whose strings have a meaning the model's types do not say.
BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "labels": labels, "podLabels": labels, "nodeSelector": labels,
    "annotations": annotation_maps, "podAnnotations": annotation_maps,
    "proxy_config": proxy_config,
    "host": host,
    "path": st.builds(lambda t: "/" + t, st.from_regex(r"[a-z][-a-z0-9/]{0,10}", fullmatch=True)),
    "tag": st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}", fullmatch=True),
    "repository": st.sampled_from(["ghcr.io/berriai/litellm", "ghcr.io/berriai/litellm-non_root",
                                   "registry.example.com:5000/team/litellm", "litellm"]),
    "output": st.nothing(),
}  # fmt: skip


# --- from the model ----------------------------------------------------------------------------------


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))


def _bounded_int(constraints: Mapping[str, Any]) -> st.SearchStrategy[int]:
    low = int(constraints.get("minimum", 0))
    high = int(constraints.get("maximum", low + 200))
    return st.integers(low, high)


def _string(constraints: Mapping[str, Any]) -> st.SearchStrategy[str]:
    pattern = constraints.get("pattern")
    low, high = constraints.get("minLength", 0), constraints.get("maxLength", 63)
    if pattern:
        base = st.from_regex(pattern, fullmatch=True) if pattern.startswith("^") and pattern.endswith("$") \
            else st.from_regex(pattern)
    else:
        base = text
    return base.filter(lambda s: low <= len(s) <= high and "\x00" not in s)


def for_type(hint: Any, meta: Mapping[str, Any], name: str) -> st.SearchStrategy[Any]:
    if name in BY_NAME:
        return BY_NAME[name]
    constraints = meta.get("constraints") or {}
    kube = (meta.get("kube") or "").rsplit(".", 1)[-1]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) > 1:  # int | str (percentages)
            return st.one_of(st.integers(0, 3), st.sampled_from(["0%", "25%", "50%"]))
        inner = for_type(members[0], meta, name)
        return inner  # leaving the field out is how a spec says null here
    if hint is bool:
        return st.booleans()
    if hint is int:
        return _bounded_int(constraints)
    if hint is str:
        return _string(constraints)
    if origin is Literal:
        return st.sampled_from(args)
    if origin is tuple:
        item_meta = {"constraints": constraints.get("items", {}), "kube": meta.get("kube")}
        item = KUBE[kube] if kube in KUBE else for_type(args[0], item_meta, name + "[]")
        return st.lists(item, max_size=2)
    if origin is dict:
        if kube in KUBE:
            return KUBE[kube]
        return st.dictionaries(label_key, label_value, max_size=2)
    if kube in KUBE:
        return KUBE[kube]
    if attrs.has(hint):
        return document(hint)
    raise TypeError(f"no strategy for {hint!r} ({name})")


SKIP = {"apiVersion", "kind", "environments", "targets"}


def document(cls: type, *, partial: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Any instance of a model class as plain data: required fields always, others sometimes."""
    hints = _hints(cls)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(cls):
        if field.name in SKIP or (cls is model.Metadata and partial and field.name == "name"):
            continue
        strategy = for_type(hints[field.name], field.metadata, field.name)
        if field.default is attrs.NOTHING and not partial:
            required[field.name] = strategy
        else:
            optional[field.name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


TARGET_OPTIONS = st.fixed_dictionaries({}, optional={
    "helm": document(HelmOptions), "kustomize": document(KustomizeOptions), "compose": document(ComposeOptions),
})  # fmt: skip


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {"apiVersion": model.API_VERSION, "kind": model.KIND}
    spec.update(draw(document(model.Document)))
    spec["metadata"]["name"] = draw(dns_label)
    spec["targets"] = draw(TARGET_OPTIONS)
    # database: the host wiring (writer, optional reader) or urlSecret, exactly one of the two
    database = spec["database"]
    if draw(st.integers(0, 3)) == 0:
        database.pop("writer", None)
        database.pop("reader", None)
        database["urlSecret"] = draw(document(model.DatabaseUrlSecret))
    else:
        database.pop("urlSecret", None)
        if database.get("writer") is None:
            database["writer"] = draw(document(model.DatabaseWriter))
    wiring = "urlSecret" if "urlSecret" in database else "writer"
    env_names = draw(st.lists(dns_label, max_size=2, unique=True))
    if env_names:
        sections = [f.name for f in attrs.fields(typing.cast(Any, model.Document)) if f.name not in SKIP]
        spec["environments"] = {}
        for env in env_names:
            chosen = draw(st.lists(st.sampled_from(sections), max_size=3, unique=True))
            full = draw(document(model.Document, partial=True))
            overlay = {k: full[k] for k in chosen if k in full}
            if "database" in overlay:  # an environment keeps the base's kind of wiring
                other = {"urlSecret": ("writer", "reader"), "writer": ("urlSecret",)}[wiring]
                overlay["database"] = {k: v for k, v in overlay["database"].items() if k not in other}
            if draw(st.booleans()) and "database" in spec:
                overlay.setdefault("database", {})["reader"] = None  # null removes a key
            spec["environments"][env] = overlay
    return spec


# --- the checks -----------------------------------------------------------------------------------------

STATS = {"examples": 0, "valid": 0, "refused": 0}


def _check_outputs(compilation: Any, tmp: Path) -> None:
    bundles = {}
    for target in ("helm", "kustomize", "compose"):
        try:
            bundles[target] = render(compilation, target)
        except LitectlError as exc:  # a problem only a target sees (compose host ports)
            assert target == "compose", exc
            assert all(d.path for d in exc.diagnostics), exc
            continue
        for path, content in yaml_files(bundles[target]).items():
            docs = assert_same_under_both(content, f"{target}/{path}")
            for config in embedded_configs(docs):
                assert_same_under_both(config, f"{target}/{path} config")
    chart = write(bundles["helm"], tmp / "helm")
    tree = write(bundles["kustomize"], tmp / "kustomize")
    for env in environments(compilation):
        t = topology(compilation, env)
        for tool, objects in (("helm", helm_objects(chart, env, t.namespace)),
                              ("kustomize", kustomize_objects(tree, env))):
            problems = rt.k8s_validate_all(objects)
            assert problems == [], f"{tool} {env}: {problems[:5]}"
            assert pss.check_objects(objects, t.pod_security) == [], f"{tool} {env}"
            for obj in objects:
                for container in containers(obj):
                    container_env(container)  # parses
        if "compose" in bundles:
            compose = write(bundles["compose"], tmp / "compose")
            base = compose / "compose.yaml"
            if env is None:
                assert rt.compose_validate(base) == []
                for path, content in texts(bundles["compose"]).items():
                    if path.startswith("compose.") and path.endswith(".yaml"):
                        _interpolates(read_1_2(content)[0], path)
            else:
                override = (compose / f"compose.{env}.yaml").read_text(encoding="utf-8")
                (document,) = read_1_2(override)
                assert rt.compose_validate(untagged(document), base=base) == []


def _interpolates(document: Any, where: str) -> None:
    """Compose interpolates every string value: with each referenced variable set, none may fail
    (a lone `$` of user text would)."""
    values = [v for _path, v in walk_strings(document) if _path[-1:] != ("<key>",)]
    variables = {name: "x" for value in values for name in compose_variables(value)}
    for value in values:
        compose_interpolate(value, variables)


def untagged(value: Any) -> Any:
    """What Compose validates of an override: `!reset` entries dropped, `!override` unwrapped
    (the YAML reader gives tagged nodes as (tag, value) pairs)."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] in COMPOSE_TAGS:
        return untagged(value[1])
    if isinstance(value, dict):
        return {k: untagged(v) for k, v in value.items()
                if not (isinstance(v, tuple) and len(v) == 2 and v[0] == "!reset")}
    if isinstance(value, list):
        return [untagged(v) for v in value]
    return value


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    # each example runs Helm, kustomize and the schemas: shrinking a failure can take many minutes,
    # so failures are reported unshrunk unless LITECTL_FUZZ_SHRINK=1
    phases=list(Phase) if os.environ.get("LITECTL_FUZZ_SHRINK") == "1" else [Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(specs())
def test_every_valid_spec_compiles_and_every_output_is_accepted(spec: dict[str, Any]) -> None:
    import tempfile

    STATS["examples"] += 1
    text_ = dump_yaml(spec)
    note(text_)
    try:
        compilation = compile_text(text_)
    except LitectlError as exc:  # cross-field rules the strategy does not avoid: clean diagnostics
        STATS["refused"] += 1
        for d in exc.diagnostics:
            assert d.span is not None and "\n" not in d.format(), d
        return
    STATS["valid"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        _check_outputs(compilation, Path(tmp))


def test_the_fuzzer_mostly_makes_valid_specs() -> None:
    """Runs after the fuzz test in the same module: most examples must reach the targets."""
    if STATS["examples"] == 0:
        pytest.skip("the fuzz test did not run in this session")
    print(f"fuzz: {STATS}")
    assert STATS["valid"] >= STATS["examples"] // 3, STATS
