"""Helm's `toYaml` (and `toPrettyJson`), reproduced byte for byte for plain (JSON-like) data.

Why: the chart writes the proxy config into its ConfigMap with `toYaml`, and the plain
manifests (kustomize) must hold the very same text, because the `checksum/config` pod
annotation is the sha256 of that text and both targets must roll pods identically.

What Helm does, and so what this module does: values are read into Go types (every number a
float64), `toYaml` marshals them to JSON (keys sorted, numbers in Go's float format), reads the
JSON back with go-yaml v2 (which picks int or float per number) and marshals that with go-yaml
v2's emitter (a port of libyaml): keys in its "natural" order, 2-space indentation, sequences
flush with their key, strings plain / single / double quoted / literal by libyaml's analysis,
long lines folded past column 80. The functions below follow that emitter's procedures one to
one; `tests/test_helm_goyaml.py` compares them with real Helm on generated data.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from json.encoder import encode_basestring as _json_string  # C-backed
from typing import Any

from litectl.compiler.memo import WORTH_REMEMBERING, IdentityMemo

BEST_WIDTH = 80
BEST_INDENT = 2
_BREAKS = "\r\n\x85\u2028\u2029"
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1


def to_yaml(data: Any, *, as_written: bool = False) -> str:
    """Exactly the text Helm's `toYaml` gives for `data` (which trims one final newline).

    Where Helm's `toYaml` fails (NaN or infinite numbers; characters its YAML reader rejects
    after the JSON round trip) it writes nothing at all, and so does this.

    With `as_written`, numbers keep the type and digits they have in `data` (Helm holds every
    number as a float64, so `toYaml` writes `10.0` as `10` and rounds integers past 2**53):
    the same writer, for text that means to a YAML 1.1 reader what `data` means.
    """
    try:
        value = _go_value(data, as_written)
    except UnrepresentableError:
        return ""
    emitter = _Emitter()
    emitter.node(value, root=True)
    text = emitter.finish()
    return text[:-1] if text.endswith("\n") else text


class UnrepresentableError(Exception):
    """Helm's `toYaml` swallows this failure and returns an empty string."""


# Raw in encoding/json output and refused by go-yaml's reader.
_REJECTED = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
# A raw NEL in a JSON string is a line break to go-yaml's double-quoted scalar reader: it folds
# into a space, or into newlines when several follow each other (blanks around it vanish).
_NEL_RUN = re.compile("[ ]*\x85(?:[ ]*\x85)*[ ]*")


def _json_round_trip(text: str, *, key: bool = False) -> str:
    if _REJECTED.search(text) or (key and "\x85" in text):  # a key may not span lines
        raise UnrepresentableError(text)
    if "\x85" not in text:
        return text
    def fold(match: re.Match[str]) -> str:
        count = match.group().count("\x85")
        return " " if count == 1 else "\n" * (count - 1)

    return _NEL_RUN.sub(fold, text)


# --- values as Helm holds them ------------------------------------------------------------------


class _Number:
    """A number already formatted the way go-yaml writes it after the JSON round trip."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _go_value(value: Any, as_written: bool = False) -> Any:
    """Python data -> what go-yaml sees after Helm's float64 values and the JSON round trip
    (with `as_written`: numbers as they are in `data`, see `to_yaml`)."""
    if type(value) is str:  # the common case, before the (costly) isinstance against an ABC
        return _json_round_trip(value)
    if isinstance(value, Mapping):
        return {_json_round_trip(str(k), key=True): _go_value(v, as_written) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_go_value(v, as_written) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            raise UnrepresentableError(value)
        if as_written:
            return _Number(_written_number(value))
        return _Number(_number_text(f))
    return _json_round_trip(str(value))


def _written_number(value: int | float) -> str:
    """A number as YAML 1.1 reads back to the same type and value: ints with all their digits,
    floats with a dot (`10.0`; `2e-06` is a float only with one: `2.0e-06`)."""
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))  # shortest round-trip digits; an exponent always has its sign
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa if '.' in mantissa else mantissa + '.0'}e{exponent}"
    return text


def _digits(f: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of |f| and the decimal point position (Go's `digs.dp`)."""
    sign_digits_exp = Decimal(repr(abs(f))).normalize().as_tuple()
    digits = "".join(map(str, sign_digits_exp.digits))
    exponent = int(sign_digits_exp.exponent)
    if digits == "0":
        return "0", 1
    return digits, len(digits) + exponent


