"""Compile a validated scenario into arrays: the form both engines compute with.

A :class:`World` holds every number of a scenario as a NumPy array with a leading run axis (length
1 for a single scenario; length R when R runs of a sweep each have their own values), countries in
file order, blocs in slots. Events become per-step instructions. Nothing here is random.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

import numpy as np

from sim.scenario import overrides, patrons, schema
from sim.scenario.changes import ChangeTarget, change_targets
from sim.scenario.geography import dyad_distances

# Flat names of the dynamics parameters, each an array of shape (R,) in World.params; a patron's
# numbers are there under their dotted paths (patron_params).
PARAM_PATHS: dict[str, str] = {
    **{
        f"{group}.{name}": f"dynamics.{group}.{name}"
        for group, model in schema.Dynamics.model_fields.items()
        for name, spec in model.annotation.model_fields.items()
        if spec.annotation is not bool
    },
}


@dataclass(frozen=True)
class ProcessSlot:
    """A bloc's accession process (``accession: process``) as numbers; per-member values are
    tuples in country order."""

    rule: str  # "unanimity", "majority" or "leader"
    leader: int  # country index of the leader (-1: none)
    invitation_rate: float
    ratification_rate: tuple[float, ...]
    holdout: tuple[float, ...]
    side_payment: tuple[float, ...]
    lag: int
    together: bool = False  # one ratification act per member and month for all its candidates


@dataclass(frozen=True)
class BlocSlot:
    """A bloc position in the arrays: a scenario bloc, a ``form_bloc`` event or the counter-bloc."""

    name: str
    majority: bool  # admission by majority (else unanimity)
    eligibility: float
    open: bool
    depth: float  # at its founding (from its integration stage if the file gives one)
    members: tuple[int, ...]  # country indices at formation
    origin: str  # "scenario", "event" or "counter"
    erodes: bool = True  # False: its depth never falls below its founding depth
    process: ProcessSlot | None = None  # None: accession: simple


def bloc_slot(name: str, bloc: schema.Bloc | schema.FormBlocEvent, members: tuple[int, ...],
              origin: str) -> BlocSlot:  # fmt: skip
    """The slot of a scenario bloc or of a ``form_bloc`` event's bloc."""
    return BlocSlot(name, bloc.admission == "majority", bloc.eligibility, bloc.open, bloc.depth,
                    members, origin, bloc.integration.may_erode)  # fmt: skip


PATRON_NUMBERS = ("pole", "pull", "support", "endorsement")


def patron_params(scenario: schema.Scenario) -> dict[str, np.ndarray]:
    """Each patron's numbers as World.params entries keyed by their dotted paths
    (``patrons.west.endorsement``, ``patrons.china.stances.sco``), each of shape (1,)."""
    params = {}
    for name, patron in scenario.patrons.items():
        for number in PATRON_NUMBERS:
            params[f"patrons.{name}.{number}"] = np.array([float(getattr(patron, number))])
        for bloc, stance in patron.stances.items():
            params[f"patrons.{name}.stances.{bloc}"] = np.array([float(stance)])
    for event in scenario.events:  # a stance an event changes but the file does not list: 0
        path = getattr(event, "path", "")
        if path.startswith("patrons.") and ".stances." in path:
            params.setdefault(path, np.array([0.0]))
    return params


@dataclass(frozen=True)
class Change:
    """A ``set`` or ``add`` event compiled to the cells of the state array it writes.

    ``array`` is a :class:`~sim.model.state.RunState` attribute (``params``: the parameter
    ``key``); ``cells`` are indices after the run axis (a dyad's two directions, a domestic
    cost's blocs); an added value is kept within [low, high] (the range of a value the model
    evolves; the others are range-checked when the scenario loads).
    """

    array: str
    key: str | None
    cells: tuple[tuple[int, ...], ...]
    value: float
    add: bool
    low: float = -np.inf
    high: float = np.inf


