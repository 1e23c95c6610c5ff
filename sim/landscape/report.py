"""The ``alliance-sim landscape`` command: analyse a landscape, print tables, write JSON.

The library work happens in :mod:`sim.landscape.energy` (minima and basins) and
:mod:`sim.landscape.inputs` (reading the three kinds of input); this module turns a result into
plain data (:func:`result_to_dict`, the JSON document), rich tables (:func:`render`) and, for
scenarios, a comparison of blocs with the landscape's minima (:func:`compare_blocs`).

References
----------
Axelrod & Bennett (1993) BJPolS 23(2).
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sim.errors import ConfigError
from sim.landscape.energy import EXHAUSTIVE_LIMIT, LandscapeResult
from sim.landscape.inputs import LandscapeInput, load_landscape
from sim.landscape.search import analyse_landscape

MAX_PRINTED_MINIMA = 50
ENERGY_CONVENTION = (
    "E = sum over ordered pairs i != j of s_i s_j p_ij d_ij (each cross-camp pair counted twice; "
    "Axelrod & Bennett 1993); lower is more stable"
)


def landscape_command(
    path: str | Path,
    *,
    top: int = 10,
    json_path: str | Path | None = None,
    month: int | str | None = None,
    overrides: dict[str, float] | None = None,
    restarts: int = 10_000,
    seed: int | None = None,
    console: Console | None = None,
) -> dict[str, Any]:
    """Analyse a landscape file, CSV matrix or scenario; print the tables; optionally write JSON.

    Parameters
    ----------
    path : str or Path
        The input (see :func:`sim.landscape.inputs.load_landscape`).
    top : int, optional
        How many of the lowest-energy configurations to list.
    json_path : str or Path, optional
        Also write the result as JSON here (atomically); ``"-"`` writes it to standard output
        instead of the tables.
    month : int or str, optional
        Scenarios: propensities after this many simulated months (step number or ``YYYY-MM``).
    overrides : dict, optional
        Scenarios: dotted paths to new values, e.g. ``{"patrons.russia.support": 0.9}``.
    restarts : int, optional
        Random descents when there are more than 20 actors.
    seed : int, optional
        Seed of everything random here: the simulated run (``month``) and the restarts. ``None``
        draws one; it is reported so the command can be repeated.
    console : rich Console, optional
        Where the tables go (standard output by default).

    Returns
    -------
    dict
        The JSON document (see :func:`result_to_dict`).

    Raises
    ------
    ConfigError, InputFileNotFoundError
        For malformed or missing input (from :func:`~sim.landscape.inputs.load_landscape`).

    References
    ----------
    Axelrod & Bennett (1993).
    """
    check_json_path(json_path)  # before the work, not after printing every table
    drawn = seed is None
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (1 << 63))
    loaded = load_landscape(path, month=month, overrides=overrides, seed=seed)
    result = analyse_landscape(loaded.landscape, top=top, restarts=restarts, rng=seed)
    comparison = [
        {"source": bloc_set.label, **row}
        for bloc_set in loaded.bloc_sets
        for row in compare_blocs(result, bloc_set.blocs)
    ] or None
    document = result_to_dict(result, loaded, comparison, seed=seed)
    if json_path is not None and str(json_path) == "-":
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return document
    console = console or Console()
    console.print(render(result, loaded, comparison, seed=seed))
    if drawn and (loaded.simulated or result.method != "exhaustive"):
        console.print(f"seed {seed} (drawn; repeat this analysis with --seed {seed})",
                      soft_wrap=True, highlight=False)  # fmt: skip
    if json_path is not None:
        try:
            write_json(document, json_path)
        except OSError as err:
            raise ConfigError(None, "--json", "a file that can be written",
                              f"{json_path} ({err.strerror or err})") from None  # fmt: skip
        console.print(f"Wrote {escape(str(json_path))}", soft_wrap=True)
    return document


# --- plain data -----------------------------------------------------------------------------------


def result_to_dict(
    result: LandscapeResult,
    loaded: LandscapeInput,
    comparison: list[dict[str, Any]] | None = None,
    *,
    seed: int | None = None,
) -> dict[str, Any]:
    """The JSON document: source, actors, minima, lowest configurations and bloc comparison.

    ``minima`` is ``[{camps: [[...], [...]], energy, basin_share, hits}]`` (lowest energy first;
    the first camp holds the first actor); ``configurations`` lists the lowest configurations
    (exhaustive) or the lowest minima found (restarts) as ``{camps, energy, local_minimum}``.
    """
    scape = result.landscape
    random = result.method == "restarts" or loaded.kind == "scenario"
    return {
        "source": {
            "path": str(loaded.path),
            "kind": loaded.kind,
            "name": loaded.name,
            "step": loaded.step,
            "month": loaded.month,
            "simulated": loaded.simulated,
            "overrides": loaded.overrides,
            "seed": seed if random else None,
        },
        "energy_convention": ENERGY_CONVENTION,
        "method": result.method,
        "starts": result.n_starts,
        "actors": [
            {"name": name, "size": float(size)}
            for name, size in zip(scape.names, scape.sizes, strict=True)
        ],
        "minima": [
            {
                "camps": [list(camp) for camp in result.camps(m.labels)],
                "energy": m.energy,
                "basin_share": m.basin_share,
                "hits": m.hits,
            }
            for m in result.minima
        ],
        "configurations": [
            {
                "camps": [list(camp) for camp in result.camps(c.labels)],
                "energy": c.energy,
                "local_minimum": c.local_minimum,
            }
            for c in result.lowest
        ],
        "blocs": comparison,
    }


def compare_blocs(result: LandscapeResult, blocs: dict[str, Iterable[str]]) -> list[dict[str, Any]]:
    """How each bloc sits in the landscape's minima.

    For each bloc: ``together_share``, the basin share of the minima that keep all its members in
    one camp; and, in the lowest minimum found, ``camp`` (its members' camp, the one holding most
    of them), ``split_off`` (members in the other camp) and ``camp_mates`` (non-members in the
    members' camp: the landscape's candidates to join).

    Examples
    --------
    >>> from sim.landscape.energy import Landscape
    >>> from sim.landscape.search import enumerate_landscape
    >>> scape = Landscape(("US", "Russia", "Syria"), np.array([10.0, 10.0, 50.0]),
    ...                   np.array([[0, -1, -1], [-1, 0, 1], [-1, 1, 0.0]]))
    >>> row, = compare_blocs(enumerate_landscape(scape), {"pact": ["Russia"]})
    >>> row["together_share"], row["camp_mates"]
    (1.0, ['Syria'])
    """
    index = {name: i for i, name in enumerate(result.landscape.names)}
    rows = []
    for bloc, members in blocs.items():
        members = [m for m in members if m in index]
        if not members:
            continue
        columns = [index[m] for m in members]
        together = sum(m.basin_share for m in result.minima if len(set(m.labels[columns])) == 1)
        lowest = result.minima[0]
        sides = [int(side) for side in lowest.labels[columns]]
        side = max(set(sides), key=lambda s: (sides.count(s), -s))
        camp = result.camps(lowest.labels)[side]
        rows.append(
            {
                "bloc": bloc,
                "members": list(members),
                "together_share": float(together),
                "camp": "A" if side == 0 else "B",
                "split_off": [m for m, s in zip(members, sides, strict=True) if s != side],
                "camp_mates": [name for name in camp if name not in members],
            }
        )
    return rows


def literal(names) -> str:
    """Names joined by commas, shown as written (not read as rich markup)."""
    return escape(", ".join(names))


# --- output ---------------------------------------------------------------------------------------


def render(
    result: LandscapeResult,
    loaded: LandscapeInput,
    comparison: list[dict[str, Any]] | None = None,
    *,
    seed: int | None = None,
) -> Group:
    """Rich tables: a heading, the minima, the lowest configurations and the bloc comparison."""
    parts: list[Any] = [heading(result, loaded, seed=seed)]
    minima = Table(title="Local minima (stable alignments), lowest energy first")
    for column in ("#", "camp A", "camp B", "energy", "basin share"):
        minima.add_column(column, justify="right" if column in ("#", "energy") else "left")
    for k, m in enumerate(result.minima[:MAX_PRINTED_MINIMA], start=1):
        camp_a, camp_b = result.camps(m.labels)
        share = f"{m.basin_share:.1%}"
        if result.method == "restarts":
            share += f" ({m.hits} of {result.n_starts})"
        minima.add_row(str(k), literal(camp_a), literal(camp_b) or "-", f"{m.energy:.6g}", share)
    parts.append(minima)
    reason = single_camp_reason(result, loaded)
    if reason:
        parts.append(Text(reason))
    if len(result.minima) > MAX_PRINTED_MINIMA:
        parts.append(Text(f"... and {len(result.minima) - MAX_PRINTED_MINIMA} more (see --json)"))
    title = (
        f"The {len(result.lowest)} lowest configurations"
        if result.method == "exhaustive"
        else f"The {len(result.lowest)} lowest minima found (not guaranteed to include the global)"
    )
    lowest = Table(title=title)
    for column in ("#", "camp A", "camp B", "energy", "local minimum"):
        lowest.add_column(column, justify="right" if column in ("#", "energy") else "left")
    for k, c in enumerate(result.lowest, start=1):
        camp_a, camp_b = result.camps(c.labels)
        lowest.add_row(
            str(k),
            literal(camp_a),
            literal(camp_b) or "-",
            f"{c.energy:.6g}",
            "yes" if c.local_minimum else "no",
        )
    parts.append(lowest)
    if comparison:
        blocs = Table(
            title="Blocs against the landscape's minima",
            caption=(
                "together: basin share of the minima that keep all members in one camp. "
                "camp, split off (members on the other side) and camp-mates (non-members on "
                "the members' side): in the lowest minimum."
            ),
        )
        for column in ("blocs from", "bloc", "members", "together", "camp", "split off",
                       "camp-mates"):  # fmt: skip
            blocs.add_column(column, overflow="fold")  # seeds in full, never cut
        for row in comparison:
            blocs.add_row(
                escape(row["source"]),
                escape(row["bloc"]),
                literal(row["members"]),
                f"{row['together_share']:.1%}",
                row["camp"],
                literal(row["split_off"]) or "-",
                literal(row["camp_mates"]) or "-",
            )
        parts.append(blocs)
    return Group(*parts)


def single_camp_reason(result: LandscapeResult, loaded: LandscapeInput) -> str | None:
    """Why the most stable configuration is one camp, or None when it has two.

    Two camps form only where enough propensities are negative (Axelrod & Bennett 1993): the
    reason gives the share of positive dyads and, for a scenario, which part of the propensity
    (affinity, alignment similarity, tension) pushes the dyads up the most.
    """
    if not result.minima:
        return None
    camp_a, camp_b = result.camps(result.minima[0].labels)
    if camp_a and camp_b:
        return None
    p = loaded.landscape.propensity
    upper = np.triu_indices(p.shape[0], k=1)
    positive = float(np.mean(p[upper] > 0))
    text = (
        f"One camp only: {positive:.0%} of the {upper[0].size} dyads have a positive propensity "
        f"(mean {p[upper].mean():+.2f}); two camps form only where enough are negative."
    )
    if loaded.terms:
        means = {name: float(term[upper].mean()) for name, term in loaded.terms.items()}
        top = max(means, key=means.get)
        others = ", ".join(f"{name} {value:+.2f}" for name, value in means.items() if name != top)
        text += f" The {top} term dominates: mean {means[top]:+.2f} per dyad against {others}."
    return text


def heading(result: LandscapeResult, loaded: LandscapeInput, *, seed: int | None) -> Text:
    """What was analysed, how, and the energy convention."""
    n = result.landscape.n_actors
    text = Text()
    text.append(f"Landscape of {loaded.name or loaded.path.name}", style="bold")
    text.append(f" ({loaded.kind}, {n} actors")
    if loaded.kind == "scenario":
        text.append(f"; propensities at the start of {loaded.month}")
        if loaded.simulated:
            text.append(f", after {loaded.step} simulated months, seed {loaded.seed}")
        for path, value in loaded.overrides.items():
            text.append(f"; {path} = {value:g}")
    text.append(")\n")
    if result.method == "exhaustive":
        text.append(f"All 2^{n - 1} = {result.n_starts} two-camp configurations enumerated; ")
        text.append("basin share = share of configurations whose steepest descent ends there.\n")
    else:
        text.append(
            f"{n} actors > {EXHAUSTIVE_LIMIT}: {result.n_starts} descents from random "
            f"configurations (seed {seed}); basin shares are estimates.\n"
        )
    text.append(ENERGY_CONVENTION + ".", style="dim")
    return text


def check_json_path(json_path: str | Path | None) -> None:
    """Refuse a ``--json`` path that cannot be written, before any work (``-`` is stdout).

    Raises
    ------
    ConfigError
        On ``--json``, with the reason (no such folder, a folder, read-only, ...).
    """
    if json_path is None or str(json_path) == "-":
        return
    path = Path(json_path)
    probe = path.with_name(f".{path.name}.{os.getpid()}.check.tmp")
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        probe.open("x").close()
        probe.unlink()
    except OSError as err:
        raise ConfigError(None, "--json", "a file that can be written",
                          f"{json_path} ({err.strerror or err})") from None  # fmt: skip


def write_json(document: dict[str, Any], path: str | Path) -> None:
    """Write JSON atomically: to a temporary file in the same folder, then rename it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with temporary.open("x", encoding="utf-8") as stream:
            json.dump(document, stream, indent=2)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
