"""No unsourced sentence, and no statement the editors found wrong without its flag (issue 7,
items 1 and 4), over every public page of the real content.

What each kind of text looks like in the HTML is described in tests/walker.py.
"""

import pytest

from evidence.choices import CheckVerdict
from evidence.models import PrimarySourceCheck
from tests.pages import parse_html, render_site
from tests.walker import (
    element_texts,
    innermost_holding,
    main_of,
    nearest_marked,
    unmarked_text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker):
    """{path: <main> element} for every public HTML page of the real content."""
    return {
        path: main_of(parse_html(response.content))
        for path, response in render_site(django_db_blocker).items()
        if response.status_code == 200 and "text/html" in response["Content-Type"]
    }


@pytest.fixture(scope="module")
def differs(django_db_blocker):
    """{claim key: {keys of its "differs" checks}} and {study key: {…}} of the real content."""
    from django.db import transaction

    from tests.factories import load_content

    claims: dict[str, set[str]] = {}
    studies: dict[str, set[str]] = {}
    statements: dict[str, str] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        load_content()
        for check in PrimarySourceCheck.objects.filter(verdict=CheckVerdict.DIFFERS).select_related(
            "claim", "study"
        ):
            claims.setdefault(check.claim.key, set()).add(check.key)
            statements[check.claim.key] = check.claim.statement
            if check.study:
                studies.setdefault(check.study.key, set()).add(check.key)
        transaction.set_rollback(True)
    return claims, studies, statements


def page_types(pages):
    return {
        kind
        for path in pages
        for kind, prefix in [
            ("home", "/"),
            ("general", "/ldn/"),
            ("condition", "/conditions/"),
            ("study", "/studies/"),
            ("claim", "/claims/"),
            ("source", "/sources/"),
            ("mechanism", "/mechanisms/"),
            ("methods", "/methods/"),
        ]
        if path.startswith(prefix)
    }


def test_the_walk_covers_every_page_type(pages):
    assert page_types(pages) == {
        "home",
        "general",
        "condition",
        "study",
        "claim",
        "source",
        "mechanism",
        "methods",
    }
    assert any(path.endswith("/patient/") for path in pages)


def unsourced(pages):
    found = {path: list(unmarked_text(main)) for path, main in pages.items()}
    return {path: texts for path, texts in found.items() if texts}


def test_no_page_shows_unsourced_text(pages):
    found = unsourced(pages)
    assert not found, found


def test_a_statement_the_editors_found_wrong_never_shows_without_its_flag(pages, differs):
    claims, studies, statements = differs
    assert claims, "the content has no 'differs' check to test with"
    unflagged = []
    for path, main in pages.items():
        texts = element_texts(main)
        for key, statement in statements.items():
            for element in innermost_holding(main, statement, texts):
                holder = nearest_marked(element, "data-claim", "data-check")
                if holder is not None and "data-check" in holder.attrs:
                    continue  # the full check itself, verdict beside it
                if holder is None or holder.attrs["data-claim"] != key:
                    unflagged.append((path, key, "statement outside its claim element"))
                    continue
                flags = {
                    badge.attrs.get("data-check")
                    for badge in holder.iter()
                    if badge.attrs.get("data-check-verdict") == CheckVerdict.DIFFERS
                }
                if not flags & claims[key]:
                    unflagged.append((path, key, "no 'differs' badge"))
        for element in main.iter():
            study = element.attrs.get("data-study")
            if study in studies:
                flags = {
                    b.attrs.get("data-check") for b in element.iter() if "data-check" in b.attrs
                }
                if not flags & studies[study]:
                    unflagged.append((path, study, "study without its 'differs' badge"))
    assert not unflagged, unflagged
