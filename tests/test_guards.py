"""Guards that guard the guards: a filter that selects nothing checks nothing.

Each test here fails when a configured check has quietly stopped covering anything: a module
list naming a module that is gone, a marker expression naming a marker that does not exist.
"""

import importlib.util
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.time_limit import collected_markers

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
OUR_PACKAGES = ("evidence", "conditions", "ldnref", "revisions")


def test_every_module_in_the_type_checkers_strict_list_exists():
    strict = [
        override
        for override in PYPROJECT["tool"]["mypy"]["overrides"]
        if override.get("disallow_untyped_defs")
    ]
    assert strict, "no strict mypy override: the typed-rules list is gone"
    missing = []
    for override in strict:
        for name in override["module"]:
            if name.split(".")[0] not in OUR_PACKAGES:
                continue
            if importlib.util.find_spec(name.removesuffix(".*")) is None:
                missing.append(name)
    assert missing == [], f"mypy's strict list names modules that do not exist: {missing}"


def make_variables():
    """NAME := value assignments in the Makefile."""
    text = (ROOT / "Makefile").read_text()
    return dict(re.findall(r"^([A-Z_]+)\s*:?=\s*(.+)$", text, flags=re.MULTILINE))


def marker_expressions():
    """Every `-m "..."` expression in the Makefile and the CI script, variables resolved."""
    variables = make_variables()
    for path in (ROOT / "Makefile", ROOT / ".ci/run"):
        for expression in re.findall(r"""-m\s+\\?["']([^"'\\]+)\\?["']""", path.read_text()):
            name = re.fullmatch(r"\$\((\w+)\)", expression)
            yield path.name, variables[name.group(1)] if name else expression


def test_every_marker_that_a_test_command_filters_on_is_declared():
    declared = {
        line.split(":")[0].strip() for line in PYPROJECT["tool"]["pytest"]["ini_options"]["markers"]
    }
    found = list(marker_expressions())
    assert found, "no marker expression found in the Makefile or .ci/run"
    for where, expression in found:
        names = set(re.findall(r"[a-z_]+", expression)) - {"not", "and", "or"}
        assert names <= declared, f"{where}: -m {expression!r} names undeclared {names - declared}"


MARKER_LISTER = """
def pytest_collection_finish(session):
    for item in session.items:
        print("MARKS", item.nodeid, *sorted({mark.name for mark in item.iter_markers()}))
"""


def every_tests_markers(tmp_path):
    """{test id: its marker names} for the whole suite: what this run collected, when it
    collected every test file (make test), else a fresh collection in another process."""
    seen = collected_markers()
    files = {path.name for path in (ROOT / "tests").glob("test_*.py")}
    if {nodeid.split("::")[0].removeprefix("tests/") for nodeid in seen} >= files:
        return seen
    (tmp_path / "list_markers.py").write_text(MARKER_LISTER)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "list_markers",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    marks = {}
    for line in result.stdout.splitlines():
        if line.startswith("MARKS "):
            _, nodeid, *names = line.split(" ")
            marks[nodeid] = set(names)
    return marks


@pytest.mark.process
def test_the_everyday_loop_runs_most_tests_and_none_that_need_a_browser_or_a_server(tmp_path):
    marks = every_tests_markers(tmp_path)
    slow_kinds = {"browser", "axe", "postgres", "redis", "process"}
    # make test-fast's expression is "not a and not b ...": the tests with none of those marks.
    expression = make_variables()["FAST"]
    excluded = re.findall(r"not (\w+)", expression)
    assert expression == " and ".join(f"not {name}" for name in excluded), expression
    fast = {nodeid for nodeid, names in marks.items() if not names & set(excluded)}
    slow = {nodeid for nodeid, names in marks.items() if names & slow_kinds}
    assert slow, "no test is marked browser, axe, postgres, redis or process"
    assert fast, "make test-fast selects no test"
    assert not fast & slow, "make test-fast would run a browser, server or PostgreSQL test"
    assert len(fast) > 4 * len(slow)  # the loop is most of the suite, not a token


def run_pytest_on(tmp_path, source, **env):
    test_file = tmp_path / "test_sample.py"
    test_file.write_text(source)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            os.devnull,
            "-p",
            "tests.time_limit",
            "-p",
            "no:cacheprovider",
            "-q",
            str(test_file),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


SLOW_TEST = "import time\n\ndef test_slow():\n    time.sleep(0.5)\n"


@pytest.mark.process
def test_in_ci_a_test_over_the_time_limit_fails_and_says_why(tmp_path):
    result = run_pytest_on(tmp_path, SLOW_TEST, CI="true", TEST_TIME_LIMIT="0.2")
    assert result.returncode == 1, result.stdout
    assert "took 0.5 s, over the 0.2 s a single test may take in CI" in result.stdout


@pytest.mark.process
def test_outside_ci_the_same_test_passes(tmp_path):
    result = run_pytest_on(tmp_path, SLOW_TEST, CI="", TEST_TIME_LIMIT="0.2")
    assert result.returncode == 0, result.stdout


SLOW_SESSION_SETUP = """
import time
import pytest

@pytest.fixture(scope="session")
def database():
    time.sleep(0.5)  # as creating the test database does, once per run

def test_quick(database):
    pass
"""


@pytest.mark.process
def test_set_up_shared_by_the_whole_run_is_not_counted_against_one_test(tmp_path):
    result = run_pytest_on(tmp_path, SLOW_SESSION_SETUP, CI="true", TEST_TIME_LIMIT="0.2")
    assert result.returncode == 0, result.stdout
