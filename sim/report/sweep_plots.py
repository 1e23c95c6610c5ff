"""Figures of parameter sweeps: an outcome over two parameters, sensitivity indices, PRIM.

Each function draws a table read from the sweep's files (``design_summary.csv``,
``sensitivity.csv``, ``discovery.json``; :mod:`sim.report.drawing` reads them) and returns the
figure. Same conventions as :mod:`sim.report.plots`: data in, ``ax=None``, no files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from sim.report.style import GREY, colour, finish, hatch, marker, new_grid

AxesArg = object  # an Axes, a sequence of them, or None (see sim.report.plots)
INDEX_LABELS = {
    "ST": "Sobol index (share of the outcome's variance)",
    "mu_star": "Morris μ* (outcome units)",
    "pawn_median": "PAWN index (median KS distance)",
    "range": "range of the outcome over the parameter (outcome units)",
}
SCALE = "cividis"  # perceptually uniform, colour-blind safe and monotone in lightness


def outcome_heatmap(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    outcomes: Sequence[str],
    caption: str | None = None,
    ax: AxesArg = None,
) -> Figure:
    """One panel per outcome: its per-point estimate over two swept parameters.

    A grid design is drawn as an annotated heatmap (one cell per pair of values, averaged over
    any other parameters); other designs (LHS, Sobol...) as points coloured by the estimate.

    Parameters
    ----------
    table : DataFrame
        ``design_summary.csv`` rows: columns ``x``, ``y``, ``outcome``, ``kind`` and ``estimate``.
    x, y : str
        The two parameters (dotted paths).
    outcomes : sequence of str
        Outcomes to draw, one panel each.
    ax : sequence of Axes, optional
        One per outcome.
    """
    axes = new_grid(ax, len(outcomes), columns=2, panel_size=(4.8, 4.0), sharex=False,
                    sharey=False)  # fmt: skip
    grid = table[x].nunique() * table[y].nunique() <= 400 and table[x].nunique() <= 20
    for panel, outcome in zip(axes, outcomes, strict=True):
        rows = table[table["outcome"] == outcome]
        share = (rows["kind"] == "probability").all() if "kind" in rows else False
        values = rows["estimate"] * (100.0 if share else 1.0)
        unit = "%" if share else ""
        label = f"{outcome} ({'% of runs' if share else 'mean'})"
        if grid:
            wide = rows.assign(value=values).pivot_table(index=y, columns=x, values="value",
                                                         aggfunc="mean")  # fmt: skip
            wide = wide.sort_index(ascending=False)
            sns.heatmap(wide, ax=panel, cmap=SCALE, annot=wide.size <= 64, fmt=".0f" if share
                        else ".2g", cbar_kws={"label": label}, linewidths=0.5,
                        linecolor="white")  # fmt: skip
            panel.set_xticklabels([f"{float(t.get_text()):g}" for t in panel.get_xticklabels()])
            panel.set_yticklabels([f"{float(t.get_text()):g}" for t in panel.get_yticklabels()])
        else:
            points = panel.scatter(rows[x], rows[y], c=values, cmap=SCALE, s=28,
                                   edgecolors="black", linewidths=0.3)  # fmt: skip
            panel.figure.colorbar(points, ax=panel, label=label)
        panel.set_title(outcome + (f" ({unit})" if unit else ""))
        panel.set_xlabel(x)
        panel.set_ylabel(y)
    return finish(axes, f"Outcomes over {x} and {y}", caption)


def sensitivity_ranking(
    table: pd.DataFrame,
    *,
    indices: Sequence[tuple[str, str | None]],
    caption: str | None = None,
    ax: AxesArg = None,
) -> Figure:
    """Ranked sensitivity indices with their intervals, one panel per outcome.

    Parameters
    ----------
    table : DataFrame
        ``sensitivity.csv`` rows: ``outcome, parameter`` and the index columns.
    indices : sequence of (column, interval column or None)
        The indices to draw side by side, e.g. ``[("ST", "ST_conf"), ("S1", "S1_conf")]`` for
        Sobol, ``[("mu_star", "mu_star_conf")]`` for Morris; the interval columns hold the
        half-widths, as SALib reports them.
    ax : sequence of Axes, optional
        One per outcome.
    """
    outcomes = list(pd.unique(table["outcome"]))
    depth = int(table.groupby("outcome").size().max())
    axes = new_grid(ax, len(outcomes), columns=2, sharex=False, sharey=False,
                    panel_size=(6.0, 0.34 * depth * len(indices) + 1.5))  # fmt: skip
    height = 0.8 / len(indices)
    for panel, outcome in zip(axes, outcomes, strict=True):
        rows = table[table["outcome"] == outcome].sort_values(indices[0][0], ascending=False)
        y = np.arange(len(rows))
        for index, (column, interval) in enumerate(indices):
            errors = rows[interval].to_numpy(float) if interval else None
            panel.barh(y + (index - (len(indices) - 1) / 2) * height, rows[column], height=height,
                       xerr=errors, color=colour(index), hatch=hatch(index), edgecolor="white",
                       error_kw={"ecolor": "black", "capsize": 2, "lw": 1},
                       label=column + (" (95% CI)" if interval else ""))  # fmt: skip
        panel.axvline(0.0, color=GREY, linewidth=1)
        panel.set_yticks(y, rows["parameter"])
        panel.invert_yaxis()
        panel.set_title(outcome)
        panel.set_xlabel(INDEX_LABELS.get(indices[0][0], indices[0][0]))
        panel.legend(loc="lower right", fontsize="small")
    return finish(axes, "Which parameters matter (ranked indices)", caption)


def prim_trajectory(
    trajectory: pd.DataFrame,
    box: pd.DataFrame,
    *,
    chosen: int,
    where: str,
    caption: str | None = None,
    ax: AxesArg = None,
) -> Figure:
    """The PRIM peeling trajectory (coverage against density) and the chosen box.

    Parameters
    ----------
    trajectory : DataFrame
        ``box, coverage, density, restricted``: one row per box of the peeling.
    box : DataFrame
        The chosen box: ``parameter, low, high, sampled_low, sampled_high``.
    chosen : int
        The row of ``trajectory`` that was chosen.
    where : str
        The cases of interest (the ``--where`` expression), for the title.
    ax : sequence of two Axes, optional
    """
    axes = new_grid(ax, 2, columns=2, panel_size=(4.8, 4.0), sharex=False, sharey=False)
    left, right = axes
    points = left.scatter(trajectory["coverage"], trajectory["density"],
                          c=trajectory["restricted"], cmap=SCALE, s=22, edgecolors="black",
                          linewidths=0.3, label="boxes of the peeling")  # fmt: skip
    left.plot(trajectory["coverage"], trajectory["density"], color=GREY, linewidth=0.8, zorder=0)
    pick = trajectory.loc[chosen]
    left.scatter([pick["coverage"]], [pick["density"]], s=160, facecolors="none",
                 edgecolors=colour(5), linewidths=2, marker=marker(0),
                 label=f"chosen box ({int(pick['restricted'])} parameters)")  # fmt: skip
    left.figure.colorbar(points, ax=left, label="restricted parameters")
    left.set_xlabel("coverage (share of all cases inside the box)")
    left.set_ylabel("density (share of runs in the box that are cases)")
    left.set_title("peeling trajectory")
    left.legend(loc="lower left", fontsize="small")
    y = np.arange(len(box))
    span = (box["sampled_high"] - box["sampled_low"]).replace(0, np.nan)
    low = (box["low"] - box["sampled_low"]) / span
    high = (box["high"] - box["sampled_low"]) / span
    right.barh(y, np.ones(len(box)), color="#EEEEEE", edgecolor=GREY, label="range sampled")
    right.barh(y, high - low, left=low, color=colour(0), hatch=hatch(1), edgecolor="white",
               label="range in the box")  # fmt: skip
    for row, (lo, hi) in enumerate(zip(box["low"], box["high"], strict=True)):
        right.text(1.02, row, f"{lo:.3g} – {hi:.3g}", va="center", fontsize="small")
    right.set_yticks(y, box["parameter"])
    right.invert_yaxis()
    right.set_xlim(0, 1.35)
    right.set_xlabel("position within the sampled range (0 = lowest, 1 = highest)")
    right.set_title("the chosen box")
    right.legend(loc="lower right", fontsize="small")
    return finish(axes, f"Scenario discovery (PRIM): where {where}", caption)
