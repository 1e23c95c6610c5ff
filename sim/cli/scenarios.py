"""The scenario commands: validate, simulate, patterns (pattern checks) and landscape."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from sim.cli.common import (
    OverrideOption,
    ScenarioArg,
    console,
    load_with_overrides,
    parse_overrides,
)
from sim.model.explain import start_utilities
from sim.model.world import compile_world, describe
from sim.scenario.calendar import step_to_month
from sim.scenario.loading import load_scenario
from sim.scenario.schema import COUNTER_BLOC_KEY, Scenario
from sim.scenario.shipped import resolve_input


def validate(
    path: ScenarioArg,
    utilities: Annotated[
        bool,
        typer.Option(
            "--utilities",
            help="Also print each outsider's utility of joining each bloc after the start month,"
            " term by term (U1): the motives a domestic or neutrality cost is weighed against.",
        ),
    ] = False,
) -> None:
    """Check a scenario file and summarise what it contains.

    Every problem is reported with the file, the dotted field path, what was expected and what
    was found. Exit status 0 means the scenario is ready to simulate. With --utilities, the
    terms of each outsider's utility of joining (the start month run without noise or chance):
    the numbers to size a judgement cost against.
    """
    path = resolve_input(path, "scenario")
    scenario = load_scenario(path)
    world = compile_world(scenario)
    summary = describe(world)
    console.print(f"[bold]{escape(scenario.name)}[/bold]: valid scenario ({escape(str(path))})",
                  soft_wrap=True)  # fmt: skip
    if scenario.description:
        console.print(escape(scenario.description))
    table = Table("country", "name", "capability US$bn", "size", "alignment", "guarantee", "bloc")
    size = world.capability[0] / world.capability[0].sum()
    bloc_of = {code: name for name, bloc in scenario.blocs.items() for code in bloc.members}
    for i, (code, country) in enumerate(scenario.countries.items()):
        table.add_row(
            code,
            escape(country.name),
            f"{country.capability:.2f}",
            f"{size[i]:.3f}",
            f"{country.alignment:+.2f}",
            "yes" if world.guarantee[0, :, i].any() else "no",
            bloc_of.get(code, ""),
        )
    console.print(table)
    console.print(
        f"start {scenario.start}; {summary['countries']} countries, "
        f"{len(scenario.relations)} listed dyads, blocs: {', '.join(summary['blocs']) or 'none'}"
        f" (pact: {scenario.pact_name}); {summary['events']} scheduled events"
        f"{'; counter-blocs on' if scenario.dynamics.counter_bloc.enabled else ''}.",
        soft_wrap=True,
    )
    if utilities:
        print_utilities(start_utilities(world), scenario)


def print_utilities(table: pd.DataFrame, scenario: Scenario) -> None:
    """The utility terms of :func:`sim.model.explain.start_utilities` as a terminal table."""
    after = step_to_month(1, start=scenario.start)
    shown = Table("country", "bloc", "frustration", "security", "endorsement", "cost",
                  "utility", "may join", title=f"Utility of joining (U1) as of {after}, the "
                  "start month run without noise or chance")  # fmt: skip
    for row in table.itertuples():
        numbers = (row.frustration, row.security, row.endorsement, row.cost, row.utility)
        shown.add_row(row.country, row.bloc, *(f"{x + 0.0:+.2f}" for x in numbers),
                      "yes" if row.admissible else "no")  # fmt: skip
    console.print(shown)
    console.print("motives: frustration (affinity gained with members less lost with the bloc's"
                  " opponents, P6), security (U2), endorsement (patrons' stances); cost: domestic"
                  " cost, plus a neutral country's cost of leaving neutrality (N1); may join:"
                  " eligible, not vetoed, the bloc open, not neutral by law.",
                  soft_wrap=True)  # fmt: skip


def simulate(
    path: ScenarioArg,
    months: Annotated[int, typer.Option(min=1, help="Horizon in months (120 = ten years).")] = 120,
    seed: Annotated[
        int, typer.Option(min=0, help="Seed of the run; the same seed replays it.")
    ] = 7,
    override: OverrideOption = None,
) -> None:
    """Run the model once and print a dated timeline of what happened.

    The timeline lists the scenario's scheduled events, joins and exits, stage changes of the
    pact, counter-blocs and crises, then a closing line of key outcomes. One run is one possible
    history: use `alliance-sim run EXPERIMENT.yaml` for probabilities over many runs.
    """
    scenario = load_with_overrides(path, override)
    from sim.model import AllianceModel  # Mesa: not imported by `run`'s worker processes

    model = AllianceModel(scenario, months=months, timeline=True, rng=seed)
    model.run()
    world = model.world
    timeline = [
        (step_to_month(step, start=scenario.start), f"[dim]{escape(note)}[/dim]")
        for step, events in sorted(world.events.items()) if step < months
        for note in events.notes
    ] + [(month, text) for month, text in model.timeline()]  # fmt: skip
    end = step_to_month(months - 1, start=scenario.start)
    console.print(f"[bold]{escape(scenario.name)}[/bold], seed {seed}, {scenario.start} to {end}")
    for month, text in sorted(timeline, key=lambda item: item[0]):
        console.print(f"  {month}  {text}", soft_wrap=True)
    row = model.outcomes().iloc[0]
    console.print(closing_line(row, scenario), soft_wrap=True)


def patterns(
    path: ScenarioArg,
    replications: Annotated[
        int, typer.Option(min=2, help="Runs of the scenario (batch engine, seeded).")
    ] = 2000,
    seed: Annotated[int, typer.Option(min=0, help="Master seed of the runs.")] = 20250318,
    override: OverrideOption = None,
) -> None:
    """Check a scenario against its `patterns:` (what it must reproduce) and print each.

    Every pattern is a measure over a period with a target range and its reasoning, e.g. "no new
    member 2025-03..2026-02 with probability >= 0.85" (pattern-oriented calibration, Grimm et al.
    2005). The scenario is run REPLICATIONS times; each pattern's estimate is printed with its
    95% interval and passes when the estimate lies in the target range. Exit status 1 if any
    pattern fails. With --set, the patterns are checked on the scenario with those values: a
    judgement value that decides a pattern by itself shows as an estimate that does not move.
    """
    from sim.analysis.patterns import evaluate_patterns
    from sim.analysis.tables import patterns_table

    scenario = load_with_overrides(path, override)
    results = evaluate_patterns(scenario, replications=replications, seed=seed)
    console.print(patterns_table(results, start=scenario.start))
    failed = [result.pattern.name for result in results if not result.passed]
    console.print(
        f"{len(results) - len(failed)} of {len(results)} patterns pass "
        f"({replications} runs, seed {seed}{''.join(f', --set {item}' for item in override or [])})"
        + (f"; failed: {', '.join(failed)}" if failed else ""),
        soft_wrap=True,
    )
    if failed:
        raise typer.Exit(1)


def landscape(
    path: Annotated[
        Path,
        typer.Argument(
            help="A landscape file (YAML with actors: and propensities:), a CSV matrix with a "
            "size column, or a scenario (a file or a shipped name), e.g. "
            "docs/examples/toy_landscape.yaml or western_balkans_2025."
        ),
    ],
    top: Annotated[
        int, typer.Option(min=0, help="How many of the lowest-energy configurations to list.")
    ] = 10,
    json_path: Annotated[
        str | None,
        typer.Option("--json", help="Also write the result as JSON to this path ('-': stdout)."),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option(
            help="Scenarios: take propensities after this many simulated months (a number, "
            "or YYYY-MM)."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(min=0, help="Seed of the simulated run and of the restarts (drawn if unset)."),
    ] = None,
    override: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Scenarios: override a value by dotted path, e.g. --set "
            "dynamics.propensity.alignment_weight=0 (repeatable).",
        ),
    ] = None,
    restarts: Annotated[
        int, typer.Option(min=1, help="Random descents when there are more than 20 actors.")
    ] = 10_000,
) -> None:
    """Find the stable two-camp alignments of Axelrod and Bennett's landscape theory.

    Actors of size s_i with symmetric propensities p_ij (positive: rather
    together) split into two camps. The energy E sums s_i s_j p_ij over the
    ordered pairs in different camps (each pair counted twice, as in the 1993
    paper), so it is lowest where friends share a camp. An actor switches camp
    when that lowers its frustration, and that lowers E; the local minima,
    where no one wants to switch, are the stable alignments. A minimum's basin
    share is the share of all 2^(n-1) configurations whose steepest descent
    (ties go to the first-listed actor) ends there.

    Up to 20 actors every configuration is enumerated; beyond that, --restarts
    random descents estimate the minima and their basins. For a scenario, sizes
    are shares of capability, propensities come from the model (MODEL.md
    section 3) and the blocs are compared with the minima. See
    docs/landscape.md.
    """
    from sim.landscape.report import landscape_command

    landscape_command(resolve_input(path, "scenario"), top=top, json_path=json_path,
                      month=month, restarts=restarts, overrides=parse_overrides(override or []),
                      seed=seed)  # fmt: skip


def closing_line(row, scenario: Scenario) -> str:
    """One line of the run's key outcomes."""
    parts = [f"members: {row['final_members']}"]
    parts.append(f"stage: {row['final_stage']} (depth {row['final_depth']:.2f})")
    crises = int(row["crisis_count"])
    parts.append(f"crises: {crises}")
    for dyad in scenario.tracked_dyads:
        parts.append(f"peak tension {dyad} {row[f'peak_tension_{dyad}']:.2f}")
    if row["counter_bloc_formed"]:
        parts.append(f"counter-bloc: {row['counter_bloc_members']}")
    for column in row.index:  # every other bloc of the scenario (founded by then)
        bloc = column.removesuffix(".final_members")
        if bloc != column and bloc != COUNTER_BLOC_KEY and row.get(f"{bloc}.founded_month", 0) >= 0:
            parts.append(f"{bloc}: {row[column] or '(no members)'} ({row[f'{bloc}.final_stage']})")
    return "[bold]Outcome:[/bold] " + "; ".join(parts)
