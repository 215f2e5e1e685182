"""Running a study: every planned trial, in parallel, written as it finishes.

The parent process plans the trials (:meth:`StudyConfig.plan`), skips those
already recorded in the study folder (resume), and hands the rest to a local
process pool or to a Dask ``distributed`` scheduler. Workers only compute; the
parent writes each finished trial as its own record file, atomically
(:func:`tunestats.study.write_record`), so a crash or a kill loses at most the
trials in flight, and running the same command again runs only the missing
trials. Ctrl-C stops the workers and keeps what finished. When every trial is
done the records are compacted into the Parquet tables and the study is
validated.
"""

from __future__ import annotations

import multiprocessing
import platform
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from tunestats.analysis import DEFAULT_EDGES
from tunestats.checks import check_positive_int
from tunestats.errors import ParameterError, StudyFileError, require
from tunestats.study import (
    STUDY_FILE,
    StudyMeta,
    compact_study,
    done_keys,
    load_study,
    read_json,
    write_meta,
    write_record,
)

from .config import StudyConfig, TrialSpec
from .worker import run_trial_spec

__all__ = ["RunSummary", "run_study", "study_meta"]


@dataclass(frozen=True)
class RunSummary:
    """What :func:`run_study` did.

    Attributes
    ----------
    planned : int
        Trials in the study.
    skipped : int
        Trials already done before this run (resumed).
    ran : int
        Trials finished by this run.
    diverged, failed : int
        Of those, how many diverged or failed.
    interrupted : bool
        True when Ctrl-C stopped the run before every trial was done.
    """

    planned: int
    skipped: int
    ran: int
    diverged: int
    failed: int
    interrupted: bool


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("tunestats", "torch", "numpy", "scikit-learn"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def study_meta(config: StudyConfig, command: str | None = None,
               config_file: str | None = None) -> StudyMeta:
    """The ``study.json`` content of a study run from ``config``.

    The provenance names the config (its file name and full text), the study
    seed and how trial seeds derive from it, the package versions, the device
    and the command. The inclusion graph is the paper's, whole
    (:data:`tunestats.analysis.DEFAULT_EDGES`): relations through an optimizer
    the config leaves out still hold (SGD ⊆ Adam through Momentum).
    """
    provenance = {
        "generator": "tunestats.runner",
        "command": command,
        "config_file": config_file,
        "config": config.source,
        "seed": config.seed,
        "seeds": ("trial seed = SeedSequence(seed, spawn_key=(crc32(workload), "
                  "crc32(protocol), crc32(optimizer), repeat, trial)).generate_state(1)[0]; "
                  "the Halton scrambling of each pool uses the same rule on "
                  "(workload, protocol, optimizer, repeat)"),
        "versions": _versions(),
        "device": config.device,
        "platform": platform.platform(),
    }
    targets = {name: dict(entry.targets) for name, entry in config.workloads.items()
               if entry.targets}
    edges = [list(pair) for pair in DEFAULT_EDGES]
    return StudyMeta(metrics={m.name: m for m in config.metrics()}, spaces=config.spaces(),
                     targets=targets, inclusion={"edges": edges, "aliases": {}},
                     provenance=provenance)


def _prepare(config: StudyConfig, out: Path, meta: StudyMeta) -> None:
    """Write ``study.json``, or check that the one there comes from the same config."""
    existing = out / STUDY_FILE
    if existing.exists():
        previous = read_json(existing).get("provenance", {}).get("config")
        if previous != config.source:
            raise StudyFileError(f"{out}: holds a study run from another config; resume with the "
                                 "same config or choose another --out folder.")
        return
    write_meta(out, meta)


def run_study(config: StudyConfig, out: str | Path, *, workers: int | None = None,
              scheduler: Any = None, progress: bool = True, command: str | None = None,
              config_file: str | None = None, threads: int = 1) -> RunSummary:
    """Run (or resume) every trial of ``config`` into the study folder ``out``.

    Parameters
    ----------
    config : StudyConfig
        The study; it is checked (:meth:`StudyConfig.check`) before any trial.
    out : str or Path
        The study folder.
    workers : int, optional
        Local worker processes (default: the number of CPU cores).
    scheduler : str or distributed.Client, optional
        Run on Dask ``distributed`` instead: a scheduler address or a client.
    progress : bool, default True
        Show a progress bar (trials done, diverged, failed, time left).
    command : str, optional
        The command line, for the provenance.
    config_file : str, optional
        The config's file name, for the provenance.
    threads : int, default 1
        torch threads per worker.

    Returns
    -------
    RunSummary
    """
    if workers is not None:
        workers = check_positive_int("workers", workers)
    threads = check_positive_int("threads", threads)
    config.check()
    out = Path(out)
    _prepare(config, out, study_meta(config, command, config_file))
    specs = config.plan()
    done = done_keys(out)
    todo = [spec for spec in specs if spec.key not in done]
    counts = {"diverged": 0, "failed": 0}
    ran = 0
    interrupted = False
    bar = _progress(len(specs), len(specs) - len(todo), progress)
    results = (_dask_results(todo, scheduler, threads) if scheduler is not None
               else _pool_results(todo, workers, threads))
    try:
        for record in results:
            write_record(out, record)
            ran += 1
            if record["status"] in counts:
                counts[record["status"]] += 1
            if bar is not None:
                bar.set_postfix(counts, refresh=False)
                bar.update()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        results.close()  # stops the workers at once
        if bar is not None:
            bar.close()
    if not interrupted:
        compact_study(out)
        load_study(out)
    return RunSummary(len(specs), len(specs) - len(todo), ran, counts["diverged"],
                      counts["failed"], interrupted)


def _progress(total: int, initial: int, enabled: bool):
    if not enabled:
        return None
    tqdm = require("tqdm", "runner").tqdm
    return tqdm(total=total, initial=initial, unit="trial", desc="trials", file=sys.stderr,
                dynamic_ncols=True)


def _pool_results(todo: Sequence[TrialSpec], workers: int | None,
                  threads: int) -> Iterator[dict[str, Any]]:
    """Records of ``todo`` from a local process pool, as they finish."""
    if not todo:
        return
    workers = min(workers or multiprocessing.cpu_count(), len(todo))
    # Forked workers start at once with torch and the built workloads already loaded;
    # CUDA does not survive a fork, so a study that may use it spawns fresh processes.
    fork = sys.platform == "linux" and todo[0].device == "cpu"
    pool = multiprocessing.get_context("fork" if fork else "spawn").Pool(workers)
    try:
        yield from pool.imap_unordered(_run_with_threads, [(s, threads) for s in todo])
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _run_with_threads(args: tuple[TrialSpec, int]) -> dict[str, Any]:
    return run_trial_spec(*args)


def _dask_results(todo: Sequence[TrialSpec], scheduler: Any,
                  threads: int) -> Iterator[dict[str, Any]]:
    """Records of ``todo`` from a Dask ``distributed`` scheduler, as they finish."""
    distributed = require("distributed", "runner")
    if not todo:
        return
    owned = not isinstance(scheduler, distributed.Client)
    if owned and not isinstance(scheduler, str):
        raise ParameterError(f"`scheduler` must be an address or a distributed.Client; "
                             f"got {scheduler!r}.")
    client = distributed.Client(scheduler) if owned else scheduler
    try:
        futures = client.map(run_trial_spec, list(todo), threads=threads, pure=False)
        try:
            for future in distributed.as_completed(futures):
                yield future.result()
        finally:
            client.cancel(futures)
    finally:
        if owned:
            client.close()
