"""The descent's rounding tolerance is a rounding tolerance: a real but small gain still counts."""

from __future__ import annotations

import numpy as np
import pytest

from sim.landscape.energy import Landscape
from sim.landscape.search import enumerate_landscape, sample_landscape


def near_tie(delta: float) -> Landscape:
    """A and B are enemies (p_AB = -1); C likes both, B by ``delta`` more (unit sizes).

    Configurations (camps): {A | B, C} has E = 2 (w_AB + w_AC) = 2 (-1 + 0.5) = -1;
    {A, C | B} has E = 2 (-1 + 0.5 + delta) = -1 + 2 delta; {A, B | C}: 2 (1 + delta);
    {A, B, C}: 0. From {A, C | B}, C switching to B lowers E by 2 delta, so the only local
    minimum is {A | B, C}, with the whole basin. Sum |w_ij| = 2 (2 + delta) ~ 4, so the
    tolerance (1e-10 of it) is ~4e-10: a gain of 2e-6 is far above rounding.
    """
    p = np.array([[0.0, -1.0, 0.5], [-1.0, 0.0, 0.5 + delta], [0.5, 0.5 + delta, 0.0]])
    return Landscape(("A", "B", "C"), np.ones(3), p)


def test_a_small_real_gain_is_not_a_spurious_minimum():
    result = enumerate_landscape(near_tie(1e-6))
    assert [result.camps(m.labels) for m in result.minima] == [(("A",), ("B", "C"))]
    assert result.minima[0].energy == pytest.approx(-1.0)
    assert result.minima[0].basin_share == 1.0
    near = [c for c in result.lowest if result.camps(c.labels) == (("A", "C"), ("B",))]
    assert near[0].energy == pytest.approx(-1.0 + 2e-6) and not near[0].local_minimum
    sampled = sample_landscape(near_tie(1e-6), restarts=64, rng=1)
    assert len(sampled.minima) == 1


def test_an_exact_tie_gives_two_minima():
    """delta = 0: {A | B, C} and {A, C | B} both have E = -1 and neither can improve."""
    result = enumerate_landscape(near_tie(0.0))
    assert sorted(result.camps(m.labels) for m in result.minima) == [
        (("A",), ("B", "C")),
        (("A", "C"), ("B",)),
    ]
    assert sum(m.basin_share for m in result.minima) == pytest.approx(1.0)
