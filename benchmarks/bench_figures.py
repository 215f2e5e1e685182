"""Benchmark: ``tunestats figures STUDY`` vs. drawing and saving as many plain matplotlib
figures with the same panels.

Target (issue 13): the command (load, analyses, drawing, saving) takes at most 2× the
time of a baseline that draws, for each figure the command writes, a plain matplotlib
figure of the same size and panel grid, one line of 50 points with a title and axis
labels in every panel, saved in the same format at the same resolution — measured in
the same run. The command runs as a user runs it (its figures drawn by one process per
core) and with ``--jobs 1``; the baseline in one process. The wall-clock ratio is what
a user waits; the CPU ratio (the command's processes together, ``--jobs 1``) is the
work done, whatever the number of cores.

Run: ``python benchmarks/bench_figures.py [STUDY] [--repeats R]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
import time
from pathlib import Path

import numpy as np
from _timing import best_times, verdict
from matplotlib.figure import Figure

import tunestats
from tunestats.cli.main import main
from tunestats.figures import FIGURES
from tunestats.figures._facets import Analyses
from tunestats.figures.render import built_figures
from tunestats.processes import worker_count


def shapes(study: tunestats.Study) -> list[tuple[tuple[float, float], tuple[int, int]]]:
    """Size and panel grid of every figure the command writes."""
    out = []
    for _, figures in built_figures(Analyses(study), FIGURES):
        if isinstance(figures, str):  # a figure this study cannot have
            continue
        for fig in figures.values():
            grid = fig.axes[0].get_subplotspec().get_gridspec().get_geometry()
            out.append((tuple(fig.get_size_inches()), grid))
    return out


def baseline(figures: list[tuple[tuple[float, float], tuple[int, int]]], folder: Path) -> None:
    x = np.linspace(0.0, 1.0, 50)
    for n, (size, (rows, cols)) in enumerate(figures):
        fig = Figure(figsize=size)
        for i, ax in enumerate(fig.subplots(rows, cols, squeeze=False).flat):
            ax.plot(x, np.sin(x * (i + 1)), marker="o", markersize=2)
            ax.set_title(f"panel {i}", fontsize=8)
            ax.set_xlabel("x")
            ax.set_ylabel("y")
        fig.savefig(folder / f"plain-{n}.png", dpi=150)


def command(study: str, folder: Path, jobs: int | None = None) -> None:
    options = [] if jobs is None else ["--jobs", str(jobs)]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["figures", study, "--out", str(folder), "--force", *options])
    if code != 0:
        raise SystemExit(f"tunestats figures exited with {code}")


def run(study: str, repeats: int) -> float:
    figures = shapes(tunestats.load_study(study))
    with tempfile.TemporaryDirectory() as tmp:
        ours, ours_cpu = best_times(lambda: command(study, Path(tmp) / "ours"), repeats)
        serial, serial_cpu = best_times(lambda: command(study, Path(tmp) / "serial", 1),
                                        repeats)
        plain, plain_cpu = best_times(lambda: baseline(figures, Path(tmp)), repeats)
    panels = sum(r * c for _, (r, c) in figures)
    ratio, ratio_serial, ratio_cpu = ours / plain, serial / plain, serial_cpu / plain_cpu
    print(f"tunestats figures {study}: {ours:.2f} s wall ({worker_count(None, 4)} "
          f"process(es)), {ours_cpu:.2f} s CPU; --jobs 1: {serial:.2f} s wall, "
          f"{serial_cpu:.2f} s CPU; for {len(figures)} figures ({panels} panels)")
    print(f"plain matplotlib, same figures and panels, one process: {plain:.2f} s wall, "
          f"{plain_cpu:.2f} s CPU")
    print(f"ratio {ratio:.2f} wall {verdict(ratio, 2.0)}; --jobs 1: {ratio_serial:.2f} wall, "
          f"{ratio_cpu:.2f} CPU {verdict(ratio_cpu, 2.0)}")
    return ratio


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="data/study")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    run(args.study, args.repeats)
    print(f"({time.perf_counter() - start:.0f} s in all)")
