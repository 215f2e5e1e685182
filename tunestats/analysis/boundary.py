"""Is a pool's best region away from the edges of a tuned range? (arrays in, verdicts out)

For one pool and one tuned hyperparameter, given each trial's position in
[0, 1] (in the parameter's own scale) and its outcome, decide for each side
(``low``, ``high``) whether the best trials lie at that edge, and if they
do, whether widening the range could help.

The rule is Appendix E of Choi et al. (2019) and the Deep Learning Tuning
Playbook (Godbole et al. 2023): a best point near a boundary of the search
space means the range should grow, unless the boundary is where training
starts to fail.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..kernels._binomial import binom_sf
from ..kernels.ordering import kendall_test

__all__ = ["EDGE_KINDS", "SIDES", "VERDICTS", "SideVerdict", "boundary_sides"]

SIDES = ("low", "high")

#: Verdicts of one side.
VERDICTS = ("interior", "best at edge", "top trials crowd the edge", "insufficient data",
            "unordered")

#: What a flagged side is.
EDGE_KINDS = ("divergence cliff", "open edge", "no trend")

#: Fewest completed trials a pool needs for a verdict.
MIN_COMPLETED = 3


@dataclass(frozen=True)
class SideVerdict:
    """The verdict on one side of one tuned range.

    Attributes
    ----------
    verdict : str
        ``"interior"``, ``"best at edge"`` (the best trial lies in the edge
        band), ``"top trials crowd the edge"`` (it does not, but the top
        trials are significantly over-represented in the band) or
        ``"insufficient data"`` (fewer than three completed trials).
    best_index : int
        Index of the best completed trial (of the tied best, the one nearest
        this side); −1 without a verdict.
    best_position : float
        Its position.
    band_share : float
        Share of the completed trials inside the edge band.
    top_n : int
        Number of top trials (``ceil(top_q * n)``, plus any tied with the last).
    top_in_band : int
        How many of them lie inside the band.
    p_value : float
        One-sided binomial p-value of ``top_in_band`` given ``top_n`` and
        ``band_share``.
    edge_kind : str or None
        For a flagged side: ``"divergence cliff"``, ``"open edge"`` or
        ``"no trend"``; ``None`` otherwise.
    n_beyond : int
        Completed and lost trials strictly beyond the best towards this side.
    n_beyond_bad : int
        How many of them were lost or worse than the upper quartile of the
        completed trials.
    trend_tau : float
        Kendall's τ between the distance towards this side and the outcome,
        over the completed trials in the half of the range nearer this side
        (negative: improving towards the edge); NaN when not computed.
    trend_p : float
        Its one-sided p-value (alternative τ < 0).
    """

    verdict: str
    best_index: int = -1
    best_position: float = math.nan
    band_share: float = math.nan
    top_n: int = 0
    top_in_band: int = 0
    p_value: float = math.nan
    edge_kind: str | None = None
    n_beyond: int = 0
    n_beyond_bad: int = 0
    trend_tau: float = math.nan
    trend_p: float = math.nan

    @property
    def flagged(self) -> bool:
        """True for ``best at edge`` and ``top trials crowd the edge``."""
        return self.verdict in VERDICTS[1:3]


def boundary_sides(position: np.ndarray, value: np.ndarray, lost: np.ndarray, *,
                   band: float, top_q: float, alpha: float) -> dict[str, SideVerdict]:
    """Boundary verdicts on both sides of one tuned range of one pool.

    Parameters
    ----------
    position : ndarray, shape (N,)
        Each trial's position in the range (0 = low bound, 1 = high bound, in
        the parameter's own scale); finite.
    value : ndarray, shape (N,)
        Each trial's outcome, oriented so that smaller is better; NaN for a
        lost trial.
    lost : ndarray of bool, shape (N,)
        Trials that diverged or ended without a value.
    band : float
        Width ε of each edge band, as a fraction of the range, in (0, 0.5).
    top_q : float
        Fraction q of the completed trials that are the "top trials", in (0, 1].
    alpha : float
        Level of the binomial test and of the trend test.

    Returns
    -------
    dict
        ``{"low": SideVerdict, "high": SideVerdict}``.

    Notes
    -----
    Write :math:`t = u` for the high side and :math:`t = 1 - u` for the low
    side, so that the edge band is :math:`t \\ge 1 - \\varepsilon`. Over the
    :math:`n` completed trials:

    * **best at edge**: the best trial has :math:`t \\ge 1 - \\varepsilon`.
    * **top trials crowd the edge**: with :math:`m = \\lceil q n \\rceil` top
      trials (all trials tied with the :math:`m`-th best included),
      :math:`x` of them in the band and :math:`p_0` the band's share of the
      completed trials, :math:`P(X \\ge x) < \\alpha` for
      :math:`X \\sim \\mathrm{Binomial}(m, p_0)`. Under the null that a
      trial's rank does not depend on its position, the top trials are a
      random subset of the trials and fall in the band with probability
      :math:`p_0` each.

    A flagged side is then a

    * **divergence cliff** when at least half of the trials beyond the best
      towards the edge (:math:`t > t_{best}`) were lost or worse than three
      quarters of the completed trials: widening the range would only add
      failures;
    * **open edge** when results still improve towards the edge: Kendall's
      :math:`\\tau` between :math:`t` and the outcome over the completed
      trials with :math:`t \\ge 1/2` is negative at level :math:`\\alpha`
      (one-sided);
    * **no trend** otherwise: the best trial is at the edge but nothing shows
      that the edge matters (a parameter the outcome barely depends on
      puts its best trial at an edge in about :math:`2\\varepsilon` of pools).

    References
    ----------
    .. [1] Choi, D. et al. (2019). On Empirical Comparisons of Optimizers for
       Deep Learning. arXiv:1910.05446, Appendices D–E.
    .. [2] Godbole, V. et al. (2023). Deep Learning Tuning Playbook,
       "Identifying bad search-space boundaries".

    Examples
    --------
    >>> u = np.linspace(0, 1, 11)
    >>> out = boundary_sides(u, (u - 1.2) ** 2, np.zeros(11, bool), band=0.05, top_q=0.1,
    ...                      alpha=0.05)
    >>> out["high"].verdict, out["high"].edge_kind, out["low"].verdict
    ('best at edge', 'open edge', 'interior')
    """
    ok = ~lost
    if ok.sum() < MIN_COMPLETED:
        return {side: SideVerdict("insufficient data") for side in SIDES}
    bad = lost | (value > np.quantile(value[ok], 0.75))
    out = {"low": _side(1.0 - position, value, ok, bad, band=band, top_q=top_q, alpha=alpha),
           "high": _side(position, value, ok, bad, band=band, top_q=top_q, alpha=alpha)}
    return {side: dataclasses.replace(v, best_position=float(position[v.best_index]))
            for side, v in out.items()}


def _side(t: np.ndarray, value: np.ndarray, ok: np.ndarray, bad: np.ndarray, *, band: float,
          top_q: float, alpha: float) -> SideVerdict:
    """One side, with ``t`` growing towards it (see :func:`boundary_sides`); the
    caller fills in ``best_position``."""
    tc, yc = t[ok], value[ok]
    n = tc.size
    tied = np.flatnonzero(ok & (value == yc.min()))
    best = int(tied[np.argmax(t[tied])])
    t_best = float(t[best])
    in_band = tc >= 1.0 - band
    share = float(in_band.mean())
    m = max(1, math.ceil(top_q * n - 1e-9))
    top = yc <= np.sort(yc)[m - 1]
    top_n, top_in_band = int(top.sum()), int((top & in_band).sum())
    p_value = float(binom_sf(top_in_band - 1, top_n, share))
    best_at_edge = t_best >= 1.0 - band
    crowded = p_value < alpha
    common = {"band_share": share, "top_n": top_n, "top_in_band": top_in_band,
              "p_value": p_value}
    if not (best_at_edge or crowded):
        return SideVerdict("interior", best, **common)
    verdict = "best at edge" if best_at_edge else "top trials crowd the edge"
    beyond = t > t_best
    n_beyond, n_bad = int(beyond.sum()), int((beyond & bad).sum())
    tau, trend_p = _trend(tc, yc)
    if n_beyond and 2 * n_bad >= n_beyond:
        kind = "divergence cliff"
    else:
        kind = "open edge" if trend_p < alpha else "no trend"
    return SideVerdict(verdict, best, **common, edge_kind=kind, n_beyond=n_beyond,
                       n_beyond_bad=n_bad, trend_tau=tau, trend_p=trend_p)


def _trend(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Kendall's τ of (t, y) over the half t ≥ 1/2, with its one-sided p-value (τ < 0)."""
    half = t >= 0.5
    if half.sum() < MIN_COMPLETED:
        return math.nan, 1.0
    tau, p_value = kendall_test(t[half], y[half], alternative="less")
    if not np.isfinite(p_value):  # constant outcomes or positions
        return tau, 1.0
    return tau, p_value
