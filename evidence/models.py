"""Everything citable and gradable: sources, studies, claims and the grades attached to them."""

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from revisions.models import display_name

from . import grading
from .choices import (
    CheckVerdict,
    ClaimKind,
    Outcome,
    ReviewStatus,
    Route,
    SafetyQuestion,
    SourceKind,
    StudyDesign,
)
from .rendering import CITATION_PATTERN, citation_keys, unknown_citation_keys
from .validation import CheckedText

CITATION_IN_TEXT = re.compile(CITATION_PATTERN)


class KeyedManager(models.Manager):
    """Natural key lookups by a unique `key` or `slug` field."""

    def __init__(self, key_field="key"):
        super().__init__()
        self.key_field = key_field

    def get_by_natural_key(self, key):
        return self.get(**{self.key_field: key})


def approved(prefix: str = "") -> Q:
    """The review rule readers see by: approved. `prefix` reaches it through a relation."""
    return Q(**{f"{prefix}status": ReviewStatus.APPROVED})


class PublishedQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: approved rows (Reviewed.is_published says the same per row)."""
        return self.filter(approved())


PublishedKeyedManager = KeyedManager.from_queryset(PublishedQuerySet)


def track_history(**options) -> HistoricalRecords:
    """Who changed a row, what and when: one historical table per model, in the revisions app."""
    return HistoricalRecords(app="revisions", **options)


class Reviewed(models.Model):
    """Content that readers see only once approved; evidence.workflow alone changes `status`.

    The row is always the version readers may see: an edit to an approved row waits as a
    revisions.Revision until a reviewer approves it. `revision_children` names the inline
    rows (reverse foreign keys) that an edit of the item carries with it.
    """

    revision_children: tuple[str, ...] = ()

    status = models.CharField(
        max_length=20, choices=ReviewStatus, default=ReviewStatus.DRAFT, editable=False
    )
    last_reviewed = models.DateField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="Who approved or retired it last.",
    )

    class Meta:
        abstract = True

    @property
    def reviewer_name(self):
        """Who approved it last, as pages name them (select `reviewed_by` to avoid a query)."""
        return display_name(self.reviewed_by)

    @property
    def is_published(self):
        """The row-level twin of PublishedQuerySet.published()."""
        return self.status == ReviewStatus.APPROVED


def grade_field(scale_slug, scale_name, **options):
    """A foreign key to a Grade that only takes grades of one scale.

    Django applies `limit_choices_to` to form dropdowns and to model validation alike.
    """
    options.setdefault("on_delete", models.PROTECT)
    options.setdefault("related_name", "+")
    return models.ForeignKey(
        "evidence.Grade",
        limit_choices_to={"scale__slug": scale_slug},
        error_messages={"invalid": f"Choose a grade on the {scale_name} scale."},
        **options,
    )


# ---------------------------------------------------------------- grading scales


class GradingScale(CheckedText, Reviewed):
    """A published grading scale; its grades are edited with it and reviewed with it."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    purpose = models.TextField(help_text="What the scale grades, in our words.")
    source = models.CharField(max_length=500, help_text="Who publishes the scale.")
    source_url = models.URLField(max_length=500, help_text="Page the definitions were read on.")

    objects = PublishedKeyedManager("slug")
    history = track_history()

    revision_children = ("grades",)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class GradeManager(models.Manager):
    def get_by_natural_key(self, scale_slug, code):
        return self.get(scale__slug=scale_slug, code=code)


class Grade(CheckedText):
    scale = models.ForeignKey(GradingScale, on_delete=models.PROTECT, related_name="grades")
    code = models.SlugField(help_text='Stable code, e.g. "B", "very-low", "II-i".')
    label = models.CharField(max_length=50, help_text="How the grade is printed, e.g. Very low.")
    rank = models.PositiveSmallIntegerField(help_text="1 is the strongest level of the scale.")
    definition = models.TextField(help_text="The scale's own wording for this level.")

    objects = GradeManager()
    history = track_history()

    class Meta:
        ordering = ["scale__name", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "code"],
                name="grade_unique_code_per_scale",
                violation_error_message="This scale already has a grade with this code.",
            ),
            models.UniqueConstraint(
                fields=["scale", "rank"],
                name="grade_unique_rank_per_scale",
                violation_error_message="This scale already has a grade at this rank.",
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1),
                name="grade_rank_from_one",
                violation_error_message="Ranks start at 1 (the strongest level).",
            ),
        ]

    def __str__(self):
        return f"{self.scale.name}: {self.label}"

    def natural_key(self):
        return (*self.scale.natural_key(), self.code)

    natural_key.dependencies = ["evidence.gradingscale"]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- sources


