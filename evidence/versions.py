"""The content version: one number that changes whenever any content row changes.

Every save, delete and many-to-many change of a model of the content apps (evidence and
conditions, the apps fixtures/ holds) bumps it, by signal, in the same transaction. That
covers the admin, evidence.workflow, load_content (raw saves and --replace deletes) and the
shell alike, without each writer having to remember. Writes that skip signals
(QuerySet.update, bulk_create) must call `bump()` themselves.

Readers call `current()` (one primary-key query) and derive ETag and Last-Modified from it:
if the version has not moved, no published page or API response can have changed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .management.content import content_models
from .models import ContentVersion

ROW = 1
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


def _changed(sender: type[models.Model], **kwargs: object) -> None:
    bump()


def _m2m_changed(sender: type[models.Model], action: str, **kwargs: object) -> None:
    if action.startswith("post_"):
        bump()


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
