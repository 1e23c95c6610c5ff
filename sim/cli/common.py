"""What the command modules share: the console, the scenario argument, ``--set`` parsing and
loading a scenario with its ``--set`` overrides."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.errors import ConfigError
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.shipped import resolve_input

console = Console()

OverrideOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a value by dotted path, e.g. --set patrons.west.endorsement=0.3 "
        "(repeatable; the paths are those of docs/configuration.md).",
    ),
]

ScenarioArg = Annotated[
    Path,
    typer.Argument(
        help="A scenario YAML file, or the name of a shipped one (alliance-sim examples), e.g. "
        "western_balkans_2025."
    ),
]


def parse_overrides(items: list[str]) -> dict[str, float]:
    """Parse ``path=value`` strings into an overrides mapping."""
    overrides: dict[str, float] = {}
    for item in items:
        path, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            number = float(value)
        except ValueError:
            raise ConfigError(None, "--set", "PATH=NUMBER", item) from None
        if not math.isfinite(number):
            raise ConfigError(None, f"--set {path.strip()}", "a finite number", value.strip())
        overrides[path.strip()] = number
    return overrides


def load_with_overrides(path: Path, items: list[str] | None) -> Scenario:
    """Load a scenario (a file or a shipped name) with the ``--set PATH=VALUE`` items applied.

    The file is first checked as written, so that its own mistakes name the file; a mistake that
    only the overrides cause names the ``--set`` item instead (``--set countries.XXX.cost: ...``),
    not the file, which is fine as it stands.
    """
    overrides = parse_overrides(items or [])
    file = resolve_input(path, "scenario")
    scenario = load_scenario(file)
    if not overrides:
        return scenario
    try:
        return load_scenario(file, overrides=overrides)
    except ConfigError as err:
        for given in overrides:  # the item that names the field (or the field is inside it)
            if err.field == given or err.field.startswith(f"{given}."):
                raise ConfigError(None, f"--set {given}", err.expected, err.found) from None
        given = " ".join(f"--set {path}={value:g}" for path, value in overrides.items())
        raise ConfigError(None, f"{err.field} (after {given})", err.expected, err.found) from None
