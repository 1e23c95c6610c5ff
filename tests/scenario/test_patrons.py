"""Patrons as a list: the standing west and russia, a third power, a patron that is a scenario
country, the country shorthands, and the paths that name a patron's values."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.errors import ConfigError
from sim.model import dynamics
from sim.model.state import RunState, derive
from sim.model.world import compile_world
from sim.scenario.loading import scenario_from_dict


def three_patrons(scenario_data):
    """The default scenario with a third patron China (pole -0.4) tied to Serbia and Hungary."""
    data = copy.deepcopy(scenario_data)
    data["patrons"]["china"] = {"pole": -0.4, "pull": 0.005, "support": 0.4,
                                "clients": {"SRB": 0.5, "HUN": 0.2}}  # fmt: skip
    return data


def test_the_default_scenario_has_west_and_russia_from_its_shorthands(world, scenario):
    """russia_ties and nato in the country records are russia's ties and west's guarantees."""
    assert world.patrons == ("west", "russia")
    assert [scenario.patrons[p].pole for p in world.patrons] == [1.0, -1.0]
    russia_ties = [c.russia_ties for c in scenario.countries.values()]
    nato = [float(c.nato) for c in scenario.countries.values()]
    assert world.ties[0].tolist() == [[0.0] * len(russia_ties), russia_ties]
    assert world.guarantee[0].tolist() == [nato, [0.0] * len(nato)]
    assert world.patron_country == (-1, -1)


def test_patrons_listed_in_the_patron_compile_like_the_shorthands(scenario_data, world):
    data = copy.deepcopy(scenario_data)
    clients, guarantees = {}, []
    for code, country in data["countries"].items():
        if country.pop("russia_ties", 0.0):
            clients[code] = scenario_data["countries"][code]["russia_ties"]
        if country.pop("nato", False):
            guarantees.append(code)
    data["patrons"]["russia"]["clients"] = clients
    data["patrons"]["west"]["guarantees"] = guarantees
    moved = compile_world(scenario_from_dict(data))
    assert np.array_equal(moved.ties, world.ties)
    assert np.array_equal(moved.guarantee, world.guarantee)


def test_a_patrons_section_that_leaves_out_the_standing_patrons_keeps_them(scenario_data):
    data = {**scenario_data, "patrons": {"china": {"pole": -0.4}}}
    scenario = scenario_from_dict(data)
    assert list(scenario.patrons) == ["west", "russia", "china"]
    assert scenario.patrons["russia"].support == 0.5  # the default


def test_a_third_patron_backs_its_clients_and_sets_their_backing(scenario_data):
    """Serbia: russia 0.5 * 0.8 = 0.4, china 0.4 * 0.5 = 0.2 -> backing max = 0.4 (C2);
    Hungary: russia 0.5 * 0.3 = 0.15, china 0.4 * 0.2 = 0.08 -> 0.15; the size of each adds
    both: s*_SRB = s (1 + 0.4 + 0.2)."""
    world = compile_world(scenario_from_dict(three_patrons(scenario_data)))
    srb, hun = world.codes.index("SRB"), world.codes.index("HUN")
    assert world.patrons == ("west", "russia", "china")
    assert world.ties[0, 2, srb] == 0.5
    state = RunState.initial(world)
    derived = derive(state, world)
    assert derived.backing[0, srb] == pytest.approx(0.4)
    assert derived.backing[0, hun] == pytest.approx(0.15)
    assert world.params["patrons.china.pole"][0] == -0.4


def test_a_patron_that_is_a_scenario_country_lends_its_own_size(scenario_data):
    """Hungary as a patron of Serbia (support 1, tie 0.5): SRB's effective size gains
    0.5 * s_HUN on top of Russia's 0.4 s_SRB; threat from SRB to others grows accordingly."""
    data = copy.deepcopy(scenario_data)
    data["patrons"]["budapest"] = {"pole": 0.2, "support": 1.0, "country": "HUN",
                                   "clients": {"SRB": 0.5}}  # fmt: skip
    world = compile_world(scenario_from_dict(data))
    plain = compile_world(scenario_from_dict(scenario_data))
    srb, hun = world.codes.index("SRB"), world.codes.index("HUN")
    assert world.patron_country == (-1, -1, hun)
    size = RunState.initial(world).size[0]
    threat = derive(RunState.initial(world), world).threat[0]
    before = derive(RunState.initial(plain), plain).threat[0]
    ratio = ((size[srb] * 1.4 + 0.5 * size[hun]) / (size[srb] * 1.4)) ** 0.5  # alpha 0.5
    xkx = world.codes.index("XKX")
    assert threat[xkx, srb] == pytest.approx(before[xkx, srb] * ratio)


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (lambda d: d["patrons"].update(china={"pull": 0.1}), r"patrons\.china\.pole",
         "this required field"),
        (lambda d: d["patrons"].update(china={"pole": 0.1, "clients": {"XXX": 0.1}}),
         r"patrons\.china\.clients\.XXX", "a listed country code"),
        (lambda d: d["patrons"].update(china={"pole": 0.1, "country": "XXX"}),
         r"patrons\.china\.country", "listed country codes"),
        (lambda d: d["patrons"].update(china={"pole": 0.1, "guarantees": ["XXX"]}),
         r"patrons\.china\.guarantees", "listed country codes"),
        (lambda d: d["patrons"].update(a={"pole": 0.1, "country": "HUN"},
                                       b={"pole": 0.1, "country": "HUN"}),
         r"patrons\.b\.country", "a country no other patron is"),
        (lambda d: d["patrons"].update(a={"pole": 0.1, "country": "HUN",
                                          "clients": {"HUN": 0.3}}),
         r"patrons\.a\.clients", "clients other than the patron's own country HUN"),
        (lambda d: d["patrons"]["west"].update(stances={"nosuch": 0.3}),
         r"patrons\.west\.stances\.nosuch", "a bloc name among"),
        (lambda d: d["patrons"]["west"].update(stances={"tirana": 0.3}),
         r"patrons\.west\.stances\.tirana", "blocs other than the pact"),
        (lambda d: d["patrons"]["russia"].update(clients={"SRB": 0.8}),
         r"countries\.SRB\.russia_ties", "the value written once"),
        (lambda d: d["patrons"]["china"].update(support=1.5) if "china" in d["patrons"]
         else d["patrons"].update(china={"pole": 0.1, "support": 1.5}),
         r"patrons\.china\.support", "a number ≤ 1"),
    ],
)  # fmt: skip
def test_patron_mistakes_are_named_by_field(scenario_data, change, field, expected):
    data = copy.deepcopy(scenario_data)
    change(data)
    with pytest.raises(ConfigError, match=rf"{field}: expected {expected}"):
        scenario_from_dict(data)


