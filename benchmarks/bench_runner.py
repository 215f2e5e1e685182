"""Benchmark: the runner's overhead and its parallel throughput.

Targets (issue 6), measured in one run:

1. Runner overhead: training steps per second of a trial run through the
   runner (:func:`tunestats.runner.run_trial`: schedule, divergence checks,
   evaluations at the first and last step) divided by those of a bare PyTorch
   loop of the same model, data, batch size, steps and update rule
   (``torch.optim.SGD`` with momentum): ratio ≥ 0.95.
2. Study throughput (trials per second of ``run_study`` on a digits study of
   1,200-step trials, about a second each like the bundled study's; pool start-up, compaction and validation included) with 2
   workers divided by that with 1 worker, on 2 cores: ratio ≥ 1.6. Other
   processes busy on the same cores lower this ratio: run it on a quiet machine.

Both use one torch thread per process. Timings alternate between the two
sides and keep the best of ``--repeats`` runs, which damps the noise of a
shared machine.

Run: ``python benchmarks/bench_runner.py [--steps N --repeats R --trials T]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from tunestats.runner import make_workload, run_trial
from tunestats.runner.config import load_config
from tunestats.runner.execute import run_study

CONFIG = """
seed = 0
trials = {trials}
optimizers = ["sgd", "momentum"]

[workloads.digits_mlp]
steps = 1200
eval_every = 400

[protocols.lr-only]
preset = "lr-only"
"""


def runner_time(workload, steps: int) -> float:
    start = time.perf_counter()
    result = run_trial(workload, "momentum", {"learning_rate": 0.05, "momentum": 0.9}, steps=steps,
                       eval_every=steps, seed=0)
    elapsed = time.perf_counter() - start
    if result.status != "completed":
        raise RuntimeError(f"benchmark trial {result.status}: {result.message}")
    return elapsed


def bare_time(workload, steps: int) -> float:
    start = time.perf_counter()
    torch.manual_seed(0)
    model = workload.model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    inputs, targets = workload.data.train
    generator = torch.Generator().manual_seed(0)
    for _ in range(steps):
        index = torch.randint(len(inputs), (workload.batch_size,), generator=generator)
        loss = torch.nn.functional.cross_entropy(model(inputs[index]), targets[index])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def study_time(config: Path, workers: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run_study(load_config(config), Path(folder) / "study", workers=workers, progress=False)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--trials", type=int, default=12, help="trials per pool (2 pools)")
    args = parser.parse_args()
    torch.set_num_threads(1)

    workload = make_workload("digits_mlp")
    runner_time(workload, 50)  # warm-up
    bare_time(workload, 50)
    runner, bare = [], []
    for _ in range(args.repeats):
        runner.append(runner_time(workload, args.steps))
        bare.append(bare_time(workload, args.steps))
    overhead = min(bare) / min(runner)
    print(f"runner overhead: {args.steps / min(runner):,.0f} steps/s through the runner, "
          f"{args.steps / min(bare):,.0f} steps/s bare PyTorch; ratio {overhead:.3f} "
          f"(target ≥ 0.95) {'PASS' if overhead >= 0.95 else 'FAIL'}")

    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "bench.toml"
        config.write_text(CONFIG.format(trials=args.trials), encoding="utf-8")
        one, two = [], []
        for _ in range(max(args.repeats // 2, 1)):
            one.append(study_time(config, 1))
            two.append(study_time(config, 2))
    n = 2 * args.trials
    speedup = min(one) / min(two)
    print(f"study throughput: {n / min(one):.2f} trials/s with 1 worker, "
          f"{n / min(two):.2f} with 2; ratio {speedup:.2f} (target ≥ 1.6) "
          f"{'PASS' if speedup >= 1.6 else 'FAIL'}")


if __name__ == "__main__":
    main()
