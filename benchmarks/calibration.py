"""Coverage of the best-of-k bands (tunestats.kernels.bands) on known populations.

Simulates pools of N trials from populations whose best-of-k mean and median
are known (numerical integration) and prints, per population, N and k of the
default ladder (powers of two and N): the share of pools whose pointwise 90%
band covers the truth (among pools where the band is reported; ``-`` where it
is NaN by design, the share reported in brackets), and the share whose
simultaneous band covers the truth at every k at once.

Populations (issue "Verdicts a statistician would sign"):

A  valid = 0.06 + 0.04 exp(0.9 z), test = valid + N(0, 0.004²); select = valid,
   report = test (mean band only) and select = report = valid.
B  valid = 0.08 + 0.02 |t₃|, 20 % diverged (reported at the bound 1.0, passed to the
   bands as the ``lost`` trials).
C  select = report ~ Beta(2, 5) on [0, 1].

The bands do not depend on ``replace`` (they target the population quantity,
not the estimator), so one table serves both settings.

Also: the permutation inclusion check under a true null (per-check rate at
every k over independent pairs, with its 3 s.d.; study-level family-wise rate
for 2 workloads x 2 protocols x 6 optimizers after the closed-test step-down),
its power for a 1- and 2-point accuracy gap at N = 32 and 100 (per check,
after Westfall-Young over k, after the study's family), the budget verdict on
adequately tuned and under-budgeted pools (error and 1 - error; delta from the
tolerance, and the delta rule given the seed-to-seed noise sigma of reruns: sigma
where the pool's tuning gain resolves more than noise, else the tolerance; the
population gain of doubling N in units of either), and check-space on a planted-adequate space at
N = 32 and 1024.

Usage: python benchmarks/calibration.py [--reps 1000] [--study-reps 100]
       [--pair-reps 4500] [--n-screen 199] [--sections bands,comparison,budget,space]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats

from tunestats.analysis import check_space
from tunestats.analysis._bestofk import budget_ladder
from tunestats.analysis.inclusion_graph import DEFAULT_EDGES, InclusionGraph
from tunestats.kernels import apply_diverged_policy, budget_verdict, seed_noise
from tunestats.kernels.bands import best_of_k_bands
from tunestats.kernels.permutation import (
    SCREEN_PERMUTATIONS,
    holm_over_groups,
    permutation_pair_test,
    permutations_for,
)
from tunestats.synthetic import Bowl, synthetic_study

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "nadam")
INCLUSION = InclusionGraph(DEFAULT_EDGES).pairs(OPTIMIZERS)

GRID = np.linspace(0.0, 1.0, 200_001)[1:-1]  # levels u of the trial distribution


class Population:
    """A population by its quantile function (select == report), with bounds."""

    def __init__(self, name, quantile, draw, bounds, paired=None, lost_at=None):
        self.name, self.quantile, self.draw, self.bounds = name, quantile, draw, bounds
        self.paired = paired  # draw (select, report) when select != report
        self.lost_at = lost_at  # the value of lost trials (they are passed as `lost`)

    def truth(self, ks):
        """Best-of-k mean and median of the population (minimised)."""
        x = self.quantile(GRID)
        means = np.array([np.trapezoid(x * k * (1 - GRID) ** (k - 1), GRID) for k in ks])
        medians = self.quantile(1 - 0.5 ** (1 / ks))
        return means, medians


def _a_quantile(u):
    return 0.06 + 0.04 * np.exp(0.9 * stats.norm.ppf(u))


def _b_quantile(u):
    inner = np.clip(u / 0.8, 0, 1 - 1e-15)
    return np.where(u <= 0.8, 0.08 + 0.02 * stats.t.ppf(0.5 + inner / 2, 3), 1.0)


POPULATIONS = [
    Population("A (select = report)", _a_quantile,
               lambda rng, n: _a_quantile(rng.random(n)), (0.06, 10.0)),
    Population("A (select valid, report test)", _a_quantile, None, None,
               paired=lambda rng, n: (lambda v: (v, v + rng.normal(0, 0.004, n)))(
                   _a_quantile(rng.random(n)))),
    Population("B (20% diverged at 1.0)", _b_quantile,
               lambda rng, n: _b_quantile(rng.random(n)), (0.08, 100.0), lost_at=1.0),
    Population("C (Beta(2, 5))", lambda u: stats.beta.ppf(u, 2, 5),
               lambda rng, n: rng.beta(2, 5, n), (0.0, 1.0)),
]


def coverage(population: Population, n: int, reps: int, seed: int = 0, level: float = 0.9):
    """Pointwise coverage (mean, median) per k, share reported, simultaneous coverage."""
    rng = np.random.default_rng(seed)
    ks = budget_ladder(None, n)
    true_mean, true_median = population.truth(ks)
    hit = np.zeros((2, ks.size))
    shown = np.zeros((2, ks.size))
    joint = 0
    for _ in range(reps):
        if population.paired is not None:
            select, report = population.paired(rng, n)
        else:
            select = report = population.draw(rng, n)
        lost = None if population.lost_at is None else report == population.lost_at
        b = best_of_k_bands(select, report, ks, [0.5], confidence=level,
                            bounds=population.bounds if population.paired is None else None,
                            lost=lost, seed=int(rng.integers(2**63)))
        for row, (low, high, truth) in enumerate(((b.mean_low, b.mean_high, true_mean),
                                                  (b.quantiles_low[:, 0],
                                                   b.quantiles_high[:, 0], true_median))):
            ok = np.isfinite(low) & np.isfinite(high)
            shown[row] += ok
            hit[row] += ok & (low <= truth) & (truth <= high)
        if population.paired is None:
            sim = ((b.sim_mean_low <= true_mean) & (true_mean <= b.sim_mean_high)
                   & ~(b.sim_quantiles_low[:, 0] > true_median)
                   & ~(b.sim_quantiles_high[:, 0] < true_median))
            joint += bool(sim.all())
    with np.errstate(invalid="ignore"):
        return ks, hit / shown, shown / reps, joint / reps


def accuracy_pool(rng, n: int, diverge: float, shift: float = 0.0):
    """Validation accuracies on 300 images (multiples of 1/300) of n trials of varying
    quality, each diverged (NaN) with probability ``diverge``, ``shift`` added to every
    trial's true accuracy."""
    quality = 0.92 + shift - 0.15 * rng.random(n) ** 2
    accuracy = rng.binomial(300, np.clip(quality, 0, 1)) / 300
    lost = rng.random(n) < diverge
    out = apply_diverged_policy(np.where(lost, np.nan, accuracy), np.where(lost, np.nan,
                                                                          accuracy),
                                select_direction="maximize", report_direction="maximize")
    return out.select, out.report, out.touched


