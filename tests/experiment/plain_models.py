"""Small models for the experiment-file tests (importable as ``tests.experiment.plain_models``)."""

from __future__ import annotations


def needs_a(a: float, b: float = 2.0, rng=None) -> dict[str, float]:
    """A function model whose ``a`` has no default: y = a * b."""
    return {"y": a * b}
