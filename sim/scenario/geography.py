"""Distances between a scenario's countries: capital to capital, or as a dyad's relation says."""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Scenario

EARTH_RADIUS_KM = 6371.0


def great_circle_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Pairwise great-circle distances (haversine) between points given in degrees, shape (n, n)."""
    phi, lam = np.radians(lat), np.radians(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    h = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def dyad_distances(scenario: Scenario) -> np.ndarray:
    """Distance of every dyad in km, shape (n, n), countries in file order: the great-circle
    distance between capitals, or the relation's ``distance_km`` where it gives one (a border
    much closer than the capitals, a forward-deployed force)."""
    countries = [scenario.countries[code] for code in scenario.codes]
    distance = great_circle_km(
        np.array([c.lat for c in countries]), np.array([c.lon for c in countries])
    )
    index = {code: i for i, code in enumerate(scenario.codes)}
    for key, relation in scenario.relations.items():
        if relation.distance_km is not None:
            first, second = key.split("-")
            i, j = index[first], index[second]
            distance[i, j] = distance[j, i] = relation.distance_km
    return distance
