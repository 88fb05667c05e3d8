"""A Pod Security Standards checker for the tests (levels `baseline` and `restricted`).

Kubernetes enforces these levels with its Pod Security admission controller; nothing offline
packages it, so this module restates the documented policy ("Pod Security Standards", the
Kubernetes documentation's concept page) control by control, for the latest policy version.
Each control is a small function that reads a pod spec (and the pod's annotations) and returns
readable violations; `check_pod` runs the controls of a level, `check_objects` finds the pod
template of every workload kind litectl emits (Pod, Deployment, Job, and the other workload kinds
for completeness).

Policy as documented, per control (containers means containers, initContainers and
ephemeralContainers alike):

baseline
- HostProcess: `securityContext.windowsOptions.hostProcess` (pod, containers) unset or false.
- Host namespaces: `hostNetwork`, `hostPID`, `hostIPC` unset or false.
- Privileged containers: `securityContext.privileged` unset or false.
- Capabilities: `capabilities.add` only from the baseline list below.
- HostPath volumes: none.
- Host ports: `ports[*].hostPort` unset or 0.
- AppArmor: the `container.apparmor.security.beta.kubernetes.io/*` annotations and the
  `appArmorProfile.type` fields (pod, containers) are unset, `runtime/default` / `localhost/*`,
  `RuntimeDefault` / `Localhost` (never unconfined).
- SELinux: `seLinuxOptions.type` unset or one of the container types below; `user` and `role`
  unset (pod, containers).
- /proc mount type: `procMount` unset or `Default`.
- Seccomp: `seccompProfile.type` (pod, containers) never `Unconfined`.
- Sysctls: only the safe sysctls below.

restricted (everything in baseline, plus)
- Volume types: only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim,
  projected, secret.
- Privilege escalation: every container sets `allowPrivilegeEscalation: false`.
- Running as non-root: the pod sets `runAsNonRoot: true` and no container sets it false, or every
  container sets it true.
- Running as a non-root user: `runAsUser` (pod, containers) is never 0.
- Seccomp: the pod sets `RuntimeDefault` or `Localhost`, or every container does (and none sets
  anything else).
- Capabilities: every container drops `ALL` and adds nothing but `NET_BIND_SERVICE`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

Level = Literal["baseline", "restricted"]
LEVELS: tuple[Level, ...] = ("baseline", "restricted")

BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
        "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    }
)  # fmt: skip
RESTRICTED_ADDABLE_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)  # fmt: skip
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
RESTRICTED_VOLUME_TYPES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")

#: Kinds whose pod template sits at spec.template (Pod itself is the pod).
TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"})

Pod = Mapping[str, Any]  # {"metadata": ..., "spec": ...}
Control = Callable[[Pod], Iterator[str]]


# --- reading a pod ---------------------------------------------------------------------------


def _spec(pod: Pod) -> Mapping[str, Any]:
    return pod.get("spec") or {}


def _annotations(pod: Pod) -> Mapping[str, Any]:
    return (pod.get("metadata") or {}).get("annotations") or {}


def _pod_context(pod: Pod) -> Mapping[str, Any]:
    return _spec(pod).get("securityContext") or {}


def containers(pod: Pod) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(`<list>[<name>]`, container) for every container of every kind."""
    spec = _spec(pod)
    for field in CONTAINER_LISTS:
        for index, container in enumerate(spec.get(field) or []):
            yield f"{field}[{container.get('name', index)}]", container


def _context(container: Mapping[str, Any]) -> Mapping[str, Any]:
    return container.get("securityContext") or {}


