"""gunicorn's settings for ldnref in production: `gunicorn -c ldnref/gunicorn.conf.py`.

`make serve` runs it on this machine with DEBUG=0. Environment variables:

- PORT (8000) and BIND (127.0.0.1:$PORT): where to listen. Behind a reverse proxy on
  another host, set BIND=0.0.0.0:8000.
- WEB_CONCURRENCY: the number of worker processes; by default 2 × the cores this process
  may run on + 1, gunicorn's own advice for sync workers.
- ACCESS_LOG: a file for the access log, or - for stderr; none by default.
"""

import os

wsgi_app = "ldnref.wsgi:application"

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT') or '8000'}"

# Sync workers: a page is built on the CPU from a few fast queries, so one request per
# process, and a process per core plus as many again to cover the time spent waiting on the
# database and the client.
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (cores or 1) + 1)

# Import Django and the project once, before forking: workers start fast and share memory.
preload_app = True

# Errors to stderr; no access log by default (a reverse proxy keeps one, and it costs).
errorlog = "-"
accesslog = os.environ.get("ACCESS_LOG") or None

# gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl), so a second
# server on the machine (the bench, a test) would take it over; nothing here uses it.
control_socket_disable = True


def when_ready(server: object) -> None:
    """In the master, after the app is loaded and before the first fork: import every view
    (the URLconf) and load the data every worker reads (the syllable table behind the
    patient pages' reading grade), then freeze what exists so the workers' garbage collector
    never writes to the pages they share with the master."""
    import gc

    from django.urls import get_resolver

    from conditions.plain_language import syllables_by_word

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view)
    syllables_by_word()
    gc.freeze()
