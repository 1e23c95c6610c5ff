"""Experiment files: validation with clear messages, variants, baselines and seeds."""

from __future__ import annotations

import re

import mesa
import pytest
import yaml

from sim.errors import ConfigError, InputFileNotFoundError
from sim.experiment.seeds import run_seed
from sim.experiment.spec import NotAFileError, load_experiment
from sim.scenario.shipped import ROOT, default_scenario_path

SHIPPED = {
    "baseline_outlook": ["baseline"],
    "bulgaria_question": ["baseline", "bulgaria_invited", "bulgaria_joins"],
    "nato_stance": ["baseline", "nato_welcomes", "nato_discourages"],
    "russia_support": ["weak_support", "strong_support"],
    "mesa_boltzmann": ["baseline", "crowded"],
    "sweep_russia_nato": ["baseline"],
    "sobol_default": ["baseline"],
    "morris_dynamics": ["baseline"],
    "bulgaria_discovery": ["baseline"],
    "mesa_boltzmann_grid": ["baseline"],
    "nato_bucharest": ["baseline", "name_settled_2008", "bucharest_only"],
}


@pytest.fixture
def write(tmp_path):
    """Write an experiment file (a small valid one, changed by ``change``) and return its path."""

    def write_experiment(change=None, *, name: str = "experiment.yaml") -> str:
        data = {
            "name": "tiny",
            "scenario": str(default_scenario_path()),
            "variants": {
                "baseline": {},
                "welcome": {"overrides": {"patrons.west.endorsement": 0.3}},
            },
            "replications": 5,
            "seed": 11,
            "months": 12,
        }
        if change is not None:
            change(data)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return str(path)

    return write_experiment


def test_every_shipped_experiment_file_is_listed_here():
    assert sorted(p.stem for p in (ROOT / "experiments").glob("*.yaml")) == sorted(SHIPPED)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_experiments_load_with_their_variants(name):
    experiment = load_experiment(ROOT / "experiments" / f"{name}.yaml")
    assert experiment.variant_names == SHIPPED[name]
    assert experiment.baseline == SHIPPED[name][0]
    runs = experiment.runs_per_variant  # a sweep: replications at each design point
    assert 1000 <= runs <= 50_000 or experiment.runs_on == "model"


def test_scenario_path_is_relative_to_the_experiment_file():
    experiment = load_experiment(ROOT / "experiments" / "nato_stance.yaml")
    assert experiment.scenario == str(default_scenario_path().resolve())


def test_variants_change_the_scenario_as_written():
    experiment = load_experiment(ROOT / "experiments" / "bulgaria_question.yaml")
    scenarios = experiment.scenarios
    base_events = len(scenarios["baseline"].events)
    assert len(scenarios["bulgaria_joins"].events) == base_events + 1
    assert scenarios["bulgaria_joins"].events[-1].type == "join"
    assert scenarios["bulgaria_invited"].events[-1].type == "invite"
    stance = load_experiment(ROOT / "experiments" / "nato_stance.yaml").scenarios
    assert stance["nato_discourages"].patrons["west"].endorsement == -0.5


def test_defaults_and_an_experiment_without_variants(write):
    path = write(lambda d: (d.pop("variants"), d.pop("months")))
    experiment = load_experiment(path)
    assert experiment.variant_names == ["baseline"]
    assert experiment.months == 120
    assert experiment.engine == "batch"
    assert experiment.common_random_numbers is True
    assert experiment.series_every is None
    assert experiment.years == [1, 5, 10]


def test_a_variant_named_baseline_is_the_baseline_wherever_it_is(write):
    path = write(lambda d: d.update(variants={"a": {}, "baseline": {}}))
    assert load_experiment(path).baseline == "baseline"


def test_flags_override_the_file(write):
    experiment = load_experiment(write(), replications=9, seed=3, engine="mesa", months=6)
    assert (experiment.replications, experiment.seed, experiment.engine, experiment.months) == (
        9, 3, "mesa", 6,
    )  # fmt: skip


