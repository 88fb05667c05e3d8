"""The `kustomize` target: a base plus one minimal overlay per environment.

Kept small so `litectl targets` can list it cheaply; the renderer is imported when used.
"""

from __future__ import annotations

from typing import Any

from litectl.compiler.ir import Compilation
from litectl.compiler.output import Bundle
from litectl.targets.options import KustomizeOptions


class KustomizeTarget:
    """Kustomize `base/` and `overlays/<env>/`, with the migrations Job as a step of its own."""

    name = "kustomize"
    description = "Kustomize base/ plus one minimal overlay per environment"
    options_type: type = KustomizeOptions

    def render(self, compilation: Compilation, options: Any, *, strict: bool = False) -> Bundle:
        """Pure: files in memory. `options` only names the output directory, which the CLI uses;
        `strict` changes nothing, since Kustomize expresses everything the spec can say."""
        from litectl.targets.kustomize.render import render

        return render(compilation)


TARGET = KustomizeTarget()
