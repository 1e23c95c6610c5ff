"""Checks of the accession process a scenario describes (MODEL.md, P1 to P5).

A bloc with ``accession: process`` names a leader, members' ratification hazards, hold-outs and
side payments by country code; ``apply`` events need such a bloc; ``concession`` events name a
hold-out and a candidate. What pydantic cannot check about them is checked here, with the file,
the dotted field path, what was expected and what was found.
"""

from __future__ import annotations

from pathlib import Path

from sim.errors import ConfigError
from sim.scenario.schema import ApplyEvent, ConcessionEvent, Scenario


def check_process(scenario: Scenario, file: str | Path | None) -> None:
    """Each bloc's process settings must fit its accession rule and name listed countries.

    Raises
    ------
    ConfigError
        On ``blocs.<b>.process`` given with ``accession: simple``; on ``blocs.<b>.process
        .leader`` missing for (or given without) ``invitation: leader``, or not a member at the
        start;
        on a key of ``ratification_rates``, ``holdouts`` or ``side_payments`` that is not a
        listed country.
    """
    codes = set(scenario.codes)
    for name, bloc in scenario.blocs.items():
        where = f"blocs.{name}.process"
        process = bloc.process
        if process is None:
            continue
        if bloc.accession != "process":
            raise ConfigError(file, where, "accession: process for process settings "
                              "(or no process section)", "accession: simple")  # fmt: skip
        leading = process.invitation == "leader"
        if leading and process.leader is None:
            raise ConfigError(file, f"{where}.leader", "the code of the member whose say "
                              "invites (invitation: leader)", None)  # fmt: skip
        if not leading and process.leader is not None:
            raise ConfigError(file, f"{where}.leader", "no leader unless invitation: leader",
                              process.leader)  # fmt: skip
        if process.leader is not None and process.leader not in bloc.members:
            raise ConfigError(file, f"{where}.leader", f"a member of the bloc {bloc.members}",
                              process.leader)  # fmt: skip
        for field in ("ratification_rates", "holdouts", "side_payments"):
            for code in getattr(process, field):
                if code not in codes:
                    raise ConfigError(file, f"{where}.{field}.{code}", "a listed country code",
                                      code)  # fmt: skip


def check_process_event(
    scenario: Scenario, index: int, event: object, file: str | Path | None
) -> list[tuple[str, str]]:
    """The countries an ``apply`` or ``concession`` event names, as (field, code) pairs to be
    checked as listed.

    Raises
    ------
    ConfigError
        On ``events.<i>.bloc`` for an ``apply`` to a bloc without ``accession: process``, or on
        ``events.<i>.to`` / ``.candidate`` for a group the scenario does not define.
    """
    where = f"events.{index}"
    if isinstance(event, ApplyEvent):
        bloc = scenario.blocs.get(event.bloc)
        if bloc is None or bloc.accession != "process":
            known = sorted(n for n, b in scenario.blocs.items() if b.accession == "process")
            raise ConfigError(file, f"{where}.bloc", f"a bloc with accession: process {known}",
                              event.bloc)  # fmt: skip
        return []  # the country is checked with those of invite, join and leave events
    if isinstance(event, ConcessionEvent):
        named = []
        for field in ("to", "candidate"):
            try:
                named += [(field, code) for code in scenario.members_of(getattr(event, field))]
            except KeyError:
                known = sorted(f"@{name}" for name in scenario.groups)
                raise ConfigError(file, f"{where}.{field}", f"a group among {known}",
                                  getattr(event, field)) from None  # fmt: skip
        return named
    return []
