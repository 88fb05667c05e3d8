"""The compose target, checked the way Compose itself would read its output.

* Every compose file of every example and compose test spec validates against the official
  Compose schema (draft-07), and every `depends_on`/volume it names exists.
* `compose.yaml` merged with `compose.<env>.yaml` by the Compose specification's merge rules
  (implemented below from the spec: mappings merge, `command`/`healthcheck.test` replace, other
  sequences append with their uniqueness keys, `!reset`/`!override` tags) equals the environment
  compiled on its own with `--env`.
* The wiring is the Kubernetes targets' wiring: same env names, order and values, Secret keys as
  `${VAR:?...}` listed in `.env.example`; interpolating a fake `.env` gives each variable the
  value of the key it stands for, and no secret value ever appears in an output file.
* What compose cannot express is reported, once per feature, and `strict` turns it into errors.
"""

from __future__ import annotations

import copy
import json
import os
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import realtools
from litectl.compiler import ir
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.output import Bundle
from litectl.compiler.validate import compile_file
from litectl.targets import kube
from litectl.targets.compose import TARGET
from litectl.targets.compose.healthcheck import probe_test
from litectl.targets.compose.overrides import delta, dump_override
from litectl.targets.compose.quantity import compose_cpus, compose_memory
from litectl.targets.compose.stack import variable_name
from litectl.targets.options import ComposeOptions

REPO = Path(__file__).resolve().parents[1]
SPECS = sorted([*REPO.glob("examples/*.yaml"), *REPO.glob("tests/specs/compose-*.yaml")])
SPEC_IDS = [f"{p.parent.name}/{p.stem}" for p in SPECS]


# --- helpers ----------------------------------------------------------------------------------


def options_of(compilation: ir.Compilation) -> ComposeOptions:
    own = compilation.base.targets.get("compose")
    return own if isinstance(own, ComposeOptions) else ComposeOptions()


def render(spec: Path, env: str | None = None, *, strict: bool = False) -> Bundle:
    compilation = compile_file(spec, env=env)
    return TARGET.render(compilation, options_of(compilation), strict=strict)


def texts(bundle: Bundle) -> dict[str, str]:
    return {path: data.decode("utf-8") for path, data in bundle.files.items()}


class Tagged:
    """A node carrying one of Compose's merge tags (`!reset`, `!override`)."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


def load_compose_text(text: str) -> dict[str, Any]:
    """A compose file as Compose reads it: YAML 1.2, with its `!reset`/`!override` tags kept."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor

    class ComposeConstructor(SafeConstructor):
        """Own subclass, so the tag constructors never leak into other users of SafeConstructor."""

    def tagged(constructor: SafeConstructor, node: Any) -> Tagged:
        if node.id == "mapping":
            return Tagged(node.tag, constructor.construct_mapping(node, deep=True))
        if node.id == "sequence":
            return Tagged(node.tag, constructor.construct_sequence(node, deep=True))
        return Tagged(node.tag, constructor.construct_scalar(node))

    ComposeConstructor.add_constructor("!reset", tagged)
    ComposeConstructor.add_constructor("!override", tagged)
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = ComposeConstructor
    data = yaml.load(text)
    assert isinstance(data, dict), "a compose file holds one mapping"
    return data


def untagged(value: Any) -> Any:
    """What Compose validates in an override file: `!reset` entries dropped, `!override` unwrapped."""
    if isinstance(value, Tagged):
        return untagged(value.value)
    if isinstance(value, dict):
        return {k: untagged(v) for k, v in value.items() if not (isinstance(v, Tagged) and v.tag == "!reset")}
    if isinstance(value, list):
        return [untagged(v) for v in value]
    return value


# The Compose specification's merge rules (merge section), as compose-go implements them.
REPLACED = {("command",), ("entrypoint",), ("healthcheck", "test")}
TO_SEQUENCE = {("environment",), ("labels",), ("env_file",), ("tmpfs",), ("dns",), ("sysctls",),
               ("extra_hosts",), ("annotations",), ("deploy", "labels")}


def _service_path(path: tuple[str, ...]) -> tuple[str, ...] | None:
    return tuple(path[2:]) if len(path) > 2 and path[0] == "services" else None


