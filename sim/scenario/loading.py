"""Scenario files: loading, validation and dotted-path overrides.

A scenario is the world at the start of a run: countries, their relations, blocs, outside patrons,
the dynamics parameters and dated events (MODEL.md sections 2 and 5). It is read from YAML with a
safe loader and validated into the frozen objects of :mod:`sim.schema`; the rest of the package
never sees raw dicts. Every numeric value can be addressed by a dotted path
(``countries.SRB.alignment``, ``relations.SRB-XKX.tension``, ``patrons.russia.support``,
``dynamics.tension.decay``) so that experiments can vary it.

Every user mistake raises :class:`~sim.errors.ConfigError` naming the file, the field path, what
was expected and what was found.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import ConfigError, InputFileNotFoundError
from sim.months import parse_month
from sim.schema import (
    CODE_PATTERN,
    SETTABLE_PREFIXES,
    AccessionParams,
    AffinityEvent,
    AlignmentParams,
    Bloc,
    CounterBlocParams,
    Country,
    CrisisParams,
    Dynamics,
    Event,
    EventBase,
    FormBlocEvent,
    Frozen,
    IntegrationParams,
    InviteEvent,
    JoinEvent,
    LeaveEvent,
    Month,
    NonNegative,
    Patrons,
    PropensityParams,
    Relation,
    RelationDefaults,
    Russia,
    Scenario,
    SetEvent,
    ShockEvent,
    Signed,
    TensionParams,
    ThreatParams,
    Unit,
    West,
)

__all__ = [
    "CODE_PATTERN",
    "SETTABLE_PREFIXES",
    "AccessionParams",
    "AffinityEvent",
    "AlignmentParams",
    "Bloc",
    "ConfigError",
    "CounterBlocParams",
    "Country",
    "CrisisParams",
    "Dynamics",
    "Event",
    "EventBase",
    "FormBlocEvent",
    "Frozen",
    "InputFileNotFoundError",
    "IntegrationParams",
    "InviteEvent",
    "JoinEvent",
    "LeaveEvent",
    "Month",
    "NonNegative",
    "Patrons",
    "PropensityParams",
    "Relation",
    "RelationDefaults",
    "Russia",
    "Scenario",
    "SetEvent",
    "ShockEvent",
    "Signed",
    "TensionParams",
    "ThreatParams",
    "Unit",
    "West",
    "apply_overrides",
    "load_scenario",
    "pair_key",
    "read_scenario_data",
    "read_yaml",
    "resolve_path",
    "scenario_from_dict",
    "split_pair",
]

# --- loading and validation ----------------------------------------------------------------------


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping with a safe loader; a clear error if it is missing or malformed."""
    path = Path(path)
    if not path.is_file():
        raise InputFileNotFoundError(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(path, where, "well-formed YAML", problem) from None
    if not isinstance(data, dict):
        raise ConfigError(path, "(top level)", "a mapping of keys to values", data)
    return data


BOUNDS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
PLAIN_TYPES = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
}


def plain_expectation(error: dict[str, Any]) -> str:
    """What a pydantic error expected, in plain words (e.g. ``a number ≤ 1``)."""
    kind, context = error["type"], error.get("ctx", {})
    if kind == "extra_forbidden":
        return "no such key (check the spelling; see docs/configuration.md)"
    if kind == "missing":
        return "this required field"
    for key, sign in BOUNDS.items():
        if key in context and kind.startswith(("greater_than", "less_than")):
            bound = context[key]
            return (
                f"a number {sign} {bound:g}"
                if isinstance(bound, float)
                else f"a number {sign} {bound}"
            )
    if kind in PLAIN_TYPES:
        return PLAIN_TYPES[kind]
    if kind == "string_pattern_mismatch":
        return "a name of letters, digits and _ starting with a letter"
    if kind == "literal_error":
        return f"one of {context.get('expected', '')}"
    if kind == "too_short":
        return f"at least {context.get('min_length')} items"
    if kind == "too_long":
        return f"at most {context.get('max_length')} items"
    if kind == "union_tag_invalid":
        return f"a type among {context.get('expected_tags', '')}"
    return error["msg"].removeprefix("Value error, ")


def validation_error(err: ValidationError, file: str | Path | None) -> ConfigError:
    """Turn pydantic's first error into a ConfigError naming the dotted field path."""
    first = err.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(top level)"
    found = "nothing" if first["type"] == "missing" else first.get("input")
    return ConfigError(file, field, plain_expectation(first), found)


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
    data = normalise_relations(data, file)
    if overrides:
        data = apply_overrides(data, overrides, file=file)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise validation_error(err, file) from None
    check_references(scenario, file)
    return scenario


def pair_key(first: str, second: str) -> str:
    """The canonical key of a dyad: the two codes in sorted order, joined by '-'."""
    return "-".join(sorted((first, second)))


def split_pair(key: str) -> tuple[str, str] | None:
    """Split ``'SRB-XKX'`` into its codes; None if the key is not two codes joined by '-'."""
    parts = str(key).split("-")
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


