"""One AlgoPerf-layout ``eval_measurements.csv`` writer for the benchmarks that build
log trees (the columns and order the benchmark's logger writes)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

HEADER = ("accumulated_eval_time,accumulated_logging_time,accumulated_submission_time,"
          "global_step,preemption_count,score,test/accuracy,test/loss,test/num_examples,"
          "total_duration,train/accuracy,train/loss,validation/accuracy,validation/loss,"
          "validation/num_examples")


def write_eval_measurements(folder: Path, t: np.ndarray, i: np.ndarray, acc: np.ndarray,
                            loss: np.ndarray) -> Path:
    """Write one trial's evaluations (submission time ``t``, evaluation index ``i``,
    accuracy and loss curves) as ``folder/eval_measurements.csv``; return its path."""
    n = len(t)
    data = np.column_stack([
        t * 0.1, t * 0.01, t, i * 1000 + 1, np.zeros(n), t,
        acc, loss, np.full(n, 50000), t * 1.2, acc, loss,
        acc - 0.01, loss + 0.01, np.full(n, 50000)])
    buffer = io.StringIO()
    np.savetxt(buffer, data, delimiter=",", fmt="%.17g", header=HEADER, comments="")
    path = folder / "eval_measurements.csv"
    path.write_text(buffer.getvalue())
    return path
