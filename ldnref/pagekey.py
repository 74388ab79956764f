"""The page cache's keys: the one function readers (ldnref.pagecache) and the publisher
(ldnref.publish) both store and look answers up through. Its own module, so the publisher
can use it without importing the middleware (which imports the publisher)."""

from __future__ import annotations

import hashlib

from evidence import versions

API_PREFIX = "/api/"
KEY_PREFIX = "ldnref:page"


def representation(origin: str, path: str, accept: str) -> str:
    """What an answer depends on besides the content: origin, full path, and Accept for the API."""
    accept = accept if path.startswith(API_PREFIX) else ""
    return f"{origin}\n{path}\n{accept}"


def page_cache_key(origin: str, path: str, accept: str, *, version: versions.Version) -> str:
    """The one place the page cache's keys are made; anything storing pages must use it.

    origin: scheme://host[:port] (see origin()); path: the full path with its query string
    (request.get_full_path()); accept: the Accept header as sent (only counts under /api/).
    The time of the change as well as its number is in the key: a re-created database starts
    counting again, and must not meet answers a shared Redis kept from the old one.
    """
    stamp = int(version.changed_at.timestamp() * 1_000_000)
    digest = hashlib.sha256(representation(origin, path, accept).encode()).hexdigest()
    return f"{KEY_PREFIX}:{version.number}:{stamp}:{digest}"
