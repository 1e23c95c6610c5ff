"""Mutation testing of the model's equations, the statistics and the results store.

A measured figure, not a CI gate. Two modes:

``python bench/mutation.py``
    Runs mutmut (3.x; configured in pyproject.toml, ``[tool.mutmut]``: which modules are mutated
    and which tests run) and prints the mutation score per module: killed / (mutants - reviewed
    equivalents). Mutants listed in ``bench/mutation_equivalent.txt`` (one name per line, ``#``
    and a reason after it) were reviewed and found equivalent: no test could tell them apart
    from the original. ``--report`` prints the table of the last run without running again;
    ``--survivors`` also lists every surviving mutant (``mutmut show NAME`` shows its diff).
    Needs ``pip install -e ".[mutation]"``. Takes tens of minutes: run it in the background;
    ``--only 'sim.model.dynamics*'`` (mutmut's mutant names, with wildcards) runs a part.

``python bench/mutation.py --known [TESTS...]``
    Puts each of the plausible one-line bugs of the test-strength review (a missing /2 in the
    tension reaction, a flipped exit-margin sign, colliding seeds, ...) into a copy of the
    package, runs the tests written to catch them (or TESTS), and prints whether a test caught
    it. Every one must be KILLED.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "bench" / "mutation_equivalent.txt"
SAMPLE = ROOT / "mutants" / "sample.json"

# name, file, original text, bug: the one-line bugs that once survived every test.
KNOWN = [
    ("tension reaction without /2", "sim/model/dynamics.py",
     "updated *= per_run(reaction, 3) / 2.0", "updated *= per_run(reaction, 3)"),
    ("exit-margin sign flipped", "sim/model/phases.py",
     "(utility < -dynamics.per_run(", "(utility < dynamics.per_run("),
    ("seeds collide between design points", "sim/experiment/seeds.py",
     "else (design_point, replication)", "else (design_point + replication,)"),
    ("resume skips the scenario hash", "sim/experiment/manifest.py",
     'for key in ("experiment_sha256", "scenario_sha256"):', 'for key in ("experiment_sha256",):'),
    ("join month keeps the last entry", "sim/model/outcomes.py",
     "np.where(entered & np.isnan(self.join_month), step", "np.where(entered, step"),
    ("Kaplan-Meier censors one month late", "sim/analysis/survival.py",
     "right=horizons[~happened])", "right=horizons[~happened] + 1.0)"),
    ("opinion pull ignores p_ij > 0", "sim/model/dynamics.py",
     "    listens &= propensity_matrix > 0.0\n", ""),
    ("security gain counts the member's own size", "sim/model/dynamics.py",
     "others = bloc_size[:, None, :] - size[:, :, None] * in_bloc.transpose(0, 2, 1)",
     "others = bloc_size[:, None, :] + 0 * in_bloc.transpose(0, 2, 1)"),
    ("landscape tolerance 1e-4", "sim/landscape/energy.py",
     "RELATIVE_TOLERANCE = 1e-10", "RELATIVE_TOLERANCE = 1e-4"),
    ("crisis hazard sign flipped", "sim/model/dynamics.py",
     "(tension - per_run(threshold, tension.ndim))",
     "(per_run(threshold, tension.ndim) - tension)"),
]  # fmt: skip

# The tests written to catch them (fast); ``--known TESTS...`` runs others instead.
KNOWN_TESTS = [
    "tests/model/test_equations_by_hand.py",
    "tests/model/test_bookkeeping.py",
    "tests/test_golden.py",
    "tests/analysis/test_survival_by_hand.py",
    "tests/experiment/test_resume_identity.py",
    "tests/landscape/test_energy_tolerance.py",
]

STATUS = {0: "survived", 1: "killed", 3: "killed", 5: "no tests", 33: "no tests",
          34: "skipped", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout",
          255: "timeout", -9: "segfault", -11: "segfault", None: "not checked"}  # fmt: skip


def run_known(tests: list[str]) -> int:
    """Apply each known bug to a copy of the repository and run ``tests`` there."""
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for name, path, original, bug in KNOWN:
            copy = Path(scratch) / "repo"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
                ".venv", ".git", "__pycache__", ".hypothesis", "mutants", "results"))  # fmt: skip
            source = copy / path
            text = source.read_text()
            if text.count(original) != 1:
                print(f"{name:45s} NOT APPLIED (the line changed: update KNOWN)")
                failures += 1
                continue
            source.write_text(text.replace(original, bug))
            start = time.perf_counter()
            # python -m puts the copy first on sys.path, so the mutated package is imported
            result = subprocess.run(
                [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                cwd=copy, capture_output=True, text=True,
            )  # fmt: skip
            seconds = time.perf_counter() - start
            caught = [line.split(" ")[1] for line in result.stdout.splitlines()
                      if line.startswith("FAILED")]  # fmt: skip
            verdict = "KILLED" if result.returncode == 1 and caught else "SURVIVED"
            failures += verdict != "KILLED"
            print(f"{name:45s} {verdict:8s} {seconds:5.0f} s  {caught[0] if caught else ''}")
    print(f"\n{len(KNOWN) - failures} of {len(KNOWN)} known bugs killed")
    return 1 if failures else 0


def equivalents() -> dict[str, str]:
    """Reviewed equivalent mutants: name -> reason."""
    if not EQUIVALENT.is_file():
        return {}
    result = {}
    for line in EQUIVALENT.read_text().splitlines():
        name, _, reason = line.partition("#")
        if name.strip():
            result[name.strip()] = reason.strip()
    return result


def results() -> dict[str, dict[str, str]]:
    """Status of every mutant of the last run, by source file."""
    by_file: dict[str, dict[str, str]] = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        source = meta.relative_to(ROOT / "mutants").as_posix().removesuffix(".meta")
        by_file[source] = {name: STATUS.get(code, "suspicious") for name, code in codes.items()}
    return by_file


def report(show_survivors: bool) -> int:
    """Print the score per module; return 1 if no results are there.

    The score is killed / (checked - reviewed equivalents); mutants the run has not reached yet
    (an interrupted or still running ``mutmut run``) are counted apart, not as survivors.
    """
    by_file = results()
    if not by_file:
        print("no mutmut results: run `python bench/mutation.py` first")
        return 1
    reviewed = equivalents()
    header = (
        f"{'module':28s} {'mutants':>7s} {'checked':>7s} {'killed':>6s} {'equiv.':>6s} "
        f"{'alive':>5s} {'score':>6s}"
    )
    print(header)
    print("-" * len(header))
    totals: Counter = Counter()
    alive_names = []
    for source, statuses in by_file.items():
        counts = tally(statuses, reviewed)
        alive_names += [(n, s) for n, s in statuses.items() if verdict(n, s, reviewed) == "alive"]
        totals.update(counts)
        print(row(source, counts))
    print("-" * len(header))
    print(row("all", totals))
    if totals["unchecked"]:
        print(f"\n{totals['unchecked']} mutants not checked yet (the run is incomplete): the score "
              "is over the checked ones")  # fmt: skip
    stale = sorted(set(reviewed) - {n for s in by_file.values() for n in s})
    if stale:
        print(f"\n{len(stale)} reviewed equivalents are no longer mutants (code changed): "
              + ", ".join(stale[:5]) + (" ..." if len(stale) > 5 else ""))  # fmt: skip
    if show_survivors and alive_names:
        print("\nsurvivors (mutmut show NAME):")
        for name, status in alive_names:
            print(f"  {name}  [{status}]")
    return 0


def verdict(name: str, status: str, reviewed: dict[str, str]) -> str:
    """How a mutant counts in the score: unchecked, killed, equivalent or alive."""
    if status == "not checked":
        return "unchecked"
    if status in ("killed", "timeout"):
        return "killed"
    return "equivalent" if name in reviewed else "alive"


def tally(statuses: dict[str, str], reviewed: dict[str, str]) -> Counter:
    """The counts of :func:`row` for mutants' statuses (name -> status)."""
    counts = Counter(verdict(name, status, reviewed) for name, status in statuses.items())
    counts["mutants"] = len(statuses)
    return counts


