"""The ``alliance-sim`` command line: a thin layer over the library, one function per command.

The commands live in modules of one concern each: :mod:`~sim.cli.scenarios` (validate,
simulate, patterns, landscape), :mod:`~sim.cli.experiments` (run), :mod:`~sim.cli.results`
(sensitivity, discover, summarize, plot, report) and :mod:`~sim.cli.shipped` (examples, init);
:mod:`~sim.cli.common` holds what they share. Here the typer app registers them in the order
``--help`` lists them, and :func:`main` turns a user mistake into one line and exit status 2.
"""

from __future__ import annotations

import signal

import typer
from rich.console import Console
from rich.markup import escape

from sim.cli import experiments, results, scenarios, shipped
from sim.errors import AllianceSimError

app = typer.Typer(
    name="alliance-sim",
    help=(
        "Simulate how regional security pacts grow, stall or provoke.\n\n"
        "A scenario file (scenarios/*.yaml) describes countries, relations, blocs, outside "
        "patrons and dated events; an experiment file (experiments/*.yaml) says which variants "
        "to run and how often. Shipped files are named without a folder (`alliance-sim "
        "examples` lists them; `alliance-sim init DIR` copies them for editing). A typical "
        "session:\n\n"
        "  alliance-sim validate western_balkans_2025   (what the scenario holds)"
        "\n\n"
        "  alliance-sim simulate western_balkans_2025 --seed 7   (one history)"
        "\n\n"
        "  alliance-sim run bulgaria_question   (probabilities over many runs)"
        "\n\n"
        "  alliance-sim landscape western_balkans_2025   (stable camps)\n\n"
        "Every value of a scenario has a dotted path (countries.SRB.alignment, "
        "patrons.west.endorsement, dynamics.tension.decay) that --set, variants and sweeps use. "
        "Docs: docs/MODEL.md, docs/configuration.md, docs/experiments.md, docs/landscape.md."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMANDS = [
    scenarios.validate,
    scenarios.simulate,
    scenarios.patterns,
    scenarios.landscape,
    experiments.run,
    results.sensitivity,
    results.discover,
    results.summarize,
    results.plot,
    results.report,
    shipped.examples,
    shipped.init,
]
for command in COMMANDS:
    app.command()(command)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a user mistake prints one clear message and returns a non-zero status.

    SIGTERM (``kill``, a job scheduler's stop) is treated as Ctrl-C: a run saves its manifest
    and says how to resume it.
    """
    previous = install_sigterm_as_interrupt()
    try:
        app(args=argv, prog_name="alliance-sim")
    except SystemExit as done:  # typer's normal way out, also for --help and usage errors
        return int(done.code or 0)
    except AllianceSimError as err:
        Console(stderr=True).print(f"[red]error:[/red] {escape(str(err))}", highlight=False,
                                   soft_wrap=True)  # fmt: skip
        return 2
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted")
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


def install_sigterm_as_interrupt():
    """Make SIGTERM raise KeyboardInterrupt; return the handler it replaced (None if it could
    not be installed: not the main thread)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # signal only works in the main thread
        return None