def test_seeds_are_common_across_variants_or_per_variant(write):
    experiment = load_experiment(write())
    assert experiment.seeds(0, range(3)) == experiment.seeds(1, range(3))
    assert experiment.seeds(1, range(2, 4)) == [run_seed(11, 2), run_seed(11, 3)]
    independent = load_experiment(write(lambda d: d.update(common_random_numbers=False)))
    assert independent.seeds(1, range(2)) == [run_seed(11, k, design_point=1) for k in range(2)]
    assert independent.seeds(0, range(2)) != independent.seeds(1, range(2))


# --- each kind of mistake gives its own clear message ------------------------------------------


def bad(change, match, write, error=ConfigError):
    path = write(change)
    with pytest.raises(error, match=match) as caught:
        load_experiment(path)
    if error is ConfigError:
        assert caught.value.file == path  # the message names the experiment file
        assert path in str(caught.value)
    return caught.value


def test_unknown_key(write):
    bad(lambda d: d.update(replicatons=10), r"replicatons: expected no such key", write)


def test_unknown_key_in_a_variant(write):
    error = bad(lambda d: d["variants"]["welcome"].update(overides={}),
                r"variants\.welcome\.overides", write)  # fmt: skip
    assert error.field == "variants.welcome.overides"


def test_missing_scenario_file(write):
    bad(lambda d: d.update(scenario="no_such_scenario.yaml"),
        r"no_such_scenario\.yaml: no such file \(named in .*experiment\.yaml\)", write,
        error=InputFileNotFoundError)  # fmt: skip


def test_unknown_override_path(write):
    error = bad(
        lambda d: d["variants"]["welcome"].update(overrides={"patrons.west.endorsment": 0.3}),
        re.escape("variants.welcome.overrides.patrons.west.endorsment: expected an existing "
                  "numeric parameter path"),
        write,
    )  # fmt: skip
    assert error.field == "variants.welcome.overrides.patrons.west.endorsment"


def test_override_value_out_of_range(write):
    bad(lambda d: d["variants"]["welcome"].update(overrides={"patrons.russia.support": 2.0}),
        r"variants\.welcome\.overrides\.patrons\.russia\.support: expected a number ≤ 1",
        write)  # fmt: skip


def test_bad_engine_name(write):
    bad(
        lambda d: d.update(engine="turbo"),
        r"engine: expected .*'batch' or 'mesa', found 'turbo'",
        write,
    )


def test_negative_replications(write):
    bad(lambda d: d.update(replications=-5), r"replications: expected a number ≥ 1",
        write)  # fmt: skip


def test_bad_event_in_a_variant_names_its_bloc(write):
    event = {"month": "2026-06", "type": "invite", "bloc": "warsaw", "country": "BGR"}
    bad(lambda d: d["variants"]["welcome"].update(events=[event]),
        r"variants\.welcome\.events\.0\.bloc: expected .*found 'warsaw'", write)  # fmt: skip


def test_bad_event_in_a_variant_names_its_field(write):
    event = {"month": "2026-06", "type": "invite", "bloc": "tirana"}  # no country
    bad(
        lambda d: d["variants"]["welcome"].update(events=[event]),
        r"variants\.welcome\.events\.0\.country: expected this required field",
        write,
    )


def test_event_before_the_start_in_a_variant(write):
    event = {"month": "2020-01", "type": "join", "bloc": "tirana", "country": "BGR"}
    bad(
        lambda d: d["variants"]["welcome"].update(events=[event]),
        r"variants\.welcome\.events\.0\.month: expected a month not before",
        write,
    )


def test_override_replaced_by_a_set_event_in_the_first_month(write, tmp_path, scenario_data):
    data = dict(scenario_data)
    data["events"] = [
        *data["events"],
        {"month": data["start"], "type": "set", "path": "patrons.west.endorsement", "value": 0.0},
    ]
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(data, sort_keys=False))
    bad(lambda d: d.update(scenario=str(scenario)),
        r"variants\.welcome\.overrides\.patrons\.west\.endorsement: expected an override that "
        r"takes effect", write)  # fmt: skip


