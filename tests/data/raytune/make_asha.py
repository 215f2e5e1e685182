"""Write the Ray Tune fixture with the real Ray Tune: an ASHA run of 8 trials on 1 CPU.

Run once from the repository root: ``.venv/bin/python tests/data/raytune/make_asha.py``.
Writes ``asha/`` (the experiment folder as Ray writes it; the per-trial pickles,
event files and checkpoints the importer does not read are removed to keep it
small; ``tuner.pkl`` stays: it alone holds the TuneConfig's ``mode``).

The objective is a made-up quadratic in log10(lr) that improves with each
iteration; ASHA (max_t=20, grace_period=2, reduction_factor=2) stops the
trials that are behind at iterations 2, 4, 8 and 16.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_T = 20


def objective(config):
    from ray import tune

    for i in range(1, MAX_T + 1):
        gap = (math.log10(config["lr"]) + 2.0) ** 2 + (config["momentum"] - 0.9) ** 2
        val_loss = gap + 1.0 / i
        tune.report({"val_loss": val_loss, "train_loss": 0.8 * val_loss})


def main() -> None:
    import ray
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler

    out = HERE / "asha"
    shutil.rmtree(out, ignore_errors=True)
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    tuner = tune.Tuner(
        objective,
        param_space={"lr": tune.loguniform(1e-4, 1e-1), "momentum": tune.uniform(0.5, 0.99),
                     "optimizer": tune.choice(["sgd", "adam"])},
        tune_config=tune.TuneConfig(metric="val_loss", mode="min", num_samples=8,
                                    scheduler=ASHAScheduler(max_t=MAX_T, grace_period=2,
                                                            reduction_factor=2)),
        run_config=tune.RunConfig(storage_path=str(HERE), name="asha"))
    tuner.fit()
    ray.shutdown()
    for path in sorted(out.rglob("*"), reverse=True):
        if path.is_file() and ((path.suffix == ".pkl" and path.name != "tuner.pkl")
                               or path.name.startswith("events.out")):
            path.unlink()
        elif path.is_dir() and path.name.startswith("checkpoint_"):
            shutil.rmtree(path)
    print("ray", ray.__version__)


if __name__ == "__main__":
    main()
