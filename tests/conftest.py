"""Shared fixtures (the default scenario, a scenario writer) and helpers for comparing runs."""

from __future__ import annotations

import copy
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.model.batch_engine import simulate_batch
from sim.model.mesa_engine import AllianceModel
from sim.model.world import compile_world
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.shipped import default_scenario_path


@pytest.fixture(scope="session", autouse=True)
def ctrl_c_interrupts():
    """Let SIGINT raise KeyboardInterrupt here and in the CLI processes the tests start.

    A non-interactive shell starts background jobs with SIGINT ignored, and an ignored signal
    stays ignored in child processes, so the interruption tests would see runs finish instead
    of stopping. A terminal's Ctrl-C is what they model.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return load_scenario(default_scenario_path())


@pytest.fixture(scope="session")
def world(scenario):
    return compile_world(scenario)


@pytest.fixture(scope="session")
def scenario_data() -> dict:
    return yaml.safe_load(default_scenario_path().read_text())


@pytest.fixture
def write_scenario(tmp_path, scenario_data):
    """Write a modified copy of the default scenario and return its path."""

    def write(change=None, text: str | None = None) -> Path:
        path = tmp_path / "scenario.yaml"
        if text is not None:
            path.write_text(text)
            return path
        data = copy.deepcopy(scenario_data)
        if change is not None:
            change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return write


# --- helpers for comparing engines and runs (imported by tests) ---


def batch_rows(scenario: Scenario, seeds, months: int = 120, **kwargs) -> pd.DataFrame:
    return simulate_batch(compile_world(scenario), seeds, months=months, **kwargs).runs


def mesa_rows(scenario: Scenario, seeds, months: int = 120) -> pd.DataFrame:
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
