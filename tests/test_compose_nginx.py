"""The compose reverse proxy under real nginx.

Every generated nginx configuration passes `nginx -t`. Then the same configuration, pointed at
three stub HTTP servers on loopback (one per component, through the renderer's test hook), must
send every request where the Ingress would: each route of the route table with the paths around
its edges (`/v1/chat`, `/v1/chat/...`, but not `/v1/chatty`), Exact over Prefix, longest prefix
first, the `/*.txt` wildcard only where no real prefix matches, and the backend catch-all.
It also passes paths unchanged, keeps the client's Host, forwards WebSocket upgrades and streams
responses without buffering them.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import realtools
from litectl.compiler import ir
from litectl.compiler.validate import compile_file
from litectl.targets.compose.nginx import nginx_conf
from litectl.targets.compose.stack import proxy_enabled, proxy_routes
from litectl.targets.options import ComposeOptions
from test_compose import SPEC_IDS, SPECS, render, texts

REPO = Path(__file__).resolve().parents[1]
ROUTED_SPECS = ["examples/local.yaml", "examples/production.yaml", "tests/specs/compose-full.yaml",
                "tests/specs/compose-noingress.yaml"]
COMPONENTS: tuple[ir.ComponentName, ...] = ("gateway", "backend", "ui")


def _sandboxed(text: str, root: Path) -> str:
    """The generated configuration with its /tmp runtime files moved into the test's directory."""
    return text.replace("/tmp/", f"{root}/").replace("worker_processes auto;", "worker_processes 1;")


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_every_generated_nginx_conf_passes_nginx_t(spec: Path, tmp_path: Path) -> None:
    nginx = realtools.nginx_binary()
    confs = {p: t for p, t in texts(render(spec)).items() if p.startswith("nginx/")}
    compilation = compile_file(spec)
    wanted = any(proxy_enabled(t, _options(t)) for t in (compilation.base, *compilation.environments))
    assert bool(confs) == wanted
    for path, text in confs.items():
        conf = tmp_path / Path(path).name
        conf.write_text(_sandboxed(text, tmp_path))
        result = subprocess.run([nginx, "-t", "-q", "-e", "stderr", "-p", f"{tmp_path}/", "-c", str(conf)],
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, f"{path}: {result.stderr}"


def _options(topology: ir.Topology) -> ComposeOptions:
    own = topology.targets.get("compose")
    return own if isinstance(own, ComposeOptions) else ComposeOptions()


# --- the routing test ---------------------------------------------------------------------------


class _Stub(ThreadingHTTPServer):
    """One component: answers every request with its name and what it received."""

    daemon_threads = True

    def __init__(self, component: str) -> None:
        self.component = component
        self.release = threading.Event()  # lets a streaming response finish
        super().__init__(("127.0.0.1", 0), _StubHandler)


class _StubHandler(BaseHTTPRequestHandler):
    server: _Stub

    def _answer(self) -> None:
        stream = "stream=1" in self.path
        self.send_response(200)
        self.send_header("X-Component", self.server.component)
        self.send_header("X-Path", self.path)
        self.send_header("X-Seen-Host", self.headers.get("Host", ""))
        self.send_header("X-Seen-Upgrade", self.headers.get("Upgrade", ""))
        self.send_header("X-Seen-Connection", self.headers.get("Connection", ""))
        if stream:  # close-delimited body, written in two parts
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b"data: first\n\n")
            self.wfile.flush()
            self.server.release.wait(timeout=5)
            self.wfile.write(b"data: last\n\n")
            self.close_connection = True
            return
        body = self.server.component.encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _stubs() -> Iterator[dict[ir.ComponentName, _Stub]]:
    servers = {c: _Stub(c) for c in COMPONENTS}
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
               for s in servers.values()]
    for thread in threads:
        thread.start()
    try:
        yield servers
    finally:
        for server in servers.values():
            server.release.set()
            server.shutdown()
            server.server_close()


