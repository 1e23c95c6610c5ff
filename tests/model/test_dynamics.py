"""Known values of the equations on tiny hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import dynamics, phases


def test_propensity_formula_and_zero_diagonal():
    """d0 = 1 is the old similarity 1 - |a_i - a_j|: 0.5 + 0.5 (1 - 0.6) - 0.5 * 0.4 = 0.5."""
    affinity = np.array([[[0.0, 0.5], [0.5, 0.0]]])
    alignment = np.array([[0.8, 0.2]])
    tension = np.array([[[0.0, 0.4], [0.4, 0.0]]])
    p = dynamics.propensity(affinity, alignment, tension, 0.5, 0.5, 1.0)
    assert p[0, 0, 1] == pytest.approx(0.5)
    assert p[0, 1, 0] == pytest.approx(0.5)
    assert p[0, 0, 0] == 0.0


def test_signed_similarity_repels_countries_far_apart():
    """a = (0.8, 0.2, -0.6, 0.7), d0 = 0.5, w_align = w_tension = 0.5.
    (0,1): |da| 0.6, 1 - 1.2 = -0.2 -> 0.5 - 0.1 - 0.5 * 0.4 = 0.2 (past d0: negative term);
    (0,2): |da| 1.4, 1 - 2.8 clipped to -1 -> 0.1 - 0.5 = -0.4;
    (1,2): |da| 0.8, 1 - 1.6 = -0.6 -> -0.3;
    (0,3): |da| 0.1, 1 - 0.2 = 0.8 -> +0.4 (inside d0: positive term)."""
    affinity = np.zeros((1, 4, 4))
    affinity[0, 0, 1] = affinity[0, 1, 0] = 0.5
    affinity[0, 0, 2] = affinity[0, 2, 0] = 0.1
    tension = np.zeros((1, 4, 4))
    tension[0, 0, 1] = tension[0, 1, 0] = 0.4
    p = dynamics.propensity(affinity, np.array([[0.8, 0.2, -0.6, 0.7]]), tension, 0.5, 0.5, 0.5)
    assert p[0, 0, 1] == pytest.approx(0.2)
    assert p[0, 0, 2] == pytest.approx(-0.4)
    assert p[0, 1, 2] == pytest.approx(-0.3)
    assert p[0, 0, 3] == pytest.approx(0.4)
    assert np.allclose(p, p.transpose(0, 2, 1))


def test_threat_is_walts_product():
    effective = np.array([[0.25, 0.04]])
    proximity = np.array([[[1.0, 0.5], [0.5, 1.0]]])
    tension = np.array([[[0.0, 1.0], [1.0, 0.0]]])
    misperception = np.array([[0.2, 0.0]])
    theta = dynamics.threat(effective, proximity, tension, misperception, 0.5)
    assert theta[0, 0, 1] == pytest.approx(0.2 * 0.5 * 1.0 * 1.2)  # sqrt(.04)=.2
    assert theta[0, 1, 0] == pytest.approx(0.5 * 0.5 * 1.0 * 1.0)
    assert theta[0, 0, 0] == 0.0


def test_great_circle_distance_belgrade_zagreb():
    from sim.scenario.geography import great_circle_km

    d = great_circle_km(np.array([44.79, 45.81]), np.array([20.45, 15.98]))
    assert d[0, 1] == pytest.approx(368, abs=5)  # about 370 km by the haversine formula


def small_bloc():
    # countries 0, 1 in bloc 0; 2 outside. propensity[m, i]
    p = np.array([[[0.0, 0.8, 0.5], [0.8, 0.0, -0.3], [0.5, -0.3, 0.0]]])
    in_bloc = dynamics.bloc_masks(np.array([[0, 0, -1]]), 1)
    return p, in_bloc


def test_unanimity_veto_needs_every_member_to_approve():
    p, in_bloc = small_bloc()
    v = dynamics.vetoed(p, in_bloc, np.array([False]), -0.2)
    assert v[0, 2, 0]  # member 1 has p = -0.3 < -0.2
    assert not dynamics.vetoed(p, in_bloc, np.array([False]), -0.4)[0, 2, 0]


def test_majority_veto_needs_more_than_half():
    p, in_bloc = small_bloc()
    # one of two approves: not a majority
    assert dynamics.vetoed(p, in_bloc, np.array([True]), -0.2)[0, 2, 0]
    three = np.zeros((1, 4, 4))
    three[0, :3, 3] = three[0, 3, :3] = [0.5, 0.5, -0.5]
    in3 = dynamics.bloc_masks(np.array([[0, 0, 0, -1]]), 1)
    assert not dynamics.vetoed(three, in3, np.array([True]), -0.2)[0, 3, 0]


def test_opponents_and_frustration_gain():
    p, in_bloc = small_bloc()
    size = np.array([[0.5, 0.3, 0.2]])
    opp = dynamics.opponents(p, in_bloc)
    assert not opp[0, 0, 2]  # mean propensity (0.5 - 0.3)/2 > 0: neutral-or-friendly
    p2 = p.copy()
    p2[0, 2, 0] = p2[0, 0, 2] = -0.5
    opp2 = dynamics.opponents(p2, in_bloc)
    assert opp2[0, 0, 2]
    gain = dynamics.frustration_gain(p2, size, in_bloc, opp2)
    # country 2 joining: 0.5*(-0.5) + 0.3*(-0.3) with the members; no other opponents
    assert gain[0, 2, 0] == pytest.approx(-0.25 - 0.09)


def test_cohesion_is_mean_over_member_pairs():
    p, in_bloc = small_bloc()
    assert dynamics.cohesion(p, in_bloc)[0, 0] == pytest.approx(0.8)


def test_stage_boundaries():
    assert list(dynamics.stage(np.array([0.0, 0.33, 0.34, 0.66, 0.67, 1.0]))) == [0, 0, 1, 1, 2, 2]


def test_depth_grows_with_positive_drive_and_decays_otherwise():
    depth = np.array([[0.5, 0.5, 0.5]])
    new = dynamics.depth_change(
        depth,
        np.array([[1.0, 0.0, 1.0]]),
        np.zeros((1, 3)),
        np.array([[3, 3, 1]]),
        np.array([[0.0, 0.0, 1.0]]),
        growth=0.1,
        cohesion_threshold=0.5,
        rally=0.0,
        decay=0.02,
        noise_scale=0.01,
    )
    assert new[0, 0] == pytest.approx(0.5 + 0.1 * 0.5 * 0.5)
    assert new[0, 1] == pytest.approx(0.5 * 0.98)
    assert new[0, 2] == pytest.approx(0.5 * 0.98 + 0.01)  # one member erodes; noise 0.01 * 1


def test_choose_blocs_takes_the_first_success():
    chance = np.array([[[0.5, 0.5], [0.1, 0.9], [0.0, 0.0]]])
    draws = np.array([[[0.6, 0.4], [0.05, 0.01], [0.0, 0.0]]])
    assert phases.choose_blocs(chance, draws).tolist() == [[1, 0, -1]]


def test_provocation_raises_the_opponents_tension_with_every_member():
    """Bloc {0, 1} after 1 joins (size 0.3), pi = 2. Outsider 2: p_20 = -0.6, p_21 = +0.2,
    mean -0.2 < 0, an opponent: 2 * 0.3 * 0.2 = 0.12 with members 0 and 1, although it likes
    the joiner. Outsider 3: p_30 = 0.4, p_31 = -0.3, mean +0.05: not an opponent, no tension
    although it dislikes the joiner (the old dyadic rule would have provoked it)."""
    p = np.zeros((1, 4, 4))
    for (i, j), value in {(2, 0): -0.6, (2, 1): 0.2, (3, 0): 0.4, (3, 1): -0.3}.items():
        p[0, i, j] = p[0, j, i] = value
    size = np.array([[0.4, 0.3, 0.2, 0.1]])
    in_bloc = dynamics.bloc_masks(np.array([[0, 0, -1, -1]]), 1)
    actors = dynamics.bloc_masks(np.array([[-1, 0, -1, -1]]), 1)
    added = dynamics.provocation(p, size, actors, in_bloc, 2.0)
    assert added[0, 2, 0] == pytest.approx(0.12)
    assert added[0, 2, 1] == pytest.approx(0.12)
    assert np.all(added[0, 3] == 0.0)
    assert added[0, 0, 1] == 0.0
    assert np.allclose(added, added.transpose(0, 2, 1))


def test_crisis_probability_is_half_the_rate_at_threshold():
    score = dynamics.crisis_score(
        np.array([[1.2]]),
        np.array([[0.0]]),
        steepness=8.0,
        threshold=1.2,
        emboldenment_odds=2.49,
    )
    assert dynamics.crisis_probability(score.max(axis=-1), rate=0.05)[0] == pytest.approx(0.025)


def test_emboldenment_raises_the_odds_of_a_crisis_on_hostile_dyads():
    """Backing (0.4, 0, 0.1); p_01 = -0.5 (hostile): e = 0.4; p_02 = +0.3: 0; p_12 = -0.2: 0.1.
    Score at T = 1.0, theta 1.2, gamma 8, b = 2.49: 8 * (-0.2) + ln(3.49) * 0.4
    = -1.6 + 1.24990 * 0.4 = -1.10004; chance 0.05 / (1 + e^1.10004) = 0.05 / 4.00428
    = 0.012487."""
    backing = np.array([[0.4, 0.0, 0.1]])
    rows, cols = dynamics.upper_pairs(3)  # dyads (0, 1), (0, 2), (1, 2)
    e = dynamics.emboldenment(backing[:, rows], backing[:, cols], np.array([[-0.5, 0.3, -0.2]]))
    assert e[0].tolist() == pytest.approx([0.4, 0.0, 0.1])
    score = dynamics.crisis_score(
        np.array([[1.0]]), np.array([[0.4]]), steepness=8.0, threshold=1.2, emboldenment_odds=2.49
    )
    assert score[0, 0] == pytest.approx(-1.6 + np.log(3.49) * 0.4)
    assert dynamics.crisis_probability(score[:, 0], rate=0.05)[0] == pytest.approx(
        0.012487, abs=1e-6
    )
