"""A task: one chunk of runs and where its parts go; what a worker does with it.

Kept apart from the runner so that the manifest (which records task outcomes) and the executors
need only this small module, and a worker imports nothing of the runner's progress display.

Workers that share the results folder (this process, worker processes) run
:func:`execute_task`: run the chunk and write its parts. Workers on other machines (the Dask
executor) run :func:`compute_task`, which returns the parts as Parquet bytes, and this process
writes them with :func:`save_output`; the bytes are those :func:`execute_task` would write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.experiment.chunks import Chunk, run_chunk
from sim.experiment.store import WriteError, atomic_write_bytes, parquet_bytes, sha256_bytes


@dataclass(frozen=True)
class Task:
    """What a worker needs: the chunk to run and where to write its parts."""

    id: str
    chunk: Chunk
    folder: str
    runs_part: str
    series_part: str | None


@dataclass(frozen=True)
class TaskOutput:
    """A finished task's report and its parts as Parquet bytes (None: no rows to write)."""

    report: dict[str, Any]
    runs: bytes | None
    series: bytes | None


def compute_task(task: Task) -> TaskOutput:
    """Run one task and return its report and parts; writes nothing (top level: workers import
    it)."""
    started = time.perf_counter()
    result = run_chunk(task.chunk)
    series = None
    if task.series_part is not None and result.series is not None:
        series = parquet_bytes(result.series)
    report = {
        "rows": len(result.runs),
        "failures": result.failures,
        "seconds": round(time.perf_counter() - started, 3),
    }
    if series is not None:
        report["series_rows"] = len(result.series)
    return TaskOutput(report, parquet_bytes(result.runs) if len(result.runs) else None, series)


def save_output(task: Task, output: TaskOutput | None) -> dict[str, Any] | None:
    """Replace the task's parts with those of ``output`` (None: a failed task, no parts); return
    its report.

    The task's parts from an earlier attempt are deleted first, so that a task whose runs all
    fail, or that fails whole, leaves no stale rows behind for the tables to read.
    """
    folder = Path(task.folder)
    discard_parts(task)
    if output is None:
        return None
    report = dict(output.report)
    try:  # the manifest records what was written, to check the parts later
        for kind, part, data in (("series", task.series_part, output.series),
                                 ("runs", task.runs_part, output.runs)):  # fmt: skip
            if part is not None and data is not None:
                atomic_write_bytes(folder / part, data)
                report[f"{kind}_sha256"] = sha256_bytes(data)
    except WriteError as err:  # the runner stops: the next parts would not fit either
        report["write_error"] = str(err)
    return report


def discard_parts(task: Task) -> None:
    """Delete the task's parts, if an earlier attempt wrote any."""
    for part in (task.runs_part, task.series_part):
        if part is not None:
            (Path(task.folder) / part).unlink(missing_ok=True)


def execute_task(task: Task) -> dict[str, Any]:
    """Run one task and write its parts; return a small report (top level: workers import it).

    The old parts go first, so that a task that fails whole leaves none behind.
    """
    discard_parts(task)
    return save_output(task, compute_task(task))
