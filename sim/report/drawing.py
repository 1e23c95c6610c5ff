"""Draw the figures of a results folder: which apply, the data each reads, and the files.

Each figure of :data:`sim.experiment.figures.FIGURES` has a builder here that reads only the
columns it needs from the results folder (Parquet column projection, so 10,000-run folders draw
in seconds with bounded memory), computes its table with :mod:`sim.report.figure_data` and draws
it with :mod:`sim.report.plots` (or the sweep and network modules). :func:`write_figures` saves
them under ``figures/``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import pyarrow.parquet as pq
from matplotlib.figure import Figure

from sim.analysis.results import Results, open_results
from sim.errors import AllianceSimError
from sim.experiment.figures import FIGURES
from sim.experiment.store import atomic_write_bytes
from sim.report import figure_data, network, plots, sweep_plots
from sim.report.style import caption_text
from sim.scenario.loading import scenario_from_dict

FIGURES_FOLDER = "figures"
DESIGN = "design.parquet"  # the files a sweep (and its sensitivity and discovery) leave
DESIGN_SUMMARY = "design_summary.csv"
SENSITIVITY = "sensitivity.csv"
DISCOVERY = "discovery.json"


class FigureError(AllianceSimError, ValueError):
    """A figure was asked for that does not exist or cannot be drawn from this folder."""


@dataclass
class FigureContext:
    """What every figure of one results folder shares: the folder, its calendar, its caption."""

    results: Results

    @cached_property
    def scenario(self) -> dict[str, Any]:
        return self.results.manifest.get("scenario") or {}

    @property
    def start(self) -> str | None:
        return self.scenario.get("start")

    @property
    def months(self) -> int:
        return int(self.results.experiment.get("months") or self.results.experiment["steps"])

    @property
    def names(self) -> dict[str, str]:
        return {
            code: c.get("name", code) for code, c in (self.scenario.get("countries") or {}).items()
        }

    @property
    def caption(self) -> str:
        experiment = self.results.experiment
        extra = f"results {self.results.status}" if self.results.status != "complete" else ""
        return caption_text(self.results.manifest["name"],
                            replications=int(experiment["replications"]),
                            seed=experiment.get("seed"), extra=extra)  # fmt: skip

    def runs(self, columns: Sequence[str]):
        """The runs table with only ``columns`` (and ``variant``)."""
        return self.results.read_runs(["variant", *columns])

    @cached_property
    def has_pact(self) -> bool:
        return bool(self.scenario) and "stage_month_formal_alliance" in self.results.run_columns


def _candidates(context: FigureContext) -> list[str]:
    columns = set(context.results.run_columns)
    return [c for c in context.results.candidates if f"join_month_{c}" in columns]


def _membership(context: FigureContext) -> Figure:
    codes = _candidates(context)
    needed = [f"{kind}_month_{c}" for c in codes for kind in ("join", "exit")]
    runs = context.runs([c for c in needed if c in context.results.run_columns])
    table = figure_data.membership_over_time(runs, codes, months=context.months)
    shown = figure_data.shown_candidates(table, "probability") or codes[:3]
    return plots.membership(table, countries=shown, start=context.start, names=context.names,
                            caption=context.caption)  # fmt: skip


def _survival(context: FigureContext) -> Figure:
    codes = _candidates(context)
    runs = context.runs(["horizon", *[f"join_month_{c}" for c in codes]])
    table = figure_data.join_curves(runs, codes)
    shown = figure_data.shown_candidates(table, "joined") or codes[:3]
    return plots.join_curves(table, countries=shown, start=context.start, names=context.names,
                             caption=context.caption)  # fmt: skip


def _tension_bands(context: FigureContext) -> Figure:
    dyads = list(context.scenario.get("tracked_dyads") or [])
    columns = ["month", *[f"tension_{d}" for d in dyads]]
    table = pd.concat(  # one variant at a time: memory of one variant's trajectory columns
        [figure_data.tension_fans(context.results.read_series(columns, variant=variant), dyads)
         for variant in context.results.variants], ignore_index=True)  # fmt: skip
    return plots.tension_fans(table, start=context.start, caption=context.caption)


def _stages(context: FigureContext) -> Figure:
    runs = context.runs(list(figure_data.STAGE_COLUMNS))
    table = figure_data.stage_shares(runs, months=context.months)
    return plots.stage_shares(table, start=context.start, caption=context.caption)


def _expansion_paths(context: FigureContext) -> Figure:
    table = figure_data.top_paths(context.runs(["expansion_path"]))
    return plots.expansion_paths(table, caption=context.caption)


def _differences(context: FigureContext) -> Figure:
    years = context.results.experiment.get("years") or []
    table = figure_data.differences(context.results.summary, years=years)
    return plots.differences(
        table, caption=context.caption + " · paired under common random numbers"
    )


def _network(context: FigureContext) -> Figure:
    results = context.results
    variant, seed, replication = network_run(results)
    scenario = scenario_from_dict(results.manifest["scenario"])  # the baseline's scenario
    shots = network.replay_snapshots(scenario, seed, months=context.months, at=[context.months - 1])
    title = f"The region in one run ({variant}, replication {replication})"
    caption = f"{context.caption} · this run's seed {seed}"
    return network.network_map(shots, title=title, caption=caption)


def network_run(results: Results) -> tuple[str, int, int]:
    """The run the network map replays: the first run of the baseline whose expansion path is the
    baseline's most frequent non-empty one and whose joiners are still members at the end (a
    typical history in which something happens and lasts), else the baseline's first run.

    Returns
    -------
    variant, seed, replication
    """
    runs = results.read_runs(["variant", "replication", "seed", "expansion_path", "final_members"])
    base = runs[runs["variant"] == results.baseline].sort_values("replication")
    paths = base["expansion_path"].fillna("")
    members = base.get("final_members", pd.Series("", index=base.index)).fillna("")
    lasting = paths.combine(members, lambda path, final: bool(path) and
                            set(path.split(">")) <= set(final.split(",")))  # fmt: skip
    common = paths[lasting].value_counts()
    chosen = base[lasting & (paths == common.index[0])] if len(common) else base
    row = chosen.iloc[0]
    return str(row["variant"]), int(row["seed"]), int(row["replication"])


@dataclass(frozen=True)
class Builder:
    """How to draw one figure, and when it applies (None) or why not (a reason)."""

    draw: Callable[[FigureContext], Figure]
    unavailable: Callable[[FigureContext], str | None]


def _needs_pact(context: FigureContext) -> str | None:
    if context.results.experiment.get("model"):
        return "the experiment runs a generic Mesa model (no pact, no candidates)"
    if context.results.runs_count == 0:
        return "no completed runs"
    return None if context.has_pact else "the scenario has no pact"


def _needs_series(context: FigureContext) -> str | None:
    reason = _needs_pact(context)
    if reason:
        return reason
    if not context.scenario.get("tracked_dyads"):
        return "the scenario tracks no dyads"
    if not context.results.series_columns:
        return "no trajectories stored (set outputs.series: yearly or monthly)"
    return None


def _needs_pairs(context: FigureContext) -> str | None:
    reason = _needs_pact(context)
    if reason:
        return reason
    summary = context.results.summary
    if "difference" not in summary or not summary["difference"].notna().any():
        return "no paired differences (one variant, or common random numbers off)"
    return None


def _sweep_parameters(context: FigureContext, table: pd.DataFrame) -> list[str]:
    """The swept parameters: ``design.parquet``'s columns, else those of design_summary.csv
    between ``design_id`` and ``outcome``."""
    design = context.results.path / DESIGN
    if design.is_file():
        names = [c for c in pq.read_schema(design).names if c != "design_id"]
    else:
        columns = list(table.columns)
        start = columns.index("design_id") + 1 if "design_id" in columns else 0
        names = columns[start : columns.index("outcome")] if "outcome" in columns else []
    return [n for n in names if n in table and pd.api.types.is_numeric_dtype(table[n])]


def _design_summary(context: FigureContext) -> pd.DataFrame:
    table = pd.read_csv(context.results.path / DESIGN_SUMMARY)
    if "variant" in table:
        table = table[table["variant"] == table["variant"].iloc[0]]
    return table


def _needs_design(context: FigureContext) -> str | None:
    if not (context.results.path / DESIGN_SUMMARY).is_file():
        return f"not a sweep (no {DESIGN_SUMMARY} in this folder)"
    table = _design_summary(context)
    if not {"outcome", "estimate"} <= set(table.columns):
        return f"{DESIGN_SUMMARY} has no outcome and estimate columns"
    if len(_sweep_parameters(context, table)) < 2:
        return "the sweep has fewer than two numeric parameters"
    return None


def _heatmap(context: FigureContext) -> Figure:
    table = _design_summary(context)
    x, y = _sweep_parameters(context, table)[:2]
    outcomes = list(pd.unique(table["outcome"]))[:4]
    return sweep_plots.outcome_heatmap(table, x=x, y=y, outcomes=outcomes,
                                       caption=context.caption)  # fmt: skip


SENSITIVITY_INDICES = {  # first column present -> the indices drawn (value, half-width)
    "ST": [("ST", "ST_conf"), ("S1", "S1_conf")],
    "mu_star": [("mu_star", "mu_star_conf")],
    "pawn_median": [("pawn_median", None)],
    "range": [("range", None)],
}


def _sensitivity_table(context: FigureContext) -> tuple[pd.DataFrame, list]:
    table = pd.read_csv(context.results.path / SENSITIVITY)
    if "variant" in table:
        table = table[table["variant"] == table["variant"].iloc[0]]
    for first, indices in SENSITIVITY_INDICES.items():
        if first in table and table[first].notna().any():
            indices = [(c, i if i in table else None) for c, i in indices if c in table]
            return table[table[first].notna()], indices
    return table, []


def _needs_sensitivity(context: FigureContext) -> str | None:
    if not (context.results.path / SENSITIVITY).is_file():
        return f"no {SENSITIVITY} (run `alliance-sim sensitivity` on a sweep)"
    table, indices = _sensitivity_table(context)
    if not indices or not {"outcome", "parameter"} <= set(table.columns):
        return f"{SENSITIVITY} has no index columns this figure knows"
    return None


def _sensitivity(context: FigureContext) -> Figure:
    table, indices = _sensitivity_table(context)
    return sweep_plots.sensitivity_ranking(table, indices=indices, caption=context.caption)


def _discovery(context: FigureContext) -> dict[str, Any]:
    return json.loads((context.results.path / DISCOVERY).read_text(encoding="utf-8"))


def _needs_discovery(context: FigureContext) -> str | None:
    if not (context.results.path / DISCOVERY).is_file():
        return f"no {DISCOVERY} (run `alliance-sim discover` on a sweep)"
    found = _discovery(context)
    if not {"trajectory", "box", "chosen_box"} <= set(found):
        return f"{DISCOVERY} has no trajectory, box and chosen_box"
    return None


def _prim(context: FigureContext) -> Figure:
    found = _discovery(context)
    trajectory = pd.DataFrame(found["trajectory"])
    box = pd.DataFrame(found["box"])
    return sweep_plots.prim_trajectory(trajectory, box, chosen=int(found["chosen_box"]),
                                       where=str(found.get("where", "the cases")),
                                       caption=context.caption)  # fmt: skip


BUILDERS: dict[str, Builder] = {
    "join_probabilities": Builder(_membership, _needs_pact),
    "survival": Builder(_survival, _needs_pact),
    "tension_bands": Builder(_tension_bands, _needs_series),
    "stages": Builder(_stages, _needs_pact),
    "expansion_paths": Builder(_expansion_paths, _needs_pact),
    "differences": Builder(_differences, _needs_pairs),
    "network": Builder(_network, _needs_pact),
    "sweep_heatmap": Builder(_heatmap, _needs_design),
    "sensitivity": Builder(_sensitivity, _needs_sensitivity),
    "prim": Builder(_prim, _needs_discovery),
}


def figure_plan(results: Results, names: Sequence[str] | None = None) -> dict[str, str | None]:
    """Figure name -> None if it will be drawn, else the reason it does not apply.

    ``names`` defaults to the experiment's ``outputs.figures``, or every figure if that is null
    or empty (``[]`` means no figures at the end of a run; asked to plot, every figure).

    Raises
    ------
    FigureError
        If a name is not a figure.
    """
    context = FigureContext(results)
    asked = list(names or (results.experiment.get("outputs") or {}).get("figures") or FIGURES)
    unknown = [name for name in asked if name not in FIGURES]
    if unknown:
        raise FigureError(f"figures: expected names from {list(FIGURES)}, found {unknown}")
    return {name: BUILDERS[name].unavailable(context) for name in asked}


def draw_figures(
    results: Results, names: Sequence[str] | None = None
) -> Iterator[tuple[str, Figure]]:
    """Draw the figures that apply, one at a time (each closed by the caller or after saving)."""
    context = FigureContext(results)
    for name, reason in figure_plan(results, names).items():
        if reason is None:
            yield name, BUILDERS[name].draw(context)


def figure_bytes(figure: Figure, kind: str = "png") -> bytes:
    """A figure as PNG or SVG bytes (the figure is closed)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=kind, bbox_inches="tight", metadata=_metadata(kind))
    plt.close(figure)
    return buffer.getvalue()


