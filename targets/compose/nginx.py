"""The reverse proxy of the compose stack: the Ingress route table as an nginx configuration.

The routes come from `compiler/routes.py`, the same list the Kubernetes Ingress is built from,
and are translated so that nginx picks the component the Ingress would pick:

* Exact `/p` -> `location = /p`.
* Prefix `/p` -> Kubernetes matches whole path elements (`/v1/chat` matches `/v1/chat` and
  `/v1/chat/...` but not `/v1/chatty`), which is `location = /p` plus `location ^~ /p/`.
  `^~` makes the longest prefix final, as in Kubernetes, and an Exact route wins over a Prefix
  one on the same path (nginx checks `=` locations first). The catch-all `/` stays a plain
  prefix so that only it, not a real prefix route, gives way to wildcard routes.
* ImplementationSpecific: what the controller does with it. A wildcard path (the ALB
  controller's `/*.txt`, `*` = any characters) becomes an anchored regex; any other path is a
  plain string prefix, as ingress-nginx treats it (`/favicon.ico`, `/eu.assemblyai`).

Upstreams are nginx variables, so nginx resolves the service names through Docker's DNS at
request time: the configuration loads (and `nginx -t` passes) before any service exists, and
replicas and restarted containers are picked up without reloading the proxy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from litectl.compiler.ir import CONTAINER_PORTS, ComponentName, Route

#: Docker's embedded DNS server, reachable from every container on a user-defined network.
DOCKER_DNS = "127.0.0.11"
#: The port nginx listens on inside its container (published as `targets.compose.proxy.port`).
LISTEN_PORT = 8080
#: Where the configuration is mounted in the nginx image (it replaces the image's main file).
CONFIG_PATH = "/etc/nginx/nginx.conf"

_SAFE = re.compile(r"^[A-Za-z0-9/._~:@!+,=-]+$")
_REGEX_LITERAL = re.compile(r"[A-Za-z0-9/_-]")


def default_upstreams() -> dict[ComponentName, str]:
    """Service name and container port of each component on the compose network."""
    return {component: f"{component}:{port}" for component, port in CONTAINER_PORTS.items()}


def _quoted(text: str) -> str:
    """An nginx argument: bare when harmless, else double-quoted with `"` and `\\` escaped."""
    if _SAFE.match(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wildcard_regex(path: str) -> str:
    """An anchored PCRE for an ALB-style wildcard path (`*` any characters, `?` one).

    Other characters match literally: letters, digits and `/_-` as themselves, the rest inside
    a one-character class (`[.]`), which needs no backslash (nginx unescapes backslashes in
    quoted strings); the few that a class cannot hold plainly use a hex escape.
    """
    out = ["^"]
    for char in path:
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif _REGEX_LITERAL.match(char) or ord(char) > 0x7F:
            out.append(char)
        elif char in "\\]^\"'":
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"[{char}]")
    out.append("$")
    return "".join(out)


def _locations(route: Route) -> list[tuple[str, str, str]]:
    """(kind, modifier, argument) of the nginx locations serving one route.

    `kind` (exact, prefix, regex) plus the argument identify a location: nginx refuses two
    locations with the same one, whatever their modifiers.
    """
    path = route.path
    if route.path_type == "Exact":
        return [("exact", "=", path)]
    if route.path_type == "Prefix":
        trimmed = path.rstrip("/") or "/"
        if trimmed == "/":
            return [("prefix", "", "/")]
        return [("exact", "=", trimmed), ("prefix", "^~", trimmed + "/")]
    if "*" in path or "?" in path:
        return [("regex", "~", wildcard_regex(path))]
    return [("prefix", "^~", path)]


def location_blocks(routes: Sequence[Route]) -> list[tuple[str, ComponentName]]:
    """(location line, component) in route order, with Kubernetes' precedence settled.

    Exact routes are placed first in the bookkeeping so that the `= /p` of a Prefix route on the
    same path never displaces them; among equal locations the earlier route wins, as nginx
    would refuse the duplicate.
    """
    taken: dict[tuple[str, str], ComponentName] = {}
    explicit_exact = {(("exact", r.path)) for r in routes if r.path_type == "Exact"}
    for route in routes:
        if route.path_type == "Exact":
            taken.setdefault(("exact", route.path), route.component)
    out: list[tuple[str, ComponentName]] = []
    emitted: set[tuple[str, str]] = set()
    for route in routes:
        for kind, modifier, argument in _locations(route):
            key = (kind, argument)
            if key in emitted:
                continue
            if key in explicit_exact and route.path_type != "Exact":
                continue
            component = taken.setdefault(key, route.component)
            emitted.add(key)
            prefix = f"{modifier} " if modifier else ""
            out.append((f"location {prefix}{_quoted(argument)}", component))
    return out


def _variable(component: ComponentName) -> str:
    return f"$litectl_{component}"


def nginx_conf(
    routes: Sequence[Route],
    *,
    header: str,
    listen: str = str(LISTEN_PORT),
    resolver: str = DOCKER_DNS,
    upstreams: Mapping[ComponentName, str] | None = None,
) -> str:
    """The whole `nginx.conf` (main context included: it replaces the image's own file).

    `listen`, `resolver` and `upstreams` exist for the routing test, which runs the same
    configuration on loopback in front of stub servers; the stack uses the defaults.
    """
    targets = dict(default_upstreams())
    targets.update(upstreams or {})
    order: tuple[ComponentName, ...] = ("ui", "gateway", "backend")
    used = [c for c in order if any(r.component == c for r in routes)]
    lines = [f"# {line}".rstrip() for line in header.split("\n")]
    lines += [
        "#",
        "# The reverse proxy of the compose stack: the Ingress route table (ui paths, gateway",
        "# data-plane paths, extra paths, backend catch-all), matched the way the Ingress matches it.",
        "",
        "worker_processes auto;",
        "# Runtime files under /tmp: works as root and in unprivileged nginx images alike.",
        "pid /tmp/nginx.pid;",
        "error_log stderr warn;",
        "",
        "events {",
        "    worker_connections 4096;",
        "}",
        "",
        "http {",
        "    access_log /dev/stdout;",
        "    client_body_temp_path /tmp/nginx-client-body;",
        "    proxy_temp_path /tmp/nginx-proxy;",
        "    fastcgi_temp_path /tmp/nginx-fastcgi;",
        "    uwsgi_temp_path /tmp/nginx-uwsgi;",
        "    scgi_temp_path /tmp/nginx-scgi;",
        "",
        "    # Service names are resolved per request (the upstreams below are variables), so the",
        "    # proxy starts before the services exist and follows replicas and restarts.",
        f"    resolver {resolver} valid=10s ipv6=off;",
        "    resolver_timeout 5s;",
        "",
        "    # WebSockets (/v1/realtime): pass the upgrade handshake through.",
        "    map $http_upgrade $connection_upgrade {",
        "        default upgrade;",
        "        ''      close;",
        "    }",
        "",
        "    # Streaming responses (SSE) and large uploads pass straight through, unbuffered and",
        "    # unlimited in size; long generations and realtime sessions may stay open an hour.",
        "    client_max_body_size 0;",
        "    proxy_http_version 1.1;",
        "    proxy_buffering off;",
        "    proxy_request_buffering off;",
        "    proxy_read_timeout 3600s;",
        "    proxy_send_timeout 3600s;",
        "    proxy_redirect off;",
        "    # The client's Host (with its port) lets the UI and backend build their own URLs.",
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Real-IP $remote_addr;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    proxy_set_header X-Forwarded-Host $host;",
        "    proxy_set_header X-Forwarded-Port $server_port;",
        "    proxy_set_header Upgrade $http_upgrade;",
        "    proxy_set_header Connection $connection_upgrade;",
        "",
        "    server {",
        f"        listen {listen} default_server;",
    ]
    lines.append("        # Any host name: the Ingress's host rule has no meaning on a developer's machine.")
    lines.append("        server_name _;")
    lines.append("")
    for component in used:
        lines.append(f"        set {_variable(component)} {_quoted(targets[component])};")
    lines.append("")
    for location, component in location_blocks(routes):
        lines.append(f"        {location} {{ proxy_pass http://{_variable(component)}; }}")
    lines += ["    }", "}", ""]
    return "\n".join(lines)
