"""Find secret values written into a spec: litectl only ever references Secrets.

Runs before the schema so that `password: hunter2` gets a message that says what to do
instead of a bare "unknown key".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from litectl.compiler.diagnostics import JsonPath

SECRET_KEY_NAMES = re.compile(
    r"^(password|passwd|pass|secret|secretValue|token|apiKey|api_key|masterKey|master_key|saltKey|salt_key"
    r"|accessKey|access_key|secretKey|secret_key|privateKey|private_key|credentials?)$",
    re.IGNORECASE,
)
SECRET_ENV_NAMES = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|MASTER_KEY|SALT_KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL)",
    re.IGNORECASE,
)
SECRET_VALUE = re.compile(
    r"(^sk-[A-Za-z0-9_-]{16,}$|^AKIA[0-9A-Z]{16}$|^gh[pousr]_[A-Za-z0-9]{20,}$|^xox[abpr]-|"
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.)"
)
#: Keys of LiteLLM's config whose values are credentials unless they read `os.environ/...`.
PROXY_SECRET_KEYS = re.compile(
    r"^(api_key|master_key|salt_key|password|database_url|aws_secret_access_key|aws_access_key_id"
    r"|aws_session_token|vertex_credentials|client_secret|azure_ad_token|token|secret|access_token"
    r"|langfuse_secret_key|langfuse_secret|redis_password|slack_webhook_url)$",
    re.IGNORECASE,
)
# Where the SPEC's own keys legitimately end in "secretKey"/"passwordKey": those name a key of a
# Secret, not a secret. The rule below only fires on scalar values of the listed key names that
# are not part of the spec's schema (the schema would reject them anyway, with a poorer message).
_SPEC_KEYS_NAMING_SECRETS = {"secretKey", "secretName", "passwordKey", "usernameKey"}

HINTS: dict[tuple[str, ...], str] = {
    ("database", "writer"): "database.writer.passwordSecret {name, usernameKey, passwordKey}",
    ("database", "reader"): "database.reader.passwordSecret {name, usernameKey, passwordKey}",
    ("redis",): "redis.passwordSecret {name, passwordKey}",
    ("masterKey",): "masterKey {secretName, secretKey}",
}


def _hint(path: JsonPath) -> str:
    parents = tuple(p for p in path[:-1] if isinstance(p, str))
    for prefix, hint in HINTS.items():
        if parents[-len(prefix) :] == prefix:
            return f"reference a Kubernetes Secret with {hint} instead"
    return "reference a Kubernetes Secret instead (e.g. extraEnv valueFrom.secretKeyRef or envSecrets)"


def find_plaintext_secrets(data: Any) -> Iterator[tuple[JsonPath, str, bool]]:
    """(path, message, at_key) for every secret value written into the spec."""
    yield from _walk(data, ())


def _walk(node: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = (*path, key)
            if not isinstance(key, str) or key.startswith("x-"):
                continue
            if key == "proxy_config" and path[-2:] == ("gateway", "config"):
                yield from _proxy_config(value, here)
                continue
            if key in ("extraEnv",) and isinstance(value, list):
                yield from _extra_env(value, here)
                continue
            if key == "masterKey" and isinstance(value, str):
                yield (here, f"plaintext secret in {key}: {_hint((*here, 'x'))}", False)
                continue
            if (
                SECRET_KEY_NAMES.match(key)
                and key not in _SPEC_KEYS_NAMING_SECRETS
                and isinstance(value, str | int | float)
                and not isinstance(value, bool)
                and value != ""
            ):
                yield (here, f'plaintext secret in "{key}": {_hint(here)}', True)
                continue
            yield from _walk(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, (*path, index))


def _extra_env(items: list[Any], path: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        value, name = item.get("value"), item.get("name")
        if not isinstance(value, str) or not value or not isinstance(name, str):
            continue
        if SECRET_VALUE.search(value) or (SECRET_ENV_NAMES.search(name) and not _looks_harmless(value)):
            yield (
                (*path, index, "value"),
                f"extraEnv {name} holds a literal secret value: use valueFrom.secretKeyRef "
                "(or envSecrets) so the value stays in a Kubernetes Secret",
                False,
            )


def _looks_harmless(value: str) -> bool:
    """Booleans, numbers and file paths are settings, not secrets (e.g. SSL_VERIFY_TOKEN=true)."""
    return (
        value.lower() in {"true", "false", "yes", "no", "on", "off", "0", "1"}
        or value.startswith("/")
        or value.isdigit()
    )


def _proxy_config(node: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = (*path, key)
            if (
                isinstance(key, str)
                and PROXY_SECRET_KEYS.match(key)
                and isinstance(value, str)
                and value
                and not value.startswith("os.environ/")
            ):
                yield (
                    here,
                    f'proxy_config "{key}" holds a literal credential: write os.environ/<VAR> and '
                    "provide <VAR> from a Secret (extraEnv valueFrom.secretKeyRef or envSecrets)",
                    False,
                )
            else:
                yield from _proxy_config(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _proxy_config(item, (*path, index))
    elif isinstance(node, str) and SECRET_VALUE.search(node):
        yield (
            path,
            "proxy_config holds what looks like a literal credential: write os.environ/<VAR> "
            "and provide <VAR> from a Secret",
            False,
        )
