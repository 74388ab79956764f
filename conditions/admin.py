"""Admin for editors: conditions, their verdicts, guideline context and certainty per outcome."""

from django import forms
from django.contrib import admin
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from evidence.admin import (
    PartOfReviewedAdmin,
    PreviewAdmin,
    ReviewedAdmin,
    on_site,
    on_site_url,
    plain_text,
    preview,
    reading_grade_note,
)
from evidence.models import Claim, Study
from evidence.wording import paraphrase_problem, wording_problem

from .models import (
    CertaintyRating,
    Condition,
    IndirectEvidence,
    OutcomeCertainty,
    PlainStatement,
    TreatmentRecommendation,
)
from .plain_language import reading_grade
from .selectors import claim_certainty, outcome_certainty_codes


def ruling_column(ruling):
    """The grade a page shows, naming the rule, and flagging where editors depart from it."""
    if ruling.departs:
        return format_html(
            '<strong title="{}">{} (override; the rule gives {})</strong>',
            ruling.override_reason,
            ruling.code,
            ruling.rule_code or "no grade",
        )
    return format_html('<span title="{}">{}</span>', ruling.rule, ruling.code or "no grade")


# The studies the rules read: approved ones, designs only.
APPROVED_STUDIES = Study.objects.published().only("pk", "design")


# ---------------------------------------------------------------- plain language


def statement_grade(text):
    """The reading grade column of a plain-language sentence (no query)."""
    return reading_grade_note(reading_grade([text]) if text else None)


def wording_refusal(text, claim, codes):
    """Why a patient sentence is surer than its claim's quotes, does not say whose words they
    are, or is worded wrongly for its claim's certainty; or None.

    `codes` is selectors.outcome_certainty_codes(); sentences about no graded outcome pass.
    """
    code = claim_certainty(claim, codes) if claim is not None else None
    if code and text:  # about a graded outcome: the wording follows its certainty
        return wording_problem(text, code)
    if claim is not None and text:  # else it restates the article: its voice, its hedge
        return paraphrase_problem(text, [c.quote for c in claim.citations.all()])
    return None


class PlainStatementForm(forms.ModelForm):
    """Refuses a patient sentence worded for another certainty than its outcome's."""

    def clean(self):
        cleaned = super().clean()
        condition = cleaned.get("condition")
        if condition is not None:
            problem = wording_refusal(
                cleaned.get("text", ""), cleaned.get("claim"), outcome_certainty_codes(condition)
            )
            if problem:
                self.add_error("text", problem)
        return cleaned


class PlainStatementFormSet(BaseInlineFormSet):
    """The same refusal for the statements edited on a condition (four queries per save)."""

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return  # a new condition has no graded outcome yet
        codes = outcome_certainty_codes(self.instance)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            problem = wording_refusal(data.get("text", ""), data.get("claim"), codes)
            if problem:
                form.add_error("text", problem)


class PlainLanguagePreview(PreviewAdmin):
    measure_reading_grade = staticmethod(reading_grade)


# ---------------------------------------------------------------- inlines


class ConditionClaimInline(admin.TabularInline):
    model = Condition.claims.through
    extra = 0
    autocomplete_fields = ("claim",)
    verbose_name = "claim"
    verbose_name_plural = "claims"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim")


class TreatmentRecommendationInline(admin.TabularInline):
    model = TreatmentRecommendation
    extra = 0
    fields = (
        "order",
        "treatment",
        "line_of_therapy",
        "setting",
        "strength",
        "quality",
        "graded_by",
        "claim",
    )
    autocomplete_fields = ("graded_by", "claim")


class IndirectEvidenceInline(admin.TabularInline):
    model = IndirectEvidence
    extra = 0
    autocomplete_fields = ("study",)


class OutcomeCertaintyInline(admin.TabularInline):
    model = OutcomeCertainty
    extra = 0
    fields = ("outcome", "route", "studies", "rationale")
    autocomplete_fields = ("studies",)
    show_change_link = True  # ratings and any override are edited on the certainty's own page


