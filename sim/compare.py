"""Paired comparisons of variants under common random numbers, and the analyst's summary table.

Replication ``k`` of design point ``d`` uses the same random stream in every variant (MODEL.md
section 7), so a variant's run and the baseline's run with the same ``(design_id, replication)``
form a pair. Paired methods use that: McNemar's exact test and Newcombe's paired interval for
yes/no outcomes, the Wilcoxon signed-rank test and a bootstrap over pairs for continuous ones.
Rows without a partner in the baseline are left out and the number of pairs is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.stats import (
    ID_COLUMNS,
    StatsInputError,
    as_list,
    bootstrap_batch,
    join_probabilities,
    median_time,
    numeric,
    path_frequencies,
    quantile_summary,
    require_columns,
    wilson_interval,
)

__all__ = [
    "compare_binary",
    "compare_continuous",
    "paired_difference_interval",
    "summary_table",
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


def _mean_and_median(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.stack([np.mean(x, axis=axis), np.median(x, axis=axis)])


def compare_continuous(
    runs: pd.DataFrame,
    column: str,
    *,
    baseline: str,
    confidence: float = 0.95,
    n_resamples: int = 1999,
    rng: int | np.random.Generator | None = None,
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
        Level of the bootstrap intervals.
    n_resamples : int, keyword-only
        Bootstrap resamples of the pairs.
    rng : int, Generator or None, keyword-only
        Seed of the bootstrap, normalised with ``numpy.random.default_rng``.

    Returns
    -------
    DataFrame
        One row per other variant, columns ``variant, baseline, outcome, n_pairs, mean_variant,
        mean_baseline, mean_difference, mean_low, mean_high, median_difference, median_low,
        median_high, p_value``. Differences are variant minus baseline within a pair; the
        intervals are percentile-bootstrap intervals over pairs (NaN with fewer than two pairs);
        ``p_value`` is the two-sided Wilcoxon signed-rank test of the differences with zero
        differences dropped (Wilcoxon's convention; exact for small samples without ties), 1 when
        every difference is zero, NaN without pairs.

    Raises
    ------
    StatsInputError
        If a column is missing or not numeric, ``baseline`` is not a variant, or a variant repeats a
        ``(design_id, replication)``.

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1(6);
    Efron & Tibshirani (1993), An Introduction to the Bootstrap, ch. 13.
    """
    require_columns(runs, [column], parameter="runs")
    values = numeric(runs[column], column=column)
    rng = np.random.default_rng(rng)
    rows = []
    for variant, mine, theirs in paired_frames(runs, values, baseline=baseline):
        kept = ~(np.isnan(mine) | np.isnan(theirs))
        mine, theirs = mine[kept], theirs[kept]
        differences = mine - theirs
        n = differences.size
        intervals = [np.nan] * 4
        if n >= 2:
            result = stats.bootstrap(
                (differences,),
                _mean_and_median,
                confidence_level=confidence,
                n_resamples=n_resamples,
                method="percentile",
                batch=bootstrap_batch(differences.size),
                rng=rng,
            )
            ci = result.confidence_interval
            intervals = [ci.low[0], ci.high[0], ci.low[1], ci.high[1]]
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


# --- the analyst's table ------------------------------------------------------------------------

SUMMARY_COLUMNS = ["variant", "measure", "subject", "estimate", "low", "high", "n", "p_value"]
PACT = "all"


def _paired_p_values(
    compare: Callable[..., pd.DataFrame],
    runs: pd.DataFrame,
    outcome: str | Predicate,
    *,
    baseline: str | None,
    **options: object,
) -> dict[str, float]:
    """Variant -> p-value of ``compare`` against the baseline (empty without a baseline)."""
    if baseline is None:
        return {}
    table = compare(runs, outcome, baseline=baseline, **options)
    return dict(zip(table["variant"], table["p_value"], strict=True))


