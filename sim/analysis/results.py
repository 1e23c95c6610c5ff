"""A results folder read back: the tables as pandas DataFrames, and its summary.

:func:`open_results` reads what :func:`sim.experiment.runner.run_experiment` wrote (ARCHITECTURE.md
section 5) without rerunning anything; :func:`summarize` recomputes ``summary.csv`` from the runs
with :mod:`sim.analysis.stats` and :mod:`sim.analysis.compare`.

Examples
--------
>>> from sim.scenario.shipped import ROOT
>>> import tempfile
>>> from sim import load_experiment, run_experiment
>>> experiment = load_experiment(ROOT / "experiments" / "baseline_outlook.yaml",
...                              replications=10, months=12)
>>> folder = run_experiment(experiment, out=tempfile.mkdtemp(), executor="serial",
...                         progress=False).path
>>> results = open_results(folder)
>>> len(results.runs), results.variants
(10, ['baseline'])
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from sim.analysis.bloc_summary import other_bloc_summary
from sim.analysis.design_summary import design_summary
from sim.analysis.discovery import Discovery, discover
from sim.analysis.expressions import default_outcomes
from sim.analysis.sensitivity import sensitivity_table
from sim.analysis.stats import StatsInputError, path_frequencies, quantile_summary, trajectory_bands
from sim.analysis.summary import SUMMARY_COLUMNS, summary_table
from sim.analysis.survival import survival_table
from sim.experiment.design import Sweep
from sim.experiment.integrity import RECORDED, damaged_parts
from sim.experiment.seeds import stream_seed
from sim.experiment.store import ResultsFolder, ResultsFolderError, WriteError, write_csv
from sim.experiment.sweeps import DESIGN

DESIGN_SUMMARY = "design_summary.csv"


class DamagedFolderError(ResultsFolderError):
    """Parts of a results folder are missing or differ from what the manifest recorded."""


class Results:
    """The tables of one results folder, read on first use.

    Attributes
    ----------
    path : Path
        The results folder.
    runs : DataFrame
        One row per completed run (``variant, design_id, replication, seed``, outcomes), in
        variant order, then replication order.
    series : DataFrame or None
        Trajectories (one row per run and recorded month), if the experiment asked for them.
    summary : DataFrame
        ``summary.csv``: estimates with intervals per variant (a sweep's points pooled).
    design : DataFrame or None
        A sweep's points (``design_id`` and one column per swept parameter), or None.
    design_summary : DataFrame
        ``design_summary.csv``: statistics of every named outcome per variant and design point.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.folder = ResultsFolder(self.path)
        manifest = self.folder.read_manifest()
        if manifest is None:
            raise ResultsFolderError(
                f"{self.path}: no manifest.json; expected a folder written by `alliance-sim run`"
            )
        self.manifest: dict[str, Any] = manifest

    def __repr__(self) -> str:
        return f"Results({str(self.path)!r}, status={self.status!r}, variants={self.variants})"

    @property
    def experiment(self) -> dict[str, Any]:
        """The resolved experiment, as recorded in the manifest."""
        return self.manifest["experiment"]

    @property
    def status(self) -> str:
        """``complete``, ``failed`` (some runs raised), ``interrupted`` or ``running``."""
        return self.manifest.get("status", "unknown")

    @property
    def variants(self) -> list[str]:
        return list(dict.fromkeys(entry["variant"] for entry in self.manifest["tasks"]))

    @property
    def baseline(self) -> str:
        return "baseline" if "baseline" in self.variants else self.variants[0]

    def _parts(self, key: str, variant: str | None = None) -> list[str]:
        """Parts of the tasks the manifest records as done or failed: a part of a task finished
        after the last manifest save (a killed run) is not counted until a resume records it."""
        names = [entry[key] for entry in self.manifest["tasks"]
                 if entry.get(key) and entry["status"] in RECORDED
                 and (variant is None or entry["variant"] == variant)]  # fmt: skip
        return [name for name in names if (self.path / name).is_file()]

    def check_intact(self) -> None:
        """Refuse a folder whose parts do not match the manifest (deleted, truncated, corrupt).

        Raises
        ------
        DamagedFolderError
            Naming each damaged part and its task, and the resume command that reruns them.
        """
        damaged = damaged_parts(self.folder, self.manifest)
        if not damaged:
            return
        listed = ", ".join(str(d) for d in damaged[:3])
        more = f" and {len(damaged) - 3} more" if len(damaged) > 3 else ""
        runs = sum(d.runs for d in {d.task: d for d in damaged}.values())
        file = (self.manifest.get("files") or {}).get("experiment", {}).get("path")
        command = f"alliance-sim run {file or 'EXPERIMENT.yaml'} --out {self.path.parent} --resume"
        raise DamagedFolderError(
            f"{self.path}: {len(damaged)} part(s) do not match the manifest: {listed}{more}; "
            f"the tables would silently lack {runs:,} runs. Rerun exactly those tasks with: "
            f"{command}"
        )

    @cached_property
    def runs(self) -> pd.DataFrame:
        return self.folder.read_parts(self._parts("runs_part"))

    @cached_property
    def series(self) -> pd.DataFrame | None:
        parts = self._parts("series_part")
        return self.folder.read_parts(parts) if parts else None

    def _schema(self, key: str) -> list[str]:
        parts = self._parts(key)
        return list(pq.read_schema(self.path / parts[0]).names) if parts else []

    @cached_property
    def run_columns(self) -> list[str]:
        """Names of the columns of the runs table, read from a part's schema (no rows read)."""
        return self._schema("runs_part")

    @cached_property
    def series_columns(self) -> list[str]:
        """Names of the trajectory columns ([] if no trajectories were stored)."""
        return self._schema("series_part")

    @cached_property
    def runs_count(self) -> int:
        """Completed runs, from the parts' metadata (no rows read)."""
        return sum(pq.ParquetFile(self.path / p).metadata.num_rows
                   for p in self._parts("runs_part"))  # fmt: skip

    def read_runs(self, columns: list[str]) -> pd.DataFrame:
        """Only ``columns`` of the runs table (those present), for memory-bounded readers such
        as the figures: a 10,000-run folder's few columns instead of all of them."""
        if "runs" in self.__dict__:
            return self.runs[[c for c in columns if c in self.runs.columns]]
        present = [c for c in dict.fromkeys(columns) if c in self.run_columns]
        return self.folder.read_parts(self._parts("runs_part"), present)

    def read_series(self, columns: list[str], *, variant: str | None = None) -> pd.DataFrame:
        """Only ``variant`` and ``columns`` of the trajectories (those present); with
        ``variant``, only that variant's rows (read from its parts alone).

        Raises
        ------
        ResultsFolderError
            If the experiment stored no trajectories.
        """
        if not self.series_columns:
            raise ResultsFolderError(
                f"{self.path}: no trajectories stored; set outputs.series to yearly or monthly"
            )
        present = [c for c in dict.fromkeys(["variant", *columns]) if c in self.series_columns]
        return self.folder.read_parts(self._parts("series_part", variant), present)

    @cached_property
    def summary(self) -> pd.DataFrame:
        if self.folder.summary_path.is_file():
            return pd.read_csv(self.folder.summary_path, keep_default_na=False,
                               na_values=[""])  # fmt: skip
        return compute_summary(self)

    @property
    def failures(self) -> list[dict[str, Any]]:
        """Runs that raised (variant, replication, seed, error), and tasks that failed whole."""
        found = []
        for entry in self.manifest["tasks"]:
            if entry["status"] != "failed":
                continue
            found += entry.get("failed_runs") or [
                {"variant": entry["variant"], "replications": [entry["start"], entry["stop"]],
                 "error": entry["message"]}
            ]  # fmt: skip
        return found

    @property
    def failed_count(self) -> int:
        """How many runs failed."""
        return sum(e.get("failed_count", 0) for e in self.manifest["tasks"]
                   if e["status"] == "failed")  # fmt: skip

    @property
    def pending_count(self) -> int:
        """How many runs have not run yet (an interrupted folder)."""
        return sum(e["stop"] - e["start"] for e in self.manifest["tasks"]
                   if e["status"] == "pending")  # fmt: skip

    @property
    def candidates(self) -> list[str]:
        """Countries whose accession is reported: the pact's ``candidates`` if the scenario
        lists them, else every country in no bloc, neither one of the file nor one a
        ``form_bloc`` event founds (the founders of a rival bloc are not candidates of the
        pact; a folder written before candidates existed: every country not in the pact)."""
        scenario = self.manifest.get("scenario")
        if not scenario:
            return []
        blocs = scenario.get("blocs") or {}
        founded = {event["name"]: event for event in scenario.get("events") or []
                   if event.get("type") == "form_bloc"}  # fmt: skip
        name = scenario.get("pact") or next(iter(blocs), None) or next(iter(founded), None)
        pact = blocs.get(name) or {}
        if pact.get("candidates") is not None:
            return list(pact["candidates"])
        if name in blocs and "candidates" not in pact:  # written before candidates existed
            every_bloc = [pact]
        else:
            every_bloc = [*blocs.values(), *founded.values()]
        groups = scenario.get("groups") or {}
        members = {code for bloc in every_bloc for entry in bloc.get("members", [])
                   for code in groups.get(entry.removeprefix("@"), [entry])}  # fmt: skip
        return [code for code in scenario["countries"] if code not in members]

    @property
    def collected(self) -> list[str]:
        """Numeric columns collected from a generic Mesa model (empty for scenario runs)."""
        names = self.experiment.get("collect") or []
        runs = self.runs
        kinds = (pd.api.types.is_numeric_dtype, pd.api.types.is_bool_dtype)
        return [n for n in names if n in runs and any(kind(runs[n]) for kind in kinds)]

    def paths(self, *, top: int = 3) -> pd.DataFrame:
        """The most frequent expansion paths per variant (see ``stats.path_frequencies``)."""
        if "expansion_path" not in self.runs:
            return pd.DataFrame()
        return path_frequencies(self.runs, top=top)

    def survival(self, column: str, *, months: list[int] | None = None) -> pd.DataFrame:
        """Kaplan–Meier curve per variant of a time-to-event column such as ``join_month_BGR``
        or ``first_crisis_month``, censored at the horizon
        (:func:`sim.analysis.survival.survival_table`).
        """
        return survival_table(self.runs, column, months=months)

    def bands(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Per-month quantile bands of the stored trajectories per variant
        (:func:`sim.analysis.stats.trajectory_bands`); all value columns unless ``columns`` is
        given.

        Raises
        ------
        ResultsFolderError
            If the experiment stored no trajectories (``outputs.series: none``).
        """
        series = self.series
        if series is None:
            raise ResultsFolderError(
                f"{self.path}: no trajectories stored; set outputs.series to yearly or monthly"
            )
        if columns is None:
            ids = {"variant", "design_id", "replication", "seed", "run", "month"}
            columns = [c for c in series.columns if c not in ids]
        return trajectory_bands(series, columns)

    @property
    def sweep(self) -> Sweep | None:
        """The experiment's sweep, as recorded in the manifest (None without one)."""
        found = self.experiment.get("sweep")
        return None if found is None else Sweep.model_validate(found)

    @cached_property
    def design(self) -> pd.DataFrame | None:
        path = self.path / DESIGN
        return pd.read_parquet(path) if path.is_file() else None

    @cached_property
    def design_summary(self) -> pd.DataFrame:
        path = self.path / DESIGN_SUMMARY
        if path.is_file():
            return pd.read_csv(path)
        return self.compute_design_summary()

    def compute_design_summary(self) -> pd.DataFrame:
        """The per-point statistics, computed part by part (not written)."""
        parts = [self.path / name for name in self._parts("runs_part")]
        return design_summary(parts, self.outcomes(), self.design)

    def outcomes(self) -> dict[str, str]:
        """The named outcomes (name -> expression) the design summary reports: the
        experiment's ``outcomes``, or each candidate's accession, a crisis and the peak tension
        (each collected value for model runs)."""
        named = self.experiment.get("outcomes") or {}
        if named:
            return dict(named)
        parts = self._parts("runs_part")
        columns = pq.read_schema(self.path / parts[0]).names if parts else []
        return default_outcomes(columns, self.candidates, self.experiment.get("collect") or [])

    @property
    def analysis_seed(self) -> int:
        """Seed of bootstraps and trees: the master seed's ``analysis`` stream."""
        return stream_seed(int(self.experiment.get("seed", 0)), "analysis")

    def require_sweep(self, what: str) -> tuple[Sweep, pd.DataFrame]:
        if self.sweep is None or self.design is None:
            raise StatsInputError(f"{self.path}: not a sweep (no sweep: in the experiment); "
                                  f"{what} needs a design")  # fmt: skip
        return self.sweep, self.design

    def sensitivity(self, outcome: str, **options: Any) -> pd.DataFrame:
        """Sensitivity indices of a named outcome, ranked (:func:`sim.analysis.sensitivity.
        sensitivity_table`; the options are its keyword arguments)."""
        sweep, design = self.require_sweep("sensitivity")
        return sensitivity_table(self.design_summary, design, sweep, outcome,
                                 seed=self.analysis_seed, **options)  # fmt: skip

    def discover(self, where: str, *, variant: str | None = None, **options: Any) -> Discovery:
        """Scenario discovery for the runs (of ``variant``) where ``where`` holds
        (:func:`sim.analysis.discovery.discover`; the options are its keyword arguments)."""
        _, design = self.require_sweep("discover")
        runs = self.runs
        if variant is not None:
            if variant not in self.variants:
                raise StatsInputError(f"variant: expected one of {self.variants}, found "
                                      f"{variant!r}")  # fmt: skip
            runs = runs[runs["variant"] == variant].reset_index(drop=True)
        parameters = list(design.columns.drop("design_id"))
        return discover(runs, parameters, where, seed=self.analysis_seed, **options)


def open_results(path: str | Path, *, check: bool = True) -> Results:
    """Open a results folder written by ``alliance-sim run``.

    With ``check`` (the default), every part of a finished task is checked against the row
    count and SHA-256 the manifest recorded, so that a deleted or damaged part is an error, not
    a silently smaller table.

    Raises
    ------
    ResultsFolderError
        If the folder has no manifest; :class:`DamagedFolderError` if a part is damaged.
    """
    results = Results(path)
    if check:
        results.check_intact()
    return results


def compute_summary(results: Results) -> pd.DataFrame:
    """The summary table of a results folder (not written)."""
    runs = results.runs
    # Paired differences need common random numbers: replication k of each variant a pair.
    paired = results.experiment.get("common_random_numbers", True)
    baseline = results.baseline if len(results.variants) > 1 and paired else None
    if runs.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    if results.experiment.get("model"):
        return quantile_summary(runs, results.collected)
    options = {
        "baseline": baseline if baseline in set(runs["variant"]) else None,
        "years": results.experiment.get("years", (1, 5, 10)),
        "by": results.experiment.get("by") or (),
        "start": (results.manifest.get("scenario") or {}).get("start"),
    }
    tracked = summary_table(runs, results.candidates, **options)
    others = other_bloc_summary(runs, **options)
    return pd.concat([tracked, others], ignore_index=True) if len(others) else tracked


def summarize(path: str | Path) -> pd.DataFrame:
    """(Re)compute the summary of a results folder and write ``summary.csv`` atomically (and
    ``design_summary.csv`` for a sweep)."""
    results = open_results(path)
    summary = compute_summary(results)
    write_csv(summary, results.folder.summary_path)
    if results.design is not None:
        write_csv(results.compute_design_summary(), results.path / DESIGN_SUMMARY)
    return summary


def resummarize(
    path: str | Path, *, out: str | Path | None = None
) -> tuple[Results, WriteError | None]:
    """Summarise a results folder again, for the ``summarize`` command.

    The folder must not be in use by a run and its parts must match the manifest. The summary
    goes to ``out`` if given, else to the folder's ``summary.csv``; a folder that cannot be
    written (read-only) still gives its tables, and the reason comes back instead of an error.

    Returns
    -------
    (Results, WriteError or None)
        The folder's tables (with the summary just computed) and why summary.csv was not written.

    Raises
    ------
    ResultsFolderError
        If a run holds the folder's lock, or a part is damaged (:class:`DamagedFolderError`).
    WriteError
        If ``out`` was given and cannot be written.
    """
    folder = ResultsFolder(path)
    owner = folder.in_use_by()
    if owner is not None:
        raise ResultsFolderError(
            f"{folder.path} is being written by {owner}: a run is in progress; summarize it "
            "when that run has ended (its progress bar shows how far it is)"
        )
    results = open_results(path)
    results.summary = compute_summary(results)
    try:
        write_csv(results.summary, out if out is not None else results.folder.summary_path)
        if results.design is not None and out is None:
            write_csv(results.compute_design_summary(), results.path / DESIGN_SUMMARY)
    except WriteError as err:
        if out is not None:
            raise
        return results, err
    return results, None
