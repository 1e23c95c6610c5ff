"""Dated changes of scenario values: what a ``set`` or ``add`` event's dotted path names.

A ``set`` event gives the value at a dotted path a new value from its month on, an ``add`` event
adds to it (MODEL.md section 3.3). The paths are those of ``--set`` overrides
(:mod:`sim.scenario.overrides`): ``countries.FIN.domestic_cost`` (every bloc) or
``countries.FIN.domestic_cost.nato`` (one bloc), ``relations.FIN-RUS.baseline`` (either direction,
listed or not), ``blocs.nato.open``, ``patrons.russia.support``, ``patrons.china.clients.SRB``
(a tie; ``countries.SRB.russia_ties`` is the shorthand of ``russia``'s), ``patrons.west.guarantees
.ALB`` (a switch; ``countries.ALB.nato``), ``dynamics.tension.decay``.
Values the model itself evolves (alignment, tension, affinity, depth) change from the month's
state; the others keep the changed value until the next change, so their whole timeline is known,
and checked, when the scenario loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import ConfigError
from sim.scenario.overrides import expand_path, pair_key, resolve_path, split_pair
from sim.scenario.patrons import SHORTHANDS, home_path, unknown_patron
from sim.scenario.reading import plain_expectation
from sim.scenario.schema import (
    COUNTER_BLOC_KEY,
    AccessionProcess,
    AddEvent,
    Bloc,
    ChangeEvent,
    Country,
    Dynamics,
    FormBlocEvent,
    Patron,
    Relation,
    Scenario,
)

COUNTRY_FIELDS = {
    "alignment": "evolves",
    "capability": "number",
    "anchor": "number",
    "stubbornness": "number",
    "openness": "number",
    "misperception": "number",
    "domestic_cost": "number",
    "neutral": "switch",
    "neutrality_cost": "number",
}
RELATION_FIELDS = {"affinity": "evolves", "tension": "evolves", "baseline": "number"}
BLOC_FIELDS = {"depth": "evolves", "eligibility": "number", "open": "switch",
               "integration.erodes": "switch"}  # fmt: skip
# a process bloc's settings (blocs.<b>.process.<field>[.<member>]): the state array each writes
PROCESS_FIELDS = {"invitation_rate": "invitation_rate", "ratification_rate": "ratification_rate"}
MEMBER_FIELDS = {"ratification_rates": "ratification_rate", "holdouts": "holdout",
                 "side_payments": "side_payment"}  # fmt: skip
FIXED = {  # what cannot change during a run, and why
    "lat": "fixed geography",
    "lon": "fixed geography",
    "eu": "not used by the model",
    "admission": "fixed when the bloc is founded",
    "accession": "fixed when the bloc is founded",
    "enabled": "fixed when the run starts",
    "stage": "the stage a bloc is founded at; its depth then evolves",
}


@dataclass(frozen=True)
class ChangeTarget:
    """One value a change event writes.

    ``section`` is ``countries``, ``relations``, ``blocs`` or ``params`` (patrons and dynamics);
    ``owner`` the country code, the sorted dyad key (``FIN-RUS``) or the bloc name (empty for
    params); ``field`` the value's name (the full dotted path for params); ``bloc`` the bloc of a
    per-bloc domestic cost (None: every bloc); ``kind`` is ``number``, ``switch`` (true/false)
    or ``evolves`` (a number the model itself changes each month); ``member`` the member of a
    process setting given per member (``blocs.nato.process.holdouts.GRC``), ``process`` the
    setting's name in the file (``holdouts``) when the field is one of a bloc's process.
    """

    section: str  # countries, relations, blocs, params, or patrons (a tie or guarantee)
    owner: str
    field: str
    kind: str
    bloc: str | None = None
    country: str | None = None  # the client or guaranteed country of a patron's tie/guarantee
    home: str = ""  # where a tie or guarantee lives in the file (patrons.home_path)
    member: str | None = None
    process: str | None = None


def event_blocs(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Every bloc a path may name: the file's and those of ``form_bloc`` events, as dumps."""
    blocs = {name: bloc.model_dump() for name, bloc in scenario.blocs.items()}
    for event in scenario.events:
        if isinstance(event, FormBlocEvent):
            fields = event.model_dump(include=set(Bloc.model_fields))
            fields["members"] = scenario.expand(event.members)  # groups named as @name
            blocs[event.name] = Bloc.model_validate(fields).model_dump()
    return blocs


