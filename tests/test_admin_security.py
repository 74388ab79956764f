"""The admin is locked down: staff only, failed logins limited, sessions end, strict CSP."""

import re
from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from evidence.models import Source
from tests.databases import shareable_url
from tests.factories import make_editor, make_source
from tests.test_settings import last_line, start

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"
# The documented defaults (README, Configuration): 5 failures, 30 minutes, 120 minutes.
FAILURE_LIMIT = 5
COOLOFF = timedelta(minutes=30)
SESSION_IDLE = timedelta(minutes=120)


def make_staff(**overrides):
    return make_editor(password=PASSWORD, **overrides)


ELSEWHERE = "203.0.113.7"  # another client address (TEST-NET-3)


def log_in(client, username, password, address="127.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def logged_in(client):
    return client.get(reverse("admin:index")).status_code == HTTPStatus.OK


# ---------------------------------------------------------------- staff only


def test_a_signed_in_user_who_is_not_staff_is_sent_to_the_login_page(client):
    reader = get_user_model().objects.create_user("reader", password=PASSWORD)
    client.force_login(reader)

    response = client.get(reverse("admin:index"))

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("admin:login"))


def test_a_user_who_is_not_staff_cannot_log_in_to_the_admin(client):
    get_user_model().objects.create_user("reader", password=PASSWORD)

    response = log_in(client, "reader", PASSWORD)

    assert response.status_code == HTTPStatus.OK
    assert "correct username and password for a staff account" in response.text
    assert not logged_in(client)


def test_staff_can_log_in_with_the_right_password(client):
    staff = make_staff()

    response = log_in(client, staff.username, PASSWORD)

    assert response.status_code == HTTPStatus.FOUND
    assert logged_in(client)


# ---------------------------------------------------------------- failed logins


def test_four_failed_logins_do_not_lock_an_editor_out(client):
    staff = make_staff()
    for _ in range(FAILURE_LIMIT - 1):
        log_in(client, staff.username, "wrong password")

    response = log_in(client, staff.username, PASSWORD)

    assert response.status_code == HTTPStatus.FOUND
    assert logged_in(client)


def test_five_failed_logins_lock_the_account_out_even_with_the_right_password(client):
    staff = make_staff()
    for _ in range(FAILURE_LIMIT):
        log_in(client, staff.username, "wrong password")

    response = log_in(client, staff.username, PASSWORD)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "too many login attempts" in response.text.lower()
    assert not logged_in(client)