class SourceQuerySet(models.QuerySet["Source"]):
    def published(self):
        """Approved: the seed articles, the works they list, what a published claim or study cites.

        A work cited only by drafts, and listed by no seed, stays off the site.
        """
        # A citation of an approved claim is itself what makes that claim published (approved
        # and cited), so this needs no nested Claim.published() subquery.
        cited = Citation.objects.filter(approved("claim__"), source=OuterRef("pk"))
        studied = Study.objects.filter(approved(), source=OuterRef("pk"))
        listed = SeedReference.objects.filter(source=OuterRef("pk"))
        return self.filter(approved()).filter(
            SEED_ONLY | Exists(cited) | Exists(studied) | Exists(listed)
        )

    def by_keys(self, keys: Iterable[str]) -> dict[str, "Source"]:
        """{key: Source} for the given citation keys (one query, none when `keys` is empty)."""
        keys = set(keys)
        return {source.key: source for source in self.filter(key__in=keys)} if keys else {}


SourceManager = KeyedManager.from_queryset(SourceQuerySet)


def validate_citation_fields(instance, *field_names):
    """Refuse Markdown fields citing keys that are no Source's key, naming the keys (one query)."""
    texts = {name: getattr(instance, name) or "" for name in field_names}
    used = {key for text in texts.values() for key in citation_keys(text)}
    known = Source.objects.by_keys(used)
    errors = {}
    for name, text in texts.items():
        unknown = unknown_citation_keys(text, known)
        if unknown:
            errors[name] = ValidationError(
                "Unknown citation key(s): %(keys)s",
                code="unknown_citation_key",
                params={"keys": ", ".join(unknown)},
            )
    if errors:
        raise ValidationError(errors)


class Source(CheckedText, Reviewed):
    """A citable work. The two seed articles are Sources too, with `seed_file` set."""

    key = models.SlugField(unique=True, help_text="Citation key used in Markdown as [@key].")
    kind = models.CharField(max_length=30, choices=SourceKind)
    reliability = models.TextField(help_text="What a reader should know about how reliable it is.")
    authors = models.CharField(max_length=500, help_text="Vancouver style: Bigliardi PL, Stammer H")
    title = models.CharField(max_length=500)
    container = models.CharField(max_length=300, blank=True, help_text="Journal or website.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    pages = models.CharField(max_length=30, blank=True)
    doi = models.CharField(max_length=200, blank=True, help_text="Only when confirmed.")
    pmid = models.CharField(max_length=12, blank=True, help_text="Only when confirmed.")
    url = models.URLField(max_length=500, blank=True)
    confirmed_at = models.TextField(
        blank=True,
        help_text="Page(s) the bibliographic data was confirmed on; empty means unverified.",
    )
    bibliographic_note = models.TextField(blank=True, help_text="Editors' note on the data.")
    seed_file = models.CharField(
        max_length=100,
        blank=True,
        help_text="For the seed articles only: the text file quotes are checked against.",
    )

    objects = SourceManager()
    history = track_history()

    revision_children = ("reference_list",)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(key=""),
                name="source_key_not_empty",
                violation_error_message="A source needs a citation key.",
            ),
            models.CheckConstraint(
                condition=Q(pmid__regex=r"^[0-9]*$"),
                name="source_pmid_digits",
                violation_error_message="A PMID is digits only.",
            ),
            models.UniqueConstraint(
                fields=["seed_file"],
                condition=~Q(seed_file=""),
                name="source_unique_seed_file",
                violation_error_message="Another seed article already uses this text file.",
            ),
        ]

    def __str__(self):
        year = f" {self.year}" if self.year else ""
        return f"{self.authors.split(',')[0]}{year}. {self.title}"

    def get_absolute_url(self):
        return reverse("evidence:source-detail", args=[self.key])

    def natural_key(self):
        return (self.key,)

    @property
    def byline(self):
        """Authors with one closing full stop, even after "et al."."""
        return self.authors.rstrip(".") + "."

    @property
    def publication(self):
        """Vancouver-style container and numbers: "J Am Acad Dermatol. 2007;56(6):979-88." """
        numbers = str(self.year or "")
        if self.volume:
            numbers += f";{self.volume}" + (f"({self.issue})" if self.issue else "")
        if self.pages:
            numbers += f":{self.pages}"
        parts = [self.container.rstrip(".") + "."] if self.container else []
        if numbers:
            parts.append(numbers.lstrip(";:") + ".")
        return " ".join(parts)

    @property
    def is_seed(self):
        return bool(self.seed_file)

    @property
    def is_verified(self):
        return bool(self.confirmed_at)

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""


