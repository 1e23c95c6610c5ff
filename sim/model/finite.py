"""The check both engines make once per month: every value of a run's state is finite.

Inputs are refused when they are not finite (:mod:`sim.scenario.reading`), but finite values can
still overflow (a tension reaction of 1e300 doubles tension past the largest float in a few
months). A run whose state holds NaN or infinity would give rows of NaN that the statistics
silently count as "never joined"; stopping it here makes it a failed run that names the month and
the variable instead.
"""

from __future__ import annotations

import numpy as np

from sim.errors import NonFiniteStateError
from sim.model.state import RunState
from sim.scenario.calendar import step_to_month

CHECKED = ("alignment", "tension", "affinity", "baseline", "depth", "cost_shock")
# What the month's equations move; the rest (affinities, baselines, parameters) changes only
# through a scheduled event.
MOVING = ("alignment", "tension", "depth", "cost_shock")


def check_finite(state: RunState, step: int, start: str, *, everything: bool = True) -> None:
    """Raise if any value of the state after month ``step`` is NaN or infinite.

    A sum is finite exactly when every term is (short of overflowing sums of values near the
    largest float, which are not meaningful either), so the usual month costs one pass per array.
    With ``everything=False`` (a month without events) only what the equations move is checked.

    Raises
    ------
    NonFiniteStateError
        Naming the calendar month, the step and the first variable that is not finite.
    """
    names = CHECKED if everything else MOVING
    arrays = [(name, getattr(state, name)) for name in names]
    if everything:
        arrays += [(f"dynamics.{name}", value) for name, value in state.params.items()]
    if np.isfinite(sum(np.sum(values) for _, values in arrays)):
        return
    for name, values in arrays:
        bad = ~np.isfinite(values)
        if bad.any():
            found = values[bad].flat[0]
            raise NonFiniteStateError(step_to_month(step, start=start), step, name, float(found))