def _format_g(f: float) -> str:
    """Go's strconv.FormatFloat(f, 'g', -1, 64), as go-yaml writes floats."""
    if math.isnan(f):
        return ".nan"
    if math.isinf(f):
        return ".inf" if f > 0 else "-.inf"
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    digits, dp = _digits(f)
    if f == 0:
        return sign + "0"
    exp = dp - 1
    if exp < -4 or exp >= 6:  # shortest formatting decides with precision 6
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


@functools.lru_cache(maxsize=4096)  # configs repeat their numbers (limits, prices); -0.0 gives "0" as 0.0
def _number_text(f: float) -> str:
    """float64 -> encoding/json text -> go-yaml's int/uint/float -> the text go-yaml writes."""
    if f != 0 and (abs(f) < 1e-6 or abs(f) >= 1e21):
        return _format_g(f)  # JSON uses exponent form: go-yaml reads it back as a float
    digits, dp = _digits(f)
    if f != 0 and dp < len(digits):
        return _format_g(f)  # a fraction: a float
    # integral: JSON writes the shortest digits padded with zeros; go-yaml reads an int if it fits
    integer = int(digits + "0" * (dp - len(digits))) * (-1 if f < 0 else 1)
    if _INT64[0] <= integer <= _INT64[1] or 0 <= integer <= _UINT64_MAX:
        return str(integer)
    return _format_g(f)


# --- go-yaml v2's resolver: would this plain text read back as something else? ----------------

_WORDS_TEXT = (
    "y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF "
    "~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF"
)
_MAP_WORDS = frozenset(_WORDS_TEXT.split(" "))
_HINTS = {**dict.fromkeys("+-", "S"), **dict.fromkeys("0123456789", "D"),
          **dict.fromkeys("yYnNtTfFoO~", "M"), ".": "."}
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_GO_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_TIMESTAMP = re.compile(
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
    r"(?:(?P<sep>[Tt ])(?P<H>[0-9]{1,2}):(?P<M>[0-9]{1,2}):(?P<S>[0-9]{1,2})(?P<frac>\.[0-9]+)?"
    r"(?P<tz>Z|[-+][0-9]{2}:[0-9]{2})?)?"
)


def _go_parse_int(text: str, *, signed: bool) -> int | None:
    """strconv.ParseInt/ParseUint(text, 0, 64) on text without underscores."""
    sign = 1
    body = text
    if body[:1] in "+-" and body:
        if not signed:
            return None
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    base = 10
    lower = body.lower()
    if lower.startswith("0x"):
        base, body = 16, body[2:]
    elif lower.startswith("0o"):
        base, body = 8, body[2:]
    elif lower.startswith("0b"):
        base, body = 2, body[2:]
    elif body.startswith("0") and len(body) > 1:
        base, body = 8, body[1:]
    if not body or not all(c in "0123456789abcdefABCDEF"[: base if base <= 10 else 22] for c in body):
        return None
    value = sign * int(body, base)
    low, high = _INT64 if signed else (0, _UINT64_MAX)
    return value if low <= value <= high else None


def _is_timestamp(text: str) -> bool:
    match = _TIMESTAMP.fullmatch(text)
    if not match:
        return False
    import datetime  # rarely needed: imported here

    try:
        datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return False
    if match["sep"] is None:
        return True
    if match["sep"] == " " and match["tz"]:
        return False
    if match["sep"] in "Tt" and not match["tz"]:
        return False
    return int(match["H"]) < 24 and int(match["M"]) < 60 and int(match["S"]) < 60


def _resolves_to_string(text: str) -> bool:
    """go-yaml v2 `resolve("", text)` gives !!str (and the text is no YAML 1.1 base-60 float)."""
    hint = _HINTS.get(text[0], "") if text else "N"
    if (hint and text in _MAP_WORDS) or text == "":
        return False
    if hint == ".":
        if _go_float(text):
            return False
    elif hint in ("D", "S"):
        if _is_timestamp(text):
            return False
        plain = text.replace("_", "")
        if _go_parse_int(plain, signed=True) is not None or _go_parse_int(plain, signed=False) is not None:
            return False
        if _YAML_FLOAT.fullmatch(plain) and _go_float(plain):
            return False
        if plain.startswith("0b") and plain[2:] and set(plain[2:]) <= {"0", "1"} \
                and int(plain[2:], 2) <= _UINT64_MAX:
            return False
        if plain.startswith("-0b") and plain[3:] and set(plain[3:]) <= {"0", "1"} \
                and -int(plain[3:], 2) >= _INT64[0]:
            return False
    return not (text and text[0] in "+-0123456789" and ":" in text and _BASE60.fullmatch(text))


