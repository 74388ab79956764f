"""In Chromium, with the site's Content-Security-Policy enforced, the JSON-LD block is read as
data and trips no policy violation; an inline script on the same page would."""

import json

import pytest

from tests.test_browser import (  # noqa: F401 (fixtures)
    allow_orm_beside_playwright,
    browser,
    page,
    site,
)

pytestmark = pytest.mark.browser

PSORIASIS = "/conditions/psoriasis/"
BLOCK = "document.querySelector('script[type=\"application/ld+json\"]').textContent"


def refusals(tab, url):
    """The policy violations Chromium reports while loading `url`."""
    messages = []
    tab.on("console", lambda message: messages.append(message.text))
    tab.goto(url)
    return [text for text in messages if "Content Security Policy" in text]


def test_the_policy_lets_the_data_block_stand_and_crawlers_read_it(page, site):  # noqa: F811
    assert refusals(page, f"{site}{PSORIASIS}") == []
    data = json.loads(page.evaluate(BLOCK))
    assert data["about"]["name"] == "Psoriasis"
    assert data["url"] == f"{site}{PSORIASIS}"


def test_the_same_block_as_a_script_would_be_refused(page, site):  # noqa: F811
    """The check above can fail: turned into an ordinary inline script, the block is refused."""

    def as_script(route):
        response = route.fetch()
        body = response.text().replace(' type="application/ld+json"', "", 1)
        route.fulfill(response=response, body=body)

    page.route(f"{site}{PSORIASIS}", as_script)
    assert refusals(page, f"{site}{PSORIASIS}")