def test_a_lockout_ends_after_the_cool_off(client):
    staff = make_staff()
    for _ in range(FAILURE_LIMIT):
        log_in(client, staff.username, "wrong password")
    assert log_in(client, staff.username, PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS

    # Time passes: the last failure is now just older than the cool-off.
    AccessAttempt.objects.update(attempt_time=timezone.now() - COOLOFF - timedelta(seconds=1))
    response = log_in(client, staff.username, PASSWORD)

    assert response.status_code == HTTPStatus.FOUND
    assert logged_in(client)


def test_a_lockout_does_not_lock_out_another_editor_elsewhere(client):
    locked, other = make_staff(), make_staff()
    for _ in range(FAILURE_LIMIT):
        log_in(client, locked.username, "wrong password")

    response = log_in(client, other.username, PASSWORD, address=ELSEWHERE)

    assert response.status_code == HTTPStatus.FOUND


def test_a_locked_username_stays_locked_from_any_address(client):
    staff = make_staff()
    for _ in range(FAILURE_LIMIT):
        log_in(client, staff.username, "wrong password")

    response = log_in(client, staff.username, PASSWORD, address=ELSEWHERE)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert not logged_in(client)


def test_spraying_many_usernames_from_one_address_locks_that_address_out(client):
    staff = make_staff()
    for number in range(FAILURE_LIMIT):  # one guess each: no username reaches the limit
        log_in(client, f"guessed-name-{number}", "wrong password")

    from_there = log_in(client, staff.username, PASSWORD)
    assert from_there.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert not logged_in(client)
    # The editor is not locked out; the address is.
    assert log_in(client, staff.username, PASSWORD, address=ELSEWHERE).status_code == 302


def pass_time(delta):
    """Move every recorded failure `delta` into the past, as if that much time went by."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)


def test_retrying_while_locked_out_does_not_extend_the_cool_off(client):
    staff = make_staff()
    for _ in range(FAILURE_LIMIT):
        log_in(client, staff.username, "wrong password")

    pass_time(COOLOFF - timedelta(minutes=1))  # a minute before the lockout ends
    for password in ("wrong password", PASSWORD, "wrong password"):
        assert log_in(client, staff.username, password).status_code == 429
    pass_time(timedelta(minutes=2))  # a minute after it ends, counted from the 5th failure

    assert log_in(client, staff.username, PASSWORD).status_code == HTTPStatus.FOUND
    assert logged_in(client)


def test_the_lockout_page_says_when_to_try_again(client):
    staff = make_staff()
    for _ in range(FAILURE_LIMIT):
        log_in(client, staff.username, "wrong password")
    last_failure = timezone.now()

    response = log_in(client, staff.username, PASSWORD)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    until = datetime.fromisoformat(re.search(r'<time datetime="([^"]+)"', response.text)[1])
    assert abs((until - (last_failure + COOLOFF)).total_seconds()) < 5
    words = " ".join(re.sub(r"<[^>]+>", "", response.text).split())
    assert f"Logging in is blocked until {until:%H:%M} UTC" in words
    assert 1800 - 10 < int(response["Retry-After"]) <= 1800 + 1  # whole seconds, rounded up
    assert "no-store" in response["Cache-Control"]


# ---------------------------------------------------------------- sessions


def test_a_session_ends_after_two_hours_without_a_request(client, monkeypatch):
    client.force_login(make_staff())
    start_time = timezone.now()

    def at(delta):
        monkeypatch.setattr(timezone, "now", lambda: start_time + delta)

    at(SESSION_IDLE - timedelta(minutes=1))
    assert logged_in(client)  # a request keeps the session alive for another two hours
    at(2 * SESSION_IDLE - timedelta(minutes=2))
    assert logged_in(client)
    at(3 * SESSION_IDLE)
    assert not logged_in(client)


def test_the_session_cookie_ends_when_the_browser_closes(client):
    staff = make_staff()

    response = log_in(client, staff.username, PASSWORD)

    cookie = response.cookies["sessionid"]
    assert (cookie["max-age"], cookie["expires"]) == ("", "")
    assert cookie["httponly"]


# ---------------------------------------------------------------- passwords


def add_user(admin_client, password):
    return admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "new-editor",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("Xk3#pq9z", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("382019475610", "This password is entirely numeric."),
        ("new-editor-1", "The password is too similar to the username."),
    ],
)
def test_the_admin_refuses_a_weak_password_for_a_new_user(admin_client, password, refusal):
    response = add_user(admin_client, password)

    assert response.status_code == HTTPStatus.OK
    assert refusal in response.text
    assert not get_user_model().objects.filter(username="new-editor").exists()


def test_the_admin_accepts_a_long_uncommon_password(admin_client):
    response = add_user(admin_client, "orchid lantern gravel 42")

    assert response.status_code == HTTPStatus.FOUND
    assert (
        get_user_model()
        .objects.get(username="new-editor")
        .check_password("orchid lantern gravel 42")
    )


# ---------------------------------------------------------------- Content-Security-Policy


def directives(response):
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def admin_pages(admin_client):
    source = make_source(url="javascript:alert(1)")
    return {
        "login": admin_client.get(reverse("admin:login")),
        "index": admin_client.get(reverse("admin:index")),
        "changelist": admin_client.get(reverse("admin:evidence_source_changelist")),
        "change form": admin_client.get(reverse("admin:evidence_source_change", args=[source.pk])),
        "preview": admin_client.post(
            reverse("admin:evidence_mechanism_preview"), {"summary": "Itch *fell*."}
        ),
        "autocomplete": admin_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "evidence", "model_name": "citation", "field_name": "source"},
        ),
    }


def test_every_admin_response_sends_a_policy_that_runs_only_our_own_scripts(admin_client):
    for name, response in admin_pages(admin_client).items():
        policy = directives(response)
        assert policy["default-src"] == ["'none'"], name
        assert policy["script-src"] == ["'self'"], name
        assert policy["style-src"] == ["'self'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["base-uri"] == ["'none'"], name
        assert policy["form-action"] == ["'self'"], name
        header = response.headers["Content-Security-Policy"]
        assert "unsafe" not in header and "*" not in header and "http" not in header, name


def test_the_admin_pages_need_nothing_the_policy_forbids(admin_client):
    """No inline script, event handler or inline style, so the policy breaks nothing."""
    for name, response in admin_pages(admin_client).items():
        if response["Content-Type"].startswith("application/json"):
            continue
        html = response.text
        assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == [], name
        assert not re.search(r"\son[a-z]+\s*=", html), name
        assert " style=" not in html, name
        assert not re.search(r"(href|src|action)=\"javascript:", html), name


def test_public_pages_keep_the_stricter_policy_with_no_script_at_all(client):
    Source.objects.all().delete()

    policy = directives(client.get(reverse("evidence:methods")))

    assert "script-src" not in policy
    assert policy["default-src"] == ["'none'"]


# ---------------------------------------------------------------- the admin's address


@pytest.mark.process
def test_the_admin_moves_to_the_path_set_in_admin_path(tmp_path):
    result = start(
        "from django.test import Client; from django.urls import reverse; c = Client(); "
        "login = c.get('/editors/staff/login/'); "
        "print(reverse('admin:index'), c.get('/admin/').status_code, login.status_code, "
        "'script-src' in login.headers['Content-Security-Policy'])",
        DEBUG="1",
        ADMIN_PATH="/editors/staff",
        ALLOWED_HOSTS="testserver",
        # Migrated (every public address, the old /admin/ too, reads the content version), and
        # not the project's database: the test database, or on SQLite a copy of it.
        DATABASE_URL=shareable_url(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/editors/staff/", "404", "200", "True"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("edit ors/", "ADMIN_PATH must be a URL path"),
        ("editors//x", "ADMIN_PATH must be a URL path"),
        ("/", "ADMIN_PATH must be a URL path"),
        ("studies/admin/", "ADMIN_PATH must not start with a path the public site uses"),
    ],
)
@pytest.mark.process
def test_a_bad_admin_path_stops_start_up_saying_why(value, message):
    result = start(DEBUG="1", ADMIN_PATH=value)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in last_line(result.stderr)
    assert message in last_line(result.stderr)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SESSION_MINUTES", "0"), ("LOGIN_FAILURE_LIMIT", "ten"), ("LOGIN_COOLOFF_MINUTES", "-5")],
)
@pytest.mark.process
def test_a_bad_security_number_stops_start_up_naming_the_variable(variable, value):
    result = start(DEBUG="1", **{variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in last_line(result.stderr)
    assert f"{variable} must be a whole number of at least 1" in last_line(result.stderr)
