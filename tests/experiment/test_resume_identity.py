"""Resuming only like with like: an edited scenario file is refused, an unchanged one resumes."""

from __future__ import annotations

import pytest
import yaml

from sim import run_experiment
from sim.experiment.store import ResultsFolderError


@pytest.fixture
def files(tmp_path, scenario_data):
    """A copy of the default scenario and a tiny experiment that runs it."""
    scenario = tmp_path / "region.yaml"
    scenario.write_text(yaml.safe_dump(scenario_data, sort_keys=False))
    experiment = tmp_path / "tiny.yaml"
    experiment.write_text(
        yaml.safe_dump(
            {"name": "tiny", "scenario": "region.yaml", "replications": 2, "seed": 1, "months": 6}
        )
    )
    return scenario, experiment


def test_resume_refuses_an_edited_scenario(tmp_path, files, scenario_data):
    scenario, experiment = files
    out = tmp_path / "out"
    run_experiment(experiment, out=out, executor="serial", progress=False)
    edited = {**scenario_data}
    edited["patrons"] = {**scenario_data["patrons"]}
    edited["patrons"]["russia"] = {**scenario_data["patrons"]["russia"], "support": 0.9}
    scenario.write_text(yaml.safe_dump(edited, sort_keys=False))
    with pytest.raises(ResultsFolderError, match=r"different scenario \(patrons changed\)"):
        run_experiment(experiment, out=out, resume=True, progress=False)


def test_resume_accepts_a_scenario_rewritten_with_the_same_content(tmp_path, files):
    """Only the content counts: the same scenario rewritten (other key order) still resumes."""
    scenario, experiment = files
    out = tmp_path / "out"
    first = run_experiment(experiment, out=out, executor="serial", progress=False)
    data = yaml.safe_load(scenario.read_text())
    scenario.write_text(yaml.safe_dump(data, sort_keys=True))
    again = run_experiment(experiment, out=out, resume=True, progress=False)
    assert again.status == "complete"
    assert again.runs.equals(first.runs)