def _metadata(kind: str) -> dict[str, Any]:
    # No software version or date in the files: the same results give the same bytes.
    return {"Software": None} if kind == "png" else {"Date": None, "Creator": None}


def write_figures(
    path: str | Path, names: Sequence[str] | None = None, *, svg: bool = False
) -> dict[str, list[Path] | str]:
    """Draw the figures of a results folder into its ``figures/`` folder.

    Parameters
    ----------
    path : str or Path
        A results folder.
    names : sequence of str, optional
        Figures to draw; default the experiment's ``outputs.figures``, or all that apply.
    svg : bool, keyword-only
        Also write an SVG next to each PNG.

    Returns
    -------
    dict
        Figure name -> the files written, or the reason the figure does not apply.

    Raises
    ------
    FigureError
        If a name is not a figure.
    ResultsFolderError
        If the folder has no manifest.
    """
    results = open_results(path)
    folder = results.path / FIGURES_FOLDER
    written: dict[str, list[Path] | str] = {
        name: reason for name, reason in figure_plan(results, names).items() if reason
    }
    for name, figure in draw_figures(results, names):
        files = []
        for kind in ("png", "svg") if svg else ("png",):
            buffer = io.BytesIO()
            figure.savefig(buffer, format=kind, bbox_inches="tight", metadata=_metadata(kind))
            atomic_write_bytes(folder / f"{name}.{kind}", buffer.getvalue())
            files.append(folder / f"{name}.{kind}")
        plt.close(figure)
        written[name] = files
    return {name: written[name] for name in figure_plan(results, names) if name in written}
