"""Why a country would or would not join: the terms of its utility of membership (U1).

An analyst sizing a judgement value (a domestic cost, a neutrality cost) needs the motives it
weighs against. :func:`start_utilities` splits each outsider's utility of joining each bloc at
the start into its terms, each computed by the model's own :func:`~sim.model.state.derive`
with the other terms' weights set to zero, so the split cannot drift from the equations.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from sim.model import phases
from sim.model.draws import FIELDS, Draws, draw_runs, generators_for
from sim.model.state import RunState, derive
from sim.model.world import World

WEIGHTS = {
    "frustration": "accession.frustration_weight",  # w_F dF_iB: affinity gained less lost (P6)
    "security": "accession.security_weight",  # w_S (1 - nu g_i) security_iB (U2)
    "endorsement": "accession.endorsement_weight",  # the patrons' stances heeded
}


def start_utilities(world: World) -> pd.DataFrame:
    """Each outsider's utility of joining each bloc after the start month, term by term (U1).

    The state is the one after the start month, run with its events but without noise or
    chance (every normal draw 0, every uniform 1: no chance join, exit or crisis), so the
    numbers are what a government weighs as the scenario opens, the same on every machine.
    Returns one row per country and bloc active then that the country is not a member of:
    ``frustration``, ``security`` and ``endorsement`` (the motives), ``cost`` (domestic cost
    plus, for a neutral country, its cost of leaving neutrality, N1), ``utility`` = the motives
    less the cost, and ``admissible`` (eligible, not vetoed, the bloc open, and not neutral by
    law).
    """
    state = RunState.initial(world)
    draws = draw_runs(generators_for([0]), 1, world.n_countries, world.n_blocs,
                      process=world.has_process)  # fmt: skip
    normals = {"alignment", "tension", "politics", "depth"}
    quiet = Draws(*(None if (a := getattr(draws, name)) is None else
                    np.zeros_like(a) if name in normals else np.ones_like(a)
                    for name in FIELDS))  # fmt: skip
    derived, changes = phases.plan(state, world, 0, quiet.month(0))
    phases.commit(state, world, derived, changes)
    derived = derive(state, world)

    def utility_with(weights: tuple[str, ...]) -> np.ndarray:
        """The utility with only the motives ``weights`` names, (n, B)."""
        zeroed = {key: np.zeros(1) for key in WEIGHTS.values() if key not in weights}
        changed = dataclasses.replace(state, params={**state.params, **zeroed})
        return derive(changed, world).utility[0]

    cost = -utility_with(())
    terms = {term: utility_with((key,)) + cost for term, key in WEIGHTS.items()}
    terms["cost"] = cost
    utility = derived.utility[0]
    rows = []
    for slot, bloc in enumerate(world.blocs):
        if not state.active[0, slot]:
            continue
        for i, code in enumerate(world.codes):
            if state.member[0, i] == slot:
                continue
            row = {"country": code, "bloc": bloc.name}
            row |= {term: float(values[i, slot]) for term, values in terms.items()}
            row["utility"] = float(utility[i, slot])
            barred = state.neutral[0, i] > 0 and world.neutral_by_law[0, i]  # N1: by law
            row["admissible"] = bool(derived.admissible[0, i, slot]) and not barred
            rows.append(row)
    return pd.DataFrame(rows)
