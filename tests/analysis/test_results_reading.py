"""Reading a results folder back: what each table gives when a file is missing, cached or
absent, the refusals that name what to do, and ``summarize`` writing the sweep's tables.

Two small folders, made once: a scenario experiment (two variants, 12 runs each, 24 months,
yearly trajectories) and a two-point sweep of it without trajectories.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import load_experiment, run_experiment
from sim.analysis.results import (
    DESIGN_SUMMARY,
    DamagedFolderError,
    Results,
    compute_summary,
    open_results,
    resummarize,
    summarize,
)
from sim.analysis.stats import StatsInputError
from sim.analysis.summary import SUMMARY_COLUMNS
from sim.experiment.store import ResultsFolderError, WriteError
from sim.scenario.shipped import default_scenario_path

VARIANTS = {
    "baseline": {},
    "invited": {"events": [{"month": "2025-06", "type": "invite", "bloc": "tirana",
                            "country": "BGR"}]},
}  # fmt: skip


def make_folder(out, name, **extra):
    data = {"name": name, "scenario": str(default_scenario_path()), "variants": VARIANTS,
            "replications": 12, "seed": 7, "months": 24, "years": [1, 2], **extra}  # fmt: skip
    path = out / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return run_experiment(load_experiment(path), out=out, executor="serial", progress=False).path


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return make_folder(tmp_path_factory.mktemp("reading"), "reading",
                       outputs={"series": "yearly"})  # fmt: skip


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    sweep = {"type": "grid", "parameters": {"dynamics.crisis.rate": [0.01, 0.3]}}
    return make_folder(tmp_path_factory.mktemp("sweep"), "sweep", sweep=sweep)


def copy_of(folder, tmp_path):
    import shutil

    return shutil.copytree(folder, tmp_path / folder.name)


def test_a_results_folder_describes_itself(folder):
    results = open_results(folder)
    assert repr(results) == (
        f"Results({str(folder)!r}, status='complete', variants=['baseline', 'invited'])"
    )


def test_reading_some_columns_gives_the_same_before_and_after_the_runs_are_read(folder):
    """Columns not stored are left out, in both cases; the order is the one asked."""
    results = open_results(folder)
    before = results.read_runs(["seed", "no_such_column", "variant"])
    assert list(before.columns) == ["seed", "variant"] and len(before) == 24
    results.runs  # noqa: B018 -- read every column: now the cached table answers
    after = results.read_runs(["seed", "no_such_column", "variant"])
    pd.testing.assert_frame_equal(before, after)


def test_bands_are_quantiles_of_the_stored_trajectories(folder):
    """By default every value column (not the run's identifiers); the median of a month is
    the median of that month's 12 runs (yearly: months 11 and 23 are stored)."""
    results = open_results(folder)
    bands = results.bands()
    series = results.series
    ids = {"variant", "design_id", "replication", "seed", "run", "month"}
    assert set(bands["column"]) == set(series.columns) - ids
    row = bands[(bands["variant"] == "invited") & (bands["column"] == "mean_tension")
                & (bands["month"] == 23)].iloc[0]  # fmt: skip
    month = series[(series["variant"] == "invited") & (series["month"] == 23)]
    assert row["n"] == 12
    assert row["p50"] == pytest.approx(month["mean_tension"].median())
    assert set(results.bands(["depth"])["column"]) == {"depth"}


NO_SERIES = r"no trajectories stored; set outputs.series to yearly or monthly"


def test_tables_without_trajectories_say_how_to_store_them(sweep_folder):
    results = open_results(sweep_folder)
    for read in (results.bands, lambda: results.read_series(["depth"])):
        with pytest.raises(ResultsFolderError, match=NO_SERIES):
            read()


def test_the_survival_curve_at_the_horizon_is_the_share_without_a_crisis(folder):
    """Every run has the same 24-month horizon, so nothing is censored before it and the
    Kaplan–Meier estimate is the plain share of runs with no crisis by then."""
    results = open_results(folder)
    curve = results.survival("first_crisis_month", months=[0, 23])
    for variant, runs in results.runs.groupby("variant"):
        at_end = curve[(curve["variant"] == variant) & (curve["month"] == 23)].iloc[0]
        assert at_end["survival"] == pytest.approx(runs["first_crisis_month"].isna().mean())


def test_a_missing_summary_file_is_computed_again_alike(folder, tmp_path):
    copy = copy_of(folder, tmp_path)
    written = pd.read_csv(copy / "summary.csv", keep_default_na=False, na_values=[""])
    (copy / "summary.csv").unlink()
    pd.testing.assert_frame_equal(open_results(copy).summary, written, check_dtype=False)


def test_a_folder_with_no_finished_task_has_an_empty_summary(folder, tmp_path):
    """A run killed before any task finished: every task pending, no rows, and a summary
    with the usual columns and no rows (not an error)."""
    copy = copy_of(folder, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    for task in manifest["tasks"]:
        task["status"] = "pending"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    results = open_results(copy)
    assert results.runs.empty and results.pending_count == 24
    summary = compute_summary(results)
    assert summary.empty and list(summary.columns) == list(SUMMARY_COLUMNS)


def test_a_damaged_folder_opens_only_unchecked(folder, tmp_path):
    copy = copy_of(folder, tmp_path)
    part = next((copy / "runs").glob("*.parquet"))
    part.write_bytes(part.read_bytes()[:-10])
    with pytest.raises(DamagedFolderError, match=r"1 part\(s\) do not match the manifest"):
        open_results(copy)
    assert isinstance(open_results(copy, check=False), Results)


def test_sweep_analyses_of_a_folder_that_is_not_a_sweep_say_so(folder):
    results = open_results(folder)
    with pytest.raises(StatsInputError, match=r"not a sweep \(no sweep: in the experiment\); "
                                              r"sensitivity needs a design$"):  # fmt: skip
        results.sensitivity("joined_BGR")
    with pytest.raises(StatsInputError, match=r"discover needs a design$"):
        results.discover("crisis_count > 0")


def test_discovery_of_one_variant_uses_its_runs_alone(sweep_folder):
    results = open_results(sweep_folder)
    with pytest.raises(StatsInputError, match=r"^variant: expected one of \['baseline', "
                                              r"'invited'\], found 'nope'$"):  # fmt: skip
        results.discover("crisis_count > 0", variant="nope")
    found = results.discover("crisis_count > 0", variant="invited")
    runs = results.runs[results.runs["variant"] == "invited"]
    assert found.total == len(runs) == 24
    assert found.cases == int((runs["crisis_count"] > 0).sum())


def test_the_design_summary_is_recomputed_and_rewritten_alike(sweep_folder, tmp_path):
    copy = copy_of(sweep_folder, tmp_path)
    written = pd.read_csv(copy / DESIGN_SUMMARY)
    (copy / DESIGN_SUMMARY).unlink()
    pd.testing.assert_frame_equal(open_results(copy).design_summary, written, check_dtype=False)
    summarize(copy)
    pd.testing.assert_frame_equal(pd.read_csv(copy / DESIGN_SUMMARY), written)
    (copy / DESIGN_SUMMARY).unlink()
    resummarize(copy)
    pd.testing.assert_frame_equal(pd.read_csv(copy / DESIGN_SUMMARY), written)


def test_a_summary_that_cannot_go_where_asked_is_an_error(folder, tmp_path):
    """With ``out`` the user asked for that file: not writing it is an error (without
    ``out`` a read-only folder still gives its tables, tested in the CLI tests)."""
    (tmp_path / "taken").write_text("a file")
    target = tmp_path / "taken" / "summary.csv"
    with pytest.raises(WriteError, match=rf"^{target}: cannot write"):
        resummarize(folder, out=target)
    assert not np.any([p.name == "summary.csv" for p in tmp_path.iterdir()])
