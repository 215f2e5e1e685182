"""Running a study: every planned trial, in parallel, written as it finishes.

The parent process plans the trials (:meth:`StudyConfig.plan`), skips those
already recorded in the study folder (resume), and hands the rest to a local
process pool or to a Dask ``distributed`` scheduler. Workers only compute; the
parent writes each finished trial as its own record file, atomically
(:func:`tunestats.study.write_record`), so a crash or a kill loses at most the
trials in flight, and running the same command again runs only the missing
trials. Ctrl-C stops the workers and keeps what finished; workers die with
the parent, even when it is killed. When every trial is done the records are
compacted into the tables and the study is validated.

One run at a time writes into a study folder: the folder is locked from
planning to compaction, and a second run into it stops at once with a message
naming the first one's pid.

Resuming checks that the config is the one the study was run from. A
difference is explained field by field; when only trial counts grew
(``trials``, or a protocol's ``trials``) the run adds the new trials (a
trial's hyperparameters and seed depend on its key alone, so the trials done
stay valid) and records the new config in ``study.json``.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import platform
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from tunestats.analysis import DEFAULT_EDGES
from tunestats.checks import check_positive_int
from tunestats.errors import ParameterError, StudyFileError, require
from tunestats.processes import die_with_parent
from tunestats.study import (
    STUDY_FILE,
    StudyMeta,
    compact_study,
    done_keys,
    read_json,
    study_lock,
    write_meta,
    write_record,
)
from tunestats.study.meta import parse_meta

from .config import StudyConfig, TrialSpec, tomllib
from .plan import planned_count
from .worker import run_trial_spec

__all__ = ["RunSummary", "config_differences", "run_study", "study_meta"]


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

    Parameters
    ----------
    config : StudyConfig
        The study.
    command : str, optional
        The command line.
    config_file : str, optional
        The config's file name.

    Returns
    -------
    StudyMeta
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


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` as ``{"a.b": 1}``."""
    out = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out


def config_differences(previous: str, current: str) -> tuple[list[str], bool]:
    """How the config text ``current`` differs from ``previous``, field by field.

    Parameters
    ----------
    previous, current : str
        TOML texts of two study configs.

    Returns
    -------
    differences : list of str
        One line per changed field (``"trials: 3 → 5"``, ``"workloads.tiny.steps
        removed"``); empty when the two parse to the same config (comments and
        layout aside).
    grown : bool
        True when every difference is a trial count that grew (``trials`` or
        ``protocols.NAME.trials``): the study can be extended.

    Examples
    --------
    >>> config_differences("trials = 3 # a", "trials = 5")
    (['trials: 3 → 5'], True)
    >>> config_differences("seed = 1", "seed = 2")
    (['seed: 1 → 2'], False)
    """
    try:
        old, new = _flatten(tomllib.loads(previous)), _flatten(tomllib.loads(current))
    except tomllib.TOMLDecodeError:
        return ([] if previous == current else ["the config text (not comparable as TOML)"],
                False)
    lines, grown = [], True
    for path in sorted(set(old) | set(new)):
        if path not in new:
            lines.append(f"{path} removed (was {old[path]!r})")
        elif path not in old:
            lines.append(f"{path} added ({new[path]!r})")
        elif old[path] != new[path]:
            lines.append(f"{path}: {old[path]!r} → {new[path]!r}")
        else:
            continue
        is_count = path == "trials" or (path.startswith("protocols.")
                                        and path.count(".") == 2 and path.endswith(".trials"))
        grown &= (is_count and path in old and path in new
                  and isinstance(old[path], int) and isinstance(new[path], int)
                  and new[path] > old[path])
    return lines, grown and bool(lines)


