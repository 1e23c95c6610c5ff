"""What the command modules share: the console, the scenario argument, ``--set`` parsing."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.errors import ConfigError

console = Console()

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
