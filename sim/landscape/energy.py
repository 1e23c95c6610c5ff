"""Axelrod and Bennett's landscape theory of aggregation: energy, local minima and basins.

Actors of sizes s_i with pairwise propensities p_ij split into two camps. A configuration X gives
each actor a camp; d_ij(X) is 1 when i and j are in different camps and 0 otherwise. An actor's
frustration is F_i(X) = sum_j s_j p_ij d_ij(X) and the energy of the configuration is

    E(X) = sum over ordered pairs (i, j), i != j, of s_i s_j p_ij d_ij(X) = sum_i s_i F_i(X),

so each cross-camp pair counts twice, as in the paper. Camps are unlabelled: X and the
configuration with every actor switched are the same split, so n actors have 2^(n-1)
configurations. Here a configuration is a 0/1 label per actor, made canonical by putting the first
actor in camp 0; configuration number ``c`` gives actor ``j >= 1`` the label of bit ``j - 1`` of
``c``.

Switching actor k changes the energy by dE_k = sum_j (w_kj + w_jk)(1 - 2 d_kj), with
w_ij = s_i s_j p_ij. With symmetric propensities dE_k = 2 s_k dF_k, so a switch that lowers the
actor's own frustration lowers the energy by the same sign: the landscape's local minima are the
configurations in which no actor wants to switch.

**Descent rule.** From a configuration, repeatedly apply the single-actor switch that lowers E the
most, until no switch lowers it by more than a rounding tolerance (``1e-10`` times the sum of
|w_ij|). Switches within that tolerance of the best one are ties, broken by actor order (the
first-listed actor switches). A configuration's descent ends at one local minimum; the **basin** of
a minimum is the share of all configurations whose descent ends there. Descent strictly lowers E,
so it never cycles.

Finding the minima and their basins (every configuration for n <= 20, sampled descents for more)
is in :mod:`sim.landscape.search`.

References
----------
Axelrod, R. and Bennett, D. S. (1993). A landscape theory of aggregation. British Journal of
Political Science 23(2), 211-233.

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from sim.errors import ConfigError

EXHAUSTIVE_LIMIT = 20
CHUNK_ROWS = 1 << 15
RELATIVE_TOLERANCE = 1e-10


@dataclass(frozen=True)
class Landscape:
    """Actors, their sizes and their symmetric propensities.

    Parameters
    ----------
    names : sequence of str, length n
        Actor names, in the order of every array.
    sizes : ndarray, shape (n,)
        Positive sizes s_i (any unit; energies scale with its square).
    propensity : ndarray, shape (n, n)
        Symmetric propensities p_ij with a zero diagonal.

    Raises
    ------
    ConfigError
        If there are fewer than two actors, names repeat, a size is not positive and finite, or
        the propensities are not a finite symmetric (n, n) matrix with a zero diagonal.
    """

    names: tuple[str, ...]
    sizes: np.ndarray
    propensity: np.ndarray

    def __post_init__(self) -> None:
        names = tuple(str(name) for name in self.names)
        sizes = np.asarray(self.sizes, dtype=float)
        propensity = np.asarray(self.propensity, dtype=float)
        n = len(names)
        if n < 2:
            raise ConfigError(None, "actors", "at least two actors", list(names))
        if len(set(names)) != n:
            raise ConfigError(None, "actors", "distinct actor names", list(names))
        if sizes.shape != (n,) or not np.all(np.isfinite(sizes)) or np.any(sizes <= 0):
            raise ConfigError(None, "sizes", f"{n} positive finite sizes", sizes.tolist())
        if propensity.shape != (n, n) or not np.all(np.isfinite(propensity)):
            raise ConfigError(None, "propensity", f"a finite {n}x{n} matrix", propensity.shape)
        if np.any(np.diag(propensity) != 0.0):
            raise ConfigError(None, "propensity", "a zero diagonal", np.diag(propensity).tolist())
        if not np.allclose(propensity, propensity.T, rtol=0.0, atol=1e-12):
            raise ConfigError(None, "propensity", "a symmetric matrix", propensity.tolist())
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "propensity", propensity)

    @property
    def n_actors(self) -> int:
        return len(self.names)

    @property
    def weights(self) -> np.ndarray:
        """w_ij = s_i s_j p_ij, shape (n, n)."""
        return self.sizes[:, None] * self.sizes[None, :] * self.propensity


@dataclass(frozen=True)
class Configuration:
    """A two-camp configuration: canonical labels (first actor in camp 0) and its energy."""

    labels: np.ndarray  # (n,) int8, 0 or 1
    energy: float
    local_minimum: bool


@dataclass(frozen=True)
class Minimum(Configuration):
    """A local minimum and its basin: the share of starts whose descent ends here."""

    local_minimum: bool = True
    basin_share: float = 0.0
    hits: int = 0  # configurations (exhaustive) or restarts (sampled) that end here


@dataclass(frozen=True)
class LandscapeResult:
    """What the analysis found: minima (lowest energy first) and the lowest configurations.

    ``method`` is ``"exhaustive"`` (every configuration; basin shares exact) or ``"restarts"``
    (descents from ``n_starts`` random configurations; shares are estimates and ``lowest`` lists
    the lowest minima found, which need not include the global minimum).
    """

    landscape: Landscape
    method: Literal["exhaustive", "restarts"]
    n_starts: int
    minima: tuple[Minimum, ...]
    lowest: tuple[Configuration, ...]
    notes: dict[str, object] = field(default_factory=dict)

    def camps(self, labels: np.ndarray) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Actor names in camp 0 (the first actor's) and camp 1 (possibly empty)."""
        return camps_of(self.landscape.names, labels)


