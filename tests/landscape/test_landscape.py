"""Tests of sim.landscape.energy, sim.landscape.inputs and sim.landscape.report (landscape theory).

Reference: Axelrod & Bennett (1993) BJPolS 23(2).
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from sim.errors import ConfigError, InputFileNotFoundError
from sim.landscape import inputs as landscape_io
from sim.landscape.energy import (
    Landscape,
    canonical,
    configuration_index,
    configuration_labels,
    descend,
    energy,
    frustration,
    switch_gains,
    tolerance,
)
from sim.landscape.files import landscape_from_dict, read_matrix_csv
from sim.landscape.inputs import load_landscape, month_step
from sim.landscape.report import compare_blocs, landscape_command, write_json
from sim.landscape.search import analyse_landscape, enumerate_landscape, sample_landscape

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_YAML = ROOT / "docs" / "examples" / "toy_landscape.yaml"
EXAMPLE_CSV = ROOT / "docs" / "examples" / "toy_landscape.csv"
WESTERN_BALKANS = ROOT / "scenarios" / "western_balkans_2025.yaml"

SYRIA = Landscape(
    ("US", "Russia", "Syria"),
    np.array([10.0, 10.0, 50.0]),
    np.array([[0.0, -1.0, -1.0], [-1.0, 0.0, 1.0], [-1.0, 1.0, 0.0]]),
)
FOUR_SIZES = np.array([1.0, 2.0, 3.0, 4.0])
FOUR = np.array(
    [
        [0.0, 1.0, -1.0, 0.5],
        [1.0, 0.0, 2.0, -0.5],
        [-1.0, 2.0, 0.0, 1.0],
        [0.5, -0.5, 1.0, 0.0],
    ]
)


def random_landscape(n: int, seed: int) -> Landscape:
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.normal(size=(n, n)), 1)
    return Landscape(tuple(f"a{i}" for i in range(n)), rng.uniform(0.2, 3.0, n), upper + upper.T)


def brute_energy(sizes: np.ndarray, propensity: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """E over all rows of labels, straight from the definition (not from sim.landscape.energy)."""
    different = labels[:, :, None] != labels[:, None, :]
    return np.einsum("i,j,ij,mij->m", sizes, sizes, propensity, different)


def all_labelings(n: int) -> np.ndarray:
    return np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.int8)


symmetric_cases = st.integers(2, 9).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n),
        st.lists(st.floats(-2.0, 2.0), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2),
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
        st.integers(0, n - 1),
    )
)


def unpack(case: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    sizes, upper, labels, actor = case
    n = len(sizes)
    propensity = np.zeros((n, n))
    propensity[np.triu_indices(n, 1)] = upper
    return np.array(sizes), propensity + propensity.T, np.array(labels, dtype=np.int8), actor


# --- energy and frustration: known values ---------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([0, 0, 0], 0.0),  # one camp: no cross pairs
        ([0, 1, 1], -1200.0),  # 2 * (10*10*(-1) + 10*50*(-1))
        ([0, 1, 0], 800.0),  # 2 * (10*10*(-1) + 10*50*1)
        ([0, 0, 1], 0.0),  # 2 * (10*50*(-1) + 10*50*1)
    ],
)
def test_energy_three_actors_by_hand(labels: list[int], expected: float) -> None:
    assert energy(SYRIA.sizes, SYRIA.propensity, np.array(labels)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([0, 0, 1, 1], 14.0),  # 2 * (1*3*(-1) + 1*4*0.5 + 2*3*2 + 2*4*(-0.5))
        ([0, 1, 1, 1], 2.0),  # 2 * (1*2*1 + 1*3*(-1) + 1*4*0.5)
        ([0, 1, 0, 1], 56.0),  # 2 * (1*2*1 + 1*4*0.5 + 3*2*2 + 3*4*1)
        ([1, 1, 1, 1], 0.0),
    ],
)
def test_energy_four_actors_by_hand(labels: list[int], expected: float) -> None:
    assert energy(FOUR_SIZES, FOUR, np.array(labels)) == pytest.approx(expected)


def test_frustration_four_actors_by_hand() -> None:
    # {1, 2} against {3, 4}: F_1 = 3*(-1) + 4*0.5, F_2 = 3*2 + 4*(-0.5), F_3 = 1*(-1) + 2*2,
    # F_4 = 1*0.5 + 2*(-0.5).
    result = frustration(FOUR_SIZES, FOUR, np.array([0, 0, 1, 1]))
    np.testing.assert_allclose(result, [-1.0, 4.0, 3.0, -0.5])


def test_energy_and_frustration_of_a_batch_match_single_rows() -> None:
    labels = all_labelings(4)
    energies = energy(FOUR_SIZES, FOUR, labels)
    assert energies.shape == (16,)
    np.testing.assert_allclose(energies, brute_energy(FOUR_SIZES, FOUR, labels))
    frustrations = frustration(FOUR_SIZES, FOUR, labels)
    for row, f in zip(labels, frustrations, strict=True):
        np.testing.assert_allclose(f, frustration(FOUR_SIZES, FOUR, row))


# --- properties -----------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(symmetric_cases, st.booleans())
def test_energy_is_size_weighted_frustration(case: tuple, skew: bool) -> None:
    sizes, propensity, labels, _ = unpack(case)
    if skew:  # the identity E = sum_i s_i F_i holds for asymmetric propensities too
        propensity = propensity + np.triu(np.ones_like(propensity), 1)
    expected = float(sizes @ frustration(sizes, propensity, labels))
    assert energy(sizes, propensity, labels) == pytest.approx(expected, abs=1e-9)
    assert energy(sizes, propensity, labels) == pytest.approx(
        brute_energy(sizes, propensity, labels[None])[0], abs=1e-9
    )


@settings(max_examples=300, deadline=None)
@given(symmetric_cases)
def test_a_switch_that_lowers_own_frustration_lowers_energy(case: tuple) -> None:
    sizes, propensity, labels, k = unpack(case)
    switched = labels.copy()
    switched[k] ^= 1
    own_change = (
        frustration(sizes, propensity, switched)[k] - frustration(sizes, propensity, labels)[k]
    )
    energy_change = energy(sizes, propensity, switched) - energy(sizes, propensity, labels)
    assert energy_change == pytest.approx(2.0 * sizes[k] * own_change, abs=1e-9)
    if own_change < -1e-9:
        assert energy_change < 0.0
    assert switch_gains(sizes, propensity, labels)[k] == pytest.approx(energy_change, abs=1e-9)


def test_asymmetric_propensities_break_the_frustration_energy_link() -> None:
    # Actor 0 likes actor 1 (p_01 = 1) but 1 dislikes 0 (p_10 = -3): moving 0 in with 1 lowers
    # F_0 from 1 to 0 but raises E from -2 to 0, so the symmetric theory's guarantee is lost.
    sizes = np.ones(2)
    propensity = np.array([[0.0, 1.0], [-3.0, 0.0]])
    apart, together = np.array([0, 1]), np.array([0, 0])
    assert frustration(sizes, propensity, together)[0] < frustration(sizes, propensity, apart)[0]
    assert energy(sizes, propensity, together) > energy(sizes, propensity, apart)
    with pytest.raises(ConfigError, match="symmetric"):
        Landscape(("a", "b"), sizes, propensity)


# --- configurations -------------------------------------------------------------------------------


def test_configuration_numbers_round_trip_and_ignore_camp_labels() -> None:
    labels = configuration_labels(np.arange(32), 6)
    assert np.all(labels[:, 0] == 0)
    np.testing.assert_array_equal(configuration_index(labels), np.arange(32))
    np.testing.assert_array_equal(configuration_index(1 - labels), np.arange(32))
    np.testing.assert_array_equal(canonical(1 - labels), labels)


# --- enumeration against brute force --------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 5, 8, 10, 12])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_enumeration_finds_the_brute_force_global_minimum(n: int, seed: int) -> None:
    scape = random_landscape(n, seed)
    labelings = all_labelings(n)  # all 2^n, both labellings of every split
    energies = brute_energy(scape.sizes, scape.propensity, labelings)
    result = enumerate_landscape(scape, top=5)
    assert result.n_starts == 2 ** (n - 1)
    assert result.minima[0].energy == pytest.approx(energies.min(), abs=1e-9)
    assert result.lowest[0].energy == pytest.approx(energies.min(), abs=1e-9)
    # The listed lowest configurations are the five lowest distinct splits, in order.
    distinct = np.sort(energies[labelings[:, 0] == 0])[:5]
    np.testing.assert_allclose([c.energy for c in result.lowest], distinct, atol=1e-9)


@pytest.mark.parametrize("n", [3, 6, 9, 11])
@pytest.mark.parametrize("seed", [3, 4])
def test_minima_are_exactly_the_configurations_no_switch_improves(n: int, seed: int) -> None:
    scape = random_landscape(n, seed)
    configurations = configuration_labels(np.arange(2 ** (n - 1)), n)
    energies = brute_energy(scape.sizes, scape.propensity, configurations)
    tol = tolerance(scape.sizes, scape.propensity)
    stable = []
    for c, labels in enumerate(configurations):
        flips = np.repeat(labels[None], n, axis=0) ^ np.eye(n, dtype=np.int8)
        if np.all(brute_energy(scape.sizes, scape.propensity, flips) >= energies[c] - tol):
            stable.append(c)
    result = enumerate_landscape(scape)
    found = sorted(int(configuration_index(m.labels)[0]) for m in result.minima)
    assert found == stable
    for m in result.minima:
        assert m.energy == pytest.approx(energies[configuration_index(m.labels)[0]], abs=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_basin_shares_sum_to_one_and_match_descents(seed: int) -> None:
    n = 8
    scape = random_landscape(n, seed)
    result = enumerate_landscape(scape)
    assert sum(m.basin_share for m in result.minima) == pytest.approx(1.0)
    assert sum(m.hits for m in result.minima) == 2 ** (n - 1)
    assert all(m.hits >= 1 for m in result.minima)  # a minimum is in its own basin
    ends = configuration_index(
        descend(scape.sizes, scape.propensity, configuration_labels(np.arange(2 ** (n - 1)), n))
    )
    for m in result.minima:
        assert np.sum(ends == configuration_index(m.labels)[0]) == m.hits


def test_descent_takes_the_steepest_switch_and_breaks_ties_by_actor_order() -> None:
    # Everyone together, all propensities -1: switching any actor lowers E; the biggest actor's
    # switch lowers it most. With equal sizes every switch ties and the first actor moves.
    propensity = -(np.ones((3, 3)) - np.eye(3))
    unequal = descend(np.array([1.0, 1.0, 2.0]), propensity, np.array([[0, 0, 0]]))
    np.testing.assert_array_equal(unequal[0], [0, 0, 1])
    equal = descend(np.ones(3), propensity, np.array([[0, 0, 0]]))
    np.testing.assert_array_equal(equal[0], [0, 1, 1])  # actor 0 switched, then relabelled


def test_twenty_actors_are_enumerated_in_the_test_suite() -> None:
    scape = random_landscape(20, 7)
    result = enumerate_landscape(scape, top=3)
    assert result.n_starts == 2**19
    assert sum(m.hits for m in result.minima) == 2**19
    tol = tolerance(scape.sizes, scape.propensity)
    for m in result.minima[:20]:
        gains = switch_gains(scape.sizes, scape.propensity, m.labels)
        assert np.all(gains >= -tol)
    sample = np.random.default_rng(0).integers(0, 2, size=(2000, 20))
    assert result.minima[0].energy <= brute_energy(scape.sizes, scape.propensity, sample).min()


def test_enumeration_refuses_more_than_twenty_actors() -> None:
    with pytest.raises(ConfigError, match="actors"):
        enumerate_landscape(random_landscape(21, 0))


# --- restarts -------------------------------------------------------------------------------------


def test_restarts_find_the_enumerated_minima_and_estimate_their_basins() -> None:
    scape = random_landscape(10, 11)
    exact = enumerate_landscape(scape)
    sampled = sample_landscape(scape, restarts=20_000, rng=5)
    assert sampled.method == "restarts"
    assert sum(m.hits for m in sampled.minima) == 20_000
    estimated = {int(configuration_index(m.labels)[0]): m.basin_share for m in sampled.minima}
    for m in exact.minima:
        # Binomial standard error is at most 0.0036 with 20,000 restarts.
        assert estimated.get(int(configuration_index(m.labels)[0]), 0.0) == pytest.approx(
            m.basin_share, abs=0.02
        )
    assert set(estimated) <= {int(configuration_index(m.labels)[0]) for m in exact.minima}


def test_restarts_are_deterministic_given_rng_and_differ_otherwise() -> None:
    scape = random_landscape(24, 2)
    first = sample_landscape(scape, restarts=300, rng=1)
    again = sample_landscape(scape, restarts=300, rng=np.random.default_rng(1))
    other = sample_landscape(scape, restarts=300, rng=2)
    hits = [m.hits for m in first.minima]
    assert hits == [m.hits for m in again.minima]
    assert hits != [m.hits for m in other.minima]


def test_analyse_enumerates_up_to_twenty_actors_and_samples_beyond() -> None:
    assert analyse_landscape(random_landscape(6, 0)).method == "exhaustive"
    assert analyse_landscape(random_landscape(6, 0), exhaustive_limit=5, restarts=50).method == (
        "restarts"
    )
    result = analyse_landscape(random_landscape(25, 0), restarts=200, rng=0)
    assert result.method == "restarts" and result.n_starts == 200
    for m in result.minima:
        assert np.all(
            switch_gains(result.landscape.sizes, result.landscape.propensity, m.labels)
            >= -tolerance(result.landscape.sizes, result.landscape.propensity)
        )


@pytest.mark.parametrize(
    ("names", "sizes", "propensity", "match"),
    [
        (("a",), [1.0], [[0.0]], "actors"),
        (("a", "a"), [1.0, 1.0], np.zeros((2, 2)), "actors"),
        (("a", "b"), [1.0, 0.0], np.zeros((2, 2)), "sizes"),
        (("a", "b"), [1.0, np.nan], np.zeros((2, 2)), "sizes"),
        (("a", "b"), [1.0, 1.0], [[1.0, 0.0], [0.0, 0.0]], "propensity"),
        (("a", "b"), [1.0, 1.0], np.zeros((3, 3)), "propensity"),
    ],
)
def test_landscape_rejects_bad_values(names, sizes, propensity, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Landscape(names, np.array(sizes), np.array(propensity))


def test_sampling_needs_restarts() -> None:
    with pytest.raises(ConfigError, match="restarts"):
        sample_landscape(SYRIA, restarts=0)


# --- landscape files ------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "scape.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ISSUE_EXAMPLE = """\
actors: {US: 10, Russia: 10, Syria: 50}
propensities:
  US: {Russia: -1, Syria: -1}
  Russia: {Syria: 1}
