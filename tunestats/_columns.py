"""Result-frame columns: the names of the quantile columns (``q05``, ``q50``, ``q2.5``, …)
and what a best-of-k frame's numbers and bands mean, in words. Shared by the analyses
that write the frames and by the plots and commands that read and label them (no
statistics and no matplotlib here)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ._checks import check_choice

__all__ = ["band_label", "estimator_label", "is_quantile_column", "quantile_column",
           "quantile_levels"]


def quantile_column(q: float) -> str:
    """Column name of a quantile level: 0.05 → ``q05``, 0.5 → ``q50``, 0.025 → ``q2.5``.

    Examples
    --------
    >>> [quantile_column(q) for q in (0.05, 0.5, 0.025)]
    ['q05', 'q50', 'q2.5']
    """
    percent = round(100 * float(q), 10)
    return f"q{int(percent):02d}" if percent.is_integer() else f"q{percent:g}"


def is_quantile_column(name: str) -> bool:
    """Whether ``name`` is a quantile column (``q05``), not a derived one (``q50_ci_low``).

    Examples
    --------
    >>> [is_quantile_column(n) for n in ("q05", "q2.5", "q50_ci_low", "mean")]
    [True, True, False, False]
    """
    return name.startswith("q") and name[1:].replace(".", "", 1).isdigit()


def quantile_levels(columns: Iterable[str]) -> list[str]:
    """The quantile columns among ``columns``, by increasing level.

    Examples
    --------
    >>> quantile_levels(["mean", "q95", "q05", "q50_ci_low", "q50"])
    ['q05', 'q50', 'q95']
    """
    return sorted((c for c in columns if is_quantile_column(c)), key=lambda c: float(c[1:]))


def estimator_label(frame: pd.DataFrame) -> str:
    """How the numbers of a best-of-k result were obtained, in words (for legends).

    Examples
    --------
    >>> estimator_label(pd.DataFrame({"method": ["exact"], "replace": [False]}))
    'exact, k trials drawn without replacement (Tang et al. 2020)'
    """
    method, replace = frame["method"].iloc[0], bool(frame["replace"].iloc[0])
    scheme = ("with replacement (Dodge et al. 2019)" if replace
              else "without replacement (Tang et al. 2020)")
    if method == "bootstrap":
        method = f"bootstrap of {int(frame['n_resamples'].iloc[0]):,} resamples"
    return f"{method}, k trials drawn {scheme}"


def band_label(frame: pd.DataFrame, band: str, center: str = "q50") -> str:
    """What a band drawn from a best-of-k result means, in words (for legends).

    ``band="spread"`` is the range between the lowest and highest quantile
    columns (spread of best-of-k outcomes); ``band="confidence"`` is the
    calibrated pointwise band of ``center`` (:mod:`tunestats.kernels.bands`;
    confidence in the estimate).

    Examples
    --------
    >>> frame = pd.DataFrame({"q05": [0.1], "q95": [0.2], "ci_level": [0.9]})
    >>> band_label(frame, "spread")
    'band: 5th–95th percentile, spread of best-of-k outcomes'
    >>> band_label(frame, "confidence", "mean")
    'band: pointwise 90% confidence in the population mean'
    """
    check_choice("band", band, ("spread", "confidence"))
    if band == "confidence":
        what = {"mean": "the mean", "q50": "the median"}.get(center, f"the {center} quantile")
        return (f"band: pointwise {frame['ci_level'].iloc[0]:.0%} confidence in the population "
                f"{what[4:]}")
    levels = quantile_levels(frame.columns)
    low, high = (c[1:].lstrip("0") or "0" for c in (levels[0], levels[-1]))
    return f"band: {_ordinal(low)}–{_ordinal(high)} percentile, spread of best-of-k outcomes"



def _ordinal(number: str) -> str:
    if "." in number:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(int(number) % 10, "th")
    return number + ("th" if 10 <= int(number) % 100 <= 20 else suffix)