def normalise_relations(data: dict[str, Any], file: str | Path | None) -> dict[str, Any]:
    """Key every relation by its sorted pair, checking that both directions agree.

    A dyad may be written once in either direction, or twice when both give the same values.
    Two directions with different values are an error: relations are symmetric.
    """
    relations = data.get("relations")
    if not isinstance(relations, dict):
        return data
    merged: dict[str, dict[str, Any]] = {}
    for key, values in relations.items():
        pair = split_pair(key)
        if pair is None:
            raise ConfigError(file, f"relations.{key}", "a dyad written as CODE-CODE", key)
        if pair[0] == pair[1]:
            raise ConfigError(file, f"relations.{key}", "two different countries", key)
        if not isinstance(values, dict):
            raise ConfigError(file, f"relations.{key}", "a mapping of affinity/tension", values)
        countries = data.get("countries")
        unknown = [c for c in pair if isinstance(countries, dict) and c not in countries]
        if unknown:
            raise ConfigError(file, f"relations.{key}", "a dyad of listed countries", unknown[0])
        canonical = pair_key(*pair)
        if canonical in merged:
            for name, value in values.items():
                other = merged[canonical].get(name)
                if other is not None and other != value:
                    raise ConfigError(
                        file,
                        f"relations.{key}.{name}",
                        f"the same value as the other direction ({other}): relations are symmetric",
                        value,
                    )
            merged[canonical] = {**merged[canonical], **values}
        else:
            merged[canonical] = dict(values)
    return {**data, "relations": merged}


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
    if scenario.pact is not None and scenario.pact not in scenario.blocs:
        raise ConfigError(file, "pact", f"one of the blocs {sorted(scenario.blocs)}", scenario.pact)
    check_events(scenario, file)


def check_events(scenario: Scenario, file: str | Path | None) -> None:
    """Check each event's month and the countries, blocs, paths and values it names.

    A bloc made by a ``form_bloc`` event can be named only from its founding month on; a
    country cannot be made to join and leave the same bloc in the same month.
    """
    codes = set(scenario.codes)
    steps = [
        event_step_checked(scenario, index, event, file)
        for index, event in enumerate(scenario.events)
    ]
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
            named = event.members
        elif isinstance(event, SetEvent):
            check_set_event(scenario, event, where, file)
            named = []
        elif isinstance(event, ShockEvent | AffinityEvent):
            named = event.countries
            if named[0] == named[1]:
                raise ConfigError(file, f"{where}.countries", "two different countries", named)
        else:
            if founded.get(event.bloc, step + 1) > step:
                known = sorted(name for name, month in founded.items() if month <= step)
                raise ConfigError(
                    file, f"{where}.bloc", f"a bloc that exists by then {known}", event.bloc
                )
            named = [event.country]
            if isinstance(event, JoinEvent | LeaveEvent):
                key = (step, event.country, event.bloc)
                if moves.setdefault(key, event.type) != event.type:
                    raise ConfigError(
                        file,
                        where,
                        "not both a join and a leave of one bloc in one month",
                        f"{event.country} {event.bloc}",
                    )
        for code in named:
            if code not in codes:
                raise ConfigError(file, f"{where}", "listed country codes", code)


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


def check_set_event(
    scenario: Scenario, event: SetEvent, where: str, file: str | Path | None
) -> None:
    """A ``set`` event must name a patrons/dynamics number and give it a value in range."""
    if not event.path.startswith(SETTABLE_PREFIXES):
        raise ConfigError(file, f"{where}.path", "a path under patrons. or dynamics.", event.path)
    data = scenario.model_dump()
    try:
        resolve_path(data, event.path)
    except KeyError:
        raise ConfigError(
            file, f"{where}.path", "an existing numeric parameter path", event.path
        ) from None
    *parents, leaf = event.path.split(".")
    node = data
    for part in parents:
        node = node[part]
    node[leaf] = event.value
    try:
        Scenario.model_validate(data)
    except ValidationError as err:
        expected = plain_expectation(err.errors()[0])
        raise ConfigError(
            file, f"{where}.value", f"{expected} (as {event.path})", event.value
        ) from None


# --- dotted paths --------------------------------------------------------------------------------


def resolve_path(data: dict[str, Any], path: str) -> Any:
    """Return the value at a dotted path of a scenario mapping.

    Raises ``KeyError(path)`` if a segment does not exist or the value is not a number.
    """
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(path)
        node = node[part]
    if isinstance(node, bool) or (not isinstance(node, int | float) and node is not None):
        raise KeyError(path)
    return node


def apply_overrides(
    data: dict[str, Any], overrides: dict[str, Any], *, file: str | Path | None = None
) -> dict[str, Any]:
    """Return a copy of a scenario mapping with dotted-path values replaced.

    ``relations.A-B.field`` may name a dyad the file does not list (it is then created) and
    either direction of a listed one. Any other path must exist in the validated scenario.

    Raises
    ------
    ConfigError
        If a path does not name a numeric value of the scenario.
    """
    data = copy.deepcopy(normalise_relations(data, file))
    try:
        defaults = Scenario.model_validate(data).model_dump()
    except ValidationError as err:
        raise validation_error(err, file) from None
    for path, value in overrides.items():
        parts = path.split(".")
        if parts[0] == "relations" and len(parts) == 3 and split_pair(parts[1]):
            pair = split_pair(parts[1])
            if not set(pair) <= set(defaults["countries"]) or pair[0] == pair[1]:
                raise ConfigError(file, path, "a dyad of listed countries", parts[1])
            if parts[2] not in Relation.model_fields:
                raise ConfigError(file, path, f"one of {list(Relation.model_fields)}", parts[2])
            relation = data.setdefault("relations", {}).setdefault(pair_key(*pair), {})
            relation[parts[2]] = value
            continue
        try:
            resolve_path(defaults, path)
        except KeyError:
            raise ConfigError(file, path, "an existing numeric parameter path", path) from None
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return data
