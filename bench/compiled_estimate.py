"""What a compiled kernel would buy the batch engine: a measurement, not a dependency.

The batch engine spends its month on (R, n, n) NumPy operations (propensity P1, threat P3,
tension T1, bounded confidence A1 are the largest) plus the up-front random draws. This script
times those four equations as the engine runs them (sim.model.dynamics, NumPy) against the same
equations fused into one loop per run compiled with numba, on the default scenario's state
for R runs, and checks that both give the same numbers. numba is not a dependency of
alliance-sim; install it to run this (pip install numba).

Run: python bench/compiled_estimate.py [RUNS]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from sim.model import dynamics
from sim.model.draws import draw_runs, generators_for
from sim.model.state import RunState, patron_values
from sim.model.world import compile_world
from sim.scenario.loading import load_scenario
from sim.scenario.shipped import default_scenario_path

try:
    import numba
except ImportError:  # pragma: no cover - optional
    sys.exit("numba is not installed: pip install numba (it is not an alliance-sim dependency)")


@numba.njit(cache=False, fastmath=False)
def fused_month(
    alignment,
    tension,
    baseline,
    affinity,
    size_power,
    proximity,
    misperception,
    openness,
    noise,
    w_align,
    w_tension,
    reaction,
    decay,
    sigma,
):
    """P1, P3, A1 and T1 for every run in one pass: (R, n), (R, n, n) inputs."""
    runs, n = alignment.shape
    propensity = np.empty_like(tension)
    new_tension = np.empty_like(tension)
    pull = np.zeros_like(alignment)
    for r in range(runs):
        for i in range(n):
            total = 0.0
            count = 0
            for j in range(n):
                if i == j:
                    propensity[r, i, j] = 0.0
                    continue
                gap = abs(alignment[r, i] - alignment[r, j])
                p = affinity[r, i, j] + w_align * (1.0 - gap) - w_tension * tension[r, i, j]
                propensity[r, i, j] = p
                if gap < openness[r, i] and p > 0.0:
                    total += alignment[r, j] - alignment[r, i]
                    count += 1
            if count > 0:
                pull[r, i] = total / count
        k = 0
        for i in range(n):
            new_tension[r, i, i] = 0.0
            for j in range(i + 1, n):
                t_ij = (
                    size_power[r, j]
                    * proximity[r, i, j]
                    * tension[r, i, j]
                    * (1 + misperception[r, i])
                )
                t_ji = (
                    size_power[r, i]
                    * proximity[r, j, i]
                    * tension[r, j, i]
                    * (1 + misperception[r, j])
                )
                value = (
                    tension[r, i, j]
                    + reaction * (t_ij + t_ji) / 2.0
                    - decay * (tension[r, i, j] - baseline[r, i, j])
                    + sigma * noise[r, k]
                )
                value = max(value, 0.0)
                new_tension[r, i, j] = value
                new_tension[r, j, i] = value
                k += 1
    return propensity, new_tension, pull


def patron_effective_size(state, world):
    """s*_j (P2) with every patron's backing, as the month computes it."""
    support = patron_values(state.params, world)["support"]
    backing = dynamics.patron_backing(support, state.ties)
    return dynamics.effective_size(state.size, backing, world.patron_country)


def numpy_month(state, world, noise):
    p = state.params
    propensity = dynamics.propensity(
        state.affinity,
        state.alignment,
        state.tension,
        p["propensity.alignment_weight"],
        p["propensity.tension_weight"],
        p["propensity.similarity_range"],
    )
    effective = patron_effective_size(state, world)
    threat = dynamics.threat(
        effective, state.proximity, state.tension, world.misperception, p["threat.size_exponent"]
    )
    pull = dynamics.bounded_confidence_pull(state.alignment, world.openness, propensity)
    tension = dynamics.tension_change(
        state.tension,
        state.baseline,
        threat,
        noise,
        reaction=p["tension.reaction"],
        decay=p["tension.decay"],
        noise_scale=p["tension.noise"],
    )
    return propensity, tension, pull


def main(runs: int = 1000, repeats: int = 5) -> None:
    world = compile_world(load_scenario(default_scenario_path()))
    state = RunState.initial(world, runs)
    draws = draw_runs(generators_for(np.arange(runs)), 1, world.n_countries, world.n_blocs)
    noise = np.ascontiguousarray(draws.tension[:, 0])
    p = {k: float(v[0]) for k, v in state.params.items()}
    misperception = np.broadcast_to(world.misperception, (runs, world.n_countries)).copy()
    openness = np.broadcast_to(world.openness, (runs, world.n_countries)).copy()
    effective = patron_effective_size(state, world)
    size_power = effective ** p["threat.size_exponent"]
    args = (
        state.alignment,
        state.tension,
        state.baseline,
        state.affinity,
        size_power,
        state.proximity,
        misperception,
        openness,
        noise,
        p["propensity.alignment_weight"],
        p["propensity.tension_weight"],
        p["tension.reaction"],
        p["tension.decay"],
        p["tension.noise"],
    )
    compiled = fused_month(*args)
    reference = numpy_month(state, world, noise)
    for mine, theirs in zip(compiled, reference, strict=True):
        np.testing.assert_allclose(mine, theirs, atol=1e-12)

    def best(function) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(20):
                function()
            times.append((time.perf_counter() - start) / 20)
        return float(np.median(times))

    numpy_time = best(lambda: numpy_month(state, world, noise))
    numba_time = best(lambda: fused_month(*args))
    print(f"{runs} runs, one month of P1 + P3 + A1 + T1 (same numbers, checked to 1e-12)")
    for label, seconds in (
        ("NumPy (sim.model.dynamics)", numpy_time),
        ("numba fused loop", numba_time),
    ):
        print(f"  {label:22s}{seconds * 1e3:7.3f} ms  ({seconds / runs * 1e6:.2f} us/run)")
    print(f"  ratio: {numpy_time / numba_time:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
