"""The figure helpers every plot uses: calendar months, axes given or made, grids, captions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from sim.report import style


def test_months_become_decimal_years_from_the_start_month_or_stay_indices():
    """Month 0 of 2025-03 is 2025 + 2/12; month 10 is 2025 + 12/12 = 2026.0 (January 2026)."""
    assert style.month_dates("2025-03", [0, 10]).tolist() == pytest.approx([2025 + 2 / 12, 2026.0])
    assert style.month_dates(None, [0, 10]).tolist() == [0.0, 10.0]


def test_calendar_labels_are_years_in_january_and_year_months_otherwise():
    assert style._calendar_label(2026.0) == "2026"
    assert style._calendar_label(2025 + 2 / 12) == "2025-03"


def test_an_axis_without_a_start_month_counts_months():
    figure, ax = plt.subplots()
    style.date_axis(ax, None)
    assert ax.get_xlabel() == "month of the run"
    plt.close(figure)


def test_given_axes_are_used_and_too_few_are_refused():
    figure, axes = plt.subplots(1, 3)
    assert style.new_axes(axes[0]) is axes[0]
    assert style.new_grid(axes, 2) == list(axes[:2])
    with pytest.raises(ValueError, match=r"^ax: expected at least 4 axes, found 3$"):
        style.new_grid(axes, 4)
    plt.close(figure)


def test_a_new_grid_hides_its_extra_axes():
    panels = style.new_grid(None, 4, columns=3)  # a 2 x 3 grid, two spare
    assert len(panels) == 4
    hidden = [ax for ax in panels[0].figure.axes if not ax.get_visible()]
    assert len(hidden) == 2
    plt.close(panels[0].figure)


def test_a_caption_is_found_again_and_a_figure_without_one_has_none():
    ax = style.new_axes(None)
    assert style.caption_of(style.finish(ax, "Title", None)) == ""
    figure = style.finish(ax, "Title", "Experiment x · 10 runs per variant")
    assert style.caption_of(figure) == "Experiment x · 10 runs per variant"
    plt.close(figure)


def test_caption_text_names_runs_seed_and_what_else_is_given():
    plain = style.caption_text("q", replications=2000, seed=None)
    assert plain == "Experiment q · 2,000 runs per variant"
    assert style.caption_text("q", replications=5, seed=7, extra="120 months") == (
        "Experiment q · 5 runs per variant · master seed 7 · 120 months"
    )