@dataclass(frozen=True)
class StepEvents:
    """What the events of one step do, as index lists (applied in this order)."""

    changes: list[Change] = field(default_factory=list)  # set and add events, in file order
    shocks: list[tuple[int, int, float]] = field(default_factory=list)  # (i, j, tension delta)
    affinities: list[tuple[int, int, float]] = field(default_factory=list)
    forms: list[int] = field(default_factory=list)  # bloc slots that form now
    leaves: list[tuple[int, int]] = field(default_factory=list)  # (country, slot)
    joins: list[tuple[int, int]] = field(default_factory=list)  # (country, slot)
    invites: list[tuple[int, int]] = field(default_factory=list)  # (country, slot)
    applies: list[tuple[int, int]] = field(default_factory=list)  # (country, slot)
    # ("apply" or "invite", country, slot) of the apply and invite events of one country with
    # a note: the timeline prints the note, not the model's line of the same stage (an event
    # of a group keeps the lines that say who)
    announced: list[tuple[str, int, int]] = field(default_factory=list)
    concessions: list[tuple[int, int, float]] = field(default_factory=list)  # (to, candidate, w)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class World:
    """A scenario as arrays; country arrays are (R, n), dyad arrays (R, n, n), params (R,)."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    start: str
    capability: np.ndarray
    alignment: np.ndarray
    anchor: np.ndarray
    stubbornness: np.ndarray
    openness: np.ndarray
    ties: np.ndarray  # (R, P, n): each country's tie to each patron
    guarantee: np.ndarray  # (R, P, n): 1 where a patron guarantees a country's security
    neutral: np.ndarray  # 1 for a neutral country (non-aligned), else 0
    neutrality_cost: np.ndarray  # its cost of leaving neutrality, added to joining any bloc
    neutral_by_law: np.ndarray  # (1, n) bool: neutrality in law or treaty (while neutral, no
    # membership decision at all)
    domestic_cost: np.ndarray  # (R, n, B): each country's cost of joining each bloc slot
    misperception: np.ndarray
    distance_km: np.ndarray  # (n, n), fixed by geography
    affinity: np.ndarray
    tension: np.ndarray
    baseline: np.ndarray
    params: dict[str, np.ndarray]
    patrons: tuple[str, ...]  # patron names in order (the P axis)
    patron_country: tuple[int, ...]  # the country index each patron is (-1: none)
    blocs: tuple[BlocSlot, ...]
    pact: int  # slot of the bloc whose outcomes are recorded (-1: none)
    counter_slot: int  # slot reserved for a counter-bloc (-1: counter-blocs off)
    tracked_dyads: tuple[tuple[int, int], ...]
    events: dict[int, StepEvents]

    @property
    def runs(self) -> int:
        return self.alignment.shape[0]

    @property
    def n_countries(self) -> int:
        return len(self.codes)

    @property
    def n_blocs(self) -> int:
        return len(self.blocs)

    @cached_property
    def has_process(self) -> bool:
        """Whether some bloc takes members by the accession process (else nothing of it runs)."""
        return any(slot.process is not None for slot in self.blocs)

    @cached_property
    def has_concessions(self) -> bool:
        """Whether some event makes a concession to a hold-out."""
        return any(step.concessions for step in self.events.values())

    def take(self, start: int, stop: int) -> World:
        """Runs ``start`` to ``stop`` of a world with one run per sweep point (else itself)."""
        if self.runs == 1:
            return self
        return replace(
            self,
            **{name: getattr(self, name)[start:stop] for name in RUN_ARRAYS},
            params={name: value[start:stop] for name, value in self.params.items()},
        )


def stack_worlds(worlds: list[World], counts: list[int]) -> World:
    """One world whose runs are ``counts[i]`` copies of ``worlds[i]``, in order: the design
    points of a sweep advanced together by the batch engine.

    Raises
    ------
    ValueError
        If the worlds differ in more than their per-run values (countries, blocs, events,
        geography), so that their runs cannot share arrays.
    """
    first = worlds[0]
    shared = [f.name for f in fields(World) if f.name not in (*RUN_ARRAYS, "params")]
    for world in worlds[1:]:
        for name in shared:
            mine, theirs = getattr(first, name), getattr(world, name)
            same = np.array_equal(mine, theirs) if name == "distance_km" else mine == theirs
            if not same:
                raise ValueError(f"worlds differ in {name}: they cannot be stacked")
    return replace(
        first,
        **{name: np.concatenate([np.repeat(getattr(w, name), c, axis=0)
                                 for w, c in zip(worlds, counts, strict=True)])
           for name in RUN_ARRAYS},
        params={name: np.concatenate([np.repeat(w.params[name], c)
                                      for w, c in zip(worlds, counts, strict=True)])
                for name in first.params},
    )  # fmt: skip


RUN_ARRAYS = (
    "capability",
    "alignment",
    "anchor",
    "stubbornness",
    "openness",
    "ties",
    "guarantee",
    "neutral",
    "neutrality_cost",
    "domestic_cost",
    "misperception",
    "affinity",
    "tension",
    "baseline",
)


def compile_world(scenario: schema.Scenario) -> World:
    """Turn a validated scenario into a :class:`World` with one run on the run axis."""
    codes = tuple(scenario.codes)
    index = {code: i for i, code in enumerate(codes)}
    countries = [scenario.countries[code] for code in codes]
    n = len(codes)

    def country_array(attribute: str) -> np.ndarray:
        return np.array([[float(getattr(c, attribute)) for c in countries]])

    alignment = country_array("alignment")
    anchor = np.array([[c.anchor if c.anchor is not None else c.alignment for c in countries]])
    defaults = scenario.relation_defaults
    affinity = np.full((1, n, n), defaults.affinity)
    tension = np.full((1, n, n), defaults.tension)
    baseline = np.full((1, n, n), np.nan)
    for key, relation in scenario.relations.items():
        first, second = overrides.split_pair(key)
        i, j = index[first], index[second]
        for array, value in (
            (affinity, relation.affinity),
            (tension, relation.tension),
            (baseline, relation.baseline),
        ):
            if value is not None:
                array[0, i, j] = array[0, j, i] = value
    baseline = np.where(np.isnan(baseline), tension, baseline)
    for array in (affinity, tension, baseline):
        np.fill_diagonal(array[0], 0.0)

    slots = [
        replace(
            bloc_slot(name, bloc, tuple(index[c] for c in bloc.members), "scenario"),
            process=process_slot(bloc, index) if bloc.accession == "process" else None,
        )
        for name, bloc in scenario.blocs.items()
    ]
    events: dict[int, StepEvents] = {}
    slot_of = {slot.name: k for k, slot in enumerate(slots)}
    deferred: list[tuple[StepEvents, schema.SetEvent | schema.AddEvent]] = []
    for event in scenario.events:
        step_events = events.setdefault(scenario.event_step(event), StepEvents())
        if event.note:
            step_events.notes.append(event.note)
        match event:
            case schema.FormBlocEvent():
                slot_of[event.name] = len(slots)
                members = tuple(index[c] for c in scenario.expand(event.members))
                slots.append(bloc_slot(event.name, event, members, "event"))
                step_events.forms.append(slot_of[event.name])
            case schema.SetEvent() | schema.AddEvent():
                deferred.append((step_events, event))  # once every bloc has its slot
            case schema.ShockEvent():
                for i, j in event_dyads(scenario, event, index):
                    step_events.shocks.append((i, j, event.delta))
            case schema.AffinityEvent():
                for i, j in event_dyads(scenario, event, index):
                    step_events.affinities.append((i, j, event.delta))
            case schema.JoinEvent():
                for code in scenario.members_of(event.country):
                    step_events.joins.append((index[code], slot_of[event.bloc]))
            case schema.LeaveEvent():
                for code in scenario.members_of(event.country):
                    step_events.leaves.append((index[code], slot_of[event.bloc]))
            case schema.InviteEvent():
                for code in scenario.members_of(event.country):
                    step_events.invites.append((index[code], slot_of[event.bloc]))
                    if event.note and not event.country.startswith(overrides.GROUP):
                        step_events.announced.append(("invite", index[code], slot_of[event.bloc]))
            case schema.ApplyEvent():
                for code in scenario.members_of(event.country):
                    step_events.applies.append((index[code], slot_of[event.bloc]))
                    if event.note and not event.country.startswith(overrides.GROUP):
                        step_events.announced.append(("apply", index[code], slot_of[event.bloc]))
            case schema.ConcessionEvent():
                for to in scenario.members_of(event.to):
                    for code in scenario.members_of(event.candidate):
                        if to != code:
                            step_events.concessions.append((index[to], index[code], event.value))
    counter_slot = -1
    if scenario.dynamics.counter_bloc.enabled:
        counter_slot = len(slots)
        slots.append(BlocSlot("counter-bloc", False, -1.0, False, 0.1, (), "counter"))
    slot_of[schema.COUNTER_BLOC_KEY] = counter_slot
    for step_events, event in deferred:
        step_events.changes.extend(compile_changes(scenario, event, index, slot_of))

    dump = scenario.model_dump()
    params = {
        name: np.array([float(overrides.resolve_path(dump, path))])
        for name, path in PARAM_PATHS.items()
    } | patron_params(scenario)
    pact_name = scenario.pact_name
    return World(
        codes=codes,
        names=tuple(c.name for c in countries),
        start=scenario.start,
        capability=country_array("capability"),
        alignment=alignment,
        anchor=anchor,
        stubbornness=country_array("stubbornness"),
        openness=country_array("openness"),
        ties=np.array([[list(patrons.ties(dump, name).values()) for name in scenario.patrons]]),
        guarantee=np.array(
            [[list(patrons.guaranteed(dump, name).values()) for name in scenario.patrons]],
            dtype=float,
        ),
        neutral=country_array("neutral"),
        neutrality_cost=country_array("neutrality_cost"),
        neutral_by_law=np.array([[c.neutrality == "law" for c in countries]]),
        domestic_cost=domestic_costs(countries, slots),
        misperception=country_array("misperception"),
        distance_km=dyad_distances(scenario),
        affinity=affinity,
        tension=tension,
        baseline=baseline,
        params=params,
        patrons=tuple(scenario.patrons),
        patron_country=tuple(
            -1 if p.country is None else index[p.country] for p in scenario.patrons.values()
        ),
        blocs=tuple(slots),
        pact=-1 if pact_name is None else slot_of[pact_name],
        counter_slot=counter_slot,
        tracked_dyads=tuple(
            (index[a], index[b]) for a, b in map(overrides.split_pair, scenario.tracked_dyads)
        ),
        events=events,
    )


def process_slot(bloc: schema.Bloc, index: dict[str, int]) -> ProcessSlot:
    """A bloc's accession process as numbers (defaults where the file gives no settings)."""
    process = bloc.process or schema.AccessionProcess()
    codes = list(index)

    def per_member(values: dict[str, float], default: float) -> tuple[float, ...]:
        return tuple(float(values.get(code, default)) for code in codes)

    return ProcessSlot(
        rule=process.invitation or bloc.admission,
        leader=-1 if process.leader is None else index[process.leader],
        invitation_rate=process.invitation_rate,
        ratification_rate=per_member(process.ratification_rates, process.ratification_rate),
        holdout=per_member(process.holdouts, 0.0),
        side_payment=per_member(process.side_payments, 0.0),
        lag=process.effective_lag,
        together=process.ratify_together,
    )


