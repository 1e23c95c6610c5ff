"""Per-run seeds from one master seed (ARCHITECTURE.md section 4).

Replication k of every variant and design point gets the same seed (common random numbers), so
differences between variants are not blurred by different luck. With common random numbers off,
design point d and replication k get their own stream. The seed is an integer below 2**63 (it
fits a Parquet int64 column) and replays the run: ``alliance-sim simulate --seed SEED``.

Examples
--------
>>> run_seed(20250318, 0) == run_seed(20250318, 0)
True
>>> run_seed(20250318, 0) != run_seed(20250318, 1)
True
"""

from __future__ import annotations

import numpy as np


def run_seed(master: int, replication: int, design_point: int | None = None) -> int:
    """The seed of one run: ``SeedSequence(master, spawn_key=(k,))`` or ``(d, k)``."""
    key = (replication,) if design_point is None else (design_point, replication)
    state = np.random.SeedSequence(master, spawn_key=key).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


def run_seeds(
    master: int, replications: range | list[int], design_point: int | None = None
) -> np.ndarray:
    """Seeds of several replications, as an int64 array."""
    return np.array([run_seed(master, k, design_point) for k in replications], dtype=np.int64)


STREAMS = {"design": 1, "analysis": 2}  # purposes with their own stream of the master seed


def stream_seed(master: int, purpose: str) -> int:
    """A positive seed for one purpose (``design``: drawing a sweep's points; ``analysis``:
    bootstraps and trees), from ``SeedSequence(master, spawn_key=(2**32, p))``.

    The two-element key with first element 2**32 cannot meet a run's key ``(k,)`` or ``(d, k)``
    (design points stay far below 2**32), and the seed is never 0, which SALib would ignore.

    >>> stream_seed(7, "design") == stream_seed(7, "design") != stream_seed(7, "analysis")
    True
    """
    key = (2**32, STREAMS[purpose])
    state = np.random.SeedSequence(master, spawn_key=key).generate_state(1, np.uint64)[0]
    return max(1, int(state >> np.uint64(33)))  # below 2**31: fits every library's seed
