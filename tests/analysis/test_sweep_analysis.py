"""Sensitivity indices, per-point statistics and scenario discovery of finished sweeps."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import cli, load_experiment, run_experiment
from sim.analysis.discovery import discover_cases
from sim.analysis.expressions import evaluate
from sim.analysis.sensitivity import sensitivity_indices
from sim.analysis.stats import StatsInputError, wilson_interval
from sim.experiment.design import Bounds, Sweep, design_points
from sim.scenario.shipped import default_scenario_path
from tests.experiment.ishigami import S1, ST

PI = math.pi
CUBE = {name: {"low": -PI, "high": PI} for name in ("x1", "x2", "x3")}


def ishigami_run(tmp_path, sweep: dict):
    data = {"name": "ishigami", "model": "tests.experiment.ishigami:ishigami", "collect": ["y"],
            "sweep": sweep, "replications": 1, "seed": 11}  # fmt: skip
    path = tmp_path / "ishigami.yaml"
    path.write_text(yaml.safe_dump(data))
    return run_experiment(load_experiment(path), out=tmp_path, executor="serial",
                          chunk_size=2000, progress=False)  # fmt: skip


@pytest.fixture(scope="module")
def ishigami_sobol(tmp_path_factory):
    return ishigami_run(tmp_path_factory.mktemp("sobol"),
                        {"type": "sobol", "samples": 512, "parameters": CUBE})  # fmt: skip


def test_sobol_indices_of_ishigami_contain_the_analytic_values(ishigami_sobol):
    table = ishigami_sobol.sensitivity("y").set_index("parameter")
    assert len(ishigami_sobol.runs) == 512 * 5
    for name in ("x1", "x2", "x3"):
        row = table.loc[name]
        assert abs(row["S1"] - S1[name]) <= row["S1_conf"], (name, row["S1"], row["S1_conf"])
        assert abs(row["ST"] - ST[name]) <= row["ST_conf"], (name, row["ST"], row["ST_conf"])
    assert table["rank"].to_dict() == {"x1": 1, "x2": 2, "x3": 3}  # ranked by ST
    assert table.loc["x3", "pawn_median"] < table.loc["x2", "pawn_median"]


def test_morris_shows_that_x3_acts_through_an_interaction(tmp_path):
    results = ishigami_run(tmp_path, {"type": "morris", "samples": 30, "parameters": CUBE})
    table = results.sensitivity("y").set_index("parameter")
    ratio = table["sigma"] / table["mu_star"]
    assert ratio.idxmax() == "x3"  # spread of its effects larger than their size
    assert abs(table.loc["x3", "mu"]) < 0.25 * table.loc["x3", "mu_star"]  # signs cancel
    assert table.loc["x3", "mu_star"] > 1.0  # but x3 matters


def test_sensitivity_is_refused_where_salib_would_mislead():
    sweep = Sweep(type="lhs", samples=20, parameters={"a": Bounds(low=0, high=1)})
    points = design_points(sweep, seed=1)
    with pytest.raises(StatsInputError, match="needs a sobol design"):
        sensitivity_indices(sweep, points, points["a"].to_numpy(), seed=1, method="sobol")
    with pytest.raises(StatsInputError, match="positive seed"):
        sensitivity_indices(sweep, points, points["a"].to_numpy(), seed=0)
    with pytest.raises(StatsInputError, match="missing at 1 design points"):
        sensitivity_indices(sweep, points, np.r_[np.nan, points["a"].to_numpy()[1:]], seed=1)
    with pytest.raises(StatsInputError, match="at every design point"):
        sensitivity_indices(sweep, points, np.ones(20), seed=1)


def test_sensitivity_leaves_global_random_state_and_the_problem_alone():
    sweep = Sweep(type="lhs", samples=64, parameters={"a": Bounds(low=0, high=1),
                                                      "b": Bounds(low=0, high=1)})  # fmt: skip
    points = design_points(sweep, seed=2)
    problem = sweep.problem()
    np.random.seed(123)  # noqa: NPY002 -- checking that the global state is restored
    expected = np.random.random()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002
    sensitivity_indices(sweep, points, points["a"].to_numpy() ** 2, seed=5)
    assert np.random.random() == expected  # noqa: NPY002
    assert sweep.problem() == problem


# --- per-point statistics -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario_grid(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid")
    data = {"name": "grid", "scenario": str(default_scenario_path()), "replications": 25,
            "months": 36, "seed": 4, "outcomes": {"crisis": "crisis_count > 0",
                                                   "bgr": "joined_BGR",
                                                   "srb_xkx": "`peak_tension_SRB-XKX`"},
            "sweep": {"type": "grid", "parameters": {
                "patrons.west.endorsement": [-0.5, 0.0, 0.5],
                "dynamics.crisis.rate": [0.01, 0.3]}}}  # fmt: skip
    path = out / "grid.yaml"
    path.write_text(yaml.safe_dump(data))
    return run_experiment(load_experiment(path), out=out, executor="serial", chunk_size=20,
                          progress=False)  # fmt: skip


def test_the_design_summary_matches_statistics_of_each_points_runs(scenario_grid):
    table = scenario_grid.design_summary
    runs = scenario_grid.runs
    assert len(table) == 6 * 3
    for point, group in runs.groupby("design_id"):
        row = table[(table["design_id"] == point) & (table["outcome"] == "crisis")].iloc[0]
        expected = wilson_interval(int((group["crisis_count"] > 0).sum()), len(group))
        assert np.allclose([row["estimate"], row["low"], row["high"]], expected)
        row = table[(table["design_id"] == point) & (table["outcome"] == "srb_xkx")].iloc[0]
        values = group["peak_tension_SRB-XKX"]
        assert row["estimate"] == pytest.approx(values.mean())
        assert row["p50"] == pytest.approx(values.median())
        assert row["high"] - row["estimate"] == pytest.approx(
            2.0639 * values.std() / 5, rel=1e-3
        )  # t(0.975, 24) sd / sqrt(25)


def test_the_design_summary_does_not_depend_on_how_parts_cut_the_points(scenario_grid, tmp_path):
    experiment = load_experiment(scenario_grid.path.parent / "grid.yaml")
    whole = run_experiment(experiment, out=tmp_path, executor="serial", chunk_size=150,
                           progress=False)  # fmt: skip
    pd.testing.assert_frame_equal(
        whole.compute_design_summary(), scenario_grid.compute_design_summary()
    )


def test_expressions_name_the_missing_column():
    runs = pd.DataFrame({"crisis_count": [0, 1], "join_month_BGR": [np.nan, 4.0]})
    assert evaluate(runs, "crisis").tolist() == [False, True]
    with pytest.raises(StatsInputError, match="no column 'crisis_cont'; did you mean crisis_count"):
        evaluate(runs, "crisis_cont > 0")
    with pytest.raises(StatsInputError, match="--where 'crisis_count >'"):
        evaluate(runs, "crisis_count >")


# --- scenario discovery ---------------------------------------------------------------------------


def test_prim_recovers_a_known_box():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.uniform(size=(3000, 5)), columns=[f"p{i}" for i in range(5)])
    inside = ((x["p0"] > 0.6) & (x["p1"] < 0.3)).to_numpy()
    y = np.where(inside, rng.uniform(size=3000) < 0.9, rng.uniform(size=3000) < 0.05)
    found = discover_cases(x, y, where="case", seed=4)
    box = found.box.set_index("parameter")
    assert set(box.index) == {"p0", "p1"}
    assert box.loc["p0", "low"] == pytest.approx(0.6, abs=0.03)
    assert box.loc["p1", "high"] == pytest.approx(0.3, abs=0.03)
    chosen = found.chosen_row
    truth_coverage = (y & inside).sum() / y.sum()
    assert chosen["coverage"] == pytest.approx(truth_coverage, abs=0.05)
    assert chosen["density"] == pytest.approx(0.9, abs=0.04)
    assert (box[["qp_low", "qp_high"]].min(axis=1) < 1e-6).all()
    assert set(found.features["parameter"].tolist()[:2]) == {"p0", "p1"}
    assert found.tree.iloc[0]["density"] > 0.8
    assert "when p0 is at least 0.6 and p1 is at most 0.29" in found.sentence()


def test_discover_and_sensitivity_from_the_command_line(scenario_grid, capsys):
    folder = str(scenario_grid.path)
    assert cli.main(["sensitivity", folder, "--outcome", "crisis"]) == 0
    printed = capsys.readouterr().out
    assert "sensitivity of probability of crisis" in printed and "PAWN median" in printed
    written = pd.read_csv(scenario_grid.path / "sensitivity.csv")
    assert set(written["parameter"]) == {"patrons.west.endorsement",
                                         "dynamics.crisis.rate"}  # fmt: skip
    assert cli.main(["discover", folder, "--where", "joined_BGR or crisis"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "holds in" in printed and "PRIM box" in printed and "feature scores" in printed
    assert (scenario_grid.path / "discovery.json").is_file()
    assert cli.main(["sensitivity", folder, "--outcome", "nope"]) == 2
    assert "expected one of the experiment's outcomes" in capsys.readouterr().err
    assert cli.main(["discover", folder, "--where", "srb_xkx > 1"]) == 2
    assert "no column 'srb_xkx'" in capsys.readouterr().err


def test_a_missing_analysis_extra_is_named(monkeypatch, scenario_grid, capsys):
    monkeypatch.setitem(__import__("sys").modules, "SALib.analyze.pawn", None)
    assert cli.main(["sensitivity", str(scenario_grid.path), "--outcome", "crisis"]) == 2
    assert "pip install 'alliance-sim[analysis]'" in capsys.readouterr().err
