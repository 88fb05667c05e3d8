"""Options of the built-in targets (`targets.<name>` in the spec).

Kept apart from the targets' renderers so that the schema generator and the normaliser can read
them without importing any renderer (start-up time matters for `litectl validate`).
"""

from __future__ import annotations

import attrs
from litectl.compiler.model import DNS1123_LABEL, DNS1123_MESSAGE, spec

OUTPUT_DESCRIPTION = "Output directory, relative to the spec file."

# SemVer 2.0 as Helm parses a chart version: numbers without leading zeros that fit its 64-bit
# integers (19 digits), no empty or zero-padded numeric pre-release identifiers.
_NUMBER = r"(?:0|[1-9][0-9]{0,18})"
_PRE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
SEMVER = (rf"^{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:-{_PRE_ID}(?:\.{_PRE_ID})*)?"
          r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$")
# A Helm (Masterminds semver) constraint: comparisons and ranges, joined by ',' or spaces, or '||'.
_VERSION = r"v?(?:[0-9]+|[xX*])(?:\.(?:[0-9]+|[xX*])){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
_TERM = rf"(?:{_VERSION} +- +{_VERSION}|(?:!=|>=|<=|=>|=<|~>|[=<>~^])? *{_VERSION})"
_ALL = rf"{_TERM}(?:(?: *, *| +){_TERM})*"
KUBE_VERSION_CONSTRAINT = rf"^ *{_ALL}(?: *\|\| *{_ALL})* *$"


@attrs.frozen(kw_only=True)
class HelmOptions:
    """Options of the `helm` target."""

    output: str = spec("deploy/helm", description=OUTPUT_DESCRIPTION, constraints={"minLength": 1})
    chartName: str | None = spec(
        None,
        description="Chart name (default: `metadata.name`).",
        constraints={"pattern": DNS1123_LABEL, "x-message": DNS1123_MESSAGE},
    )
    chartVersion: str = spec(
        "0.1.0",
        description="Chart version (SemVer).",
        constraints={"pattern": SEMVER, "x-message": "must be a SemVer version such as 0.1.0"},
    )
    kubeVersion: str = spec(
        ">=1.27.0-0",
        description="Chart.yaml kubeVersion constraint.",
        constraints={
            "pattern": KUBE_VERSION_CONSTRAINT,
            "x-message": "must be a version constraint such as >=1.27.0-0 (comparisons joined by ',', ' ' or '||')",
        },
    )


@attrs.frozen(kw_only=True)
class KustomizeOptions:
    """Options of the `kustomize` target."""

    output: str = spec("deploy/kustomize", description=OUTPUT_DESCRIPTION, constraints={"minLength": 1})


@attrs.frozen(kw_only=True)
class LocalService:
    """A local stand-in service added to the compose stack."""

    enabled: bool = spec(False, description="Add the service and point the wiring at it.")
    image: str = spec("", description="Image of the service.", constraints={"minLength": 1})


@attrs.frozen(kw_only=True)
class LocalPostgres(LocalService):
    """A local Postgres for the compose stack."""

    image: str = spec("postgres:16-alpine", description="Postgres image.", constraints={"minLength": 1})


@attrs.frozen(kw_only=True)
class LocalRedis(LocalService):
    """A local Redis for the compose stack."""

    image: str = spec("redis:7-alpine", description="Redis image.", constraints={"minLength": 1})


@attrs.frozen(kw_only=True)
class ComposeProxy:
    """The nginx reverse proxy serving the ingress route table."""

    enabled: bool | None = spec(None, description="Add the proxy (default: `ingress.enabled`).")
    port: int = spec(
        8080, description="Host port of the proxy.", constraints={"minimum": 1, "maximum": 65535}
    )


PUBLISH_PORT = {"minimum": 0, "maximum": 65535}


@attrs.frozen(kw_only=True)
class ComposePublish:
    """Host ports of the components (0: not published)."""

    gateway: int = spec(4000, description="Host port of the gateway.", constraints=PUBLISH_PORT)
    backend: int = spec(4001, description="Host port of the backend.", constraints=PUBLISH_PORT)
    ui: int = spec(3000, description="Host port of the ui.", constraints=PUBLISH_PORT)


@attrs.frozen(kw_only=True)
class ComposeOptions:
    """Options of the `compose` target."""

    output: str = spec("deploy/compose", description=OUTPUT_DESCRIPTION, constraints={"minLength": 1})
    postgres: LocalPostgres = spec(factory=LocalPostgres, description="Local Postgres service.")
    redis: LocalRedis = spec(factory=LocalRedis, description="Local Redis service.")
    proxy: ComposeProxy = spec(factory=ComposeProxy, description="Local reverse proxy.")
    publish: ComposePublish = spec(factory=ComposePublish, description="Published host ports.")


BUILTIN_OPTIONS: dict[str, type] = {
    "helm": HelmOptions,
    "kustomize": KustomizeOptions,
    "compose": ComposeOptions,
}
