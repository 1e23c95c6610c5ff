"""Checks of a scenario's ``patterns:`` section when it loads (docs/configuration.md, "Patterns").

Each pattern's period, target and the event, bloc, country or trajectory variable it names must
make sense for the scenario, so that ``alliance-sim patterns`` never fails half-way through.
"""

from __future__ import annotations

from pathlib import Path

from sim.errors import ConfigError
from sim.scenario.schema import (
    COUNTRY_PATTERN_EVENTS,
    STAGE_PATTERN_EVENTS,
    EventBase,
    FormBlocEvent,
    Pattern,
    Scenario,
)

__all__ = ["check_patterns"]

TRAJECTORIES = ("depth", "members", "mean_tension")


def check_patterns(scenario: Scenario, file: str | Path | None) -> None:
    """Each pattern's period, target, event or variable must make sense for the scenario.

    Probabilities count events from the scenario's start (outcomes record each event's first
    month), so their period starts at ``start``; a ``tension_A-B`` variable needs a tracked dyad.
    """
    variables = {
        *TRAJECTORIES,
        *(f"alignment_{code}" for code in scenario.codes),
        *(f"tension_{key}" for key in scenario.tracked_dyads),
    }
    for index, pattern in enumerate(scenario.patterns):
        where = f"patterns.{index}"
        steps = []
        for k, month in enumerate(pattern.period):
            try:
                steps.append(scenario.event_step(EventBase(month=month)))
            except ValueError:
                raise ConfigError(
                    file, f"{where}.period.{k}", "a month written YYYY-MM or a step number", month
                ) from None
        if steps[0] < 0 or steps[1] < steps[0]:
            raise ConfigError(
                file,
                f"{where}.period",
                f"two months from {scenario.start} on, in order",
                pattern.period,
            )
        low, high = pattern.target
        if low > high:
            raise ConfigError(
                file, f"{where}.target", "a range [low, high] with low <= high", pattern.target
            )
        if pattern.measure != "mean" and not 0.0 <= low <= high <= 1.0:
            raise ConfigError(file, f"{where}.target", "probabilities in [0, 1]", pattern.target)
        if pattern.measure == "probability":
            if pattern.event is None:
                raise ConfigError(file, f"{where}.event", "an event for a probability", None)
            if steps[0] != 0:
                raise ConfigError(
                    file,
                    f"{where}.period.0",
                    f"the scenario's start {scenario.start} (events are counted from the start)",
                    pattern.period[0],
                )
            check_pattern_subject(scenario, pattern, where, file)
            if pattern.event in STAGE_PATTERN_EVENTS and not pact_has_process(scenario):
                raise ConfigError(
                    file,
                    f"{where}.event",
                    f"a pact with accession: process for the stage {pattern.event} "
                    f"(pact {scenario.pact_name} takes members in one step)",
                    pattern.event,
                )
        elif pattern.variable not in variables:
            raise ConfigError(
                file,
                f"{where}.variable",
                "a trajectory: depth, members, mean_tension, alignment_<code> or "
                "tension_<tracked dyad>",
                pattern.variable,
            )


BLOC_EVENTS = ("new_member", "join", "exit", "security_mechanism", "formal_alliance")


def check_pattern_subject(
    scenario: Scenario, pattern: Pattern, where: str, file: str | Path | None
) -> None:
    """A probability pattern's ``bloc`` and ``country`` must name what the scenario has.

    ``bloc`` (default: the pact) is a bloc of the file or of a ``form_bloc`` event, for the
    events of one bloc; ``country`` is a code or a group (``@name``), required for ``join`` and
    allowed for ``exit``.
    """
    if pattern.bloc is not None:
        founded = [e.name for e in scenario.events if isinstance(e, FormBlocEvent)]
        blocs = [*scenario.blocs, *founded]
        if pattern.event not in BLOC_EVENTS:
            raise ConfigError(file, f"{where}.bloc", f"no bloc for the event {pattern.event} "
                              f"(a bloc names the bloc of {', '.join(BLOC_EVENTS)})",
                              pattern.bloc)  # fmt: skip
        if pattern.bloc not in blocs:
            raise ConfigError(file, f"{where}.bloc", f"a bloc among {blocs}", pattern.bloc)
    if pattern.country is None:
        if pattern.event in COUNTRY_PATTERN_EVENTS:
            raise ConfigError(file, f"{where}.country", "a listed country code or @group", None)
        return
    if pattern.event not in (*COUNTRY_PATTERN_EVENTS, "exit"):
        raise ConfigError(file, f"{where}.country", f"no country for the event {pattern.event} "
                          "(only join, exit and the stages name countries)",
                          pattern.country)  # fmt: skip
    if pattern.country.startswith("@"):
        if pattern.country[1:] not in scenario.groups:
            known = sorted(f"@{name}" for name in scenario.groups)
            raise ConfigError(file, f"{where}.country", f"a group among {known}",
                              pattern.country)  # fmt: skip
    elif pattern.country not in scenario.codes:
        raise ConfigError(
            file, f"{where}.country", "a listed country code or @group", pattern.country
        )


def pact_has_process(scenario: Scenario) -> bool:
    """Whether the pact takes members by the accession process (it has stage outcomes)."""
    name = scenario.pact_name
    if name in scenario.blocs:
        return scenario.blocs[name].accession == "process"
    return False  # a pact founded by a form_bloc event takes members in one step
