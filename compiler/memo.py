"""Work done once per object, for the big data every environment of a spec shares.

A spec's `proxy_config` (thousands of models) is passed through untouched: the base and every
environment that does not change it hold the very same objects, and one that changes a setting
still shares its untouched parts (the merge copies only the mappings on the changed path). So
checks and renderings of such data are remembered by the object's identity, never recomputed
per environment or per target.

Safe because the loaded document and the IR are never mutated. Each entry holds a reference to
its object, so an id cannot be reused by another object while the entry is kept; the oldest
entries are dropped past `size`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

#: Containers smaller than this are cheaper to walk again than to look up.
WORTH_REMEMBERING = 32


class IdentityMemo(Generic[T]):
    """`compute()`'s result for an object (and an optional extra key), found again by identity."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._entries: dict[tuple[int, Hashable], tuple[object, T]] = {}

    def get(self, obj: object, compute: Callable[[], T], extra: Hashable = None) -> T:
        key = (id(obj), extra)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is obj:
            return entry[1]
        value = compute()
        self._entries[key] = (obj, value)
        if len(self._entries) > self._size:
            del self._entries[next(iter(self._entries))]
        return value
