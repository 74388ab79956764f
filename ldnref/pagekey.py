"""The page cache's key: the one function readers (ldnref.pagecache) and the publisher
(ldnref.publish) both store and look answers up through."""

from __future__ import annotations

import hashlib

from evidence import versions

API_PREFIX = "/api/"
KEY_PREFIX = "ldnref:page"


def page_key(version: versions.Version, origin: str, path: str, accept: str) -> str:
    """The page cache's key for one answer: readers and the publisher (ldnref.publish) both
    store and look up through this one function.

    `origin` is scheme://host[:port]; `path` the full path with the query; `accept` the
    request's Accept header (it counts for the API only). The origin is not part of the key
    yet: one site answers at one origin here.
    """
    # The time of the change as well as its number: a re-created database starts counting
    # again, and must not meet answers a shared Redis kept from the old one.
    stamp = int(version.changed_at.timestamp() * 1_000_000)
    accept = accept if path.startswith(API_PREFIX) else ""
    digest = hashlib.sha256(f"{path}\n{accept}".encode()).hexdigest()
    return f"{KEY_PREFIX}:{version.number}:{stamp}:{digest}"
