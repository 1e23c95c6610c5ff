"""A sweep's chunk of design points run one by one (the Mesa engine), in this process: rows
identified per point, a failing run isolated, and refusals of an unknown engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim.experiment.chunks as chunks
from sim.experiment.chunks import Chunk, run_chunk, run_points_one_by_one
from sim.scenario.loading import scenario_from_dict


def sweep_chunk(scenario_data, engine="mesa"):
    """Two design points (Bulgaria's domestic cost 0.8 and 0.2), two runs each, 12 months."""
    points = []
    for design_id, cost in enumerate((0.8, 0.2)):
        data = {**scenario_data, "countries": {**scenario_data["countries"]}}
        data["countries"]["BGR"] = {**data["countries"]["BGR"], "domestic_cost": cost}
        points.append(Chunk("sweep", 2 * design_id, 2 * design_id + 2,
                            (11 + design_id, 21 + design_id), engine, 12,
                            scenario=scenario_from_dict(data), design_id=design_id,
                            values=(("countries.BGR.domestic_cost", cost),)))  # fmt: skip
    return Chunk("sweep", 0, 4, (11, 21, 12, 22), engine, 12, points=tuple(points))


def test_mesa_points_are_identified_and_match_the_batch_engine(scenario_data):
    mesa = run_chunk(sweep_chunk(scenario_data))
    batch = run_chunk(sweep_chunk(scenario_data, engine="batch"))
    assert not mesa.failures
    assert list(mesa.runs["design_id"]) == [0, 0, 1, 1]
    assert list(mesa.runs["replication"]) == [0, 1, 2, 3]
    assert list(mesa.runs["seed"]) == [11, 21, 12, 22]
    assert list(mesa.runs["countries.BGR.domestic_cost"]) == [0.8, 0.8, 0.2, 0.2]
    shared = [c for c in batch.runs.columns if c in mesa.runs.columns]
    pd.testing.assert_frame_equal(mesa.runs[shared], batch.runs[shared], check_dtype=False)


def test_a_failing_run_is_recorded_and_the_others_go_on(scenario_data, monkeypatch):
    real = chunks.run_mesa_one

    def flaky(chunk, seed):
        if seed == 21:
            raise RuntimeError("boom")
        return real(chunk, seed)

    monkeypatch.setattr(chunks, "run_mesa_one", flaky)
    result = run_points_one_by_one(sweep_chunk(scenario_data))
    assert list(result.runs["seed"]) == [11, 12, 22]
    assert [(f["design_id"], f["replication"], f["seed"]) for f in result.failures] == [(0, 1, 21)]
    assert "boom" in str(result.failures[0])
    monkeypatch.setattr(chunks, "run_mesa_one", lambda chunk, seed: 1 / 0)
    nothing = run_points_one_by_one(sweep_chunk(scenario_data))
    assert nothing.runs.empty and len(nothing.failures) == 4


def test_an_unknown_engine_is_refused(scenario_data):
    with pytest.raises(ValueError, match=r"engine: expected batch, mesa or model, found 'gpu'"):
        run_points_one_by_one(sweep_chunk(scenario_data, engine="gpu"))
    plain = Chunk(
        "baseline", 0, 1, (5,), "gpu", 12, scenario=sweep_chunk(scenario_data).points[0].scenario
    )
    with pytest.raises(ValueError, match=r"found 'gpu'"):
        run_chunk(plain)


def test_collected_values_are_plain_numbers_or_refused():
    """A generic model's ``collect`` attributes: a NumPy scalar becomes a plain number, a
    method is called, a missing attribute or a list is refused with its name."""

    class Toy:
        share = np.float64(0.25)

        def members(self):
            return 3

        crowd = (1, 2)

    assert chunks.collected(Toy(), ("share", "members")) == {"share": 0.25, "members": 3}
    assert type(chunks.collected(Toy(), ("share",))["share"]) is float
    with pytest.raises(AttributeError, match=r"collect: Toy has no attribute 'depth'"):
        chunks.collected(Toy(), ("depth",))
    with pytest.raises(TypeError, match=r"expected crowd to be a number, .* found tuple"):
        chunks.collected(Toy(), ("crowd",))
