"""Shared fixtures: small valid studies built in code, written to temporary folders."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from tunestats import Metric, Param, SearchSpace, Study

METRICS = {"train_loss": Metric("train_loss", "minimize", "train"),
           "valid_error": Metric("valid_error", "minimize", "valid", "fraction")}
SPACE = SearchSpace((Param("learning_rate", "log", 1e-4, 1.0),
                     Param("momentum", "reverse_log", 0.5, 0.999)))


def small_frames(n_trials: int = 4, n_steps: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trials and curves of one pool (w/paper/sgd), all completed."""
    rng = np.random.default_rng(0)
    trials = pd.DataFrame({
        "workload": "w", "protocol": "paper", "optimizer": "sgd", "repeat": 0,
        "trial": np.arange(n_trials), "seed": np.arange(n_trials) + 10, "status": "completed",
        "hp.learning_rate": np.geomspace(1e-3, 1e-1, n_trials),
        "hp.momentum": np.linspace(0.6, 0.99, n_trials),
        "final.train_loss": rng.random(n_trials), "final.valid_error": rng.random(n_trials)})
    rows = np.repeat(np.arange(n_trials), n_steps)
    curves = pd.DataFrame({
        "workload": "w", "protocol": "paper", "optimizer": "sgd", "repeat": 0, "trial": rows,
        "step": np.tile(np.arange(n_steps) * 10, n_trials),
        "train_loss": rng.random(rows.size), "valid_error": rng.random(rows.size)})
    return trials, curves


def make_small_study(**kws) -> Study:
    trials, curves = small_frames(**kws)
    return Study.from_frames(trials, curves, metrics=METRICS, spaces={("paper", "sgd"): SPACE})


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    """A valid Parquet study folder of one pool with 4 trials × 3 steps."""
    folder = tmp_path / "study"
    make_small_study().save(folder)
    return folder


def edit_json(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


class CallLog:
    """Counts the calls of functions replaced with :meth:`count`, in this process and in
    every process forked from it (each call appends a line to one file)."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch):
        self.path, self.monkeypatch = path, monkeypatch

    def count(self, module, name: str, source=None) -> None:
        """Replace ``module.name`` (the function ``source.name``, default
        ``module.name``) by a wrapper logging ``name`` and its keyword arguments."""
        real = getattr(source or module, name)
        path = self.path

        def wrapper(*args, **kwargs):
            with open(path, "a") as handle:
                handle.write(f"{name}\t{sorted(kwargs.items())}\n")
            return real(*args, **kwargs)
        # the analyses' cache is keyed by the function's name: the wrapper keeps its
        wrapper.__module__, wrapper.__qualname__ = real.__module__, real.__qualname__
        self.monkeypatch.setattr(module, name, wrapper)

    def calls(self) -> dict[str, list[str]]:
        """The keyword arguments of every logged call, by function name."""
        out: dict[str, list[str]] = {}
        lines = self.path.read_text().splitlines() if self.path.exists() else []
        for line in lines:
            name, made = line.split("\t")
            out.setdefault(name, []).append(made)
        return out


@pytest.fixture
def call_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CallLog:
    """A :class:`CallLog` writing to a file of the test's temporary folder."""
    return CallLog(tmp_path / "calls.log", monkeypatch)