def test_an_unknown_patron_in_a_path_names_the_patrons(scenario_data):
    with pytest.raises(ConfigError, match=r"patrons\.china\.pull: expected a patron among "
                       r"\['russia', 'west'\]"):  # fmt: skip
        scenario_from_dict(scenario_data, overrides={"patrons.china.pull": 0.1})
    event = {"month": 3, "type": "set", "path": "patrons.chna.support", "value": 0.1}
    with pytest.raises(ConfigError, match=r"events\.\d+\.path: expected a patron among "
                       r"\['china', 'russia', 'west'\] after patrons\. \(not chna\)"):  # fmt: skip
        scenario_from_dict({**three_patrons(scenario_data),
                            "events": [*scenario_data["events"], event]})  # fmt: skip


def test_a_tie_override_reaches_the_tie_under_either_path(scenario_data):
    """--set patrons.russia.clients.SRB and countries.SRB.russia_ties name one value; a new
    client of a third patron may be added by an override."""
    by_patron = scenario_from_dict(scenario_data, overrides={"patrons.russia.clients.SRB": 0.3})
    by_country = scenario_from_dict(scenario_data, overrides={"countries.SRB.russia_ties": 0.3})
    assert np.array_equal(compile_world(by_patron).ties, compile_world(by_country).ties)
    assert by_patron.countries["SRB"].russia_ties == 0.3
    data = three_patrons(scenario_data)
    added = scenario_from_dict(data, overrides={"patrons.china.clients.MNE": 0.25})
    assert added.patrons["china"].clients == {"SRB": 0.5, "HUN": 0.2, "MNE": 0.25}
    listed = scenario_from_dict(data, overrides={"patrons.china.clients.SRB": 0.1,
                                                 "patrons.china.pull": 0.02})  # fmt: skip
    assert listed.patrons["china"].clients["SRB"] == 0.1
    with pytest.raises(ConfigError, match=r"patrons\.china\.clients\.XXX: expected an existing"):
        scenario_from_dict(data, overrides={"patrons.china.clients.XXX": 0.1})


