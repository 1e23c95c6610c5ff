"""Statistics over the per-run outcome rows of an experiment (MODEL.md section 6).

Every function here is pure: it reads a table with one row per run (``runs``) or the long table of
monthly trajectories (``series``) and returns a new long :class:`pandas.DataFrame` with one row per
variant and quantity, ready to print or write to CSV. Variants keep the order in which they first
appear in the input. Rows of a variant are pooled over its design points.

Time-to-event outcomes (``join_month_<CODE>``, ``first_crisis_month``, ``stage_month_*``) hold the
month index ``0 .. horizon - 1`` in which the event happened and NaN when it did not happen within
the run, i.e. the time is right-censored at the run's ``horizon``. Throughout, "by month m" means
"in one of the months ``0 .. m - 1``" (``join_month < m``), so the probability of having joined by
month ``m`` is ``1 - survival`` at month ``m`` of :func:`sim.analysis.survival.kaplan_meier`.

Survival curves are in :mod:`sim.analysis.survival`, paired comparisons between variants under
common random numbers in :mod:`sim.analysis.compare`, and the analyst's summary table in
:mod:`sim.analysis.summary`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.errors import AllianceSimError

__all__ = [
    "StatsInputError",
    "join_probabilities",
    "path_frequencies",
    "quantile_summary",
    "trajectory_bands",
    "wilson_interval",
]

NO_PATH = "(none)"
ID_COLUMNS = ("variant", "design_id", "replication")


class StatsInputError(AllianceSimError, ValueError):
    """A table or option given to the statistics functions is not what they need."""


# --- helpers ------------------------------------------------------------------------------------


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, parameter: str) -> None:
    """Raise :class:`StatsInputError` naming the columns of ``frame`` that are missing."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise StatsInputError(
            f"{parameter}: expected columns {missing} in the table, found {list(frame.columns)}"
        )


def as_list(names: str | Iterable[str]) -> list[str]:
    """A single name or an iterable of names as a list (a lone string is one name)."""
    return [names] if isinstance(names, str) else list(names)


def grouped(frame: pd.DataFrame) -> Iterable[tuple[str, pd.DataFrame]]:
    """(variant, rows) pairs in the order variants first appear."""
    return frame.groupby("variant", sort=False)


def quantile_label(q: float) -> str:
    """Column name of quantile ``q`` as a percentile: 0.05 -> ``p5``, 0.025 -> ``p2.5``."""
    return f"p{round(100 * q, 6):g}"


def check_quantiles(quantiles: Sequence[float]) -> list[float]:
    values = [float(q) for q in quantiles]
    if not values or any(not 0.0 <= q <= 1.0 for q in values):
        raise StatsInputError(f"quantiles: expected values in [0, 1], found {quantiles!r}")
    return values


def numeric(values: pd.Series, *, column: str) -> np.ndarray:
    """Column values as floats (booleans become 0/1); NaN stays NaN."""
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        raise StatsInputError(f"{column}: expected a numeric or boolean column, found text")
    return values.to_numpy(dtype=float, na_value=np.nan)


# --- proportions ----------------------------------------------------------------------------------


