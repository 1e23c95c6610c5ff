"""Run an experiment: variants × replications → tasks → executor → Parquet parts on disk.

The replications of each variant are cut into chunks of many runs (so that start-up costs do not
dominate); each (variant, chunk) is a task. A task runs in the executor (this process or a worker
process), writes its own part files atomically and returns a small report; the runner records
the report in the manifest and never holds the rows itself, so memory stays flat however many
runs there are. Rows of every variant and chunk are read back in variant order, then replication
order, so the tables do not depend on the executor, the number of workers or the chunk size.

A run that raises is recorded as failed with its error and the others go on. Ctrl-C lets the
running tasks finish, saves the manifest and leaves a folder that ``--resume`` completes.

The runner only runs and writes the folder; reading it back and summarising belong to the
analysis stage, composed with this one in :func:`sim.workflow.run_experiment`.

Examples
--------
>>> from sim.scenario.shipped import ROOT
>>> import tempfile
>>> experiment = load_experiment(ROOT / "experiments" / "bulgaria_question.yaml",
...                              replications=20, months=24)
>>> folder = run_to_folder(experiment, out=tempfile.mkdtemp(), executor="serial", progress=False)
>>> sorted(path.name for path in (folder / "runs").iterdir())[:1]
['part-baseline-00000.parquet']
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from sim.experiment.chunks import Chunk, ModelSpec
from sim.experiment.dask_executor import open_cluster
from sim.experiment.executors import check_not_in_a_worker, make_executor
from sim.experiment.manifest import prepare, record
from sim.experiment.planning import PROBE_FROM, Plan, check_plan, plan_run
from sim.experiment.spec import Experiment, load_experiment
from sim.experiment.store import ResultsFolder, WriteError, now
from sim.experiment.sweeps import check_design, sweep_chunk, write_design
from sim.experiment.tasks import Task, compute_task, execute_task, save_output

MANIFEST_SECONDS = 2.0  # at most this long between manifest saves while tasks finish


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; the folder is saved and ``--resume`` completes it."""

    def __init__(self, path: Path, done: int, total: int) -> None:
        self.path, self.done, self.total = path, done, total
        super().__init__(f"interrupted with {done} of {total} tasks done; results in {path}")


def run_to_folder(
    experiment: Experiment | str | Path,
    *,
    out: str | Path = "results",
    executor: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    resume: bool = False,
    progress: bool = True,
    console: Console | None = None,
) -> Path:
    """Run every variant and replication of an experiment into ``<out>/<experiment-name>``.

    Parameters
    ----------
    experiment : Experiment, str or Path
        A loaded experiment or the path of an experiment file.
    out : str or Path, keyword-only
        Parent folder of the results folder.
    executor : {"serial", "processes", "dask"} or None, keyword-only
        None: processes when they are faster (several tasks and CPUs, and at least 5,000 runs of the
        batch engine or 200 Mesa runs; :func:`sim.experiment.executors.make_executor`), or when
        ``workers`` > 1 is given; else serial.
    workers : int or None, keyword-only
        Worker processes (None: one per CPU, at most one per task); more than 1 is refused
        with ``executor="serial"``.
    scheduler : str or None, keyword-only
        Address of a Dask scheduler (or its scheduler file): implies ``executor="dask"``, which
        without it reads ``ALLIANCE_SIM_SCHEDULER`` or starts a local cluster
        (:mod:`sim.experiment.dask_executor`, docs/cluster.md).
    chunk_size : int or None, keyword-only
        Runs per task (None: 500 for the batch engine, 50 for Mesa models). Kept from the
        manifest when resuming.
    resume : bool, keyword-only
        Continue an unfinished folder: tasks done (manifest) with their part present are skipped.
    progress : bool, keyword-only
        Show a progress bar.
    console : rich Console, optional, keyword-only
        Where the progress bar goes.

    Returns
    -------
    Path
        The results folder; its manifest lists the runs that raised.

    Raises
    ------
    ConfigError
        If ``chunk_size`` or ``workers`` is less than 1, or ``workers`` > 1 with ``serial``.
    ResultsFolderError
        If the folder is in use by another run, already holds results (without ``resume``), or
        holds results of a different experiment or scenario.
    RunInterrupted
        On Ctrl-C, after saving the manifest (a ``KeyboardInterrupt``).
    NestedProcessesError
        If called in a process that multiprocessing started (an unguarded script re-run by a
        worker) without ``executor="serial"``.
    ClusterError
        With ``executor="dask"``: Dask is not installed, the scheduler cannot be reached, or
        workers run other code or package versions (nothing is written then).
    """
    check_not_in_a_worker(executor)
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    folder = ResultsFolder(Path(out) / experiment.name)
    sized = plan(experiment, out=out, executor=executor, workers=workers,
                 chunk_size=chunk_size, probe=None if not resume else False)  # fmt: skip
    if not resume:  # every option and size checked before the folder exists
        check_plan(sized, experiment.file)
    # a cluster is connected and its workers checked before anything is written
    with (
        open_cluster(executor, workers, scheduler, model=experiment.model) as cluster,
        folder.locked(),
    ):
        check_design(folder, experiment)
        manifest = prepare(folder, experiment, chunk_size=chunk_size, resume=resume)
        write_design(folder, experiment)
        todo = [entry for entry in manifest["tasks"] if entry["status"] != "done"]
        if todo:
            tasks = (make_task(experiment, entry, folder) for entry in todo)  # built as needed
            runs = sum(entry["stop"] - entry["start"] for entry in todo)
            pool = cluster or make_executor(executor, workers, tasks=len(todo), runs=runs,
                                            engine=experiment.runs_on)  # fmt: skip
            manifest["runs_with"] = {"executor": pool.name, "workers": pool.workers}
            execute(tasks, manifest, folder, pool, progress=progress, console=console)
        failed = any(entry["status"] == "failed" for entry in manifest["tasks"])
        manifest["status"] = "failed" if failed else "complete"
        manifest["finished"] = now()
        folder.write_manifest(manifest)
    return folder.path


