"""`compose.<env>.yaml`: the smallest override file that turns the base stack into an environment's.

Compose merges `-f compose.yaml -f compose.<env>.yaml` by its own rules (the Compose
specification's merge section): mappings merge key by key, scalars are replaced, `command`,
`entrypoint` and `healthcheck.test` are replaced, and every other sequence is appended to (with
`ports`, `volumes`, `env_file`, ... deduplicated). So the delta is computed against those rules:

* a mapping key the environment does not have is removed with `!reset null`;
* a sequence that differs is replaced whole with `!override` (appending would keep stale
  entries), except the three replaced-anyway fields, which stay plain;
* anything else that differs is written as the environment's value (top-level `x-` extensions
  whole, since older Compose releases replace them instead of merging).

`!reset` and `!override` are Compose's own YAML tags (docker compose 2.24 and later). The shared
YAML writer only writes plain data, so tagged nodes are written as marker values and the
markers are replaced in the text afterwards: the markers hold a NUL character, which no value
from a spec can reach the writer with unquoted, so the replacement cannot hit anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litectl.compiler.output import dump_yaml

#: Sequences Compose replaces instead of appending to (path below `services.<name>`).
REPLACED_SEQUENCES = frozenset({("command",), ("entrypoint",), ("healthcheck", "test")})

_RESET = "\x00litectl:reset"
_OVERRIDE_SUFFIX = "\x00litectl:override"


def _replaced(path: tuple[str, ...]) -> bool:
    return len(path) >= 3 and path[0] == "services" and tuple(path[2:]) in REPLACED_SEQUENCES


def delta(base: Mapping[str, Any], target: Mapping[str, Any]) -> dict[str, Any]:
    """The override mapping that merges `base` into `target` (empty when they are equal)."""
    return _mapping_delta(base, target, ())


def _mapping_delta(
    base: Mapping[str, Any], target: Mapping[str, Any], path: tuple[str, ...]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in target.items():
        if key not in base:
            out[key] = value
        elif base[key] != value:
            out.update(_value_delta(key, base[key], value, (*path, key)))
    for key in base:
        if key not in target:
            out[key] = _RESET
    return out


def _value_delta(key: str, old: Any, new: Any, path: tuple[str, ...]) -> dict[str, Any]:
    if len(path) == 1 and key.startswith("x-"):
        # Older Compose releases replace top-level extensions instead of merging them: the whole
        # value gives the same result under either rule.
        return {key: new}
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return {key: _mapping_delta(old, new, path)}
    if isinstance(new, list) and _replaced(path):
        return {key: new}
    if isinstance(new, list | Mapping) or isinstance(old, list | Mapping):
        # Sequences are appended to and a type change cannot merge: replace the value whole.
        return {key + _OVERRIDE_SUFFIX: new}
    return {key: new}


def _key_text(key: str) -> str:
    """How the writer writes `key` as a mapping key (`key: 0` minus the value)."""
    return dump_yaml({key: 0})[: -len(": 0\n")]


def _collect_override_keys(value: Any, found: set[str]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and key.endswith(_OVERRIDE_SUFFIX):
                found.add(key)
            _collect_override_keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect_override_keys(item, found)


def dump_override(data: Mapping[str, Any], *, header: str) -> str:
    """`data` as YAML, with reset markers as `!reset null` and override keys tagged `!override`."""
    text = dump_yaml(data, header=header)
    reset_text = _key_text(_RESET)  # the marker as the writer quotes it
    text = text.replace(f": {reset_text}\n", ": !reset null\n")
    keys: set[str] = set()
    _collect_override_keys(data, keys)
    for key in sorted(keys):
        marker, plain = _key_text(key), _key_text(key[: -len(_OVERRIDE_SUFFIX)])
        text = text.replace(f"{marker}:\n", f"{plain}: !override\n")
        text = text.replace(f"{marker}: ", f"{plain}: !override ")
    if "\\0litectl:" in text or "\x00" in text:  # pragma: no cover - a marker the writer placed elsewhere
        raise AssertionError("an override marker was left in the compose override file")
    return text