def _as_sequence(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return sorted(f"{k}={v}" if v is not None else str(k) for k, v in value.items())
    return list(value) if isinstance(value, list) else [value]


def _merge(base: Any, over: Any, path: tuple[str, ...]) -> Any:
    inner = _service_path(path)
    if inner in REPLACED:
        return over
    if inner in TO_SEQUENCE:
        return _as_sequence(base) + _as_sequence(over)
    if over is None:
        return base
    if isinstance(base, dict):
        assert isinstance(over, dict), f"cannot override mapping {'.'.join(path)}"
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(out[key], value, (*path, key)) if key in out else value
        return out
    if isinstance(base, list):
        assert isinstance(over, list), f"cannot override sequence {'.'.join(path)}"
        return base + over
    return over


def _unique_key(inner: tuple[str, ...], entry: Any) -> str | None:
    """The uniqueness key of a sequence entry (Compose merge section: unique resources)."""
    if inner in {("environment",), ("labels",), ("tmpfs",), ("sysctls",), ("cap_add",), ("cap_drop",),
                 ("dns",), ("annotations",)}:
        return str(entry).split("=", 1)[0]
    if inner == ("env_file",):
        return str(entry["path"] if isinstance(entry, Mapping) else entry)
    if inner == ("ports",):
        return str(entry)
    if inner == ("volumes",):
        return str(entry["target"] if isinstance(entry, Mapping) else str(entry).split(":")[1])
    return None


def _enforce_unicity(value: Any, path: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        return {k: _enforce_unicity(v, (*path, k)) for k, v in value.items()}
    inner = _service_path(path)
    if isinstance(value, list) and inner is not None and _unique_key(inner, value[0] if value else "") is not None:
        out: list[Any] = []
        index: dict[str, int] = {}
        for entry in value:
            key = _unique_key(inner, entry)
            assert key is not None
            if key in index:
                out[index[key]] = entry
            else:
                index[key] = len(out)
                out.append(entry)
        return out
    return value


def _tagged_paths(value: Any, path: tuple[str, ...], out: list[tuple[str, ...]]) -> None:
    if isinstance(value, Tagged):
        out.append(path)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _tagged_paths(item, (*path, key), out)


def _delete(data: dict[str, Any], path: tuple[str, ...]) -> None:
    node: Any = data
    for key in path[:-1]:
        if not isinstance(node, dict) or key not in node:
            return
        node = node[key]
    if isinstance(node, dict):
        node.pop(path[-1], None)


def compose_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`docker compose -f base -f override`: tagged paths cleared in the base, then merged."""
    merged = copy.deepcopy(dict(base))
    tagged: list[tuple[str, ...]] = []
    _tagged_paths(override, (), tagged)
    for path in tagged:
        _delete(merged, path)
    result = _merge(merged, untagged(override), ())
    return _enforce_unicity(result, ())  # type: ignore[no-any-return]


def normalized(doc: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, Any]:
    """The application model independent of spelling: env/labels as mappings, bind-mounted files
    by content (an environment's mounted file has its own name in the override set)."""
    out = copy.deepcopy(dict(doc))
    for service in (out.get("services") or {}).values():
        for key in ("environment", "labels"):
            value = service.get(key)
            if isinstance(value, list):
                service[key] = dict(item.split("=", 1) for item in value)
        volumes = []
        for volume in service.get("volumes") or []:
            if not isinstance(volume, str):  # long syntax (the user's volumes): no generated file
                volumes.append(volume)
                continue
            source, rest = volume.split(":", 1)
            if source.startswith("./"):
                source = "file:" + files[source[2:]]
            volumes.append(f"{source}:{rest}")
        if volumes:
            service["volumes"] = volumes
    return out


@pytest.fixture(scope="module", params=SPECS, ids=SPEC_IDS)
def spec(request: pytest.FixtureRequest) -> Path:
    return request.param  # type: ignore[no-any-return]


# --- schema and references --------------------------------------------------------------------


def test_every_compose_file_validates_against_the_compose_spec(spec: Path) -> None:
    files = texts(render(spec))
    base = realtools.parse_yaml_documents(files["compose.yaml"], yaml_1_1=False)[0]
    assert "version" not in base
    assert base["name"]
    assert realtools.compose_validate(base) == []
    for path, text in files.items():
        if path.startswith("compose.") and path != "compose.yaml":
            override = untagged(load_compose_text(text))
            assert realtools.compose_validate(override, base=base) == [], path


def test_merged_environments_validate_and_only_depend_on_existing_services(spec: Path) -> None:
    files = texts(render(spec))
    base = load_compose_text(files["compose.yaml"])
    for path, text in files.items():
        if path.startswith("compose.") and path != "compose.yaml":
            merged = compose_merge(base, load_compose_text(text))
            assert realtools.compose_validate(merged) == [], path
            for name, service in merged["services"].items():
                for dependency in service.get("depends_on") or {}:
                    assert dependency in merged["services"], (path, name, dependency)


def test_header_on_every_file_that_allows_comments(spec: Path) -> None:
    for path, text in texts(render(spec)).items():
        first = text.splitlines()[0]
        assert "Generated by litectl from " + spec.name in first, path
        assert first.startswith("<!--" if path.endswith(".md") else "#"), path


def test_rendering_is_deterministic(spec: Path) -> None:
    assert render(spec).files == render(spec).files


# --- environments: base + override == --env ---------------------------------------------------


def test_base_plus_override_equals_the_environment_compiled_alone(spec: Path) -> None:
    compilation = compile_file(spec)
    files = texts(render(spec))
    base = load_compose_text(files["compose.yaml"])
    for topology in compilation.environments:
        env = str(topology.environment)
        merged = compose_merge(base, load_compose_text(files[f"compose.{env}.yaml"]))
        alone = texts(render(spec, env))
        assert set(alone) >= {"compose.yaml", ".env.example", "README.md"}
        assert not [p for p in alone if p.startswith("compose.") and p != "compose.yaml"]
        expected = load_compose_text(alone["compose.yaml"])
        assert normalized(merged, files) == normalized(expected, alone), env


def test_an_unchanged_environment_gives_a_minimal_override() -> None:
    files = texts(render(REPO / "examples/production.yaml"))
    prod = load_compose_text(files["compose.prod.yaml"])
    assert set(prod["services"]) == {"migrations", "gateway", "backend", "ui"}
    assert set(prod["services"]["ui"]) == {"image"}


def test_delta_uses_reset_and_override_only_where_merging_would_be_wrong() -> None:
    base = {"services": {"a": {"command": ["run"], "ports": ["1:1"], "environment": {"K": "1", "L": "2"}},
                         "b": {"image": "i"}}}
    target = {"services": {"a": {"command": ["serve"], "ports": ["2:2"], "environment": {"K": "1", "M": "3"}}}}
    override = delta(base, target)
    text = dump_override(override, header="h")
    assert "command:\n      - serve" in text  # replaced anyway by Compose: no tag
    assert "ports: !override\n" in text
    assert "L: !reset null" in text and "b: !reset null" in text
    assert compose_merge(base, load_compose_text(text)) == {
        "services": {"a": {"command": ["serve"], "ports": ["2:2"], "environment": ["K=1", "M=3"]}}}


# --- wiring -------------------------------------------------------------------------------------


def _kube_env(topology: ir.Topology) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for obj in kube.build_objects(topology):
        if obj["kind"] in ("Deployment", "Job"):
            component = obj["metadata"]["labels"]["app.kubernetes.io/component"]
            out[component] = obj["spec"]["template"]["spec"]["containers"][0].get("env", [])
    return out


@pytest.mark.parametrize("name", ["examples/minimal.yaml", "examples/production.yaml",
                                  "tests/specs/compose-noingress.yaml"])
def test_environment_is_the_kubernetes_env_in_the_same_order(name: str) -> None:
    compilation = compile_file(REPO / name)
    doc = load_compose_text(texts(render(REPO / name))["compose.yaml"])
    for component, env in _kube_env(compilation.base).items():
        compose_env = doc["services"][component]["environment"]
        expected: dict[str, str] = {}
        for item in env:
            source = item.get("valueFrom") or {}
            if "secretKeyRef" in source or "configMapKeyRef" in source:
                ref = source.get("secretKeyRef") or source["configMapKeyRef"]
                expected[item["name"]] = f"${{{variable_name(ref['name'], ref['key'])}:?"
            elif not source:
                expected[item["name"]] = item["value"].replace("$", "$$")
        assert list(compose_env) == list(expected), component
        for key, value in expected.items():
            assert compose_env[key].startswith(value) if value.startswith("${") else compose_env[key] == value


def test_service_wiring_args_images_order_and_mounts() -> None:
    compilation = compile_file(REPO / "examples/local.yaml")
    doc = load_compose_text(texts(render(REPO / "examples/local.yaml"))["compose.yaml"])
    services = doc["services"]
    assert list(services) == ["postgres", "redis", "migrations", "gateway", "backend", "ui", "proxy"]
    for w in compilation.base.workloads:
        assert services[w.component]["image"] == w.image.reference
        assert services[w.component]["command"] == list(w.args)
    assert services["migrations"]["restart"] == "no"
    assert services["migrations"]["command"] == ["migrations"]
    for name in ("gateway", "backend"):
        deps = services[name]["depends_on"]
        assert deps["migrations"] == {"condition": "service_completed_successfully"}
        assert deps["postgres"] == deps["redis"] == {"condition": "service_healthy"}
        assert services[name]["volumes"] == ["./config/config.yaml:/app/config/config.yaml:ro"]
        assert services[name]["labels"]["checksum/config"] == kube.config_checksum(compilation.base)
    assert "volumes" not in services["ui"] and "depends_on" not in services["ui"]
    assert services["gateway"]["ports"] == ["4000:4000"]
    assert services["proxy"]["ports"] == ["8080:8080"]
    # Local postgres/redis: wiring points at them, credentials through the same variables.
    env = services["gateway"]["environment"]
    assert env["DATABASE_HOST"] == "postgres" and env["REDIS_HOST"] == "redis"
    pg = services["postgres"]["environment"]
    assert pg["POSTGRES_USER"] == env["DATABASE_USER"]
    assert pg["POSTGRES_PASSWORD"] == env["DATABASE_PASSWORD"]
    assert pg["POSTGRES_DB"] == env["DATABASE_NAME"]
    assert services["redis"]["command"] == ["redis-server", "--requirepass", env["REDIS_PASSWORD"]]
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"][1]
    assert "redis-cli ping" in services["redis"]["healthcheck"]["test"][1]
    assert doc["volumes"] == {"postgres-data": {}, "redis-data": {}}


def test_mounted_config_is_the_configmap_text() -> None:
    compilation = compile_file(REPO / "tests/specs/compose-full.yaml")
    files = texts(render(REPO / "tests/specs/compose-full.yaml"))
    assert files["config/config.yaml"].endswith(kube.config_text(compilation.base))
    dev = next(t for t in compilation.environments if t.environment == "dev")
    assert files["config/config.dev.yaml"].endswith(kube.config_text(dev))


def test_resources_replicas_ports_and_probe_timing() -> None:
    doc = load_compose_text(texts(render(REPO / "tests/specs/compose-full.yaml"))["compose.yaml"])
    gateway = doc["services"]["gateway"]
    assert gateway["deploy"] == {"replicas": 2, "resources": {
        "limits": {"cpus": "2", "memory": "3000000000b"},
        "reservations": {"cpus": "1.5", "memory": "1536m"}}}
    assert gateway["ports"] == ["5000-5001:4000"]
    assert gateway["healthcheck"] == {
        "test": ["CMD", "python", "-c", 'import urllib.request; urllib.request.urlopen('
                 '"http://127.0.0.1:4000/health/readiness", timeout=10)'],
        "interval": "10s", "timeout": "10s", "retries": 3, "start_period": "150s", "start_interval": "5s"}
    backend = doc["services"]["backend"]["healthcheck"]
    assert (backend["interval"], backend["timeout"], backend["retries"]) == ("7s", "3s", 4)
    assert doc["services"]["ui"]["healthcheck"]["test"] == ["CMD", "sh", "-c", 'test -n "$$HOSTNAME"']
    # A user's extraEnv value means what Kubernetes makes of it, where `$$` is `$`.
    assert doc["services"]["gateway"]["environment"]["PRICE_TEMPLATE"] == "cost is $$5 per $${UNIT} and $$ stays"
    assert doc["services"]["gateway"]["env_file"] == ["./env/full-extra-config.env", "./env/full-extra-secret.env"]
    assert "POD_IP" not in doc["services"]["gateway"]["environment"]


def test_restricted_pods_map_to_compose_hardening() -> None:
    doc = load_compose_text(texts(render(REPO / "tests/specs/compose-iam.yaml"))["compose.yaml"])
    for name in ("migrations", "backend", "ui"):
        service = doc["services"][name]
        assert service["read_only"] is True
        assert service["tmpfs"] == ["/tmp"]
        assert service["cap_drop"] == ["ALL"]
        assert service["security_opt"] == ["no-new-privileges:true"]
    assert doc["services"]["gateway"]["user"] == "1000:1000"
    assert doc["services"]["gateway"]["cap_add"] == ["NET_BIND_SERVICE"]
    # IAM auth against the local postgres: password auth with the writer's Secret instead.
    env = doc["services"]["gateway"]["environment"]
    assert "IAM_TOKEN_DB_AUTH" not in env and "DATABASE_SSLMODE" not in env
    assert env["DATABASE_PASSWORD"].startswith("${IAM_DB_PASSWORD:?")
    assert "REDIS_CLUSTER_NODES" not in env
    assert "ports" not in doc["services"]["gateway"]
    assert doc["services"]["proxy"]["ports"] == ["9090:8080"]


# --- secrets: interpolation and .env.example --------------------------------------------------

_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<braced>[^}]*)\}|\$")


