"""Normaliser rules: environment merging, fallbacks and the env wiring of SPEC.md sections 3-5."""

from __future__ import annotations

import copy
from typing import Any

from litectl.compiler import ir, normalize

BASE: dict[str, Any] = {
    "apiVersion": "litectl/v1alpha1",
    "kind": "LiteLLMTopology",
    "metadata": {"name": "llm"},
    "database": {"writer": {"host": "pg", "dbname": "litellm"}},
}


def topology(**sections: Any) -> ir.Topology:
    doc = copy.deepcopy(BASE)
    doc.update(sections)
    result, problems = normalize.resolve(normalize.structure(doc))
    assert problems == []
    return result


def env_of(workload: ir.Workload | ir.MigrationJob | None) -> list[tuple[str, object]]:
    assert workload is not None
    return [(e.name, e.value if e.secret is None else (e.secret.name, e.secret.key)) for e in workload.env]


def test_deep_merge_semantics() -> None:
    base = {"a": {"b": 1, "c": [1, 2], "d": {"e": 1}}, "f": 1}
    overlay = {"a": {"c": [3], "d": None, "g": {"h": None, "i": 2}}, "f": None}
    assert normalize.deep_merge(base, overlay) == {"a": {"b": 1, "c": [3], "g": {"i": 2}}}
    assert base == {"a": {"b": 1, "c": [1, 2], "d": {"e": 1}}, "f": 1}  # inputs untouched


def test_minimal_wiring_matches_the_spec_order() -> None:
    t = topology()
    secret = ("litellm-writer-secret", "username")
    assert env_of(t.gateway) == [
        ("LITELLM_MASTER_KEY", ("litellm-master-key-secret", "master-key")),
        ("PROXY_MASTER_KEY", ("litellm-master-key-secret", "master-key")),
        ("LITELLM_LOG", "INFO"),
        ("DATABASE_HOST", "pg"),
        ("DATABASE_PORT", "5432"),
        ("DATABASE_USER", secret),
        ("DATABASE_USERNAME", secret),
        ("DATABASE_NAME", "litellm"),
        ("DATABASE_PASSWORD", ("litellm-writer-secret", "password")),
        ("DISABLE_SCHEMA_UPDATE", "true"),
        ("CONFIG_FILE_PATH", "/app/config/config.yaml"),
        ("NUM_WORKERS", "1"),
    ]
    assert [n for n, _ in env_of(t.backend)][-1] == "CONFIG_FILE_PATH"
    assert "NUM_WORKERS" not in dict(env_of(t.backend))
    assert env_of(t.ui) == [("LITELLM_LOG", "INFO")]
    job = env_of(t.migrations)
    assert "LITELLM_MASTER_KEY" not in dict(job) and "LITELLM_LOG" not in dict(job)
    assert job[-1] == ("DISABLE_SCHEMA_UPDATE", "true")


def test_iam_reader_redis_cluster_and_pool() -> None:
    t = topology(
        database={
            "writer": {"host": "w", "dbname": "db", "useIAMAuth": True, "schema": "s", "sslMode": "require"},
            "reader": {"host": "r", "port": 5433},
            "connectionPool": {"enabled": True},
        },
        redis={"host": "redis", "port": 6380, "cluster": True, "passwordSecret": {"name": "rs"}},
    )
    env = dict(env_of(t.gateway))
    assert env["IAM_TOKEN_DB_AUTH"] == "true" and "DATABASE_PASSWORD" not in env
    assert env["DATABASE_SCHEMA"] == "s" and env["DATABASE_SSLMODE"] == "require"
    assert env["DATABASE_HOST_READ_REPLICA"] == "r" and env["DATABASE_PORT_READ_REPLICA"] == "5433"
    assert env["DATABASE_NAME_READ_REPLICA"] == "db" and env["DATABASE_SCHEMA_READ_REPLICA"] == "s"
    assert env["DATABASE_USER_READ_REPLICA"] == ("litellm-writer-secret", "username")
    assert "DATABASE_PASSWORD_READ_REPLICA" not in env  # the reader inherits IAM from the writer
    assert env["REDIS_CLUSTER_NODES"] == '[{"host":"redis","port":6380}]'
    assert env["REDIS_PASSWORD"] == ("rs", "password")
    assert env["LITELLM_PGBOUNCER_MAX_DB_CONNECTIONS"] == "20"
    assert "LITELLM_PGBOUNCER_ENABLED" not in dict(env_of(t.backend))
    assert "REDIS_HOST" in dict(env_of(t.migrations))


def test_url_secret_replaces_the_host_wiring_on_every_server() -> None:
    t = topology(database={"urlSecret": {"name": "db-urls", "readReplicaKey": "ro"}},
                 redis={"host": "redis", "ssl": True, "sslCertReqs": "optional"})
    for workload in (t.gateway, t.backend, t.migrations):
        env = env_of(workload)
        names = [name for name, _ in env]
        assert not any(n.startswith("DATABASE_") and not n.startswith("DATABASE_URL") for n in names)
        assert dict(env)["DATABASE_URL"] == ("db-urls", "url")
        assert dict(env)["DATABASE_URL_READ_REPLICA"] == ("db-urls", "ro")
        assert dict(env)["REDIS_SSL"] == "true" and dict(env)["REDIS_SSL_CERT_REQS"] == "optional"
    no_reader = dict(env_of(topology(database={"urlSecret": {"name": "db-urls"}}).gateway))
    assert "DATABASE_URL_READ_REPLICA" not in no_reader and "REDIS_SSL" not in no_reader


