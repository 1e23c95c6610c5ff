"""Scenario discovery's choices and refusals on cases built by hand: the box's sentence for a
two-sided limit, which box is reported, cases that cannot be told apart, a box not on the
trajectory, a numeric --where, and the extras it needs."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.analysis.discovery import choose_box, discover, discover_cases, restriction_words
from sim.analysis.stats import StatsInputError
from sim.experiment.design import MissingExtraError


def limit(low, high):
    return SimpleNamespace(parameter="p", low=low, high=high, sampled_low=0.0, sampled_high=1.0)


def test_a_limit_is_put_in_words_by_the_sides_it_cuts():
    assert restriction_words(limit(0.25, 0.75)) == "p is between 0.25 and 0.75"
    assert restriction_words(limit(0.0, 0.75)) == "p is at most 0.75"
    assert restriction_words(limit(0.25, 1.0)) == "p is at least 0.25"


def test_a_band_of_cases_is_found_between_two_limits():
    """Cases exactly where 0.3 < p < 0.7 on an even grid of 400 runs (40% of them): PRIM's box
    lies in that band (density 1), cut on both sides, and covers at least half the cases."""
    p = (np.arange(400) + 0.5) / 400
    y = (p > 0.3) & (p < 0.7)
    found = discover_cases(pd.DataFrame({"p": p}), y, where="band", seed=1)
    [row] = found.box.itertuples()
    assert 0.3 <= row.low < row.high <= 0.7
    assert found.chosen_row["density"] == 1.0 and found.chosen_row["coverage"] >= 0.5
    assert found.sentence().startswith("band holds in 100% of the runs (against 40% overall, ")
    assert found.sentence().endswith(f" when p is between {row.low:.3g} and {row.high:.3g}.")


def trajectory(coverage, density):
    return pd.DataFrame({"coverage": coverage, "density": density})


def test_the_box_reported_is_the_densest_significant_one_covering_enough():
    """Boxes 0..3 cover 100%, 80%, 60%, 30% of the cases at densities 0.2, 0.5, 0.7, 0.95.
    At min_coverage 0.5 boxes 0-2 qualify; box 2's limit has quasi-p 0.2 (not significant),
    so box 1. If none of them is significant, the densest covering (2); if no box covers
    enough, the first (0)."""
    table = trajectory([1.0, 0.8, 0.6, 0.3], [0.2, 0.5, 0.7, 0.95])
    found = SimpleNamespace(p_values=[{}, {"p": [0.01, None]}, {"p": [0.2, -1]}, {"p": [0.0]}])
    assert choose_box(found, table, min_coverage=0.5, alpha=0.05) == 1
    assert choose_box(found, table, min_coverage=0.5, alpha=0.25) == 2
    noisy = SimpleNamespace(p_values=[{"p": [0.5]}, {"p": [0.3]}, {"p": [0.2]}, {"p": [0.0]}])
    assert choose_box(noisy, table, min_coverage=0.5, alpha=0.05) == 2
    assert choose_box(found, table, min_coverage=1.5, alpha=0.05) == 0


X = pd.DataFrame({"p": np.linspace(0, 1, 24)})


@pytest.mark.parametrize(("y", "share"), [(np.zeros(24, bool), "none"), (np.ones(24, bool), "all")])
def test_cases_that_cannot_be_told_apart_are_refused(y, share):
    with pytest.raises(StatsInputError, match=rf"^--where 'w' selects {share} of the 24 runs: "
                                              "nothing to tell apart$"):  # fmt: skip
        discover_cases(X, y, where="w", seed=1)


def test_a_box_not_on_the_trajectory_is_refused_naming_the_range():
    y = X["p"].to_numpy() > 0.5
    boxes = len(discover_cases(X, y, where="w", seed=1).trajectory)
    with pytest.raises(StatsInputError, match=rf"^box: expected 0 to {boxes - 1}, found 99$"):
        discover_cases(X, y, where="w", seed=1, box=99)
    assert discover_cases(X, y, where="w", seed=1, box=0).chosen == 0


def test_a_numeric_where_is_refused_with_an_example():
    runs = pd.DataFrame({"p": X["p"], "crisis_count": np.arange(24)})
    with pytest.raises(StatsInputError, match=r"^--where 'crisis_count \* 2': expected a yes/no "
                                              r"expression \(such as `joined_BGR"):  # fmt: skip
        discover(runs, ["p"], "crisis_count * 2", seed=1)


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ("ema_workbench.analysis", r"^PRIM \(alliance-sim discover\) needs ema-workbench, "),
        ("sklearn.tree", r"^CART and feature scores needs scikit-learn, which is not installed; "
                         r"install the analysis extra: pip install 'alliance-sim\[analysis\]'$"),
    ],
)  # fmt: skip
def test_a_missing_extra_is_named_with_how_to_install_it(monkeypatch, module, message):
    monkeypatch.setitem(sys.modules, module, None)  # import then raises ImportError
    with pytest.raises(MissingExtraError, match=message):
        discover_cases(X, X["p"].to_numpy() > 0.5, where="w", seed=1)