def test_bad_variant_name(write):
    bad(lambda d: d.update(variants={"has space": {}}), r"variants\.has space", write)


def test_scenario_and_model_together(write):
    bad(lambda d: d.update(model="mesa:Model", collect=["steps"]), r"scenario: expected either",
        write)  # fmt: skip


def test_unimportable_model(write):
    def change(d):
        d.pop("scenario")
        d.update(model="no_such_module:Model", collect=["x"], variants={})

    bad(change, r"model: expected an importable module:Class", write)


def test_unknown_model_parameter(write):
    def change(d):
        d.pop("scenario")
        d.update(model="mesa.examples.basic.boltzmann_wealth_model.model:BoltzmannWealth",
                 parameters={"n": 10, "widht": 3}, collect=["gini"], variants={})  # fmt: skip

    bad(change, r"parameters\.widht: expected a parameter of", write)


def test_model_variant_overrides_name_parameters(write):
    def change(d):
        d.pop("scenario")
        d.update(model="mesa.examples.basic.boltzmann_wealth_model.model:BoltzmannWealth",
                 parameters={"n": 10}, collect=["gini"],
                 variants={"big": {"overrides": {"m": 20}}})  # fmt: skip

    bad(change, r"variants\.big\.overrides\.m: expected one of the parameters \['n'\]", write)


BOLTZMANN = "mesa.examples.basic.boltzmann_wealth_model.model:BoltzmannWealth"


class SetsInStep(mesa.Model):
    """A model that creates its collected attribute in its first step (test-only)."""

    def __init__(self, fail: bool = False, rng=None) -> None:
        super().__init__(rng=rng)
        if fail:
            raise ValueError("cannot build with fail=True")

    def step(self) -> None:
        self.late = 1.0


def model_change(**fields):
    def change(d):
        d.pop("scenario")
        d.update(variants={}, **fields)

    return change


def test_a_collected_attribute_the_model_lacks_fails_at_load(write):
    error = bad(model_change(model=BOLTZMANN, parameters={"n": 10}, collect=["gini", "gni"]),
                r"collect\.1: expected an attribute of BoltzmannWealth \(did you mean 'gini'\?\)"
                r", found 'gni'", write)  # fmt: skip
    assert error.field == "collect.1"


def test_a_model_that_cannot_be_built_fails_at_load(write):
    bad(model_change(model="tests.experiment.test_spec:SetsInStep", parameters={"fail": True},
                     collect=["late"]),
        r"model: expected a model that builds .*cannot build with fail=True", write)  # fmt: skip


def test_an_attribute_set_in_the_first_step_is_collectable(write):
    path = write(model_change(model="tests.experiment.test_spec:SetsInStep", collect=["late"]))
    assert load_experiment(path).collect == ["late"]


def test_years_beyond_the_horizon(write):
    error = bad(lambda d: d.update(months=36, years=[1, 3, 5]),
                r"years: expected years that end within the horizon of 36 months \(at most 3\)",
                write)  # fmt: skip
    assert error.found == [1, 3, 5]
    assert load_experiment(write(lambda d: d.update(months=36, years=[1, 3]))).years == [1, 3]
    assert load_experiment(write(lambda d: d.update(months=72))).years == [1, 5]  # the default
    # a shorter horizon given when loading keeps the file's years that fit in it
    shipped = ROOT / "experiments" / "bulgaria_question.yaml"
    assert load_experiment(shipped, months=60).years == [1, 5]


def test_a_directory_is_not_an_experiment_file(tmp_path):
    with pytest.raises(NotAFileError, match=r"is a directory, expected an experiment YAML file"):
        load_experiment(tmp_path)
    assert issubclass(NotAFileError, IsADirectoryError)


