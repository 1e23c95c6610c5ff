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

CHECKED = ("alignment", "tension", "affinity", "baseline", "depth")


def check_finite(state: RunState, step: int, start: str) -> None:
    """Raise if any value of the state after month ``step`` is NaN or infinite.

    A sum is finite exactly when every term is (short of overflowing sums of values near the
    largest float, which are not meaningful either), so the usual month costs one pass per array.

    Raises
    ------
    NonFiniteStateError
        Naming the calendar month, the step and the first variable that is not finite.
    """
    arrays = [(name, getattr(state, name)) for name in CHECKED]
    arrays += [(f"dynamics.{name}", value) for name, value in state.params.items()]
    for name, values in arrays:
        if not np.isfinite(np.sum(values)):
            found = values[~np.isfinite(values)].flat[0] if values.size else values.sum()
            raise NonFiniteStateError(step_to_month(step, start=start), step, name, float(found))
