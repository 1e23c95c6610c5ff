"""The random numbers of a run, drawn up front in a fixed order and shape.

A run draws every random number it may need from its own generator when it starts, as three
blocks in this order:

1. standard normals, (months, n + n(n-1)/2): alignment noise, then tension noise per dyad i < j;
2. uniforms, (months, 2n + 1): exit, counter-bloc formation, crisis;
3. uniforms, (blocs, months, n): joining each bloc slot, bloc by bloc.

Whatever the engine (Mesa one run at a time, or the batch engine many runs at once), month t of
run r reads the same numbers, so both engines give identical results for the same seed, and a
run's result does not depend on which other runs share its chunk. Because the join draws come
last and bloc by bloc, two variants that differ only in their number of blocs (a counter-bloc
switched on, a ``form_bloc`` event) still share every other number of a replication: common
random numbers hold across such variants too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Draws:
    """Random numbers indexed [run, month, ...].

    alignment (R, T, n) and tension (R, T, n(n-1)/2) are standard normal; exit (R, T, n),
    form (R, T, n), crisis (R, T) and join (R, T, n, B) are uniform on [0, 1).
    """

    alignment: np.ndarray
    tension: np.ndarray
    exit: np.ndarray
    form: np.ndarray
    crisis: np.ndarray
    join: np.ndarray

    def month(self, step: int) -> Draws:
        """The numbers of one month, with the month axis removed."""
        return Draws(*(getattr(self, name)[:, step] for name in FIELDS))


FIELDS = ("alignment", "tension", "exit", "form", "crisis", "join")


def draw_runs(
    generators: list[np.random.Generator], months: int, n_countries: int, n_blocs: int
) -> Draws:
    """Draw the random numbers of several runs, each from its own generator.

    Parameters
    ----------
    generators : list of numpy.random.Generator
        One generator per run (``numpy.random.default_rng(seed)`` for a stored seed; the Mesa
        model passes its own ``model.rng``, which Mesa builds the same way from an integer).
    months, n_countries, n_blocs : int
        The horizon and the sizes of the world.

    Returns
    -------
    Draws
        Arrays with a leading run axis of ``len(generators)``.
    """
    runs, n = len(generators), n_countries
    normals = np.empty((runs, months, n + n * (n - 1) // 2))
    uniforms = np.empty((runs, months, 2 * n + 1))
    joins = np.empty((runs, n_blocs, months, n))
    for row, rng in enumerate(generators):
        rng.standard_normal(out=normals[row])
        rng.random(out=uniforms[row])
        rng.random(out=joins[row])
    return Draws(
        alignment=normals[..., :n],
        tension=normals[..., n:],
        exit=uniforms[..., :n],
        form=uniforms[..., n : 2 * n],
        crisis=uniforms[..., 2 * n],
        join=joins.transpose(0, 2, 3, 1),
    )


def generators_for(seeds: list[int] | np.ndarray) -> list[np.random.Generator]:
    """One ``numpy.random.default_rng(seed)`` per seed."""
    return [np.random.default_rng(int(seed)) for seed in seeds]
