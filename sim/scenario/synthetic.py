"""Generated scenarios of any size, for benchmarks, scaling studies and null models.

The countries are random but plausible: capitals in a 10 x 14 degree box (the size of the
Balkans), lognormal capabilities, alignments spread over [-1, 1], sparse affinities, and one
three-member pact of the most Euro-Atlantic countries.

Examples
--------
>>> scenario = synthetic_scenario(24, rng=1)
>>> len(scenario.countries), scenario.blocs["pact"].members[:1]
(24, ['C01'])
"""

from __future__ import annotations

import numpy as np

from sim.scenario.loading import scenario_from_dict
from sim.scenario.schema import Scenario


def synthetic_scenario(
    n_countries: int, *, density: float = 0.3, rng: int | np.random.Generator | None = None
) -> Scenario:
    """A random scenario with ``n_countries`` countries and one open pact of three.

    Parameters
    ----------
    n_countries : int
        At least 4.
    density : float
        Share of dyads with a non-zero affinity.
    rng : int or Generator, optional
        Seed for the scenario (not for the runs).
    """
    if n_countries < 4:
        raise ValueError(f"n_countries: expected at least 4, found {n_countries}")
    rng = np.random.default_rng(rng)
    codes = [f"C{i:02d}" for i in range(n_countries)]
    alignment = np.round(rng.uniform(-0.6, 0.95, n_countries), 3)
    countries = {
        code: {
            "name": f"Country {code}",
            "capability": float(np.round(rng.lognormal(0.0, 1.0), 3)),
            "alignment": float(alignment[i]),
            "russia_ties": float(np.round(max(0.0, -alignment[i]) * 0.8, 3)),
            "domestic_cost": float(np.round(rng.uniform(0.6, 1.2), 3)),
            "nato": bool(alignment[i] > 0.4),
            "lat": float(np.round(rng.uniform(37.0, 47.0), 2)),
            "lon": float(np.round(rng.uniform(13.0, 27.0), 2)),
        }
        for i, code in enumerate(codes)
    }
    pact = [codes[i] for i in np.argsort(-alignment, kind="stable")[:3]]
    relations = {}
    for i in range(n_countries):
        for j in range(i + 1, n_countries):
            founders = codes[i] in pact and codes[j] in pact
            if founders or rng.random() < density:
                gap = abs(alignment[i] - alignment[j])
                affinity = 0.6 if founders else np.clip(0.5 - gap + rng.normal(0, 0.3), -1, 1)
                relations[f"{codes[i]}-{codes[j]}"] = {
                    "affinity": float(np.round(affinity, 3)),
                    "tension": float(np.round(max(0.05, -affinity * 0.8), 3)),
                }
    return scenario_from_dict(
        {
            "name": f"synthetic_{n_countries}",
            "description": "Generated scenario (sim.scenario.synthetic)",
            "countries": countries,
            "relations": relations,
            "blocs": {"pact": {"members": sorted(pact)}},
        }
    )
