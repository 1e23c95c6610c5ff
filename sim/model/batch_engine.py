"""The batch engine: many runs of one world advanced together with (R, n) and (R, n, n) arrays.

It calls the same month phases (:mod:`sim.model.phases`) and equations (:mod:`sim.model.dynamics`)
as the Mesa model and reads the same pre-drawn random numbers (:mod:`sim.model.draws`), so for the
same seeds it gives the same outcomes, only without per-agent Python overhead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model import phases
from sim.model.draws import draw_runs, generators_for
from sim.model.finite import check_finite
from sim.model.outcomes import OutcomeTracker
from sim.model.state import RunState, derive
from sim.model.world import World


@dataclass(frozen=True)
class BatchResult:
    """Outcome rows (one per run, in seed order) and, when asked, trajectories (long)."""

    runs: pd.DataFrame
    series: pd.DataFrame | None


MEMORY_BUDGET = 128 * 2**20  # bytes of arrays one sub-chunk may hold


def runs_per_chunk(world: World, months: int, *, budget: int | None = None) -> int:
    """How many runs to advance together so their arrays stay within ``budget`` bytes.

    The pre-drawn random numbers take 8 (n + n(n-1)/2 + 2n + 1 + nB) bytes per run-month; the
    state and the month's derived (n, n) arrays about 40 n^2 x 8 bytes per run. For the default
    scenario (n = 12) that is about 900 runs; for 48 countries about 80.
    """
    budget = MEMORY_BUDGET if budget is None else budget
    n, blocs = world.n_countries, world.n_blocs
    process = n + n * n if world.has_process else 0  # invitation and ratification draws
    per_run = 8 * (months * (n + n * (n - 1) // 2 + 2 * n + 1 + n * blocs + process) + 40 * n * n)
    return max(1, budget // per_run)


def simulate_batch(
    world: World,
    seeds: list[int] | np.ndarray,
    *,
    months: int = 120,
    series_every: int | None = None,
) -> BatchResult:
    """Simulate one run per seed, many at once.

    Runs are advanced together in sub-chunks of :func:`runs_per_chunk` so memory stays bounded
    however many seeds are given; a run's result does not depend on the sub-chunking.

    Parameters
    ----------
    world : World
        A compiled scenario with one run (broadcast to every seed) or one run per seed (a sweep).
    seeds : sequence of int
        Run r draws its random numbers from ``numpy.random.default_rng(seeds[r])``.
    months : int
        Horizon in months.
    series_every : int, optional
        Also record trajectories every this many months.

    Returns
    -------
    BatchResult
        Rows in seed order; trajectories with ``run`` numbering the seeds from 0.
    """
    seeds = np.asarray(seeds, dtype=np.int64)
    if world.runs not in (1, len(seeds)):
        raise ValueError(f"a world of {world.runs} runs cannot run {len(seeds)} seeds")
    size = runs_per_chunk(world, months)
    parts = [
        simulate_together(
            world.take(start, start + size),
            seeds[start : start + size],
            months=months,
            series_every=series_every,
            first_run=start,
        )
        for start in range(0, len(seeds), size)
    ]
    if len(parts) == 1:
        return parts[0]
    series = [part.series for part in parts if part.series is not None]
    return BatchResult(
        pd.concat([part.runs for part in parts], ignore_index=True),
        pd.concat(series, ignore_index=True) if series else None,
    )


def simulate_together(
    world: World, seeds: np.ndarray, *, months: int, series_every: int | None, first_run: int
) -> BatchResult:
    """Advance the runs of ``seeds`` together month by month (one sub-chunk)."""
    state = RunState.initial(world, len(seeds))
    draws = draw_runs(
        generators_for(seeds), months, world.n_countries, world.n_blocs, process=world.has_process
    )
    tracker = OutcomeTracker(world, state, months, series_every=series_every)
    for step in range(months):
        derived, changes = phases.plan(state, world, step, draws.month(step))
        phases.commit(state, world, derived, changes)
        check_finite(state, step, world.start, everything=step in world.events)
        tracker.record(step, state, derived, changes)
    rows = tracker.rows(state, derive(state, world))
    rows.insert(0, "seed", seeds)
    series = tracker.trajectories()
    if series is not None:
        series.insert(1, "seed", seeds[series["run"].to_numpy()])
        series["run"] += first_run
    return BatchResult(rows, series)
