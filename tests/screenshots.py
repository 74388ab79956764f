"""Full-page screenshots of the psoriasis pages for the README: `make screenshots`.

Not named test_*.py, so a plain `pytest` never collects it; pytest runs it only when the
file is named on the command line. It writes docs/screenshots/psoriasis-<view>-<width>.png
(whole pages) and psoriasis-<view>-first-<width>x<height>.png (the first screen only).
"""

from pathlib import Path

import pytest

from tests import test_browser
from tests.test_browser import CHROMIUM, open_page

# The browser tests' fixtures, reused here by name.
allow_orm_beside_playwright = test_browser.allow_orm_beside_playwright
browser = test_browser.browser
site = test_browser.site

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PAGES = {"clinician": "/conditions/psoriasis/", "patient": "/conditions/psoriasis/patient/"}
WIDTHS = [1280, 375]
FIRST_SCREENS = [(1366, 768), (390, 844)]  # a common laptop and a common phone


@pytest.fixture(scope="module", autouse=True)
def chromium_is_required():
    # The browser tests skip without Chromium; here a skip would leave stale PNGs behind.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"make screenshots needs Debian's Chromium at {CHROMIUM}", pytrace=False)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", PAGES)
def test_screenshot(browser, site, view, width):
    page = open_page(browser, width=width, height=800)
    try:
        page.goto(f"{site}{PAGES[view]}")
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"psoriasis-{view}-{width}.png"
        page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    finally:
        page.context.close()
    assert path.stat().st_size > 0


@pytest.mark.parametrize(("width", "height"), FIRST_SCREENS)
@pytest.mark.parametrize("view", PAGES)
def test_first_screen(browser, site, view, width, height):
    page = open_page(browser, width=width, height=height)
    try:
        page.goto(f"{site}{PAGES[view]}")
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"psoriasis-{view}-first-{width}x{height}.png"
        page.screenshot(path=path, full_page=False, animations="disabled", caret="hide")
    finally:
        page.context.close()
    assert path.stat().st_size > 0
