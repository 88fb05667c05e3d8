"""Render a Compilation into the chart's files (pure: reads package data, writes nothing)."""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable

from litectl.compiler.diagnostics import Diagnostic, warning
from litectl.compiler.ir import Compilation, Topology
from litectl.compiler.naming import generated_header
from litectl.compiler.output import Bundle
from litectl.schema import load_schema
from litectl.targets.helm.generated import generated_tpl
from litectl.targets.helm.goyaml import map_null_paths
from litectl.targets.helm.schema import schema_text, values_schema
from litectl.targets.helm.values import chart_values, commented_yaml, delta
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
    packaged = resources.files("litectl.targets.helm") / "chart" / "templates"
    for path, text in _template_files(packaged).items():
        files[f"templates/{path}"] = f"{{{{/* {header} */}}}}\n" + text.replace(CHART_PLACEHOLDER, name)
    return Bundle.from_text(files, warnings=_null_warnings(compilation))


def _null_warnings(compilation: Compilation) -> list[Diagnostic]:
    """Nulls inside proxy_config cannot survive in a chart's values: say so (every target drops them)."""
    out: list[Diagnostic] = []
    for topology in (compilation.base, *compilation.environments):
        for path in map_null_paths(topology.config.data):
            where = f" (environment {topology.environment})" if topology.environment else ""
            out.append(warning(
                f"{'.'.join(path)} is null{where}: dropped from the proxy config, as Helm drops nulls from a "
                "chart's values; leave the key out or give it a value",
                ("gateway", "config", "proxy_config", *path)))
    return out
