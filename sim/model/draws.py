"""The random numbers of a run, drawn up front in a layout that any horizon extends.

A run's generator (``numpy.random.default_rng(seed)``) is not drawn from directly: a child of its
seed sequence (spawn key ``STREAMS_KEY`` appended) gives the seeds of independent PCG64 streams,
four words each, one stream per kind of number, and each stream is drawn month by month (rows
[month, item] in C order):

- stream 0: standard normals (months, n + n(n-1)/2 + n): alignment noise, tension noise per
  dyad i < j, then the drift of domestic costs (politics);
- stream 1: uniforms (months, 2n + 1): exit, counter-bloc formation, crisis;
- stream 2 + 2b: uniforms (months, n): joining bloc slot b;
- stream 3 + 2b: standard normals (months,): the depth noise of bloc slot b.

A world with a bloc that takes members by the accession process (``accession: process``) also
draws, from a second child (spawn key ``PROCESS_KEY``), uniforms (months, n) for invitations and
(months, n, n) for ratifications ([member, candidate]); other worlds draw none of them, and
neither changes the numbers above.

Because every stream is drawn in month order, the first m months of a longer run read exactly
the numbers of an m-month run with the same seed (a horizon is a prefix), so experiments with
different horizons keep common random numbers. Because each kind and each bloc slot has its own
stream (the seed words of stream k do not depend on how many streams are drawn), variants that
differ in their number of blocs (a counter-bloc switched on, a ``form_bloc`` event) still share
every other number of a replication. Whatever the engine (Mesa one run at a time, or the batch
engine many runs at once), month t of run r reads the same numbers, so both engines give
identical results for the same seed, whatever the chunking. Seeding the streams from one seed
sequence's words, rather than building a seed sequence and a generator per stream, keeps the
cost of a run's draws close to that of the numbers themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STREAMS_KEY = 0  # the child of a run's seed sequence whose words seed its streams
PROCESS_KEY = 1  # the child whose words seed the accession process's streams
NORMALS, UNIFORMS = 0, 1
FIRST_BLOC_STREAM = 2  # bloc slot b: joins from stream 2 + 2b, depth noise from 3 + 2b
WORDS_PER_STREAM = 4  # a PCG64 seed: 128 bits of state and 128 bits of increment


@dataclass(frozen=True)
class Draws:
    """Random numbers indexed [run, month, ...].

    alignment (R, T, n), tension (R, T, n(n-1)/2), politics (R, T, n) and depth (R, T, B) are
    standard normal; exit (R, T, n), form (R, T, n), crisis (R, T) and join (R, T, n, B) are
    uniform on [0, 1), and so are invite (R, T, n) and ratify (R, T, n, n) of the accession
    process (None in a world without it).
    """

    alignment: np.ndarray
    tension: np.ndarray
    exit: np.ndarray
    form: np.ndarray
    crisis: np.ndarray
    join: np.ndarray
    politics: np.ndarray
    depth: np.ndarray
    invite: np.ndarray | None = None
    ratify: np.ndarray | None = None

    def month(self, step: int) -> Draws:
        """The numbers of one month, with the month axis removed."""
        return Draws(
            *(None if (a := getattr(self, name)) is None else a[:, step] for name in FIELDS)
        )


FIELDS = ("alignment", "tension", "exit", "form", "crisis", "join", "politics", "depth",
          "invite", "ratify")  # fmt: skip


def stream_states(rng: np.random.Generator, count: int, key: int = STREAMS_KEY) -> list[dict]:
    """PCG64 states of the run's first ``count`` streams, from its seed sequence alone.

    Stream k is seeded by words 4k .. 4k + 3 of a child (spawn key ``key``) of the generator's
    seed sequence (its state from the first two, its increment, made odd as PCG requires, from
    the last two), so it depends neither on numbers already drawn from ``rng`` nor on ``count``.
    """
    seq = rng.bit_generator.seed_seq
    child = np.random.SeedSequence(
        seq.entropy, spawn_key=(*seq.spawn_key, key), pool_size=seq.pool_size
    )
    words = [int(word) for word in child.generate_state(WORDS_PER_STREAM * count, np.uint64)]
    return [
        {
            "bit_generator": "PCG64",
            "state": {
                "state": (words[first] << 64) | words[first + 1],
                "inc": (words[first + 2] << 64) | words[first + 3] | 1,
            },
            "has_uint32": 0,
            "uinteger": 0,
        }
        for first in range(0, WORDS_PER_STREAM * count, WORDS_PER_STREAM)
    ]


def draw_runs(
    generators: list[np.random.Generator],
    months: int,
    n_countries: int,
    n_blocs: int,
    *,
    process: bool = False,
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
    runs, n, pairs = len(generators), n_countries, n_countries * (n_countries - 1) // 2
    normals = np.empty((runs, months, n + pairs + n))
    uniforms = np.empty((runs, months, 2 * n + 1))
    joins = np.empty((runs, n_blocs, months, n))
    depth = np.empty((runs, n_blocs, months))
    stream = np.random.Generator(np.random.PCG64())  # reseeded for every stream below
    for row, rng in enumerate(generators):
        states = stream_states(rng, FIRST_BLOC_STREAM + 2 * n_blocs)
        stream.bit_generator.state = states[NORMALS]
        stream.standard_normal(out=normals[row])
        stream.bit_generator.state = states[UNIFORMS]
        stream.random(out=uniforms[row])
        for slot in range(n_blocs):
            stream.bit_generator.state = states[FIRST_BLOC_STREAM + 2 * slot]
            stream.random(out=joins[row, slot])
            stream.bit_generator.state = states[FIRST_BLOC_STREAM + 2 * slot + 1]
            stream.standard_normal(out=depth[row, slot])
    invite = ratify = None
    if process:
        invite = np.empty((runs, months, n))
        ratify = np.empty((runs, months, n, n))
        for row, rng in enumerate(generators):
            states = stream_states(rng, 2, PROCESS_KEY)
            stream.bit_generator.state = states[0]
            stream.random(out=invite[row])
            stream.bit_generator.state = states[1]
            stream.random(out=ratify[row])
    return Draws(
        alignment=normals[..., :n],
        tension=normals[..., n : n + pairs],
        exit=uniforms[..., :n],
        form=uniforms[..., n : 2 * n],
        crisis=uniforms[..., 2 * n],
        join=joins.transpose(0, 2, 3, 1),
        politics=normals[..., n + pairs :],
        depth=depth.transpose(0, 2, 1),
        invite=invite,
        ratify=ratify,
    )


def generators_for(seeds: list[int] | np.ndarray) -> list[np.random.Generator]:
    """One ``numpy.random.default_rng(seed)`` per seed."""
    return [np.random.default_rng(int(seed)) for seed in seeds]