SEED_ONLY = Q(seed_file__gt="")

# Keys of the rows `manage.py synthesize` (conditions.synthetic) makes start with this.
SYNTHETIC_PREFIX = "synthetic-"


class SeedReferenceManager(models.Manager):
    def get_by_natural_key(self, seed_key, source_key):
        return self.get(seed__key=seed_key, source__key=source_key)


class SeedReference(CheckedText):
    """An entry of a seed article's reference list, exactly as the article printed it."""

    seed = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="reference_list", limit_choices_to=SEED_ONLY
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="listed_by")
    number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The article's own reference number, if it numbers them."
    )
    as_printed = models.TextField(help_text="The entry verbatim from the article.")

    quote_fields = {"as_printed": "seed"}  # checked against the seed's text (validation)

    objects = SeedReferenceManager()
    history = track_history()

    class Meta:
        ordering = ["seed__key", "number", "source__key"]
        constraints = [
            models.UniqueConstraint(
                fields=["seed", "source"],
                name="seedreference_unique",
                violation_error_message="This seed article already lists this source.",
            ),
        ]

    def __str__(self):
        number = f" [{self.number}]" if self.number else ""
        return f"{self.seed.key}{number} → {self.source.key}"

    def natural_key(self):
        return (self.seed.key, self.source.key)

    natural_key.dependencies = ["evidence.source"]  # type: ignore[attr-defined]

    def clean(self):
        if self.seed_id and not self.seed.is_seed:
            raise ValidationError({"seed": "Only a seed article has a reference list here."})


class Reported(CheckedText):
    """What a seed article reported, with the verbatim quote it reported it in.

    A quote may join several fragments of the same seed with " … ".
    """

    reported_by = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=SEED_ONLY,
        help_text="The seed article this comes from.",
    )
    quote = models.TextField(help_text="Verbatim words of the seed article that support it.")

    quote_fields = {"quote": "reported_by"}  # checked against the seed's text (validation)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.reported_by_id and not self.reported_by.is_seed:
            raise ValidationError({"reported_by": "Choose one of the seed articles."})
        if not self.quote.strip():
            raise ValidationError({"quote": "Give the seed's verbatim words."})


# ---------------------------------------------------------------- what the sources report


class Intervention(Reported, Reviewed):
    key = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    drug = models.CharField(max_length=100)
    route = models.CharField(
        max_length=10, choices=Route, blank=True, help_text="Empty: not reported."
    )
    formulation = models.CharField(max_length=200, blank=True)
    strength = models.CharField(max_length=50, blank=True, help_text='e.g. "1%" or "4.5 mg"')
    frequency = models.CharField(max_length=100, blank=True)

    objects = PublishedKeyedManager()
    history = track_history()

    class Meta:
        ordering = ["route", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.key,)

    natural_key.dependencies = ["evidence.source"]  # type: ignore[attr-defined]


