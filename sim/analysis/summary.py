"""The analyst's summary table: headline results per variant with paired differences.

One flat, long table (``variant, measure, subject, estimate, low, high, n, difference,
difference_low, difference_high, p_value``) that serialises to ``summary.csv`` and that the
terminal tables print: join probabilities by year, median join months, the chance of any new
member and of a crisis, median and mean peak tensions and the top expansion path, each with its
interval, and for every variant but the baseline its paired difference from the baseline under
common random numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.compare import Predicate, binary_outcome, compare_binary, compare_continuous
from sim.analysis.stats import (
    StatsInputError,
    as_list,
    join_probabilities,
    numeric,
    path_frequencies,
    quantile_summary,
    require_columns,
    wilson_interval,
)
from sim.analysis.survival import median_time
from sim.scenario.calendar import month_to_step

__all__ = ["SUMMARY_COLUMNS", "summary_table"]


SUMMARY_COLUMNS = [
    "variant",
    "measure",
    "subject",
    "estimate",
    "low",
    "high",
    "n",
    "difference",
    "difference_low",
    "difference_high",
    "p_value",
]
PAIRED = ["difference", "difference_low", "difference_high", "p_value"]
PACT = "all"


def paired_differences(
    compare: Callable[..., pd.DataFrame],
    runs: pd.DataFrame,
    outcome: str | Predicate,
    columns: tuple[str, str, str],
    *,
    baseline: str | None,
    **options: object,
) -> pd.DataFrame:
    """Variant -> (difference, low, high, p-value) of ``compare`` against the baseline.

    ``columns`` names the difference and its interval in ``compare``'s table. Empty without a
    baseline.
    """
    if baseline is None:
        return pd.DataFrame(columns=PAIRED)
    table = compare(runs, outcome, baseline=baseline, **options)
    renamed = table.set_index("variant")[[*columns, "p_value"]]
    renamed.columns = PAIRED
    return renamed


def _part(
    frame: pd.DataFrame,
    measure: str,
    subject: str | pd.Series,
    columns: tuple[str, str, str],
    paired: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rows of the summary table from ``frame``'s variant, n and (estimate, low, high) columns,
    with the paired difference from the baseline where ``paired`` has one."""
    estimate, low, high = columns
    part = pd.DataFrame(
        {
            "variant": frame["variant"].to_numpy(),
            "measure": measure,
            "subject": subject if isinstance(subject, str) else subject.to_numpy(),
            "estimate": frame[estimate].to_numpy(),
            "low": frame[low].to_numpy(),
            "high": frame[high].to_numpy(),
            "n": frame["n"].to_numpy(),
        }
    )
    paired = pd.DataFrame(columns=PAIRED) if paired is None else paired
    joined = paired.reindex(part["variant"]).astype(float).reset_index(drop=True)
    return pd.concat([part, joined], axis=1)


def _proportions(runs: pd.DataFrame, predicate: Predicate, *, confidence: float) -> pd.DataFrame:
    """Per variant: ``variant, probability, low, high, n`` of a yes/no outcome."""
    _, values = binary_outcome(runs, predicate)
    counts = pd.Series(values).groupby(runs["variant"].to_numpy(), sort=False).agg(["sum", "size"])
    rows = [
        (variant, *wilson_interval(k, n, confidence=confidence), n)
        for variant, k, n in counts.itertuples()
    ]
    return pd.DataFrame(rows, columns=["variant", "probability", "low", "high", "n"])


def _means(runs: pd.DataFrame, column: str, *, confidence: float) -> pd.DataFrame:
    """Per variant: ``variant, mean, low, high, n`` of a numeric column (t interval)."""
    rows = []
    for variant, group in runs.groupby("variant", sort=False):
        values = numeric(group[column], column=column)
        values = values[~np.isnan(values)]
        n = values.size
        mean = values.mean() if n else np.nan
        low = high = mean
        if n >= 2 and np.ptp(values) > 0:
            low, high = stats.t.interval(confidence, n - 1, loc=mean, scale=stats.sem(values))
        rows.append((variant, mean, low, high, n))
    return pd.DataFrame(rows, columns=["variant", "mean", "low", "high", "n"])


