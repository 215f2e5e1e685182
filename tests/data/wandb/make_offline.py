"""Write the W&B fixtures with the real wandb client, offline (no account, no network).

Run once from the repository root: ``.venv/bin/python tests/data/wandb/make_offline.py``.

- ``offline/wandb/offline-run-*/run-*.wandb``: six runs of a tiny objective
  logged with ``WANDB_MODE=offline``: two optimizers, one run whose loss goes
  NaN (diverged), one that exits with code 1 (crashed). Only the ``.wandb`` file
  of each run is kept (the importer reads nothing else; the rest holds the
  machine's details).
- ``export/runs.csv``: the same runs as the export recipe of W&B's docs writes
  them (``pd.DataFrame({"summary": ..., "config": ..., "name": ...}).to_csv()``),
  where ``summary`` and ``config`` are the runs' dicts: a diverged run's summary
  holds ``nan`` as Python's repr writes it.
- ``export/sweep.yaml``: the sweep configuration of the runs.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SWEEP = """method: random
metric:
  name: val/loss
  goal: minimize
parameters:
  lr:
    distribution: log_uniform_values
    min: 0.0001
    max: 0.1
  momentum:
    distribution: uniform
    min: 0.0
    max: 0.99
  nesterov:
    values: [true, false]
  batch_size:
    distribution: int_uniform
    min: 16
    max: 128
"""
RUNS = [  # optimizer, lr, momentum, nesterov, batch size, what happens
    ("sgd", 0.05, 0.9, True, 32, "ok"),
    ("sgd", 0.002, 0.5, False, 64, "ok"),
    ("sgd", 0.09, 0.95, True, 16, "nan"),
    ("adam", 0.001, 0.9, False, 128, "ok"),
    ("adam", 0.0003, 0.0, True, 32, "ok"),
    ("adam", 0.01, 0.8, False, 64, "crash"),
]


def main() -> None:
    os.environ.update(WANDB_MODE="offline", WANDB_SILENT="true", WANDB_CONSOLE="off",
                      WANDB_DISABLE_GIT="true", WANDB_DISABLE_CODE="true")
    import wandb

    offline = HERE / "offline"
    shutil.rmtree(offline, ignore_errors=True)
    offline.mkdir()
    summaries, configs, names = [], [], []
    for i, (optimizer, lr, momentum, nesterov, batch_size, fate) in enumerate(RUNS):
        config = {"optimizer": optimizer, "lr": lr, "momentum": momentum, "nesterov": nesterov,
                  "batch_size": batch_size}
        run = wandb.init(project="tunestats-fixture", dir=str(offline), config=config,
                         name=f"run-{i}", id=f"fixture{i}",
                         settings=wandb.Settings(x_disable_stats=True, console="off",
                                                 save_code=False, disable_git=True))
        summary = {}
        for step in range(6):
            loss = (1.0 + 10 * lr) / (1 + step * lr * 100) + 0.1 * momentum
            if fate == "nan" and step >= 3:
                loss = math.nan
            row = {"train/loss": loss * 0.9, "val/loss": loss,
                   "val/accuracy": 1.0 - loss / 3 if math.isfinite(loss) else math.nan}
            wandb.log(row)
            summary.update(row)
            if fate == "crash" and step == 2:
                break
        run.finish(exit_code=1 if fate == "crash" else 0)
        summaries.append(summary)
        configs.append(config)
        names.append(run.name)
    for folder in (offline / "wandb").iterdir():  # keep only the run files
        if folder.is_symlink():  # latest-run
            folder.unlink()
        elif folder.is_dir():
            for item in folder.iterdir():
                if item.suffix != ".wandb":
                    shutil.rmtree(item) if item.is_dir() else item.unlink()
        else:
            folder.unlink()
    export = HERE / "export"
    export.mkdir(exist_ok=True)
    # the recipe of https://docs.wandb.ai/guides/track/public-api-guide (export to CSV)
    runs_df = pd.DataFrame({"summary": summaries, "config": configs, "name": names})
    runs_df.to_csv(export / "runs.csv")
    (export / "sweep.yaml").write_text(SWEEP)
    print("wandb", wandb.__version__, "pandas", pd.__version__)


if __name__ == "__main__":
    main()
