"""The difference between two plain-data trees as an RFC 6902 (JSON6902) operation list.

Overlays patch base objects with JSON6902 rather than strategic merge: the Kubernetes lists that
matter here (env, containers, volumes) are ordered, and strategic merge can neither drop an env
var without `$patch: delete` markers nor keep a new one at its place in the order. Index-based
operations are exact, so every named list element an operation touches is first pinned by a
`test` of its name: the patch documents itself (`env/12` is `DATABASE_HOST_READ_REPLICA`) and a
base that changed underneath fails the build instead of patching the wrong element.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

Op = dict[str, Any]

#: Key that identifies the items of Kubernetes object lists (env, containers, ports, volumes).
NAME_KEY = "name"
#: Mappings kustomize itself writes into while it builds (its bookkeeping annotations live in
#: `metadata.annotations`): always patched key by key, never replaced or removed whole.
_KEYWISE: frozenset[tuple[str | int, ...]] = frozenset(
    {("metadata",), ("metadata", "annotations"), ("metadata", "labels")}
)


def pointer(parts: Sequence[str | int]) -> str:
    """A JSON pointer (RFC 6901) from path parts: `~` and `/` in keys are escaped."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def diff(old: Any, new: Any) -> list[Op]:
    """Operations that turn `old` into `new` (both plain JSON-like data), applied in order.

    The root is never replaced whole (a patch replacing a whole object would be a copy).
    """
    ops: list[Op] = []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        _mapping(old, new, [], ops)
    elif old != new:
        raise ValueError("the roots of a patch must both be mappings")
    return ops


def _cost(ops: Sequence[Op]) -> int:
    """Size of the operations as text: what a reader has to read."""
    return len(json.dumps(ops, separators=(",", ":"), sort_keys=True, default=str))


def _node(old: Any, new: Any, path: list[str | int], ops: list[Op]) -> None:
    if _same(old, new):
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        sub: list[Op] = []
        _mapping(old, new, path, sub)
    elif isinstance(old, list) and isinstance(new, list):
        sub = []
        _sequence(old, new, path, sub)
    else:
        ops.append({"op": "replace", "path": pointer(path), "value": new})
        return
    whole = [{"op": "replace", "path": pointer(path), "value": new}]
    ops.extend(whole if tuple(path) not in _KEYWISE and _cost(whole) < _cost(sub) else sub)


def _same(old: Any, new: Any) -> bool:
    """Equal as JSON: `True == 1` in Python, but not in YAML."""
    return type(old) is type(new) and old == new


def _mapping(old: Mapping[str, Any], new: Mapping[str, Any], path: list[str | int], ops: list[Op]) -> None:
    for key in old:
        if key in new:
            continue
        if (*path, key) in _KEYWISE and isinstance(old[key], Mapping):
            ops.extend({"op": "remove", "path": pointer([*path, key, k])} for k in old[key])
        else:
            ops.append({"op": "remove", "path": pointer([*path, key])})
    for key, value in new.items():
        if key in old:
            _node(old[key], value, [*path, key], ops)
        else:
            ops.append({"op": "add", "path": pointer([*path, key]), "value": value})


def _names(items: Sequence[Any]) -> list[str] | None:
    """The items' names when every item is a mapping with a distinct string name, else None."""
    names = [item.get(NAME_KEY) if isinstance(item, Mapping) else None for item in items]
    if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        return [str(n) for n in names]
    return None


def _identity(old: Sequence[Any], new: Sequence[Any]) -> tuple[list[str], list[str], bool]:
    """What aligns two lists: item names when both are named lists, else the items' JSON text."""
    old_names, new_names = _names(old), _names(new)
    if old_names is not None and new_names is not None:
        return old_names, new_names, True
    text = [json.dumps(item, sort_keys=True, default=str) for item in (*old, *new)]
    return text[: len(old)], text[len(old):], False


def _alignment(a: Sequence[str], b: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """A longest-common-subsequence alignment: (i, j) kept, (i, None) removed, (None, j) added.

    Removals come before additions at the same place, so indices stay easy to follow.
    """
    n, m = len(a), len(b)
    lcs = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            lcs[i][j] = lcs[i + 1][j + 1] + 1 if a[i] == b[j] else max(lcs[i + 1][j], lcs[i][j + 1])
    steps: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n or j < m:
        if i < n and j < m and a[i] == b[j]:
            steps.append((i, j))
            i, j = i + 1, j + 1
        elif i < n and (j == m or lcs[i + 1][j] >= lcs[i][j + 1]):
            steps.append((i, None))
            i += 1
        else:
            steps.append((None, j))
            j += 1
    return steps


def _paired(steps: list[tuple[int | None, int | None]]) -> list[tuple[int | None, int | None]]:
    """Within each run of removals and additions, pair them up in order as changed items.

    For lists without names (ingress rules, tolerations) an item that changed a little is then
    patched inside instead of being removed and added again whole.
    """
    out: list[tuple[int | None, int | None]] = []
    removed: list[int] = []
    added: list[int] = []

    def flush() -> None:
        pairs = min(len(removed), len(added))
        out.extend(zip(removed[:pairs], added[:pairs], strict=True))
        out.extend((i, None) for i in removed[pairs:])
        out.extend((None, j) for j in added[pairs:])
        removed.clear()
        added.clear()

    for i, j in steps:
        if i is not None and j is not None:
            flush()
            out.append((i, j))
        elif i is not None:
            removed.append(i)
        elif j is not None:
            added.append(j)
    flush()
    return out


def _sequence(old: Sequence[Any], new: Sequence[Any], path: list[str | int], ops: list[Op]) -> None:
    old_ids, new_ids, named = _identity(old, new)
    index = 0  # position in the list as the operations so far left it
    length = len(old)
    steps = _alignment(old_ids, new_ids)
    for i, j in steps if named else _paired(steps):
        if i is not None and j is not None:
            sub: list[Op] = []
            _node(old[i], new[j], [*path, index], sub)
            if sub and named:
                ops.append(_pin(path, index, old_ids[i]))
            ops.extend(sub)
            index += 1
        elif i is not None:
            if named:
                ops.append(_pin(path, index, old_ids[i]))
            ops.append({"op": "remove", "path": pointer([*path, index])})
            length -= 1
        else:
            assert j is not None
            where = "-" if index == length else index
            ops.append({"op": "add", "path": pointer([*path, where]), "value": new[j]})
            index += 1
            length += 1


def _pin(path: list[str | int], index: int, name: str) -> Op:
    return {"op": "test", "path": pointer([*path, index, NAME_KEY]), "value": name}
