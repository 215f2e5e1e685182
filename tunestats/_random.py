"""The randomness policy of tunestats: one rule for seeds, keyed streams per pool.

The rule (DESIGN §4.3), the same in every public function that draws random
numbers, kernels, analyses and CLI alike:

* ``seed`` accepts a non-negative ``int``, a :class:`numpy.random.SeedSequence`
  or a :class:`numpy.random.Generator`, and **defaults to** :data:`DEFAULT_SEED`
  (``0``): a call without a seed is reproducible, never fed from the global
  state or the clock. ``None`` is refused.
* An analysis never draws pool after pool from one shared stream. Each unit of
  work (a pool, a pair of pools) draws from its own child stream, keyed by its
  name: :func:`keyed_generator`. A pool's numbers therefore do not depend on
  which other pools, protocols or optimizers are in the call, nor on their
  order.
* Keys are hashed with CRC-32 of their parts joined by ``"/"`` (stable across
  processes and Python versions, unlike :func:`hash`); for a pool the key
  ``(workload, protocol, optimizer)`` gives the same child stream as before
  this module existed (``SeedSequence(seed, spawn_key=(crc32("w/p/o"),))``), so
  the numbers of ``best_of_k`` and ``budget_convergence`` keep their bytes.
"""

from __future__ import annotations

import numbers
import zlib
from collections.abc import Iterable
from typing import Any, Union

import numpy as np

from .errors import ParameterError

__all__ = ["DEFAULT_SEED", "SeedLike", "as_generator", "check_seed", "keyed_generator",
           "root_sequence"]

#: The default of every ``seed`` argument.
DEFAULT_SEED = 0

#: What a ``seed`` argument accepts.
SeedLike = Union[int, np.random.SeedSequence, np.random.Generator]  # noqa: UP007


def _message(name: str, seed: Any) -> str:
    got = repr(seed) if isinstance(seed, str) else str(seed)
    return (f"`{name}` must be a non-negative integer, a numpy SeedSequence or a numpy "
            f"Generator (an explicit seed keeps results reproducible); got {got}.")


def check_seed(seed: Any, name: str = "seed") -> SeedLike:
    """Return ``seed`` if it is a non-negative int, a SeedSequence or a Generator, else raise.

    Examples
    --------
    >>> check_seed(3)
    3
    """
    if isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    raise ParameterError(_message(name, seed))


def as_generator(seed: Any, name: str = "seed") -> np.random.Generator:
    """Turn ``seed`` (an int, a SeedSequence or a Generator) into a Generator.

    A Generator is returned as it is (its state advances as it is used).

    Examples
    --------
    >>> float(as_generator(0).random()) == float(np.random.default_rng(0).random())
    True
    """
    seed = check_seed(seed, name)
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def root_sequence(seed: Any, name: str = "seed") -> np.random.SeedSequence:
    """The SeedSequence that the keyed streams of one call derive from.

    An int ``s`` gives ``SeedSequence(s)``, a SeedSequence itself; a Generator
    is asked once for 128 bits of entropy (so one call advances it by one
    draw, whatever the number of pools).
    """
    seed = check_seed(seed, name)
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(0, 2**63)) << 64
                                      | int(seed.integers(0, 2**63)))
    return np.random.SeedSequence(seed)


def _key_word(key: Iterable[Any]) -> int:
    return zlib.crc32("/".join(str(part) for part in key).encode("utf-8"))


def keyed_generator(seed: Any, key: Iterable[Any]) -> np.random.Generator:
    """A child stream for one unit of work, from the seed and the unit's name only.

    Parameters
    ----------
    seed : int, SeedSequence or Generator
        The call's seed; a Generator must first go through :func:`root_sequence`
        (pass its result) so that every unit of one call shares one root.
    key : iterable
        The unit's name, e.g. ``(workload, protocol, optimizer)`` for a pool.

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> a = keyed_generator(0, ("mnist", "paper", "adam")).random()
    >>> b = keyed_generator(0, ("mnist", "paper", "adam")).random()
    >>> bool(a == b), bool(a == keyed_generator(0, ("mnist", "paper", "sgd")).random())
    (True, False)
    """
    root = root_sequence(seed)
    child = np.random.SeedSequence(root.entropy,
                                   spawn_key=(*root.spawn_key, _key_word(key)),
                                   pool_size=root.pool_size)
    return np.random.default_rng(child)
