"""The phases of one month (MODEL.md section 4) over R runs, shared by both engines.

Each phase reads the state at the start of the month (synchronous updating) and returns what
changes; :func:`commit` then writes all changes at once. The Mesa model calls these phases
and lets each Country agent make its own membership choice; the batch engine calls
:func:`choose_blocs` for all countries of all runs at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model import dynamics, process
from sim.model.draws import Draws
from sim.model.state import Derived, RunState, derive, patron_values
from sim.model.world import Change, World


@dataclass(frozen=True)
class EventEffects:
    """What this month's scheduled events did: forced moves (R, n) and the accession
    process's applications and invitations (invitations of the simple rule are in the state)."""

    forced_join: np.ndarray  # slot entered by a `join` or `form_bloc` event, -1 otherwise
    forced_exit: np.ndarray  # slot left by a `leave`, `join` or `form_bloc` event, -1 otherwise
    started: np.ndarray | None = None  # (R, n, 2) process applications and invitations

    @property
    def moved(self) -> np.ndarray:
        """Countries whose membership an event changed this month, (R, n)."""
        return (self.forced_join >= 0) | (self.forced_exit >= 0)


def apply_events(state: RunState, world: World, step: int) -> EventEffects:
    """Step 1: apply the events scheduled for ``step`` to every run (MODEL.md section 5).

    Within a month the kinds apply in this order: set and add (in file order), shock,
    affinity, form_bloc, leave, join, invite, then apply and concession (the accession
    process, :func:`sim.model.process.apply_events`; an invite to a bloc with ``accession:
    process`` starts ratification instead of making an offer). A country moved into a bloc by
    an event leaves the bloc it was in (recorded as an exit); a ``join`` into the bloc a
    country is already in changes nothing.
    """
    runs, n = state.runs, world.n_countries
    forced_join = np.full((runs, n), -1, dtype=np.int64)
    forced_exit = np.full((runs, n), -1, dtype=np.int64)
    events = world.events.get(step)
    if events is None:
        return EventEffects(forced_join, forced_exit)

    def move(country: int, slot: int) -> None:
        """Put ``country`` into bloc ``slot`` (-1: out of its bloc) in every run."""
        before = state.member[:, country]
        moved = before != slot
        forced_exit[:, country] = np.where(moved & (before >= 0), before, forced_exit[:, country])
        if slot >= 0:
            forced_join[:, country] = np.where(moved, slot, forced_join[:, country])
        state.member[:, country] = slot

    for change in events.changes:
        apply_change(state, world, change)
    for i, j, delta in events.shocks:
        for a, b in ((i, j), (j, i)):
            state.tension[:, a, b] = np.maximum(state.tension[:, a, b] + delta, 0.0)
    for i, j, delta in events.affinities:
        for a, b in ((i, j), (j, i)):
            state.affinity[:, a, b] = np.clip(state.affinity[:, a, b] + delta, -1.0, 1.0)
    for slot in events.forms:
        bloc = world.blocs[slot]
        for country in bloc.members:
            move(country, slot)
        state.active[:, slot] = True
        state.depth[:, slot] = bloc.depth
    for country, slot in events.leaves:
        leaving = state.member[:, country] == slot
        forced_exit[:, country] = np.where(leaving, slot, forced_exit[:, country])
        state.member[:, country] = np.where(leaving, -1, state.member[:, country])
    for country, slot in events.joins:
        move(country, slot)
        state.active[:, slot] = True
    for country, slot in events.invites:
        if world.blocs[slot].process is not None:
            continue  # an invitation of the process (below)
        outside = state.member[:, country] != slot
        months = state.params["accession.invitation_months"].astype(np.int64)
        state.invitation[:, country, slot] = np.where(
            outside, months, state.invitation[:, country, slot]
        )
    started = None
    if events.concessions or world.has_process:
        started = process.apply_events(state, world, events)
    return EventEffects(forced_join, forced_exit, started)


