"""Admin for editors: sources, studies, claims and the grades attached to them.

Every changelist makes a fixed number of queries whatever its length: foreign keys that a
column prints are joined with `list_select_related`, counts are annotated.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from revisions import snapshots
from revisions.models import Revision, display_name

from . import workflow
from .admin_import import ReferenceImportAdmin
from .choices import ReviewStatus
from .models import (
    Citation,
    Claim,
    Conflict,
    Grade,
    GradingScale,
    Intervention,
    Mechanism,
    PrimarySourceCheck,
    SeedReference,
    Source,
    Study,
    StudyAccount,
)
from .rendering import citation_keys, render_preview, safe_url, unknown_citation_keys
from .validation import markdown_problems, plain_text_problems

admin.site.site_header = "ldnref editors"
admin.site.site_title = "ldnref editors"
admin.site.index_title = "Evidence and conditions"
admin.site.index_template = "admin/ldnref/index.html"
_default_index = admin.site.index


def index_with_review_desk(request, extra_context=None):
    """The admin index with the review desk: what waits on the signed-in editor."""
    desk = workflow.review_desk(request.user)
    return _default_index(request, {"review_desk": desk, **(extra_context or {})})


admin.site.index = index_with_review_desk  # type: ignore[method-assign]


# ---------------------------------------------------------------- shared pieces

# An address typed without a scheme becomes https://, as Django 6 will do by default.
HTTPS_URLS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


def preview(text):
    """An editor's preview of Markdown through the pages' own pipeline (one query), with a
    warning for anything the sanitizer removes from it."""
    if not text:
        return "—"
    html = render_preview(text, Source.objects.by_keys(citation_keys(text)))
    warnings = format_html_join(
        "", '<p class="errornote">{}</p>', ((problem,) for problem in markdown_problems(text))
    )
    return format_html("{}{}", warnings, html)


# ---------------------------------------------------------------- previews and reading grade

PATIENT_READING_GRADE = 8  # the most a patient-facing text may read at


def plain_text(markdown_text: str) -> str:
    """What a reader reads of `markdown_text`: rendered by the pages' pipeline, tags removed."""
    if not markdown_text:
        return ""
    sources = Source.objects.by_keys(citation_keys(markdown_text))
    return strip_tags(render_preview(markdown_text, sources))


def reading_grade_note(grade: float | None) -> SafeString:
    """The measured reading grade of a patient text, flagged when it is above grade 8."""
    if grade is None:
        return SafeString("—")
    if grade > PATIENT_READING_GRADE:
        return format_html(
            '<strong class="errornote">Grade {} — above grade {}: use shorter words and '
            "sentences.</strong>",
            grade,
            PATIENT_READING_GRADE,
        )
    return format_html("Grade {} (grade {} or below)", grade, PATIENT_READING_GRADE)


@dataclass
class PreviewedField:
    """One field as the editor typed it, rendered as readers will see it."""

    label: str
    html: SafeString
    unknown_keys: list[str] = field(default_factory=list)
    reading_grade: SafeString | None = None
    problems: list[str] = field(default_factory=list)


class PreviewAdmin(admin.ModelAdmin):
    """A "Preview" button beside "Save": the form as typed, rendered by the pages' pipeline.

    The button posts the unsaved form (with its CSRF token) to `<model>/preview/` in a new tab,
    so nothing typed is lost; staff with add or change permission only. Markdown fields are
    the model's `markdown_fields`; `plain_language_fields` also get their reading grade.
    """

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_preview"
        view = self.admin_site.admin_view(require_POST(self.preview_view))
        # Before the default URLs: "<path:object_id>/" would take "preview/" as an id.
        return [path("preview/", view, name=name), *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Preview of the {self.opts.verbose_name} as typed (not saved)",
            "fields": self.previewed_fields(request),
        }
        return TemplateResponse(request, "admin/ldnref/preview.html", context)

    # How plain-language text is measured (conditions.plain_language.reading_grade).
    measure_reading_grade: Callable[[list[str]], float] | None = None

    def previewed_fields(self, request: HttpRequest) -> list[PreviewedField]:
        model = self.model
        markdown = getattr(model, "markdown_fields", ())
        plain = getattr(model, "plain_language_fields", ())
        texts = {name: request.POST.get(name, "") for name in dict.fromkeys([*markdown, *plain])}
        sources = Source.objects.by_keys(
            key for name in markdown for key in citation_keys(texts[name])
        )
        previewed = []
        for name, text in texts.items():
            label = str(model._meta.get_field(name).verbose_name).capitalize()
            if name in markdown:
                html = render_preview(text, sources)
                shown = strip_tags(html)
            else:
                html, shown = format_html("<p>{}</p>", text), text
            item = PreviewedField(label, html, unknown_citation_keys(text, sources))
            if name in plain and self.measure_reading_grade is not None:
                grade = self.measure_reading_grade([shown]) if text else None
                item.reading_grade = reading_grade_note(grade)
            checked = markdown_problems(text) if name in markdown else plain_text_problems(text)
            item.problems = [*checked, *self.preview_problems(request, name, text)]
            previewed.append(item)
        return previewed

    def preview_problems(self, request: HttpRequest, name: str, text: str) -> list[str]:
        """What saving `text` in field `name` would be refused for, beyond citation keys."""
        return []


