"""The look shared by every figure: palette, line styles, calendar axes and the caption.

Colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), distinguishable
with the common colour-vision deficiencies; each series also gets its own line style and marker,
and stacked areas their own hatch, so that a figure printed in greyscale still tells them apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # figures are files: never open a window, never need a display

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator, PercentFormatter

# Okabe–Ito, in an order whose neighbours also differ in lightness (greyscale).
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++"]
GREY = "#777777"
CAPTION_SIZE = 7.5
CAPTION_ID = "caption"


def theme() -> None:
    """Apply the seaborn theme used by every figure (white grid, readable font sizes)."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE, font_scale=0.85)
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "axes.titleweight": "bold"})


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def linestyle(index: int) -> str | tuple:
    return LINESTYLES[index % len(LINESTYLES)]


def marker(index: int) -> str:
    return MARKERS[index % len(MARKERS)]


def hatch(index: int) -> str:
    return HATCHES[index % len(HATCHES)]


def month_dates(start: str | None, months: Sequence[int] | np.ndarray) -> np.ndarray:
    """Calendar time of month indices as decimal years (``2025-03`` + 10 months -> 2026.0).

    Month ``m`` starts at ``year + (month - 1 + m) / 12`` of ``start``; the axis labels them as
    years or ``YYYY-MM`` (:func:`date_axis`). Decimal years instead of datetimes keep drawing
    fast (matplotlib's date tickers cost seconds per figure). Without a start month (a generic
    model) the indices are returned unchanged.
    """
    months = np.asarray(months, dtype=float)
    if start is None:
        return months
    year, month = (int(part) for part in start.split("-"))
    return year + (month - 1 + months) / 12.0


def _calendar_label(value: float, _position: int | None = None) -> str:
    year = int(np.floor(value + 1e-9))
    month = round((value - year) * 12) + 1
    return f"{year}" if month == 1 else f"{year}-{month:02d}"


def date_axis(ax: Axes, start: str | None) -> None:
    """Label the x axis with calendar years (or month indices without a start month)."""
    if start is None:
        ax.set_xlabel("month of the run")
        return
    low, high = ax.get_xlim()
    step = next((s for s in (0.25, 0.5, 1, 2, 5, 10) if (high - low) / s <= 7), 20)
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(FuncFormatter(_calendar_label))
    ax.set_xlabel("date (month simulated)")


def percent_axis(ax: Axes, *, axis: str = "y") -> None:
    """Show a 0–1 axis as percentages."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))


def new_axes(ax: Axes | None, *, size: tuple[float, float] = (7.5, 4.5)) -> Axes:
    """``ax``, or the axes of a new figure of ``size`` inches."""
    if ax is not None:
        return ax
    theme()
    figure = plt.figure(figsize=size, layout="constrained")
    return figure.add_subplot()


def new_grid(
    ax: Axes | Sequence[Axes] | np.ndarray | None,
    panels: int,
    *,
    columns: int = 3,
    panel_size: tuple[float, float] = (3.6, 2.8),
    sharey: bool = True,
    sharex: bool = True,
) -> list[Axes]:
    """``panels`` axes: those given (at least ``panels`` of them), or a new grid of them.

    Extra axes of a new grid are hidden.
    """
    if ax is not None:
        axes = list(np.ravel(np.asarray(ax, dtype=object)))
        if len(axes) < panels:
            raise ValueError(f"ax: expected at least {panels} axes, found {len(axes)}")
        return axes[:panels]
    theme()
    columns = max(1, min(columns, panels))
    rows = -(-panels // columns)
    _figure, grid = plt.subplots(
        rows,
        columns,
        figsize=(panel_size[0] * columns + 0.6, panel_size[1] * rows + 1.0),
        sharex=sharex,
        sharey=sharey,
        squeeze=False,
        layout="constrained",
    )
    axes = list(grid.ravel())
    for extra in axes[panels:]:
        extra.set_visible(False)
    return axes[:panels]


def finish(axes: Axes | Sequence[Axes], title: str, caption: str | None) -> Figure:
    """Put the figure title and the caption (experiment, replications, seed) on the figure."""
    first = axes if isinstance(axes, Axes) else next(iter(axes))
    figure = first.figure
    figure.suptitle(title, fontweight="bold")
    if caption:  # below everything (saved with bbox_inches="tight"), clear of any legend
        figure.text(0.5, -0.005, caption, ha="center", va="top", fontsize=CAPTION_SIZE,
                    color="#333333", gid=CAPTION_ID)  # fmt: skip
    return figure


def caption_of(figure: Figure) -> str:
    """The caption :func:`finish` put on a figure ("" if none)."""
    return next((t.get_text() for t in figure.texts if t.get_gid() == CAPTION_ID), "")


def caption_text(experiment: str, *, replications: int, seed: int | None, extra: str = "") -> str:
    """``Experiment bulgaria_question · 2,000 runs per variant · master seed 20250318``."""
    parts = [f"Experiment {experiment}", f"{replications:,} runs per variant"]
    if seed is not None:
        parts.append(f"master seed {seed}")
    if extra:
        parts.append(extra)
    return " · ".join(parts)
