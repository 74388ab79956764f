"""Shared fixtures and the rules for tests that need PostgreSQL or a browser.

`postgres` tests skip on SQLite, `redis` tests without a reachable Redis and `browser`
tests without Debian's Chromium, so
`make test` works on any machine. Under CI=true neither may skip: a skip there is a failure.
"""

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.factories import load_content
from tests.time_limit import (
    in_ci,
    pytest_collection_modifyitems,  # noqa: F401  (hooks: fail slow tests in CI)
    pytest_fixture_setup,  # noqa: F401
    pytest_runtest_makereport,  # noqa: F401
)

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js"


def skip_or_fail(reason):
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this test must run, not skip)", pytrace=False)
    pytest.skip(reason)


def redis_url():
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def redis_reachable():
    parts = urlsplit(redis_url())
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            skip_or_fail(
                "PostgreSQL test: run with "
                "DATABASE_URL=postgres://postgres@127.0.0.1:5432/ldnref make test"
            )
    if item.get_closest_marker("redis") and not redis_reachable():
        skip_or_fail(
            f"Redis test: needs Redis at {redis_url()} "
            "(as root: apt-get install -y redis-server; or set TEST_REDIS_URL)"
        )
    if item.get_closest_marker("browser") and not CHROMIUM.exists():
        skip_or_fail(
            f"Browser test: needs Debian's Chromium at {CHROMIUM} "
            "(as root: apt-get update && apt-get install -y chromium)"
        )
    if item.get_closest_marker("axe") and not AXE.exists():
        skip_or_fail(f"Accessibility test: needs axe-core at {AXE} (run .ci/install-axe)")


@pytest.fixture
def content(db):
    """The site's real content: every fixture, loaded as `make run` loads it."""
    load_content()
