"""The one place where review status changes and where approved content is rewritten.

draft → in review → approved → retired. An approved item's stored row is always the version
readers see: an editor's change to it waits as a pending `Revision` (`propose`), is submitted,
and only `approve` writes it onto the row, checked with full_clean() in one transaction.
`revert` proposes an earlier version the same way, so a revert is reviewed too.

Rules kept here and nowhere else:
- an approved claim needs a citation (`approval_refusal`);
- the two-person rule: no one who contributed to a change may approve it, superusers
  included (`contributors`): every save of a waiting change is recorded with who, when and
  which fields (`Revision.contributions`);
- no lost work: every save names the version it was made from (`edit_token`); a save from
  an older version is refused with what changed since, who changed it and when (`Stale`);
- decisions carry reasons: reject and ask for changes need one, and so does returning
  someone else's change (`Revision.decisions`);
- only reviewers (`revisions.review_content`) approve and retire; editors (change
  permission on the model) propose and submit.
Admin actions, admin change forms and commands all call these functions.
"""

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from revisions import snapshots
from revisions.models import Revision, RevisionKind, RevisionStatus, display_name

from .choices import ReviewStatus
from .models import Claim, Reviewed, Source
from .rendering import citation_keys

Editor = AbstractBaseUser | AnonymousUser | None

REVIEW_PERMISSION = "revisions.review_content"
NEEDS_CITATION = "A claim needs at least one citation before it can be approved."
TWO_PERSON = (
    "You contributed to this change, so another reviewer must approve it (two-person rule)."
)
NOT_A_REVIEWER = "Only a reviewer may approve or retire content."
NOTHING_TO_SUBMIT = "It is approved and no change to it is waiting; edit it first."
NOTHING_TO_APPROVE = "It is approved and no change to it is waiting for review."
NEEDS_REASON = "Give a reason: it is recorded with the decision and shown to the editors."
OTHERS_CHANGE = (
    "It is someone else's change: give a reason for returning it; it is recorded with the "
    "change and shown to its author."
)
NOTHING_TO_DECIDE = "No change to it is waiting for review."
# What readers and editors are told a decision was, in plain words.
DECISIONS = {
    "submitted": "Submitted for review",
    "rejected": "Rejected",
    "changes": "Changes asked for",
    "returned": "Returned to draft",
    "approved": "Approved",
}
# History rows written for a status change alone start with this; see contributors().
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


def _histories(obj: Model) -> list[Any]:
    """The history rows of `obj` (changes of content, not of status alone) and of each kind
    of its inline rows, as querysets."""
    own = obj.history.exclude(history_change_reason__startswith=STATUS_REASON)  # type: ignore[attr-defined]
    return [own] + [
        rel.related_model.history.filter(**{rel.field.attname: obj.pk})  # type: ignore[attr-defined]
        for rel in snapshots.children_of(type(obj))
    ]


