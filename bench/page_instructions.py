"""Instructions per page request, counted by valgrind's callgrind: repeatable on a busy machine.

    .venv/bin/python bench/page_instructions.py [--requests 10] [--pages home,clinician]

CPU time (bench/page_cpu.py) moves by ±25% between runs on a shared 2-core machine;
instruction counts do not. For each page this runs the same Python process twice under
callgrind: once making 3 warm-up requests, once making 3 + N. The difference divided by N is
the cost of one request, with start-up, imports and first-request work subtracted.
Needs Debian's valgrind. Slow: about a minute per page.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/",
    "clinician": "/conditions/psoriasis/",
    "patient": "/conditions/psoriasis/patient/",
    "studies": "/studies/",
    "study": "/studies/weinstock2020-case-series/",
    "source": "/sources/weinstock2020/",
    "mechanism": "/mechanisms/tlr4-modulation/",
    "methods": "/methods/",
    "claim": "/claims/psoriasis-case-series-response/",
}

# Run inside valgrind: set up Django on the prepared database, then request the page.
CHILD = """
import os, sys
sys.path.insert(0, {root!r})
os.environ.update(DJANGO_SETTINGS_MODULE="ldnref.settings", DEBUG="0", SECRET_KEY="bench",
                  ALLOWED_HOSTS="testserver", DATABASE_URL="sqlite:///" + {db!r})
import django
django.setup()
from django.conf import settings
settings.STATIC_ROOT = None
settings.WHITENOISE_USE_FINDERS = True
from django.test import Client
client = Client()
for _ in range(3 + {n}):
    assert client.get({url!r}).status_code == 200
"""


def environment(db):
    return {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{db}"}


def prepare(db):
    """Migrate and load the content outside valgrind."""
    for command in (["migrate", "-v0"], ["load_content", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=environment(db), check=True
        )


def instructions(db, url, n):
    code = CHILD.format(root=str(ROOT), db=str(db), url=url, n=n)
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10, help="measured requests (10)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    args = parser.parse_args()
    names = args.pages.split(",")
    unknown = set(names) - set(PAGES)
    if unknown:
        parser.error(
            f"unknown page(s): {', '.join(sorted(unknown))}; choose from {', '.join(PAGES)}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        prepare(db)
        print("| page | URL | million instructions per request |")
        print("|---|---|---:|")
        for name in names:
            url = PAGES[name]
            cost = (instructions(db, url, args.requests) - instructions(db, url, 0)) / args.requests
            print(f"| {name} | `{url}` | {cost / 1e6:.1f} |", flush=True)


if __name__ == "__main__":
    main()
