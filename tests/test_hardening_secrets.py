"""Secrets are only ever referenced: literal credentials in a spec are errors, and no output file
of any target ever holds a secret value.

There is deliberately no escape hatch (no per-value "allow literal" marker): SPEC.md allows none,
and every literal the checks refuse has a referencing form (a Secret key through
`valueFrom.secretKeyRef`/`envSecrets`, or `os.environ/<VAR>` inside LiteLLM's config). The
checks aim at few false positives instead: settings named after a secret (`API_KEY_HEADER`,
`PASSWORD_FILE`, `MAX_TOKENS`), booleans, numbers, paths, URLs without a password and references
to other variables (`$(DATABASE_PASSWORD)`) are accepted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.secrets import SECRET_VALUE
from litectl.targets.compose.stack import variable_name
from test_hardening_common import SPEC_IDS, SPECS, TARGETS, compile_text, compiled, render, walk_strings
from test_hardening_yaml11 import read_1_1

BASE = """\
apiVersion: litectl/v1alpha1
kind: LiteLLMTopology
metadata: {name: secrets}
database:
  writer: {host: pg, dbname: litellm}
"""
FAKE_KEY = "sk-" + "Q7f" * 10  # looks like a provider key; never a real one


def refused(extra: str) -> list[str]:
    with pytest.raises(LitectlError) as caught:
        compile_text(BASE + extra)
    for d in caught.value.diagnostics:
        assert d.span is not None and d.span.line > 1, d.format()
    return [d.format() for d in caught.value.diagnostics]


def accepted(extra: str) -> None:
    compile_text(BASE + extra)


# --- what is refused ------------------------------------------------------------------------------

REFUSED = {
    "db-password": "database:\n  writer: {host: pg, dbname: litellm, password: hunter2}\n",
    "master-key-string": f"masterKey: {FAKE_KEY}\n",
    "env-by-name": "gateway:\n  extraEnv: [{name: DB_PASSWORD, value: hunter2hunter2}]\n",
    "env-api-key": "gateway:\n  extraEnv: [{name: OPENAI_API_KEY, value: not-a-reference}]\n",
    "env-token": "ui:\n  extraEnv: [{name: GITHUB_TOKEN, value: abcdefghij}]\n",
    "env-by-value": f"backend:\n  extraEnv: [{{name: ANYTHING, value: {FAKE_KEY}}}]\n",
    "env-in-migrations": "migrationJob:\n  extraEnv: [{name: MY_SECRET, value: s3cr3t-value}]\n",
    "env-in-environment": "environments:\n  prod:\n    gateway:\n      extraEnv: [{name: API_TOKEN, value: abc12345}]\n",
    "env-url-password": "gateway:\n  extraEnv: [{name: DATABASE_URL, value: 'postgresql://u:hunter2@pg/db'}]\n",
    "env-aws-key": "gateway:\n  extraEnv: [{name: AWS_ACCESS_KEY_ID, value: AKIAABCDEFGHIJKLMNOP}]\n",
    "env-jwt": "gateway:\n  extraEnv: [{name: X, value: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig}]\n",
    "env-bearer": "gateway:\n  extraEnv: [{name: HEADER, value: Bearer abcdefghijklmnop}]\n",
    "proxy-api-key": "gateway:\n  config:\n    proxy_config:\n      model_list: [{model_name: a, litellm_params: {model: x, api_key: literal}}]\n",
    "proxy-suffix-key": "gateway:\n  config:\n    proxy_config:\n      litellm_settings: {langsmith_api_key: literal-key}\n",
    "proxy-redis-password": "gateway:\n  config:\n    proxy_config:\n      litellm_settings: {cache_params: {password: hunter2}}\n",
    "proxy-webhook": "gateway:\n  config:\n    proxy_config:\n      general_settings: {slack_webhook_url: 'https://hooks.example.com/T0/B0/XYZ'}\n",
    "proxy-url-password": "gateway:\n  config:\n    proxy_config:\n      litellm_settings: {redis_url: 'redis://:hunter2@redis:6379'}\n",
    "proxy-env-vars": "gateway:\n  config:\n    proxy_config:\n      environment_variables: {OPENAI_API_KEY: literal-key}\n",
    "proxy-by-value": f"gateway:\n  config:\n    proxy_config:\n      general_settings: {{anything: {FAKE_KEY}}}\n",
    "annotation-by-value": f"metadata:\n  name: secrets\n  annotations: {{example.com/key: {FAKE_KEY}}}\n",
    "probe-header": "gateway:\n  readinessProbe:\n    httpGet:\n      path: /\n      port: http\n"
    "      httpHeaders: [{name: Authorization, value: Bearer abcdefghijklmnop}]\n",
    "probe-api-key-header": "gateway:\n  livenessProbe:\n    httpGet:\n      path: /\n      port: http\n"
    "      httpHeaders: [{name: X-Api-Key, value: literal-key-value}]\n",
}


@pytest.mark.parametrize("extra", REFUSED.values(), ids=REFUSED.keys())
def test_literal_credentials_are_refused(extra: str) -> None:
    if extra.startswith(("metadata:", "database:")):
        base = BASE.replace("metadata: {name: secrets}\n", "") if extra.startswith("metadata:") \
            else BASE.split("database:")[0]
        with pytest.raises(LitectlError) as caught:
            compile_text(base + extra)
        messages = [d.format() for d in caught.value.diagnostics]
    else:
        messages = refused(extra)
    assert messages
    assert any(re.search("secret|credential", m, re.IGNORECASE) for m in messages), messages
    for message in messages:
        assert "hunter2" not in message and FAKE_KEY not in message, "a diagnostic must not echo the secret"


# --- what is accepted (no false positives) ----------------------------------------------------------

ACCEPTED = {
    "env-secret-ref": "gateway:\n  extraEnv: [{name: OPENAI_API_KEY, valueFrom: {secretKeyRef: {name: s, key: k}}}]\n",
    "env-bool": "gateway:\n  extraEnv: [{name: SSL_VERIFY_TOKEN, value: 'true'}]\n",
    "env-number": "gateway:\n  extraEnv: [{name: TOKEN_TTL_SECONDS, value: '3600'}, {name: PASSWORD_MIN, value: '12'}]\n",
    "env-duration": "gateway:\n  extraEnv: [{name: TOKEN_LIFETIME, value: 24h}]\n",
    "env-path": "gateway:\n  extraEnv: [{name: CLIENT_SECRET, value: /var/run/secrets/client}]\n",
    "env-setting-suffix": "gateway:\n  extraEnv: [{name: API_KEY_HEADER, value: x-api-key},"
    " {name: PASSWORD_FILE, value: pw.txt}, {name: TOKEN_COUNTER_MODEL, value: gpt-4o}]\n",
    "env-plural-words": "gateway:\n  extraEnv: [{name: MAX_TOKENS, value: lots}, {name: TOKENIZER, value: tiktoken}]\n",
    "env-reference": "gateway:\n  extraEnv: [{name: DB_PASSWORD_COPY, value: $(DATABASE_PASSWORD)},"
    " {name: AUTH_TOKEN, value: 'Bearer $(OPENAI_API_KEY)'}]\n",
    "env-url-with-reference": "gateway:\n  extraEnv:"
    " [{name: DATABASE_URL, value: 'postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@pg/db'}]\n",
    "env-url-no-password": "gateway:\n  extraEnv: [{name: TOKEN_URL, value: 'https://login.example.com/token'}]\n",
    "public-key-name": "gateway:\n  extraEnv: [{name: LANGFUSE_PUBLIC_KEY, value: pk-lf-123}]\n",
    "proxy-os-environ": "gateway:\n  config:\n    proxy_config:\n"
    "      model_list: [{model_name: a, litellm_params: {model: x, api_key: os.environ/KEY}}]\n"
    "      general_settings: {master_key: os.environ/PROXY_MASTER_KEY, database_url: os.environ/DATABASE_URL}\n",
    "proxy-numbers": "gateway:\n  config:\n    proxy_config:\n"
    "      model_list: [{model_name: a, litellm_params: {model: x, input_cost_per_token: '0.000002'}}]\n"
    "      litellm_settings: {max_tokens: 100, use_azure_ad_token: 'true'}\n",
    "proxy-env-vars-ok": "gateway:\n  config:\n    proxy_config:\n"
    "      environment_variables: {LITELLM_LOG: DEBUG, OPENAI_API_KEY: os.environ/OPENAI_API_KEY}\n",
    "proxy-url-no-password": "gateway:\n  config:\n    proxy_config:\n"
    "      litellm_settings: {redis_url: 'redis://redis:6379/0'}\n",
    "secret-names": "redis: {host: r, passwordSecret: {name: redis-secret, passwordKey: token}}\n"
    "masterKey: {secretName: mk, secretKey: api-key}\n",
    "probe-header-plain": "gateway:\n  readinessProbe:\n    httpGet:\n      path: /\n      port: http\n"
    "      httpHeaders: [{name: Accept, value: application/json}]\n",
}


@pytest.mark.parametrize("extra", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_settings_and_references_are_not_mistaken_for_secrets(extra: str) -> None:
    accepted(extra)


# --- no output file of any target holds a secret ------------------------------------------------------


def fake_environment(specs: list[Path]) -> dict[str, str]:
    """A value for every variable a compose file could interpolate, and for every Secret key the
    specs reference, as a process environment -- litectl must not read any of it into its output."""
    values: dict[str, str] = {}
    for spec in specs:
        compilation = compiled(spec)
        for t in (compilation.base, *compilation.environments):
            envs = [w.env for w in t.workloads] + ([t.migrations.env] if t.migrations else [])
            for env in envs:
                for var in env:
                    for ref in (var.secret, var.config_map):
                        if ref is not None:
                            name = variable_name(ref.name, ref.key)
                            values[name] = f"fake-{name.lower()}-Zq9Xw7Vt"
    values["OPENAI_API_KEY"] = "fake-openai-Zq9Xw7Vt"
    return values


def test_no_output_file_holds_a_secret_value(tmp_path: Path) -> None:
    """Every example and test spec through every target, in a process whose environment (and a
    `.env` beside the spec) holds a fake value for every Secret key: no output file may contain one,
    nor anything that looks like a credential."""
    fake = fake_environment(SPECS)
    specs_dir = tmp_path / "specs"
    specs_dir.mkdir()
    outputs = tmp_path / "out"
    script = ["import sys", "from litectl.compiler.cli import main", "main(sys.argv[1:])"]
    for spec, spec_id in zip(SPECS, SPEC_IDS, strict=True):
        copy = specs_dir / spec.name
        copy.write_text(spec.read_text(encoding="utf-8"), encoding="utf-8")
        (specs_dir / ".env").write_text("".join(f"{k}={v}\n" for k, v in fake.items()), encoding="utf-8")
        for target in TARGETS:
            out = outputs / spec_id.replace("/", "-") / target
            result = subprocess.run(
                [sys.executable, "-c", "\n".join(script), "compile", str(copy), "-t", target, "-o", str(out)],
                env={**os.environ, **fake},
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stderr
    scanned = 0
    for path in sorted(outputs.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        scanned += 1
        for value in fake.values():
            assert value not in text, f"{path} holds the fake secret {value}"
        for line in text.splitlines():
            for word in re.split(r"[\s\"',]+", line):
                assert not SECRET_VALUE.search(word), f"{path}: {line!r} looks like a credential"
    assert scanned > 100


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_literal_env_values_with_secret_names_are_harmless(spec: Path) -> None:
    """In every rendered object, an env var named like a credential comes from a Secret, or its
    literal value is a harmless setting (litectl's own `IAM_TOKEN_DB_AUTH="true"`)."""
    from litectl.compiler.secrets import _looks_harmless, _secret_name

    compilation = compiled(spec)
    for target in TARGETS:
        for path, content in render(compilation, target).files.items():
            text = content.decode("utf-8")
            if not path.endswith((".yaml", ".yml")) or path.startswith("templates/"):
                continue
            for doc in read_1_1(text):
                for where, value in walk_strings(doc):
                    if where and where[-1] == "value" and len(where) >= 2:
                        continue
                    assert not SECRET_VALUE.search(value), (path, where)
                for env in _env_lists(doc):
                    for item in env:
                        if "value" in item and _secret_name(str(item.get("name"))):
                            assert _looks_harmless(str(item["value"])), (path, item)


def _env_lists(doc: object) -> list[list[dict[str, object]]]:
    found: list[list[dict[str, object]]] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "env" and isinstance(value, list):
                found.append([v for v in value if isinstance(v, dict)])
            else:
                found += _env_lists(value)
    elif isinstance(doc, list):
        for item in doc:
            found += _env_lists(item)
    return found