def test_change_events_on_ties_and_guarantees_write_the_patron_cell(scenario_data):
    """A set of China's tie with Montenegro at month 3, Albania's guarantee withdrawn at 5
    (both spellings), russia's tie of Serbia through the patron path: each writes its cell."""
    data = three_patrons(scenario_data)
    data["events"] = [
        {"month": 3, "type": "set", "path": "patrons.china.clients.MNE", "value": 0.6},
        {"month": 5, "type": "set", "path": "patrons.west.guarantees.ALB", "value": False},
        {"month": 5, "type": "set", "path": "countries.HRV.nato", "value": False},
        {"month": 5, "type": "add", "path": "patrons.russia.clients.SRB", "value": 0.1},
    ]
    world = compile_world(scenario_from_dict(data))
    cells = [(c.array, c.cells, c.value) for step in (3, 5) for c in world.events[step].changes]
    mne, alb, hrv, srb = (world.codes.index(c) for c in ("MNE", "ALB", "HRV", "SRB"))
    assert cells == [("ties", ((2, mne),), 0.6), ("guarantee", ((0, alb),), 0.0),
                     ("guarantee", ((0, hrv),), 0.0), ("ties", ((1, srb),), 0.1)]  # fmt: skip
    too_much = {"month": 5, "type": "add", "path": "patrons.russia.clients.SRB", "value": 0.3}
    with pytest.raises(ConfigError, match=r"events\.4\.value: expected .*1"):
        scenario_from_dict({**data, "events": [*data["events"], too_much]})
    switch = {"month": 5, "type": "set", "path": "patrons.west.guarantees.ALB", "value": 0.5}
    with pytest.raises(ConfigError, match=r"events\.4\.value: expected true or false"):
        scenario_from_dict({**data, "events": [*data["events"], switch]})


def test_a_stance_toward_another_bloc_enters_that_blocs_utility_only(scenario_data):
    """Russia's stance 0.8 toward a Belgrade bloc raises the utility of Russia-leaning
    outsiders for that bloc by w_E e max(-a, 0), and leaves the pact's unchanged."""
    data = copy.deepcopy(scenario_data)
    data["blocs"]["belgrade"] = {"members": ["SRB"], "eligibility": -1.0}
    plain = compile_world(scenario_from_dict(data))
    data["patrons"]["russia"]["stances"] = {"belgrade": 0.8}
    world = compile_world(scenario_from_dict(data))
    assert world.params["patrons.russia.stances.belgrade"][0] == 0.8
    before = derive(RunState.initial(plain), plain).utility[0]
    after = derive(RunState.initial(world), world).utility[0]
    alignment = world.alignment[0]
    slot = [b.name for b in world.blocs].index("belgrade")
    expected = 1.0 * 0.8 * np.maximum(-alignment, 0.0)  # w_E = 1
    assert after[:, slot] - before[:, slot] == pytest.approx(expected)
    assert np.array_equal(np.delete(after, slot, axis=1), np.delete(before, slot, axis=1))
    assert (expected > 0).any()