def _go_float(text: str) -> bool:
    """strconv.ParseFloat(text, 64) succeeds on decimal text (it fails on overflow to infinity).

    Only decimal text reaches here: the `.` hint (the spelled-out infinities are in the word
    list) and go-yaml's own float pattern.
    """
    return bool(_GO_DECIMAL.fullmatch(text)) and not math.isinf(float(text))


# --- libyaml's scalar analysis (go-yaml v2's copy) ----------------------------------------------


def _printable(c: str) -> bool:
    o = ord(c)
    return o == 0x0A or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)


class _Analysis:
    __slots__ = ("block", "block_plain", "multiline", "single_quoted")

    def __init__(self, value: str) -> None:
        if not value:
            self.multiline, self.block_plain, self.single_quoted, self.block = False, True, True, False
            return
        block_ind = line_breaks = special = False
        leading_space = leading_break = trailing_space = trailing_break = False
        break_space = space_break = previous_space = previous_break = False
        if value[:3] in ("---", "..."):
            block_ind = True
        preceded_ws = True
        n = len(value)
        for i, c in enumerate(value):
            followed_ws = i + 1 >= n or value[i + 1] in " \t"
            if i == 0:
                if c in "#,[]{}&*!|>'\"%@`" or (c in "?:-" and followed_ws):
                    block_ind = True
            elif (c == ":" and followed_ws) or (c == "#" and preceded_ws):
                block_ind = True
            if not _printable(c):
                special = True
            if c == " ":
                leading_space = leading_space or i == 0
                trailing_space = trailing_space or i == n - 1
                break_space = break_space or previous_break
                previous_space, previous_break = True, False
            elif c in _BREAKS:
                line_breaks = True
                leading_break = leading_break or i == 0
                trailing_break = trailing_break or i == n - 1
                space_break = space_break or previous_space
                previous_space, previous_break = False, True
            else:
                previous_space = previous_break = False
            preceded_ws = c in " \t\0" or c in _BREAKS
        self.multiline = line_breaks
        self.block_plain = self.single_quoted = self.block = True
        if leading_space or leading_break or trailing_space or trailing_break:
            self.block_plain = False
        if trailing_space:
            self.block = False
        if break_space:
            self.block_plain = self.single_quoted = False
        if space_break or special:
            self.block_plain = self.single_quoted = self.block = False
        if line_breaks or block_ind:
            self.block_plain = False


# Text of these characters that starts with a letter, digit, `_` or `/` and does not end with `:`
# holds no indicator, space, break or unprintable character: the analysis above finds nothing in
# it, and written plain it is copied as it is. Most keys and values of a config are like that,
# and skipping the character loops for them makes the proxy config's text ~4x faster to write.
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_/](?:[A-Za-z0-9_./:+=-]*[A-Za-z0-9_./+=-])?")
_SAFE_ANALYSIS = _Analysis("a")  # never mutated: shared by every such text
_SPACE_OR_BREAK = re.compile(f"[ {_BREAKS}]")


def _analyze(text: str) -> _Analysis:
    return _SAFE_ANALYSIS if _PLAIN_SAFE.fullmatch(text) else _Analysis(text)


@functools.lru_cache(maxsize=4096)
def _simple_key_ok(key: str) -> bool:
    return not _analyze(key).multiline and len(key.encode("utf-8")) <= 128


# --- the emitter --------------------------------------------------------------------------------


def _is_letter(c: str) -> bool:
    return unicodedata.category(c).startswith("L")


def _is_digit(c: str) -> bool:
    return unicodedata.category(c) == "Nd"


