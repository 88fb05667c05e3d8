"""Load one YAML spec into plain JSON-like data, with positions computed only on demand.

The data path pulls events from libyaml (ruamel.yaml.clib's ``CParser``, the parser behind
``YAML(typ="safe")``) and builds dicts and lists itself. Owning that step is what lets the loader
reject duplicate and non-string keys, keep timestamps as the strings the user wrote, cap alias
expansion and report every such problem with its position, without a round-trip loader.

Positions are needed only when something is wrong, so :class:`SourceMap` keeps the text and
composes it into libyaml nodes (each carrying its marks) the first time a span is asked for.

ruamel is imported inside the functions: importing this module stays cheap for commands that never
read YAML. Resolution follows YAML 1.2 as ruamel applies it (``yes``/``on`` are strings, ``0o17``
is octal, ``1_000`` is an int); a ``%YAML 1.1`` directive does not change that.
"""

from __future__ import annotations

import gc
import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import attrs
from litectl.compiler import yaml11
from litectl.compiler.diagnostics import Diagnostic, JsonPath, LitectlError, PathPart, Span, error

__all__ = ["MAX_ALIAS_EXPANSION", "MAX_DEPTH", "Loaded", "SourceMap", "load_file", "load_text"]

MAX_ALIAS_EXPANSION: Final = 1_000_000
"""Nodes that aliases may add in total: far above any real spec, far below a "billion laughs"."""

MAX_DEPTH: Final = 128
"""Deepest nesting accepted, so later recursive phases can never hit Python's recursion limit."""

_YAML_TAG: Final = "tag:yaml.org,2002:"
_STR: Final = _YAML_TAG + "str"
_MERGE: Final = _YAML_TAG + "merge"

# YAML 1.2 core schema as ruamel resolves it (underscores and 0b allowed, like ruamel).
_INT_RE: Final = re.compile(r"[-+]?(?:0b[0-1_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)")
_FLOAT_RE: Final = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN)"
)
_NUMBER_START: Final = frozenset("-+.0123456789")
_MISSING: Final = object()
_WORDS: Final[dict[str, Any]] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
}  # fmt: skip


@attrs.frozen
class Yaml11Reading:
    """A plain scalar that YAML 1.1 reads as ``read`` where litectl (YAML 1.2) read ``value``."""

    path: JsonPath  # of the value (for a mapping key: of its mapping)
    span: Span
    text: str
    read: Any
    value: Any


@attrs.frozen
class Loaded:
    """One loaded spec: its file name, its plain data and where each value came from."""

    file: str
    data: Any
    source: SourceMap = attrs.field(eq=False, repr=False)
    #: plain scalars YAML 1.1 reads differently, in file order (validation warns inside proxy_config)
    yaml11: tuple[Yaml11Reading, ...] = attrs.field(default=(), eq=False, repr=False)


#: Where a node is, as the loader recorded it: (its key's mark or None, its own mark, children),
#: children being a dict (mapping) or list (sequence) of such entries, LEAF for a scalar, or None
#: where nothing was recorded (inside a proxy config).
_Position = tuple[Any, Any, Any]
LEAF: Final = ()


