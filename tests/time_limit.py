"""A slow test is a bug: under CI, any single phase (set-up, call or tear-down) of a test
that takes longer than TEST_TIME_LIMIT seconds (20 unless set) fails that test, so the suite
cannot creep back to twenty minutes unnoticed. A pytest plugin with no Django in it, loaded
by tests/conftest.py, so that tests/test_guards.py can run it on its own."""

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    limit = float(os.environ.get("TEST_TIME_LIMIT", "20"))
    if in_ci() and report.passed and call.duration > limit:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} ({call.when}) took {call.duration:.1f} s, over the {limit:g} s "
            "a single test may take in CI (TEST_TIME_LIMIT): make it faster or split it"
        )
