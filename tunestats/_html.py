"""HTML tables for results: the report's tables and the notebook display of results.

One renderer serves both :mod:`tunestats.report` (tables with captions, collapsible,
downloadable as CSV from a ``data:`` URI) and ``_repr_html_`` of the result
dataclasses (:class:`HtmlRepr`), so that a result looks the same in a notebook as
in a report. Only the standard library and pandas: the analysis layer imports it.
"""

from __future__ import annotations

import base64
import dataclasses
import math
import numbers
from collections.abc import Mapping
from html import escape
from typing import Any

import pandas as pd

__all__ = ["HtmlRepr", "csv_data_uri", "format_value", "html_table", "result_html"]

#: Significant digits of the numbers shown in tables (CSV downloads keep every digit).
DIGITS = 4
#: Rows a notebook display shows of each table.
REPR_ROWS = 20


def format_value(value: Any) -> str:
    """A table cell's text.

    Parameters
    ----------
    value : object
        The cell's value.

    Returns
    -------
    str
        Numbers to :data:`DIGITS` significant digits, missing as an empty cell,
        infinities as ``inf``/``-inf``, everything else as ``str``.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return ""
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        return f"{number:.{DIGITS}g}"
    return str(value)


def csv_data_uri(frame: pd.DataFrame) -> str:
    """A frame as a CSV file in a ``data:`` URI.

    Parameters
    ----------
    frame : DataFrame
        Written without its index, every row and digit.

    Returns
    -------
    str
        ``data:text/csv;charset=utf-8;base64,...``.
    """
    payload = frame.to_csv(index=False).encode("utf-8")
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(payload).decode("ascii")


def html_table(frame: pd.DataFrame, caption: str, *, max_rows: int | None = None,
               csv_name: str | None = None, table_id: str | None = None,
               collapsed: bool = False) -> str:
    """An HTML table of ``frame`` with a caption.

    Parameters
    ----------
    frame : DataFrame
        The rows to show; the index is not shown.
    caption : str
        What the table holds (escaped).
    max_rows : int, optional
        Show only the first rows; a note says how many were left out.
    csv_name : str, optional
        Offer the whole frame as a CSV download of this file name.
    table_id : str, optional
        The ``id`` of the table element.
    collapsed : bool
        Wrap the table in a closed ``<details>`` whose summary is the caption.

    Returns
    -------
    str
        HTML (a fragment).
    """
    shown = frame if max_rows is None else frame.head(max_rows)
    ident = f' id="{escape(table_id)}"' if table_id else ""
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in shown.columns)
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(
        shown[c]) for c in shown.columns]
    rows = []
    for values in shown.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="num">{escape(format_value(v))}</td>' if num
            else f"<td>{escape(format_value(v))}</td>" for v, num in zip(values, numeric,
                                                                         strict=True))
        rows.append(f"<tr>{cells}</tr>")
    body = "".join(rows) if rows else (
        f'<tr><td colspan="{max(len(shown.columns), 1)}">(no rows)</td></tr>')
    parts = [f"<table{ident}><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
             f"<tbody>{body}</tbody></table>"]
    notes = []
    if len(shown) < len(frame):
        notes.append(f"first {len(shown)} of {len(frame)} rows shown")
    if csv_name:
        notes.append(f'<a download="{escape(csv_name)}" href="{csv_data_uri(frame)}">'
                     f"download {escape(csv_name)}</a> ({len(frame)} rows)")
    if notes:
        parts.append(f'<p class="table-note">{"; ".join(notes)}</p>')
    html = "".join(parts)
    if collapsed:
        return (f'<details><summary>{escape(caption)} ({len(frame)} rows)</summary>'
                f"{html}</details>")
    return html


def _mapping_html(items: Mapping[Any, Any]) -> str:
    if not items:
        return "<p>(none)</p>"
    return "<dl>" + "".join(f"<dt>{escape(str(k))}</dt><dd>{escape(format_value(v))}</dd>"
                            for k, v in items.items()) + "</dl>"


def result_html(result: Any, *, max_rows: int = REPR_ROWS) -> str:
    """HTML of a result dataclass.

    Parameters
    ----------
    result : dataclass instance
        A result such as :class:`tunestats.SpaceCheck`.
    max_rows : int
        Rows shown of each table.

    Returns
    -------
    str
        Its scalar fields as a definition list, each DataFrame field (and each
        list of records) as a collapsible table captioned with the field's name.
    """
    name = type(result).__name__
    scalars: dict[str, Any] = {}
    tables: list[str] = []
    for item in dataclasses.fields(result):
        value = getattr(result, item.name)
        if isinstance(value, pd.DataFrame):
            tables.append(html_table(value, f"{name}.{item.name}", max_rows=max_rows,
                                     collapsed=True))
        elif isinstance(value, list | tuple) and value and dataclasses.is_dataclass(value[0]):
            frame = pd.DataFrame([dataclasses.asdict(v) for v in value])
            tables.append(html_table(frame, f"{name}.{item.name}", max_rows=max_rows,
                                     collapsed=True))
        elif isinstance(value, Mapping):
            tables.append(f"<p><strong>{escape(item.name)}</strong></p>{_mapping_html(value)}")
        elif isinstance(value, list | tuple):
            scalars[item.name] = "; ".join(map(format_value, value)) or "(none)"
        else:
            scalars[item.name] = getattr(value, "name", value)
    return (f'<div class="tunestats-result"><p><strong>{escape(name)}</strong></p>'
            f"{_mapping_html(scalars) if scalars else ''}{''.join(tables)}</div>")


class HtmlRepr:
    """Mixin for result dataclasses: ``_repr_html_`` for Jupyter (:func:`result_html`)."""

    def _repr_html_(self) -> str:
        return result_html(self)
