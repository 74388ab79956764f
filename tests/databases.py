"""Databases that a test can hand to another process, or migrate on its own.

Migrating a database from nothing costs seconds; the test database is migrated once per
test run already. A test that starts other processes (a server, manage.py) shares that one:
on PostgreSQL by its address (what the test committed is visible to the other process), on
SQLite, whose test database lives in this process's memory, as a file copy taken at the
moment the test asks for it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.db import connection, connections


def shareable_url(folder: Path) -> str:
    """A DATABASE_URL for another process that opens what this test has committed so far."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host, port = settings["USER"], settings["HOST"], settings["PORT"]
        return f"postgres://{user}@{host}:{port or 5432}/{settings['NAME']}"
    copy = folder / f"shared-{uuid.uuid4().hex[:8]}.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(copy)) as target:
        connection.connection.backup(target)
    return f"sqlite:///{copy}"


@contextlib.contextmanager
def scratch_database(folder: Path) -> Iterator[str]:
    """An empty database of the same kind as the test database, as a connection alias.

    For a test that migrates on its own and leaves the test database alone: use it with the
    database unblocked (django_db_blocker) but outside a test transaction, since PostgreSQL
    creates databases only outside one.
    """
    alias = f"scratch_{uuid.uuid4().hex[:8]}"
    settings = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings["NAME"] = f"{settings['NAME']}_{alias}"[:63]
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    else:
        settings["NAME"] = str(folder / f"{alias}.sqlite3")
    connections.settings[alias] = settings
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')
