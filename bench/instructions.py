#!/usr/bin/env python3
"""Instructions per request, counted by valgrind's callgrind: exact on a busy machine.

    .venv/bin/python bench/instructions.py [--pages clinician,api] [--requests 2] [--read]

One Python process runs under callgrind with `--dump-before=getppid`, so each call of
`os.getppid()` (nothing in a request calls it) writes the counters gathered since the last
call to a file and starts again from zero. The process imports the project, then for each
page: `warmup` requests, a mark, `requests` requests, a mark. The file between the two marks
holds exactly the measured requests; start-up, imports and first-request work fall outside.

A request is a call of ldnref.wsgi.application with a plain WSGI environ, as gunicorn makes
one: every middleware runs, no test client in between. PYTHONHASHSEED is fixed, so a run
repeats to the instruction.

Build or read: with `CACHE_URL=dummy://` (the default here) nothing is cached and every
request builds its page; `--read` keeps the environment's CACHE_URL (locmem:// if unset) and
the warm-up fills the cache, so the measured requests are reads. The floor row,
/__bench__/floor/ (ldnref/bench.py), returns the saved clinician page's bytes from memory
through the same middleware: the one floor every bench tool divides by.

`make bench` (bench/run.py) calls `count()`; standalone, this migrates and loads the fixtures
into a temporary SQLite database first.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402

PAGES = {
    "floor": common.FLOOR_PATH,
    "clinician": "/conditions/psoriasis/",
    "patient": "/conditions/psoriasis/patient/",
    "api": "/api/v1/conditions/psoriasis/",
    "home": "/",
    "studies": "/studies/",
    "study": "/studies/weinstock2020-case-series/",
    "source": "/sources/weinstock2020/",
    "mechanism": "/mechanisms/tlr4-modulation/",
    "methods": "/methods/",
}


@dataclass
class Target:
    id: str
    path: str
    accept: str = "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"
    warmup: int = 1
    requests: int = 2


# ---------------------------------------------------------------- inside valgrind


def child(spec: str) -> None:
    """Request each target; os.getppid() marks where callgrind cuts the counts."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from ldnref.wsgi import application

    def get(target: Target) -> bytes:
        statuses: list[str] = []
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": target.path.split("?")[0],
            "QUERY_STRING": target.path.partition("?")[2],
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_ACCEPT": target.accept,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        answer = application(
            environ, lambda status, headers, exc_info=None: statuses.append(status)
        )
        body = b"".join(answer)
        answer.close()  # request_finished, as gunicorn fires it
        if not statuses[0].startswith("200"):
            sys.exit(f"FAIL: GET {target.path} answered {statuses[0]}")
        return body

    floor_file = Path(os.environ["BENCH_FLOOR_FILE"])
    if not floor_file.exists():  # the floor serves the clinician page's bytes
        floor_file.write_bytes(get(Target("save", PAGES["clinician"], accept="text/html")))

    for item in json.loads(spec):
        target = Target(**item)
        for _ in range(target.warmup):
            get(target)
        os.getppid()
        for _ in range(target.requests):
            get(target)
        os.getppid()


# ---------------------------------------------------------------- outside


def count(targets: list[Target], env: dict[str, str], workdir: Path) -> dict[str, float]:
    """Instructions per request for each target, in one callgrind process."""
    out = workdir / f"callgrind-{os.getpid()}-{id(targets)}.out"
    spec = json.dumps([asdict(t) for t in targets])
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            "--dump-before=getppid",
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            spec,
        ],
        cwd=ROOT,
        env={**env, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        sys.exit(f"FAIL: callgrind run for {[t.id for t in targets]}:\n{run.stderr[-3000:]}")
    totals = []
    for n in range(1, 2 * len(targets) + 1):
        dump = Path(f"{out}.{n}")
        match = re.search(r"^totals: (\d+)", dump.read_text(), re.MULTILINE)
        totals.append(int(match.group(1)) if match else 0)
        dump.unlink()
    Path(out).unlink(missing_ok=True)
    return {t.id: totals[2 * i + 1] / t.requests for i, t in enumerate(targets)}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    parser.add_argument("--requests", type=int, default=2, help="measured requests per page (2)")
    parser.add_argument("--read", action="store_true", help="measure reads (cache on), not builds")
    args = parser.parse_args()
    names = args.pages.split(",")
    unknown = set(names) - set(PAGES)
    if unknown:
        parser.error(
            f"unknown page(s): {', '.join(sorted(unknown))}; choose from {', '.join(PAGES)}"
        )
    with tempfile.TemporaryDirectory(prefix="ldnref-instr-") as tmp:
        workdir = Path(tmp)
        env = common.django_env(workdir, f"sqlite:///{workdir}/bench.sqlite3")
        if args.read:
            env["CACHE_URL"] = os.environ.get("CACHE_URL", "locmem://")
        common.prepare_database(env, scale=1, full=True)
        common.collectstatic(env)
        targets = [Target(name, PAGES[name], requests=args.requests) for name in names]
        counts = count(targets, env, workdir)
    kind = "read" if args.read else "build"
    floor = counts.get("floor")
    print("| page | URL | measures | M instructions per request | × floor |")
    print("|---|---|---|---:|---:|")
    for target in targets:
        ratio = f"{counts[target.id] / floor:.1f}" if floor else "–"
        print(
            f"| {target.id} | `{target.path}` | {kind} | {counts[target.id] / 1e6:.2f} | {ratio} |"
        )


if __name__ == "__main__":
    main()
