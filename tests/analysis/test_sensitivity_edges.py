"""Sensitivity indices on designs worked out by hand: one-at-a-time ranges, a pure
interaction's second-order index, the per-point statistic chosen, the refusals, and
``sensitivity.csv`` keeping other outcomes' rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.sensitivity import sensitivity_indices, sensitivity_table, write_sensitivity
from sim.analysis.stats import StatsInputError
from sim.experiment.design import Bounds, Sweep, design_points

OAT = Sweep(type="oat", samples=3, parameters={"a": Bounds(low=0, high=2),
                                               "b": Bounds(low=10, high=20)})  # fmt: skip
OAT_POINTS = design_points(OAT, seed=1, defaults={"a": 1.0, "b": 15.0})


def test_one_at_a_time_ranges_are_worked_out_by_hand():
    """Points: the centre (a=1, b=15), a at 0 and 2, b at 10 and 20. With y = 3a + b²/100:
    a moves y over 3 * (2 - 0) = 6 (b held at 15); b over (400 - 100) / 100 = 3 (a held)."""
    assert OAT_POINTS.to_dict("list") == {"a": [1.0, 0.0, 2.0, 1.0, 1.0],
                                          "b": [15.0, 15.0, 15.0, 10.0, 20.0]}  # fmt: skip
    y = 3 * OAT_POINTS["a"].to_numpy() + OAT_POINTS["b"].to_numpy() ** 2 / 100
    table = sensitivity_indices(OAT, OAT_POINTS, y, seed=1)
    assert table.to_dict("list") == {"parameter": ["a", "b"], "rank": [1, 2],
                                     "range": [pytest.approx(6.0), pytest.approx(3.0)]}  # fmt: skip


def test_a_pure_interaction_has_the_analytic_second_order_index():
    """y = a b with a, b, c uniform on [0, 1]: Var y = 1/9 - 1/16 = 7/144, V_a = V_b =
    Var(a/2) = 1/48 = 3/144, so S1_a = S1_b = 3/7, S2_ab = 1/7, ST = 4/7, and c counts for
    nothing. S2 is reported in the row of the first parameter of the pair."""
    sweep = Sweep(type="sobol", samples=512, second_order=True,
                  parameters={name: Bounds(low=0, high=1) for name in "abc"})  # fmt: skip
    points = design_points(sweep, seed=3)
    y = (points["a"] * points["b"]).to_numpy()
    table = sensitivity_indices(sweep, points, y, seed=3, second_order=True).set_index("parameter")
    a = table.loc["a"]
    assert abs(a["S2_b"] - 1 / 7) <= a["S2_b_conf"]
    assert abs(a["S2_c"]) <= a["S2_c_conf"]
    assert np.isnan(table.loc["b", "S2_a"])  # each pair once, above the diagonal
    for name in "ab":
        assert abs(table.loc[name, "S1"] - 3 / 7) <= table.loc[name, "S1_conf"]
        assert abs(table.loc[name, "ST"] - 4 / 7) <= table.loc[name, "ST_conf"]
    assert table.loc["c", "ST"] == 0.0 and table.loc["c", "rank"] == 3


LHS = Sweep(type="lhs", samples=20, parameters={"a": Bounds(low=0, high=1)})
LHS_POINTS = design_points(LHS, seed=1)
MORRIS = Sweep(type="morris", samples=4, parameters={"a": Bounds(low=0, high=1)})


@pytest.mark.parametrize(
    ("sweep", "points", "y", "options", "message"),
    [
        (LHS, LHS_POINTS, None, {"method": "delta"},
         r"^method: expected one of \['morris', 'oat', 'pawn', 'sobol'\], found 'delta'$"),
        (MORRIS, None, None, {"method": "pawn"},
         r"^method: pawn needs a random sample .*; this sweep is a morris design$"),
        (OAT, OAT_POINTS, np.arange(5.0), {"method": "pawn"}, r"this sweep is a oat design$"),
        (LHS, LHS_POINTS, None, {"second_order": True},
         r"^second_order: the design was sampled without second_order: true$"),
        (LHS, LHS_POINTS, np.arange(19.0), {},
         r"^y: expected one value per design point \(20\), found 19$"),
    ],
)  # fmt: skip
def test_inputs_salib_would_misread_are_refused_naming_the_argument(
    sweep, points, y, options, message
):
    points = design_points(sweep, seed=2) if points is None else points
    y = np.arange(float(len(points))) if y is None else y
    with pytest.raises(StatsInputError, match=message):
        sensitivity_indices(sweep, points, y, seed=1, **options)


def oat_summary() -> pd.DataFrame:
    """A design summary of the OAT points: a mean outcome ``y`` (estimate and median differ)
    and a probability ``p``, both for one variant."""
    rows = []
    for point, (a, b) in enumerate(OAT_POINTS.itertuples(index=False)):
        rows.append({"variant": "base", "design_id": point, "outcome": "y", "kind": "mean",
                     "estimate": 3 * a + b, "p50": 10 * a + b})  # fmt: skip
        rows.append({"variant": "base", "design_id": point, "outcome": "p",
                     "kind": "probability", "estimate": a / 4, "p50": np.nan})  # fmt: skip
    return pd.DataFrame(rows)


def test_the_statistic_chosen_is_the_one_attributed():
    """Median of y: 10 a + b ranges 20 over a (0..2) and 10 over b (10..20); the mean
    3 a + b, 6 and 10; a probability is its estimate whatever the statistic (a/4: 0.5, 0)."""
    design = OAT_POINTS.assign(design_id=range(len(OAT_POINTS)))[["design_id", "a", "b"]]
    median = sensitivity_table(oat_summary(), design, OAT, "y", seed=1, statistic="median")
    assert median[["variant", "outcome", "statistic"]].iloc[0].tolist() == ["base", "y", "median"]
    assert dict(zip(median["parameter"], median["range"], strict=True)) == {"a": 20.0, "b": 10.0}
    mean = sensitivity_table(oat_summary(), design, OAT, "y", seed=1)
    assert dict(zip(mean["parameter"], mean["range"], strict=True)) == {"a": 6.0, "b": 10.0}
    assert mean["parameter"].tolist() == ["b", "a"]  # ranked by the range
    probability = sensitivity_table(oat_summary(), design, OAT, "p", seed=1, statistic="p95")
    assert set(probability["statistic"]) == {"probability"}
    assert dict(zip(probability["parameter"], probability["range"], strict=True)) == {
        "a": 0.5, "b": 0.0}  # fmt: skip
    with pytest.raises(StatsInputError, match=r"^statistic: expected one of \[.*'p95'.*\], "
                                              r"found 'p99'$"):  # fmt: skip
        sensitivity_table(oat_summary(), design, OAT, "y", seed=1, statistic="p99")


def test_sensitivity_csv_keeps_the_rows_of_other_outcomes(tmp_path):
    """Writing outcome y twice replaces y's rows; the rows of p written in between stay."""
    first = pd.DataFrame({"variant": ["v"], "outcome": ["y"], "parameter": ["a"], "rank": [1]})
    other = first.assign(outcome="p", parameter="b")
    again = first.assign(rank=2)
    write_sensitivity(tmp_path, first)
    write_sensitivity(tmp_path, other)
    path = write_sensitivity(tmp_path, again)
    table = pd.read_csv(path)
    assert table[["outcome", "parameter", "rank"]].values.tolist() == [["p", "b", 1], ["y", "a", 2]]
