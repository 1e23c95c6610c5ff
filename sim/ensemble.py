"""The batch engine: many runs of one world advanced together with (R, n) and (R, n, n) arrays.

It calls the same month phases (:mod:`sim.month`) and equations (:mod:`sim.dynamics`) as the
Mesa model and reads the same pre-drawn random numbers (:mod:`sim.draws`), so for the same seeds
it gives the same outcomes, only without per-agent Python overhead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import month
from sim.draws import draw_runs, generators_for
from sim.outcomes import OutcomeTracker
from sim.state import RunState, derive
from sim.world import World


@dataclass(frozen=True)
class BatchResult:
    """Outcome rows (one per run, in seed order) and, when asked, trajectories (long)."""

    runs: pd.DataFrame
    series: pd.DataFrame | None


def simulate_batch(
    world: World,
    seeds: list[int] | np.ndarray,
    *,
    months: int = 120,
    series_every: int | None = None,
) -> BatchResult:
    """Simulate one run per seed, all at once.

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
    """
    seeds = np.asarray(seeds, dtype=np.int64)
    state = RunState.initial(world, len(seeds))
    draws = draw_runs(generators_for(seeds), months, world.n_countries, world.n_blocs)
    tracker = OutcomeTracker(world, state, months, series_every=series_every)
    for step in range(months):
        derived, changes = month.plan(state, world, step, draws.month(step))
        month.commit(state, world, derived, changes)
        tracker.record(step, state, derived, changes)
    rows = tracker.rows(state, derive(state, world))
    rows.insert(0, "seed", seeds)
    series = tracker.trajectories()
    if series is not None:
        series.insert(1, "seed", seeds[series["run"].to_numpy()])
    return BatchResult(rows, series)
