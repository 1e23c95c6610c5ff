"""The model: a scenario compiled into arrays, the monthly equations, outcomes and two engines.

The Mesa engine (:class:`AllianceModel`, one run at a time, the readable reference) and the batch
engine (:func:`~sim.model.batch_engine.simulate_batch`, many runs as NumPy arrays) share the
month's phases and equations, and give identical outcomes for the same seed (ARCHITECTURE.md
section 4). ``AllianceModel`` is imported lazily: Mesa is not loaded by the batch engine's workers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AllianceModel", "Country"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sim.model import mesa_engine

        return getattr(mesa_engine, name)
    raise AttributeError(f"module 'sim.model' has no attribute {name!r}")
