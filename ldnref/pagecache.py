"""HTTP caching for anonymous readers: conditional GETs and a whole-response cache.

Both hang off the content version (evidence.versions), which every committed content change
bumps, including approvals through evidence.workflow; readers get the version that
ldnref.publish says is served (checked at most once a second per process: a hit touches no
database), and the publisher fills this cache for each new version before readers see it. So:

- ETag and Last-Modified come from the version; a matching If-None-Match or
  If-Modified-Since answers 304 here, before the view builds anything.
- A 200 answer to an anonymous GET is stored in the page cache (settings.PAGE_CACHE_ALIAS)
  under a key made of the version, the origin (scheme, host and port as Django built them),
  the full path and, for the API, the Accept header (page_cache_key). The
  next anonymous reader of that address gets it back for the one version query; an
  approved edit moves the version, so the very next request misses and sees the new content.
- Anonymous answers say `public, max-age, stale-while-revalidate` so a reverse proxy or CDN
  may serve them too.

Signed-in users (a session cookie or an authenticated user) and the admin bypass all of it:
no ETag, nothing read from or written to the cache, `private, no-cache`. Answers that set a
cookie or are not 200 are never stored.

This middleware sits inside the security, CSP and clickjacking middleware, so a cached
answer gets their headers again on the way out, exactly like a fresh one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from evidence import versions

from . import publish
from .pagekey import API_PREFIX, page_cache_key, representation

__all__ = ["PageCacheMiddleware", "page_cache_key", "representation"]

CACHED_HEADER = "X-Page-Cache"  # "hit" or "miss" on anonymous GETs, for tests and the bench


def origin(request: HttpRequest) -> str:
    """Scheme, host and port as Django built them: what absolute URLs in the answer start with.

    ALLOWED_HOSTS ignores the port, so `Host: 127.0.0.1:6666` is accepted and the API's links
    then name port 6666; that answer must be stored apart from everyone else's.
    """
    return f"{request.scheme}://{request.get_host()}"


def request_representation(request: HttpRequest) -> tuple[str, str, str]:
    return origin(request), request.get_full_path(), request.headers.get("Accept", "")


def etag(request: HttpRequest, version: versions.Version) -> str:
    """One tag per content version, origin, address and asked-for representation."""
    digest = hashlib.sha256(representation(*request_representation(request)).encode()).hexdigest()
    return f'"{version.number}-{digest[:16]}"'


def cache_key(request: HttpRequest, version: versions.Version) -> str:
    return page_cache_key(*request_representation(request), version=version)


def signed_in(request: HttpRequest) -> bool:
    """A session cookie, or a user signed in some other way (no query without a cookie)."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the CSRF middleware sets one
        and "private" not in response.get("Cache-Control", "")
    )


class PageCacheMiddleware:
    """Conditional GETs and the page cache for every public page and the API (GET, HEAD)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Health checks must say what is true now, not what was stored.
        self.bypass = ("/" + settings.ADMIN_PATH, "/__bench__/", "/healthz", "/readyz")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The admin is never cached; the bench's floor view must stay a bare Django view.
        if request.method not in ("GET", "HEAD") or request.path.startswith(self.bypass):
            return self.get_response(request)
        try:  # an address that names no page is answered (404) without the content version
            resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if signed_in(request):
            response = self.get_response(request)
            response.headers["Cache-Control"] = "private, no-cache"
            return response

        building = request.META.get(publish.PUBLISH_META)
        if isinstance(building, versions.Version):  # the publisher: build, store, no lookup
            response = self.get_response(request)
            if storable(request, response):  # kept until versions move on, not an hour
                self.store(cache_key(request, building), response, settings.PUBLISH_TIMEOUT)
            return response

        version = publish.served_version()
        tag = etag(request, version)
        modified = version.changed_at.timestamp()
        not_modified = get_conditional_response(request, etag=tag, last_modified=int(modified))
        if not_modified is not None:
            response = not_modified
        else:
            response = self.cached_or_fresh(request, cache_key(request, version))
            if response.status_code != 200:
                return response
        response.headers["ETag"] = tag
        response.headers["Last-Modified"] = http_date(modified)
        response.headers["Cache-Control"] = (
            f"public, max-age={settings.PAGE_CACHE_MAX_AGE}, "
            f"stale-while-revalidate={settings.PAGE_CACHE_STALE_WHILE_REVALIDATE}"
        )
        # Signed-in users see other answers at the same address; the API also by format.
        patch_vary_headers(
            response, ["Accept"] if request.path.startswith(API_PREFIX) else ["Cookie"]
        )
        return response

    def cached_or_fresh(self, request: HttpRequest, key: str) -> HttpResponse:
        cache = caches[settings.PAGE_CACHE_ALIAS]
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content, headers=headers)
            response.headers[CACHED_HEADER] = "hit"
            return response
        response = self.get_response(request)
        if storable(request, response):
            self.store(key, response)
        response.headers[CACHED_HEADER] = "miss"
        return response

    @staticmethod
    def store(key: str, response: HttpResponse, timeout: int | None = None) -> None:
        headers = [(name, value) for name, value in response.items() if name != CACHED_HEADER]
        caches[settings.PAGE_CACHE_ALIAS].set(
            key, (response.content, headers), timeout or settings.PAGE_CACHE_TIMEOUT
        )
