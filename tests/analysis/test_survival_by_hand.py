"""Kaplan–Meier with mixed horizons and early censoring, against a plain product-limit loop."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.survival import kaplan_meier, median_time


def product_limit(times, horizons, months):
    """S(m) = prod over elapsed t = 1..m of (1 - d_t / n_t), written as a loop.

    An event in month index e happens at elapsed month e + 1; a run without it is censored at
    its horizon h, i.e. it was seen event-free through elapsed month h, so it is at risk at every
    t <= h and not after. d_t counts events at t, n_t the runs at risk at t.
    """
    survival = []
    for m in months:
        s = 1.0
        for t in range(1, m + 1):
            at_risk = events = 0
            for time, horizon in zip(times, horizons, strict=True):
                end = horizon if np.isnan(time) else time + 1
                at_risk += end >= t
                events += (not np.isnan(time)) and time + 1 == t
            if at_risk:
                s *= 1.0 - events / at_risk
        survival.append(s)
    return survival


def test_a_run_censored_early_leaves_the_risk_set_after_its_horizon():
    """Three runs: an event in month 2 (elapsed 3), one run of 2 months, one of 10 without it.

    At elapsed 3 the 2-month run is no longer at risk: n = 2, d = 1, S(3) = 1/2.
    (Censoring it one month late, at 3, would keep it at risk: S(3) = 2/3.)
    Months 0..2: S = 1; after 3 nothing changes: S(10) = 1/2.
    """
    times, horizons = [2.0, np.nan, np.nan], [10, 2, 10]
    curve = kaplan_meier(times, horizons, months=[0, 2, 3, 10])
    assert curve["survival"].tolist() == pytest.approx([1.0, 1.0, 0.5, 0.5])
    assert product_limit(times, horizons, [0, 2, 3, 10]) == pytest.approx([1.0, 1.0, 0.5, 0.5])


def test_mixed_horizons_by_hand():
    """Five runs of 6, 24, 12, 6 and 24 months; events in months 4, 20 and 10 of the first three
    (elapsed 5, 21 and 11); the last two have none.

    t = 5: at risk 5 (every run lasts at least 5 months), d = 1 -> S = 4/5
    t = 11: at risk the 24-, 12- and 24-month runs (the 6-month ones have ended) -> 3, d = 1
            -> S = 4/5 * 2/3 = 8/15
    t = 21: at risk 2 (the two 24-month runs; the event run at 11 left), d = 1 -> 8/15 * 1/2 = 4/15
    Median: the first month by which S <= 1/2 is month 20.
    """
    times = [4.0, 20.0, 10.0, np.nan, np.nan]
    horizons = [6, 24, 12, 6, 24]
    curve = kaplan_meier(times, horizons, months=[4, 5, 10, 11, 20, 21, 24])
    expected = [1.0, 4 / 5, 4 / 5, 8 / 15, 8 / 15, 4 / 15, 4 / 15]
    assert curve["survival"].tolist() == pytest.approx(expected)
    assert median_time(times, horizons)[0] == 20.0


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 15), st.one_of(st.none(), st.integers(0, 14))),
        min_size=1,
        max_size=30,
    )
)
def test_kaplan_meier_equals_the_product_limit_loop(runs):
    """Random horizons 1..15 and events before them (or none): the curve equals the loop."""
    horizons = [h for h, _ in runs]
    times = [np.nan if e is None or e >= h else float(e) for h, e in runs]
    months = list(range(16))
    curve = kaplan_meier(times, horizons, months=months)
    assert curve["survival"].to_numpy() == pytest.approx(
        product_limit(times, horizons, months), abs=1e-12
    )
