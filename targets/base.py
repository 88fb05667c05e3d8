"""The `Target` protocol every output format implements (built-in or third-party)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from litectl.compiler.ir import Compilation
from litectl.compiler.output import Bundle


@runtime_checkable
class Target(Protocol):
    """A pure renderer: IR in, files in memory out. No I/O; litectl writes the bundle.

    `options_type` is an attrs class read from `targets.<name>` in the spec (it must accept
    `output`). `render` may raise `LitectlError` for problems only this target sees (for example
    a feature compose cannot express, under `strict`); warnings go in `Bundle.warnings`.
    """

    name: str
    description: str
    options_type: type

    def render(self, compilation: Compilation, options: Any, *, strict: bool = False) -> Bundle: ...