@pytest.mark.parametrize("value", [float("inf"), "inf", "NaN", float("-inf")])
def test_a_non_finite_variant_override_is_refused_with_its_path(write, value):
    def change(d):
        d["variants"]["welcome"]["overrides"] = {"dynamics.tension.reaction": value}

    bad(change, r"variants\.welcome\.overrides\.dynamics\.tension\.reaction: "
        r"expected a finite number", write)  # fmt: skip


def test_a_non_finite_set_event_value_is_refused(write):
    def change(d):
        d["variants"]["welcome"]["events"] = [
            {"month": "2026-01", "type": "set", "path": "patrons.west.endorsement", "value": "inf"}
        ]

    bad(change, r"variants\.welcome\.events\.0\.value: expected a finite number", write)


def oat(parameters):
    return {"type": "oat", "parameters": parameters}


def test_a_one_at_a_time_design_starts_from_the_baseline_scenarios_values(write, scenario_data):
    """The centre is the scenario without the sweep: the West's endorsement as the file gives
    it (0.0), the crisis rate at its default (0.05); then each parameter's values alone."""
    assert scenario_data["patrons"]["west"]["endorsement"] == 0.0
    sweep = oat({"dynamics.crisis.rate": {"low": 0.01, "high": 0.3, "steps": 2},
                 "patrons.west.endorsement": {"low": -0.5, "high": 0.5, "steps": 2}})  # fmt: skip
    experiment = load_experiment(write(lambda d: d.update(sweep=sweep)))
    assert experiment.design.values.tolist() == [
        [0.05, 0.0],
        [0.01, 0.0],
        [0.3, 0.0],
        [0.05, -0.5],
        [0.05, 0.5],
    ]
    misspelt = oat({"dynamics.crisis.rat": {"low": 0.1, "high": 0.2, "steps": 2}})
    bad(lambda d: d.update(sweep=misspelt),
        r"sweep\.parameters\.dynamics\.crisis\.rat: expected an existing numeric parameter path",
        write)  # fmt: skip


def test_a_model_one_at_a_time_design_starts_from_its_parameters_or_defaults(write):
    """Centre: ``a`` from ``parameters:`` (1.5), ``b`` from the function's own default (2.0);
    a parameter with neither is refused, naming it."""
    model = "tests.experiment.plain_models:needs_a"
    sweep = oat({"a": {"low": 0, "high": 1, "steps": 2}, "b": {"low": 0, "high": 4, "steps": 2}})
    path = write(model_change(model=model, collect=["y"], parameters={"a": 1.5}, sweep=sweep))
    assert load_experiment(path).design.values.tolist() == [
        [1.5, 2.0],
        [0.0, 2.0],
        [1.0, 2.0],
        [1.5, 0.0],
        [1.5, 4.0],
    ]
    message = (
        r"sweep\.parameters\.a: expected a value in parameters: \(the centre of a "
        r"one-at-a-time design; tests\.experiment\.plain_models:needs_a has no default"
    )
    bad(model_change(model=model, collect=["y"], sweep=sweep), message, write)


def test_a_point_that_breaks_one_variant_names_the_variant_too(write):
    sweep = {"type": "grid", "parameters": {"patrons.russia.support": [0.5, 1.4]}}
    message = r"variants\.baseline at sweep\.points\.1\.patrons\.russia\.support: expected"
    bad(lambda d: d.update(sweep=sweep), message, write)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (model_change(model="tests.experiment.ishigami:ishigami", collect=["y"], engine="mesa"),
         r"engine: expected no engine for a model: experiment \(it runs the Mesa model one run "
         r"at a time\), found 'mesa'"),
        (model_change(model="tests.experiment.ishigami:ishigami", collect=["y"],
                      by=["2025-06"]),
         r"by: expected no calendar months for a model: experiment \(use collect\)"),
        (lambda d: d.pop("scenario"),
         r"scenario: expected a scenario file \(or a model: module:Class\), found 'nothing'"),
    ],
)  # fmt: skip
def test_settings_that_do_not_fit_the_kind_of_experiment_are_refused(write, change, match):
    bad(change, match, write)
