#!/usr/bin/env python3
"""`make bench`: one table, each row with instructions per request (callgrind, exact) and,
under wrk, requests/s, p50 and p99, with ratios to the same floor.

Loopback only, SQLite (PostgreSQL with --postgres). Rows, as issue 16 lists them:

(a) nginx serving the saved clinician page as a static file
(b) the floor: /__bench__/floor/, the same bytes from memory through every middleware
(c) the clinician page, built (no cache)
(d) the clinician page, read after publish (gunicorn with the page cache in Redis)
(e) the same through nginx in front of (d)'s gunicorn, honouring our Cache-Control
(f) the API detail /api/v1/conditions/psoriasis/, built
(g) the patient page, built
(h) home and the study list at synthesize --scale 1 and --scale 100, built

The "measures" column says what each row times: a build (nothing cached: CACHE_URL=dummy://),
a read (the page cache, filled by publishing before the row), the floor, or a file (nginx,
no Python); "proxy" is a read from nginx's own cache.
Callgrind runs first, two processes at a time (one per core); wrk runs after, alone.
Needs wrk, nginx, redis-server and valgrind: installed from Debian's packages when missing
and this runs as root; otherwise it says what to install. See bench/README.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import instructions  # noqa: E402

ROOT = common.ROOT
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
CLINICIAN = "/conditions/psoriasis/"
HTML = "text/html,application/xhtml+xml,*/*;q=0.8"
JSON = "application/json"
TOOLS = {
    "wrk": "wrk",
    "nginx": "nginx-light",
    "redis-server": "redis-server",
    "valgrind": "valgrind",
}


# ---------------------------------------------------------------- what is measured


@dataclass
class Row:
    id: str
    what: str
    measures: str  # "file", "floor", "build", "read" or "proxy" (a read through nginx's cache)
    path: str
    scale: int = 1
    accept: str = HTML
    warmup: int = 1  # callgrind: requests before the measured ones
    requests: int = 1  # callgrind: measured requests (the counts repeat exactly)


ROWS = [
    Row("a", "nginx: the saved clinician page as a static file", "file", "/" + common.SAVED_PAGE),
    Row(
        "b",
        "floor: the same bytes from memory via Django",
        "floor",
        common.FLOOR_PATH,
        1,
        HTML,
        2,
        5,
    ),
    Row("c", "clinician page, uncached build", "build", CLINICIAN),
    Row("d", "clinician page, read after publish", "read", CLINICIAN, 1, HTML, 2, 5),
    Row("e", "(d) through nginx honouring Cache-Control", "proxy", CLINICIAN),
    Row(
        "f",
        "API detail /api/v1/conditions/psoriasis/",
        "build",
        "/api/v1/conditions/psoriasis/",
        1,
        JSON,
    ),
    Row("g", "patient page", "build", CLINICIAN + "patient/"),
    Row("h", "home", "build", "/"),
    Row("h", "home", "build", "/", 100),
    Row("h", "study list", "build", "/studies/"),
    Row("h", "study list", "build", "/studies/", 100),
]


@dataclass
class Result:
    instructions: float | None = None
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int | None = None


# ---------------------------------------------------------------- servers


@dataclass
class Context:
    tmp: Path
    args: argparse.Namespace
    databases: dict[int, str] = field(default_factory=dict)  # scale -> DATABASE_URL
    redis_url: str = ""
    running: dict[tuple[str, int], tuple[subprocess.Popen, str]] = field(default_factory=dict)

    def env(self, scale: int, **extra: str) -> dict[str, str]:
        return common.django_env(self.tmp, self.databases[scale], **extra)

    def base_url(self, kind: str, scale: int) -> str:
        if (kind, scale) not in self.running:
            self.running[kind, scale] = SERVERS[kind](self, scale)
        return self.running[kind, scale][1]

    def stop(self) -> None:
        for process, _ in self.running.values():
            process.terminate()
        for process, _ in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()


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


def start(ctx: Context, name: str, command: list[str], env: dict | None, probe: str):
    log = ctx.tmp / f"{name}.log"
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_for(probe, process, log)
    return process


def start_gunicorn(ctx: Context, scale: int, **env: str) -> tuple[subprocess.Popen, str]:
    """The production configuration, as `make serve` runs it, on a free loopback port."""
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    name = f"gunicorn-{env.get('CACHE_URL', 'dummy').split(':')[0]}-{scale}"
    command = [GUNICORN, "-c", "ldnref/gunicorn.conf.py"]
    process = start(ctx, name, command, ctx.env(scale, PORT=str(port), **env), base + CLINICIAN)
    return process, base


NGINX = """
worker_processes auto;
daemon off;
pid {tmp}/nginx-{name}.pid;
error_log {tmp}/nginx-{name}-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    proxy_cache_path {tmp}/nginx-cache keys_zone=pages:10m;
    sendfile on;
    types {{ text/html html; }}
    upstream django {{ server 127.0.0.1:{upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        {body}
    }}
}}
"""
STATIC = "root {tmp}/www;"
# No proxy_cache_valid: nginx keeps what our Cache-Control (public, max-age) allows, per Vary.
PROXY = """location / {{
            proxy_pass http://django;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_cache pages;
        }}"""


def start_nginx(ctx: Context, name: str, body: str, upstream: int = 0) -> tuple:
    port = common.free_port()
    conf = ctx.tmp / f"nginx-{name}.conf"
    conf.write_text(
        NGINX.format(tmp=ctx.tmp, name=name, port=port, upstream=upstream or port, body=body)
    )
    base = f"http://127.0.0.1:{port}"
    command = ["nginx", "-c", str(conf), "-p", str(ctx.tmp), "-e", str(ctx.tmp / "nginx.log")]
    probe = base + ("/" + common.SAVED_PAGE if name == "static" else CLINICIAN)
    return start(ctx, f"nginx-{name}", command, None, probe), base


def start_nginx_static(ctx: Context, scale: int) -> tuple[subprocess.Popen, str]:
    return start_nginx(ctx, "static", STATIC.format(tmp=ctx.tmp))


def start_nginx_proxy(ctx: Context, scale: int) -> tuple[subprocess.Popen, str]:
    upstream = int(ctx.base_url("read", scale).rsplit(":", 1)[1])
    return start_nginx(ctx, "proxy", PROXY.format(), upstream)


def start_redis(ctx: Context) -> subprocess.Popen:
    port = common.free_port()
    ctx.redis_url = f"redis://127.0.0.1:{port}/0"
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdin=subprocess.DEVNULL,
        stdout=(ctx.tmp / "redis.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(100):
        if (
            subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode
            == 0
        ):
            return process
        time.sleep(0.1)
    sys.exit("FAIL: redis-server did not start")


SERVERS: dict[str, Callable[[Context, int], tuple[subprocess.Popen, str]]] = {
    "file": start_nginx_static,
    "build": lambda ctx, scale: start_gunicorn(ctx, scale),
    "read": lambda ctx, scale: start_gunicorn(ctx, scale, CACHE_URL=ctx.redis_url),
    "proxy": start_nginx_proxy,
}


def publish(ctx: Context, scale: int) -> None:
    """Fill the shared page cache for the current content: `manage.py publish` where the
    project has it, else one request for the clinician page (the cache keeps its answer)."""
    origin = ctx.base_url("read", scale)  # the origin wrk's requests name
    env = ctx.env(scale, CACHE_URL=ctx.redis_url, PUBLISH_ORIGINS=origin)
    run = subprocess.run(
        [sys.executable, "manage.py", "publish"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if run.returncode != 0:
        if "Unknown command" not in run.stderr:
            sys.exit(f"FAIL: manage.py publish:\n{run.stderr[-3000:]}")
        urllib.request.urlopen(ctx.base_url("read", scale) + CLINICIAN, timeout=60).read()


# ---------------------------------------------------------------- tools and databases


def ensure_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    packages = [TOOLS[tool] for tool in missing]
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


def postgres_database(name: str, template: str = "") -> str:
    """An empty PostgreSQL database `name`, or a copy of the database `template`."""
    import psycopg

    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{POSTGRES_URL}/{name}"


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(ctx: Context, scales: list[int]) -> None:
    """One database migrated and loaded with the fixtures; per scale a copy of it with
    `synthesize --scale N` added."""
    started = time.monotonic()
    if ctx.args.postgres:
        loaded = postgres_database("ldnref_bench_loaded")
    else:
        loaded = f"sqlite:///{ctx.tmp}/loaded.sqlite3"
    common.prepare_database(common.django_env(ctx.tmp, loaded), scale=0, full=True)
    for scale in scales:
        if ctx.args.postgres:
            ctx.databases[scale] = postgres_database(
                f"ldnref_bench_scale{scale}", "ldnref_bench_loaded"
            )
        else:
            shutil.copyfile(ctx.tmp / "loaded.sqlite3", ctx.tmp / f"scale{scale}.sqlite3")
            ctx.databases[scale] = f"sqlite:///{ctx.tmp}/scale{scale}.sqlite3"
        common.prepare_database(ctx.env(scale), scale=scale, full=False)
    print(f"  databases ready in {time.monotonic() - started:.0f} s", file=sys.stderr)


# ---------------------------------------------------------------- callgrind


def count_instructions(ctx: Context, scales: list[int]) -> dict[int, float]:
    """Per row index: instructions per request. One callgrind process per (scale, build or
    read), two at a time."""
    jobs: dict[tuple[int, str], list[int]] = {}
    for index, row in enumerate(ROWS):
        if row.measures in ("floor", "build", "read") and row.scale in scales:
            kind = "read" if row.measures == "read" else "build"
            jobs.setdefault((row.scale, kind), []).append(index)

    def job(key: tuple[int, str]) -> dict[int, float]:
        scale, measures = key
        # Reads check the content version once a second; under valgrind's ~50x slowdown
        # that would be every few requests, where a real server makes thousands a second.
        read = {"CACHE_URL": ctx.redis_url, "PAGE_VERSION_CHECK_SECONDS": "3600"}
        env = ctx.env(scale, **read) if measures == "read" else ctx.env(scale)
        if measures == "read":
            publish(ctx, scale)
        targets = [
            instructions.Target(
                str(i), ROWS[i].path, ROWS[i].accept, ROWS[i].warmup, ROWS[i].requests
            )
            for i in jobs[key]
        ]
        counts = instructions.count(targets, env, ctx.tmp)
        print(f"  callgrind {measures} N={scale}: done", file=sys.stderr)
        return {int(k): v for k, v in counts.items()}

    # The floor page is saved by the first build process; the others wait for it.
    first = (scales[0], "build")
    results = job(first)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for counts in pool.map(job, [key for key in jobs if key != first]):
            results.update(counts)
    return results


# ---------------------------------------------------------------- wrk


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text: str) -> float:
    """wrk's "635.00us", "12.5ms", "2.58s", "1.02m" in ms; nan for anything else."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match[1]) * UNITS_MS[match[2]] if match else float("nan")