def interpolate(value: Any, env: Mapping[str, str], used: set[str]) -> Any:
    """Compose's interpolation for the forms litectl writes (`$$`, `${VAR:?message}`)."""
    if isinstance(value, dict):
        return {k: interpolate(v, env, used) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, used) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        braced = match.group("braced")
        assert braced is not None, f"a lone $ in {value!r}: Compose would interpolate it"
        name, sep, message = braced.partition(":?")
        assert sep and message, f"{name} is interpolated without a required-value message"
        assert name in env, f"{name} is interpolated but not listed in .env.example"
        used.add(name)
        return env[name]

    return _INTERPOLATION.sub(one, value)


def _example_variables(text: str) -> dict[str, str]:
    """variable -> the comment line above it."""
    out: dict[str, str] = {}
    previous = ""
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            assert value == "", f"{name} has a value in .env.example"
            out[name] = previous
        previous = line
    return out


def test_every_secret_key_is_one_listed_variable_and_no_value_leaks(spec: Path) -> None:
    compilation = compile_file(spec)
    files = texts(render(spec))
    listed = _example_variables(files[".env.example"])
    fake = {name: f"fake-{name.lower()}-{secrets.token_hex(8)}" for name in listed}
    used: set[str] = set()
    for path, text in files.items():
        for value in fake.values():
            assert value not in text, path
        if path.startswith("compose."):
            interpolate(untagged(load_compose_text(text)), fake, used)
    assert used == set(listed), "every listed variable is used, every used one listed"
    # Each interpolated variable carries the value of the Secret key it is named after.
    base = interpolate(load_compose_text(files["compose.yaml"]), fake, set())
    for topology in [compilation.base]:
        for w in topology.workloads:
            env = base["services"][w.component]["environment"]
            for var in w.env:
                if var.secret is not None and var.name in env:
                    name = variable_name(var.secret.name, var.secret.key)
                    assert env[var.name] == fake[name]
                    assert f"Secret {var.secret.name}, key {var.secret.key}" in listed[name]
                elif var.value is not None and var.name in env and not var.name.startswith(("DATABASE_", "REDIS_")):
                    # a user's value is a Kubernetes EnvVar's: `$$` is `$` (no `$(NAME)` in these specs)
                    assert env[var.name] == (var.value.replace("$$", "$") if var.user else var.value)


