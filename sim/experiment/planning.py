"""What a run will take, known before anything is created: runs, tasks, time and disk.

:func:`plan_run` counts the runs and tasks of an experiment and, with ``probe``, times a few
runs of its first variant and measures the bytes their rows take, to estimate how long the run
will take and how much disk it will fill. :func:`check_plan` refuses what cannot fit (a manifest
too large to hold, more disk than is free) with the estimate, before the results folder exists;
``alliance-sim run --dry-run`` prints the plan and stops there.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.experiment.chunks import run_chunk
from sim.experiment.executors import check_executor_options, make_executor
from sim.experiment.manifest import DEFAULT_CHUNK
from sim.experiment.spec import Experiment
from sim.experiment.store import parquet_bytes

MAX_TASKS = 200_000  # manifest entries, ~400 bytes each: an 80 MB manifest rewritten as it goes
TASK_BYTES = 400
PROBE_RUNS = {"batch": 200, "mesa": 5, "model": 5}
PROBE_FROM = 100_000  # runs from which `run` probes the disk need before starting


@dataclass(frozen=True)
class Plan:
    """A run's size and its estimated cost (None where not probed)."""

    folder: Path
    variants: int
    replications: int
    runs: int
    tasks: int
    chunk_size: int
    engine: str
    executor: str
    workers: int
    seconds: float | None = None  # estimated wall time
    disk_bytes: int | None = None  # estimated size of runs/ and series/
    free_bytes: int | None = None  # free space where the folder goes

    def lines(self) -> list[str]:
        """The plan in words, for ``--dry-run``."""
        lines = [
            f"{self.variants} variant(s) × {self.replications:,} replications = {self.runs:,} "
            f"runs in {self.tasks:,} tasks of up to {self.chunk_size:,} ({self.engine} engine)",
            f"executor: {self.executor}, {self.workers} worker(s); results folder {self.folder}",
        ]
        if self.seconds is not None:
            lines.append(f"time: about {duration(self.seconds)} (rough: from a probe of a few "
                         "runs in this process)")  # fmt: skip
        if self.disk_bytes is not None:
            free = f" of {size(self.free_bytes)} free" if self.free_bytes is not None else ""
            lines.append(f"disk: about {size(self.disk_bytes)}{free}")
        return lines


def plan_run(
    experiment: Experiment,
    *,
    out: str | Path,
    executor: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    probe: Callable[[dict[str, Any]], Any] | None = None,
) -> Plan:
    """Count what a run of ``experiment`` into ``out`` would do; with ``probe`` (the runner's
    ``make_task`` for a manifest entry), also estimate time and disk from a few runs of the
    first variant, run in this process.

    Raises
    ------
    ConfigError
        If the executor options contradict each other or ``chunk_size`` < 1.
    """
    check_executor_options(executor, workers)
    if chunk_size is not None and chunk_size < 1:
        raise ConfigError(None, "chunk_size", "at least 1", chunk_size)
    size_ = chunk_size or DEFAULT_CHUNK[experiment.runs_on]
    variants = len(experiment.variant_names)
    runs = variants * experiment.replications
    tasks = variants * math.ceil(experiment.replications / size_)
    if executor == "dask":  # a cluster's workers are known once it is connected
        name, count = "dask", workers or 1
    else:
        pool = make_executor(executor, workers, tasks=tasks, runs=runs, engine=experiment.runs_on)
        name, count = pool.name, pool.workers
    plan = Plan(Path(out) / experiment.name, variants, experiment.replications, runs, tasks,
                size_, experiment.runs_on, name, count)  # fmt: skip
    if probe is None or tasks > MAX_TASKS:
        return plan
    seconds, bytes_per_run = probe_runs(experiment, probe)
    return Plan(**{**plan.__dict__, "seconds": seconds * runs / max(1, plan.workers),
                   "disk_bytes": int(bytes_per_run * runs),
                   "free_bytes": free_space(plan.folder)})  # fmt: skip


def probe_runs(
    experiment: Experiment, make_task: Callable[[dict[str, Any]], Any]
) -> tuple[float, float]:
    """Seconds and bytes (runs and series parts) per run, from a few runs of the first variant."""
    count = min(experiment.replications, PROBE_RUNS[experiment.runs_on])
    entry = {"id": "probe", "variant": experiment.variant_names[0], "variant_index": 0,
             "start": 0, "stop": count, "runs_part": "", "series_part": None}  # fmt: skip
    task = make_task(entry)
    started = time.perf_counter()
    result = run_chunk(task.chunk)
    seconds = (time.perf_counter() - started) / count
    written = len(parquet_bytes(result.runs)) if len(result.runs) else 0
    if result.series is not None:
        written += len(parquet_bytes(result.series))
    return seconds, written / count


def free_space(folder: Path) -> int | None:
    """Free bytes on the file system where ``folder`` is or would be created."""
    for place in (folder, *folder.parents):
        if place.exists():
            try:
                return shutil.disk_usage(place).free
            except OSError:
                return None
    return None


def check_plan(plan: Plan, file: str | None) -> None:
    """Refuse a run that cannot fit, with the estimate.

    Raises
    ------
    ConfigError
        On ``replications`` if the manifest would hold more than ``MAX_TASKS`` tasks or the
        estimated parts need more disk than is free.
    """
    if plan.tasks > MAX_TASKS:
        raise ConfigError(file, "replications", f"a run whose manifest fits: at most "
                          f"{MAX_TASKS:,} tasks, but {plan.runs:,} runs in tasks of "
                          f"{plan.chunk_size:,} are {plan.tasks:,} tasks (a manifest of about "
                          f"{size(plan.tasks * TASK_BYTES)}); use fewer replications or a "
                          "larger --chunk-size", plan.replications)  # fmt: skip
    if plan.disk_bytes is not None and plan.free_bytes is not None:
        if plan.disk_bytes > plan.free_bytes:
            raise ConfigError(file, "replications", f"a run that fits on the disk: about "
                              f"{size(plan.disk_bytes)} of parts, {size(plan.free_bytes)} free "
                              f"at {plan.folder.parent}", plan.replications)  # fmt: skip


def size(count: int | None) -> str:
    """Bytes in words: ``12.3 MB``."""
    value = float(count or 0)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{value:,.1f} TB"


def duration(seconds: float) -> str:
    """Seconds in words: ``45 s``, ``12 min``, ``3.5 h``, ``2.1 days``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:,.1f} days"
