"""The evolving state of R runs, and the quantities derived from it each month.

Both engines keep their state in a :class:`RunState` (the Mesa model with R = 1) and derive the
month's quantities with :func:`derive`, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model import dynamics
from sim.model.world import World
from sim.scenario.schema import COUNTER_BLOC_KEY

# World arrays that events may change
CHANGEABLE = ("capability", "anchor", "stubbornness", "openness", "ties", "guarantee",
              "neutral", "neutrality_cost", "misperception", "domestic_cost")  # fmt: skip


@dataclass
class RunState:
    """Mutable state of R runs: alignment (R, n), tension/affinity/baseline (R, n, n),
    member (R, n) bloc slot or -1, depth (R, B), active (R, B), cost_shock (R, n) (the drift of
    each country's domestic cost as governments change), invitation (R, n, B) (months an
    invitation stays open, 0 = none), parameters (R,), and the scenario values that ``set`` and
    ``add`` events may change: the country values (R, n), domestic_cost (R, n, B), the patrons'
    ties and guarantees (R, P, n), each bloc's eligibility, openness and whether it erodes
    (R, B); floor (R, B) is the depth a bloc that does not erode keeps at least (its founding
    depth, or its depth when an event stopped its erosion).

    The accession process (``accession: process``; MODEL.md P1 to P5) keeps, per candidate,
    the bloc slot it is ``pursuing`` (R, n; -1 none), its ``stage`` (R, n: 0 none, 1 applied,
    2 invited, 3 ratified by every member), the step its membership takes ``effect`` (R, n;
    -1 none), which members have ``ratified`` it (R, n, n) [member, candidate], and the
    ``concession`` each hold-out has received (R, n, n) [hold-out, candidate]; and per bloc its
    ``invitation_rate`` (R, B) and each member's ``ratification_rate``, ``holdout`` and
    ``side_payment`` (R, B, n)."""

    alignment: np.ndarray
    tension: np.ndarray
    affinity: np.ndarray
    baseline: np.ndarray
    member: np.ndarray
    depth: np.ndarray
    active: np.ndarray
    params: dict[str, np.ndarray]
    patrons: dict[str, np.ndarray]  # patron_values(params): kept in step with patrons.* params
    size: np.ndarray
    proximity: np.ndarray
    cost_shock: np.ndarray
    invitation: np.ndarray
    capability: np.ndarray
    anchor: np.ndarray
    stubbornness: np.ndarray
    openness: np.ndarray
    ties: np.ndarray
    guarantee: np.ndarray
    neutral: np.ndarray
    neutrality_cost: np.ndarray
    misperception: np.ndarray
    domestic_cost: np.ndarray
    eligibility: np.ndarray
    open: np.ndarray
    erodes: np.ndarray
    floor: np.ndarray
    pursuing: np.ndarray
    stage: np.ndarray
    effect: np.ndarray
    ratified: np.ndarray
    concession: np.ndarray
    invitation_rate: np.ndarray
    ratification_rate: np.ndarray
    holdout: np.ndarray
    side_payment: np.ndarray

    @property
    def runs(self) -> int:
        return self.alignment.shape[0]

    @classmethod
    def initial(cls, world: World, runs: int | None = None) -> RunState:
        """The state at step 0, before the first month's events.

        ``runs`` broadcasts a one-run world to that many runs; arrays are copies.
        """
        runs = world.runs if runs is None else runs
        if world.runs not in (1, runs):
            raise ValueError(f"a world of {world.runs} runs cannot start {runs} runs")
        n, n_blocs = world.n_countries, world.n_blocs

        def own(array: np.ndarray) -> np.ndarray:  # a copy in run-major (C) order
            return np.array(np.broadcast_to(array, (runs, *array.shape[1:])), order="C")

        member = np.full((runs, n), -1, dtype=np.int64)
        depth = np.zeros((runs, n_blocs))
        active = np.zeros((runs, n_blocs), dtype=bool)
        for slot, bloc in enumerate(world.blocs):
            if bloc.origin == "scenario":
                member[:, list(bloc.members)] = slot
                depth[:, slot] = bloc.depth
                active[:, slot] = True
        params = {name: own(value) for name, value in world.params.items()}
        return cls(
            alignment=own(world.alignment),
            tension=own(world.tension),
            affinity=own(world.affinity),
            baseline=own(world.baseline),
            member=member,
            depth=depth,
            active=active,
            params=params,
            patrons=patron_values(params, world),
            size=own(dynamics.sizes(world.capability)),  # kept in step with capability
            proximity=dynamics.proximity(world.distance_km, params["threat.distance_scale_km"]),
            cost_shock=np.zeros((runs, n)),
            invitation=np.zeros((runs, n, n_blocs), dtype=np.int64),
            **{name: own(getattr(world, name)) for name in CHANGEABLE},
            eligibility=own(np.array([[bloc.eligibility for bloc in world.blocs]])),
            open=own(np.array([[bloc.open for bloc in world.blocs]], dtype=bool)),
            erodes=own(np.array([[bloc.erodes for bloc in world.blocs]], dtype=bool)),
            floor=own(np.array([[bloc.depth for bloc in world.blocs]])),
            pursuing=np.full((runs, n), -1, dtype=np.int64),
            stage=np.zeros((runs, n), dtype=np.int64),
            effect=np.full((runs, n), -1, dtype=np.int64),
            ratified=np.zeros((runs, n, n), dtype=bool),
            concession=np.zeros((runs, n, n)),
            **process_arrays(world, runs),
        )


def process_arrays(world: World, runs: int) -> dict[str, np.ndarray]:
    """Each bloc's accession-process settings as state arrays (zeros for ``accession: simple``)."""
    n, n_blocs = world.n_countries, world.n_blocs
    arrays = {
        "invitation_rate": np.zeros((runs, n_blocs)),
        "ratification_rate": np.zeros((runs, n_blocs, n)),
        "holdout": np.zeros((runs, n_blocs, n)),
        "side_payment": np.zeros((runs, n_blocs, n)),
    }
    for slot, bloc in enumerate(world.blocs):
        if bloc.process is not None:
            arrays["invitation_rate"][:, slot] = bloc.process.invitation_rate
            arrays["ratification_rate"][:, slot] = bloc.process.ratification_rate
            arrays["holdout"][:, slot] = bloc.process.holdout
            arrays["side_payment"][:, slot] = bloc.process.side_payment
    return arrays


