"""Kubernetes readiness probes as Compose healthchecks, with commands the images really have.

Compose has no HTTP or TCP probe of its own: a healthcheck runs a command inside the container.
Which commands exist depends on the image, so the choice is per component:

* gateway, backend (and the migrations image): LiteLLM's image is a Python image (the upstream
  chart's own `helm test` pod checks readiness with Python), and it has no guaranteed curl or
  wget, so the check is `python -c` with the standard library (urllib / socket), run without a
  shell (exec form: nothing to quote, nothing to interpolate).
* ui: nginx serves it. In the shared LiteLLM image (`ui` as first argument) Python is there; a
  dedicated UI image is built on an Alpine nginx image, which has BusyBox `wget` and `sh` but no
  Python. The check therefore runs through `sh`: `wget` first, then Python. A missing tool can
  only fail, so "either succeeds" is exactly "the endpoint answered".

Timing follows the probe: periodSeconds -> interval, timeoutSeconds -> timeout, failureThreshold
-> retries, initialDelaySeconds -> start_period (failures there do not count, as Kubernetes does
not probe before the delay). A startup probe, when given, widens start_period to the time it
allows (initialDelay + period x failureThreshold) and checks at its period meanwhile.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any, Literal

# Kubernetes' Probe defaults.
_PERIOD, _TIMEOUT, _FAILURES, _DELAY = 10, 1, 3, 0

Tools = Literal["python", "shell"]


class UnsupportedProbeError(ValueError):
    """A probe Compose cannot run (gRPC), reported as a feature gap by the caller."""


def escape(text: str) -> str:
    """A literal for a Compose file: `$` doubled so Compose does not interpolate it."""
    return text.replace("$", "$$")


def _seconds(value: int) -> str:
    return f"{value}s"


def _int(probe: Mapping[str, Any], key: str, default: int) -> int:
    value = probe.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _port(value: Any, named: Mapping[str, int]) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, str) and value in named:
        return named[value]
    raise UnsupportedProbeError(f"port {value!r} is not a container port of this component")


def _python_http(url: str, headers: Mapping[str, str], timeout: int, insecure: bool) -> str:
    """A Python one-liner that exits 0 on a 2xx/3xx answer, 1 otherwise (urllib raises)."""
    imports = "import ssl, urllib.request" if insecure else "import urllib.request"
    # JSON literals are Python literals too, and their double quotes nest inside sh's single quotes.
    target = json.dumps(url)
    request = f"urllib.request.Request({target}, headers={json.dumps(dict(headers))})" if headers else target
    context = ", context=ssl._create_unverified_context()" if insecure else ""
    return f"{imports}; urllib.request.urlopen({request}, timeout={timeout}{context})"


def _python_tcp(port: int, timeout: int) -> str:
    return f'import socket; socket.create_connection(("127.0.0.1", {port}), timeout={timeout}).close()'


def probe_test(probe: Mapping[str, Any], tools: Tools, named_ports: Mapping[str, int]) -> list[str]:
    """The healthcheck `test` for a Kubernetes probe, `$` already escaped for Compose."""
    timeout = _int(probe, "timeoutSeconds", _TIMEOUT)
    if "exec" in probe:
        command = [str(part) for part in (probe["exec"] or {}).get("command") or []]
        if not command:
            raise UnsupportedProbeError("exec probe without a command")
        return ["CMD", *(escape(part) for part in command)]
    if "httpGet" in probe:
        http = probe["httpGet"] or {}
        port = _port(http.get("port"), named_ports)
        scheme = str(http.get("scheme") or "HTTP").lower()
        host = str(http.get("host") or "127.0.0.1")
        path = str(http.get("path") or "/")
        if not path.startswith("/"):
            path = "/" + path
        url = f"{scheme}://{host}:{port}{path}"
        headers = {str(h["name"]): str(h.get("value", "")) for h in http.get("httpHeaders") or []}
        python = _python_http(url, headers, timeout, insecure=scheme == "https")
        if tools == "python":
            return ["CMD", "python", "-c", escape(python)]
        wget = ["wget", "-q", "-T", str(timeout), "-O", "/dev/null"]
        if scheme == "https":
            wget.append("--no-check-certificate")
        for name, value in headers.items():
            wget += ["--header", f"{name}: {value}"]
        wget.append(url)
        line = f"{shlex.join(wget)} || python -c {shlex.quote(python)}"
        return ["CMD-SHELL", escape(line)]
    if "tcpSocket" in probe:
        port = _port((probe["tcpSocket"] or {}).get("port"), named_ports)
        python = _python_tcp(port, timeout)
        if tools == "python":
            return ["CMD", "python", "-c", python]
        return ["CMD-SHELL", f"nc -z -w {timeout} 127.0.0.1 {port} || python -c {shlex.quote(python)}"]
    if "grpc" in probe:
        raise UnsupportedProbeError("gRPC probes need a grpc_health_probe binary the image does not ship")
    raise UnsupportedProbeError("the probe has no handler")


def healthcheck(readiness: Mapping[str, Any], startup: Mapping[str, Any] | None, tools: Tools,
                named_ports: Mapping[str, int]) -> dict[str, Any]:
    """A Compose `healthcheck` from a readiness probe (and the startup probe's grace, if any)."""
    check: dict[str, Any] = {
        "test": probe_test(readiness, tools, named_ports),
        "interval": _seconds(_int(readiness, "periodSeconds", _PERIOD)),
        "timeout": _seconds(_int(readiness, "timeoutSeconds", _TIMEOUT)),
        "retries": _int(readiness, "failureThreshold", _FAILURES),
    }
    start = _int(readiness, "initialDelaySeconds", _DELAY)
    if startup:
        period = _int(startup, "periodSeconds", _PERIOD)
        failures = _int(startup, "failureThreshold", _FAILURES)
        allowed = _int(startup, "initialDelaySeconds", _DELAY) + period * failures
        check["start_period"] = _seconds(max(start, allowed))
        check["start_interval"] = _seconds(period)
    else:
        check["start_period"] = _seconds(start)
    return check
