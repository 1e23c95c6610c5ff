"""The sweep figures on a folder holding the files a sweep leaves (written here, in the format
of design.parquet, design_summary.csv, sensitivity.csv and discovery.json)."""

from __future__ import annotations

import itertools
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from sim.analysis.results import open_results
from sim.report.drawing import draw_figures, figure_plan, write_figures

X, Y = "patrons.russia.support", "patrons.west.endorsement"


@pytest.fixture(scope="module")
def sweep_folder(results_folder, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep") / "small_question"
    shutil.copytree(results_folder, folder)
    points = pd.DataFrame(list(itertools.product([0.0, 0.25, 0.5, 0.75], [0.0, 0.5, 1.0])),
                          columns=[X, Y])  # fmt: skip
    points.insert(0, "design_id", range(len(points)))
    points.to_parquet(folder / "design.parquet", index=False)
    rows = []
    for point in points.itertuples(index=False):
        x, y = point[1], point[2]
        for outcome, estimate in (("P(BGR joins by 2030)", 0.1 + 0.5 * y - 0.2 * x),
                                  ("P(crisis)", 0.2 + 0.6 * x)):  # fmt: skip
            rows.append(
                {
                    "variant": "baseline",
                    "design_id": point.design_id,
                    X: x,
                    Y: y,
                    "outcome": outcome,
                    "kind": "probability",
                    "n": 40,
                    "estimate": estimate,
                    "low": estimate - 0.1,
                    "high": estimate + 0.1,
                }
            )
    pd.DataFrame(rows).to_csv(folder / "design_summary.csv", index=False)
    pd.DataFrame({
        "variant": "baseline", "outcome": ["P(crisis)"] * 3, "statistic": "mean",
        "parameter": [X, Y, "dynamics.tension.decay"], "rank": [1, 2, 3],
        "S1": [0.7, 0.05, 0.1], "S1_conf": [0.05, 0.04, 0.03],
        "ST": [0.8, 0.1, 0.12], "ST_conf": [0.06, 0.05, 0.04],
    }).to_csv(folder / "sensitivity.csv", index=False)  # fmt: skip
    trajectory = pd.DataFrame({"box": range(6), "coverage": np.linspace(1, 0.4, 6),
                               "density": np.linspace(0.3, 0.9, 6), "mass": np.linspace(1, .2, 6),
                               "n": 100, "k": 30, "restricted": [0, 1, 1, 2, 2, 2]})  # fmt: skip
    box = [{"parameter": X, "low": 0.0, "high": 0.3, "sampled_low": 0.0, "sampled_high": 0.75,
            "qp_low": None, "qp_high": 0.01},
           {"parameter": Y, "low": 0.4, "high": 1.0, "sampled_low": 0.0, "sampled_high": 1.0,
            "qp_low": 0.02, "qp_high": None}]  # fmt: skip
    (folder / "discovery.json").write_text(json.dumps({
        "where": "joined_BGR and crisis_count == 0", "cases": 30, "total": 100,
        "sentence": "...", "chosen_box": 3, "box": box,
        "trajectory": trajectory.to_dict("records"), "tree": [], "features": [],
    }))  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def figures(sweep_folder):
    return dict(draw_figures(open_results(sweep_folder), ["sweep_heatmap", "sensitivity", "prim"]))


def visible(figure):
    return [ax for ax in figure.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def test_the_sweep_figures_apply_only_where_their_files_are(sweep_folder, results_folder):
    assert set(figure_plan(open_results(sweep_folder), ["sweep_heatmap", "sensitivity", "prim"])
               .values()) == {None}  # fmt: skip
    plan = figure_plan(open_results(results_folder), ["sweep_heatmap", "sensitivity", "prim"])
    assert "design_summary.csv" in plan["sweep_heatmap"]
    assert "sensitivity.csv" in plan["sensitivity"] and "discovery.json" in plan["prim"]


def test_heatmap_has_a_cell_per_grid_point_and_a_panel_per_outcome(figures):
    panels = [ax for ax in visible(figures["sweep_heatmap"]) if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["P(BGR joins by 2030) (%)", "P(crisis) (%)"]
    mesh = panels[1].collections[0]
    assert mesh.get_array().size == 4 * 3
    assert np.nanmax(mesh.get_array()) == pytest.approx(100 * (0.2 + 0.6 * 0.75))
    assert panels[0].get_xlabel() == X and panels[0].get_ylabel() == Y


def test_sensitivity_ranks_parameters_with_intervals(figures):
    (panel,) = visible(figures["sensitivity"])
    assert next(t.get_text() for t in panel.get_yticklabels()) == X  # highest ST first
    assert len(panel.patches) == 2 * 3  # ST and S1 for three parameters
    labels = [t.get_text() for t in panel.get_legend().get_texts()]
    assert labels == ["ST (95% CI)", "S1 (95% CI)"]


def test_prim_shows_the_trajectory_and_the_chosen_box(figures):
    left, right = visible(figures["prim"])[:2]
    assert "coverage" in left.get_xlabel() and "density" in left.get_ylabel()
    assert len(left.collections[0].get_offsets()) == 6
    assert [t.get_text() for t in right.get_yticklabels()] == [X, Y]
    assert "joined_BGR" in figures["prim"].get_suptitle()


def test_sweep_figures_are_written(sweep_folder):
    written = write_figures(sweep_folder, ["sweep_heatmap", "sensitivity", "prim"])
    assert all(files[0].stat().st_size > 20_000 for files in written.values())


def test_the_report_of_a_sweep_has_its_figures_and_tables(sweep_folder):
    from sim.report.html import write_report

    html = write_report(sweep_folder, figures=["sweep_heatmap", "sensitivity", "prim"]).read_text()
    assert html.count('src="data:image/png;base64,') == 3
    assert "Sensitivity and discovery" in html and "Sensitivity indices" in html
    assert "Per design point" in html and "dynamics.tension.decay" in html