@dataclass(frozen=True)
class Derived:
    """What one month's decisions read, computed from the state at the start of the month.

    propensity, threat (R, n, n); in_bloc, opponent (R, B, n); bloc_threat, frustration,
    security, utility, vetoed (R, n, B); backing (R, n), the strongest patron backing of each
    country b_i = max_p rho_p tau_pi (C2).
    """

    propensity: np.ndarray
    threat: np.ndarray
    in_bloc: np.ndarray
    opponent: np.ndarray
    bloc_threat: np.ndarray
    utility: np.ndarray
    vetoed: np.ndarray
    admissible: np.ndarray
    backing: np.ndarray


def derive(state: RunState, world: World) -> Derived:
    """Compute propensity, threat, camps, utilities and vetoes (MODEL.md section 3, step 4)."""
    p = state.params
    propensity = dynamics.propensity(
        state.affinity,
        state.alignment,
        state.tension,
        p["propensity.alignment_weight"],
        p["propensity.tension_weight"],
        p["propensity.similarity_range"],
    )
    patrons = state.patrons
    backing = dynamics.patron_backing(patrons["support"], state.ties)
    effective = dynamics.effective_size(state.size, backing, world.patron_country)
    threat = dynamics.threat(
        effective, state.proximity, state.tension, state.misperception, p["threat.size_exponent"]
    )
    in_bloc = dynamics.bloc_masks(state.member, world.n_blocs)
    opponent = dynamics.opponents(propensity, in_bloc)
    bloc_threat = dynamics.bloc_threat(threat, in_bloc, state.depth)
    frustration = dynamics.frustration_gain(propensity, state.size, in_bloc, opponent)
    security = security_motive(state, threat, effective, in_bloc, opponent)
    # domestic cost: the scenario's, drifted by politics (R1), relieved by an open invitation
    relief = np.where(
        state.invitation > 0, dynamics.per_run(p["accession.invitation_relief"], 3), 0.0
    )
    cost = (state.domestic_cost + state.cost_shock[:, :, None]) * (1.0 - relief)
    if state.neutral.any():  # N1: leaving neutrality costs a neutral country more, any bloc
        cost = cost + dynamics.neutrality_cost(state.neutral, state.neutrality_cost)[:, :, None]
    utility = dynamics.accession_utility(
        frustration,
        security,
        state.guarantee.max(axis=1),
        state.alignment,
        cost,
        patrons["stance"],
        patrons["pole"],
        frustration_weight=p["accession.frustration_weight"],
        security_weight=p["accession.security_weight"],
        endorsement_weight=p["accession.endorsement_weight"],
        nato_discount=p["accession.nato_discount"],
    )
    majority = np.array([bloc.majority for bloc in world.blocs], dtype=bool)
    # a concession to a member raises its approval of that candidate (MODEL.md P4)
    approval = propensity + state.concession if world.has_concessions else propensity
    vetoed = dynamics.vetoed(approval, in_bloc, majority, p["accession.veto_threshold"])
    admissible = (
        (state.alignment[:, :, None] >= state.eligibility[:, None, :])
        & ~vetoed
        & (state.active & state.open)[:, None, :]
        & (in_bloc.sum(axis=-1) > 0)[:, None, :]
    )
    return Derived(
        propensity,
        threat,
        in_bloc,
        opponent,
        bloc_threat,
        utility,
        vetoed,
        admissible,
        backing.max(axis=1),
    )


