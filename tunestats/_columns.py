"""Names of the quantile columns of result frames (``q05``, ``q50``, ``q2.5``, …), shared
by the analyses that write them and the plots and commands that read them."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["is_quantile_column", "quantile_column", "quantile_levels"]


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
