"""The randomness policy: accepted seeds, keyed streams, the old per-pool streams kept."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from tunestats._random import as_generator, check_seed, keyed_generator, root_sequence
from tunestats.errors import ParameterError


def test_accepted_seeds_and_refusals():
    assert check_seed(5) == 5
    ss = np.random.SeedSequence(3)
    gen = np.random.default_rng(1)
    assert check_seed(ss) is ss and check_seed(gen) is gen and as_generator(gen) is gen
    for bad in (None, -1, 1.5, True, "0"):
        with pytest.raises(ParameterError, match="`seed` must be a non-negative integer, a "
                                                 "numpy SeedSequence or a numpy Generator"):
            check_seed(bad)


def test_keyed_stream_equals_the_former_per_pool_stream():
    # before tunestats._random: SeedSequence(seed, spawn_key=(crc32("w/p/o"),))
    old = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(
        zlib.crc32(b"mnist/full/adam"),))).random(4)
    new = keyed_generator(7, ("mnist", "full", "adam")).random(4)
    assert old.tobytes() == new.tobytes()


def test_keys_and_roots():
    a = keyed_generator(0, ("a", "b", "c")).random(3)
    assert not np.array_equal(a, keyed_generator(0, ("a", "b", "d")).random(3))
    assert not np.array_equal(a, keyed_generator(1, ("a", "b", "c")).random(3))
    # a SeedSequence root: children of it, independent of the order of the keys asked for
    root = np.random.SeedSequence(11)
    first = keyed_generator(root, ("x",)).random(2)
    keyed_generator(root, ("y",)).random(2)
    assert first.tobytes() == keyed_generator(root, ("x",)).random(2).tobytes()
    # a Generator gives one root per call, drawn once
    gen = np.random.default_rng(4)
    r1 = root_sequence(gen)
    r2 = root_sequence(np.random.default_rng(4))
    assert r1.entropy == r2.entropy
