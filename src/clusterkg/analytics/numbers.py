"""Numbers as a person reads them, for the CLI and the web pages alike (no Flask, no click)."""

from __future__ import annotations

import math
from decimal import Decimal

#: Short-scale names, largest first (10^12 trillion, 10^9 billion, 10^6 million).
_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def human_amount(value: float | int | None, unit: str = "CNY") -> str:
    """``5613000000`` -> ``"5.6 billion CNY"``; ``56130000`` -> ``"56.1 million CNY"``;
    ``561300000`` -> ``"561 million CNY"``; below a million the digits with thousands
    separators (``"84,500 CNY"``). One decimal below 100 of a scale, none above; ``None``
    (an unknown value) -> ``"unknown"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    tail = f" {unit}" if unit else ""
    for size, name in _SCALES:
        # from 999,950,000 on, "1000.0 million" would print: say "1.0 billion" instead
        if v >= size * 0.99995:
            x = v / size
            text = f"{x:.1f}" if round(x, 1) < 100 else f"{x:,.0f}"
            return f"{sign}{text} {name}{tail}"
    return f"{sign}{v:,.0f}{tail}"


#: Digits after the point an exact amount in words may have before the plain digits read better
#: ("48.0493 million" is fine, "48.049312 million" is not: "48,049,312").
_EXACT_DECIMALS = 4


def exact_amount(value: float | int) -> str:
    """An amount of a million or more in words without losing a digit, for tables of figures
    that people compare with their sources: ``1339000`` -> ``"1.339 million"``, ``48049300``
    -> ``"48.0493 million"``, ``12442000000`` -> ``"12.442 billion"``; an amount whose words
    would need more than four decimals keeps its digits (``"48,049,312"``, ``"1,234,567.5"``).

    :func:`human_amount` rounds to one decimal, which suits a sentence ("10.6 billion CNY of
    supply is lost") but not a figure a source states to four digits. Floats are read by their
    shortest repr (``1339000.0`` is exactly 1339000), so no binary noise appears.
    """
    exact = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    if not exact.is_finite():
        return str(value)
    for size, name in _SCALES:
        if abs(exact) >= Decimal(int(size)):
            x = (exact / Decimal(int(size))).normalize()
            decimals = max(0, -int(x.as_tuple().exponent))
            if decimals <= _EXACT_DECIMALS:
                return f"{x:,f} {name}"
            break
    if exact == exact.to_integral_value():
        return f"{int(exact):,}"
    return f"{exact.normalize():,f}"