def apply_change(state: RunState, world: World, change: Change) -> None:
    """Write a ``set`` or ``add`` event into every run, and what depends on the value."""
    array = state.params[change.key] if change.key else getattr(state, change.array)
    for cell in change.cells:
        at = (slice(None), *cell)
        if change.add:
            array[at] = np.clip(array[at] + change.value, change.low, change.high)
        else:
            array[at] = change.value
    if change.array == "erodes":  # a bloc that stops eroding keeps at least today's depth
        for (slot,) in change.cells:
            state.floor[:, slot] = state.depth[:, slot]
    if change.array == "capability":
        state.size = dynamics.sizes(state.capability)
    if change.key == "threat.distance_scale_km":
        state.proximity = dynamics.proximity(world.distance_km, array)
    if change.key and change.key.startswith("patrons."):  # the cached patron arrays follow
        state.patrons = patron_values(state.params, world)


def next_alignment(
    state: RunState, world: World, derived: Derived, noise: np.ndarray
) -> np.ndarray:
    """Step 2: alignment after bounded confidence, patrons, balancing and anchoring (A1, A2)."""
    p = state.params
    patrons = state.patrons
    pull = dynamics.bounded_confidence_pull(state.alignment, state.openness, derived.propensity)
    outside_pact = (
        state.member != world.pact if world.pact >= 0 else np.ones_like(state.member, dtype=bool)
    )
    # Balancing: away from a threatening bloc the country is outside of and cannot join (also
    # because it is a member of another bloc: a country is in one bloc at most).
    can_join = derived.admissible & (state.member < 0)[:, :, None]
    balances = ~derived.in_bloc.transpose(0, 2, 1) & ~can_join
    return dynamics.alignment_change(
        state.alignment,
        state.anchor,
        pull,
        outside_pact,
        derived.bloc_threat,
        dynamics.bloc_alignment(state.alignment, derived.in_bloc),
        balances,
        noise,
        stubbornness=state.stubbornness,
        ties=state.ties,
        support=patrons["support"],
        pole=patrons["pole"],
        patron_pull=patrons["pull"],
        endorsement=patrons["endorsement"],
        rate=p["alignment.rate"],
        balancing=p["alignment.balancing"],
        noise_scale=p["alignment.noise"],
    )


def next_tension(state: RunState, world: World, derived: Derived, noise: np.ndarray) -> np.ndarray:
    """Step 3: tension after the Richardson reaction, decay and noise (T1)."""
    p = state.params
    return dynamics.tension_change(
        state.tension,
        state.baseline,
        derived.threat,
        noise,
        reaction=p["tension.reaction"],
        decay=p["tension.decay"],
        noise_scale=p["tension.noise"],
    )


def join_probability(state: RunState, world: World, derived: Derived) -> np.ndarray:
    """Step 4: each outsider's chance of joining each bloc this month, (R, n, B).

    Zero for members of any bloc and for blocs the country is not admissible to. An open
    invitation (``state.invitation``: issued by an ``invite`` event, open for
    ``accession.invitation_months``) is an offer: it waives eligibility and openness, its relief
    of the domestic cost is in the utility (:func:`~sim.model.state.derive`), and the invited
    government weighs it each month with the chance ``accession.invitation_rate`` instead of h.
    Vetoes still apply. For a bloc with ``accession: process`` the chance is that of applying
    (P1): the same rule without the veto, which the invitation and ratification stages take
    up; a country pursuing an accession process takes no other membership decision, and a
    neutral country whose neutrality is law or treaty takes none (N1).
    """
    p = state.params
    outsider = (state.member < 0)[:, :, None]
    rate = dynamics.decision_probability(
        derived.utility, p["accession.temperature"], p["accession.decision_rate"]
    )
    chance = np.where(derived.admissible & outsider, rate, 0.0)
    offers = state.invitation > 0
    if offers.any():  # invitations are rare events
        weighed = dynamics.decision_probability(
            derived.utility, p["accession.temperature"], p["accession.invitation_rate"]
        )
        has_members = (derived.in_bloc.sum(axis=-1) > 0)[:, None, :]
        open_offer = offers & ~derived.vetoed & has_members & outsider & state.active[:, None, :]
        chance = np.where(open_offer, np.maximum(weighed, chance), chance)
    if world.has_process:
        chance = application_chance(state, world, derived, rate, chance)
    barred = (state.neutral > 0) & world.neutral_by_law  # N1: neutral by law, no decision
    return np.where(barred[:, :, None], 0.0, chance)