def _medians(
    runs: pd.DataFrame, stage: str, codes: list[str], *, confidence: float
) -> pd.DataFrame:
    """Per variant and code: the Kaplan–Meier median of ``<stage>_month_<code>``."""
    medians = []
    for variant, group in runs.groupby("variant", sort=False):
        for code in codes:
            times = group[f"{stage}_month_{code}"]
            median = median_time(times, group["horizon"], confidence=confidence)
            medians.append((variant, code, *median, len(group)))
    return pd.DataFrame(medians, columns=["variant", "code", "estimate", "low", "high", "n"])


PROCESS_MEDIANS = {
    "apply": "median application month",
    "invite": "median invitation month",
    "ratified": "median last ratification month",
}


PROCESS_TARGETS = {"invite": "P(invited by ", "ratified": "P(ratified by "}


def _process_parts(
    runs: pd.DataFrame,
    codes: list[str],
    targets: list[tuple[int, str]],
    *,
    baseline: str | None,
    confidence: float,
) -> list[pd.DataFrame]:
    """The accession process's rows (a pact with ``accession: process``; MODEL.md P1 to P5):
    per candidate, the chance of being invited and of the last ratification by each target
    (with the paired difference), the median month of each stage and the mean number of
    hold-out months."""
    if not codes or f"invite_month_{codes[0]}" not in runs.columns:
        return []
    parts = []
    months = sorted({month for month, _ in targets})
    interval, binary = ("probability", "low", "high"), ("difference", "low", "high")
    for stage, measure in PROCESS_TARGETS.items():
        stages = runs[["variant", "horizon", *(f"{stage}_month_{c}" for c in codes)]]
        reached = join_probabilities(
            stages.rename(columns={f"{stage}_month_{c}": f"join_month_{c}" for c in codes}),
            codes,
            by_months=months,
            confidence=confidence,
        )
        for code in codes:
            column = f"{stage}_month_{code}"
            for month, label in targets:
                paired = paired_differences(compare_binary, runs,
                                            lambda r, c=column, m=month: r[c] < m, binary,
                                            baseline=baseline, confidence=confidence)  # fmt: skip
                part = reached[(reached["country"] == code) & (reached["by_month"] == month)]
                parts.append(_part(part, f"{measure}{label})", code, interval, paired))
    for stage, measure in PROCESS_MEDIANS.items():
        medians = _medians(runs, stage, codes, confidence=confidence)
        parts.append(_part(medians, measure, medians["code"], ("estimate", "low", "high")))
    for column, measure in (("veto", "mean veto months"), ("holdout", "mean hold-out months")):
        for code in codes:
            means = _means(runs, f"{column}_months_{code}", confidence=confidence)
            parts.append(_part(means, measure, code, ("mean", "low", "high")))
    return parts


JOINED_BY = "P(joined by "  # the start of every join-probability measure of the summary


def join_targets(
    years: Sequence[int], by: Sequence[str], start: str | None
) -> list[tuple[int, str]]:
    """(months m, label): joined by a target means ``join_month < m``; year Y is m = 12 Y
    (label ``year Y``), the calendar month M is m = step(M) + 1 (label ``M``: by its end).

    Raises
    ------
    StatsInputError
        If a month is not ``YYYY-MM``, is before ``start``, or ``by`` is given without a start.
    """
    targets = [(12 * int(year), f"year {int(year)}") for year in years]
    if by and start is None:
        raise StatsInputError("by: calendar-month targets need the scenario's start month")
    for month in by:
        try:
            step = month_to_step(str(month), start=start)
        except ValueError:
            raise StatsInputError(f"by: expected months written YYYY-MM, found {month!r}") from None
        if step < 0:
            raise StatsInputError(f"by: expected months from {start} on, found {month!r}")
        targets.append((step + 1, str(month)))
    return targets


