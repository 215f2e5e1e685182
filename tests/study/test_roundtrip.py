"""Parquet, CSV and JSON Lines round trips give identical frames, dtypes included."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tunestats
from tunestats import Metric
from tunestats.errors import StudyWarning

NAMES = st.text(alphabet=st.sampled_from("abcxyzé日_- 0123"), min_size=1, max_size=6).filter(
    lambda s: s.strip() == s)
FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)
METRICS = {"loss": Metric("loss", "minimize", "train"),
           "acc": Metric("acc", "maximize", "valid")}


@st.composite
def random_studies(draw) -> tunestats.Study:
    pools = draw(st.lists(st.tuples(NAMES, NAMES, NAMES), min_size=1, max_size=3, unique=True))
    text_values = draw(st.lists(NAMES, min_size=1, max_size=3))
    trial_rows, curve_rows = [], []
    for workload, protocol, optimizer in pools:
        for trial in range(draw(st.integers(1, 4))):
            status = draw(st.sampled_from(["completed", "diverged", "failed"]))
            completed = status == "completed"
            row = {"workload": workload, "protocol": protocol, "optimizer": optimizer,
                   "repeat": draw(st.integers(0, 2)), "trial": trial,
                   "seed": draw(st.none() | st.integers(0, 2**40)), "status": status,
                   "hp.lr": draw(FLOATS),
                   "hp.act": draw(st.sampled_from(text_values)),
                   "hp.size": str(draw(st.integers(1, 9))),  # text that looks like a number
                   "final.loss": draw(FLOATS) if completed else float("nan"),
                   "final.acc": draw(FLOATS) if completed else draw(
                       st.sampled_from([float("nan"), float("inf")])),
                   "message": None if completed else draw(NAMES)}
            trial_rows.append(row)
            steps = sorted(draw(st.sets(st.integers(0, 10**6), max_size=4)))
            for step in steps:
                nan = status != "completed" and draw(st.booleans())
                curve_rows.append({k: row[k] for k in ("workload", "protocol", "optimizer",
                                                       "repeat", "trial")}
                                  | {"step": step, "time_s": draw(FLOATS),
                                     "loss": float("nan") if nan else draw(FLOATS),
                                     "acc": draw(FLOATS)})
    trials = pd.DataFrame(trial_rows).drop_duplicates(
        ["workload", "protocol", "optimizer", "repeat", "trial"])
    keys = set(map(tuple, trials[["workload", "protocol", "optimizer", "repeat",
                                  "trial"]].itertuples(index=False, name=None)))
    curves = pd.DataFrame(curve_rows, columns=["workload", "protocol", "optimizer", "repeat",
                                               "trial", "step", "time_s", "loss", "acc"])
    in_trials = np.array([tuple(r) in keys for r in curves.iloc[:, :5].itertuples(
        index=False, name=None)], dtype=bool)
    curves = curves[in_trials].drop_duplicates(["workload", "protocol", "optimizer",
                                                   "repeat", "trial", "step"])
    return tunestats.Study.from_frames(trials, curves, metrics=METRICS,
                                       text_columns=["hp.size"])


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(study=random_studies())
def test_round_trip_is_identical(tmp_path: Path, fmt: str, study: tunestats.Study) -> None:
    folder = tmp_path / f"s-{fmt}"
    with warnings.catch_warnings():
        warnings.simplefilter("error", StudyWarning)
        study.save(folder, format=fmt)
        loaded = tunestats.load_study(folder)
    pd.testing.assert_frame_equal(study.trials, loaded.trials, check_exact=True)
    pd.testing.assert_frame_equal(study.curves, loaded.curves, check_exact=True)
    assert loaded.meta == study.meta
    assert loaded.trials["hp.size"].dtype == study.trials["hp.size"].dtype
    assert str(loaded.trials["hp.size"].dtype) != "float64"


def test_conversion_chain_through_every_format(tmp_path: Path) -> None:
    from tunestats.synthetic import Bowl, synthetic_study

    study = synthetic_study(optimizers=("sgd", "adam"), n_trials=6, seed=3,
                            bowls={("quadratic", "paper", "adam"): Bowl(diverge_above=1e-2)})
    assert (study.trials["status"] == "diverged").any()
    previous = tmp_path / "start"
    study.save(previous)
    for fmt in ["csv", "jsonl", "parquet", "jsonl", "csv"]:
        target = tmp_path / fmt / str(len(list(tmp_path.iterdir())))
        tunestats.load_study(previous).save(target, format=fmt)
        assert {p.name for p in target.iterdir()} == {"study.json", f"trials.{fmt}",
                                                      f"curves.{fmt}"}
        previous = target
    final = tunestats.load_study(previous)
    pd.testing.assert_frame_equal(study.trials, final.trials, check_exact=True)
    pd.testing.assert_frame_equal(study.curves, final.curves, check_exact=True)


def test_rows_come_back_in_key_order_whatever_order_they_went_in() -> None:
    from ..conftest import METRICS as SMALL_METRICS
    from ..conftest import small_frames

    trials, curves = small_frames(n_trials=5, n_steps=4)
    rng = np.random.default_rng(1)
    shuffled = tunestats.Study.from_frames(
        trials.sample(frac=1, random_state=rng), curves.sample(frac=1, random_state=rng)
        .sort_values("step", kind="stable"), metrics=SMALL_METRICS)
    ordered = tunestats.Study.from_frames(trials, curves, metrics=SMALL_METRICS)
    pd.testing.assert_frame_equal(shuffled.trials, ordered.trials)
    pd.testing.assert_frame_equal(shuffled.curves, ordered.curves)
