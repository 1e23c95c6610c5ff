"""Accession as a process (``accession: process``; MODEL.md P1 to P5), shared by both engines.

A candidate applies (its own decision by U1 to U3, or an ``apply`` event); the bloc invites it
by its rule (unanimity, majority or a leader's say) with a monthly chance; every member then
ratifies with its own monthly hazard unless it holds out; membership takes effect a lag after
the last ratification. A member's willingness toward a candidate is its propensity above the
veto threshold plus the concessions it received and a patron's side payment, less an explicit
hold-out; it approves the invitation when its willingness before the hold-out is positive and
ratifies only when its willingness is positive. Each stage happens in its own month: an
application is weighed for invitation from the next month, an invitation ratified from the
next month; the last ratification and the effect may share a month (lag 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.draws import Draws
from sim.model.state import Derived, RunState
from sim.model.world import StepEvents, World

NONE, APPLIED, INVITED, RATIFIED = 0, 1, 2, 3  # a candidate's stage
RULES = {"unanimity": 0, "majority": 1, "leader": 2}


@dataclass(frozen=True)
class ProcessChanges:
    """A month's accession process, computed before any of it is written.

    ``stage``, ``pursuing``, ``effect`` (R, n) and ``ratified`` (R, n, n) are the process after
    the month (before the candidates that joined are cleared); ``joins`` (R, n) the slot whose
    membership takes effect this month (-1 none); ``holders`` (R, n, n) [member, candidate]
    the members that held out on the candidate's ratification this month and ``holding``
    (R, n) whether some member did; ``blocked`` (R, n) whether the bloc's rule kept the
    applicant from being invited this month (a veto of the invitation).
    """

    stage: np.ndarray
    pursuing: np.ndarray
    effect: np.ndarray
    ratified: np.ndarray
    joins: np.ndarray
    holders: np.ndarray
    holding: np.ndarray
    blocked: np.ndarray


def process_mask(world: World) -> np.ndarray:
    """The bloc slots that take members by the process, (B,) bool."""
    return np.array([slot.process is not None for slot in world.blocs], dtype=bool)


def apply_events(state: RunState, world: World, events: StepEvents) -> np.ndarray:
    """This month's ``concession`` events, and the ``apply`` and ``invite`` events of process
    blocs as (R, n, 2) slots (-1 none): [..., 0] applications, [..., 1] invitations.

    A concession adds to the hold-out's willingness toward the candidate from this month on.
    Applications and invitations take effect at the end of the month (:func:`advance`), so
    each stage has its own month as it does when the candidate or the bloc decides: an
    application starts the process of a country outside the bloc that pursues none; an
    invitation starts (or restarts) the ratification of a country outside the bloc that is not
    already invited to it.
    """
    started = np.full((state.runs, world.n_countries, 2), -1, dtype=np.int64)
    for country, slot in events.applies:
        start = (state.member[:, country] != slot) & (state.pursuing[:, country] < 0)
        started[:, country, 0] = np.where(start, slot, started[:, country, 0])
    for country, slot in events.invites:
        if world.blocs[slot].process is None:
            continue
        already = (state.pursuing[:, country] == slot) & (state.stage[:, country] >= INVITED)
        fresh = (state.member[:, country] != slot) & ~already
        started[:, country, 1] = np.where(fresh, slot, started[:, country, 1])
    for to, candidate, value in events.concessions:
        state.concession[:, to, candidate] += value
    return started


def willingness(
    propensity: np.ndarray,
    veto_threshold: np.ndarray,
    concession: np.ndarray,
    side_payment: np.ndarray,
    holdout: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(approval, willingness) of member m toward candidate i, each (R, n, n) [m, i] (P3, P4).

    approval = p_mi - v + c_mi + s_m (the invitation vote: V1 with a price);
    willingness = approval - h_m (the ratification: an explicit hold-out withholds h_m).
    ``side_payment`` and ``holdout`` are the values of the bloc each candidate pursues, [m, i].
    """
    approval = propensity - veto_threshold[:, None, None] + concession + side_payment
    return approval, approval - holdout


def invitation_approved(
    approves: np.ndarray, members: np.ndarray, rule: np.ndarray, leader: np.ndarray
) -> np.ndarray:
    """Whether the bloc's rule lets candidate i be invited, (R, n) (P2).

    ``approves`` and ``members`` are (R, n, n) [m, i]; ``rule`` (R, n) the code of the rule
    (RULES) and ``leader`` (R, n) the leader's index (-1: none) of the bloc i pursues.
    Unanimity: every member approves; majority: more than half do; leader: the leader is a
    member and approves.
    """
    count = members.sum(axis=1)
    yes = (approves & members).sum(axis=1)
    unanimity = (yes == count) & (count > 0)
    majority = yes > count / 2.0
    who = np.clip(leader, 0, None)[:, None, :]
    says = np.take_along_axis(approves & members, who, axis=1)[:, 0, :] & (leader >= 0)
    return np.choose(rule, [unanimity, majority, says])


