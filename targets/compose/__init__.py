"""The `compose` target: docker compose files for one-command local and single-host stacks.

`compose.yaml` (plus `compose.<env>.yaml` overrides), `.env.example`, a README and the files the
services mount, with the same images, arguments, environment wiring, start-up order and routes as
the Kubernetes targets. The renderer is imported on first use, so listing targets stays cheap.
"""

from __future__ import annotations

from typing import Any

from litectl.compiler.ir import Compilation
from litectl.compiler.output import Bundle
from litectl.targets.options import ComposeOptions


class ComposeTarget:
    """The built-in compose target (see `render.py` for what it writes)."""

    name = "compose"
    description = "docker compose files for local and single-host use"
    options_type: type = ComposeOptions

    def render(self, compilation: Compilation, options: Any, *, strict: bool = False) -> Bundle:
        """Pure: the bundle for `compilation`; features compose lacks are warnings (errors if `strict`)."""
        from litectl.targets.compose.render import render

        return render(compilation, options if options is not None else ComposeOptions(), strict=strict)


TARGET = ComposeTarget()

__all__ = ["TARGET", "ComposeTarget"]
