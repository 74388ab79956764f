"""The home page's table of conditions fits one 1280×800 screen: no scrolling to see it all."""

import pytest

from conditions.models import Condition
from tests.test_browser import (  # noqa: F401 (fixtures)
    allow_orm_beside_playwright,
    browser,
    page,
    site,
)

pytestmark = pytest.mark.browser


def test_the_whole_condition_table_is_on_the_first_1280_by_800_screen(page, site):  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{site}/")
    table = page.locator("table.condition-table")
    rows = table.locator("tbody tr")
    assert rows.count() == Condition.objects.published().count() > 0
    box = table.bounding_box()
    assert page.evaluate("window.scrollY") == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
