"""Tests of sim.analysis.compare: paired comparisons under common random numbers, summary table."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from sim.analysis.compare import compare_binary, compare_continuous, paired_difference_interval
from sim.analysis.stats import StatsInputError, join_probabilities
from sim.analysis.summary import SUMMARY_COLUMNS, summary_table


def paired_runs(
    baseline: list, variant: list, *, column: str = "y", design_ids: int = 1
) -> pd.DataFrame:
    """Runs of variants "base" and "alt": pair k has outcome baseline[k] and variant[k].

    With several design points the pairs are spread over them with replications restarting at 0,
    so pairing needs both keys.
    """
    n = len(baseline)
    design = np.arange(n) % design_ids
    replication = np.arange(n) // design_ids
    frames = [
        pd.DataFrame(
            {
                "variant": name,
                "design_id": design,
                "replication": replication,
                "seed": 0,
                "horizon": 12,
                column: values,
            }
        )
        for name, values in (("base", baseline), ("alt", variant))
    ]
    return pd.concat(frames, ignore_index=True)


def table_runs(
    both: int, variant_only: int, baseline_only: int, neither: int, **kwargs
) -> pd.DataFrame:
    """Paired yes/no runs with the given 2×2 cell counts."""
    base = [True] * both + [False] * variant_only + [True] * baseline_only + [False] * neither
    alt = [True] * both + [True] * variant_only + [False] * baseline_only + [False] * neither
    return paired_runs(base, alt, **kwargs)


# --- paired_difference_interval -------------------------------------------------------------------


def test_newcombe_paired_interval_published_example() -> None:
    # Fagerland, Lydersen & Laake (2014), Cavo et al. data: -0.0621 (-0.1186 to -0.0046)
    estimate, low, high = paired_difference_interval(59, 6, 16, 80)
    assert (estimate, low, high) == pytest.approx((-0.0621, -0.1186, -0.0046), abs=5e-5)


def test_newcombe_paired_interval_edge_cases() -> None:
    assert all(math.isnan(v) for v in paired_difference_interval(0, 0, 0, 0))
    estimate, low, high = paired_difference_interval(0, 0, 0, 10)
    assert estimate == 0.0 and low < 0.0 < high
    with pytest.raises(StatsInputError, match="paired counts: expected non-negative"):
        paired_difference_interval(1, -1, 0, 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=4, max_size=4).filter(lambda c: sum(c) > 0))
def test_newcombe_interval_contains_estimate_and_is_antisymmetric(counts: list[int]) -> None:
    a, b, c, d = counts
    estimate, low, high = paired_difference_interval(a, b, c, d)
    assert -1.0 <= low <= estimate <= high <= 1.0
    swapped = paired_difference_interval(a, c, b, d)
    assert swapped == pytest.approx((-estimate, -high, -low), abs=1e-12)


# --- compare_binary -------------------------------------------------------------------------------


def test_compare_binary_on_a_known_table() -> None:
    runs = table_runs(5, 8, 2, 10)
    table = compare_binary(runs, "y", baseline="base")
    assert list(table.columns) == [
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
    row = table.iloc[0]
    assert (row.variant, row.baseline, row.outcome, row.n_pairs) == ("alt", "base", "y", 25)
    assert (row.p_variant, row.p_baseline) == pytest.approx((13 / 25, 7 / 25))
    assert row.difference == pytest.approx(6 / 25)
    assert (row.n_variant_only, row.n_baseline_only) == (8, 2)
    # exact McNemar: 2 * P(Binomial(10, 1/2) <= 2) = 2 * (1 + 10 + 45) / 1024
    assert row.p_value == pytest.approx(112 / 1024)
    assert (row.low, row.high) == pytest.approx(paired_difference_interval(5, 8, 2, 10)[1:])


def test_compare_binary_pairs_on_design_and_replication_not_row_order() -> None:
    runs = table_runs(5, 8, 2, 10, design_ids=3)
    expected = compare_binary(runs, "y", baseline="base")
    shuffled = runs.sample(frac=1.0, random_state=1)
    assert compare_binary(shuffled, "y", baseline="base").equals(expected)
    # pairing on replication alone would match runs of different design points
    with pytest.raises(StatsInputError, match="expected one row per"):
        compare_binary(runs.assign(design_id=0), "y", baseline="base")


def test_compare_binary_predicate_and_unpaired_rows() -> None:
    runs = paired_runs([0.0, 5.0, np.nan, 2.0], [1.0, np.nan, 3.0, 9.0], column="join_month_BGR")
    runs = runs[~((runs.variant == "alt") & (runs.replication == 3))]  # leave one run unpaired

    def joined_first_year(frame: pd.DataFrame) -> pd.Series:
        return frame["join_month_BGR"] < 4

    row = compare_binary(runs, joined_first_year, baseline="base").iloc[0]
    assert row.outcome == "joined_first_year"
    assert row.n_pairs == 3
    assert (row.p_variant, row.p_baseline) == pytest.approx((2 / 3, 1 / 3))
    assert (row.n_variant_only, row.n_baseline_only) == (1, 0)
    assert row.p_value == 1.0  # one discordant pair: P = 2 * 1/2


def test_compare_binary_without_discordant_pairs() -> None:
    row = compare_binary(table_runs(3, 0, 0, 4), "y", baseline="base").iloc[0]
    assert (row.difference, row.p_value) == (0.0, 1.0)


def test_compare_binary_input_errors() -> None:
    runs = table_runs(1, 1, 1, 1)
    with pytest.raises(
        StatsInputError, match=r"baseline: expected one of the variants \['base', 'alt'\]"
    ):
        compare_binary(runs, "y", baseline="nato")
    with pytest.raises(
        StatsInputError, match=r"column_or_predicate: expected columns \['crisis'\]"
    ):
        compare_binary(runs, "crisis", baseline="base")
    with pytest.raises(StatsInputError, match="y: expected yes/no values"):
        compare_binary(runs.assign(y=np.where(runs.y, 1.0, np.nan)), "y", baseline="base")


# --- compare_continuous ---------------------------------------------------------------------------


def test_compare_continuous_known_differences() -> None:
    base = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    alt = [1.1, 2.2, 3.3, 4.4, 5.5, 0.6, 0.7]  # differences 1..5 and two zeros
    table = compare_continuous(paired_runs(base, alt), "y", baseline="base")
    assert list(table.columns) == [
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
    row = table.iloc[0]
    assert row.n_pairs == 7
    assert row.mean_difference == pytest.approx(15 / 7)
    assert row.median_difference == pytest.approx(2.0)
    assert row.mean_variant - row.mean_baseline == pytest.approx(row.mean_difference)
    assert 0.0 <= row.mean_low < row.mean_difference < row.mean_high <= 5.0
    assert 0.0 <= row.median_low <= row.median_difference <= row.median_high <= 5.0
    # zeros dropped; exact signed-rank test of five positive differences: 2 / 2**5
    assert row.p_value == pytest.approx(2 / 32)


def test_compare_continuous_wilcoxon_matches_scipy() -> None:
    rng = np.random.default_rng(11)
    base = rng.normal(size=30)
    alt = base + rng.normal(0.3, 1.0, size=30)
    row = compare_continuous(paired_runs(base, alt), "y", baseline="base").iloc[0]
    assert row.p_value == pytest.approx(sps.wilcoxon(alt, base).pvalue)


def test_compare_continuous_all_zero_differences_and_missing_values() -> None:
    same = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    row = compare_continuous(paired_runs(same, same), "y", baseline="base").iloc[0]
    assert (row.p_value, row.mean_difference, row.mean_low, row.mean_high) == (1.0, 0, 0, 0)
    assert (row.median_low, row.median_high) == (0.0, 0.0)
    row = compare_continuous(
        paired_runs([1.0, np.nan, 3.0], [2.0, 2.0, np.nan]), "y", baseline="base"
    ).iloc[0]
    assert row.n_pairs == 1 and row.mean_difference == 1.0
    assert math.isnan(row.mean_low) and math.isnan(row.median_high)


def test_compare_continuous_mean_interval_is_the_paired_t_interval() -> None:
    rng = np.random.default_rng(5)
    base = rng.normal(size=25)
    alt = base + rng.normal(0.2, 1.0, size=25)
    row = compare_continuous(paired_runs(base, alt), "y", baseline="base").iloc[0]
    expected = sps.ttest_rel(alt, base).confidence_interval(0.95)
    assert (row.mean_low, row.mean_high) == pytest.approx((expected.low, expected.high))


def test_compare_continuous_mean_interval_is_the_textbook_formula_at_the_level_asked() -> None:
    """mean(d) -/+ t_{(1 + c)/2, n - 1} sd(d) / sqrt(n) on the within-pair differences d.

    Written from the formula, not from scipy's ttest_rel (the test above): at c = 0.8 and
    n = 40 the quantile is t_{0.9, 39}; a two-sample interval (ignoring the pairing) would be
    about sqrt(3) times wider here (var(base) + var(alt) = 1 + 2 against var(d) = 1).
    """
    rng = np.random.default_rng(99)
    base = rng.normal(size=40)
    alt = base + 0.5 + rng.normal(size=40)
    row = compare_continuous(paired_runs(base, alt), "y", baseline="base", confidence=0.8).iloc[0]
    d = alt - base
    half = sps.t.ppf(0.9, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size)
    assert (row.mean_low, row.mean_high) == pytest.approx((d.mean() - half, d.mean() + half))
    assert row.mean_difference == pytest.approx(d.mean())


# --- summary_table --------------------------------------------------------------------------------


@pytest.fixture
def experiment() -> pd.DataFrame:
    """Two variants of 60 runs over 72 months; in "alt" BGR joins 6 months earlier, pair by pair."""
    rng = np.random.default_rng(2024)
    n, horizon = 60, 72
    join = np.floor(rng.exponential(60, size=n))
    crisis = rng.random(n) < 0.3
    tension = rng.uniform(0.5, 1.0, size=n)
    frames = []
    for variant, shift in (("base", 0), ("alt", 6)):
        bgr = np.maximum(join - shift, 0)
        bgr = np.where(bgr < horizon, bgr, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "variant": variant,
                    "design_id": 0,
                    "replication": np.arange(n),
                    "seed": 0,
                    "horizon": horizon,
                    "join_month_BGR": bgr,
                    "join_month_MKD": np.nan,
                    "expansion_path": np.where(np.isnan(bgr), "", "BGR"),
                    "new_members": (~np.isnan(bgr)).astype(int),
                    "crisis_count": crisis.astype(int),
                    "peak_tension": tension + 0.01 * shift,
                    "peak_tension_SRB-XKX": tension,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_summary_table_rows_and_values(experiment: pd.DataFrame) -> None:
    table = summary_table(experiment, ["BGR", "MKD"], baseline="base")
    assert list(table.columns) == SUMMARY_COLUMNS
    assert table["variant"].unique().tolist() == ["base", "alt"]
    measures = set(table["measure"])  # no year 10: beyond the 72-month horizon
    assert measures == {
        "P(joined by year 1)",
        "P(joined by year 5)",
        "median join month",
        "P(any new member)",
        "P(crisis)",
        "median peak tension",
        "mean peak tension",
        "top expansion path",
    }
    indexed = table.set_index(["variant", "measure", "subject"])
    probabilities = join_probabilities(experiment, "BGR", by_months=[60]).set_index("variant")
    for variant in ("base", "alt"):
        row = indexed.loc[(variant, "P(joined by year 5)", "BGR")]
        assert row["estimate"] == probabilities.loc[variant, "probability"]
        assert row["n"] == 60
    assert indexed.loc[("alt", "P(joined by year 5)", "MKD"), "estimate"] == 0.0
    assert indexed.loc[("alt", "P(joined by year 5)", "MKD"), "p_value"] == 1.0
    assert indexed.loc[("alt", "P(crisis)", "all"), "p_value"] == 1.0  # identical crises
    assert indexed.loc[("alt", "mean peak tension", "all"), "p_value"] < 1e-6
    assert indexed.loc[("alt", "mean peak tension", "SRB-XKX"), "p_value"] == 1.0
    assert np.isnan(indexed.loc[("alt", "median peak tension", "all"), "p_value"])
    # BGR joins 6 months earlier in "alt": discordant pairs are base runs joining in 60..65, all
    # in alt's favour, so McNemar's exact p-value is 2 / 2**k
    base_join = experiment.loc[experiment["variant"] == "base", "join_month_BGR"]
    k = int(((base_join >= 60) & (base_join < 66)).sum())
    assert k >= 1
    assert indexed.loc[("alt", "P(joined by year 5)", "BGR"), "p_value"] == min(1.0, 2 / 2**k)
    assert table.loc[table["variant"] == "base", "p_value"].isna().all()
    assert table.loc[table["variant"] == "base", "difference"].isna().all()
    # the paired difference of P(joined by year 5) is alt minus base, inside its interval
    bgr = indexed.loc[("alt", "P(joined by year 5)", "BGR")]
    base_p = indexed.loc[("base", "P(joined by year 5)", "BGR"), "estimate"]
    assert bgr["difference"] == pytest.approx(bgr["estimate"] - base_p)
    assert bgr["difference_low"] <= bgr["difference"] <= bgr["difference_high"]
    # peak tension is 0.06 higher in every pair: the mean paired difference is 0.06
    tension = indexed.loc[("alt", "mean peak tension", "all")]
    assert tension["difference"] == pytest.approx(0.06)
    assert tension["difference_low"] == pytest.approx(0.06)
    assert tension["estimate"] == pytest.approx(
        experiment.loc[experiment["variant"] == "alt", "peak_tension"].mean()
    )
    median = indexed.loc[("base", "median join month", "BGR")]
    assert median["low"] <= median["estimate"] <= median["high"]


def test_summary_table_without_baseline_round_trips_through_csv(experiment: pd.DataFrame) -> None:
    table = summary_table(experiment, "BGR", years=(1, 2))
    assert table["p_value"].isna().all() and table["difference"].isna().all()
    text = table.to_csv(index=False)
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns) == SUMMARY_COLUMNS and len(back) == len(table)
    assert back["subject"].notna().all()
    assert summary_table(experiment, "BGR", years=(1, 2)).equals(table)


def test_summary_table_rejects_bad_years(experiment: pd.DataFrame) -> None:
    with pytest.raises(
        StatsInputError, match=r"years: expected positive numbers of years, found \[0\]"
    ):
        summary_table(experiment, "BGR", years=(0,))


def test_summary_reports_the_mean_paired_difference_of_peak_tension_when_most_pairs_tie() -> None:
    """Three pairs in four tie (difference 0), the fourth is 0.4 higher: the median paired
    difference is 0 with a 0-width interval, which says nothing; the mean is 0.1, and that
    is what the summary's paired difference reports (with Wilcoxon's p beside it)."""
    n = 40
    base = np.linspace(0.5, 1.5, n)
    alt = base + np.where(np.arange(n) % 4 == 0, 0.4, 0.0)
    runs = pd.DataFrame(
        {
            "variant": ["base"] * n + ["alt"] * n,
            "design_id": 0,
            "replication": np.tile(np.arange(n), 2),
            "horizon": 120,
            "new_members": 0,
            "crisis_count": 0,
            "peak_tension": np.concatenate([base, alt]),
            "expansion_path": "",
            "join_month_BGR": np.nan,
        }
    )
    table = summary_table(runs, "BGR", baseline="base", years=(1,))
    indexed = table.set_index(["variant", "measure", "subject"])
    row = indexed.loc[("alt", "mean peak tension", "all")]
    assert row["difference"] == pytest.approx(0.1)
    assert row["difference_low"] < 0.1 < row["difference_high"]
    assert row["difference_low"] > 0.0
    expected_p = sps.wilcoxon(np.full(n // 4, 0.4)).pvalue
    assert row["p_value"] == pytest.approx(expected_p)
    assert row["estimate"] == pytest.approx(alt.mean())
