"""HTTP around the API: conditional GETs from the content version, caching, CORS, fair use."""

from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conditions import selectors
from conditions.models import Condition
from evidence import versions, workflow
from evidence.models import Claim
from tests.factories import make_citation, make_claim, make_editor, make_seed

pytestmark = pytest.mark.django_db

PSORIASIS = "/api/v1/conditions/psoriasis/"


def test_every_get_has_an_etag_and_last_modified_and_a_matching_one_answers_304(content, client):
    first = client.get(PSORIASIS)
    assert first.status_code == HTTPStatus.OK
    tag, modified = first["ETag"], first["Last-Modified"]

    again = client.get(PSORIASIS, headers={"If-None-Match": tag})
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""
    assert again["ETag"] == tag
    since = client.get(PSORIASIS, headers={"If-Modified-Since": modified})
    assert since.status_code == HTTPStatus.NOT_MODIFIED


def test_a_304_is_answered_before_the_page_is_built(content, client, monkeypatch):
    tag = client.get(PSORIASIS)["ETag"]

    def not_called(slug):
        raise AssertionError("the page was built for a 304")

    monkeypatch.setattr(selectors, "clinician_page", not_called)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PSORIASIS, headers={"If-None-Match": tag})
    assert response.status_code == HTTPStatus.NOT_MODIFIED
    assert len(queries) == 1  # the content version, nothing else


def test_each_address_and_format_has_its_own_etag(content, client):
    tags = {
        client.get(path)["ETag"]
        for path in (
            PSORIASIS,
            "/api/v1/conditions/vitiligo/",
            "/api/v1/sources/bigliardi2007/export/?format=ris",
            "/api/v1/sources/bigliardi2007/export/?format=bibtex",
        )
    }
    assert len(tags) == 4


def test_approving_content_changes_the_etag_and_the_answer(
    content, client, django_capture_on_commit_callbacks
):
    before = client.get(PSORIASIS)
    claim = make_claim(statement="A newly approved statement about psoriasis.")
    Condition.objects.get(slug="psoriasis").claims.add(claim)
    make_citation(claim=claim, reported_by=make_seed())
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve([claim], by=make_editor())

    after = client.get(PSORIASIS, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == HTTPStatus.OK
    assert after["ETag"] != before["ETag"]
    assert b"A newly approved statement" in after.content


def test_retiring_a_save_a_link_change_and_load_content_each_move_the_version(
    content, django_capture_on_commit_callbacks
):
    claim = Claim.objects.published().first()
    seen = [versions.current().number]

    def moved():
        seen.append(versions.current().number)
        return seen[-1] > seen[-2]

    with django_capture_on_commit_callbacks(execute=True):
        workflow.retire([claim], by=make_editor())
    assert moved()

    with django_capture_on_commit_callbacks(execute=True):  # a save, as the admin's
        claim.statement = "Edited in the admin."
        claim.save()
    assert moved()

    with django_capture_on_commit_callbacks(execute=True):
        claim.conditions.clear()
    assert moved()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_content", replace=True, verbosity=0)
    assert moved()


def test_a_failed_change_does_not_move_the_version(content, django_capture_on_commit_callbacks):
    before = versions.current()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            make_seed()
            raise RuntimeError("rolled back")
    assert versions.current() == before


def test_anonymous_answers_may_be_cached_publicly_and_editors_answers_are_private(content, client):
    assert client.get(PSORIASIS)["Cache-Control"].startswith("public, max-age=")
    client.force_login(make_editor())
    assert client.get(PSORIASIS)["Cache-Control"] == "private, no-cache"


def test_any_origin_may_get_but_not_write(content, client):
    origin = {"Origin": "https://example.org"}
    response = client.get(PSORIASIS, headers=origin)
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        PSORIASIS, headers={**origin, "Access-Control-Request-Method": "DELETE"}
    )
    allowed = preflight["Access-Control-Allow-Methods"]
    assert "GET" in allowed and "DELETE" not in allowed and "POST" not in allowed
    # The pages are not part of the API: no CORS there.
    assert "Access-Control-Allow-Origin" not in client.get("/", headers=origin)


def test_an_anonymous_client_over_the_fair_use_rate_gets_429_with_retry_after(
    content, client, settings
):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"},
    }
    statuses = [client.get("/api/v1/studies/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/studies/")
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()
    # Another client address still gets through.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.get("/api/v1/studies/").status_code == HTTPStatus.OK
    cache.clear()


def test_a_server_error_under_api_is_json_not_a_traceback(content, monkeypatch):
    def broken(slug):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(selectors, "clinician_page", broken)
    client = Client(raise_request_exception=False)
    response = client.get(PSORIASIS)
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response.json() == {"detail": "Server error."}
    assert b"secret detail" not in response.content