def _key_less(a: str, b: str) -> bool:
    """go-yaml v2's keyList.Less for two string keys (letters before others, numbers by value)."""
    for i in range(min(len(a), len(b))):
        if a[i] == b[i]:
            continue
        al, bl = _is_letter(a[i]), _is_letter(b[i])
        if al and bl:
            return a[i] < b[i]
        if al or bl:
            return bl
        an = bn = 0
        if a[i] == "0" or b[i] == "0":
            j = i - 1
            while j >= 0 and _is_digit(a[j]):
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and _is_digit(a[ai]):
            an = an * 10 + (ord(a[ai]) - 48)
            ai += 1
        bi = i
        while bi < len(b) and _is_digit(b[bi]):
            bn = bn * 10 + (ord(b[bi]) - 48)
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return a[i] < b[i]
    return len(a) < len(b)


def _key_order(a: str, b: str) -> int:
    return -1 if _key_less(a, b) else (1 if _key_less(b, a) else 0)


def _sorted_keys(keys: Sequence[str]) -> list[str]:
    """go-yaml's key order (memoised: the items of a list mostly have the same keys).

    keyList.Less is not a consistent order for some keys (`0B` < `1` < `01` < `0B`); go-yaml
    sorts Go's randomly ordered map keys with it, so Helm itself is not deterministic for such
    keys. For every consistently ordered key set (config-style names) this is its order.
    """
    return list(_sorted_key_tuple(tuple(keys)))


@functools.lru_cache(maxsize=1024)
def _sorted_key_tuple(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(keys, key=functools.cmp_to_key(_key_order)))


