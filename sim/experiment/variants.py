"""Variants of an experiment's scenario: overrides, extra events, and edits of the base's events.

A variant changes the scenario by dotted-path ``overrides``, removes base events by id
(``remove_events``), replaces base events by id (``replace_events``: the new event takes the
old one's place and id) and adds ``events`` after the base's. Every mistake names the
experiment file and the variant's field (``variants.no_invasion.remove_events.0``); a mistake in
an event the variant did not touch is the scenario's and names the scenario file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from sim.errors import ConfigError
from sim.experiment.mesa_models import check_model
from sim.scenario.loading import scenario_from_dict
from sim.scenario.overrides import apply_overrides
from sim.scenario.schema import Event, Frozen, Scenario


class Variant(Frozen):
    """One variant: overrides of the scenario, edits of its events and events added after them."""

    description: str = ""
    overrides: dict[str, Any] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list)
    remove_events: list[str] = Field(default_factory=list)  # ids of base events to drop
    replace_events: dict[str, Event] = Field(default_factory=dict)  # id -> its replacement


def edited_events(
    base_events: list[Any], variant: Variant, where: str, file: str | None
) -> tuple[list[Any], list[str | int]]:
    """The base's events with the variant's removals, replacements and additions.

    Returns the events (as mappings) and, for each, where it comes from: a base index (int) or
    the variant field that wrote it (``replace_events.<id>``, ``events.<k>``).

    Raises
    ------
    ConfigError
        Naming ``<where>.remove_events.<i>`` or ``<where>.replace_events.<id>`` for an id no base
        event has, or one that is both removed and replaced.
    """
    ids = {event.get("id"): i for i, event in enumerate(base_events)
           if isinstance(event, dict) and event.get("id") is not None}  # fmt: skip
    known = f"an id of the scenario's events {sorted(ids)}" if ids else "an id of the "
    known += "" if ids else "scenario's events (it gives none: add `id:` to the events)"
    for k, event_id in enumerate(variant.remove_events):
        if event_id not in ids:
            raise ConfigError(file, f"{where}.remove_events.{k}", known, event_id)
    for event_id in variant.replace_events:
        if event_id not in ids:
            raise ConfigError(file, f"{where}.replace_events.{event_id}", known, event_id)
        if event_id in variant.remove_events:
            expected = "an event either removed or replaced, not both"
            raise ConfigError(file, f"{where}.replace_events.{event_id}", expected, event_id)
    events: list[Any] = []
    origins: list[str | int] = []
    for index, event in enumerate(base_events):
        event_id = event.get("id") if isinstance(event, dict) else None
        if event_id in variant.remove_events:
            continue
        if event_id in variant.replace_events:
            new = variant.replace_events[event_id].model_dump(mode="json")
            events.append({**new, "id": new["id"] or event_id})
            origins.append(f"replace_events.{event_id}")
            continue
        events.append(event)
        origins.append(index)
    for k, event in enumerate(variant.events):
        events.append(event.model_dump(mode="json"))
        origins.append(f"events.{k}")
    return events, origins


def variant_scenario(
    base: dict[str, Any],
    variant: Variant,
    name: str,
    *,
    file: str | None,
    scenario_file: str | Path | None,
) -> Scenario:
    """The validated scenario of one variant: the base with its overrides and event edits.

    Raises
    ------
    ConfigError
        Naming the experiment file and ``variants.<name>.<field>`` when the variant does not fit
        the scenario (an override, a removed, replaced or added event), or the scenario file and
        its own field when the mistake is in the base.
    """
    where = f"variants.{name}"
    events, origins = edited_events(base.get("events") or [], variant, where, file)
    check_overrides_take_effect({**base, "events": events}, variant, where, file)
    data = {**base, "events": events}
    try:
        data = apply_overrides(data, variant.overrides, file=file)
    except ConfigError as err:
        if err.field in variant.overrides:
            raise ConfigError(file, f"{where}.overrides.{err.field}", err.expected,
                              err.found) from None  # fmt: skip
        raise
    try:
        return scenario_from_dict(data, file=file)
    except ConfigError as err:
        head, _, rest = err.field.partition(".")
        index, _, tail = rest.partition(".")
        if head == "events" and index.isdigit() and int(index) < len(origins):
            origin = origins[int(index)]
            if isinstance(origin, int):  # a base event the variant did not touch
                field = f"events.{origin}" + (f".{tail}" if tail else "")
                raise ConfigError(scenario_file, field, err.expected, err.found) from None
            field = f"{where}.{origin}" + (f".{tail}" if tail else "")
        elif err.field in variant.overrides:
            field = f"{where}.overrides.{err.field}"
        else:
            raise ConfigError(scenario_file, err.field, err.expected, err.found) from None
        raise ConfigError(file, field, err.expected, err.found) from None


def check_overrides_take_effect(
    base: dict[str, Any], variant: Variant, where: str, file: str | None
) -> None:
    """Refuse an override that the scenario's own ``set`` event replaces in the first month."""
    for index, event in enumerate(base.get("events") or []):
        if not isinstance(event, dict) or event.get("type") != "set":
            continue
        path = event.get("path")
        start = base.get("start", Scenario.model_fields["start"].default)
        if path in variant.overrides and event.get("month") in (0, start):
            raise ConfigError(
                file, f"{where}.overrides.{path}",
                f"an override that takes effect (the scenario's events.{index} sets {path} in "
                "the first month; add a `set` event to the variant's events instead, or remove "
                "that event with remove_events)",
                variant.overrides[path],
            )  # fmt: skip


def check_model_variants(
    model: str,
    parameters: dict[str, Any],
    collect: list[str],
    steps: int,
    variants: dict[str, Variant],
    file: str | Path | None,
) -> None:
    """A generic model's variants may only override its parameters (it has no scenario)."""
    for name, variant in variants.items():
        for key in ("events", "remove_events", "replace_events"):
            found = getattr(variant, key)
            if found:
                expected = "no events (a model: experiment has no scenario)"
                raise ConfigError(file, f"variants.{name}.{key}", expected, len(found))
        for key in variant.overrides:
            if key not in parameters:
                raise ConfigError(
                    file,
                    f"variants.{name}.overrides.{key}",
                    f"one of the parameters {sorted(parameters)}",
                    key,
                )
        if variant.overrides:  # the variant's model must build too, not only the base's
            try:
                check_model(model, {**parameters, **variant.overrides}, collect, steps, file)
            except ConfigError as err:
                raise ConfigError(file, f"variants.{name}.overrides", err.expected,
                                  err.found) from None  # fmt: skip