def summary_table(
    runs: pd.DataFrame,
    codes: str | Iterable[str],
    *,
    baseline: str | None = None,
    years: Sequence[int] = (1, 5, 10),
    by: Sequence[str] = (),
    start: str | None = None,
    confidence: float = 0.95,
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
        If given, each other variant's row holds its paired difference from the baseline with
        the interval of that difference and the paired test: for probabilities the difference in
        proportions with Newcombe's paired interval and McNemar's exact test; for peak tensions
        (the ``mean peak tension`` rows) the mean of the paired differences with its paired t
        interval and the Wilcoxon signed-rank test. The median of paired differences is not
        reported: when many pairs tie (a variant that changes nothing in most runs) it is 0 with
        a 0-width interval whatever the effect. Otherwise (and for the baseline's own rows)
        these are NaN.
    years : sequence of int, keyword-only
        Report the probability of having joined within these many years (``join_month < 12 *
        year``); years beyond the shortest horizon are skipped.
    by : sequence of str, keyword-only
        Calendar months ``YYYY-MM`` (needs ``start``, the scenario's step 0): also report the
        probability of having joined by the end of each (``join_month <= step``), as
        ``P(joined by YYYY-MM)``; months beyond the shortest horizon are skipped. All targets
        are reported in calendar order.
    start : str or None, keyword-only
        The scenario's start month, for ``by``.
    confidence : float, keyword-only
        Level of every interval.

    Returns
    -------
    DataFrame
        Columns ``variant, measure, subject, estimate, low, high, n, difference,
        difference_low, difference_high, p_value``, one row per variant and:

        - ``P(joined by year Y)`` and ``P(joined by YYYY-MM)``, subject a country: proportion
          with Wilson interval;
        - ``median join month``, subject a country: Kaplan–Meier median month index with its
          interval (:func:`~sim.analysis.stats.median_time`; NaN where not reached);
        - when the runs have the accession process's columns (a pact with ``accession:
          process``): ``P(invited by ...)`` and ``P(ratified by ...)`` (the last
          ratification) at the same targets as joins, ``median application month``,
          ``median invitation month`` and ``median last ratification month`` the same way,
          and ``mean veto months`` and ``mean hold-out months`` (t interval), subject a
          country;
        - ``P(any new member)`` and ``P(crisis)``, subject ``all``: Wilson intervals;
        - ``median peak tension``, subject ``all`` or a dyad such as ``SRB-XKX``: order-statistic
          interval of the median (no paired difference);
        - ``mean peak tension``, the same subjects: t interval of the mean, and the paired
          difference;
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
    interval = ("probability", "low", "high")
    binary = ("difference", "low", "high")
    parts = []

    targets = sorted(join_targets(years, by, start))
    targets = [(month, label) for month, label in targets if month <= runs["horizon"].min()]
    months = sorted({month for month, _ in targets})
    joined = join_probabilities(runs, codes, by_months=months, confidence=confidence)
    for code in codes:
        for month, label in targets:
            column = f"join_month_{code}"
            paired = paired_differences(
                compare_binary,
                runs,
                lambda r, c=column, m=month: r[c] < m,
                binary,
                baseline=baseline,
                confidence=confidence,
            )
            part = joined[(joined["country"] == code) & (joined["by_month"] == month)]
            parts.append(_part(part, f"P(joined by {label})", code, interval, paired))

    medians = _medians(runs, "join", codes, confidence=confidence)
    parts.append(_part(medians, "median join month", medians["code"], ("estimate", "low", "high")))
    parts.extend(_process_parts(runs, codes, targets, baseline=baseline, confidence=confidence))

    events = {
        "P(any new member)": lambda r: r["new_members"] > 0,
        "P(crisis)": lambda r: r["crisis_count"] > 0,
    }
    for measure, predicate in events.items():
        paired = paired_differences(
            compare_binary, runs, predicate, binary, baseline=baseline, confidence=confidence
        )
        table = _proportions(runs, predicate, confidence=confidence)
        parts.append(_part(table, measure, PACT, interval, paired))

    tension = quantile_summary(
        runs, ["peak_tension", *dyads], quantiles=(0.5,), confidence=confidence
    )
    mean = ("mean_difference", "mean_low", "mean_high")
    for column in ["peak_tension", *dyads]:
        subject = column.removeprefix("peak_tension").removeprefix("_") or PACT
        part = tension[tension["column"] == column]
        columns = ("p50", "median_low", "median_high")
        parts.append(_part(part, "median peak tension", subject, columns))
        paired = paired_differences(
            compare_continuous, runs, column, mean, baseline=baseline, confidence=confidence
        )
        means = _means(runs, column, confidence=confidence)
        parts.append(_part(means, "mean peak tension", subject, ("mean", "low", "high"), paired))

    paths = path_frequencies(runs, top=1, confidence=confidence)
    parts.append(_part(paths, "top expansion path", paths["path"], ("share", "low", "high")))

    table = pd.concat(parts, ignore_index=True)[SUMMARY_COLUMNS]
    order = {variant: i for i, variant in enumerate(pd.unique(runs["variant"]))}
    return table.sort_values(
        "variant", key=lambda v: v.map(order), kind="stable", ignore_index=True
    )
