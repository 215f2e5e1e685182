"""Benchmark: ``tunestats.report`` of a study (default: the bundled one) against rendering
the same figures to PNG files at the same resolution, measured in the same run.

Targets (issue 12): the bundled study's report is written in at most 10 s and is at
most 5 MB. The ratio says what the page costs beyond its figures (analyses, tables,
encoding).

Run: ``python benchmarks/bench_report.py [STUDY] [--repeats R]``
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _timing import best_time, verdict

import tunestats
from tunestats.figures import render_figures
from tunestats.report.page import report

DPI = 72
LIMIT_S = 10.0
LIMIT_BYTES = 5_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="data/study")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    study = tunestats.load_study(args.study)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        figures = best_time(lambda: render_figures(study, Path(tmp) / "figures", dpi=DPI),
                            args.repeats)
        seconds = best_time(lambda: report(study, page, dpi=DPI), args.repeats)
        size = page.stat().st_size
    print(f"figures alone (PNG files, {DPI} dpi): {figures:.2f} s")
    print(f"report:                          {seconds:.2f} s "
          f"(target <= {LIMIT_S:g} s: {'met' if seconds <= LIMIT_S else 'NOT met'})")
    print(f"report / figures alone:          {seconds / figures:.2f} {verdict(seconds / figures, 1.5)}")
    print(f"report size:                     {size / 1e6:.2f} MB "
          f"(target <= {LIMIT_BYTES / 1e6:g} MB: {'met' if size <= LIMIT_BYTES else 'NOT met'})")


if __name__ == "__main__":
    main()
