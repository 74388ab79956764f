"""Admin for editors: conditions, their verdicts, guideline context and certainty per outcome."""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.html import format_html

from evidence.admin import PartOfReviewedAdmin, ReviewedAdmin, preview
from evidence.models import Study

from .models import (
    CertaintyRating,
    Condition,
    OutcomeCertainty,
    PlainStatement,
    TreatmentRecommendation,
)


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


class OutcomeCertaintyInline(admin.TabularInline):
    model = OutcomeCertainty
    extra = 0
    fields = ("outcome", "route", "studies", "rationale")
    autocomplete_fields = ("studies",)
    show_change_link = True  # ratings and any override are edited on the certainty's own page


class PlainStatementInline(admin.TabularInline):
    model = PlainStatement
    extra = 0
    fields = ("section", "order", "text", "claim")
    autocomplete_fields = ("claim",)


class CertaintyRatingInline(admin.TabularInline):
    model = CertaintyRating
    extra = 0
    fields = ("domain", "level_change", "reason")


# ---------------------------------------------------------------- conditions


@admin.register(Condition)
class ConditionAdmin(ReviewedAdmin):
    list_display = ("name", "verdict", "grade", "status", "last_reviewed")
    list_filter = ("status",)
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
    readonly_fields = ("clinician_preview", "patient_preview", "grade")
    inlines = (
        ConditionClaimInline,
        TreatmentRecommendationInline,
        OutcomeCertaintyInline,
        PlainStatementInline,
    )

    def get_queryset(self, request):
        """Conditions with their override and approved studies' designs: three queries in all."""
        return (
            super()
            .get_queryset(request)
            .select_related("verdict_override")
            .prefetch_related(Prefetch("studies", APPROVED_STUDIES, to_attr="approved_studies"))
        )

    @admin.display(description="Clinician summary preview")
    def clinician_preview(self, obj):
        return preview(obj.clinician_summary if obj else "")

    @admin.display(description="Patient summary preview")
    def patient_preview(self, obj):
        return preview(obj.patient_summary if obj else "")

    @admin.display(description="SORT grade")
    def grade(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        # The change list and the change form both take obj from get_queryset(), so the
        # approved studies are prefetched.
        return ruling_column(obj.verdict_ruling(obj.approved_studies))


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
                "ratings",
            )
        )

    @admin.display(description="GRADE certainty")
    def certainty(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return ruling_column(obj.ruling(obj.condition.approved_studies))  # from get_queryset()


@admin.register(CertaintyRating)
class CertaintyRatingAdmin(PartOfReviewedAdmin):
    reviewed_parent = "certainty__condition"

    list_display = ("certainty", "domain", "level_change", "reason")
    list_filter = ("domain",)
    search_fields = ("certainty__condition__name", "reason")
    list_select_related = ("certainty__condition",)
    autocomplete_fields = ("certainty",)


@admin.register(PlainStatement)
class PlainStatementAdmin(PartOfReviewedAdmin):
    reviewed_parent = "condition"

    list_display = ("condition", "section", "order", "text", "claim")
    list_filter = ("section", "condition")
    search_fields = ("text", "condition__name", "claim__key")
    list_select_related = ("condition", "claim")
    autocomplete_fields = ("condition", "claim")
