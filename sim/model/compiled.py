"""Compiled loops for the month's largest equations (P1, P3, A1, T1, C1), used with numba.

The batch engine's month is dominated by (R, n, n) NumPy expressions: each builds temporaries
and passes over memory several times. With the optional dependency numba installed
(``pip install "alliance-sim[fast]"``), :mod:`sim.model.dynamics` hands these equations to
the loops below, one pass per run, several times faster (``python bench/engine_versus.py``).

Each loop performs the same floating-point operations in the same order as its NumPy function,
and functions whose results could differ between libraries (``exp``, ``pow``) stay in NumPy, so
a run's numbers do not depend on whether numba is installed: ``tests/model/test_compiled.py``
checks that the two paths agree bit for bit on every shipped scenario. Set the environment
variable ``ALLIANCE_SIM_COMPILED=0`` to use the NumPy code alone.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable

import numpy as np

ENABLED = (
    importlib.util.find_spec("numba") is not None
    and os.environ.get("ALLIANCE_SIM_COMPILED", "1") != "0"
)


def usable(*arrays: np.ndarray) -> bool:
    """Whether the loops apply: numba present and enabled, and float64 arrays of one run count."""
    return ENABLED and all(
        isinstance(array, np.ndarray)
        and array.dtype == np.float64
        and array.shape[0] == arrays[0].shape[0]
        for array in arrays
    )


def per_run_values(value: np.ndarray | float, runs: int) -> np.ndarray:
    """An (R,) parameter or a scalar as a float64 array of length R."""
    return np.broadcast_to(np.asarray(value, dtype=float), (runs,))


def _compile(function: Callable, dimensions: tuple[int, ...], result: int) -> Callable:
    """``function`` compiled by numba on its first call (numba is imported only then).

    One compiled version: the arguments are passed as C-contiguous float64 arrays (copied
    only when they are not; ``dimensions`` gives each one's number of axes) and the result is
    one of ``result`` axes, so the loops read memory in order and numba compiles them once.
    No fast-math (it would reorder the arithmetic); cached on disk.
    """

    @functools.cache
    def loop() -> Callable:
        import numba
        from numba import types

        def array(ndim: int, readonly: bool = True) -> types.Array:
            return types.Array(types.float64, ndim, "C", readonly=readonly)

        signature = array(result, readonly=False)(*(array(ndim) for ndim in dimensions))
        try:
            return numba.njit(signature, cache=True, fastmath=False)(function)
        except RuntimeError:  # no writable place for numba's cache: compile in memory
            return numba.njit(signature, cache=False, fastmath=False)(function)

    @functools.wraps(function)
    def call(*arrays: np.ndarray) -> np.ndarray:
        return loop()(*(np.ascontiguousarray(array) for array in arrays))

    return call


def _propensity(affinity, alignment, tension, alignment_weight, tension_weight, similarity_range):
    """P1, as :func:`sim.model.dynamics.propensity`."""
    runs, n = alignment.shape
    result = np.empty((runs, n, n))
    for r in range(runs):
        for i in range(n):
            for j in range(n):
                if i == j:
                    result[r, i, j] = 0.0
                    continue
                similarity = 1.0 - abs(alignment[r, i] - alignment[r, j]) / similarity_range[r]
                similarity = min(max(similarity, -1.0), 1.0)
                value = similarity * alignment_weight[r] + affinity[r, i, j]
                result[r, i, j] = value - tension_weight[r] * tension[r, i, j]
    return result


def _threat(power, proximity, tension, misperception):
    """P3, as :func:`sim.model.dynamics.threat` (``power`` is s*_j^alpha, from NumPy)."""
    runs, n = power.shape
    result = np.empty((runs, n, n))
    for r in range(runs):
        for i in range(n):
            perceived = 1.0 + misperception[r, i]
            for j in range(n):
                result[r, i, j] = proximity[r, i, j] * tension[r, i, j] * power[r, j] * perceived
    return result


def _pull(alignment, openness, propensity):
    """A1, as :func:`sim.model.dynamics.bounded_confidence_pull` (neighbours in index order)."""
    runs, n = alignment.shape
    result = np.zeros((runs, n))
    for r in range(runs):
        for i in range(n):
            total = 0.0
            count = 0
            for j in range(n):
                difference = alignment[r, j] - alignment[r, i]
                if abs(difference) < openness[r, i] and propensity[r, i, j] > 0.0:
                    total += difference
                    count += 1
            if count > 0:
                result[r, i] = total / count
    return result


def _tension(tension, baseline, threat, factor, half_reaction, decay):
    """T1, as :func:`sim.model.dynamics.tension_change` (``factor``: the noise, from NumPy)."""
    runs, n = tension.shape[0], tension.shape[1]
    result = np.empty((runs, n, n))
    for r in range(runs):
        pair = 0
        for i in range(n):
            for j in range(i, n):
                scale = 1.0 if i == j else factor[r, pair]
                for a, b in ((i, j), (j, i)):
                    value = (threat[r, a, b] + threat[r, b, a]) * half_reaction[r]
                    value = value + tension[r, a, b]
                    value = value - decay[r] * (tension[r, a, b] - baseline[r, a, b])
                    result[r, a, b] = value * scale
                if i != j:
                    pair += 1
    return result


def _crisis_scores(tension, backing, propensity, steepness, threshold, log_odds):
    """C1 and C2 per dyad i < j, as :func:`sim.model.dynamics.dyad_crisis_scores`."""
    runs, n = backing.shape
    result = np.empty((runs, n * (n - 1) // 2))
    for r in range(runs):
        pair = 0
        for i in range(n):
            for j in range(i + 1, n):
                emboldened = 0.0
                if propensity[r, i, j] < 0.0:
                    emboldened = max(backing[r, i], backing[r, j])
                shift = log_odds[r] * emboldened
                result[r, pair] = steepness[r] * (tension[r, i, j] - threshold[r]) + shift
                pair += 1
    return result


propensity = _compile(_propensity, (3, 2, 3, 1, 1, 1), result=3)
threat = _compile(_threat, (2, 3, 3, 2), result=3)
pull = _compile(_pull, (2, 2, 3), result=2)
tension = _compile(_tension, (3, 3, 3, 2, 1, 1), result=3)
crisis_scores = _compile(_crisis_scores, (3, 2, 3, 1, 1, 1), result=2)
