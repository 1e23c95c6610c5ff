"""Scenarios: the world at the start of a run, read from YAML and validated.

Owns the configuration contract (ARCHITECTURE.md section 3): the schema of scenario files, reading
YAML, ``extends:``, dotted-path overrides, calendar months and where the shipped files are. Every
user mistake is a :class:`~sim.errors.ConfigError` naming the file and the field.
"""

from sim.scenario.loading import load_scenario, scenario_from_dict
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "scenario_from_dict"]