def test_env_example_documents_env_files_and_environment_only_variables() -> None:
    files = texts(render(REPO / "tests/specs/compose-full.yaml"))
    example = files[".env.example"]
    assert "./env/full-extra-secret.env: every key of Secret full-extra-secret (gateway)" in example
    assert "./env/full-extra-config.env: every key of ConfigMap full-extra-config (gateway)" in example
    assert "# ConfigMap full-flags, key flags.json; used by gateway" in example
    readme = files["README.md"]
    assert "docker compose -f compose.yaml -f compose.dev.yaml up -d" in readme


# --- feature gaps -------------------------------------------------------------------------------


def test_gaps_are_reported_once_per_feature() -> None:
    bundle = render(REPO / "tests/specs/compose-iam.yaml")
    messages = [w.message for w in bundle.warnings]
    assert all(w.severity == "warning" for w in bundle.warnings)
    for feature in ("PodDisruptionBudget", "tolerations", "affinity",
                    "ServiceAccount", "image pull Secrets", "gRPC readiness probes", "runAsNonRoot",
                    "ingress TLS", "ingress annotations", "Argo CD hooks", "IAM auth against the local postgres",
                    "TLS against the local postgres", "Redis cluster with the local redis", "securityContext fields"):
        assert sum(feature in m for m in messages) == 1, feature
    full = [w.message for w in render(REPO / "tests/specs/compose-full.yaml").warnings]
    for feature in ("fieldRef", "pod annotations", "nodeSelector", "Service type", "ephemeral-storage",
                    "reader passwordSecret"):
        assert sum(feature in m for m in full) == 1, feature


