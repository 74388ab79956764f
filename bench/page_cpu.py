"""In-process CPU cost per page: Django's test client, DEBUG=0, time.process_time().

    .venv/bin/python bench/page_cpu.py [--requests 150] [--rounds 3] [--json out.json]

Steady on a shared machine, where wall-clock throughput is not. Each page is requested a
few times to warm up, then N times per round; the CPU time of a round divided by N is the
cost of one request, and the median of the rounds is reported. The "floor" row is the floor
every bench tool shares, /__bench__/floor/ (ldnref/bench.py): the psoriasis clinician page's
bytes from memory through the same middleware, what the framework costs before any of our
code runs. By default nothing is cached (CACHE_URL=dummy://) and every row measures a build;
--read keeps the page cache (locmem://) and measures reads.

The script uses nothing of the app but its settings module, its fixtures, its models'
get_absolute_url() and fixed public URLs, so it measures the code before and after a
refactor alike. See bench/README.md.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import common  # noqa: E402

FLOOR_URL = common.FLOOR_PATH
FLOOR_SOURCE = "/conditions/psoriasis/"  # the floor view serves this page's bytes
STUDY_KEY = "weinstock2020-case-series"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=150, help="requests per round (150)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per page; median (3)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (5)")
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    parser.add_argument("--read", action="store_true", help="page cache on: measure reads")
    args = parser.parse_args()
    if args.requests < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--requests and --rounds must be at least 1, --warmup at least 0")
    return args


def setup_django(tmp, read):
    """ldnref.settings with DEBUG off, on a throwaway SQLite file. Must run before setup()."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ldnref.settings"
    os.environ["DEBUG"] = "0"
    os.environ["SECRET_KEY"] = "bench-only-not-secret"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"  # the test client speaks plain HTTP
    os.environ["HSTS_SECONDS"] = "0"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["CACHE_URL"] = "locmem://" if read else "dummy://"
    os.environ["BENCH_FLOOR_FILE"] = f"{tmp}/{common.SAVED_PAGE}"  # routes the floor view

    import django
    from django.conf import settings

    django.setup()
    # As tests/settings.py does: serve static files from the app folders, so no
    # collectstatic is needed and WhiteNoise does not warn about a missing STATIC_ROOT.
    # Only requests under /static/ touch it; the measured pages are HTML.
    settings.STATIC_ROOT = None
    settings.WHITENOISE_USE_FINDERS = True
    # and link them by their plain names: with DEBUG off the manifest storage of
    # ldnref.settings would need collectstatic's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def load_data():
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    fixtures = sorted(str(p) for p in (ROOT / "fixtures").glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)  # one call, one transaction


def discover_pages(client):
    """(name, url) pairs; URLs that moved in the refactor come from get_absolute_url()."""
    from django.apps import apps
    from django.urls import Resolver404, resolve

    study = apps.get_model("evidence", "Study").objects.get(key=STUDY_KEY)
    pages = [
        ("home", "/"),
        ("psoriasis (clinician)", "/conditions/psoriasis/"),
        ("psoriasis (patient)", "/conditions/psoriasis/patient/"),
        ("studies", "/studies/"),
        (f"study {STUDY_KEY}", study.get_absolute_url()),
        (f"source {study.source.key}", study.source.get_absolute_url()),
        ("mechanisms", "/mechanisms/"),
        ("mechanism tlr4-modulation", "/mechanisms/tlr4-modulation/"),
        ("methods", "/methods/"),
    ]
    claim = find_claim_page(client, apps.get_model("evidence", "Claim"), resolve, Resolver404)
    if claim:
        pages.append(claim)
    return pages


def find_claim_page(client, claim_model, resolve, resolver404):
    """The first claim whose /claims/<key>/ answers 200, or None when there is no such URL."""
    try:
        resolve("/claims/x/")
    except resolver404:
        return None
    for key in claim_model.objects.order_by("key").values_list("key", flat=True):
        url = f"/claims/{key}/"
        if client.get(url).status_code == 200:
            return (f"claim {key}", url)
    return None


def fetch(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"FAIL: GET {url} answered {response.status_code}, not 200")
    return response


def measure(client, name, url, args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(args.warmup):
        fetch(client, url)
    with CaptureQueriesContext(connection) as queries:
        response = fetch(client, url)
    # Count now: every request_started signal empties the connection's query log.
    query_count = len(queries.captured_queries)
    rounds = []
    for _ in range(args.rounds):
        start = time.process_time()
        for _ in range(args.requests):
            fetch(client, url)
        rounds.append((time.process_time() - start) * 1000 / args.requests)
    return {
        "name": name,
        "url": url,
        "status": response.status_code,
        "kb": round(len(response.content) / 1024, 1),
        "queries": query_count,
        "cpu_ms": round(statistics.median(rounds), 3),
        "rounds_ms": [round(r, 3) for r in rounds],
    }


def git_commit():
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def print_table(results, floor_ms, measures):
    print("| page | URL | measures | status | KB | SQL | CPU ms/req | × floor |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for r in results:
        ratio = r["cpu_ms"] / floor_ms if floor_ms else float("nan")
        print(
            f"| {r['name']} | `{r['url']}` | {measures} | {r['status']} | {r['kb']:.1f} "
            f"| {r['queries']} | {r['cpu_ms']:.2f} | {ratio:.1f} |"
        )


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="ldnref-bench-") as tmp:
        setup_django(tmp, args.read)
        load_data()

        import django
        from django.test import Client

        client = Client()
        Path(os.environ["BENCH_FLOOR_FILE"]).write_bytes(fetch(client, FLOOR_SOURCE).content)

        pages = [("floor (same bytes from memory)", FLOOR_URL), *discover_pages(client)]
        results = [measure(client, name, url, args) for name, url in pages]
        floor_ms = results[0]["cpu_ms"]

        print(
            f"{args.requests} requests × {args.rounds} rounds per page (median), "
            f"{args.warmup} warm-up; commit {git_commit() or '?'}; "
            f"Python {platform.python_version()}, Django {django.get_version()}\n"
        )
        print_table(results, floor_ms, "read" if args.read else "build")

        if args.json:
            data = {
                "commit": git_commit(),
                "python": platform.python_version(),
                "django": django.get_version(),
                "requests": args.requests,
                "rounds": args.rounds,
                "warmup": args.warmup,
                "floor_ms": floor_ms,
                "measures": "read" if args.read else "build",
                "pages": results,
            }
            Path(args.json).write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main()
