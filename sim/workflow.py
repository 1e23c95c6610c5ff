"""The pipeline composed: run an experiment into its folder, summarise it, draw its figures.

The experiment stage writes the folder (:func:`sim.experiment.runner.run_to_folder`); the
analysis stage reads what it wrote (:mod:`sim.analysis.results`); the report stage draws the
figures (:func:`sim.report.drawing.write_figures`). This module joins them for the Python API and
the ``run`` command, so that no stage imports the one above it.

Examples
--------
>>> from sim.scenario.shipped import ROOT
>>> import tempfile
>>> experiment = load_experiment(ROOT / "experiments" / "bulgaria_question.yaml",
...                              replications=20, months=24)
>>> results = run_experiment(experiment, out=tempfile.mkdtemp(), executor="serial",
...                          progress=False)
>>> results.runs.groupby("variant", sort=False).size().to_dict()
{'baseline': 20, 'bulgaria_invited': 20, 'bulgaria_joins': 20}
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from sim.analysis.results import Results, open_results, summarize
from sim.experiment.figures import FIGURES
from sim.experiment.runner import run_to_folder
from sim.experiment.spec import Experiment, load_experiment
from sim.report.drawing import write_figures

__all__ = ["load_experiment", "open_results", "run_experiment"]


def run_experiment(
    experiment: Experiment | str | Path,
    *,
    out: str | Path = "results",
    executor: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    resume: bool = False,
    progress: bool = True,
    summary: bool = True,
    plots: bool = False,
    console: Console | None = None,
) -> Results:
    """Run every variant and replication of an experiment into ``<out>/<experiment-name>``.

    Takes the options of :func:`~sim.experiment.runner.run_to_folder` (executor, workers,
    scheduler, chunk size, resume, progress) and, with ``summary`` (the default), writes
    ``summary.csv``; with ``plots`` (``alliance-sim run`` sets it unless ``--no-plots``; needs
    ``summary``) it also draws the figures the experiment's ``outputs.figures`` asks for into
    ``figures/``: all that apply if it is absent or null, none if it is an empty list.

    Returns
    -------
    Results
        The folder's tables; ``results.failures`` lists runs that raised.

    Raises
    ------
    ConfigError, ResultsFolderError, RunInterrupted, NestedProcessesError
        As :func:`~sim.experiment.runner.run_to_folder`.
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    folder = run_to_folder(
        experiment,
        out=out,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        chunk_size=chunk_size,
        resume=resume,
        progress=progress,
        console=console,
    )
    if summary:
        summarize(folder)
        figures = experiment.outputs.figures
        if plots and figures != []:
            write_figures(folder, list(FIGURES) if figures is None else figures)
    return open_results(folder)
