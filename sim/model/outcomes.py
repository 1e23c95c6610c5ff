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
from sim.model.process import APPLIED, INVITED, RATIFIED
from sim.model.state import Derived, RunState
from sim.model.world import World
from sim.scenario.calendar import step_to_month
from sim.scenario.schema import COUNTER_BLOC_KEY


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


def founding_members(world: World, changes: MonthChanges, founded: np.ndarray) -> np.ndarray:
    """The founders of each bloc founded this month, (R, n, B), ``founded`` (R, B).

    A ``form_bloc`` event's members; the counter-bloc's founder and partner.
    """
    runs, n = founded.shape[0], world.n_countries
    founding = np.zeros((runs, n, world.n_blocs), dtype=bool)
    for slot, bloc in enumerate(world.blocs):
        if bloc.origin == "counter":
            run = np.flatnonzero(changes.formed & founded[:, slot])
            founding[run, changes.founder[run], slot] = True
            founding[run, changes.partner[run], slot] = True
        else:
            founding[:, list(bloc.members), slot] = founded[:, None, slot]
    return founding


def column_prefix(world: World, slot: int) -> str:
    """How the outcome columns of a bloc other than the tracked one start: ``<name>.``
    (``counter_bloc.`` for the counter-bloc); the tracked bloc's columns have no prefix."""
    if slot == world.pact:
        return ""
    bloc = world.blocs[slot]
    return f"{COUNTER_BLOC_KEY if bloc.origin == 'counter' else bloc.name}."


