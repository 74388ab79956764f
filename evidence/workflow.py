"""The one place where review status changes and where approved content is rewritten.

draft → in review → approved → retired. An approved item's stored row is always the version
readers see: an editor's change to it waits as a pending `Revision` (`propose`), is submitted,
and only `approve` writes it onto the row, checked with full_clean() in one transaction.
`revert` proposes an earlier version the same way, so a revert is reviewed too.

Rules kept here and nowhere else:
- an approved claim needs a citation (`approval_refusal`);
- the two-person rule: whoever last changed an item, or wrote its pending change, cannot
  approve it (`last_changed_by`);
- only reviewers (`revisions.review_content`) approve and retire; editors (change
  permission on the model) propose and submit.
Admin actions, admin change forms and commands all call these functions.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from revisions import snapshots
from revisions.models import Revision, RevisionKind, RevisionStatus, display_name

from .choices import ReviewStatus
from .models import Claim, Reviewed

Editor = AbstractBaseUser | AnonymousUser | None

REVIEW_PERMISSION = "revisions.review_content"
NEEDS_CITATION = "A claim needs at least one citation before it can be approved."
TWO_PERSON = (
    "You made the last change to it, so another reviewer must approve it (two-person rule)."
)
NOT_A_REVIEWER = "Only a reviewer may approve or retire content."
NOTHING_TO_SUBMIT = "It is approved and no change to it is waiting; edit it first."
NOTHING_TO_APPROVE = "It is approved and no change to it is waiting for review."
# History rows written for a status change alone start with this; see last_changed_by().
STATUS_REASON = "Status: "
BASELINE_REASON = "Version before the first recorded change"


@dataclass
class Transition:
    """What a workflow call changed, and what it refused with the reason."""

    changed: list[Model] = field(default_factory=list)
    refused: list[tuple[Model, str]] = field(default_factory=list)


# ---------------------------------------------------------------- who may do what


def _user(by: Editor) -> Any:  # the project's User, or None
    return by if isinstance(by, AbstractBaseUser) and by.is_authenticated else None


def can_review(by: Editor) -> bool:
    user = _user(by)
    return user is not None and user.has_perm(REVIEW_PERMISSION)


def can_edit(by: Editor, obj: Model) -> bool:
    user = _user(by)
    meta = obj._meta
    return user is not None and user.has_perm(f"{meta.app_label}.change_{meta.model_name}")


# ---------------------------------------------------------------- reading the state


def pending_revision(obj: Model) -> Revision | None:
    """The change waiting for review on `obj`, if any (one query)."""
    return Revision.objects.pending().of(obj).first()


def last_changed_by(obj: Model, pending: Revision | None = None) -> int | None:
    """The id of whoever last changed the content of `obj`: the author of its pending change,
    else the user of the newest history row, of the item (more than a status change) or of
    one of its inline rows (one query per kind of inline row)."""
    if pending is not None:
        return pending.author_id
    # The item's own rows and those of its inline rows (a claim's citations, say).
    histories = [obj.history.exclude(history_change_reason__startswith=STATUS_REASON)]  # type: ignore[attr-defined]
    histories += [
        rel.related_model.history.filter(**{rel.field.attname: obj.pk})  # type: ignore[attr-defined]
        for rel in snapshots.children_of(type(obj))
    ]
    newest = [h.order_by("-history_date", "-history_id").first() for h in histories]
    records = [record for record in newest if record is not None]
    if not records:
        return None
    return max(records, key=lambda record: record.history_date).history_user_id


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


# ---------------------------------------------------------------- proposing changes


def _ensure_baseline(obj: Model) -> None:
    """Record the live version in the history if nothing is recorded yet (e.g. loaded from
    fixtures), so that it can be compared with and reverted to."""
    if not obj.history.exists():  # type: ignore[attr-defined]
        type(obj).history.bulk_history_create(  # type: ignore[attr-defined]
            [obj], default_change_reason=BASELINE_REASON
        )


def propose(
    obj: Reviewed,
    data: snapshots.Snapshot,
    *,
    by: Editor,
    kind: str = RevisionKind.EDIT,
    submit: bool = False,
) -> Revision:
    """Store `data` as the change waiting on `obj`; the stored row, which readers see, is
    untouched. A change already waiting is replaced, and its author becomes `by`."""
    if not can_edit(by, obj):
        raise PermissionDenied(f"You may not change {obj._meta.verbose_name_plural}.")
    _ensure_baseline(obj)
    changes = snapshots.compare(type(obj), snapshots.snapshot(obj), data)
    revision = pending_revision(obj) or Revision(item=obj)
    revision.item_repr = str(obj)[:300]
    revision.kind = kind
    revision.data = data
    revision.author = _user(by)
    revision.summary = snapshots.summary(type(obj), changes)
    if kind == RevisionKind.REVERT:
        revision.summary = f"Restored an earlier version. {revision.summary}"
    revision.status = RevisionStatus.IN_REVIEW if submit else RevisionStatus.DRAFT
    revision.save()
    return revision


def revert(obj: Reviewed, record: Any, *, by: Editor) -> Revision:
    """Propose the fields of history row `record` as a change to `obj`, submitted for review.

    The item's own fields are restored; its inline rows and links stay as they are now.
    """
    data = snapshots.snapshot(obj)
    data["fields"] = snapshots.row_data(record.instance, links=False)["fields"]
    return propose(obj, data, by=by, kind=RevisionKind.REVERT, submit=True)


# ---------------------------------------------------------------- status changes


class Step(Protocol):
    def __call__(self, obj: Reviewed, pending: Revision | None) -> str: ...


def _save_status(obj: Reviewed, status: str, by: Editor, reviewed: bool) -> None:
    obj.status = status
    fields = ["status"]
    if reviewed:
        obj.last_reviewed = timezone.localdate()
        obj.reviewed_by_id = by.pk if _user(by) else None  # type: ignore[union-attr]
        fields += ["last_reviewed", "reviewed_by"]
    obj._change_reason = f"{STATUS_REASON}{ReviewStatus(status).label}"  # type: ignore[attr-defined]
    obj._history_user = _user(by)  # type: ignore[attr-defined]
    obj.save(update_fields=fields)


def _record(obj: Reviewed, kind: str, summary: str, by: Editor) -> None:
    """An approved Revision with no content change: a publication or a retirement."""
    Revision.objects.create(
        item=obj,
        item_repr=str(obj)[:300],
        kind=kind,
        status=RevisionStatus.APPROVED,
        summary=summary,
        author=_user(by),
        reviewed_by=_user(by),
        reviewed_on=timezone.localdate(),
    )


def _run(objects: Iterable[Reviewed], step: Step) -> Transition:
    result = Transition()
    for obj in objects:
        try:
            with transaction.atomic():
                reason = step(obj, pending_revision(obj))
                if reason:
                    raise ValidationError(reason)
        except ValidationError as error:
            result.refused.append((obj, " ".join(error.messages)))
            obj.refresh_from_db()
        else:
            result.changed.append(obj)
    return result


def submit_for_review(objects: Iterable[Reviewed], *, by: Editor = None) -> Transition:
    """Mark `objects` (or the change waiting on them) in review; an approved item stays on
    the site as it is while its change is reviewed."""

    def step(obj: Reviewed, pending: Revision | None) -> str:
        if not can_edit(by, obj):
            return f"You may not change {obj._meta.verbose_name_plural}."
        if pending is not None:
            pending.status = RevisionStatus.IN_REVIEW
            pending.save(update_fields=["status", "updated"])
        elif obj.status == ReviewStatus.APPROVED:
            return NOTHING_TO_SUBMIT
        else:
            _save_status(obj, ReviewStatus.IN_REVIEW, by, reviewed=False)
        return ""

    return _run(objects, step)


def approve(objects: Iterable[Reviewed], *, by: Editor = None) -> Transition:
    """Publish `objects`, or write the change waiting on them onto the stored row, dated
    today and signed by `by`; refuses what may not be approved, with the reason."""

    def step(obj: Reviewed, pending: Revision | None) -> str:
        if not can_review(by):
            return NOT_A_REVIEWER
        if pending is None and obj.status == ReviewStatus.APPROVED:
            return NOTHING_TO_APPROVE
        if pending is None:
            refusal = approval_refusal(obj)
        else:
            refusal = approval_refusal(
                obj, citation_count=len(pending.data.get("children", {}).get("citations", []))
            )
        if refusal:
            return refusal
        changer = last_changed_by(obj, pending)
        if changer is not None and changer == by.pk:  # type: ignore[union-attr]
            return TWO_PERSON
        if pending is None:
            _save_status(obj, ReviewStatus.APPROVED, by, reviewed=True)
            _record(obj, RevisionKind.PUBLISH, "Published.", by)
            return ""
        # The change is the author's, the approval the reviewer's: history says both.
        obj._history_user = pending.author  # type: ignore[attr-defined]
        obj._change_reason = f"Change approved by {display_name(by)}"[:100]  # type: ignore[attr-defined]
        obj.status = ReviewStatus.APPROVED
        obj.last_reviewed = timezone.localdate()
        obj.reviewed_by_id = by.pk  # type: ignore[union-attr]
        snapshots.apply(obj, pending.data, pending.author, obj._change_reason)  # type: ignore[attr-defined]
        pending.status = RevisionStatus.APPROVED
        pending.reviewed_by = _user(by)
        pending.reviewed_on = obj.last_reviewed
        pending.save()
        return ""

    return _run(objects, step)


def retire(objects: Iterable[Reviewed], *, by: Editor = None) -> Transition:
    """Take `objects` off the site for good, recording who retired them and when; a change
    waiting on them is withdrawn."""

    def step(obj: Reviewed, pending: Revision | None) -> str:
        if not can_review(by):
            return NOT_A_REVIEWER
        if pending is not None:
            pending.status = RevisionStatus.WITHDRAWN
            pending.save(update_fields=["status", "updated"])
        was_public = obj.status == ReviewStatus.APPROVED
        _save_status(obj, ReviewStatus.RETIRED, by, reviewed=True)
        if was_public:
            _record(obj, RevisionKind.RETIRE, "Taken off the site.", by)
        return ""

    return _run(objects, step)


def return_to_draft(objects: Iterable[Reviewed], *, by: Editor = None) -> Transition:
    """Send `objects` back to their authors: the change waiting on an item goes back to
    draft (the item stays as readers see it); an item with no change waiting becomes a draft."""

    def step(obj: Reviewed, pending: Revision | None) -> str:
        if not (can_review(by) or can_edit(by, obj)):
            return f"You may not change {obj._meta.verbose_name_plural}."
        if pending is not None:
            pending.status = RevisionStatus.DRAFT
            pending.save(update_fields=["status", "updated"])
        else:
            _save_status(obj, ReviewStatus.DRAFT, by, reviewed=False)
        return ""

    return _run(objects, step)


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
