"""Keeping the suite honest about time. A slow test is a bug: under CI, any single phase
(set-up, call or tear-down) of a test that takes longer than TEST_TIME_LIMIT seconds (20
unless set) fails that test, so the suite cannot creep back to twenty minutes unnoticed.
Session-wide set-up (creating and migrating the test database, once per run) is not any one
test's time and is not counted.

It also records every collected test's markers before `-m` deselects any, for the guard that
checks make test-fast's filter (tests/test_guards.py).

A pytest plugin with no Django in it, loaded by tests/conftest.py, so that
tests/test_guards.py can run it on its own.
"""

import os
import time

import pytest

_session_setup = {"depth": 0, "seconds": 0.0}
_collected: dict[str, set[str]] = {}


def collected_markers() -> dict[str, set[str]]:
    """{test id: marker names} of every test this run collected, before -m deselected any."""
    return _collected


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        _collected[item.nodeid] = {mark.name for mark in item.iter_markers()}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.scope != "session":
        yield
        return
    _session_setup["depth"] += 1
    start = time.perf_counter()
    try:
        yield
    finally:
        _session_setup["depth"] -= 1
        if _session_setup["depth"] == 0:  # nested session fixtures are counted once
            _session_setup["seconds"] += time.perf_counter() - start


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    limit = float(os.environ.get("TEST_TIME_LIMIT", "20"))
    took = call.duration
    if call.when == "setup":
        took -= _session_setup["seconds"]
        _session_setup["seconds"] = 0.0
    if in_ci() and report.passed and took > limit:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} ({call.when}) took {took:.1f} s, over the {limit:g} s "
            "a single test may take in CI (TEST_TIME_LIMIT): make it faster or split it"
        )
