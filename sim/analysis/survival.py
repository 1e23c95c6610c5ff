"""Time-to-event statistics: Kaplan–Meier curves and median times, censored at the horizon.

Join months, first-crisis months and stage months hold the month index ``0 .. horizon - 1`` of the
event, NaN when it did not happen: the time is right-censored at the run's horizon. The curves use
``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from sim.analysis.stats import StatsInputError, grouped, require_columns

__all__ = ["kaplan_meier", "median_time", "survival_table"]


# --- time to event --------------------------------------------------------------------------------


def _km_fit(times: ArrayLike, horizon: ArrayLike) -> tuple[Any | None, int]:
    """Kaplan–Meier fit on elapsed months ``time + 1``, censored at ``horizon``; None if no runs."""
    times = np.asarray(times, dtype=float).ravel()
    horizons = np.broadcast_to(np.asarray(horizon, dtype=float), times.shape)
    happened = ~np.isnan(times)
    bad = happened & ((times < 0) | (times >= horizons))
    if np.any(bad):
        raise StatsInputError(
            f"times: expected event months in 0 .. horizon - 1 (NaN if none), found "
            f"{times[bad][:5].tolist()} with horizon {horizons[bad][:5].tolist()}"
        )
    if times.size == 0:
        return None, 0
    data = stats.CensoredData(uncensored=times[happened] + 1.0, right=horizons[~happened])
    return stats.ecdf(data), times.size


def _bands(fit: Any, confidence: float):
    with warnings.catch_warnings():  # NaN bounds where the log-log interval is undefined
        warnings.simplefilter("ignore", RuntimeWarning)
        return fit.sf.confidence_interval(confidence_level=confidence, method="log-log")


def kaplan_meier(
    times: ArrayLike,
    horizon: int | ArrayLike,
    *,
    months: Iterable[int] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Kaplan–Meier survival curve of a time-to-event outcome censored at the horizon.

    Parameters
    ----------
    times : array_like, shape (n,)
        Month index ``0 .. horizon - 1`` of the event in each run, NaN if it did not happen.
    horizon : int or array_like, shape (n,)
        Months simulated in each run; runs without the event are censored there.
    months : iterable of int or None, keyword-only
        Months at which to report the curve; None means ``0 .. max(horizon)``.
    confidence : float, keyword-only
        Level of the pointwise confidence band.

    Returns
    -------
    DataFrame
        Columns ``month, survival, low, high``. ``survival`` at month ``m`` is the probability that
        the event has not happened in months ``0 .. m - 1`` (so it is 1 at month 0). ``low`` and
        ``high`` are the pointwise log-log (Kalbfleisch–Prentice) interval from Greenwood's
        variance; where that is undefined it is NaN, except that ``high`` is 1 where the survival is
        1 and ``low`` is 0 where it is 0. All NaN if ``times`` is empty.

    Raises
    ------
    StatsInputError
        If an event month is negative or not before its horizon.

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations.
    JASA 53(282). Computed by ``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``.

    Examples
    --------
    >>> curve = kaplan_meier([0.0, 2.0, np.nan, np.nan], 4)
    >>> curve["survival"].tolist()
    [1.0, 0.75, 0.75, 0.5, 0.5]
    """
    fit, n = _km_fit(times, horizon)
    if months is None:
        months = np.arange(int(np.max(horizon)) + 1 if n else 1)
    grid = np.asarray(list(months), dtype=float)
    if fit is None:
        nan = np.full(grid.shape, np.nan)
        return pd.DataFrame({"month": grid.astype(int), "survival": nan, "low": nan, "high": nan})
    survival = fit.sf.evaluate(grid)
    band = _bands(fit, confidence)
    low, high = band.low.evaluate(grid), band.high.evaluate(grid)
    high = np.where(survival == 1.0, 1.0, high)
    low = np.where(survival == 0.0, 0.0, low)
    return pd.DataFrame({"month": grid.astype(int), "survival": survival, "low": low, "high": high})


def survival_table(
    runs: pd.DataFrame,
    column: str,
    *,
    months: Iterable[int] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Kaplan–Meier curve of one time-to-event column per variant.

    Parameters
    ----------
    runs : DataFrame, one row per run
        Needs ``variant``, ``horizon`` and ``column``.
    column : str
        A time-to-event column, e.g. ``join_month_BGR`` or ``first_crisis_month``.
    months : iterable of int or None, keyword-only
        Months to report; None means ``0 .. max(horizon)`` of each variant.
    confidence : float, keyword-only
        Level of the pointwise band.

    Returns
    -------
    DataFrame
        Columns ``variant, month, survival, low, high, n`` (see :func:`kaplan_meier`).

    Raises
    ------
    StatsInputError
        If a column is missing or holds impossible months.
    """
    require_columns(runs, ["variant", "horizon", column], parameter="runs")
    parts = []
    for variant, group in grouped(runs):
        curve = kaplan_meier(group[column], group["horizon"], months=months, confidence=confidence)
        curve.insert(0, "variant", variant)
        curve["n"] = len(group)
        parts.append(curve)
    return pd.concat(parts, ignore_index=True)


def median_time(
    times: ArrayLike, horizon: int | ArrayLike, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Median month of a censored time-to-event outcome, with its confidence interval.

    The median is the first month ``m`` by which the Kaplan–Meier probability that the event has
    happened reaches one half, i.e. the smallest event month whose step takes the survival curve
    to 0.5 or below (when the curve sits exactly at 0.5 this is the start of that plateau, not
    its midpoint as in R's ``survfit``). The interval is where the pointwise confidence band
    crosses 0.5: the lower bound is the first month at which the band's lower curve is at or
    below 0.5, the upper bound the first month at which its upper curve is.

    Parameters
    ----------
    times : array_like, shape (n,)
        Event month ``0 .. horizon - 1`` of each run, NaN if none.
    horizon : int or array_like, shape (n,)
        Months simulated in each run.
    confidence : float, keyword-only
        Level of the band and hence of the interval.

    Returns
    -------
    estimate, low, high : float
        Month indices. NaN means "not reached" within the horizon: the estimate is NaN when the
        survival curve never drops to 0.5 (the event happens in fewer than half of the runs, after
        allowing for censoring), and so is the upper bound; the upper bound alone is NaN when the
        band's upper curve never drops to 0.5; the lower bound is NaN only if even the band's lower
        curve stays above 0.5.

    Raises
    ------
    StatsInputError
        If an event month is negative or not before its horizon.

    References
    ----------
    Brookmeyer, R. & Crowley, J. (1982). A confidence interval for the median survival time.
    Biometrics 38(1); Klein, J. P. & Moeschberger, M. L. (2003). Survival Analysis, 2nd ed.,
    section 4.5.

    Examples
    --------
    >>> median_time([1.0, 2.0, 2.0, 4.0, 6.0], 10)[0]
    2.0
    >>> median_time([1.0, np.nan, np.nan, np.nan], 10)
    (nan, 1.0, nan)
    """
    fit, _ = _km_fit(times, horizon)
    if fit is None:
        return (np.nan, np.nan, np.nan)
    band = _bands(fit, confidence)
    elapsed = fit.sf.quantiles

    def first_at_or_below_half(curve: np.ndarray) -> float:
        hits = np.flatnonzero(curve <= 0.5 + 1e-12)  # NaN compares False
        return float(elapsed[hits[0]] - 1.0) if hits.size else np.nan

    survival = fit.sf.probabilities
    low = np.where(survival == 0.0, 0.0, band.low.probabilities)
    return (
        first_at_or_below_half(survival),
        first_at_or_below_half(low),
        first_at_or_below_half(band.high.probabilities),
    )
