"""Per-run outcome records (MODEL.md section 6), the same from either engine.

An :class:`OutcomeTracker` watches R runs month by month (it reads the state after each
month's changes) and at the end turns what it saw into one row per run. Both engines use it,
so their rows have the same columns and meaning by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model import dynamics
from sim.model.phases import MonthChanges
from sim.model.state import Derived, RunState
from sim.model.world import World
from sim.scenario.calendar import step_to_month


def dyad_name(world: World, i: int, j: int) -> str:
    return f"{world.codes[i]}-{world.codes[j]}"


def row_mean(values: np.ndarray) -> np.ndarray:
    """Mean of each row of (R, k), summed column by column.

    NumPy's reductions may group the additions differently for different numbers of rows; adding
    columns one by one makes a run's value independent of how many runs share its chunk.
    """
    total = np.zeros(values.shape[0])
    for column in values.T:
        total += column
    return total / values.shape[1]


class OutcomeTracker:
    """Accumulates the outcomes of R runs; optionally the monthly trajectories and a timeline.

    Joins and exits are read off the membership before and after each month, so voluntary and
    event-driven moves count alike. ``join_month_<C>`` is the first month C entered the pact
    (for a founder: re-entered after leaving), ``exit_month_<C>`` the first month it left;
    ``expansion_path`` and ``new_members`` count only countries that were not founders.

    Parameters
    ----------
    world : World
        The world being simulated.
    state : RunState
        The runs at step 0, before the first month (their founders and run count).
    months : int
        The horizon; time-to-event outcomes are censored there.
    series_every : int or None
        Record trajectories every this many months (1 = monthly, 12 = yearly); None = none.
    timeline : bool
        Keep a dated list of what happened (joins, exits, stages, crises, counter-blocs), for
        ``alliance-sim simulate``; meant for a single run.
    """

    def __init__(
        self,
        world: World,
        state: RunState,
        months: int,
        *,
        series_every: int | None = None,
        timeline: bool = False,
    ) -> None:
        n, runs = world.n_countries, state.runs
        self.runs = runs
        self.member = state.member.copy()
        self.founders = state.member == world.pact
        self.world = world
        self.months = months
        self.join_month = np.full((runs, n), np.nan)
        self.exit_month = np.full((runs, n), np.nan)
        self.first_crisis = np.full(runs, np.nan)
        self.crisis_count = np.zeros(runs, dtype=np.int64)
        self.peak_tension = np.zeros(runs)
        self.peak_dyad = np.zeros((runs, len(world.tracked_dyads)))
        self.stage_month = np.full((runs, 2), np.nan)
        # Stage of the pact at the start: a stage held then is not "reached" during the run.
        pact_depth = state.depth[:, world.pact] if world.pact >= 0 else np.zeros(runs)
        self.initial_stage = dynamics.stage(pact_depth)
        self.stage_now = self.initial_stage.copy()
        self.counter_month = np.full(runs, np.nan)
        self.series_every = series_every
        self.series: list[pd.DataFrame] = []
        self.timeline: list[tuple[int, str]] | None = [] if timeline else None

    def record(self, step: int, state: RunState, derived: Derived, changes: MonthChanges) -> None:
        """Note what month ``step`` changed; ``state`` is already the state after it."""
        world = self.world
        pact = world.pact
        before, self.member = self.member, state.member.copy()
        if pact >= 0:
            entered = (state.member == pact) & (before != pact)
            self.join_month = np.where(entered & np.isnan(self.join_month), step, self.join_month)
            left = (before == pact) & (state.member != pact)
            self.exit_month = np.where(left & np.isnan(self.exit_month), step, self.exit_month)
            reached = dynamics.stage(state.depth[:, pact])
            for index in range(2):
                rose = (reached > index) & (self.stage_now <= index)
                newly = rose & np.isnan(self.stage_month[:, index])
                self.stage_month[:, index] = np.where(newly, step, self.stage_month[:, index])
            self.stage_now = reached
        self.crisis_count += changes.crisis
        self.first_crisis = np.where(
            changes.crisis & np.isnan(self.first_crisis), step, self.first_crisis
        )
        self.counter_month = np.where(
            changes.formed & np.isnan(self.counter_month), step, self.counter_month
        )
        rows, cols = dynamics.upper_pairs(world.n_countries)
        self.peak_tension = np.maximum(self.peak_tension, state.tension[:, rows, cols].max(axis=1))
        for k, (i, j) in enumerate(world.tracked_dyads):
            self.peak_dyad[:, k] = np.maximum(self.peak_dyad[:, k], state.tension[:, i, j])
        if self.series_every and (step + 1) % self.series_every == 0:
            self.series.append(self.snapshot(step, state))
        if self.timeline is not None:
            self.note_timeline(step, before[0], state, changes)

    def snapshot(self, step: int, state: RunState) -> pd.DataFrame:
        """The trajectory values of every run at the end of month ``step``."""
        world = self.world
        rows, cols = dynamics.upper_pairs(world.n_countries)
        data: dict[str, np.ndarray] = {
            "run": np.arange(self.runs),
            "month": np.full(self.runs, step),
            "mean_tension": row_mean(state.tension[:, rows, cols]),
        }
        if world.pact >= 0:
            data["depth"] = state.depth[:, world.pact]
            data["members"] = (state.member == world.pact).sum(axis=1)
        for i, j in world.tracked_dyads:
            data[f"tension_{dyad_name(world, i, j)}"] = state.tension[:, i, j]
        for i, code in enumerate(world.codes):
            data[f"alignment_{code}"] = state.alignment[:, i]
        return pd.DataFrame(data)

    def note_timeline(
        self, step: int, before: np.ndarray, state: RunState, changes: MonthChanges
    ) -> None:
        """Append this month's happenings of run 0 to the timeline."""
        world, log, after = self.world, self.timeline, state.member[0]
        founding = set()
        if changes.formed[0]:
            founding = {int(changes.founder[0]), int(changes.partner[0])}
            members = " and ".join(world.names[i] for i in sorted(founding))
            log.append((step, f"counter-bloc formed by {members}"))
        for i in np.flatnonzero(before != after):
            if before[i] >= 0:
                log.append((step, f"{world.names[i]} leaves {world.blocs[before[i]].name}"))
            if after[i] >= 0 and i not in founding:
                log.append((step, f"{world.names[i]} joins {world.blocs[after[i]].name}"))
        if world.pact >= 0:
            for index, stage_name in enumerate(dynamics.STAGE_NAMES[1:]):
                if self.stage_month[0, index] == step:
                    log.append((step, f"{world.blocs[world.pact].name} becomes a {stage_name}"))
        if changes.crisis[0]:
            i, j = changes.crisis_i[0], changes.crisis_j[0]
            log.append(
                (
                    step,
                    f"crisis between {world.names[i]} and {world.names[j]} "
                    f"(tension {state.tension[0, i, j]:.2f})",
                )
            )

    def dated_timeline(self) -> list[tuple[str, str]]:
        """The timeline with calendar months."""
        return [
            (step_to_month(step, start=self.world.start), text)
            for step, text in self.timeline or []
        ]

    def rows(self, state: RunState, derived_final: Derived) -> pd.DataFrame:
        """One row per run with every outcome of MODEL.md section 6."""
        world = self.world
        pact = world.pact
        data: dict[str, object] = {"horizon": np.full(self.runs, self.months)}
        for i, code in enumerate(world.codes):
            data[f"join_month_{code}"] = self.join_month[:, i]
        for i, code in enumerate(world.codes):
            data[f"exit_month_{code}"] = self.exit_month[:, i]
        data["expansion_path"] = self.paths()
        if pact >= 0:
            members = state.member == pact
            data["final_members"] = [
                ",".join(c for c, m in zip(world.codes, row, strict=True) if m) for row in members
            ]
            data["new_members"] = (~np.isnan(self.join_month) & ~self.founders).sum(axis=1)
            data["final_depth"] = state.depth[:, pact]
            data["final_stage"] = np.array(dynamics.STAGE_NAMES)[
                dynamics.stage(state.depth[:, pact])
            ]
            data["initial_stage"] = np.array(dynamics.STAGE_NAMES)[self.initial_stage]
            data["stage_month_security_mechanism"] = self.stage_month[:, 0]
            data["stage_month_formal_alliance"] = self.stage_month[:, 1]
            energy = dynamics.camp_energy(
                derived_final.propensity, state.size, derived_final.in_bloc, derived_final.opponent
            )
            data["final_energy"] = energy[:, pact]
        data["first_crisis_month"] = self.first_crisis
        data["crisis_count"] = self.crisis_count
        data["peak_tension"] = self.peak_tension
        for k, (i, j) in enumerate(world.tracked_dyads):
            data[f"peak_tension_{dyad_name(world, i, j)}"] = self.peak_dyad[:, k]
        rows, cols = dynamics.upper_pairs(world.n_countries)
        data["final_mean_tension"] = row_mean(state.tension[:, rows, cols])
        for i, code in enumerate(world.codes):
            data[f"final_alignment_{code}"] = state.alignment[:, i]
        data["counter_bloc_formed"] = ~np.isnan(self.counter_month)
        data["counter_bloc_month"] = self.counter_month
        if world.counter_slot >= 0:
            counter = state.member == world.counter_slot
            data["counter_bloc_members"] = [
                ",".join(c for c, m in zip(world.codes, row, strict=True) if m) for row in counter
            ]
        else:
            data["counter_bloc_members"] = [""] * self.runs
        return pd.DataFrame(data)

    def paths(self) -> list[str]:
        """Join order of each run (ties in the same month in country order), e.g. 'BGR>MKD'."""
        codes = np.array(self.world.codes)
        paths = []
        for months, founders in zip(self.join_month, self.founders, strict=True):
            joined = np.flatnonzero(~np.isnan(months) & ~founders)
            order = joined[np.argsort(months[joined], kind="stable")]
            paths.append(">".join(codes[order]))
        return paths

    def trajectories(self) -> pd.DataFrame | None:
        """The recorded trajectories as one long table sorted by run and month, or None."""
        if not self.series:
            return None
        series = pd.concat(self.series, ignore_index=True)
        return series.sort_values(["run", "month"], kind="stable", ignore_index=True)
