"""Tests of sim.analysis.stats: known values on tiny cases, analytic coverage, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from sim.analysis.stats import (
    StatsInputError,
    join_probabilities,
    median_interval,
    path_frequencies,
    quantile_summary,
    trajectory_bands,
    wilson_interval,
)
from sim.analysis.survival import kaplan_meier, median_time, survival_table
from sim.errors import AllianceSimError


def runs_frame(**columns: object) -> pd.DataFrame:
    """A runs table of one variant with the given columns (horizon 12 unless given)."""
    frame = pd.DataFrame(columns)
    frame.insert(0, "variant", frame.pop("variant") if "variant" in frame else "base")
    if "horizon" not in frame:
        frame["horizon"] = 12
    return frame


# --- wilson_interval ------------------------------------------------------------------------------


def test_wilson_hand_computed_7_of_20() -> None:
    # z = 1.959964: centre (0.35 + z²/40) / (1 + z²/20) = 0.374169,
    # half-width z sqrt(0.35 * 0.65 / 20 + z²/1600) / (1 + z²/20) = 0.192977
    estimate, low, high = wilson_interval(7, 20)
    assert estimate == 0.35
    assert low == pytest.approx(0.181192, abs=2e-6)
    assert high == pytest.approx(0.567146, abs=2e-6)


@pytest.mark.parametrize(
    ("k", "n", "confidence"), [(0, 10, 0.95), (3, 10, 0.9), (50, 50, 0.95), (123, 400, 0.99)]
)
def test_wilson_matches_statsmodels_formula(k: int, n: int, confidence: float) -> None:
    # statsmodels.stats.proportion.proportion_confint(method="wilson"), written out
    z = sps.norm.isf((1 - confidence) / 2)
    p = k / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    _, low, high = wilson_interval(k, n, confidence=confidence)
    assert low == pytest.approx(centre - half, abs=1e-12)
    assert high == pytest.approx(centre + half, abs=1e-12)


def test_wilson_no_trials_is_nan() -> None:
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


@pytest.mark.parametrize(("k", "n"), [(5, 4), (-1, 4), (0, -1)])
def test_wilson_rejects_impossible_counts(k: int, n: int) -> None:
    with pytest.raises(StatsInputError, match="successes, trials: expected 0 <= successes"):
        wilson_interval(k, n)


def test_errors_belong_to_the_hierarchy() -> None:
    with pytest.raises(AllianceSimError):
        wilson_interval(2, 1)
    with pytest.raises(ValueError):
        wilson_interval(2, 1)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 2000),
    fraction=st.floats(0, 1),
    confidence=st.floats(0.5, 0.999),
)
def test_wilson_interval_contains_estimate_inside_unit_interval(
    n: int, fraction: float, confidence: float
) -> None:
    k = round(fraction * n)
    estimate, low, high = wilson_interval(k, n, confidence=confidence)
    assert 0.0 <= low <= estimate <= high <= 1.0


# --- join_probabilities ---------------------------------------------------------------------------


def test_join_probabilities_counts_strictly_before_the_month() -> None:
    runs = runs_frame(
        join_month_BGR=[0.0, 5.0, 6.0, np.nan], join_month_MKD=[np.nan, np.nan, np.nan, 11.0]
    )
    table = join_probabilities(runs, ["BGR", "MKD"], by_months=[6, 12])
    assert list(table.columns) == [
        "variant",
        "country",
        "by_month",
        "probability",
        "low",
        "high",
        "joined",
        "n",
    ]
    got = {(r.country, r.by_month): (r.joined, r.n) for r in table.itertuples()}
    assert got == {("BGR", 6): (2, 4), ("BGR", 12): (3, 4), ("MKD", 6): (0, 4), ("MKD", 12): (1, 4)}
    row = table[(table.country == "BGR") & (table.by_month == 12)].iloc[0]
    assert (row.probability, row.low, row.high) == pytest.approx(wilson_interval(3, 4))


def test_join_probabilities_default_is_the_horizon_per_variant() -> None:
    runs = runs_frame(
        variant=["a", "a", "b"], horizon=[12, 12, 24], join_month_BGR=[11.0, np.nan, 20.0]
    )
    table = join_probabilities(runs, "BGR")
    assert table["variant"].tolist() == ["a", "b"]
    assert table["by_month"].tolist() == [12, 24]
    assert table["probability"].tolist() == [0.5, 1.0]


def test_join_probabilities_refuses_months_beyond_the_horizon() -> None:
    runs = runs_frame(join_month_BGR=[1.0, np.nan])
    with pytest.raises(StatsInputError, match=r"by_months: .*'base' \(12\), found 13"):
        join_probabilities(runs, "BGR", by_months=13)


def test_join_probabilities_names_missing_columns() -> None:
    with pytest.raises(StatsInputError, match=r"runs: expected columns \['join_month_XKX'\]"):
        join_probabilities(runs_frame(join_month_BGR=[1.0]), ["BGR", "XKX"])


# --- Kaplan–Meier ---------------------------------------------------------------------------------

# Six runs: events in months 0, 1, 1, 3; one run to 5 months and one to 2 months without the event.
# Elapsed months 1, 2, 2, 4 (events) and 5, 2 (censored). Product-limit by hand:
# S(1) = 5/6; at 2, 5 at risk (the run censored at 2 still counts), 2 events: S = 5/6 * 3/5 = 1/2;
# at 4, 2 at risk, 1 event: S = 1/4.
HAND_TIMES = [0.0, 1.0, 1.0, 3.0, np.nan, np.nan]
HAND_HORIZONS = [5, 5, 5, 5, 5, 2]


def test_kaplan_meier_hand_computed_product_limit() -> None:
    curve = kaplan_meier(HAND_TIMES, HAND_HORIZONS)
    assert list(curve.columns) == ["month", "survival", "low", "high"]
    assert curve["month"].tolist() == [0, 1, 2, 3, 4, 5]
    expected = [1.0, 5 / 6, 1 / 2, 1 / 2, 1 / 4, 1 / 4]
    assert curve["survival"].to_numpy() == pytest.approx(expected)


def test_kaplan_meier_log_log_band_by_hand() -> None:
    # Greenwood: Var(log S) = sum d / (n (n - d)); log-log band S ** exp(±z sqrt(V) / log S)
    curve = kaplan_meier(HAND_TIMES, HAND_HORIZONS).set_index("month")
    z = sps.norm.isf(0.025)
    for month, s, v in [(1, 5 / 6, 1 / 30), (2, 1 / 2, 1 / 30 + 2 / 15)]:
        scale = z * math.sqrt(v) / abs(math.log(s))
        assert curve.loc[month, "low"] == pytest.approx(s ** math.exp(scale))
        assert curve.loc[month, "high"] == pytest.approx(s ** math.exp(-scale))
    assert (curve.loc[0, "low"], curve.loc[0, "high"]) == (1.0, 1.0)


def test_kaplan_meier_without_events_and_without_runs() -> None:
    curve = kaplan_meier([np.nan, np.nan], 3)
    assert curve["survival"].tolist() == [1.0] * 4
    assert curve["high"].tolist() == [1.0] * 4
    empty = kaplan_meier([], 3, months=[0, 1])
    assert empty["survival"].isna().all()


def test_kaplan_meier_all_events_reaches_zero_with_low_zero() -> None:
    curve = kaplan_meier([0.0, 1.0], 2)
    assert curve["survival"].tolist() == [1.0, 0.5, 0.0]
    assert curve["low"].iloc[-1] == 0.0


@pytest.mark.parametrize("bad", [12.0, -1.0])
def test_kaplan_meier_rejects_impossible_months(bad: float) -> None:
    with pytest.raises(StatsInputError, match=r"times: expected event months in 0 \.\. horizon"):
        kaplan_meier([1.0, bad], 12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 23), st.none()), min_size=1, max_size=60))
def test_kaplan_meier_equals_join_probabilities_without_early_censoring(times: list) -> None:
    values = [np.nan if t is None else float(t) for t in times]
    runs = runs_frame(join_month_BGR=values, horizon=24)
    curve = kaplan_meier(values, 24)
    survival = curve["survival"].to_numpy()
    assert np.all(np.diff(survival) <= 1e-12)
    defined = curve.dropna()
    assert np.all(defined["low"] <= defined["survival"] + 1e-12)
    assert np.all(defined["survival"] <= defined["high"] + 1e-12)
    joined = join_probabilities(runs, "BGR", by_months=range(25))["probability"].to_numpy()
    assert 1 - survival == pytest.approx(joined, abs=1e-12)


def test_survival_table_per_variant() -> None:
    runs = runs_frame(
        variant=["b", "b", "a"], join_month_BGR=[0.0, np.nan, np.nan], horizon=[2, 2, 3]
    )
    table = survival_table(runs, "join_month_BGR")
    assert list(table.columns) == ["variant", "month", "survival", "low", "high", "n"]
    assert table["variant"].tolist() == ["b"] * 3 + ["a"] * 4
    assert table["survival"].tolist() == [1.0, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0]
    assert table["n"].tolist() == [2] * 3 + [1] * 4


# --- median_time ----------------------------------------------------------------------------------


def test_median_time_hand_cases() -> None:
    # elapsed 2, 3, 3, 5, 7 uncensored: S = .8, .4 -> median elapsed 3 -> month 2
    assert median_time([1.0, 2.0, 2.0, 4.0, 6.0], 10)[0] == 2.0
    # the hand KM curve sits exactly at 1/2 from elapsed month 2: the plateau's start, month 1
    assert median_time(HAND_TIMES, HAND_HORIZONS)[0] == 1.0
    # censoring matters: 2 of 4 runs reach month 3 but half the others stopped early
    assert median_time([0.0, np.nan, np.nan, 2.0], [10, 1, 1, 10])[0] == 2.0


def test_median_time_not_reached_is_nan() -> None:
    estimate, low, high = median_time([3.0] + [np.nan] * 19, 12)
    assert math.isnan(estimate) and math.isnan(high) and math.isnan(low)


def test_median_time_interval_is_where_the_band_crosses_one_half() -> None:
    rng = np.random.default_rng(3)
    times = np.floor(rng.exponential(20, size=80))
    times[times >= 36] = np.nan
    estimate, low, high = median_time(times, 36)
    curve = kaplan_meier(times, 36)
    # month m is reported when the curve at elapsed month m + 1 is at or below one half
    first = {c: curve["month"][curve[c] <= 0.5].min() - 1 for c in ("survival", "low", "high")}
    assert (estimate, low, high) == (first["survival"], first["low"], first["high"])
    assert low < estimate < high


# --- quantile_summary -----------------------------------------------------------------------------


def test_quantile_summary_known_quantiles_and_missing_values() -> None:
    values = np.append(np.arange(1.0, 102.0), [np.nan, np.nan])
    runs = runs_frame(peak_tension=values, counter_bloc_formed=np.arange(103) < 3)
    table = quantile_summary(runs, ["peak_tension", "counter_bloc_formed"])
    assert list(table.columns) == [
        "variant",
        "column",
        "n",
        "n_missing",
        "mean",
        "p5",
        "p50",
        "p95",
        "median_low",
        "median_high",
    ]
    row = table.iloc[0]
    assert (row["n"], row["n_missing"], row["mean"]) == (101, 2, 51.0)
    assert (row.p5, row.p50, row.p95) == (6.0, 51.0, 96.0)
    assert 40 < row.median_low < 51 < row.median_high < 62
    assert table.iloc[1]["mean"] == pytest.approx(3 / 103)


def test_quantile_summary_labels_and_small_samples() -> None:
    table = quantile_summary(runs_frame(x=[1.0]), "x", quantiles=(0.025, 1.0))
    assert {"p2.5", "p100"} <= set(table.columns)
    assert math.isnan(table.iloc[0]["median_low"])


def test_quantile_summary_rejects_text_and_bad_quantiles() -> None:
    runs = runs_frame(final_stage=["declaration", "formal alliance"], x=[1.0, 2.0])
    with pytest.raises(StatsInputError, match="final_stage: expected a numeric or boolean"):
        quantile_summary(runs, "final_stage")
    with pytest.raises(StatsInputError, match=r"quantiles: expected values in \[0, 1\]"):
        quantile_summary(runs, "x", quantiles=(0.5, 95))


def test_median_interval_is_the_order_statistic_interval() -> None:
    # n = 11 at 95%: P(Binomial(11, 1/2) <= 1) = 12 / 2048 < 0.025 <= P(<= 2) = 67 / 2048, so
    # the distribution-free interval runs from the 2nd to the 10th smallest value.
    values = np.array([7.0, 1.0, 9.0, 3.0, 11.0, 5.0, 2.0, 10.0, 4.0, 8.0, 6.0])
    assert median_interval(values, confidence=0.95) == (2.0, 10.0)
    assert all(math.isnan(v) for v in median_interval(values[:5], confidence=0.95))


def test_median_interval_covers_the_true_median_about_95_percent() -> None:
    # 400 independent samples of 51 standard normals, true median 0. At n = 51 the 95%
    # order-statistic interval is [x_(19), x_(33)], whose exact coverage is
    # P(19 <= Binomial(51, 1/2) <= 32) = 0.9511; the observed share has SD 0.011: allow 3 SDs.
    reps, n = 400, 51
    rng = np.random.default_rng(20250301)
    runs = pd.DataFrame({"variant": np.repeat(np.arange(reps), n), "x": rng.normal(size=reps * n)})
    table = quantile_summary(runs, "x", quantiles=(0.5,))
    coverage = np.mean((table["median_low"] <= 0) & (table["median_high"] >= 0))
    exact = sps.binom.cdf(32, n, 0.5) - sps.binom.cdf(18, n, 0.5)
    assert exact == pytest.approx(0.9511, abs=1e-4)
    assert abs(coverage - exact) <= 3 * math.sqrt(exact * (1 - exact) / reps)


# --- path_frequencies -----------------------------------------------------------------------------


def test_path_frequencies_counts_shares_and_empty_paths() -> None:
    paths = ["BGR>MKD", "", "MKD", np.nan, "BGR>MKD", "BGR>MKD", "MKD", "MNE"]
    table = path_frequencies(runs_frame(expansion_path=paths), top=3)
    assert list(table.columns) == ["variant", "rank", "path", "count", "share", "low", "high", "n"]
    assert table["path"].tolist() == ["BGR>MKD", "(none)", "MKD"]  # ties by name
    assert table["count"].tolist() == [3, 2, 2]
    assert table["rank"].tolist() == [1, 2, 3]
    assert table["share"].tolist() == [3 / 8, 2 / 8, 2 / 8]
    assert (table["low"][0], table["high"][0]) == pytest.approx(wilson_interval(3, 8)[1:])
    assert len(path_frequencies(runs_frame(expansion_path=paths), top=None)) == 4


def test_path_frequencies_per_variant_and_bad_top() -> None:
    runs = runs_frame(variant=["a", "b", "b"], expansion_path=["X", "Y", "Y"])
    table = path_frequencies(runs, top=1)
    assert table[["variant", "path", "count", "n"]].to_numpy().tolist() == [
        ["a", "X", 1, 1],
        ["b", "Y", 2, 2],
    ]
    with pytest.raises(StatsInputError, match="top: expected a positive number"):
        path_frequencies(runs, top=0)


# --- trajectory_bands -----------------------------------------------------------------------------


def test_trajectory_bands_per_variant_and_month() -> None:
    series = pd.DataFrame(
        {
            "variant": ["z"] * 4 + ["a"] * 4,
            "design_id": 0,
            "replication": [0, 1, 0, 1] * 2,
            "month": [0, 0, 1, 1] * 2,
            "depth": [0.1, 0.3, 0.2, 0.6, 1.0, 3.0, 5.0, np.nan],
            "mean_tension": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )
    table = trajectory_bands(series, ["depth", "mean_tension"], quantiles=(0.0, 0.5, 1.0))
    assert list(table.columns) == ["variant", "column", "month", "n", "mean", "p0", "p50", "p100"]
    assert table[["variant", "column", "month"]].to_numpy().tolist() == [
        ["z", "depth", 0],
        ["z", "depth", 1],
        ["z", "mean_tension", 0],
        ["z", "mean_tension", 1],
        ["a", "depth", 0],
        ["a", "depth", 1],
        ["a", "mean_tension", 0],
        ["a", "mean_tension", 1],
    ]
    assert table["p50"].to_numpy() == pytest.approx([0.2, 0.4, 0.5, 2.5, 2.0, 5.0, 4.5, 6.5])
    assert table["n"].tolist() == [2, 2, 2, 2, 2, 1, 2, 2]
    with pytest.raises(StatsInputError, match=r"series: expected columns \['members'\]"):
        trajectory_bands(series, "members")