def change_targets(scenario: Scenario, path: str) -> list[ChangeTarget]:
    """What a change event's path names: one value, or one per member or dyad of a group
    (``countries.@nato.domestic_cost``, ``relations.RUS-@nato.baseline``).

    Raises
    ------
    ValueError
        With what was expected, if the path names no value that can change during a run.
    """
    try:
        paths = expand_path(path, scenario.groups)
    except KeyError as err:
        known = sorted(f"@{name}" for name in scenario.groups)
        raise ValueError(f"a group among {known} (not {err.args[0]})") from None
    return [change_target(scenario, one) for one in paths]


def change_target(scenario: Scenario, path: str) -> ChangeTarget:
    """What a change event's path names.

    Raises
    ------
    ValueError
        With what was expected, if the path names no value that can change during a run.
    """
    parts = path.split(".")
    head = parts[0]
    values = scenario.model_dump()
    expected = unknown_patron(values, path)
    if expected:
        raise ValueError(expected)
    tie = patron_entry(scenario, values, path)
    if tie is not None:
        return tie
    if head == "patrons" and len(parts) == 4 and parts[2] == "stances":
        return stance_target(scenario, parts)
    if head in ("patrons", "dynamics"):
        if parts[-1] in FIXED:
            raise ValueError(f"a value that can change during a run ({path} is "
                             f"{FIXED[parts[-1]]})")  # fmt: skip
        try:
            resolve_path(values, path)
        except KeyError:
            raise ValueError("an existing numeric parameter path") from None
        return ChangeTarget("params", "", path, "number")
    if head == "relations" and len(parts) == 3:
        pair = split_pair(parts[1])
        if pair is None or pair[0] == pair[1] or not set(pair) <= set(scenario.codes):
            raise ValueError("a dyad of listed countries as relations.A-B.<field>")
        if parts[2] == "distance_km":
            raise ValueError("a value that can change during a run (distance_km is fixed "
                             "geography)")  # fmt: skip
        if parts[2] not in RELATION_FIELDS:
            raise ValueError(f"one of {list(Relation.model_fields)} after the dyad")
        return ChangeTarget("relations", pair_key(*pair), parts[2], RELATION_FIELDS[parts[2]])
    if head == "countries" and len(parts) in (3, 4):
        code, field = parts[1], parts[2]
        if code not in scenario.countries:
            raise ValueError("a listed country code after countries.")
        if field in FIXED:
            raise ValueError(f"a value that can change during a run ({field} is {FIXED[field]})")
        if field not in COUNTRY_FIELDS or (len(parts) == 4 and field != "domestic_cost"):
            raise ValueError(f"countries.<code>.<one of {sorted([*COUNTRY_FIELDS, *SHORTHANDS])}>")
        bloc = parts[3] if len(parts) == 4 else None
        known = {*event_blocs(scenario), COUNTER_BLOC_KEY}
        if bloc is not None and bloc not in known:
            raise ValueError(f"a bloc name among {sorted(known)} after domestic_cost.")
        return ChangeTarget("countries", code, field, COUNTRY_FIELDS[field], bloc)
    if head == "blocs" and len(parts) in (4, 5) and parts[2] == "process":
        return process_target(scenario, parts)
    if head == "blocs" and len(parts) in (3, 4):
        name, field = parts[1], ".".join(parts[2:])
        if name not in event_blocs(scenario):
            raise ValueError(f"a bloc among {sorted(event_blocs(scenario))} after blocs.")
        if parts[-1] in FIXED:
            raise ValueError(f"a value that can change during a run ({parts[-1]} is "
                             f"{FIXED[parts[-1]]})")  # fmt: skip
        if field not in BLOC_FIELDS:
            raise ValueError(f"blocs.<name>.<one of {sorted(BLOC_FIELDS)}>")
        return ChangeTarget("blocs", name, field, BLOC_FIELDS[field])
    raise ValueError(
        "a path countries.<code>.<field>, relations.<A-B>.<field>, blocs.<name>.<field>, "
        "patrons.<...> or dynamics.<...>"
    )


def stance_target(scenario: Scenario, parts: list[str]) -> ChangeTarget:
    """The target of ``patrons.<name>.stances.<bloc>``: a patron's stance toward any bloc but
    the pact, listed in the file or not (an unlisted stance is 0 until the event)."""
    known = {*event_blocs(scenario), COUNTER_BLOC_KEY} - {scenario.pact_name}
    if parts[3] not in known:
        raise ValueError(f"a bloc among {sorted(known)} after stances. (the stance toward the "
                         f"pact is patrons.{parts[1]}.endorsement)")  # fmt: skip
    return ChangeTarget("params", "", ".".join(parts), "number")