def plan(
    experiment: Experiment,
    *,
    out: str | Path = "results",
    executor: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    probe: bool | None = True,
) -> Plan:
    """What a run would do (:func:`sim.experiment.planning.plan_run`), with a probe of a few
    runs for time and disk when ``probe`` is True, or (None) when the run is large enough for
    its disk need to matter."""
    runs = len(experiment.variant_names) * experiment.replications
    if probe is None:
        probe = runs >= PROBE_FROM
    folder = ResultsFolder(Path(out) / experiment.name)
    return plan_run(experiment, out=out, executor=executor, workers=workers,
                    chunk_size=chunk_size,
                    probe=(lambda entry: make_task(experiment, entry, folder)) if probe else None
                    )  # fmt: skip


def make_task(experiment: Experiment, entry: dict[str, Any], folder: ResultsFolder) -> Task:
    """The worker's task for a manifest entry: the variant's scenario (or model) and seeds."""
    if experiment.sweep is not None:
        chunk = sweep_chunk(experiment, entry)
        return Task(entry["id"], chunk, str(folder.path), entry["runs_part"], entry["series_part"])
    name, index = entry["variant"], entry["variant_index"]
    model = None
    if experiment.model is not None:
        model = ModelSpec(
            experiment.model,
            experiment.parameters_for(name),
            tuple(experiment.collect),
            experiment.steps,
        )
    chunk = Chunk(
        variant=name,
        start=entry["start"],
        stop=entry["stop"],
        seeds=tuple(experiment.seeds(index, range(entry["start"], entry["stop"]))),
        engine=experiment.runs_on,
        months=experiment.months,
        series_every=experiment.series_every,
        scenario=experiment.scenarios.get(name),
        model=model,
    )
    return Task(entry["id"], chunk, str(folder.path), entry["runs_part"], entry["series_part"])


# --- running -----------------------------------------------------------------------------------


class RateColumn(ProgressColumn):
    """Runs per second in this session, and the time left at that rate."""

    def render(self, task) -> Text:
        elapsed = task.elapsed
        ran = task.completed - task.fields.get("already", 0)
        if not elapsed or ran <= 0:
            return Text("")
        rate = ran / elapsed
        left = (task.total - task.completed) / rate
        minutes, seconds = divmod(round(left), 60)
        remaining = "" if task.finished else f", {minutes}:{seconds:02d} left"
        return Text(f"{rate:,.0f} runs/s{remaining}", style="progress.data.speed")


def execute(
    tasks: Iterable[Task],
    manifest: dict[str, Any],
    folder: ResultsFolder,
    pool,
    *,
    progress: bool,
    console: Console | None,
) -> None:
    """Run the tasks, recording each one's status in the manifest as it finishes.

    The manifest is saved at most every ``MANIFEST_SECONDS`` while tasks finish (rewriting it
    after every task would cost time quadratic in the number of tasks), on Ctrl-C and on an
    error; the caller saves it at the end. A task done since the last save is still pending in
    the saved manifest, so a resume reruns it: its parts are replaced atomically.
    """
    entries = {entry["id"]: entry for entry in manifest["tasks"]}
    total = sum(entry["stop"] - entry["start"] for entry in manifest["tasks"])
    already = sum(e["stop"] - e["start"] for e in manifest["tasks"] if e["status"] == "done")
    bar = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("runs"), RateColumn(), TimeElapsedColumn(),
        console=console, disable=not progress,
    )  # fmt: skip
    with bar:
        counter = bar.add_task(manifest["name"], total=total, completed=already, already=already)
        bar.start_task(counter)
        saved = time.monotonic()
        try:
            here = not getattr(pool, "shares_folder", True)  # parts come back to be written here
            for task, report, error in pool.imap_unordered(
                compute_task if here else execute_task, tasks
            ):
                if here:
                    report = save_output(task, report)
                record(entries[task.id], task, report, error)
                if report is not None and report.get("write_error"):
                    raise WriteError(report["write_error"])  # disk full, read-only: stop here
                if time.monotonic() - saved >= MANIFEST_SECONDS:
                    folder.write_manifest(manifest)
                    saved = time.monotonic()
                bar.advance(counter, task.chunk.stop - task.chunk.start)
        except KeyboardInterrupt:
            manifest["status"] = "interrupted"
            save_if_possible(folder, manifest)
            done = sum(entry["status"] == "done" for entry in manifest["tasks"])
            raise RunInterrupted(folder.path, done, len(manifest["tasks"])) from None
        except BaseException:
            manifest["status"] = "failed"
            save_if_possible(folder, manifest)
            raise


def save_if_possible(folder: ResultsFolder, manifest: dict[str, Any]) -> None:
    """Save the manifest on the way out; if even that cannot be written (the disk is full),
    the last one saved stays whole, and a resume reruns the tasks done since."""
    try:
        folder.write_manifest(manifest)
    except WriteError:
        pass