def pair_test(rng, a, b, ks, n_permutations, n_screen=0, alpha=0.05):
    """The inclusion check "A is better"; with ``n_screen``, screened as
    :func:`tunestats.compare_protocols` screens it (only the side "a" refined)."""
    return permutation_pair_test(*a[:2], *b[:2], ks, select_direction="maximize",
                                 report_sign=-1.0, n_permutations=n_permutations,
                                 seed=int(rng.integers(2**63)), lost_a=a[2], lost_b=b[2],
                                 n_screen=n_screen, alpha=alpha, refine=("a",))


def comparison_null(reps: int, n: int, n_permutations: int, alpha: float = 0.05,
                    n_screen: int = 0):
    """Per-check rate (raw one-sided p <= alpha) at each k and the study-level family-wise
    rate of at least one violation, for null studies of 2 workloads x 2 protocols x 6
    optimizers (every pool from one population); with ``n_screen``, also the share of
    checks the screen refined."""
    rng = np.random.default_rng(1)
    ks = budget_ladder(None, n)
    per_check, checks, studies, refined = np.zeros(ks.size), 0, 0, 0
    for _ in range(reps):
        wy, groups = [], []
        for unit in range(4):  # (workload, protocol): one population, 10-30 % diverged
            diverge = rng.uniform(0.1, 0.3)
            pools = {o: accuracy_pool(rng, n, diverge) for o in OPTIMIZERS}
            for low, high in INCLUSION:
                t = pair_test(rng, pools[low], pools[high], ks, n_permutations, n_screen,
                              alpha)
                per_check += t.p_a <= alpha
                checks += 1
                refined += t.n_permutations_a == n_permutations
                wy.append(t.wy_a)
                groups += [f"{unit}/{low}/{high}"] * ks.size
        adjusted = holm_over_groups(np.concatenate(wy), groups)
        studies += bool((adjusted <= alpha).any())
    return ks, per_check / checks, studies / reps, len(set(groups)), refined / checks