def application_chance(
    state: RunState, world: World, derived: Derived, rate: np.ndarray, chance: np.ndarray
) -> np.ndarray:
    """Join chances with those of process blocs replaced by the chance of applying (P1)."""
    can_apply = (
        (state.alignment[:, :, None] >= state.eligibility[:, None, :])
        & (state.active & state.open)[:, None, :]
        & (derived.in_bloc.sum(axis=-1) > 0)[:, None, :]
        & (state.member < 0)[:, :, None]
    )
    applying = np.where(can_apply, rate, 0.0)
    chance = np.where(process.process_mask(world)[None, None, :], applying, chance)
    return np.where((state.pursuing >= 0)[:, :, None], 0.0, chance)


def choose_blocs(probability: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """The bloc each country joins: the first slot whose draw falls below its chance, else -1."""
    if probability.shape[-1] == 0:  # a world without blocs
        return np.full(probability.shape[:-1], -1, dtype=np.int64)
    success = uniforms < probability
    first = success.argmax(axis=-1)
    return np.where(success.any(axis=-1), first, -1)


def exit_probability(state: RunState, world: World, derived: Derived) -> np.ndarray:
    """Step 5: each member's chance of leaving its bloc, (R, n); zero above the exit margin."""
    p = state.params
    if world.n_blocs == 0:
        return np.zeros(state.member.shape)
    own = np.clip(state.member, 0, None)[:, :, None]  # the bloc each member is in
    utility = np.take_along_axis(derived.utility, own, axis=2)[:, :, 0]
    unhappy = (state.member >= 0) & (utility < -dynamics.per_run(p["accession.exit_margin"], 2))
    chance = dynamics.decision_probability(
        -utility, p["accession.temperature"], p["accession.exit_rate"]
    )
    return np.where(unhappy, chance, 0.0)


def next_depth(state: RunState, world: World, derived: Derived, noise: np.ndarray) -> np.ndarray:
    """Step 6: integration depth of every active bloc (I1 to I5)."""
    p = state.params
    depth = dynamics.depth_change(
        state.depth,
        dynamics.cohesion(derived.propensity, derived.in_bloc),
        dynamics.threat_faced(derived.threat, derived.in_bloc, derived.opponent),
        derived.in_bloc.sum(axis=-1),
        noise,
        growth=p["integration.growth"],
        cohesion_threshold=p["integration.cohesion_threshold"],
        rally=p["integration.rally"],
        decay=p["integration.decay"],
        noise_scale=p["integration.noise"],
    )
    depth = np.where(state.active, depth, state.depth)
    if not state.erodes.all():  # I5: a bloc that does not erode keeps its floor
        depth = np.where(state.erodes, depth, np.maximum(depth, state.floor))
    return depth


def next_cost_shock(state: RunState, noise: np.ndarray) -> np.ndarray:
    """Domestic-cost drift (R1): x <- phi x + sigma_r sqrt(1 - phi^2) z, phi = exp(-1 / tau_r).

    An AR(1) (discretised Ornstein-Uhlenbeck) process from 0, the cost the scenario gives for the
    government of the start month, with stationary spread sigma_r and persistence tau_r months.
    """
    p = state.params
    phi = np.exp(-1.0 / p["accession.cost_persistence"])[:, None]
    spread = p["accession.cost_volatility"][:, None] * np.sqrt(1.0 - phi * phi)
    return phi * state.cost_shock + spread * noise


def counter_bloc(
    state: RunState, world: World, derived: Derived, uniforms: np.ndarray, busy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step 7: a threatened outsider and a close partner may form a counter-bloc.

    An unaligned country s whose threat from some bloc exceeds theta_form and whose best
    unaligned partner q has p_sq > theta_partner forms {s, q} with probability h_form (neutral
    countries are neither founders nor partners); the
    first such s in country order wins. ``busy`` (R, n) marks countries joining a bloc this
    month. Returns (formed (R,), s (R,), q (R,)).
    """
    runs = state.runs
    if world.counter_slot < 0:
        none = np.zeros(runs, dtype=np.int64)
        return np.zeros(runs, dtype=bool), none, none
    p = state.params
    free = (state.member < 0) & ~busy & (state.neutral == 0)  # a neutral country allies with none
    threatened = derived.bloc_threat.max(axis=-1) > p["counter_bloc.threat_threshold"][:, None]
    partner_score = np.where(free[:, None, :], derived.propensity, -np.inf)
    n = world.n_countries
    partner_score[:, np.arange(n), np.arange(n)] = -np.inf
    partner = partner_score.argmax(axis=-1)
    has_partner = partner_score.max(axis=-1) > p["counter_bloc.partner_threshold"][:, None]
    chance = p["counter_bloc.formation_rate"][:, None]
    success = free & threatened & has_partner & (uniforms < chance)
    success &= ~state.active[:, [world.counter_slot]]
    formed = success.any(axis=-1)
    founder = success.argmax(axis=-1)
    return formed, founder, partner[np.arange(runs), founder]


def crisis(
    state: RunState, world: World, derived: Derived, uniforms: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step 8: whether a crisis breaks out, and on which dyad (highest score; first in order).

    A dyad's score is its tension plus the emboldenment of a patron-backed party (C1, C2).
    Returns (happened (R,), i (R,), j (R,)).
    """
    p = state.params
    rows, cols = dynamics.upper_pairs(world.n_countries)
    score = dynamics.dyad_crisis_scores(
        state.tension,
        derived.backing,
        derived.propensity,
        steepness=p["crisis.steepness"],
        threshold=p["crisis.threshold"],
        emboldenment_odds=p["crisis.emboldenment"],
    )
    top = score.argmax(axis=-1)
    chance = dynamics.crisis_probability(score.max(axis=-1), rate=p["crisis.rate"])
    return uniforms < chance, rows[top], cols[top]


@dataclass(frozen=True)
class MonthChanges:
    """Everything a month changes, computed before any of it is written."""

    alignment: np.ndarray
    tension: np.ndarray
    joins: np.ndarray  # (R, n) slot joined this month by choice or event, -1 otherwise
    exits: np.ndarray  # (R, n) slot left this month by choice or event, -1 otherwise
    depth: np.ndarray
    formed: np.ndarray
    founder: np.ndarray
    partner: np.ndarray
    crisis: np.ndarray
    crisis_i: np.ndarray
    crisis_j: np.ndarray
    cost_shock: np.ndarray
    process: process.ProcessChanges | None = None  # None: no bloc with accession: process


def commit(state: RunState, world: World, derived: Derived, changes: MonthChanges) -> None:
    """Write a month's changes: depth, membership, provocation (T2), crisis jump, alignment.

    Joiners provoke, whether they join by choice, by an event or by founding a counter-bloc.
    """
    deepened = dynamics.stage(changes.depth) > dynamics.stage(state.depth)
    state.depth = changes.depth.copy()
    joins = changes.joins.copy()
    if changes.formed.any():
        run = np.flatnonzero(changes.formed)
        joins[run, changes.founder[run]] = world.counter_slot
        joins[run, changes.partner[run]] = world.counter_slot
        state.active[run, world.counter_slot] = True
        state.depth[run, world.counter_slot] = world.blocs[world.counter_slot].depth
    state.member = np.where(changes.exits >= 0, -1, state.member)
    state.member = np.where(joins >= 0, joins, state.member)
    if changes.process is not None:
        process.commit(state, changes.process, joins)
    in_bloc = dynamics.bloc_masks(state.member, world.n_blocs)
    actors = dynamics.bloc_masks(joins, world.n_blocs) | (deepened[:, :, None] & in_bloc)
    tension = changes.tension.copy()
    provoked = np.flatnonzero(actors.any(axis=(1, 2)))  # joins are rare: only those runs
    if provoked.size:
        tension[provoked] += dynamics.provocation(
            derived.propensity[provoked],
            state.size[provoked],
            actors[provoked],
            in_bloc[provoked],
            state.params["tension.provocation"][provoked],
        )
    if changes.crisis.any():
        run = np.flatnonzero(changes.crisis)
        i, j = changes.crisis_i[run], changes.crisis_j[run]
        jump = state.params["crisis.jump"][run]
        tension[run, i, j] += jump
        tension[run, j, i] += jump
    state.tension = tension
    state.alignment = changes.alignment
    state.cost_shock = changes.cost_shock
    # open invitations run down by a month and close once the invited country is in the bloc
    state.invitation = np.maximum(state.invitation - 1, 0)
    state.invitation[in_bloc.transpose(0, 2, 1)] = 0


Chooser = Callable[[np.ndarray, np.ndarray, Draws, np.ndarray], tuple[np.ndarray, np.ndarray]]


def choose_all(
    join_chance: np.ndarray, exit_chance: np.ndarray, draws: Draws, member: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Membership choices of every country of every run at once (the batch engine's chooser).

    A member leaves its bloc when its exit draw falls below its chance; an outsider joins the
    first bloc whose draw falls below its chance. Returns (joins, exits), each (R, n) slot or -1.
    """
    exits = np.where(draws.exit < exit_chance, member, -1)
    return choose_blocs(join_chance, draws.join), exits


def plan(
    state: RunState, world: World, step: int, draws: Draws, choose: Chooser = choose_all
) -> tuple[Derived, MonthChanges]:
    """Steps 1 to 8 of one month: apply events, derive, and compute every change.

    ``draws`` holds this month's numbers (no month axis); ``choose`` makes the membership
    choices (the Mesa model passes one that asks each Country agent).
    """
    effects = apply_events(state, world, step)
    derived = derive(state, world)
    alignment = next_alignment(state, world, derived, draws.alignment)
    tension = next_tension(state, world, derived, draws.tension)
    # A country an event moved this month makes no membership decision of its own.
    moved = effects.moved
    joins, exits = choose(
        np.where(moved[:, :, None], 0.0, join_probability(state, world, derived)),
        np.where(moved, 0.0, exit_probability(state, world, derived)),
        draws,
        state.member,
    )
    steps = None
    if world.has_process:  # choices of process blocs are applications; effects are joins
        chosen = np.clip(joins, 0, None)
        applying = (joins >= 0) & process.process_mask(world)[chosen]
        joins = np.where(applying, -1, joins)
        started = effects.started
        if started is None:
            started = np.full((*joins.shape, 2), -1, dtype=np.int64)
        own = np.where(applying, chosen, -1)
        steps = process.advance(state, world, derived, draws, step, own, started, moved)
        joins = np.where(steps.joins >= 0, steps.joins, joins)
    joins = np.where(effects.forced_join >= 0, effects.forced_join, joins)
    exits = np.where(effects.forced_exit >= 0, effects.forced_exit, exits)
    depth = next_depth(state, world, derived, draws.depth)
    formed, founder, partner = counter_bloc(state, world, derived, draws.form, joins >= 0)
    happened, crisis_i, crisis_j = crisis(state, world, derived, draws.crisis)
    changes = MonthChanges(
        alignment,
        tension,
        joins,
        exits,
        depth,
        formed,
        founder,
        partner,
        happened,
        crisis_i,
        crisis_j,
        next_cost_shock(state, draws.politics),
        steps,
    )
    return derived, changes