def event_dyads(
    scenario: schema.Scenario,
    event: schema.ShockEvent | schema.AffinityEvent,
    index: dict[str, int],
) -> list[tuple[int, int]]:
    """The dyads of a shock or affinity event: one, or one per pair its groups make."""
    keys = overrides.expand_dyad("-".join(event.countries), scenario.groups)
    return [(index[a], index[b]) for a, b in map(overrides.split_pair, keys)]


def domestic_costs(countries: list[schema.Country], slots: list[BlocSlot]) -> np.ndarray:
    """Each country's cost of joining each bloc slot, shape (1, n, B).

    A number applies to every bloc; a mapping names blocs (``counter_bloc`` for the
    counter-bloc) and leaves the blocs it does not name at 0.
    """
    names = [schema.COUNTER_BLOC_KEY if slot.origin == "counter" else slot.name for slot in slots]
    costs = np.zeros((1, len(countries), len(slots)))
    for i, country in enumerate(countries):
        cost = country.domestic_cost
        if isinstance(cost, dict):
            costs[0, i] = [cost.get(name, 0.0) for name in names]
        else:
            costs[0, i] = cost
    return costs


EVOLVING_RANGES = {"alignment": (-1.0, 1.0), "affinity": (-1.0, 1.0), "tension": (0.0, np.inf),
                   "depth": (0.0, 1.0)}  # fmt: skip


