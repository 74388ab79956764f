"""Operations and hardening: methods, headers, health checks, logs, a database that does not
answer, and the production settings' own deployment check."""

import json
import logging
import os
import secrets
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conditions import selectors
from ldnref.logs import JsonFormatter

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PAGES = ("/", "/conditions/psoriasis/", "/studies/", "/methods/", "/sources/")
REFUSED = ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def export_path():
    from evidence.models import Source

    return Source.objects.published().first().get_absolute_url().rstrip("/") + ".ris"


# ---------------------------------------------------------------- methods


def test_public_pages_and_exports_refuse_other_methods_with_405_even_with_a_csrf_token(content):
    csrf_client = Client(enforce_csrf_checks=True)
    page = csrf_client.get("/conditions/psoriasis/")
    token = page.cookies.get("csrftoken")
    for path in (*PAGES, export_path()):
        assert csrf_client.get(path).status_code == HTTPStatus.OK, path
        assert csrf_client.head(path).status_code == HTTPStatus.OK, path
        for method in REFUSED:
            for client in (Client(enforce_csrf_checks=True), csrf_client):
                headers = {"X-CSRFToken": token.value} if token and client is csrf_client else {}
                response = client.generic(method, path, headers=headers)
                assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED, (method, path)
                assert response["Allow"] == "GET, HEAD"
                assert b"<main" not in response.content, (method, path)  # never the page
                assert b"CSRF" not in response.content, (method, path)  # never a CSRF page


def test_the_admin_keeps_its_forms(client):
    login = reverse("admin:login")
    response = Client(enforce_csrf_checks=True).post(login, {"username": "x", "password": "y"})
    assert response.status_code == HTTPStatus.FORBIDDEN  # Django's CSRF check, as before
    assert client.post(login, {"username": "x", "password": "y"}).status_code == HTTPStatus.OK


def test_the_api_answers_json_to_every_refused_method_and_unknown_address(content, client):
    for path in ("/api/v1/claims/", "/api/docs/", "/api/schema/", "/api/v1/nope/", "/api/x"):
        for method in ("POST", "PUT", "PATCH", "DELETE", "TRACE"):
            response = client.generic(method, path)
            assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED, (method, path)
            assert response["Content-Type"] == "application/json", (method, path)
            assert json.loads(response.content)["detail"] == f'Method "{method}" not allowed.'
            assert response["Allow"] == "GET, HEAD, OPTIONS"
    for path in ("/api/v1/nope/", "/api/x"):
        response = client.get(path)
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert json.loads(response.content) == {"detail": "Not found."}


# ---------------------------------------------------------------- headers


def test_every_response_has_a_permissions_policy(content, client, admin_client):
    answers = [
        client.get("/"),
        client.get("/conditions/no-such-condition/"),
        client.get("/api/v1/claims/"),
        client.post("/"),
        client.get("/static/css/site.css"),
        client.get(reverse("admin:login")),
        admin_client.get(reverse("admin:index")),
        client.get("/healthz"),
    ]
    for response in answers:
        policy = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy, response


def test_the_methods_page_title_is_plain_text(content, client):
    assert "<title>Methods · ldnref</title>" in client.get("/methods/").text


def test_the_admin_login_page_has_a_level_one_heading(client):
    text = client.get(reverse("admin:login")).text
    assert text.count("<h1") == 1
    assert "<h1>Log in</h1>" in text


# ---------------------------------------------------------------- production settings


