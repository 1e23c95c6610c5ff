"""Edge cases of the statistics: empty inputs, requested orders and levels, unpaired variants."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sim.analysis.compare import compare_binary, paired_difference_interval
from sim.analysis.stats import StatsInputError, trajectory_bands
from sim.analysis.survival import kaplan_meier, survival_table
from tests.analysis.test_compare import table_runs


def test_an_empty_curve_has_the_usual_columns_and_whole_months():
    curve = kaplan_meier([], 3)
    assert list(curve.columns) == ["month", "survival", "low", "high"]
    assert curve["month"].tolist() == [0] and curve["month"].dtype == np.int64
    assert curve[["survival", "low", "high"]].isna().all().all()
    assert (curve[["survival", "low", "high"]].dtypes == np.float64).all()  # NaN, not None
    assert kaplan_meier([1.0, np.nan], 3)["month"].dtype == np.int64


def test_survival_table_passes_months_and_confidence_and_numbers_rows():
    runs = pd.DataFrame(
        {"variant": ["a"] * 6 + ["b"] * 4, "horizon": 12,
         "t": [0.0, 1, 2, 4, np.nan, np.nan, 3, np.nan, np.nan, 5]}
    )  # fmt: skip
    wide = survival_table(runs, "t", months=[0, 2, 5])
    narrow = survival_table(runs, "t", months=[0, 2, 5], confidence=0.5)
    assert wide["month"].tolist() == [0, 2, 5, 0, 2, 5]
    assert wide.index.tolist() == list(range(6))
    inside = (narrow["low"] >= wide["low"] - 1e-12) & (narrow["high"] <= wide["high"] + 1e-12)
    assert inside.all() and (narrow["high"] - narrow["low"] < wide["high"] - wide["low"]).any()
    with pytest.raises(StatsInputError, match=r"^runs: expected columns \['horizon'\]"):
        survival_table(runs.drop(columns="horizon"), "t")


def test_trajectory_bands_keep_the_requested_columns_in_order_and_only_observed_months():
    """Only the requested columns are read: other columns, even text, are left alone."""
    series = pd.DataFrame(
        {"variant": ["b", "b", "b", "b", "a", "a"], "month": [0, 0, 1, 1, 0, 0],
         "z_col": [1, 3, 2, 6, 10, 20], "a_col": [True, False, True, True, False, False],
         "other": 9, "note": "not a number"}
    )  # fmt: skip
    bands = trajectory_bands(series, ["z_col", "a_col"], quantiles=[0.5])
    assert bands[["variant", "column", "month"]].to_numpy().tolist() == [
        ["b", "z_col", 0], ["b", "z_col", 1], ["b", "a_col", 0], ["b", "a_col", 1],
        ["a", "z_col", 0], ["a", "a_col", 0],
    ]  # fmt: skip
    assert bands["n"].tolist() == [2] * 6
    assert bands["mean"].tolist() == [2.0, 4.0, 0.5, 1.0, 15.0, 0.0]
    assert bands["p50"].tolist() == [2.0, 4.0, 0.5, 1.0, 15.0, 0.0]


def test_compare_binary_uses_the_confidence_asked_for():
    row = compare_binary(table_runs(5, 8, 2, 10), "y", baseline="base", confidence=0.8).iloc[0]
    assert (row.low, row.high) == pytest.approx(
        paired_difference_interval(5, 8, 2, 10, confidence=0.8)[1:]
    )


def test_a_variant_without_pairs_has_no_estimates_and_no_warning():
    runs = table_runs(2, 1, 1, 2)
    runs.loc[runs["variant"] == "alt", "replication"] += 100  # no replication in common
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row = compare_binary(runs, "y", baseline="base").iloc[0]
    assert row.n_pairs == 0
    assert np.isnan(row.p_variant) and np.isnan(row.p_baseline) and np.isnan(row.p_value)
