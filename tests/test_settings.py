"""Start-up configuration: a bad environment variable stops start-up and says which one."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.process  # every test here starts a fresh Python


def start(code="pass", **env):
    """Start a fresh Python with only `env` set, load the settings, run `code`."""
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "ldnref.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def last_line(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://x/y"),
        ("DATABASE_URL", "nonsense"),
        ("ALLOWED_HOSTS", "a,,b"),
        ("CACHE_URL", "memcached://x"),
    ],
)
def test_a_malformed_variable_stops_start_up_naming_the_variable(variable, value):
    env = {"DEBUG": "1", variable: value}

    result = start(**env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in last_line(result.stderr)
    assert variable in last_line(result.stderr)


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = start(DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in last_line(result.stderr)


def test_a_good_production_configuration_starts():
    result = start(
        "from django.conf import settings as s; "
        "print(repr((s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], "
        "s.CACHES['default']['BACKEND'], s.SESSION_COOKIE_SECURE)))",
        SECRET_KEY="not-a-real-secret",
        DEBUG="off",
        ALLOWED_HOSTS="ldnref.example.org, www.ldnref.example.org",
        DATABASE_URL="postgres://ldnref@db.example.org:5432/ldnref",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )

    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout) == (
        False,
        ["ldnref.example.org", "www.ldnref.example.org"],
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
        True,
    )


def test_secure_cookies_can_be_turned_off_behind_plain_http():
    result = start(
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE)",
        SECRET_KEY="not-a-real-secret",
        SECURE_COOKIES="0",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_development_machine_needs_only_debug():
    result = start(
        "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])",
        DEBUG="1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(PROJECT / "db.sqlite3")
