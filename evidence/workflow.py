"""The one place where review status changes: submit, approve, retire.

Admin actions, admin change forms and commands all call these functions. Approving records
the date and the reviewer. The rule "an approved claim needs a citation" is checked here,
in `approval_refusal()`, and nowhere else.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from .choices import ReviewStatus
from .models import Claim, Reviewed

Editor = AbstractBaseUser | AnonymousUser | None

NEEDS_CITATION = "A claim needs at least one citation before it can be approved."


@dataclass
class Transition:
    """What a workflow call changed, and what it refused with the reason."""

    changed: list[Model] = field(default_factory=list)
    refused: list[tuple[Model, str]] = field(default_factory=list)


def approval_refusal(obj: Model, citation_count: int | None = None) -> str:
    """Why `obj` cannot be approved, or "" if it can.

    `citation_count` lets a form count the citations it is about to save; by default the
    stored ones are counted (one query for a claim, none otherwise).
    """
    if isinstance(obj, Claim):
        if citation_count is None:
            citation_count = obj.citations.count() if obj.pk else 0
        if citation_count == 0:
            return NEEDS_CITATION
    return ""


class Refusal(Protocol):
    def __call__(self, obj: Model) -> str: ...


def _move(
    objects: Iterable[Reviewed],
    status: str,
    by: Editor,
    refuse: Refusal | None = None,
    reviewed: bool = False,
) -> Transition:
    result = Transition()
    today = timezone.localdate()
    with transaction.atomic():
        for obj in objects:
            reason = refuse(obj) if refuse else ""
            if reason:
                result.refused.append((obj, reason))
                continue
            obj.status = status
            fields = ["status"]
            if reviewed:
                obj.last_reviewed = today
                obj.reviewed_by_id = by.pk if isinstance(by, AbstractBaseUser) else None
                fields += ["last_reviewed", "reviewed_by"]
            obj.save(update_fields=fields)
            result.changed.append(obj)
    return result


def submit_for_review(objects: Iterable[Reviewed], *, by: Editor = None) -> Transition:
    """Mark `objects` in review; an approved one leaves the site until it is approved again."""
    return _move(objects, ReviewStatus.IN_REVIEW, by)


def approve(objects: Iterable[Reviewed], *, by: Editor = None) -> Transition:
    """Publish `objects`, dated today and signed by `by`; refuses what may not be approved."""
    return _move(objects, ReviewStatus.APPROVED, by, refuse=approval_refusal, reviewed=True)


def retire(objects: Iterable[Reviewed], *, by: Editor = None) -> Transition:
    """Take `objects` off the site for good, recording who retired them and when."""
    return _move(objects, ReviewStatus.RETIRED, by, reviewed=True)


def return_to_draft(objects: Iterable[Reviewed], *, by: Editor = None) -> Transition:
    """Send `objects` back to their authors as drafts."""
    return _move(objects, ReviewStatus.DRAFT, by)


TRANSITIONS = {
    "submit": submit_for_review,
    "approve": approve,
    "retire": retire,
    "draft": return_to_draft,
}


def describe(result: Transition, verb: str) -> Sequence[tuple[bool, str]]:
    """Messages for an editor: (ok, text) for what changed and for each refusal."""
    messages: list[tuple[bool, str]] = []
    if result.changed:
        names = ", ".join(str(obj) for obj in result.changed)
        messages.append((True, f"{verb}: {names}."))
    for obj, reason in result.refused:
        messages.append((False, f"Not {verb[0].lower()}{verb[1:]}: {obj}. {reason}"))
    return messages
