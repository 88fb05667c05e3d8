"""The one ingress route table (upstream chart section 10), used by every target.

The Ingress, the Helm chart and the compose reverse proxy all read `build_routes`, so the
paths, their order and the controller quirks live in exactly one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from litectl.compiler.ir import ComponentName, PathType, Route

UI_ROUTES: tuple[tuple[str, PathType], ...] = (
    ("/", "Exact"),
    ("/favicon.ico", "Exact"),
    ("/litellm-asset-prefix", "Prefix"),
    ("/_next", "Prefix"),
    ("/ui", "Prefix"),
    ("/*.txt", "ImplementationSpecific"),  # alb only
)
GATEWAY_EXACT: tuple[str, ...] = ("/test", "/debug/memory/summary")
GATEWAY_PREFIXES: tuple[str, ...] = tuple(
    [
        "/v1/chat",
        "/chat",
        "/v1/completions",
        "/completions",
        "/v1/embeddings",
        "/embeddings",
        "/v1/moderations",
        "/moderations",
        "/v1/audio",
        "/audio",
        "/v1/images",
        "/images",
        "/v1/files",
        "/files",
        "/v1/batches",
        "/batches",
        "/v1/fine_tuning",
        "/fine_tuning",
        "/v1/fine-tuning",
        "/fine-tuning",
        "/v1/responses",
        "/responses",
        "/v1/threads",
        "/threads",
        "/v1/assistants",
        "/assistants",
        "/v1/vector_stores",
        "/vector_stores",
        "/v1/indexes",
        "/v1/models",
        "/models",
        "/openai",
        "/engines",
        "/v1/messages",
        "/messages",
        "/v1/skills",
        "/v1/a2a",
        "/a2a",
        "/api/event_logging",
        "/v1/rerank",
        "/v2/rerank",
        "/rerank",
        "/v1/ocr",
        "/ocr",
        "/v1/rag",
        "/rag",
        "/v1/video",
        "/v1/videos",
        "/video",
        "/videos",
        "/v1/search",
        "/search",
        "/v1/containers",
        "/containers",
        "/v1/evals",
        "/v1/memory",
        "/queue/chat",
        "/v1beta",
        "/interactions",
        "/anthropic",
        "/azure",
        "/azure_ai",
        "/azure_speech",
        "/aws",
        "/bedrock",
        "/comprehendmedical",
        "/transcribe",
        "/cohere",
        "/gemini",
        "/google",
        "/vertex_ai",
        "/vertex-ai",
        "/assemblyai",
        "/eu.assemblyai",
        "/langfuse",
        "/vllm",
        "/mistral",
        "/groq",
        "/voyage",
        "/cursor",
        "/milvus",
        "/openai_passthrough",
        "/toolset",
        "/v1/realtime",
        "/realtime",
        "/health",
        "/metrics",
    ]
)
CATCH_ALL = Route("/", "Prefix", "backend")


def builtin_routes(controller: str) -> list[Route]:
    """ui paths then gateway paths, with the controller's quirks applied."""
    routes = [Route(p, t, "ui") for p, t in UI_ROUTES]
    routes += [Route(p, "Exact", "gateway") for p in GATEWAY_EXACT]
    routes += [Route(p, "Prefix", "gateway") for p in GATEWAY_PREFIXES]
    return [
        _apply_controller(r, controller) for r in routes if not (controller == "nginx" and r.path == "/*.txt")
    ]


def _apply_controller(route: Route, controller: str) -> Route:
    if controller == "nginx" and "." in route.path:
        return Route(route.path, "ImplementationSpecific", route.component, route.extra)
    return route


def extra_path_problems(
    extra: Sequence[tuple[str, PathType, ComponentName]], controller: str
) -> list[tuple[int, str]]:
    """(index, message) for extra paths that are `/` or repeat a built-in or earlier path."""
    problems: list[tuple[int, str]] = []
    taken = {(r.path, r.path_type) for r in builtin_routes(controller)}
    for index, (path, path_type, _component) in enumerate(extra):
        effective = _apply_controller(Route(path, path_type, "gateway"), controller).path_type
        if path == "/":
            problems.append((index, "an extra path may not be '/': it is the backend catch-all"))
        elif (path, effective) in taken:
            problems.append((index, f"extra path {path} ({effective}) repeats a path that is already routed"))
        taken.add((path, effective))
    return problems


def build_routes(
    extra: Iterable[tuple[str, PathType, ComponentName]],
    controller: str,
    enabled: Iterable[ComponentName],
) -> tuple[Route, ...]:
    """The full ordered route table: ui, gateway, extra paths, backend catch-all.

    Routes to a disabled component are left out (its Service does not exist).
    """
    on = set(enabled)
    routes = builtin_routes(controller)
    routes += [_apply_controller(Route(p, t, c, extra=True), controller) for p, t, c in extra]
    routes.append(CATCH_ALL)
    return tuple(r for r in routes if r.component in on)
