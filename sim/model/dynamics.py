"""The model's equations (docs/MODEL.md, Details) as pure NumPy functions.

Every array has a leading run axis R, so the Mesa model (R = 1) and the batch engine (R runs at
once) share one copy of each rule. Shapes: country arrays (R, n), dyad arrays (R, n, n), bloc
arrays (R, B), country-by-bloc arrays (R, n, B); parameters are (R,) arrays or scalars. Equation
names (P1, A1, ...) refer to docs/MODEL.md.

References
----------
Axelrod & Bennett (1993) BJPolS 23(2); Walt (1987) The Origins of Alliances; Richardson (1960)
Arms and Insecurity; Jervis (1976); Deffuant et al. (2000) ACS 3; Hegselmann & Krause (2002) JASSS
5(3); Friedkin & Johnsen (1990) J. Math. Sociol. 15.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import expit

from sim.model import compiled
from sim.scenario.schema import STAGE_BOUNDARIES

STAGE_NAMES = ("declaration", "security mechanism", "formal alliance")


def per_run(value: np.ndarray | float, ndim: int) -> np.ndarray:
    """Reshape an (R,) parameter so it broadcasts against arrays of ``ndim`` dimensions."""
    array = np.asarray(value, dtype=float)
    return array.reshape(array.shape + (1,) * (ndim - array.ndim))


# --- derived quantities (MODEL.md section 3) -----------------------------------------------------


def sizes(capability: np.ndarray) -> np.ndarray:
    """Relative size s_i = c_i / sum_j c_j, shape (R, n)."""
    return capability / capability.sum(axis=-1, keepdims=True)


def proximity(distance_km: np.ndarray, distance_scale_km: np.ndarray | float) -> np.ndarray:
    """Proximity prox_ij = exp(-dist_ij / lambda), shape (R, n, n)."""
    return np.exp(-distance_km[None] / per_run(distance_scale_km, 3))


def propensity(
    affinity: np.ndarray,
    alignment: np.ndarray,
    tension: np.ndarray,
    alignment_weight: np.ndarray | float,
    tension_weight: np.ndarray | float,
    similarity_range: np.ndarray | float,
) -> np.ndarray:
    """Propensity to align (P1): p_ij = p0_ij + w_align S_ij - w_tension T_ij.

    S_ij = clip(1 - |a_i - a_j| / d0, -1, 1) is the signed similarity of two alignments: +1 for
    equal alignments, 0 at the distance d0, -1 from 2 d0 on, so countries far apart on the axis
    repel instead of all attracting each other. The diagonal is zero. Shape (R, n, n),
    symmetric when affinity and tension are.
    """
    runs, n = alignment.shape
    if compiled.usable(affinity, alignment, tension) and affinity.shape == tension.shape == (
        runs,
        n,
        n,
    ):
        weights = (alignment_weight, tension_weight, similarity_range)
        return compiled.propensity(
            affinity, alignment, tension, *(compiled.per_run_values(w, runs) for w in weights)
        )
    # Written with in-place steps: this runs every month on (R, n, n) arrays.
    result = alignment[:, :, None] - alignment[:, None, :]
    np.abs(result, out=result)
    result /= per_run(similarity_range, 3)
    np.subtract(1.0, result, out=result)  # 1 - |a_i - a_j| / d0
    np.clip(result, -1.0, 1.0, out=result)
    result *= per_run(alignment_weight, 3)
    result += affinity
    result -= per_run(tension_weight, 3) * tension
    result[:, np.arange(n), np.arange(n)] = 0.0
    return result


def patron_backing(support: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """Backing of each patron's clients (P2): b_pj = rho_p tau_pj, shape (R, P, n).

    ``support`` (R, P) is each patron's rho_p, ``ties`` (R, P, n) each country's tie tau_pj.
    """
    return support[:, :, None] * ties


def effective_size(
    size: np.ndarray, backing: np.ndarray, patron_country: tuple[int, ...]
) -> np.ndarray:
    """Size with patron backing (P2), shape (R, n).

    s*_j = s_j (1 + sum_{p outside} b_pj) + sum_{p the scenario country c_p} b_pj s_{c_p}.

    A patron outside the scenario lends a fully backed client its own size again (a judgement,
    the model's original form); a patron that is a scenario country lends its real size, so
    its threat as a country and its backing of clients are one actor's power (Walt 1987:
    aggregate power). ``patron_country`` gives the country index of each patron (-1: none).
    """
    outside = [k for k, c in enumerate(patron_country) if c < 0]
    result = size * (1.0 + backing[:, outside].sum(axis=1))
    for k, c in enumerate(patron_country):
        if c >= 0:
            result = result + backing[:, k] * size[:, c, None]
    return result


def threat(
    effective: np.ndarray,
    proximity_matrix: np.ndarray,
    tension: np.ndarray,
    misperception: np.ndarray,
    size_exponent: np.ndarray | float,
) -> np.ndarray:
    """Balance of threat (P3): Theta_ij = s*_j^alpha prox_ij T_ij (1 + beta_i), shape (R, n, n)."""
    power = effective ** per_run(size_exponent, 2)
    if compiled.usable(power, proximity_matrix, tension, misperception) and (
        proximity_matrix.shape == tension.shape == (*power.shape, power.shape[-1])
        and misperception.shape == power.shape
    ):
        return compiled.threat(power, proximity_matrix, tension, misperception)
    result = proximity_matrix * tension
    result *= power[:, None, :]
    result *= (1.0 + misperception)[:, :, None]
    return result


def columns(mask: np.ndarray) -> np.ndarray:
    """A (R, B, n) mask as a float (R, n, B) matrix, for products with (R, n, n) matrices."""
    return mask.transpose(0, 2, 1).astype(float)


def bloc_masks(member: np.ndarray, n_blocs: int) -> np.ndarray:
    """in_bloc[r, b, i]: country i is a member of bloc b, from member slots (-1 = none)."""
    return member[:, None, :] == np.arange(n_blocs)[None, :, None]


def bloc_threat(threat_matrix: np.ndarray, in_bloc: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Threat of a bloc to each country (P4), shape (R, n, B).

    Theta_iB = (1 + D_B) sum_{j in B} Theta_ij.
    """
    summed = threat_matrix @ columns(in_bloc)
    return summed * (1.0 + depth)[:, None, :]


