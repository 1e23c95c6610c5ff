"""The random numbers of a run, drawn up front in a fixed order and shape.

A run draws every random number it may need from its own generator when it starts: first all
standard normals, then all uniforms, each as one array (months, ...). Whatever the engine (Mesa
one run at a time, or the batch engine many runs at once), month t of run r reads the same
numbers, so both engines give identical results for the same seed, and a run's result does not
depend on which other runs share its chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Draws:
    """Random numbers indexed [run, month, ...].

    alignment (R, T, n) and tension (R, T, n(n-1)/2) are standard normal; join (R, T, n, B),
    exit (R, T, n), form (R, T, n) and crisis (R, T) are uniform on [0, 1).
    """

    alignment: np.ndarray
    tension: np.ndarray
    join: np.ndarray
    exit: np.ndarray
    form: np.ndarray
    crisis: np.ndarray

    def month(self, step: int) -> Draws:
        """The numbers of one month, with the month axis removed."""
        return Draws(*(getattr(self, name)[:, step] for name in FIELDS))


FIELDS = ("alignment", "tension", "join", "exit", "form", "crisis")


def draw_sizes(n_countries: int, n_blocs: int) -> tuple[int, int]:
    """How many normals and uniforms one month needs."""
    normals = n_countries + n_countries * (n_countries - 1) // 2
    uniforms = n_countries * n_blocs + 2 * n_countries + 1
    return normals, uniforms


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
    n_normals, n_uniforms = draw_sizes(n_countries, n_blocs)
    normals = np.empty((len(generators), months, n_normals))
    uniforms = np.empty((len(generators), months, n_uniforms))
    for row, rng in enumerate(generators):
        rng.standard_normal(out=normals[row])
        rng.random(out=uniforms[row])
    return split(normals, uniforms, n_countries, n_blocs)


def generators_for(seeds: list[int] | np.ndarray) -> list[np.random.Generator]:
    """One ``numpy.random.default_rng(seed)`` per seed."""
    return [np.random.default_rng(int(seed)) for seed in seeds]


def split(normals: np.ndarray, uniforms: np.ndarray, n: int, n_blocs: int) -> Draws:
    """Cut the two blocks of numbers into named fields (views, no copies)."""
    runs, months = normals.shape[:2]
    cut = np.cumsum([n * n_blocs, n, n])
    return Draws(
        alignment=normals[..., :n],
        tension=normals[..., n:],
        join=uniforms[..., : cut[0]].reshape(runs, months, n, n_blocs),
        exit=uniforms[..., cut[0] : cut[1]],
        form=uniforms[..., cut[1] : cut[2]],
        crisis=uniforms[..., cut[2]],
    )
