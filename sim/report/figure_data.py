"""The tables the figures draw, computed from the runs and trajectories of a results folder.

Pure functions: each takes the few columns it needs (one row per run, or the long trajectories)
and returns a long table that a function of :mod:`sim.report.plots` draws as it is. Intervals come
from :mod:`sim.analysis.stats` and :mod:`sim.analysis.survival`; nothing here is drawn or read
from disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.stats import path_frequencies
from sim.analysis.survival import survival_table

STAGES = ("declaration", "security mechanism", "formal alliance")
STAGE_COLUMNS = ("stage_month_security_mechanism", "stage_month_formal_alliance")
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def wilson_bounds(
    successes: np.ndarray, trials: int, *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Proportions ``successes / trials`` with Wilson score intervals, for many counts at once.

    The same interval as :func:`sim.analysis.stats.wilson_interval` (Wilson 1927), written out
    for arrays because scipy's ``binomtest`` takes one count at a time (about 1 ms each, and a
    figure needs thousands).

    Examples
    --------
    >>> [round(float(v[0]), 4) for v in wilson_bounds(np.array([7]), 20)]
    [0.35, 0.1812, 0.5671]
    """
    k = np.asarray(successes, dtype=float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = k / trials
    denominator = 1 + z**2 / trials
    centre = (p + z**2 / (2 * trials)) / denominator
    half = z * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / denominator
    return p, np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def _happened_by(times: np.ndarray, months: np.ndarray) -> np.ndarray:
    """How many of ``times`` (NaN = never) are at or before each month: counts of shape (m,)."""
    done = np.sort(times[~np.isnan(times)])
    return np.searchsorted(done, months, side="right")


def membership_over_time(runs: pd.DataFrame, codes: Iterable[str], *, months: int) -> pd.DataFrame:
    """Share of runs in which each country is a member of the pact at the end of each month.

    A country counts as a member at month ``m`` if it first joined in a month ``<= m`` and had not
    left by then (``join_month_<C> <= m`` and not ``exit_month_<C> <= m``); a country that left
    and joined again is counted out from its first exit (the runs table keeps first joins and
    first exits only), so the curve is a lower bound after exits.

    Parameters
    ----------
    runs : DataFrame, one row per run
        ``variant``, ``join_month_<C>`` and ``exit_month_<C>`` for each code.
    codes : iterable of str
        Candidate countries.
    months : int
        Horizon: months ``0 .. months - 1`` are reported.

    Returns
    -------
    DataFrame
        ``variant, country, month, probability, low, high, n`` with 95% Wilson intervals.
    """
    grid = np.arange(months)
    parts = []
    for variant, group in runs.groupby("variant", sort=False):
        n = len(group)
        for code in codes:
            joined = _happened_by(group[f"join_month_{code}"].to_numpy(float), grid)
            exit_column = f"exit_month_{code}"
            left = (
                _happened_by(group[exit_column].to_numpy(float), grid)
                if exit_column in group
                else 0
            )
            probability, low, high = wilson_bounds(joined - left, n)
            parts.append(
                pd.DataFrame(
                    {
                        "variant": variant,
                        "country": code,
                        "month": grid,
                        "probability": probability,
                        "low": low,
                        "high": high,
                        "n": n,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def join_curves(runs: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    """Kaplan–Meier probability that each country has joined by each month, per variant.

    Returns
    -------
    DataFrame
        ``variant, country, month, joined, low, high, n``: ``joined`` is one minus the survival
        curve of ``join_month_<C>`` censored at the horizon, with the 95% log-log band
        (:func:`sim.analysis.survival.survival_table`); month ``m`` means "in months ``0 .. m-1``".
    """
    parts = []
    for code in codes:
        curve = survival_table(runs, f"join_month_{code}")
        parts.append(
            pd.DataFrame(
                {
                    "variant": curve["variant"],
                    "country": code,
                    "month": curve["month"],
                    "joined": 1.0 - curve["survival"],
                    "low": 1.0 - curve["high"],
                    "high": 1.0 - curve["low"],
                    "n": curve["n"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def tension_fans(series: pd.DataFrame, dyads: Sequence[str]) -> pd.DataFrame:
    """Per-month median, 50% and 90% bands of each tracked dyad's tension, per variant.

    Parameters
    ----------
    series : DataFrame, one row per run and recorded month
        ``variant``, ``month`` and ``tension_<dyad>`` for each dyad (one variant at a time
        keeps memory small: see :mod:`sim.report.drawing`).
    dyads : sequence of str
        Dyads such as ``SRB-XKX``.

    Returns
    -------
    DataFrame
        ``variant, dyad, month, n, p5, p25, p50, p75, p95`` (linear interpolation, as
        ``numpy.quantile``; the same as :func:`sim.analysis.stats.trajectory_bands` without its
        long intermediate table).
    """
    parts = []
    groups = series.groupby(["variant", "month"], sort=False)
    for dyad in dyads:
        values = groups[f"tension_{dyad}"]
        bands = values.quantile(list(FAN_QUANTILES)).unstack()
        bands.columns = [f"p{round(100 * q):g}" for q in FAN_QUANTILES]
        bands.insert(0, "n", values.count())
        bands = bands.reset_index()
        bands.insert(1, "dyad", dyad)
        parts.append(bands)
    return pd.concat(parts, ignore_index=True)


def stage_shares(runs: pd.DataFrame, *, months: int) -> pd.DataFrame:
    """Share of runs whose pact has reached each integration stage by the end of each month.

    The stage is the highest reached so far (``stage_month_security_mechanism``,
    ``stage_month_formal_alliance``: first month at or above the stage's depth); runs that have
    reached neither are at the declaration stage.

    Returns
    -------
    DataFrame
        ``variant, month, stage, share`` with ``stage`` one of :data:`STAGES`; shares of a month
        sum to 1.
    """
    grid = np.arange(months)
    parts = []
    for variant, group in runs.groupby("variant", sort=False):
        n = len(group)
        security, formal = (
            _happened_by(group[column].to_numpy(float), grid) / n for column in STAGE_COLUMNS
        )
        shares = {STAGES[0]: 1.0 - security, STAGES[1]: security - formal, STAGES[2]: formal}
        for stage, share in shares.items():
            parts.append(pd.DataFrame({"variant": variant, "month": grid, "stage": stage,
                                       "share": share}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def top_paths(runs: pd.DataFrame, *, top: int = 8) -> pd.DataFrame:
    """The most frequent expansion paths per variant with 95% Wilson intervals of their shares.

    Returns
    -------
    DataFrame
        ``variant, rank, path, count, share, low, high, n``
        (:func:`sim.analysis.stats.path_frequencies`), paths written with arrows (``BGR → MNE``).
    """
    paths = path_frequencies(runs, top=top)
    paths["path"] = paths["path"].str.replace(">", " → ", regex=False)
    return paths


def differences(summary: pd.DataFrame, *, years: Sequence[int]) -> pd.DataFrame:
    """The paired differences from the baseline that the forest plot shows.

    Kept: the probability of joining by the last reported year for each country whose estimate or
    difference is at least one percentage point in some variant, the chance of any new member and
    of a crisis (all in probability units), and the mean peak tensions (tension units).

    Returns
    -------
    DataFrame
        ``variant, label, kind, difference, difference_low, difference_high, p_value`` with
        ``kind`` ``probability`` or ``tension``; empty without paired differences.
    """
    paired = summary[summary["difference"].notna()].copy()
    if paired.empty:
        return pd.DataFrame(columns=["variant", "label", "kind", "difference", "difference_low",
                                     "difference_high", "p_value"])  # fmt: skip
    last = f"P(joined by year {max(years)})" if years else None
    joined = summary[summary["measure"] == last]
    relevant = joined.groupby("subject")[["estimate", "difference"]].agg(
        lambda v: np.nanmax(np.abs(v.to_numpy(float))) if v.notna().any() else 0.0
    )
    shown = set(relevant.index[(relevant >= 0.01).any(axis=1)])
    keep = (
        ((paired["measure"] == last) & paired["subject"].isin(shown))
        | paired["measure"].isin(["P(any new member)", "P(crisis)"])
        | (paired["measure"] == "mean peak tension")
    )
    paired = paired[keep]
    kind = np.where(paired["measure"] == "mean peak tension", "tension", "probability")
    label = np.where(
        paired["measure"] == last,
        paired["subject"] + f" joins by year {max(years) if years else ''}",
        np.where(
            kind == "tension",
            paired["subject"].replace("all", "any dyad (highest)"),
            paired["measure"],
        ),
    )
    table = paired[["variant", "difference", "difference_low", "difference_high", "p_value"]]
    table.insert(1, "label", label)
    table.insert(2, "kind", kind)
    return table.reset_index(drop=True)


def shown_candidates(
    table: pd.DataFrame, value: str, *, at_least: float = 0.01, limit: int = 6
) -> list[str]:
    """Countries whose ``value`` reaches ``at_least`` in some variant, highest first (at most
    ``limit``), so that figures show the countries that matter."""
    peak = table.groupby("country", sort=False)[value].max()
    peak = peak[peak >= at_least].sort_values(ascending=False, kind="stable")
    return list(peak.index[:limit])
