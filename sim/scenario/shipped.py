"""Where the shipped scenario and experiment files live (the repository's top-level folders)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def default_scenario_path() -> Path:
    """The default scenario, ``scenarios/western_balkans_2025.yaml``."""
    return ROOT / "scenarios" / "western_balkans_2025.yaml"


def shipped_scenarios() -> list[Path]:
    """Every scenario file shipped in ``scenarios/``."""
    return sorted((ROOT / "scenarios").glob("*.yaml"))
