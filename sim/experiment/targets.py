"""An experiment's targets: the months by which the summary reports P(join).

``years: [1, 5, 10]`` reports "joined by year Y" (``join_month < 12 Y``); ``by: [2023-04]``
reports "joined by 2023-04", by the end of that calendar month. Both must fall within the
horizon; the summary lists all of them in calendar order (:func:`sim.analysis.summary
.summary_table`).
"""

from __future__ import annotations

from pathlib import Path

from sim.errors import ConfigError
from sim.scenario.calendar import month_to_step, step_to_month


def months_within_horizon(
    by: list[str], starts: list[str], months: int, file: str | Path | None, *, trim: bool
) -> list[str]:
    """The summary's calendar-month targets ``by``: each ``YYYY-MM`` from the scenario's start
    (every variant's, ``starts``) to the last of ``months`` months (dropped after it if
    ``trim``), in the order given.

    Raises
    ------
    ConfigError
        On ``by.<i>`` for a month not written YYYY-MM, before the start or after the horizon.
    """
    start = starts[0]
    if len(set(starts)) > 1:
        raise ConfigError(file, "by", "variants that start in the same month", sorted(starts))
    last = step_to_month(months - 1, start=start)
    kept = []
    for index, month in enumerate(by):
        try:
            step = month_to_step(month, start=start)
        except ValueError:
            raise ConfigError(file, f"by.{index}", "a month written YYYY-MM", month) from None
        if step >= months and trim:
            continue
        if not 0 <= step < months:
            raise ConfigError(file, f"by.{index}", f"a month from the scenario's start {start} "
                              f"to the horizon's last month {last}", month)  # fmt: skip
        kept.append(month)
    return kept


def years_within_horizon(
    years: list[int], months: int, file: str | Path | None, *, given: bool
) -> list[int]:
    """The summary's years: those ``given`` in the file must end within the horizon
    (12 Y <= months); the default ones are kept where they do.

    Raises
    ------
    ConfigError
        On ``years`` if a year given ends after the horizon.
    """
    within = [year for year in years if 12 * year <= months]
    if given and within != years:
        raise ConfigError(file, "years", f"years that end within the horizon of {months} "
                          f"months (at most {months // 12})", years)  # fmt: skip
    return within