def test_database_and_redis_wiring_gaps_with_the_local_services(tmp_path: Path) -> None:
    entra = [w.message for w in render(REPO / "tests/specs/db-entra.yaml").warnings]
    for feature in ("Entra ID auth against the local postgres", "Redis TLS with the local redis"):
        assert sum(feature in m for m in entra) == 1, feature
    assert not any("urlSecret" in m for m in entra)
    text = texts(render(REPO / "tests/specs/db-entra.yaml"))["compose.yaml"]
    assert "AZURE_POSTGRESQL_AUTH" not in text and "REDIS_SSL" not in text and "DATABASE_PASSWORD:" in text

    spec = tmp_path / "url.yaml"
    doc = realtools.parse_yaml_documents((REPO / "tests/specs/db-url-secret.yaml").read_text(), source="url")[0]
    doc["targets"]["compose"] = {"postgres": {"enabled": True}}
    spec.write_text(json.dumps(doc))
    bundle = render(spec)
    assert sum("database.urlSecret with the local postgres" in w.message for w in bundle.warnings) == 1
    compose = load_compose_text(texts(bundle)["compose.yaml"])
    assert "postgres" not in compose["services"]
    assert compose["services"]["gateway"]["environment"]["DATABASE_URL"].startswith("${LITELLM_DB_URLS_WRITER_URL:?")


