"""The `helm` target: a chart whose values contract is the spec's sections 2-9 (SPEC.md 11).

Kept import-light: the renderer loads when a chart is actually rendered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litectl.targets.options import HelmOptions

if TYPE_CHECKING:
    from litectl.compiler.ir import Compilation
    from litectl.compiler.output import Bundle


class HelmTarget:
    """Renders the chart; pure apart from reading its packaged templates."""

    name = "helm"
    description = "a parameterised Helm chart (the upstream componentized chart's values contract)"
    options_type: type = HelmOptions

    def render(self, compilation: Compilation, options: Any, *, strict: bool = False) -> Bundle:
        from litectl.targets.helm.render import render_chart

        return render_chart(compilation, options if isinstance(options, HelmOptions) else HelmOptions())


TARGET = HelmTarget()
