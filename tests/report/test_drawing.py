"""Each figure drawn from a small stored results folder: panels, labels, series, and the files."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pytest

from sim.analysis.results import open_results
from sim.errors import ConfigError
from sim.experiment.figures import FIGURES
from sim.experiment.spec import load_experiment
from sim.report import drawing
from sim.report.drawing import BUILDERS, FigureError, figure_plan, write_figures
from sim.report.style import caption_of

RUN_FIGURES = ["join_probabilities", "survival", "tension_bands", "stages", "expansion_paths",
               "differences", "network"]  # fmt: skip


@pytest.fixture(scope="module")
def results(results_folder):
    return open_results(results_folder)


@pytest.fixture(scope="module")
def figures(results):
    return dict(drawing.draw_figures(results, RUN_FIGURES))


def visible(figure):
    return [ax for ax in figure.axes if ax.get_visible()]


def test_every_figure_name_has_a_builder():
    assert list(BUILDERS) == list(FIGURES)


def test_the_plan_draws_every_run_figure_and_says_why_not_the_sweep_ones(results):
    plan = figure_plan(results, list(FIGURES))
    assert [name for name, reason in plan.items() if reason is None] == RUN_FIGURES
    assert plan["sensitivity"] and "sweep" in plan["sensitivity"]


def test_every_figure_has_a_title_and_a_caption_with_experiment_runs_and_seed(figures):
    for name, figure in figures.items():
        assert figure.get_suptitle(), name
        caption = caption_of(figure)
        assert "small_question" in caption and "40 runs per variant" in caption, name
        assert "20250318" in caption, name
        assert figure.legends, f"{name} has no legend"


def test_membership_has_a_panel_per_shown_country_and_a_line_per_variant(figures):
    axes = visible(figures["join_probabilities"])
    assert 1 <= len(axes) <= 6
    for ax in axes:
        assert len(ax.get_lines()) == 3  # baseline, invited, joins
        assert len(ax.collections) == 3  # their intervals
    titles = [ax.get_title() for ax in axes]
    assert "Bulgaria (BGR)" in titles  # joins in every run of one variant
    assert "%" in axes[0].get_ylabel()


def test_membership_dates_are_calendar_dates(figures):
    figure = figures["join_probabilities"]
    figure.canvas.draw()
    ax = visible(figure)[-1]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert any(label.startswith("202") for label in labels)


def test_survival_has_a_panel_per_variant_with_a_curve_per_country(figures):
    axes = visible(figures["survival"])
    assert [ax.get_title() for ax in axes] == ["baseline", "bulgaria_invited", "bulgaria_joins"]
    n = len(axes[0].get_lines())
    assert n >= 1 and all(len(ax.get_lines()) == n for ax in axes)
    last = axes[2]
    bulgaria = next(line for line in last.get_lines() if line.get_label() == "Bulgaria (BGR)")
    assert np.nanmax(bulgaria.get_ydata()) == pytest.approx(1.0)  # everyone joins


def test_tension_fans_have_dyads_times_variants_panels_with_two_bands_and_a_median(figures):
    axes = visible(figures["tension_bands"])
    assert len(axes) == 3 * 3  # SRB-XKX, SRB-HRV, SRB-ALB x three variants
    for ax in axes:
        assert len(ax.collections) == 2 and len(ax.get_lines()) == 1
    assert "tension" in axes[0].get_ylabel()


def test_stage_shares_stack_three_stages_per_variant(figures):
    axes = visible(figures["stages"])
    assert len(axes) == 3
    assert all(len(ax.collections) == 3 for ax in axes)
    labels = [t.get_text() for t in figures["stages"].legends[0].get_texts()]
    assert labels == ["declaration", "security mechanism", "formal alliance"]


def test_expansion_paths_have_bars_with_intervals(figures):
    axes = visible(figures["expansion_paths"])
    assert len(axes) == 3
    assert all(1 <= len(ax.patches) <= 8 for ax in axes)
    assert any("BGR" in t.get_text() for t in axes[2].get_yticklabels())


def test_differences_show_both_other_variants_against_the_baseline(figures):
    axes = visible(figures["differences"])
    assert len(axes) == 2
    assert "percentage points" in axes[0].get_xlabel()
    assert "tension units" in axes[1].get_xlabel()
    labels = [t.get_text() for t in figures["differences"].legends[0].get_texts()]
    assert labels == ["bulgaria_invited", "bulgaria_joins"]


def test_network_map_shows_start_and_end_with_every_capital(figures):
    axes = visible(figures["network"])
    assert len(axes) == 2
    assert "(start)" in axes[0].get_title() and "2029-02" in axes[1].get_title()
    codes = {t.get_text() for t in axes[0].texts}
    assert {"SRB", "XKX", "BGR", "GRC"} <= codes
    assert "longitude" in axes[0].get_xlabel()


def test_write_figures_saves_non_blank_pngs_and_svgs(results_folder):
    written = write_figures(results_folder, ["differences", "stages", "sensitivity"], svg=True)
    assert isinstance(written["sensitivity"], str)  # not a sweep: the reason
    for name in ("differences", "stages"):
        png, svg = written[name]
        assert png.stat().st_size > 20_000 and svg.suffix == ".svg"
        image = mpimg.imread(png)
        assert image.shape[0] > 300 and image.shape[1] > 500
        assert image[..., :3].std() > 0.05  # not blank


def test_figures_default_to_what_the_experiment_asked_for(tmp_path, write_experiment):
    from sim.workflow import run_experiment

    path = write_experiment(tmp_path, variants={}, series="none", replications=10, months=24,
                            years=[1], outputs={"figures": ["survival"]})  # fmt: skip
    folder = run_experiment(
        load_experiment(path), out=tmp_path / "out", executor="serial", progress=False, plots=True
    ).path
    assert sorted(p.name for p in (folder / "figures").iterdir()) == ["survival.png"]
    plan = figure_plan(open_results(folder), ["tension_bands", "differences"])
    assert "outputs.series" in plan["tension_bands"]
    assert "paired" in plan["differences"]


def test_an_empty_figure_list_means_no_figures_at_the_end_of_a_run(tmp_path, write_experiment):
    """``outputs.figures: []`` draws nothing at the end of a run (null or absent: every figure
    that applies); asked to plot, the folder still draws what applies."""
    from sim.workflow import run_experiment

    path = write_experiment(tmp_path, variants={}, series="none", replications=6, months=12,
                            years=[1], outputs={"figures": []})  # fmt: skip
    experiment = load_experiment(path)
    assert experiment.outputs.figures == []
    folder = run_experiment(
        experiment, out=tmp_path / "out", executor="serial", progress=False, plots=True
    ).path
    assert not (folder / "figures").exists()
    assert figure_plan(open_results(folder))["stages"] is None  # `plot` alone: all that apply
    for outputs in ({"figures": None}, {}):
        assert load_experiment(write_experiment(tmp_path, outputs=outputs)).outputs.figures is None


def test_an_unknown_figure_name_is_refused(results_folder):
    with pytest.raises(FigureError, match=r"figures: expected names from .*found \['maps'\]"):
        write_figures(results_folder, ["maps"])


def test_an_unknown_figure_name_in_an_experiment_is_a_load_time_error(tmp_path, write_experiment):
    path = write_experiment(tmp_path, outputs={"figures": ["survival", "survial_curves"]})
    with pytest.raises(ConfigError, match=r"outputs\.figures\.1.*survival"):
        load_experiment(path)