def opponents(propensity_matrix: np.ndarray, in_bloc: np.ndarray) -> np.ndarray:
    """O_B (P5): outsiders whose mean propensity towards B's members is negative, (R, B, n)."""
    counts = in_bloc.sum(axis=-1)
    total = in_bloc.astype(float) @ propensity_matrix  # symmetric: row sums over members
    mean = total / np.maximum(counts, 1)[:, :, None]
    return (mean < 0.0) & ~in_bloc & (counts > 0)[:, :, None]


def frustration_gain(
    propensity_matrix: np.ndarray, size: np.ndarray, in_bloc: np.ndarray, opponent: np.ndarray
) -> np.ndarray:
    """Delta F_iB (P6): sum_{j in B} s_j p_ij - sum_{j in O_B} s_j p_ij, shape (R, n, B).

    Moving from outside into B's camp: affinity gained with the members minus affinity lost with
    B's opponents (Axelrod & Bennett's frustration, restricted to the two camps).
    """
    camp = columns(in_bloc) - columns(opponent)
    return propensity_matrix @ (size[:, :, None] * camp)


def camp_energy(
    propensity_matrix: np.ndarray, size: np.ndarray, in_bloc: np.ndarray, opponent: np.ndarray
) -> np.ndarray:
    """Energy E = sum_i s_i F_i of a bloc's two camps (P7), ordered pairs, shape (R, B).

    d_ij = 1 when one of i, j is a member and the other an opponent; neutrals count for neither.
    """
    members = in_bloc * size[:, None, :]
    rivals = opponent * size[:, None, :]
    return 2.0 * ((members @ propensity_matrix) * rivals).sum(axis=-1)


# --- decisions (MODEL.md section 4, steps 4 and 5) -----------------------------------------------


