"""What every bench tool shares: the floor, the environment a measured Django runs in, and
how a database is prepared. One floor for all: /__bench__/floor/ (ldnref/bench.py), the
clinician page's saved bytes returned from memory through every middleware.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLOOR_PATH = "/__bench__/floor/"  # ldnref.bench.FLOOR_PATH, routed when BENCH_FLOOR_FILE is set
SAVED_PAGE = "psoriasis.html"  # in <workdir>/www: the floor's bytes and nginx's static file


def django_env(workdir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG=0) on `database_url`, nothing cached unless `extra` says."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ldnref.settings",
        DEBUG="0",
        SECRET_KEY="bench-only-not-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on localhost
        HSTS_SECONDS="0",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(workdir / "static"),
        BENCH_FLOOR_FILE=str(workdir / "www" / SAVED_PAGE),
        CACHE_URL="dummy://",  # builds: whatever the project caches, nothing is kept
        PUBLISH_ON_CHANGE="0",  # preparing a database is no approval; the read row publishes
    )
    (workdir / "www").mkdir(mode=0o755, exist_ok=True)
    env.update(extra)
    return env


PREPARE = """
import django
from django.core.management import call_command

django.setup()
if {full}:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_content", verbosity=0)
if {scale}:
    call_command("synthesize", scale={scale}, verbosity=0)
"""


def prepare_database(env: dict[str, str], scale: int, full: bool) -> None:
    """Migrate and load the fixtures (if `full`), then add `scale` synthetic copies of them
    (replacing any there are), in one process."""
    subprocess.run(
        [PYTHON, "-c", PREPARE.format(full=full, scale=scale)],
        cwd=ROOT,
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


def collectstatic(env: dict[str, str]) -> None:
    """DEBUG=0 links hashed static files: the manifest must exist in STATIC_ROOT."""
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
