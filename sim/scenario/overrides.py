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
from sim.scenario.reading import validation_error
from sim.scenario.schema import Relation, Scenario


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