def draw_sample(size: int, seed: int, patterns: list[str]) -> dict[str, list[str]]:
    """``size`` mutant names per module, drawn without replacement (all of a smaller module),
    from the modules with a mutant matching ``patterns`` (all when empty)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    sample = {}
    for source, statuses in results().items():
        names = sorted(n for n in statuses
                       if not patterns or any(fnmatch.fnmatch(n, p) for p in patterns))  # fmt: skip
        if names:
            chosen = rng.choice(len(names), size=min(size, len(names)), replace=False)
            sample[source] = sorted(names[k] for k in chosen)
    return sample


def report_sample(sample: dict[str, list[str]]) -> None:
    """The sampled score per module, killed / (checked - equivalent), with a 95% Wilson
    interval (scipy): the sample stands for the module's mutants."""
    from scipy.stats import binomtest

    by_file, reviewed = results(), equivalents()
    print("\nsampled mutants (mutants/sample.json):")
    print(f"{'module':28s} {'sampled':>7s} {'checked':>7s} {'killed':>6s} {'equiv.':>6s} "
          f"{'alive':>5s} {'score':>6s}  95% interval")  # fmt: skip
    for source, names in sample.items():
        statuses = by_file.get(source, {})
        counts = tally({name: statuses.get(name, "not checked") for name in names}, reviewed)
        considered = counts["mutants"] - counts["unchecked"] - counts["equivalent"]
        interval = ""
        if considered:
            ci = binomtest(counts["killed"], considered).proportion_ci(0.95, method="wilson")
            interval = f"  {ci.low:.1%} - {ci.high:.1%}"
        print(row(source, counts) + interval)


