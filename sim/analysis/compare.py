"""Paired comparisons of variants under common random numbers.

Replication ``k`` of design point ``d`` uses the same random stream in every variant (MODEL.md
section 7), so a variant's run and the baseline's run with the same ``(design_id, replication)``
form a pair. Paired methods use that: McNemar's exact test and Newcombe's paired interval for
yes/no outcomes, the Wilcoxon signed-rank test, the paired t interval of the mean difference
and the order-statistic interval of the median difference for continuous ones.
Rows without a partner in the baseline are left out and the number of pairs is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.stats import (
    ID_COLUMNS,
    StatsInputError,
    median_interval,
    numeric,
    require_columns,
    wilson_interval,
)

__all__ = [
    "compare_binary",
    "compare_continuous",
    "paired_difference_interval",
]

PAIR_KEYS = ["design_id", "replication"]
Predicate = Callable[[pd.DataFrame], "pd.Series | np.ndarray"]


def paired_difference_interval(
    both: int, variant_only: int, baseline_only: int, neither: int, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Difference of two paired proportions with Newcombe's hybrid score interval.

    The four counts are the cells of the paired 2×2 table: the event happened in both runs of a
    pair, only in the variant's, only in the baseline's, or in neither.

    Parameters
    ----------
    both, variant_only, baseline_only, neither : int
        Cell counts, each non-negative.
    confidence : float, keyword-only
        Level of the interval.

    Returns
    -------
    estimate, low, high : float
        ``p_variant - p_baseline = (variant_only - baseline_only) / n`` and the interval; all NaN
        when there are no pairs.

    Raises
    ------
    StatsInputError
        If a count is negative.

    Notes
    -----
    Newcombe's method 10: the Wilson intervals ``(l1, u1)`` of ``p1 = p_variant`` and ``(l2, u2)``
    of ``p2 = p_baseline`` are combined by "square and add" with the correlation estimate
    ``phi = C / sqrt(n1 n2 m1 m2)`` of the margins, where ``A = both * neither - variant_only *
    baseline_only`` and ``C = A - n/2`` if ``A > n/2``, ``0`` if ``0 <= A <= n/2``, ``A`` if
    ``A < 0`` (``phi = 0`` if a margin is empty):
    ``low = d - sqrt((p1 - l1)^2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)^2)``,
    ``high = d + sqrt((p2 - l2)^2 - 2 phi (p2 - l2)(u1 - p1) + (u1 - p1)^2)``.
    It is closed-form, stays inside [-1, 1] and behaves well with few discordant pairs, where a
    bootstrap interval collapses to a point.

    References
    ----------
    Newcombe, R. G. (1998). Improved confidence intervals for the difference between binomial
    proportions based on paired data. Statistics in Medicine 17(22), 2635–2650. Fagerland, M. W.,
    Lydersen, S. & Laake, P. (2014). Recommended tests and confidence intervals for paired
    binomial proportions. Statistics in Medicine 33(16), 2850–2875 (worked example: 59, 6, 16, 80
    gives -0.0621, 95% CI -0.1186 to -0.0046).

    Examples
    --------
    >>> [round(v, 4) for v in paired_difference_interval(59, 6, 16, 80)]
    [-0.0621, -0.1186, -0.0046]
    """
    counts = [int(both), int(variant_only), int(baseline_only), int(neither)]
    if min(counts) < 0:
        raise StatsInputError(f"paired counts: expected non-negative counts, found {counts}")
    a, b, c, d = counts
    n = a + b + c + d
    if n == 0:
        return (np.nan, np.nan, np.nan)
    p1, l1, u1 = wilson_interval(a + b, n, confidence=confidence)
    p2, l2, u2 = wilson_interval(a + c, n, confidence=confidence)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    corrected = cross - n / 2 if cross > n / 2 else min(cross, 0)
    phi = corrected / np.sqrt(margins) if margins > 0 else 0.0
    estimate = (b - c) / n
    low = estimate - np.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    high = estimate + np.sqrt((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2)
    return (float(estimate), float(low), float(high))


def paired_frames(
    runs: pd.DataFrame, values: pd.Series, *, baseline: str
) -> Iterable[tuple[str, np.ndarray, np.ndarray]]:
    """(variant, variant values, baseline values) for each non-baseline variant, row-aligned pairs.

    Raises
    ------
    StatsInputError
        If a key column is missing, ``baseline`` is not a variant, or a variant has two rows with
        the same ``(design_id, replication)``.
    """
    require_columns(runs, ID_COLUMNS, parameter="runs")
    keyed = runs[list(ID_COLUMNS)].assign(value=np.asarray(values))
    variants = list(pd.unique(keyed["variant"]))
    if baseline not in variants:
        raise StatsInputError(
            f"baseline: expected one of the variants {variants}, found {baseline!r}"
        )
    duplicated = keyed.duplicated(list(ID_COLUMNS), keep=False)
    if duplicated.any():
        first = keyed.loc[duplicated, list(ID_COLUMNS)].iloc[0].tolist()
        raise StatsInputError(
            f"runs: expected one row per (variant, design_id, replication), "
            f"found repeats of {first}"
        )
    base = keyed[keyed["variant"] == baseline].drop(columns="variant")
    for variant in variants:
        if variant == baseline:
            continue
        own = keyed[keyed["variant"] == variant].drop(columns="variant")
        pairs = own.merge(base, on=PAIR_KEYS, suffixes=("_variant", "_baseline"))
        yield variant, pairs["value_variant"].to_numpy(), pairs["value_baseline"].to_numpy()


def binary_outcome(
    runs: pd.DataFrame, column_or_predicate: str | Predicate
) -> tuple[str, np.ndarray]:
    """The outcome's name and its yes/no values (bool array, one per row of ``runs``)."""
    if callable(column_or_predicate):
        name = getattr(column_or_predicate, "__name__", "predicate")
        raw = pd.Series(np.asarray(column_or_predicate(runs)))
    else:
        name = column_or_predicate
        require_columns(runs, [name], parameter="column_or_predicate")
        raw = runs[name].reset_index(drop=True)
    if len(raw) != len(runs):
        raise StatsInputError(
            f"{name}: expected one value per run ({len(runs)}), found {len(raw)} values"
        )
    values = numeric(raw, column=name)
    if not np.isin(values, (0.0, 1.0)).all():
        raise StatsInputError(f"{name}: expected yes/no values (bool or 0/1 without NaN)")
    return name, values.astype(bool)


def compare_binary(
    runs: pd.DataFrame,
    column_or_predicate: str | Predicate,
    *,
    baseline: str,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired comparison of a yes/no outcome between each variant and the baseline.

    Parameters
    ----------
    runs : DataFrame, one row per run
        Needs ``variant``, ``design_id``, ``replication`` and the outcome column.
    column_or_predicate : str or callable
        A boolean (or 0/1) column, or a function of ``runs`` returning one boolean per row, e.g.
        ``lambda runs: runs["join_month_BGR"] < 60``.
    baseline : str, keyword-only
        The variant the others are compared with.
    confidence : float, keyword-only
        Level of the interval of the difference.

    Returns
    -------
    DataFrame
        One row per other variant, columns ``variant, baseline, outcome, n_pairs, p_variant,
        p_baseline, difference, low, high, n_variant_only, n_baseline_only, p_value``.
        ``difference = p_variant - p_baseline`` with Newcombe's paired interval
        (:func:`paired_difference_interval`); ``n_variant_only`` and ``n_baseline_only`` are the
        discordant pairs; ``p_value`` is McNemar's exact two-sided test, the binomial test of
        ``n_variant_only`` out of the discordant pairs against 1/2 (1 when there are none).

    Raises
    ------
    StatsInputError
        If a column is missing, the outcome is not yes/no, ``baseline`` is not a variant, or a
        variant repeats a ``(design_id, replication)``.

    References
    ----------
    McNemar, Q. (1947). Psychometrika 12(2); Fagerland, Lydersen & Laake (2013), BMC Medical
    Research Methodology 13:91, on the exact conditional McNemar test.
    """
    name, values = binary_outcome(runs, column_or_predicate)
    rows = []
    for variant, mine, theirs in paired_frames(runs, values, baseline=baseline):
        both, only_mine = int(np.sum(mine & theirs)), int(np.sum(mine & ~theirs))
        only_theirs, neither = int(np.sum(~mine & theirs)), int(np.sum(~mine & ~theirs))
        difference, low, high = paired_difference_interval(
            both, only_mine, only_theirs, neither, confidence=confidence
        )
        discordant = only_mine + only_theirs
        p_value = stats.binomtest(only_mine, discordant).pvalue if discordant else 1.0
        n = mine.size
        p_variant = mine.mean() if n else np.nan
        p_baseline = theirs.mean() if n else np.nan
        rows.append(
            (
                variant,
                baseline,
                name,
                n,
                p_variant,
                p_baseline,
                difference,
                low,
                high,
                only_mine,
                only_theirs,
                float(p_value) if n else np.nan,
            )
        )
    columns = [
        "variant",
        "baseline",
        "outcome",
        "n_pairs",
        "p_variant",
        "p_baseline",
        "difference",
        "low",
        "high",
        "n_variant_only",
        "n_baseline_only",
        "p_value",
    ]
    return pd.DataFrame(rows, columns=columns)


def compare_continuous(
    runs: pd.DataFrame,
    column: str,
    *,
    baseline: str,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired comparison of a continuous outcome between each variant and the baseline.

    Parameters
    ----------
    runs : DataFrame, one row per run
        Needs ``variant``, ``design_id``, ``replication`` and ``column``.
    column : str
        A numeric outcome, e.g. ``peak_tension``. Pairs with NaN on either side are left out.
    baseline : str, keyword-only
        The variant the others are compared with.
    confidence : float, keyword-only
        Level of the intervals.

    Returns
    -------
    DataFrame
        One row per other variant, columns ``variant, baseline, outcome, n_pairs, mean_variant,
        mean_baseline, mean_difference, mean_low, mean_high, median_difference, median_low,
        median_high, p_value``. Differences are variant minus baseline within a pair; the mean
        difference has the paired t interval (``scipy.stats.ttest_rel``), the median difference the
        distribution-free order-statistic interval (:func:`sim.analysis.stats.median_interval`); NaN
        with too few pairs; ``p_value`` is the two-sided Wilcoxon signed-rank test of the
        differences with zero differences dropped (Wilcoxon's convention; exact for small samples
        without ties), 1 when every difference is zero, NaN without pairs.

    Raises
    ------
    StatsInputError
        If a column is missing or not numeric, ``baseline`` is not a variant, or a variant repeats a
        ``(design_id, replication)``.

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1(6);
    Conover, W. J. (1999). Practical Nonparametric Statistics, 3rd ed., section 3.2.
    """
    require_columns(runs, [column], parameter="runs")
    values = numeric(runs[column], column=column)
    rows = []
    for variant, mine, theirs in paired_frames(runs, values, baseline=baseline):
        kept = ~(np.isnan(mine) | np.isnan(theirs))
        mine, theirs = mine[kept], theirs[kept]
        differences = mine - theirs
        n = differences.size
        intervals = [np.nan] * 4
        if n >= 2:
            # identical differences (up to rounding) have no spread: a point interval
            spread = np.ptp(differences) > 1e-12 * max(1.0, float(np.abs(differences).max()))
            mean_interval = (
                stats.ttest_rel(mine, theirs).confidence_interval(confidence)
                if spread
                else (differences.mean(), differences.mean())
            )
            intervals = [*mean_interval, *median_interval(differences, confidence=confidence)]
        nonzero = differences[differences != 0]
        if n == 0:
            p_value = np.nan
        elif nonzero.size == 0:
            p_value = 1.0
        else:
            p_value = stats.wilcoxon(nonzero).pvalue
        means = [x.mean() if n else np.nan for x in (mine, theirs, differences)]
        median = np.median(differences) if n else np.nan
        rows.append(
            (
                variant,
                baseline,
                column,
                n,
                *means,
                *intervals[:2],
                median,
                *intervals[2:],
                float(p_value),
            )
        )
    columns = [
        "variant",
        "baseline",
        "outcome",
        "n_pairs",
        "mean_variant",
        "mean_baseline",
        "mean_difference",
        "mean_low",
        "mean_high",
        "median_difference",
        "median_low",
        "median_high",
        "p_value",
    ]
    return pd.DataFrame(rows, columns=columns)
