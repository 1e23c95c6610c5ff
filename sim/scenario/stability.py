"""Richardson's stability condition for a scenario's tension dynamics, checked when it loads.

Threat is linear in tension (MODEL.md P3), so the tension update T1 of a dyad reads
T_ij <- T_ij (1 - delta + k m_ij) + delta T0_ij + (noise, provocation, crisis jumps), with the
feedback weight

    m_ij = prox_ij (s*_j^alpha (1 + beta_i) + s*_i^alpha (1 + beta_j)) / 2.

Tension returns to a finite level only while the reaction stays below the restraint,
k m_ij < delta for every dyad (Richardson 1960, the arms-race stability condition); above it
tension grows geometrically and every clipped outcome hides the blow-up. The values involved
change only by ``set`` and ``add`` events, so the check runs on the scenario's values at the
start and after every month's changes.

References
----------
Richardson, L. F. (1960). Arms and Insecurity. Boxwood Press.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import ConfigError
from sim.scenario import patrons
from sim.scenario.calendar import step_to_month
from sim.scenario.changes import change_timeline
from sim.scenario.geography import dyad_distances
from sim.scenario.overrides import resolve_path
from sim.scenario.schema import Scenario

PATHS = {
    "reaction": "dynamics.tension.reaction",
    "decay": "dynamics.tension.decay",
    "exponent": "dynamics.threat.size_exponent",
    "scale": "dynamics.threat.distance_scale_km",
}


def effective_sizes(values: dict[str, Any]) -> np.ndarray:
    """s*_j of every country (MODEL.md P2) from a scenario's values (a dump)."""
    codes = list(values["countries"])
    capability = np.array([c["capability"] for c in values["countries"].values()], dtype=float)
    size = capability / capability.sum()
    lent, borrowed = np.zeros_like(size), np.zeros_like(size)
    for name, patron in values["patrons"].items():
        backing = patron["support"] * np.array(list(patrons.ties(values, name).values()))
        if patron["country"] is None:
            lent += backing
        else:
            borrowed += backing * size[codes.index(patron["country"])]
    return size * (1.0 + lent) + borrowed


def feedback_weights(values: dict[str, Any], distance_km: np.ndarray) -> np.ndarray:
    """m_ij of every dyad (zero diagonal), shape (n, n), from a scenario's values (a dump)."""
    countries = values["countries"].values()
    misperception = np.array([c["misperception"] for c in countries], dtype=float)
    exponent, scale = (resolve_path(values, PATHS[name]) for name in ("exponent", "scale"))
    effective = effective_sizes(values)
    weight = (
        np.exp(-distance_km / scale)
        * (effective**exponent)[None, :]
        * (1.0 + misperception)[:, None]
    )
    weight = (weight + weight.T) / 2.0
    np.fill_diagonal(weight, 0.0)
    return weight


def check_stability(
    scenario: Scenario, file: str | Path | None, steps: list[int] | None = None
) -> None:
    """Raise ConfigError if tension could grow without bound (k m_ij >= delta for some dyad),
    at the start or after any month's ``set`` and ``add`` events (``steps``: every event's step).

    Raises
    ------
    ConfigError
        Naming ``dynamics.tension.reaction``, the largest reaction the dynamics allow, the dyad
        that fails first and the parameters the margin depends on.
    """
    distance = dyad_distances(scenario)
    steps = steps if steps is not None else [scenario.event_step(e) for e in scenario.events]
    check_values(scenario.model_dump(), distance, scenario.codes, file)
    timeline = list(change_timeline(scenario, steps, file))
    for k, (step, values) in enumerate(timeline):
        if k + 1 == len(timeline) or timeline[k + 1][0] != step:  # after the month's last
            month = step_to_month(step, start=scenario.start)
            check_values(values, distance, scenario.codes, file, f" from {month} on")


def check_values(
    values: dict[str, Any],
    distance: np.ndarray,
    codes: list[str],
    file: str | Path | None,
    when: str = "",
) -> None:
    """Richardson's condition for one set of values (see :func:`check_stability`)."""
    reaction, decay = (resolve_path(values, PATHS[name]) for name in ("reaction", "decay"))
    if reaction == 0.0:
        return
    weight = feedback_weights(values, distance)
    worst = float(weight.max())
    if decay > 0.0 and reaction * worst < decay:
        return
    dyad = np.unravel_index(int(np.argmax(weight)), weight.shape)
    limit = decay / worst if worst > 0 else float("inf")
    raise ConfigError(
        file,
        PATHS["reaction"],
        f"a reaction below {limit:.4g}{when} = dynamics.tension.decay {decay:g} / feedback "
        f"{worst:.4g} of {codes[dyad[0]]}-{codes[dyad[1]]} (Richardson's stability condition: "
        "above it tension grows without bound; the feedback depends on "
        "dynamics.threat.size_exponent, dynamics.threat.distance_scale_km, "
        "the patrons' support and ties, capabilities and misperception; set and add events "
        "included)",
        reaction,
    )