def row(label: str, counts: Counter) -> str:
    checked = counts["mutants"] - counts["unchecked"]
    considered = checked - counts["equivalent"]
    score = counts["killed"] / considered if considered else float("nan")
    return (f"{label:28s} {counts['mutants']:7d} {checked:7d} {counts['killed']:6d} "
            f"{counts['equivalent']:6d} {counts['alive']:5d} {score:6.1%}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--known", action="store_true", help="check the known one-line bugs")
    parser.add_argument("tests", nargs="*", help="with --known: the tests to run")
    parser.add_argument("--report", action="store_true", help="only print the last run's score")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutmut workers")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="check N mutants drawn at random from each module")  # fmt: skip
    parser.add_argument("--seed", type=int, default=2026, help="seed of the --sample draw")
    parser.add_argument("--only", nargs="+", default=[], metavar="PATTERN",
                        help="mutate only the mutants matching these patterns, e.g. "
                             "'sim.model.dynamics*' (mutmut's names, fnmatch)")  # fmt: skip
    args = parser.parse_args()
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    if args.known:
        return run_known(args.tests or KNOWN_TESTS)
    if not args.report:
        print(f"mutating {', '.join(settings['only_mutate'])}", flush=True)
        start = time.perf_counter()
        mutmut = Path(sys.executable).with_name("mutmut")
        names = args.only
        if args.sample:
            # a run that matches no mutant generates them all (and the tests' coverage), then
            # stops on mutmut's "nothing matches" assertion (silenced): the sample is drawn
            # from their names
            subprocess.run([str(mutmut), "run", "no-such-mutant"], cwd=ROOT, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            sample = draw_sample(args.sample, args.seed, args.only)
            SAMPLE.write_text(json.dumps(sample, indent=1))
            names = [name for chosen in sample.values() for name in chosen]
            print(f"checking a sample of {len(names)} mutants (seed {args.seed})", flush=True)
        subprocess.run([str(mutmut), "run", "--max-children", str(args.max_children), *names],
                       cwd=ROOT, check=False, stdout=subprocess.DEVNULL)  # fmt: skip
        print(f"mutmut took {time.perf_counter() - start:.0f} s\n")
    status = report(args.survivors)
    if SAMPLE.is_file():
        report_sample(json.loads(SAMPLE.read_text()))
    return status


if __name__ == "__main__":
    sys.exit(main())
