"""Numbers as a person reads them, for the CLI and the web pages alike (no Flask, no click)."""

from __future__ import annotations

import math

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
