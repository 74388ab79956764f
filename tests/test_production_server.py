"""The production configuration (gunicorn, DEBUG=0) serves hashed, compressed static files."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.process  # gunicorn and collectstatic run as their own processes

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")
A_YEAR = 365 * 24 * 3600


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def production(tmp_path):
    """A gunicorn with ldnref/gunicorn.conf.py and DEBUG=0, after collectstatic, on a free port.

    Its database is an empty SQLite file: the static files and the 404 page need no tables.
    """
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_ADDOPTS")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="ldnref.settings",
        DEBUG="0",
        SECRET_KEY="production-test-only",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on localhost
        HSTS_SECONDS="0",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        STATIC_ROOT=str(tmp_path / "static"),
        PORT=str(port),
        WEB_CONCURRENCY="1",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "ldnref/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(base + "/static/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "gunicorn.log").read_text() or "gunicorn did not start")
                time.sleep(0.2)
        yield base, tmp_path / "static"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_the_stylesheet_has_a_hashed_name_a_far_future_cache_header_and_gzip(production):
    base, static_root = production
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]
    assert hashed != "css/site.css"  # the name carries a hash of the content

    # A page links the hashed name (the 404 page: it needs no database).
    status, _, body = get(base + "/no-such-page/")
    assert status == 404
    assert f'href="/static/{hashed}"'.encode() in body

    status, headers, body = get(f"{base}/static/{hashed}")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert body == (ROOT / "static" / "css" / "site.css").read_bytes()
    cache_control = headers["Cache-Control"]
    assert "public" in cache_control
    max_age = int(cache_control.split("max-age=")[1].split(",")[0])
    assert max_age >= A_YEAR

    status, headers, compressed = get(f"{base}/static/{hashed}", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert len(compressed) < len(body)


@pytest.mark.django_db
def test_the_benchmark_floor_route_does_not_exist_outside_the_benchmark(client):
    assert not settings.BENCH_FLOOR_FILE
    assert client.get("/__bench__/floor/").status_code == 404