def _contexts(pod: Pod) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The pod's securityContext, then every container's, with where each is."""
    yield "spec.securityContext", _pod_context(pod)
    for where, container in containers(pod):
        yield f"{where}.securityContext", _context(container)


# --- baseline controls -----------------------------------------------------------------------


def host_process(pod: Pod) -> Iterator[str]:
    for where, ctx in _contexts(pod):
        if (ctx.get("windowsOptions") or {}).get("hostProcess"):
            yield f"{where}.windowsOptions.hostProcess must be unset or false"


def host_namespaces(pod: Pod) -> Iterator[str]:
    spec = _spec(pod)
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            yield f"spec.{field} must be unset or false"


def privileged(pod: Pod) -> Iterator[str]:
    for where, container in containers(pod):
        if _context(container).get("privileged"):
            yield f"{where}.securityContext.privileged must be unset or false"


def baseline_capabilities(pod: Pod) -> Iterator[str]:
    for where, container in containers(pod):
        added = (_context(container).get("capabilities") or {}).get("add") or []
        for capability in added:
            if capability not in BASELINE_CAPABILITIES:
                yield f"{where}.securityContext.capabilities.add may not hold {capability}"


def host_path_volumes(pod: Pod) -> Iterator[str]:
    for volume in _spec(pod).get("volumes") or []:
        if "hostPath" in volume:
            yield f"volume {volume.get('name')} is a hostPath volume"


def host_ports(pod: Pod) -> Iterator[str]:
    for where, container in containers(pod):
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                yield f"{where}.ports: hostPort {port['hostPort']} must be unset or 0"


def _apparmor_type_ok(profile: Mapping[str, Any] | None) -> bool:
    return profile is None or profile.get("type") in ("RuntimeDefault", "Localhost")


def apparmor(pod: Pod) -> Iterator[str]:
    for key, value in _annotations(pod).items():
        if str(key).startswith(APPARMOR_ANNOTATION) and not (
            value == "runtime/default" or str(value).startswith("localhost/")
        ):
            yield f"annotation {key}: {value!r} is not runtime/default or localhost/*"
    for where, ctx in _contexts(pod):
        if not _apparmor_type_ok(ctx.get("appArmorProfile")):
            yield f"{where}.appArmorProfile.type must be RuntimeDefault or Localhost"


def selinux(pod: Pod) -> Iterator[str]:
    for where, ctx in _contexts(pod):
        options = ctx.get("seLinuxOptions") or {}
        if options.get("type", "") not in SELINUX_TYPES:
            yield f"{where}.seLinuxOptions.type {options['type']!r} is not an allowed container type"
        for field in ("user", "role"):
            if options.get(field):
                yield f"{where}.seLinuxOptions.{field} must be unset"


def proc_mount(pod: Pod) -> Iterator[str]:
    for where, container in containers(pod):
        mount = _context(container).get("procMount")
        if mount not in (None, "Default"):
            yield f"{where}.securityContext.procMount must be unset or Default, not {mount!r}"


def seccomp_not_unconfined(pod: Pod) -> Iterator[str]:
    for where, ctx in _contexts(pod):
        if (ctx.get("seccompProfile") or {}).get("type") == "Unconfined":
            yield f"{where}.seccompProfile.type must not be Unconfined"


def sysctls(pod: Pod) -> Iterator[str]:
    for sysctl in _pod_context(pod).get("sysctls") or []:
        if sysctl.get("name") not in SAFE_SYSCTLS:
            yield f"spec.securityContext.sysctls: {sysctl.get('name')} is not a safe sysctl"


# --- restricted controls ---------------------------------------------------------------------


def volume_types(pod: Pod) -> Iterator[str]:
    for volume in _spec(pod).get("volumes") or []:
        kinds = [key for key in volume if key != "name"]
        for kind in kinds:
            if kind not in RESTRICTED_VOLUME_TYPES:
                yield f"volume {volume.get('name')}: type {kind} is not allowed"


def privilege_escalation(pod: Pod) -> Iterator[str]:
    for where, container in containers(pod):
        if _context(container).get("allowPrivilegeEscalation") is not False:
            yield f"{where}.securityContext.allowPrivilegeEscalation must be false"


def run_as_non_root(pod: Pod) -> Iterator[str]:
    pod_level = _pod_context(pod).get("runAsNonRoot")
    if pod_level is False:
        yield "spec.securityContext.runAsNonRoot must not be false"
    for where, container in containers(pod):
        own = _context(container).get("runAsNonRoot")
        if own is False:
            yield f"{where}.securityContext.runAsNonRoot must not be false"
        elif own is None and pod_level is not True:
            yield f"{where}: runAsNonRoot must be true on the pod or the container"


def run_as_user(pod: Pod) -> Iterator[str]:
    for where, ctx in _contexts(pod):
        if ctx.get("runAsUser") == 0:
            yield f"{where}.runAsUser must not be 0"


def seccomp_restricted(pod: Pod) -> Iterator[str]:
    allowed = ("RuntimeDefault", "Localhost")
    pod_type = (_pod_context(pod).get("seccompProfile") or {}).get("type")
    if pod_type is not None and pod_type not in allowed:
        yield f"spec.securityContext.seccompProfile.type must be RuntimeDefault or Localhost, not {pod_type!r}"
    for where, container in containers(pod):
        own = (_context(container).get("seccompProfile") or {}).get("type")
        if own is not None and own not in allowed:
            yield f"{where}.securityContext.seccompProfile.type must be RuntimeDefault or Localhost"
        elif own is None and pod_type is None:
            yield f"{where}: seccompProfile must be set on the pod or the container"


def restricted_capabilities(pod: Pod) -> Iterator[str]:
    for where, container in containers(pod):
        capabilities = _context(container).get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            yield f"{where}.securityContext.capabilities.drop must include ALL"
        for capability in capabilities.get("add") or []:
            if capability not in RESTRICTED_ADDABLE_CAPABILITIES:
                yield f"{where}.securityContext.capabilities.add may only hold NET_BIND_SERVICE, not {capability}"


BASELINE: tuple[Control, ...] = (
    host_process, host_namespaces, privileged, baseline_capabilities, host_path_volumes, host_ports,
    apparmor, selinux, proc_mount, seccomp_not_unconfined, sysctls,
)  # fmt: skip
RESTRICTED: tuple[Control, ...] = (
    *BASELINE, volume_types, privilege_escalation, run_as_non_root, run_as_user, seccomp_restricted,
    restricted_capabilities,
)  # fmt: skip


def check_pod(pod: Pod, level: Level) -> list[str]:
    """Violations of `level` by one pod (`{"metadata": ..., "spec": ...}`); empty when it passes."""
    controls = RESTRICTED if level == "restricted" else BASELINE
    return [problem for control in controls for problem in control(pod)]


def pod_of(obj: Mapping[str, Any]) -> Pod | None:
    """The pod (template) an object runs, or None for objects that run no pods."""
    kind = obj.get("kind")
    if kind == "Pod":
        return obj
    if kind in TEMPLATE_KINDS:
        template: Pod = (obj.get("spec") or {}).get("template") or {}
        return template
    if kind == "CronJob":
        job_template = (obj.get("spec") or {}).get("jobTemplate") or {}
        cron_template: Pod = (job_template.get("spec") or {}).get("template") or {}
        return cron_template
    return None


def check_objects(objects: Iterable[Mapping[str, Any]], level: Level) -> list[str]:
    """Violations of every pod-running object, prefixed with `Kind/name`."""
    problems: list[str] = []
    for obj in objects:
        pod = pod_of(obj)
        if pod is None:
            continue
        label = f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
        problems += [f"{label}: {problem}" for problem in check_pod(pod, level)]
    return problems


def pods(objects: Sequence[Mapping[str, Any]]) -> list[Pod]:
    """Every pod template among `objects`."""
    return [pod for pod in map(pod_of, objects) if pod is not None]