class SourceMap:
    """JSON path -> position in the file.

    The loader records where each node of the spec's own structure is while it reads the file
    (a few marks per object); a proxy config (thousands of models, LiteLLM's own data, seldom
    the place of a problem) is not recorded, and neither is a file that uses anchors or merge
    keys. Paths there are answered from a node tree, built on the first such question only.
    """

    __slots__ = ("_index", "_recorded", "_root", "_text", "file")

    def __init__(self, file: str, text: str, recorded: _Position | None = None) -> None:
        self.file = file
        self._text = text
        self._recorded = recorded
        self._root: Any = _MISSING
        self._index: dict[int, dict[str, tuple[Any, Any]]] = {}

    def span(self, path: JsonPath, *, key: bool = False) -> Span:
        """Where the value at ``path`` starts (its key with ``key=True``).

        A path that does not exist fully gives the position of its deepest existing ancestor.
        """
        if self._recorded is not None:
            span = self._recorded_span(self._recorded, path, key)
            if span is not None:
                return span
        node = self._compose()
        if node is None:
            return Span(self.file, 1, 1)
        mark = node.start_mark
        for position, part in enumerate(path):
            found = self._child(node, part)
            if found is None:
                break
            key_node, node = found
            last = position == len(path) - 1
            mark = key_node.start_mark if (key and last and key_node is not None) else node.start_mark
        return Span(self.file, mark.line + 1, mark.column + 1)

    def _recorded_span(self, entry: _Position, path: JsonPath, key: bool) -> Span | None:
        """The span from the loader's record, or None where it recorded nothing."""
        mark = entry[1]
        for position, part in enumerate(path):
            children = entry[2]
            if children is None:
                return None
            there = (isinstance(part, int) and isinstance(children, list) and 0 <= part < len(children)) or (
                isinstance(part, str) and isinstance(children, dict) and part in children)
            if not there:
                break  # its deepest existing ancestor
            entry = children[part]
            last = position == len(path) - 1
            mark = entry[0] if (key and last and entry[0] is not None) else entry[1]
        return Span(self.file, mark.line + 1, mark.column + 1)

    def _compose(self) -> Any:
        if self._root is _MISSING:
            with _gc_paused():
                parser = _position_parser_class()(self._text)
                try:
                    self._root = parser.get_single_node()
                except Exception:  # libyaml refused text the pure parser loaded (see load_text)
                    self._root = _pure_compose(self._text)
                finally:
                    parser.dispose()
        return self._root

    def _child(self, node: Any, part: PathPart) -> tuple[Any, Any] | None:
        """(key node or None, value node) of ``part`` inside ``node``, if it is there."""
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        if isinstance(part, int):
            if isinstance(node, SequenceNode) and 0 <= part < len(node.value):
                return None, node.value[part]
            return None
        if isinstance(node, MappingNode):
            return self._mapping_index(node).get(part)
        return None

    def _mapping_index(self, node: Any) -> dict[str, tuple[Any, Any]]:
        """Key -> (key node, value node), merge keys (``<<``) folded in the way the loader does."""
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        index = self._index.get(id(node))
        if index is not None:
            return index
        own: dict[str, tuple[Any, Any]] = {}
        merged: dict[str, tuple[Any, Any]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if isinstance(source, MappingNode):
                        for name, pair in self._mapping_index(source).items():
                            merged.setdefault(name, pair)
            elif isinstance(key_node.value, str):
                own.setdefault(key_node.value, (key_node, value_node))
        index = {**merged, **own}
        self._index[id(node)] = index
        return index


def load_file(path: str | os.PathLike[str]) -> Loaded:
    """Read and load one spec file; every problem becomes a positioned :class:`LitectlError`."""
    file = os.fspath(path)
    try:
        with open(file, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise LitectlError([error(f"cannot read file: {reason}", (), Span(file, 1, 1))]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw[: exc.start].decode("utf-8", "replace"))
        bad = raw[exc.start]
        message = f"cannot read file: not valid UTF-8 (byte 0x{bad:02x} at line {line}, column {col})"
        raise LitectlError([error(message, (), Span(file, 1, 1))]) from None
    return load_text(text, file)


def load_text(text: str, file: str) -> Loaded:
    """Load spec text; ``file`` is only used to name positions in diagnostics."""
    import _ruamel_yaml  # type: ignore[import-not-found]  # ruamel.yaml.clib's C module, untyped

    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        parser = _ruamel_yaml.CParser(text)
    except UnicodeEncodeError as exc:
        line, col = _line_col(text[: exc.start])
        message = f"cannot read file: character U+{ord(text[exc.start]):04X} cannot be encoded"
        raise LitectlError([error(message, (), Span(file, line, col))]) from None
    try:
        builder = _build(file, text, parser)
    except _YamlSyntaxError as refused:
        # libyaml in ruamel.yaml.clib is old and refuses some valid YAML (a ':' inside a flow
        # sequence, as in `- a:1b: [c:7b]`) that PyYAML, LiteLLM's reader, accepts. Its
        # verdict counts only when ruamel's pure parser, the reference, refuses the text too.
        from ruamel.yaml.error import YAMLError

        try:
            builder = _build(file, text, _pure_parser(text))
        except (_YamlSyntaxError, YAMLError):  # its reader checks the text as the parser is made
            raise LitectlError(refused.diagnostics) from None
    return Loaded(file, builder.root, SourceMap(file, text, builder.recorded()), tuple(builder.yaml11))


class _YamlSyntaxError(LitectlError):
    """The parser refused the text as YAML (not a problem the builder found in valid YAML)."""


def _build(file: str, text: str, parser: Any) -> _Builder:
    """Run the builder over one parser's events; the parser is disposed of either way."""
    try:
        with _gc_paused():
            builder = _Builder(file, text, parser)
            builder.build()
    finally:
        parser.dispose()
    return builder


def _pure_parser(text: str) -> Any:
    """ruamel.yaml's pure-Python parser over ``text``: the same events and marks as ``CParser``."""
    from ruamel.yaml import YAML

    _constructor, parser = YAML(typ="safe", pure=True).get_constructor_parser(text)
    return parser


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC: building ~10^5 acyclic objects otherwise triggers it again and again.

    Measured on a 1 MB spec: composing takes 0.47 s with the collector running, 0.15 s without.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _line_col(before: str) -> tuple[int, int]:
    """1-based line and column of the character that follows ``before``."""
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


_position_parser: Any = None


def _position_parser_class() -> Any:
    """A ``CParser`` that composes nodes and only tells merge keys apart from other scalars.

    Tags do not matter for positions, so this skips ruamel's resolver (most of compose time).
    """
    global _position_parser
    if _position_parser is None:
        import _ruamel_yaml
        from ruamel.yaml.nodes import ScalarNode

        class PositionParser(_ruamel_yaml.CParser):  # type: ignore[misc]  # untyped C base
            def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
                if kind is ScalarNode and implicit[0] and value == "<<":
                    return _MERGE
                return _STR

            def descend_resolver(self, current_node: Any, current_index: Any) -> None:
                return None

            def ascend_resolver(self) -> None:
                return None

        _position_parser = PositionParser
    return _position_parser


def _pure_compose(text: str) -> Any:
    """The node tree from ruamel's pure parser, or None (then positions fall back to 1:1)."""
    from ruamel.yaml import YAML

    try:
        return YAML(typ="safe", pure=True).compose(text)
    except Exception:  # the text loaded once; if it no longer composes, give 1:1
        return None


def _span(file: str, mark: Any) -> Span:
    return Span(file, mark.line + 1, mark.column + 1)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag


def _resolve_plain(value: str) -> Any:
    """The YAML 1.2 value of a plain (unquoted, untagged) scalar; timestamps stay strings."""
    if value and value[0] in _NUMBER_START:
        if _INT_RE.fullmatch(value):
            number = _to_int(value)
            if number is not None:
                return number
        if _FLOAT_RE.fullmatch(value):
            real = _to_float(value)
            if real is not None:
                return real
        return value
    word = _WORDS.get(value, _MISSING)
    return value if word is _MISSING else word


def _to_int(value: str) -> int | None:
    digits = value.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2], 10)
    if base != 10:
        digits = digits[2:]
    try:
        return sign * int(digits, base)
    except ValueError:
        return None


