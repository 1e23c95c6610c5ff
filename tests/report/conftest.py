"""A small stored results folder for the figure and report tests (run once per session)."""

from __future__ import annotations

import pytest
import yaml

from sim.experiment.spec import load_experiment
from sim.scenario.shipped import default_scenario_path
from sim.workflow import run_experiment

VARIANTS = {
    "baseline": {},
    "bulgaria_invited": {
        "description": "The founders invite Bulgaria in June 2026.",
        "events": [{"month": "2026-06", "type": "invite", "bloc": "tirana", "country": "BGR"}],
    },
    "bulgaria_joins": {
        "description": "Bulgaria accedes in June 2026.",
        "events": [
            {
                "month": "2026-06",
                "type": "join",
                "bloc": "tirana",
                "country": "BGR",
                "note": "Bulgaria joins (hypothetical)",
            }
        ],
    },
}


def write_experiment(folder, *, scenario=None, variants=None, series="monthly", **extra):
    """An experiment file in ``folder`` over the default scenario (or ``scenario``)."""
    data = {
        "name": "small_question",
        "description": "Does an early invitation to Bulgaria change the pact's course?",
        "scenario": str(scenario or default_scenario_path()),
        "variants": VARIANTS if variants is None else variants,
        "replications": 40,
        "seed": 20250318,
        "months": 48,
        "outputs": {"series": series},
        "years": [1, 2, 4],
        **extra,
    }
    path = folder / "experiment.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(name="write_experiment")
def write_experiment_fixture():
    """:func:`write_experiment`, for tests that make their own small folders."""
    return write_experiment


@pytest.fixture(scope="session")
def results_folder(tmp_path_factory):
    """Three variants x 40 runs x 48 months with monthly trajectories, no figures drawn."""
    folder = tmp_path_factory.mktemp("small")
    experiment = load_experiment(write_experiment(folder))
    return run_experiment(
        experiment, out=folder / "results", executor="serial", progress=False, plots=False
    ).path