def _part(
    frame: pd.DataFrame,
    measure: str,
    subject: str | pd.Series,
    columns: tuple[str, str, str],
    p_values: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Rows of the summary table from ``frame``'s variant, n and (estimate, low, high) columns."""
    estimate, low, high = columns
    return pd.DataFrame(
        {
            "variant": frame["variant"],
            "measure": measure,
            "subject": subject,
            "estimate": frame[estimate],
            "low": frame[low],
            "high": frame[high],
            "n": frame["n"],
            "p_value": frame["variant"].map(p_values or {}).astype(float),
        }
    )


def _proportions(runs: pd.DataFrame, predicate: Predicate, *, confidence: float) -> pd.DataFrame:
    """Per variant: ``variant, probability, low, high, n`` of a yes/no outcome."""
    _, values = binary_outcome(runs, predicate)
    counts = pd.Series(values).groupby(runs["variant"].to_numpy(), sort=False).agg(["sum", "size"])
    rows = [
        (variant, *wilson_interval(k, n, confidence=confidence), n)
        for variant, k, n in counts.itertuples()
    ]
    return pd.DataFrame(rows, columns=["variant", "probability", "low", "high", "n"])


def summary_table(
    runs: pd.DataFrame,
    codes: str | Iterable[str],
    *,
    baseline: str | None = None,
    years: Sequence[int] = (1, 5, 10),
    confidence: float = 0.95,
    n_resamples: int = 1999,
    rng: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """One flat table of the headline results per variant, for ``summary.csv`` and the terminal.

    Parameters
    ----------
    runs : DataFrame, one row per run
        Needs ``variant``, ``horizon``, ``join_month_<CODE>`` for each code, ``new_members``,
        ``crisis_count``, ``peak_tension`` and ``expansion_path``; every ``peak_tension_<A>-<B>``
        column present is summarised too. With a baseline also ``design_id`` and ``replication``.
    codes : str or iterable of str
        Countries whose accession is reported (usually the candidates, not the founders).
    baseline : str or None, keyword-only
        If given, ``p_value`` holds the paired test of each other variant against it (McNemar
        for probabilities, Wilcoxon for medians); otherwise it is NaN.
    years : sequence of int, keyword-only
        Report the probability of having joined within these many years (``join_month < 12 *
        year``); years beyond the shortest horizon are skipped.
    confidence : float, keyword-only
        Level of every interval.
    n_resamples : int, keyword-only
        Bootstrap resamples for the interval of the median peak tension.
    rng : int, Generator or None, keyword-only
        Seed of the bootstrap, normalised once with ``numpy.random.default_rng``.

    Returns
    -------
    DataFrame
        Columns ``variant, measure, subject, estimate, low, high, n, p_value``, one row per
        variant and:

        - ``P(joined by year Y)``, subject a country: proportion with Wilson interval;
        - ``median join month``, subject a country: Kaplan–Meier median month index with its
          interval (:func:`~sim.stats.median_time`; NaN where not reached);
        - ``P(any new member)`` and ``P(crisis)``, subject ``all``: Wilson intervals;
        - ``median peak tension``, subject ``all`` or a dyad such as ``SRB-XKX``: percentile
          bootstrap interval;
        - ``top expansion path``, subject the path (``(none)`` if nobody joined): its share with
          Wilson interval.

    Raises
    ------
    StatsInputError
        If a column is missing, a year is not positive or ``baseline`` is not a variant.
    """
    codes = as_list(codes)
    dyads = [c for c in runs.columns if c.startswith("peak_tension_")]
    needed = [
        "variant",
        "horizon",
        "new_members",
        "crisis_count",
        "peak_tension",
        "expansion_path",
        *[f"join_month_{code}" for code in codes],
    ]
    require_columns(runs, needed, parameter="runs")
    if any(int(year) < 1 for year in years):
        raise StatsInputError(f"years: expected positive numbers of years, found {list(years)}")
    rng = np.random.default_rng(rng)
    interval = ("probability", "low", "high")
    parts = []

    months = [12 * int(year) for year in years if 12 * int(year) <= runs["horizon"].min()]
    joined = join_probabilities(runs, codes, by_months=months, confidence=confidence)
    for code in codes:
        for month in months:
            column = f"join_month_{code}"
            p_values = _paired_p_values(
                compare_binary, runs, lambda r, c=column, m=month: r[c] < m, baseline=baseline
            )
            part = joined[(joined["country"] == code) & (joined["by_month"] == month)]
            parts.append(_part(part, f"P(joined by year {month // 12})", code, interval, p_values))

    medians = []
    for variant, group in runs.groupby("variant", sort=False):
        for code in codes:
            times = group[f"join_month_{code}"]
            median = median_time(times, group["horizon"], confidence=confidence)
            medians.append((variant, code, *median, len(group)))
    medians = pd.DataFrame(medians, columns=["variant", "code", "estimate", "low", "high", "n"])
    parts.append(_part(medians, "median join month", medians["code"], ("estimate", "low", "high")))

    events = {
        "P(any new member)": lambda r: r["new_members"] > 0,
        "P(crisis)": lambda r: r["crisis_count"] > 0,
    }
    for measure, predicate in events.items():
        p_values = _paired_p_values(compare_binary, runs, predicate, baseline=baseline)
        table = _proportions(runs, predicate, confidence=confidence)
        parts.append(_part(table, measure, PACT, interval, p_values))

    options = {"confidence": confidence, "n_resamples": n_resamples, "rng": rng}
    tension = quantile_summary(runs, ["peak_tension", *dyads], quantiles=(0.5,), **options)
    for column in ["peak_tension", *dyads]:
        p_values = _paired_p_values(compare_continuous, runs, column, baseline=baseline, **options)
        subject = column.removeprefix("peak_tension").removeprefix("_") or PACT
        part = tension[tension["column"] == column]
        parts.append(
            _part(
                part, "median peak tension", subject, ("p50", "median_low", "median_high"), p_values
            )
        )

    paths = path_frequencies(runs, top=1, confidence=confidence)
    parts.append(_part(paths, "top expansion path", paths["path"], ("share", "low", "high")))

    table = pd.concat(parts, ignore_index=True)[SUMMARY_COLUMNS]
    order = {variant: i for i, variant in enumerate(pd.unique(runs["variant"]))}
    return table.sort_values(
        "variant", key=lambda v: v.map(order), kind="stable", ignore_index=True
    )
