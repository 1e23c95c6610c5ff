"""The public names of the package, imported lazily (``import sim`` stays cheap)."""

from __future__ import annotations

import pytest

import sim
from sim import workflow
from sim.scenario import load_scenario


def test_the_public_names_are_the_library_functions():
    assert sim.load_scenario is load_scenario
    assert sim.run_experiment is workflow.run_experiment
    assert sim.open_results is workflow.open_results
    assert sorted(sim.__all__) == ["load_experiment", "load_scenario", "open_results",
                                   "run_experiment"]  # fmt: skip


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'sim' has no attribute 'simulate'"):
        sim.simulate  # noqa: B018
