"""Pattern-oriented checks: the default scenario reproduces its patterns; the CLI reports them."""

from __future__ import annotations

import copy

import pytest

from sim import cli
from sim.analysis.patterns import evaluate_patterns
from sim.errors import ConfigError
from sim.scenario.loading import scenario_from_dict


def test_the_default_scenario_reproduces_its_patterns(scenario):
    """400 runs: every 2025-26 pattern and ten-year bound of the shipped scenario passes (the
    closest, no crisis in the first year at about 0.105 against 0.15, is 3 standard errors
    inside its bound at this n)."""
    results = evaluate_patterns(scenario, replications=400, seed=20250318)
    assert len(results) == len(scenario.patterns) >= 10
    failed = [(r.pattern.name, r.estimate) for r in results if not r.passed]
    assert not failed
    for result in results:
        assert result.low <= result.estimate <= result.high


def pattern_data(scenario_data, **pattern):
    data = copy.deepcopy(scenario_data)
    base = {"name": "p", "measure": "probability", "event": "crisis", "why": "test",
            "period": ["2025-03", "2026-02"], "target": [0.0, 1.0]}  # fmt: skip
    data["patterns"] = [{**base, **pattern}]
    return data


def test_a_pattern_that_fails_is_reported_and_the_command_exits_1(tmp_path, scenario_data):
    import yaml

    data = pattern_data(scenario_data, event="new_member", target=[0.9, 1.0], name="joins_fast")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert cli.main(["patterns", str(path), "--replications", "50"]) == 1
    data["patterns"][0]["target"] = [0.0, 1.0]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert cli.main(["patterns", str(path), "--replications", "50"]) == 0


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"period": ["2025-06", "2026-02"]}, r"patterns\.0\.period\.0.*start 2025-03"),
        ({"period": ["2026-02", "2025-06"]}, r"patterns\.0\.period.*in order"),
        ({"target": [0.5, 0.2]}, r"patterns\.0\.target.*low <= high"),
        ({"target": [0.5, 1.2]}, r"patterns\.0\.target.*\[0, 1\]"),
        ({"event": None}, r"patterns\.0\.event"),
        ({"event": "join", "country": "XXX"}, r"patterns\.0\.country"),
        ({"event": "ratified"}, r"patterns\.0\.country.*listed country code"),
        (
            {"event": "invite", "country": "BGR"},
            r"patterns\.0\.event: expected a pact with accession: process for the stage invite "
            r"\(pact tirana takes members in one step\)",
        ),
        ({"measure": "mean", "variable": "tension_BGR-MKD"}, r"patterns\.0\.variable"),
    ],
)
def test_a_malformed_pattern_is_refused_naming_its_field(scenario_data, change, match):
    with pytest.raises(ConfigError, match=match):
        scenario_from_dict(pattern_data(scenario_data, **change))


def test_a_scenario_without_patterns_is_refused(scenario_data):
    data = copy.deepcopy(scenario_data)
    data.pop("patterns", None)
    with pytest.raises(ConfigError, match="patterns"):
        evaluate_patterns(scenario_from_dict(data), replications=10)


def process_scenario(patterns: list[dict]) -> dict:
    """Founders A, B of a bloc with accession: process and certain rates; C applies in month 2,
    so it is invited in month 3, ratified and a member in month 4 (MODEL.md P1 to P5)."""
    country = {"capability": 1.0, "alignment": 0.8}
    places = {"A": (40.0, 0.0), "B": (50.0, 10.0), "C": (45.0, 30.0)}
    return {
        "name": "stages",
        "start": "2000-01",
        "countries": {c: {"name": c, **country, "lat": la, "lon": lo}
                      for c, (la, lo) in places.items()},
        "relation_defaults": {"affinity": 0.5, "tension": 0.05},
        "blocs": {"pact": {"members": ["A", "B"], "accession": "process",
                           "process": {"invitation_rate": 1.0, "ratification_rate": 1.0}}},
        "dynamics": {"accession": {"decision_rate": 0.0}, "crisis": {"rate": 0.0}},
        "events": [{"type": "apply", "bloc": "pact", "country": "C", "month": 2}],
        "patterns": patterns,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("event", "by_month", "estimate"),
    [("apply", 2, 1.0), ("apply", 1, 0.0), ("invite", 3, 1.0), ("invite", 2, 0.0),
     ("ratified", 4, 1.0), ("ratified", 3, 0.0), ("join", 4, 1.0)],
)  # fmt: skip
def test_the_stages_of_a_process_pact_are_pattern_events(event, by_month, estimate):
    pattern = {"name": "p", "measure": "probability", "event": event, "country": "C",
               "period": [0, by_month], "target": [0.0, 1.0], "why": "test"}  # fmt: skip
    scenario = scenario_from_dict(process_scenario([pattern]))
    (result,) = evaluate_patterns(scenario, replications=5)
    assert result.estimate == estimate


def test_the_nato_scenario_reproduces_its_patterns():
    """200 runs of the shipped NATO enlargement: every pattern passes (the closest, Albania a
    member by April 2009 at about 0.23 against 0.1, is 4 standard errors inside at this n)."""
    from sim.scenario.loading import load_scenario
    from sim.scenario.shipped import find_shipped

    scenario = load_scenario(find_shipped("nato_enlargement", "scenario"))
    results = evaluate_patterns(scenario, replications=200, seed=20250318)
    assert len(results) == len(scenario.patterns) >= 5
    failed = [(r.pattern.name, r.estimate) for r in results if not r.passed]
    assert not failed