STARTER_HPA = "environments: {}"


def _starter(tmp_path: Path, replace: str = STARTER_HPA) -> Path:
    from clirun import run as cli

    spec = tmp_path / "litellm.yaml"
    spec.write_text(cli(["init"]).out.replace(STARTER_HPA, replace), encoding="utf-8")
    return spec


def test_a_default_hpa_is_no_warning_a_written_one_is(tmp_path: Path) -> None:
    """Issue #16.4: the starter and examples/minimal.yaml compile clean, --strict too."""
    for spec in (_starter(tmp_path), REPO / "examples/minimal.yaml"):
        assert render(spec, strict=True).warnings == ()
    spec = _starter(tmp_path, "environments:\n  prod: {gateway: {hpa: {maxReplicas: 20}}}")
    [hpa] = render(spec).warnings
    assert "HorizontalPodAutoscaler (at gateway.hpa (environment prod))" in hpa.message
    assert hpa.path == ("environments", "prod", "gateway", "hpa")
    [alone] = render(spec, "prod").warnings  # --env prod: the same, from the environment's stack
    assert alone.path == ("environments", "prod", "gateway", "hpa")
    spec.write_text(spec.read_text(encoding="utf-8") + "backend:\n  hpa: {minReplicas: 2}\n", encoding="utf-8")
    [both] = render(spec).warnings
    assert "(at backend.hpa, gateway.hpa (environment prod))" in both.message
    assert both.path == ("backend", "hpa")


