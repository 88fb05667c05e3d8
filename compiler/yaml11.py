"""How a YAML 1.1 reader reads a plain scalar: LiteLLM loads its config with PyYAML (YAML 1.1).

litectl reads the spec as YAML 1.2, so a plain scalar that the two versions resolve differently
(`yes`, `0755`, `1:30`, `1e-06`, `2024-06-01`, ...) would silently change meaning between what
the user wrote in `proxy_config` and what LiteLLM would have read from the same text. The loader
asks :func:`misread` about each plain scalar that could be one, and validation warns.

The patterns are YAML 1.1's implicit types as PyYAML's resolver and SafeConstructor apply them.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

__all__ = ["NUMBER_START", "WORDS", "describe", "misread", "reading", "unambiguous"]

#: A plain scalar YAML 1.1 reads as other than a string is one of WORDS or starts with one of these.
NUMBER_START: Final = frozenset("-+.0123456789")

_BOOL: Final = {w: True for w in ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")} | {
    w: False for w in ("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")}
_NULL: Final = frozenset({"~", "null", "Null", "NULL"})
WORDS: Final = frozenset(_BOOL) | _NULL
_INT: Final = re.compile(r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
                         r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+")
_FLOAT: Final = re.compile(r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
                           r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)"
                           r"|\.(?:nan|NaN|NAN)")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME: Final = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
                              r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?")


class Date(str):
    """A YAML 1.1 timestamp: the reader builds a date or datetime from this text."""

    __slots__ = ()


class Unreadable(str):
    """Text YAML 1.1 resolves to a number it then cannot convert (`._`): PyYAML raises on it."""

    __slots__ = ()


def _sexagesimal(text: str) -> float:
    total = 0.0
    for part in text.split(":"):
        total = total * 60 + float(part)
    return total


def _int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits[0] == "-" else 1
    digits = digits.lstrip("+-")
    if digits == "0":
        return 0
    if digits.startswith("0b"):
        return sign * int(digits[2:], 2)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if digits[0] == "0":
        return sign * int(digits, 8)
    if ":" in digits:
        return sign * int(_sexagesimal(digits))
    return sign * int(digits)


def _float(text: str) -> float:
    digits = text.replace("_", "").lower()
    sign = -1.0 if digits[0] == "-" else 1.0
    digits = digits.lstrip("+-")
    if digits == ".inf":
        return sign * math.inf
    if digits == ".nan":
        return math.nan
    if ":" in digits:
        return sign * _sexagesimal(digits)
    return sign * float(digits)


def reading(text: str) -> Any:
    """What a YAML 1.1 reader makes of ``text`` written as a plain scalar."""
    if text in _BOOL:
        return _BOOL[text]
    if text in _NULL or text == "":
        return None
    if text[:1] in "-+.0123456789":
        try:
            if _FLOAT.fullmatch(text):
                return _float(text)
            if _INT.fullmatch(text):
                return _int(text)
        except ValueError:
            return Unreadable(text)
        if _DATE.fullmatch(text) or _DATETIME.fullmatch(text):
            return Date(text)
    return text


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def misread(text: str, value: Any) -> Any:
    """YAML 1.1's reading of plain ``text`` when it differs from litectl's ``value``, else ``misread``.

    Returns the function itself as the "no difference" marker, since None is a reading.
    """
    read = reading(text)
    return misread if _same(read, value) else read


def describe(value: Any) -> str:
    """A reading, in words, for a diagnostic."""
    if isinstance(value, Date):
        return "a date" if _DATE.fullmatch(value) else "a timestamp"
    if isinstance(value, Unreadable):
        return "a number it fails to read (PyYAML raises an error)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    return f'the string "{value}"'


def unambiguous(value: Any) -> str | None:
    """How to write ``value`` so both YAML versions read it alike (None: no plain form)."""
    if isinstance(value, Date | Unreadable):
        return None
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        text = repr(value)
        return text if "." in text else text.replace("e", ".0e", 1)
    return None