REVIEW_ACTIONS = [
    ("", "Keep the review status"),
    ("submit", "Submit for review"),
    ("approve", "Approve (publish)"),
    ("approve_all", "Approve with its dependencies (what it cites or links, not yet approved)"),
    ("changes", "Ask for changes (back to its authors, with your comment)"),
    ("reject", "Reject (kept in history, marked rejected)"),
    ("retire", "Retire (take off the site)"),
    ("draft", "Return to draft"),
]
# Actions only a reviewer may take; the form offers them to reviewers only.
REVIEWER_ACTIONS = {"approve", "approve_all", "changes", "reject", "retire"}


DONE = {
    "submit": "Submitted for review",
    "approve": "Approved",
    "approve_all": "Approved with its dependencies",
    "retire": "Retired",
    "draft": "Returned to draft",
    "changes": "Returned with a request for changes",
    "reject": "Rejected",
}

NEEDS_SUBMIT_REASON = (
    "Say in a few words why you make this change: the reviewer reads it, and once the "
    "change is approved readers see it in the Changes list."
)

SAVED_FOR_REVIEW = (
    "Your change to “{}” is saved as a change waiting for review: readers still see the "
    "approved version until a reviewer approves it."
)


def stale_message(obj, changes, posted) -> SafeString:
    """What an editor is told when their form is older than the item: who changed which
    field and when, the value now and the value in their form."""
    lines = []
    for change in changes:
        when = timezone.localtime(change.when) if timezone.is_aware(change.when) else change.when
        yours = posted.get(change.name) if change.name else None
        if yours is None:
            lines.append(
                format_html(
                    "{} changed the {} on {}: now “{}”.",
                    change.who,
                    change.label,
                    f"{when:%d %B %Y at %H:%M}",
                    change.now,
                )
            )
        else:
            lines.append(
                format_html(
                    "{} changed the {} on {}: now “{}”; in your form “{}”.",
                    change.who,
                    change.label,
                    f"{when:%d %B %Y at %H:%M}",
                    change.now,
                    yours,
                )
            )
    return format_html(
        "{} {} {}",
        workflow.STALE.format(obj),
        format_html_join(" ", "{}", ((line,) for line in lines)),
        "Your input is kept below: merge the two by hand, then save again.",
    )


SAVED_AS_DRAFT = (
    "“{}” is saved. Readers see it only once a reviewer approves it (it is not approved yet)."
)


