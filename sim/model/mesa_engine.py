"""The reference engine: a Mesa model of countries deciding month by month.

:class:`AllianceModel` advances one run. Each month it applies the scenario's events, derives
propensities and threats (:mod:`sim.model.state`), moves alignments and tensions with the equations
of :mod:`sim.model.dynamics`, and then asks every :class:`Country` agent whether it joins or leaves
a bloc. The batch engine (:mod:`sim.model.batch_engine`) runs the same phases for many runs at once;
both read the same pre-drawn random numbers, so they give identical outcomes for the same seed.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from sim.model import phases
from sim.model.draws import Draws, draw_runs
from sim.model.finite import check_finite
from sim.model.outcomes import OutcomeTracker
from sim.model.state import RunState, derive
from sim.model.world import World, compile_world
from sim.scenario.schema import Scenario


class Country(mesa.Agent):
    """A country of the region: its alignment, and its choice to join or leave a bloc."""

    def __init__(self, model: AllianceModel, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.code = model.world.codes[index]
        self.name = model.world.names[index]
        self.join_choice = -1
        self.exit_choice = -1

    @property
    def alignment(self) -> float:
        """Position on the Euro-Atlantic (+1) to Russia-aligned (-1) axis."""
        return float(self.model.state.alignment[0, self.index])

    @property
    def bloc(self) -> str | None:
        """Name of the bloc the country is in, if any."""
        slot = int(self.model.state.member[0, self.index])
        return None if slot < 0 else self.model.world.blocs[slot].name

    def decide(self, join_chance: np.ndarray, exit_chance: float, draws: Draws) -> None:
        """Take this month's membership decision (MODEL.md section 4, steps 4 and 5).

        A member leaves when its exit draw falls below its chance of leaving. An outsider
        considers the blocs in order and joins the first whose draw falls below its chance of
        joining (zero where it is not admissible or is vetoed); for a bloc with ``accession:
        process`` that choice is its application (MODEL.md P1), and the bloc's invitation and
        its members' ratifications follow in the shared phases (:mod:`sim.model.process`).
        """
        self.join_choice = self.exit_choice = -1
        slot = int(self.model.state.member[0, self.index])
        if slot >= 0:
            if draws.exit[0, self.index] < exit_chance:
                self.exit_choice = slot
            return
        for bloc, chance in enumerate(join_chance):
            if draws.join[0, self.index, bloc] < chance:
                self.join_choice = bloc
                return


class AllianceModel(mesa.Model):
    """One run of the alliance-expansion model.

    Parameters
    ----------
    scenario : Scenario or World
        A validated scenario (or an already compiled one-run world).
    months : int
        Horizon: how many monthly steps the run will take (the random numbers of every month
        are drawn when the model is created).
    series_every : int, optional
        Record trajectories every this many months.
    rng : int or numpy.random.Generator, optional
        The run's seed; an integer seed gives the same run as the batch engine with that seed.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> from sim.scenario.shipped import default_scenario_path
    >>> model = AllianceModel(load_scenario(default_scenario_path()), months=12, rng=7)
    >>> model.run()
    >>> len(model.outcomes())
    1
    """

    def __init__(
        self,
        scenario: Scenario | World,
        *,
        months: int = 120,
        series_every: int | None = None,
        timeline: bool = False,
        rng: int | np.random.Generator | None = None,
    ) -> None:
        if isinstance(rng, np.integer):
            rng = int(rng)  # Mesa seeds its stdlib generator from a plain int
        super().__init__(rng=rng)
        self.world = scenario if isinstance(scenario, World) else compile_world(scenario)
        if self.world.runs != 1:
            raise ValueError("AllianceModel runs one world; use sim.model.batch_engine for many")
        self.months = months
        self.state = RunState.initial(self.world)
        world = self.world
        self.draws = draw_runs(
            [self.rng], months, world.n_countries, world.n_blocs, process=world.has_process
        )
        self.tracker = OutcomeTracker(
            self.world, self.state, months, series_every=series_every, timeline=timeline
        )
        for index in range(self.world.n_countries):
            Country(self, index)
        self.countries = sorted(self.agents_by_type[Country], key=lambda c: c.index)

    def step(self) -> None:
        """Advance one month (MODEL.md section 4)."""
        step = self.steps - 1
        if step >= self.months:
            raise RuntimeError(f"the model was built for {self.months} months")
        derived, changes = phases.plan(
            self.state, self.world, step, self.draws.month(step), choose=self.countries_decide
        )
        phases.commit(self.state, self.world, derived, changes)
        check_finite(self.state, step, self.world.start, everything=step in self.world.events)
        self.tracker.record(step, self.state, derived, changes)

    def countries_decide(
        self, join_chance: np.ndarray, exit_chance: np.ndarray, draws: Draws, member: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ask every country for its membership decision; the order does not matter."""
        self.agents.shuffle_do(
            lambda country: country.decide(
                join_chance[0, country.index], exit_chance[0, country.index], draws
            )
        )
        joins = np.array([[c.join_choice for c in self.countries]])
        exits = np.array([[c.exit_choice for c in self.countries]])
        return joins, exits

    def run(self) -> None:
        """Step until the horizon."""
        while self.steps < self.months:
            self.step()

    def outcomes(self) -> pd.DataFrame:
        """The run's outcome row (MODEL.md section 6) as a one-row table."""
        return self.tracker.rows(self.state, derive(self.state, self.world))

    def trajectories(self) -> pd.DataFrame | None:
        return self.tracker.trajectories()

    def timeline(self) -> list[tuple[str, str]]:
        """Dated happenings (calendar month, text); requires ``timeline=True``."""
        return self.tracker.dated_timeline()

    def propensity_now(self) -> np.ndarray:
        """The current propensity matrix p_ij, shape (n, n)."""
        return derive(self.state, self.world).propensity[0]

    def final_blocs(self) -> dict[str, list[str]]:
        """Current members of each active bloc."""
        blocs: dict[str, list[str]] = {}
        for slot, bloc in enumerate(self.world.blocs):
            if self.state.active[0, slot]:
                members = np.flatnonzero(self.state.member[0] == slot)
                blocs[bloc.name] = [self.world.codes[i] for i in members]
        return blocs
