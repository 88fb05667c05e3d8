"""Emit phase: one deterministic YAML writer, in-memory bundles, and the directory writer.

Targets stay pure: they turn the IR into plain data, call :func:`dump_yaml` to get text, and
return a :class:`Bundle`. Only :func:`write_bundle` touches the disk, and it does so in a way
pre-commit, make and reviewers can live with: byte-identical output for the same input, files
whose bytes did not change are left alone (mtimes kept), files litectl generated earlier and no
longer generates are removed, files litectl never wrote are never touched, and nothing changes
at all when any check fails. :func:`check_bundle` answers the same question without writing.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import subprocess
import types
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any, Literal

import attrs
from litectl.compiler.diagnostics import Diagnostic, LitectlError, error

__all__ = [
    "MANIFEST_NAME",
    "Bundle",
    "Drift",
    "DriftKind",
    "WriteReport",
    "check_bundle",
    "dump_yaml",
    "dump_yaml_documents",
    "format_drift",
    "write_bundle",
]

# ---------------------------------------------------------------------------------------------
# YAML writer
#
# A small emitter of our own rather than ruamel's: the C emitter (libyaml) always writes
# sequences flush with their key (`key:\n- a`), and ruamel's pure-Python emitter, which can
# indent them, is far slower (measured on 1 MB: this 0.05 s, ruamel C-backed 0.8 s, ruamel
# indented round-trip 2.3 s). The input is plain data, so the whole job is block layout plus
# one careful decision per string: plain, quoted or literal block.
# Correctness of that decision is tested by reading the output back with YAML 1.2 and 1.1
# readers (and Helm's Go reader).
# ---------------------------------------------------------------------------------------------

# Characters no plain or single-quoted scalar may hold: non-printable ones, tab, the line
# breaks of either YAML version (1.1 also breaks lines at U+0085, U+2028 and U+2029) and BOM.
# (Negated small classes: they compile in a fraction of the time of the printable ranges.)
_UNSAFE_CHAR = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# The same for a literal block scalar, where tabs and line feeds are content.
_UNSAFE_LITERAL_CHAR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# A line of a literal block that ends in blanks: YAML keeps them, but editors and the
# pre-commit trailing-whitespace hook do not, so such strings are double-quoted instead.
_TRAILING_BLANK = re.compile(r"[ \t](?:\n|\Z)")

# Every plain string that some reader we care about resolves to something other than a
# string: YAML 1.2 core and JSON schemas, YAML 1.1 (PyYAML, LiteLLM) and go-yaml v2 (Helm,
# kubectl), whose number parsing goes through Go's strconv. Deliberately a superset: every
# digits-and-colons string is quoted, not only YAML 1.1's base 60 (`22:22`), as Compose's
# documentation asks for port mappings; versions and addresses with several dots are too.
# DIGITS: after a sign, underscores may come first (ruamel reads `-_1` as -1).
_DIGITS = r"(?: [-+]? [0-9][0-9_]* | [-+] [0-9_]+ )"
_NOT_A_STRING = re.compile(
    r"""
      ~ | null | Null | NULL
    | [yYnN] | yes | Yes | YES | no | No | NO
    | true | True | TRUE | false | False | FALSE
    | on | On | ON | off | Off | OFF
    | << | =
    | DIGITS
    | [-+]? (?: 0[bB][01_]+ | 0[oO][0-7_]+ | 0[xX][0-9a-fA-F_]+ )
    | DIGITS (?: :[0-9_]* )+ (?: \.[0-9_]* )?
    | [-+]? [0-9_]* \. [0-9_.]* (?: [eE][-+]?[0-9_]+ )?
    | DIGITS [eE] [-+]? [0-9_]+
    | [-+]? 0[xX] [0-9a-fA-F_.]* [pP] [-+]? [0-9_]+
    | [-+]? \. (?: inf | Inf | INF | nan | NaN | NAN )
    | [-+] (?i: inf | infinity | nan )
    | [0-9]{4} - [0-9]{1,2} - [0-9]{1,2} (?: [Tt\ \t] .* )?
    """.replace("DIGITS", _DIGITS),
    re.VERBOSE | re.DOTALL,
)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Double-quoted escapes: only what must be escaped; other non-ASCII text is written as-is.
_ESCAPED = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]')
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}
# Simple keys are limited to 1024 characters by YAML; longer ones use the `? key` form.
_MAX_SIMPLE_KEY = 1000


def _is_plain(text: str) -> bool:
    """True when `text` can be written unquoted and every reader reads it back as this string."""
    if not text or _NOT_A_STRING.fullmatch(text) or _UNSAFE_CHAR.search(text):
        return False
    first = text[0]
    if first == " " or text[-1] in " :":
        return False
    if first in _INDICATORS and (first not in "-?:" or len(text) == 1 or text[1] == " "):
        return False
    return not (": " in text or " #" in text or text.startswith(("---", "...")))


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        # Lone surrogates cannot be encoded as UTF-8, and libyaml rejects their escapes.
        raise ValueError(f"cannot write a lone surrogate (U+{code:04X}) as YAML: not valid Unicode text")
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _double_quoted(text: str) -> str:
    return '"' + _ESCAPED.sub(_escape, text) + '"'


def _inline_str(text: str) -> str:
    """A string on one line: plain if possible, else quoted.

    Double quotes are the Kubernetes/Helm/Compose habit (`"8080:80"`, `"true"`); single quotes
    only when they avoid escapes (JSON in an env value reads better as `'{"a":1}'`).
    """
    if _is_plain(text):
        return text
    if ('"' in text or "\\" in text) and not _UNSAFE_CHAR.search(text):
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


def _literal(text: str, indent: int) -> str | None:
    """`text` as a literal block scalar (`|`) indented by `indent`, or None if not representable."""
    if _UNSAFE_LITERAL_CHAR.search(text) or _TRAILING_BLANK.search(text):
        return None
    if text.endswith("\n\n"):
        chomp, body = "+", text[:-1]
    elif text.endswith("\n"):
        chomp, body = "", text[:-1]
    else:
        chomp, body = "-", text
    if not body.strip():
        return None
    # An explicit indentation indicator when the first line would mislead auto-detection.
    hint = "2" if text[0] in " \t\n" else ""
    pad = " " * indent
    lines = [pad + line if line else "" for line in body.split("\n")]
    return f" |{hint}{chomp}\n" + "\n".join(lines) + "\n"


def _float_text(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    # YAML 1.1 readers need a dot in the mantissa (`1e+16` would be read as a string).
    mantissa, sep, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + sep + exponent


def _scalar_text(value: Any) -> str | None:
    """Text of a non-string scalar, or None when `value` is not one."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float_text(value)
    return None


