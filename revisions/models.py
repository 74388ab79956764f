"""Proposed changes to approved content, and the history of every content row.

A `Revision` holds an editor's change to an approved item while it waits for review: the
live row stays the approved version, so readers see nothing new until a reviewer approves.
Approved revisions are the public "Changes" list. The historical tables of every content
model (django-simple-history, declared on the models with `app="revisions"`) live in this
app too, so the content apps hold content only.

This app knows nothing of evidence or conditions: it refers to content by content type.
evidence.workflow alone creates, approves and applies revisions.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.dateparse import parse_datetime


def when(value):
    """A time stored in a JSON field, as a datetime."""
    return parse_datetime(value) if isinstance(value, str) else value


def display_name(user) -> str:
    """How a public page names a reviewer: their full name, else their role."""
    if user is None:
        return "the ldnref editors"
    return user.get_full_name() or "an ldnref reviewer"


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in-review", "In review"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REJECTED = "rejected", "Rejected"


PENDING = (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW)


class RevisionKind(models.TextChoices):
    EDIT = "edit", "Edit"
    REVERT = "revert", "Revert to an earlier version"
    PUBLISH = "publish", "First publication"
    RETIRE = "retire", "Retirement"


class RevisionQuerySet(models.QuerySet["Revision"]):
    def pending(self):
        return self.filter(status__in=PENDING)

    def approved(self):
        return self.filter(status=RevisionStatus.APPROVED)

    def of(self, obj: models.Model):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Revision(models.Model):
    """One change to one content item: proposed, reviewed, and once approved, applied."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    item_repr = models.CharField(max_length=300, help_text="The item's name when proposed.")
    kind = models.CharField(max_length=10, choices=RevisionKind, default=RevisionKind.EDIT)
    status = models.CharField(
        max_length=20, choices=RevisionStatus, default=RevisionStatus.DRAFT, editable=False
    )
    data = models.JSONField(
        encoder=DjangoJSONEncoder,
        default=dict,
        blank=True,
        help_text="The proposed version: field values, related rows and inline rows.",
    )
    summary = models.CharField(max_length=500, help_text="What changed, in plain words.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who proposed the change: this person may not approve it.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(
        default=1,
        help_text="Moves on every save of the change: a form opened on an older version is stale.",
    )
    contributions = models.JSONField(
        encoder=DjangoJSONEncoder,
        default=list,
        blank=True,
        help_text="Every save of the change: who, when, which fields, at which version.",
    )
    reason = models.CharField(
        max_length=500, blank=True, help_text="Why this change, in the editor's words."
    )
    decisions = models.JSONField(
        encoder=DjangoJSONEncoder,
        default=list,
        blank=True,
        help_text="Reviewers' and editors' decisions on the change, each with its reason.",
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        permissions = [
            ("review_content", "Can approve and retire content (a reviewer)"),
        ]
        constraints = [
            # At most one change waits for review per item, so edits never fork.
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(status__in=PENDING),
                name="revision_one_pending_per_item",
                violation_error_message="This item already has a change waiting for review.",
            ),
            models.CheckConstraint(
                condition=~Q(status=RevisionStatus.APPROVED) | Q(reviewed_on__isnull=False),
                name="revision_approval_is_dated",
                violation_error_message="An approved change records its review date.",
            ),
        ]
        indexes = [
            # The public Changes list: approved revisions of a page's items, newest first.
            models.Index(
                fields=["content_type", "object_id", "status"], name="revision_item_status"
            ),
        ]

    def __str__(self):
        return f"{self.item_repr}: {self.summary}"

    @property
    def reviewer_name(self):
        return display_name(self.reviewed_by)

    @property
    def is_pending(self):
        return self.status in PENDING

    @property
    def contributor_ids(self) -> set[int]:
        """Everyone who wrote any part of the change: none of them may approve it."""
        ids = {entry["user_id"] for entry in self.contributions if entry.get("user_id")}
        return ids | ({self.author_id} if self.author_id else set())

    @property
    def last_decision(self) -> dict | None:
        return self.decision_list[-1] if self.decisions else None

    @property
    def contribution_list(self) -> list[dict]:
        """The contributions with their times as datetimes (JSON stores them as text)."""
        return [{**entry, "at": when(entry["at"])} for entry in self.contributions]

    @property
    def decision_list(self) -> list[dict]:
        return [{**entry, "at": when(entry["at"])} for entry in self.decisions]
