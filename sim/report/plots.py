"""Figures of an experiment's runs: one function per figure, taking a table and ``ax=None``.

Each function draws a table made by :mod:`sim.report.figure_data` (no computation, no files) on
the axes given, or on a new figure, and returns the figure. Multi-panel figures take a sequence of
axes (one per panel) as ``ax``. Every figure has a title, axis labels with units, calendar dates
where time is shown, a legend and, when ``caption`` is given, a caption line (experiment,
replications, seed). Series differ in colour (Okabe–Ito), line style and marker, so they stay
apart in greyscale.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.style import (
    GREY,
    colour,
    date_axis,
    finish,
    hatch,
    linestyle,
    marker,
    month_dates,
    new_grid,
    percent_axis,
    theme,
)

AxesArg = Axes | Sequence[Axes] | np.ndarray | None


def _markevery(points: int) -> int:
    return max(1, points // 8)


def _top(values: pd.Series) -> float:
    """Upper limit of a probability axis: a little above the highest value, at most 100%."""
    return min(1.0, 1.08 * float(np.nanmax(values.to_numpy(float), initial=0.01)))


def _country(code: str, names: dict[str, str] | None) -> str:
    name = (names or {}).get(code, code)
    return name if name == code else f"{name} ({code})"


def _variant_line(ax: Axes, x, y, index: int, label: str, points: int) -> None:
    ax.plot(x, y, color=colour(index), linestyle=linestyle(index), marker=marker(index),
            markevery=_markevery(points), markersize=4, linewidth=1.6, label=label)  # fmt: skip


def membership(
    table: pd.DataFrame,
    *,
    countries: Sequence[str],
    start: str | None,
    caption: str | None = None,
    names: dict[str, str] | None = None,
    ax: AxesArg = None,
) -> Figure:
    """Probability that each candidate is a member at each date, one panel per country.

    Parameters
    ----------
    table : DataFrame
        :func:`~sim.report.figure_data.membership_over_time`: ``variant, country, month,
        probability, low, high``.
    countries : sequence of str
        Countries to show, one panel each.
    start : str or None
        Calendar month of month 0 (``YYYY-MM``).
    names : dict, optional
        Country code -> name for the panel titles.
    ax : sequence of Axes, optional
        One per country.
    """
    axes = new_grid(ax, len(countries))
    variants = list(pd.unique(table["variant"]))
    for panel, code in zip(axes, countries, strict=True):
        rows = table[table["country"] == code]
        for index, variant in enumerate(variants):
            part = rows[rows["variant"] == variant]
            x = month_dates(start, part["month"])
            _variant_line(panel, x, part["probability"], index, variant, len(part))
            panel.fill_between(x, part["low"], part["high"], color=colour(index), alpha=0.18,
                               linewidth=0)  # fmt: skip
        panel.set_title(_country(code, names))
        panel.set_ylim(0, _top(table["high"]))
        percent_axis(panel)
        date_axis(panel, start)
        panel.set_ylabel("P(member) (% of runs)")
    for panel in axes:
        panel.label_outer()
    axes[0].figure.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper",
                          title="variant (95% CI shaded)")  # fmt: skip
    return finish(axes, "Membership of the pact over time", caption)


def join_curves(
    table: pd.DataFrame,
    *,
    countries: Sequence[str],
    start: str | None,
    caption: str | None = None,
    names: dict[str, str] | None = None,
    ax: AxesArg = None,
) -> Figure:
    """Kaplan–Meier curves of the time to joining, one panel per variant, one line per country.

    Parameters
    ----------
    table : DataFrame
        :func:`~sim.report.figure_data.join_curves`: ``variant, country, month, joined, low,
        high``.
    countries : sequence of str
        Countries to draw (at most six read well).
    ax : sequence of Axes, optional
        One per variant.
    """
    variants = list(pd.unique(table["variant"]))
    axes = new_grid(ax, len(variants), panel_size=(4.2, 3.2))
    for panel, variant in zip(axes, variants, strict=True):
        rows = table[table["variant"] == variant]
        for index, code in enumerate(countries):
            part = rows[rows["country"] == code]
            x = month_dates(start, part["month"])
            panel.step(x, part["joined"], where="post", color=colour(index),
                       linestyle=linestyle(index), linewidth=1.6,
                       label=_country(code, names))  # fmt: skip
            panel.fill_between(x, part["low"], part["high"], step="post", color=colour(index),
                               alpha=0.15, linewidth=0)  # fmt: skip
        panel.set_title(variant)
        panel.set_ylim(0, _top(table["high"]))
        percent_axis(panel)
        date_axis(panel, start)
        panel.set_ylabel("P(joined by date) (%)")
    for panel in axes:
        panel.label_outer()
    axes[0].figure.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper",
                          title="country (95% CI shaded)")  # fmt: skip
    return finish(axes, "Time to joining the pact (Kaplan–Meier, censored at the horizon)",
                  caption)  # fmt: skip


def tension_fans(
    table: pd.DataFrame,
    *,
    start: str | None,
    caption: str | None = None,
    ax: AxesArg = None,
) -> Figure:
    """Fan charts of tracked dyads' tension: median line, 50% and 90% bands.

    One row of panels per dyad, one column per variant.

    Parameters
    ----------
    table : DataFrame
        :func:`~sim.report.figure_data.tension_fans`: ``variant, dyad, month, p5, p25, p50, p75,
        p95``.
    ax : sequence of Axes, optional
        ``dyads x variants`` of them, row by row.
    """
    dyads = list(pd.unique(table["dyad"]))
    variants = list(pd.unique(table["variant"]))
    axes = new_grid(ax, len(dyads) * len(variants), columns=len(variants),
                    panel_size=(3.6, 2.4))  # fmt: skip
    for row, dyad in enumerate(dyads):
        for column, variant in enumerate(variants):
            panel = axes[row * len(variants) + column]
            part = table[(table["dyad"] == dyad) & (table["variant"] == variant)]
            x = month_dates(start, part["month"])
            tone = colour(row)
            panel.fill_between(x, part["p5"], part["p95"], color=tone, alpha=0.18, linewidth=0,
                               label="90% of runs")  # fmt: skip
            panel.fill_between(x, part["p25"], part["p75"], color=tone, alpha=0.4, linewidth=0,
                               label="50% of runs")  # fmt: skip
            panel.plot(x, part["p50"], color="black", linewidth=1.4, label="median")
            panel.set_title(f"{dyad} · {variant}", fontsize="small")
            panel.set_ylabel(f"{dyad} tension\n(model units, 0 = none)")
            date_axis(panel, start)
    for panel in axes:
        panel.label_outer()
    axes[0].figure.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper")
    return finish(axes, "Tension of the tracked dyads across runs", caption)


def stage_shares(
    table: pd.DataFrame,
    *,
    start: str | None,
    caption: str | None = None,
    ax: AxesArg = None,
) -> Figure:
    """Stacked shares of runs by the pact's integration stage over time, one panel per variant.

    Parameters
    ----------
    table : DataFrame
        :func:`~sim.report.figure_data.stage_shares`: ``variant, month, stage, share``.
    ax : sequence of Axes, optional
        One per variant.
    """
    variants = list(pd.unique(table["variant"]))
    stages = list(pd.unique(table["stage"]))
    axes = new_grid(ax, len(variants), panel_size=(4.0, 3.0))
    for panel, variant in zip(axes, variants, strict=True):
        wide = table[table["variant"] == variant].pivot(index="month", columns="stage",
                                                        values="share")[stages]  # fmt: skip
        x = month_dates(start, wide.index)
        areas = panel.stackplot(x, *(wide[s].to_numpy() for s in stages), labels=stages,
                                colors=[colour(i) for i in range(len(stages))], alpha=0.8,
                                edgecolor="white", linewidth=0.5)  # fmt: skip
        for index, area in enumerate(areas):
            area.set_hatch(hatch(index))
        panel.set_title(variant)
        panel.set_ylim(0, 1)
        percent_axis(panel)
        date_axis(panel, start)
        panel.set_ylabel("share of runs (%)")
        panel.margins(x=0)
    for panel in axes:
        panel.label_outer()
    axes[0].figure.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper",
                          title="highest stage reached")  # fmt: skip
    return finish(axes, "Integration stage of the pact over time", caption)


def expansion_paths(
    table: pd.DataFrame, *, caption: str | None = None, ax: AxesArg = None
) -> Figure:
    """The most frequent expansion paths (join orders) per variant, with 95% intervals.

    Parameters
    ----------
    table : DataFrame
        :func:`~sim.report.figure_data.top_paths`: ``variant, rank, path, share, low, high``.
    ax : sequence of Axes, optional
        One per variant.
    """
    variants = list(pd.unique(table["variant"]))
    depth = int(table.groupby("variant").size().max())
    axes = new_grid(ax, len(variants), panel_size=(4.0, 0.4 * depth + 1.2), sharey=False)
    for index, (panel, variant) in enumerate(zip(axes, variants, strict=True)):
        part = table[table["variant"] == variant].sort_values("rank")
        y = np.arange(len(part))
        errors = np.vstack([part["share"] - part["low"], part["high"] - part["share"]])
        panel.barh(y, part["share"], xerr=errors, color=colour(index), hatch=hatch(index),
                   edgecolor="white", error_kw={"ecolor": "black", "capsize": 2, "lw": 1},
                   label="share of runs; whiskers: 95% CI;\n(none): nobody joined")  # fmt: skip
        panel.set_yticks(y, part["path"])
        panel.invert_yaxis()
        panel.set_title(variant)
        percent_axis(panel, axis="x")
        panel.set_xlabel("share of runs (%)")
    axes[0].set_ylabel("join order (first → last)")
    axes[0].figure.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper")
    return finish(axes, "Most frequent expansion paths", caption)


def differences(table: pd.DataFrame, *, caption: str | None = None, ax: AxesArg = None) -> Figure:
    """Forest plot of each variant's paired difference from the baseline, with 95% intervals.

    Two panels: probabilities (percentage points) and mean peak tensions (tension units).

    Parameters
    ----------
    table : DataFrame
        :func:`~sim.report.figure_data.differences`: ``variant, label, kind, difference,
        difference_low, difference_high``.
    ax : sequence of Axes, optional
        One per kind present (probability, tension).
    """
    kinds = [k for k in ("probability", "tension") if (table["kind"] == k).any()]
    variants = list(pd.unique(table["variant"]))
    rows = {kind: list(pd.unique(table.loc[table["kind"] == kind, "label"])) for kind in kinds}
    if ax is None:
        theme()
        heights = [len(rows[kind]) * (0.15 * len(variants) + 0.12) + 0.8 for kind in kinds] or [2]
        _figure, grid = plt.subplots(len(heights), 1, figsize=(9.5, sum(heights) + 0.8),
                                    height_ratios=heights, squeeze=False,
                                    layout="constrained")  # fmt: skip
        axes = list(grid.ravel())
    else:
        axes = new_grid(ax, max(1, len(kinds)))
    offsets = np.linspace(-0.18, 0.18, len(variants)) if len(variants) > 1 else np.zeros(1)
    for panel, kind in zip(axes, kinds, strict=False):
        labels = rows[kind]
        scale = 100.0 if kind == "probability" else 1.0
        for index, variant in enumerate(variants):
            part = table[(table["kind"] == kind) & (table["variant"] == variant)]
            y = np.array([labels.index(label) for label in part["label"]]) + offsets[index]
            value = part["difference"].to_numpy(float) * scale
            low = part["difference_low"].to_numpy(float) * scale
            high = part["difference_high"].to_numpy(float) * scale
            panel.errorbar(value, y, xerr=np.vstack([value - low, high - value]), fmt=marker(index),
                           color=colour(index), ecolor=colour(index), capsize=2, markersize=5,
                           linestyle="none", label=variant)  # fmt: skip
        panel.axvline(0.0, color=GREY, linewidth=1, linestyle="--")
        panel.set_yticks(np.arange(len(labels)), labels)
        panel.invert_yaxis()
        unit = "percentage points" if kind == "probability" else "tension units"
        panel.set_xlabel(f"difference from baseline ({unit})")
        panel.set_title("probabilities" if kind == "probability" else "mean peak tension")
    if not kinds:
        axes[0].text(0.5, 0.5, "no paired differences (one variant, or no common random numbers)",
                     ha="center", va="center", transform=axes[0].transAxes)  # fmt: skip
    else:
        axes[0].figure.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper",
                              title="variant (paired 95% CI)")  # fmt: skip
    return finish(axes, "Variants vs the baseline (paired differences)", caption)
