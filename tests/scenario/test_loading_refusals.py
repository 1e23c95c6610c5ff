"""Scenario files that must be refused, each with the dotted field path and what was expected."""

from __future__ import annotations

import pytest
import yaml

from sim.errors import ConfigError
from sim.scenario.loading import load_scenario
from sim.scenario.shipped import default_scenario_path


def add_event(**event):
    return lambda d: d["events"].append(event)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(start="March 2025"), r"start: expected a month written YYYY-MM"),
        (lambda d: d.update(tracked_dyads=["SRB-SRB"]), r"tracked_dyads: expected dyads of"),
        (lambda d: d.update(tracked_dyads=["SRB"]), r"tracked_dyads: expected dyads of"),
        (lambda d: d.update(pact="warsaw"), r"pact: expected one of the blocs \['tirana'\]"),
        (add_event(month=3, type="form_bloc", name="tirana", members=["SRB", "HUN"]),
         r"events\.\d+\.name: expected a new bloc name"),
        (add_event(month=3, type="shock", countries=["SRB", "SRB"], delta=0.1),
         r"events\.\d+\.countries: expected two different countries"),
        (add_event(month=3, type="affinity", countries=["SRB", "XXX"], delta=0.1),
         r"events\.\d+\.countries: expected listed country codes"),
        (add_event(month=3, type="shocks", countries=["SRB", "XKX"], delta=0.1),
         r"events\.7\.type: expected one of 'invite', 'apply', .*'affinity', found 'shocks'$"),
        (add_event(month=3, countries=["SRB", "XKX"], delta=0.1),
         r"events\.7\.type: expected one of 'invite', .*, found 'nothing'$"),
        (add_event(month=3, type="concession", to="SRB", candidate="QTA", value=0.1),
         r"events\.7\.candidate: expected listed country codes, found 'QTA'"),
        (add_event(month=3, type="concession", to="QTA", candidate="SRB", value=0.1),
         r"events\.7\.to: expected listed country codes, found 'QTA'"),
        (lambda d: d["patrons"]["west"].setdefault("clients", {}).update(QTR=0.5),
         r"patrons\.west\.clients\.QTR: expected a listed country code, found 'QTR'"),
        (add_event(month=3, id="talks", type="shock", countries=["SRB", "XKX"], delta="lots"),
         r"events\.7\.delta: expected a number \(event talks\), found 'lots'"),
        (add_event(month="2030/01", id="talks", type="concession", to="SRB", candidate="BGR",
                   value=0.1),
         r"events\.7\.month: expected a month written YYYY-MM or a step number \(event "
         r"talks\)"),
        (add_event(month=3, id="talks", type="concession", to="SRB", candidate="QTA", value=0.1),
         r"events\.7\.candidate: expected listed country codes \(event talks\)"),
        (add_event(month="2025/06", type="invite", bloc="tirana", country="BGR"),
         r"events\.\d+\.month: expected a month written YYYY-MM or a step number"),
        (add_event(month=3, type="set", path="countries.SRB.lat", value=45.0),
         r"events\.\d+\.path: expected a value that can change during a run \(lat is fixed "
         r"geography\)"),
        (lambda d: d["countries"]["BGR"].update(domestic_cost=-1),
         r"countries\.BGR\.domestic_cost: expected a number ≥ 0, found -1"),
    ],
)  # fmt: skip
def test_a_bad_scenario_names_the_field(write_scenario, change, message):
    with pytest.raises(ConfigError, match=message):
        load_scenario(write_scenario(change))


def test_the_schema_and_the_error_paths_know_the_same_event_types():
    """The reading of errors drops an event's type from pydantic's path and lists the types a
    missing one could be: both from one list, which must be the schema's."""
    import typing

    from sim.scenario.reading import EVENT_TYPES
    from sim.scenario.schema import Event

    members = typing.get_args(typing.get_args(Event)[0])
    assert EVENT_TYPES == tuple(typing.get_args(m.model_fields["type"].annotation)[0]
                                for m in members)  # fmt: skip


def extending(tmp_path, **data):
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump({"extends": str(default_scenario_path()), **data}))
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"events": {"month": 3}}, "events: expected a list of events"),
        ({"overrides": ["patrons.russia.support"]}, "overrides: expected a mapping of dotted"),
        ({"countries": {}}, r"countries: expected only \["),
    ],
)
def test_a_bad_extending_file_is_refused(tmp_path, data, message):
    with pytest.raises(ConfigError, match=message):
        load_scenario(extending(tmp_path, **data))


def test_extends_that_loop_are_refused(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("extends: b.yaml\n")
    second.write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError, match="extends: expected no cycle of extends"):
        load_scenario(first)


def test_an_extending_file_renames_and_overrides(tmp_path):
    path = extending(tmp_path, name="v", description="d", overrides={"patrons.russia.support": 1})
    scenario = load_scenario(path)
    assert (scenario.name, scenario.description) == ("v", "d")
    assert scenario.patrons["russia"].support == 1.0
