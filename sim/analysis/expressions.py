"""Named outcomes and cases of interest: expressions over the runs table.

An experiment may name its outcomes (``outcomes: {bgr_joins: "joined_BGR", crisis:
"crisis_count > 0"}``) and ``alliance-sim discover --where`` takes one expression; both are
:meth:`pandas.DataFrame.eval` expressions over the runs table, with a few shorthands added:
``joined_<CODE>`` (the country joined within the horizon) and ``crisis`` (at least one crisis).
Columns whose names are not Python names (``peak_tension_SRB-XKX``, ``patrons.russia.support``)
are written in backticks. A yes/no expression gives a probability per design point; a numeric
one a mean and quantiles.

Examples
--------
>>> import pandas as pd
>>> runs = pd.DataFrame({"join_month_BGR": [3.0, None], "crisis_count": [0, 2]})
>>> evaluate(runs, "joined_BGR and crisis_count == 0").tolist()
[True, False]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from sim.analysis.stats import StatsInputError

SHORTHANDS = "joined_<CODE> (joined within the horizon), crisis (at least one crisis)"


def with_shorthands(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs with the ``joined_<CODE>`` and ``crisis`` columns added (when they are not
    already columns)."""
    extra = {}
    for column in runs.columns:
        if column.startswith("join_month_"):
            extra[f"joined_{column.removeprefix('join_month_')}"] = runs[column].notna()
    if "crisis_count" in runs:
        extra["crisis"] = runs["crisis_count"] > 0
    extra = {k: v for k, v in extra.items() if k not in runs}
    return runs.assign(**extra) if extra else runs


def evaluate(runs: pd.DataFrame, expression: str, *, name: str = "--where") -> pd.Series:
    """The value of an expression for every run (a bool or numeric Series).

    Raises
    ------
    StatsInputError
        If the expression does not parse, names a column the runs do not have (with the
        closest names), or gives neither numbers nor yes/no values.
    """
    table = with_shorthands(runs)
    try:
        value = table.eval(expression, engine="python")
    except Exception as err:  # pandas raises many kinds; all mean a bad expression
        raise StatsInputError(explain(expression, err, table.columns, name)) from None
    if not isinstance(value, pd.Series):
        value = pd.Series(np.full(len(table), value), index=table.index)
    if not (pd.api.types.is_bool_dtype(value) or pd.api.types.is_numeric_dtype(value)):
        raise StatsInputError(f"{name} {expression!r}: expected numbers or yes/no values per "
                              f"run, found {value.dtype}")  # fmt: skip
    return value.reset_index(drop=True)


def explain(expression: str, err: Exception, columns: Iterable[str], name: str) -> str:
    """An error message for a bad expression, with the closest column names."""
    message = f"{name} {expression!r}: {type(err).__name__}: {err}"
    missing = re.search(r"name '([^']+)' is not defined", str(err))
    if missing:
        close = difflib.get_close_matches(missing.group(1), list(columns), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        message = f"{name} {expression!r}: no column {missing.group(1)!r}{hint}"
    return (f"{message} (columns of the runs table, in backticks when they are not plain "
            f"names, and {SHORTHANDS})")  # fmt: skip


def default_outcomes(runs_columns: Iterable[str], candidates: list[str],
                     collect: list[str]) -> dict[str, str]:  # fmt: skip
    """Outcomes to summarise when the experiment names none: each candidate's accession, a
    crisis and the peak tension (scenario runs), or the collected values (model runs)."""
    columns = set(runs_columns)
    if collect:
        return {name: f"`{name}`" for name in collect if name in columns}
    outcomes = {f"joined_{code}": f"joined_{code}" for code in candidates
                if f"join_month_{code}" in columns}  # fmt: skip
    if "crisis_count" in columns:
        outcomes["crisis"] = "crisis"
    if "peak_tension" in columns:
        outcomes["peak_tension"] = "peak_tension"
    return outcomes
