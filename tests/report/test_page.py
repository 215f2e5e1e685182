"""The report as a document: valid HTML, self-contained, accessible, in the issue's order,
its verdict tables equal to the commands' JSON (read with html5lib; the browser test
checks the rendered page)."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import html5lib
import pandas as pd
import pytest

from tunestats import load_study
from tunestats.cli.main import main
from tunestats.figures import FIGURES
from tunestats.importers import import_report
from tunestats.report import render_report

from .conftest import BUNDLED
from .verdicts import check_verdicts, cli_json

X = "{http://www.w3.org/1999/xhtml}"
HEADINGS = ["Summary", "Verdicts", "Figures", "Tables"]
VERDICT_HEADINGS = ["verdict-space", "verdict-inclusion", "verdict-profile"]
MAX_BYTES = 5_000_000


def parse(path) -> ET.Element:
    """The page parsed strictly: any HTML parse error raises."""
    return html5lib.HTMLParser(strict=True).parse(path.read_text(encoding="utf-8"))


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def by_id(root: ET.Element, ident: str) -> ET.Element:
    (found,) = [e for e in root.iter() if e.get("id") == ident]
    return found


def table_rows(table: ET.Element) -> list[dict[str, str]]:
    heads = [text(th) for th in table.iter(f"{X}th")]
    rows = []
    for tr in table.find(f"{X}tbody").iter(f"{X}tr"):
        tds = tr.findall(f"{X}td")
        if len(tds) == 1 and tds[0].get("colspan"):
            continue                                        # "(no rows)"
        rows.append(dict(zip(heads, ["".join(td.itertext()) for td in tds], strict=True)))
    return rows


@pytest.fixture(scope="module")
def page(bundled_report):
    return parse(bundled_report / "report.html")


@pytest.mark.slow  # writes a whole report (shared by the tests)
def test_bundled_report_is_valid_html_and_at_most_5_mb(bundled_report, page):
    assert page.tag == f"{X}html" and page.get("lang") == "en"
    assert (bundled_report / "report.html").stat().st_size <= MAX_BYTES


@pytest.mark.slow  # writes a whole report (shared by the tests)
def test_sections_come_in_the_issues_order_with_every_heading(page):
    assert [text(h) for h in page.iter(f"{X}h2")] == HEADINGS
    for ident in VERDICT_HEADINGS:
        assert by_id(page, ident).tag == f"{X}h3"
    families = [s for s in page.iter(f"{X}section") if s.get("class") == "figure-family"]
    assert [s.get("id") for s in families] == [f"figure-{spec.name}" for spec in FIGURES]
    for section, spec in zip(families, FIGURES, strict=True):
        assert text(section.find(f"{X}h3")).startswith(spec.name)
        # drawn (with a caption) or one line saying why not
        figures = section.findall(f"{X}figure")
        assert figures or section.find(f"{X}p").get("class") == "unavailable"
        for figure in figures:
            assert text(figure.find(f"{X}figcaption"))


@pytest.mark.slow  # writes a whole report (shared by the tests)
def test_element_ids_are_unique(page):
    ids = [e.get("id") for e in page.iter() if e.get("id")]
    assert len(ids) == len(set(ids)) > 10


@pytest.mark.slow  # writes a whole report (shared by the tests)
def test_page_is_self_contained(page):
    assert not list(page.iter(f"{X}script")) and not list(page.iter(f"{X}link"))
    for element in page.iter():
        for attribute in ("src", "href", "srcset", "action", "poster", "data"):
            value = element.get(attribute)
            if value is not None:
                assert value.startswith(("data:", "#")), (element.tag, value[:80])
    style = text(page.find(f"{X}head/{X}style"))
    assert "url(" not in style and "@import" not in style


@pytest.mark.slow  # writes a whole report (shared by the tests)
def test_page_is_accessible(page):
    images = list(page.iter(f"{X}img"))
    assert len(images) >= 10
    for image in images:
        assert image.get("src").startswith("data:image/png;base64,")
        assert len(image.get("alt", "")) > 20
    tables = list(page.iter(f"{X}table"))
    assert tables and all(text(t.find(f"{X}caption")) for t in tables)


@pytest.mark.slow  # writes a whole report (shared by the tests)
def test_bundled_verdict_tables_match_the_commands_json(page, capsys):
    tables = {ident: table_rows(by_id(page, ident))
              for ident in ("space-verdicts", "inclusion-violations", "rank-flips")}
    assert tables["space-verdicts"]  # every pool has a verdict row
    check_verdicts(tables, cli_json(capsys, "check-space", BUNDLED),
                   cli_json(capsys, "compare", BUNDLED))


@pytest.mark.slow  # writes a whole report (shared by the tests)
def test_csv_downloads_hold_the_full_tables(page, capsys):
    comparison = cli_json(capsys, "compare", BUNDLED)
    link = next(a for a in page.iter(f"{X}a") if a.get("download") == "inclusion-violations.csv")
    payload = base64.b64decode(link.get("href").split(",", 1)[1])
    frame = pd.read_csv(io.BytesIO(payload))
    expected = pd.DataFrame(comparison["violations"])
    if expected.empty:  # JSON keeps no columns of an empty table; the CSV keeps them
        assert frame.empty and "p_adjusted" in frame.columns
    else:
        pd.testing.assert_frame_equal(frame, expected, check_dtype=False, rtol=1e-12)


@pytest.mark.slow  # writes a whole report (shared by the tests)
def test_algoperf_report_has_the_import_report_and_says_what_does_not_apply(algoperf_study):
    page = parse(algoperf_study / "report.html")
    study = load_study(algoperf_study / "study")
    lines = [text(li) for li in next(u for u in page.iter(f"{X}ul")
                                     if u.get("class") == "log")]
    assert lines == [" ".join(line.split()) for line in import_report(study).lines()]
    flips = by_id(page, "figure-rank-flips").find(f"{X}p")
    assert flips.get("class") == "unavailable" and "single protocol" in text(flips)


def test_cli_writes_the_report(study_dir, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(study_dir), "--out", str(out), "--dpi", "40"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out} (")
    root = parse(out)
    assert [text(h) for h in root.iter(f"{X}h2")] == HEADINGS


def test_cli_refuses_to_overwrite_or_create_folders(study_dir, tmp_path, capsys):
    existing = tmp_path / "r.html"
    existing.write_text("mine")
    assert main(["report", str(study_dir), "--out", str(existing)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert existing.read_text() == "mine"
    missing = tmp_path / "sub" / "r.html"
    assert main(["report", str(study_dir), "--out", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err and not missing.parent.exists()
    assert main(["report", str(study_dir), "--out", str(tmp_path / "r.txt")]) == 2
    assert main(["report", str(study_dir), "--out", str(existing), "--force",
                 "--dpi", "40"]) == 0
    assert existing.read_text() != "mine"


def test_cli_missing_study_is_one_line_and_exit_1(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("tunestats: error:") and "\n" not in err and "nope" in err


@pytest.mark.parametrize("dpi", [0, 1000, 72.0, True])
def test_render_report_rejects_a_bad_dpi(study_dir, dpi):
    with pytest.raises(ValueError, match="`dpi` must be an integer"):
        render_report(load_study(study_dir), dpi=dpi)