class ReviewedForm(forms.ModelForm):
    review_action = forms.ChoiceField(
        choices=REVIEW_ACTIONS,
        required=False,
        label="Review",
        help_text="Applied after saving, through the editorial workflow.",
    )
    review_reason = forms.CharField(
        required=False,
        max_length=500,
        label="Reason",
        widget=forms.TextInput(attrs={"size": 80}),
        help_text=(
            "Why this change (needed to submit), or why you reject it, ask for changes or "
            "return someone else's change. The authors see it; readers see the reason of "
            "an approved change."
        ),
    )
    # The version the form was opened on (workflow.edit_token): a save from an older
    # version is refused with what changed since, and the editor's input is kept.
    edit_version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An item with a change waiting shows the change (see ReviewedAdmin.get_object).
        pending = getattr(self.instance, "_pending_data", None)
        if pending and not self.is_bound:
            for name, pks in pending.get("m2m", {}).items():
                if name in self.fields:
                    self.initial[name] = pks
        if self.instance.pk and not self.is_bound:
            self.initial["edit_version"] = workflow.edit_token(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = type(self.instance)._base_manager.get(pk=self.instance.pk)
            base = self.data.get(self.add_prefix("edit_version"), "")
            changes = workflow.changed_since(stored, base)
            if changes:
                self.add_error(None, stale_message(stored, changes, self.data))
                # Saving again from this form is a deliberate merge by the editor.
                self.data = self.data.copy()
                self.data[self.add_prefix("edit_version")] = workflow.edit_token(stored)
        action = cleaned.get("review_action")
        if action == "submit" and not (cleaned.get("review_reason") or "").strip():
            self.add_error("review_reason", NEEDS_SUBMIT_REASON)
        return cleaned


def through_field(model, inline_model):
    """The many-to-many field of `model` whose link rows `inline_model` is, or None."""
    for m2m in snapshots.m2m_fields(model):
        if m2m.remote_field.through is inline_model:
            return m2m
    return None


def proposed_data(obj, form, formsets):
    """The version an editor just submitted, as a snapshot: the form's instance and links,
    and every inline row that was not deleted (links of through-model inlines included)."""
    data = snapshots.row_data(obj, links=False)
    data["m2m"] = {
        name: sorted(item.pk for item in form.cleaned_data[name])
        for name in (f.name for f in snapshots.m2m_fields(type(obj)))
        if name in form.cleaned_data
    }
    if obj._pending_data:  # links not in this form keep their proposed value
        data["m2m"] = {**obj._pending_data.get("m2m", {}), **data["m2m"]}
    children = {}
    for formset in formsets:
        kept = [f for f in formset.forms if f.has_changed() or f.instance.pk]
        kept = [f for f in kept if not (formset.can_delete and formset._should_delete_form(f))]
        link = through_field(type(obj), formset.model)
        if link is not None:  # a many-to-many inline, e.g. a condition's claims
            target = link.m2m_reverse_field_name()
            data["m2m"][link.name] = sorted(
                f.cleaned_data[target].pk for f in kept if f.cleaned_data.get(target)
            )
            continue
        rows = []
        for child_form in kept:
            child = child_form.instance
            row = snapshots.row_data(child, skip=formset.fk.name, links=False)
            row["m2m"] = {
                f.name: sorted(item.pk for item in child_form.cleaned_data[f.name])
                for f in snapshots.m2m_fields(type(child))
                if f.name in child_form.cleaned_data
            }
            rows.append(row)
        children[formset.fk.remote_field.get_accessor_name()] = rows
    stored = snapshots.snapshot(obj)["children"] if obj.pk else {}
    data["children"] = {**stored, **(obj._pending_data or {}).get("children", {}), **children}
    return data


class HistoryAdmin(admin.ModelAdmin):
    """Every recorded version of a row (django-simple-history): who, when, which fields, and
    each version compared with the row as stored. Reviewed items can also be reverted, the
    revert going through review (ReviewedAdmin)."""

    reverts = False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/<int:history_id>/",
                view(self.version_view),
                name="{}_{}_version".format(*info),
            ),
            *super().get_urls(),
        ]

    def _item(self, request, object_id):
        obj = admin.ModelAdmin.get_object(self, request, object_id)  # the stored row
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    def _context(self, request, obj, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": title,
            "change_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
            ),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        """Every recorded version: when, who, what changed, with links to compare and revert."""
        obj = self._item(request, object_id)
        records = list(
            obj.history.select_related("history_user").order_by("-history_date", "-history_id")
        )
        names = [f.name for f in snapshots.own_fields(type(obj))]
        labels = {f.name: str(f.verbose_name) for f in snapshots.own_fields(type(obj))}
        rows = []
        for record, previous in zip(records, [*records[1:], None], strict=True):
            if previous is None:
                changed = "first recorded version"
            else:
                delta = record.diff_against(previous, included_fields=names)
                changed = ", ".join(labels[c.field] for c in delta.changes) or "status only"
            rows.append((record, changed))
        context = self._context(
            request,
            obj,
            f"History of {obj}",
            rows=rows,
            pending=workflow.pending_revision(obj) if self.reverts else None,
            reverts=self.reverts,
            revisions=list(Revision.objects.of(obj).select_related("author"))
            if self.reverts
            else [],
        )
        return TemplateResponse(request, "admin/revisions/history.html", context)

    def version_view(self, request, object_id, history_id):
        """One recorded version against the stored item, and a revert to it (POST)."""
        obj = self._item(request, object_id)
        record = get_object_or_404(obj.history, history_id=history_id)
        if request.method == "POST":
            if not (self.reverts and self.has_change_permission(request, obj)):
                raise PermissionDenied
            workflow.revert(obj, record, by=request.user)
            self.message_user(
                request,
                f"The revert of “{obj}” to the version of {record.history_date:%d %B %Y, %H:%M} "
                "is waiting for review; readers see the approved version until then.",
                messages.INFO,
            )
            return redirect(self._context(request, obj, "")["change_url"])
        old = snapshots.row_data(record.instance, links=False)
        now = snapshots.row_data(obj, links=False)
        changes = snapshots.compare(type(obj), now, old)
        context = self._context(
            request,
            obj,
            f"{obj}: the version of {record.history_date:%d %B %Y, %H:%M}",
            record=record,
            table=snapshots.as_table(changes),
            can_revert=self.reverts and self.has_change_permission(request, obj) and bool(changes),
            left="Now",
            right="This version",
        )
        return TemplateResponse(request, "admin/revisions/diff.html", context)


