#!/usr/bin/env python3
"""Memory of the gunicorn workers after 1,000 mixed requests: `make bench-memory`.

    .venv/bin/python bench/memory.py [--requests 1000] [--connections 4]

Starts the production server (ldnref/gunicorn.conf.py, DEBUG=0, nothing cached, so every
request builds its page) on a temporary SQLite database with the fixtures, sends the
requests round-robin over the public pages and API answers below, then prints each worker's
RSS (every resident page it maps, shared with the master or not) and PSS (shared pages
divided among the processes sharing them), from /proc.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PATHS = (
    "/",
    "/conditions/psoriasis/",
    "/conditions/psoriasis/patient/",
    "/conditions/atopic-dermatitis/patient/",
    "/conditions/lichen-planus/patient/",
    "/ldn/",
    "/studies/",
    "/studies/weinstock2020-case-series/",
    "/sources/",
    "/sources/weinstock2020/",
    "/mechanisms/",
    "/mechanisms/tlr4-modulation/",
    "/methods/",
    "/api/v1/conditions/psoriasis/",
    "/api/v1/claims/",
    "/api/v1/studies/",
)


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value) / 1024
    return fields["Rss"], fields["Pss"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests in all (1000)")
    parser.add_argument("--connections", type=int, default=4, help="at once (4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ldnref-memory-") as tmp:
        workdir = Path(tmp)
        port = common.free_port()
        env = common.django_env(workdir, f"sqlite:///{workdir}/db.sqlite3", PORT=str(port))
        common.prepare_database(env, scale=0, full=True)
        common.collectstatic(env)
        log = (workdir / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [GUNICORN, "-c", "ldnref/gunicorn.conf.py"],
            cwd=common.ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/", timeout=5).read()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        sys.exit(f"FAIL: gunicorn did not start, see {workdir}/gunicorn.log")
                    time.sleep(0.2)

            def get(index: int) -> int:
                path = PATHS[index % len(PATHS)]
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    response.read()
                    return response.status

            started = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(args.connections) as pool:
                statuses = list(pool.map(get, range(args.requests)))
            seconds = time.monotonic() - started
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            master = memory_mb(server.pid)
            workers = [memory_mb(int(pid)) for pid in children]
        finally:
            server.terminate()
            server.wait(timeout=30)
    failed = sum(status != 200 for status in statuses)
    print(
        f"{args.requests} requests over {len(PATHS)} addresses in {seconds:.0f} s, "
        f"{args.connections} at once, {failed} not 200; {len(workers)} workers."
    )
    print("| process | RSS MB | PSS MB |")
    print("|---|---:|---:|")
    print(f"| master | {master[0]:.0f} | {master[1]:.0f} |")
    for number, (rss, pss) in enumerate(sorted(workers, reverse=True), 1):
        print(f"| worker {number} | {rss:.0f} | {pss:.0f} |")


if __name__ == "__main__":
    main()