class _Emitter:
    """Writes one document into a list of text pieces, block style, sequences indented."""

    def __init__(self, cache: dict[str, str]) -> None:
        self.out: list[str] = []
        self.cache = cache  # string -> inline text; strings repeat a lot in configs
        self.keep_at = -1  # index in `out` of the last `|+` block, see `document`
        self.keep_text = ""

    def document(self, value: Any) -> str:
        if isinstance(value, Mapping) and value:
            self.mapping(value, 0, inline=False)
        elif isinstance(value, (list, tuple)) and value:
            self.sequence(value, 0, inline=False)
        else:
            self.out.append(self.inline(value) + "\n")
        if self.keep_at == len(self.out) - 1:
            # A `|+` block's trailing blank lines would end the file; quote that one instead.
            self.out[-1] = " " + _double_quoted(self.keep_text) + "\n"
        return "".join(self.out)

    def inline(self, value: Any) -> str:
        """A scalar or an empty collection on one line."""
        if type(value) is str:
            text = self.cache.get(value)
            if text is None:
                text = self.cache[value] = _inline_str(value)
            return text
        if isinstance(value, str):
            return self.inline(str.__str__(value))
        text = _scalar_text(value)
        if text is not None:
            return text
        if isinstance(value, Mapping) and not value:
            return "{}"
        if isinstance(value, (list, tuple)) and not value:
            return "[]"
        raise TypeError(f"cannot write a {type(value).__name__} as YAML; use plain data")

    def block_string(self, value: Any, indent: int) -> bool:
        """Write a multi-line string as a literal block if it can be one."""
        if not (isinstance(value, str) and "\n" in value):
            return False
        text = str.__str__(value)
        block = _literal(text, indent)
        if block is None:
            return False
        if block.startswith(" |2+") or block.startswith(" |+"):
            self.keep_at, self.keep_text = len(self.out), text
        self.out.append(block)
        return True

    def mapping(self, value: Mapping[Any, Any], indent: int, *, inline: bool) -> None:
        out = self.out
        pad = " " * indent
        for index, (key, item) in enumerate(value.items()):
            if index or not inline:
                out.append(pad)
            if not (key is None or isinstance(key, (str, int, float))):
                raise TypeError(f"cannot write a {type(key).__name__} mapping key as YAML")
            key_text = self.inline(key)
            if len(key_text) > _MAX_SIMPLE_KEY:
                out.append(f"? {key_text}\n{pad}:")
                self.compact(item, indent + 2)
                continue
            out.append(key_text + ":")
            kind = type(item)
            if kind in _ONE_LINE_SCALARS and (kind is not str or "\n" not in item):
                out.append(" " + self.inline(item) + "\n")  # most of a big config: no isinstance
            elif isinstance(item, Mapping) and item:
                out.append("\n")
                self.mapping(item, indent + 2, inline=False)
            elif isinstance(item, (list, tuple)) and item:
                out.append("\n")
                self.sequence(item, indent + 2, inline=False)
            elif not self.block_string(item, indent + 2):
                out.append(" " + self.inline(item) + "\n")

    def sequence(self, value: Sequence[Any], indent: int, *, inline: bool) -> None:
        out = self.out
        pad = " " * indent
        for index, item in enumerate(value):
            if index or not inline:
                out.append(pad)
            out.append("-")
            self.compact(item, indent + 2)

    def compact(self, item: Any, indent: int) -> None:
        """Write a node after `-` or an explicit key's `:`; collections start on the same line."""
        kind = type(item)
        if kind in _ONE_LINE_SCALARS and (kind is not str or "\n" not in item):
            self.out.append(" " + self.inline(item) + "\n")
        elif isinstance(item, Mapping) and item:
            self.out.append(" ")
            self.mapping(item, indent, inline=True)
        elif isinstance(item, (list, tuple)) and item:
            self.out.append(" ")
            self.sequence(item, indent, inline=True)
        elif not self.block_string(item, indent):
            self.out.append(" " + self.inline(item) + "\n")


