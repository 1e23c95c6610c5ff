"""Time the landscape analysis: full enumeration for n = 12, 16, 20 and restarts for n = 30.

Run: ``python bench/landscape.py [--repeat 3] [--restarts 10000]``. Prints the best wall time of
``--repeat`` runs on random symmetric landscapes (sizes uniform on [0.2, 3], propensities
standard normal; seeded, so every run times the same problems). Nothing is asserted: the test
suite checks correctness, this script measures speed.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

import numpy as np

from sim.landscape.energy import Landscape, LandscapeResult
from sim.landscape.search import enumerate_landscape, sample_landscape


def random_landscape(n: int, *, rng: np.random.Generator) -> Landscape:
    """A random symmetric landscape of ``n`` actors."""
    upper = np.triu(rng.normal(size=(n, n)), 1)
    return Landscape(tuple(f"a{i}" for i in range(n)), rng.uniform(0.2, 3.0, n), upper + upper.T)


def best_time(task: Callable[[], LandscapeResult], repeat: int) -> tuple[float, LandscapeResult]:
    """Best wall time of ``repeat`` calls, and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = task()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--restarts", type=int, default=10_000)
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"{'mode':<12}{'n':>4}{'starts':>10}{'minima':>8}{'best s':>10}")
    rng = np.random.default_rng(20250318)
    for n in (12, 16, 20):
        scape = random_landscape(n, rng=rng)
        seconds, result = best_time(lambda s=scape: enumerate_landscape(s), args.repeat)
        print(
            f"{'exhaustive':<12}{n:>4}{result.n_starts:>10}{len(result.minima):>8}{seconds:>10.3f}"
        )
    scape = random_landscape(30, rng=rng)
    seconds, result = best_time(
        lambda: sample_landscape(scape, restarts=args.restarts, rng=1), args.repeat
    )
    print(f"{'restarts':<12}{30:>4}{result.n_starts:>10}{len(result.minima):>8}{seconds:>10.3f}")


if __name__ == "__main__":
    main()