def compile_changes(
    scenario: schema.Scenario,
    event: schema.SetEvent | schema.AddEvent,
    index: dict[str, int],
    slot_of: dict[str, int],
) -> list[Change]:
    """The :class:`Change` of each value a checked ``set`` or ``add`` event writes (countries by
    ``index``, blocs by ``slot_of``, the counter-bloc's slot under ``counter_bloc``, -1 when it
    is off)."""
    value, add = float(event.value), isinstance(event, schema.AddEvent)
    return [compile_change(target, value, add, index, slot_of, tuple(scenario.patrons))
            for target in change_targets(scenario, event.path)]  # fmt: skip


def compile_change(
    target: ChangeTarget,
    value: float,
    add: bool,
    index: dict[str, int],
    slot_of: dict[str, int],
    patron_names: tuple[str, ...] = (),
) -> Change:
    """The :class:`Change` of one target of a change event."""
    if target.section == "params":
        return Change("params", param_name(target.field), ((),), value, add)
    if target.section == "patrons":  # a tie or a guarantee, on the (patron, country) cell
        patron = patron_names.index(target.owner)
        cells: tuple[tuple[int, ...], ...] = ((patron, index[target.country]),)
        return Change(target.field, None, cells, value, add)
    if target.section == "relations":
        i, j = (index[code] for code in overrides.split_pair(target.owner))
        cells = ((i, j), (j, i))
    elif target.section == "blocs" and target.process == "ratification_rate":
        cells = tuple((slot_of[target.owner], m) for m in range(len(index)))  # every member
    elif target.section == "blocs" and target.member is not None:
        cells = ((slot_of[target.owner], index[target.member]),)
    elif target.section == "blocs":
        cells = ((slot_of[target.owner],),)
        if target.field == "integration.erodes":
            return Change("erodes", None, cells, value, add)
    elif target.field == "domestic_cost":
        chosen = [slot for name, slot in slot_of.items() if target.bloc in (None, name)]
        cells = tuple((index[target.owner], slot) for slot in sorted(chosen) if slot >= 0)
    else:
        cells = ((index[target.owner],),)
    low, high = EVOLVING_RANGES.get(target.field, (-np.inf, np.inf))
    return Change(target.field, None, cells, value, add, low, high)


def param_name(path: str) -> str:
    """The World.params name of a ``patrons.*`` or ``dynamics.*`` dotted path."""
    if path.startswith("patrons."):
        return path
    for name, full in PARAM_PATHS.items():
        if full == path:
            return name
    raise KeyError(path)


def describe(world: World) -> dict[str, Any]:
    """A short summary of a world (for ``alliance-sim validate``)."""
    return {
        "countries": len(world.codes),
        "blocs": [slot.name for slot in world.blocs if slot.origin != "counter"],
        "events": sum(
            len(e.changes)
            + len(e.shocks)
            + len(e.affinities)
            + len(e.forms)
            + len(e.leaves)
            + len(e.joins)
            + len(e.invites)
            + len(e.applies)
            + len(e.concessions)
            for e in world.events.values()
        ),
    }