"""


def test_landscape_file_from_the_issue(tmp_path: Path) -> None:
    loaded = load_landscape(write(tmp_path, ISSUE_EXAMPLE))
    assert loaded.kind == "landscape"
    assert loaded.landscape.names == SYRIA.names
    np.testing.assert_array_equal(loaded.landscape.sizes, SYRIA.sizes)
    np.testing.assert_array_equal(loaded.landscape.propensity, SYRIA.propensity)


def test_both_directions_may_be_given_when_they_agree(tmp_path: Path) -> None:
    text = ISSUE_EXAMPLE + "  Syria: {Russia: 1}\n"
    np.testing.assert_array_equal(
        load_landscape(write(tmp_path, text)).landscape.propensity, SYRIA.propensity
    )


def test_shipped_example_yaml_and_csv_agree() -> None:
    yaml_scape = load_landscape(EXAMPLE_YAML).landscape
    csv_scape = load_landscape(EXAMPLE_CSV).landscape
    assert yaml_scape.names == csv_scape.names
    np.testing.assert_array_equal(yaml_scape.sizes, csv_scape.sizes)
    np.testing.assert_array_equal(yaml_scape.propensity, csv_scape.propensity)
    minima = enumerate_landscape(yaml_scape).minima
    assert [m.energy for m in minima] == pytest.approx([-38.0, -34.0])  # see docs/landscape.md
    assert [m.basin_share for m in minima] == pytest.approx([0.625, 0.375])


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (ISSUE_EXAMPLE + "  Syria: {Russia: 0.5}\n", r"propensities\.Syria\.Russia.*symmetric"),
        (ISSUE_EXAMPLE + "  Iran: {Syria: 1}\n", r"propensities\.Iran"),
        (ISSUE_EXAMPLE + "  Syria: {Iran: 1}\n", r"propensities\.Syria\.Iran"),
        (ISSUE_EXAMPLE + "  Syria: {Syria: 1}\n", r"propensities\.Syria\.Syria"),
        (ISSUE_EXAMPLE + "  Syria: {US: high}\n", r"propensities\.Syria\.US.*number"),
        (ISSUE_EXAMPLE + "  Syria: [US]\n", r"propensities\.Syria"),
        (ISSUE_EXAMPLE.replace("US: 10", "US: 0"), r"actors\.US.*positive"),
        (ISSUE_EXAMPLE.replace("US: 10", "US: -3"), r"actors\.US.*positive"),
        (ISSUE_EXAMPLE.replace("US: 10", "US: big"), r"actors\.US"),
        (ISSUE_EXAMPLE.replace("US: 10", "NO: 10"), r"actors\.False.*text"),
        (ISSUE_EXAMPLE + "colour: red\n", r"colour"),
        ("actors: {US: 10}\n", r"actors.*two"),
        ("actors: [US, Russia]\n", r"actors"),
        ("actors: {US: 10, Russia: 10}\npropensities: 3\n", r"propensities"),
    ],
)
def test_landscape_file_errors_name_the_field(tmp_path: Path, text: str, match: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=match) as caught:
        load_landscape(path)
    assert caught.value.file == str(path)


def test_file_kind_errors(tmp_path: Path) -> None:
    with pytest.raises(InputFileNotFoundError, match="no such file"):
        load_landscape(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match=r"top level.*actors.*countries"):
        load_landscape(write(tmp_path, "nations: {}\n"))
    with pytest.raises(ConfigError, match="--month"):
        load_landscape(write(tmp_path, ISSUE_EXAMPLE), month=3)


GOOD_CSV = """\
actor,size,US,Russia,Syria
US,10,0,-1,-1
Russia,10,,0,1
Syria,50,,,
"""


def test_csv_matrix_with_one_direction_given(tmp_path: Path) -> None:
    scape = read_matrix_csv(write(tmp_path, GOOD_CSV, "m.csv"))
    np.testing.assert_array_equal(scape.propensity, SYRIA.propensity)
    np.testing.assert_array_equal(scape.sizes, SYRIA.sizes)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (GOOD_CSV.replace("Syria,50,,,", "Syria,50,-0.5,,"), r"Syria\.US.*symmetric"),
        (GOOD_CSV.replace("Syria,50,,,", "Syria,0,,,"), r"Syria\.size.*positive"),
        (GOOD_CSV.replace("Syria,50,,,", "Syria,x,,,"), r"Syria\.size"),
        (GOOD_CSV.replace("Syria,50,,,", "Syria,50,,,2"), r"Syria\.Syria"),
        (GOOD_CSV.replace("Russia,10,,0,1", "Russia,10,,0,lots"), r"Russia\.Syria.*number"),
        (GOOD_CSV.replace("actor,size,", "actor,mass,"), r"size"),
        (GOOD_CSV.replace(",Syria\n", ",Iran\n", 1), r"columns\.Iran"),
        (GOOD_CSV.replace("Russia,10,,0,1", "US,10,,0,1"), r"US.*one row"),
        ("actor,size\nUS,1\n", r"rows"),
    ],
)
def test_csv_errors_name_the_field(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_landscape(write(tmp_path, text, "m.csv"))


def test_landscape_from_dict_without_propensities_is_all_zero() -> None:
    scape = landscape_from_dict({"actors": {"a": 1, "b": 2}})
    assert not scape.propensity.any()


# --- scenarios ------------------------------------------------------------------------------------


SCENARIO = """\
name: three-country test
start: 2025-03
countries:
  AAA: {name: A, capability: 1.0, alignment: 0.8, lat: 41.3, lon: 19.8}
  BBB: {name: B, capability: 3.0, alignment: 0.6, lat: 45.8, lon: 16.0}
  CCC: {name: C, capability: 4.0, alignment: -0.2, lat: 44.8, lon: 20.5}
