"""Richardson's stability condition for a scenario's tension dynamics, checked when it loads.

Threat is linear in tension (MODEL.md P3), so the tension update T1 of a dyad reads
T_ij <- T_ij (1 - delta + k m_ij) + delta T0_ij + (noise, provocation, crisis jumps), with the
feedback weight

    m_ij = prox_ij (s*_j^alpha (1 + beta_i) + s*_i^alpha (1 + beta_j)) / 2.

Tension returns to a finite level only while the reaction stays below the restraint,
k m_ij < delta for every dyad (Richardson 1960, the arms-race stability condition); above it
tension grows geometrically and every clipped outcome hides the blow-up. The check uses the worst
values a run can see: the scenario's own and those of its ``set`` events.

References
----------
Richardson, L. F. (1960). Arms and Insecurity. Boxwood Press.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import numpy as np

from sim.errors import ConfigError
from sim.scenario.geography import great_circle_km
from sim.scenario.schema import Scenario, SetEvent

PATHS = {
    "reaction": "dynamics.tension.reaction",
    "decay": "dynamics.tension.decay",
    "support": "patrons.russia.support",
    "exponent": "dynamics.threat.size_exponent",
    "scale": "dynamics.threat.distance_scale_km",
}


def feedback_weights(
    scenario: Scenario, *, support: float, exponent: float, scale: float
) -> np.ndarray:
    """m_ij of every dyad (zero diagonal), shape (n, n)."""
    countries = [scenario.countries[code] for code in scenario.codes]
    capability = np.array([c.capability for c in countries])
    ties = np.array([c.russia_ties for c in countries])
    misperception = np.array([c.misperception for c in countries])
    effective = capability / capability.sum() * (1.0 + support * ties)
    distance = great_circle_km(
        np.array([c.lat for c in countries]), np.array([c.lon for c in countries])
    )
    weight = (
        np.exp(-distance / scale) * (effective**exponent)[None, :] * (1.0 + misperception)[:, None]
    )
    weight = (weight + weight.T) / 2.0
    np.fill_diagonal(weight, 0.0)
    return weight


def candidate_values(scenario: Scenario) -> dict[str, list[float]]:
    """Each parameter's scenario value and every value a ``set`` event gives it."""
    dynamics, patrons = scenario.dynamics, scenario.patrons
    values = {
        "reaction": [dynamics.tension.reaction],
        "decay": [dynamics.tension.decay],
        "support": [patrons.russia.support],
        "exponent": [dynamics.threat.size_exponent],
        "scale": [dynamics.threat.distance_scale_km],
    }
    for event in scenario.events:
        if isinstance(event, SetEvent):
            for name, path in PATHS.items():
                if event.path == path:
                    values[name].append(float(event.value))
    return values


def check_stability(scenario: Scenario, file: str | Path | None) -> None:
    """Raise ConfigError if tension could grow without bound (k m_ij >= delta for some dyad).

    Raises
    ------
    ConfigError
        Naming ``dynamics.tension.reaction``, the largest reaction the dynamics allow, the dyad
        that fails first and the parameters the margin depends on.
    """
    values = candidate_values(scenario)
    reaction, decay = max(values["reaction"]), min(values["decay"])
    if reaction == 0.0:
        return
    worst, dyad = 0.0, (0, 1)
    for support, exponent, scale in product(values["support"], values["exponent"], values["scale"]):
        weight = feedback_weights(scenario, support=support, exponent=exponent, scale=scale)
        if weight.max() > worst:
            worst = float(weight.max())
            dyad = np.unravel_index(int(np.argmax(weight)), weight.shape)
    if decay > 0.0 and reaction * worst < decay:
        return
    codes = scenario.codes
    limit = decay / worst if worst > 0 else float("inf")
    raise ConfigError(
        file,
        PATHS["reaction"],
        f"a reaction below {limit:.4g} = dynamics.tension.decay {decay:g} / feedback "
        f"{worst:.4g} of {codes[dyad[0]]}-{codes[dyad[1]]} (Richardson's stability condition: "
        "above it tension grows without bound; the feedback depends on "
        "dynamics.threat.size_exponent, dynamics.threat.distance_scale_km, "
        "patrons.russia.support, capabilities and misperception; set events included)",
        reaction,
    )