def test_strict_turns_every_gap_into_an_error() -> None:
    warnings = render(REPO / "tests/specs/compose-iam.yaml").warnings
    with pytest.raises(LitectlError) as caught:
        render(REPO / "tests/specs/compose-iam.yaml", strict=True)
    assert [d.severity for d in caught.value.diagnostics] == ["error"] * len(warnings)
    assert [d.message for d in caught.value.diagnostics] == [w.message for w in warnings]


def test_the_local_example_needs_nothing_compose_lacks() -> None:
    assert render(REPO / "examples/local.yaml", strict=True).warnings == ()


def test_colliding_host_ports_are_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "clash.yaml"
    spec.write_text((REPO / "tests/specs/compose-noingress.yaml").read_text().replace(
        "proxy: {enabled: true, port: 8081}", "proxy: {enabled: true, port: 4000}"))
    with pytest.raises(LitectlError, match="both publish host port 4000"):
        render(spec)


# --- conversions --------------------------------------------------------------------------------


@pytest.mark.parametrize(("quantity", "cpus"), [
    ("500m", "0.5"), ("1", "1"), (2, "2"), (0.25, "0.25"), ("1.5", "1.5"), ("100m", "0.1"),
    ("2500m", "2.5"), ("1e3", "1000"), ("5e-1", "0.5"), ("0", "0"), ("abc", None), ("1Zi", None)])
def test_cpu_quantities(quantity: object, cpus: str | None) -> None:
    assert compose_cpus(quantity) == cpus


@pytest.mark.parametrize(("quantity", "memory"), [
    ("4Gi", "4g"), ("500Mi", "500m"), ("1.5Gi", "1536m"), ("1Ki", "1k"), ("1G", "1000000000b"),
    ("128974848", "123m"), ("129e6", "129000000b"), ("1M", "1000000b"), (1024, "1k"), ("0", "0"),
    ("100m", "1b"), ("x", None)])
def test_memory_quantities(quantity: object, memory: str | None) -> None:
    assert compose_memory(quantity) == memory


# --- healthcheck commands, run for real -------------------------------------------------------


class _Status(BaseHTTPRequestHandler):
    """Answers with the status code named by the path (`/200`, `/503`)."""

    def do_GET(self) -> None:
        code = int(self.path.strip("/").split("/")[0] or 200)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def status_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _run_check(test: list[str]) -> int:
    """Run a healthcheck `test` here as Docker would run it in the container."""
    argv = [part.replace("$$", "$") for part in test[1:]]
    if test[0] == "CMD-SHELL":
        argv = ["sh", "-c", argv[0]]
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return subprocess.run(argv, env=env, capture_output=True, timeout=30, check=False).returncode


@pytest.mark.parametrize("tools", ["python", "shell"])
@pytest.mark.parametrize(("path", "healthy"), [("/200", True), ("/204", True), ("/503", False), ("/404", False)])
def test_http_healthchecks_run_and_judge_like_kubernetes(
    status_server: int, tools: str, path: str, healthy: bool
) -> None:
    probe = {"httpGet": {"path": path, "port": "http"}, "timeoutSeconds": 5}
    test = probe_test(probe, tools, {"http": status_server})  # type: ignore[arg-type]
    assert (_run_check(test) == 0) is healthy


@pytest.mark.parametrize("tools", ["python", "shell"])
def test_tcp_healthchecks_run(status_server: int, tools: str) -> None:
    probe = {"tcpSocket": {"port": "http"}, "timeoutSeconds": 5}
    assert _run_check(probe_test(probe, tools, {"http": status_server})) == 0  # type: ignore[arg-type]
    closed = probe_test(probe, tools, {"http": 1})  # type: ignore[arg-type]
    assert _run_check(closed) != 0


def test_pull_policy_and_no_version_key() -> None:
    doc = load_compose_text(texts(render(REPO / "examples/minimal.yaml"))["compose.yaml"])
    assert doc["services"]["gateway"]["pull_policy"] == "missing"
    assert json.dumps(doc).count('"version"') == 0
