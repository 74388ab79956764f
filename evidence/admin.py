"""Admin for editors: sources, studies, claims and the grades attached to them.

Every changelist makes a fixed number of queries whatever its length: foreign keys that a
column prints are joined with `list_select_related`, counts are annotated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from . import workflow
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
)
from .rendering import citation_keys, render_preview, safe_url, unknown_citation_keys

admin.site.site_header = "ldnref editors"
admin.site.site_title = "ldnref editors"
admin.site.index_title = "Evidence and conditions"


# ---------------------------------------------------------------- shared pieces

# An address typed without a scheme becomes https://, as Django 6 will do by default.
HTTPS_URLS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


def preview(text):
    """An editor's preview of Markdown through the pages' own pipeline (one query)."""
    if not text:
        return "—"
    return render_preview(text, Source.objects.by_keys(citation_keys(text)))


# ---------------------------------------------------------------- previews and reading grade

PATIENT_READING_GRADE = 8  # the most a patient-facing text may read at


def plain_text(markdown_text: str) -> str:
    """What a reader reads of `markdown_text`: rendered by the pages' pipeline, tags removed."""
    return strip_tags(preview(markdown_text)) if markdown_text else ""


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
            item.problems = self.preview_problems(request, name, text)
            previewed.append(item)
        return previewed

    def preview_problems(self, request: HttpRequest, name: str, text: str) -> list[str]:
        """What saving `text` in field `name` would be refused for, beyond citation keys."""
        return []


REVIEW_ACTIONS = [
    ("", "Keep the review status"),
    ("submit", "Submit for review"),
    ("approve", "Approve (publish)"),
    ("retire", "Retire (take off the site)"),
    ("draft", "Return to draft"),
]


DONE = {
    "submit": "Submitted for review",
    "approve": "Approved",
    "retire": "Retired",
    "draft": "Returned to draft",
}


class ReviewedForm(forms.ModelForm):
    review_action = forms.ChoiceField(
        choices=REVIEW_ACTIONS,
        required=False,
        label="Review",
        help_text="Applied after saving, through the editorial workflow.",
    )


class ReviewedAdmin(admin.ModelAdmin):
    """Status changes only through evidence.workflow: bulk actions and the change form alike.

    The status, review date and reviewer are read-only here; the "Review" field of the change
    form and the actions below call the workflow, which dates and signs approvals.
    """

    form = ReviewedForm
    actions = ("submit_for_review", "approve", "retire")
    review_fields = ("review_action", "status", "last_reviewed", "reviewed_by")

    def get_readonly_fields(self, request, obj=None):
        return (
            *super().get_readonly_fields(request, obj),
            "status",
            "last_reviewed",
            "reviewed_by",
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines are saved, so a claim's new citations count for its approval.
        action = form.cleaned_data.get("review_action")
        if action:
            self._run(request, action, [form.instance])

    def _run(self, request, action, objects):
        result = workflow.TRANSITIONS[action](objects, by=request.user)
        verb = DONE[action]
        for ok, text in workflow.describe(result, verb):
            self.message_user(request, text, messages.SUCCESS if ok else messages.WARNING)

    @admin.action(description="Submit for review", permissions=("change",))
    def submit_for_review(self, request, queryset):
        self._run(request, "submit", queryset)

    @admin.action(description="Approve (publish)", permissions=("change",))
    def approve(self, request, queryset):
        self._run(request, "approve", queryset)

    @admin.action(description="Retire (take off the site)", permissions=("change",))
    def retire(self, request, queryset):
        self._run(request, "retire", queryset)


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
class GradingScaleAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "grade_count", "source")
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
class GradeAdmin(admin.ModelAdmin):
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
class SourceAdmin(admin.ModelAdmin):
    list_display = ("key", "short_title", "kind", "year", "verified", "links", "is_seed")
    list_filter = ("kind", VerifiedFilter, SeedFilter)
    search_fields = ("key", "authors", "title", "container", "doi", "pmid")
    formfield_overrides = HTTPS_URLS
    fieldsets = (
        (None, {"fields": ("key", "kind", "reliability")}),
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
class SeedReferenceAdmin(admin.ModelAdmin):
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
class InterventionAdmin(admin.ModelAdmin):
    list_display = ("name", "drug", "route", "strength", "frequency", seed_key)
    list_filter = ("route", "reported_by")
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


@admin.register(Study)
class StudyAdmin(ReviewedAdmin):
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
class CitationAdmin(admin.ModelAdmin):
    list_display = ("claim", "source", seed_key)
    list_filter = ("reported_by",)
    search_fields = ("claim__key", "source__key", "source__title", "quote")
    list_select_related = ("claim", "source", "reported_by")
    autocomplete_fields = ("claim", "source", "reported_by")


# ---------------------------------------------------------------- disagreements and checks


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ("title", "claim_a", "claim_b")
    search_fields = ("key", "title", "editors_note", "claim_a__key", "claim_b__key")
    list_select_related = ("claim_a", "claim_b")
    prepopulated_fields = {"key": ("title",)}
    autocomplete_fields = ("claim_a", "claim_b")


@admin.register(PrimarySourceCheck)
class PrimarySourceCheckAdmin(admin.ModelAdmin):
    list_display = ("key", "claim", "source", "verdict", "checked_by")
    list_filter = ("verdict",)
    search_fields = ("key", "claim__key", "source__key", "finding")
    list_select_related = ("claim", "source")
    autocomplete_fields = ("claim", "source", "study")
