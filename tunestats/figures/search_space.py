"""Search-space figures (paper Appendix E): axis plots, isolation plots, a 2-D scatter.

One figure per (workload, protocol), a page wide: axis plots as one panel per
(optimizer, hyperparameter) the pool tunes (only those: an optimizer's panels
are its own hyperparameters), isolation plots as one panel per hyperparameter
with a line per optimizer and one legend naming every optimizer, and the 2-D
scatter as one panel per optimizer.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

from ..analysis import SpaceCheck, isolation
from ..plots import optimizer_palette, plot_axis, plot_isolation, plot_pair
from ..plots.search_space import PAIR_CMAP
from ..space import CHOICE_SCALES
from ..study import Study
from ..study.schema import KEY
from ._facets import Analyses, file_stems, page_figure
from ._registry import FigureSpec, NotApplicable
from .summary import headline_metric

__all__ = ["FIGURES", "axis_figures", "isolation_figures", "pair_figures"]

#: The pair drawn when a pool tunes both (the paper stresses their coupling, Sec. 4).
PREFERRED_PAIR = ("learning_rate", "epsilon")


#: Panels per row of the search-space figures.
COLUMNS = 3

#: Panels per row of the axis plots: an optimizer tuning more continues on the next
#: row (seven panels in a page's width left room for 5.5 pt tick labels only).
AXIS_COLUMNS = 5

#: Rows of panels per page of the axis plots (a page is 24 cm tall): a pool set with
#: more goes on several figures, each optimizer's rows on one.
AXIS_ROWS = 6


def _checked(analyses: Analyses) -> SpaceCheck:
    """The boundary check the figures draw (the budget part is not drawn)."""
    headline_metric(analyses.study)  # NotApplicable without final values
    result = analyses.space_check()
    if result.positions.empty:
        raise NotApplicable("no pool tunes a hyperparameter")
    return result


def _by_workload_protocol(frame: pd.DataFrame):
    """``((workload, protocol), file stem, rows)`` for each (workload, protocol)."""
    groups = [((str(w), str(p)), rows) for (w, p), rows
              in frame.groupby(["workload", "protocol"], observed=True, sort=True)]
    stems = file_stems(key for key, _ in groups)
    return [(key, stems[key], rows) for key, rows in groups]


def _cells(n: int, panel_height: float, **margins: float):
    """A page-wide figure with ``n`` panels in rows of :data:`COLUMNS`; the spare
    panels of the last row are left out (``margins``: as :func:`page_figure`'s)."""
    columns = min(n, COLUMNS)
    fig, axes = page_figure(-(-n // columns), columns, panel_height=panel_height,
                            present=lambda i, j: i * columns + j < n, **margins)
    return fig, list(axes.flat[:n])


def axis_figures(data: Study | Analyses) -> dict[str, Figure]:
    """Final validation metric against each tuned hyperparameter: per (workload,
    protocol) one row of panels per optimizer holding the hyperparameters it tunes
    (no empty cells but at the end of a row), bounds drawn, the best trial starred,
    lost trials as crosses at the top, flagged edges coloured (a joint-point space: the
    points tried, no edges). A (workload, protocol) with more than :data:`AXIS_ROWS`
    rows is drawn on pages ``<workload>-<protocol>-1``, ``-2``, … that each fit a page."""
    result = _checked(Analyses.of(data))
    edges = result.boundaries.set_index(["workload", "protocol", "optimizer", "param",
                                         "side"])["edge_kind"]
    drawn = []  # ((workload, protocol[, page]), figure)
    for (workload, protocol), _, part in _by_workload_protocol(result.positions):
        rows = {}
        for (optimizer, param), cell in part.groupby(["optimizer", "param"], observed=True,
                                                     sort=False):
            rows.setdefault(str(optimizer), []).append((str(param), cell))
        values = part.loc[~part["lost"].astype(bool), "metric"].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        log = bool(values.size) and values.min() > 0 and values.max() / values.min() >= 10
        # (optimizer, its panels) per row: up to AXIS_COLUMNS of one optimizer's panels
        blocks = [[(optimizer, rows[optimizer][start:start + AXIS_COLUMNS], start == 0)
                   for start in range(0, len(rows[optimizer]), AXIS_COLUMNS)]
                  for optimizer in sorted(rows)]
        pages = _pages(blocks)
        listed = sorted(part.loc[part["bounds"] == "listed", "optimizer"].astype(str).unique())
        for number, lines in enumerate(pages, start=1):
            names = sorted({optimizer for optimizer, _, _ in lines})
            page = (f"page {number} of {len(pages)}: {', '.join(names)}\n" if len(pages) > 1
                    else "")
            fig = _axis_page(result, edges, workload, protocol, lines, log=log,
                             top=0.85 if page else 0.7)
            fig.suptitle(f"{workload} — {protocol}: final {result.metrics[workload].name} "
                         f"against each tuned hyperparameter\n{page}"
                         "(★ best, × diverged/lost at the top; dashed: bounds, coloured where "
                         "flagged" + (
                             f"; {', '.join(listed)}: a finite list of points, dotted: the "
                             "span of its values, no edges" if listed else "") + ")", fontsize=8)
            drawn.append(((workload, protocol, str(number)) if len(pages) > 1
                          else (workload, protocol), fig))
    stems = file_stems(key for key, _ in drawn)
    return {stems[key]: fig for key, fig in drawn}


def _pages(blocks: list[list]) -> list[list]:
    """The rows of the axis plots shared out over as few pages of at most
    :data:`AXIS_ROWS` rows as hold them, in turn and about evenly, each optimizer's
    rows (a block) on one page (an optimizer with more rows than a page holds
    continues on the next)."""
    total = sum(len(block) for block in blocks)
    per_page = -(-total // -(-total // AXIS_ROWS))
    pages: list[list] = [[]]
    for block in blocks:
        if pages[-1] and len(pages[-1]) + len(block) > per_page:
            pages.append([])
        for line in block:
            if len(pages[-1]) == AXIS_ROWS:
                pages.append([])
            pages[-1].append(line)
    return pages


def _axis_page(result: SpaceCheck, edges: pd.Series, workload: str, protocol: str,
               lines: list, *, log: bool, top: float) -> Figure:
    """One page of the axis plots: a row of panels per entry of ``lines``,
    ``(optimizer, [(param, trials)], first row of the optimizer?)``, ``top`` inches
    above them for the title."""
    fig, axes = page_figure(len(lines), max(len(cells) for _, cells, _ in lines),
                            panel_height=0.9, hgap=0.55, wgap=0.28, top=top, bottom=0.45,
                            left=0.75, sharey="row",
                            present=lambda i, j, r=lines: j < len(r[i][1]))
    for i, (optimizer, cells, first) in enumerate(lines):
        for j, (param, cell) in enumerate(cells):
            ax = axes[i, j]
            ax.set_label(f"{optimizer}/{param}")  # names the panel (not drawn)
            kinds = {side: edges.get((workload, protocol, optimizer, param, side))
                     for side in ("low", "high")}
            metric = result.metrics[workload]
            # the metric's label wrapped: one line ran past a panel 0.9 inch tall
            label = (f"{optimizer}\n{textwrap.fill(metric.label, 14)}" if first
                     else f"{optimizer} (cont.)") if j == 0 else ""
            plot_axis(cell, label=label, edges=kinds, log=log, ax=ax)
            inferred = "\n(bounds inferred)" if cell["bounds"].iloc[0] == "inferred" else ""
            ax.set_xlabel(textwrap.fill(param.replace("_", " "), 16) + inferred,
                          fontsize=7, labelpad=1)
            ax.tick_params(labelsize=6.5, pad=1.5)
            ax.yaxis.label.set_fontsize(7)
            # three or four ticks on the linear axes of a panel an inch wide: more
            # labels would not fit, and each tick costs drawing time (86 panels); the
            # log metric axis, labelled at the decades, without minor ticks: a panel
            # 0.9 inch tall is read for where the good trials lie along the
            # hyperparameter, and its 16 minor ticks were half the figure's artists
            for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
                if scale == "linear" and not isinstance(axis.get_major_locator(),
                                                        FixedLocator):
                    axis.set_major_locator(MaxNLocator(3))
            if ax.get_yscale() == "log":
                ax.yaxis.set_minor_locator(NullLocator())
    return fig


def isolation_figures(data: Study | Analyses) -> dict[str, Figure]:
    """Best final validation metric per bin of each hyperparameter, one line per
    optimizer, one panel per hyperparameter, per (workload, protocol)."""
    result = _checked(Analyses.of(data))
    binned = isolation(result)
    figures = {}
    for (workload, protocol), stem, part in _by_workload_protocol(binned):
        params = list(dict.fromkeys(part["param"]))
        metric = result.metrics[workload]
        fig, axes = _cells(len(params), panel_height=2.0, bottom=0.8)
        for j, (ax, param) in enumerate(zip(axes, params, strict=True)):
            plot_isolation(part[part["param"] == param], ax=ax,
                           label=f"best {metric.label} per bin"
                           if j % COLUMNS == 0 else "")
            # five labels on the metric axis of a panel two inches tall (matplotlib
            # put nine, each tick an artist to draw: 22 panels on the bundled study)
            if ax.get_yscale() == "linear":
                ax.yaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
        colors = optimizer_palette(sorted(part["optimizer"].astype(str).unique()))
        fig.legend(handles=[Line2D([], [], color=c, marker="o", markersize=3, label=name)
                            for name, c in colors.items()],
                   loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=min(len(colors), 6),
                   fontsize=7, frameon=False)
        fig.suptitle(f"{workload} — {protocol}: best {metric.name} per bin of each "
                     "hyperparameter (10 bins in its own scale)", fontsize=9)
        figures[stem] = fig
    return figures


def _pair(positions: pd.DataFrame) -> tuple[str, str]:
    """Learning rate and ε when a pool tunes both, else the first two numeric
    hyperparameters tuned in one pool."""
    numeric = positions[~positions["scale"].isin(CHOICE_SCALES)]
    per_pool = numeric.groupby(["workload", "protocol", "optimizer"], observed=True,
                               sort=True)["param"].unique()
    if any(set(PREFERRED_PAIR) <= set(params) for params in per_pool):
        return PREFERRED_PAIR
    for params in per_pool:
        if len(params) >= 2:
            return str(params[0]), str(params[1])
    raise NotApplicable("no pool tunes two numeric hyperparameters")


def pair_figures(data: Study | Analyses) -> dict[str, Figure]:
    """The trials in the plane of two hyperparameters (learning rate and ε when
    tuned), coloured by the final validation metric, one panel per optimizer."""
    result = _checked(Analyses.of(data))
    x, y = _pair(result.positions)
    figures = {}
    for (workload, protocol), stem, part in _by_workload_protocol(result.positions):
        pools = {name: rows for name, rows in part.groupby("optimizer", observed=True)
                 if {x, y} <= set(rows["param"])}
        if not pools:
            continue
        fig, axes = _cells(len(pools), panel_height=2.2, right=0.95, wgap=0.6)
        done = part.loc[np.isfinite(part["metric"].to_numpy(dtype=float)), "metric"]
        norm = Normalize(float(done.min()), float(done.max())) if len(done) else Normalize()
        for ax, (optimizer, rows) in zip(axes, sorted(pools.items()), strict=True):
            xs, ys = rows[rows["param"] == x], rows[rows["param"] == y]
            wide = xs[[*KEY, "value", "metric", "lost", "best"]].rename(
                columns={"value": f"hp.{x}"}).merge(
                ys[[*KEY, "value"]].rename(columns={"value": f"hp.{y}"}), on=list(KEY))
            plot_pair(wide, x=f"hp.{x}", y=f"hp.{y}",
                      scales=(xs["scale"].iloc[0], ys["scale"].iloc[0]),
                      bounds=((xs["low"].iloc[0], xs["high"].iloc[0]),
                              (ys["low"].iloc[0], ys["high"].iloc[0])),
                      colorbar=False, norm=norm, ax=ax)
            ax.set_title(str(optimizer), fontsize=8)
        boxes = [ax.get_position() for ax in axes]
        low, high = min(b.y0 for b in boxes), max(b.y1 for b in boxes)
        bar = fig.add_axes((max(b.x1 for b in boxes) + 0.2 / fig.get_figwidth(), low,
                            0.1 / fig.get_figwidth(), high - low))
        fig.colorbar(ScalarMappable(norm=norm, cmap=PAIR_CMAP), cax=bar,
                     label=result.metrics[workload].label)
        bar.tick_params(labelsize=7)
        bar.yaxis.label.set_size(8)
        fig.suptitle(f"{workload} — {protocol}: trials in the plane {x} × {y} "
                     "(★ best, × lost)", fontsize=9)
        figures[stem] = fig
    if not figures:
        raise NotApplicable(f"no pool tunes both {x} and {y}")
    return figures


FIGURES = (
    FigureSpec("space-axes", "Appendix E: final validation metric against each tuned "
               "hyperparameter, per pool, bounds and flagged edges drawn", axis_figures),
    FigureSpec("space-isolation", "best validation metric per bin of each hyperparameter",
               isolation_figures),
    FigureSpec("space-pairs", "trials in the plane of two hyperparameters (learning rate × ε)",
               pair_figures),
)
