"""Accession-process settings and events that must be refused, naming the field."""

from __future__ import annotations

import pytest

from sim.errors import ConfigError
from sim.scenario.loading import load_scenario


def process(**settings):
    def change(data):
        data["blocs"]["tirana"].update(accession="process", process=settings)

    return change


def simple_with(**settings):
    return lambda d: d["blocs"]["tirana"].update(process=settings)


def event(**fields):
    return lambda d: d["events"].append({"month": 3, **fields})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (simple_with(ratification_rate=0.2),
         r"blocs\.tirana\.process: expected accession: process for process settings"),
        (process(invitation="leader"),
         r"blocs\.tirana\.process\.leader: expected the code of the member whose say"),
        (process(leader="ALB"),
         r"blocs\.tirana\.process\.leader: expected no leader unless invitation: leader"),
        (process(invitation="leader", leader="USA"),
         r"blocs\.tirana\.process\.leader: expected a member of the bloc.*USA"),
        (process(holdouts={"XXX": 0.3}),
         r"blocs\.tirana\.process\.holdouts\.XXX: expected a listed country code"),
        (process(side_payments={"GRC": -0.1}),
         r"blocs\.tirana\.process\.side_payments\.GRC"),
        (process(ratification_rate=1.5), r"blocs\.tirana\.process\.ratification_rate"),
        (process(effective_lag=-1), r"blocs\.tirana\.process\.effective_lag"),
        (process(invitation="consensus"), r"blocs\.tirana\.process\.invitation"),
        (lambda d: d["blocs"]["tirana"].update(accession="gradual"),
         r"blocs\.tirana\.accession"),
        (event(type="apply", bloc="tirana", country="BGR"),
         r"events\.\d+\.bloc: expected a bloc with accession: process \[\]"),
        (event(type="concession", to="@nobody", candidate="BGR", value=0.2),
         r"events\.\d+\.to: expected a group among"),
        (event(type="concession", to="GRC", candidate="XXX", value=0.2),
         r"events\.\d+\.candidate: expected listed country codes"),
        (event(type="concession", to="GRC", candidate="MKD", value="a lot"),
         r"events\.\d+\.value: expected a number"),
    ],
)  # fmt: skip
def test_a_bad_process_is_refused_naming_the_field(write_scenario, change, message):
    with pytest.raises(ConfigError, match=message):
        load_scenario(write_scenario(change))


def test_an_apply_event_to_a_process_bloc_loads(write_scenario):
    def change(data):
        process(invitation="leader", leader="ALB", holdouts={"HRV": 0.3})(data)
        event(type="apply", bloc="tirana", country="MKD")(data)
        event(type="concession", to="HRV", candidate="MKD", value=0.4, by="USA")(data)

    scenario = load_scenario(write_scenario(change))
    assert scenario.blocs["tirana"].process.holdouts == {"HRV": 0.3}
