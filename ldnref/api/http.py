"""HTTP behaviour of the API and the site's error answers: JSON under /api/, pages elsewhere.

(Conditional GETs and caching: ldnref.pagecache.)
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

API_PREFIX = "/api/"
# How long a client should wait before trying again when the database does not answer.
RETRY_AFTER_SECONDS = 30


@csrf_exempt  # an unknown address is a JSON 404 for every method, never a CSRF page
def not_found(request: HttpRequest, unknown: str) -> HttpResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """JSON under /api/, the site's 404 page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def database_unreachable() -> bool:
    """Whether the error being handled is the database not answering (Django's handler500
    runs inside the `except` that caught it)."""
    return isinstance(sys.exc_info()[1], OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """JSON under /api/, never a traceback; the site's 500 page elsewhere. A database that
    does not answer is a 503 with Retry-After instead: the fault passes, try again."""
    api = request.path.startswith(API_PREFIX)
    if database_unreachable():
        response: HttpResponse
        if api:
            detail = "Service unavailable: the database does not answer. Try again later."
            response = JsonResponse({"detail": detail}, status=503)
        else:
            response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if api:
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
