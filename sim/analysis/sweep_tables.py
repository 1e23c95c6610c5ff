"""Terminal tables of a sweep: its design summary, sensitivity indices and discovered box.

Presentation only: the numbers come from :mod:`sim.analysis.design_summary`,
:mod:`sim.analysis.sensitivity` and :mod:`sim.analysis.discovery`.
"""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table

from sim.analysis.discovery import Discovery
from sim.analysis.results import Results
from sim.analysis.tables import with_interval


def number(value: float, digits: int = 3) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else (
        f"{value:.{digits}g}")  # fmt: skip


def point_label(row: pd.Series, parameters: list[str]) -> str:
    """``(0.2, -0.5)``: the point's values in the order of the caption (``point 17`` beyond
    three parameters)."""
    if len(parameters) > 3:
        return f"point {int(row['design_id'])}"
    return "(" + ", ".join(number(row[name]) for name in parameters) + ")"


def print_design_summary(results: Results, console: Console) -> None:
    """Per variant and outcome: the range of the outcome over the design points, with the
    points where it is lowest and highest."""
    table = results.design_summary
    design = results.design
    if table.empty or design is None:
        return
    columns = list(table.columns)
    parameters = columns[columns.index("design_id") + 1 : columns.index("outcome")]
    sweep = results.sweep
    kind = sweep.type if sweep is not None else "design"
    for variant, mine in table.groupby("variant", sort=False):
        at = f"at ({', '.join(parameters)})" if len(parameters) <= 3 else "at design point"
        view = Table(title=f"{variant}: {len(design)} design points ({kind}); outcome per point",
                     title_justify="left", caption=at, caption_justify="left")  # fmt: skip
        for column in ("outcome", "lowest (95% CI)", "at", "highest (95% CI)", "at"):
            view.add_column(column)
        for outcome, rows in mine.groupby("outcome", sort=False):
            rows = rows.dropna(subset=["estimate"])
            if rows.empty:
                continue
            low, high = rows.loc[rows["estimate"].idxmin()], rows.loc[rows["estimate"].idxmax()]
            as_percent = low["kind"] == "probability"
            label = f"P({outcome})" if as_percent else f"mean {outcome}"
            view.add_row(
                label,
                with_interval(low["estimate"], low["low"], low["high"], as_percent=as_percent),
                point_label(low, parameters),
                with_interval(high["estimate"], high["low"], high["high"], as_percent=as_percent),
                point_label(high, parameters),
            )
        console.print(view)
    console.print(f"Per point: {results.path / 'design_summary.csv'}; indices: alliance-sim "
                  f"sensitivity {results.path} --outcome NAME", soft_wrap=True)  # fmt: skip


COLUMNS = {
    "S1": ("S1", "S1_conf"), "ST": ("ST", "ST_conf"), "μ*": ("mu_star", "mu_star_conf"),
    "μ": ("mu", None), "σ": ("sigma", None), "PAWN median": ("pawn_median", None),
    "PAWN max": ("pawn_maximum", None), "range": ("range", None),
}  # fmt: skip


def sensitivity_view(table: pd.DataFrame) -> list[Table]:
    """One ranked table per variant: rank, parameter and the method's indices (± the
    half-width of their interval)."""
    views = []
    for variant, rows in table.groupby("variant", sort=False):
        first = rows.iloc[0]
        view = Table(title=f"{variant}: sensitivity of {first['statistic']} of "
                           f"{first['outcome']} (ranked)", title_justify="left")  # fmt: skip
        shown = {label: pair for label, pair in COLUMNS.items() if pair[0] in rows}
        for column in ("rank", "parameter", *shown):
            view.add_column(column, justify="right" if column != "parameter" else "left")
        for row in rows.itertuples():
            cells = []
            for value_name, conf_name in shown.values():
                value = getattr(row, value_name)
                conf = getattr(row, conf_name) if conf_name else None
                cells.append(number(value, 2) if conf is None else
                             f"{value:.2f} ± {conf:.2f}")  # fmt: skip
            view.add_row(str(row.rank), row.parameter, *cells)
        views.append(view)
    return views


def discovery_view(found: Discovery) -> list[Table | str]:
    """The chosen box, its restrictions, the trade-off around it, the tree and the scores."""
    row = found.chosen_row
    box = Table(title=f"PRIM box {found.chosen}: coverage {row['coverage']:.0%}, density "
                      f"{row['density']:.0%} ({int(row['k'])} of {int(row['n'])} runs)",
                title_justify="left")  # fmt: skip
    for column in ("parameter", "low", "high", "sampled range", "quasi-p (low, high)"):
        box.add_column(column)
    for r in found.box.itertuples():
        box.add_row(r.parameter, number(r.low), number(r.high),
                    f"{number(r.sampled_low)} to {number(r.sampled_high)}",
                    f"{number(r.qp_low, 2)}, {number(r.qp_high, 2)}")  # fmt: skip
    trade = Table(title="peeling trajectory (every 5th box and the chosen one)",
                  title_justify="left")  # fmt: skip
    for column in ("box", "coverage", "density", "restricted"):
        trade.add_column(column, justify="right")
    shown = found.trajectory[(found.trajectory["box"] % 5 == 0)
                             | (found.trajectory["box"] == found.chosen)]  # fmt: skip
    for r in shown.itertuples():
        mark = " ◀" if r.box == found.chosen else ""
        trade.add_row(f"{r.box}{mark}", f"{r.coverage:.0%}", f"{r.density:.0%}", str(r.restricted))
    tree = Table(title="CART leaves (densest first)", title_justify="left")
    for column in ("rule", "runs", "density"):
        tree.add_column(column)
    for r in found.tree.head(4).itertuples():
        tree.add_row(r.rule, str(r.n), f"{r.density:.0%}")
    scores = Table(title="feature scores (extra trees)", title_justify="left")
    for column in ("rank", "parameter", "score"):
        scores.add_column(column)
    for r in found.features.itertuples():
        scores.add_row(str(r.rank), r.parameter, f"{r.score:.3f}")
    return [box, trade, tree, scores, found.sentence()]
