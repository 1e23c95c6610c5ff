"""compare_continuous at its edges, worked out by hand: two pairs, one, none, equal differences,
differences just either side of the "no spread" tolerance, and the errors that name the input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.compare import compare_continuous
from sim.analysis.stats import StatsInputError


def paired(baseline: list[float], variant: list[float]) -> pd.DataFrame:
    """Runs of variants ``a`` (the baseline) and ``b``, paired by replication."""
    n = len(baseline)
    return pd.DataFrame({
        "variant": ["a"] * n + ["b"] * n, "design_id": 0, "replication": [*range(n)] * 2,
        "x": [*baseline, *variant],
    })  # fmt: skip


def test_two_pairs_have_the_paired_t_interval():
    """Differences (1, 3): mean 2, sd sqrt(2), se 1, t(0.975, 1 df) = 12.7062:
    2 -/+ 12.7062 = (-10.7062, 14.7062); two pairs are too few for the median's interval."""
    row = compare_continuous(paired([1.0, 2.0], [2.0, 5.0]), "x", baseline="a").iloc[0]
    assert row["n_pairs"] == 2 and row["mean_difference"] == 2.0
    assert (row["mean_low"], row["mean_high"]) == pytest.approx((-10.706205, 14.706205))
    assert row["p_value"] == 0.5  # exact Wilcoxon, two positive differences: 2 * (1/4)


def test_one_pair_has_a_difference_but_no_interval():
    """One pair, difference 1: the mean difference is 1, intervals need two pairs, and the exact
    Wilcoxon test of one nonzero difference gives p = 1."""
    row = compare_continuous(paired([1.0], [2.0]), "x", baseline="a").iloc[0]
    assert row["n_pairs"] == 1 and row["mean_difference"] == 1.0
    assert np.isnan(row["mean_low"]) and np.isnan(row["mean_high"])
    assert row["p_value"] == 1.0


def test_no_pairs_give_no_numbers():
    """Every baseline value missing: no pair, so every statistic is NaN (not p = 1)."""
    row = compare_continuous(paired([np.nan, np.nan], [1.0, 1.0]), "x", baseline="a").iloc[0]
    assert row["n_pairs"] == 0
    assert np.isnan(row["mean_difference"]) and np.isnan(row["p_value"])


def test_equal_differences_give_a_point_interval():
    """Differences (0.5, 0.5, 0.5) have no spread: the t interval would be undefined (0/0),
    so the mean's interval is the point (0.5, 0.5)."""
    row = compare_continuous(paired([1.0, 2.0, 3.0], [1.5, 2.5, 3.5]), "x", baseline="a").iloc[0]
    assert (row["mean_low"], row["mean_high"]) == (0.5, 0.5)


def test_the_no_spread_tolerance_is_relative_to_one_for_small_differences():
    """The spread counts when ptp(d) > 1e-12 max(1, max |d|). For d = (0.1, 0.1 + 1.5e-12, 0.1):
    ptp 1.5e-12 > 1e-12 (but not > 2e-12), so the t interval is used and it is not a point; for
    d = (0.1, 0.1 + 5e-13, 0.1), ptp 5e-13 is below the tolerance: a point interval."""
    spread = compare_continuous(paired([0.0] * 3, [0.1, 0.1 + 1.5e-12, 0.1]), "x", baseline="a")
    assert spread["mean_low"].iloc[0] < spread["mean_high"].iloc[0]
    tiny = compare_continuous(paired([0.0] * 3, [0.1, 0.1 + 5e-13, 0.1]), "x", baseline="a")
    assert tiny["mean_low"].iloc[0] == tiny["mean_high"].iloc[0]


def test_a_missing_or_text_column_is_named():
    runs = paired([1.0, 2.0], [2.0, 5.0]).assign(label=list("uvwz"))
    with pytest.raises(StatsInputError, match=r"^runs: expected columns \['y'\]"):
        compare_continuous(runs, "y", baseline="a")
    with pytest.raises(StatsInputError, match=r"^label: expected a numeric or boolean column"):
        compare_continuous(runs, "label", baseline="a")
