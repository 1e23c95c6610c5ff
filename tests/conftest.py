"""Shared fixtures: the default scenario and small helpers."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from sim import config
from sim.scenarios import default_scenario_path
from sim.world import compile_world


@pytest.fixture(scope="session")
def scenario() -> config.Scenario:
    return config.load_scenario(default_scenario_path())


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
