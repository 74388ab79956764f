"""Health checks for a load balancer or orchestrator, outside the page cache.

/healthz: the process answers (no database, no cache). /readyz: the database and the cache
answer too; 503 with Retry-After when either does not.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse

from ldnref.logs import note_exception

RETRY_AFTER_SECONDS = 30
NO_STORE = "no-store"


def healthz(request: HttpRequest) -> JsonResponse:
    response = JsonResponse({"status": "ok"})
    response.headers["Cache-Control"] = NO_STORE
    return response


def database_answers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def cache_answers() -> None:
    for alias in {"default", settings.PAGE_CACHE_ALIAS}:
        caches[alias].get("ldnref:readyz")


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {}
    for name, check in (("database", database_answers), ("cache", cache_answers)):
        try:
            check()
        except Exception as exc:  # any failure means not ready; the log line has the details
            note_exception(request, exc)
            checks[name] = "unreachable"
        else:
            checks[name] = "ok"
    ready = all(state == "ok" for state in checks.values())
    response = JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
    response.headers["Cache-Control"] = NO_STORE
    if not ready:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