class PlainStatementInline(admin.TabularInline):
    model = PlainStatement
    formset = PlainStatementFormSet
    extra = 0
    fields = ("section", "order", "text", "reading_grade", "claim")
    readonly_fields = ("reading_grade",)
    autocomplete_fields = ("claim",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("condition", "claim")

    @admin.display(description="Reading grade")
    def reading_grade(self, obj):
        return statement_grade(obj.text if obj else "")


class CertaintyRatingInline(admin.TabularInline):
    model = CertaintyRating
    extra = 0
    fields = ("domain", "level_change", "reason")


# ---------------------------------------------------------------- conditions


@admin.register(Condition)
class ConditionAdmin(PlainLanguagePreview, ReviewedAdmin):
    list_display = ("name", "verdict", "grade", "status", "last_reviewed", on_site)
    list_filter = ("status",)
    view_on_site = on_site_url
    search_fields = ("name", "slug", "synonyms", "verdict")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("studies",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "synonyms", *ReviewedAdmin.review_fields)}),
        (
            "Summaries",
            {
                "fields": (
                    "clinician_summary",
                    "clinician_preview",
                    "patient_summary",
                    "patient_reading_grade",
                    "patient_preview",
                )
            },
        ),
        (
            "Verdict",
            {
                "fields": (
                    "verdict",
                    "grade",
                    "verdict_rationale",
                    "studies",
                    "verdict_override",
                    "verdict_override_reason",
                )
            },
        ),
    )
    readonly_fields = ("clinician_preview", "patient_preview", "patient_reading_grade", "grade")
    inlines = (
        ConditionClaimInline,
        IndirectEvidenceInline,
        TreatmentRecommendationInline,
        OutcomeCertaintyInline,
        PlainStatementInline,
    )

    def get_queryset(self, request):
        """Conditions with their override and approved studies' designs: four queries in all."""
        return (
            super()
            .get_queryset(request)
            .select_related("verdict_override")
            .prefetch_related(
                Prefetch("studies", APPROVED_STUDIES, to_attr="approved_studies"),
                Prefetch("indirect_studies", APPROVED_STUDIES, to_attr="approved_indirect"),
            )
        )

    @admin.display(description="Clinician summary preview")
    def clinician_preview(self, obj):
        return preview(obj.clinician_summary if obj else "")

    @admin.display(description="Patient summary preview")
    def patient_preview(self, obj):
        return preview(obj.patient_summary if obj else "")

    @admin.display(description="Patient summary reading grade")
    def patient_reading_grade(self, obj):
        text = plain_text(obj.patient_summary) if obj else ""
        return reading_grade_note(reading_grade([text]) if text else None)

    @admin.display(description="SORT grade")
    def grade(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        # The change list and the change form both take obj from get_queryset(), so the
        # approved studies are prefetched.
        return ruling_column(obj.verdict_ruling(obj.approved_studies, obj.approved_indirect))


@admin.register(TreatmentRecommendation)
class TreatmentRecommendationAdmin(PartOfReviewedAdmin):
    reviewed_parent = "condition"

    list_display = ("treatment", "condition", "line_of_therapy", "strength", "quality", "graded")
    list_filter = ("line_of_therapy", "condition")
    search_fields = ("treatment", "setting", "condition__name")
    list_select_related = ("condition", "strength__scale", "quality__scale", "graded_by")
    autocomplete_fields = ("condition", "graded_by", "claim")

    @admin.display(description="Graded by", ordering="graded_by__key")
    def graded(self, obj):
        return obj.graded_by.key if obj.graded_by else "—"


@admin.register(OutcomeCertainty)
class OutcomeCertaintyAdmin(PartOfReviewedAdmin):
    reviewed_parent = "condition"

    list_display = ("condition", "outcome", "route", "certainty")
    list_filter = ("outcome", "route", "condition")
    search_fields = ("condition__name", "outcome", "rationale")
    autocomplete_fields = ("condition", "studies")
    readonly_fields = ("certainty",)
    fields = (
        "condition",
        "outcome",
        "route",
        "studies",
        "rationale",
        "certainty",
        "certainty_override",
        "certainty_override_reason",
    )
    inlines = (CertaintyRatingInline,)

    def get_queryset(self, request):
        """Certainties with what the rule reads (the condition's approved studies, the ratings)."""
        return (
            super()
            .get_queryset(request)
            .select_related("condition", "certainty_override")
            .prefetch_related(
                Prefetch("studies", Study.objects.only("pk")),
                Prefetch("condition__studies", APPROVED_STUDIES, to_attr="approved_studies"),
                Prefetch(
                    "condition__indirect_evidence",
                    IndirectEvidence.objects.filter(study__in=APPROVED_STUDIES).select_related(
                        "study"
                    ),
                    to_attr="approved_indirect",
                ),
                "ratings",
            )
        )

    @admin.display(description="GRADE certainty")
    def certainty(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        # All from get_queryset(): the condition's approved direct and indirect studies.
        indirect = obj.condition.approved_indirect
        studies = [*obj.condition.approved_studies, *(row.study for row in indirect)]
        return ruling_column(obj.ruling(studies, {row.study_id: row.reason for row in indirect}))


@admin.register(CertaintyRating)
class CertaintyRatingAdmin(PartOfReviewedAdmin):
    reviewed_parent = "certainty__condition"

    list_display = ("certainty", "domain", "level_change", "reason")
    list_filter = ("domain",)
    search_fields = ("certainty__condition__name", "reason")
    list_select_related = ("certainty__condition",)
    autocomplete_fields = ("certainty",)


@admin.register(PlainStatement)
class PlainStatementAdmin(PlainLanguagePreview, PartOfReviewedAdmin):
    reviewed_parent = "condition"

    form = PlainStatementForm
    list_display = ("condition", "section", "order", "text", "reading_grade", "claim")
    list_filter = ("section", "condition")
    search_fields = ("text", "condition__name", "claim__key")
    list_select_related = ("condition", "claim")
    autocomplete_fields = ("condition", "claim")
    readonly_fields = ("reading_grade",)

    @admin.display(description="Reading grade")
    def reading_grade(self, obj):
        return statement_grade(obj.text if obj else "")

    def preview_problems(self, request, name, text):
        """The wording refusal saving would give, for the condition and claim chosen."""
        condition = Condition.objects.filter(pk=_posted_id(request, "condition")).first()
        claim = Claim.objects.filter(pk=_posted_id(request, "claim")).first()
        if condition is None or claim is None:
            return []
        problem = wording_refusal(text, claim, outcome_certainty_codes(condition))
        return [problem] if problem else []


def _posted_id(request, name):
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


@admin.register(IndirectEvidence)
class IndirectEvidenceAdmin(PartOfReviewedAdmin):
    reviewed_parent = "condition"

    list_display = ("condition", "study", "reason")
    list_filter = ("condition",)
    search_fields = ("condition__name", "study__label", "reason")
    list_select_related = ("condition", "study")
    autocomplete_fields = ("condition", "study")
