"""The content checks `manage.py check_content` runs: each returns a list of problems.

A problem is one readable line naming the row and what is wrong with it; an empty list means
the check passes. Each check reads the database in a fixed number of queries, except the
reading-grade check, which builds each public condition's patient page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q

from evidence import grading
from evidence.choices import CheckVerdict, ClaimKind
from evidence.models import (
    Citation,
    Claim,
    Conflict,
    Grade,
    Mechanism,
    PrimarySourceCheck,
    SeedReference,
    Source,
    Study,
)
from evidence.quotes import check_quotes
from evidence.rendering import citation_keys, unknown_citation_keys
from evidence.wording import (
    absolutes_added,
    paraphrase_problem,
    primary_citation_problems,
    prose_problems,
    wording_problem,
)

from .models import Condition, OutcomeCertainty, PlainStatement
from .selectors import CertaintyCodes, claim_certainty, outcome_certainty_codes, patient_page

Problems = list[str]
PATIENT_READING_GRADE = 8
CONTENT_APPS = ("evidence", "conditions")


def _content_models() -> Iterator[type[models.Model]]:
    for label in CONTENT_APPS:
        yield from apps.get_app_config(label).get_models()


def _name(obj: models.Model) -> str:
    key = getattr(obj, "key", None) or getattr(obj, "slug", None) or obj.pk
    return f"{str(obj._meta.verbose_name).capitalize()} {key}"


def _label(model: type[models.Model], field_name: str) -> str:
    return str(getattr(model._meta.get_field(field_name), "verbose_name", field_name))


# ---------------------------------------------------------------- the checks


def uncited_published_claims() -> Problems:
    """Approved claims with no citation (pages hide them, but approval promised a source)."""
    uncited = Claim.objects.filter(status="approved").exclude(
        Exists(Citation.objects.filter(claim=OuterRef("pk")))
    )
    return [
        f"Claim {claim.key} is approved but has no citation: no page shows it until it has one."
        for claim in uncited.order_by("key")
    ]


def unresolved_citation_keys() -> Problems:
    """[@key] citations in any Markdown field that name no Source (one query per model)."""
    known = set(Source.objects.values_list("key", flat=True))
    problems = []
    for model in _content_models():
        fields = getattr(model, "markdown_fields", ())
        if not fields:
            continue
        for obj in model._default_manager.only("pk", *_key_fields(model), *fields):
            for field_name in fields:
                unknown = unknown_citation_keys(getattr(obj, field_name), known)
                if unknown:
                    problems.append(
                        f"{_name(obj)}, {_label(model, field_name)}: unknown citation key(s) "
                        + ", ".join(unknown)
                    )
    return problems


def _key_fields(model: type[models.Model]) -> list[str]:
    return [name for name in ("key", "slug") if any(f.name == name for f in model._meta.fields)]


def _grade_fields() -> Iterator[tuple[type[models.Model], models.ForeignKey, str]]:
    """(model, field, scale slug) for every foreign key to a Grade limited to one scale."""
    for model in _content_models():
        for field in model._meta.fields:
            limit = getattr(field.remote_field, "limit_choices_to", None)
            if field.related_model is Grade and isinstance(limit, dict):
                yield model, field, limit["scale__slug"]  # type: ignore[misc]


def grades_off_their_scale() -> Problems:
    """Grades stored in a field that expects another scale (one query per grade field)."""
    problems = []
    for model, field, scale in _grade_fields():
        rows = (
            model._default_manager.filter(**{f"{field.name}__isnull": False})
            .exclude(**{f"{field.name}__scale__slug": scale})
            .select_related(f"{field.name}__scale")
        )
        for obj in rows:
            grade = getattr(obj, field.name)
            problems.append(
                f"{obj}: {field.verbose_name} is {grade}, not a grade of the {scale} scale."
            )
    return problems


def overrides_without_reason() -> Problems:
    """Overrides of a rule (`*_override`) whose `*_override_reason` is blank (one query each)."""
    problems = []
    for model, field, _scale in _grade_fields():
        reason = f"{field.name}_reason"
        if not field.name.endswith("_override") or not hasattr(model, reason):
            continue
        for obj in model._default_manager.filter(**{f"{field.name}__isnull": False}):
            if not getattr(obj, reason).strip():
                problems.append(f"{obj}: {field.verbose_name} is set with no reason.")
    return problems


NOT_CLINICAL = [*grading.LABORATORY_DESIGNS, *grading.OPINION_DESIGNS]


def incomplete_public_conditions() -> Problems:
    """Public conditions missing a verdict, a summary or a Summary of Findings (one query).

    Every condition page shows a Summary of Findings table; where no study is on record its
    rows read "Not reported", which is right. It is missing when a clinical study of the
    condition is on record but no outcome of it has been graded.
    """
    rated = OutcomeCertainty.objects.filter(condition=OuterRef("pk"))
    clinical = Study.objects.published().exclude(design__in=NOT_CLINICAL)
    studied = clinical.filter(Q(conditions=OuterRef("pk")) | Q(indirect_for=OuterRef("pk")))
    problems = []
    conditions = Condition.objects.published().annotate(
        has_findings=Exists(rated), has_studies=Exists(studied)
    )
    for condition in conditions:
        missing = [
            _label(Condition, name)
            for name in ("verdict", "clinician_summary", "patient_summary")
            if not getattr(condition, name).strip()
        ]
        if condition.has_studies and not condition.has_findings:
            missing.append("Summary of Findings (clinical studies on record, no outcome graded)")
        if missing:
            problems.append(f"Condition {condition.slug} is public without: {', '.join(missing)}.")
    return problems


def hard_patient_pages(limit: float = PATIENT_READING_GRADE) -> Problems:
    """Public conditions whose patient page reads above `limit` (≤ 8 queries per condition)."""
    problems = []
    for slug in Condition.objects.published().values_list("slug", flat=True):
        grade = patient_page(slug).reading_grade
        if grade > limit:
            problems.append(
                f"Condition {slug}: the patient page reads at grade {grade}, above {limit:g}."
            )
    return problems


def quote_problems(seeds: Path) -> Problems:
    """Quotes that are empty or not verbatim in their seed (evidence.quotes, five queries)."""
    if not seeds.is_dir():
        return [f"Seed directory not found: {seeds}"]
    return check_quotes(seeds).problems


def statement_wording_problem(statement: PlainStatement, codes: CertaintyCodes) -> str | None:
    """Why a patient sentence's wording does not fit its claim's certainty, or None.

    `codes` is selectors.outcome_certainty_codes() of the statement's condition. A sentence
    whose claim names no outcome, or an outcome with no graded certainty, is not checked.
    """
    code = claim_certainty(statement.claim, codes)
    return wording_problem(statement.text, code) if code else None


def wording_off_certainty() -> Problems:
    """Patient sentences worded for another certainty than their outcome's (GRADE guidance 26).

    Four queries per condition with statements, and one for the statements.
    """
    statements = PlainStatement.objects.select_related("condition", "claim").order_by(
        "condition__slug", "section", "order"
    )
    codes: dict[int, CertaintyCodes] = {}
    problems = []
    for statement in statements:
        condition = statement.condition
        if condition.pk not in codes:
            codes[condition.pk] = outcome_certainty_codes(condition)
        problem = statement_wording_problem(statement, codes[condition.pk])
        if problem:
            problems.append(
                f"Condition {condition.slug}, plain statement {statement.section} "
                f"{statement.order} ({statement.text!r}): {problem}"
            )
    return problems


def paraphrases_surer_than_quotes() -> Problems:
    """Claims, mechanism summaries and patient sentences that drop their article's hedge,
    vouch for a hedged statement ("finds"), or state an article's words in the site's voice
    (three queries, and four per condition with statements). A patient sentence about a graded
    outcome is worded for its certainty instead (wording_off_certainty)."""
    problems = []
    claims = Claim.objects.prefetch_related("citations").order_by("key")
    quotes = {claim.pk: [c.quote for c in claim.citations.all()] for claim in claims}
    by_id = {claim.pk: claim for claim in claims}
    for claim in claims:
        problem = paraphrase_problem(claim.statement, quotes[claim.pk])
        if problem:
            problems.append(f"Claim {claim.key} ({claim.statement!r}): {problem}")
    for mechanism in Mechanism.objects.published().order_by("slug"):
        said = [mechanism.quote]
        said += [
            q for claim in claims if claim.mechanism_id == mechanism.pk for q in quotes[claim.pk]
        ]
        for problem in prose_problems(mechanism.summary, said):
            problems.append(f"Mechanism {mechanism.slug}, summary: {problem}")
    statements = PlainStatement.objects.select_related("condition").order_by(
        "condition__slug", "section", "order"
    )
    codes: dict[int, CertaintyCodes] = {}
    for statement in statements:
        if statement.condition_id not in codes:
            codes[statement.condition_id] = outcome_certainty_codes(statement.condition)
        if claim_certainty(by_id[statement.claim_id], codes[statement.condition_id]):
            continue  # about a graded outcome: worded for its certainty (wording_off_certainty)
        problem = paraphrase_problem(statement.text, quotes.get(statement.claim_id, []))
        if problem:
            problems.append(
                f"Condition {statement.condition.slug}, plain statement {statement.section} "
                f"{statement.order} ({statement.text!r}): {problem}"
            )
    return problems


def primary_papers_cited_as_fact() -> Problems:
    """Sentences of published prose (condition summaries, mechanism summaries) that cite a
    primary paper without saying whose account it is: an article's report names the article
    and cites it beside the paper; only the editors' check of a paper cites the paper alone
    (five queries)."""
    seeds = set(Source.objects.exclude(seed_file="").values_list("key", flat=True))
    checked = set(PrimarySourceCheck.objects.values_list("source__key", flat=True))
    listed_by: dict[str, set[str]] = {}
    for seed, source in SeedReference.objects.values_list("seed__key", "source__key"):
        listed_by.setdefault(source, set()).add(seed)
    texts = [
        (f"Condition {c.slug}, {field.replace('_', ' ')}", getattr(c, field))
        for c in Condition.objects.published().order_by("slug")
        for field in Condition.markdown_fields
    ]
    texts += [
        (f"Mechanism {m.slug}, summary", m.summary)
        for m in Mechanism.objects.published().order_by("slug")
    ]
    return [
        f"{where}: {problem}"
        for where, text in texts
        for problem in primary_citation_problems(text, seeds, checked, listed_by)
    ]


PARAGRAPH = re.compile(r"\n\s*\n")


def unsourced_paragraphs() -> Problems:
    """Paragraphs of published clinician-facing Markdown that cite no source (two queries).

    Which sentence of a paragraph is a medical statement needs an editor, so the check is per
    paragraph: each must cite at least once. Claims and patient sentences are sourced by the
    data model (a page shows only cited claims, and a patient sentence only with its claim).
    """
    texts: list[tuple[str, str]] = [
        (f"Condition {c.slug}, clinician summary", c.clinician_summary)
        for c in Condition.objects.published().only("slug", "clinician_summary")
    ]
    texts += [
        (f"Mechanism {m.slug}, summary", m.summary)
        for m in Mechanism.objects.published().only("slug", "summary")
    ]
    problems = []
    for where, text in texts:
        for number, paragraph in enumerate(PARAGRAPH.split(text.strip()), start=1):
            if paragraph.strip() and not citation_keys(paragraph):
                problems.append(f"{where}, paragraph {number} cites no source: {paragraph[:80]!r}")
    return problems


# What an article's words must speak of to answer each prescriber's safety question; a remark
# near the topic (liver *monitoring* for "liver and kidney disease") answers another question.
ANSWERS_QUESTION = {
    "contraindications": r"contraindicat|should not (?:be )?(?:use|take)|must not",
    "opioids": r"opioid (?:medicine|medication|pain|analgesic|use disorder)|painkiller|methadone|"
    r"buprenorphine",
    "pregnancy": r"pregnan|breastfe|lactat",
    "liver-kidney": r"(?:liver|hepatic|kidney|renal) (?:disease|impairment|failure|problems)",
    "interactions": r"interact",
    "monitoring": r"monitor",
    "trial-length": r"\b(?:weeks?|months?)\b|how long",
    "stopping": r"\bstop|discontinu|taper",
}


def safety_tags_off_question() -> Problems:
    """Claims tagged as answering a safety question whose quotes do not speak of it (one
    query): the checklist row would show an answer to another question."""
    claims = Claim.objects.exclude(safety_question="").prefetch_related("citations")
    problems = []
    for claim in claims.order_by("key"):
        pattern = re.compile(ANSWERS_QUESTION[claim.safety_question], re.IGNORECASE)
        if not any(pattern.search(citation.quote) for citation in claim.citations.all()):
            problems.append(
                f"Claim {claim.key} answers the safety question {claim.safety_question!r}, but "
                "no quote it rests on speaks of it: untag it, or cite the words that do."
            )
    return problems


def duplicate_study_records() -> Problems:
    """A seed's study record beside the paper's own record of the same paper (one query).

    A paper the editors checked has its studies recorded as the paper reports them; what an
    article said about one of them is a StudyAccount on that record, not a record of its own,
    or lists, counts and "what rests on this study" count one trial twice.
    """
    studies = Study.objects.select_related("source").order_by("key")
    checked = {s.source_id for s in studies if s.per_check_id}
    return [
        f"Study {study.key} is a seed article's record of "
        f"{study.source.key}, which has the paper's own records: make it a study account on "
        "the record of the same study."
        for study in studies
        if study.reported_by_id and study.source_id in checked
    ]


# A limitation of the evidence says what is missing, small, weak or uncertain about it.
STATES_A_LIMIT = re.compile(
    r"\b(no|not|none|little|lack\w*|small|few|only|limit\w*|weak|insufficient|uncontrolled|"
    r"case reports?|needed|unknown|uncertain)\b",
    re.IGNORECASE,
)


def limitations_that_state_no_limit() -> Problems:
    """Claims filed as limitations of the evidence that say nothing missing or weak about it
    (one query): the page's "Limitations" section would show something else, such as which
    condition has the most evidence."""
    return [
        f"Claim {claim.key} is filed as a limitation of the evidence but states no limit of "
        "it: file it under the kind it is (an opinion, a finding, a conclusion)."
        for claim in Claim.objects.filter(kind=ClaimKind.LIMITATION).order_by("key")
        if not STATES_A_LIMIT.search(claim.statement)
    ]


def unrecorded_disagreements() -> Problems:
    """Where the editors' check found one article wrong about a paper the other article cites,
    the two articles disagree about that paper: a Conflict must record it (three queries).

    A check that differs from claim X (reported by article R) against paper P, while the
    other article cites P for a claim Y, needs a Conflict between X and some such Y; else the
    page says "no disagreement is recorded" while the check shows one.
    """
    citations = list(Citation.objects.select_related("claim"))
    shown = Conflict.objects.filter(status="approved")  # a draft disagreement shows nowhere
    paired = {frozenset(pair) for pair in shown.values_list("claim_a_id", "claim_b_id")}
    problems = []
    checks = PrimarySourceCheck.objects.filter(verdict=CheckVerdict.DIFFERS).select_related(
        "claim", "source"
    )
    for check in checks.order_by("key"):
        reporters = {c.reported_by_id for c in citations if c.claim_id == check.claim_id}
        others = {
            c.claim_id
            for c in citations
            if c.source_id == check.source_id and c.reported_by_id not in reporters
        }
        if others and not any(frozenset((check.claim_id, o)) in paired for o in others):
            problems.append(
                f"Check {check.key} finds claim {check.claim.key} at odds with "
                f"{check.source.key}, which the other "
                "article cites: record the disagreement between the articles as a Conflict."
            )
    return problems


def paraphrases_more_absolute_than_quotes() -> Problems:
    """Claims, plain sentences and verdicts that say what an article said with an absolute
    word ("only", "never", "proven") its quoted words do not use (four queries)."""
    problems = []
    claims = Claim.objects.prefetch_related("citations").order_by("key")
    quotes = {claim.pk: [c.quote for c in claim.citations.all()] for claim in claims}
    for claim in claims:
        for word in absolutes_added(claim.statement, quotes[claim.pk]):
            problems.append(f"Claim {claim.key}: {word!r} is not in the words it restates.")
    for statement in PlainStatement.objects.select_related("condition").order_by("pk"):
        for word in absolutes_added(statement.text, quotes.get(statement.claim_id, [])):
            problems.append(
                f"{_name(statement.condition)}, plain sentence {statement.text!r}: "
                f"{word!r} is not in the words it restates."
            )
    for condition in Condition.objects.prefetch_related("claims").order_by("slug"):
        said = [q for claim in condition.claims.all() for q in quotes.get(claim.pk, [])]
        for word in absolutes_added(condition.verdict, said):
            problems.append(
                f"{_name(condition)}, verdict: {word!r} is not in the words of "
                "any statement of the condition it restates."
            )
    return problems


# ---------------------------------------------------------------- all of them


@dataclass(frozen=True)
class Check:
    title: str
    run: Callable[[], Problems]


def all_checks(seeds: Path) -> list[Check]:
    """Every content check, in the order check_content reports them."""
    return [
        Check("Every published claim has a citation", uncited_published_claims),
        Check("Every citation key in Markdown resolves", unresolved_citation_keys),
        Check("Every grade is on the scale its field expects", grades_off_their_scale),
        Check("Every override has a reason", overrides_without_reason),
        Check(
            "Every public condition has a verdict, both summaries and a Summary of Findings",
            incomplete_public_conditions,
        ),
        Check(
            f"Every patient page reads at grade {PATIENT_READING_GRADE} or below",
            hard_patient_pages,
        ),
        Check("Every quote is non-empty and verbatim in its seed", lambda: quote_problems(seeds)),
        Check("Patient sentences are worded for their certainty", wording_off_certainty),
        Check("Every paragraph of clinician prose cites a source", unsourced_paragraphs),
        Check("One study record per study", duplicate_study_records),
        Check("Every safety answer answers its question", safety_tags_off_question),
        Check(
            "Prose cites a paper only through the article that reported it or the editors' check",
            primary_papers_cited_as_fact,
        ),
        Check(
            "Every paraphrase keeps its article's voice and hedge", paraphrases_surer_than_quotes
        ),
        Check("Limitations state a limit of the evidence", limitations_that_state_no_limit),
        Check(
            "No paraphrase is more absolute than its article's words",
            paraphrases_more_absolute_than_quotes,
        ),
        Check(
            "Where a check contradicts one article on a paper the other cites, the "
            "disagreement is recorded",
            unrecorded_disagreements,
        ),
    ]
