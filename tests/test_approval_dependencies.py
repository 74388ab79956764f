"""Approval is closed over what it publishes: nothing approved cites or links an item readers
cannot see, and every internal link on a public page or in the API answers."""

import json
import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from evidence import workflow
from evidence.choices import ReviewStatus
from evidence.models import Source
from revisions import snapshots
from tests.factories import (
    load_content,
    make_citation,
    make_claim,
    make_condition,
    make_intervention,
    make_source,
    make_staff,
    make_study,
)
from tests.pages import assert_test_database, crawl, every_public_path
from tests.test_every_public_model_reviewed import api_paths

pytestmark = pytest.mark.django_db

APPROVED, DRAFT = ReviewStatus.APPROVED, ReviewStatus.DRAFT


@pytest.fixture
def rita():
    return make_staff("Reviewers", first_name="Rita", last_name="Roe")


def cited_claim(**fields):
    return make_citation(claim=make_claim(**fields)).claim


def test_approving_a_condition_citing_a_draft_source_is_refused_with_the_list(client, rita):
    draft = make_source(status=DRAFT, key="newpaper2026", title="A new paper")
    condition = make_condition(clinician_summary="It may help [@newpaper2026].")
    workflow.submit_for_review([condition], by=make_staff("Editors"))

    result = workflow.approve([condition], by=rita)

    [(_, reason)] = result.refused
    assert reason == (
        f"It cites or links 1 item readers cannot see yet: source “{draft}” (draft). "
        "Approve it first, or choose “Approve with its 1 dependency” to approve the set in "
        "one step."
    )
    condition.refresh_from_db()
    draft.refresh_from_db()
    assert (condition.status, draft.status) == (ReviewStatus.IN_REVIEW, DRAFT)
    assert client.get(condition.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_a_change_to_an_approved_study_linking_a_draft_intervention_waits_for_it(rita):
    editor = make_staff("Editors")
    study = make_study(status=APPROVED)
    dose = make_intervention(status=DRAFT, strength="450 mg")
    data = snapshots.snapshot(study)
    data["fields"]["intervention"] = dose.pk
    workflow.propose(study, data, by=editor, submit=True, reason="The dose is reported.")

    refused = workflow.approve([study], by=rita).refused
    assert "“Approve with its 1 dependency”" in refused[0][1]

    assert workflow.approve([study], by=rita, with_dependencies=True).changed == [study]
    study.refresh_from_db()
    dose.refresh_from_db()
    assert (study.intervention, dose.status) == (dose, APPROVED)


def test_approving_with_dependencies_applies_the_two_person_rule_to_each_and_is_all_or_nothing(
    client, rita
):
    both = make_staff("Editors", "Reviewers")
    source = make_source(status=DRAFT, key="newpaper2027")
    client.force_login(both)  # `both` writes the draft source: they may not approve it
    url = f"/admin/evidence/source/{source.pk}/change/"
    from tests.test_admin import form_data

    client.post(url, form_data(client.get(url)) | {"title": "Edited by both"})
    claim = cited_claim(statement="It helped [@newpaper2027].")
    claim.citations.update(source=source)
    source.refresh_from_db()

    result = workflow.approve([claim], by=both, with_dependencies=True)

    [(_, reason)] = result.refused
    assert reason == f"Its dependency source “{source}” cannot be approved: {workflow.TWO_PERSON}"
    claim.refresh_from_db()
    source.refresh_from_db()
    assert (claim.status, source.status) == (DRAFT, DRAFT)
    assert workflow.approve([claim], by=rita, with_dependencies=True).changed == [claim]
    assert Source.objects.get(pk=source.pk).status == APPROVED


def test_the_review_page_offers_to_approve_a_change_with_its_dependencies(client, rita):
    claim = cited_claim(status=APPROVED)
    draft = make_study(status=DRAFT)
    data = snapshots.snapshot(claim)
    data["fields"]["study"] = draft.pk
    workflow.propose(claim, data, by=make_staff("Editors"), submit=True)
    client.force_login(rita)
    url = f"/admin/evidence/claim/{claim.pk}/in-review/"

    page = client.get(url).text
    client.post(url, {"action": "approve_all"})

    assert "Approve with its 1 dependency" in page
    claim.refresh_from_db()
    draft.refresh_from_db()
    assert (claim.study, draft.status) == (draft, APPROVED)


def local_links(text):
    """The site paths a page or an API answer links to (not static files, not the admin)."""
    hrefs = re.findall(r'href="([^"#]+)', text) + re.findall(r'"(http://testserver/[^"#]*)', text)
    paths = set()
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(("/static/", "/admin/")):
            continue
        paths.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def test_every_internal_link_on_every_public_page_answers(content):
    # The crawl follows every site link of every page it reaches, so it holds their answers.
    answers = crawl(Client(), every_public_path())

    broken = {path: r.status_code for path, r in answers.items() if r.status_code != HTTPStatus.OK}

    assert broken == {}
    assert len(answers) > 100  # the walk reached the site, not an empty page


@pytest.fixture(scope="module")
def api_links(django_db_setup, django_db_blocker):
    """Every site address the API answers name, read once for the module (rolled back)."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert_test_database()
        load_content()
        client, linked = Client(), set()
        # FHIR fullUrl values name resources inside the Bundle; they are not links to follow.
        for path in [path for path in api_paths() if "/fhir/" not in path]:
            linked |= local_links(json.dumps(client.get(path).json()))
        transaction.set_rollback(True)
    cache.clear()
    # One answer per address: the export formats of a source share its lookup.
    return {path.split("?")[0] for path in linked if "/fhir/" not in path}


KINDS = ["/api/v1/claims/", "/api/v1/studies/", "/api/v1/sources/", "/api/v1/", "/"]


@pytest.mark.parametrize("kind", KINDS, ids=["claims", "studies", "sources", "api", "pages"])
def test_every_site_address_in_the_api_answers(content, api_links, kind):
    # Each address is checked under the first kind it starts with.
    mine = {path for path in api_links if next(k for k in KINDS if path.startswith(k)) == kind}
    client = Client()

    broken = {}
    for path in sorted(mine):
        cache.clear()  # the API's fair-use throttle counts in the default cache
        status = client.get(path).status_code
        if status != HTTPStatus.OK:
            broken[path] = status

    assert broken == {}
    assert mine  # every kind of address is named somewhere in the API