PROCESS_STAGES = ("apply", "invite", "ratified", "effective")
PROCESS_NOTES = {
    "apply": "{country} applies to the pact",
    "invite": "{country} is invited to the pact",
    "ratified": "the last member ratifies {country}'s accession",
}


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
        n, runs, blocs = world.n_countries, state.runs, world.n_blocs
        self.runs = runs
        self.member = state.member.copy()
        self.active = state.active.copy()
        # (R, n, B): who founded each bloc (its members at the start, or when an event or a
        # counter-bloc founded it), and each country's first entry into and exit from each bloc
        self.founders = dynamics.bloc_masks(state.member, blocs).transpose(0, 2, 1)
        self.world = world
        self.months = months
        self.join_month = np.full((runs, n, blocs), np.nan)
        self.exit_month = np.full((runs, n, blocs), np.nan)
        self.founded_month = np.full((runs, blocs), np.nan)
        self.first_crisis = np.full(runs, np.nan)
        self.crisis_count = np.zeros(runs, dtype=np.int64)
        self.peak_tension = np.zeros(runs)
        self.peak_dyad = np.zeros((runs, len(world.tracked_dyads)))
        self.stage_month = np.full((runs, blocs, 2), np.nan)
        # Stage of each bloc at the start (or when it is founded): a stage held then is not
        # "reached" during the run.
        self.initial_stage = dynamics.stage(state.depth)
        self.stage_now = self.initial_stage.copy()
        self.counter_month = np.full(runs, np.nan)
        pact_slot = world.blocs[world.pact] if world.pact >= 0 else None
        self.process = pact_slot is not None and pact_slot.process is not None
        if self.process:  # the stages of the pact's accession process (MODEL.md P1 to P5)
            self.stage_months = {name: np.full((runs, n), np.nan) for name in PROCESS_STAGES}
            self.holdout_months = np.zeros((runs, n), dtype=np.int64)
            self.veto_months = np.zeros((runs, n), dtype=np.int64)
            self.ratify_month = np.full((runs, n, n), np.nan)  # [member, candidate]
        self.series_every = series_every
        self.series: list[pd.DataFrame] = []
        self.timeline: list[tuple[int, str]] | None = [] if timeline else None
        self.awaiting: dict[int, tuple[int, ...]] = {}  # run 0: candidate -> its hold-outs

    def record(self, step: int, state: RunState, derived: Derived, changes: MonthChanges) -> None:
        """Note what month ``step`` changed; ``state`` is already the state after it."""
        world = self.world
        before, self.member = self.member, state.member.copy()
        if world.n_blocs:
            self.note_memberships(step, before, state, changes)
        if self.process:
            self.record_process(step, state, changes)
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

    def note_memberships(
        self, step: int, before: np.ndarray, state: RunState, changes: MonthChanges
    ) -> None:
        """Record this month's foundings, first entries and exits, and stages, of every bloc.

        A bloc is founded the month it becomes active; its founders then (the members a
        ``form_bloc`` event names, or the two countries that form the counter-bloc) do not
        count as joining it, and the stage it is founded at (from its founding depth) is not
        counted as reached.
        """
        world = self.world
        founded = state.active & ~self.active  # (R, B)
        self.active = state.active.copy()
        slots = np.arange(world.n_blocs)
        inside = state.member[:, :, None] == slots  # (R, n, B)
        outside_before = before[:, :, None] != slots
        if founded.any():
            founding = founding_members(world, changes, founded) & inside
            self.founders |= founding
            outside_before &= ~founding
            self.founded_month = np.where(founded, step, self.founded_month)
            founding_stage = dynamics.stage(np.array([bloc.depth for bloc in world.blocs]))
            self.initial_stage = np.where(founded, founding_stage, self.initial_stage)
            self.stage_now = np.where(founded, founding_stage, self.stage_now)
        entered = inside & outside_before
        self.join_month = np.where(entered & np.isnan(self.join_month), step, self.join_month)
        left = (before[:, :, None] == slots) & ~inside
        self.exit_month = np.where(left & np.isnan(self.exit_month), step, self.exit_month)
        reached = dynamics.stage(state.depth)
        for index in range(2):
            rose = (reached > index) & (self.stage_now <= index) & state.active
            newly = rose & np.isnan(self.stage_month[:, :, index])
            self.stage_month[:, :, index] = np.where(newly, step, self.stage_month[:, :, index])
        self.stage_now = reached

    def record_process(self, step: int, state: RunState, changes: MonthChanges) -> None:
        """Note the first month of each stage of the pact's process, and hold-out months."""
        process = changes.process
        toward = process.pursuing == self.world.pact
        reached = {
            "apply": toward & (process.stage >= APPLIED),
            "invite": toward & (process.stage >= INVITED),
            "ratified": toward & (process.stage >= RATIFIED),
            "effective": process.joins == self.world.pact,
        }
        for name, now in reached.items():
            months = self.stage_months[name]
            self.stage_months[name] = np.where(now & np.isnan(months), step, months)
        self.holdout_months += process.holding & toward
        self.veto_months += process.blocked & toward
        ratified = process.ratified & toward[:, None, :]
        self.ratify_month = np.where(ratified & np.isnan(self.ratify_month), step,
                                     self.ratify_month)  # fmt: skip
        if self.timeline is not None:
            self.note_process(step, state, changes)

    def note_process(self, step: int, state: RunState, changes: MonthChanges) -> None:
        """Append run 0's process lines: each stage the first month it is reached, and once
        when a candidate's accession starts to wait on hold-outs (every member that has not
        ratified it holds out, and the others have ratified).

        An application or invitation made by an event of one country with a note gets no line
        of its own (the note says it), and a country an event invites without its applying gets
        no "applies" line."""
        world, process, log = self.world, changes.process, self.timeline
        names, pact = world.names, world.pact
        events = world.events.get(step)
        skip = set()
        if events:
            skip = {(name, i) for name, i, slot in events.announced if slot == pact}
            skip |= {("apply", i) for i, slot in events.invites if slot == pact}
        for name, text in PROCESS_NOTES.items():
            for i in np.flatnonzero(self.stage_months[name][0] == step):
                if (name, i) not in skip:
                    log.append((step, text.format(country=names[i])))
        members = state.member[0] == pact
        awaiting: dict[int, tuple[int, ...]] = {}
        for i in np.flatnonzero((process.pursuing[0] == pact) & (process.stage[0] == INVITED)):
            waiting = members & ~process.ratified[0, :, i]
            others = members & process.ratified[0, :, i]
            if waiting.any() and others.any() and process.holders[0, waiting, i].all():
                awaiting[i] = tuple(int(m) for m in np.flatnonzero(waiting))
                if awaiting[i] != self.awaiting.get(i):
                    who = " and ".join(names[m] for m in awaiting[i])
                    holds = "holds" if len(awaiting[i]) == 1 else "hold"
                    log.append((step, f"{names[i]}'s accession awaits ratification by {who}, "
                                      f"which {holds} out"))  # fmt: skip
        self.awaiting = awaiting

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
        for slot in range(world.n_blocs):  # a bloc not founded yet: depth 0, no members
            if slot != world.pact:
                prefix = column_prefix(world, slot)
                data[f"{prefix}depth"] = state.depth[:, slot]
                data[f"{prefix}members"] = (state.member == slot).sum(axis=1)
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
        for slot, bloc in enumerate(world.blocs):
            for index, stage_name in enumerate(dynamics.STAGE_NAMES[1:]):
                if self.stage_month[0, slot, index] == step:
                    log.append((step, f"{bloc.name} becomes a {stage_name}"))
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
        """One row per run with every outcome of MODEL.md section 6.

        The tracked bloc's columns have plain names (``join_month_<C>``, ``final_depth``...);
        every other bloc has the same columns prefixed with its name (``warsaw.join_month_<C>``,
        ``counter_bloc.final_depth``), after the others.
        """
        world = self.world
        energy = dynamics.camp_energy(
            derived_final.propensity, state.size, derived_final.in_bloc, derived_final.opponent
        )
        data: dict[str, object] = {"horizon": np.full(self.runs, self.months)}
        if world.pact >= 0:
            data |= self.bloc_columns(world.pact, state, energy)
        else:  # no bloc: no joins
            nothing = np.full(self.runs, np.nan)
            data |= {f"join_month_{code}": nothing for code in world.codes}
            data |= {f"exit_month_{code}": nothing for code in world.codes}
            data["expansion_path"] = [""] * self.runs
        if self.process:
            data.update(self.process_columns())
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
            data["counter_bloc_members"] = self.members_text(state, world.counter_slot)
        else:
            data["counter_bloc_members"] = [""] * self.runs
        for slot in range(world.n_blocs):
            if slot != world.pact:
                data |= self.bloc_columns(slot, state, energy)
        return pd.DataFrame(data)

    def bloc_columns(self, slot: int, state: RunState, energy: np.ndarray) -> dict[str, object]:
        """The outcome columns of one bloc, named by :func:`column_prefix`."""
        world, prefix = self.world, column_prefix(self.world, slot)
        data: dict[str, object] = {}
        for i, code in enumerate(world.codes):
            data[f"{prefix}join_month_{code}"] = self.join_month[:, i, slot]
        for i, code in enumerate(world.codes):
            data[f"{prefix}exit_month_{code}"] = self.exit_month[:, i, slot]
        data[f"{prefix}expansion_path"] = self.paths(slot)
        data[f"{prefix}final_members"] = self.members_text(state, slot)
        joined = ~np.isnan(self.join_month[:, :, slot]) & ~self.founders[:, :, slot]
        data[f"{prefix}new_members"] = joined.sum(axis=1)
        names = np.array(dynamics.STAGE_NAMES)
        data[f"{prefix}final_depth"] = state.depth[:, slot]
        data[f"{prefix}final_stage"] = names[dynamics.stage(state.depth[:, slot])]
        data[f"{prefix}initial_stage"] = names[self.initial_stage[:, slot]]
        data[f"{prefix}stage_month_security_mechanism"] = self.stage_month[:, slot, 0]
        data[f"{prefix}stage_month_formal_alliance"] = self.stage_month[:, slot, 1]
        data[f"{prefix}final_energy"] = energy[:, slot]
        if world.blocs[slot].origin != "scenario":  # founded during the run, or never
            data[f"{prefix}founded_month"] = self.founded_month[:, slot]
        return data

    def members_text(self, state: RunState, slot: int) -> list[str]:
        """The members of bloc ``slot`` at the end of each run, e.g. 'ALB,HRV,XKX'."""
        members = state.member == slot
        return [",".join(c for c, m in zip(self.world.codes, row, strict=True) if m)
                for row in members]  # fmt: skip

    def process_columns(self) -> dict[str, np.ndarray]:
        """The process's outcome columns: ``<stage>_month_<C>`` for apply, invite, ratified
        (the last ratification) and effective; ``veto_months_<C>`` (months the bloc's rule
        kept the applicant from an invitation); ``holdout_months_<C>``; and
        ``ratify_month_<C>_by_<M>`` for every country C outside the pact at the start and every
        M that could ratify: not a founder of another bloc of the file or of an event."""
        codes, data = self.world.codes, {}
        for name in PROCESS_STAGES:
            for i, code in enumerate(codes):
                data[f"{name}_month_{code}"] = self.stage_months[name][:, i]
        for i, code in enumerate(codes):
            data[f"veto_months_{code}"] = self.veto_months[:, i]
        for i, code in enumerate(codes):
            data[f"holdout_months_{code}"] = self.holdout_months[:, i]
        outside = ~self.founders[:, :, self.world.pact].all(axis=0)
        rivals = {m for slot, bloc in enumerate(self.world.blocs)
                  if slot != self.world.pact and bloc.origin != "counter"
                  for m in bloc.members}  # fmt: skip
        for i in np.flatnonzero(outside):
            for m, member in enumerate(codes):
                if m != i and m not in rivals:
                    data[f"ratify_month_{codes[i]}_by_{member}"] = self.ratify_month[:, m, i]
        return data

    def paths(self, slot: int) -> list[str]:
        """Join order of each run into bloc ``slot`` (ties in the same month in country
        order), e.g. 'BGR>MKD'; founders are not in it."""
        codes = np.array(self.world.codes)
        paths = []
        for months, founders in zip(
            self.join_month[:, :, slot], self.founders[:, :, slot], strict=True
        ):
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
