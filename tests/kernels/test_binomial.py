"""The binomial functions of :mod:`tunestats.kernels._binomial` against scipy.stats and
hand-counted cases."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from scipy import stats

from tunestats.kernels._binomial import binom_cdf, binom_pmf, binom_ppf, binom_sf


def _cases(rng, count):
    """(n, p) pairs: small and large n, p inside, near and at the ends."""
    for _ in range(count):
        n = int(rng.integers(0, 400))
        p = rng.choice([0.0, 1.0, rng.random(), 1e-3 * rng.random(), 1 - 1e-3 * rng.random()])
        yield n, float(p)


def test_cdf_sf_pmf_match_scipy_on_random_cases():
    rng = np.random.default_rng(11)
    for n, p in _cases(rng, 400):
        k = np.arange(-2, n + 3)
        np.testing.assert_allclose(binom_cdf(k, n, p), stats.binom.cdf(k, n, p),
                                   rtol=1e-12, atol=1e-15, err_msg=f"{n=}, {p=}")
        np.testing.assert_allclose(binom_sf(k, n, p), stats.binom.sf(k, n, p),
                                   rtol=1e-11, atol=1e-15, err_msg=f"{n=}, {p=}")
        np.testing.assert_allclose(binom_pmf(k, n, p), stats.binom.pmf(k, n, p),
                                   rtol=1e-11, atol=1e-15, err_msg=f"{n=}, {p=}")


def test_pmf_hand_counted_and_off_the_integers():
    # Bin(4, 1/2): 1, 4, 6, 4, 1 sixteenths
    assert binom_pmf(np.arange(5), 4, 0.5).tolist() == [c / 16 for c in (1, 4, 6, 4, 1)]
    assert binom_pmf([1.5, -1, 5], 4, 0.5).tolist() == [0.0, 0.0, 0.0]
    got = binom_pmf(3, 10, 0.3)
    assert got == pytest.approx(comb(10, 3) * 0.3**3 * 0.7**7, rel=1e-14)


def test_ppf_matches_scipy_on_random_levels():
    rng = np.random.default_rng(12)
    for n, p in _cases(rng, 400):
        q = np.concatenate([rng.random(40), [1e-9, 1e-3, 0.05, 0.95, 1 - 1e-9]])
        np.testing.assert_array_equal(binom_ppf(q, n, p), stats.binom.ppf(q, n, p),
                                      err_msg=f"{n=}, {p=}")


def test_ppf_is_the_smallest_k_reaching_q_with_arrays_of_p():
    # the definition, by brute force over k, with p an array (the bands' use)
    n, q = 57, 0.05
    p = np.linspace(0.0, 1.0, 201)
    got = binom_ppf(q, n, p)
    cdf = binom_cdf(np.arange(n + 1)[:, None], n, p)  # (k, p)
    expected = np.argmax(cdf >= q, axis=0)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got, stats.binom.ppf(q, n, p))


@pytest.mark.parametrize(("q", "n", "p", "expected"), [
    (0.0, 5, 0.3, -1.0), (1.0, 5, 0.3, 5.0),  # scipy's ends of the support
    (0.5, 5, 0.0, 0.0), (0.5, 5, 1.0, 5.0),  # all mass at 0 or at n
    (0.5, 0, 0.3, 0.0), (0.0, 0, 0.3, -1.0), (1.0, 0, 0.3, 0.0),  # n = 0
    (0.25, 2, 0.5, 0.0), (0.2500001, 2, 0.5, 1.0), (0.75, 2, 0.5, 1.0),  # cdf 1/4, 3/4
])
def test_ppf_edge_cases(q, n, p, expected):
    assert binom_ppf(q, n, p) == expected
    assert stats.binom.ppf(q, n, p) == expected
