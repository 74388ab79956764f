"""One trial, one judgement; wording follows certainty (issue 7, items 2 and 3), over every
public page of the real content.

The evidence set of each condition is built here from the study records (Condition.studies,
IndirectEvidence, approved status), not from the page selectors. The SORT expectation follows
the rule as written in ../shared/GRADING.md and on the methods page: B only for a randomized
trial that enrolled people with the condition; anything else on record C; nothing, no grade.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction

from conditions.models import Condition, IndirectEvidence
from evidence.choices import ReviewStatus, Route, StudyDesign
from evidence.wording import implied_certainty, wording_problem
from tests.factories import load_content
from tests.pages import assert_test_database, parse_html, render_site
from tests.walker import main_of, sentences

pytestmark = pytest.mark.django_db

RANDOMIZED = {StudyDesign.RCT, StudyDesign.SYSTEMATIC_REVIEW_RCTS}
NOT_CLINICAL = {
    StudyDesign.IN_VITRO,
    StudyDesign.EX_VIVO,
    StudyDesign.NARRATIVE_REVIEW,
    StudyDesign.EXPERT_OVERVIEW,
}
# "no study", "No studies have tested it", "no randomized trials", "no clinical study"
NO_STUDY = re.compile(
    r"\bno\s+(?:\w+\s+){0,2}?(?:stud(?:y|ies)|trials?)\b|\bnot\s+been\s+(?:tested|studied)\b",
    re.IGNORECASE,
)
# A sentence about what LDN does: a hedge or an effect verb. A report of one study's numbers
# ("In one small study, 8 of 15 …") is a description, not an effect estimate.
EFFECT = re.compile(
    r"\b(?:very uncertain whether|(?:may|might|probably|likely)\s+(?:\w+\s+){0,2}?"
    r"(?:relieve|help|improve|reduce|ease|result|work|lessen|clear|lower)s?|"
    r"(?:relieves|helps|improves|reduces|eases|results in|clears))\b",
    re.IGNORECASE,
)
REPORT_FRAME = re.compile(r"^(?:In|Of|Among)\s+(?:one|a|an|two|three|\d+)\b")


@dataclass
class ConditionEvidence:
    slug: str
    direct: dict[str, str] = field(default_factory=dict)  # study key: design
    indirect: dict[str, str] = field(default_factory=dict)  # study key: reason
    indirect_designs: dict[str, str] = field(default_factory=dict)
    certainties: dict[tuple[str, str], str] = field(default_factory=dict)  # (outcome, route)
    override_reason: str = ""
    routes: set = field(default_factory=set)  # routes with a study or a graded outcome

    @property
    def clinical(self):
        designs = {**self.direct, **self.indirect_designs}
        return {key for key, design in designs.items() if design not in NOT_CLINICAL}

    @property
    def expected_sort(self):
        if set(self.direct.values()) & RANDOMIZED:
            return "B"
        return "C" if self.direct or self.indirect else None


@dataclass
class Site:
    pages: dict  # path: <main>
    evidence: dict  # slug: ConditionEvidence
    outcomes: dict  # claim key: (outcome, route)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        assert_test_database()
        load_content()
        evidence = {}
        for condition in Condition.objects.filter(status=ReviewStatus.APPROVED):
            found = ConditionEvidence(
                condition.slug, override_reason=condition.verdict_override_reason
            )
            direct = condition.studies.filter(status=ReviewStatus.APPROVED)
            found.direct = {s.key: s.design for s in direct}
            rows = IndirectEvidence.objects.filter(
                condition=condition, study__status=ReviewStatus.APPROVED
            ).select_related("study")
            found.indirect = {row.study.key: row.reason for row in rows}
            found.indirect_designs = {row.study.key: row.study.design for row in rows}
            studies = [*direct, *(row.study for row in rows)]
            reasons = {row.study_id: row.reason for row in rows}
            found.routes = {
                s.intervention.route for s in studies if s.intervention and s.intervention.route
            }
            for certainty in condition.certainties.all():
                found.routes.add(certainty.route)
                code = certainty.ruling(studies, reasons).code
                if code:
                    found.certainties[(certainty.outcome, certainty.route)] = code
            evidence[condition.slug] = found
        outcomes = {
            claim.key: (claim.outcome, claim.route)
            for condition in Condition.objects.all()
            for claim in condition.claims.exclude(outcome="")
        }
        transaction.set_rollback(True)
    pages = {
        path: main_of(parse_html(response.content))
        for path, response in render_site(django_db_blocker).items()
        if response.status_code == 200 and "text/html" in response["Content-Type"]
    }
    return Site(pages, evidence, outcomes)


def condition_paths(site, slug):
    return [f"/conditions/{slug}/", f"/conditions/{slug}/patient/"]


def unflagged_text(main, silent_routes=()):
    """The text a page says in its own or a seed's voice unflagged: without the editors' checks,
    their notes on conflicts, statements shown with a 'differs' badge beside them, and what it
    says about a route (`data-route`) by which no study is on record."""
    parts = []

    def flagged(element):
        if "data-check" in element.attrs or "data-conflict" in element.attrs:
            return True
        if element.attrs.get("data-route") in silent_routes:
            return True
        return "data-claim" in element.attrs and any(
            e.attrs.get("data-check-verdict") == "differs" for e in element.iter()
        )

    def walk(element):
        for child in element.children:
            if isinstance(child, str):
                parts.append(child)
            elif not flagged(child):
                parts.append(" ")
                walk(child)
                parts.append(" ")

    walk(main)
    return " ".join("".join(parts).split())


def no_study_sayings(site):
    """(path, the words) wherever a page about a condition with clinical studies on record
    says there is no study."""
    found = set()
    for slug, evidence in site.evidence.items():
        if not evidence.clinical:
            continue
        for path in condition_paths(site, slug):
            silent = set(Route.values) - evidence.routes
            for match in NO_STUDY.finditer(unflagged_text(site.pages[path], silent)):
                found.add((path, match.group(0)))
        for element in site.pages["/"].iter():
            if element.attrs.get("data-condition") == slug:
                for match in NO_STUDY.finditer(element.text()):
                    found.add(("/", match.group(0)))
    return found


def test_no_page_says_no_study_where_one_is_on_record(site):
    assert not no_study_sayings(site)


def test_no_study_sayings_are_recognised():
    for text in (
        "No studies have tested it in people with this condition.",
        "no study of LDN in atopic dermatitis is reported",
        "the second article finds no randomized trials or large case series",
    ):
        assert NO_STUDY.search(text), text
    assert not NO_STUDY.search("There was no control group in the study.")


def test_every_study_on_record_for_a_condition_is_on_its_clinician_page(site):
    missing = []
    for slug, evidence in site.evidence.items():
        main = site.pages[f"/conditions/{slug}/"]
        shown = {e.attrs.get("data-study") for e in main.iter() if "data-study" in e.attrs}
        missing += [
            (slug, key) for key in [*evidence.direct, *evidence.indirect] if key not in shown
        ]
    assert not missing


def test_indirect_evidence_shows_its_reason_where_it_is_used(site):
    for slug, evidence in site.evidence.items():
        text = site.pages[f"/conditions/{slug}/"].text()
        for key, reason in evidence.indirect.items():
            assert " ".join(reason.split()) in text, (slug, key)


def shown_sort(main):
    verdict = main.find("section", "section-verdict")
    labels = [e.text() for e in verdict.iter(class_="grade-label")]
    return labels[0] if labels else None


def test_no_verdict_is_graded_against_its_evidence_without_a_recorded_reason(site):
    wrong = []
    for slug, evidence in site.evidence.items():
        main = site.pages[f"/conditions/{slug}/"]
        shown = shown_sort(main)
        if shown == evidence.expected_sort:
            continue
        reason = " ".join(evidence.override_reason.split())
        if not reason or reason not in main.text():
            wrong.append((slug, shown, evidence.expected_sort))
    assert not wrong


def test_a_study_has_one_level_of_evidence_on_every_page(site):
    levels: dict[str, set] = {}
    for main in site.pages.values():
        for element in main.iter():
            key = element.attrs.get("data-study")
            if key:
                grade = element.find(class_="grade-label")
                if grade is not None:
                    levels.setdefault(key, set()).add(grade.text())
    assert levels
    assert {key: found for key, found in levels.items() if len(found) > 1} == {}


def wording_mismatches(site):
    """(path, condition or claim, sentence, problem) for every effect sentence whose wording
    does not match the certainty of the outcome it describes."""
    found = set()
    for slug, evidence in site.evidence.items():
        best = None
        if evidence.certainties:
            order = ["very-low", "low", "moderate", "high"]
            best = max(evidence.certainties.values(), key=order.index)
        for path in ["/", *condition_paths(site, slug)]:
            main = site.pages[path]
            for element in main.iter():
                if (
                    element.attrs.get("data-derived") == "verdict"
                    and element.attrs.get("data-condition") == slug
                ):
                    for sentence in effect_sentences(element.text()):
                        problem = wording_problem(sentence, best) if best else "no graded outcome"
                        if problem:
                            found.add((path, slug))
        patient = site.pages[f"/conditions/{slug}/patient/"]
        for element in patient.iter():
            if element.attrs.get("data-derived") == "certainty":
                text = element.text(skip=("small", "sup"))
                if wording_problem(text, element.attrs["data-certainty"]):
                    found.add((f"/conditions/{slug}/patient/", text))
            key = element.attrs.get("data-claim")
            if key in site.outcomes:
                code = evidence.certainties.get(site.outcomes[key])
                text = element.text(skip=("sup", "check-badge"))
                for sentence in effect_sentences(text):
                    if code and wording_problem(sentence, code):
                        found.add((f"/conditions/{slug}/patient/", key))
    return found


def effect_sentences(text):
    return [s for s in sentences(text) if EFFECT.search(s) and not REPORT_FRAME.match(s)]


def test_effect_sentences_are_recognised():
    assert effect_sentences("May relieve chronic itch as a 1% cream; thin evidence.")
    assert implied_certainty("May relieve chronic itch") == "low"
    assert not effect_sentences("In one small study, 8 of 15 people improved.")
    assert not effect_sentences("Not first-line; no study is reported.")


def test_wording_follows_the_certainty_of_the_outcome_on_every_page(site):
    assert not wording_mismatches(site)