def patron_entry(scenario: Scenario, values: dict[str, Any], path: str) -> ChangeTarget | None:
    """The target of a path naming a tie or a guarantee (``patrons.china.clients.SRB``,
    ``patrons.west.guarantees.ALB``, or the shorthands ``countries.SRB.russia_ties`` and
    ``countries.ALB.nato``), else None.

    Raises
    ------
    ValueError
        If the path names a country that is not listed.
    """
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "countries" and parts[2] in SHORTHANDS:
        (name, section), code = SHORTHANDS[parts[2]], parts[1]
    elif len(parts) == 4 and parts[0] == "patrons" and parts[2] in ("clients", "guarantees"):
        name, section, code = parts[1:]
    else:
        return None
    if code not in scenario.countries:
        raise ValueError(f"a listed country code in {path}")
    field, kind = ("ties", "number") if section == "clients" else ("guarantee", "switch")
    return ChangeTarget("patrons", name, field, kind, country=code, home=home_path(values, path))


def write_entry(values: dict[str, Any], target: ChangeTarget, event: ChangeEvent) -> None:
    """Write a tie or guarantee change at its home and validate the object it is in."""
    adding = isinstance(event, AddEvent)
    parts = target.home.split(".")
    if parts[0] == "countries":
        node = values["countries"][target.country]
        node[parts[2]] = node[parts[2]] + event.value if adding else event.value
        Country.model_validate(node)
        return
    patron = values["patrons"][target.owner]
    if target.field == "ties":
        old = patron["clients"].get(target.country, 0.0)
        patron["clients"][target.country] = old + event.value if adding else event.value
    else:
        listed = [code for code in patron["guarantees"] if code != target.country]
        patron["guarantees"] = [*listed, target.country] if event.value else listed
    Patron.model_validate(patron)


def process_target(scenario: Scenario, parts: list[str]) -> ChangeTarget:
    """What ``blocs.<b>.process.<field>`` or ``blocs.<b>.process.<field>.<member>`` names.

    Raises
    ------
    ValueError
        Unless the bloc has ``accession: process`` and the field is a rate (bloc-wide) or a
        per-member setting with a listed country.
    """
    name, field = parts[1], parts[3]
    bloc = scenario.blocs.get(name)
    if bloc is None or bloc.accession != "process":
        known = sorted(n for n, b in scenario.blocs.items() if b.accession == "process")
        raise ValueError(f"a bloc with accession: process {known} after blocs.")
    if len(parts) == 4 and field in PROCESS_FIELDS:
        return ChangeTarget("blocs", name, PROCESS_FIELDS[field], "number", process=field)
    if len(parts) == 5 and field in MEMBER_FIELDS:
        if parts[4] not in scenario.countries:
            raise ValueError(f"a listed country code after blocs.{name}.process.{field}.")
        return ChangeTarget("blocs", name, MEMBER_FIELDS[field], "number", member=parts[4],
                            process=field)  # fmt: skip
    raise ValueError(
        f"blocs.<name>.process.<one of {sorted(PROCESS_FIELDS)}> or "
        f"blocs.<name>.process.<one of {sorted(MEMBER_FIELDS)}>.<member>"
    )


SUB_MODELS = {"countries": Country, "relations": Relation, "blocs": Bloc}


