"""Dyad keys and dotted-path overrides of a scenario mapping.

Every numeric value of a scenario can be addressed by a dotted path (``countries.SRB.alignment``,
``relations.SRB-XKX.tension``, ``patrons.russia.support``, ``dynamics.tension.decay``) so that
experiments can vary it; relations are keyed by their sorted pair of codes.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import ConfigError
from sim.scenario import patrons
from sim.scenario.reading import validation_error
from sim.scenario.schema import Relation, Scenario


def pair_key(first: str, second: str) -> str:
    """The canonical key of a dyad: the two codes in sorted order, joined by '-'."""
    return "-".join(sorted((first, second)))


def split_pair(key: str) -> tuple[str, str] | None:
    """Split ``'SRB-XKX'`` into its codes; None if the key is not two codes joined by '-'."""
    parts = str(key).split("-")
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


GROUP = "@"  # marks a group name where a country code may stand: RUS-@nato


def members_of(name: str, groups: dict[str, list[str]]) -> list[str]:
    """A country code as a list, or the members of the group ``@name``.

    Raises ``KeyError(name)`` for an unknown group.
    """
    if not name.startswith(GROUP):
        return [name]
    if name[1:] not in groups:
        raise KeyError(name)
    return list(groups[name[1:]])


def expand_dyad(key: str, groups: dict[str, list[str]]) -> list[str]:
    """The sorted pair keys a dyad key names: ``RUS-@nato`` is RUS with each member of nato,
    ``@a-@b`` every member of a with every member of b (a country is never paired with itself).

    Raises ``KeyError(name)`` for an unknown group.
    """
    first, second = split_pair(key) or (key, key)
    pairs = (pair_key(a, b) for a in members_of(first, groups) for b in members_of(second, groups))
    return list(dict.fromkeys(pair for pair in pairs if len(set(pair.split("-"))) == 2))


def expand_path(path: str, groups: dict[str, list[str]]) -> list[str]:
    """The paths a dotted path with a group names: ``countries.@nato.domestic_cost`` and
    ``blocs.nato.process.holdouts.@allies`` one per member, ``relations.RUS-@nato.tension`` one
    per dyad; other paths as they are.

    Raises ``KeyError(name)`` for an unknown group.
    """
    parts = path.split(".")
    if parts[0] == "countries" and len(parts) >= 3 and parts[1].startswith(GROUP):
        return [".".join(("countries", code, *parts[2:])) for code in members_of(parts[1], groups)]
    if parts[0] == "blocs" and len(parts) == 5 and parts[4].startswith(GROUP):
        return [".".join((*parts[:4], code)) for code in members_of(parts[4], groups)]
    pair = split_pair(parts[1]) if parts[0] == "relations" and len(parts) == 3 else None
    if pair and any(code.startswith(GROUP) for code in pair):
        return [f"relations.{key}.{parts[2]}" for key in expand_dyad(parts[1], groups)]
    return [path]


def file_groups(data: dict[str, Any], file: str | Path | None) -> dict[str, list[str]]:
    """The ``groups`` of a scenario mapping, each member a listed country.

    Raises
    ------
    ConfigError
        Naming ``groups.<name>`` for a member that is not a listed country.
    """
    groups = data.get("groups")
    if not isinstance(groups, dict):
        return {}  # a malformed section is the schema's to report
    countries = data.get("countries")
    for name, members in groups.items():
        for code in members if isinstance(members, list) else []:
            if isinstance(countries, dict) and code not in countries:
                raise ConfigError(file, f"groups.{name}", "listed country codes", code)
    return {name: m for name, m in groups.items() if isinstance(m, list)}


def normalise(data: dict[str, Any], file: str | Path | None) -> dict[str, Any]:
    """A scenario mapping with its groups expanded where the validated scenario holds codes:
    bloc members and candidates (``members: ["@founders", MNE]``) and relation keys
    (:func:`normalise_relations`), and tracked dyads (:func:`normalise_tracked_dyads`)."""
    data = normalise_tracked_dyads(normalise_relations(data, file), file)
    blocs, groups = data.get("blocs"), file_groups(data, file)
    if not isinstance(blocs, dict) or not groups:
        return data
    expanded = {}
    for name, bloc in blocs.items():
        for key in ("members", "candidates"):
            names = bloc.get(key) if isinstance(bloc, dict) else None
            if isinstance(names, list):
                try:
                    codes = [c for m in names for c in members_of(str(m), groups)]
                except KeyError as err:
                    known = f"a group among {sorted(GROUP + g for g in groups)}"
                    raise ConfigError(file, f"blocs.{name}.{key}", known, err.args[0]) from None
                bloc = {**bloc, key: list(dict.fromkeys(codes))}
        expanded[name] = bloc
    return {**data, "blocs": expanded}


def normalise_tracked_dyads(data: dict[str, Any], file: str | Path | None) -> dict[str, Any]:
    """Expand groups in ``tracked_dyads``: ``RUS-@nato`` tracks RUS with each member of nato,
    written in the order given (``RUS-POL``: its column is ``tension_RUS-POL``); a dyad named
    twice is tracked once."""
    dyads, groups = data.get("tracked_dyads"), file_groups(data, file)
    if not isinstance(dyads, list) or not groups:
        return data
    expanded: dict[frozenset, str] = {}
    for k, key in enumerate(dyads):
        pair = split_pair(key) if isinstance(key, str) else None
        if pair is None or not any(code.startswith(GROUP) for code in pair):
            expanded.setdefault(frozenset(pair or (key,)), key)
            continue
        try:
            firsts, seconds = members_of(pair[0], groups), members_of(pair[1], groups)
        except KeyError as err:
            known = f"a group among {sorted(GROUP + g for g in groups)}"
            raise ConfigError(file, f"tracked_dyads.{k}", known, err.args[0]) from None
        for a in firsts:
            for b in seconds:
                if a != b:
                    expanded.setdefault(frozenset((a, b)), f"{a}-{b}")
    return {**data, "tracked_dyads": list(expanded.values())}


def normalise_relations(data: dict[str, Any], file: str | Path | None) -> dict[str, Any]:
    """Key every relation by its sorted pair, checking that both directions agree, and expand
    group keys (``RUS-@nato``) into one entry per dyad.

    A dyad may be written once in either direction, or twice when both give the same values.
    Two directions with different values are an error: relations are symmetric. Field by field,
    a dyad's own entry wins over a key with one group, which wins over a key with two; two keys
    of the same kind that give one dyad different values are an error naming both.
    """
    relations = data.get("relations")
    if not isinstance(relations, dict):
        return data
    groups = file_groups(data, file)
    by_level: list[dict[str, dict[str, Any]]] = [{}, {}, {}]  # own pair, one group, two groups
    source: dict[tuple[int, str, str], str] = {}  # which key gave a dyad's field
    for key, values in relations.items():
        pair = split_pair(key)
        if pair is None:
            raise ConfigError(file, f"relations.{key}", "a dyad written as CODE-CODE", key)
        if pair[0] == pair[1] and not pair[0].startswith(GROUP):
            raise ConfigError(file, f"relations.{key}", "two different countries", key)
        if not isinstance(values, dict):
            raise ConfigError(file, f"relations.{key}", "a mapping of affinity/tension", values)
        countries = data.get("countries")
        listed = [c for c in pair if not c.startswith(GROUP)]
        unknown = [c for c in listed if isinstance(countries, dict) and c not in countries]
        if unknown:
            raise ConfigError(file, f"relations.{key}", "a dyad of listed countries", unknown[0])
        try:
            canonicals = expand_dyad(key, groups)
        except KeyError as err:
            known = f"a group among {sorted(GROUP + g for g in groups)}"
            raise ConfigError(file, f"relations.{key}", known, err.args[0]) from None
        level = 2 - len(listed)
        for canonical in canonicals:
            merged = by_level[level].setdefault(canonical, {})
            for name, value in values.items():
                other = merged.get(name)
                if other is not None and other != value:
                    raise ConfigError(file, f"relations.{key}.{name}", same_value_expected(
                        source[(level, canonical, name)], key, other), value)  # fmt: skip
                merged[name] = value
                source[(level, canonical, name)] = key
    merged = {}
    for level in (2, 1, 0):  # the more specific key wins, field by field
        for canonical, values in by_level[level].items():
            merged[canonical] = {**merged.get(canonical, {}), **values}
    return {**data, "relations": merged}


def same_value_expected(first: str, second: str, value: Any) -> str:
    """What a second key for a dyad field should have given: the first key's value."""
    if split_pair(first) == tuple(reversed(split_pair(second) or ())) or first == second:
        return f"the same value as the other direction ({value}): relations are symmetric"
    return f"the same value as relations.{first} ({value}), which also names this dyad"


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
    either direction of a listed one. A group may stand for a country (``relations.RUS-@nato
    .tension``, ``countries.@nato.domestic_cost``): the value goes to every dyad or member. Any
    other path must exist in the validated scenario.

    Raises
    ------
    ConfigError
        If a path does not name a numeric value of the scenario.
    """
    data = copy.deepcopy(normalise(data, file))
    try:
        defaults = Scenario.model_validate(data).model_dump()
    except ValidationError as err:
        raise validation_error(err, file) from None
    groups = file_groups(data, file)
    known = f"a group among {sorted(GROUP + g for g in groups)}"
    for path, value in overrides.items():
        try:
            paths = expand_path(path, groups)
        except KeyError as err:
            raise ConfigError(file, path, known, err.args[0]) from None
        for one in paths:
            try:
                set_value(data, defaults, one, value, file)
            except ConfigError as err:  # named by the path as the user wrote it
                raise ConfigError(file, path, err.expected, err.found) from None
    return data


def set_value(
    data: dict[str, Any], defaults: dict[str, Any], path: str, value: Any, file: str | Path | None
) -> None:
    """Write one override (a path without groups) into ``data``; ``defaults`` is the validated
    scenario's dump, in which any path but a relation's must exist."""
    parts = path.split(".")
    if parts[0] == "relations" and len(parts) == 3 and split_pair(parts[1]):
        pair = split_pair(parts[1])
        if not set(pair) <= set(defaults["countries"]) or pair[0] == pair[1]:
            raise ConfigError(file, path, "a dyad of listed countries", parts[1])
        if parts[2] not in Relation.model_fields:
            raise ConfigError(file, path, f"one of {list(Relation.model_fields)}", parts[2])
        relation = data.setdefault("relations", {}).setdefault(pair_key(*pair), {})
        relation[parts[2]] = value
        return
    expected = patrons.unknown_patron(defaults, path)
    if expected:
        raise ConfigError(file, path, expected, path.split(".")[1])
    path = patrons.home_path(data, path)
    parts = path.split(".")
    try:
        resolve_path(defaults, path)
    except KeyError:
        if not patrons.creatable(defaults, path):
            raise ConfigError(file, path, "an existing numeric parameter path", path) from None
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
