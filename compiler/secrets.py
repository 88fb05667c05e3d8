"""Find secret values written into a spec: litectl only ever references Secrets.

Runs before the schema so that `password: hunter2` gets a message that says what to do
instead of a bare "unknown key".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from litectl.compiler.diagnostics import JsonPath

SECRET_KEY_NAMES = re.compile(
    r"^(password|passwd|pass|secret|secretValue|token|apiKey|api_key|masterKey|master_key|saltKey|salt_key"
    r"|accessKey|access_key|secretKey|secret_key|privateKey|private_key|credentials?)$",
    re.IGNORECASE,
)
#: Environment variable (and HTTP header) names that hold a credential: a secret word as a whole
#: segment of the name (`DB_PASSWORD`, `OPENAI_API_KEY`, `X-Api-Key`), unless the name ends in a
#: word that makes it a setting about the secret (`API_KEY_HEADER`, `PASSWORD_FILE`, `MAX_TOKENS`
#: has no `TOKEN` segment at all).
SECRET_ENV_NAMES = re.compile(
    r"(?:^|[_.-])(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|APIKEY|CREDENTIALS?|AUTHORIZATION"
    r"|(?:API|MASTER|SALT|PRIVATE|ACCESS|SECRET|ENCRYPTION|SIGNING|AUTH)[_.-]KEY)(?:$|[_.-])",
    re.IGNORECASE,
)
SETTING_SUFFIX = re.compile(
    r"[_.-](?:FILE|PATH|DIR|NAME|HEADER|URL|URI|ENDPOINT|HOST|PORT|REGION|TTL|EXPIRY|EXPIRATION"
    r"|TIMEOUT|LENGTH|ENABLED|DISABLED|MODE|TYPE|MODEL|ID|PROVIDER|MANAGER|SIZE|COUNT|LIMIT)$",
    re.IGNORECASE,
)
SECRET_VALUE = re.compile(
    r"(^sk-[A-Za-z0-9_-]{16,}$|^AKIA[0-9A-Z]{16}$|^gh[pousr]_[A-Za-z0-9]{20,}$|^xox[abpr]-|"
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.|"
    r"^(?:Bearer|Basic) [A-Za-z0-9._~+/=-]{8,}$|"
    # a password inside a URL (`scheme://user:password@host`), unless it is a `$(VAR)`/`${VAR}` reference
    r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:(?!\$[({])[^/\s@]+@)"
)
#: Keys of LiteLLM's config whose values are credentials unless they read `os.environ/...`: the
#: ones LiteLLM documents, and any key ending in one of them (`langsmith_api_key`, `redis_password`).
PROXY_SECRET_KEYS = re.compile(
    r"^(?:.*_)?(?:api_key|apikey|master_key|salt_key|password|passwd|database_url|secret_access_key"
    r"|access_key_id|session_token|credentials|client_secret|ad_token|token|secret|secret_key"
    r"|access_token|auth_token|refresh_token|private_key|webhook_url|connection_string)$",
    re.IGNORECASE,
)
#: What every SECRET_VALUE match holds (one of its prefixes, an `@` of `user:password@`, or a
#: PEM header): checked first, because nearly no string of a big config has any of them.
_CREDENTIAL_PREFIXES = ("sk-", "AKIA", "gh", "xox", "eyJ", "Bearer ", "Basic ")


class Finding(NamedTuple):
    """One literal the scan reports: an error (a credential) or a warning (a borderline placeholder)."""

    path: JsonPath
    message: str
    at_key: bool
    severity: str = "error"


#: Words that make up the placeholder keys of servers that need none (vLLM, Ollama, local and mock
#: endpoints): `fake-key`, `dummy`, `not-used`, `no_key`, `EMPTY`, `sk-placeholder`, ...
PLACEHOLDER_WORDS = frozenset({
    "a", "any", "anything", "blank", "bogus", "default", "demo", "dummy", "empty",
    "example", "fake", "fill", "ignore", "ignored", "in", "key", "llama", "lm", "local", "localhost",
    "mock", "n", "na", "nil", "no", "none", "not", "null", "ollama", "optional", "placeholder",
    "replace", "required", "sample", "sk", "some", "studio", "test", "tgi", "todo", "token", "unused",
    "use", "used", "vllm", "your", "x", "xx", "xxx", "api", "apikey", "here",
})
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")
#: Keys and env names whose value must be a reference whatever it looks like: the proxy's own
#: admin credentials (a "placeholder" master key is a real, guessable one).
_ALWAYS_SECRET = re.compile(r"(?:^|[_.-])(?:MASTER|SALT)[_.-]?KEY$", re.IGNORECASE)


def placeholder_kind(value: str) -> str | None:
    """"evident" for a value that is plainly no credential, "borderline" for one that probably is
    not, None otherwise (see docs: the placeholder rule).

    Evident: at most 3 characters, one character repeated (`xxxxxxxx`, `****`), or only words of
    PLACEHOLDER_WORDS (`fake-key`, `not-used`, `EMPTY`, `sk-placeholder`). Borderline: at most 16
    characters, a placeholder word in it, and the rest short words or digits (`sk-1234`,
    `my-fake-key-1`): accepted with a warning. Known credential shapes never get here.
    """
    if len(value) <= 3 or len(set(value)) == 1:
        return "evident"
    words = [w.lower() for w in _WORD_SPLIT.split(value) if w]
    if words and all(w in PLACEHOLDER_WORDS for w in words):
        return "evident"
    if len(value) <= 16 and any(w in PLACEHOLDER_WORDS for w in words):
        others = [w for w in words if w not in PLACEHOLDER_WORDS]
        if all(w.isdigit() or (w.isalpha() and len(w) <= 6) for w in others):
            return "borderline"
    return None


def looks_like_credential(text: str) -> bool:
    """The value itself looks like a key, token, private key or a password in a URL."""
    if not (text.startswith(_CREDENTIAL_PREFIXES) or "@" in text or "-----BEGIN " in text):
        return False
    return SECRET_VALUE.search(text) is not None


@functools.lru_cache(maxsize=4096)
def _proxy_secret_key(key: str) -> bool:
    """A LiteLLM config key that holds a credential (keys repeat in every model: memoised)."""
    return PROXY_SECRET_KEYS.match(key) is not None


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


def find_plaintext_secrets(data: Any) -> Iterator[Finding]:
    """Every secret value written into the spec (errors), and every borderline placeholder (warnings)."""
    yield from _walk(data, ())


def _walk(node: Any, path: JsonPath) -> Iterator[Finding]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = (*path, key)
            if not isinstance(key, str) or key.startswith("x-"):
                continue
            if key == "proxy_config" and path[-2:] == ("gateway", "config"):
                yield from _proxy_config(value, here)
                continue
            if key in ("extraEnv", "httpHeaders") and isinstance(value, list):
                yield from _extra_env(value, here)
                continue
            if key == "masterKey" and isinstance(value, str):
                yield Finding(here, f"plaintext secret in {key}: {_hint((*here, 'x'))}", False)
                continue
            if (
                SECRET_KEY_NAMES.match(key)
                and key not in _SPEC_KEYS_NAMING_SECRETS
                and isinstance(value, str | int | float)
                and not isinstance(value, bool)
                and value != ""
            ):
                yield Finding(here, f'plaintext secret in "{key}": {_hint(here)}', True)
                continue
            yield from _walk(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, (*path, index))
    elif isinstance(node, str) and looks_like_credential(node):
        yield Finding(
            path,
            "this value looks like a literal credential (a key, token or a password in a URL): "
            f"{_hint(path)}",
            False,
        )


def _extra_env(items: list[Any], path: JsonPath) -> Iterator[Finding]:
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        value, name = item.get("value"), item.get("name")
        if not isinstance(value, str) or not value or not isinstance(name, str):
            continue
        credential = looks_like_credential(value)
        kind = None if credential or _ALWAYS_SECRET.search(name) else placeholder_kind(value)
        if kind == "evident":
            continue
        if kind == "borderline" and _secret_name(name):
            yield Finding((*path, index, "value"), f"{name} is accepted as a placeholder, not a credential: "
                          f"if it is a real one, {_REFERENCE_IT}", False, "warning")
            continue
        if credential or (_secret_name(name) and not _looks_harmless(value)):
            if path[-1] == "httpHeaders":
                message = (f"probe header {name} holds a literal credential: probes cannot read Secrets, "
                           "so check an endpoint that needs no credential (or use an exec probe)")
            else:
                message = (f"extraEnv {name} holds a literal secret value: use valueFrom.secretKeyRef "
                           "(or envSecrets) so the value stays in a Kubernetes Secret")
            yield Finding((*path, index, "value"), message, False)


def _secret_name(name: str) -> bool:
    return bool(SECRET_ENV_NAMES.search(name)) and not SETTING_SUFFIX.search(name)


_REFERENCE = re.compile(r"\$\([^)]*\)|\$\{[^}]*\}")
_SECRET_LIKE_RUN = re.compile(r"[A-Za-z0-9+/=_-]{8,}")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S*$")


def _looks_harmless(value: str) -> bool:
    """Settings, not secrets: booleans, numbers, file paths, URLs without a password, and values
    made of references to other variables (`$(DATABASE_PASSWORD)`, `os.environ/KEY`)."""
    if value.lower() in {"true", "false", "yes", "no", "on", "off"} or value.startswith(("/", "os.environ/")):
        return True
    if re.fullmatch(r"[-+]?[0-9]+(?:\.[0-9]+)?[a-zA-Z]{0,2}", value):  # 12, 0.5, 30s, 24h, 10Mi
        return True
    if _URL.match(value):  # SECRET_VALUE already refused a password inside it
        return True
    stripped = _REFERENCE.sub("", value)
    return stripped != value and not _SECRET_LIKE_RUN.search(stripped)


_REFERENCE_IT = "keep it in a Kubernetes Secret (valueFrom.secretKeyRef, envSecrets, or os.environ/<VAR> in proxy_config)"


def _proxy_config(node: Any, path: JsonPath) -> Iterator[Finding]:
    # Strings, most of a big config, are checked in their container's loop: no generator and no
    # path tuple per string unless it is a problem.
    if isinstance(node, Mapping):
        for key, value in node.items():
            if type(value) is str:
                problem = _proxy_string_problem(key, value)
                if problem:
                    yield problem._replace(path=(*path, key))
            elif key == "environment_variables" and isinstance(value, Mapping):
                yield from _proxy_environment((*path, key), value)
            elif isinstance(value, Mapping | list):
                yield from _proxy_config(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if type(item) is str:
                if looks_like_credential(item):
                    yield Finding((*path, index), _PROXY_LITERAL_CREDENTIAL, False)
            elif isinstance(item, Mapping | list):
                yield from _proxy_config(item, (*path, index))
    elif isinstance(node, str) and looks_like_credential(node):
        yield Finding(path, _PROXY_LITERAL_CREDENTIAL, False)


_PROXY_LITERAL_CREDENTIAL = ("proxy_config holds what looks like a literal credential: write os.environ/<VAR> "
                             "and provide <VAR> from a Secret")


def _proxy_string_problem(key: Any, value: str) -> Finding | None:
    """The finding for one string of LiteLLM's config (its path is filled in by the caller)."""
    credential = looks_like_credential(value)
    if isinstance(key, str) and _proxy_secret_key(key) and value and not value.startswith("os.environ/"):
        always = _ALWAYS_SECRET.search(key) is not None or key.lower().endswith("webhook_url")
        kind = None if credential or always else placeholder_kind(value)
        if kind == "evident":
            return None
        if kind == "borderline":
            return Finding((), f'proxy_config "{key}" is accepted as a placeholder, not a credential: if it '
                           "is a real one, write os.environ/<VAR> and provide <VAR> from a Secret", False, "warning")
        if credential or always or not _looks_harmless(value):
            return Finding((), f'proxy_config "{key}" holds a literal credential: write os.environ/<VAR> and '
                           "provide <VAR> from a Secret (extraEnv valueFrom.secretKeyRef or envSecrets)", False)
    return Finding((), _PROXY_LITERAL_CREDENTIAL, False) if credential else None


def _proxy_environment(path: JsonPath, variables: Mapping[Any, Any]) -> Iterator[Finding]:
    """LiteLLM exports these into its own environment: names are env var names."""
    items = [{"name": k, "value": v} for k, v in variables.items() if isinstance(k, str)]
    for found in _extra_env(items, path):
        name = items[int(found.path[-2])]["name"]
        if found.severity == "warning":
            yield Finding((*path, name), f"proxy_config environment_variables.{found.message}", False, "warning")
            continue
        yield Finding(
            (*path, name),
            f"proxy_config environment_variables.{name} holds a literal secret value: set it "
            "from a Secret instead (extraEnv valueFrom.secretKeyRef or envSecrets)",
            False,
        )
