"""Scenario files: loading, ``extends:``, validation and the checks pydantic cannot make.

A scenario is the world at the start of a run: countries, their relations, blocs, outside patrons,
the dynamics parameters and dated events (MODEL.md sections 2 and 5). It is read from YAML with a
safe loader and validated into the frozen objects of :mod:`sim.scenario.schema`; the rest of the
package never sees raw dicts. Every numeric value can be addressed by a dotted path
(``countries.SRB.alignment``, ``relations.SRB-XKX.tension``, ``patrons.russia.support``,
``dynamics.tension.decay``) so that experiments can vary it.

Every user mistake raises :class:`~sim.errors.ConfigError` naming the file, the field path, what
was expected and what was found.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import ConfigError, InputFileNotFoundError
from sim.scenario.accession import check_process, check_process_event
from sim.scenario.calendar import parse_month
from sim.scenario.overrides import apply_overrides, normalise, split_pair
from sim.scenario.patrons import check_patrons
from sim.scenario.pattern_checks import check_patterns
from sim.scenario.reading import read_yaml, validation_error
from sim.scenario.schema import (
    COUNTER_BLOC_KEY,
    STAGE_BOUNDARIES,
    STAGES,
    AffinityEvent,
    ChangeEvent,
    ConcessionEvent,
    EventBase,
    FormBlocEvent,
    JoinEvent,
    LeaveEvent,
    Scenario,
    ShockEvent,
    stage_range,
)
from sim.scenario.stability import check_stability


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, validate and optionally override a scenario file.

    Parameters
    ----------
    path : str or Path
        The scenario YAML file.
    overrides : dict, optional
        Dotted paths to new values, applied before validation (see :func:`apply_overrides`).

    Returns
    -------
    Scenario

    Raises
    ------
    ConfigError
        If the file is malformed, a value is out of range or a reference is unknown.
    InputFileNotFoundError
        If the file does not exist.
    """
    return scenario_from_dict(read_scenario_data(path), file=path, overrides=overrides)


EXTENSION_KEYS = {"extends", "name", "description", "overrides", "events"}


