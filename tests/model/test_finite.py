"""A run whose state becomes NaN or infinite fails naming the month and the variable."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import NonFiniteStateError
from sim.experiment.chunks import Chunk, run_chunk
from sim.model.batch_engine import simulate_batch
from sim.model.finite import check_finite
from sim.model.mesa_engine import AllianceModel
from sim.model.state import RunState
from sim.model.world import compile_world
from sim.scenario.loading import load_scenario
from sim.scenario.shipped import default_scenario_path

OVERFLOW = {"dynamics.tension.reaction": 1e300}  # finite, but tension overflows within months


@pytest.fixture(scope="module")
def overflowing():
    """Built past the loader, whose stability check refuses it: the engines must still catch an
    overflow, whatever its cause."""
    scenario = load_scenario(default_scenario_path())
    tension = scenario.dynamics.tension.model_copy(
        update={"reaction": OVERFLOW["dynamics.tension.reaction"]}
    )
    dynamics = scenario.dynamics.model_copy(update={"tension": tension})
    return scenario.model_copy(update={"dynamics": dynamics})


def test_a_finite_state_passes_and_a_nan_is_named(world):
    state = RunState.initial(world, 3)
    check_finite(state, 0, "2025-03")
    state.alignment[2, 4] = np.nan
    with pytest.raises(NonFiniteStateError, match=r"alignment is not finite \(nan\) in 2025-05"):
        check_finite(state, 2, "2025-03")


def test_a_parameter_that_a_set_event_made_infinite_is_named(world):
    state = RunState.initial(world, 1)
    name = next(iter(state.params))
    state.params[name] = np.array([np.inf])
    with pytest.raises(NonFiniteStateError, match=rf"dynamics.{name} is not finite \(inf\)"):
        check_finite(state, 0, "2025-03")


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_both_engines_stop_an_overflowing_run_in_the_same_month(overflowing):
    with pytest.raises(NonFiniteStateError) as batch:
        simulate_batch(compile_world(overflowing), [1, 2], months=24)
    model = AllianceModel(overflowing, months=24, rng=1)
    with pytest.raises(NonFiniteStateError) as mesa:
        model.run()
    assert (batch.value.month, batch.value.variable) == (mesa.value.month, mesa.value.variable)
    assert batch.value.variable == "tension" and batch.value.step < 24


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("engine", ["batch", "mesa"])
def test_an_overflowing_run_is_a_failed_run_never_a_row(overflowing, engine):
    chunk = Chunk("hot", 0, 3, (5, 6, 7), engine, months=12, scenario=overflowing)
    result = run_chunk(chunk)
    assert len(result.runs) == 0
    assert [f["replication"] for f in result.failures] == [0, 1, 2]
    assert all("NonFiniteStateError: tension is not finite" in f["error"] for f in result.failures)
    assert all(" in 2025-" in f["error"] for f in result.failures)
