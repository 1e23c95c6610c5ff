"""The random numbers of a run, drawn up front in a layout that any horizon extends.

A run's generator (``numpy.random.default_rng(seed)``) is not drawn from directly: its seed
sequence is split into independent child streams with fixed keys, one per kind of number, and
each stream is drawn month by month (rows [month, item] in C order):

- key 0: standard normals (months, n + n(n-1)/2): alignment noise, then tension noise per
  dyad i < j;
- key 1: uniforms (months, 2n + 1): exit, counter-bloc formation, crisis;
- key 2: standard normals (months, n): the drift of domestic costs (politics);
- key 3 + 2b: uniforms (months, n): joining bloc slot b;
- key 4 + 2b: standard normals (months,): the depth noise of bloc slot b.

Because every stream is drawn in month order, the first m months of a longer run read exactly
the numbers of an m-month run with the same seed (a horizon is a prefix), so experiments with
different horizons keep common random numbers. Because each kind and each bloc slot has its own
stream, variants that differ in their number of blocs (a counter-bloc switched on, a
``form_bloc`` event) still share every other number of a replication. Whatever the engine (Mesa
one run at a time, or the batch engine many runs at once), month t of run r reads the same
numbers, so both engines give identical results for the same seed, whatever the chunking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NORMALS, UNIFORMS, POLITICS = 0, 1, 2
FIRST_BLOC_STREAM = 3  # bloc slot b: joins from stream 3 + 2b, depth noise from 4 + 2b


@dataclass(frozen=True)
class Draws:
    """Random numbers indexed [run, month, ...].

    alignment (R, T, n), tension (R, T, n(n-1)/2), politics (R, T, n) and depth (R, T, B) are
    standard normal; exit (R, T, n), form (R, T, n), crisis (R, T) and join (R, T, n, B) are
    uniform on [0, 1).
    """

    alignment: np.ndarray
    tension: np.ndarray
    exit: np.ndarray
    form: np.ndarray
    crisis: np.ndarray
    join: np.ndarray
    politics: np.ndarray
    depth: np.ndarray

    def month(self, step: int) -> Draws:
        """The numbers of one month, with the month axis removed."""
        return Draws(*(getattr(self, name)[:, step] for name in FIELDS))


FIELDS = ("alignment", "tension", "exit", "form", "crisis", "join", "politics", "depth")


def child_stream(rng: np.random.Generator, key: int) -> np.random.Generator:
    """The run's independent child stream ``key``: its seed sequence with ``key`` appended.

    Built from the generator's seed sequence rather than by ``Generator.spawn``, so it depends
    neither on children spawned before nor on numbers already drawn from ``rng``.
    """
    seq = rng.bit_generator.seed_seq
    child = np.random.SeedSequence(
        seq.entropy, spawn_key=(*seq.spawn_key, key), pool_size=seq.pool_size
    )
    return np.random.default_rng(child)


def draw_runs(
    generators: list[np.random.Generator], months: int, n_countries: int, n_blocs: int
) -> Draws:
    """Draw the random numbers of several runs, each from its own generator's streams.

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
    politics = np.empty((runs, months, n))
    joins = np.empty((runs, n_blocs, months, n))
    depth = np.empty((runs, n_blocs, months))
    for row, rng in enumerate(generators):
        child_stream(rng, NORMALS).standard_normal(out=normals[row])
        child_stream(rng, UNIFORMS).random(out=uniforms[row])
        child_stream(rng, POLITICS).standard_normal(out=politics[row])
        for slot in range(n_blocs):
            first = FIRST_BLOC_STREAM + 2 * slot
            child_stream(rng, first).random(out=joins[row, slot])
            child_stream(rng, first + 1).standard_normal(out=depth[row, slot])
    return Draws(
        alignment=normals[..., :n],
        tension=normals[..., n:],
        exit=uniforms[..., :n],
        form=uniforms[..., n : 2 * n],
        crisis=uniforms[..., 2 * n],
        join=joins.transpose(0, 2, 3, 1),
        politics=politics,
        depth=depth.transpose(0, 2, 1),
    )


def generators_for(seeds: list[int] | np.ndarray) -> list[np.random.Generator]:
    """One ``numpy.random.default_rng(seed)`` per seed."""
    return [np.random.default_rng(int(seed)) for seed in seeds]
