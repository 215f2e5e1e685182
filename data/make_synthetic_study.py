"""Write the synthetic example study to data/study (a stand-in until the runner's
bundled study replaces it). Run: python data/make_synthetic_study.py"""

from pathlib import Path

from tunestats.synthetic import Bowl, synthetic_study

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "nadam")
# Planted truth: under the narrow "lr-only" protocol the adaptive optimizers reach a worse
# floor (their other hyperparameters stay at defaults); under "paper" the more general
# optimizers reach the lowest floor, as inclusion predicts.
FLOORS = {"sgd": 0.08, "momentum": 0.07, "nesterov": 0.07, "rmsprop": 0.065, "adam": 0.06,
          "nadam": 0.06}
bowls = {}
for workload, shift in (("quadratic_a", 0.0), ("quadratic_b", 0.01)):
    for optimizer, floor in FLOORS.items():
        bowls[(workload, "paper", optimizer)] = Bowl(floor=floor + shift, optimum=3e-3,
                                                      diverge_above=0.3)
        narrow = floor + (0.03 if optimizer in ("rmsprop", "adam", "nadam") else 0.0)
        bowls[(workload, "lr-only", optimizer)] = Bowl(floor=narrow + shift, optimum=3e-3,
                                                        diverge_above=0.3)

study = synthetic_study(workloads=("quadratic_a", "quadratic_b"), protocols=("paper", "lr-only"),
                        optimizers=OPTIMIZERS, n_trials=32, n_steps=25, eval_every=20,
                        bowls=bowls, seed=20191011)
study.save(Path(__file__).parent / "study")
print(study)