def per_check_null(reps: int, n: int, n_permutations: int, alpha: float = 0.05):
    """Per-check rate (raw one-sided p <= alpha) at each k over ``reps`` independent null
    pairs (the checks of one study share pools and are correlated, so a study-level count
    of checks overstates the information)."""
    rng = np.random.default_rng(11)
    ks = budget_ladder(None, n)
    hits = np.zeros(ks.size)
    for _ in range(reps):
        diverge = rng.uniform(0.1, 0.3)
        t = pair_test(rng, accuracy_pool(rng, n, diverge), accuracy_pool(rng, n, diverge), ks,
                      n_permutations)
        hits += t.p_a <= alpha
    return ks, hits / reps


def comparison_power(reps: int, n: int, shift: float, n_permutations: int | None = None,
                     alpha: float = 0.05, n_screen: int = 0):
    """Share of pairs where the better optimizer (``shift`` accuracy) is found better:
    per check (raw), after Westfall-Young over k within the pair, and after the family
    adjustment of a 2 x 2 x 6 study (G = 4 x the inclusion pairs; the other groups null, so
    the step-down equals Bonferroni G p up to their largest p-values: G p is used, a lower
    bound on the power). Permutations: ``permutations_for(G, alpha)`` by default."""
    rng = np.random.default_rng(2)
    ks = budget_ladder(None, n)
    groups = len(INCLUSION) * 4
    n_permutations = n_permutations or permutations_for(groups, alpha)
    raw, pair, family = np.zeros(ks.size), np.zeros(ks.size), np.zeros(ks.size)
    for _ in range(reps):
        diverge = rng.uniform(0.1, 0.3)
        t = pair_test(rng, accuracy_pool(rng, n, diverge, shift), accuracy_pool(rng, n, diverge),
                      ks, n_permutations, n_screen, alpha)
        raw += t.p_a <= alpha
        pair += t.wy_a <= alpha
        family += np.minimum(t.wy_a * groups, 1.0) <= alpha
    return ks, raw / reps, pair / reps, family / reps, n_permutations


#: Budget-verdict populations: label, N, and the search space of :func:`tuned_pool`.
BUDGET_ROWS = (
    ("adequately tuned, sigma = 0.003", 32, {"curvature": 0.03, "sigma": 0.003}),
    ("adequately tuned, sigma = 0.01", 32, {"curvature": 0.03, "sigma": 0.01}),
    ("adequately tuned, sigma = 0.01", 100, {"curvature": 0.03, "sigma": 0.01}),
    ("adequately tuned, sigma = 0.01", 400, {"curvature": 0.03, "sigma": 0.01}),
    ("adequately tuned, sigma = 0.03", 32, {"curvature": 0.03, "sigma": 0.03}),
    ("narrow optimum, curvature 1.0", 8, {"curvature": 1.0, "sigma": 0.01}),
    ("narrow optimum, curvature 1.0", 16, {"curvature": 1.0, "sigma": 0.01}),
    ("needle, width 0.1 decade", 8, {"width": 0.1, "sigma": 0.01}),
    ("needle, width 0.1 decade", 32, {"width": 0.1, "sigma": 0.01}),
    ("4 relevant hps, curvature 1.0", 8, {"curvature": 1.0, "sigma": 0.01, "dims": 4}),
    ("4 relevant hps, curvature 1.0", 32, {"curvature": 1.0, "sigma": 0.01, "dims": 4}),
)


def tuned_pool(rng, n: int, sigma: float, curvature: float = 0.0, width: float | None = None,
               dims: int = 1, reruns: int = 0):
    """valid error = 0.08 + curvature * sum_i (log10 lr_i - c)^2 + N(0, sigma^2) over ``dims``
    relevant hyperparameters, log10 lr_i uniform on [-4, 0], c = -2 inside the bounds, and an
    irrelevant hyperparameter; with ``width`` a needle instead: 0.08 + 0.5 (1 - exp(-d^2 /
    (2 width^2))) with d the distance to the optimum in decades. The last ``reruns`` trials
    rerun the first configurations with fresh noise. Returns the errors and configuration
    labels."""
    x = rng.uniform(-4, 0, (dims, n)) + 2
    rng.uniform(0, 1, n)  # the irrelevant hyperparameter: drawn, never used
    configs = np.arange(n)
    if reruns:
        x[:, n - reruns:] = x[:, :reruns]
        configs[n - reruns:] = configs[:reruns]
    d2 = np.sum(x**2, axis=0)
    f = curvature * d2 if width is None else 0.5 * (1 - np.exp(-d2 / (2 * width**2)))
    return 0.08 + f + rng.normal(0, sigma, n), configs


