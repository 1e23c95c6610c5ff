"""The golden regression files in tests/data/, and the one command that rewrites them.

``tests/data/golden_outcomes.csv`` holds the outcome rows of a few seeds over 24 months for a few
scenarios (the default one, and a busy variant in which joins, exits, crises and a counter-bloc
happen within two years); ``tests/data/golden_seeds.csv`` holds literal run seeds of a small design.
``tests/test_golden.py`` recomputes both and fails on any difference, so any change to outcomes or
seeds is a deliberate, reviewed update of these files. After a model change that is meant to
change outcomes::

    python -m tests.regenerate_golden   # rewrite tests/data/golden_*.csv
    git diff --stat tests/data           # review, then commit with the model change
"""

from __future__ import annotations

import copy
import io
import sys
from pathlib import Path

import pandas as pd

from sim.experiment.seeds import run_seed
from sim.model.batch_engine import simulate_batch
from sim.model.world import compile_world
from sim.scenario.loading import read_scenario_data, scenario_from_dict
from sim.scenario.schema import Scenario
from sim.scenario.shipped import default_scenario_path

DATA = Path(__file__).parent / "data"
OUTCOMES = DATA / "golden_outcomes.csv"
SEEDS = DATA / "golden_seeds.csv"
REGENERATE = "python -m tests.regenerate_golden"
MONTHS = 24
MASTER = 20250318

# name -> (counter-bloc enabled, scenario overrides); every case runs the same literal seeds below.
CASES: dict[str, tuple[bool, dict]] = {
    "default": (False, {}),
    # Frequent decisions, easy exits, a likely crisis and a counter-bloc: every bookkeeping path.
    "busy": (
        True,
        {
            "dynamics.accession.decision_rate": 0.5,
            "dynamics.accession.temperature": 0.3,  # noisy choices: joins at any utility
            "dynamics.accession.exit_margin": 0.0,
            "dynamics.accession.exit_rate": 0.5,
            "dynamics.crisis.rate": 0.3,
            "dynamics.crisis.threshold": 0.8,
            "dynamics.counter_bloc.threat_threshold": 0.05,
            "dynamics.counter_bloc.formation_rate": 0.3,
        },
    ),
}
CASE_SEEDS = (1, 2, 3, 20250318, 2**62 + 12345)
# The small design whose seeds are pinned: replications 0..3, no design point (common random
# numbers) and design points 0..2 (common random numbers off).
SEED_DESIGN = {"replications": range(4), "design_points": (None, 0, 1, 2)}


def case_scenario(name: str) -> Scenario:
    """The default scenario with case ``name``'s counter-bloc switch and overrides."""
    counter_bloc, overrides = CASES[name]
    data = read_scenario_data(default_scenario_path())
    dynamics = copy.deepcopy(data.get("dynamics") or {})
    dynamics.setdefault("counter_bloc", {})["enabled"] = counter_bloc
    return scenario_from_dict({**data, "dynamics": dynamics}, overrides=overrides)


def golden_outcomes() -> pd.DataFrame:
    """Outcome rows of every case, as freshly computed: ``case`` first, then the engine's rows."""
    parts = []
    for name in CASES:
        world = compile_world(case_scenario(name))
        rows = simulate_batch(world, list(CASE_SEEDS), months=MONTHS).runs
        rows.insert(0, "case", name)
        parts.append(rows)
    return pd.concat(parts, ignore_index=True)


def golden_seeds() -> pd.DataFrame:
    """Seeds of the small design, as freshly computed by :func:`run_seed`."""
    rows = [
        {
            "master": MASTER,
            "design_point": -1 if point is None else point,  # -1: common random numbers
            "replication": k,
            "seed": run_seed(MASTER, k, point),
        }
        for point in SEED_DESIGN["design_points"]
        for k in SEED_DESIGN["replications"]
    ]
    return pd.DataFrame(rows)


def as_csv(table: pd.DataFrame) -> str:
    """The CSV text of a table, floats at full (round-trip) precision."""
    return table.to_csv(index=False, float_format="%.17g", lineterminator="\n")


def through_csv(table: pd.DataFrame) -> pd.DataFrame:
    """A table as it reads back from its CSV text, so fresh and stored values compare alike."""
    return pd.read_csv(io.StringIO(as_csv(table)))


def main() -> int:
    DATA.mkdir(exist_ok=True)
    for path, table in ((OUTCOMES, golden_outcomes()), (SEEDS, golden_seeds())):
        path.write_text(as_csv(table))
        print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
              f" ({len(table)} rows)")  # fmt: skip
    print("review the change with `git diff tests/data` and commit it with the model change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