def security_motive(
    state: RunState,
    threat: np.ndarray,
    effective: np.ndarray,
    in_bloc: np.ndarray,
    opponent: np.ndarray,
) -> np.ndarray:
    """U2 with the threat weighting of ``dynamics.threat``: the adversaries' hostility toward
    anyone (``intent_weight``) and the allies' reach (``ally_reach``); both 0 by default, when
    U2 is the plain pooling of the members' size against the dyads' own threat."""
    p = state.params
    weighed = threat
    if np.any(p["threat.intent_weight"] > 0.0):
        weighed = dynamics.intent_threat(
            effective,
            state.proximity,
            state.tension,
            state.misperception,
            p["threat.size_exponent"],
            p["threat.intent_weight"],
        )
    reached = p["threat.ally_reach"] > 0.0
    reach = dynamics.ally_reach(state.proximity, p["threat.ally_reach"]) if reached.any() else None
    return dynamics.security_gain(weighed, state.size, in_bloc, opponent, reach, reached)


def patron_values(params: dict[str, np.ndarray], world: World) -> dict[str, np.ndarray]:
    """The patrons' numbers as arrays over the patron axis: pole, pull, support and endorsement
    (the stance toward the pact), each (R, P), and stance (R, P, B) toward every bloc slot (the
    endorsement for the pact, the ``stances`` entry or 0 for the others)."""
    values = {
        number: np.stack([params[f"patrons.{name}.{number}"] for name in world.patrons], axis=1)
        for number in ("pole", "pull", "support", "endorsement")
    }
    runs = values["pole"].shape[0]
    stance = np.zeros((runs, len(world.patrons), world.n_blocs))
    for k, name in enumerate(world.patrons):
        for slot, bloc in enumerate(world.blocs):
            key = COUNTER_BLOC_KEY if bloc.origin == "counter" else bloc.name
            if slot == world.pact:
                stance[:, k, slot] = values["endorsement"][:, k]
            elif f"patrons.{name}.stances.{key}" in params:
                stance[:, k, slot] = params[f"patrons.{name}.stances.{key}"]
    values["stance"] = stance
    return values
