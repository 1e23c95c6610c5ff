"""Measure the calibration patterns of docs/MODEL.md on the default scenario.

Run: python bench/calibration.py [RUNS]   (default 4000 runs, batch engine, 120 months)
Prints each pattern's probability with a Wilson 95% interval, and the time of one Mesa run.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy.stats import binomtest

from sim.experiment.seeds import run_seeds
from sim.model.batch_engine import simulate_batch
from sim.model.mesa_engine import AllianceModel
from sim.model.world import compile_world
from sim.scenario.loading import load_scenario
from sim.scenario.shipped import default_scenario_path


def share(flags: np.ndarray) -> str:
    k, n = int(np.sum(flags)), len(flags)
    ci = binomtest(k, n).proportion_ci(method="wilson")
    return f"{k / n:.3f} [{ci.low:.3f}, {ci.high:.3f}]"


def main(runs: int = 4000) -> None:
    scenario = load_scenario(default_scenario_path())
    world = compile_world(scenario)
    result = simulate_batch(world, run_seeds(20250318, range(runs)), months=120, series_every=1)
    rows, series = result.runs, result.series
    codes = scenario.codes
    founders = scenario.blocs[scenario.pact_name].members
    candidates = [c for c in codes if c not in founders]
    # a founder's join month is its re-entry after leaving: not a new member
    first_join = rows[[f"join_month_{c}" for c in candidates]].min(axis=1)
    print(f"default scenario, {runs} runs, 120 months")
    # The known history is 2025-03 .. 2026-02: steps 0 to 11.
    print(f"  P(no new member 2025-03..2026-02)     {share(~(first_join <= 11))}")
    print(f"  P(no crisis 2025-03..2026-02)         {share(~(rows.first_crisis_month <= 11))}")
    dyads = ["tension_SRB-XKX", "tension_SRB-HRV", "tension_SRB-ALB"]
    month11 = series[series.month == 11][dyads].mean(axis=1).to_numpy()
    start = np.mean(
        [world.tension[0, codes.index("SRB"), codes.index(c)] for c in ("XKX", "HRV", "ALB")]
    )
    print(
        f"  mean SRB-founder tension {start:.2f} -> {month11.mean():.2f} in 2026-02; "
        f"P(higher) {share(month11 > start)}"
    )
    print(f"  P(no new member in ten years)         {share(rows.new_members == 0)}")
    for code in candidates:
        joined = share(rows[f"join_month_{code}"].notna())
        print(f"  P({code} joins within ten years)       {joined}")
    print(
        "  P(security mechanism by ten years)    "
        f"{share(rows.stage_month_security_mechanism.notna())}"
    )
    print(
        f"  P(formal alliance by ten years)       {share(rows.stage_month_formal_alliance.notna())}"
    )
    print(f"  P(any crisis in ten years)            {share(rows.crisis_count > 0)}")
    exits = rows[[f"exit_month_{c}" for c in codes]].notna().any(axis=1)
    print(f"  P(some member leaves in ten years)    {share(exits)}")
    times = []
    for seed in range(5):
        start_time = time.perf_counter()
        AllianceModel(scenario, months=120, rng=seed).run()
        times.append(time.perf_counter() - start_time)
    print(f"one 120-month Mesa run: median {np.median(times) * 1000:.0f} ms over 5 runs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4000)
