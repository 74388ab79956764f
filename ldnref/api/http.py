"""HTTP behaviour of the API: conditional GETs from the content version, caching, JSON errors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.views import defaults

from evidence import versions

API_PREFIX = "/api/"
DATA_PREFIX = "/api/v1/"
MAX_AGE = 300  # seconds a shared cache may serve an answer without asking again


def etag(request: HttpRequest, version: versions.Version) -> str:
    """One tag per content version, address and asked-for representation."""
    asked = f"{request.get_full_path()}\n{request.headers.get('Accept', '')}"
    digest = hashlib.sha256(asked.encode()).hexdigest()[:16]
    return f'"{version.number}-{digest}"'


class ConditionalGetMiddleware:
    """For GET and HEAD under /api/v1/: ETag and Last-Modified from the content version.

    A request whose If-None-Match or If-Modified-Since still matches answers 304 here,
    after one query and before the view runs, so no body is built. Anonymous answers may be
    cached by anyone for MAX_AGE seconds; signed-in editors' are private.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not request.path.startswith(DATA_PREFIX):
            return self.get_response(request)
        # Read before the view: DRF replaces request.user (the API authenticates no one).
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        version = versions.current()
        tag = etag(request, version)
        modified = version.changed_at.timestamp()
        response = get_conditional_response(request, etag=tag, last_modified=int(modified))
        if response is None:
            response = self.get_response(request)
            if response.status_code != 200:
                return response
        response.headers["ETag"] = tag
        response.headers["Last-Modified"] = http_date(modified)
        if signed_in:
            response.headers["Cache-Control"] = "private, no-cache"
        else:
            response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
        patch_vary_headers(response, ["Accept"])
        return response


def not_found(request: HttpRequest, unknown: str) -> HttpResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """JSON under /api/, the site's 404 page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """JSON under /api/, never a traceback; the site's 500 page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
