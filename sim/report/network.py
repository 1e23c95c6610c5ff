"""A map-like picture of the region: capitals as nodes, blocs by colour, tension as edge width.

:func:`replay_snapshots` replays one stored run (its variant's scenario and its seed give the same
history again, as every run is reproducible) and keeps the state at the start and at chosen
months; :func:`network_map` draws those snapshots side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.model import phases
from sim.model.draws import draw_runs, generators_for
from sim.model.state import RunState
from sim.model.world import compile_world
from sim.report.style import GREY, colour, finish, new_grid
from sim.scenario.calendar import step_to_month
from sim.scenario.schema import Scenario

NO_BLOC = "no bloc"
SHOWN_TENSION = 0.15  # thinner edges are left out: every dyad has some baseline tension
BLOC_MARKERS = ["s", "^", "D", "v", "P"]


@dataclass(frozen=True)
class Snapshot:
    """The region at one moment of one run.

    Attributes
    ----------
    label : str
        Panel title, e.g. ``2025-03 (start)``.
    codes, names : tuple of str
        Countries, shape (n,).
    lat, lon : ndarray, shape (n,)
        Capital coordinates in degrees.
    bloc : tuple of str
        Bloc of each country (:data:`NO_BLOC` if none).
    tension : ndarray, shape (n, n)
        Symmetric tension between countries (model units, 0 = none).
    """

    label: str
    codes: tuple[str, ...]
    names: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    bloc: tuple[str, ...]
    tension: np.ndarray


def replay_snapshots(
    scenario: Scenario, seed: int, *, months: int, at: Sequence[int]
) -> list[Snapshot]:
    """Replay one run and keep the region at the start and after each month in ``at``.

    The run advances exactly as in the batch engine (same month phases, same pre-drawn numbers
    from ``seed``), so its history is the stored run's.

    Parameters
    ----------
    scenario : Scenario
        The run's (variant's) scenario.
    seed : int
        The run's seed (the ``seed`` column of the runs table).
    months : int
        The run's horizon.
    at : sequence of int
        Month indices ``0 .. months - 1``: the state at the end of each is kept.

    Returns
    -------
    list of Snapshot
        The start (before the first month), then one per month of ``at`` in order.
    """
    world = compile_world(scenario)
    countries = list(scenario.countries.values())
    lat = np.array([c.lat for c in countries], dtype=float)
    lon = np.array([c.lon for c in countries], dtype=float)
    bloc_names = [bloc.name for bloc in world.blocs]

    def snapshot(state: RunState, label: str) -> Snapshot:
        member = state.member[0]
        blocs = tuple(bloc_names[m] if m >= 0 else NO_BLOC for m in member)
        return Snapshot(label, world.codes, world.names, lat, lon, blocs, state.tension[0].copy())

    state = RunState.initial(world, 1)
    keep = sorted({int(m) for m in at if 0 <= int(m) < months})
    shots = [snapshot(state, f"{world.start} (start)")]
    if not keep:
        return shots
    draws = draw_runs(
        generators_for([seed]),
        keep[-1] + 1,
        world.n_countries,
        world.n_blocs,
        process=world.has_process,
    )
    for step in range(keep[-1] + 1):
        derived, changes = phases.plan(state, world, step, draws.month(step))
        phases.commit(state, world, derived, changes)
        if step in keep:
            month = step_to_month(step, start=world.start)
            shots.append(snapshot(state, f"{month} (end of month {step + 1})"))
    return shots


def network_map(
    snapshots: Sequence[Snapshot],
    *,
    title: str = "The region in one run",
    caption: str | None = None,
    ax=None,
) -> Figure:
    """Draw snapshots side by side: capitals at their coordinates, coloured by bloc, edges as wide
    as the tension between the two countries.

    Parameters
    ----------
    snapshots : sequence of Snapshot
        From :func:`replay_snapshots`.
    ax : sequence of Axes, optional
        One per snapshot.
    """
    axes = new_grid(ax, len(snapshots), columns=len(snapshots), panel_size=(4.6, 4.6),
                    sharex=True, sharey=True)  # fmt: skip
    blocs = list(dict.fromkeys(b for shot in snapshots for b in shot.bloc if b != NO_BLOC))
    style = {b: (colour(i), BLOC_MARKERS[i % len(BLOC_MARKERS)]) for i, b in enumerate(blocs)}
    style[NO_BLOC] = ("#DDDDDD", "o")
    top = max(float(np.max(shot.tension)) for shot in snapshots) or 1.0
    for panel, shot in zip(axes, snapshots, strict=True):
        rows, cols = np.triu_indices(len(shot.codes), k=1)
        values = shot.tension[rows, cols]
        for i, j, value in zip(rows, cols, values, strict=True):
            if value >= SHOWN_TENSION:
                panel.plot([shot.lon[i], shot.lon[j]], [shot.lat[i], shot.lat[j]],
                           color="#555555", alpha=0.35 + 0.5 * value / top,
                           linewidth=0.5 + 5.0 * value / top, zorder=1,
                           solid_capstyle="round")  # fmt: skip
        for bloc, (tone, shape) in style.items():
            mask = np.array([b == bloc for b in shot.bloc])
            if mask.any():
                panel.scatter(shot.lon[mask], shot.lat[mask], s=170, c=tone, marker=shape,
                              edgecolors="black", linewidths=0.8, zorder=2)  # fmt: skip
        for code, x, y in zip(shot.codes, shot.lon, shot.lat, strict=True):
            panel.annotate(code, (x, y), xytext=(8, 4), textcoords="offset points",
                           ha="left", fontsize=8, fontweight="bold", zorder=3)  # fmt: skip
        panel.set_title(shot.label)
        panel.set_aspect(1.0 / np.cos(np.radians(float(np.mean(shot.lat)))))
        panel.set_xlabel("longitude (°E)")
        panel.set_ylabel("latitude (°N)")
        panel.margins(0.12)
    for panel in axes:
        panel.label_outer()
    handles = [Line2D([], [], linestyle="none", marker=shape, markersize=9, markerfacecolor=tone,
                      markeredgecolor="black", label=bloc)
               for bloc, (tone, shape) in style.items()]  # fmt: skip
    for value in (0.25, 0.5, 1.0):
        if value <= top * 1.05:
            handles.append(Line2D([], [], color="#555555", linewidth=0.5 + 5.0 * value / top,
                                  label=f"tension {value:g}"))  # fmt: skip
    handles.append(
        Line2D([], [], color=GREY, linewidth=0, label=f"(below {SHOWN_TENSION} not drawn)")
    )
    axes[0].figure.legend(handles=handles, loc="outside right center",
                          title="bloc, and tension\n(edge width, model units)")  # fmt: skip
    return finish(axes, title, caption)
