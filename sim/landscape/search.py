"""Finding a landscape's local minima and their basins: exhaustively, or by sampled descents.

For n <= 20 every configuration is enumerated in chunks of arrays (:func:`enumerate_landscape`);
for more actors, descents from uniformly random configurations (:func:`sample_landscape`) find
minima and estimate their basin shares by how often each is reached. The energy, the descent rule
and the result types are in :mod:`sim.landscape.energy`.

Examples
--------
>>> import numpy as np
>>> scape = Landscape(("US", "Russia", "Syria"), np.array([10.0, 10.0, 50.0]),
...                   np.array([[0, -1, -1], [-1, 0, 1], [-1, 1, 0.0]]))
>>> result = enumerate_landscape(scape)
>>> [(result.camps(m.labels), m.energy, m.basin_share) for m in result.minima]
[((('US',), ('Russia', 'Syria')), -1200.0, 1.0)]
"""

from __future__ import annotations

import numpy as np

from sim.errors import ConfigError
from sim.landscape.energy import (
    CHUNK_ROWS,
    EXHAUSTIVE_LIMIT,
    Configuration,
    Landscape,
    LandscapeResult,
    Minimum,
    best_switch,
    configuration_labels,
    descend,
    energy,
    switch_gains,
    tolerance,
)


def enumerate_landscape(landscape: Landscape, *, top: int = 10) -> LandscapeResult:
    """Every configuration's energy, the local minima and their exact basins (n <= 20).

    Parameters
    ----------
    landscape : Landscape
    top : int, optional
        How many of the lowest-energy configurations to list.

    Returns
    -------
    LandscapeResult
        ``method="exhaustive"``; minima sorted by energy (then configuration number).

    Raises
    ------
    ConfigError
        If there are more than 20 actors (use :func:`sample_landscape`).

    References
    ----------
    Axelrod & Bennett (1993): all 2^(n-1) configurations of 17 European nations, 1936-39.
    """
    n = landscape.n_actors
    if n > EXHAUSTIVE_LIMIT:
        raise ConfigError(None, "actors", f"at most {EXHAUSTIVE_LIMIT} for enumeration", n)
    total = 1 << (n - 1)
    everyone_else = np.int64(total - 1)
    sizes, propensity = landscape.sizes, landscape.propensity
    tol = tolerance(sizes, propensity)
    energies = np.empty(total)
    successor = np.empty(total, dtype=np.int64)
    for begin in range(0, total, CHUNK_ROWS):
        index = np.arange(begin, min(begin + CHUNK_ROWS, total), dtype=np.int64)
        labels = configuration_labels(index, n)
        energies[index] = energy(sizes, propensity, labels)
        actor, moves = best_switch(switch_gains(sizes, propensity, labels), tol)
        # Switching actor 0 gives the complement of switching everyone else.
        flip = np.where(actor == 0, everyone_else, np.int64(1) << np.maximum(actor - 1, 0))
        successor[index] = np.where(moves, index ^ flip, index)
    end = successor
    while True:  # pointer jumping: each pass doubles the length of the descent followed
        further = end[end]
        if np.array_equal(further, end):
            break
        end = further
    minima_index, hits = np.unique(end, return_counts=True)
    order = np.lexsort((minima_index, energies[minima_index]))
    minima = tuple(
        Minimum(
            labels=configuration_labels(minima_index[k : k + 1], n)[0],
            energy=float(energies[minima_index[k]]),
            basin_share=float(hits[k] / total),
            hits=int(hits[k]),
        )
        for k in order
    )
    count = min(top, total)
    candidates = np.argpartition(energies, count - 1)[:count] if count else np.empty(0, int)
    candidates = candidates[np.lexsort((candidates, energies[candidates]))]
    lowest = tuple(
        Configuration(
            labels=configuration_labels(np.array([c]), n)[0],
            energy=float(energies[c]),
            local_minimum=bool(successor[c] == c),
        )
        for c in candidates
    )
    return LandscapeResult(landscape, "exhaustive", total, minima, lowest)


def sample_landscape(
    landscape: Landscape, *, restarts: int = 10_000, top: int = 10, rng=None
) -> LandscapeResult:
    """Minima found by descents from random configurations, with estimated basin shares.

    Starting labels are uniform over all 2^n labelings, hence over configurations, so the share
    of restarts ending at a minimum estimates its basin share.

    Parameters
    ----------
    landscape : Landscape
    restarts : int, optional
        Number of random starts.
    top : int, optional
        How many of the lowest minima found to list as ``lowest``.
    rng : None, int, SeedSequence or Generator, optional
        Normalised with :func:`numpy.random.default_rng`.

    Returns
    -------
    LandscapeResult
        ``method="restarts"``; minima sorted by energy.

    Raises
    ------
    ConfigError
        If ``restarts`` is not positive.

    References
    ----------
    Axelrod & Bennett (1993).
    """
    if restarts < 1:
        raise ConfigError(None, "restarts", "a positive number of restarts", restarts)
    rng = np.random.default_rng(rng)
    n = landscape.n_actors
    starts = rng.integers(0, 2, size=(restarts, n), dtype=np.int8)
    ends = np.concatenate(
        [
            descend(landscape.sizes, landscape.propensity, starts[begin : begin + CHUNK_ROWS])
            for begin in range(0, restarts, CHUNK_ROWS)
        ]
    )
    found, hits = np.unique(ends, axis=0, return_counts=True)
    energies = np.atleast_1d(energy(landscape.sizes, landscape.propensity, found))
    order = np.lexsort((-hits, energies))
    minima = tuple(
        Minimum(
            labels=found[k],
            energy=float(energies[k]),
            basin_share=float(hits[k] / restarts),
            hits=int(hits[k]),
        )
        for k in order
    )
    lowest = tuple(Configuration(m.labels, m.energy, True) for m in minima[:top])
    return LandscapeResult(landscape, "restarts", restarts, minima, lowest)


def analyse_landscape(
    landscape: Landscape,
    *,
    top: int = 10,
    restarts: int = 10_000,
    exhaustive_limit: int = EXHAUSTIVE_LIMIT,
    rng=None,
) -> LandscapeResult:
    """Enumerate when there are at most ``exhaustive_limit`` actors, else sample with restarts.

    See :func:`enumerate_landscape` and :func:`sample_landscape`; ``rng`` is used only when
    sampling.

    References
    ----------
    Axelrod & Bennett (1993).
    """
    if landscape.n_actors <= min(exhaustive_limit, EXHAUSTIVE_LIMIT):
        return enumerate_landscape(landscape, top=top)
    return sample_landscape(landscape, restarts=restarts, top=top, rng=rng)