relation_defaults: {affinity: 0.0, tension: 0.05}
relations:
  AAA-BBB: {affinity: 0.6}
  AAA-CCC: {affinity: -0.6, tension: 0.5}
blocs:
  pact: {members: [AAA, BBB]}
dynamics:
  propensity: {alignment_weight: 0.5, tension_weight: 0.5}
"""


def test_scenario_start_sizes_and_propensities(tmp_path: Path) -> None:
    loaded = load_landscape(write(tmp_path, SCENARIO))
    assert loaded.kind == "scenario" and loaded.step == 0 and loaded.month == "2025-03"
    np.testing.assert_allclose(loaded.landscape.sizes, [1 / 8, 3 / 8, 4 / 8])
    p = loaded.landscape.propensity
    # p = affinity + 0.5 clip(1 - |a_i - a_j| / 0.6, -1, 1) - 0.5 T  (signed similarity, d0 = 0.6)
    assert p[0, 1] == pytest.approx(0.6 + 0.5 * (1 - 0.2 / 0.6) - 0.5 * 0.05)
    assert p[0, 2] == pytest.approx(-0.6 + 0.5 * (1 - 1.0 / 0.6) - 0.5 * 0.5)
    assert p[1, 2] == pytest.approx(0.0 + 0.5 * (1 - 0.8 / 0.6) - 0.5 * 0.05)
    assert np.all(np.diag(p) == 0.0)
    start, final = loaded.bloc_sets
    assert start.label == "scenario at 2025-03" and start.blocs == {"pact": ("AAA", "BBB")}
    assert final.label == f"simulated to the end of 2035-02, seed {loaded.seed}"
    assert not loaded.simulated


def test_month_zero_of_a_run_is_the_scenario_start(tmp_path: Path) -> None:
    path = write(tmp_path, SCENARIO)
    start = load_landscape(path, seed=3)
    month_zero = load_landscape(path, month=0, seed=3)
    assert month_zero.simulated and month_zero.step == 0
    np.testing.assert_allclose(month_zero.landscape.propensity, start.landscape.propensity)
    assert month_zero.bloc_sets[0].blocs == {"pact": ("AAA", "BBB")}


def test_simulated_month_is_reproducible_by_seed(tmp_path: Path) -> None:
    path = write(tmp_path, SCENARIO)
    first = load_landscape(path, month="2027-03", seed=11)
    again = load_landscape(path, month=24, seed=11)
    other = load_landscape(path, month=24, seed=12)
    assert first.step == 24 and first.month == "2027-03"
    np.testing.assert_array_equal(first.landscape.propensity, again.landscape.propensity)
    assert not np.array_equal(first.landscape.propensity, other.landscape.propensity)
    start = load_landscape(path, seed=11).landscape.propensity
    assert not np.allclose(first.landscape.propensity, start)  # two years of dynamics


def test_scenario_errors_and_month_parsing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="capability"):
        load_landscape(write(tmp_path, SCENARIO.replace("capability: 1.0", "capability: -1")))
    assert month_step("2026-02", start="2025-03") == 11
    assert month_step(7, start="2025-03") == 7
    with pytest.raises(ConfigError, match="--month"):
        month_step("2024-12", start="2025-03")
    with pytest.raises(ConfigError, match="--month"):
        month_step("soon", start="2025-03")


class FakeModel:
    """Stands in for sim.model.AllianceModel: CCC warms to the others as months pass."""

    def __init__(self, scenario, *, months: int = 120, rng=None) -> None:
        assert months >= 120  # built for at least the default horizon, so seeds replay
        self.months = 0
        self.rng = rng

    def step(self) -> None:
        self.months += 1

    def propensity_now(self) -> np.ndarray:
        warmth = 0.1 * self.months
        return np.array([[0, 1, -1 + warmth], [1, 0, -1 + warmth], [-1 + warmth, -1 + warmth, 0]])

    def final_blocs(self) -> dict[str, list[str]]:
        return {"pact": ["AAA", "BBB", "CCC"]} if self.months >= 10 else {"pact": ["AAA", "BBB"]}


def test_scenario_month_steps_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(landscape_io, "AllianceModel", FakeModel)
    path = write(tmp_path, SCENARIO)
    early = load_landscape(path, month=2, seed=4)
    assert early.step == 2 and early.month == "2025-05" and early.seed == 4
    assert early.landscape.propensity[0, 2] == pytest.approx(-0.8)
    late = load_landscape(path, month="2026-03", seed=4)
    assert late.step == 12
    assert late.bloc_sets[0].blocs == {"pact": ("AAA", "BBB", "CCC")}
    assert late.bloc_sets[0].label == "simulated to the end of 2026-02, seed 4"
    assert enumerate_landscape(late.landscape).minima[0].energy == 0.0  # all together


# --- report ---------------------------------------------------------------------------------------


def test_compare_blocs_against_minima() -> None:
    result = enumerate_landscape(load_landscape(EXAMPLE_YAML).landscape)
    rows = compare_blocs(result, {"north": ["North", "Island"], "rivals": ["East", "West"]})
    north, rivals = rows
    assert north["together_share"] == pytest.approx(0.625)  # only the lowest minimum
    assert north["camp_mates"] == ["East"] and north["split_off"] == []
    assert rivals["together_share"] == 0.0
    assert rivals["split_off"] == ["West"]


def test_command_prints_tables_and_writes_json(tmp_path: Path) -> None:
    console = Console(record=True, width=120)
    out = tmp_path / "sub" / "scape.json"
    document = landscape_command(EXAMPLE_YAML, top=3, json_path=out, console=console)
    text = console.export_text()
    assert "North, East, Island" in text and "62.5%" in text and "-38" in text
    written = json.loads(out.read_text())
    assert written == document
    assert written["minima"][0] == {
        "camps": [["North", "East", "Island"], ["South", "West"]],
        "energy": -38.0,
        "basin_share": 0.625,
        "hits": 10,
    }
    assert len(written["configurations"]) == 3
    assert written["source"]["seed"] is None  # nothing random happened
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind


def test_command_json_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    landscape_command(EXAMPLE_CSV, top=2, json_path="-")
    document = json.loads(capsys.readouterr().out)
    assert [m["energy"] for m in document["minima"]] == [-38.0, -34.0]


def test_command_compares_scenario_blocs(tmp_path: Path) -> None:
    console = Console(record=True, width=160)
    document = landscape_command(write(tmp_path, SCENARIO), seed=5, console=console)
    sources = [row["source"] for row in document["blocs"]]
    assert sources[0] == "scenario at 2025-03"
    assert sources[-1] == "simulated to the end of 2035-02, seed 5"
    assert document["blocs"][0]["bloc"] == "pact"
    assert document["source"]["seed"] == 5
    assert "scenario at 2025-03" in console.export_text()


def test_write_json_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    write_json({"x": 1}, path)
    write_json({"x": 2}, path)
    assert json.loads(path.read_text()) == {"x": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


@pytest.mark.skipif(not WESTERN_BALKANS.exists(), reason="scenario not shipped yet")
def test_smoke_western_balkans_scenario() -> None:
    console = Console(record=True, width=160)
    document = landscape_command(WESTERN_BALKANS, top=5, console=console)
    assert document["method"] == "exhaustive"
    assert sum(m["basin_share"] for m in document["minima"]) == pytest.approx(1.0)


def test_scenario_overrides_change_the_propensities(tmp_path: Path) -> None:
    path = write(tmp_path, SCENARIO)
    loaded = load_landscape(path, overrides={"dynamics.propensity.alignment_weight": 0.0}, seed=1)
    assert loaded.landscape.propensity[0, 1] == pytest.approx(0.6 - 0.5 * 0.05)
    assert loaded.overrides == {"dynamics.propensity.alignment_weight": 0.0}
    with pytest.raises(ConfigError, match=r"dynamics\.propensity\.alignment_wait"):
        load_landscape(path, overrides={"dynamics.propensity.alignment_wait": 0.0})
    with pytest.raises(ConfigError, match="--set"):
        load_landscape(EXAMPLE_YAML, overrides={"dynamics.propensity.alignment_weight": 0.0})


def test_cli_landscape_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.cli import main

    out = tmp_path / "toy.json"
    assert main(["landscape", str(EXAMPLE_CSV), "--top", "2", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["minima"][0]["energy"] == -38.0
    assert main(["landscape", str(EXAMPLE_YAML), "--month", "3"]) == 2
    assert "--month" in capsys.readouterr().err
    assert main(["landscape", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_landscape_says_why_a_scenario_has_a_single_camp():
    """With the old similarity (d0 = 1: 1 - |da|, positive for nearly every dyad) the default
    region is one camp and the report names the alignment term; with the default d0 = 0.6 the
    lowest minimum has two camps (Serbia, Bosnia and Hungary against the rest) and no reason."""
    from sim.landscape.inputs import load_landscape
    from sim.landscape.report import single_camp_reason
    from sim.landscape.search import analyse_landscape
    from sim.scenario.shipped import default_scenario_path

    old = load_landscape(
        default_scenario_path(), overrides={"dynamics.propensity.similarity_range": 1.0}, seed=1
    )
    reason = single_camp_reason(analyse_landscape(old.landscape), old)
    assert reason is not None and "alignment similarity term dominates" in reason
    new = load_landscape(default_scenario_path(), seed=1)
    result = analyse_landscape(new.landscape)
    assert single_camp_reason(result, new) is None
    camps = {frozenset(camp) for camp in result.camps(result.minima[0].labels)}
    assert frozenset({"SRB", "BIH", "HUN"}) in camps


def test_actor_names_are_shown_as_written_not_as_markup(tmp_path, capsys) -> None:
    from sim.cli import main

    path = tmp_path / "names.yaml"
    path.write_text(
        "actors: {'[b]North': 2, 'South [/]': 2, East: 1}\n"
        "propensities: {'[b]North': {'South [/]': -1, East: 0.5}}\n"
    )
    assert main(["landscape", str(path), "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "[b]North" in out and "South [/]" in out


def test_an_unwritable_json_path_is_refused_before_any_work(tmp_path, capsys) -> None:
    from sim.cli import main

    blocker = tmp_path / "a_file"
    blocker.write_text("")
    target = blocker / "result.json"  # a folder that is a file
    assert main(["landscape", "docs/examples/toy_landscape.yaml", "--json", str(target)]) == 2
    captured = capsys.readouterr()
    assert "--json: expected a file that can be written" in captured.err
    assert "Local minima" not in captured.out  # nothing printed before the refusal


def test_a_drawn_seed_is_printed_in_full(capsys) -> None:
    from sim.cli import main
    from sim.scenario.shipped import default_scenario_path

    assert main(["landscape", str(default_scenario_path()), "--month", "3", "--top", "1"]) == 0
    out = capsys.readouterr().out
    seed = re.search(r"^seed (\d+) \(drawn; repeat this analysis with --seed (\d+)\)$", out, re.M)
    assert seed and seed.group(1) == seed.group(2) and len(seed.group(1)) >= 10


def test_the_landscape_command_prints_why_there_is_one_camp(capsys):
    """In this process (not a subprocess), so its report lines are measured: with d0 = 1 the
    default region is one camp and the command says so, naming the dominant term."""
    from sim.cli import main

    code = main(["landscape", "western_balkans_2025", "--set",
                 "dynamics.propensity.similarity_range=1.0"])  # fmt: skip
    out = " ".join(capsys.readouterr().out.split())  # the console wraps long lines
    assert code == 0
    assert "One camp only: 92% of the 66 dyads have a positive propensity" in out
    assert "term dominates" in out
