"""Build on publish: pages are built when the content changes, not when they are read.

When the content version moves (evidence.versions.moved, sent after the change commits),
the process that made the change builds every public page and API answer (`addresses()`),
for each origin in settings.PUBLISH_ORIGINS, through the whole middleware stack, and stores
them in the page cache (settings.PAGE_CACHE_ALIAS: Redis in production, shared by every
process) under the new version's keys. Only then does it move the *published* version, a
key in the same cache. Readers serve the published version (`served_version()`), so the
first reader after an approval already gets a stored page: nobody waits for a build.

Why the shared cache and not files for a front server: the cache already holds every answer
with its headers (content type, Vary, the API's representations) and is shared by all
workers and machines; nginx in front may still keep copies, as our Cache-Control allows.

Readers check the versions at most once per settings.PAGE_VERSION_CHECK_SECONDS per process
(one primary-key query and one cache read); in between, a hit touches neither the database
nor anything but the one cache read of the page. If the publisher died (the published
version lags the database's by more than settings.PUBLISH_GRACE_SECONDS), readers serve the
database's version and build on a miss, as before.

`manage.py publish` does the same by hand, e.g. after a deploy or a cache flush.
"""

from __future__ import annotations

import hashlib
import io
import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest

from conditions.models import Condition
from evidence import versions
from evidence.models import Claim, Mechanism, Source, Study

from .pagekey import page_cache_key

PUBLISHED_KEY = "ldnref:published-version"  # + the database it counts (published_key())
PUBLISH_META = "ldnref.publish_version"  # request.META: build fresh, store under this version
API_ACCEPTS = ("application/json", "*/*")  # the API's answers stored per Accept header
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Address:
    path: str
    accept: str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass(frozen=True)
class Published:
    version: versions.Version
    stored: int  # answers stored (per origin and representation)
    skipped: int  # addresses that answered other than 200 (nothing stored)
    seconds: float


# ---------------------------------------------------------------- what is built


def api(path: str) -> Iterator[Address]:
    return (Address(path, accept) for accept in API_ACCEPTS)


def addresses() -> Iterator[Address]:
    """Every public page and API answer the content version decides."""
    lists = ("/", "/ldn/", "/studies/", "/sources/", "/mechanisms/", "/methods/")
    for path in (*lists, "/sitemap.xml", "/robots.txt"):
        yield Address(path)
    for slug in Condition.objects.published().order_by("slug").values_list("slug", flat=True):
        yield Address(f"/conditions/{slug}/")
        yield Address(f"/conditions/{slug}/patient/")
        yield from api(f"/api/v1/conditions/{slug}/")
    for model, prefix, field in (
        (Study, "/studies/", "key"),
        (Source, "/sources/", "key"),
        (Mechanism, "/mechanisms/", "slug"),
        (Claim, "/claims/", "key"),
    ):
        for value in model.objects.published().order_by(field).values_list(field, flat=True):
            yield Address(f"{prefix}{value}/")
    for endpoint in ("conditions", "studies", "claims", "sources", "mechanisms"):
        yield from api(f"/api/v1/{endpoint}/")


# ---------------------------------------------------------------- building


def request_for(origin: str, address: Address, version: versions.Version) -> WSGIRequest:
    """A GET as a reader's browser would send it to `origin` (scheme://host[:port])."""
    parts = urlsplit(origin)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path, _, query = address.path.partition("?")
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": parts.hostname or "localhost",
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": parts.netloc,
            "HTTP_ACCEPT": address.accept,
            "wsgi.url_scheme": parts.scheme or "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
    )
    request.META[PUBLISH_META] = version
    return request


def publish() -> Published:
    """Build and store every address for the current content version, then publish it."""
    started = time.monotonic()
    version = versions.current()
    handler = BaseHandler()
    handler.load_middleware()
    stored = skipped = 0
    built: set[str] = set()  # origins the key leaves out share one answer
    prefixes = tuple(settings.PUBLISH_PREFIXES)
    for origin in settings.PUBLISH_ORIGINS:
        for address in addresses():
            if prefixes and not address.path.startswith(prefixes):
                continue
            key = page_cache_key(origin, address.path, address.accept, version=version)
            if key in built:
                continue
            built.add(key)
            response = handler.get_response(request_for(origin, address, version))
            if response.status_code == 200:
                stored += 1
            else:
                skipped += 1
    set_published(version)
    return Published(version, stored, skipped, time.monotonic() - started)


def on_version_moved(**kwargs: object) -> None:
    """evidence.versions.moved: publish the new version, if this site publishes on change."""
    if not settings.PUBLISH_ON_CHANGE:
        forget()
        return
    try:
        result = publish()
    except Exception:  # readers fall back to the database's version after the grace time
        logger.exception("Publishing the new content version failed")
        forget()
        return
    logger.info(
        "Published content version %s: %s answers in %.1f s",
        result.version.number,
        result.stored,
        result.seconds,
    )


# ---------------------------------------------------------------- the version readers serve


def stamp(version: versions.Version) -> tuple[int, float]:
    return version.number, version.changed_at.timestamp()


def published_key() -> str:
    """One published version per database: a shared Redis may serve several (tests, a
    re-created database), whose version numbers mean nothing to each other."""
    database = settings.DATABASES["default"]
    where = f"{database['ENGINE']}|{database.get('HOST', '')}|{database.get('PORT', '')}"
    digest = hashlib.sha256(f"{where}|{database['NAME']}".encode()).hexdigest()[:16]
    return f"{PUBLISHED_KEY}:{digest}"


def set_published(version: versions.Version) -> None:
    caches[settings.PAGE_CACHE_ALIAS].set(published_key(), version, timeout=None)
    _checked.version, _checked.at = version, time.monotonic()


def published_version() -> versions.Version | None:
    stored = caches[settings.PAGE_CACHE_ALIAS].get(published_key())
    return stored if isinstance(stored, versions.Version) else None


@dataclass
class Checked:
    """The version this process serves, and when it last asked (time.monotonic())."""

    version: versions.Version | None = None
    at: float = 0.0


_checked = Checked()


def forget() -> None:
    """Check the versions again on the next request (this process changed the content)."""
    _checked.version, _checked.at = None, 0.0


def served_version() -> versions.Version:
    """The content version readers get, checked at most once per PAGE_VERSION_CHECK_SECONDS.

    The published version, while the database's is the same or the publisher is still
    building a newer one (for up to PUBLISH_GRACE_SECONDS); otherwise the database's.
    """
    now = time.monotonic()
    if _checked.version and now - _checked.at < settings.PAGE_VERSION_CHECK_SECONDS:
        return _checked.version
    database = versions.current()
    published = published_version()
    version = database
    if published is not None and stamp(published) < stamp(database):
        building_for = time.time() - database.changed_at.timestamp()
        if building_for < settings.PUBLISH_GRACE_SECONDS:  # else the publisher gave up
            version = published
    _checked.version, _checked.at = version, now
    return version