class _Emitter:
    """The parts of libyaml's emitter that block-style documents of plain data go through."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.column = 0
        self.indent = -1
        self.indents: list[int] = []
        self.whitespace = True
        self.indention = True
        self.open_ended = False
        self.simple_key = False

    # low-level writes
    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def put_break(self) -> None:
        self.out.append("\n")
        self.column = 0

    def write_break(self, c: str) -> None:
        if c == "\n":
            self.put_break()
        else:
            self.out.append(c)
            self.column = 0

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.put_break()
        if self.column < indent:
            self.put(" " * (indent - self.column))
        self.whitespace = self.indention = True

    def indicator(self, text: str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) -> None:
        if need_whitespace and not self.whitespace:
            self.put(" ")
        self.put(text)
        self.whitespace = is_whitespace
        self.indention = self.indention and is_indention
        self.open_ended = False

    def increase_indent(self, flow: bool, indentless: bool) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = BEST_INDENT if flow else 0
        elif not indentless:
            self.indent += BEST_INDENT

    def pop_indent(self) -> None:
        self.indent = self.indents.pop()

    def finish(self) -> str:
        """Document end, then stream end (which closes an open-ended block with `...`)."""
        self.indent = -1
        self.write_indent()
        if self.open_ended:
            self.indicator("...", True, False, False)
            self.write_indent()
        return "".join(self.out)

    # nodes
    def node(self, value: Any, *, root: bool = False, mapping: bool = False,
             simple_key: bool = False) -> None:
        self.simple_key = simple_key
        if isinstance(value, dict):
            if not value:
                self.empty("{", "}")
            else:
                self.block_mapping(value)
        elif isinstance(value, list):
            if not value:
                self.empty("[", "]")
            else:
                self.block_sequence(value, indentless=mapping and not self.indention)
        else:
            self.scalar(value)

    def empty(self, start: str, end: str) -> None:
        self.indicator(start, True, True, False)
        self.indicator(end, False, False, False)

    def block_mapping(self, value: Mapping[str, Any]) -> None:
        self.increase_indent(False, False)
        for key in _sorted_keys(list(value)):
            self.write_indent()
            if self.simple_key_ok(key):
                self.node(key, mapping=True, simple_key=True)
                self.indicator(":", False, False, False)
            else:
                self.indicator("?", True, False, True)
                self.node(key, mapping=True)
                self.write_indent()
                self.indicator(":", True, False, True)
            self.node(value[key], mapping=True)
        self.pop_indent()

    @staticmethod
    def simple_key_ok(key: str) -> bool:
        return _simple_key_ok(key)

    def block_sequence(self, value: Sequence[Any], *, indentless: bool) -> None:
        self.increase_indent(False, indentless)
        for item in value:
            self.write_indent()
            self.indicator("-", True, False, True)
            self.node(item)
        self.pop_indent()

    def scalar(self, value: Any) -> None:
        if type(value) is str and _PLAIN_SAFE.fullmatch(value) and _resolves_to_string(value):
            # The common case, written exactly as the general path below would: plain, as it is.
            if not self.whitespace:
                self.put(" ")
            self.put(value)
            self.whitespace = self.indention = False
            return
        simple_key = self.simple_key
        if value is None:
            text, style = "null", "plain"
        elif value is True or value is False:
            text, style = ("true" if value else "false"), "plain"
        elif isinstance(value, _Number):
            text, style = value.text, "plain"
        else:
            text = value
            if "\n" in text:
                style = "literal"
            elif _resolves_to_string(text):
                style = "plain"
            else:
                style = "double"
        analysis = _analyze(text)
        if simple_key and analysis.multiline:
            style = "double"
        if style == "plain" and (not analysis.block_plain or (not text and simple_key)):
            style = "single"
        if style == "single" and not analysis.single_quoted:
            style = "double"
        if style == "literal" and (not analysis.block or simple_key):
            style = "double"
        self.increase_indent(True, False)
        allow_breaks = not simple_key
        if style == "plain":
            self.write_plain(text, allow_breaks)
        elif style == "single":
            self.write_single(text, allow_breaks)
        elif style == "double":
            self.write_double(text, allow_breaks)
        else:
            self.write_literal(text)
        self.pop_indent()

    def write_plain(self, value: str, allow_breaks: bool) -> None:
        if not self.whitespace:
            self.put(" ")
        if _SPACE_OR_BREAK.search(value) is None:  # nothing to fold: the loop below would copy it
            self.put(value)
            self.whitespace = self.indention = False
            return
        spaces = breaks = False
        n = len(value)
        for i, c in enumerate(value):
            if c == " ":
                if (allow_breaks and not spaces and self.column > BEST_WIDTH
                        and not (i + 1 < n and value[i + 1] == " ")):
                    self.write_indent()
                else:
                    self.put(c)
                spaces = True
            elif c in _BREAKS:
                if not breaks and c == "\n":
                    self.put_break()
                self.write_break(c)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put(c)
                self.indention = False
                spaces = breaks = False
        self.whitespace = self.indention = False

    def write_single(self, value: str, allow_breaks: bool) -> None:
        self.indicator("'", True, False, False)
        spaces = breaks = False
        n = len(value)
        for i, c in enumerate(value):
            if c == " ":
                if (allow_breaks and not spaces and self.column > BEST_WIDTH and 0 < i < n - 1
                        and value[i + 1] != " "):
                    self.write_indent()
                else:
                    self.put(c)
                spaces = True
            elif c in _BREAKS:
                if not breaks and c == "\n":
                    self.put_break()
                self.write_break(c)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                if c == "'":
                    self.put("'")
                self.put(c)
                self.indention = False
                spaces = breaks = False
        self.indicator("'", False, False, False)
        self.whitespace = self.indention = False

    def write_double(self, value: str, allow_breaks: bool) -> None:
        self.indicator('"', True, False, False)
        spaces = False
        n = len(value)
        for i, c in enumerate(value):
            if not _printable(c) or c == "\ufeff" or c in _BREAKS or c in '"\\':
                self.put("\\" + (_ESCAPES[c] if c in _ESCAPES else _hex_escape(ord(c))))
                spaces = False
            elif c == " ":
                if allow_breaks and not spaces and self.column > BEST_WIDTH and 0 < i < n - 1:
                    self.write_indent()
                    if value[i + 1] == " ":
                        self.put("\\")
                else:
                    self.put(c)
                spaces = True
            else:
                self.put(c)
                spaces = False
        self.indicator('"', False, False, False)
        self.whitespace = self.indention = False

    def write_literal(self, value: str) -> None:
        self.indicator("|", True, False, False)
        if value[:1] == " " or (value and value[0] in _BREAKS):
            self.indicator(str(BEST_INDENT), False, False, False)
        self.open_ended = False
        chomp = ""
        if value[-1] not in _BREAKS:
            chomp = "-"
        elif len(value) == 1 or value[-2] in _BREAKS:
            chomp = "+"
            self.open_ended = True
        if chomp:
            self.indicator(chomp, False, False, False)  # (clears open_ended again, as libyaml does)
        self.put_break()
        self.indention = self.whitespace = True
        breaks = True
        for c in value:
            if c in _BREAKS:
                self.write_break(c)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                    breaks = False
                self.put(c)
                self.indention = False


_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r",
            "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\u2028": "L", "\u2029": "P"}


def _hex_escape(code: int) -> str:
    if code <= 0xFF:
        return f"x{code:02X}"
    if code <= 0xFFFF:
        return f"u{code:04X}"
    return f"U{code:08X}"


# --- the ConfigMap text: toYaml, or indented JSON where toYaml would mislead YAML 1.1 ------------

#: Strings go-yaml may write plain that a YAML 1.1 reader (PyYAML, which LiteLLM loads its config
#: with) takes for something else: the merge key, the value key, floats written `._5`. Shared
#: with the chart (`__CHART__.yaml11Pattern`), so both pick the same format.
YAML11_OTHER = r"<<|=|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
#: PyYAML's timestamp pattern: go-yaml quotes only the ones Go's time layouts parse.
YAML11_TIMESTAMP = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}"
                    r":[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?")
#: The time layouts go-yaml v2 recognises (its quoting decision), as the chart checks them.
GO_TIMESTAMP_LAYOUTS = ("2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00",
                        "2006-1-2 15:4:5.999999999", "2006-1-2")
_OTHER_RE = re.compile(YAML11_OTHER)
_TIMESTAMP_RE = re.compile(YAML11_TIMESTAMP)


def _misread_by_yaml11(text: str) -> bool:
    if _OTHER_RE.fullmatch(text) or "\u2028" in text or "\u2029" in text:  # separators: raw line breaks
        return True
    return bool(_TIMESTAMP_RE.fullmatch(text)) and not _is_timestamp(text)


#: A number in toPrettyJson's output with an exponent but no dot (`2e-06`, `1e+21`): YAML 1.1
#: (PyYAML, so LiteLLM) reads it as a string, so the config text writes it `2.0e-06`. In that
#: output a line holds at most one number, after an optional `"key": `, and no string spans lines,
#: so the pattern only ever meets numbers. The chart applies it (`__CHART__.jsonDotlessExponent`);
#: `to_pretty_json(exponent_dot=True)` gives the same text while it formats the numbers.
JSON_DOTLESS_EXPONENT = r'(?m)^(\s*(?:"(?:[^"\\]|\\.)*": )?-?[0-9]+)(e[-+][0-9]+,?)$'


def _dotless_exponent(value: float) -> bool:
    """toYaml writes this number with an exponent and no dot (`2e-06`): a string to YAML 1.1."""
    if math.isnan(value) or math.isinf(value):
        return False
    text = _number_text(value)
    return "e" in text and "." not in text


def yaml11_unsafe(data: Any, *, as_written: bool = False) -> bool:
    """True when a key, string or number in `data` would be misread by YAML 1.1 from toYaml's
    output (numbers written `as_written` always read back right)."""
    if type(data) is str:  # the common case, before the (costly) isinstance against an ABC
        return _misread_by_yaml11(data)
    if isinstance(data, Mapping):
        return any(_misread_by_yaml11(str(k)) or yaml11_unsafe(v, as_written=as_written)
                   for k, v in data.items())
    if isinstance(data, list | tuple):
        return any(yaml11_unsafe(v, as_written=as_written) for v in data)
    if isinstance(data, int | float) and not isinstance(data, bool):
        return not as_written and _dotless_exponent(float(data))
    return isinstance(data, str) and _misread_by_yaml11(data)


# Go's encoding/json escapes these in strings (HTML safety and JavaScript line terminators); they
# occur nowhere else in JSON text, so they are replaced in the finished text.
_GO_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
               ("\u2029", "\\u2029"))
_GO_ESCAPED = re.compile("[<>&\u2028\u2029]")


def _json_number(f: float) -> str:
    """encoding/json's float64 text."""
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    if abs(f) < 1e-6 or abs(f) >= 1e21:
        text = _format_g(f)  # 'e' with the shortest digits: same mantissa as %g
        mantissa, exponent = text.split("e")
        sign, digits = exponent[0], exponent[1:].lstrip("0") or "0"
        return f"{mantissa}e{sign}{digits.zfill(2) if sign == '+' else digits}"
    digits, dp = _digits(f)
    sign = "-" if f < 0 else ""
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def to_pretty_json(data: Any, indent: str = "", *, exponent_dot: bool = False, as_written: bool = False) -> str:
    """Exactly the text of sprig's `toPrettyJson` (json.MarshalIndent, two spaces).

    With `exponent_dot`, numbers written with an exponent and no dot (`1e-7`) get one (`1.0e-7`):
    what the chart's `__CHART__.jsonDotlessExponent` does to that text, so that a YAML 1.1 reader
    takes them for numbers. With `as_written`, numbers keep their type and digits (see `to_yaml`).
    """
    text = _PrettyJson(exponent_dot, as_written).text(data, indent)
    if _GO_ESCAPED.search(text):
        for char, escaped in _GO_ESCAPES:
            text = text.replace(char, escaped)
    return text


