"""Calendar months and model steps.

One model step is one month; step 0 is the scenario's ``start`` month (``YYYY-MM``).

Examples
--------
>>> month_to_step("2026-02", start="2025-03")
11
>>> step_to_month(11, start="2025-03")
'2026-02'
"""

from __future__ import annotations

import re

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> tuple[int, int]:
    """Split ``YYYY-MM`` into (year, month); raise ``ValueError`` if it is not of that form."""
    match = MONTH_PATTERN.match(str(text))
    if match is None:
        raise ValueError(f"not a YYYY-MM month: {text!r}")
    return int(match.group(1)), int(match.group(2))


def month_to_step(month: str, *, start: str) -> int:
    """Number of months from ``start`` to ``month`` (negative if before)."""
    year, mon = parse_month(month)
    start_year, start_mon = parse_month(start)
    return (year - start_year) * 12 + (mon - start_mon)


def step_to_month(step: int, *, start: str) -> str:
    """Calendar month ``YYYY-MM`` of model step ``step``."""
    start_year, start_mon = parse_month(start)
    index = start_year * 12 + (start_mon - 1) + int(step)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
