"""Kubernetes resource quantities as Compose `deploy.resources` values.

Kubernetes writes CPU in cores or millicores (`500m`) and memory with decimal (`1G` = 10^9) or
binary (`1Gi` = 2^30) suffixes; Compose wants `cpus` as a decimal number of cores and `memory`
as a byte value whose units (`k`, `m`, `g`) are binary. Getting the two families of suffixes
mixed up silently gives a container 7% less (or more) memory than on Kubernetes, so the
conversion goes through an exact byte count.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

_SUFFIXES: dict[str, Decimal] = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
}
# The Kubernetes quantity grammar: a signed decimal number, then a suffix or a decimal exponent.
_QUANTITY = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|([a-zA-Z]*))$")
# Compose byte units are binary; the largest unit that divides the value exactly is used.
_BYTE_UNITS: tuple[tuple[str, int], ...] = (("g", 2**30), ("m", 2**20), ("k", 2**10))


def parse_quantity(value: object) -> Decimal | None:
    """The exact value of a Kubernetes quantity (`"500m"`, `"4Gi"`, `2`, `0.5`), or None if invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value.strip())
    if match is None:
        return None
    number, exponent, suffix = match.groups()
    try:
        amount = Decimal(number)
        if exponent:
            return amount * Decimal(f"1{exponent}")
    except InvalidOperation:
        return None
    factor = _SUFFIXES.get(suffix or "")
    return None if factor is None else amount * factor


def compose_cpus(value: object) -> str | None:
    """CPU cores as Compose writes them: `"0.5"` for `500m`, `"2"` for `2`; None if invalid."""
    cores = parse_quantity(value)
    if cores is None or cores < 0:
        return None
    text = format(cores.normalize(), "f")
    return text if text != "-0" else "0"


def compose_memory(value: object) -> str | None:
    """Bytes as a Compose byte value (`4g` for `4Gi`, `1000000000b` for `1G`); None if invalid.

    Fractional bytes round up, as Kubernetes rounds a memory quantity up to whole bytes.
    """
    amount = parse_quantity(value)
    if amount is None or amount < 0:
        return None
    total = int(amount.to_integral_value(rounding="ROUND_CEILING"))
    if total == 0:
        return "0"
    for unit, size in _BYTE_UNITS:
        if total % size == 0:
            return f"{total // size}{unit}"
    return f"{total}b"