class _PrettyJson:
    """to_pretty_json before Go's HTML escapes; strings escaped by Python's C encoder, whose
    escapes of `"`, `\\` and control characters are encoding/json's."""

    def __init__(self, exponent_dot: bool, as_written: bool = False) -> None:
        self.exponent_dot = exponent_dot
        self.as_written = as_written

    def text(self, data: Any, indent: str) -> str:
        kind = type(data)
        if kind is str:
            return _json_string(data)
        if kind is dict or kind is list or kind is tuple or isinstance(data, Mapping):
            if not data:
                return "{}" if isinstance(data, Mapping) else "[]"
            if len(data) >= WORTH_REMEMBERING:  # a model list shared by several configs: written once
                key = (indent, self.exponent_dot, self.as_written)
                return _PRETTY_JSON.get(data, lambda: self.container(data, indent), key)
            return self.container(data, indent)
        if data is True:
            return "true"
        if data is False:
            return "false"
        if data is None:
            return "null"
        if self.as_written and (kind is int or (kind is float and math.isfinite(data))):
            return _written_number(data)
        if kind is int and -_FLOAT64_EXACT <= data <= _FLOAT64_EXACT:
            return str(data)  # what float64(data) prints: the same digits
        if kind is float and math.isfinite(data):
            text = repr(data)  # shortest round-trip digits, as Go's; fixed notation within 1e-4..1e16
            if "e" not in text:
                return text[:-2] if text.endswith(".0") else text
        if isinstance(data, int | float):
            f = float(data)
            if math.isnan(f) or math.isinf(f):
                raise UnrepresentableError(data)
            text = _json_number(f)
            if self.exponent_dot and "e" in text and "." not in text:
                mantissa, exponent = text.split("e")
                return f"{mantissa}.0e{exponent}"
            return text
        return _json_string(str(data))

    def container(self, data: Any, indent: str) -> str:
        inner = indent + "  "
        text = self.text
        if isinstance(data, Mapping):
            keys = {str(k): k for k in data}
            body = ",\n".join(f"{inner}{_json_string(k)}: {text(data[keys[k]], inner)}" for k in sorted(keys))
            return "{\n" + body + "\n" + indent + "}"
        return "[\n" + ",\n".join(inner + text(v, inner) for v in data) + "\n" + indent + "]"