class Mechanism(Reported, Reviewed):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    summary = models.TextField(help_text="In our words; Markdown with [@key] citations.")

    objects = PublishedKeyedManager("slug")
    history = track_history()

    class Meta:
        ordering = ["name"]
        indexes = [
            # /mechanisms/: Mechanism.objects.published() in name order (status = approved
            # ORDER BY name) reads the index in order instead of scanning and sorting.
            models.Index(fields=["status", "name"], name="mechanism_published_by_name"),
        ]
        # /mechanisms/<slug>/ looks the mechanism up by slug: the unique index on slug.

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evidence:mechanism-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["evidence.source"]  # type: ignore[attr-defined]

    # Rendered through evidence.rendering, [@key] citations and all; every key must resolve.
    markdown_fields = ("summary",)

    def clean(self):
        super().clean()
        validate_citation_fields(self, *self.markdown_fields)


class Study(Reported, Reviewed):
    """One record per real study: as the paper reports it where the editors checked it
    (`per_check`), else as the one seed article that reports it.

    A seed's account of a study the editors checked is a StudyAccount on this record, shown
    as that article's, never mixed into it. The level of evidence follows from the design.
    """

    # Nullable here only: the paper's own record has no seed (mypy sees Reported's type).
    reported_by = models.ForeignKey(  # type: ignore[assignment]
        Source,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to=SEED_ONLY,
        help_text="The seed article this record comes from; empty for the paper's own record.",
    )
    quote = models.TextField(
        blank=True, help_text="Verbatim words of the seed article; empty for the paper's record."
    )
    per_check = models.ForeignKey(
        "evidence.PrimarySourceCheck",  # app-qualified: the history model lives in revisions
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="paper_records",
        help_text="For a study as the paper reports it: the editors' check that read the paper.",
    )
    key = models.SlugField(unique=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="studies", help_text="The study's own paper."
    )
    label = models.CharField(max_length=200, help_text='Short name, e.g. "Weinstock 2020".')
    design = models.CharField(max_length=20, choices=StudyDesign)
    population = models.TextField(blank=True, help_text="As reported; empty if not reported.")
    n = models.IntegerField(null=True, blank=True, help_text="Participants; empty if not reported.")
    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, null=True, blank=True, related_name="studies"
    )
    result = models.TextField(blank=True, help_text="Result as reported, in our words.")

    objects = PublishedKeyedManager()
    history = track_history()

    revision_children = ("accounts",)

    class Meta:
        ordering = ["label"]
        verbose_name_plural = "studies"
        indexes = [
            # /studies/ (published_studies(): status = approved ORDER BY label), the home
            # page's and condition pages' approved studies, and the source page's studies.
            models.Index(fields=["status", "label"], name="study_published_by_label"),
        ]
        # /studies/<key>/ by key: the unique index on key. A source's studies and a claim's
        # study: the foreign-key indexes Django makes on source and intervention.
        constraints = [
            models.CheckConstraint(
                condition=Q(n__gte=0) | Q(n__isnull=True),
                name="study_n_not_negative",
                violation_error_message="The number of participants cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(design__in=StudyDesign.values),
                name="study_design_known",
                violation_error_message="Choose a study design from the list.",
            ),
            models.CheckConstraint(
                condition=Q(reported_by__isnull=False, per_check__isnull=True)
                | Q(reported_by__isnull=True, per_check__isnull=False),
                name="study_one_reporter",
                violation_error_message=(
                    "A study record comes either from a seed article (with its quote) or from "
                    "the editors' check of the paper, not both."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.get_design_display().lower()})"

    def get_absolute_url(self):
        return reverse("evidence:study-detail", args=[self.key])

    def natural_key(self):
        return (self.key,)

    natural_key.dependencies = ["evidence.source", "evidence.intervention"]  # type: ignore[attr-defined]

    def clean(self):
        if self.per_check_id:  # the paper's own record: the check is its source, not a seed
            if self.reported_by_id or self.quote.strip():
                raise ValidationError(
                    {"per_check": "The paper's own record has no seed and no seed quote."}
                )
            return
        if not self.reported_by_id:
            raise ValidationError(
                {"reported_by": "Choose the seed article, or the editors' check of the paper."}
            )
        super().clean()

    @property
    def reporter(self) -> str:
        """Who this record's account comes from, for the page."""
        if self.per_check_id:
            return "the paper, as read by the ldnref editors"
        return str(self.reported_by)

    @property
    def level_code(self):
        """Oxford CEBM 2011 level code derived from the design; None for opinion pieces."""
        return grading.cebm_level_code(self.design)


class StudyAccountManager(models.Manager):
    def get_by_natural_key(self, study_key, reported_by_key):
        return self.get(study__key=study_key, reported_by__key=reported_by_key)


class StudyAccount(Reported):
    """What one seed article said about a study that has its own record (the paper as the
    editors checked it): shown on that record as the article's account, never merged into it.

    Lists, counts, levels and verdicts read the Study record only; an account adds a voice.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="accounts")
    design = models.CharField(
        max_length=20,
        choices=StudyDesign,
        blank=True,
        help_text="The design as the article describes it; empty if it names none.",
    )
    population = models.TextField(blank=True, help_text="As the article reports it.")
    n = models.IntegerField(
        null=True, blank=True, help_text="Participants as the article reports them."
    )
    result = models.TextField(blank=True, help_text="The result as the article reports it.")

    objects = StudyAccountManager()
    history = track_history()

    class Meta:
        ordering = ["study__key", "reported_by__key"]
        # A study page's accounts (study_id = …): the foreign-key index on study.
        constraints = [
            models.UniqueConstraint(
                fields=["study", "reported_by"],
                name="study_account_one_per_seed",
                violation_error_message="This article's account of this study is already here.",
            ),
        ]

    def __str__(self):
        return f"{self.study.key} as {self.reported_by.key} reports it"

    def natural_key(self):
        return (self.study.key, self.reported_by.key)

    natural_key.dependencies = ["evidence.study", "evidence.source"]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- claims


class ClaimQuerySet(PublishedQuerySet):
    def published(self):
        """Approved claims with a citation: an uncited sentence never reaches a page.

        evidence.workflow refuses to approve an uncited claim; this also hides an approved
        claim whose last citation was deleted later.
        """
        cited = Citation.objects.filter(claim=OuterRef("pk"))
        return super().published().filter(Exists(cited))


ClaimManager = KeyedManager.from_queryset(ClaimQuerySet)


class Claim(CheckedText, Reviewed):
    """One statement a page makes, in our words, backed by one or more Citations."""

    key = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=ClaimKind)
    statement = models.TextField(
        help_text="One sentence in our words, plain text; cite through the citations below."
    )
    outcome = models.CharField(
        max_length=30, choices=Outcome, blank=True, help_text="Required for efficacy claims."
    )
    route = models.CharField(
        max_length=10,
        choices=Route,
        blank=True,
        help_text="Required for efficacy claims when known.",
    )
    study = models.ForeignKey(
        Study, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    mechanism = models.ForeignKey(
        Mechanism, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    safety_question = models.CharField(
        max_length=20,
        choices=SafetyQuestion,
        blank=True,
        help_text="The prescriber's safety question this claim answers, if any.",
    )

    objects = ClaimManager()
    history = track_history()

    revision_children = ("citations", "primary_source_checks")

    class Meta:
        ordering = ["kind", "key"]
        indexes = [
            # published_claims() and Claim.objects.published() (status = approved ORDER BY
            # kind, key): the claims of the condition, study, mechanism and claim pages, and
            # the subquery the conflicts, plain statements and checks are filtered by.
            models.Index(fields=["status", "kind", "key"], name="claim_published_by_kind"),
        ]
        # /claims/<key>/ by key: the unique index on key. The claims of a study or a
        # mechanism page (study_id = …, mechanism_id = …): the foreign-key indexes.
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=ClaimKind.EFFICACY) | ~Q(outcome=""),
                name="claim_efficacy_names_outcome",
                violation_error_message="An efficacy claim names the outcome it is about.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.key}"

    def get_absolute_url(self):
        return reverse("conditions:claim-detail", args=[self.key])

    @property
    def anchor(self):
        """The permanent id of this claim on every page that shows it."""
        return f"claim-{self.key}"

    def natural_key(self):
        return (self.key,)

    natural_key.dependencies = ["evidence.study", "evidence.intervention", "evidence.mechanism"]  # type: ignore[attr-defined]

    def clean(self):
        # A [@key] in the statement is refused with the other plain-text checks (validation).
        if self.kind == ClaimKind.EFFICACY and not self.outcome:
            raise ValidationError({"outcome": "An efficacy claim names the outcome it is about."})


class CitationManager(models.Manager):
    def get_by_natural_key(self, claim_key, source_key, reported_by_key):
        return self.get(
            claim__key=claim_key, source__key=source_key, reported_by__key=reported_by_key
        )


class Citation(Reported):
    """Ties a Claim to the Source it rests on, as a seed article reported it."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="citations",
        help_text="The work cited; the seed itself when it cites nothing for this.",
    )

    objects = CitationManager()
    history = track_history()

    class Meta:
        ordering = ["claim__key", "source__key"]
        # The citations of a page's claims (claim_id IN …), a source page's citations
        # (source_id = …) and Claim.published()'s EXISTS (claim_id = …): the foreign-key
        # indexes on claim and source. No index of its own.
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "source", "reported_by"],
                name="citation_unique_per_seed",
                violation_error_message=(
                    "This claim already cites this source as reported in this seed article."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.claim.key} ← {self.source.key} (as reported in {self.reported_by.key})"

    def natural_key(self):
        return (self.claim.key, self.source.key, self.reported_by.key)

    natural_key.dependencies = ["evidence.claim", "evidence.source"]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- disagreements and checks


