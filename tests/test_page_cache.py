"""The page cache: anonymous readers get stored pages until the content changes; no one else."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from http import HTTPStatus
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conditions import selectors
from conditions.models import Condition
from evidence import workflow
from evidence.models import Claim
from ldnref import publish
from tests.databases import shareable_url
from tests.factories import load_content, make_citation, make_claim, make_editor, make_seed

pytestmark = pytest.mark.django_db

PUBLIC = (
    "/",
    "/conditions/psoriasis/",
    "/conditions/psoriasis/patient/",
    "/ldn/",
    "/studies/",
    "/sources/",
    "/mechanisms/",
    "/methods/",
    "/api/v1/claims/",
    "/sitemap.xml",
    "/robots.txt",
)
PSORIASIS = "/conditions/psoriasis/"


@pytest.fixture
def page_cache(settings):
    """Turn the page cache on (tests/settings.py keeps it off), empty."""
    settings.PAGE_CACHE_ALIAS = "default"
    cache.clear()
    yield cache
    cache.clear()


def new_psoriasis_claim(text):
    claim = make_claim(statement=text)
    claim.conditions.add(Condition.objects.get(slug="psoriasis"))
    make_citation(claim=claim, reported_by=make_seed())
    return claim


def test_the_second_anonymous_request_is_served_from_the_cache_with_all_headers(
    content, client, page_cache
):
    for path in PUBLIC:
        first = client.get(path)
        assert first.status_code == HTTPStatus.OK, path
        assert first["X-Page-Cache"] == "miss"
        with CaptureQueriesContext(connection) as queries:
            second = client.get(path)
        assert second["X-Page-Cache"] == "hit", path
        assert len(queries) == 1, path  # the content version, nothing else
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]
        # The outer middleware still adds its headers to a stored answer.
        for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
            assert second[header] == first[header], (path, header)
        assert second["ETag"] == first["ETag"]
        cache_control = second["Cache-Control"]
        assert cache_control == "public, max-age=300, stale-while-revalidate=60"


def test_each_accept_header_of_the_api_is_stored_on_its_own(content, client, page_cache):
    as_json = client.get("/api/v1/claims/", headers={"Accept": "application/json"})
    other = client.get("/api/v1/claims/", headers={"Accept": "*/*"})
    assert other["X-Page-Cache"] == "miss"
    assert other["ETag"] != as_json["ETag"]
    again = client.get("/api/v1/claims/", headers={"Accept": "application/json"})
    assert again["X-Page-Cache"] == "hit"
    assert again.content == as_json.content


FOREIGN_HOST = {"HTTP_HOST": "127.0.0.1:6666"}  # ALLOWED_HOSTS ignores the port
READER_HOST = {"HTTP_HOST": "127.0.0.1"}


def test_a_request_with_a_foreign_port_never_changes_what_another_reader_gets(
    content, client, page_cache
):
    path = "/api/v1/studies/?page_size=39"
    poisoned = client.get(path, **FOREIGN_HOST)
    assert poisoned.status_code == HTTPStatus.OK
    assert b"127.0.0.1:6666" in poisoned.content  # its links name the port it was asked with

    reader = client.get(path, **READER_HOST)
    assert reader["X-Page-Cache"] == "miss"  # not the attacker's stored answer
    assert b":6666" not in reader.content
    assert b"http://127.0.0.1/api/v1/studies/" in reader.content

    # And the other way round: the reader's stored answer stays theirs.
    client.get(path, **FOREIGN_HOST)
    again = client.get(path, **READER_HOST)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == reader.content
    assert again["ETag"] != poisoned["ETag"]


def test_pages_are_stored_apart_per_scheme_host_and_port(content, client, page_cache):
    client.get(PSORIASIS, **FOREIGN_HOST)
    assert client.get(PSORIASIS, **READER_HOST)["X-Page-Cache"] == "miss"
    assert client.get(PSORIASIS, secure=True, **READER_HOST)["X-Page-Cache"] == "miss"
    assert client.get(PSORIASIS, **READER_HOST)["X-Page-Cache"] == "hit"


def test_an_approval_shows_on_the_very_next_request(
    content, client, page_cache, django_capture_on_commit_callbacks
):
    client.get(PSORIASIS)
    assert client.get(PSORIASIS)["X-Page-Cache"] == "hit"
    claim = new_psoriasis_claim("A statement approved while the page was cached.")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve([claim], by=make_editor())

    after = client.get(PSORIASIS)
    assert after["X-Page-Cache"] == "miss"
    assert b"A statement approved while the page was cached." in after.content


def test_a_save_as_the_admin_makes_shows_on_the_very_next_request(
    content, client, page_cache, django_capture_on_commit_callbacks
):
    claim = Claim.objects.published().first()
    path = f"/claims/{claim.key}/"
    client.get(path)
    assert client.get(path)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        claim.statement = "Edited in the admin while the page was cached."
        claim.save()

    after = client.get(path)
    assert after["X-Page-Cache"] == "miss"
    assert b"Edited in the admin while the page was cached." in after.content


def test_signed_in_users_get_fresh_private_pages(content, client, page_cache):
    client.get(PSORIASIS)  # stored for anonymous readers
    client.force_login(make_editor())
    for _ in range(2):
        response = client.get(PSORIASIS)
        assert response.status_code == HTTPStatus.OK
        assert "X-Page-Cache" not in response
        assert "ETag" not in response
        assert response["Cache-Control"] == "private, no-cache"
    # Nothing a signed-in user saw was stored.
    api = client.get("/api/v1/claims/")
    assert api["Cache-Control"] == "private, no-cache"
    client.logout()
    assert client.get("/api/v1/claims/")["X-Page-Cache"] == "miss"


def test_the_admin_is_never_cached(content, client, page_cache, settings):
    admin = "/" + settings.ADMIN_PATH
    login = client.get(admin + "login/")
    assert "public" not in login.get("Cache-Control", "")
    assert "X-Page-Cache" not in login
    client.force_login(make_editor())
    changelist = client.get(admin + "evidence/claim/")
    assert changelist.status_code == HTTPStatus.OK
    assert "public" not in changelist["Cache-Control"]
    assert "X-Page-Cache" not in changelist


def test_answers_that_are_not_200_are_not_stored(content, client, page_cache):
    for _ in range(2):
        missing = client.get("/conditions/no-such-condition/")
        assert missing.status_code == HTTPStatus.NOT_FOUND
        assert missing["X-Page-Cache"] == "miss"
        assert "public" not in missing.get("Cache-Control", "")


def test_a_matching_conditional_request_gets_304_before_the_page_is_built(
    content, client, monkeypatch
):
    first = client.get(PSORIASIS)
    assert first["Last-Modified"]

    def not_called(slug):
        raise AssertionError("the page was built for a 304")

    monkeypatch.setattr(selectors, "clinician_page", not_called)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(PSORIASIS, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""
    assert len(queries) == 1
    since = client.get(PSORIASIS, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == HTTPStatus.NOT_MODIFIED


# ---------------------------------------------------------------- build on publish


@pytest.fixture
def publishing(settings, page_cache):
    """Production's reading and publishing: versions checked once a second, pages built when
    the content changes (only the psoriasis page, to keep the test short)."""
    settings.PAGE_VERSION_CHECK_SECONDS = 1
    settings.PUBLISH_ON_CHANGE = True
    settings.PUBLISH_ORIGINS = ["http://testserver"]
    settings.PUBLISH_PREFIXES = [PSORIASIS]
    publish.forget()
    yield
    publish.forget()


def test_a_hit_touches_no_database(content, client, publishing, settings):
    settings.PAGE_VERSION_CHECK_SECONDS = 60  # a slow first build must not end the interval
    client.get(PSORIASIS)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(PSORIASIS)
    assert second["X-Page-Cache"] == "hit"
    assert len(queries) == 0


def test_after_an_approval_the_first_reader_gets_the_new_page_already_built(
    content, client, publishing, monkeypatch, django_capture_on_commit_callbacks
):
    before = client.get(PSORIASIS)
    claim = new_psoriasis_claim("A statement built when it was approved.")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve([claim], by=make_editor())

    def not_called(slug):
        raise AssertionError("a reader waited for the page to be built")

    monkeypatch.setattr(selectors, "clinician_page", not_called)
    after = client.get(PSORIASIS)
    assert after["X-Page-Cache"] == "hit"
    assert b"A statement built when it was approved." in after.content
    assert b"A statement built when it was approved." not in before.content
    assert after["ETag"] != before["ETag"]


def test_readers_keep_the_published_pages_until_the_new_ones_are_built(
    content, client, publishing, settings, django_capture_on_commit_callbacks
):
    client.get(PSORIASIS)
    publish.publish()  # the current version is published
    settings.PUBLISH_ON_CHANGE = False  # the next change's publisher has not finished
    settings.PAGE_VERSION_CHECK_SECONDS = 0
    claim = new_psoriasis_claim("A statement whose page is still being built.")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve([claim], by=make_editor())
    waiting = client.get(PSORIASIS)
    assert waiting["X-Page-Cache"] == "hit"
    assert b"A statement whose page is still being built." not in waiting.content

    settings.PUBLISH_GRACE_SECONDS = 0  # the publisher gave up: readers build the new page
    late = client.get(PSORIASIS)
    assert late["X-Page-Cache"] == "miss"
    assert b"A statement whose page is still being built." in late.content


def test_publish_lists_every_public_page(content):
    assert set(PUBLIC) <= {address.path for address in publish.addresses()}


def test_publish_stores_the_addresses_it_builds_for_readers_of_that_origin(
    content, client, page_cache, settings
):
    settings.PUBLISH_ORIGINS = ["http://testserver"]
    settings.PUBLISH_PREFIXES = [PSORIASIS, "/api/v1/claims/"]  # a few, to keep it short
    result = publish.publish()
    assert result.skipped == 0
    for path in (PSORIASIS, PSORIASIS + "patient/", "/api/v1/claims/"):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response["X-Page-Cache"] == "hit", path
    assert client.get("/methods/")["X-Page-Cache"] == "miss"  # not among the prefixes
    other_host = client.get(PSORIASIS, headers={"Host": "localhost"})
    assert other_host["X-Page-Cache"] == "miss"  # published for http://testserver only


# ---------------------------------------------------------------- across processes

ROOT = Path(__file__).resolve().parent.parent
REDIS_DB_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CANONICAL = "localhost"  # both servers answer as the one site readers address


def fetch(url):
    # Both servers are asked for the same public host, as behind one reverse proxy: the page
    # cache keys on the origin, so each port on its own would be stored apart.
    request = urllib.request.Request(url, headers={"Host": CANONICAL})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.headers, answer.read()


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def serve(env, count=1):
    """`count` runserver processes on free ports, started side by side, once each answers:
    [(process, base URL)]. System checks are skipped: the test suite runs them elsewhere."""
    started = []
    for _ in range(count):
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                "--noreload",
                "--skip-checks",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append((process, f"http://127.0.0.1:{port}"))
    deadline = time.monotonic() + 30
    for _process, url in started:
        while True:
            try:
                fetch(url + "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline:
                    for other, _ in started:
                        other.terminate()
                    pytest.fail("runserver did not answer within 30 s")
                time.sleep(0.1)
    return started


@pytest.mark.redis
@pytest.mark.process
def test_two_processes_share_the_redis_page_cache_and_an_approval_shows_in_both(
    transactional_db, tmp_path
):
    load_content()  # committed, in the test database the two servers open
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ldnref.settings",
        "DEBUG": "1",
        "DATABASE_URL": shareable_url(tmp_path),
        "CACHE_URL": REDIS_DB_URL,
        # The approving process builds the page before readers are served the new version.
        "PUBLISH_ON_CHANGE": "1",
        "PUBLISH_ORIGINS": f"http://{CANONICAL}",
        "PUBLISH_PREFIXES": PSORIASIS,  # one page, to keep the test short
        "PAGE_VERSION_CHECK_SECONDS": "1",
    }
    env.pop("SECRET_KEY", None)
    redis.Redis.from_url(REDIS_DB_URL).flushdb()  # no page from an earlier run of this test
    servers = serve(env, count=2)
    a, b = (url + PSORIASIS for _process, url in servers)
    try:
        headers, before = fetch(a)
        assert headers["X-Page-Cache"] == "miss"  # nothing published yet: A builds it
        headers, from_b = fetch(b)
        assert headers["X-Page-Cache"] == "hit"  # B reads what A stored in Redis
        assert from_b == before

        # Another process approves a claim through the workflow.
        manage(
            env,
            "shell",
            "-c",
            "from evidence import workflow\n"
            "from conditions.models import Condition\n"
            "from tests.factories import make_citation, make_claim, make_editor, make_seed\n"
            "claim = make_claim(statement='Approved in another process.')\n"
            "claim.conditions.add(Condition.objects.get(slug='psoriasis'))\n"
            "make_citation(claim=claim, reported_by=make_seed())\n"
            "workflow.approve([claim], by=make_editor())\n",
        )
        # Readers check the version at most once a second; then the first of them gets the
        # page the approving process already built: a hit, nobody waits for a build.
        time.sleep(1.1)
        headers, after = fetch(a)
        assert headers["X-Page-Cache"] == "hit"
        assert b"Approved in another process." in after
        assert b"Approved in another process." not in before
        headers, after_b = fetch(b)
        assert headers["X-Page-Cache"] == "hit"
        assert after_b == after
    finally:
        for process, _url in servers:
            process.terminate()
            process.wait(timeout=10)