def advance(
    state: RunState,
    world: World,
    derived: Derived,
    draws: Draws,
    step: int,
    applications: np.ndarray,
    started: np.ndarray,
    moved: np.ndarray,
) -> ProcessChanges:
    """One month of the process in every run (MODEL.md P1 to P5).

    ``applications`` (R, n) holds the process slot each country applied to this month by its
    own decision (-1 none), ``started`` (R, n, 2) the applications and invitations of this
    month's events (:func:`apply_events`); ``moved`` (R, n) the countries an event moved (they
    take no step).
    """
    runs = state.runs
    stage, pursuing = state.stage.copy(), state.pursuing.copy()
    effect, ratified = state.effect.copy(), state.ratified.copy()
    r = np.arange(runs)[:, None]
    slot = np.clip(pursuing, 0, None)
    members = derived.in_bloc[r, slot].transpose(0, 2, 1) & (pursuing >= 0)[:, None, :]
    approval, willing = willingness(
        derived.propensity,
        state.params["accession.veto_threshold"],
        state.concession,
        state.side_payment[r, slot].transpose(0, 2, 1),
        state.holdout[r, slot].transpose(0, 2, 1),
    )
    rules = np.array([RULES[b.process.rule] if b.process else 0 for b in world.blocs])
    leaders = np.array([b.process.leader if b.process else -1 for b in world.blocs])
    lags = np.array([b.process.lag if b.process else 0 for b in world.blocs])
    # P2 invitation of an applicant, by the bloc's rule, with the bloc's monthly chance
    approved = invitation_approved(approval > 0, members, rules[slot], leaders[slot])
    ready = (state.active & state.open)[r, slot]
    blocked = (stage == APPLIED) & (pursuing >= 0) & ~approved
    chance = state.invitation_rate[r, slot]
    invited = (stage == APPLIED) & approved & ready & (draws.invite < chance) & ~moved
    # P3 ratification by each member of the bloc that has not ratified, unless it holds out
    pending = members & ~ratified & (stage == INVITED)[:, None, :]
    holding = pending & (willing <= 0)
    rate = state.ratification_rate[r, slot].transpose(0, 2, 1)
    draw = joint_draws(draws.ratify, pending, pursuing, world)
    ratified |= pending & (willing > 0) & (draw < rate) & ~moved[:, None, :]
    complete = (stage == INVITED) & members.any(axis=1) & ~(members & ~ratified).any(axis=1)
    effect = np.where(complete, step + lags[slot], effect)
    stage = np.where(complete, RATIFIED, np.where(invited, INVITED, stage))
    # P5 membership takes effect (the first month from the effective date no event moves it)
    joins = np.where((stage == RATIFIED) & (effect <= step) & ~moved, pursuing, -1)
    # P1 applications (an event's before the candidate's own decision) and invitations by
    # event, weighed from next month
    applications = np.where(started[..., 0] >= 0, started[..., 0], applications)
    applications = np.where(pursuing >= 0, -1, applications)
    pursuing = np.where(applications >= 0, applications, pursuing)
    stage = np.where(applications >= 0, APPLIED, stage)
    invite = started[..., 1]
    fresh = (invite >= 0) & (joins < 0)
    pursuing = np.where(fresh, invite, pursuing)
    stage = np.where(fresh, INVITED, stage)
    effect = np.where(fresh, -1, effect)
    ratified &= ~fresh[:, None, :]
    return ProcessChanges(
        stage, pursuing, effect, ratified, joins, holding, holding.any(axis=1), blocked
    )


def joint_draws(
    uniforms: np.ndarray, pending: np.ndarray, pursuing: np.ndarray, world: World
) -> np.ndarray:
    """The ratification draws (R, n, n) [m, i], shared within a ``ratify_together`` bloc (P3).

    In such a bloc member m ratifies all the candidates it has pending in one act: each of them
    takes the draw of m's first pending candidate of that bloc (in country order), so m's
    hazard is drawn once a month, not once per candidate. Whether m is willing is still decided
    candidate by candidate (a hold-out on one candidate does not hold the others).
    """
    draw = uniforms
    for slot, bloc in enumerate(world.blocs):
        if bloc.process is None or not bloc.process.together:
            continue
        mine = pending & (pursuing == slot)[:, None, :]
        first = np.argmax(mine, axis=2)[..., None]  # m's first pending candidate (0 if none)
        shared = np.take_along_axis(uniforms, first, axis=2)
        draw = np.where(mine, shared, draw)
    return draw


def commit(state: RunState, changes: ProcessChanges, joins: np.ndarray) -> None:
    """Write a month's process; a country that joined a bloc this month ends its process."""
    done = joins >= 0
    state.stage = np.where(done, NONE, changes.stage)
    state.pursuing = np.where(done, -1, changes.pursuing)
    state.effect = np.where(done, -1, changes.effect)
    state.ratified = changes.ratified & ~done[:, None, :]