_FLOAT64_EXACT = 2**53
_PRETTY_JSON: IdentityMemo[str] = IdentityMemo()


def without_map_nulls(data: Any) -> Any:
    """`data` without null-valued mapping entries, reached through mappings only.

    That is what Helm does to a chart's default values (lists are left alone), so the chart's
    own walk cannot see such nulls; the precompiled text keeps them.
    """
    if isinstance(data, Mapping):
        return {k: without_map_nulls(v) for k, v in data.items() if v is not None}
    return data


def config_text(data: Any) -> str:
    """The ConfigMap's config.yaml as the chart's own walk writes it (`__CHART__.configText`
    without a precompiled text): from values as Helm holds them, nulls and float-ness gone."""
    data = without_map_nulls(data)
    if yaml11_unsafe(data):
        try:
            return to_pretty_json(data, exponent_dot=True) + "\n"
        except UnrepresentableError:
            return "\n"
    return to_yaml(data) + "\n"


def config_text_as_written(data: Any) -> str:
    """The config.yaml every target ships: the chart's text, but meaning what `data` means.

    Floats stay floats (`10.0`), integers keep every digit and null mapping entries stay
    (LiteLLM reads `X:` as None, and some settings differ from an absent key). The chart
    carries this text precompiled (targets/helm/render.py), so it needs no values that Helm
    could hold.
    """
    if yaml11_unsafe(data, as_written=True):
        try:
            return to_pretty_json(data, exponent_dot=True, as_written=True) + "\n"
        except UnrepresentableError:
            return "\n"
    return to_yaml(data, as_written=True) + "\n"