def _to_float(value: str) -> float | None:
    digits = value.replace("_", "").lower()
    sign = -1.0 if digits.startswith("-") else 1.0
    digits = digits.lstrip("+-")
    if digits == ".inf":
        return sign * math.inf
    if digits == ".nan":
        return math.nan
    try:
        return sign * float(digits)
    except ValueError:
        return None


class _FatalError(Exception):
    """Stop building: the problem makes the rest of the document meaningless or dangerous."""


class _Frame:
    """One open mapping or sequence while events stream in."""

    __slots__ = ("anchor", "container", "count_at_start", "is_map", "key", "key_mark", "mark", "merges",
                 "positions")

    def __init__(self, container: Any, is_map: bool, anchor: str | None, count: int, mark: Any,
                 record: bool) -> None:
        self.container = container
        self.is_map = is_map
        self.anchor = anchor
        self.count_at_start = count
        self.mark = mark
        self.key: Any = _AWAIT_KEY
        self.key_mark: Any = None
        self.merges: list[dict[str, Any]] | None = None
        # where the children are (see SourceMap), or None when not recorded
        self.positions: dict[str, _Position] | list[_Position] | None = (
            ({} if is_map else []) if record else None)


_AWAIT_KEY: Final = object()
_SKIP: Final = object()  # a key that was reported: drop its value
_MERGE_KEY: Final = object()
_IN_PROGRESS: Final = object()