def read_scenario_data(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario mapping, resolving ``extends:`` (a variant of another scenario file).

    An extending file names its base relative to itself and may set ``name``, ``description``,
    ``overrides`` (dotted path -> value) and ``events`` (added after the base's events).
    """
    path = Path(path)
    data = read_yaml(path)
    if "countries" not in data and ("scenario" in data or "model" in data):
        raise ConfigError(path, "countries", "a scenario file (countries, relations, blocs, ...); "
                          "this is an experiment file (it names a scenario or model): run it "
                          "with `alliance-sim run`", "no countries")  # fmt: skip
    if "extends" not in data:
        return data
    unknown = set(data) - EXTENSION_KEYS
    if unknown:
        raise ConfigError(
            path,
            sorted(unknown)[0],
            f"only {sorted(EXTENSION_KEYS)} in a file that extends another",
            sorted(unknown),
        )
    base_path = (path.parent / str(data["extends"])).resolve()
    if base_path in _seen:
        raise ConfigError(path, "extends", "no cycle of extends", str(base_path))
    if not base_path.is_file():
        raise InputFileNotFoundError(base_path, referenced_from=path)
    base = read_scenario_data(base_path, (*_seen, path.resolve()))
    events = data.get("events") or []
    overrides = data.get("overrides") or {}
    if not isinstance(events, list):
        raise ConfigError(path, "events", "a list of events", events)
    if not isinstance(overrides, dict):
        raise ConfigError(path, "overrides", "a mapping of dotted paths to numbers", overrides)
    merged = {**base, "events": [*base.get("events", []), *events]}
    for key in ("name", "description"):
        if key in data:
            merged[key] = data[key]
    return apply_overrides(merged, overrides, file=path)


def scenario_from_dict(
    data: dict[str, Any],
    *,
    file: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> Scenario:
    """Validate a scenario given as a plain mapping (as read from YAML)."""
    data = normalise(data, file)
    if overrides:
        data = apply_overrides(data, overrides, file=file)
    try:
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as err:
            raise validation_error(err, file) from None
        check_references(scenario, file)
    except ConfigError as err:
        raise naming_the_event(err, data) from None
    return scenario


def naming_the_event(err: ConfigError, data: dict[str, Any]) -> ConfigError:
    """``err`` with ``(event <id>)`` after what was expected when it is about an event that has
    an id (``events.3.value: expected a number (event prespa), found ...``), else ``err``."""
    head, _, rest = err.field.partition(".")
    index = rest.partition(".")[0]
    events = data.get("events")
    if head != "events" or not index.isdigit() or not isinstance(events, list):
        return err
    event = events[int(index)] if int(index) < len(events) else None
    named = event.get("id") if isinstance(event, dict) else None
    if not named or f"(event {named})" in err.expected:
        return err
    return ConfigError(err.file, err.field, f"{err.expected} (event {named})", err.found)


def check_references(scenario: Scenario, file: str | Path | None) -> None:
    """Check what pydantic cannot: names that refer to countries, blocs and paths, and dates."""
    codes = set(scenario.codes)
    try:
        parse_month(scenario.start)
    except ValueError:
        raise ConfigError(file, "start", "a month written YYYY-MM", scenario.start) from None
    for key in scenario.relations:
        for code in split_pair(key) or ():
            if code not in codes:
                raise ConfigError(file, f"relations.{key}", "a dyad of listed countries", code)
    for key in scenario.tracked_dyads:
        pair = split_pair(key)
        if pair is None or not set(pair) <= codes or pair[0] == pair[1]:
            raise ConfigError(file, "tracked_dyads", "dyads of listed countries as A-B", key)
    for name, members in scenario.groups.items():
        for code in members:
            if code not in codes:
                raise ConfigError(file, f"groups.{name}", "listed country codes", code)
    owner: dict[str, str] = {}
    for name, bloc in scenario.blocs.items():
        for code in bloc.members:
            if code not in codes:
                raise ConfigError(file, f"blocs.{name}.members", "listed country codes", code)
            if code in owner:
                raise ConfigError(
                    file,
                    f"blocs.{name}.members",
                    f"countries in at most one bloc ({code} is already in {owner[code]})",
                    code,
                )
            owner[code] = name
        for code in bloc.candidates or []:
            if code not in codes or code in bloc.members:
                raise ConfigError(file, f"blocs.{name}.candidates", "listed country codes, not "
                                  "members of the bloc at the start", code)  # fmt: skip
    check_domestic_costs(scenario, file)
    check_patrons(scenario, file)
    check_neutrals(scenario, file, owner)
    check_process(scenario, file)
    check_stages(scenario, file)
    founded = [event.name for event in scenario.events if isinstance(event, FormBlocEvent)]
    if scenario.pact is not None and scenario.pact not in {*scenario.blocs, *founded}:
        blocs = sorted({*scenario.blocs, *founded})
        raise ConfigError(file, "pact", f"one of the blocs {blocs} (of the file, or founded by "
                          "a form_bloc event)", scenario.pact)  # fmt: skip
    steps = check_events(scenario, file)
    check_patterns(scenario, file)
    check_stability(scenario, file, steps)  # also checks set and add events as they apply


def check_neutrals(scenario: Scenario, file: str | Path | None, owner: dict[str, str]) -> None:
    """A neutral country by policy has a cost of leaving neutrality (one by law takes no
    membership decision, so it has none), and no neutral country is in a bloc at the start."""
    for code, country in scenario.countries.items():
        if country.neutrality == "law" and country.neutrality_cost > 0:
            raise ConfigError(file, f"countries.{code}.neutrality_cost", "no cost for neutrality "
                              "by law (it bars every membership decision while neutral; a cost "
                              "is for neutrality: policy)", country.neutrality_cost)  # fmt: skip
        if not country.neutral:
            continue
        if country.neutrality == "policy" and country.neutrality_cost <= 0:
            raise ConfigError(file, f"countries.{code}.neutrality_cost", "a positive cost of "
                              "leaving neutrality for a neutral country (sourced or marked "
                              "judgement)", country.neutrality_cost)  # fmt: skip
        if code in owner:
            raise ConfigError(file, f"countries.{code}.neutral", f"false for a member of bloc "
                              f"{owner[code]} at the start", True)  # fmt: skip


def check_stages(scenario: Scenario, file: str | Path | None) -> None:
    """A bloc's depth, where both are given, lies in its integration stage."""
    blocs = [(f"blocs.{name}", bloc) for name, bloc in scenario.blocs.items()]
    blocs += [(f"events.{i}", e) for i, e in enumerate(scenario.events)
              if isinstance(e, FormBlocEvent)]  # fmt: skip
    for where, bloc in blocs:
        stage = bloc.integration.stage
        if stage is None or "depth" not in bloc.model_fields_set:
            continue
        if STAGES[bisect.bisect_right(STAGE_BOUNDARIES, bloc.depth)] != stage:
            low, high = stage_range(stage)
            raise ConfigError(file, f"{where}.depth", f"a depth of the stage {stage} given in "
                              f"integration.stage ({low:.3g} to {high:.3g}; or no depth: the "
                              f"stage's middle)", bloc.depth)  # fmt: skip


def check_domestic_costs(scenario: Scenario, file: str | Path | None) -> None:
    """A per-bloc domestic cost must name blocs of the scenario, its events or the counter-bloc."""
    blocs = {*scenario.blocs, COUNTER_BLOC_KEY}
    blocs |= {event.name for event in scenario.events if isinstance(event, FormBlocEvent)}
    for code, country in scenario.countries.items():
        if isinstance(country.domestic_cost, dict):
            for name in country.domestic_cost:
                if name not in blocs:
                    raise ConfigError(
                        file,
                        f"countries.{code}.domestic_cost.{name}",
                        f"a bloc name among {sorted(blocs)}",
                        name,
                    )


def check_events(scenario: Scenario, file: str | Path | None) -> list[int]:
    """Check each event's month, id and the countries and blocs it names; return their steps.

    A bloc made by a ``form_bloc`` event can be named only from its founding month on; a
    country cannot be made to join and leave the same bloc in the same month.
    """
    codes = set(scenario.codes)
    steps = [
        event_step_checked(scenario, index, event, file)
        for index, event in enumerate(scenario.events)
    ]
    check_event_ids(scenario, file)
    founded = dict.fromkeys(scenario.blocs, 0)
    for index, event in enumerate(scenario.events):
        if isinstance(event, FormBlocEvent):
            if event.name in founded:
                raise ConfigError(file, f"events.{index}.name", "a new bloc name", event.name)
            founded[event.name] = steps[index]
    moves: dict[tuple[int, str, str], str] = {}
    for index, (event, step) in enumerate(zip(scenario.events, steps, strict=True)):
        where = f"events.{index}"
        if isinstance(event, FormBlocEvent):
            members = expand_names(scenario, event.members, f"{where}.members", file)
            if len(set(members)) < 2:
                raise ConfigError(file, f"{where}.members", "at least two countries (codes or "
                                  "groups)", event.members)  # fmt: skip
            named = [("members", code) for code in members]
        elif isinstance(event, ChangeEvent):
            named = []  # checked in the order they apply, by change_timeline
        elif isinstance(event, ConcessionEvent):
            named = check_process_event(scenario, index, event, file)
        elif isinstance(event, ShockEvent | AffinityEvent):
            first, second = (expand_names(scenario, [name], f"{where}.countries", file)
                             for name in event.countries)  # fmt: skip
            if not any(a != b for a in first for b in second):
                raise ConfigError(file, f"{where}.countries", "two different countries",
                                  event.countries)  # fmt: skip
            named = [("countries", code) for code in [*first, *second]]
        else:
            if founded.get(event.bloc, step + 1) > step:
                known = sorted(name for name, month in founded.items() if month <= step)
                raise ConfigError(
                    file, f"{where}.bloc", f"a bloc that exists by then {known}", event.bloc
                )
            check_process_event(scenario, index, event, file)
            codes_named = expand_names(scenario, [event.country], f"{where}.country", file)
            named = [("country", code) for code in codes_named]
            for code in codes_named if isinstance(event, JoinEvent | LeaveEvent) else []:
                key = (step, code, event.bloc)
                if moves.setdefault(key, event.type) != event.type:
                    raise ConfigError(
                        file,
                        where,
                        "not both a join and a leave of one bloc in one month",
                        f"{code} {event.bloc}",
                    )
        for field, code in named:
            if code not in codes:
                raise ConfigError(file, f"{where}.{field}", "listed country codes", code)
    return steps


def expand_names(
    scenario: Scenario, names: list[str], where: str, file: str | Path | None
) -> list[str]:
    """The codes that country codes and groups (``@name``) name.

    Raises
    ------
    ConfigError
        Naming ``where`` for a group the scenario does not define.
    """
    try:
        return scenario.expand(names)
    except KeyError as err:
        known = sorted(f"@{name}" for name in scenario.groups)
        raise ConfigError(file, where, f"a group among {known}", f"@{err.args[0]}") from None


def check_event_ids(scenario: Scenario, file: str | Path | None) -> None:
    """Event ids, where given, must differ: variants remove and replace events by id."""
    seen: dict[str, int] = {}
    for index, event in enumerate(scenario.events):
        if event.id is None:
            continue
        if event.id in seen:
            raise ConfigError(file, f"events.{index}.id", f"an id no other event has (events."
                              f"{seen[event.id]} has it)", event.id)  # fmt: skip
        seen[event.id] = index


def event_step_checked(
    scenario: Scenario, index: int, event: EventBase, file: str | Path | None
) -> int:
    """The step of an event, with a clear error for a malformed or too early month."""
    where = f"events.{index}.month"
    try:
        step = scenario.event_step(event)
    except ValueError:
        raise ConfigError(
            file, where, "a month written YYYY-MM or a step number", event.month
        ) from None
    if step < 0:
        raise ConfigError(
            file, where, f"a month not before the start {scenario.start}", event.month
        )
    return step
