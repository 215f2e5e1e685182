"""Benchmark: ``tunestats report STUDY`` (default: the bundled study) against rendering
the same figures to PNG files at the same resolution, measured in the same run.

Targets (issue 12): the bundled study's report is written in at most 10 s and is at
most 5 MB. Wall and CPU time are printed (the CPU time is the steadier on a shared
machine). The ratio says what the page costs beyond its figures (analyses, tables,
encoding).

The command runs as a user runs it: a fresh ``tunestats`` process (Python's start and
imports included), its figures drawn by one process per core (``--jobs`` to choose);
the CPU time counts every process. The figures alone are drawn in this process.

Run: ``python benchmarks/bench_report.py [STUDY] [--repeats R] [--jobs J]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import best_times, verdict

import tunestats
from tunestats.figures import render_figures
from tunestats.processes import worker_count

DPI = 72
LIMIT_S = 10.0
LIMIT_BYTES = 5_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="data/study")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    jobs = worker_count(args.jobs, 4)
    study = tunestats.load_study(args.study)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        figures, figures_cpu = best_times(
            lambda: render_figures(study, Path(tmp) / "figures", dpi=DPI, jobs=jobs),
            args.repeats)
        # the command as a user runs it: load, analyses, figures, page
        seconds, cpu = best_times(lambda: command(args.study, page, jobs), args.repeats)
        size = page.stat().st_size
    print(f"{jobs} process(es) drawing the figures")
    print(f"figures alone (PNG files, {DPI} dpi): {figures:.2f} s wall, {figures_cpu:.2f} s CPU")
    print(f"tunestats report {args.study}: {seconds:.2f} s wall "
          f"(target <= {LIMIT_S:g} s: {'met' if seconds <= LIMIT_S else 'NOT met'}), "
          f"{cpu:.2f} s CPU ({'met' if cpu <= LIMIT_S else 'NOT met'} in CPU time)")
    print(f"report / figures alone:          {seconds / figures:.2f} wall "
          f"{verdict(seconds / figures, 1.5)}, {cpu / figures_cpu:.2f} CPU")
    print(f"report size:                     {size / 1e6:.2f} MB "
          f"(target <= {LIMIT_BYTES / 1e6:g} MB: {'met' if size <= LIMIT_BYTES else 'NOT met'})")


def command(study: str, page: Path, jobs: int) -> None:
    """``tunestats report STUDY --out PAGE --force --jobs JOBS`` in a new process (the
    console script beside this Python, else ``python -m tunestats``), output swallowed."""
    script = Path(sys.executable).with_name("tunestats")
    start = [str(script)] if script.exists() else [sys.executable, "-m", "tunestats"]
    done = subprocess.run([*start, "report", study, "--out", str(page), "--force", "--jobs",
                           str(jobs)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"tunestats report exited with {done.returncode}: {done.stderr}")

if __name__ == "__main__":
    main()