def test_entra_tokens_on_writer_and_reader() -> None:
    writer = {"host": "w", "dbname": "db", "useAzureEntraAuth": True}
    env = dict(env_of(topology(database={"writer": writer, "reader": {"host": "r"}}).gateway))
    assert env["AZURE_POSTGRESQL_AUTH"] == "true" and "IAM_TOKEN_DB_AUTH" not in env
    assert "DATABASE_PASSWORD" not in env and "DATABASE_PASSWORD_READ_REPLICA" not in env
    reader = {"host": "r", "useAzureEntraAuth": False, "passwordSecret": {"name": "ro"}}
    env = dict(env_of(topology(database={"writer": writer, "reader": reader}).gateway))
    assert env["DATABASE_PASSWORD_READ_REPLICA"] == ("ro", "password") and "DATABASE_PASSWORD" not in env


def test_component_image_inherits_field_by_field() -> None:
    t = topology(
        image={"tag": "1.2.3", "pullSecrets": ["reg"]},
        migrationJob={"image": {"repository": "ghcr.io/berriai/litellm-migrations"}},
    )
    assert t.migrations is not None
    assert t.migrations.image.reference == "ghcr.io/berriai/litellm-migrations:1.2.3"
    assert t.migrations.image.pull_secrets == ("reg",)
    assert t.gateway is not None and t.gateway.image.reference == "ghcr.io/berriai/litellm:1.2.3"


def test_disabled_components_and_their_routes_vanish() -> None:
    t = topology(ui={"enabled": False}, ingress={"enabled": True})
    assert t.ui is None
    assert t.ingress is not None
    assert {r.component for r in t.ingress.routes} == {"gateway", "backend"}


def test_restricted_level_and_explicit_contexts_win() -> None:
    t = topology(podSecurity="restricted", gateway={"securityContext": {"runAsUser": 1000}})
    assert t.gateway is not None
    sc = t.gateway.pod.security_context
    assert sc is not None
    assert sc["readOnlyRootFilesystem"] is True and sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["runAsUser"] == 1000
    assert t.gateway.pod.writable_dirs == ("/tmp",)
    assert t.ui is not None and t.ui.pod.automount_token is False


def test_service_account_name_rules() -> None:
    assert topology().service_account.name == "default"
    assert topology(serviceAccount={"create": True}).service_account.name == "llm"
    assert topology(serviceAccount={"create": True, "name": "x"}).service_account.name == "x"


def test_pdb_defaults_and_hpa_replicas() -> None:
    t = topology(gateway={"pdb": {"enabled": True}, "hpa": {"enabled": False}, "replicas": 3})
    assert t.gateway is not None
    assert t.gateway.pdb == ir.Pdb(None, 1)
    assert t.gateway.hpa is None and t.gateway.replicas == 3


def test_cross_field_problems_are_reported_with_paths() -> None:
    doc = copy.deepcopy(BASE)
    doc["database"]["reader"] = {"host": "r", "useIAMAuth": True}
    doc["gateway"] = {"resources": {}, "hpa": {"minReplicas": 5, "maxReplicas": 2}}
    _, problems = normalize.resolve(normalize.structure(doc))
    assert sorted((p.path, p.message) for p in problems) == [
        (
            ("database", "reader", "useIAMAuth"),
            "database.reader.useIAMAuth requires database.writer.useIAMAuth",
        ),
        (("gateway", "hpa", "minReplicas"), "hpa.minReplicas (5) must not exceed hpa.maxReplicas (2)"),
        (("gateway", "resources"), "hpa scales on cpu utilisation but resources.requests.cpu is not set"),
        (
            ("gateway", "resources"),
            "hpa scales on memory utilisation but resources.requests.memory is not set",
        ),
    ]


def test_user_env_references_keep_optional() -> None:
    from litectl.targets.kube import env_entry

    t = topology(gateway={"extraEnv": [
        {"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k", "optional": True}}},
        {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}},
    ]})
    assert t.gateway is not None
    a, b = (env_entry(e) for e in t.gateway.env[-2:])
    assert a == {"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k", "optional": True}}}
    assert b == {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}


def test_x_keys_are_notes_except_inside_litellms_own_config() -> None:
    t = topology(
        metadata={"name": "llm", "x-owner": "me", "labels": {"team": "a", "x-note": "b"}},
        gateway={"config": {"proxy_config": {"x-custom": 1, "model_list": [{"x-tag": "t"}]}}},
    )
    assert t.labels == {"team": "a"}
    assert t.config.data == {"x-custom": 1, "model_list": [{"x-tag": "t"}]}
