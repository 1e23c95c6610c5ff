"""`set` and `add` events are checked when the scenario loads: path, type, range, timeline."""

from __future__ import annotations

import pytest

from sim.errors import ConfigError
from sim.scenario.loading import load_scenario, scenario_from_dict


def event(path, value, kind="set", month=3, **extra):
    return {"month": month, "type": kind, "path": path, "value": value, **extra}


def load_with(write_scenario, *events):
    return load_scenario(write_scenario(lambda d: d["events"].extend(events)))


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([event("countries.BGR.domestc_cost", 1.0, id="bgr_cost")],
         r"events\.7\.path: expected countries\.<code>\.<one of .*\(event bgr_cost\), "
         r"found 'countries\.BGR\.domestc_cost'"),
        ([event("countries.XXX.alignment", 0.1)], r"events\.7\.path: expected a listed country"),
        ([event("relations.SRB-XXX.tension", 0.1)], r"events\.7\.path: expected a dyad of listed"),
        ([event("relations.SRB-XKX.tenshun", 0.1)], r"events\.7\.path: expected one of"),
        ([event("blocs.warsaw.open", False)], r"events\.7\.path: expected a bloc among"),
        ([event("blocs.tirana.admission", 1.0)], r"fixed when the bloc is founded"),
        ([event("dynamics.counter_bloc.enabled", True)], r"fixed when the run starts"),
        ([event("dynamics.tension.decai", 0.1)], r"expected an existing numeric parameter path"),
        ([event("countries.BGR.domestic_cost.warsaw", 0.1)], r"expected a bloc name among"),
        ([event("blocs.tirana.open", 1.0)], r"events\.7\.value: expected true or false"),
        ([event("blocs.tirana.open", True, "add")], r"events\.7\.value: expected a set event"),
        ([event("countries.BGR.domestic_cost", True)], r"events\.7\.value: expected a number "),
        ([event("countries.BGR.stubbornness", 1.5)],
         r"events\.7\.value: expected a number ≤ 1 \(as countries\.BGR\.stubbornness\)"),
        ([event("relations.SRB-XKX.tension", -0.1)], r"events\.7\.value: expected a number ≥ 0"),
        ([event("patrons.russia.support", "inf")], r"events\.7\.value: expected a finite number"),
        # the timeline of a value no run changes by itself is checked in month order:
        # 0.15 + 0.5 (month 4, events.8) + 0.5 (month 5, events.7) > 1
        ([event("countries.SRB.stubbornness", 0.5, "add", month=5, id="later"),
          event("countries.SRB.stubbornness", 0.5, "add", month=4)],
         r"events\.7\.value: expected a number ≤ 1 \(as countries\.SRB\.stubbornness\) "
         r"\(event later\)"),
        ([event("countries.SRB.anchor", -0.9, "add")], r"expected a number ≥ -1"),
        ([event("x", 1.0, id="a"), event("y", 1.0, id="a")],
         r"events\.8\.id: expected an id no other event has \(events\.7 has it\)"),
    ],
)  # fmt: skip
def test_a_bad_change_event_is_refused_naming_the_event(write_scenario, events, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_with(write_scenario, *events)
    assert "scenario.yaml" in str(caught.value)


def test_a_change_of_a_founded_bloc_must_come_after_its_founding(scenario_data):
    form = {"month": 5, "type": "form_bloc", "name": "pair", "members": ["SRB", "HUN"]}
    data = {**scenario_data, "events": [form, event("blocs.pair.eligibility", -0.5, month=5)]}
    with pytest.raises(ConfigError, match=r"events\.1\.month: expected a month after bloc pair"):
        scenario_from_dict(data)
    data["events"][1] = event("blocs.pair.eligibility", -0.5, month=6)
    scenario_from_dict(data)


def test_changes_that_are_in_range_load(write_scenario):
    scenario = load_with(
        write_scenario,
        event("countries.SRB.anchor", -0.5, "add"),  # anchor null: from the alignment -0.2
        event("relations.BIH-SRB.baseline", 0.2, "add"),  # unlisted: from the default tension
        event("countries.HUN.domestic_cost.counter_bloc", 0.4),
        event("blocs.tirana.open", False, id="closed"),
        event("dynamics.accession.invitation_months", 12),
    )
    assert scenario.events[-2].id == "closed" and scenario.events[-2].value is False
