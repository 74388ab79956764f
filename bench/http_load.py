#!/usr/bin/env python3
"""HTTP throughput of ldnref under gunicorn, against nginx serving a file: `make bench`.

Loopback only. For each database set-up (SQLite, and PostgreSQL when it answers, each at
`synthesize --scale 1` and `--scale 100`) it starts the production server
(ldnref/gunicorn.conf.py, DEBUG=0) and drives wrk against each row of ROWS, then prints
one markdown table with requests/s, p50, p99, errors and the ratios to rows (a) and (b).

Rows are data: to add one, append a Row to ROWS naming a server of SERVERS (add a server
function there if none fits, e.g. nginx with proxy_cache in front of gunicorn).

Needs wrk and nginx: installed from Debian's packages (wrk, nginx-light) when missing and
this runs as root; otherwise it says what to install. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
SCALES = (1, 100)
PSORIASIS = "/conditions/psoriasis/"
SAVED_PAGE = "psoriasis.html"
FLOOR_PATH = "/__bench__/floor/"  # ldnref.bench.FLOOR_PATH, routed when BENCH_FLOOR_FILE is set


# ---------------------------------------------------------------- what is measured


@dataclass
class Row:
    id: str
    what: str
    server: str  # a key of SERVERS
    path: str
    per_setup: bool = True  # False: measured once, on the first set-up (it reads no database)


ROWS = [
    Row(
        "a",
        "nginx: the saved psoriasis page as a static file",
        "nginx-static",
        "/" + SAVED_PAGE,
        per_setup=False,
    ),
    Row("b", "Django floor: the same bytes from memory", "django", FLOOR_PATH, per_setup=False),
    Row("c", "psoriasis page, uncached", "django", PSORIASIS),
    # (d) page cache, (e) nginx proxy_cache and (f) /api/v1/conditions/psoriasis/ come later.
    Row("g", "psoriasis patient page", "django", PSORIASIS + "patient/"),
]


@dataclass
class Setup:
    database: str  # "SQLite" or "PostgreSQL"
    scale: int
    url: str  # DATABASE_URL


@dataclass
class Result:
    row: Row
    setup: Setup | None
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


# ---------------------------------------------------------------- servers


@dataclass
class Context:
    tmp: Path
    setup: Setup
    args: argparse.Namespace
    running: dict[str, tuple[subprocess.Popen, str]] = field(default_factory=dict)

    def base_url(self, server: str) -> str:
        if server not in self.running:
            self.running[server] = SERVERS[server](self)
        return self.running[server][1]

    def stop(self) -> None:
        for process, _ in self.running.values():
            process.terminate()
        for process, _ in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django_env(ctx: Context, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ldnref.settings",
        DEBUG="0",
        SECRET_KEY="bench-only-not-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on localhost
        HSTS_SECONDS="0",
        DATABASE_URL=ctx.setup.url,
        STATIC_ROOT=str(ctx.tmp / "static"),
        BENCH_FLOOR_FILE=str(ctx.tmp / "www" / SAVED_PAGE),
        CACHE_URL="dummy://",  # uncached rows: whatever the project caches, nothing is kept
    )
    env.update(extra)
    return env


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                sys.exit(f"FAIL: server for {url} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)


def start_gunicorn(ctx: Context, name: str, **env: str) -> tuple[subprocess.Popen, str]:
    """The production configuration, as `make serve` runs it, on a free loopback port."""
    port = free_port()
    log = ctx.tmp / f"{name}.log"
    process = subprocess.Popen(
        [GUNICORN, "-c", "ldnref/gunicorn.conf.py"],
        cwd=ROOT,
        env=django_env(ctx, PORT=str(port), **env),
        stdin=subprocess.DEVNULL,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + PSORIASIS, process, log)
    return process, base


NGINX_STATIC = """
worker_processes auto;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    sendfile on;
    types {{ text/html html; }}
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
    }}
}}
"""


def start_nginx_static(ctx: Context) -> tuple[subprocess.Popen, str]:
    """nginx serving the saved psoriasis page (saved by main() before any row runs)."""
    port = free_port()
    conf = ctx.tmp / "nginx-static.conf"
    conf.write_text(NGINX_STATIC.format(tmp=ctx.tmp, port=port))
    log = ctx.tmp / "nginx-static.log"
    process = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(ctx.tmp), "-e", str(ctx.tmp / "nginx-error.log")],
        stdin=subprocess.DEVNULL,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/" + SAVED_PAGE, process, log)
    return process, base


SERVERS: dict[str, Callable[[Context], tuple[subprocess.Popen, str]]] = {
    "nginx-static": start_nginx_static,
    "django": lambda ctx: start_gunicorn(ctx, "gunicorn"),
}


# ---------------------------------------------------------------- tools and databases


def ensure_tools() -> None:
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]
    if not missing:
        return
    packages = ["wrk" if tool == "wrk" else "nginx-light" for tool in missing]
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit(
            f"FAIL: {' and '.join(missing)} missing. Install Debian's packages as root: "
            f"apt-get install -y {' '.join(packages)}"
        )
    print(f"Installing {' '.join(packages)} from Debian's packages …", file=sys.stderr)
    install = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    quiet = {
        "stdout": subprocess.DEVNULL,
        "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    }
    if subprocess.run(install, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update"], check=True, **quiet)
        subprocess.run(install, check=True, **quiet)


def postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{POSTGRES_URL}/postgres", connect_timeout=2).close()
        return True
    except Exception:  # noqa: BLE001 (any failure means: leave PostgreSQL out)
        return False


def fresh_postgres(name: str, template: str = "") -> str:
    """An empty database `name`, or a copy of the database `template`."""
    import psycopg

    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{POSTGRES_URL}/{name}"


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(ctx: Context, *args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=django_env(ctx),
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


PREPARE = """
import django
from django.core.management import call_command