def test_an_event_may_set_a_stance_the_file_does_not_list(scenario_data):
    """A stance toward a bloc founded later by an event, not written in the file: 0 until the
    event sets it (it was refused as "an existing numeric parameter path")."""
    data = copy.deepcopy(scenario_data)
    founding = {"month": 2, "type": "form_bloc", "name": "belgrade", "members": ["SRB", "BIH"],
                "eligibility": -1.0}  # fmt: skip
    stance = {"month": 6, "type": "set", "path": "patrons.russia.stances.belgrade", "value": 0.8}
    data["events"] = [*data["events"], founding, stance]
    world = compile_world(scenario_from_dict(data))
    assert world.params["patrons.russia.stances.belgrade"][0] == 0.0
    changes = [c for step in world.events.values() for c in step.changes
               if c.key == "patrons.russia.stances.belgrade"]  # fmt: skip
    assert [c.value for c in changes] == [0.8]
    toward_pact = {**stance, "path": "patrons.russia.stances.tirana"}
    data["events"] = [*data["events"][:-1], toward_pact]
    with pytest.raises(ConfigError, match=r"events\.\d+\.path: expected a bloc among "
                       r"\['belgrade', 'counter_bloc'\] after stances\. \(the stance toward the "
                       r"pact is patrons\.russia\.endorsement\)"):  # fmt: skip
        scenario_from_dict(data)


DOCS_EXAMPLE = {
    "name": "three_patrons",
    "start": "2004-01",
    "countries": {
        "RUS": {"name": "Russia", "capability": 61.0, "alignment": -1.0, "lat": 55.75,
                "lon": 37.62},
        "BLR": {"name": "Belarus", "capability": 0.7, "alignment": -0.8, "lat": 53.9,
                "lon": 27.57},
        "SRB": {"name": "Serbia", "capability": 2.31, "alignment": -0.2, "lat": 44.79,
                "lon": 20.45},
        "EST": {"name": "Estonia", "capability": 0.5, "alignment": 0.9, "lat": 59.44,
                "lon": 24.75},
    },
    "patrons": {
        "west": {"endorsement": 0.3},
        "russia": {"country": "RUS", "support": 0.8, "clients": {"BLR": 1.0, "SRB": 0.5}},
        "china": {"pole": -0.4, "pull": 0.005, "support": 0.3, "clients": {"SRB": 0.6},
                  "stances": {"counter_bloc": 0.2}},
    },
    "dynamics": {"tension": {"reaction": 0.0}},  # no Richardson feedback to check here
    "events": [
        {"month": "2004-03", "type": "set", "path": "patrons.west.guarantees.EST",
         "value": True},
    ],
}  # fmt: skip


def test_the_documented_three_patron_example():
    """docs/configuration.md: Serbia's backing max(0.8 * 0.5, 0.3 * 0.6) = 0.4; its effective
    size s_SRB (1 + 0.18) + 0.4 s_RUS; Belarus's s_BLR + 0.8 s_RUS; Estonia guaranteed from
    month 2 (2004-03)."""
    world = compile_world(scenario_from_dict(DOCS_EXAMPLE))
    state = RunState.initial(world)
    srb, blr, rus = (world.codes.index(c) for c in ("SRB", "BLR", "RUS"))
    assert derive(state, world).backing[0, srb] == pytest.approx(0.4)
    size = state.size[0]
    support = np.array([[0.5, 0.8, 0.3]])
    effective = dynamics.effective_size(
        state.size, dynamics.patron_backing(support, state.ties), world.patron_country
    )[0]
    assert effective[srb] == pytest.approx(size[srb] * 1.18 + 0.4 * size[rus])
    assert effective[blr] == pytest.approx(size[blr] + 0.8 * size[rus])
    assert [c.array for c in world.events[2].changes] == ["guarantee"]
