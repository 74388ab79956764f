"""Admin for editors: conditions, their verdicts, guideline context and certainty per outcome."""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.html import format_html

from evidence import grading
from evidence.admin import GradeScaleMixin, ReviewActionsMixin
from evidence.models import Study
from evidence.rendering import render_preview

from .models import (
    CertaintyRating,
    Condition,
    OutcomeCertainty,
    PlainStatement,
    TreatmentRecommendation,
)


def rule_column(stored, rule, rule_name):
    """The code a rule gives, with a tick when the stored grade agrees and a warning if not."""
    if stored == rule:
        return format_html(
            '<span title="Agrees with {}">{} ✔</span>', rule_name, rule or "no grade"
        )
    return format_html(
        '<strong title="Differs from {}">⚠ {} (stored: {})</strong>',
        rule_name,
        rule or "no grade",
        stored or "no grade",
    )


# ---------------------------------------------------------------- inlines


class ConditionClaimInline(admin.TabularInline):
    model = Condition.claims.through
    extra = 0
    autocomplete_fields = ("claim",)
    verbose_name = "claim"
    verbose_name_plural = "claims"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim")


class TreatmentRecommendationInline(GradeScaleMixin, admin.TabularInline):
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
    grade_scales = {"strength": grading.STRENGTH_SCALE, "quality": grading.QUALITY_SCALE}


class OutcomeCertaintyInline(GradeScaleMixin, admin.TabularInline):
    model = OutcomeCertainty
    extra = 0
    fields = ("outcome", "route", "certainty", "studies", "rationale")
    autocomplete_fields = ("studies",)
    show_change_link = True  # GRADE domain ratings are edited on the certainty's own page
    grade_scales = {"certainty": grading.GRADE_SCALE}


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
class ConditionAdmin(GradeScaleMixin, ReviewActionsMixin, admin.ModelAdmin):
    list_display = ("name", "verdict", "verdict_grade", "rule_grade", "status", "last_reviewed")
    list_filter = ("status",)
    search_fields = ("name", "slug", "synonyms", "verdict")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("studies",)
    grade_scales = {"verdict_grade": grading.SORT_SCALE}
    fieldsets = (
        (None, {"fields": ("name", "slug", "synonyms", "status", "last_reviewed")}),
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
        ("Verdict", {"fields": ("verdict", "verdict_grade", "verdict_rationale", "studies")}),
    )
    readonly_fields = ("clinician_preview", "patient_preview")
    inlines = (
        ConditionClaimInline,
        TreatmentRecommendationInline,
        OutcomeCertaintyInline,
        PlainStatementInline,
    )

    def get_queryset(self, request):
        """Conditions with their grade and their studies' designs, in three queries in all."""
        studies = Study.objects.only("pk", "design", "status")
        return (
            super()
            .get_queryset(request)
            .select_related("verdict_grade__scale")
            .prefetch_related(Prefetch("studies", queryset=studies))
        )

    @admin.display(description="Clinician summary preview")
    def clinician_preview(self, obj):
        return render_preview(obj.clinician_summary) if obj and obj.clinician_summary else "—"

    @admin.display(description="Patient summary preview")
    def patient_preview(self, obj):
        return render_preview(obj.patient_summary) if obj and obj.patient_summary else "—"

    @admin.display(description="Rule gives")
    def rule_grade(self, obj):
        rule = obj.rule_verdict_code()  # reads the prefetched studies
        stored = obj.verdict_grade.code if obj.verdict_grade else None
        return rule_column(stored, rule, grading.SORT_RULE)


@admin.register(TreatmentRecommendation)
class TreatmentRecommendationAdmin(GradeScaleMixin, admin.ModelAdmin):
    list_display = ("treatment", "condition", "line_of_therapy", "strength", "quality", "graded")
    list_filter = ("line_of_therapy", "condition")
    search_fields = ("treatment", "setting", "condition__name")
    list_select_related = ("condition", "strength__scale", "quality__scale", "graded_by")
    autocomplete_fields = ("condition", "graded_by", "claim")
    grade_scales = {"strength": grading.STRENGTH_SCALE, "quality": grading.QUALITY_SCALE}

    @admin.display(description="Graded by", ordering="graded_by__key")
    def graded(self, obj):
        return obj.graded_by.key if obj.graded_by else "—"


@admin.register(OutcomeCertainty)
class OutcomeCertaintyAdmin(GradeScaleMixin, admin.ModelAdmin):
    list_display = ("condition", "outcome", "route", "certainty", "rule_certainty")
    list_filter = ("outcome", "route", "condition")
    search_fields = ("condition__name", "outcome", "rationale")
    autocomplete_fields = ("condition", "studies")
    grade_scales = {"certainty": grading.GRADE_SCALE}
    inlines = (CertaintyRatingInline,)

    def get_queryset(self, request):
        """Certainties with the studies and ratings the rule reads, in four queries in all."""
        return (
            super()
            .get_queryset(request)
            .select_related("condition", "certainty__scale")
            .prefetch_related(Prefetch("studies", Study.objects.only("pk", "design")), "ratings")
        )

    @admin.display(description="Rule gives")
    def rule_certainty(self, obj):
        return rule_column(obj.certainty.code, obj.rule_certainty_code(), grading.GRADE_RULE)


@admin.register(CertaintyRating)
class CertaintyRatingAdmin(admin.ModelAdmin):
    list_display = ("certainty", "domain", "level_change", "reason")
    list_filter = ("domain",)
    search_fields = ("certainty__condition__name", "reason")
    list_select_related = ("certainty__condition",)
    autocomplete_fields = ("certainty",)


@admin.register(PlainStatement)
class PlainStatementAdmin(admin.ModelAdmin):
    list_display = ("condition", "section", "order", "text", "claim")
    list_filter = ("section", "condition")
    search_fields = ("text", "condition__name", "claim__key")
    list_select_related = ("condition", "claim")
    autocomplete_fields = ("condition", "claim")