def wilson_interval(
    successes: int, trials: int, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Proportion ``successes / trials`` with its Wilson score interval.

    Parameters
    ----------
    successes : int
        Number of runs in which the event happened, ``0 <= successes <= trials``.
    trials : int
        Number of runs.
    confidence : float, keyword-only
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    estimate, low, high : float
        The proportion and the interval bounds; all NaN when ``trials == 0``.

    Raises
    ------
    StatsInputError
        If the counts are negative or ``successes > trials``.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22(158). Computed by ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(7, 20)]
    [0.35, 0.1812, 0.5671]
    >>> wilson_interval(0, 0)
    (nan, nan, nan)
    """
    k, n = int(successes), int(trials)
    if n < 0 or k < 0 or k > n:
        raise StatsInputError(
            f"successes, trials: expected 0 <= successes <= trials, found {successes}, {trials}"
        )
    if n == 0:
        return (np.nan, np.nan, np.nan)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return (k / n, float(ci.low), float(ci.high))


def join_probabilities(
    runs: pd.DataFrame,
    codes: str | Iterable[str],
    *,
    by_months: int | Iterable[int] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Probability that each country has joined the pact by given months, per variant.

    Parameters
    ----------
    runs : DataFrame, one row per run
        Needs ``variant``, ``horizon`` and ``join_month_<CODE>`` for each code.
    codes : str or iterable of str
        Country codes.
    by_months : int, iterable of int or None, keyword-only
        Months ``m``: a run counts as joined by ``m`` if ``join_month < m``. None means the
        variant's horizon (joined at any time in the run).
    confidence : float, keyword-only
        Level of the Wilson intervals.

    Returns
    -------
    DataFrame
        Columns ``variant, country, by_month, probability, low, high, joined, n``.

    Raises
    ------
    StatsInputError
        If a column is missing, or a month is beyond the horizon of some run of the variant (whether
        such a run would have joined by then is unknown; use :func:`survival_table`).

    Examples
    --------
    >>> runs = pd.DataFrame({"variant": "base", "horizon": 24,
    ...                      "join_month_BGR": [3.0, 15.0, np.nan, np.nan]})
    >>> table = join_probabilities(runs, "BGR", by_months=[12, 24])
    >>> table[["by_month", "probability", "joined", "n"]].to_numpy().tolist()
    [[12.0, 0.25, 1.0, 4.0], [24.0, 0.5, 2.0, 4.0]]
    """
    codes = as_list(codes)
    needed = ["variant", "horizon", *[f"join_month_{code}" for code in codes]]
    require_columns(runs, needed, parameter="runs")
    months = None if by_months is None else [int(m) for m in np.atleast_1d(by_months)]
    rows = []
    for variant, group in grouped(runs):
        horizon = group["horizon"].to_numpy()
        for by_month in [int(horizon.max())] if months is None else months:
            if by_month > horizon.min():
                raise StatsInputError(
                    f"by_months: expected months up to the horizon of every run of variant "
                    f"{variant!r} ({int(horizon.min())}), found {by_month}"
                )
            for code in codes:
                times = group[f"join_month_{code}"].to_numpy(dtype=float)
                joined = int(np.sum(times < by_month))
                estimate, low, high = wilson_interval(joined, len(times), confidence=confidence)
                rows.append((variant, code, by_month, estimate, low, high, joined, len(times)))
    columns = ["variant", "country", "by_month", "probability", "low", "high", "joined", "n"]
    return pd.DataFrame(rows, columns=columns)


# --- continuous outcomes --------------------------------------------------------------------------


def median_interval(values: np.ndarray, *, confidence: float) -> tuple[float, float]:
    """Distribution-free interval of the median from order statistics (NaN if too few values).

    The interval [x_(k), x_(n-k+1)] with k from the binomial(n, 1/2) distribution covers the
    median with at least the stated confidence whatever the distribution
    (``scipy.stats.quantile_test``); it is exact and costs one sort, where resampling would
    cost thousands.
    """
    if values.size < 2:
        return (np.nan, np.nan)
    test = stats.quantile_test(values, q=float(np.median(values)), p=0.5)
    interval = test.confidence_interval(confidence)
    return (float(interval.low), float(interval.high))