class _Builder:
    """Turns parser events into plain data, collecting every problem on the way."""

    def __init__(self, file: str, text: str, parser: Any) -> None:
        self.file = file
        self.text = text
        self.parser = parser
        self.problems: list[Diagnostic] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, Any] = {}
        self.count = 0
        self.expanded = 0
        self.root: Any = _MISSING
        self.root_mark: Any = None
        self.root_positions: Any = None
        self.merged = False
        self.yaml11: list[Yaml11Reading] = []

    def build(self) -> Any:
        from ruamel.yaml.error import YAMLError

        try:
            self._run()
        except _FatalError:
            pass
        except YAMLError as exc:  # the reader's, scanner's and parser's errors
            self.problems.append(self._syntax_problem(exc))
            raise _YamlSyntaxError(self.problems) from None
        if self.problems:
            raise LitectlError(self.problems)
        if self.root is _MISSING:
            message = "the document is empty (the spec must be a mapping)"
            raise LitectlError([error(message, (), Span(self.file, 1, 1))])
        if not isinstance(self.root, dict):
            where = _span(self.file, self.root_mark)
            raise LitectlError([error("the spec must be a mapping at the top level", (), where)])
        return self.root

    def _run(self) -> None:
        from ruamel.yaml.events import (
            AliasEvent,
            DocumentStartEvent,
            MappingEndEvent,
            MappingStartEvent,
            ScalarEvent,
            SequenceEndEvent,
            SequenceStartEvent,
        )

        get_event = self.parser.get_event
        check_event = self.parser.check_event
        stack = self.stack
        anchors = self.anchors
        documents = 0
        while check_event():
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                self.count += 1
                value = self._scalar(event)
                text = event.value
                if event.implicit[0] and (text[:1] in yaml11.NUMBER_START or text in yaml11.WORDS):
                    self._compare_yaml11(text, value, event.start_mark)
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
                if stack:
                    self._add(value, event.start_mark, event)
                elif value is not None or event.value or event.ctag is not None or event.style:
                    self.root, self.root_mark = value, event.start_mark
                # else: a document with no content at all (only "---"), so root stays missing
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                is_map = kind is MappingStartEvent
                self._check_collection_tag(event, is_map)
                if len(stack) >= MAX_DEPTH:
                    self._fatal(f"the document is nested more than {MAX_DEPTH} levels deep", event.start_mark)
                self.count += 1
                if event.anchor is not None:
                    anchors[event.anchor] = _IN_PROGRESS
                stack.append(_Frame({} if is_map else [], is_map, event.anchor, self.count, event.start_mark,
                                    self._record_child()))
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                value = frame.container
                if frame.merges is not None:
                    value = _apply_merges(frame.merges, value)
                if frame.anchor is not None:
                    anchors[frame.anchor] = (value, self.count - frame.count_at_start + 1)
                if stack:
                    self._add(value, frame.mark, None, frame.positions)
                else:
                    self.root, self.root_mark, self.root_positions = value, frame.mark, frame.positions
            elif kind is AliasEvent:
                value = self._alias(event)
                if stack:
                    self._add(value, event.start_mark, None)
                else:
                    self.root, self.root_mark = value, event.start_mark
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    message = "the spec must be a single YAML document (found a second one)"
                    self._fatal(message, event.start_mark, ())

    def _compare_yaml11(self, text: str, value: Any, mark: Any) -> None:
        """Note a plain scalar YAML 1.1 (LiteLLM's reader) would read differently from litectl."""
        read = yaml11.misread(text, value)
        if read is not yaml11.misread:
            self.yaml11.append(Yaml11Reading(self._path(), _span(self.file, mark), text, read, value))

    def _fatal(self, message: str, mark: Any, path: JsonPath | None = None) -> None:
        self._report(message, mark, self._path() if path is None else path)
        raise _FatalError

    def _report(self, message: str, mark: Any, path: JsonPath) -> None:
        self.problems.append(error(message, path, _span(self.file, mark)))

    def _path(self) -> JsonPath:
        """The JSON path of the node being read now (for diagnostics only)."""
        parts: list[PathPart] = []
        for frame in self.stack:
            if frame.is_map:
                if not isinstance(frame.key, str):
                    break
                parts.append(frame.key)
            else:
                parts.append(len(frame.container))
        return tuple(parts)

    def _syntax_problem(self, exc: Any) -> Diagnostic:
        mark = getattr(exc, "problem_mark", None)
        if mark is None:  # a ReaderError: its position is a byte offset into the UTF-8 text
            before = self.text.encode("utf-8", "surrogatepass")[: getattr(exc, "position", 0) or 0]
            line, col = _line_col(before.decode("utf-8", "replace"))
            char = getattr(exc, "character", None)
            what = f" U+{char:04X}" if isinstance(char, int) else ""
            reason = _clean(str(getattr(exc, "reason", None) or "unacceptable character"))
            message = f"invalid YAML: character{what} is not allowed ({reason})"
            return error(message, (), Span(self.file, line, col))
        problem = _clean(str(exc.problem or exc.context or "syntax error"))
        if problem == "found character that cannot start any token" and self._char_at(mark) == "\t":
            problem = "tab characters cannot indent YAML (use spaces)"
        message = f"invalid YAML: {problem}"
        context, started = exc.context, exc.context_mark
        if context and started is not None and (started.line, started.column) < (mark.line, mark.column):
            message += f" ({_clean(context)} started at line {started.line + 1}, column {started.column + 1})"
        return error(message, (), _span(self.file, mark))

    def _char_at(self, mark: Any) -> str:
        lines = self.text.split("\n")
        if mark.line < len(lines) and mark.column < len(lines[mark.line]):
            return str(lines[mark.line][mark.column])
        return ""

    def _scalar(self, event: Any) -> Any:
        value: str = event.value
        tag = event.ctag
        if tag is None:
            return _resolve_plain(value) if event.implicit[0] else value
        tag = str(tag)
        if tag in ("!", _STR, _MERGE, _YAML_TAG + "timestamp"):
            return value
        converted: Any = _MISSING
        if tag == _YAML_TAG + "int":
            converted = _to_int(value) if _INT_RE.fullmatch(value) else None
        elif tag == _YAML_TAG + "float":
            converted = _to_float(value) if _FLOAT_RE.fullmatch(value) or _INT_RE.fullmatch(value) else None
        elif tag == _YAML_TAG + "bool":
            converted = _WORDS.get(value) if value.lower() in ("true", "false") else None
        elif tag == _YAML_TAG + "null":
            if value in _WORDS and _WORDS[value] is None:
                return None
            converted = None
        if converted is _MISSING:
            self._report(f"unsupported YAML tag {_short_tag(tag)}", event.start_mark, self._path())
            return None
        if converted is None:
            self._report(f'"{value}" is not a valid {_short_tag(tag)}', event.start_mark, self._path())
        return converted

    def _check_collection_tag(self, event: Any, is_map: bool) -> None:
        tag = None if event.ctag is None else str(event.ctag)
        if tag is None or tag == "!" or tag == _YAML_TAG + ("map" if is_map else "seq"):
            return
        message = f"YAML tag {_short_tag(tag)} is not supported on a {'mapping' if is_map else 'sequence'}"
        self._report(message, event.start_mark, self._path())

    def _alias(self, event: Any) -> Any:
        name = event.anchor
        found = self.anchors.get(name)
        if found is None:
            self._report(f'undefined alias "*{name}"', event.start_mark, self._path())
            return None
        if found is _IN_PROGRESS:
            self._report(f'alias "*{name}" refers to a node that contains it', event.start_mark, self._path())
            return None
        value, size = found
        self.count += size
        self.expanded += size
        if self.expanded > MAX_ALIAS_EXPANSION:
            message = f"aliases expand to more than {MAX_ALIAS_EXPANSION} nodes (an alias bomb?)"
            self._fatal(message, event.start_mark)
        return _copy(value)

    def _add(self, value: Any, mark: Any, scalar: Any, children: Any = LEAF) -> None:
        """Attach a finished node to the open collection (``scalar``: its event, if a scalar;
        ``children``: where a collection's children are, see SourceMap)."""
        frame = self.stack[-1]
        positions = frame.positions
        if not frame.is_map:
            frame.container.append(value)
            if positions is not None:
                positions.append((None, mark, children))  # type: ignore[union-attr]
            return
        key = frame.key
        if key is _AWAIT_KEY:
            frame.key = self._key(value, mark, scalar, frame)
            frame.key_mark = mark
            return
        frame.key = _AWAIT_KEY
        if key is _SKIP:
            return
        if key is _MERGE_KEY:
            self._merge_source(value, mark, frame)
            return
        frame.container[key] = value
        if positions is not None:
            positions[key] = (frame.key_mark, mark, children)

    def _record_child(self) -> bool:
        """Whether to record where the children of a collection starting now are: not inside a
        proxy config (`...gateway.config.proxy_config`, in the base or an environment)."""
        stack = self.stack
        if not stack:
            return True
        if stack[-1].positions is None:
            return False
        return not (len(stack) >= 3 and stack[-1].key == "proxy_config" and stack[-2].key == "config"
                    and stack[-3].key == "gateway")

    def recorded(self) -> _Position | None:
        """Where the document's nodes are (see SourceMap); None when the file uses anchors or merge
        keys, whose positions only the node tree tells apart."""
        if self.anchors or self.merged:
            return None
        return (None, self.root_mark, self.root_positions)

    def _key(self, value: Any, mark: Any, scalar: Any, frame: _Frame) -> Any:
        if (
            scalar is not None
            and value == "<<"
            and (scalar.ctag == _MERGE or (scalar.ctag is None and scalar.implicit[0]))
        ):
            return _MERGE_KEY
        if isinstance(value, str):
            if value in frame.container:
                self._report(f'duplicate key "{value}"', mark, (*self._path(), value))
                return _SKIP
            return value
        path = self._path()  # only for the reports below: it costs a walk of the open frames
        if isinstance(value, (dict, list)):
            what = "a mapping" if isinstance(value, dict) else "a sequence"
            self._report(f"mapping keys must be strings, not {what}", mark, path)
        else:
            text = _scalar_text(value)
            self._report(f'mapping key {text} must be a string (quote it: "{text}")', mark, path)
        return _SKIP

    def _merge_source(self, value: Any, mark: Any, frame: _Frame) -> None:
        sources = value if isinstance(value, list) else [value]
        if not sources or not all(isinstance(source, dict) for source in sources):
            self._report("a merge key (<<) needs a mapping or a list of mappings", mark, self._path())
            return
        self.merged = True
        if frame.merges is None:
            frame.merges = []
        frame.merges.extend(sources)


def _apply_merges(merges: list[dict[str, Any]], own: dict[str, Any]) -> dict[str, Any]:
    """YAML merge keys: keys written in the mapping win, then earlier sources win."""
    merged: dict[str, Any] = {}
    for source in merges:
        for name, item in source.items():
            merged.setdefault(name, item)
    merged.update(own)
    return merged


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _copy(value: Any) -> Any:
    """A fresh copy of aliased data, so no two places in the document share one object."""
    if isinstance(value, dict):
        return {name: _copy(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
