"""Outside patrons: the ties and guarantees they hold, the homes of their dotted paths, and the
cross-checks of a ``patrons:`` section (MODEL.md section 2.4).

A country's tie to a patron is written in the patron (``patrons.china.clients.SRB: 0.3``) or, for
the standing patron ``russia``, as the country shorthand ``countries.SRB.russia_ties``; a security
guarantee in the patron (``patrons.west.guarantees: [ALB]``) or, for ``west``, as
``countries.ALB.nato: true``. Each value has one home in a file: a path naming the other spelling
is read and written at the home, so overrides, sweeps and events may use either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.scenario.schema import COUNTER_BLOC_KEY, GUARANTOR, TIES_PATRON, FormBlocEvent, Scenario

SHORTHANDS = {"russia_ties": (TIES_PATRON, "clients"), "nato": (GUARANTOR, "guarantees")}


def ties(values: dict[str, Any], name: str) -> dict[str, float]:
    """Each country's tie to patron ``name`` in a scenario dump (0 for a country not tied)."""
    listed = values["patrons"][name]["clients"]
    return {
        code: float(listed.get(code, country["russia_ties"] if name == TIES_PATRON else 0.0))
        for code, country in values["countries"].items()
    }


def guaranteed(values: dict[str, Any], name: str) -> dict[str, bool]:
    """Whether patron ``name`` guarantees each country, in a scenario dump."""
    listed = set(values["patrons"][name]["guarantees"])
    return {
        code: code in listed or (name == GUARANTOR and bool(country["nato"]))
        for code, country in values["countries"].items()
    }


def home_path(values: dict[str, Any], path: str) -> str:
    """Where a dotted path's value lives in a file: ``countries.SRB.russia_ties`` and
    ``patrons.russia.clients.SRB`` name one tie, kept where the file writes it (the country
    shorthand unless the patron lists the client); likewise ``countries.ALB.nato`` and
    ``patrons.west.guarantees.ALB``. Other paths are their own home."""
    parts = path.split(".")
    patrons = values.get("patrons") if isinstance(values.get("patrons"), dict) else {}
    if len(parts) == 3 and parts[0] == "countries" and parts[2] in SHORTHANDS:
        name, section = SHORTHANDS[parts[2]]
        if parts[1] in listed_under(patrons, name, section):
            return f"patrons.{name}.{section}.{parts[1]}"
    if len(parts) == 4 and parts[0] == "patrons":
        for field, (name, section) in SHORTHANDS.items():
            if parts[1:3] == [name, section] and parts[3] not in listed_under(patrons, *parts[1:3]):
                return f"countries.{parts[3]}.{field}"
    return path


def listed_under(patrons: dict[str, Any], name: str, section: str) -> list[str] | dict[str, Any]:
    """The clients or guarantees a patron mapping lists (empty if malformed or absent)."""
    patron = patrons.get(name)
    listed = patron.get(section) if isinstance(patron, dict) else None
    return listed if isinstance(listed, dict | list) else []


def check_patrons(scenario: Scenario, file: str | Path | None) -> None:
    """What the schema cannot check of the patrons: the countries and blocs they name.

    Raises
    ------
    ConfigError
        Naming ``patrons.<name>.<field>`` for a client, guarantee or country that is not a
        listed country, a patron's own country among its clients, a country two patrons are,
        a stance toward an unknown bloc or toward the pact (that is ``endorsement``), and a tie
        or guarantee written both in the patron and as the country shorthand.
    """
    codes = set(scenario.codes)
    blocs = {*scenario.blocs, COUNTER_BLOC_KEY}
    blocs |= {event.name for event in scenario.events if isinstance(event, FormBlocEvent)}
    actor: dict[str, str] = {}
    for name, patron in scenario.patrons.items():
        where = f"patrons.{name}"
        for code in patron.clients:  # a mapping: the key is named
            if code not in codes:
                raise ConfigError(file, f"{where}.clients.{code}", "a listed country code", code)
        for code in [*patron.guarantees, *filter(None, [patron.country])]:
            if code not in codes:
                field = "guarantees" if code in patron.guarantees else "country"
                raise ConfigError(file, f"{where}.{field}", "listed country codes", code)
        if patron.country is not None:
            if patron.country in patron.clients:
                raise ConfigError(file, f"{where}.clients", f"clients other than the patron's "
                                  f"own country {patron.country}", patron.country)  # fmt: skip
            if patron.country in actor:
                raise ConfigError(
                    file,
                    f"{where}.country",
                    f"a country no other patron is (patrons.{actor[patron.country]} is)",
                    patron.country,
                )
            actor[patron.country] = name
        for bloc in patron.stances:
            if bloc not in blocs:
                raise ConfigError(file, f"{where}.stances.{bloc}",
                                  f"a bloc name among {sorted(blocs)}", bloc)  # fmt: skip
            if bloc == scenario.pact_name:
                raise ConfigError(
                    file,
                    f"{where}.stances.{bloc}",
                    f"blocs other than the pact "
                    f"(write the stance toward {bloc} as {where}.endorsement)",
                    bloc,
                )
    for field, (name, section) in SHORTHANDS.items():
        for code in getattr(scenario.patrons[name], section):
            written = getattr(scenario.countries[code], field)
            if written:
                raise ConfigError(file, f"countries.{code}.{field}", f"the value written once: "
                                  f"patrons.{name}.{section} lists {code}", written)  # fmt: skip


def unknown_patron(values: dict[str, Any], path: str) -> str | None:
    """What was expected if ``path`` names a patron the scenario does not have, else None."""
    parts = path.split(".")
    if parts[0] != "patrons" or len(parts) < 2 or parts[1] in values["patrons"]:
        return None
    return f"a patron among {sorted(values['patrons'])} after patrons. (not {parts[1]})"


def creatable(values: dict[str, Any], path: str) -> bool:
    """Whether ``path`` names a patron entry a file may leave out and an override may add: a
    listed country's tie (``patrons.china.clients.SRB``) or a stance toward a bloc."""
    parts = path.split(".")
    if len(parts) != 4 or parts[0] != "patrons" or parts[1] not in values["patrons"]:
        return False
    if parts[2] == "clients":
        return parts[3] in values["countries"]
    return parts[2] == "stances" and parts[3] in values["blocs"]