def change_timeline(
    scenario: Scenario, steps: list[int], file: str | Path | None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Walk the scenario's change events in the order they apply, checking each.

    Yields ``(step, values)`` after each event: ``values`` is the scenario's dump (event blocs
    included) with every change so far written in, one mutable mapping (read it, do not keep
    it). Values the model evolves are written by ``set`` only (for their range check). ``steps``
    holds every event's step.

    Raises
    ------
    ConfigError
        Naming ``events.<i>.path`` for a path that cannot change, ``events.<i>.value`` for a
        mistyped or out-of-range value (the event's id, if any, in the message), or
        ``events.<i>.month`` for a change of a ``form_bloc`` bloc not after its founding.
    """
    values = scenario.model_dump()
    values["blocs"] = event_blocs(scenario)
    founded = {e.name: steps[i] for i, e in enumerate(scenario.events)
               if isinstance(e, FormBlocEvent)}  # fmt: skip
    order = sorted(
        (steps[i], i) for i, e in enumerate(scenario.events) if isinstance(e, ChangeEvent)
    )
    for step, index in order:
        event = scenario.events[index]
        where, named = f"events.{index}", f" (event {event.id})" if event.id else ""
        try:
            targets = change_targets(scenario, event.path)
        except ValueError as err:
            raise ConfigError(file, f"{where}.path", f"{err}{named}", event.path) from None
        for target in targets:
            if target.section == "blocs" and founded.get(target.owner, -1) >= step:
                expected = f"a month after bloc {target.owner} is founded by its form_bloc event"
                raise ConfigError(file, f"{where}.month", f"{expected}{named}", event.month)
            expected = type_expected(target, event)
            if expected:
                raise ConfigError(file, f"{where}.value", f"{expected}{named}", event.value)
            try:
                write_change(values, target, event)
            except ValidationError as err:
                expected = plain_expectation(err.errors()[0])
                owner = f" for {target.owner}" if len(targets) > 1 else ""
                raise ConfigError(file, f"{where}.value", f"{expected} (as {event.path}"
                                  f"{owner}){named}", event.value) from None  # fmt: skip
        yield step, values


def type_expected(target: ChangeTarget, event: ChangeEvent) -> str:
    """What a change's value should have been if its type does not fit the path, else ''."""
    switch = isinstance(event.value, bool)
    if target.kind == "switch" and isinstance(event, AddEvent):
        return f"a set event for {event.path} (a switch: true or false; nothing to add)"
    if target.kind == "switch" and not switch:
        return f"true or false ({event.path} is a switch)"
    if target.kind != "switch" and switch:
        return f"a number ({event.path} is a number)"
    return ""


def write_change(values: dict[str, Any], target: ChangeTarget, event: ChangeEvent) -> None:
    """Write one change into ``values`` and validate the object it is in.

    Raises
    ------
    ValidationError
        If the new value is out of the field's range.
    """
    adding = isinstance(event, AddEvent)
    if target.kind == "evolves" and adding:
        return  # the month's value is only known in the run; the engines keep it in range
    if target.section == "patrons":
        write_entry(values, target, event)
        return
    if target.section == "params":
        *parents, leaf = target.field.split(".")
        node = values
        for part in parents:
            node = node[part]
        start = node.get(leaf, 0.0)  # a stance the file does not list is 0
        node[leaf] = start + event.value if adding else event.value
        if parents[0] == "patrons":
            Patron.model_validate(values["patrons"][parents[1]])
        else:
            Dynamics.model_validate(values["dynamics"])
        return
    if target.section == "relations":
        node = values["relations"].setdefault(target.owner, {})
        tension = node.get("tension")
        start = values["relation_defaults"]["tension"] if tension is None else tension
        current = {"baseline": start}
    elif target.section == "countries":
        node = values["countries"][target.owner]
        current = {"anchor": node["alignment"]}
        if target.field == "domestic_cost":
            node["domestic_cost"] = per_bloc_costs(node["domestic_cost"], values["blocs"])
            for name, cost in node["domestic_cost"].items():
                if target.bloc in (None, name):
                    node["domestic_cost"][name] = cost + event.value if adding else event.value
            SUB_MODELS["countries"].model_validate(node)
            return
    elif target.field == "integration.erodes":
        bloc = values["blocs"][target.owner]
        bloc["integration"]["erodes"] = event.value
        SUB_MODELS["blocs"].model_validate(bloc)
        return
    elif target.process is not None:
        write_process_change(values["blocs"][target.owner], target, event)
        return
    else:
        node, current = values["blocs"][target.owner], {}
    old = node.get(target.field)
    old = current.get(target.field) if old is None else old
    node[target.field] = old + event.value if adding else event.value
    SUB_MODELS[target.section].model_validate(node)


def write_process_change(bloc: dict[str, Any], target: ChangeTarget, event: ChangeEvent) -> None:
    """Write a change of a process setting into a bloc's dump and validate the bloc.

    A member without its own value starts from the bloc's (``ratification_rate``) or 0.
    """
    adding = isinstance(event, AddEvent)
    process = bloc["process"] = dict(bloc.get("process") or {})
    defaults = AccessionProcess().model_dump()
    if target.member is None:
        old = process.get(target.process, defaults[target.process])
        process[target.process] = old + event.value if adding else event.value
    else:
        values = process[target.process] = dict(process.get(target.process) or {})
        start = process.get("ratification_rate", defaults["ratification_rate"])
        start = start if target.process == "ratification_rates" else 0.0
        old = values.get(target.member, start)
        values[target.member] = old + event.value if adding else event.value
    Bloc.model_validate(bloc)


def per_bloc_costs(cost: float | dict[str, float], blocs: dict[str, Any]) -> dict[str, float]:
    """A domestic cost as a mapping of every bloc name (and the counter-bloc) to its cost."""
    names = [*blocs, COUNTER_BLOC_KEY]
    if isinstance(cost, dict):
        return {name: cost.get(name, 0.0) for name in names}
    return dict.fromkeys(names, cost)
