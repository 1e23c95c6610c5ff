"""``python -m sim.cli``: the ``alliance-sim`` command."""

import sys

from sim.cli import main

sys.exit(main())
