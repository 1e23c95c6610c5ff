"""The names of the figures an experiment may ask for in ``outputs.figures``.

Defined here, below the report package, so that loading an experiment can refuse an unknown
name without importing the plotting code; :mod:`sim.report.drawing` draws each of them.
"""

from __future__ import annotations

FIGURES: dict[str, str] = {
    "join_probabilities": "probability that each candidate is a member over time, per variant",
    "survival": "Kaplan–Meier time to joining per candidate, with confidence bands",
    "tension_bands": "fan charts of the tracked dyads' tension (needs outputs.series)",
    "stages": "shares of runs by the pact's integration stage over time",
    "expansion_paths": "the most frequent join orders, with intervals",
    "differences": "forest plot of each variant's paired difference from the baseline",
    "network": "map of the region at the start and at the end of one run",
    "sweep_heatmap": "an outcome over two swept parameters (sweeps)",
    "sensitivity": "ranked sensitivity indices with intervals (sweeps with sensitivity.csv)",
    "prim": "scenario discovery: PRIM peeling trajectory and the chosen box",
}
"""Figure name -> what it shows (the order in which figures are drawn and reported)."""
