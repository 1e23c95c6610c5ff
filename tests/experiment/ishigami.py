"""The Ishigami function as a model (a plain function the sweep machinery calls once per run).

Ishigami & Homma (1990): y = sin x1 + a sin² x2 + b x3⁴ sin x1 on [-π, π]³. With a = 7 and
b = 0.1 its Sobol' indices are known in closed form (Sobol' & Levitan 1999; SALib's test
function): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437); x3 acts only through its
interaction with x1.
"""

from __future__ import annotations

import math

A, B = 7.0, 0.1
S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(x1: float = 0.0, x2: float = 0.0, x3: float = 0.0, rng=None) -> dict[str, float]:
    """The Ishigami function (deterministic: ``rng`` is accepted and unused)."""
    return {"y": math.sin(x1) + A * math.sin(x2) ** 2 + B * x3**4 * math.sin(x1)}
