"""The content version: one number that changes whenever any content row changes.

Every save, delete and many-to-many change of a model of the content apps (evidence and
conditions, the apps fixtures/ holds) bumps it, by signal, once per transaction when it
commits (at once outside a transaction). That covers the admin, evidence.workflow,
load_content (raw saves and --replace deletes) and the shell alike, without each writer
having to remember; a rolled-back change bumps nothing, and loading a thousand rows costs
one UPDATE. Writes that skip signals (QuerySet.update, bulk_create) must call `changed()`.

Readers call `current()` (one primary-key query) and derive ETag and Last-Modified from it:
if the version has not moved, no published page or API response can have changed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

from .management.content import content_models
from .models import ContentVersion

ROW = 1
# Sent after every bump (the change has committed): ldnref.publish builds the pages then.
moved = Signal()
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: datetime.datetime


def current() -> Version:
    """The content version now (1 query). Before the first change: number 0."""
    row = ContentVersion.objects.filter(pk=ROW).values_list("number", "changed_at").first()
    return Version(*row) if row else Version(0, EPOCH)


def bump() -> None:
    """Count one change to the content (1 query; 2 the very first time)."""
    now = timezone.now()
    updated = ContentVersion.objects.filter(pk=ROW).update(
        number=models.F("number") + 1, changed_at=now
    )
    if not updated:
        ContentVersion.objects.get_or_create(pk=ROW, defaults={"number": 1, "changed_at": now})
    moved.send(sender=ContentVersion)


def changed() -> None:
    """Bump the version when the current transaction commits, once however many rows changed."""
    connection = transaction.get_connection()
    # Django keeps (savepoints, callback, robust) per pending callback: one bump per
    # savepoint level is enough, and it goes if that savepoint rolls back.
    here = set(connection.savepoint_ids)
    pending = getattr(connection, "run_on_commit", [])
    if not any(entry[1] is bump and entry[0] == here for entry in pending):
        transaction.on_commit(bump)


def _changed(sender: type[models.Model], **kwargs: object) -> None:
    changed()


def _m2m_changed(sender: type[models.Model], action: str, **kwargs: object) -> None:
    if action.startswith("post_"):
        changed()


def connect() -> None:
    """Bump on every change to a content model. Called once, from EvidenceConfig.ready().

    Receivers are connected per model, not for every sender, so other models (sessions,
    users) keep Django's fast delete path.
    """
    for model in content_models():
        post_save.connect(_changed, sender=model, dispatch_uid=f"version-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"version-delete-{model}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"version-m2m-{through}")
