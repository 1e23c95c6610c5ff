"""Checks of a generic Mesa model named in an experiment, on small model classes defined here."""

from __future__ import annotations

import mesa
import pytest

from sim.errors import ConfigError
from sim.experiment.mesa_models import check_model, has_attribute

HERE = "tests.experiment.test_mesa_model_checks"


class Counter(mesa.Model):
    """Counts its steps; ``late`` exists only after the first step; ``broken`` raises."""

    def __init__(self, start: int = 0, *, rng=None) -> None:
        super().__init__(rng=rng)
        self.count = start

    def step(self) -> None:
        self.count += 1
        self.late = self.count

    @property
    def broken(self) -> float:
        raise ValueError("not yet")


class Stumbles(Counter):
    def step(self) -> None:
        raise RuntimeError("cannot step")


class NoRng:
    def __init__(self, size: int = 1) -> None:
        self.size = size


def no_rng() -> None:
    """A function model must take rng= (it is called once per run with the run's seed)."""


NOT_A_MODEL = 3  # neither a class nor a function


def check(target, parameters=None, collect=("count",), steps=10):
    check_model(f"{HERE}:{target}", parameters or {}, list(collect), steps, None)


def test_a_good_model_passes_and_late_attributes_are_found_after_one_step():
    check("Counter", {"start": 3}, ("count", "late", "broken"))


@pytest.mark.parametrize(
    ("target", "parameters", "collect", "steps", "message"),
    [
        ("no_rng", {}, ("count",), 10, "model: expected a function taking rng="),
        ("NOT_A_MODEL", {}, ("count",), 10, "model: expected a class or a function"),
        ("Counter", {}, (), 10, "collect: expected at least one attribute name"),
        ("NoRng", {}, ("size",), 10, "a Mesa model class taking rng= or scenario="),
        ("Counter", {"stop": 1}, ("count",), 10, r"parameters\.stop: expected a parameter of"),
        ("Stumbles", {}, ("late",), 10, "a model whose first step runs.*cannot step"),
        ("Counter", {}, ("late",), 0, r"collect\.0: expected an attribute of Counter"),
        ("Counter", {}, ("cont",), 10, "did you mean 'count'"),
    ],
)
def test_a_model_that_cannot_run_as_configured_is_refused(
    target, parameters, collect, steps, message
):
    with pytest.raises(ConfigError, match=message):
        check(target, parameters, collect, steps)


def test_has_attribute_counts_one_that_raises_as_present():
    model = Counter(rng=0)
    assert has_attribute(model, "broken")
    assert not has_attribute(model, "late")