@contextlib.contextmanager
def _nginx(conf_text: str, root: Path, port: int) -> Iterator[None]:
    nginx = realtools.nginx_binary()
    conf = root / "nginx.conf"
    conf.write_text(_sandboxed(conf_text, root))
    log = (root / "nginx.log").open("w")
    process = subprocess.Popen(
        [nginx, "-e", "stderr", "-p", f"{root}/", "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"nginx did not start: {(root / 'nginx.log').read_text()}")
            time.sleep(0.02)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _wildcard(path: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(p) for p in path.split("*")) + "$")


def expected_component(routes: Sequence[ir.Route], path: str) -> str | None:
    """Where the Ingress sends `path`: Kubernetes' rules for Exact and Prefix (Exact first, then the
    longest path-element prefix), the controller's for ImplementationSpecific (ingress-nginx: a
    plain string prefix; the ALB wildcard `/*.txt`: only when nothing but the catch-all matched)."""
    for route in routes:
        if route.path_type == "Exact" and route.path == path:
            return route.component
    best: tuple[int, ir.Route] | None = None
    for route in routes:
        if route.path_type == "Prefix":
            prefix = route.path.rstrip("/") or "/"
            matched = prefix == "/" or path == prefix or path.startswith(prefix + "/")
        elif route.path_type == "ImplementationSpecific" and "*" not in route.path:
            prefix = route.path
            matched = path.startswith(prefix)
        else:
            continue
        if matched and (best is None or len(prefix) > best[0]):
            best = (len(prefix), route)
    if best is None or best[1].path == "/":
        for route in routes:
            if route.path_type == "ImplementationSpecific" and "*" in route.path and _wildcard(route.path).match(path):
                return route.component
    return best[1].component if best else None


def probe_paths(routes: Sequence[ir.Route]) -> list[str]:
    """Each route's path and its edges, plus the paths users hit most."""
    paths = ["/", "/ui/", "/ui/login", "/v1/chat/completions", "/chat/completions", "/key/generate",
             "/health/readiness", "/health", "/metrics", "/v1/chatty", "/robots.txt", "/_next/static/a.js",
             "/v1/files/notes.txt", "/test", "/test/x", "/mcp", "/v1", "/v2/other", "/favicon.ico",
             "/eu.assemblyai/v2/x", "/debug/memory/summary", "/litellm-asset-prefix/_next/x.css"]
    for route in routes:
        if "*" in route.path:
            continue
        base = route.path.rstrip("/")
        paths += [route.path, base + "/", base + "/deeper/x"] + ([base + "tty"] if base else [])
    return list(dict.fromkeys(paths))


def _get(connection: http.client.HTTPConnection, path: str, headers: Mapping[str, str] | None = None
         ) -> http.client.HTTPResponse:
    connection.request("GET", path, headers=dict(headers or {}))
    return connection.getresponse()


def _routed_topologies() -> list[tuple[str, ir.Topology]]:
    out = []
    for name in ROUTED_SPECS:
        compilation = compile_file(REPO / name)
        for topology in (compilation.base, *compilation.environments):
            if proxy_enabled(topology, _options(topology)):
                out.append((f"{name}:{topology.environment or 'base'}", topology))
    return out


ROUTED = _routed_topologies()


@pytest.mark.parametrize("topology", [t for _, t in ROUTED], ids=[i for i, _ in ROUTED])
def test_requests_reach_the_component_the_ingress_would(topology: ir.Topology, tmp_path: Path) -> None:
    realtools.nginx_binary()
    routes = proxy_routes(topology)
    port = _free_port()
    with _stubs() as stubs:
        upstreams = {c: f"127.0.0.1:{s.server_address[1]}" for c, s in stubs.items()}
        conf = nginx_conf(routes, header="routing test", listen=f"127.0.0.1:{port}",
                          resolver="127.0.0.1", upstreams=upstreams)
        with _nginx(conf, tmp_path, port):
            wrong = []
            checked = 0
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            with contextlib.closing(connection):
                for path in probe_paths(routes):
                    response = _get(connection, path)
                    response.read()
                    got = response.getheader("X-Component")
                    want = expected_component(routes, path)
                    checked += 1
                    if got != want:
                        wrong.append(f"{path}: nginx -> {got}, Ingress -> {want}")
                    elif got is not None and response.getheader("X-Path") != path:
                        wrong.append(f"{path}: passed on as {response.getheader('X-Path')}")
    assert not wrong, "\n".join(wrong)
    assert checked >= 4 * len([r for r in routes if "*" not in r.path])


def test_builtin_routes_reach_their_components(tmp_path: Path) -> None:
    """The paths named in the contract, against the local example's table, spelled out."""
    routes = proxy_routes(compile_file(REPO / "examples/local.yaml").base)
    cases = {"/": "ui", "/ui/": "ui", "/ui/login/index.html": "ui", "/_next/static/chunk.js": "ui",
             "/robots.txt": "ui", "/v1/chat/completions": "gateway", "/v1/chatty": "backend",
             "/key/generate": "backend", "/health/readiness": "gateway", "/test": "gateway",
             "/test/keys": "backend", "/v1/files/notes.txt": "gateway", "/user/info": "backend"}
    extra = compile_file(REPO / "examples/production.yaml").base
    assert all(expected_component(routes, p) == c for p, c in cases.items())
    port = _free_port()
    with _stubs() as stubs:
        upstreams = {c: f"127.0.0.1:{s.server_address[1]}" for c, s in stubs.items()}
        for name, table, checks in (("local", routes, cases),
                                    ("production", proxy_routes(extra), {"/custom/callbacks/x": "gateway",
                                                                         "/custom/callbacksx": "backend",
                                                                         "/favicon.ico": "ui"})):
            root = tmp_path / name
            root.mkdir()
            conf = nginx_conf(table, header="t", listen=f"127.0.0.1:{port}", resolver="127.0.0.1",
                              upstreams=upstreams)
            with _nginx(conf, root, port), \
                    contextlib.closing(http.client.HTTPConnection("127.0.0.1", port, timeout=10)) as connection:
                for path, component in checks.items():
                    response = _get(connection, path)
                    response.read()
                    assert response.getheader("X-Component") == component, path


def test_host_websocket_upgrade_and_streaming_pass_through(tmp_path: Path) -> None:
    routes = proxy_routes(compile_file(REPO / "examples/local.yaml").base)
    port = _free_port()
    with _stubs() as stubs:
        upstreams = {c: f"127.0.0.1:{s.server_address[1]}" for c, s in stubs.items()}
        conf = nginx_conf(routes, header="t", listen=f"127.0.0.1:{port}", resolver="127.0.0.1",
                          upstreams=upstreams)
        with _nginx(conf, tmp_path, port):
            with contextlib.closing(http.client.HTTPConnection("127.0.0.1", port, timeout=10)) as connection:
                response = _get(connection, "/v1/realtime?model=x", {
                    "Host": "llm.test:8080", "Upgrade": "websocket", "Connection": "Upgrade"})
                response.read()
            assert response.getheader("X-Component") == "gateway"
            assert response.getheader("X-Seen-Host") == "llm.test:8080"
            assert response.getheader("X-Seen-Upgrade") == "websocket"
            assert response.getheader("X-Seen-Connection", "").lower() == "upgrade"

            # The first event must arrive while the stub still holds the response open.
            gateway = stubs["gateway"]
            gateway.release.clear()
            with contextlib.closing(http.client.HTTPConnection("127.0.0.1", port, timeout=3)) as stream:
                started = time.monotonic()
                response = _get(stream, "/v1/chat/completions?stream=1")
                first = response.readline()
                waited = time.monotonic() - started
                gateway.release.set()
                rest = response.read()
            assert first == b"data: first\n" and waited < 2.5
            assert rest.strip().endswith(b"data: last")
