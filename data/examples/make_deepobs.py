"""Write the DeepOBS sample under data/examples/deepobs/ with DeepOBS's own PyTorch runners.

The sample is a small Crowded Valley (Schmidt, Schneider & Hennig 2021) tree,
``<budget>/<schedule>/<testproblem>/<Optimizer>/<setting>/random_seed__<s>__<time>.json``:
DeepOBS writes everything from ``<testproblem>`` down (its runner's
``output_dir`` is ``deepobs/<budget>/<schedule>``), exactly as the published
results at github.com/SirRob1997/Crowded-Valley---Results (``results/large_budget/
cosine/...``). The test problem is ``quadratic_deep``, whose data DeepOBS draws itself
(the image problems need dataset downloads). Per schedule (``small_budget/constant``
with ``StandardRunner``, ``large_budget/cosine`` with ``LearningRateScheduleRunner``
and a cosine ``lr_sched_factors`` as in Crowded Valley):

* ``SGD`` (momentum 0.9): four learning rates, seed 42; under ``constant`` one of
  them (10.0) diverges, so that DeepOBS's own abort routine fills the remaining
  epochs (under ``cosine`` DeepOBS 1.2.0b0's schedule runner crashes on a diverging
  run, so its rates stay stable);
  the best setting (lowest final ``valid_losses``) re-run with seeds 43 and 44,
  as Crowded Valley re-ran its winners with seeds 43-51;
* ``Adam``: three learning rates, seed 42.

Run from the repository root with DeepOBS 1.2.0b0 importable::

    pip install --no-deps --target /tmp/deepobs deepobs==1.2.0b0 \
        bayesian-optimization==1.4.3 colorama
    PYTHONPATH=/tmp/deepobs .venv/bin/python data/examples/make_deepobs.py

(``deepobs/__init__`` imports its tuner, hence ``bayesian-optimization``; seaborn,
scipy, pandas and matplotlib come with tunestats' extras.) DeepOBS's dataset modules
import ``torchvision`` at import time for the image problems only; where no torchvision
matching the installed torch is importable (torch's CPU build here), this script puts a
stand-in module in front whose ``datasets``/``transforms`` (built at import time for
the image problems) are never used by ``quadratic_deep``. Everything the JSON files hold is computed and written by DeepOBS
(``deepobs/abstract_runner/abstract_runner.py``: ``_post_process_output``,
``generate_output_directory_name``, ``write_output``); this script only chooses the runs.
Written once with DeepOBS 1.2.0b0, torch 2.13.0+cpu, Python 3.11.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import math
import shutil
import sys
import types
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "deepobs"
EPOCHS = 5
TUNING_SEED, RERUN_SEEDS = 42, (43, 44)


def _torchvision_stand_in() -> None:
    try:
        import torchvision  # noqa: F401
        return
    except Exception:  # absent, or built for another torch
        for name in [n for n in sys.modules if n.startswith("torchvision")]:
            del sys.modules[name]

    def unused(name: str):  # what the image problems build at import time, never called
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: None

    module = types.ModuleType("torchvision")
    module.datasets = types.ModuleType("torchvision.datasets")
    module.transforms = types.ModuleType("torchvision.transforms")
    module.datasets.__getattr__ = module.transforms.__getattr__ = unused
    sys.modules.update({"torchvision": module, "torchvision.datasets": module.datasets,
                        "torchvision.transforms": module.transforms})


def main() -> None:
    if importlib.util.find_spec("deepobs") is None:
        sys.exit("DeepOBS is not importable (see this script's docstring)")
    _torchvision_stand_in()
    import torch
    from deepobs import __version__
    from deepobs.pytorch.runners import LearningRateScheduleRunner, StandardRunner

    shutil.rmtree(OUT, ignore_errors=True)
    sgd = {"lr": {"type": float}, "momentum": {"type": float, "default": 0.0},
           "nesterov": {"type": bool, "default": False}}
    adam = {"lr": {"type": float}}
    cosine = {"lr_sched_epochs": list(range(1, EPOCHS)),
              "lr_sched_factors": [0.5 * (1 + math.cos(math.pi * e / EPOCHS))
                                   for e in range(1, EPOCHS)]}
    # DeepOBS 1.2.0b0's LearningRateScheduleRunner fails on a diverging run (it calls
    # _abort_routine without minibatch_train_losses): no diverging rate under cosine
    layouts = {("small_budget", "constant"): (StandardRunner, {}, (10.0, 0.3, 0.1, 0.03)),
               ("large_budget", "cosine"): (LearningRateScheduleRunner, cosine,
                                            (0.03, 0.01, 0.003, 0.001))}
    for (budget, schedule), (runner_class, training_params, rates) in layouts.items():
        output_dir = str(OUT / budget / schedule)

        def run(optimizer, names, hyperparams, seed, runner_class=runner_class,
                training_params=training_params, output_dir=output_dir):
            runner = runner_class(optimizer, names)
            with contextlib.redirect_stdout(io.StringIO()):
                return runner.run(testproblem="quadratic_deep", hyperparams=hyperparams,
                                  batch_size=128, num_epochs=EPOCHS, random_seed=seed,
                                  output_dir=output_dir, **training_params)

        finals = {}
        for lr in rates:
            hyperparams = {"lr": lr, "momentum": 0.9, "nesterov": False}
            out = run(torch.optim.SGD, sgd, hyperparams, TUNING_SEED)
            final = out["valid_losses"][-1]
            finals[lr] = final if np.isfinite(final) and out["valid_losses"][0] != final \
                else math.inf
        best = min(finals, key=finals.get)
        for seed in RERUN_SEEDS:
            run(torch.optim.SGD, sgd, {"lr": best, "momentum": 0.9, "nesterov": False}, seed)
        for lr in (0.1, 0.01, 0.001):
            run(torch.optim.Adam, adam, {"lr": lr}, TUNING_SEED)
        print(f"{budget}/{schedule}: SGD finals {finals}, re-ran lr={best}")
    files = sorted(OUT.rglob("*.json"))
    print(f"wrote {len(files)} files with DeepOBS {__version__}, torch {torch.__version__}")


if __name__ == "__main__":
    main()