class ReviewedAdmin(HistoryAdmin):
    """Status changes only through evidence.workflow: bulk actions and the change form alike.

    Saving an approved item stores the edit as a change waiting for review
    (workflow.propose) and leaves the stored row, which readers see, as it is. The change
    form then shows the waiting change; the reviewer sees it field by field on the item's
    "Change in review" page and approves it there, in the list of changes, or with the
    actions below. The status, review date and reviewer are read-only here.
    """

    form = ReviewedForm
    reverts = True
    actions = ("submit_for_review", "approve", "retire")
    review_fields = (
        "review_action",
        "review_reason",
        "edit_version",
        "status",
        "last_reviewed",
        "reviewed_by",
    )

    def get_queryset(self, request):
        # Whether a change waits on each row: one EXISTS in the changelist's own query.
        waiting = Revision.objects.pending().filter(
            content_type=ContentType.objects.get_for_model(self.model), object_id=OuterRef("pk")
        )
        return super().get_queryset(request).annotate(change_waiting=Exists(waiting))

    def get_list_display(self, request):
        return (*super().get_list_display(request), "change_waiting_column")

    @admin.display(description="Change waiting", ordering="change_waiting")
    def change_waiting_column(self, obj):
        if not getattr(obj, "change_waiting", False):
            return "—"
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_in_review", args=[obj.pk]
        )
        return format_html('<a href="{}">{}</a>', url, "waiting for review")

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The Review choices this user may take: reviewer actions for reviewers only."""
        form = super().get_form(request, obj, change, **kwargs)
        if "review_action" in form.base_fields and not workflow.can_review(request.user):
            # A copy: the declared field is shared by every form class of this admin.
            field = form.base_fields["review_action"] = copy.deepcopy(
                form.base_fields["review_action"]
            )
            field.choices = [(v, label) for v, label in REVIEW_ACTIONS if v not in REVIEWER_ACTIONS]
        return form

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # Django's "was changed successfully" would say a change is live that only waits.
        if getattr(request, "_held_for_review", False) and "successfully" in str(message):
            return
        super().message_user(request, message, level, *args, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return (
            *super().get_readonly_fields(request, obj),
            "status",
            "last_reviewed",
            "reviewed_by",
        )

    def has_review_permission(self, request):
        return workflow.can_review(request.user)

    # -- a change to an approved item waits for review

    def get_object(self, request, object_id, from_field=None):
        """The stored item; with a change waiting, its fields show the change."""
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            pending = workflow.pending_revision(obj)
            obj._pending_data = pending.data if pending else None
            obj._pending = pending
            if pending:
                for field in snapshots.own_fields(type(obj)):
                    if field.name in pending.data["fields"]:
                        value = field.to_python(pending.data["fields"][field.name])
                        setattr(obj, field.attname, value)
        return obj

    def _waits_for_review(self, obj):
        return obj.pk is not None and (
            obj.status == ReviewStatus.APPROVED or getattr(obj, "_pending", None) is not None
        )

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        rows = self._pending_rows(obj, inline)
        if rows is not None and request.method != "POST":
            kwargs["queryset"] = kwargs["queryset"].filter(
                pk__in=[row["pk"] for row in rows if row["pk"]]
            )
            kwargs["initial"] = [
                {**row["fields"], **row["m2m"]} for row in rows if row["pk"] is None
            ]
        return kwargs

    def _pending_rows(self, obj, inline):
        pending = getattr(obj, "_pending_data", None) if obj is not None else None
        if not pending:
            return None
        for rel in snapshots.children_of(type(obj)):
            if rel.related_model is inline.model:
                return pending.get("children", {}).get(rel.name)
        link = through_field(type(obj), inline.model)
        if link is None or link.name not in pending.get("m2m", {}):
            return None
        # Link rows as inline rows: the stored ones still proposed, then the new ones.
        target = link.m2m_reverse_field_name()
        proposed = pending["m2m"][link.name]
        stored = {
            getattr(row, f"{target}_id"): row.pk
            for row in inline.model.objects.filter(**{link.m2m_field_name(): obj.pk})
        }
        return [{"pk": stored.get(pk), "fields": {target: pk}, "m2m": {}} for pk in proposed]

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        if request.method != "POST":
            for formset, inline in zip(formsets, inline_instances, strict=True):
                rows = self._pending_rows(obj, inline)
                if rows is None:
                    continue
                formset.extra = len(formset.initial_extra or [])
                by_pk = {row["pk"]: row for row in rows if row["pk"]}
                for child_form in formset.initial_forms:
                    row = by_pk.get(child_form.instance.pk)
                    if row:
                        child_form.initial.update({**row["fields"], **row["m2m"]})
        return super().get_inline_formsets(request, formsets, inline_instances, obj)

    @staticmethod
    def _unchanged(form, formsets=()):
        """Only the Review fields were set: nothing to save, so nobody becomes a contributor."""
        review = {"review_action", "review_reason", "edit_version"}
        return set(form.changed_data) <= review and not any(
            formset.has_changed() for formset in formsets
        )

    def save_model(self, request, obj, form, change):
        if change and (self._waits_for_review(obj) or self._unchanged(form)):
            return  # save_related() stores a change to an approved item for review
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        action = form.cleaned_data.get("review_action")
        reason = (form.cleaned_data.get("review_reason") or "").strip()
        # Nothing is published unless an approval below succeeds: no "changed successfully".
        request._held_for_review = True
        if change and self._waits_for_review(obj) and not self._unchanged(form, formsets):
            obj._pending_data = getattr(obj, "_pending_data", None)
            data = proposed_data(obj, form, formsets)
            stored = type(obj).objects.get(pk=obj.pk)
            try:
                workflow.propose(
                    stored,
                    data,
                    by=request.user,
                    submit=action == "submit",
                    reason=reason if action == "submit" else "",
                    base=form.cleaned_data.get("edit_version") or None,
                )
            except workflow.Stale as stale:  # changed between the form's check and now
                self.message_user(request, stale_message(stored, stale.changes, {}), messages.ERROR)
                return
            for formset in formsets:  # nothing saved: the change message lists no rows
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            self.message_user(request, SAVED_FOR_REVIEW.format(stored), messages.INFO)
            if action and action != "submit":
                self._run(request, action, [stored], reason)
            return
        super().save_related(request, form, formsets, change)
        if (not self._unchanged(form, formsets) or not change) and action not in (
            "approve",
            "approve_all",
        ):
            self.message_user(request, SAVED_AS_DRAFT.format(obj), messages.INFO)
        # After the inlines are saved, so a claim's new citations count for its approval.
        if action:
            self._run(request, action, [form.instance], reason)

    def _run(self, request, action, objects, reason=""):
        transition = workflow.TRANSITIONS[action]
        if action in workflow.WITH_REASON:
            result = transition(objects, by=request.user, reason=reason)
        else:
            result = transition(objects, by=request.user)
        if action in ("approve", "approve_all") and result.changed:
            request._held_for_review = False
        verb = DONE[action]
        for ok, text in workflow.describe(result, verb):
            self.message_user(request, text, messages.SUCCESS if ok else messages.WARNING)

    @admin.action(description="Submit for review", permissions=("change",))
    def submit_for_review(self, request, queryset):
        self._run(request, "submit", queryset)

    @admin.action(description="Approve (publish)", permissions=("review",))
    def approve(self, request, queryset):
        self._run(request, "approve", queryset)

    @admin.action(description="Retire (take off the site)", permissions=("review",))
    def retire(self, request, queryset):
        self._run(request, "retire", queryset)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        in_review = self.admin_site.admin_view(self.in_review_view)
        return [
            path("<path:object_id>/in-review/", in_review, name="{}_{}_in_review".format(*info)),
            *super().get_urls(),
        ]

    def in_review_view(self, request, object_id):
        """The change waiting on an item, field by field, with approve and return (POST)."""
        obj = self._item(request, object_id)
        pending = workflow.pending_revision(obj)
        if pending is None:
            self.message_user(request, f"No change to “{obj}” is waiting.", messages.INFO)
            return redirect(self._context(request, obj, "")["change_url"])
        if request.method == "POST":
            action = request.POST.get("action")
            if action in DONE and action != "retire":
                self._run(request, action, [obj], request.POST.get("reason", "").strip())
            return redirect(self._context(request, obj, "")["change_url"])
        changes = snapshots.compare(type(obj), snapshots.snapshot(obj), pending.data)
        context = self._context(
            request,
            obj,
            f"{obj}: change in review",
            revision=pending,
            table=snapshots.as_table(changes),
            left="Approved (readers see this)",
            right="Proposed",
            can_approve=workflow.can_review(request.user),
            can_submit=self.has_change_permission(request, obj),
            contributed=request.user.pk in pending.contributor_ids,
            dependencies=workflow.dependency_closure(obj),
        )
        return TemplateResponse(request, "admin/revisions/diff.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = admin.ModelAdmin.get_object(self, request, object_id)
        pending = workflow.pending_revision(obj) if obj is not None else None
        extra = {"pending_revision": pending, **(extra_context or {})}
        if pending is not None and request.method != "POST":
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_in_review", args=[obj.pk]
            )
            names = ", ".join(dict.fromkeys(c["name"] for c in pending.contributions))
            message = format_html(
                "A change by {} is waiting for review ({}): the form shows it. Readers see the "
                'approved version until it is approved. <a href="{}">Compare it with the '
                "approved version</a>.",
                names or pending.author or "an editor",
                pending.get_status_display().lower(),
                url,
            )
            self.message_user(request, message, messages.INFO)
            decision = pending.last_decision
            if decision and decision["action"] in ("changes", "returned") and decision["reason"]:
                self.message_user(
                    request,
                    format_html(
                        "{} by {}: “{}”",
                        decision["label"],
                        decision["name"],
                        decision["reason"],
                    ),
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra)


LOCKED_PART = (
    "“{}” is approved: change this on its page, where the change waits for review and "
    "readers keep the approved version until then."
)


class PartOfReviewedAdmin(HistoryAdmin):
    """Rows that belong to a reviewed item, e.g. a claim's citations or a condition's
    statements. While the item is approved they are read-only here: they are changed on the
    item's own page, where the change waits for review with the item's other changes."""

    reviewed_parent = ""  # the path to the reviewed item, e.g. "claim" or "certainty__condition"

    def parent_of(self, obj):
        for name in self.reviewed_parent.split("__"):
            obj = getattr(obj, name, None) if obj is not None else None
        return obj

    def locked_by(self, obj):
        """The approved item `obj` belongs to, or None when it may be changed here."""
        parent = self.parent_of(obj) if obj is not None else None
        return parent if parent is not None and parent.status == ReviewStatus.APPROVED else None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.locked_by(obj) is None

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.locked_by(obj) is None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        locked_by = self.locked_by

        class PartForm(form):
            def _post_clean(self):
                super()._post_clean()
                parent = locked_by(self.instance)
                if parent is not None:
                    self.add_error(None, LOCKED_PART.format(parent))

        return PartForm


def on_site_url(model_admin, obj):
    """Where readers see `obj`, once they can; None hides the change form's "View on site".

    Set as a ModelAdmin's `view_on_site`. A claim also needs a citation to be shown (the
    changelist annotates `citation_count`; the change form counts on the approval rule).
    """
    if not obj.is_published or getattr(obj, "citation_count", 1) == 0:
        return None
    return obj.get_absolute_url()


@admin.display(description="On site")
def on_site(obj):
    """A changelist column linking to the public page of a published row (no query)."""
    url = on_site_url(None, obj)
    return format_html('<a href="{}">View</a>', url) if url else "—"


@admin.display(description="Seed", ordering="reported_by__key")
def seed_key(obj):
    """The key of the seed article an object was reported by (select `reported_by`); a study
    as the paper reports it has no seed: it comes from the editors' check."""
    return obj.reported_by.key if obj.reported_by else "none (editors' check of the paper)"