def security_gain(
    threat_matrix: np.ndarray,
    size: np.ndarray,
    in_bloc: np.ndarray,
    opponent: np.ndarray,
    reach: np.ndarray | None = None,
    reached: np.ndarray | bool = True,
) -> np.ndarray:
    """Pooling against the opponents (U2): sum_{j in O_B} Theta_ij S_iB / (S_iB + s_i), (R, n, B).

    S_iB = sum_{k in B, k != i} w_ik s_k is the allies' size without i itself, so members and
    outsiders are valued alike; ``reach`` w_ik (R, n, n) weighs each ally by how much of its
    strength reaches candidate i (:func:`ally_reach`), in the runs ``reached`` (R,) marks; in
    the others (and with ``reach`` None) every ally counts in full, w = 1, computed as the
    members' total less i's own size (so a run's result does not depend on the runs beside it).
    """
    threat_from_opponents = threat_matrix @ columns(opponent)
    bloc_size = (in_bloc * size[:, None, :]).sum(axis=-1)
    others = bloc_size[:, None, :] - size[:, :, None] * in_bloc.transpose(0, 2, 1)
    if reach is not None:
        weighted = reach * size[:, None, :]  # [r, i, k] = w_ik s_k
        n = size.shape[-1]
        weighted[:, np.arange(n), np.arange(n)] = 0.0
        others = np.where(per_run(reached, 3) > 0, weighted @ columns(in_bloc), others)
    return threat_from_opponents * others / np.maximum(others + size[:, :, None], 1e-12)


def ally_reach(proximity_matrix: np.ndarray, reach: np.ndarray | float) -> np.ndarray:
    """Share of an ally's strength that reaches a candidate (U2): w_ik = 1 - r + r prox_ik.

    Boulding's (1962) loss-of-strength gradient: power declines with the distance it must be
    carried, so an ally next to the candidate counts more than an equally large one far away
    (r = ``threat.ally_reach``; r = 0: distance does not matter). Shape (R, n, n).
    """
    weight = per_run(reach, 3)
    return 1.0 - weight + weight * proximity_matrix


def hostile_intent(tension: np.ndarray) -> np.ndarray:
    """Each country's demonstrated hostility I_j = max_k T_jk (U2), shape (R, n).

    Walt (1987): states balance against aggressive intentions, not only against power and
    proximity; a country's highest tension with anyone (an invasion of a neighbour) signals them
    to every country within its reach, not only to the victim.
    """
    return tension.max(axis=-1)


def intent_threat(
    effective: np.ndarray,
    proximity_matrix: np.ndarray,
    tension: np.ndarray,
    misperception: np.ndarray,
    size_exponent: np.ndarray | float,
    intent_weight: np.ndarray | float,
) -> np.ndarray:
    """Threat the security motive weighs (U2): Theta_ij + omega s*_j^alpha prox_ij I_j (1 + beta_i).

    Walt's four sources: aggregate power (s*_j), proximity (prox_ij), offensive capability (its
    exponent alpha), aggressive intentions (the dyad's own tension in Theta_ij, and with weight
    omega = ``threat.intent_weight`` the adversary's hostility toward anyone, I_j). The diagonal
    is 0. Shape (R, n, n).
    """
    intent = hostile_intent(tension)[:, None, :] * per_run(intent_weight, 3)
    result = threat(effective, proximity_matrix, tension + intent, misperception, size_exponent)
    n = effective.shape[-1]
    result[:, np.arange(n), np.arange(n)] = 0.0
    return result


def accession_utility(
    frustration: np.ndarray,
    security: np.ndarray,
    guarantee: np.ndarray,
    alignment: np.ndarray,
    domestic_cost: np.ndarray,
    stance: np.ndarray,
    pole: np.ndarray,
    *,
    frustration_weight: np.ndarray | float,
    security_weight: np.ndarray | float,
    endorsement_weight: np.ndarray | float,
    nato_discount: np.ndarray | float,
) -> np.ndarray:
    """Utility of membership (U1), shape (R, n, B).

    U_iB = w_F dF_iB + w_S (1 - nu g_i) security_iB + w_E sum_p e_pB max(pi_p a_i, 0) - r_iB.

    ``guarantee`` g_i (R, n) is 1 for a country a patron guarantees (its security needs the pact
    less: the ``nato`` discount nu). ``stance`` e_pB (R, P, B) is each patron's stance toward each
    bloc, ``pole`` pi_p (R, P) where it stands on the axis: only candidates leaning to a patron's
    side (pi_p a_i > 0) heed its stance, so a Western veto (e_W < 0) does not make the pact
    attractive to Russia-leaning ones. ``domestic_cost`` r_iB is per country and bloc (R, n, B).
    """
    guarantee_factor = 1.0 - per_run(nato_discount, 2) * guarantee
    heeded = None
    for k in range(stance.shape[1]):
        lean = np.maximum(pole[:, k, None] * alignment, 0.0)
        term = (per_run(endorsement_weight, 2) * stance[:, k])[:, None, :] * lean[:, :, None]
        heeded = term if heeded is None else heeded + term
    return (
        per_run(frustration_weight, 3) * frustration
        + per_run(security_weight, 3) * guarantee_factor[:, :, None] * security
        + (0.0 if heeded is None else heeded)
        - domestic_cost
    )