django.setup()
if {full}:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_content", verbosity=0)
call_command("synthesize", scale={scale}, verbosity=0)
"""


def prepare(ctx: Context, full: bool) -> None:
    """Migrate and load the fixtures (if `full`), then add `scale` synthetic copies of them
    (replacing any there are), in one process."""
    code = PREPARE.format(full=full, scale=ctx.setup.scale)
    subprocess.run(
        [PYTHON, "-c", code],
        cwd=ROOT,
        env=django_env(ctx),
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


# ---------------------------------------------------------------- wrk


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text: str) -> float:
    """wrk's "635.00us", "12.5ms", "2.58s", "1.02m" in ms; nan for anything else."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match[1]) * UNITS_MS[match[2]] if match else float("nan")


def wrk(url: str, args: argparse.Namespace) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) after a short warm-up run."""
    base = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"--timeout={args.timeout}s"]
    base.append("--latency")
    subprocess.run([*base, f"-d{args.warmup}s", url], check=True, capture_output=True)
    # wrk leaves the warm-up's last requests queued at the server; one request waits behind
    # them, so the measured run does not start by paying for the warm-up.
    try:
        urllib.request.urlopen(url, timeout=120).read()
    except OSError as error:  # the measured run counts what goes wrong
        print(f"    {url}: {error}", file=sys.stderr)
    out = subprocess.run(
        [*base, f"-d{args.duration}s", url], check=True, capture_output=True, text=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = to_ms(re.search(r"50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    if p50 != p50 or p99 != p99:  # nan: a latency wrk printed in a form we do not read
        print(f"    wrk printed:\n{out}", file=sys.stderr)
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return rps, p50, p99, errors


# ---------------------------------------------------------------- table


def table(results: list[Result], args: argparse.Namespace) -> str:
    by_id = {r.row.id: r for r in results if r.setup is None or not r.row.per_setup}
    a = by_id.get("a")
    b = by_id.get("b")
    lines = [
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s "
        f"--timeout={args.timeout}s on {os.cpu_count()} cores, load average before the run "
        f"{args.load}; gunicorn as ldnref/gunicorn.conf.py sets it.",
        "",
        "| row | what | database | N | req/s | p50 ms | p99 ms | errors | ÷ (a) | ÷ (b) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        database = r.setup.database if r.setup and r.row.per_setup else "–"
        scale = str(r.setup.scale) if r.setup and r.row.per_setup else "–"
        rps = f"{r.rps:,.0f}" if r.rps >= 100 else f"{r.rps:.1f}"
        ratio_a = f"{r.rps / a.rps:.1%}" if a else "–"
        ratio_b = f"{r.rps / b.rps:.1%}" if b else "–"
        lines.append(
            f"| {r.row.id} | {r.row.what} | {database} | {scale} | {rps} | "
            f"{r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} | {ratio_a} | {ratio_b} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per row (8)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per row (2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument(
        "--timeout", type=int, default=10, help="wrk: a request slower than this is an error (10)"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--scales", default=",".join(map(str, SCALES)), help="synthesize scales (1,100)"
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    args.load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    started = time.monotonic()
    ensure_tools()
    scales = [int(s) for s in args.scales.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="ldnref-bench-"))
    tmp.chmod(0o755)  # nginx's workers may run as another user
    (tmp / "www").mkdir(mode=0o755)
    setups = [Setup("SQLite", n, f"sqlite:///{tmp}/scale{n}.sqlite3") for n in scales]
    postgres = not args.no_postgres and postgres_reachable()
    pg_names = [f"ldnref_bench_scale{n}" for n in scales] if postgres else []
    setups += [Setup("PostgreSQL", n, "") for n in scales] if postgres else []
    if not postgres:
        print("PostgreSQL not reachable (or --no-postgres): SQLite only.", file=sys.stderr)

    results: list[Result] = []
    try:
        first = Context(tmp, setups[0], args)
        manage(first, "collectstatic", "--no-input", "--verbosity", "0")
        migrated: dict[str, Setup] = {}  # per database: the first set-up, migrated and loaded
        for index, setup in enumerate(setups):
            template = migrated.get(setup.database)
            if setup.database == "PostgreSQL":
                name = pg_names[index - len(scales)]
                setup.url = fresh_postgres(name, template.url.rsplit("/", 1)[1] if template else "")
            elif template:
                shutil.copyfile(
                    template.url.removeprefix("sqlite:///"), setup.url.removeprefix("sqlite:///")
                )
            migrated.setdefault(setup.database, setup)
            ctx = Context(tmp, setup, args)
            print(f"{setup.database}, scale {setup.scale}: preparing …", file=sys.stderr)
            prepared = time.monotonic()
            prepare(ctx, full=template is None)
            print(f"  ready in {time.monotonic() - prepared:.0f} s", file=sys.stderr)
            try:
                base = ctx.base_url("django")
                if index == 0:  # the page rows (a) and (b) serve
                    page = urllib.request.urlopen(base + PSORIASIS, timeout=30).read()
                    (tmp / "www" / SAVED_PAGE).write_bytes(page)
                    (tmp / "www" / SAVED_PAGE).chmod(0o644)
                for row in ROWS:
                    if not row.per_setup and index > 0:
                        continue
                    url = ctx.base_url(row.server) + row.path
                    print(f"  ({row.id}) {url}", file=sys.stderr)
                    results.append(Result(row, setup, *wrk(url, args)))
            finally:
                ctx.stop()
    finally:
        for name in pg_names:
            drop_postgres(name)
        shutil.rmtree(tmp, ignore_errors=True)

    order = {row.id: i for i, row in enumerate(ROWS)}
    results.sort(key=lambda r: (order[r.row.id], 0 if r.setup is None else setups.index(r.setup)))
    print(table(results, args))
    print(f"\n{time.monotonic() - started:.0f} s in all.", file=sys.stderr)


if __name__ == "__main__":
    main()
