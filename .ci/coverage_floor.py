"""Print the modules whose branch coverage is below the floor (after `pytest --cov`).

Reads the coverage data file that pytest-cov left in the current directory. A report, not a
gate: it names the modules that need tests, and exits 0.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import coverage

FLOOR = 90.0


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "coverage.json"
        try:
            coverage.Coverage().json_report(outfile=str(report))
        except coverage.exceptions.NoDataError:
            print("no coverage data found (run pytest --cov first); nothing to report")
            return 0
        files = json.loads(report.read_text())["files"]
    below = sorted(
        (info["summary"]["percent_covered"], path)
        for path, info in files.items()
        if info["summary"]["percent_covered"] < FLOOR
    )
    if below:
        print(f"modules below {FLOOR:.0f}% (statements and branches):")
        for percent, path in below:
            print(f"  {percent:5.1f}%  {path}")
    else:
        print(f"every module is covered at {FLOOR:.0f}% or more (statements and branches)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