def _prepare(config: StudyConfig, out: Path, meta: StudyMeta) -> None:
    """Write ``study.json``, or check that the one there comes from the same config
    (or from one whose only change is more trials, and then record the new one)."""
    existing = out / STUDY_FILE
    if not existing.exists():
        write_meta(out, meta)
        return
    doc = read_json(existing)
    previous = doc.get("provenance", {}).get("config") if isinstance(doc, dict) else None
    if previous == config.source:
        return
    if not isinstance(previous, str):
        raise StudyFileError(f"{out}: holds a study that was not run from a config; choose "
                             "another --out folder.")
    differences, grown = config_differences(previous, config.source)
    if differences and not grown:
        listed = "; ".join(differences)
        raise StudyFileError(f"{out}: holds a study run from another config ({listed}); resume "
                             "with the same config (only trial counts may grow) or choose "
                             "another --out folder.")
    # same config up to comments, or more trials: record the new config in the provenance,
    # keeping what compaction recorded about the tables (text and curve columns)
    kept, _ = parse_meta(doc, file=str(existing))
    write_meta(out, meta if kept is None else dataclasses.replace(kept,
                                                                  provenance=meta.provenance))


def run_study(config: StudyConfig, out: str | Path, *, workers: int | None = None,
              scheduler: Any = None, progress: bool = True, command: str | None = None,
              config_file: str | None = None, threads: int = 1, fail_fast: bool = False,
              connect_timeout: float = 30.0) -> RunSummary:
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
    fail_fast : bool, default False
        Stop at the first trial that raises an exception and raise it here,
        with the worker's traceback (for debugging a workload), instead of
        recording the trial as failed.
    connect_timeout : float, default 30
        Seconds to wait for the Dask scheduler.

    Returns
    -------
    RunSummary

    Raises
    ------
    StudyFileError
        If another run holds the folder, or the folder holds a study run from
        another config (the message lists the differences).
    ParameterError
        A bad config (before any trial), more than
        :data:`~tunestats.runner.plan.MAX_TRIALS` trials, or a Dask scheduler
        that cannot be reached.
    """
    if workers is not None:
        workers = check_positive_int("workers", workers)
    threads = check_positive_int("threads", threads)
    total = planned_count(config)
    if progress and total > 20_000:
        print(f"planning {total:,} trials ...", file=sys.stderr, flush=True)
    specs = config.plan(fail_fast=fail_fast)
    config.check(specs)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with study_lock(out, "run the study"):
        _prepare(config, out, study_meta(config, command, config_file))
        done = done_keys(out)
        todo = [spec for spec in specs if spec.key not in done]
        counts = {"diverged": 0, "failed": 0}
        ran = 0
        interrupted = False
        bar = _progress(len(specs), len(specs) - len(todo), progress)
        results = (_dask_results(todo, scheduler, threads, connect_timeout)
                   if scheduler is not None else _pool_results(todo, workers, threads))
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
    pool = multiprocessing.get_context("fork" if fork else "spawn").Pool(
        workers, initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        yield from pool.imap_unordered(_run_with_threads, [(s, threads) for s in todo])
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _run_with_threads(args: tuple[TrialSpec, int]) -> dict[str, Any]:
    return run_trial_spec(*args)


def _dask_results(todo: Sequence[TrialSpec], scheduler: Any, threads: int,
                  connect_timeout: float) -> Iterator[dict[str, Any]]:
    """Records of ``todo`` from a Dask ``distributed`` scheduler, as they finish."""
    distributed = require("distributed", "runner")
    if not todo:
        return
    owned = not isinstance(scheduler, distributed.Client)
    if owned and not isinstance(scheduler, str):
        raise ParameterError(f"`scheduler` must be an address or a distributed.Client; "
                             f"got {scheduler!r}.")
    if owned:
        try:
            client = distributed.Client(scheduler, timeout=connect_timeout)
        except (OSError, TimeoutError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ParameterError(f"`scheduler`: cannot connect to the Dask scheduler at "
                                 f"{scheduler} within {connect_timeout:g} s ({reason})."
                                 ) from None
    else:
        client = scheduler
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
