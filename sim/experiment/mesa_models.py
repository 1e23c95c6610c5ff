"""Generic Mesa models in experiments: import the class, check it, build one run's model.

An experiment may name any Mesa model class (``model: "package.module:Class"``) instead of a
scenario. The runner builds it with each run's seed, as ``Class(**parameters, rng=seed)`` or,
for Mesa 3.5's scenario-style models, ``Class(scenario=S(rng=seed, **parameters))``, steps it and
reads the ``collect`` attributes. :func:`check_model` checks all of that when the experiment is
loaded, building the model once, so that a typo fails in a second.

A plain function works too (``model: "package.module:function"``): it is called as
``function(**parameters, rng=seed)`` once per run and returns a mapping of outcomes, from which
``collect`` names the ones to record; a test function such as Ishigami's is a model this way.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.errors import ConfigError


def import_model(target: str) -> type:
    """The class named by ``"package.module:Class"``; ImportError/AttributeError if absent."""
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def check_model(
    target: str,
    parameters: Mapping[str, Any],
    collect: Sequence[str],
    steps: int,
    file: str | Path | None,
) -> None:
    """Check that the model class imports, takes ``rng=`` or ``scenario=``, and its parameters."""
    try:
        cls = import_model(target)
    except (ImportError, AttributeError) as err:
        raise ConfigError(file, "model", "an importable module:Class", f"{target} "
                          f"({type(err).__name__}: {err})") from None  # fmt: skip
    if not collect:
        raise ConfigError(file, "collect", "at least one attribute name to record", [])
    if is_function(cls):
        check_function(cls, target, parameters, collect, file)
        return
    if not isinstance(cls, type):
        raise ConfigError(file, "model", "a class or a function", target)
    try:
        known = model_parameter_names(cls)
    except (TypeError, ValueError) as err:  # ValueError: no signature (a builtin)
        raise ConfigError(file, "model", "a Mesa model class taking rng= or scenario=",
                          str(err)) from None  # fmt: skip
    if known is not None:
        for key in parameters:
            if key not in known:
                raise ConfigError(
                    file, f"parameters.{key}", f"a parameter of {target} {sorted(known)}", key
                )
    check_collect(cls, parameters, collect, steps, file)


def check_collect(
    cls: type,
    parameters: Mapping[str, Any],
    collect: Sequence[str],
    steps: int,
    file: str | Path | None,
) -> None:
    """Build the model once (seed 0, the base parameters) and check that it has every
    attribute that ``collect`` names, stepping it once if one is still missing (some models
    set attributes in ``step``).

    Raises
    ------
    ConfigError
        ``model`` if the model cannot be built or stepped, ``collect.<i>`` naming the first
        missing attribute (with the closest existing name, if any).
    """
    try:
        model = build_model(cls, dict(parameters), 0)
    except Exception as err:
        raise ConfigError(file, "model", "a model that builds with the parameters and rng=0",
                          f"{type(err).__name__}: {err}") from None  # fmt: skip
    missing = [name for name in collect if not has_attribute(model, name)]
    if missing and steps >= 1:
        try:
            model.step()
        except Exception as err:
            raise ConfigError(file, "model", "a model whose first step runs (with rng=0)",
                              f"{type(err).__name__}: {err}") from None  # fmt: skip
    for index, name in enumerate(collect):
        if name in missing and not has_attribute(model, name):
            names = [n for n in dir(model) if not n.startswith("_")]
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(file, f"collect.{index}",
                              f"an attribute of {cls.__name__}{hint}", name)  # fmt: skip


def is_function(target: Any) -> bool:
    """Whether a model target is a plain function (called once per run) rather than a class."""
    return inspect.isfunction(target)


def check_function(
    function: Any, target: str, parameters: Mapping[str, Any], collect: Sequence[str],
    file: str | Path | None,
) -> None:  # fmt: skip
    """Call a function model once (rng=0, the base parameters) and check what it returns."""
    known = accepted_parameters(target)
    if known is not None and "rng" not in inspect.signature(function).parameters:
        raise ConfigError(file, "model", "a function taking rng=", target)
    for key in parameters:
        if known is not None and key not in known:
            raise ConfigError(file, f"parameters.{key}", f"a parameter of {target} "
                              f"{sorted(known)}", key)  # fmt: skip
    try:
        found = function(**parameters, rng=0)
    except TypeError:  # a swept parameter without a default: checked when the points run
        return
    if not isinstance(found, Mapping):
        raise ConfigError(file, "model", "a function returning a mapping of outcomes",
                          type(found).__name__)  # fmt: skip
    for index, name in enumerate(collect):
        if name not in found:
            raise ConfigError(file, f"collect.{index}", f"an outcome {target} returns "
                              f"{sorted(found)}", name)  # fmt: skip


def accepted_parameters(target: str) -> set[str] | None:
    """Names a model class or function accepts as parameters; None if any (``**kwargs``)."""
    found = import_model(target)
    if not is_function(found):
        return model_parameter_names(found)
    params = inspect.signature(found).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return None
    return {name for name in params if name != "rng"}


def parameter_defaults(target: str) -> dict[str, Any]:
    """The default value of each parameter of a model class or function that has one (a
    scenario-style model: its scenario class's defaults)."""
    found = import_model(target)
    params = inspect.signature(found).parameters
    if not is_function(found) and not takes_rng(found) and "scenario" in params:
        return dict(getattr(scenario_class(found), "_scenario_defaults", {}))
    return {name: p.default for name, p in params.items()
            if name != "rng" and p.default is not inspect.Parameter.empty}  # fmt: skip


def has_attribute(model: Any, name: str) -> bool:
    """Whether reading the attribute works or fails for another reason than its absence."""
    try:
        getattr(model, name)
    except AttributeError:
        return False
    except Exception:  # it exists; a run that reads it will report the error
        return True
    return True


def takes_rng(cls: type) -> bool:
    """Whether the constructor accepts ``rng=`` (explicitly or through ``**kwargs``)."""
    params = inspect.signature(cls).parameters.values()
    return any(p.name == "rng" or p.kind is p.VAR_KEYWORD for p in params)


def scenario_class(cls: type) -> type:
    """The Mesa scenario class of a scenario-style model (Mesa >= 3.5).

    The one :class:`mesa.experimental.scenarios.Scenario` subclass defined in the model's module,
    or the generic ``Scenario`` (which accepts any parameters) if there is none or several.
    """
    from mesa.experimental.scenarios import Scenario

    module = inspect.getmodule(cls)
    found = [
        value for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Scenario) and value is not Scenario
        and value.__module__ == module.__name__
    ]  # fmt: skip
    return found[0] if len(found) == 1 else Scenario


def model_parameter_names(cls: type) -> set[str] | None:
    """Names the model accepts as parameters; None if it takes any (``**kwargs``)."""
    params = inspect.signature(cls).parameters
    if takes_rng(cls):
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):
            return None
        return {name for name in params if name != "rng"}
    if "scenario" in params:
        scenario = scenario_class(cls)
        defaults = getattr(scenario, "_scenario_defaults", {})
        return set(defaults) if defaults else None
    raise TypeError(f"{cls.__name__} takes neither rng= nor scenario=")


def build_model(cls: type, parameters: dict[str, Any], seed: int) -> Any:
    """``cls(**parameters, rng=seed)``, or ``cls(scenario=Scenario(rng=seed, **parameters))``."""
    if takes_rng(cls):
        return cls(**parameters, rng=seed)
    return cls(scenario=scenario_class(cls)(rng=seed, **parameters))
