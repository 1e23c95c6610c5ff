"""Small helpers shared by the model tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import config
from sim.ensemble import simulate_batch
from sim.model import AllianceModel
from sim.world import compile_world


def batch_rows(scenario: config.Scenario, seeds, months: int = 120, **kwargs) -> pd.DataFrame:
    return simulate_batch(compile_world(scenario), seeds, months=months, **kwargs).runs


def mesa_rows(scenario: config.Scenario, seeds, months: int = 120) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        model = AllianceModel(scenario, months=months, rng=int(seed))
        model.run()
        rows.append(model.outcomes())
    table = pd.concat(rows, ignore_index=True)
    table.insert(0, "seed", np.asarray(seeds, dtype=np.int64))
    return table


def assert_same_outcomes(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Integers, flags and strings equal; floats equal within 1e-9 (NaN matching NaN)."""
    pd.testing.assert_frame_equal(
        left.reset_index(drop=True),
        right.reset_index(drop=True),
        check_exact=False,
        rtol=0,
        atol=1e-9,
    )


def sd_tolerance(p: float, n: int, sds: float = 4.0) -> float:
    """A tolerance of ``sds`` binomial standard deviations for a proportion from n runs."""
    return sds * np.sqrt(max(p * (1 - p), 0.01) / n)