class Conflict(CheckedText, Reviewed):
    """Two claims that point different ways, with the editors' note on why."""

    key = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    claim_a = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="conflicts_as_a")
    claim_b = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="conflicts_as_b")
    editors_note = models.TextField(help_text="What the disagreement is and what we make of it.")

    objects = PublishedKeyedManager()
    history = track_history()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(claim_a=models.F("claim_b")),
                name="conflict_two_claims",
                violation_error_message="A conflict is between two different claims.",
            ),
            models.UniqueConstraint(
                fields=["claim_a", "claim_b"],
                name="conflict_unique_pair",
                violation_error_message="This conflict is already recorded.",
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.key,)

    natural_key.dependencies = ["evidence.claim"]  # type: ignore[attr-defined]


class PrimarySourceCheck(CheckedText):
    """The editors' comparison of a seed's statement with the cited paper's own abstract.

    Editorial content: never merged into what a seed said.
    """

    key = models.SlugField(unique=True)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="primary_source_checks")
    study = models.ForeignKey(
        Study,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="primary_source_checks",
        help_text="The seed's study record the check is about, if any.",
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="checks", help_text="The paper checked."
    )
    verdict = models.CharField(max_length=20, choices=CheckVerdict)
    headline = models.CharField(
        max_length=200, help_text="The finding in one line, shown beside the checked statement."
    )
    finding = models.TextField(help_text="What the primary source says, in the editors' words.")
    checked_against = models.TextField(help_text="The page(s) the paper was checked on.")
    checked_by = models.CharField(max_length=100, default=grading.ASSIGNED_BY)

    objects = KeyedManager()
    history = track_history()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(checked_against=""),
                name="check_names_its_page",
                violation_error_message="Say which page the primary source was checked against.",
            ),
        ]

    def __str__(self):
        return f"{self.claim.key} vs {self.source.key}: {self.get_verdict_display()}"

    @property
    def anchor(self):
        """The permanent id of the full check on the claim and study pages that show it."""
        return f"check-{self.key}"

    def natural_key(self):
        return (self.key,)

    natural_key.dependencies = ["evidence.claim", "evidence.source"]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- content version


class ContentVersion(models.Model):
    """One row counting changes to the content; evidence.versions reads and bumps it.

    Not content itself: HTTP caching (ETag, Last-Modified) reads it once per request.
    """

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="contentversion_single_row"),
        ]

    def __str__(self):
        return f"Content version {self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
