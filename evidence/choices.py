"""Choices shared by both apps and by the grading rules: one home for each list."""

from django.db import models


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in-review", "In review"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


class Route(models.TextChoices):
    TOPICAL = "topical", "Topical"
    ORAL = "oral", "Oral"


class Outcome(models.TextChoices):
    ITCH_RELIEF = "itch-relief", "Itch relief"
    LESION_IMPROVEMENT = "lesion-improvement", "Lesion improvement"
    GLOBAL_IMPROVEMENT = "global-improvement", "Overall improvement (patient-rated)"
    QUALITY_OF_LIFE = "quality-of-life", "Quality of life"
    ADVERSE_EFFECTS = "adverse-effects", "Adverse effects"
    BIOMARKERS = "biomarkers", "Tissue and cell markers (disease-oriented)"


class StudyDesign(models.TextChoices):
    SYSTEMATIC_REVIEW_RCTS = "sr-rct", "Systematic review of randomized trials"
    SYSTEMATIC_REVIEW_MIXED = "sr-mixed", "Systematic review of mixed or non-randomized studies"
    RCT = "rct", "Randomized controlled trial"
    NON_RANDOMIZED_CONTROLLED = "nrct", "Non-randomized controlled study"
    OPEN_LABEL_TRIAL = "open-label", "Open-label uncontrolled trial"
    CASE_SERIES = "case-series", "Case series"
    CASE_REPORT = "case-report", "Case report"
    IN_VITRO = "in-vitro", "In vitro study"
    EX_VIVO = "ex-vivo", "Ex vivo study"
    NARRATIVE_REVIEW = "narrative-review", "Narrative review"
    EXPERT_OVERVIEW = "expert-overview", "Expert or publisher overview"


class SourceKind(models.TextChoices):
    JOURNAL_ARTICLE = "journal-article", "Journal article"
    SYSTEMATIC_REVIEW = "systematic-review", "Systematic review"
    NARRATIVE_REVIEW = "narrative-review", "Narrative review"
    CASE_REPORT = "case-report", "Case report"
    CLINIC_BLOG = "clinic-blog", "Clinic blog post"
    AI_DRAFTED_PAGE = "ai-drafted-page", "AI-drafted web page"
    PUBLISHER_OVERVIEW = "publisher-overview", "Publisher's own unpublished overview"


class ClaimKind(models.TextChoices):
    EFFICACY = "efficacy", "Efficacy"
    SAFETY = "safety", "Safety"
    DOSING = "dosing", "Dosing and formulation"
    MECHANISM = "mechanism", "Mechanism"
    AVAILABILITY = "availability", "Availability and cost"
    LIMITATION = "limitation", "Limitation of the evidence"
    FUTURE = "future", "Future direction"
    GUIDELINE = "guideline", "Guideline recommendation"
    PATIENT_SELECTION = "patient-selection", "Who might benefit"
    EXPERT_OPINION = "opinion", "Expert opinion"
    CONCLUSION = "conclusion", "Article's conclusion"


class SafetyQuestion(models.TextChoices):
    """The prescriber's safety questions (../shared/GRADING.md), asked of every route."""

    CONTRAINDICATIONS = "contraindications", "Contraindications"
    OPIOIDS = "opioids", "Use with opioid medicines"
    PREGNANCY = "pregnancy", "Pregnancy and breastfeeding"
    LIVER_KIDNEY = "liver-kidney", "Liver and kidney disease"
    INTERACTIONS = "interactions", "Interactions"
    MONITORING = "monitoring", "Monitoring"
    TRIAL_LENGTH = "trial-length", "How long to try it"
    STOPPING = "stopping", "How to stop"


class CheckVerdict(models.TextChoices):
    AGREES = "agrees", "Agrees with the primary source"
    OMITS_CONTEXT = "omits-context", "Agrees, but leaves out context"
    DIFFERS = "differs", "Differs from the primary source"


class GradeDomain(models.TextChoices):
    RISK_OF_BIAS = "risk-of-bias", "Risk of bias"
    INCONSISTENCY = "inconsistency", "Inconsistency"
    INDIRECTNESS = "indirectness", "Indirectness"
    IMPRECISION = "imprecision", "Imprecision"
    PUBLICATION_BIAS = "publication-bias", "Publication bias"
    LARGE_EFFECT = "large-effect", "Large effect"
    DOSE_RESPONSE = "dose-response", "Dose-response gradient"
    CONFOUNDING = "confounding", "Plausible confounding"


RATE_DOWN_DOMAINS = [
    GradeDomain.RISK_OF_BIAS,
    GradeDomain.INCONSISTENCY,
    GradeDomain.INDIRECTNESS,
    GradeDomain.IMPRECISION,
    GradeDomain.PUBLICATION_BIAS,
]
RATE_UP_DOMAINS = [GradeDomain.LARGE_EFFECT, GradeDomain.DOSE_RESPONSE, GradeDomain.CONFOUNDING]
