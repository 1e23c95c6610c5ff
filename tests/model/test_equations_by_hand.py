"""Every equation of docs/MODEL.md (section 3.2) on small asymmetric cases worked out by hand.

Each test's docstring shows the arithmetic; the numbers are chosen so that a plausible slip (a
missing factor, a swapped weight, a flipped sign, a dropped filter, a threshold taken as ``<=``
instead of ``<``) gives a different answer. Thresholds are tested on both sides. The labels (P1,
A2, ...) are those of docs/MODEL.md.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from scipy.special import expit

from sim.model import dynamics, phases


def one_run(*arrays):
    """Add the leading run axis (R = 1) to each array."""
    return [np.asarray(a, dtype=float)[None] for a in arrays]


def symmetric(n, entries):
    """An (n, n) symmetric matrix with a zero diagonal from {(i, j): value}."""
    m = np.zeros((n, n))
    for (i, j), value in entries.items():
        m[i, j] = m[j, i] = value
    return m


# --- derived quantities (P1 to P7) ---------------------------------------------------------------


def test_sizes_and_proximity():
    """s = c / sum c = (2, 3, 5) / 10; prox = exp(-600 / 300) = exp(-2) = 0.135335..."""
    assert dynamics.sizes(np.array([[2.0, 3.0, 5.0]]))[0].tolist() == pytest.approx([0.2, 0.3, 0.5])
    prox = dynamics.proximity(np.array([[0.0, 600.0], [600.0, 0.0]]), np.array([300.0]))
    assert prox[0, 0, 1] == pytest.approx(0.1353352832)
    assert prox[0, 0, 0] == 1.0


def test_propensity_p1_signed_similarity_on_both_sides_of_d0():
    """p_ij = p0_ij + w_align S_ij - w_tension T_ij, S_ij = clip(1 - |a_i - a_j| / d0, -1, 1).

    w_align 0.3, w_tension 0.7, d0 0.6, a = (0.8, 0.5, -0.1, -0.6):
    dyad  |da|  S                       p0    T    p
    0-1   0.3   1 - 0.5 = 0.5           0.5   0.4  0.5 + 0.15 - 0.28 = 0.37
    0-2   0.9   1 - 1.5 = -0.5          -0.2  0.1  -0.2 - 0.15 - 0.07 = -0.42
    0-3   1.4   1 - 2.333 -> -1 (clip)  0.1   0.2  0.1 - 0.3 - 0.14 = -0.34 (unclipped -0.44)
    1-2   0.6   0 (at d0)               0.1   0    0.1
    1-3   1.1   1 - 1.8333 = -0.8333    0     0.3  -0.25 - 0.21 = -0.46
    2-3   0.5   1 - 0.8333 = 0.1667     0.3   0    0.3 + 0.05 = 0.35
    Swapped weights would give p_01 = 0.5 + 0.35 - 0.12 = 0.73; the specification's unsigned
    1 - |da| would give p_01 = 0.5 + 0.21 - 0.28 = 0.43. The diagonal is 0.
    A second run with d0 = 1.2: S_01 = 1 - 0.25 = 0.75 -> p_01 = 0.5 + 0.225 - 0.28 = 0.445;
    S_03 = 1 - 1.1667 = -0.1667 -> p_03 = 0.1 - 0.05 - 0.14 = -0.09.
    """
    affinity = symmetric(4, {(0, 1): 0.5, (0, 2): -0.2, (0, 3): 0.1, (1, 2): 0.1, (2, 3): 0.3})
    tension = symmetric(4, {(0, 1): 0.4, (0, 2): 0.1, (0, 3): 0.2, (1, 3): 0.3})
    alignment = [0.8, 0.5, -0.1, -0.6]
    aff, align, ten = (
        np.stack([np.asarray(a, dtype=float)] * 2) for a in (affinity, alignment, tension)
    )
    p = dynamics.propensity(aff, align, ten, 0.3, 0.7, np.array([0.6, 1.2]))
    expected = symmetric(
        4,
        {(0, 1): 0.37, (0, 2): -0.42, (0, 3): -0.34, (1, 2): 0.1, (1, 3): -0.46, (2, 3): 0.35},
    )
    assert p[0] == pytest.approx(expected)
    assert p[1, 0, 1] == pytest.approx(0.445)
    assert p[1, 0, 3] == pytest.approx(-0.09)
    assert np.diagonal(p, axis1=1, axis2=2).tolist() == [[0.0] * 4] * 2


def test_effective_size_p2():
    """s*_j = s_j (1 + rho_R tau_j): rho 0.5, tau (0, 0.4, 1) -> (0.5, 0.3 * 1.2, 0.2 * 1.5)."""
    size = np.array([[0.5, 0.3, 0.2]])
    backing = dynamics.patron_backing(np.array([[0.5]]), np.array([[[0.0, 0.4, 1.0]]]))
    assert dynamics.effective_size(size, backing, (-1,))[0] == pytest.approx([0.5, 0.36, 0.3])


def test_effective_size_p2_with_three_patrons_one_a_scenario_country():
    """Three patrons: A outside the scenario (rho 0.5), B outside (rho 0.2), C = country 0
    (rho 0.6). Ties: A (0, 0.4, 1), B (0, 1, 0.5), C (0, 0.5, 0); sizes (0.5, 0.3, 0.2).

    b_A = (0, 0.2, 0.5), b_B = (0, 0.2, 0.1), b_C = (0, 0.3, 0).
    s*_0 = 0.5 (nobody backs the patron country itself)
    s*_1 = 0.3 (1 + 0.2 + 0.2) + 0.3 * 0.5 (C lends its own size 0.5) = 0.42 + 0.15 = 0.57
    s*_2 = 0.2 (1 + 0.5 + 0.1) + 0 = 0.32
    Were C outside the scenario it would lend country 1 its own size: 0.3 * 1.7 = 0.51.
    """
    size = np.array([[0.5, 0.3, 0.2]])
    ties = np.array([[[0.0, 0.4, 1.0], [0.0, 1.0, 0.5], [0.0, 0.5, 0.0]]])
    backing = dynamics.patron_backing(np.array([[0.5, 0.2, 0.6]]), ties)
    assert backing[0] == pytest.approx(np.array([[0, 0.2, 0.5], [0, 0.2, 0.1], [0, 0.3, 0]]))
    assert dynamics.effective_size(size, backing, (-1, -1, 0))[0] == pytest.approx(
        [0.5, 0.57, 0.32]
    )
    assert dynamics.effective_size(size, backing, (-1, -1, -1))[0] == pytest.approx(
        [0.5, 0.51, 0.32]
    )


def test_threat_p3_is_directed():
    """Theta_ij = s*_j^alpha prox_ij T_ij (1 + beta_i), alpha 0.5, s* = (0.25, 0.36, 0.09).

    Theta_01 = 0.6 * 0.5 * 0.4 * 1.2 = 0.144 (j = 1 is the bigger one, i = 0 misperceives)
    Theta_10 = 0.5 * 0.5 * 0.4 * 1.0 = 0.1
    Theta_21 = 0.6 * 0.8 * 0.3 * 1.5 = 0.216; Theta_12 = 0.3 * 0.8 * 0.3 * 1.0 = 0.072
    """
    prox = symmetric(3, {(0, 1): 0.5, (1, 2): 0.8, (0, 2): 0.2}) + np.eye(3)
    tension = symmetric(3, {(0, 1): 0.4, (1, 2): 0.3})
    eff, pr, ten, beta = one_run([0.25, 0.36, 0.09], prox, tension, [0.2, 0.0, 0.5])
    theta = dynamics.threat(eff, pr, ten, beta, 0.5)[0]
    assert theta[0, 1] == pytest.approx(0.144)
    assert theta[1, 0] == pytest.approx(0.1)
    assert theta[2, 1] == pytest.approx(0.216)
    assert theta[1, 2] == pytest.approx(0.072)
    assert theta[0, 2] == 0.0  # no tension, no threat
    # alpha = 1: s* itself, 0.36 * 0.5 * 0.4 * 1.2 = 0.0864
    assert dynamics.threat(eff, pr, ten, beta, 1.0)[0, 0, 1] == pytest.approx(0.0864)


def four_countries():
    """Bloc 0 = {0, 1}; country 2 a friendly outsider; country 3 an opponent.

    sizes (0.4, 0.3, 0.2, 0.1); propensities p_01 0.8, p_02 0.5, p_12 -0.1, p_23 0.6,
    p_03 -0.5, p_13 -0.3. Mean propensity towards the members: country 2 (0.5 - 0.1)/2 = 0.2
    (not an opponent), country 3 (-0.5 - 0.3)/2 = -0.4 (an opponent).
    """
    p = symmetric(
        4,
        {(0, 1): 0.8, (0, 2): 0.5, (1, 2): -0.1, (2, 3): 0.6, (0, 3): -0.5, (1, 3): -0.3},
    )
    size = np.array([[0.4, 0.3, 0.2, 0.1]])
    in_bloc = dynamics.bloc_masks(np.array([[0, 0, -1, -1]]), 1)
    return p[None], size, in_bloc


def test_opponents_p5_both_sides_of_zero():
    """O_B: outsiders whose mean propensity towards the members is < 0 (members never are).

    With p_13 = -0.3: country 3 has mean -0.4 -> opponent; country 2 mean 0.2 -> neutral.
    Moving p_12 to -0.5 gives country 2 a mean of exactly 0 -> still neutral (strict);
    to -0.51 -> mean -0.005 -> opponent.
    """
    p, _, in_bloc = four_countries()
    assert dynamics.opponents(p, in_bloc)[0, 0].tolist() == [False, False, False, True]
    for p12, expected in ((-0.5, False), (-0.51, True)):
        q = p.copy()
        q[0, 1, 2] = q[0, 2, 1] = p12
        assert dynamics.opponents(q, in_bloc)[0, 0, 2] == expected
    empty = dynamics.bloc_masks(np.array([[-1, -1, -1, -1]]), 1)
    assert not dynamics.opponents(p, empty).any()


def test_frustration_gain_p6_and_energy_p7():
    """dF_iB = sum_{j in B} s_j p_ij - sum_{j in O_B} s_j p_ij; O_B = {3}.

    country 2 (outsider): 0.4 * 0.5 + 0.3 * (-0.1) - 0.1 * 0.6 = 0.2 - 0.03 - 0.06 = 0.11
    country 0 (member):   0.3 * 0.8 - 0.1 * (-0.5) = 0.24 + 0.05 = 0.29
    country 3 (opponent): 0.4 * (-0.5) + 0.3 * (-0.3) = -0.29
    E = 2 sum_{i in B, j in O_B} s_i s_j p_ij = 2 (0.4 * 0.1 * (-0.5) + 0.3 * 0.1 * (-0.3))
      = 2 (-0.02 - 0.009) = -0.058
    """
    p, size, in_bloc = four_countries()
    opp = dynamics.opponents(p, in_bloc)
    gain = dynamics.frustration_gain(p, size, in_bloc, opp)[0, :, 0]
    assert gain[2] == pytest.approx(0.11)
    assert gain[0] == pytest.approx(0.29)
    assert gain[3] == pytest.approx(-0.29)
    assert dynamics.camp_energy(p, size, in_bloc, opp)[0, 0] == pytest.approx(-0.058)


def test_bloc_threat_p4():
    """Theta_iB = (1 + D_B) sum_{j in B} Theta_ij: members {0, 1}, D = 0.25.

    Theta_20 = 0.2, Theta_21 = 0.1, Theta_23 = 0.7 (not a member): 1.25 * 0.3 = 0.375.
    """
    theta = np.zeros((1, 4, 4))
    theta[0, 2, :] = [0.2, 0.1, 0.0, 0.7]
    in_bloc = dynamics.bloc_masks(np.array([[0, 0, -1, -1]]), 1)
    result = dynamics.bloc_threat(theta, in_bloc, np.array([[0.25]]))
    assert result[0, 2, 0] == pytest.approx(0.375)


# --- accession and exit (U1 to U3, V1, exit) ------------------------------------------------------


def test_security_gain_u2_leaves_out_the_countrys_own_size():
    """security_iB = sum_{j in O_B} Theta_ij S_B / (S_B + s_i), S_B without i; O_B = {3}.

    outsider 2: S_B = 0.4 + 0.3 = 0.7, Theta_23 = 0.3: 0.3 * 0.7 / 0.9 = 0.233333...
    member 0:   S_B = 0.3 (without itself), Theta_03 = 0.5: 0.5 * 0.3 / 0.7 = 0.214285...
                (counting its own size would give 0.5 * 0.7 / 1.1 = 0.318...)
    opponent 3 (not a member): Theta_33 = 0 -> 0.
    """
    p, size, in_bloc = four_countries()
    opp = dynamics.opponents(p, in_bloc)
    theta = np.zeros((1, 4, 4))
    theta[0, 2, 3], theta[0, 0, 3], theta[0, 1, 3] = 0.3, 0.5, 0.2
    security = dynamics.security_gain(theta, size, in_bloc, opp)[0, :, 0]
    assert security[2] == pytest.approx(0.7 * 0.3 / 0.9)
    assert security[0] == pytest.approx(0.5 * 0.3 / 0.7)
    assert security[1] == pytest.approx(0.2 * 0.4 / 0.7)
    assert security[3] == 0.0


def test_intent_threat_u2_adds_the_adversarys_hostility_toward_anyone():
    """Theta^S_ij = s*_j^alpha prox_ij (T_ij + omega max_k T_jk) (1 + beta_i), omega 0.5.

    Country 0 a candidate, 1 its adversary, 2 the adversary's victim; s*^0.5 = (0.5, 0.6, 0.3),
    prox_01 0.5, prox_12 0.8, prox_02 0.2; T_01 0.1, T_12 0.9 (an invasion), T_02 0;
    beta (0.2, 0, 0.5). Hostility I = (0.1, 0.9, 0.9).
    Theta^S_01 = 0.6 * 0.5 * (0.1 + 0.45) * 1.2 = 0.198 (Theta_01 alone: 0.036)
    Theta^S_10 = 0.5 * 0.5 * (0.1 + 0.05) * 1.0 = 0.0375 (directed: 0 shows little hostility)
    Theta^S_02 = 0.3 * 0.2 * (0 + 0.45) * 1.2 = 0.0324 (the victim's tension is symmetric: it
    shows as hostility too, weighed by its small size)
    The diagonal is 0; with omega 0 it is Theta itself.
    """
    prox = symmetric(3, {(0, 1): 0.5, (1, 2): 0.8, (0, 2): 0.2}) + np.eye(3)
    tension = symmetric(3, {(0, 1): 0.1, (1, 2): 0.9})
    eff, pr, ten, beta = one_run([0.25, 0.36, 0.09], prox, tension, [0.2, 0.0, 0.5])
    weighed = dynamics.intent_threat(eff, pr, ten, beta, 0.5, 0.5)[0]
    assert weighed[0, 1] == pytest.approx(0.198)
    assert weighed[1, 0] == pytest.approx(0.0375)
    assert weighed[0, 2] == pytest.approx(0.0324)
    assert np.diagonal(weighed).tolist() == [0.0, 0.0, 0.0]
    plain = dynamics.intent_threat(eff, pr, ten, beta, 0.5, 0.0)
    assert np.array_equal(plain, dynamics.threat(eff, pr, ten, beta, 0.5))


def test_security_gain_u2_with_allies_weighed_by_their_reach():
    """S_iB = sum_{k in B, k != i} (1 - r + r prox_ik) s_k, r = 0.5; bloc {1, 2}, opponent 3.

    Sizes (0.1, 0.5, 0.2, 0.2); the big ally 1 is far from candidate 0 (prox 0.1), the small
    ally 2 near (prox 0.9), prox_12 0.3; Theta_03 = 0.4, Theta_13 = 0.2.
    candidate 0: S = 0.55 * 0.5 + 0.95 * 0.2 = 0.465 -> 0.4 * 0.465 / 0.565 = 0.329204
                 (every ally in full: 0.4 * 0.7 / 0.8 = 0.35)
    member 1:    S = 0.65 * 0.2 = 0.13 -> 0.2 * 0.13 / 0.63 = 0.041270 (in full: 0.2*0.2/0.7)
    A second run without reach (``reached`` False) gives exactly the plain pooling.
    """
    size = np.array([[0.1, 0.5, 0.2, 0.2]] * 2)
    in_bloc = dynamics.bloc_masks(np.array([[-1, 0, 0, -1]] * 2), 1)
    opponent = np.array([[[False, False, False, True]]] * 2)
    theta = np.zeros((2, 4, 4))
    theta[:, 0, 3], theta[:, 1, 3] = 0.4, 0.2
    prox = symmetric(4, {(0, 1): 0.1, (0, 2): 0.9, (1, 2): 0.3}) + np.eye(4)
    reach = dynamics.ally_reach(np.stack([prox, prox]), np.array([0.5, 0.0]))
    security = dynamics.security_gain(theta, size, in_bloc, opponent, reach,
                                      np.array([True, False]))  # fmt: skip
    assert security[0, :2, 0] == pytest.approx([0.4 * 0.465 / 0.565, 0.2 * 0.13 / 0.63])
    plain = dynamics.security_gain(theta, size, in_bloc, opponent)
    assert np.array_equal(security[1], plain[1])
    assert plain[0, :2, 0] == pytest.approx([0.35, 0.2 * 0.2 / 0.7])


def test_accession_utility_u1_with_every_term():
    """U_iB = w_F dF + w_S (1 - nu g_i) security + w_E sum_p e_pB max(pi_p a_i, 0) - r_iB.

    w_F 8, w_S 2, w_E 1.5, nu 0.7; patrons West (pole +1, e_W 0.4 toward bloc 0, the pact) and
    Russia (pole -1, no stance); bloc 1 another bloc.
    country 0: guaranteed, a 0.6, dF 0.11, security 0.25, r = (0.3, 0.5) for the two blocs;
    country 1: not guaranteed, a -0.5, dF -0.02, security 0.4, r = (0.1, 0.0).
    U_0,pact  = 0.88 + 2 * 0.3 * 0.25 + 1.5 * 0.4 * 0.6 - 0.3 = 0.88 + 0.15 + 0.36 - 0.3 = 1.09
    U_0,other = 0.88 + 0.15 - 0.5 = 0.53 (no stance toward the other bloc; its own cost)
    U_1,pact  = -0.16 + 2 * 1.0 * 0.4 + 1.5 * 0.4 * max(-0.5, 0) - 0.1 = -0.16 + 0.8 - 0.1 = 0.54
                (with e_W a instead of e_W max(a, 0): 0.54 - 0.3 = 0.24)
    U_1,other = -0.16 + 0.8 - 0.0 = 0.64
    A Western veto e_W = -0.5: U_0,pact = 0.88 + 0.15 - 1.5 * 0.5 * 0.6 - 0.3 = 0.28, and the
    Russia-leaning country 1 gains nothing from it: U_1,pact stays 0.54 (e_W a would give 0.915).
    """

    def utility(endorsement, russia_stance=(0.0, 0.0)):
        return dynamics.accession_utility(
            np.array([[[0.11, 0.11], [-0.02, -0.02]]]),
            np.array([[[0.25, 0.25], [0.4, 0.4]]]),
            np.array([[1.0, 0.0]]),
            np.array([[0.6, -0.5]]),
            np.array([[[0.3, 0.5], [0.1, 0.0]]]),
            np.array([[[endorsement, 0.0], list(russia_stance)]]),
            np.array([[1.0, -1.0]]),
            frustration_weight=8.0,
            security_weight=2.0,
            endorsement_weight=1.5,
            nato_discount=0.7,
        )[0]

    assert utility(0.4) == pytest.approx(np.array([[1.09, 0.53], [0.54, 0.64]]))
    assert utility(-0.5) == pytest.approx(np.array([[0.28, 0.53], [0.54, 0.64]]))


def test_accession_utility_u1_a_patron_stance_per_bloc_heeded_by_its_side_only():
    """Russia (pole -1) welcomes bloc 1 (e = 0.8) and opposes the pact (e = -0.2), the West
    silent: only the Russia-leaning country 1 heeds it, with max(-1 * -0.5, 0) = 0.5.

    U_1,pact  = 0.54 + 1.5 * (-0.2) * 0.5 = 0.54 - 0.15 = 0.39
    U_1,other = 0.64 + 1.5 * 0.8 * 0.5 = 0.64 + 0.6 = 1.24
    Country 0 (a 0.6, max(-0.6, 0) = 0) keeps U_0 = 0.88 + 0.15 - r = (0.73, 0.53).
    """
    result = dynamics.accession_utility(
        np.array([[[0.11, 0.11], [-0.02, -0.02]]]),
        np.array([[[0.25, 0.25], [0.4, 0.4]]]),
        np.array([[1.0, 0.0]]),
        np.array([[0.6, -0.5]]),
        np.array([[[0.3, 0.5], [0.1, 0.0]]]),
        np.array([[[0.0, 0.0], [-0.2, 0.8]]]),
        np.array([[1.0, -1.0]]),
        frustration_weight=8.0,
        security_weight=2.0,
        endorsement_weight=1.5,
        nato_discount=0.7,
    )[0]
    assert result == pytest.approx(np.array([[0.73, 0.53], [0.39, 1.24]]))


def test_accession_utility_u1_sums_over_every_patron_whatever_the_number_of_blocs():
    """Three patrons and two blocs (P = 3 != B = 2): the West (pole +1, e 0.4 toward the pact),
    Russia (pole -1, silent) and China (pole -0.4, e 0.5 toward bloc 1). China is heeded by the
    Russia-leaning country 1 with max(-0.4 * -0.5, 0) = 0.2:
    U_1,other = 0.64 + 1.5 * 0.5 * 0.2 = 0.79; country 0 (max(-0.4 * 0.6, 0) = 0) keeps
    (1.09, 0.53) and U_1,pact stays 0.54 (as in the two-patron case above).
    """
    result = dynamics.accession_utility(
        np.array([[[0.11, 0.11], [-0.02, -0.02]]]),
        np.array([[[0.25, 0.25], [0.4, 0.4]]]),
        np.array([[1.0, 0.0]]),
        np.array([[0.6, -0.5]]),
        np.array([[[0.3, 0.5], [0.1, 0.0]]]),
        np.array([[[0.4, 0.0], [0.0, 0.0], [0.0, 0.5]]]),
        np.array([[1.0, -1.0, -0.4]]),
        frustration_weight=8.0,
        security_weight=2.0,
        endorsement_weight=1.5,
        nato_discount=0.7,
    )[0]
    assert result == pytest.approx(np.array([[1.09, 0.53], [0.54, 0.79]]))


def test_veto_v1_both_sides_of_the_threshold():
    """A member m approves i when p_mi > v (strict); v = -0.2.

    Unanimity, members {0, 1}: p_12 = -0.19 approves, -0.2 (at v) and -0.21 veto.
    Majority of four members {0, 1, 2, 3}: 3 approvals > 2 admit; 2 approvals = half veto.
    """
    members = dynamics.bloc_masks(np.array([[0, 0, -1]]), 1)
    for p12, veto in ((-0.19, False), (-0.2, True), (-0.21, True)):
        p = symmetric(3, {(0, 1): 0.9, (0, 2): 0.5, (1, 2): p12})[None]
        assert dynamics.vetoed(p, members, np.array([False]), -0.2)[0, 2, 0] == veto
    four = dynamics.bloc_masks(np.array([[0, 0, 0, 0, -1]]), 1)
    for towards, veto in (([0.5, 0.5, 0.5, -0.5], False), ([0.5, 0.5, -0.5, -0.5], True)):
        p = np.zeros((1, 5, 5))
        p[0, :4, 4] = p[0, 4, :4] = towards
        assert dynamics.vetoed(p, four, np.array([True]), -0.2)[0, 4, 0] == veto


def test_decision_probability_u3():
    """P = h sigma(U / temperature): U 0.3, temperature 0.15, h 1/24: sigma(2) / 24.

    sigma(2) = 0.880797..., so P = 0.0366999...; U = -0.3 gives sigma(-2) / 24 = 0.0049667...
    """
    p = dynamics.decision_probability(np.array([[0.3, -0.3]]), 0.15, 1 / 24)[0]
    assert p == pytest.approx([0.8807970780 / 24, 0.1192029220 / 24])


def exit_case(utility, margin=0.5, member=0):
    """The inputs phases.exit_probability reads: one run, one country, two blocs."""
    params = {
        "accession.exit_margin": np.array([margin]),
        "accession.temperature": np.array([0.15]),
        "accession.exit_rate": np.array([1 / 36]),
    }
    state = SimpleNamespace(params=params, member=np.array([[member]]))
    derived = SimpleNamespace(utility=np.array([[[utility, 5.0]]]))
    return phases.exit_probability(state, SimpleNamespace(n_blocs=2), derived)[0, 0]


def test_exit_only_below_minus_the_margin():
    """A member leaves with h_exit sigma(-U / temperature) if U < -margin, else never.

    margin 0.5, temperature 0.15, h_exit 1/36:
    U = -0.6: sigma(4) / 36 = 0.982013... / 36 = 0.0272781...
    U = -0.5 (at -margin), -0.4, +0.4 (below +margin) and +0.6: 0.
    The utility read is that of the member's own bloc (slot 0 here, not slot 1's 5.0);
    a member of slot 1 has U = 5.0 there and stays; an outsider never "leaves".
    """
    assert exit_case(-0.6) == pytest.approx(expit(4.0) / 36)
    for utility in (-0.5, -0.4, 0.4, 0.6):
        assert exit_case(utility) == 0.0
    assert exit_case(-0.6, member=1) == 0.0
    assert exit_case(-0.6, member=-1) == 0.0
    # margin 0: any negative utility may leave, with sigma(0.1 / 0.15) / 36
    assert exit_case(-0.1, margin=0.0) == pytest.approx(expit(0.1 / 0.15) / 36)


# --- alignment (A1, A2) ---------------------------------------------------------------------------


def test_bounded_confidence_pull_a1_keeps_only_positive_propensity():
    """pull_i = mean of (a_j - a_i) over j != i with |a_i - a_j| < eps_i and p_ij > 0.

    a = (0, 0.3, -0.2, 0.9, 0.45), eps_0 = 0.5, p_01 0.4, p_02 -0.1, p_03 0.5, p_04 0.2:
    j = 1 listens (0.3 < 0.5, p > 0); j = 2 is close but p < 0; j = 3 too far (0.9);
    j = 4 close (0.45) and p > 0. pull_0 = (0.3 + 0.45) / 2 = 0.375.
    (Without the p filter: (0.3 - 0.2 + 0.45) / 3 = 0.1833...)
    """
    alignment = np.array([[0.0, 0.3, -0.2, 0.9, 0.45]])
    openness = np.array([[0.5, 0.01, 0.01, 0.01, 0.01]])
    p = symmetric(5, {(0, 1): 0.4, (0, 2): -0.1, (0, 3): 0.5, (0, 4): 0.2})[None]
    pull = dynamics.bounded_confidence_pull(alignment, openness, p)[0]
    assert pull[0] == pytest.approx(0.375)
    assert pull[1:].tolist() == [0.0, 0.0, 0.0, 0.0]  # nobody within 0.01 of them


def test_bounded_confidence_pull_thresholds_are_strict():
    """|a_i - a_j| = eps exactly is outside the openness; p_ij = 0 exactly is not > 0.

    a = (0, 0.5, 0.25), eps_0 = 0.5: j = 1 at distance 0.5 is out; j = 2 (0.25) with p_02 = 0
    is out, so pull_0 = 0; with p_02 = 0.01 pull_0 = 0.25; with eps_0 = 0.51 and p_01 > 0 both
    count: (0.5 + 0.25) / 2 = 0.375.
    """
    alignment = np.array([[0.0, 0.5, 0.25]])
    narrow = np.array([[0.5, 0.0, 0.0]])
    p = symmetric(3, {(0, 1): 0.3, (0, 2): 0.0})[None]
    assert dynamics.bounded_confidence_pull(alignment, narrow, p)[0, 0] == 0.0
    p[0, 0, 2] = p[0, 2, 0] = 0.01
    assert dynamics.bounded_confidence_pull(alignment, narrow, p)[0, 0] == pytest.approx(0.25)
    wide = np.array([[0.51, 0.0, 0.0]])
    assert dynamics.bounded_confidence_pull(alignment, wide, p)[0, 0] == pytest.approx(0.375)


def alignment_case(alignment, outside_pact, balances, **overrides):
    """Two countries, one bloc: the inputs of dynamics.alignment_change with distinct values."""
    endorsement = overrides.pop("endorsement", 0.5)
    kwargs = dict(
        stubbornness=np.array([[0.05, 0.15]]),
        ties=np.array([[[0.0, 0.0], [0.2, 0.0]]]),  # West, Russia
        support=np.array([[0.5, 0.5]]),
        pole=np.array([[1.0, -1.0]]),
        patron_pull=np.array([[0.01, 0.02]]),
        endorsement=endorsement
        if isinstance(endorsement, np.ndarray)
        else np.array([[endorsement, 0.0]]),
        rate=0.05,
        balancing=0.02,
        noise_scale=0.01,
    )
    kwargs.update(overrides)
    return dynamics.alignment_change(
        np.array([alignment]),
        np.array([[0.5, -0.6]]),
        np.array([[0.1, -0.05]]),
        np.array([outside_pact]),
        np.array([[[0.3], [0.2]]]),
        np.array([[0.8]]),
        np.array([balances]),
        np.array([[1.5, -1.0]]),
        **kwargs,
    )[0]


def test_alignment_change_a2_term_by_term():
    """a_i += mu pull + kappa_W max(e_W, 0)(1 - a)[outside, a > 0] - kappa_R rho tau (1 + a)
    - kappa_bal Theta_iB (abar_B - a)[balances] + phi (a0 - a) + sigma_a z, then clip.

    Country 0 (a 0.4, outside the pact, balancing against the bloc):
      mu pull 0.05 * 0.1 = 0.005; west 0.01 * 0.5 * 0.6 = 0.003;
      Russia 0.02 * 0.5 * 0.2 * 1.4 = 0.0028; balancing 0.02 * 0.3 * (0.8 - 0.4) = 0.0024;
      anchor 0.05 * (0.5 - 0.4) = 0.005; noise 0.01 * 1.5 = 0.015
      -> 0.4 + 0.005 + 0.003 - 0.0028 - 0.0024 + 0.005 + 0.015 = 0.4228
    Country 1 (a -0.3, in the pact, no ties, not balancing):
      mu pull 0.05 * (-0.05) = -0.0025; anchor 0.15 * (-0.6 + 0.3) = -0.045; noise -0.01
      -> -0.3 - 0.0025 - 0.045 - 0.01 = -0.3575
    """
    new = alignment_case([0.4, -0.3], [True, False], [[True], [False]])
    assert new == pytest.approx([0.4228, -0.3575])


def test_west_pull_only_for_positive_outsiders_and_only_for_positive_endorsement():
    """The West pulls an outsider with a > 0 only: at a = -0.1 there is no west term.

    Country 0 with a = -0.1 (everything else as in the term-by-term case):
      0.005 - 0.02 * 0.5 * 0.2 * 0.9 (= 0.0018) - 0.02 * 0.3 * 0.9 (= 0.0054)
      + 0.05 * 0.6 (= 0.03) + 0.015 -> -0.1 + 0.0428 = -0.0572
    With a = 0.4 and e_W = -0.5, max(e_W, 0) = 0: 0.4228 - 0.003 = 0.4198.
    """
    negative = alignment_case([-0.1, -0.3], [True, False], [[True], [False]])
    assert negative[0] == pytest.approx(-0.0572)
    discouraged = alignment_case([0.4, -0.3], [True, False], [[True], [False]], endorsement=-0.5)
    assert discouraged[0] == pytest.approx(0.4198)


def test_a_neutral_outsider_at_exactly_zero_is_not_pulled_by_the_west():
    """The West draws outsiders that lean its way, pi_W a_i > 0: at a = 0 exactly it does not.

    Country 0 with a = 0 (everything else as in the term-by-term case):
      mu pull 0.005; Russia 0.02 * 0.5 * 0.2 * (1 + 0) = 0.002; balancing 0.02 * 0.3 * 0.8
      = 0.0048; anchor 0.05 * 0.5 = 0.025; noise 0.015; no west term (it would be
      0.01 * 0.5 * (1 - 0) = 0.005) -> 0.005 - 0.002 - 0.0048 + 0.025 + 0.015 = 0.0382.
    """
    new = alignment_case([0.0, -0.3], [True, False], [[True], [False]])
    assert new[0] == pytest.approx(0.0382)


def test_sizes_are_shares_within_each_run():
    """Two runs with different totals: (2, 3, 5) / 10 and (1, 1, 2) / 4, not shares of 14."""
    shares = dynamics.sizes(np.array([[2.0, 3.0, 5.0], [1.0, 1.0, 2.0]]))
    assert shares.tolist() == [pytest.approx([0.2, 0.3, 0.5]), pytest.approx([0.25, 0.25, 0.5])]


def test_alignment_change_a2_with_a_third_patron_at_its_own_pole():
    """A third patron China at pole -0.4 (pull 0.03, support 0.5, tie 0.6 with country 1) adds
    kappa rho tau (pi - a) = 0.03 * 0.5 * 0.6 * (-0.4 + 0.3) = -0.0009 to country 1, and with
    a stance of 0.5 toward the pact it draws no one: country 0 leans the other way
    (-0.4 * 0.4 < 0) and country 1 is in the pact.
    Country 1: -0.3575 - 0.0009 = -0.3584; country 0 unchanged at 0.4228.
    """
    new = alignment_case(
        [0.4, -0.3],
        [True, False],
        [[True], [False]],
        ties=np.array([[[0.0, 0.0], [0.2, 0.0], [0.0, 0.6]]]),
        support=np.array([[0.5, 0.5, 0.5]]),
        pole=np.array([[1.0, -1.0, -0.4]]),
        patron_pull=np.array([[0.01, 0.02, 0.03]]),
        endorsement=np.array([[0.5, 0.0, 0.5]]),
    )
    assert new == pytest.approx([0.4228, -0.3584])


def test_alignment_is_clipped_to_plus_minus_one():
    """a = 0.99 with noise 1.5 * 0.1 = 0.15 would pass 1: clipped to 1; -0.99 - 0.1 -> -1."""
    new = alignment_case([0.99, -0.99], [False, False], [[False], [False]], noise_scale=0.1)
    assert new.tolist() == [1.0, -1.0]


# --- tension (T1, T2) -----------------------------------------------------------------------------


def test_tension_change_t1_halves_the_two_threats_and_has_mean_one_noise():
    """T_ij <- (T_ij + k (Theta_ij + Theta_ji)/2 - delta (T_ij - T0_ij)) exp(sigma_T z - s^2/2),

    s = sigma_T (log-normal noise with mean one).
    k 0.02, delta 0.04, sigma_T 0.1 (sigma_T^2 / 2 = 0.005); dyad order (0,1), (0,2), (1,2),
    z = (0.5, -3, 0):
    T_01 = (0.4 + 0.02 (0.144 + 0.1)/2 - 0.04 (0.4 - 0.3)) exp(0.05 - 0.005)
         = (0.4 + 0.00244 - 0.004) * 1.0460279 = 0.39844 * 1.0460279 = 0.4167793
         (without the /2: 0.40088 * 1.0460279 = 0.4193316)
    T_02 = (0.01 - 0.04 * 0.01) exp(-0.3 - 0.005) = 0.0096 * 0.7371234 = 0.0070764: a large
         negative z shrinks a calm dyad but never below 0 (no clip needed)
    T_12 = (0.2 + 0.02 * 0.5 / 2 - 0.04 (0.2 - 0.25)) exp(-0.005) = 0.207 * 0.9950125
         = 0.2059676 (z = 0 still applies the mean-one correction)
    Symmetric; the diagonal stays 0.
    """
    tension = symmetric(3, {(0, 1): 0.4, (0, 2): 0.01, (1, 2): 0.2})[None]
    baseline = symmetric(3, {(0, 1): 0.3, (1, 2): 0.25})[None]
    theta = np.zeros((1, 3, 3))
    theta[0, 0, 1], theta[0, 1, 0], theta[0, 1, 2] = 0.144, 0.1, 0.5
    new = dynamics.tension_change(
        tension,
        baseline,
        theta,
        np.array([[0.5, -3.0, 0.0]]),
        reaction=0.02,
        decay=0.04,
        noise_scale=0.1,
    )[0]
    expected = symmetric(3, {(0, 1): 0.4167793405, (0, 2): 0.0070763844, (1, 2): 0.2059675832})
    assert new == pytest.approx(expected, rel=1e-9)


def test_provocation_t2_reaches_every_opponent_of_the_camp_capped_at_one():
    """Each opponent i of B (mean propensity pbar_iB towards B's members < 0) gains
    pi (sum of the actors' sizes) min(|pbar_iB|, 1) of tension with every member of B; pi 0.75.

    Bloc 0 = {0, 1, 2} after the month, joiners 1 (s 0.3) and 2 (s 0.1): weight 0.4.
    Outsider 3: p_30 -0.1, p_31 +0.2 (friendly to a joiner), p_32 -0.4: pbar = -0.3/3 = -0.1
      -> an opponent: 0.75 * 0.4 * 0.1 = 0.03 with each of 0, 1, 2 (the dyadic rule of the
      specification would spare its friend 1).
    Outsider 4 (a member of rival bloc 1): p_40 -1.5, p_41 -1.2, p_42 -0.9: pbar = -1.2, capped
      at 1: 0.75 * 0.4 * 1 = 0.3 (uncapped 0.36).
    Outsider 5: p_50 0.5, p_51 -0.25, p_52 -0.25: pbar exactly 0, not an opponent: 0.
    Members gain nothing among themselves, outsiders nothing among themselves; symmetric.
    The bloc deepens a stage instead (every member an actor, weight 0.4 + 0.3 + 0.1 = 0.8):
      outsider 3 gains 0.75 * 0.8 * 0.1 = 0.06.
    """
    p = symmetric(
        6,
        {
            (3, 0): -0.1,
            (3, 1): 0.2,
            (3, 2): -0.4,
            (4, 0): -1.5,
            (4, 1): -1.2,
            (4, 2): -0.9,
            (5, 0): 0.5,
            (5, 1): -0.25,
            (5, 2): -0.25,
            (0, 1): 0.6,
            (3, 4): -0.8,
        },
    )[None]
    size = np.array([[0.4, 0.3, 0.1, 0.1, 0.05, 0.05]])
    in_bloc = dynamics.bloc_masks(np.array([[0, 0, 0, -1, 1, -1]]), 2)
    joiners = dynamics.bloc_masks(np.array([[-1, 0, 0, -1, -1, -1]]), 2)
    added = dynamics.provocation(p, size, joiners, in_bloc, 0.75)[0]
    assert added[3, :3] == pytest.approx([0.03] * 3)
    assert added[4, :3] == pytest.approx([0.3] * 3)
    assert added[5, :3].tolist() == [0.0] * 3
    assert added[:3, :3].tolist() == [[0.0] * 3] * 3
    assert added[3:, 3:].tolist() == [[0.0] * 3] * 3
    assert np.array_equal(added, added.T)
    deepened = in_bloc & np.array([True, False])[None, :, None]
    added = dynamics.provocation(p, size, deepened, in_bloc, 0.75)[0]
    assert added[3, :3] == pytest.approx([0.06] * 3)


# --- integration (I1, I2) and crisis (C1) ---------------------------------------------------------


def test_cohesion_i1_is_the_mean_over_ordered_member_pairs():
    """C_B = mean of p_ij over ordered member pairs: members {0, 1, 2} of four countries.

    p_01 0.8, p_02 0.2, p_12 -0.1 (p_03 0.9 is not a member pair): 2 (0.9) / 6 = 0.3.
    One member: 0. A second bloc {3} alone: 0.
    """
    p = symmetric(4, {(0, 1): 0.8, (0, 2): 0.2, (1, 2): -0.1, (0, 3): 0.9})[None]
    in_bloc = dynamics.bloc_masks(np.array([[0, 0, 0, 1]]), 2)
    assert dynamics.cohesion(p, in_bloc)[0].tolist() == pytest.approx([0.3, 0.0])


def depth_after(cohesion, threat, members=3, depth=0.4, noise=0.0, **overrides):
    params = dict(growth=0.012, cohesion_threshold=0.55, rally=0.5, decay=0.02, noise_scale=0.01)
    params.update(overrides)
    return dynamics.depth_change(
        np.array([[depth]]),
        np.array([[cohesion]]),
        np.array([[threat]]),
        np.array([[members]]),
        np.array([[noise]]),
        **params,
    )[0, 0]


def test_depth_change_i2_rally_and_both_sides_of_zero_drive():
    """drive = C - c0 + rally R; D += g drive (1 - D) if drive > 0 (and >= 2 members),
    else D -= q D; then D += sigma_D z (I4) and D is clipped to [0, 1].
    g 0.012, c0 0.55, rally 0.5, q 0.02, sigma_D 0.01, D 0.4.

    C 0.5, R 0.2:  drive = -0.05 + 0.1 = 0.05 -> 0.4 + 0.012 * 0.05 * 0.6 = 0.40036
                   with z = 1.5: 0.40036 + 0.015 = 0.41536; with sigma_D 0.05: + 0.075 = 0.47536
    C 0.5, R 0:    drive = -0.05 -> 0.4 * 0.98 = 0.392; with z = -2: 0.392 - 0.02 = 0.372
    C 0.375, c0 0.5, R 0.25: drive = -0.125 + 0.125 = 0 exactly -> erodes: 0.392
    C 0.375, c0 0.5, R 0.26: drive = 0.005 -> 0.4 + 0.012 * 0.005 * 0.6 = 0.400036
    C 0.9, R 0, one member: drive 0.35 > 0, but no pact: erodes: 0.392
    """
    assert depth_after(0.5, 0.2) == pytest.approx(0.40036)
    assert depth_after(0.5, 0.2, noise=1.5) == pytest.approx(0.41536)
    assert depth_after(0.5, 0.2, noise=1.5, noise_scale=0.05) == pytest.approx(0.47536)
    assert depth_after(0.5, 0.0) == pytest.approx(0.392)
    assert depth_after(0.5, 0.0, noise=-2.0) == pytest.approx(0.372)
    assert depth_after(0.375, 0.25, cohesion_threshold=0.5) == pytest.approx(0.392)
    assert depth_after(0.375, 0.26, cohesion_threshold=0.5) == pytest.approx(0.400036)
    assert depth_after(0.9, 0.0, members=1) == pytest.approx(0.392)
    assert depth_after(0.9, 0.0, members=2) == pytest.approx(0.4 + 0.012 * 0.35 * 0.6)


def test_depth_is_clipped_to_zero_and_one():
    """g 4, C 1, R 0.5: drive = 0.45 + 0.25 = 0.7, D = 0.4 + 4 * 0.7 * 0.6 = 2.08 -> 1.

    D 0.005 eroding: 0.005 * 0.98 = 0.0049, z = -1: 0.0049 - 0.01 = -0.0051 -> 0. At D = 1
    the growth term vanishes and noise z = 0.5 would give 1.005 -> 1.
    """
    assert depth_after(1.0, 0.5, growth=4.0) == 1.0
    assert depth_after(0.5, 0.0, depth=0.005, noise=-1.0) == 0.0
    assert depth_after(1.0, 0.5, depth=1.0, noise=0.5) == 1.0


def test_stage_boundaries_at_one_third_and_two_thirds():
    """Declaration below 1/3, security mechanism from 1/3, formal alliance from 2/3."""
    depth = np.array([0.0, 1 / 3 - 1e-9, 1 / 3, 2 / 3 - 1e-9, 2 / 3, 1.0])
    assert dynamics.stage(depth).tolist() == [0, 0, 1, 1, 2, 2]


def test_crisis_c1_score_and_probability_on_both_sides_of_the_threshold():
    """score_ij = gamma (T_ij - theta_c) + ln(1 + b) e_ij; P = h_c sigma(max_ij score_ij).

    gamma 8, theta_c 1.2, b 2.49 (ln 3.49 = 1.2499017), h_c 0.05; dyads of one run:
    T 1.45, e 0:   8 * 0.25 = 2            -> 0.05 sigma(2) = 0.05 * 0.8807971 = 0.0440399
    T 0.95, e 0:   8 * (-0.25) = -2        -> 0.05 sigma(-2) = 0.05 * 0.1192029 = 0.0059601
    T 1.2,  e 0:   0 (at the threshold)    -> 0.05 / 2 = 0.025
    T 1.0,  e 0.4: -1.6 + 0.4 * 1.2499017 = -1.1000393
    T 1.2,  e 1:   ln 3.49: the odds are 3.49 = 1 + b times those at e = 0,
                   0.05 * 3.49 / 4.49 = 0.0388641
    The probability reads the highest score only: for the run above it is the first dyad's.
    """
    tension = np.array([[1.45, 0.95, 1.2, 1.0, 1.2]])
    emboldened = np.array([[0.0, 0.0, 0.0, 0.4, 1.0]])
    score = dynamics.crisis_score(
        tension, emboldened, steepness=8.0, threshold=1.2, emboldenment_odds=2.49
    )[0]
    assert score == pytest.approx([2.0, -2.0, 0.0, -1.1000393055, 1.2499017362])
    chance = dynamics.crisis_probability(score, rate=0.05)
    assert chance == pytest.approx([0.0440398539, 0.0059601461, 0.025, 0.0124866265, 0.0388641425])
    assert dynamics.crisis_probability(score.max(), rate=0.05) == pytest.approx(0.0440398539)


def test_emboldenment_c2_only_on_strictly_hostile_dyads():
    """e_ij = max(b_i, b_j) if p_ij < 0, else 0; backing b = (0.4, 0.1, 0.0), dyads i < j.

    p_01 = -0.3: max(0.4, 0.1) = 0.4 (the larger backing, whichever side holds it)
    p_02 = 0 exactly: not hostile -> 0; p_12 = -0.01: max(0.1, 0) = 0.1.
    """
    backing = np.array([[0.4, 0.1, 0.0]])
    rows, cols = dynamics.upper_pairs(3)  # (0, 1), (0, 2), (1, 2)
    e = dynamics.emboldenment(backing[:, rows], backing[:, cols], np.array([[-0.3, 0.0, -0.01]]))
    assert e[0] == pytest.approx([0.4, 0.0, 0.1])
    # the larger backing on the second party counts the same
    assert dynamics.emboldenment(
        backing[:, cols], backing[:, rows], np.array([[-0.3, 0.0, -0.01]])
    )[0] == pytest.approx([0.4, 0.0, 0.1])


def test_domestic_cost_drift_r1():
    """x <- phi x + sigma_r sqrt(1 - phi^2) z, phi = exp(-1 / tau_r); sigma_r 0.2.

    tau_r 48: phi = 0.9793822, sqrt(1 - phi^2) = sqrt(0.0408105) = 0.2020162:
      x 0.1, z 1.5:  0.0979382 + 0.2 * 0.2020162 * 1.5 = 0.0979382 + 0.0606049 = 0.1585431
      x 0,   z -1:   -0.0404032
    tau_r 12: phi = 0.9200444, sqrt(1 - 0.8464817) = 0.3918141:
      x 0.1, z 1.5:  0.0920044 + 0.1175442 = 0.2095487
      x 0,   z -1:   -0.0783628
    (phi^2 in place of phi, or the spread without the sqrt(1 - phi^2), give other numbers.)
    """
    state = SimpleNamespace(
        params={
            "accession.cost_persistence": np.array([48.0, 12.0]),
            "accession.cost_volatility": np.array([0.2, 0.2]),
        },
        cost_shock=np.array([[0.1, 0.0], [0.1, 0.0]]),
    )
    shock = phases.next_cost_shock(state, np.array([[1.5, -1.0], [1.5, -1.0]]))
    assert shock == pytest.approx(
        np.array([[0.1585431, -0.0404032], [0.2095487, -0.0783628]]), abs=2e-7
    )


def join_case(invitation, vetoed=False, invitation_rate=1 / 6, by_law=False):
    """Three countries, two blocs: 0 and 1 are outsiders, 2 is the only member of bloc 0;
    ``by_law``: country 1 is neutral by law (N1)."""
    params = {
        "accession.temperature": np.array([0.05]),
        "accession.decision_rate": np.array([1 / 24]),
        "accession.invitation_rate": np.array([invitation_rate]),
    }
    state = SimpleNamespace(
        params=params,
        member=np.array([[-1, -1, 0]]),
        invitation=np.array([invitation]),
        active=np.array([[True, True]]),
        neutral=np.array([[0.0, 1.0 if by_law else 0.0, 0.0]]),
    )
    derived = SimpleNamespace(
        utility=np.array([[[0.05, -0.05], [0.1, 0.0], [0.2, 0.2]]]),
        admissible=np.array([[[False, True], [True, False], [True, True]]]),
        vetoed=np.array([[[vetoed, False], [False, False], [False, False]]]),
        in_bloc=dynamics.bloc_masks(np.array([[-1, -1, 0]]), 2),
    )
    world = SimpleNamespace(has_process=False, neutral_by_law=np.array([[False, True, False]]))
    return phases.join_probability(state, world, derived)[0]


def test_join_probability_u3_and_the_invitation_u4():
    """P = h sigma(U / temperature) for admissible outsiders (U3); an open invitation (U4) waives
    eligibility, is weighed at the invitation rate instead of h, and still needs no veto and a
    bloc with members. temperature 0.05, h 1/24, invitation rate 1/6.

    No invitation:
      country 0, bloc 0: not admissible -> 0;  bloc 1: sigma(-1) / 24 = 0.2689414 / 24 = 0.0112059
      country 1, bloc 0: sigma(2) / 24 = 0.8807971 / 24 = 0.0366999;  bloc 1: not admissible -> 0
      country 2 is a member: 0 for both blocs.
    Country 0 invited to bloc 0 (5 months left): sigma(1) / 6 = 0.7310586 / 6 = 0.1218431;
      vetoed: 0 again. Invited to bloc 1, which has no members: its h chance, 0.0112059.
    With an invitation rate of 0.01 below h, an invitation to bloc 1 (admissible) keeps the larger
      h chance: max(0.01 * 0.2689414, 0.0112059) = 0.0112059.
    """
    none = [[0, 0], [0, 0], [0, 0]]
    expected = [[0.0, 0.0112059], [0.0366999, 0.0], [0.0, 0.0]]
    assert join_case(none) == pytest.approx(np.array(expected), abs=1e-7)
    invited = join_case([[5, 0], [0, 0], [0, 0]])
    assert invited == pytest.approx(np.array([[0.1218431, 0.0112059], *expected[1:]]), abs=1e-7)
    assert join_case([[5, 0], [0, 0], [0, 0]], vetoed=True)[0, 0] == 0.0
    assert join_case([[0, 5], [0, 0], [0, 0]])[0, 1] == pytest.approx(0.0112059, abs=1e-7)
    slow = join_case([[0, 5], [0, 0], [0, 0]], invitation_rate=0.01)
    assert slow[0, 1] == pytest.approx(0.0112059, abs=1e-7)
    # N1: country 1 neutral by law takes no decision (0, not 0.0366999); the others unchanged
    barred = join_case(none, by_law=True)
    assert barred == pytest.approx(np.array([expected[0], [0.0, 0.0], expected[2]]), abs=1e-7)


def test_one_member_blocs_provoke_and_face_threat_at_full_weight():
    """A bloc of one member (a join into an empty bloc): the mean over its members is that member.

    Provocation (T2): bloc {0} after country 0 joined (s 0.5), outsider 1 with p_10 = -0.4:
      pbar = -0.4 / 1 -> 0.75 * 0.5 * 0.4 = 0.15 (dividing by 2 would give 0.075).
    Threat faced (I3): Theta_01 = 0.3 from opponent 1 -> R_B = 0.3 / 1 = 0.3.
    """
    p = symmetric(3, {(0, 1): -0.4, (0, 2): 0.2})[None]
    in_bloc = dynamics.bloc_masks(np.array([[0, -1, -1]]), 1)
    added = dynamics.provocation(p, np.array([[0.5, 0.3, 0.2]]), in_bloc, in_bloc, 0.75)[0]
    assert added[1, 0] == pytest.approx(0.15)
    assert added[2, 0] == 0.0  # p_20 > 0: not an opponent
    theta = np.zeros((1, 3, 3))
    theta[0, 0, 1] = 0.3
    opponent = dynamics.opponents(p, in_bloc)
    assert opponent[0, 0].tolist() == [False, True, False]
    assert dynamics.threat_faced(theta, in_bloc, opponent)[0, 0] == pytest.approx(0.3)


# --- counter-bloc formation (step 7) ----------------------------------------------------------


def counter_case(member, neutral=(0, 0, 0, 0), busy=(False,) * 4, threat_row=(0.0, 0.9, 0.0, 0.0)):
    """Four countries, the pact (slot 0) and the counter-bloc's slot 1 (not active yet).

    Propensities (symmetric): p_01 0.9, p_12 0.5, p_13 0.3, p_23 0.2, others 0. Only country 1
    is threatened (bloc threat 0.9 > theta_form 0.5); theta_partner 0.25; h_form 1, uniforms 0.
    """
    propensity = symmetric(4, {(0, 1): 0.9, (1, 2): 0.5, (1, 3): 0.3, (2, 3): 0.2})[None]
    params = {
        "counter_bloc.threat_threshold": np.array([0.5]),
        "counter_bloc.partner_threshold": np.array([0.25]),
        "counter_bloc.formation_rate": np.array([1.0]),
    }
    active = np.array([[True, False]])
    state = SimpleNamespace(runs=1, params=params, member=np.array([member]),
                            neutral=np.array([neutral]), active=active)  # fmt: skip
    derived = SimpleNamespace(propensity=propensity,
                              bloc_threat=np.array(threat_row)[None, :, None])  # fmt: skip
    world = SimpleNamespace(counter_slot=1, n_countries=4)
    formed, founder, partner = phases.counter_bloc(
        state, world, derived, np.zeros((1, 4)), np.array([busy])
    )
    return bool(formed[0]), int(founder[0]), int(partner[0])


def test_a_counter_bloc_pairs_the_threatened_outsider_with_its_best_free_partner():
    """Country 1 (threatened, outside every bloc) founds with its closest free partner.

    - Country 0 is a pact member: its p_01 = 0.9 is the highest, but it is not free, so the
      partner is 2 (p_12 0.5 > 0.25).
    - With 2 joining a bloc this month (busy), the partner is 3 (p_13 0.3 > 0.25).
    - With 2 busy and 3 neutral, the best free partner is none above 0.25: nothing forms.
    - Country 1 itself a member: nothing forms.
    """
    assert counter_case([0, -1, -1, -1]) == (True, 1, 2)
    assert counter_case([0, -1, -1, -1], busy=(False, False, True, False)) == (True, 1, 3)
    assert counter_case([0, -1, -1, -1], neutral=(0, 0, 0, 1),
                        busy=(False, False, True, False))[0] is False  # fmt: skip
    assert counter_case([0, 0, -1, -1])[0] is False


def test_a_member_of_another_bloc_balances_even_where_it_would_be_admissible():
    """A2's balancing term applies to a bloc the country is outside of and cannot join, and a
    member of another bloc cannot join (one bloc at most), even if the join rule would admit it.

    Three countries: 0 in the pact (slot 0), 1 in bloc 1, 2 in none; a = (0.2, -0.6, 0.0). Bloc 1
    threatens 0 and 2 alike (Theta = 0.5) and admits both. Only the balancing term is on
    (kappa_bal 0.1; rate, patrons, anchors and noise 0): abar_1 = -0.6, so
    a_0 += -0.1 * 0.5 * (-0.6 - 0.2) = +0.04 -> 0.24 (a member of the pact balances);
    country 2 could join bloc 1: it does not balance, a_2 stays 0.0; country 1 is in bloc 1.
    """
    n, zeros = 3, np.zeros((1, 3))
    params = {"alignment.rate": np.array([0.0]), "alignment.balancing": np.array([0.1]),
              "alignment.noise": np.array([0.0])}  # fmt: skip
    patrons = {"support": np.zeros((1, 2)), "pole": np.array([[1.0, -1.0]]),
               "pull": np.zeros((1, 2)), "endorsement": np.zeros((1, 2))}  # fmt: skip
    state = SimpleNamespace(params=params, patrons=patrons, alignment=np.array([[0.2, -0.6, 0.0]]),
                            openness=zeros + 0.5, member=np.array([[0, 1, -1]]), anchor=zeros,
                            stubbornness=zeros, ties=np.zeros((1, 2, n)))  # fmt: skip
    in_bloc = np.array([[[True, False, False], [False, True, False]]])
    bloc_threat = np.array([[[0.0, 0.5], [0.0, 0.0], [0.0, 0.5]]])
    derived = SimpleNamespace(propensity=np.zeros((1, n, n)), admissible=np.ones((1, n, 2), bool),
                              in_bloc=in_bloc, bloc_threat=bloc_threat)  # fmt: skip
    new = phases.next_alignment(state, SimpleNamespace(pact=0), derived, zeros)[0]
    assert new == pytest.approx([0.24, -0.6, 0.0], abs=1e-12)


def test_application_chance_p1_replaces_a_process_blocs_chance_and_none_while_pursuing():
    """Two blocs: slot 0 (member: country 3) takes members by the process, slot 1 (member:
    country 4) by the simple rule. Outsiders 0, 1, 2 are eligible; the decision rate (chance of
    applying) is 0.1, the simple-rule join chance 0.3. Country 0 pursues nothing: (0.1, 0.3).
    Country 1 already pursues slot 0 and country 2 slot 1 (open processes): neither applies
    nor joins anywhere, (0, 0), whichever slot it pursues. Members 3 and 4 apply nowhere
    (their simple-rule chances are left as given)."""
    state = SimpleNamespace(
        alignment=np.full((1, 5), 0.5), eligibility=np.array([[0.0, 0.0]]),
        active=np.array([[True, True]]), open=np.array([[True, True]]),
        member=np.array([[-1, -1, -1, 0, 1]]), pursuing=np.array([[-1, 0, 1, -1, -1]]),
    )  # fmt: skip
    in_bloc = np.array([[[False, False, False, True, False], [False, False, False, False, True]]])
    world = SimpleNamespace(
        blocs=[SimpleNamespace(process=object()), SimpleNamespace(process=None)]
    )
    rate, join = np.full((1, 5, 2), 0.1), np.full((1, 5, 2), 0.3)
    derived = SimpleNamespace(in_bloc=in_bloc)
    chance = phases.application_chance(state, world, derived, rate, join)[0]
    expected = [[0.1, 0.3], [0.0, 0.0], [0.0, 0.0], [0.0, 0.3], [0.0, 0.3]]
    assert chance == pytest.approx(np.array(expected))