#: Exact types `inline` writes on one line (a str only without line breaks).
_ONE_LINE_SCALARS = frozenset({str, int, float, bool, type(None)})


def _header_text(header: str | None) -> str:
    if header is None:
        return ""
    lines = header.removesuffix("\n").split("\n")
    for line in lines:
        if _UNSAFE_LITERAL_CHAR.search(line):
            raise ValueError(f"YAML header line {line!r} holds a character YAML cannot carry")
    return "".join(("# " + line).rstrip() + "\n" for line in lines)


def dump_yaml(data: Any, *, header: str | None = None) -> str:
    """Plain data as one YAML document, readable alike by YAML 1.1 and 1.2 readers.

    Key order is insertion order (targets choose it). Same input, same text, always; the text
    ends with exactly one newline. `header` becomes `# ` comment lines at the top.
    """
    return _header_text(header) + _Emitter({}).document(data)


def dump_yaml_documents(docs: Sequence[Any], *, header: str | None = None) -> str:
    """Several documents separated by `---` lines (Kubernetes multi-object files)."""
    cache: dict[str, str] = {}
    return _header_text(header) + "---\n".join(_Emitter(cache).document(doc) for doc in docs)


# ---------------------------------------------------------------------------------------------
# Bundles
# ---------------------------------------------------------------------------------------------

MANIFEST_NAME = ".litectl-manifest.json"
"""Lists what litectl wrote into an output directory, so it can later remove exactly that."""


def _path_problem(path: object) -> str | None:
    """Why `path` is not a clean relative POSIX path inside the output directory, if it is not."""
    if not isinstance(path, str) or not path:
        return "must be a non-empty string"
    if path.startswith("/"):
        return "must be relative"
    if "\\" in path:
        return "must use '/' as separator"
    if any(ord(char) < 0x20 or char == "\x7f" for char in path):
        return "must not contain control characters"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "must not contain empty, '.' or '..' components"
    return None


def _ancestors(path: str) -> list[str]:
    """`a/b/c` -> [`a`, `a/b`]."""
    parts = path.split("/")
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


def _frozen_files(files: Mapping[str, bytes]) -> Mapping[str, bytes]:
    checked: dict[str, bytes] = {}
    for path in sorted(files):
        problem = _path_problem(path)
        if problem is not None:
            raise ValueError(f"bundle path {path!r} {problem}")
        if path == MANIFEST_NAME:
            raise ValueError(f"bundle path {path!r} is reserved for litectl's manifest")
        content = files[path]
        if not isinstance(content, bytes):
            raise TypeError(f"bundle file {path!r} must be bytes, not {type(content).__name__}")
        checked[path] = content
    for path in checked:
        for ancestor in _ancestors(path):
            if ancestor in checked:
                raise ValueError(f"bundle path {path!r} needs {ancestor!r} as a directory, but it is a file")
    return types.MappingProxyType(checked)


