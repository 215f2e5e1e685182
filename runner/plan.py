"""Planning a study: every trial's key, seed and hyperparameters.

A trial's seed and hyperparameters depend only on the study seed and the
trial's key, never on which other trials run or in what order; so a study
whose ``trials`` grows keeps the trials it has (trial *i* of a pool is the
same point of the same scrambled Halton sequence) and only adds new ones.

Seeds derive from the study seed by :func:`derive_seed`:
``SeedSequence(seed, spawn_key=(crc32(workload), crc32(protocol),
crc32(optimizer), repeat, trial)).generate_state(1)[0]`` for a trial, and the
same rule on ``(workload, protocol, optimizer, repeat)`` for the Halton
scrambling of each pool. This is the package's randomness policy (keyed child
streams, never one stream shared pool after pool; see ``tunestats._random``)
with the runner's own key hashing (one CRC-32 per part rather than one of the
parts joined by ``/``), kept so that studies already run resume with the same
seeds.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from tunestats.errors import ParameterError
from tunestats.space import SearchSpace

from .derived import evaluate

if TYPE_CHECKING:
    from .config import StudyConfig, WorkloadEntry

__all__ = ["MAX_TRIALS", "PoolSpace", "TrialSpec", "derive_seed", "plan_trials",
           "planned_count"]

#: The most trials one study config may plan. Planning holds every trial's
#: hyperparameters in memory and takes about 65 µs a trial (16 s at this bound, which
#: the run announces); a larger study is split into several configs (e.g. one per
#: workload), each run into its own folder.
MAX_TRIALS = 250_000


@dataclass(frozen=True)
class PoolSpace:
    """The search space of one (protocol, optimizer), with derived values and sampler.

    Attributes
    ----------
    space : SearchSpace
        Tuned and fixed parameters.
    derived : mapping of str to str
        Parameter name → product/quotient expression (:mod:`.derived`).
    sampler : {"halton", "grid"}
        Scrambled Halton points, or the grid of the choices (trial *i* takes
        point *i*).
    where : str
        The config path of this space (e.g. ``protocols.paper.adam``), for messages.
    """

    space: SearchSpace
    derived: Mapping[str, str] = field(default_factory=dict)
    sampler: str = "halton"
    where: str = ""

    def points(self, trials: int, seed: int) -> list[dict[str, Any]]:
        """Hyperparameters of trials ``0 … trials − 1`` (tuned, fixed and derived).

        Parameters
        ----------
        trials : int
            How many points.
        seed : int
            Scrambles the Halton sequence.

        Returns
        -------
        list of dict
            One mapping of parameter name → value per trial.
        """
        if self.sampler == "grid":
            grids = [p.choices for p in self.space.params]
            points = [dict(zip(self.space.names, values, strict=True))
                      for values in itertools.islice(itertools.product(*grids), trials)]
            for point in points:
                point.update(self.space.fixed)
        else:
            points = self.space.points(trials, seed=seed)
        for point in points:
            for name, expression in self.derived.items():
                point[name] = evaluate(expression, point, where=f"{self.where}.derived.{name}")
        return points

    def size(self) -> int | None:
        """Number of grid points (None for an unbounded Halton sampler)."""
        if self.sampler != "grid":
            return None
        return int(np.prod([len(p.choices) for p in self.space.params]))


@dataclass(frozen=True)
class TrialSpec:
    """Everything a worker needs to run one trial (picklable).

    Attributes
    ----------
    key : tuple
        ``(workload, protocol, optimizer, repeat, trial)``.
    seed : int
        The trial's seed (:func:`derive_seed` of its key).
    hp : mapping
        Its hyperparameters.
    workload : WorkloadEntry
        What to train and for how long.
    device : str
        ``cpu``, ``cuda`` or ``auto``.
    imports : tuple of str
        Modules the worker imports first (workloads of one's own).
    fail_fast : bool
        Raise a trial's exception (with its traceback) instead of recording
        the trial as failed.
    """

    key: tuple[str, str, str, int, int]
    seed: int
    hp: Mapping[str, Any]
    workload: WorkloadEntry
    device: str
    imports: tuple[str, ...] = ()
    fail_fast: bool = False


def derive_seed(seed: int, *parts: str | int) -> int:
    """A 32-bit seed from the study seed and a tuple of names and numbers.

    Parameters
    ----------
    seed : int
        The study seed.
    *parts : str or int
        Names (hashed by CRC-32) and numbers, e.g. a trial key.

    Returns
    -------
    int

    Examples
    --------
    >>> derive_seed(0, "w", "p", "sgd", 0, 1) == derive_seed(0, "w", "p", "sgd", 0, 1)
    True
    >>> derive_seed(0, "w", "p", "sgd", 0, 1) == derive_seed(0, "w", "p", "sgd", 0, 2)
    False
    """
    key = [zlib.crc32(p.encode()) if isinstance(p, str) else int(p) for p in parts]
    return int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1)[0])


def planned_count(config: StudyConfig) -> int:
    """How many trials ``config`` plans (computed without planning them).

    Parameters
    ----------
    config : StudyConfig
        The study.

    Returns
    -------
    int
    """
    per_repeat = sum(config.protocol_trials.get(protocol, config.trials)
                     for _, protocol, _ in config.pools())
    return per_repeat * config.repeats


def plan_trials(config: StudyConfig, *, fail_fast: bool = False) -> list[TrialSpec]:
    """Every trial of ``config``, with its seed and hyperparameters.

    Parameters
    ----------
    config : StudyConfig
        The study.
    fail_fast : bool, default False
        Set on every :class:`TrialSpec`.

    Returns
    -------
    list of TrialSpec
        In config order: workload, protocol, optimizer, repeat, trial.

    Raises
    ------
    ParameterError
        If the study has more than :data:`MAX_TRIALS` trials (refused before
        any is planned), or a derived expression divides by zero.
    """
    total = planned_count(config)
    if total > MAX_TRIALS:
        raise ParameterError(f"the config plans {total:,} trials; one run plans at most "
                             f"{MAX_TRIALS:,}: lower `trials` or `repeats`, or split the "
                             "study into several configs run into separate folders.")
    specs = []
    for workload, protocol, optimizer in config.pools():
        pool = config.protocols[protocol][optimizer]
        n = config.protocol_trials.get(protocol, config.trials)
        for repeat in range(config.repeats):
            points = pool.points(n, seed=derive_seed(config.seed, workload, protocol, optimizer,
                                                     repeat))
            for trial, hp in enumerate(points):
                key = (workload, protocol, optimizer, repeat, trial)
                specs.append(TrialSpec(key, derive_seed(config.seed, *key), hp,
                                       config.workloads[workload], config.device, config.imports,
                                       fail_fast))
    return specs