def run_django(code, timeout=60, **env):
    """A fresh Python with the production settings (ldnref.settings) and `env`."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "ldnref.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.process  # a fresh Python with the production settings
def test_check_deploy_passes_with_the_production_defaults(tmp_path):
    result = run_django(
        "import sys\nfrom django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        ALLOWED_HOSTS="ldnref.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.process  # a fresh Python with the production settings
def test_https_settings_come_from_the_environment():
    code = (
        "import django; django.setup()\nfrom django.conf import settings as s\n"
        "print(repr((s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD, "
        "getattr(s, 'SECURE_PROXY_SSL_HEADER', None))))"
    )
    production = run_django(code)
    plain_http = run_django(
        code,
        SECURE_SSL_REDIRECT="0",
        HSTS_SECONDS="0",
        HSTS_PRELOAD="0",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    bad = run_django(code, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https")

    assert production.stdout.strip() == "(True, 31536000, True, None)", production.stderr
    assert plain_http.stdout.strip() == "(False, 0, False, ('HTTP_X_FORWARDED_PROTO', 'https'))"
    assert bad.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER must be a header name" in bad.stderr


# ---------------------------------------------------------------- health and logs


def test_health_and_readiness_answer_and_are_never_cached(content, client, settings):
    settings.PAGE_CACHE_ALIAS = "default"
    for _ in range(2):
        health = client.get("/healthz")
        ready = client.get("/readyz")
        assert (health.status_code, json.loads(health.content)) == (200, {"status": "ok"})
        assert ready.status_code == HTTPStatus.OK
        assert json.loads(ready.content) == {
            "status": "ready",
            "checks": {"database": "ok", "cache": "ok"},
        }
        for response in (health, ready):
            assert "X-Page-Cache" not in response
            assert response["Cache-Control"] == "no-store"


def request_lines(records):
    return [
        json.loads(JsonFormatter().format(record))
        for record in records
        if record.name == "ldnref.request"
    ]


def test_each_request_is_logged_once_as_json_with_its_id(content, client, caplog):
    caplog.set_level(logging.INFO, logger="ldnref.request")
    response = client.get("/methods/", headers={"X-Request-ID": "probe-42"})
    assert response["X-Request-ID"] == "probe-42"
    client.get("/nope/", headers={"X-Request-ID": "not a sane id\n{}"})

    first, second = request_lines(caplog.records)
    assert first["request_id"] == "probe-42"
    assert (first["method"], first["path"], first["status"]) == ("GET", "/methods/", 200)
    assert first["duration_ms"] >= 0
    assert "traceback" not in first
    assert (second["path"], second["status"]) == ("/nope/", 404)
    assert len(second["request_id"]) == 32  # a new id, not the client's


def test_a_server_error_is_logged_with_its_traceback_and_the_page_says_so(
    content, caplog, monkeypatch
):
    def broken(slug):
        raise RuntimeError("a bug in the page builder")

    monkeypatch.setattr(selectors, "clinician_page", broken)
    caplog.set_level(logging.INFO, logger="ldnref.request")

    response = Client(raise_request_exception=False).get("/conditions/psoriasis/")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "has been logged" in response.text
    (line,) = request_lines(caplog.records)
    assert (line["status"], line["level"]) == (500, "ERROR")
    assert line["error"] == "RuntimeError: a bug in the page builder"
    assert "in broken" in line["traceback"]


UNREACHABLE_PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
answers = {}
for path in ("/", "/conditions/psoriasis/", "/api/v1/claims/", "/healthz", "/readyz"):
    # Pages over HTTPS (plain HTTP is redirected); health probes over plain HTTP, as a load
    # balancer's often are.
    response = client.get(path, secure=not path.endswith("z"))
    answers[path] = [response.status_code, response.get("Retry-After"),
                     response["Content-Type"], response.content.decode()]
plain = client.get("/methods/")
answers["/methods/"] = [plain.status_code, plain["Location"], "", ""]
print(json.dumps(answers))
"""


@pytest.mark.process  # a fresh Python with the production settings
def test_a_database_that_does_not_answer_gives_503_logged_once_per_request(tmp_path):
    # Port 9 (discard) on this machine: nothing listens, the connection is refused at once.
    result = run_django(
        UNREACHABLE_PROBE,
        STATIC_ROOT=str(tmp_path),
        DATABASE_URL="postgres://ldnref@127.0.0.1:9/nowhere",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="INFO",
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    lines = [json.loads(line) for line in result.stderr.splitlines()]

    for path in ("/", "/conditions/psoriasis/"):
        status, retry_after, content_type, body = answers[path]
        assert (status, retry_after) == (503, "30"), path
        assert content_type.startswith("text/html")
        assert "cannot reach its database" in body
    status, retry_after, content_type, body = answers["/api/v1/claims/"]
    assert (status, retry_after, content_type) == (503, "30", "application/json")
    assert "database does not answer" in json.loads(body)["detail"]
    assert answers["/healthz"][0] == 200  # the process is up
    assert answers["/readyz"][0] == 503
    assert json.loads(answers["/readyz"][3])["checks"]["database"] == "unreachable"
    assert answers["/methods/"][:2] == [301, "https://testserver/methods/"]

    # One line per request, nothing else; each failure with its traceback, once.
    assert [(line["path"], line["status"]) for line in lines] == [
        (path, answer[0]) for path, answer in answers.items()
    ]
    failures = [line for line in lines if line["status"] == 503]
    assert len(failures) == 4
    for line in failures:
        assert line["level"] == "ERROR"
        assert line["error"].startswith("OperationalError")
        assert "Traceback" in line["traceback"]
        assert len(line["request_id"]) == 32