def camps_of(names: Sequence[str], labels: np.ndarray) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split names by 0/1 labels into (the first actor's camp, the other camp)."""
    labels = np.asarray(labels) != np.asarray(labels)[0]
    return (
        tuple(name for name, other in zip(names, labels, strict=True) if not other),
        tuple(name for name, other in zip(names, labels, strict=True) if other),
    )


# --- energy and frustration -----------------------------------------------------------------------


def frustration(sizes: np.ndarray, propensity: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each actor's frustration F_i = sum_j s_j p_ij d_ij.

    Parameters
    ----------
    sizes : ndarray, shape (n,)
    propensity : ndarray, shape (n, n)
    labels : ndarray, shape (n,) or (m, n)
        Camp labels 0/1 of one or m configurations.

    Returns
    -------
    ndarray, shape (n,) or (m, n)

    References
    ----------
    Axelrod & Bennett (1993), equation 1.

    Examples
    --------
    >>> frustration(np.array([1.0, 2.0, 3.0]), np.ones((3, 3)) - np.eye(3), np.array([0, 0, 1]))
    array([3., 3., 3.])
    """
    x = np.asarray(labels, dtype=float)
    q = np.asarray(propensity, dtype=float) * np.asarray(sizes, dtype=float)[None, :]
    y = x @ q.T  # sum_j s_j p_ij x_j
    return x * q.sum(axis=1) + y - 2.0 * x * y


def energy(sizes: np.ndarray, propensity: np.ndarray, labels: np.ndarray) -> np.ndarray | float:
    """Energy E = sum over ordered pairs i != j of s_i s_j p_ij d_ij = sum_i s_i F_i.

    Parameters
    ----------
    sizes : ndarray, shape (n,)
    propensity : ndarray, shape (n, n)
    labels : ndarray, shape (n,) or (m, n)

    Returns
    -------
    float or ndarray, shape (m,)

    References
    ----------
    Axelrod & Bennett (1993), equation 2 (each cross-camp pair counted twice).

    Examples
    --------
    >>> energy(np.array([1.0, 2.0, 3.0]), np.ones((3, 3)) - np.eye(3), np.array([0, 0, 1]))
    18.0
    """
    x = np.asarray(labels, dtype=float)
    w = weights(sizes, propensity)
    symmetric = w + w.T
    y = x @ symmetric  # x^T (W + W^T) x = 2 x^T W x
    result = (x * (symmetric.sum(axis=1) - y)).sum(axis=-1)
    return float(result) if result.ndim == 0 else result


def switch_gains(sizes: np.ndarray, propensity: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Change of energy dE_k when actor k alone switches camp, shape (n,) or (m, n).

    dE_k = sum_j (w_kj + w_jk)(1 - 2 d_kj); with symmetric propensities dE_k = 2 s_k dF_k, where
    dF_k is the change of k's own frustration.

    References
    ----------
    Axelrod & Bennett (1993), section on the dynamics of the landscape.
    """
    x = np.asarray(labels, dtype=float)
    w = weights(sizes, propensity)
    symmetric = w + w.T
    total = symmetric.sum(axis=1)
    y = x @ symmetric
    return total - 2.0 * (x * total + y - 2.0 * x * y)


def weights(sizes: np.ndarray, propensity: np.ndarray) -> np.ndarray:
    """w_ij = s_i s_j p_ij with a zero diagonal, shape (n, n)."""
    s = np.asarray(sizes, dtype=float)
    w = s[:, None] * s[None, :] * np.asarray(propensity, dtype=float)
    np.fill_diagonal(w, 0.0)
    return w


def tolerance(sizes: np.ndarray, propensity: np.ndarray) -> float:
    """Energy changes smaller than this are rounding: ``1e-10`` times the sum of |w_ij|."""
    return RELATIVE_TOLERANCE * max(float(np.abs(weights(sizes, propensity)).sum()), 1e-300)


def best_switch(gains: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """The descent rule on rows of ``switch_gains``: (actor to switch, whether any lowers E).

    The actor is the first (in actor order) whose gain is within ``tol`` of the lowest gain; a
    row moves only if that gain is below ``-tol``.
    """
    lowest = gains.min(axis=-1, keepdims=True)
    actor = np.argmax(gains <= lowest + tol, axis=-1)
    return actor, lowest[..., 0] < -tol


# --- configurations -------------------------------------------------------------------------------


def configuration_labels(index: np.ndarray, n: int) -> np.ndarray:
    """Canonical labels of configuration numbers ``index``, shape (len(index), n), int8.

    Actor 0 is in camp 0; actor j >= 1 has the label of bit j - 1 of the number.

    Examples
    --------
    >>> configuration_labels(np.array([0, 1, 2, 3]), 3).tolist()
    [[0, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 1]]
    """
    index = np.asarray(index, dtype=np.int64)
    bits = (index[:, None] >> np.arange(n - 1, dtype=np.int64)[None, :]) & 1
    return np.concatenate([np.zeros((len(index), 1), dtype=np.int8), bits.astype(np.int8)], axis=1)


def configuration_index(labels: np.ndarray) -> np.ndarray:
    """Configuration numbers of label rows (either camp labelling), shape (m,)."""
    labels = canonical(np.atleast_2d(labels)).astype(np.int64)
    powers = np.int64(1) << np.arange(labels.shape[1] - 1, dtype=np.int64)
    return labels[:, 1:] @ powers


def canonical(labels: np.ndarray) -> np.ndarray:
    """Relabel rows so the first actor is in camp 0 (the same split), int8."""
    labels = np.asarray(labels, dtype=np.int8)
    return labels ^ labels[..., :1]


def descend(sizes: np.ndarray, propensity: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Run the descent rule from each row of ``labels`` to a local minimum.

    Parameters
    ----------
    sizes : ndarray, shape (n,)
    propensity : ndarray, shape (n, n)
        Symmetric propensities.
    labels : ndarray, shape (m, n)
        Starting configurations (0/1 labels; either camp labelling).

    Returns
    -------
    ndarray, shape (m, n), int8
        Canonical labels of the minima reached.

    References
    ----------
    Axelrod & Bennett (1993): actors switch sides when that lowers their frustration.
    """
    current = canonical(np.atleast_2d(labels)).copy()
    tol = tolerance(sizes, propensity)
    active = np.arange(len(current))
    while active.size:
        actor, moves = best_switch(switch_gains(sizes, propensity, current[active]), tol)
        active, actor = active[moves], actor[moves]
        current[active, actor] ^= 1
        current[active] = canonical(current[active])
    return current
