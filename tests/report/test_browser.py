"""The report in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``
through Selenium): no console error, no network request, every image decoded, every
section heading, the verdict tables equal to the commands' JSON, a screenshot that is
not blank. Skips, saying why, where no browser is installed (``.ci/run`` installs one).
"""

from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .conftest import BUNDLED
from .verdicts import check_verdicts, cli_json

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed "
                                "(the dev extra has it)")

HEADINGS = ["Summary", "Verdicts", "Figures", "Tables"]
VERDICT_TABLES = ("space-verdicts", "inclusion-violations", "rank-flips")

#: Every <img>: whether loaded, its natural size and alt text.
IMAGES_JS = """return Array.from(document.images).map(i => ({complete: i.complete,
    width: i.naturalWidth, height: i.naturalHeight, alt: i.alt}));"""
#: Rows of a table (header → cell text), the "(no rows)" row left out.
TABLE_JS = """const t = document.getElementById(arguments[0]);
const heads = Array.from(t.querySelectorAll('thead th')).map(h => h.textContent);
return Array.from(t.querySelectorAll('tbody tr'))
  .filter(r => !r.querySelector('td[colspan]'))
  .map(r => Object.fromEntries(Array.from(r.cells).map((c, j) => [heads[j], c.textContent])));"""


@pytest.fixture(scope="module")
def browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("no headless Chromium here: install Debian's `chromium` and "
                    "`chromium-driver` (apt-get install -y chromium chromium-driver; "
                    ".ci/run does)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,1800", "--force-device-scale-factor=1",
                 "--disable-background-networking", "--disable-component-update"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()


def visit(chrome, path: Path) -> dict:
    """Open ``path`` and collect what the checks need."""
    chrome.get_log("browser")
    chrome.get_log("performance")                           # drain earlier pages' logs
    url = path.resolve().as_uri()
    chrome.get(url)
    deadline = time.monotonic() + 60
    while not chrome.execute_script("return document.readyState === 'complete' && "
                                    "Array.from(document.images).every(i => i.complete);"):
        assert time.monotonic() < deadline, "the page did not finish loading in 60 s"
        time.sleep(0.2)
    requests = []
    for entry in chrome.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    return {"url": url, "requests": requests,
            "console": [e for e in chrome.get_log("browser") if e["level"] == "SEVERE"],
            "images": chrome.execute_script(IMAGES_JS),
            "headings": chrome.execute_script(
                "return Array.from(document.querySelectorAll('h2')).map(h => h.textContent);")}


def network(found: dict) -> list[str]:
    """Requests other than the page itself and its data: URIs."""
    return [u for u in found["requests"] if u != found["url"] and not u.startswith("data:")]


def not_blank(png: bytes) -> bool:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    inked = (pixels < 235).any(axis=2).mean()
    colours = np.unique(pixels.reshape(-1, 3)[::7], axis=0).shape[0]
    return inked > 0.02 and colours > 16


def check_page(chrome, path: Path) -> dict:
    found = visit(chrome, path)
    assert found["console"] == []
    assert found["requests"] and network(found) == []
    assert found["images"], "no image on the page"
    undecoded = [i["alt"][:60] for i in found["images"]
                 if not (i["complete"] and i["width"] > 0 and i["height"] > 0)]
    assert undecoded == []
    assert found["headings"] == HEADINGS
    assert not_blank(chrome.get_screenshot_as_png())
    figure = chrome.find_element("css selector", "figure img")
    chrome.execute_script("arguments[0].scrollIntoView();", figure)
    assert not_blank(figure.screenshot_as_png)
    return found


def test_checks_catch_a_broken_page(browser, tmp_path):
    """The checks above can fail: a console error, a request and an undecodable image."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
                    '<h2>Summary</h2><img src="data:image/png;base64,AAAA" alt="bad">'
                    '<img src="http://127.0.0.1:9/x.png" alt="remote">'
                    '<script>console.error("boom")</script></body></html>', encoding="utf-8")
    found = visit(browser, page)
    assert any("boom" in e["message"] for e in found["console"])
    assert network(found) == ["http://127.0.0.1:9/x.png"]
    assert [i["width"] for i in found["images"]] == [0, 0]
    assert not not_blank(browser.get_screenshot_as_png())


@pytest.mark.slow  # writes a whole report
def test_bundled_report_in_chromium(browser, bundled_report, capsys):
    check_page(browser, bundled_report / "report.html")
    tables = {ident: browser.execute_script(TABLE_JS, ident) for ident in VERDICT_TABLES}
    assert tables["space-verdicts"]  # every pool has a verdict row
    check_verdicts(tables, cli_json(capsys, "check-space", BUNDLED),
                   cli_json(capsys, "compare", BUNDLED))


@pytest.mark.slow  # writes a whole report
def test_algoperf_report_in_chromium(browser, algoperf_study, capsys):
    check_page(browser, algoperf_study / "report.html")
    tables = {ident: browser.execute_script(TABLE_JS, ident) for ident in VERDICT_TABLES}
    study = algoperf_study / "study"
    check_verdicts(tables, cli_json(capsys, "check-space", study),
                   cli_json(capsys, "compare", study))