def _diagnostics(items: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(items)


@attrs.frozen
class Bundle:
    """A target's output in memory: relative POSIX path -> file content (sorted by path).

    `warnings` carries what the target could not express (reported, not fatal).
    """

    files: Mapping[str, bytes] = attrs.field(converter=_frozen_files)
    warnings: tuple[Diagnostic, ...] = attrs.field(default=(), converter=_diagnostics)

    @classmethod
    def from_text(cls, files: Mapping[str, str], *, warnings: Iterable[Diagnostic] = ()) -> Bundle:
        """A bundle of UTF-8 text files."""
        return cls({path: text.encode("utf-8") for path, text in files.items()}, _diagnostics(warnings))


# ---------------------------------------------------------------------------------------------
# Looking at the output directory without following symlinks
# ---------------------------------------------------------------------------------------------

_Kind = Literal["absent", "file", "dir", "symlink", "other", "under-symlink", "under-file"]


@attrs.frozen
class _Probe:
    """What sits at a relative path; for the `under-*` kinds, `at` is the blocking ancestor."""

    kind: _Kind
    at: str


def _probe(root: Path, path: str) -> _Probe:
    for ancestor in _ancestors(path):
        try:
            mode = os.lstat(root / ancestor).st_mode
        except FileNotFoundError:
            return _Probe("absent", path)
        if stat.S_ISLNK(mode):
            return _Probe("under-symlink", ancestor)
        if not stat.S_ISDIR(mode):
            return _Probe("under-file", ancestor)
    try:
        mode = os.lstat(root / path).st_mode
    except FileNotFoundError:
        return _Probe("absent", path)
    if stat.S_ISREG(mode):
        return _Probe("file", path)
    if stat.S_ISDIR(mode):
        return _Probe("dir", path)
    if stat.S_ISLNK(mode):
        return _Probe("symlink", path)
    return _Probe("other", path)


def _locate(out_dir: Path) -> Path:
    """Absolute path of `out_dir` with symlinks resolved in its parents but not in itself."""
    if out_dir.name in ("", ".", ".."):
        return Path(os.path.realpath(out_dir))
    return Path(os.path.realpath(out_dir.parent)) / out_dir.name


def _root_exists(root: Path, shown: Path) -> bool:
    """Whether the output directory exists; refuses a symlink or a non-directory there."""
    try:
        mode = os.lstat(root).st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(mode):
        raise LitectlError(
            [error(f"{shown}: the output directory is a symlink; litectl does not write through symlinks")]
        )
    if not stat.S_ISDIR(mode):
        raise LitectlError([error(f"{shown}: the output path exists and is not a directory")])
    return True


def _read(root: Path, path: str, shown: Path) -> bytes:
    try:
        return (root / path).read_bytes()
    except OSError as exc:
        raise LitectlError([error(f"{shown / path}: cannot read: {exc.strerror or exc}")]) from exc


def _sha256(content: bytes) -> str:
    import hashlib  # only writing and checking need it; keep `import` of this module cheap

    return hashlib.sha256(content).hexdigest()


_SHA256_HEX = re.compile("[0-9a-f]{64}")


@attrs.frozen
class _Manifest:
    source: str | None
    files: Mapping[str, str]  # path -> sha256 hex
    raw: bytes | None  # the bytes on disk, None when there is no manifest yet


def _manifest_bytes(source: str | None, files: Mapping[str, str]) -> bytes:
    document = {
        "generator": "litectl",
        "about": "Files litectl generated here. It removes them once no longer generated "
        "and never touches other files. Do not edit.",
        "source": source,
        "files": [{"path": path, "sha256": files[path]} for path in sorted(files)],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _read_manifest(root: Path, shown: Path) -> _Manifest:
    where = shown / MANIFEST_NAME
    probe = _probe(root, MANIFEST_NAME)
    if probe.kind == "absent":
        return _Manifest(None, {}, None)
    if probe.kind != "file":
        raise LitectlError([error(f"{where}: litectl's manifest is not a regular file; remove it")])
    raw = _read(root, MANIFEST_NAME, shown)
    problem = "not a JSON object with 'generator': 'litectl' and a 'files' list"
    files: dict[str, str] = {}
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        document = None
    source = document.get("source") if isinstance(document, dict) else None
    entries = document.get("files") if isinstance(document, dict) else None
    if isinstance(document, dict) and document.get("generator") == "litectl" and isinstance(entries, list):
        problem = ""
        for entry in entries:
            path = entry.get("path") if isinstance(entry, dict) else None
            digest = entry.get("sha256") if isinstance(entry, dict) else None
            if not isinstance(path, str) or _path_problem(path) is not None or path == MANIFEST_NAME:
                problem = f"entry {path!r} is not a path litectl writes"
                break
            if path in files:
                problem = f"entry {path!r} is listed twice"
                break
            if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
                problem = f"entry {path!r} has no valid sha256"
                break
            files[path] = digest
    if problem:
        raise LitectlError(
            [
                error(
                    f"{where}: not a valid litectl manifest ({problem}); restore it from version control, "
                    "or delete it and remove the generated files by hand"
                )
            ]
        )
    return _Manifest(source if isinstance(source, str) else None, files, raw)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class WriteReport:
    """What `write_bundle` did, as sorted relative paths.

    `skipped`: paths litectl wrote before and no longer generates, left alone because they are no
    longer regular files it could own (replaced by a symlink or a directory, or behind a symlink).
    """

    out_dir: Path
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    skipped: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def _not_ours(where: Path, what: str = "a file") -> Diagnostic:
    return error(
        f"{where}: refusing to overwrite {what} litectl did not write; "
        "remove it or choose another output directory"
    )


def _through_symlink(where: Path) -> Diagnostic:
    return error(f"{where}: is a symlink; litectl does not write or delete through symlinks")


def _holds_only(root: Path, path: str, owned: set[str]) -> bool:
    """True if directory `path` holds files litectl may delete (at least one) and nothing else."""
    found = False
    for dirpath, dirnames, filenames in os.walk(root / path):
        base = Path(dirpath).relative_to(root).as_posix()
        for name in dirnames:
            if os.path.islink(os.path.join(dirpath, name)):
                return False
        for name in filenames:
            if f"{base}/{name}" not in owned:
                return False
            found = True
    return found


def _fsync_dir(path: Path) -> None:
    """Make renames in `path` durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _stage_file(path: Path, content: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _prune(root: Path, path: str) -> None:
    """Remove the directories above `path` that are now empty (never `root` itself)."""
    for ancestor in reversed(_ancestors(path)):
        try:
            os.rmdir(root / ancestor)
        except OSError:
            return


def write_bundle(bundle: Bundle, out_dir: Path, *, spec_label: str) -> WriteReport:
    """Make `out_dir` hold exactly `bundle`'s files, atomically and without touching others.

    Every check runs, and every new file is staged and synced next to `out_dir`, before the
    first change; a failure up to then leaves the directory exactly as it was. Files listed in
    the previous manifest and no longer generated are removed; a file litectl did not write is
    never overwritten, moved or deleted. The manifest is written last.
    """
    import shutil

    shown = Path(out_dir)
    root = _locate(shown)
    exists = _root_exists(root, shown)
    old = _read_manifest(root, shown) if exists else _Manifest(None, {}, None)

    stale = sorted(path for path in old.files if path not in bundle.files)
    deletable: set[str] = set()
    skipped: list[str] = []
    for path in stale:
        probe = _probe(root, path) if exists else _Probe("absent", path)
        if probe.kind == "file":
            deletable.add(path)
        elif probe.kind not in ("absent", "under-file"):
            skipped.append(path)  # a symlink, directory or device now: not ours to delete

    problems: list[Diagnostic] = []
    to_write: list[str] = []
    unchanged: list[str] = []
    for path, content in bundle.files.items():
        probe = _probe(root, path) if exists else _Probe("absent", path)
        if probe.kind == "absent":
            to_write.append(path)
        elif probe.kind == "file":
            if _read(root, path, shown) == content:
                unchanged.append(path)  # also adopts an identical file left by an interrupted run
            elif path in old.files:
                to_write.append(path)
            else:
                problems.append(_not_ours(shown / path))
        elif probe.kind == "under-file" and probe.at in deletable:
            to_write.append(path)  # a stale file is in the way of a new directory
        elif probe.kind == "dir" and _holds_only(root, path, deletable):
            to_write.append(path)  # a directory of stale files makes way for a new file
        elif probe.kind in ("under-symlink", "symlink"):
            problems.append(_through_symlink(shown / probe.at))
        elif probe.kind == "dir":
            problems.append(_not_ours(shown / probe.at, "a directory holding files"))
        else:
            problems.append(_not_ours(shown / probe.at))
    if problems:
        raise LitectlError(problems)

    hashes = {path: _sha256(content) for path, content in bundle.files.items()}
    manifest = _manifest_bytes(spec_label, hashes)
    report = WriteReport(shown, tuple(to_write), tuple(unchanged), tuple(sorted(deletable)), tuple(skipped))
    if not to_write and not deletable and manifest == old.raw:
        return report

    try:
        staging = _make_staging(root, exists)
    except OSError as exc:
        raise LitectlError([error(f"{shown}: cannot prepare the output: {exc}")]) from exc
    try:
        try:
            if not exists:
                tree = staging / "tree"
                for path in [*to_write, MANIFEST_NAME]:
                    target = tree / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _stage_file(target, manifest if path == MANIFEST_NAME else bundle.files[path])
                for directory, _, _ in os.walk(tree):
                    _fsync_dir(Path(directory))
            else:
                for index, path in enumerate(to_write):
                    _stage_file(staging / str(index), bundle.files[path])
                # Written first, the intent manifest also lists what is about to be deleted, so an
                # interrupted run still knows every file it may have left behind.
                intent = {**hashes, **{path: old.files[path] for path in deletable}}
                _stage_file(staging / "intent", _manifest_bytes(spec_label, intent))
                _stage_file(staging / "manifest", manifest)
        except OSError as exc:
            raise LitectlError(
                [error(f"{shown}: cannot write the output, nothing was changed: {exc}")]
            ) from exc

        # Commit: from here on, changes happen.
        try:
            if not exists:
                os.rename(staging / "tree", root)
                _fsync_dir(root.parent)
            else:
                _commit(root, staging, to_write, deletable)
        except OSError as exc:
            raise LitectlError(
                [error(f"{shown}: writing stopped part-way ({exc}); run litectl again to finish")]
            ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _make_staging(root: Path, exists: bool) -> Path:
    """A temporary directory on out_dir's filesystem, so that os.replace is a rename.

    Next to out_dir, so a failure leaves out_dir itself untouched; inside it only when out_dir
    is a mount point of its own or its parent is not writable.
    """
    import tempfile

    root.parent.mkdir(parents=True, exist_ok=True)
    places = [root.parent]
    if exists:
        own_mount = os.stat(root).st_dev != os.stat(root.parent).st_dev
        places = [root] if own_mount else [root.parent, root]
    for place in places[:-1]:
        try:
            return Path(tempfile.mkdtemp(prefix=f".{root.name}.litectl-", dir=place))
        except OSError:
            continue
    return Path(tempfile.mkdtemp(prefix=f".{root.name}.litectl-", dir=places[-1]))


def _commit(root: Path, staging: Path, to_write: list[str], deletable: set[str]) -> None:
    """Apply staged changes: intent manifest, blocking deletions, new files, stale files, manifest."""
    os.replace(staging / "intent", root / MANIFEST_NAME)
    wanted_dirs = {ancestor for path in to_write for ancestor in _ancestors(path)}
    new_files = set(to_write)
    in_the_way = sorted(
        path
        for path in deletable
        if path in wanted_dirs or any(ancestor in new_files for ancestor in _ancestors(path))
    )
    for path in in_the_way:
        os.unlink(root / path)
        _prune(root, path)
    touched = {root}
    for index, path in enumerate(to_write):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / str(index), target)
        touched.add(target.parent)
    for path in sorted(deletable.difference(in_the_way)):
        os.unlink(root / path)
        _prune(root, path)
    for directory in sorted(touched):
        _fsync_dir(directory)
    os.replace(staging / "manifest", root / MANIFEST_NAME)
    _fsync_dir(root)


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------

DriftKind = Literal["stale", "missing", "deleted", "extra", "modified"]

_DRIFT_MEANING: Mapping[str, str] = {
    "stale": "out of date: the spec changed since it was generated",
    "missing": "not generated yet",
    "deleted": "generated before and deleted since; regenerate it, or remove the target from the spec",
    "extra": "no longer generated; litectl would remove it",
    "modified": "differs from what litectl wrote there: edited by hand, or not litectl's file",
}


@attrs.frozen
class Drift:
    """One difference between an output directory and what litectl would write there.

    stale: generated by litectl, untouched since, but the spec now gives other content.
    modified: differs from what litectl wrote there (edited by hand, or not litectl's file).
    missing: would be created. extra: generated before, no longer, would be removed.
    `diff` is a unified diff from the file on disk to the expected content (stale, modified).
    """

    path: str
    kind: DriftKind
    diff: str = ""


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _unified_diff(path: str, current: bytes, expected: bytes) -> str:
    import difflib

    try:
        before, after = current.decode("utf-8"), expected.decode("utf-8")
    except UnicodeDecodeError:
        return f"Binary files a/{path} and b/{path} differ\n"
    diff = difflib.unified_diff(_lines(before), _lines(after), f"a/{path}", f"b/{path}")
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff
    )


def check_bundle(bundle: Bundle, out_dir: Path) -> list[Drift]:
    """What `write_bundle` would change in `out_dir`, without writing anything.

    Empty exactly when writing would change no file. The manifest itself is reported (as
    stale or missing) only when no file drifted, since any file drift also changes it.
    """
    shown = Path(out_dir)
    root = _locate(shown)
    exists = _root_exists(root, shown)
    old = _read_manifest(root, shown) if exists else _Manifest(None, {}, None)
    drifts: list[Drift] = []
    generated_before = frozenset(old.files) if old.raw is not None else _committed_manifest_files(shown)
    for path, expected in bundle.files.items():
        probe = _probe(root, path) if exists else _Probe("absent", path)
        if probe.kind in ("absent", "under-file"):
            drifts.append(Drift(path, "deleted" if path in generated_before else "missing"))
        elif probe.kind != "file":
            what = "a symlink" if "symlink" in probe.kind else "a directory or special file"
            drifts.append(Drift(path, "modified", f"{probe.at} is {what}, not a file litectl wrote\n"))
        else:
            current = _read(root, path, shown)
            if current != expected:
                untouched = old.files.get(path) == _sha256(current)
                kind: DriftKind = "stale" if untouched else "modified"
                drifts.append(Drift(path, kind, _unified_diff(path, current, expected)))
    for path in sorted(old.files):
        if path not in bundle.files and _probe(root, path).kind == "file":
            drifts.append(Drift(path, "extra"))
    if not drifts:
        hashes = {path: _sha256(content) for path, content in bundle.files.items()}
        if old.raw is None:
            drifts.append(Drift(MANIFEST_NAME, "missing"))
        elif old.files != hashes:
            expected_manifest = _manifest_bytes(old.source, hashes)
            drifts.append(
                Drift(MANIFEST_NAME, "stale", _unified_diff(MANIFEST_NAME, old.raw, expected_manifest))
            )
    drifts.sort(key=lambda drift: drift.path)
    return drifts


def _committed_manifest_files(out_dir: Path) -> frozenset[str]:
    """Files the manifest committed at git HEAD lists for `out_dir` (empty outside git).

    When the manifest went with the files (`git rm -r deploy`), only the commit still tells a
    deleted output from one that was never generated, and the two need different fixes.
    """
    target = Path(os.path.abspath(out_dir))
    anchor = target
    while not anchor.is_dir() and anchor != anchor.parent:
        anchor = anchor.parent
    relative = PurePath(os.path.relpath(target / MANIFEST_NAME, anchor)).as_posix()
    try:
        shown = subprocess.run(
            ["git", "show", f"HEAD:./{relative}"], cwd=anchor, capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if shown.returncode != 0:
        return frozenset()
    try:
        document = json.loads(shown.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return frozenset()
    entries = document.get("files") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return frozenset()
    return frozenset(e["path"] for e in entries if isinstance(e, dict) and isinstance(e.get("path"), str))


def format_drift(drifts: Iterable[Drift], *, label: str | None = None) -> str:
    """Drifts as text for a terminal or CI log: one `kind: path (meaning)` line, then its diff.

    `label` (usually the output directory) prefixes each path in the summary lines.
    """
    prefix = "" if label is None else label.rstrip("/") + "/"
    out: list[str] = []
    for drift in drifts:
        out.append(f"{drift.kind}: {prefix}{drift.path} ({_DRIFT_MEANING[drift.kind]})\n")
        out.append(drift.diff)
    return "".join(out)