def contributors(obj: Model, pending: Revision | None = None) -> set[int]:
    """The ids of everyone who wrote what approving `obj` would publish: every contributor
    of its waiting change, else everyone who changed the draft since it was last approved
    (one query per kind of history row)."""
    if pending is not None:
        return pending.contributor_ids
    approved = (
        obj.history.filter(status=ReviewStatus.APPROVED)  # type: ignore[attr-defined]
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    ids: set[int] = set()
    for history in _histories(obj):
        if approved is not None:
            history = history.filter(history_date__gt=approved)
        ids |= {pk for pk in history.values_list("history_user_id", flat=True) if pk}
    return ids


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


@dataclass
class ReviewDesk:
    """What waits on one person: changes to review (never their own), changes returned to
    them, and approved items due for another review."""

    waiting: int
    returned: int
    due: int
    rereview_months: int


def reviewed_models() -> list[type[Reviewed]]:
    return [m for m in apps.get_models() if issubclass(m, Reviewed)]


def review_desk(by: Editor) -> ReviewDesk:
    """The counts for `by` (a few queries per reviewed model)."""
    user = _user(by)
    me = user.pk if user else None
    pending = list(Revision.objects.pending())
    waiting = sum(
        1 for r in pending if r.status == RevisionStatus.IN_REVIEW and me not in r.contributor_ids
    )
    returned = sum(
        1
        for r in pending
        if r.status == RevisionStatus.DRAFT
        and me in r.contributor_ids
        and (r.last_decision or {}).get("action") in ("changes", "returned")
        and (r.last_decision or {}).get("user_id") != me
    )
    months = settings.REREVIEW_MONTHS
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    cutoff = today.replace(year=year, month=month + 1, day=min(today.day, last_day))
    due = 0
    for model in reviewed_models():
        rows = model._base_manager.filter(status=ReviewStatus.APPROVED)
        due += rows.filter(Q(last_reviewed__lt=cutoff) | Q(last_reviewed__isnull=True)).count()
        # Drafts submitted for review (no Revision): count those others wrote.
        for item in model._base_manager.filter(status=ReviewStatus.IN_REVIEW):
            if pending_revision(item) is None and me not in contributors(item):
                waiting += 1
    return ReviewDesk(waiting, returned, due, months)


# ---------------------------------------------------------------- proposing changes


def _ensure_baseline(obj: Model) -> None:
    """Record the live version in the history if nothing is recorded yet (e.g. loaded from
    fixtures), so that it can be compared with and reverted to."""
    if not obj.history.exists():  # type: ignore[attr-defined]
        type(obj).history.bulk_history_create(  # type: ignore[attr-defined]
            [obj], default_change_reason=BASELINE_REASON
        )


@dataclass
class ChangedSince:
    """One field someone else changed after a form was opened: who, when, and its value now."""

    name: str  # the field's name, as the form posts it
    label: str
    who: str
    when: Any  # datetime
    now: str


class Stale(ValidationError):
    """A save from a form opened on an older version: nothing was written."""

    def __init__(self, obj: Model, changes: list[ChangedSince]):
        self.obj, self.changes = obj, changes
        super().__init__(STALE.format(obj))


STALE = "Not saved: “{}” was changed by someone else after you opened this form."


def edit_token(obj: Model, pending: Revision | None = None) -> str:
    """The version an edit form is opened on: the waiting change's number and version, else
    the newest history row of the item and of each kind of its inline rows."""
    pending = pending if pending is not None else pending_revision(obj)
    if pending is not None:
        return f"r{pending.pk}.{pending.version}"
    newest = [
        history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
        for history in _histories(obj)
    ]
    return "h" + ".".join(str(number) for number in newest)


def _display(user: Any) -> str:
    if user is None:
        return "an editor"
    return user.get_full_name() or user.get_username()


def changed_since(obj: Model, token: str) -> list[ChangedSince]:
    """What others changed on `obj` since the form opened on version `token` ([] if none)."""
    pending = pending_revision(obj)
    if not token or token == edit_token(obj, pending):
        return []
    if pending is not None:
        mine = token.startswith(f"r{pending.pk}.")
        since = int(token.split(".")[1]) if mine else 0
        found = [
            ChangedSince(c["name"], c["label"], entry["name"], entry["at"], c["value"])
            for entry in pending.contribution_list
            if entry["version"] > since
            for c in entry["changes"]
        ]
        if found:
            return found
        return [ChangedSince("", "change", _display(pending.author), pending.updated, "")]
    # A draft saved directly: its history rows since the form's.
    try:
        seen = [int(part) for part in token[1:].split(".")]
    except ValueError:
        seen = []
    found = []
    model = type(obj)
    labels = {f.name: str(f.verbose_name) for f in snapshots.own_fields(model)}
    for position, history in enumerate(_histories(obj)):
        after = seen[position] if position < len(seen) else 0
        for record in history.filter(history_id__gt=after).select_related("history_user"):
            previous = record.prev_record
            names = list(labels) if position == 0 else []
            delta = (
                record.diff_against(previous, included_fields=names).changes
                if previous and position == 0
                else []
            )
            who = _display(record.history_user)
            if position == 0 and previous is not None:
                for change in delta:
                    now = snapshots.row_data(obj, links=False)["fields"].get(change.field)
                    label = labels[change.field]
                    found.append(
                        ChangedSince(change.field, label, who, record.history_date, str(now))
                    )
            else:
                name = str(record.instance._meta.verbose_name)
                found.append(ChangedSince("", name, who, record.history_date, str(record.instance)))
    return found or [ChangedSince("", "item", "someone", timezone.now(), "")]


def propose(
    obj: Reviewed,
    data: snapshots.Snapshot,
    *,
    by: Editor,
    kind: str = RevisionKind.EDIT,
    submit: bool = False,
    reason: str = "",
    base: str | None = None,
) -> Revision:
    """Store `data` as the change waiting on `obj`; the stored row, which readers see, is
    untouched. A change already waiting takes this save on top: its author stays, `by` is
    added to its contributors with the fields they changed, and it stays in review.

    `base` is the edit_token() the editor's form was opened on: if the item changed since,
    raises Stale and writes nothing.
    """
    if not can_edit(by, obj):
        raise PermissionDenied(f"You may not change {obj._meta.verbose_name_plural}.")
    if base is not None:
        changes_since = changed_since(obj, base)
        if changes_since:
            raise Stale(obj, changes_since)
    _ensure_baseline(obj)
    stored = snapshots.snapshot(obj)
    pending = pending_revision(obj)
    before = pending.data if pending is not None else stored
    made = snapshots.compare(type(obj), before, data)
    revision = pending or Revision(item=obj, author=_user(by), version=0)
    revision.item_repr = str(obj)[:300]
    revision.kind = kind
    revision.data = data
    revision.version += 1
    revision.contributions = [
        *revision.contributions,
        {
            "user_id": by.pk if _user(by) else None,  # type: ignore[union-attr]
            "name": _display(_user(by)),
            "at": timezone.now(),
            "version": revision.version,
            "changes": [{"name": c.name, "label": c.label, "value": c.new[:500]} for c in made],
        },
    ]
    revision.summary = snapshots.summary(type(obj), snapshots.compare(type(obj), stored, data))
    if kind == RevisionKind.REVERT:
        revision.summary = f"Restored an earlier version. {revision.summary}"
    if reason:
        revision.reason = reason[:500]
    keep_in_review = pending is not None and pending.status == RevisionStatus.IN_REVIEW
    if submit or keep_in_review:
        revision.status = RevisionStatus.IN_REVIEW
    else:
        revision.status = RevisionStatus.DRAFT
    if submit and not keep_in_review:
        _decide(revision, "submitted", by, reason)
    revision.save()
    return revision


def _decide(revision: Revision, action: str, by: Editor, reason: str) -> None:
    revision.decisions = [
        *revision.decisions,
        {
            "action": action,
            "label": DECISIONS[action],
            "user_id": by.pk if _user(by) else None,  # type: ignore[union-attr]
            "name": _display(_user(by)),
            "at": timezone.now(),
            "reason": reason,
        },
    ]


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


def _save_status(obj: Reviewed, status: str, by: Editor, reviewed: bool, reason: str = "") -> None:
    obj.status = status
    fields = ["status"]
    if reviewed:
        obj.last_reviewed = timezone.localdate()
        obj.reviewed_by_id = by.pk if _user(by) else None  # type: ignore[union-attr]
        fields += ["last_reviewed", "reviewed_by"]
    note = f"{STATUS_REASON}{ReviewStatus(status).label}" + (f". {reason}" if reason else "")
    obj._change_reason = note[:100]  # type: ignore[attr-defined]
    obj._history_user = _user(by)  # type: ignore[attr-defined]
    obj.save(update_fields=fields)


def _submitted_reason(obj: Reviewed) -> str:
    """The reason an editor gave when submitting the draft `obj` (its history's note)."""
    prefix = f"{STATUS_REASON}{ReviewStatus.IN_REVIEW.label}. "
    note = (
        obj.history.filter(history_change_reason__startswith=prefix)  # type: ignore[attr-defined]
        .order_by("-history_date")
        .values_list("history_change_reason", flat=True)
        .first()
    )
    return note[len(prefix) :] if note else ""


def _record(obj: Reviewed, kind: str, summary: str, by: Editor, reason: str = "") -> None:
    """An approved Revision with no content change: a publication or a retirement."""
    Revision.objects.create(
        item=obj,
        item_repr=str(obj)[:300],
        kind=kind,
        status=RevisionStatus.APPROVED,
        summary=summary,
        reason=reason,
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


def submit_for_review(
    objects: Iterable[Reviewed], *, by: Editor = None, reason: str = ""
) -> Transition:
    """Mark `objects` (or the change waiting on them) in review, with the editor's reason
    (why this change); an approved item stays on the site as it is while it is reviewed."""

    def step(obj: Reviewed, pending: Revision | None) -> str:
        if not can_edit(by, obj):
            return f"You may not change {obj._meta.verbose_name_plural}."
        if pending is not None:
            pending.status = RevisionStatus.IN_REVIEW
            if reason:
                pending.reason = reason[:500]
            _decide(pending, "submitted", by, reason)
            pending.save(update_fields=["status", "reason", "decisions", "updated"])
        elif obj.status == ReviewStatus.APPROVED:
            return NOTHING_TO_SUBMIT
        else:
            _save_status(obj, ReviewStatus.IN_REVIEW, by, reviewed=False, reason=reason)
        return ""

    return _run(objects, step)


def _references(model: type[Model], row: snapshots.Snapshot) -> list[tuple[type[Model], Any]]:
    """(model, pk) of every reviewed item one row of a snapshot links to."""
    found: list[tuple[type[Model], Any]] = []
    for column in model._meta.concrete_fields:
        target = column.related_model if column.is_relation else None
        value = row.get("fields", {}).get(column.name)
        if isinstance(target, type) and issubclass(target, Reviewed) and value is not None:
            found.append((target, value))
    for m2m in snapshots.m2m_fields(model):
        target = m2m.related_model
        if isinstance(target, type) and issubclass(target, Reviewed):
            found += [(target, pk) for pk in row.get("m2m", {}).get(m2m.name, [])]
    return found


def _texts(row: snapshots.Snapshot) -> list[str]:
    return [value for value in row.get("fields", {}).values() if isinstance(value, str)]


def unpublished_dependencies(obj: Reviewed, pending: Revision | None = None) -> list[Reviewed]:
    """The items readers cannot see yet that approving `obj` (or its waiting change) would
    cite or link: sources cited as [@key] in any of its texts, and every reviewed item its
    fields, links and inline rows point to, not approved (a few queries per kind)."""
    data = pending.data if pending is not None else snapshots.snapshot(obj)
    model = type(obj)
    refs = _references(model, data)
    texts = _texts(data)
    for rel in snapshots.children_of(model):
        for row in data.get("children", {}).get(rel.name, []):
            refs += _references(rel.related_model, row)
            texts += _texts(row)
    keys = {key for text in texts for key in citation_keys(text)}
    by_model: dict[type[Model], set[Any]] = {}
    for target, pk in refs:
        by_model.setdefault(target, set()).add(pk)
    found: list[Reviewed] = []
    for target, pks in by_model.items():
        rows = target._base_manager.filter(pk__in=pks).exclude(status=ReviewStatus.APPROVED)
        found += [row for row in rows if isinstance(row, Reviewed)]
    if keys:
        found += Source.objects.filter(key__in=keys).exclude(status=ReviewStatus.APPROVED)
    return [item for item in dict.fromkeys(found) if item != obj]


def dependency_closure(obj: Reviewed) -> list[Reviewed]:
    """Every unpublished item `obj` needs, and what those need in turn, dependencies first."""
    ordered: list[Reviewed] = []
    seen = {(type(obj), obj.pk)}

    def visit(item: Reviewed) -> None:
        for dep in unpublished_dependencies(item, pending_revision(item)):
            if (type(dep), dep.pk) in seen:
                continue
            seen.add((type(dep), dep.pk))
            visit(dep)
            ordered.append(dep)

    visit(obj)
    return ordered


def _named(items: Sequence[Reviewed]) -> str:
    return "; ".join(
        f"{item._meta.verbose_name} “{item}” ({ReviewStatus(item.status).label.lower()})"
        for item in items
    )


def dependencies_refusal(deps: Sequence[Reviewed]) -> str:
    count = len(deps)
    noun = "dependency" if count == 1 else "dependencies"
    return (
        f"It cites or links {count} item{'s' if count != 1 else ''} readers cannot see yet: "
        f"{_named(deps)}. Approve {'it' if count == 1 else 'them'} first, or choose "
        f"“Approve with its {count} {noun}” to approve the set in one step."
    )


def _approve_one(obj: Reviewed, pending: Revision | None, by: Editor) -> str:
    """Approve one item or its waiting change; the refusal, or "" once done."""
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
    if _user(by).pk in contributors(obj, pending):
        return TWO_PERSON
    if pending is None:
        reason = _submitted_reason(obj)
        _save_status(obj, ReviewStatus.APPROVED, by, reviewed=True)
        _record(obj, RevisionKind.PUBLISH, "Published.", by, reason)
        return ""
    # The change is its contributors', the approval the reviewer's: history says both.
    names = ", ".join(dict.fromkeys(c["name"] for c in pending.contributions))
    obj._history_user = pending.author  # type: ignore[attr-defined]
    obj._change_reason = f"By {names}; approved by {display_name(by)}"[:100]  # type: ignore[attr-defined]
    obj.status = ReviewStatus.APPROVED
    obj.last_reviewed = timezone.localdate()
    obj.reviewed_by_id = by.pk  # type: ignore[union-attr]
    snapshots.apply(obj, pending.data, pending.author, obj._change_reason)  # type: ignore[attr-defined]
    pending.status = RevisionStatus.APPROVED
    pending.reviewed_by = _user(by)
    pending.reviewed_on = obj.last_reviewed
    _decide(pending, "approved", by, "")
    pending.save()
    return ""


def approve(
    objects: Iterable[Reviewed], *, by: Editor = None, with_dependencies: bool = False
) -> Transition:
    """Publish `objects`, or write the change waiting on them onto the stored row, dated
    today and signed by `by`; refuses what may not be approved, with the reason.

    Approval is closed over what it publishes: an item citing or linking items readers
    cannot see yet is refused with their list, unless `with_dependencies`, which approves
    them first in the same transaction, each under the same rules (all or nothing)."""

    def step(obj: Reviewed, pending: Revision | None) -> str:
        if not can_review(by):
            return NOT_A_REVIEWER
        deps = dependency_closure(obj)
        if deps and not with_dependencies:
            return dependencies_refusal(deps)
        for dep in deps:
            refusal = _approve_one(dep, pending_revision(dep), by)
            if refusal:
                return (
                    f"Its dependency {dep._meta.verbose_name} “{dep}” cannot be approved: {refusal}"
                )
        return _approve_one(obj, pending, by)

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


def return_to_draft(
    objects: Iterable[Reviewed], *, by: Editor = None, reason: str = ""
) -> Transition:
    """Send `objects` back to their authors: the change waiting on an item goes back to
    draft (the item stays as readers see it); an item with no change waiting becomes a draft.
    Returning a change someone else contributed to needs a reason, recorded with it."""

    def step(obj: Reviewed, pending: Revision | None) -> str:
        if not (can_review(by) or can_edit(by, obj)):
            return f"You may not change {obj._meta.verbose_name_plural}."
        user = _user(by)
        others = contributors(obj, pending) - ({user.pk} if user else set())
        if others and not reason.strip():
            return OTHERS_CHANGE
        if pending is not None:
            pending.status = RevisionStatus.DRAFT
            _decide(pending, "returned", by, reason.strip())
            pending.save(update_fields=["status", "decisions", "updated"])
        else:
            _save_status(obj, ReviewStatus.DRAFT, by, reviewed=False, reason=reason.strip())
        return ""

    return _run(objects, step)


def request_changes(
    objects: Iterable[Reviewed], *, by: Editor = None, reason: str = ""
) -> Transition:
    """A reviewer asks for changes: the waiting change (or the draft in review) goes back to
    its authors with the reviewer's comment, which is required."""

    def step(obj: Reviewed, pending: Revision | None) -> str:
        if not can_review(by):
            return NOT_A_REVIEWER
        if not reason.strip():
            return NEEDS_REASON
        if pending is not None:
            pending.status = RevisionStatus.DRAFT
            _decide(pending, "changes", by, reason.strip())
            pending.save(update_fields=["status", "decisions", "updated"])
        elif obj.status == ReviewStatus.IN_REVIEW:
            _save_status(obj, ReviewStatus.DRAFT, by, reviewed=False, reason=reason.strip())
        else:
            return NOTHING_TO_DECIDE
        return ""

    return _run(objects, step)


def reject(objects: Iterable[Reviewed], *, by: Editor = None, reason: str = "") -> Transition:
    """A reviewer turns the waiting change down, with a reason (required): it is kept in the
    item's history, marked rejected, and readers keep the approved version."""

    def step(obj: Reviewed, pending: Revision | None) -> str:
        if not can_review(by):
            return NOT_A_REVIEWER
        if not reason.strip():
            return NEEDS_REASON
        if pending is None:
            return NOTHING_TO_DECIDE
        pending.status = RevisionStatus.REJECTED
        pending.reviewed_by = _user(by)
        _decide(pending, "rejected", by, reason.strip())
        pending.save(update_fields=["status", "reviewed_by", "decisions", "updated"])
        return ""

    return _run(objects, step)


TRANSITIONS: dict[str, Any] = {
    "submit": submit_for_review,
    "approve": approve,
    "approve_all": lambda objects, *, by=None: approve(objects, by=by, with_dependencies=True),
    "retire": retire,
    "draft": return_to_draft,
    "changes": request_changes,
    "reject": reject,
}
# The transitions that take the decider's reason.
WITH_REASON = {"submit", "draft", "changes", "reject"}


def describe(result: Transition, verb: str) -> Sequence[tuple[bool, str]]:
    """Messages for an editor: (ok, text) for what changed and for each refusal."""
    messages: list[tuple[bool, str]] = []
    if result.changed:
        names = ", ".join(str(obj) for obj in result.changed)
        messages.append((True, f"{verb}: {names}."))
    for obj, reason in result.refused:
        messages.append((False, f"Not {verb[0].lower()}{verb[1:]}: {obj}. {reason}"))
    return messages
