"""The placeholder rule: keys of servers that need none are accepted, credentials still refused.

Servers such as vLLM, Ollama or a mock endpoint take any key, and real configs give them words
like `fake-key` or `dummy`. Those pass (evident placeholders) or pass with a positioned warning
(borderline ones, an error under --strict); every credential shape is refused wherever it stands.
"""

from __future__ import annotations

import pytest
from litectl.compiler.diagnostics import LitectlError
from litectl.compiler.secrets import placeholder_kind
from test_hardening_common import compile_text

BASE = """\
apiVersion: litectl/v1alpha1
kind: LiteLLMTopology
metadata: {name: placeholders}
database:
  writer: {host: pg, dbname: litellm}
"""

PLACEHOLDERS = [
    "fake-key", "dummy", "not-used", "no-key", "none", "a", "x", "EMPTY", "empty", "fake", "sk-fake",
    "sk-placeholder", "placeholder", "not-required", "unused", "ignored",
    "no_api_key", "NO-KEY", "dummy-key", "dummy_api_key", "fake-api-key",
    "ollama", "vllm", "local", "mock", "mock-key", "test", "test-key", "sample-key", "example-key",
    "xxxxxxxx", "********", "your-api-key", "YOUR_API_KEY", "any", "anything", "null-key", "n/a", "-",
    "key", "token", "no-token", "lm-studio", "tgi", "demo", "apikey",
]
CREDENTIALS = [
    "sk-" + "Q7f" * 10,
    "sk-proj-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7",
    "sk-ant-api03-" + "x1Y2z3W4v5U6t7S8r9Q0",
    "AKIA" + "ABCDEFGHIJKLMNOP",
    "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2",
    "gho_" + "a1B2c3D4e5F6g7H8i9J0k1L2",
    "xoxb-" + "1234-5678-abcdefgh",
    "xoxp-" + "1234-5678-abcdefgh",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig",
    "Bearer " + "abcdefghijklmnopqrst",
    "Basic " + "dXNlcjpodW50ZXIy",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----",
    "-----BEGIN EC PRIVATE KEY-----",
    "postgresql://user:hunter2@pg/db",
    "redis://:hunter2@redis:6379",
    "https://admin:pa55word@example.com/",
    "hunter2",
    "s3cret",
    "abc12345",
    "hunter2hunter2",
    "literal-key",
    "letmein",
    "not-a-reference",
    "correcthorsebatterystaple",
    "9f86d081884c7d659a2feaa0c55ad015",
    "Zx81-Qp04-Lm77-Rt12",
    "AIzaSyA" + "1b2C3d4E5f6G7h8I9j0K1l2M3n",
    "prod-openai-key-2024",
    "mypassword1",
    "api-4f9a2c",
    "tok_" + "9aZ8yX7wV6uT5sR4",
]


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_evident_placeholders_pass_everywhere(value: str) -> None:
    assert placeholder_kind(value) == "evident", value
    quoted = value.replace("'", "''")
    compiled = compile_text(BASE + f"""\
gateway:
  extraEnv: [{{name: VLLM_API_KEY, value: '{quoted}'}}]
  config:
    proxy_config:
      model_list:
        - model_name: local
          litellm_params: {{model: openai/local, api_base: 'http://vllm:8000/v1', api_key: '{quoted}'}}
      environment_variables: {{OLLAMA_API_KEY: '{quoted}'}}
""")
    assert compiled.warnings == ()


@pytest.mark.parametrize("value", CREDENTIALS)
def test_credential_shapes_are_still_refused_everywhere(value: str) -> None:
    assert placeholder_kind(value) is None or value.startswith(("sk-", "Bearer ", "Basic ")), value
    quoted = value.replace("'", "''")
    places = {
        "extraEnv": f"gateway:\n  extraEnv: [{{name: VLLM_API_KEY, value: '{quoted}'}}]\n",
        "api_key": "gateway:\n  config:\n    proxy_config:\n      model_list:\n        - model_name: m\n"
                   f"          litellm_params: {{model: openai/m, api_key: '{quoted}'}}\n",
        "environment_variables": "gateway:\n  config:\n    proxy_config:\n"
                                 f"      environment_variables: {{OPENAI_API_KEY: '{quoted}'}}\n",
    }
    for place, extra in places.items():
        with pytest.raises(LitectlError) as caught:
            compile_text(BASE + extra)
        messages = [d.format() for d in caught.value.diagnostics]
        assert any("credential" in m or "secret" in m for m in messages), (place, messages)
        assert all(d.severity == "error" and d.span and d.span.line > 5 for d in caught.value.diagnostics)
        assert not any(value in m for m in messages), "a diagnostic must not echo the value"


@pytest.mark.parametrize("value", ["dummy", "fake-key", "none", "sk-1234", "x", "true", "changeme"])
@pytest.mark.parametrize("where", ["general_settings: {master_key: '%s'}", "litellm_settings: {salt_key: '%s'}"])
def test_the_proxy_master_key_is_never_a_placeholder(value: str, where: str) -> None:
    extra = f"gateway:\n  config:\n    proxy_config:\n      {where % value}\n"
    with pytest.raises(LitectlError) as caught:
        compile_text(BASE + extra)
    (problem,) = caught.value.diagnostics
    assert problem.severity == "error" and "literal credential" in problem.message
    assert problem.span is not None and problem.span.line == 9


@pytest.mark.parametrize("name", ["LITELLM_MASTER_KEY", "PROXY_MASTER_KEY", "LITELLM_SALT_KEY"])
def test_master_key_env_is_never_a_placeholder(name: str) -> None:
    with pytest.raises(LitectlError):
        compile_text(BASE + f"gateway:\n  extraEnv: [{{name: {name}, value: dummy}}]\n")


def test_borderline_values_pass_with_a_positioned_warning() -> None:
    compiled = compile_text(BASE + """\
gateway:
  extraEnv: [{name: OTHER_API_KEY, value: sk-1234}]
  config:
    proxy_config:
      model_list:
        - model_name: m
          litellm_params: {model: openai/m, api_key: my-fake-key-1}
""")
    assert [d.format() for d in compiled.warnings] == [
        "spec.yaml:7:43: warning: OTHER_API_KEY is accepted as a placeholder, not a credential: if it is a "
        "real one, keep it in a Kubernetes Secret (valueFrom.secretKeyRef, envSecrets, or os.environ/<VAR> "
        "in proxy_config) [$.gateway.extraEnv[0].value]",
        'spec.yaml:12:54: warning: proxy_config "api_key" is accepted as a placeholder, not a credential: if '
        "it is a real one, write os.environ/<VAR> and provide <VAR> from a Secret "
        "[$.gateway.config.proxy_config.model_list[0].litellm_params.api_key]",
    ]


def test_corpus_sizes() -> None:
    """The issue asks for at least 30 of each: the lists above are the corpus."""
    assert len(set(PLACEHOLDERS)) >= 30 and len(set(CREDENTIALS)) >= 30
