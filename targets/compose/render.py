"""The compose target's bundle: base stack, one override per environment, and their documentation.

`compose.yaml` holds the base; `compose.<env>.yaml` holds only what an environment changes,
written against the Compose merge rules (see `overrides.py`), so that
`docker compose -f compose.yaml -f compose.<env>.yaml` is the environment compiled on its own.
A mounted file that differs in an environment gets its own name (`config/config.<env>.yaml`),
and the override points the mount at it. `.env.example` lists every interpolated variable with
the Secret key it stands for; `README.md` says how to run the stack and what it leaves out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

import attrs
from litectl.compiler.diagnostics import Diagnostic, JsonPath, LitectlError, warning
from litectl.compiler.ir import Compilation, Topology
from litectl.compiler.naming import generated_header
from litectl.compiler.output import Bundle, dump_yaml
from litectl.targets.compose.overrides import delta, dump_override
from litectl.targets.compose.stack import (
    CONFIG_FILE,
    GAPS,
    NGINX_FILE,
    Stack,
    build_stack,
    config_file_text,
    nginx_text,
    project_name,
    proxy_enabled,
)
from litectl.targets.options import ComposeOptions


def _env_path(path: str, env: str) -> str:
    """`config/config.yaml` -> `config/config.<env>.yaml`."""
    pure = PurePosixPath(path)
    return str(pure.with_name(f"{pure.stem}.{env}{pure.suffix}"))


def _options(topology: Topology, fallback: ComposeOptions) -> ComposeOptions:
    own = topology.targets.get("compose")
    return own if isinstance(own, ComposeOptions) else fallback


def _format_path(path: JsonPath) -> str:
    return ".".join(str(p) for p in path) if path else "(spec)"


#: Gaps a default alone brings in (every workload has an HPA unless told otherwise): reported only
#: where the user wrote the feature, so the starter's first compile and --strict are clean.
ONLY_WHEN_WRITTEN = frozenset({"hpa"})


def _written(gap_path: JsonPath, env: str | None, written: frozenset[tuple[str, ...]]) -> bool:
    path = tuple(str(p) for p in gap_path)
    return path in written or (env is not None and ("environments", env, *path) in written)


def gap_warnings(
    stacks: Sequence[Stack], written: frozenset[tuple[str, ...]] | None = None
) -> list[Diagnostic]:
    """One warning per feature, listing where it is used (base first, then environment-only uses).

    With `written` (the paths in the spec), a feature of ONLY_WHEN_WRITTEN counts only where written.
    """
    places: dict[str, dict[str, list[str | None]]] = {}
    first: dict[str, JsonPath] = {}
    for stack in stacks:
        env = stack.topology.environment
        for gap in stack.gaps:
            if written is not None and gap.feature in ONLY_WHEN_WRITTEN and not _written(gap.path, env, written):
                continue
            where = places.setdefault(gap.feature, {}).setdefault(_format_path(gap.path), [])
            if env not in where:
                where.append(env)
            first.setdefault(gap.feature, gap.path if env is None else ("environments", env, *gap.path))
    out: list[Diagnostic] = []
    for feature in GAPS:
        if feature not in places:
            continue
        located = []
        for path, envs in places[feature].items():
            if None in envs:
                located.append(path)
            else:
                located.append(f"{path} (environment{'s' if len(envs) > 1 else ''} "
                               f"{', '.join(str(e) for e in envs)})")
        title, instead = GAPS[feature]
        out.append(warning(f"compose cannot express {title} (at {', '.join(located)}): {instead}",
                           first[feature]))
    return out


def gitignore(header: str) -> str:
    """`.gitignore`: the `.env` users fill in beside compose.yaml holds real secrets; never commit it."""
    lines = _header_lines(header)
    lines += ["#", "# .env holds the secret values compose interpolates (see .env.example): keep it local.", ".env"]
    return "\n".join(lines) + "\n"


def _header_lines(header: str) -> list[str]:
    return [f"# {line}".rstrip() for line in header.split("\n")]


def env_example(stacks: Sequence[Stack], header: str) -> str:
    """`.env.example`: every variable the compose files interpolate, with its origin."""
    lines = _header_lines(header)
    lines += [
        "#",
        "# The values docker compose interpolates into the compose files, one per Secret key the",
        "# Kubernetes targets reference. Copy this file to .env beside compose.yaml (compose reads",
        "# it from the project directory), fill in each value from the key named above it, and",
        "# keep .env out of version control. Compose refuses to start while a value is empty.",
    ]
    variables: dict[str, Any] = {}
    users: dict[str, dict[str | None, list[str]]] = {}
    for stack in stacks:
        for name, var in stack.variables.items():
            variables.setdefault(name, var)
            users.setdefault(name, {})[stack.topology.environment] = stack.variable_users[name]
    for name in sorted(variables):
        var = variables[name]
        used = users[name]
        services = list(dict.fromkeys(s for env_users in used.values() for s in env_users))
        note = f"# {var.kind} {var.source}, key {var.key}; used by {', '.join(services)}"
        if None not in used:
            note += f"; only in environment(s) {', '.join(sorted(str(e) for e in used))}"
        lines += ["", note, f"{name}="]
    env_files: dict[str, Any] = {}
    file_users: dict[str, list[str]] = {}
    for stack in stacks:
        for path, env_file in stack.env_files.items():
            env_files.setdefault(path, env_file)
            merged = file_users.setdefault(path, [])
            merged += [s for s in stack.env_file_users[path] if s not in merged]
    if env_files:
        lines += [
            "",
            "# Files loaded with env_file (KEY=value lines, paths relative to compose.yaml), standing",
            "# in for envFrom: put the keys of the named object in each of them.",
        ]
        for path in sorted(env_files):
            env_file = env_files[path]
            lines.append(f"#   {path}: every key of {env_file.kind} {env_file.source} "
                         f"({', '.join(file_users[path])})")
    if not variables and not env_files:
        lines += ["", "# (this stack interpolates no variables)"]
    return "\n".join(lines) + "\n"


def readme(base: Stack, environments: Sequence[Stack], warnings: Sequence[Diagnostic], header: str) -> str:
    """How to run the stack, in what order it starts, and what Compose leaves out."""
    services = base.document["services"]
    lines = [f"<!-- {header} -->", "", f"# {project_name(base.topology)}: docker compose stack", ""]
    lines += [
        "## Run it",
        "",
        "```sh",
        "cp .env.example .env   # then fill in the values",
        "docker compose up -d --wait",
    ]
    for stack in environments:
        env = stack.topology.environment
        lines.append(f"docker compose -f compose.yaml -f compose.{env}.yaml up -d --wait   # {env}")
    lines += ["```", ""]
    lines += ["Start-up order:", ""]
    if "postgres" in services or "redis" in services:
        local = [s for s in ("postgres", "redis") if s in services]
        lines.append(f"- {' and '.join(local)} start first; the others wait until they report healthy.")
    if "migrations" in services:
        lines.append("- `migrations` runs once (`restart: \"no\"`); `gateway` and `backend` start only "
                     "after it has exited successfully.")
    if "proxy" in services:
        port = base.document["services"]["proxy"].get("ports", ["(not published)"])[0].split(":")[0]
        lines.append(f"- `proxy` (nginx) serves the Ingress routes on host port {port}: ui paths, the "
                     "gateway's data-plane paths, extra paths, and everything else to the backend.")
    lines.append("- Healthchecks come from the readiness probes; `--wait` returns once they pass.")
    lines += ["", "## Files", ""]
    lines.append("- `compose.yaml`: the base stack.")
    for stack in environments:
        env = stack.topology.environment
        lines.append(f"- `compose.{env}.yaml`: what environment {env} changes (uses `!reset`/`!override`, "
                     "docker compose 2.24 or later).")
    lines += [
        "- `.env.example`: the variables to put in `.env`, each with the Secret key it stands for.",
        f"- `{CONFIG_FILE}`: LiteLLM's config, mounted read-only at /app/config/config.yaml.",
    ]
    if "proxy" in services:
        lines.append(f"- `{NGINX_FILE}`: the reverse proxy's routes.")
    lines += [
        "- `env/<name>.env` (you provide them): one per envSecrets/envConfigMaps name, listed in",
        "  `.env.example`.",
        "",
        "## Not reproduced by compose",
        "",
    ]
    lines += [f"- {d.message.removeprefix('compose cannot express ')}" for d in warnings]
    lines.append("- Liveness probes: compose does not restart an unhealthy container; `restart: unless-stopped` "
                 "restarts crashed ones.")
    if not warnings:
        lines.append("- Apart from that, every feature this spec uses has a compose equivalent.")
    lines.append("")
    return "\n".join(lines)


def render(compilation: Compilation, options: ComposeOptions, *, strict: bool = False) -> Bundle:
    """The compose bundle of a compilation (base plus environment overrides, or one --env stack)."""
    header = generated_header(compilation.spec_file)
    base = build_stack(compilation.base, options, header)
    files: dict[str, str] = {"compose.yaml": dump_yaml(base.document, header=header + _usage(None))}
    files.update(base.mounted)
    environments: list[Stack] = []
    for topology in compilation.environments:
        env = str(topology.environment)
        env_options = _options(topology, options)
        paths = {"config": CONFIG_FILE, "nginx": NGINX_FILE}
        if topology.workloads and config_file_text(topology, header) != base.mounted.get(CONFIG_FILE):
            paths["config"] = _env_path(CONFIG_FILE, env)
        proxy = proxy_enabled(topology, env_options)
        if proxy and nginx_text(topology, header) != base.mounted.get(NGINX_FILE):
            paths["nginx"] = _env_path(NGINX_FILE, env)
        stack = build_stack(topology, env_options, header, paths)
        environments.append(stack)
        override = delta(base.document, stack.document)
        files[f"compose.{env}.yaml"] = dump_override(override, header=header + _usage(env))
        files.update({path: text for path, text in stack.mounted.items() if path not in base.mounted})
    stacks = [base, *environments]
    errors = [e for stack in stacks for e in stack.errors]
    if errors:
        raise LitectlError(errors)
    warnings = gap_warnings(stacks, compilation.written)
    if strict and warnings:
        raise LitectlError([attrs.evolve(w, severity="error") for w in warnings])
    files[".env.example"] = env_example(stacks, header)
    files[".gitignore"] = gitignore(header)
    files["README.md"] = readme(base, environments, warnings, header)
    return Bundle.from_text(files, warnings=warnings)


def _usage(env: str | None) -> str:
    if env is None:
        return "\nUse: cp .env.example .env (fill it in), then docker compose up -d"
    return f"\nUse: docker compose -f compose.yaml -f compose.{env}.yaml up -d"
