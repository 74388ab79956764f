"""The pages people read: conditions, their verdicts, certainty per outcome, guideline context."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from evidence import grading
from evidence.choices import RATE_DOWN_DOMAINS, RATE_UP_DOMAINS, GradeDomain, Outcome, Route
from evidence.models import (
    Claim,
    PublishedKeyedManager,
    Reviewed,
    Source,
    Study,
    grade_field,
    track_history,
    validate_citation_fields,
)
from evidence.validation import CheckedText


def _override_needs_reason(model, prefix):
    return models.CheckConstraint(
        condition=Q(**{f"{prefix}_override__isnull": True})
        | ~Q(**{f"{prefix}_override_reason": ""}),
        name=f"{model}_{prefix}_override_has_reason",
        violation_error_message="Say why the editors depart from the rule.",
    )


class Condition(CheckedText, Reviewed):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    synonyms = models.CharField(max_length=300, blank=True, help_text="Comma-separated.")
    clinician_summary = models.TextField(help_text="Our words; Markdown with [@key] citations.")
    patient_summary = models.TextField(help_text="Plain language, reading grade 8 or below.")
    verdict = models.CharField(
        max_length=300,
        help_text='Our recommendation, e.g. "Not first-line; consider in refractory disease".',
    )
    verdict_rationale = models.TextField(help_text="Why the verdict reads as it does.")
    verdict_override = grade_field(
        grading.SORT_SCALE,
        "SORT",
        null=True,
        blank=True,
        help_text=f"Leave empty to use {grading.SORT_RULE}. Set only to depart from the rule.",
    )
    verdict_override_reason = models.TextField(
        blank=True, help_text="Why the editors depart from the rule; required with an override."
    )
    studies = models.ManyToManyField(
        Study,
        blank=True,
        related_name="conditions",
        help_text="Studies that enrolled people with this condition: direct evidence.",
    )
    indirect_studies = models.ManyToManyField(
        Study,
        blank=True,
        through="IndirectEvidence",
        related_name="indirect_for",
        help_text="Studies of other or narrower groups that this page also uses.",
    )
    claims = models.ManyToManyField(Claim, blank=True, related_name="conditions")

    objects = PublishedKeyedManager("slug")
    history = track_history(m2m_fields=[studies, claims])

    revision_children = ("recommendations", "certainties", "plain_statements")

    class Meta:
        ordering = ["name"]
        indexes = [
            # The home page and a general claim's page list Condition.objects.published() in
            # name order (status = approved ORDER BY name).
            models.Index(fields=["status", "name"], name="condition_published_by_name"),
        ]
        # /conditions/<slug>/ by slug: the unique index on slug. Its studies and claims
        # (condition_id = … in the many-to-many tables): the indexes Django makes there.
        constraints = [_override_needs_reason("condition", "verdict")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("conditions:detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["evidence.grade", "evidence.study", "evidence.claim"]  # type: ignore[attr-defined]

    # Rendered through evidence.rendering, [@key] citations and all; every key must resolve.
    markdown_fields = ("clinician_summary", "patient_summary")
    # Read by patients: their reading grade is measured and shown to editors.
    plain_language_fields = ("patient_summary",)

    def clean(self):
        validate_citation_fields(self, *self.markdown_fields)

    def verdict_ruling(
        self,
        approved_studies: Sequence[grading.HasDesign],
        indirect_studies: Sequence[grading.HasDesign] = (),
    ) -> grading.Ruling:
        """The SORT verdict: the rule applied to the condition's approved studies, or the override.

        Pass the approved direct (`studies`) and indirect (`indirect_studies`) studies as
        loaded; select `verdict_override` to avoid a query.
        """
        override = self.verdict_override
        return grading.condition_verdict(
            approved_studies,
            override.code if override else None,
            self.verdict_override_reason,
            indirect=indirect_studies,
        )


class IndirectEvidenceManager(models.Manager):
    def get_by_natural_key(self, condition_slug, study_key):
        return self.get(condition__slug=condition_slug, study__key=study_key)


class IndirectEvidence(CheckedText):
    """A study of another or narrower group that a condition's page uses as indirect evidence.

    Its certainty is rated down for indirectness with this reason, and it cannot earn the
    condition a SORT B on its own (grading.SORT_RULE).
    """

    condition = models.ForeignKey(
        Condition, on_delete=models.CASCADE, related_name="indirect_evidence"
    )
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(
        help_text="Who the study enrolled, and how that differs from this condition's patients."
    )

    objects = IndirectEvidenceManager()
    history = track_history()

    class Meta:
        ordering = ["condition__name", "study__label"]
        verbose_name_plural = "indirect evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "study"],
                name="indirectevidence_unique",
                violation_error_message="This condition already uses this study indirectly.",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="indirectevidence_has_reason",
                violation_error_message="Say how the study's patients differ from this one's.",
            ),
        ]

    def __str__(self):
        return f"{self.condition}: {self.study} (indirect)"

    def natural_key(self):
        return (*self.condition.natural_key(), self.study.key)

    natural_key.dependencies = ["conditions.condition", "evidence.study"]  # type: ignore[attr-defined]

    def clean(self):
        if self.condition_id and self.study_id and self.condition.studies.filter(pk=self.study_id):
            raise ValidationError(
                {"study": "This study enrolled people with this condition: it is direct evidence."}
            )


class LineOfTherapy(models.TextChoices):
    FIRST = "first", "First-line"
    SECOND = "second", "Second-line"
    THIRD = "third", "Third-line"


class TreatmentRecommendationManager(models.Manager):
    def get_by_natural_key(self, condition_slug, treatment):
        return self.get(condition__slug=condition_slug, treatment=treatment)


class TreatmentRecommendation(CheckedText):
    """A guideline treatment the seed compares LDN with, graded as the seed reports it."""

    condition = models.ForeignKey(
        Condition, on_delete=models.CASCADE, related_name="recommendations"
    )
    treatment = models.CharField(max_length=200)
    line_of_therapy = models.CharField(
        max_length=10, choices=LineOfTherapy, blank=True, help_text="Empty: not stated."
    )
    setting = models.CharField(
        max_length=200,
        blank=True,
        help_text='Where it applies as stated, e.g. "moderate-to-severe".',
    )
    strength = grade_field(
        grading.STRENGTH_SCALE,
        "strength of recommendation (A–E)",
        null=True,
        blank=True,
        help_text="Strength of recommendation (A–E) as the source reports it.",
    )
    quality = grade_field(
        grading.QUALITY_SCALE,
        "quality of evidence (I–IV)",
        null=True,
        blank=True,
        help_text="Quality of evidence (I–IV) as the source reports it.",
    )
    graded_by = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose grade this is, as the seed attributes it.",
    )
    claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        related_name="recommendations",
        help_text="The claim (with its citation and quote) this row rests on.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = TreatmentRecommendationManager()
    history = track_history()

    class Meta:
        ordering = ["condition__name", "order", "treatment"]
        # A condition page's rows (condition_id = …): recommendation_unique starts with it.
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "treatment"],
                name="recommendation_unique",
                violation_error_message="This condition already lists this treatment.",
            ),
        ]

    def __str__(self):
        line = f" ({self.get_line_of_therapy_display()})" if self.line_of_therapy else ""
        return f"{self.condition}: {self.treatment}{line}"

    def natural_key(self):
        return (*self.condition.natural_key(), self.treatment)

    natural_key.dependencies = ["conditions.condition", "evidence.claim", "evidence.grade"]  # type: ignore[attr-defined]

    def clean(self):
        if (self.strength_id or self.quality_id) and not self.graded_by_id:
            raise ValidationError({"graded_by": "Say whose grade this is."})


class OutcomeCertaintyManager(models.Manager):
    def get_by_natural_key(self, condition_slug, outcome, route):
        return self.get(condition__slug=condition_slug, outcome=outcome, route=route)


class OutcomeCertainty(CheckedText):
    """GRADE certainty for one outcome of LDN in one condition by one route.

    The certainty itself is derived (grading.outcome_certainty) from the outcome's studies and
    the rating steps below; editors store only those judgements and an optional override.
    """

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="certainties")
    outcome = models.CharField(max_length=30, choices=Outcome)
    route = models.CharField(max_length=10, choices=Route)
    studies = models.ManyToManyField(
        Study,
        related_name="certainties",
        help_text="The condition's studies that measured this outcome by this route.",
    )
    rationale = models.TextField(help_text="Summary of the judgement, in our words.")
    certainty_override = grade_field(
        grading.GRADE_SCALE,
        "GRADE certainty",
        null=True,
        blank=True,
        help_text=f"Leave empty to use {grading.GRADE_RULE}. Set only to depart from the rule.",
    )
    certainty_override_reason = models.TextField(
        blank=True, help_text="Why the editors depart from the rule; required with an override."
    )

    objects = OutcomeCertaintyManager()
    history = track_history(m2m_fields=[studies])

    class Meta:
        ordering = ["condition__name", "outcome", "route"]
        verbose_name_plural = "outcome certainties"
        # A condition page's certainties (condition_id = …): certainty_unique starts with it.
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "outcome", "route"],
                name="certainty_unique",
                violation_error_message=(
                    "This condition already has a certainty for this outcome and route."
                ),
            ),
            _override_needs_reason("outcomecertainty", "certainty"),
        ]

    def __str__(self):
        return f"{self.condition}: {self.get_outcome_display()}, {self.get_route_display()}"

    def natural_key(self):
        return (*self.condition.natural_key(), self.outcome, self.route)

    natural_key.dependencies = ["conditions.condition", "evidence.study", "evidence.grade"]  # type: ignore[attr-defined]

    def body_of_evidence(self, approved_studies: Sequence[Study]) -> list[Study]:
        """This outcome's studies among the condition's approved ones (the verdict's set).

        `approved_studies` holds the direct and the indirect ones. Reads `studies.all()`:
        prefetch it (primary keys suffice) to avoid a query.
        """
        ids = {study.pk for study in self.studies.all()}
        return [study for study in approved_studies if study.pk in ids]

    def ruling(
        self, approved_studies: Sequence[Study], indirect: Mapping[int, str] | None = None
    ) -> grading.Ruling:
        """The certainty the rule gives, or the override; prefetch `ratings` and `studies`.

        `indirect` maps the primary key of each of the condition's indirect studies to the
        reason it is indirect (IndirectEvidence.reason).
        """
        override = self.certainty_override
        body = self.body_of_evidence(approved_studies)
        indirect = indirect or {}
        return grading.outcome_certainty(
            body,
            [(rating.domain, rating.level_change) for rating in self.ratings.all()],
            override.code if override else None,
            self.certainty_override_reason,
            indirect_reasons=[indirect[s.pk] for s in body if s.pk in indirect],
        )


class CertaintyRatingManager(models.Manager):
    def get_by_natural_key(self, condition_slug, outcome, route, domain):
        return self.get(
            certainty__condition__slug=condition_slug,
            certainty__outcome=outcome,
            certainty__route=route,
            domain=domain,
        )


class CertaintyRating(CheckedText):
    """One GRADE domain judgement that moves a certainty up or down, with its reason."""

    certainty = models.ForeignKey(
        OutcomeCertainty, on_delete=models.CASCADE, related_name="ratings"
    )
    domain = models.CharField(max_length=20, choices=GradeDomain)
    level_change = models.SmallIntegerField(
        help_text="-1 serious, -2 very serious, +1/+2 to rate up."
    )
    reason = models.TextField()

    objects = CertaintyRatingManager()
    history = track_history()

    class Meta:
        ordering = ["certainty", "domain"]
        # The ratings of a page's certainties (certainty_id IN …): rating_one_per_domain.
        constraints = [
            models.UniqueConstraint(
                fields=["certainty", "domain"],
                name="rating_one_per_domain",
                violation_error_message="This certainty already has a rating in this GRADE domain.",
            ),
            models.CheckConstraint(
                condition=Q(level_change__in=[-2, -1], domain__in=RATE_DOWN_DOMAINS)
                | Q(level_change__in=[1, 2], domain__in=RATE_UP_DOMAINS),
                name="rating_direction_follows_domain",
                violation_error_message=(
                    "Risk of bias, inconsistency, indirectness, imprecision and publication bias "
                    "rate down (-1 or -2); large effect, dose-response and confounding rate up "
                    "(+1 or +2)."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_domain_display()} {self.level_change:+d}"

    def natural_key(self):
        return (*self.certainty.natural_key(), self.domain)

    natural_key.dependencies = ["conditions.outcomecertainty"]  # type: ignore[attr-defined]


class PlainSection(models.TextChoices):
    HELPS = "helps", "Does it help?"
    USE = "use", "How it is used"
    SIDE_EFFECTS = "side-effects", "Side effects"


class PlainStatementManager(models.Manager):
    def get_by_natural_key(self, condition_slug, section, order):
        return self.get(condition__slug=condition_slug, section=section, order=order)


class PlainStatement(CheckedText):
    """A plain-language sentence on the patient page, tied to the claim that supports it."""

    condition = models.ForeignKey(
        Condition, on_delete=models.CASCADE, related_name="plain_statements"
    )
    section = models.CharField(max_length=20, choices=PlainSection)
    text = models.TextField(help_text="Plain language, short sentences, reading grade 8 or below.")
    claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        related_name="plain_statements",
        help_text="The claim on the clinician page that says the same thing.",
    )
    order = models.PositiveSmallIntegerField(default=1)

    objects = PlainStatementManager()
    history = track_history()

    class Meta:
        ordering = ["condition__name", "section", "order"]
        # The patient page's statements (condition_id = … by section and order):
        # plainstatement_unique_position.
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "section", "order"],
                name="plainstatement_unique_position",
                violation_error_message="This section already has a statement at this position.",
            ),
        ]

    plain_language_fields = ("text",)

    def __str__(self):
        return f"{self.condition}: {self.text[:60]}"

    def natural_key(self):
        return (*self.condition.natural_key(), self.section, self.order)

    natural_key.dependencies = ["conditions.condition", "evidence.claim"]  # type: ignore[attr-defined]

    def clean(self):
        # Nothing may appear on the patient page that the clinician page does not support.
        if self.condition_id and self.claim_id:
            claim_conditions = set(self.claim.conditions.values_list("pk", flat=True))
            if claim_conditions and self.condition_id not in claim_conditions:
                raise ValidationError(
                    {"claim": "Choose a claim shown on this condition's clinician page."}
                )