class VerifiedFilter(admin.SimpleListFilter):
    title = "bibliographic data"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return (("yes", "Verified"), ("no", "Unverified"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(confirmed_at="")
        if self.value() == "no":
            return queryset.filter(confirmed_at="")
        return queryset


class SeedFilter(admin.SimpleListFilter):
    title = "seed article"
    parameter_name = "seed"

    def lookups(self, request, model_admin):
        return (("yes", "Seed articles"), ("no", "Other sources"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(seed_file="")
        if self.value() == "no":
            return queryset.filter(seed_file="")
        return queryset


class CitedFilter(admin.SimpleListFilter):
    title = "citations"
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return (("yes", "Cited"), ("no", "No citation yet"))

    def queryset(self, request, queryset):
        cited = Exists(Citation.objects.filter(claim=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(cited)
        if self.value() == "no":
            return queryset.exclude(cited)
        return queryset


# ---------------------------------------------------------------- grading scales


class GradeInline(admin.TabularInline):
    model = Grade
    extra = 0
    fields = ("rank", "code", "label", "definition")
    prepopulated_fields = {"code": ("label",)}


@admin.register(GradingScale)
class GradingScaleAdmin(ReviewedAdmin):
    list_display = ("name", "slug", "grade_count", "source", "status", "last_reviewed")
    list_filter = ("status",)
    search_fields = ("name", "slug", "source")
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = HTTPS_URLS
    inlines = (GradeInline,)
    ordering = ("name",)  # Meta.ordering does not apply to the annotated (grouped) query

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(grade_count=Count("grades"))

    @admin.display(description="Grades", ordering="grade_count")
    def grade_count(self, obj):
        return obj.grade_count


@admin.register(Grade)
class GradeAdmin(PartOfReviewedAdmin):
    reviewed_parent = "scale"

    list_display = ("label", "code", "scale", "rank")
    list_filter = ("scale",)
    search_fields = ("label", "code", "scale__name")
    list_select_related = ("scale",)
    prepopulated_fields = {"code": ("label",)}


# ---------------------------------------------------------------- sources


class SeedReferenceInline(admin.TabularInline):
    model = SeedReference
    fk_name = "seed"
    extra = 0
    fields = ("number", "source", "as_printed")
    autocomplete_fields = ("source",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("seed", "source")


@admin.register(Source)
class SourceAdmin(ReferenceImportAdmin, ReviewedAdmin):
    list_display = ("key", "short_title", "kind", "year", "verified", "links", "is_seed", "status")
    list_filter = ("status", "kind", VerifiedFilter, SeedFilter)
    search_fields = ("key", "authors", "title", "container", "doi", "pmid")
    formfield_overrides = HTTPS_URLS
    fieldsets = (
        (None, {"fields": ("key", "kind", "reliability", *ReviewedAdmin.review_fields)}),
        (
            "Bibliographic data",
            {
                "fields": (
                    ("authors", "year"),
                    "title",
                    "container",
                    ("volume", "issue", "pages"),
                    ("doi", "pmid"),
                    "url",
                    "confirmed_at",
                    "bibliographic_note",
                )
            },
        ),
        ("Seed article", {"fields": ("seed_file",), "classes": ("collapse",)}),
    )

    def get_inlines(self, request, obj):
        """Only a seed article has a reference list."""
        return (SeedReferenceInline,) if obj is not None and obj.is_seed else ()

    @admin.display(description="Title", ordering="title")
    def short_title(self, obj):
        return obj.title if len(obj.title) <= 80 else f"{obj.title[:79]}…"

    @admin.display(description="Bibliographic data", ordering="confirmed_at")
    def verified(self, obj):
        if obj.is_verified:
            return format_html('<span title="{}">✔ verified</span>', obj.confirmed_at)
        return format_html("<strong>{}</strong>", "✘ unverified")

    @admin.display(description="Links")
    def links(self, obj):
        found = [(obj.doi_url, "DOI"), (obj.pubmed_url, "PubMed"), (safe_url(obj.url), "Web")]
        return format_html_join(
            " ",
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            ((url, name) for url, name in found if url),
        )

    @admin.display(description="Seed", boolean=True, ordering="seed_file")
    def is_seed(self, obj):
        return obj.is_seed


@admin.register(SeedReference)
class SeedReferenceAdmin(PartOfReviewedAdmin):
    reviewed_parent = "seed"

    list_display = ("seed_key", "number", "source", "as_printed")
    list_filter = ("seed",)
    search_fields = ("as_printed", "source__key", "source__title", "seed__key")
    list_select_related = ("seed", "source")
    autocomplete_fields = ("seed", "source")

    @admin.display(description="Seed", ordering="seed__key")
    def seed_key(self, obj):
        return obj.seed.key


# ---------------------------------------------------------------- what the sources report


@admin.register(Intervention)
class InterventionAdmin(ReviewedAdmin):
    list_display = ("name", "drug", "route", "strength", "frequency", seed_key, "status")
    list_filter = ("status", "route", "reported_by")
    search_fields = ("key", "name", "drug", "formulation")
    list_select_related = ("reported_by",)
    prepopulated_fields = {"key": ("name",)}
    autocomplete_fields = ("reported_by",)


@admin.register(Mechanism)
class MechanismAdmin(PreviewAdmin, ReviewedAdmin):
    list_display = ("name", "slug", seed_key, "status", "last_reviewed", on_site)
    list_filter = ("status", "reported_by")
    view_on_site = on_site_url
    search_fields = ("slug", "name", "summary")
    list_select_related = ("reported_by",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("reported_by",)
    readonly_fields = ("summary_preview",)

    @admin.display(description="Preview")
    def summary_preview(self, obj):
        return preview(obj.summary if obj else "")


class StudyAccountInline(admin.StackedInline):
    """What each seed article said about the study, shown on the study's page as its own."""

    model = StudyAccount
    extra = 0
    fields = ("reported_by", "quote", "design", "population", "n", "result")
    autocomplete_fields = ("reported_by",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("study", "reported_by")


@admin.register(Study)
class StudyAdmin(ReviewedAdmin):
    inlines = (StudyAccountInline,)
    list_display = (
        "label",
        "design",
        "level",
        "n",
        "paper",
        seed_key,
        "status",
        "last_reviewed",
        on_site,
    )
    list_filter = ("status", "design", "reported_by", "conditions")
    view_on_site = on_site_url
    search_fields = ("key", "label", "population", "result", "source__key", "source__title")
    list_select_related = ("source", "reported_by")
    prepopulated_fields = {"key": ("label",)}
    autocomplete_fields = ("source", "intervention", "reported_by", "per_check")

    @admin.display(description="CEBM level")
    def level(self, obj):
        code = obj.level_code
        if code is None:
            return format_html('<span title="{}">not graded</span>', "Opinion, not evidence")
        return format_html('<span title="{}">Level {}</span>', "Oxford CEBM 2011", code)

    @admin.display(description="Paper", ordering="source__key")
    def paper(self, obj):
        return obj.source.key


# ---------------------------------------------------------------- claims


class CitationFormSet(BaseInlineFormSet):
    """An approved claim keeps a citation: the workflow's rule, counting this form's rows."""

    def clean(self):
        super().clean()
        if self.instance.status != ReviewStatus.APPROVED:
            return
        kept = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        refusal = workflow.approval_refusal(self.instance, citation_count=len(kept))
        if refusal:
            raise ValidationError(f"This claim is approved. {refusal}")


class CitationInline(admin.TabularInline):
    model = Citation
    formset = CitationFormSet
    extra = 0
    fields = ("source", "reported_by", "quote")
    autocomplete_fields = ("source", "reported_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim", "source", "reported_by")


class PrimarySourceCheckInline(admin.TabularInline):
    model = PrimarySourceCheck
    extra = 0
    fields = ("key", "source", "verdict", "finding", "checked_against", "checked_by")
    autocomplete_fields = ("source",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim", "source")


@admin.register(Claim)
class ClaimAdmin(ReviewedAdmin):
    list_display = (
        "key",
        "kind",
        "outcome",
        "route",
        "citation_count",
        "status",
        "last_reviewed",
        on_site,
    )
    list_filter = ("status", CitedFilter, "kind", "outcome", "route", "conditions")
    ordering = ("kind", "key")  # Meta.ordering does not apply to the annotated (grouped) query
    view_on_site = on_site_url
    search_fields = ("key", "statement")
    autocomplete_fields = ("study", "intervention", "mechanism")
    inlines = (CitationInline, PrimarySourceCheckInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="Citations", ordering="citation_count")
    def citation_count(self, obj):
        if obj.citation_count == 0:
            return format_html("<strong>{}</strong>", "none")
        return obj.citation_count


@admin.register(Citation)
class CitationAdmin(PartOfReviewedAdmin):
    reviewed_parent = "claim"

    list_display = ("claim", "source", seed_key)
    list_filter = ("reported_by",)
    search_fields = ("claim__key", "source__key", "source__title", "quote")
    list_select_related = ("claim", "source", "reported_by")
    autocomplete_fields = ("claim", "source", "reported_by")


@admin.register(StudyAccount)
class StudyAccountAdmin(PartOfReviewedAdmin):
    reviewed_parent = "study"

    list_display = ("study", seed_key)
    list_filter = ("reported_by",)
    search_fields = ("study__key", "study__label", "quote", "result")
    list_select_related = ("study", "reported_by")
    autocomplete_fields = ("study", "reported_by")


# ---------------------------------------------------------------- disagreements and checks


@admin.register(Conflict)
class ConflictAdmin(ReviewedAdmin):
    list_display = ("title", "claim_a", "claim_b", "status", "last_reviewed")
    list_filter = ("status",)
    search_fields = ("key", "title", "editors_note", "claim_a__key", "claim_b__key")
    list_select_related = ("claim_a", "claim_b")
    prepopulated_fields = {"key": ("title",)}
    autocomplete_fields = ("claim_a", "claim_b")


@admin.register(PrimarySourceCheck)
class PrimarySourceCheckAdmin(PartOfReviewedAdmin):
    reviewed_parent = "claim"

    list_display = ("key", "claim", "source", "verdict", "checked_by")
    list_filter = ("verdict",)
    search_fields = ("key", "claim__key", "source__key", "finding")
    list_select_related = ("claim", "source")
    autocomplete_fields = ("claim", "source", "study")


# ---------------------------------------------------------------- changes waiting for review


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Every proposed change: reviewers work through the ones in review from here."""

    list_display = (
        "item_link",
        "kind",
        "summary",
        "reason",
        "status",
        "contributors",
        "created",
        "reviewed",
    )
    list_filter = ("status", "kind", "content_type")
    search_fields = ("item_repr", "summary")
    list_select_related = ("author", "reviewed_by", "content_type")
    actions = ("approve", "return_to_draft")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return workflow.can_review(request.user)

    @admin.display(description="Item", ordering="item_repr")
    def item_link(self, obj):
        model = obj.content_type.model_class()
        view = "in_review" if obj.is_pending else "change"
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=[obj.object_id]
        )
        return format_html('<a href="{}">{}</a>', url, obj.item_repr)

    @admin.display(description="Contributors")
    def contributors(self, obj):
        """Everyone who wrote part of the change (no query: they are stored with it)."""
        names = dict.fromkeys(entry["name"] for entry in obj.contributions)
        return ", ".join(names) or (str(obj.author) if obj.author else "—")

    @admin.display(description="Reviewed", ordering="reviewed_on")
    def reviewed(self, obj):
        if not obj.reviewed_on:
            return "—"
        return f"{obj.reviewed_on:%d %b %Y} by {display_name(obj.reviewed_by)}"

    def _items(self, queryset):
        # One query per content type for the items the selected changes are about.
        by_type = {}
        for revision in queryset.pending():
            by_type.setdefault(revision.content_type, []).append(revision.object_id)
        return [
            item
            for content_type, ids in by_type.items()
            for item in content_type.model_class()._base_manager.filter(pk__in=ids)
        ]

    def _run(self, request, action, queryset):
        result = workflow.TRANSITIONS[action](self._items(queryset), by=request.user)
        for ok, text in workflow.describe(result, DONE[action]):
            self.message_user(request, text, messages.SUCCESS if ok else messages.WARNING)

    @admin.action(description="Approve the selected changes", permissions=("review",))
    def approve(self, request, queryset):
        self._run(request, "approve", queryset)

    @admin.action(description="Return the selected changes to their authors", permissions=("view",))
    def return_to_draft(self, request, queryset):
        self._run(request, "draft", queryset)
