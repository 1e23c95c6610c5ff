"""The compiled loops (sim.model.compiled) give the NumPy equations' numbers bit for bit.

A run's results must not depend on whether the optional numba is installed, so each loop is
compared with its NumPy function (the loops switched off) on random states, exactly, and whole
runs of every shipped scenario are compared cell for cell.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.model import compiled, dynamics
from sim.model.batch_engine import simulate_batch
from sim.model.world import compile_world
from sim.scenario.loading import load_scenario
from sim.scenario.shipped import shipped_scenarios

pytest.importorskip("numba")


def both(monkeypatch: pytest.MonkeyPatch, function, *args, **kwargs):
    """``function(*args, **kwargs)`` with the NumPy code, then with the compiled loops."""
    monkeypatch.setattr(compiled, "ENABLED", False)
    reference = function(*args, **kwargs)
    monkeypatch.setattr(compiled, "ENABLED", True)
    return reference, function(*args, **kwargs)


def random_state(seed: int, runs: int, n: int) -> dict[str, np.ndarray]:
    """Alignments, symmetric tensions and affinities, proximities and parameters per run."""
    rng = np.random.default_rng(seed)
    tension = rng.exponential(0.4, (runs, n, n))
    tension = (tension + tension.transpose(0, 2, 1)) / 2.0
    tension[:, np.arange(n), np.arange(n)] = 0.0
    affinity = rng.normal(0.0, 0.3, (runs, n, n))
    return {
        "alignment": rng.uniform(-1.0, 1.0, (runs, n)),
        "openness": rng.uniform(0.1, 1.0, (runs, n)),
        "tension": tension,
        "baseline": tension * rng.uniform(0.0, 1.0),
        "affinity": (affinity + affinity.transpose(0, 2, 1)) / 2.0,
        "proximity": np.exp(-rng.uniform(0.0, 3.0, (runs, n, n))),
        "misperception": rng.uniform(0.0, 0.5, (runs, n)),
        "effective": rng.uniform(0.01, 1.0, (runs, n)),
        "weight": rng.uniform(0.1, 1.0, runs),
        "noise": rng.standard_normal((runs, n * (n - 1) // 2)),
    }


@pytest.mark.parametrize(("seed", "runs", "n"), [(1, 1, 2), (2, 7, 5), (3, 40, 12), (4, 3, 31)])
def test_each_loop_gives_the_numpy_numbers_exactly(monkeypatch, seed, runs, n):
    s = random_state(seed, runs, n)
    pairs = both(
        monkeypatch,
        dynamics.propensity,
        s["affinity"],
        s["alignment"],
        s["tension"],
        s["weight"],
        0.7,  # a scalar parameter takes the same path as an (R,) one
        s["weight"] * 0.9,
    )
    propensity = pairs[0]
    pairs += both(
        monkeypatch,
        dynamics.threat,
        s["effective"],
        s["proximity"],
        s["tension"],
        s["misperception"],
        0.5,
    )
    threat = pairs[2]
    pairs += both(
        monkeypatch, dynamics.bounded_confidence_pull, s["alignment"], s["openness"], propensity
    )
    pairs += both(
        monkeypatch,
        dynamics.tension_change,
        s["tension"],
        s["baseline"],
        threat,
        s["noise"],
        reaction=s["weight"] * 0.05,
        decay=0.08,
        noise_scale=s["weight"] * 0.1,
    )
    pairs += both(
        monkeypatch,
        dynamics.dyad_crisis_scores,
        s["tension"],
        s["misperception"],  # a backing in [0, 0.5] for each country
        propensity,
        steepness=s["weight"] * 8.0,
        threshold=0.9,
        emboldenment_odds=s["weight"],
    )
    for reference, loop in zip(pairs[::2], pairs[1::2], strict=True):
        np.testing.assert_array_equal(loop, reference)
        assert loop.shape == reference.shape


def test_the_loops_are_used_and_can_be_switched_off(monkeypatch):
    """With numba installed the month calls the loops; ENABLED False keeps to NumPy."""
    s = random_state(5, 4, 6)
    calls = []
    original = compiled.propensity
    monkeypatch.setattr(compiled, "propensity", lambda *a: calls.append(1) or original(*a))
    arguments = (s["affinity"], s["alignment"], s["tension"], 1.0, 0.5, 0.8)
    dynamics.propensity(*arguments)
    assert calls == [1]
    monkeypatch.setattr(compiled, "ENABLED", False)
    dynamics.propensity(*arguments)
    assert calls == [1]


def test_the_environment_variable_switches_the_loops_off():
    code = "import sim.model.compiled as c; print(c.ENABLED)"
    for value, expected in (("0", "False"), ("1", "True")):
        printed = subprocess.run(
            [sys.executable, "-c", code],
            env={"ALLIANCE_SIM_COMPILED": value, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert printed == expected


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_whole_runs_are_identical_with_and_without_the_loops(monkeypatch, path):
    world = compile_world(load_scenario(path))
    reference, loops = both(monkeypatch, simulate_batch, world, np.arange(1, 41), months=60)
    pd.testing.assert_frame_equal(loops.runs, reference.runs, check_exact=True)


def test_a_loop_compiles_in_memory_where_numba_cannot_cache(monkeypatch):
    """numba refuses cache=True where it finds no writable cache directory (an installed
    package on a read-only file system): the loop is then compiled without a cache."""
    import numba

    real = numba.njit
    asked = []

    def njit(*args, cache=False, **kwargs):
        asked.append(cache)
        if cache:
            raise RuntimeError("cannot cache function: no locator available")
        return real(*args, cache=cache, **kwargs)

    monkeypatch.setattr(numba, "njit", njit)
    threat = compiled._compile(compiled._threat, (2, 3, 3, 2), result=3)
    s = random_state(6, 3, 4)
    power = s["effective"] ** 0.5
    result = threat(power, s["proximity"], s["tension"], s["misperception"])
    monkeypatch.setattr(compiled, "ENABLED", False)
    reference = dynamics.threat(
        s["effective"], s["proximity"], s["tension"], s["misperception"], 0.5
    )
    np.testing.assert_array_equal(result, reference)
    assert asked[:2] == [True, False]  # cache refused, then compiled without


def test_the_loops_source_gives_the_numpy_numbers_as_plain_python(monkeypatch):
    """The loops' Python source, called without numba, on a small state: it is what numba
    compiles, so it must give NumPy's numbers too (and coverage can see it run)."""
    s = random_state(7, 2, 4)
    runs = 2
    weights = [compiled.per_run_values(w, runs) for w in (s["weight"], 0.7, s["weight"] * 0.9)]
    monkeypatch.setattr(compiled, "ENABLED", False)
    propensity = dynamics.propensity(s["affinity"], s["alignment"], s["tension"],
                                     s["weight"], 0.7, s["weight"] * 0.9)  # fmt: skip
    np.testing.assert_array_equal(
        compiled._propensity(s["affinity"], s["alignment"], s["tension"], *weights), propensity
    )
    power = s["effective"] ** 0.5
    threat = dynamics.threat(s["effective"], s["proximity"], s["tension"], s["misperception"], 0.5)
    np.testing.assert_array_equal(
        compiled._threat(power, s["proximity"], s["tension"], s["misperception"]), threat
    )
    np.testing.assert_array_equal(
        compiled._pull(s["alignment"], s["openness"], propensity),
        dynamics.bounded_confidence_pull(s["alignment"], s["openness"], propensity),
    )
    sigma = s["weight"][:, None] * 0.1
    factor = np.exp(sigma * s["noise"] - sigma * sigma / 2.0)
    reaction, decay = s["weight"] * 0.05, compiled.per_run_values(0.08, runs)
    np.testing.assert_array_equal(
        compiled._tension(s["tension"], s["baseline"], threat, factor, reaction / 2.0, decay),
        dynamics.tension_change(s["tension"], s["baseline"], threat, s["noise"],
                                reaction=reaction, decay=0.08, noise_scale=s["weight"] * 0.1),
    )  # fmt: skip
    steepness, odds = s["weight"] * 8.0, s["weight"]
    np.testing.assert_array_equal(
        compiled._crisis_scores(s["tension"], s["misperception"], propensity, steepness,
                                compiled.per_run_values(0.9, runs), np.log1p(odds)),
        dynamics.dyad_crisis_scores(s["tension"], s["misperception"], propensity,
                                    steepness=steepness, threshold=0.9, emboldenment_odds=odds),
    )  # fmt: skip
