"""The table renderer shared by the report and ``_repr_html_`` (tunestats._html)."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import html5lib
import numpy as np
import pandas as pd
import pytest

from tests.conftest import make_small_study
from tunestats import check_space
from tunestats._html import csv_data_uri, format_value, html_table
from tunestats.importers.report import ImportReport, Skip

NS = {"h": "http://www.w3.org/1999/xhtml"}


def parse_fragment(html: str) -> ET.Element:
    """Parse an HTML fragment strictly (any parse error raises)."""
    return html5lib.HTMLParser(strict=True).parseFragment(html)


def cells(table: ET.Element) -> list[list[str]]:
    return [["".join(td.itertext()) for td in tr.findall("h:td", NS)]
            for tr in table.findall("h:tbody/h:tr", NS)]


@pytest.mark.parametrize(("value", "text"), [
    (0.123456789, "0.1235"), (12345678.0, "1.235e+07"), (3, "3"), (np.int64(7), "7"),
    (np.nan, ""), (None, ""), (pd.NA, ""), (np.inf, "inf"), (-np.inf, "-inf"),
    (True, "True"), (np.float32(0.5), "0.5"), ("a<b", "a<b")])
def test_format_value(value, text):
    assert format_value(value) == text


def test_table_has_caption_header_cells_and_escapes():
    frame = pd.DataFrame({"name": ["<script>", "b & c"], "x": [1.0, np.nan]})
    html = html_table(frame, "A <caption>", table_id="t")
    assert "<script>" not in html                       # escaped, never markup
    table = parse_fragment(html).find("h:table", NS)
    assert table.get("id") == "t"
    assert "".join(table.find("h:caption", NS).itertext()) == "A <caption>"
    heads = table.findall("h:thead/h:tr/h:th", NS)
    assert [h.text for h in heads] == ["name", "x"]
    assert all(h.get("scope") == "col" for h in heads)
    assert cells(table) == [["<script>", "1"], ["b & c", ""]]


def test_truncated_table_says_so_and_its_csv_has_every_row_and_digit():
    frame = pd.DataFrame({"k": np.arange(50), "v": np.linspace(0, 1, 50) / 3})
    root = parse_fragment(html_table(frame, "c", max_rows=10, csv_name="t.csv",
                                     collapsed=True))
    details = root.find("h:details", NS)
    assert details is not None and details.get("open") is None
    assert len(cells(details.find("h:table", NS))) == 10
    note = "".join(details.find("h:p", NS).itertext())
    assert "first 10 of 50 rows shown" in note
    link = details.find("h:p/h:a", NS)
    assert link.get("download") == "t.csv"
    prefix = "data:text/csv;charset=utf-8;base64,"
    assert link.get("href").startswith(prefix)
    back = pd.read_csv(io.BytesIO(base64.b64decode(link.get("href")[len(prefix):])))
    pd.testing.assert_frame_equal(back, frame)


def test_csv_data_uri_round_trips_text():
    frame = pd.DataFrame({"w": ["é, \"x\"", "y"], "n": [1, 2]})
    payload = base64.b64decode(csv_data_uri(frame).split(",", 1)[1]).decode("utf-8")
    assert payload == frame.to_csv(index=False)


def test_empty_table_says_no_rows():
    table = parse_fragment(html_table(pd.DataFrame({"a": []}), "c")).find("h:table", NS)
    assert cells(table) == [["(no rows)"]]


def test_result_repr_html_shows_each_table_of_a_space_check():
    result = check_space(make_small_study(n_trials=8), n_resamples=1)
    root = parse_fragment(result._repr_html_())
    tables = {("".join(t.find("h:caption", NS).itertext())): t
              for t in root.iter("{http://www.w3.org/1999/xhtml}table")}
    assert set(tables) == {f"SpaceCheck.{name}" for name in
                           ("reasons", "boundaries", "budgets", "positions", "points",
                            "notes")}
    boundaries = tables["SpaceCheck.boundaries"]
    expected = [[format_value(v) for v in row]
                for row in result.boundaries.head(20).itertuples(index=False)]
    assert cells(boundaries) == expected
    assert len(cells(tables["SpaceCheck.positions"])) == min(20, len(result.positions))
    scalars = dict(zip([d.text for d in root.iter("{http://www.w3.org/1999/xhtml}dt")],
                       [d.text for d in root.iter("{http://www.w3.org/1999/xhtml}dd")],
                       strict=True))
    assert scalars["adequate"] == str(result.adequate)
    assert scalars["metric"] == "valid_error"


def test_import_report_repr_html_lists_the_skips():
    report = ImportReport("algoperf", "logs/", {"trial folders": 3},
                          [Skip("trial", "study_0/w/trial_2", "no eval_measurements.csv")],
                          ["a note"])
    root = parse_fragment(report._repr_html_())
    (table,) = root.iter("{http://www.w3.org/1999/xhtml}table")
    assert cells(table) == [["trial", "study_0/w/trial_2", "no eval_measurements.csv"]]
    assert "a note" in "".join(root.itertext())
