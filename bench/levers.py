"""The model's levers on paired runs: does each answer move the way theory says?

Each lever is a baseline and a variant of the default scenario that differ in one thing (NATO
endorsement, Russian support, Bulgaria joining or invited, counter-blocs, misperception, domestic
cost, the logit temperature). Both run the same seeds (common random numbers), so replication k
of the variant and of the baseline form a pair. For each measure the script prints the baseline
and variant values, the paired effect (variant minus baseline) with its 95% interval (Newcombe's
paired interval for probabilities, the paired t interval for means; sim.compare), the sign theory
predicts and whether the interval agrees (yes: excludes 0 on the predicted side; no: excludes 0 on
the other side; ~: includes 0). A second table gives diagnostics of the baseline: the share of
joins taken at negative utility, exits, the formal-alliance stage, and the camps of the
Axelrod-Bennett landscape at the start.

Run: python bench/levers.py [--runs N] [--months M]   (default 4000 runs, 120 months)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.compare import compare_binary, compare_continuous
from sim.experiment.seeds import run_seeds
from sim.landscape.inputs import scenario_landscape
from sim.landscape.search import enumerate_landscape
from sim.model import phases
from sim.model.batch_engine import simulate_batch
from sim.model.draws import draw_runs, generators_for
from sim.model.state import RunState
from sim.model.world import compile_world
from sim.scenario import Scenario, scenario_from_dict
from sim.scenario.loading import read_scenario_data
from sim.scenario.schema import AccessionParams
from sim.scenario.shipped import default_scenario_path

MASTER_SEED = 20250318
TEMPERATURE = AccessionParams().temperature  # the default logit temperature
JOIN_MONTH = "2026-06"  # the hypothetical Bulgarian accession / invitation of experiments/
EURO_ATLANTIC = ("BGR", "MKD", "MNE")


@dataclass(frozen=True)
class Measure:
    """One outcome of a lever: a yes/no event (probability) or a number (mean)."""

    label: str
    kind: str  # "binary" | "continuous"
    value: Callable[[pd.DataFrame], pd.Series | np.ndarray]
    expected: int | None  # +1, -1: the sign theory predicts; 0: no material change; None: none


@dataclass(frozen=True)
class Lever:
    name: str
    theory: str
    measures: tuple[Measure, ...]
    variant_overrides: dict = field(default_factory=dict)
    variant_events: tuple[dict, ...] = ()
    baseline_overrides: dict = field(default_factory=dict)


def joins(code: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda rows: rows[f"join_month_{code}"].notna()


def any_crisis(rows: pd.DataFrame) -> pd.Series:
    return rows["crisis_count"] > 0


def column(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda rows: rows[name]


def euro_atlantic_joins(rows: pd.DataFrame) -> pd.Series:
    return sum(rows[f"join_month_{c}"].notna().astype(int) for c in EURO_ATLANTIC)


CRISIS = Measure("P(any crisis)", "binary", any_crisis, +1)
PEAK_SRB_XKX = Measure("peak SRB-XKX tension", "continuous", column("peak_tension_SRB-XKX"), +1)

LEVERS = (
    Lever(
        "NATO endorsement 0 -> 0.3",
        "Walt: backing raises the value of joining for Western-aligned states; Serbia reads "
        "Western backing as a threat (Jervis's spiral), it does not calm it",
        (
            Measure("P(BGR joins)", "binary", joins("BGR"), +1),
            Measure("Euro-Atlantic joins (BGR+MKD+MNE)", "continuous", euro_atlantic_joins, +1),
            Measure("P(HUN joins)", "binary", joins("HUN"), 0),
            Measure("peak SRB-XKX tension", "continuous", column("peak_tension_SRB-XKX"), +1),
        ),
        variant_overrides={"patrons.west.endorsement": 0.3},
    ),
    Lever(
        "NATO endorsement 0 -> -0.5",
        "a Western veto lowers joins; it should not raise Russia-leaning candidates' utility",
        (
            Measure("P(BGR joins)", "binary", joins("BGR"), -1),
            Measure("P(HUN joins)", "binary", joins("HUN"), 0),
        ),
        variant_overrides={"patrons.west.endorsement": -0.5},
    ),
    Lever(
        "Russian support 0 -> 1",
        "patron backing emboldens clients (Leeds 2003; Benson 2012; Snyder 1984): more crises, "
        "a more Russia-leaning Serbia",
        (
            CRISIS,
            Measure("final alignment SRB", "continuous", column("final_alignment_SRB"), -1),
            PEAK_SRB_XKX,
        ),
        baseline_overrides={"patrons.russia.support": 0.0},
        variant_overrides={"patrons.russia.support": 1.0},
    ),
    Lever(
        f"Bulgaria joins {JOIN_MONTH}",
        "a new member raises tension with the bloc's opponents (Jervis 1978; Snyder 1984)",
        (
            PEAK_SRB_XKX,
            Measure("peak SRB-HRV tension", "continuous", column("peak_tension_SRB-HRV"), +1),
            CRISIS,
        ),
        variant_events=({"month": JOIN_MONTH, "type": "join", "bloc": "tirana", "country": "BGR"},),
    ),
    Lever(
        f"Bulgaria invited {JOIN_MONTH}",
        "an invitation is an offer that changes the candidate's calculus: clearly more joins",
        (Measure("P(BGR joins)", "binary", joins("BGR"), +1),),
        variant_events=(
            {"month": JOIN_MONTH, "type": "invite", "bloc": "tirana", "country": "BGR"},
        ),
    ),
    Lever(
        "counter-bloc off -> on",
        "a counter-alliance is the alliance security dilemma's spiral (Snyder 1984): more crises",
        (CRISIS,),
        variant_overrides={"dynamics.counter_bloc.enabled": True},
    ),
    Lever(
        "misperception 0.2 -> 0.6 (all)",
        "the spiral model: over-read threat raises tension and crises (Jervis 1976)",
        (CRISIS, PEAK_SRB_XKX),
        variant_overrides={
            f"countries.{c}.misperception": 0.6
            for c in (
                "ALB",
                "HRV",
                "XKX",
                "SRB",
                "BGR",
                "MKD",
                "MNE",
                "BIH",
                "ROU",
                "HUN",
                "SVN",
                "GRC",
            )
        },
    ),
    Lever(
        "BGR domestic cost 0.8 -> 0.4",
        "lower domestic cost, more joins (the cost side of the accession calculus)",
        (Measure("P(BGR joins)", "binary", joins("BGR"), +1),),
        variant_overrides={"countries.BGR.domestic_cost": 0.4},
    ),
    Lever(
        "logit temperature x2",
        "choice noise should be a second-order lever next to the motives",
        (Measure("new members", "continuous", column("new_members"), None),),
        variant_overrides={"dynamics.accession.temperature": 2 * TEMPERATURE},
    ),
)


def scenario_for(overrides: dict, events: tuple[dict, ...] = ()) -> Scenario:
    data = read_scenario_data(default_scenario_path())
    data = {**data, "events": [*data.get("events", []), *events]}
    overrides = dict(overrides)
    if overrides.pop("dynamics.counter_bloc.enabled", False):  # a switch, not a number
        dynamics_data = dict(data.get("dynamics") or {})
        dynamics_data["counter_bloc"] = {**dynamics_data.get("counter_bloc", {}), "enabled": True}
        data["dynamics"] = dynamics_data
    return scenario_from_dict(data, file=default_scenario_path(), overrides=overrides)


def paired(base: pd.DataFrame, variant: pd.DataFrame, measure: Measure) -> dict:
    """The paired effect of one measure, with its interval, from two row tables."""
    n = len(base)
    frame = pd.DataFrame(
        {
            "variant": ["base"] * n + ["variant"] * n,
            "design_id": 0,
            "replication": np.concatenate([np.arange(n), np.arange(n)]),
            "seed": 0,
            "value": np.concatenate(
                [np.asarray(measure.value(base)), np.asarray(measure.value(variant))]
            ),
        }
    )
    if measure.kind == "binary":
        frame["value"] = frame["value"].astype(bool)
        row = compare_binary(frame, "value", baseline="base").iloc[0]
        return dict(
            base=row.p_baseline,
            variant=row.p_variant,
            effect=row.difference,
            low=row.low,
            high=row.high,
        )
    frame["value"] = frame["value"].astype(float)
    row = compare_continuous(frame, "value", baseline="base").iloc[0]
    return dict(
        base=row.mean_baseline,
        variant=row.mean_variant,
        effect=row.mean_difference,
        low=row.mean_low,
        high=row.mean_high,
    )


EQUIVALENCE = 0.05  # judgement: a change in probability smaller than 5 points is "no change"


def agrees(expected: int | None, low: float, high: float) -> str:
    """yes / no / ~ : the interval against the predicted sign.

    For a predicted "no change" (0) the interval must lie within +-EQUIVALENCE (an equivalence
    reading: yes), lie outside it (no), or straddle its edge (~).
    """
    if expected is None:
        return "n/a"
    if expected == 0:
        if -EQUIVALENCE <= low and high <= EQUIVALENCE:
            return "yes"
        return "no" if low > EQUIVALENCE or high < -EQUIVALENCE else "~"
    if low > 0 or high < 0:
        return "yes" if np.sign(low if low > 0 else high) == expected else "no"
    return "~"


def lever_table(runs: int, months: int) -> pd.DataFrame:
    seeds = run_seeds(MASTER_SEED, range(runs))
    cache: dict[str, pd.DataFrame] = {}

    def rows_of(overrides: dict, events: tuple[dict, ...] = ()) -> pd.DataFrame:
        key = repr((sorted(overrides.items()), events))
        if key not in cache:
            world = compile_world(scenario_for(overrides, events))
            cache[key] = simulate_batch(world, seeds, months=months).runs
        return cache[key]

    records = []
    for lever in LEVERS:
        base = rows_of(lever.baseline_overrides)
        variant = rows_of(
            {**lever.baseline_overrides, **lever.variant_overrides}, lever.variant_events
        )
        for measure in lever.measures:
            result = paired(base, variant, measure)
            sign = {1: "+", -1: "-", 0: "0", None: ""}[measure.expected]
            records.append(
                dict(
                    lever=lever.name,
                    measure=measure.label,
                    theory=sign,
                    **result,
                    agrees=agrees(measure.expected, result["low"], result["high"]),
                )
            )
    return pd.DataFrame(records)


def joins_by_utility(runs: int, months: int) -> np.ndarray:
    """The utility each voluntary join was taken at (default scenario, batch phases)."""
    world = compile_world(scenario_for({}))
    seeds = run_seeds(MASTER_SEED, range(runs))
    state = RunState.initial(world, runs)
    draws = draw_runs(generators_for(seeds), months, world.n_countries, world.n_blocs)
    taken = []
    for step in range(months):
        before = state.member.copy()
        derived, changes = phases.plan(state, world, step, draws.month(step))
        forced = np.zeros_like(before, dtype=bool)
        events = world.events.get(step)
        if events is not None:
            for country, _ in events.joins:
                forced[:, country] = True
        chose = (changes.joins >= 0) & (before < 0) & ~forced
        r, i = np.nonzero(chose)
        taken.append(derived.utility[r, i, changes.joins[r, i]])
        phases.commit(state, world, derived, changes)
    return np.concatenate(taken)


def landscape_camps() -> str:
    result = enumerate_landscape(scenario_landscape(default_scenario_path()).landscape)
    parts = []
    for minimum in result.minima:
        a, b = result.camps(minimum.labels)
        parts.append(
            f"{{{','.join(a)}}} vs {{{','.join(b) or '-'}}} (basin {minimum.basin_share:.0%})"
        )
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4000)
    parser.add_argument("--months", type=int, default=120)
    args = parser.parse_args()
    started = time.perf_counter()
    table = lever_table(args.runs, args.months)
    print(
        f"Levers of the default scenario: {args.runs} paired runs per variant, {args.months} "
        f"months, master seed {MASTER_SEED}; effect = variant - baseline, 95% interval; "
        f"theory 0 = within +-{EQUIVALENCE}"
    )
    print(
        f"{'lever':<34} {'measure':<36} {'theory':>6} {'baseline':>9} {'variant':>9} "
        f"{'effect [95% interval]':>28} {'agrees':>6}"
    )
    for row in table.itertuples():
        interval = f"{row.effect:+.3f} [{row.low:+.3f}, {row.high:+.3f}]"
        print(
            f"{row.lever:<34} {row.measure:<36} {row.theory:>6} {row.base:>9.3f} "
            f"{row.variant:>9.3f} {interval:>28} {row.agrees:>6}"
        )
    utility = joins_by_utility(args.runs, args.months)
    base = compile_world(scenario_for({}))
    rows = simulate_batch(base, run_seeds(MASTER_SEED, range(args.runs)), months=args.months).runs
    exits = rows[[f"exit_month_{c}" for c in base.codes]].notna().any(axis=1)
    print()
    print("Diagnostics of the default scenario")
    temperature = float(base.params["accession.temperature"][0])
    print(
        f"  voluntary joins: {utility.size}; share at negative utility "
        f"{np.mean(utility < 0):.3f}; median utility at joining {np.median(utility):+.3f}"
    )
    print(
        f"  share below -2 temperatures ({-2 * temperature:+.2f}, where the logit gives less than"
        f" 12% of its chance at zero): {np.mean(utility < -2 * temperature):.3f}; quartiles"
        f" {np.quantile(utility, 0.25):+.3f} .. {np.quantile(utility, 0.75):+.3f}"
    )
    print(f"  P(some member leaves)      {exits.mean():.3f}")
    print(
        f"  P(formal alliance reached) {rows.stage_month_formal_alliance.notna().mean():.3f}"
        f"; final depth median {rows.final_depth.median():.3f}"
    )
    print(f"  landscape minima at the start: {landscape_camps()}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
