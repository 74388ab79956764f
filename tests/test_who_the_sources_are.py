"""Who the sources are (issue 15, item 6): near the top of every patient and clinician page,
one or two plain sentences say what the two articles are and that the editors checked some
statements against the original papers."""

import pytest

from conditions.models import Condition
from tests.pages import get_page

pytestmark = pytest.mark.django_db


def _before_first_section(page):
    """The page's text before its first numbered section (the answer in brief may precede)."""
    article = page.find("article")
    first = next(s for s in article.iter("section") if "section-" in s.attrs.get("class", ""))
    text = article.text()
    return text[: text.index(first.text())]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/conditions/{}/", ("blog post", "AI-drafted", "pending human review", "editors")),
        ("/conditions/{}/patient/", ("blog post", "written with AI", "not yet checked", "editors")),
    ],
)
def test_every_condition_page_says_who_the_sources_are_before_its_first_section(
    client, content, path, words
):
    for slug in Condition.objects.published().values_list("slug", flat=True):
        top = _before_first_section(get_page(client, path.format(slug)))
        for word in words:
            assert word in top, (slug, word)
        assert "/sources/kim-topical-ldn/" in get_page(client, path.format(slug)).hrefs()
