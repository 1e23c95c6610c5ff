"""Run an experiment: variants × replications → tasks → executor → Parquet parts on disk.

The replications of each variant are cut into chunks of many runs (so that start-up costs do not
dominate); each (variant, chunk) is a task. A task runs in the executor (this process or a worker
process), writes its own part files atomically and returns a small report; the runner records
the report in the manifest and never holds the rows itself, so memory stays flat however many
runs there are. Rows of every variant and chunk are read back in variant order, then replication
order, so the tables do not depend on the executor, the number of workers or the chunk size.

A run that raises is recorded as failed with its error and the others go on. Ctrl-C lets the
running tasks finish, saves the manifest and leaves a folder that ``--resume`` completes.

Examples
--------
>>> from sim.scenarios import ROOT
>>> import tempfile
>>> experiment = load_experiment(ROOT / "experiments" / "bulgaria_question.yaml",
...                              replications=20, months=24)
>>> results = run_experiment(experiment, out=tempfile.mkdtemp(), executor="serial",
...                          progress=False)
>>> results.runs.groupby("variant", sort=False).size().to_dict()
{'baseline': 20, 'bulgaria_invited': 20, 'bulgaria_joins': 20}
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

from sim.engines import Chunk, ModelSpec, run_chunk
from sim.errors import ConfigError
from sim.executors import check_not_in_a_worker, make_executor
from sim.experiment import Experiment, load_experiment
from sim.manifest import prepare, record
from sim.store import ResultsFolder, now, write_part

if TYPE_CHECKING:
    from sim.results import Results

MANIFEST_SECONDS = 2.0  # at most this long between manifest saves while tasks finish


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; the folder is saved and ``--resume`` completes it."""

    def __init__(self, path: Path, done: int, total: int) -> None:
        self.path, self.done, self.total = path, done, total
        super().__init__(f"interrupted with {done} of {total} tasks done; results in {path}")


@dataclass(frozen=True)
class Task:
    """What a worker needs: the chunk to run and where to write its parts."""

    id: str
    chunk: Chunk
    folder: str
    runs_part: str
    series_part: str | None


def execute_task(task: Task) -> dict[str, Any]:
    """Run one task and write its parts; return a small report (top level: workers import it).

    The task's parts from an earlier attempt are deleted first, so that a task whose runs all
    fail, or that fails whole, leaves no stale rows behind for the tables to read.
    """
    started = time.perf_counter()
    folder = Path(task.folder)
    for part in (task.runs_part, task.series_part):
        if part is not None:
            (folder / part).unlink(missing_ok=True)
    result = run_chunk(task.chunk)
    if task.series_part is not None and result.series is not None:
        write_part(result.series, folder / task.series_part)
    if len(result.runs):
        write_part(result.runs, folder / task.runs_part)
    return {
        "rows": len(result.runs),
        "failures": result.failures,
        "seconds": round(time.perf_counter() - started, 3),
    }


def run_experiment(
    experiment: Experiment | str | Path,
    *,
    out: str | Path = "results",
    executor: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    resume: bool = False,
    progress: bool = True,
    summary: bool = True,
    console: Console | None = None,
) -> Results:
    """Run every variant and replication of an experiment into ``<out>/<experiment-name>``.

    Parameters
    ----------
    experiment : Experiment, str or Path
        A loaded experiment or the path of an experiment file.
    out : str or Path, keyword-only
        Parent folder of the results folder.
    executor : {"serial", "processes"} or None, keyword-only
        None: processes when they are faster (several tasks and CPUs, and at least 5,000 runs
        of the batch engine or 200 Mesa runs; :func:`sim.executors.make_executor`), or when
        ``workers`` > 1 is given; else serial.
    workers : int or None, keyword-only
        Worker processes (None: one per CPU, at most one per task); more than 1 is refused
        with ``executor="serial"``.
    chunk_size : int or None, keyword-only
        Runs per task (None: 500 for the batch engine, 50 for Mesa models). Kept from the
        manifest when resuming.
    resume : bool, keyword-only
        Continue an unfinished folder: tasks done (manifest) with their part present are skipped.
    progress : bool, keyword-only
        Show a progress bar.
    summary : bool, keyword-only
        Write ``summary.csv`` at the end (``sim.results.summarize`` can do it later).
    console : rich Console, optional, keyword-only
        Where the progress bar goes.

    Returns
    -------
    Results
        The folder's tables; ``results.failures`` lists runs that raised.

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
    """
    from sim.results import open_results, summarize  # SciPy: not imported by worker processes

    check_not_in_a_worker(executor)
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    if chunk_size is not None and chunk_size < 1:
        raise ConfigError(None, "chunk_size", "at least 1", chunk_size)
    folder = ResultsFolder(Path(out) / experiment.name)
    with folder.locked():
        manifest = prepare(folder, experiment, chunk_size=chunk_size, resume=resume)
        todo = [entry for entry in manifest["tasks"] if entry["status"] != "done"]
        if todo:
            tasks = (make_task(experiment, entry, folder) for entry in todo)  # built as needed
            runs = sum(entry["stop"] - entry["start"] for entry in todo)
            pool = make_executor(executor, workers, tasks=len(todo), runs=runs,
                                 engine=experiment.runs_on)  # fmt: skip
            manifest["runs_with"] = {"executor": pool.name, "workers": pool.workers}
            execute(tasks, manifest, folder, pool, progress=progress, console=console)
        failed = any(entry["status"] == "failed" for entry in manifest["tasks"])
        manifest["status"] = "failed" if failed else "complete"
        manifest["finished"] = now()
        folder.write_manifest(manifest)
        if summary:
            summarize(folder.path)
    return open_results(folder.path)


def make_task(experiment: Experiment, entry: dict[str, Any], folder: ResultsFolder) -> Task:
    """The worker's task for a manifest entry: the variant's scenario (or model) and seeds."""
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
            for task, report, error in pool.imap_unordered(execute_task, tasks):
                record(entries[task.id], task, report, error)
                if time.monotonic() - saved >= MANIFEST_SECONDS:
                    folder.write_manifest(manifest)
                    saved = time.monotonic()
                bar.advance(counter, task.chunk.stop - task.chunk.start)
        except KeyboardInterrupt:
            manifest["status"] = "interrupted"
            folder.write_manifest(manifest)
            done = sum(entry["status"] == "done" for entry in manifest["tasks"])
            raise RunInterrupted(folder.path, done, len(manifest["tasks"])) from None
        except BaseException:
            manifest["status"] = "failed"
            folder.write_manifest(manifest)
            raise
