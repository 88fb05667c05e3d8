"""Render a Compilation into the chart's files (pure: reads package data, writes nothing)."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from importlib.resources.abc import Traversable

from litectl.compiler.ir import Compilation, Topology
from litectl.compiler.naming import generated_header
from litectl.compiler.output import Bundle
from litectl.schema import load_schema
from litectl.targets.helm.generated import generated_tpl
from litectl.targets.helm.goyaml import (
    UnrepresentableError,
    to_pretty_json,
    without_map_nulls,
)
from litectl.targets.helm.schema import schema_text, values_schema
from litectl.targets.helm.values import chart_values, commented_yaml, delta
from litectl.targets.kube import config_text
from litectl.targets.options import HelmOptions

#: Placeholder for the chart name in the packaged templates: defines are chart-prefixed, so the
#: chart can sit beside (or inside) another chart that defines its own "<name>.fullname".
CHART_PLACEHOLDER = "__CHART__"


def chart_name(compilation: Compilation, options: HelmOptions) -> str:
    return options.chartName or compilation.base.name


def _template_files(root: Traversable, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in root.iterdir():
        path = f"{prefix}{entry.name}"
        if entry.is_dir():
            out.update(_template_files(entry, path + "/"))
        elif entry.name.endswith((".yaml", ".tpl", ".txt")):
            out[path] = entry.read_text(encoding="utf-8")
    return out


def _yaml_quote(text: str) -> str:
    """A double-quoted YAML scalar (JSON's escapes are valid YAML ones)."""
    return json.dumps(text, ensure_ascii=False)


def chart_yaml(base: Topology, options: HelmOptions, name: str, header: str) -> str:
    lines = [
        f"# {header}",
        "apiVersion: v2",
        f"name: {name}",
        "description: " + _yaml_quote(
            f"LiteLLM {base.name}: gateway, backend, ui and database migrations, compiled by litectl"),
        "type: application",
        f"version: {_yaml_quote(options.chartVersion)}",
        f"appVersion: {_yaml_quote(base.image.tag)}",
        f"kubeVersion: {_yaml_quote(options.kubeVersion)}",
    ]
    return "\n".join(lines) + "\n"


def render_chart(compilation: Compilation, options: HelmOptions) -> Bundle:
    """Chart.yaml, values*.yaml, values.schema.json and templates/ for one compilation."""
    base = compilation.base
    name = chart_name(compilation, options)
    header = generated_header(compilation.spec_file)
    schema = values_schema(load_schema(), chart=name, header=header)
    base_values = chart_values(base)
    files: dict[str, str] = {
        "Chart.yaml": chart_yaml(base, options, name, header),
        "values.yaml": commented_yaml(base_values, schema, header=header),
        "values.schema.json": schema_text(schema),
        "templates/_generated.tpl": f"{{{{/* {header} */}}}}\n" + generated_tpl(name),
    }
    for env in compilation.environments:
        changes = delta(base_values, chart_values(env))
        env_header = (f"{header}\nEnvironment {env.environment}: only what it changes; use with "
                      f"helm -f values.yaml -f values-{env.environment}.yaml")
        files[f"values-{env.environment}.yaml"] = commented_yaml(changes, schema, header=env_header)
    files.update(compiled_config_files(compilation, header))
    packaged = resources.files("litectl.targets.helm") / "chart" / "templates"
    for path, text in _template_files(packaged).items():
        files[f"templates/{path}"] = f"{{{{/* {header} */}}}}\n" + text.replace(CHART_PLACEHOLDER, name)
    return Bundle.from_text(files)


COMPILED_CONFIGS = "files/proxy-config"


def compiled_config_files(compilation: Compilation, header: str) -> dict[str, str]:
    """The config texts of the base and of each environment, precompiled for the chart.

    `__CHART__.configText` hashes `toPrettyJson` of the proxy config it is given and, when the
    hash is one of these, reads the text instead of walking the config (per-model template work
    that made a 500-model render take seconds). Whether Helm still holds null map entries depends
    on how the values reached it (coalescing drops some, not all), so the config is hashed with
    and without them: both lead to the text. A config these do not cover (`--set`, another
    values file) is written by the template itself, to the same text. Each text file starts with
    the generated-file header line, which the template drops.
    """
    index: dict[str, str] = {}
    files: dict[str, str] = {}
    for topology in (compilation.base, *compilation.environments):
        data = topology.config.data
        try:
            as_helm_may_hold_it = {to_pretty_json(without_map_nulls(data)), to_pretty_json(data)}
        except UnrepresentableError:  # NaN, infinities: left to the template's own path
            continue
        digests = sorted(hashlib.sha256(text.encode("utf-8")).hexdigest() for text in as_helm_may_hold_it)
        if any(digest in index for digest in digests):
            continue
        path = f"{COMPILED_CONFIGS}/{topology.environment or 'base'}.yaml"
        files[path] = f"# {header}\n" + config_text(topology)
        index.update(dict.fromkeys(digests, path))
    if index:
        document = {"$comment": header, "configs": index}
        files[f"{COMPILED_CONFIGS}/index.json"] = json.dumps(document, indent=2, sort_keys=True) + "\n"
    return files
