"""A fuzz of scenario and experiment files: mutated shipped trees never crash the loader.

Each example starts from a shipped file and makes one to three mutations: a number scaled (to
near-valid, negative or huge values), a value replaced (a wrong type, a non-finite number as a
float or a string, a huge or negative number, text with markup brackets, a nested structure),
or a key removed, added or renamed. It writes the tree as YAML and loads it. The loader must
either refuse it with the project's own error (an AllianceSimError, which the CLI prints as one
line with exit 2) or accept a configuration in which every number is finite. ``validate`` runs
on a smaller sample. Derandomised, so CI sees the same examples.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.errors import AllianceSimError
from sim.experiment.spec import load_experiment
from sim.model.world import compile_world
from sim.scenario.loading import load_scenario
from sim.scenario.reading import read_yaml
from sim.scenario.shipped import ROOT, default_scenario_path

FUZZ = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
SCENARIO_PATH = default_scenario_path()
SCENARIO = read_yaml(SCENARIO_PATH)
EXPERIMENTS = {  # the scenario by absolute path: the fuzzed file is written elsewhere
    name: {**read_yaml(ROOT / "experiments" / f"{name}.yaml"), "scenario": str(SCENARIO_PATH)}
    for name in ("bulgaria_question", "nato_stance", "sweep_russia_nato", "baseline_outlook")
}


class Plain(str):
    """Text written into the YAML as a plain (untagged, unquoted) scalar, e.g. ``1.0e+400``."""


class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's is ten times faster
    pass


Dumper.add_representer(Plain, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:float", str(text)))  # fmt: skip

NON_FINITE = [
    math.inf,
    -math.inf,
    math.nan,
    "inf",
    "-inf",
    "nan",
    "NaN",
    "Infinity",
    "+inf",
    "1e400",
    Plain("1.0e+400"),
    Plain("-1.0e+400"),
    Plain(".inf"),
    Plain(".nan"),
]
ODD = [None, True, False, "", " ", 0, -1, -1e-320, 1e308, 10**30, -(10**30), 2**63, 2**64 + 1,
       "[bold]x[/b]", "Serbia [/b]", "note [source: BIRN]", "[red]", "[/]", "🙂", "2026-13",
       "0000-00", "SRB-SRB", "a.b.c", [], {}, [[]], [None], {"": 1}, {"a": {"b": [1, "x"]}},
       ["SRB", "SRB"], "10^12"]  # fmt: skip
LEAVES = st.one_of(
    st.sampled_from(NON_FINITE + ODD),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=12),
)


def nested(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)


VALUES = st.recursive(LEAVES, nested, max_leaves=5)


def places(tree: Any, path: tuple = ()) -> list[tuple]:
    """Every path into a tree of dicts and lists (keys and list indices)."""
    found = [path]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += places(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += places(value, (*path, index))
    return found


SCALES = [0, -1, 0.5, 2, 10, 1e3, 1e6, 1e12, 1e300, -1e300]  # near-valid numbers, and huge ones


def mutate(tree: Any, data: st.DataObject) -> Any:
    """One mutation at a drawn place: scale a number, replace the value, or remove, add or
    rename a key."""
    path = data.draw(st.sampled_from(places(tree)[1:]), label="place")
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    action = data.draw(st.sampled_from(["scale", "scale", "replace", "remove", "add", "rename"]))
    number = isinstance(parent[last], int | float) and not isinstance(parent[last], bool)
    if action == "scale" and number:
        scaled = parent[last] * data.draw(st.sampled_from(SCALES), label="scale")
        parent[last] = round(scaled) if isinstance(parent[last], int) else scaled
    elif action in ("replace", "scale") or isinstance(parent, list):
        parent[last] = data.draw(VALUES, label="value")
    elif action == "remove":
        del parent[last]
    elif action == "add":
        parent[data.draw(st.text(min_size=1, max_size=8), label="key")] = data.draw(VALUES)
    else:
        parent[f"{last}x"] = parent.pop(last)
    return tree


def mutated(base: dict, data: st.DataObject, tmp_path: Path) -> Path:
    tree = copy.deepcopy(base)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        tree = mutate(tree, data)
    path = tmp_path / "fuzzed.yaml"
    path.write_text(yaml.dump(tree, Dumper=Dumper, allow_unicode=True), encoding="utf-8")
    return path


def non_finite(value: Any, where: str = "") -> str | None:
    """The dotted path of the first non-finite float in a loaded tree (None if there is none)."""
    if isinstance(value, float) and not math.isfinite(value):
        return where
    if isinstance(value, dict):
        value = value.items()
    elif isinstance(value, list | tuple):
        value = enumerate(value)
    else:
        return None
    for key, item in value:
        found = non_finite(item, f"{where}.{key}")
        if found is not None:
            return found
    return None


@FUZZ
@given(data=st.data())
def test_a_mutated_scenario_is_refused_clearly_or_loads_finite(data, tmp_path_factory):
    path = mutated(SCENARIO, data, tmp_path_factory.mktemp("fuzz"))
    try:
        scenario = load_scenario(path)
        world = compile_world(scenario)
    except AllianceSimError as err:
        event(f"refused: {type(err).__name__}")
        return
    event("accepted")
    assert non_finite(scenario.model_dump()) is None
    arrays = {name: value for name, value in vars(world).items() if hasattr(value, "dtype")}
    assert all(np.isfinite(a).all() for a in arrays.values() if a.dtype.kind == "f")


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(EXPERIMENTS)))
def test_a_mutated_experiment_is_refused_clearly_or_loads_finite(data, name, tmp_path_factory):
    path = mutated(EXPERIMENTS[name], data, tmp_path_factory.mktemp("fuzz"))
    try:
        experiment = load_experiment(path)
    except AllianceSimError as err:
        event(f"refused: {type(err).__name__}")
        return
    event("accepted")
    assert non_finite(experiment.model_dump()) is None
    if experiment.model is None:
        for variant, scenario in experiment.scenarios.items():
            assert non_finite(scenario.model_dump()) is None, variant


@settings(FUZZ, max_examples=10)
@given(data=st.data())
def test_validate_on_a_mutated_scenario_is_exit_0_or_one_clear_error(data, tmp_path_factory):
    path = mutated(SCENARIO, data, tmp_path_factory.mktemp("fuzz"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(path)])
    assert code in (0, 2), err.getvalue()
    if code == 2:
        message = " ".join(err.getvalue().split())
        assert message.startswith("error: ") and "fuzzed.yaml" in message
        assert "Traceback" not in message