def neutrality_cost(neutral: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The cost of leaving neutrality in each country's utility of joining any bloc (N1),
    shape (R, n): c_N,i for a neutral country, 0 otherwise.

    Neutrality is a standing commitment whose value lies in being kept: abandoning it costs
    credibility abroad and, where it is entrenched (Austria's constitutional law of 1955), a
    domestic fight (Karsh 1988). It is a cost of its own, beside the domestic cost r_iB, not
    relieved by an invitation.
    """
    return np.where(neutral > 0, cost, 0.0)


def vetoed(
    propensity_matrix: np.ndarray,
    in_bloc: np.ndarray,
    majority: np.ndarray,
    veto_threshold: np.ndarray | float,
) -> np.ndarray:
    """Whether B's members keep candidate i out (V1), shape (R, n, B).

    A member m approves i when p_mi > v. Unanimity: one disapproval vetoes. Majority: i is kept
    out unless more than half of the members approve.
    """
    n = propensity_matrix.shape[-1]
    approves = propensity_matrix > per_run(veto_threshold, 3)  # approves[r, m, i]
    approving = approves.astype(float)
    approving[:, np.arange(n), np.arange(n)] = 0.0  # a member does not vote on itself
    voters = in_bloc.sum(axis=-1)[:, None, :] - in_bloc.transpose(0, 2, 1)  # (R, n, B)
    approvals = (in_bloc.astype(float) @ approving).transpose(0, 2, 1)
    unanimity_veto = approvals < voters
    majority_veto = approvals <= voters / 2.0
    return np.where(majority[None, None, :], majority_veto, unanimity_veto)


def decision_probability(
    utility: np.ndarray, temperature: np.ndarray | float, rate: np.ndarray | float
) -> np.ndarray:
    """Chance of acting this month (U3): h sigma(U / temperature), sigma the logistic function."""
    ndim = utility.ndim
    return per_run(rate, ndim) * expit(utility / per_run(temperature, ndim))


# --- alignment (MODEL.md section 4, step 2) ------------------------------------------------------


def bounded_confidence_pull(
    alignment: np.ndarray, openness: np.ndarray, propensity_matrix: np.ndarray
) -> np.ndarray:
    """Mean of (a_j - a_i) over j within i's openness and with p_ij > 0 (A1), shape (R, n)."""
    if compiled.usable(alignment, openness, propensity_matrix) and (
        openness.shape == alignment.shape
        and propensity_matrix.shape == (*alignment.shape, alignment.shape[-1])
    ):
        return compiled.pull(alignment, openness, propensity_matrix)
    difference = alignment[:, None, :] - alignment[:, :, None]  # [r, i, j] = a_j - a_i
    listens = np.abs(difference) < openness[:, :, None]
    listens &= propensity_matrix > 0.0
    count = listens.sum(axis=-1)
    difference *= listens
    # summed in order j = 1..n, not with .sum(axis=-1), whose order NumPy may choose
    # differently for different numbers of runs: a run's result must not depend on its chunk,
    # nor on whether the compiled loop is used
    total = np.zeros(alignment.shape)
    for j in range(alignment.shape[-1]):
        total += difference[:, :, j]
    return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def alignment_change(
    alignment: np.ndarray,
    anchor: np.ndarray,
    pull: np.ndarray,
    outside_pact: np.ndarray,
    bloc_threat_matrix: np.ndarray,
    bloc_alignment: np.ndarray,
    balances: np.ndarray,
    noise: np.ndarray,
    *,
    stubbornness: np.ndarray,
    ties: np.ndarray,
    support: np.ndarray,
    pole: np.ndarray,
    patron_pull: np.ndarray,
    endorsement: np.ndarray,
    rate: np.ndarray | float,
    balancing: np.ndarray | float,
    noise_scale: np.ndarray | float,
) -> np.ndarray:
    """New alignment after one month (A2), clipped to [-1, 1], shape (R, n).

    a_i += mu pull_i
           + sum_p kappa_p [max(e_p, 0)(pi_p - a_i)[outside pact, pi_p a_i > 0] + b_pi (pi_p - a_i)]
           - kappa_bal sum_B Theta_iB (abar_B - a_i)[balances_iB]
           + phi_i (a0_i - a_i) + sigma_a noise_i.

    Each patron p (pole pi_p, pull kappa_p, stance toward the pact e_p, all (R, P)) draws the
    outsiders of a pact it endorses that lean its way, and its clients by their backing
    b_pi = rho_p tau_pi (``support`` (R, P), ``ties`` (R, P, n)). With the West at +1 and
    Russia at -1 these are the model's original two terms.
    """
    change = per_run(rate, 2) * pull
    for k in range(pole.shape[1]):
        towards = pole[:, k, None] - alignment
        leaning = outside_pact & (pole[:, k, None] * alignment > 0.0)
        stance = np.maximum(endorsement[:, k, None], 0.0)
        change += patron_pull[:, k, None] * stance * towards * leaning
        change += patron_pull[:, k, None] * support[:, k, None] * ties[:, k] * towards
    away = np.where(
        balances, bloc_threat_matrix * (bloc_alignment[:, None, :] - alignment[:, :, None]), 0.0
    ).sum(axis=-1)
    change = (
        change
        - per_run(balancing, 2) * away
        + stubbornness * (anchor - alignment)
        + per_run(noise_scale, 2) * noise
    )
    return np.clip(alignment + change, -1.0, 1.0)


def bloc_alignment(alignment: np.ndarray, in_bloc: np.ndarray) -> np.ndarray:
    """Mean alignment of each bloc's members (0 for an empty bloc), shape (R, B)."""
    counts = in_bloc.sum(axis=-1)
    total = (in_bloc * alignment[:, None, :]).sum(axis=-1)
    return total / np.maximum(counts, 1)


# --- tension (MODEL.md section 4, step 3) --------------------------------------------------------


@functools.cache
def upper_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the n(n-1)/2 dyads i < j (cached: used every month)."""
    return np.triu_indices(n, k=1)


@functools.cache
def flat_pairs(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat indices into a row-major n x n matrix of (i, j) and of (j, i) for the dyads i < j,
    and of the diagonal (cached: used every month)."""
    rows, cols = upper_pairs(n)
    return rows * n + cols, cols * n + rows, np.arange(n) * (n + 1)


def symmetric_from_pairs(values: np.ndarray, n: int, *, fill: float) -> np.ndarray:
    """The symmetric (R, n, n) matrix holding ``values`` (R, n(n-1)/2) at (i, j) and (j, i),
    in :func:`upper_pairs` order, and ``fill`` on the diagonal."""
    runs = values.shape[0]
    upper, lower, diagonal = flat_pairs(n)
    matrix = np.empty((runs, n * n))
    matrix[:, upper] = values
    matrix[:, lower] = values
    matrix[:, diagonal] = fill
    return matrix.reshape(runs, n, n)


def tension_change(
    tension: np.ndarray,
    baseline: np.ndarray,
    threat_matrix: np.ndarray,
    noise: np.ndarray,
    *,
    reaction: np.ndarray | float,
    decay: np.ndarray | float,
    noise_scale: np.ndarray | float,
) -> np.ndarray:
    """Richardson reaction with decay and log-normal noise (T1); symmetric, zero diagonal.

    T_ij <- (T_ij + k (Theta_ij + Theta_ji)/2 - delta (T_ij - T0_ij)) exp(sigma_T z - sigma_T^2/2).

    The noise is multiplicative with mean one: tension stays non-negative without clipping at 0
    (clipping additive noise biased calm dyads upward), and the month's expected change is the
    deterministic one. ``noise`` holds one standard normal per dyad i < j, shape
    (R, n(n-1)/2), in :func:`upper_pairs` order; the same draw moves T_ij and T_ji.
    """
    sigma = per_run(noise_scale, 2)
    factor = np.exp(sigma * noise - sigma * sigma / 2.0)
    runs, n = tension.shape[0], tension.shape[-1]
    if compiled.usable(tension, baseline, threat_matrix, factor) and (
        tension.shape == baseline.shape == threat_matrix.shape == (runs, n, n)
        and factor.shape == (runs, n * (n - 1) // 2)
    ):
        half_reaction = compiled.per_run_values(reaction, runs) / 2.0
        decay_rate = compiled.per_run_values(decay, runs)
        return compiled.tension(tension, baseline, threat_matrix, factor, half_reaction, decay_rate)
    # Written with in-place steps: this runs every month on (R, n, n) arrays.
    updated = threat_matrix + threat_matrix.transpose(0, 2, 1)
    updated *= per_run(reaction, 3) / 2.0
    updated += tension
    updated -= per_run(decay, 3) * (tension - baseline)
    updated *= symmetric_from_pairs(factor, n, fill=1.0)
    return updated


def provocation(
    propensity_matrix: np.ndarray,
    size: np.ndarray,
    actors: np.ndarray,
    in_bloc: np.ndarray,
    strength: np.ndarray | float,
) -> np.ndarray:
    """Tension added by joins and deepenings (T2), symmetric, shape (R, n, n).

    ``actors[r, b, m]`` marks the countries whose move provokes: a joiner m, or every member
    when bloc b deepens a stage. An outsider i whose mean propensity pbar_ib towards b's members
    is negative (an opponent of the bloc, P5) reads the move as a gain of the rival camp
    (Jervis 1978; Snyder 1984, the alliance security dilemma), whatever its relation with the
    joiner itself, and gains pi (total size of the actors) min(|pbar_ib|, 1) of tension with
    every member k of b. The cap keeps the loop tension -> hostility -> provocation -> tension
    bounded (propensity falls without bound as tension rises).
    """
    members = in_bloc.astype(float)
    counts = members.sum(axis=-1)  # (R, B)
    mean = (members @ propensity_matrix) / np.maximum(counts, 1.0)[:, :, None]  # pbar[r, b, i]
    hostility = np.clip(-mean, 0.0, 1.0) * ~in_bloc  # at most fully hostile
    weight = (actors * size[:, None, :]).sum(axis=-1)  # (R, B)
    rise = hostility * (per_run(strength, 2) * weight)[:, :, None]
    added = columns(rise) @ members  # [r, i, k] = sum_b rise[b, i] [k in b]
    return added + added.transpose(0, 2, 1)


# --- integration, crisis (MODEL.md section 4, steps 6 and 8) -------------------------------------


def cohesion(propensity_matrix: np.ndarray, in_bloc: np.ndarray) -> np.ndarray:
    """Mean propensity over ordered member pairs (I1), shape (R, B); 0 below two members."""
    members = in_bloc.astype(float)
    total = ((members @ propensity_matrix) * members).sum(axis=-1)
    count = in_bloc.sum(axis=-1)
    pairs = count * (count - 1)
    return np.where(pairs > 0, total / np.maximum(pairs, 1), 0.0)


def depth_change(
    depth: np.ndarray,
    cohesion_value: np.ndarray,
    members_threat: np.ndarray,
    members: np.ndarray,
    noise: np.ndarray,
    *,
    growth: np.ndarray | float,
    cohesion_threshold: np.ndarray | float,
    rally: np.ndarray | float,
    decay: np.ndarray | float,
    noise_scale: np.ndarray | float,
) -> np.ndarray:
    """Integration depth after one month (I2), shape (R, B).

    drive = C_B - c0 + rally x (threat the members face, I3); D += g drive (1 - D) if
    drive > 0, else D -= q D; then D += sigma_D z (z = ``noise``, (R, B) standard normal: how
    fast a pact institutionalises is uncertain) and D is kept in [0, 1] (a large g drive would
    overshoot 1, and 1 - D < 0 would then push it negative). A bloc of fewer than two
    ``members`` (R, B) is no pact: it only erodes.
    """
    drive = cohesion_value - per_run(cohesion_threshold, 2) + per_run(rally, 2) * members_threat
    grown = depth + per_run(growth, 2) * drive * (1.0 - depth)
    shrunk = depth - per_run(decay, 2) * depth
    moved = np.where((drive > 0.0) & (members >= 2), grown, shrunk)
    moved += per_run(noise_scale, 2) * noise
    return np.clip(moved, 0.0, 1.0, out=moved)


def threat_faced(
    threat_matrix: np.ndarray, in_bloc: np.ndarray, opponent: np.ndarray
) -> np.ndarray:
    """Threat a bloc's members face from its opponents (I3), shape (R, B).

    The mean over members i of sum_{j in O_B} Theta_ij (0 for an empty bloc): what a pact
    rallies against (Walt 1987: alliances tighten against a threat to their members).
    """
    from_opponents = threat_matrix @ columns(opponent)  # [r, i, b] = sum_{j in O_b} Theta_ij
    members = in_bloc.sum(axis=-1)
    # the diagonal of in_bloc @ from_opponents: a matrix product, so a run's value does not
    # depend on how many runs share the arrays (a reduction over a strided axis may)
    faced = np.diagonal(in_bloc.astype(float) @ from_opponents, axis1=1, axis2=2)
    return faced / np.maximum(members, 1)


def stage(depth: np.ndarray) -> np.ndarray:
    """Stage index from depth: 0 declaration, 1 security mechanism, 2 formal alliance."""
    return np.searchsorted(np.asarray(STAGE_BOUNDARIES), depth, side="right")


def emboldenment(
    backing_i: np.ndarray, backing_j: np.ndarray, propensity_ij: np.ndarray
) -> np.ndarray:
    """Patron backing carried into a hostile dyad (C2): e_ij = max(b_i, b_j) [p_ij < 0].

    A client backed by a patron is emboldened against its adversaries (Leeds 2003; Benson 2011;
    Snyder 1984 on entrapment); ``backing_i`` and ``backing_j`` are b_i and b_j in [0, 1] of the
    two parties of each dyad, arrays of one shape (the month computes it for dyads i < j only).
    """
    return np.where(propensity_ij < 0.0, np.maximum(backing_i, backing_j), 0.0)


def crisis_score(
    tension: np.ndarray,
    emboldened: np.ndarray,
    *,
    steepness: np.ndarray | float,
    threshold: np.ndarray | float,
    emboldenment_odds: np.ndarray | float,
) -> np.ndarray:
    """Log-odds score of a crisis on each dyad (C1): gamma (T_ij - theta_c) + ln(1 + b) e_ij.

    At full backing (e = 1) the odds of a crisis are 1 + b times those without (``b`` is
    ``emboldenment_odds``). Arrays (R, k); parameters (R,) or scalars.
    """
    shift = np.log1p(per_run(emboldenment_odds, tension.ndim)) * emboldened
    return per_run(steepness, tension.ndim) * (tension - per_run(threshold, tension.ndim)) + shift


def dyad_crisis_scores(
    tension: np.ndarray,
    backing: np.ndarray,
    propensity_matrix: np.ndarray,
    *,
    steepness: np.ndarray | float,
    threshold: np.ndarray | float,
    emboldenment_odds: np.ndarray | float,
) -> np.ndarray:
    """The crisis score (C1, C2) of every dyad i < j, shape (R, n(n-1)/2) in
    :func:`upper_pairs` order, from tension and propensity (R, n, n) and backing (R, n)."""
    runs, n = backing.shape
    if compiled.usable(tension, backing, propensity_matrix) and (
        tension.shape == propensity_matrix.shape == (runs, n, n)
    ):
        values = (steepness, threshold)
        log_odds = np.log1p(compiled.per_run_values(emboldenment_odds, runs))
        return compiled.crisis_scores(
            tension,
            backing,
            propensity_matrix,
            *(compiled.per_run_values(v, runs) for v in values),
            log_odds,
        )
    rows, cols = upper_pairs(n)
    emboldened = emboldenment(backing[:, rows], backing[:, cols], propensity_matrix[:, rows, cols])
    return crisis_score(
        tension[:, rows, cols],
        emboldened,
        steepness=steepness,
        threshold=threshold,
        emboldenment_odds=emboldenment_odds,
    )


def crisis_probability(score: np.ndarray, *, rate: np.ndarray | float) -> np.ndarray:
    """Monthly crisis chance (C1) from the highest dyad score: h_c sigma(score), shape (R,)."""
    return per_run(rate, 1) * expit(score)
