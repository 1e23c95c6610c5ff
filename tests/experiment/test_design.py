"""Sweep designs: what points they hold, their seeds, their checks; sweeps through the runner."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import load_experiment, run_experiment
from sim.errors import ConfigError
from sim.experiment.design import Bounds, Sweep, check_sweep, design_points
from sim.experiment.seeds import run_seed, stream_seed
from sim.experiment.spec import experiment_from_dict
from sim.experiment.store import ResultsFolder
from sim.scenario.shipped import default_scenario_path

PI = math.pi


def bounded(kind: str, samples: int, **extra) -> Sweep:
    parameters = {"a": Bounds(low=-1, high=2), "b": Bounds(low=0.5, high=0.75),
                  "c": Bounds(low=-PI, high=PI)}  # fmt: skip
    return Sweep(type=kind, parameters=parameters, samples=samples, **extra)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(-5, 5), min_size=1, max_size=4, unique=True),
                min_size=1, max_size=3))  # fmt: skip
def test_a_grid_is_exactly_the_product_of_the_values(values):
    sweep = Sweep(type="grid", parameters={f"p{i}": v for i, v in enumerate(values)})
    points = design_points(sweep, seed=1)
    assert [tuple(row) for row in points.itertuples(index=False)] == list(
        itertools.product(*values)
    )


def test_a_grid_range_gives_evenly_spaced_values():
    sweep = Sweep(type="grid", parameters={"x": Bounds(low=0, high=1, steps=5)})
    assert design_points(sweep, seed=1)["x"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize(("kind", "samples", "rows"), [("lhs", 50, 50), ("sobol", 16, 16 * 5),
                                                       ("morris", 6, 6 * 4)])  # fmt: skip
def test_random_designs_respect_bounds_and_their_seed(kind, samples, rows):
    sweep = bounded(kind, samples)
    points = design_points(sweep, seed=5)
    assert len(points) == rows
    for name, spec in sweep.parameters.items():
        assert points[name].between(spec.low, spec.high).all(), name
    pd.testing.assert_frame_equal(points, design_points(sweep, seed=5))
    assert not points.equals(design_points(sweep, seed=6))


def test_a_latin_hypercube_has_one_point_per_stratum():
    points = design_points(bounded("lhs", 40), seed=3)
    strata = np.floor((points["a"] + 1) / 3 * 40).astype(int)
    assert sorted(strata) == list(range(40))


def test_sobol_with_second_order_has_2d_plus_2_points_per_sample():
    assert len(design_points(bounded("sobol", 8, second_order=True), seed=1)) == 8 * (2 * 3 + 2)


def test_one_at_a_time_moves_one_parameter_from_the_defaults():
    sweep = Sweep(type="oat", parameters={"a": Bounds(low=0, high=1, steps=3),
                                          "b": Bounds(low=5, high=6, steps=2)})  # fmt: skip
    points = design_points(sweep, seed=1, defaults={"a": 0.3, "b": 5.5})
    assert points.to_dict("list") == {"a": [0.3, 0.0, 0.5, 1.0, 0.3, 0.3],
                                      "b": [5.5, 5.5, 5.5, 5.5, 5.0, 6.0]}  # fmt: skip


def test_a_table_design_reads_the_csv(tmp_path):
    (tmp_path / "points.csv").write_text("patrons.russia.support,dynamics.tension.decay\n"
                                         "0.1,0.02\n0.9,0.05\n")  # fmt: skip
    points = design_points(Sweep(type="table", file="points.csv"), seed=1, folder=tmp_path)
    assert points.to_dict("list") == {"patrons.russia.support": [0.1, 0.9],
                                      "dynamics.tension.decay": [0.02, 0.05]}  # fmt: skip


def test_the_design_seed_comes_from_the_master_seed_and_is_never_a_run_seed():
    seed = stream_seed(20250318, "design")
    assert seed > 0 and seed == stream_seed(20250318, "design")
    assert seed != stream_seed(20250319, "design") != stream_seed(20250318, "analysis")
    assert seed not in {run_seed(20250318, k) for k in range(100)}


@pytest.mark.parametrize(
    ("sweep", "field"),
    [
        ({"type": "lhs", "parameters": {"a": {"low": 0, "high": 1}}}, "sweep.samples"),
        ({"type": "sobol", "samples": 10, "parameters": {"a": {"low": 0, "high": 1}}},
         "sweep.samples"),
        ({"type": "lhs", "samples": 4, "parameters": {"a": [1, 2]}}, "sweep.parameters.a"),
        ({"type": "grid", "parameters": {"a": {"low": 0, "high": 1}}}, "sweep.parameters.a"),
        ({"type": "oat", "parameters": {"a": {"low": 0, "high": 1}}}, "sweep.parameters.a"),
        ({"type": "grid", "parameters": {}}, "sweep.parameters"),
        ({"type": "table"}, "sweep.file"),
    ],
)  # fmt: skip
def test_a_sweep_that_does_not_suit_its_type_is_refused(sweep, field):
    with pytest.raises(ConfigError, match=rf"x.yaml: {field}: expected"):
        check_sweep(Sweep.model_validate(sweep), "x.yaml")


def test_bounds_must_be_ordered():
    with pytest.raises(ValueError, match="low < high"):
        Bounds(low=1, high=0)


# --- sweeps through the runner -------------------------------------------------------------------


def sweep_experiment(tmp_path, sweep, **extra) -> dict:
    return {"name": "sweep", "scenario": str(default_scenario_path()), "sweep": sweep,
            "replications": 12, "months": 24, "seed": 9, **extra}  # fmt: skip


def make(folder, data):
    """Write an experiment file and load it."""
    path = folder / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_experiment(path)


GRID = {"type": "grid", "parameters": {"patrons.russia.support": [0.1, 0.9],
                                       "patrons.west.endorsement": [-0.5, 0.0, 0.4]}}  # fmt: skip


def test_a_point_that_breaks_the_scenario_is_refused_naming_point_and_field(tmp_path):
    sweep = {"type": "grid", "parameters": {"patrons.russia.support": [0.5, 1.4]}}
    with pytest.raises(ConfigError, match=r"sweep.points.1.patrons.russia.support: expected"):
        experiment_from_dict(sweep_experiment(tmp_path, sweep), file=tmp_path / "x.yaml")
    sweep = {"type": "grid", "parameters": {"patrons.russia.supprt": [0.5]}}
    with pytest.raises(ConfigError, match=r"sweep.points.0.patrons.russia.supprt: expected an "
                       "existing numeric parameter path"):  # fmt: skip
        experiment_from_dict(sweep_experiment(tmp_path, sweep), file=tmp_path / "x.yaml")


@pytest.fixture(scope="module")
def grid_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid")
    experiment = make(out, sweep_experiment(out, GRID))
    return run_experiment(experiment, out=out, executor="serial", chunk_size=20, progress=False)


def test_rows_carry_design_id_and_the_swept_values_with_common_random_numbers(grid_run):
    runs = grid_run.runs
    assert len(runs) == 6 * 12
    design = grid_run.design
    assert design.columns.tolist() == ["design_id", "patrons.russia.support",
                                       "patrons.west.endorsement"]  # fmt: skip
    merged = runs.merge(design, on="design_id", suffixes=("", "_design"))
    for name in ("patrons.russia.support", "patrons.west.endorsement"):
        assert (merged[name] == merged[f"{name}_design"]).all()
    seeds = runs.pivot(index="replication", columns="design_id", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()  # replication k: one seed at every point
    assert seeds[0].tolist() == [run_seed(9, k) for k in range(12)]


def test_a_sweep_point_runs_like_a_variant_with_the_same_overrides(tmp_path, grid_run):
    overrides = {"patrons.russia.support": 0.9, "patrons.west.endorsement": 0.4}
    data = sweep_experiment(tmp_path, None, variants={"v": {"overrides": overrides}})
    del data["sweep"]
    variant = run_experiment(make(tmp_path, data), out=tmp_path,
                             executor="serial", progress=False, summary=False).runs  # fmt: skip
    point = grid_run.runs[grid_run.runs["design_id"] == 5].reset_index(drop=True)
    outcomes = [c for c in variant.columns if c not in ("variant", "design_id")]
    pd.testing.assert_frame_equal(point[outcomes], variant[outcomes], check_exact=True)


def test_chunks_spanning_points_give_the_same_rows_as_one_point_per_chunk(tmp_path, grid_run):
    experiment = make(tmp_path, sweep_experiment(tmp_path, GRID))
    alone = run_experiment(experiment, out=tmp_path, executor="serial", chunk_size=12,
                           progress=False, summary=False)  # fmt: skip
    pd.testing.assert_frame_equal(alone.runs, grid_run.runs, check_exact=True)


def test_resuming_a_sweep_gives_the_tables_of_an_uninterrupted_one(tmp_path, grid_run):
    experiment = make(tmp_path, sweep_experiment(tmp_path, GRID))
    run_experiment(experiment, out=tmp_path, executor="serial", chunk_size=20, progress=False)
    folder = ResultsFolder(tmp_path / "sweep")
    manifest = folder.read_manifest()
    for entry in manifest["tasks"][1::2]:  # as if these had not run
        entry["status"] = "pending"
        (folder.path / entry["runs_part"]).unlink()
    manifest["status"] = "interrupted"
    folder.write_manifest(manifest)
    (folder.path / "design_summary.csv").unlink()
    resumed = run_experiment(experiment, out=tmp_path, executor="serial", resume=True,
                             progress=False)  # fmt: skip
    pd.testing.assert_frame_equal(resumed.runs, grid_run.runs, check_exact=True)
    pd.testing.assert_frame_equal(resumed.design_summary, grid_run.design_summary)


def test_a_changed_table_design_is_not_resumed(tmp_path):
    (tmp_path / "points.csv").write_text("patrons.russia.support\n0.1\n0.9\n")
    data = sweep_experiment(tmp_path, {"type": "table", "file": "points.csv"}, replications=2)
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(data))
    run_experiment(load_experiment(path), out=tmp_path, executor="serial", progress=False)
    (tmp_path / "points.csv").write_text("patrons.russia.support\n0.2\n0.9\n")
    with pytest.raises(Exception, match="another design"):
        run_experiment(load_experiment(path), out=tmp_path, executor="serial", resume=True,
                       progress=False)  # fmt: skip


def test_without_common_random_numbers_each_point_has_its_own_seeds(tmp_path):
    data = sweep_experiment(tmp_path, GRID, common_random_numbers=False, replications=3)
    experiment = make(tmp_path, data)
    runs = run_experiment(experiment, out=tmp_path, executor="serial", progress=False).runs
    assert runs["seed"].nunique() == len(runs)
    assert runs.loc[runs["design_id"] == 2, "seed"].tolist() == [
        run_seed(9, k, design_point=2) for k in range(3)
    ]


def test_variants_times_a_design(tmp_path):
    variants = {"baseline": {}, "tense": {"overrides": {"relations.SRB-XKX.tension": 1.2}}}
    data = sweep_experiment(tmp_path, GRID, variants=variants, replications=2)
    results = run_experiment(make(tmp_path, data), out=tmp_path,
                             executor="serial", progress=False)  # fmt: skip
    assert results.runs.groupby("variant", sort=False).size().to_dict() == {
        "baseline": 12,
        "tense": 12,
    }
    summary = results.design_summary
    assert set(summary["variant"]) == {"baseline", "tense"}
    assert len(summary[summary["outcome"] == "crisis"]) == 12


def test_a_generic_model_sweep_records_per_step_series(tmp_path):
    data = {"name": "boltzmann", "model": "mesa.examples.basic.boltzmann_wealth_model.model:"
            "BoltzmannWealth", "parameters": {"n": 20, "width": 5, "height": 5},
            "collect": ["gini"], "steps": 6, "replications": 2, "seed": 1,
            "outputs": {"series": "monthly"},
            "sweep": {"type": "grid", "parameters": {"n": [10, 30]}}}  # fmt: skip
    results = run_experiment(make(tmp_path, data), out=tmp_path,
                             executor="serial", progress=False)  # fmt: skip
    assert results.runs.groupby("n").size().to_dict() == {10: 2, 30: 2}
    series = results.series
    assert series.groupby(["design_id", "replication"]).size().tolist() == [7] * 4  # steps 0-6
    last = series[series["step"] == 6].reset_index(drop=True)
    assert np.allclose(last["gini"], results.runs["gini"])
    json.dumps(results.manifest)  # the manifest stays plain JSON


def test_a_model_sweep_over_an_unknown_parameter_is_refused(tmp_path):
    data = {"name": "boltzmann", "model": "mesa.examples.basic.boltzmann_wealth_model.model:"
            "BoltzmannWealth", "parameters": {"n": 20, "width": 5, "height": 5},
            "collect": ["gini"], "steps": 2, "replications": 2,
            "sweep": {"type": "grid", "parameters": {"agents": [10, 30]}}}  # fmt: skip
    with pytest.raises(ConfigError, match=r"sweep.parameters.agents: expected a parameter of"):
        make(tmp_path, data)
