"""Deterministic benchmark specs: a production-like topology with N proxy models and E environments.

Every model is a realistic `model_list` entry (the shape LiteLLM documents for a router with many
deployments): `model_name`, `litellm_params` with `model`, `api_base`, `api_key: os.environ/...`,
`api_version`, `rpm` and `tpm`, and a `model_info` block with pricing and limits. Names, providers,
regions and limits are drawn from a seeded generator, so the same arguments give the same bytes on
every machine. Host names are cluster-internal (`*.svc.cluster.local`): nothing here points at a
real endpoint.

Environments only say what differs from the base, like a real spec: namespace, ingress host,
replicas and autoscaling, an image tag; one of them (`dev`, the first) also turns on verbose
logging inside `proxy_config`, so it has a proxy config of its own while the others share the
base's, the common case a compiler should not pay for twice.
"""

from __future__ import annotations

import random
from typing import Any

SEED = 20240608
ENVIRONMENTS = ("dev", "qa", "staging", "prod-eu", "prod-us")

_PROVIDERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("azure", ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini", "text-embedding-3-large")),
    ("openai", ("gpt-4o", "gpt-4o-mini", "gpt-4.1-nano", "o1")),
    ("bedrock", ("anthropic.claude-3-5-sonnet-20240620-v1:0", "meta.llama3-1-70b-instruct-v1:0")),
    ("vertex_ai", ("gemini-1.5-pro", "gemini-1.5-flash")),
    ("hosted_vllm", ("meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-72B-Instruct")),
)
_REGIONS = ("eastus", "eastus2", "westeurope", "swedencentral", "japaneast", "australiaeast")


def _model(index: int, rng: random.Random) -> dict[str, Any]:
    provider, names = _PROVIDERS[rng.randrange(len(_PROVIDERS))]
    base = names[rng.randrange(len(names))]
    region = _REGIONS[rng.randrange(len(_REGIONS))]
    slug = base.split("/")[-1].split(":")[0].lower().replace(".", "-")
    shard = f"{region}-{index % 97:02d}"
    env_var = f"{provider.upper()}_API_KEY_{region.upper()}_{index % 97:02d}"
    mode = "embedding" if "embedding" in base else "chat"
    params: dict[str, Any] = {
        "model": f"{provider}/{base}",
        "api_base": f"http://{provider.replace('_', '-')}-{shard}.llm-upstreams.svc.cluster.local:8080/v1",
        "api_key": f"os.environ/{env_var}",
        "rpm": rng.choice((60, 300, 600, 1200, 6000)),
        "tpm": rng.choice((100_000, 200_000, 450_000, 1_000_000, 2_000_000)),
    }
    if provider == "azure":
        params["api_version"] = "2024-10-21"
    return {
        "model_name": f"{slug}-{index:05d}",
        "litellm_params": params,
        "model_info": {
            "id": f"{slug}-{shard}-{index:05d}",
            "mode": mode,
            "base_model": f"{provider}/{base}",
            "max_tokens": rng.choice((4096, 8192, 16384, 128000)),
            "input_cost_per_token": rng.choice((1.5e-07, 2.5e-06, 3.0e-06, 1.0e-05)),
            "output_cost_per_token": rng.choice((6.0e-07, 1.0e-05, 1.5e-05, 4.0e-05)),
            "supports_function_calling": mode == "chat",
        },
    }


def _environment(name: str, index: int) -> dict[str, Any]:
    env: dict[str, Any] = {
        "metadata": {"namespace": f"ai-gateway-{name}"},
        "gateway": {"hpa": {"minReplicas": 2 + index, "maxReplicas": 10 + 10 * index}},
        "ingress": {"host": f"llm.{name}.corp.internal"},
    }
    if name == "dev":
        env["gateway"] = {"hpa": {"enabled": False}, "replicas": 1, "logLevel": "DEBUG",
                          "config": {"proxy_config": {"litellm_settings": {"set_verbose": True}}}}
        env["backend"] = {"pdb": {"enabled": False}}
    if name.startswith("prod"):
        env["image"] = {"tag": "1.104.1"}
        env["gateway"]["resources"] = {"requests": {"cpu": "2", "memory": "8Gi"},
                                       "limits": {"cpu": "4", "memory": "8Gi"}}
    return env


def spec_document(models: int, environments: int, *, seed: int = SEED) -> dict[str, Any]:
    """The spec as plain data: `models` model_list entries, the first `environments` environments."""
    if not 0 <= environments <= len(ENVIRONMENTS):
        raise ValueError(f"environments must be within 0..{len(ENVIRONMENTS)}")
    rng = random.Random(seed)
    document: dict[str, Any] = {
        "apiVersion": "litectl/v1alpha1",
        "kind": "LiteLLMTopology",
        "metadata": {"name": "llm-gateway", "namespace": "ai-gateway", "labels": {"team": "ml-platform"}},
        "image": {"tag": "1.104.0"},
        "masterKey": {"secretName": "llm-gateway-master-key", "secretKey": "master-key"},
        "database": {
            "writer": {"host": "llm-gateway-pg-rw.db.svc.cluster.local", "dbname": "litellm",
                       "passwordSecret": {"name": "llm-gateway-db"}},
            "reader": {"host": "llm-gateway-pg-ro.db.svc.cluster.local"},
        },
        "redis": {"host": "llm-gateway-redis.db.svc.cluster.local", "passwordSecret": {"name": "llm-gateway-redis"}},
        "gateway": {
            "numWorkers": 4,
            "hpa": {"minReplicas": 2, "maxReplicas": 20},
            "pdb": {"enabled": True, "minAvailable": 1},
            "envSecrets": ["llm-gateway-provider-keys"],
            "config": {
                "proxy_config": {
                    "model_list": [_model(i, rng) for i in range(models)],
                    "router_settings": {"routing_strategy": "usage-based-routing-v2", "num_retries": 2,
                                        "timeout": 600},
                    "litellm_settings": {"drop_params": True, "request_timeout": 600},
                    "general_settings": {"master_key": "os.environ/PROXY_MASTER_KEY"},
                },
            },
        },
        "backend": {"pdb": {"enabled": True}},
        "ingress": {"enabled": True, "className": "nginx", "controller": "nginx", "host": "llm.corp.internal"},
        "targets": {"helm": {}, "kustomize": {}, "compose": {}},
    }
    if environments:
        document["environments"] = {
            name: _environment(name, i) for i, name in enumerate(ENVIRONMENTS[:environments])
        }
    return document


def spec_text(models: int, environments: int, *, seed: int = SEED) -> str:
    """The spec as YAML text (block style, like a hand-written spec), with a comment line on top."""
    from litectl.compiler.output import dump_yaml

    header = f"litectl benchmark spec: {models} models, {environments} environment(s), seed {seed}"
    return dump_yaml(spec_document(models, environments, seed=seed), header=header)
