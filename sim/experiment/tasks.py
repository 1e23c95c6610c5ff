"""A task: one chunk of runs and where its parts go; what a worker process does with it.

Kept apart from the runner so that the manifest (which records task outcomes) and the executors
need only this small module, and a worker imports nothing of the runner's progress display.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.experiment.chunks import Chunk, run_chunk
from sim.experiment.store import write_part


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