def wrk(url: str, accept: str, args: argparse.Namespace) -> Result:
    """Requests/s, p50, p99 and errors after a short warm-up run."""
    base = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"--timeout={args.timeout}s"]
    base += ["--latency", "-H", f"Accept: {accept}"]
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
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return Result(rps=rps, p50_ms=p50, p99_ms=p99, errors=errors)


# ---------------------------------------------------------------- table


def table(results: list[Result], args: argparse.Namespace) -> str:
    floor, static = results[1], results[0]  # rows (b) and (a)

    def ratio(value: float | None, base: float | None, digits: str) -> str:
        return format(value / base, digits) if value is not None and base else "–"

    lines = [
        f"callgrind: instructions per request (exact). wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s on {os.cpu_count()} shared cores, load "
        f"average before the run {args.load}; gunicorn as ldnref/gunicorn.conf.py sets it; "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}.",
        "",
        "| row | what | measures | N | M instr/req | × floor | req/s | ÷ floor | ÷ (a) "
        "| p50 ms | p99 ms | errors |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row, r in zip(ROWS, results, strict=True):
        if r.rps is None and r.instructions is None:
            continue
        instr = f"{r.instructions / 1e6:.2f}" if r.instructions is not None else "–"
        rps = "–" if r.rps is None else f"{r.rps:,.0f}" if r.rps >= 100 else f"{r.rps:.1f}"
        scale = "–" if row.measures in ("file",) else str(row.scale)
        lines.append(
            f"| {row.id} | {row.what} | {row.measures} | {scale} | {instr} "
            f"| {ratio(r.instructions, floor.instructions, '.1f')} | {rps} "
            f"| {ratio(r.rps, floor.rps, '.2f')} | {ratio(r.rps, static.rps, '.3f')} "
            f"| {'–' if r.p50_ms is None else f'{r.p50_ms:.2f}'} "
            f"| {'–' if r.p99_ms is None else f'{r.p99_ms:.2f}'} "
            f"| {'–' if r.errors is None else r.errors} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="wrk seconds per row (5)")
    parser.add_argument("--warmup", type=int, default=1, help="wrk warm-up seconds per row (1)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument(
        "--timeout", type=int, default=10, help="wrk: a request slower than this is an error (10)"
    )
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    parser.add_argument("--no-callgrind", action="store_true", help="skip the instruction counts")
    parser.add_argument("--scales", default="1,100", help="synthesize scales (1,100)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    args.load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    started = time.monotonic()
    ensure_tools()
    scales = [int(s) for s in args.scales.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="ldnref-bench-"))
    tmp.chmod(0o755)  # nginx's workers may run as another user
    ctx = Context(tmp, args)
    redis = start_redis(ctx)
    results = [Result() for _ in ROWS]
    try:
        print("Preparing databases …", file=sys.stderr)
        common.collectstatic(common.django_env(tmp, "sqlite://"))
        prepare(ctx, scales)
        if not args.no_callgrind:
            print("Counting instructions (callgrind) …", file=sys.stderr)
            for index, count in count_instructions(ctx, scales).items():
                results[index].instructions = count
        floor_file = tmp / "www" / common.SAVED_PAGE
        if not floor_file.exists():
            page = urllib.request.urlopen(ctx.base_url("build", scales[0]) + CLINICIAN).read()
            floor_file.write_bytes(page)
        floor_file.chmod(0o644)
        print("Requests per second (wrk) …", file=sys.stderr)
        for index, row in enumerate(ROWS):
            if row.scale not in scales:
                continue
            server = "build" if row.measures == "floor" else row.measures
            base = ctx.base_url(server, row.scale)
            if row.measures == "read":
                publish(ctx, row.scale)
            print(f"  ({row.id}) {base}{row.path}", file=sys.stderr)
            measured = wrk(base + row.path, row.accept, args)
            measured.instructions = results[index].instructions
            results[index] = measured
    finally:
        ctx.stop()
        redis.terminate()
        if args.postgres:
            for name in ["ldnref_bench_loaded", *(f"ldnref_bench_scale{n}" for n in scales)]:
                drop_postgres(name)
        shutil.rmtree(tmp, ignore_errors=True)

    print(table(results, args))
    print(f"\n{time.monotonic() - started:.0f} s in all.", file=sys.stderr)


if __name__ == "__main__":
    main()
