"""Scenario loading: every kind of bad input gives one clear message naming file and field."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ConfigError, InputFileNotFoundError
from sim.model.world import compile_world
from sim.scenario.loading import load_scenario, scenario_from_dict
from sim.scenario.shipped import shipped_scenarios


def test_default_scenario_has_the_twelve_countries_and_the_pact(scenario):
    assert len(scenario.countries) == 12
    assert scenario.blocs["tirana"].members == ["ALB", "HRV", "XKX"]
    assert scenario.countries["SRB"].capability == pytest.approx(2.31)


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path):
    assert load_scenario(path).countries


def test_relations_are_symmetric_and_unlisted_take_defaults(world):
    codes = list(world.codes)
    srb, xkx, bgr, svn = (codes.index(c) for c in ("SRB", "XKX", "BGR", "SVN"))
    assert world.affinity[0, srb, xkx] == world.affinity[0, xkx, srb] == -0.9
    assert world.tension[0, bgr, svn] == pytest.approx(0.05)
    assert np.allclose(world.affinity, world.affinity.transpose(0, 2, 1))
    assert np.all(np.diag(world.tension[0]) == 0)


def bad(write_scenario, change, match):
    path = write_scenario(change)
    with pytest.raises(ConfigError, match=match) as info:
        load_scenario(path)
    assert str(path) in str(info.value)
    return info.value


def test_unknown_key_is_named(write_scenario):
    def change(d):
        d["countries"]["SRB"]["alignmnet"] = 0.1

    error = bad(write_scenario, change, r"countries\.SRB\.alignmnet")
    assert "no such key" in error.expected


def test_alignment_out_of_range(write_scenario):
    def change(d):
        d["countries"]["SRB"]["alignment"] = 1.5

    error = bad(write_scenario, change, r"countries\.SRB\.alignment")
    assert error.found == 1.5


def test_negative_tension(write_scenario):
    bad(
        write_scenario,
        lambda d: d["relations"]["SRB-XKX"].update(tension=-0.1),
        r"relations\.SRB-XKX\.tension: expected a number ≥ 0, found -0.1",
    )


def test_unknown_country_in_relations(write_scenario):
    bad(
        write_scenario,
        lambda d: d["relations"].update({"SRB-FRA": {"affinity": 0.1}}),
        r"relations\.SRB-FRA.*listed countries",
    )


def test_unknown_country_in_bloc(write_scenario):
    bad(
        write_scenario,
        lambda d: d["blocs"]["tirana"]["members"].append("FRA"),
        r"blocs\.tirana\.members.*FRA",
    )


def test_country_in_two_blocs(write_scenario):
    bad(
        write_scenario,
        lambda d: d["blocs"].update({"other": {"members": ["ALB", "SRB"]}}),
        r"blocs\.other\.members.*at most one bloc",
    )


def test_asymmetric_affinity_given_both_ways(write_scenario):
    bad(
        write_scenario,
        lambda d: d["relations"].update({"XKX-SRB": {"affinity": -0.5}}),
        r"relations\.XKX-SRB\.affinity.*symmetric",
    )


def test_symmetric_duplicate_is_accepted(write_scenario):
    def change(d):
        d["relations"]["XKX-SRB"] = {"affinity": -0.9}

    assert load_scenario(write_scenario(change)).relations["SRB-XKX"].affinity == -0.9


def test_event_before_start(write_scenario):
    bad(
        write_scenario,
        lambda d: d["events"][0].update(month="2024-12"),
        r"events\.0\.month.*not before the start",
    )


def test_event_with_unknown_country(write_scenario):
    bad(
        write_scenario, lambda d: d["events"][0].update(countries=["SRB", "FRA"]), r"events\.0.*FRA"
    )


def test_event_with_unknown_bloc(write_scenario):
    def change(d):
        d["events"].append({"month": "2026-06", "type": "invite", "bloc": "nato", "country": "BGR"})

    bad(write_scenario, change, r"events\.7\.bloc.*nato")


def test_set_event_with_unknown_path(write_scenario):
    def change(d):
        d["events"].append(
            {"month": "2026-06", "type": "set", "path": "patrons.west.endorsment", "value": 0.3}
        )

    bad(write_scenario, change, r"events\.7\.path.*existing numeric parameter path")


def test_unknown_event_type(write_scenario):
    bad(write_scenario, lambda d: d["events"][0].update(type="explode"), r"events\.0")


def test_malformed_yaml_names_the_line(write_scenario):
    path = write_scenario(text="name: x\ncountries: {ALB: [\n")
    with pytest.raises(ConfigError, match=r"line \d+, column \d+.*well-formed YAML"):
        load_scenario(path)


def test_missing_file():
    with pytest.raises(InputFileNotFoundError, match=r"nowhere\.yaml"):
        load_scenario("nowhere.yaml")


def test_missing_required_field(write_scenario):
    bad(
        write_scenario,
        lambda d: d["countries"]["SRB"].pop("capability"),
        r"countries\.SRB\.capability: expected this required field",
    )


def test_overrides_reach_every_kind_of_path(scenario_data):
    overrides = {
        "countries.SRB.alignment": -0.5,
        "relations.XKX-SRB.tension": 0.9,  # reversed direction of a listed dyad
        "relations.BGR-SVN.affinity": 0.4,  # a dyad the file does not list
        "patrons.russia.support": 0.9,
        "dynamics.tension.decay": 0.1,
    }
    scenario = scenario_from_dict(scenario_data, overrides=overrides)
    assert scenario.countries["SRB"].alignment == -0.5
    assert scenario.relations["SRB-XKX"].tension == 0.9
    assert scenario.relations["SRB-XKX"].affinity == -0.9
    assert scenario.relations["BGR-SVN"].affinity == 0.4
    assert scenario.patrons["russia"].support == 0.9
    assert scenario.dynamics.tension.decay == 0.1
    world = compile_world(scenario)
    assert world.params["tension.decay"][0] == 0.1


@pytest.mark.parametrize(
    "path",
    [
        "countries.SRB.alignmnet",
        "dynamics.tension",
        "patrons.nato.support",
        "relations.SRB-FRA.tension",
        "relations.SRB-XKX.heat",
    ],
)
def test_unknown_override_path_is_an_error(scenario_data, path):
    with pytest.raises(ConfigError, match="expected"):
        scenario_from_dict(scenario_data, overrides={path: 0.1})


def test_override_value_is_validated(scenario_data):
    with pytest.raises(ConfigError, match=r"countries\.SRB\.alignment"):
        scenario_from_dict(scenario_data, overrides={"countries.SRB.alignment": 3.0})


def test_extends_adds_events_and_overrides(tmp_path):
    from sim.scenario.shipped import ROOT

    nato = load_scenario(ROOT / "scenarios" / "nato_endorses.yaml")
    base = load_scenario(ROOT / "scenarios" / "western_balkans_2025.yaml")
    assert len(nato.events) == len(base.events) + 1
    russia = load_scenario(ROOT / "scenarios" / "russia_backs_serbia.yaml")
    assert russia.patrons["russia"].support == 0.9


def test_extends_rejects_other_keys_and_missing_base(tmp_path):
    path = tmp_path / "variant.yaml"
    path.write_text("extends: missing.yaml\nname: x\n")
    with pytest.raises(InputFileNotFoundError, match=r"missing\.yaml"):
        load_scenario(path)
    path.write_text("extends: missing.yaml\ncountries: {}\n")
    with pytest.raises(ConfigError, match="countries"):
        load_scenario(path)


def test_a_scenario_needs_two_countries(write_scenario):
    def change(d):
        d["countries"] = {"SRB": d["countries"]["SRB"]}
        d["relations"], d["blocs"], d["events"], d["tracked_dyads"] = {}, {}, [], []

    bad(write_scenario, change, r"countries: expected .*at least 2")


def test_set_event_value_is_range_checked(write_scenario):
    def change(d):
        d["events"].append(
            {
                "month": "2026-06",
                "type": "set",
                "path": "dynamics.threat.distance_scale_km",
                "value": 0,
            }
        )

    bad(
        write_scenario,
        change,
        r"events\.7\.value: expected a number > 0 \(as dynamics\.threat\.distance_scale_km\)",
    )


def test_event_naming_a_bloc_before_it_is_founded(write_scenario):
    def change(d):
        d["events"] += [
            {"month": "2025-06", "type": "join", "bloc": "north", "country": "GRC"},
            {"month": "2026-01", "type": "form_bloc", "name": "north", "members": ["SVN", "HUN"]},
        ]

    bad(write_scenario, change, r"events\.7\.bloc.*exists by then")


def test_join_and_leave_in_one_month_conflict(write_scenario):
    def change(d):
        d["events"] += [
            {"month": "2026-06", "type": "join", "bloc": "tirana", "country": "SVN"},
            {"month": "2026-06", "type": "leave", "bloc": "tirana", "country": "SVN"},
        ]

    bad(write_scenario, change, r"events\.8.*not both a join and a leave")


def test_an_experiment_file_given_as_a_scenario_says_to_run_it(tmp_path):
    """``alliance-sim validate experiment.yaml`` (a common slip) names what the file is and the
    command that takes it, not a missing ``countries`` field."""
    from sim.errors import ConfigError
    from sim.scenario.loading import load_scenario

    path = tmp_path / "question.yaml"
    path.write_text("name: q\nscenario: western_balkans_2025\nreplications: 10\n")
    with pytest.raises(ConfigError, match=r"question\.yaml: countries: expected a scenario file "
                       r".*this is an experiment file .*`alliance-sim run`"):  # fmt: skip
        load_scenario(path)
