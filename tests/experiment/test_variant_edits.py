"""Variants that remove or replace the scenario's events by id."""

from __future__ import annotations

import pytest
import yaml

from sim.errors import ConfigError
from sim.experiment.spec import load_experiment
from sim.scenario.shipped import default_scenario_path


@pytest.fixture
def experiment(tmp_path):
    """Load an experiment on the default scenario whose ``edited`` variant is ``variant``."""

    def load(variant, scenario=None, **extra):
        data = {"name": "edits", "scenario": str(scenario or default_scenario_path()),
                "variants": {"baseline": {}, "edited": variant}, "replications": 2,
                "months": 12, **extra}  # fmt: skip
        path = tmp_path / "experiment.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return load_experiment(path)

    return load


def ids(scenario):
    return [event.id for event in scenario.events]


def test_a_removed_event_is_gone_and_the_others_keep_their_order(experiment):
    loaded = experiment({"remove_events": ["declaration_hrv", "shkoder_hrv"]})
    base, edited = loaded.scenarios["baseline"], loaded.scenarios["edited"]
    assert ids(edited) == [i for i in ids(base) if i not in ("declaration_hrv", "shkoder_hrv")]


def test_a_replaced_event_takes_the_place_and_id_of_the_old_one(experiment):
    new = {"month": "2025-06", "type": "set", "path": "countries.SRB.domestic_cost", "value": 1}
    loaded = experiment({"replace_events": {"srb_hun_plan": new},
                         "events": [{"month": 5, "type": "shock", "countries": ["SRB", "BIH"],
                                     "delta": 0.1}]})  # fmt: skip
    base, edited = loaded.scenarios["baseline"], loaded.scenarios["edited"]
    position = ids(base).index("srb_hun_plan")
    assert ids(edited)[: len(base.events)] == ids(base)
    replaced = edited.events[position]
    assert (replaced.type, replaced.path, replaced.value) == (
        "set",
        "countries.SRB.domestic_cost",
        1,
    )
    assert edited.events[-1].type == "shock"  # added after the base's events


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        ({"remove_events": ["declaration_hrv", "invasion"]},
         r"experiment\.yaml: variants\.edited\.remove_events\.1: expected an id of the "
         r"scenario's events \['declaration_alb', .*found 'invasion'"),
        ({"replace_events": {"invasion": {"month": 3, "type": "shock", "countries": ["SRB", "ALB"],
                                          "delta": 0.1}}},
         r"variants\.edited\.replace_events\.invasion: expected an id of the scenario's events"),
        ({"remove_events": ["srb_hun_plan"],
          "replace_events": {"srb_hun_plan": {"month": 3, "type": "set",
                                              "path": "patrons.russia.support", "value": 0.2}}},
         r"variants\.edited\.replace_events\.srb_hun_plan: expected an event either removed or "
         r"replaced, not both"),
        ({"replace_events": {"srb_hun_plan": {"month": 3, "type": "set",
                                              "path": "countries.SRB.stubborness", "value": 0.2}}},
         r"experiment\.yaml: variants\.edited\.replace_events\.srb_hun_plan\.path: expected "
         r"countries\.<code>"),
        ({"replace_events": {"srb_hun_plan": {"month": 3, "type": "sett"}}},
         r"variants\.edited\.replace_events\.srb_hun_plan\.type: expected one of 'invite', "
         r".*found 'sett'"),
        ({"replace_events": {"srb_hun_plan": {"month": 3, "type": "set", "path": "x"}}},
         r"variants\.edited\.replace_events\.srb_hun_plan\.value: expected this required"),
    ],
)  # fmt: skip
def test_a_bad_edit_names_the_variant_field(experiment, variant, message):
    with pytest.raises(ConfigError, match=message):
        experiment(variant)


def test_a_scenario_without_ids_says_how_to_add_them(experiment, tmp_path, scenario_data):
    data = {**scenario_data, "events": [{k: v for k, v in e.items() if k != "id"}
                                        for e in scenario_data["events"]]}  # fmt: skip
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ConfigError, match=r"it gives none: add `id:` to the events"):
        experiment({"remove_events": ["declaration_hrv"]}, scenario=path)


def test_a_base_event_error_names_its_index_in_the_scenario_file(
    experiment, tmp_path, scenario_data
):
    """A base event a variant did not touch keeps its own index after earlier ones are removed."""
    add = {"month": 3, "type": "add", "path": "countries.SRB.stubbornness", "value": 0.5}
    data = {**scenario_data, "events": [*scenario_data["events"], add]}
    path = tmp_path / "with_add.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    variant = {"remove_events": ["declaration_alb"],
               "overrides": {"countries.SRB.stubbornness": 0.6}}  # fmt: skip
    with pytest.raises(
        ConfigError, match=r"with_add\.yaml: events\.7\.value: expected a number ≤ 1"
    ):
        experiment(variant, scenario=path)


def test_a_model_experiment_takes_no_event_edits(tmp_path):
    variants = {"edited": {"remove_events": ["x"]}}
    data = {"name": "m", "model": "tests.experiment.ishigami:ishigami", "collect": ["y"],
            "parameters": {"x1": 1.0}, "variants": variants}  # fmt: skip
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=r"variants\.edited\.remove_events: expected no events"):
        load_experiment(path)