def budget_rates(reps: int, n: int, space: dict, n_resamples: int = 200):
    """Share of pools called "not enough trials", for error (column 0) and the same trials
    as 1 - error (column 1): row 0 without reruns seen (δ from the tolerance), row 1 with the
    seed-to-seed noise of the pool's reruns (``max(2, N // 8)`` configurations run twice,
    :func:`tunestats.kernels.seed_noise`) passed to the δ rule; and the share of pools whose
    δ with reruns is the tolerance because their tuning gain is within noise."""
    rng = np.random.default_rng(3)
    not_enough, flat = np.zeros((2, 2)), 0
    for _ in range(reps):
        error, configs = tuned_pool(rng, n, reruns=max(2, n // 8), **space)
        seed = int(rng.integers(2**63))
        for i, noise in enumerate((None, seed_noise(error, configs))):
            for j, (values, direction) in enumerate(((error, "minimize"),
                                                     (1 - error, "maximize"))):
                verdict = budget_verdict(values, values, select_direction=direction,
                                         report_direction=direction, n_resamples=n_resamples,
                                         seed=seed, noise=noise)
                not_enough[i, j] += not verdict.enough
        flat += verdict.delta_source == "tolerance, flat within noise"
    return not_enough / reps, flat / reps


def population_gains(n: int, space: dict, draws: int = 400_000) -> tuple[float, float]:
    """Population best-of-n minus best-of-2n mean error of :func:`tuned_pool`, and the
    tolerance δ = 0.1 (best-of-1 - best-of-n) of the population (Monte Carlo over the trial
    distribution's quantile grid), to tell under-budgeted pools (gain > 3 δ)."""
    rng = np.random.default_rng(99)
    x = np.sort(tuned_pool(rng, draws, **space)[0])
    u = (np.arange(draws) + 0.5) / draws
    mean = {k: np.sum(x * ((1 - u + 0.5 / draws) ** k - (1 - u - 0.5 / draws) ** k))
            for k in (1, n, 2 * n)}
    return float(mean[n] - mean[2 * n]), 0.1 * float(mean[1] - mean[n])


def planted_adequate(reps: int, n: int) -> float:
    """Share of synthetic studies with an interior optimum (lr 1e-2 inside [1e-4, 1],
    noise 0.01) that ``check_space`` calls adequate."""
    adequate = 0
    for seed in range(reps):
        study = synthetic_study(optimizers=["sgd"], n_trials=n, n_steps=2, seed=seed,
                                bowls={("quadratic", "paper", "sgd"): Bowl(noise=0.01)})
        adequate += check_space(study, seed=seed).adequate
    return adequate / reps


def bands_section(args) -> None:
    """Coverage of the bands per population, N and k."""
    print(f"nominal level 0.90; {args.reps} pools per cell; pointwise coverage where the band "
          "is reported [share of pools where it is]")
    for population in POPULATIONS:
        print(f"\n{population.name}")
        for n in (20, 50, 100):
            ks, cover, shown, joint = coverage(population, n, args.reps)
            for row, what in enumerate(("mean  ", "median")):
                cells = " ".join(
                    f"k={k}:{c:.3f}[{s:.2f}]" if s > 0 else f"k={k}:-"
                    for k, c, s in zip(ks, cover[row], shown[row], strict=True))
                print(f"  N={n:<3} {what} {cells}")
            if population.paired is None:
                print(f"  N={n:<3} simultaneous (mean and median, every k): {joint:.3f}")
            else:
                print(f"  N={n:<3} simultaneous: NaN by design (select != report)")


def comparison_section(args) -> None:
    """The inclusion check: level per check, family-wise rate, power."""
    print(f"\nInclusion check under a true null, per check: {args.pair_reps} independent "
          "pairs (accuracies on 300 images, 10-30 % diverged, 199 permutations); tolerance "
          "3 s.d. = "
          f"{3 * np.sqrt(0.05 * 0.95 / args.pair_reps):.4f}")
    for n in (32, 100):
        ks, rate = per_check_null(args.pair_reps, n, 199)
        cells = " ".join(f"k={k}:{r:.4f}" for k, r in zip(ks, rate, strict=True))
        print(f"  N={n:<3} per-check rate at alpha = 0.05: {cells}")
    print("\nInclusion check under a true null (accuracies on 300 images, 10-30 % diverged; "
          f"{args.study_reps} studies of 2 workloads x 2 protocols x 6 optimizers, "
          f"{len(INCLUSION)} inclusion pairs; {args.permutations} permutations, "
          + (f"screened with {args.n_screen} first as compare_protocols does)" if args.n_screen
             else "no screen)"))
    for n in (32, 100):
        ks, rate, fwer, groups, refined = comparison_null(args.study_reps, n,
                                                          args.permutations,
                                                          n_screen=args.n_screen)
        cells = " ".join(f"k={k}:{r:.3f}" for k, r in zip(ks, rate, strict=True))
        print(f"  N={n:<3} per-check rate (checks of one study are correlated): {cells}")
        print(f"  N={n:<3} studies with >= 1 violation after family-wise control "
              f"({groups} groups): {fwer:.3f}; checks refined by the screen: {refined:.3f}")
    print(f"\nPower: one optimizer better by 1 or 2 accuracy points ({args.study_reps} pairs; "
          "per check / Westfall-Young over k / after the family of a 2 x 2 x 6 study)")
    for n in (32, 100):
        for shift in (0.01, 0.02):
            ks, raw, pair, family, perms = comparison_power(args.study_reps, n, shift,
                                                            n_screen=args.n_screen)
            cells = " ".join(f"k={k}:{r:.2f}/{p:.2f}/{f:.2f}" for k, r, p, f in zip(
                ks, raw, pair, family, strict=True))
            print(f"  N={n:<3} +{shift * 100:.0f} pt ({perms} permutations) {cells}")


def budget_section(args) -> None:
    """The budget verdict on adequately tuned and under-budgeted pools."""
    reps = args.study_reps * 2
    print(f"\nBudget verdict: share of pools called 'not enough trials' ({reps} pools per cell, "
          f"3 s.d. = {3 * np.sqrt(0.1 * 0.9 / reps):.3f} at 0.1 and "
          f"{3 * np.sqrt(0.8 * 0.2 / reps):.3f} at 0.8; error / the same trials as accuracy = "
          "1 - error), with delta = 0.1 x the pool's tuning gain (no reruns) | the delta rule "
          "given the seed-to-seed noise of the pool's reruns [share of pools whose tuning gain "
          "is within noise, delta = the tolerance]; the population gain of doubling N in units "
          "of the population's tolerance delta and of sigma (under-budgeted: gain > 3 delta)")
    for label, n, space in BUDGET_ROWS:
        rates, flat = budget_rates(reps, n, space)
        gain, tolerance = population_gains(n, space)
        print(f"  {label:<32} N={n:<4} gain {gain / tolerance:5.2f} delta {rates[0, 0]:.3f} / "
              f"{rates[0, 1]:.3f} | gain {gain / space['sigma']:6.2f} sigma "
              f"{rates[1, 0]:.3f} / {rates[1, 1]:.3f} [{flat:.3f}]")


def space_section(args) -> None:
    """check-space on a planted-adequate space."""
    print("\ncheck-space on a planted-adequate space (interior optimum): share adequate")
    for n, reps in ((32, args.study_reps), (1024, max(5, args.study_reps // 4))):
        print(f"  N={n:<5} {planted_adequate(reps, n):.3f} ({reps} seeds)")


SECTIONS = {"bands": bands_section, "comparison": comparison_section,
            "budget": budget_section, "space": space_section}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--study-reps", type=int, default=100,
                        help="null studies / pairs per cell for the comparison tables")
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--n-screen", type=int, default=SCREEN_PERMUTATIONS,
                        help="screening permutations of the family's checks (0: none)")
    parser.add_argument("--pair-reps", type=int, default=4500,
                        help="independent null pairs for the per-check rate")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated subset of {','.join(SECTIONS)}")
    args = parser.parse_args()
    start = time.perf_counter()
    for name in args.sections.split(","):
        if name not in SECTIONS:
            parser.error(f"unknown section {name!r}; choose from {', '.join(SECTIONS)}")
        SECTIONS[name](args)
    print(f"\n{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