def quantile_summary(
    runs: pd.DataFrame,
    columns: str | Iterable[str],
    *,
    quantiles: Sequence[float] = (0.05, 0.5, 0.95),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean, quantiles and an interval of the median of continuous outcomes, per variant.

    Missing values (NaN) are left out and counted. For time-to-event columns, where NaN means
    "censored", use :func:`survival_table` and :func:`median_time` instead.

    Parameters
    ----------
    runs : DataFrame, one row per run
        Needs ``variant`` and ``columns`` (numeric or boolean).
    columns : str or iterable of str
        Outcome columns, e.g. ``peak_tension``, ``final_depth``.
    quantiles : sequence of float, keyword-only
        Quantiles to report, each in [0, 1] (linear interpolation, as ``numpy.quantile``).
    confidence : float, keyword-only
        Level of the interval of the median.

    Returns
    -------
    DataFrame
        Columns ``variant, column, n, n_missing, mean``, one column per quantile named as a
        percentile (``p5, p50, p95`` by default), then ``median_low, median_high``: the
        distribution-free order-statistic interval of the median (:func:`median_interval`; NaN
        with too few values for the confidence, e.g. fewer than 6 at 95%).

    Raises
    ------
    StatsInputError
        If a column is missing or not numeric, or a quantile is outside [0, 1].

    References
    ----------
    Conover, W. J. (1999). Practical Nonparametric Statistics, 3rd ed., section 3.2 (confidence
    interval for a quantile).

    Examples
    --------
    >>> runs = pd.DataFrame({"variant": "base", "peak_tension": [0.2, 0.4, 0.6, np.nan]})
    >>> row = quantile_summary(runs, "peak_tension").iloc[0]
    >>> int(row["n"]), int(row["n_missing"]), float(row["p50"])
    (3, 1, 0.4)
    """
    columns = as_list(columns)
    qs = check_quantiles(quantiles)
    require_columns(runs, ["variant", *columns], parameter="runs")
    rows = []
    for variant, group in grouped(runs):
        for column in columns:
            values = numeric(group[column], column=column)
            kept = values[~np.isnan(values)]
            row = {
                "variant": variant,
                "column": column,
                "n": kept.size,
                "n_missing": values.size - kept.size,
                "mean": kept.mean() if kept.size else np.nan,
            }
            levels = np.quantile(kept, qs) if kept.size else np.full(len(qs), np.nan)
            row.update({quantile_label(q): v for q, v in zip(qs, levels, strict=True)})
            low, high = median_interval(kept, confidence=confidence)
            row.update(median_low=low, median_high=high)
            rows.append(row)
    return pd.DataFrame(rows)


# --- expansion paths ------------------------------------------------------------------------------


def path_frequencies(
    runs: pd.DataFrame, *, top: int | None = 5, confidence: float = 0.95
) -> pd.DataFrame:
    """The most frequent expansion paths (join orders) per variant.

    Parameters
    ----------
    runs : DataFrame, one row per run
        Needs ``variant`` and ``expansion_path`` (e.g. ``"BGR>MKD"``; ``""`` or NaN, as an empty
        string reads back from CSV, when nobody joined, shown as ``"(none)"``).
    top : int or None, keyword-only
        Paths kept per variant; None keeps all. Ties are ordered by path name.
    confidence : float, keyword-only
        Level of the Wilson intervals of the shares.

    Returns
    -------
    DataFrame
        Columns ``variant, rank, path, count, share, low, high, n``; ``rank`` starts at 1.

    Raises
    ------
    StatsInputError
        If a column is missing or ``top`` is below 1.

    Examples
    --------
    >>> runs = pd.DataFrame({"variant": "base", "expansion_path": ["BGR", "", "BGR>MKD", "BGR"]})
    >>> path_frequencies(runs, top=2)[["path", "count", "share"]].to_numpy().tolist()
    [['BGR', 2, 0.5], ['(none)', 1, 0.25]]
    """
    if top is not None and top < 1:
        raise StatsInputError(f"top: expected a positive number of paths or None, found {top!r}")
    require_columns(runs, ["variant", "expansion_path"], parameter="runs")
    rows = []
    for variant, group in grouped(runs):
        paths = group["expansion_path"].fillna("").astype(str).replace("", NO_PATH)
        counts = paths.value_counts().rename_axis("path").reset_index(name="count")
        counts = counts.sort_values(["count", "path"], ascending=[False, True])
        n = len(paths)
        for rank, (path, count) in enumerate(counts.head(top).itertuples(index=False), start=1):
            estimate, low, high = wilson_interval(count, n, confidence=confidence)
            rows.append((variant, rank, path, int(count), estimate, low, high, n))
    columns = ["variant", "rank", "path", "count", "share", "low", "high", "n"]
    return pd.DataFrame(rows, columns=columns)


# --- trajectories ---------------------------------------------------------------------------------


def trajectory_bands(
    series: pd.DataFrame,
    columns: str | Iterable[str],
    *,
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
) -> pd.DataFrame:
    """Per-month quantile bands of trajectories across runs, per variant.

    Parameters
    ----------
    series : DataFrame, one row per run and month
        Needs ``variant``, ``month`` and ``columns``.
    columns : str or iterable of str
        Trajectory columns, e.g. ``mean_tension``, ``alignment_SRB``.
    quantiles : sequence of float, keyword-only
        Quantiles, each in [0, 1]; missing values are left out.

    Returns
    -------
    DataFrame
        Columns ``variant, column, month, n, mean`` and one column per quantile named as a
        percentile (``p5, p25, p50, p75, p95`` by default), sorted by variant (first appearance),
        column (as given) and month.

    Raises
    ------
    StatsInputError
        If a column is missing or a quantile is outside [0, 1].

    Examples
    --------
    >>> series = pd.DataFrame(
    ...     {"variant": "base", "month": [0, 0, 1, 1], "depth": [0.1, 0.3, 0.2, 0.6]}
    ... )
    >>> trajectory_bands(series, "depth", quantiles=[0.5])[["month", "p50"]].to_numpy().tolist()
    [[0.0, 0.2], [1.0, 0.4]]
    """
    columns = as_list(columns)
    qs = check_quantiles(quantiles)
    require_columns(series, ["variant", "month", *columns], parameter="series")
    long = series.melt(id_vars=["variant", "month"], value_vars=columns, var_name="column")
    long["value"] = long["value"].astype(float)
    long["variant"] = pd.Categorical(long["variant"], categories=pd.unique(series["variant"]))
    long["column"] = pd.Categorical(long["column"], categories=columns)
    groups = long.groupby(["variant", "column", "month"], observed=True)["value"]
    bands = groups.quantile(qs).unstack()
    bands.columns = [quantile_label(q) for q in qs]
    summary = pd.concat([groups.count().rename("n"), groups.mean().rename("mean"), bands], axis=1)
    summary = summary.reset_index()
    summary["variant"] = summary["variant"].astype(series["variant"].dtype)
    summary["column"] = summary["column"].astype(str)
    return summary
