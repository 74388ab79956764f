"""The patient view: plain words, certainty worded by its grade, every sentence backed."""

import re

import pytest
import textstat
from django.db.models import F, Q

from conditions.models import Condition, OutcomeCertainty, PlainStatement
from evidence.models import Claim, ClaimKind, Grade, ReviewStatus
from tests.factories import make_citation, make_claim
from tests.pages import get_page, listed_sources

STATEMENT_SECTIONS = ("Does it help?", "How it is used", "Side effects")
MAX_READING_GRADE = 8

pytestmark = pytest.mark.django_db


def statements(page):
    """The plain statements on a patient page, without their citation numbers."""
    return [
        item.text(skip=("sup", "check-badge"))
        for heading in STATEMENT_SECTIONS
        for item in page.section(heading).iter("li")
    ]


def certainty_sentences(page):
    """The 'How sure are we?' sentences, without citation numbers, the grade in brackets or
    the reason why."""
    return [
        item.text(skip=("sup", "small", "why"))
        for item in page.section("How sure are we?").iter("li")
    ]


# Blocks a reader reads one by one; what is not part of the main content is left out.
TEXT_BLOCKS = ("h1", "h2", "h3", "p", "li", "dt", "dd")
NOT_MAIN_CONTENT = ("view-switch", "references", "review", "reading-grade")


def main_text(page):
    """All the text a patient reads in the page's main content, one block after another:
    headings, summary, statements, certainty sentences, empty texts, questions, word list.
    Leaves out citation numbers, the view switch, references, review note and reading level.
    A block with no closing punctuation (a heading) is read as a sentence of its own."""
    blocks = []

    def walk(element, inside_skipped=False):
        skipped = inside_skipped or bool(set(element.classes) & set(NOT_MAIN_CONTENT))
        if element.tag in TEXT_BLOCKS and not skipped:
            text = element.text(skip=("sup",))
            if text:
                blocks.append(text if text[-1] in ".?!:" else f"{text}.")
            return
        for child in element.children:
            if not isinstance(child, str):
                walk(child, skipped)

    walk(page.find("article"))
    return " ".join(blocks)


def slugs():
    return list(Condition.objects.published().values_list("slug", flat=True))


def test_every_patient_page_reads_at_grade_eight_or_below(content, client):
    grades = {}
    for slug in slugs():
        page = get_page(client, f"/conditions/{slug}/patient/")
        grades[slug] = textstat.flesch_kincaid_grade(main_text(page))
    assert len(grades) == 7
    print("Flesch-Kincaid grade of each patient page:", grades)
    assert max(grades.values()) <= MAX_READING_GRADE, grades


def test_every_patient_page_states_its_reading_level_in_small_print(content, client):
    for slug in slugs():
        page = get_page(client, f"/conditions/{slug}/patient/")
        notes = [e.text() for e in page.iter(class_="small") if "Reading level" in e.text()]
        assert len(notes) == 1, slug
        shown = float(re.search(r"grade (\d+(?:\.\d+)?)", notes[0]).group(1))
        measured = textstat.flesch_kincaid_grade(main_text(page))
        assert shown <= MAX_READING_GRADE, slug
        # The level printed is the level of the whole page as read, give or take rounding.
        assert abs(shown - measured) <= 0.5, (slug, shown, measured)


WORDING = {
    "high": ("Naltrexone cream results in less itch", ("probably", "may", "uncertain")),
    "moderate": ("probably results in less itch", ("may", "uncertain")),
    "low": ("may result in less itch", ("probably", "uncertain")),
    "very-low": ("We are very uncertain whether", ("probably", "may")),
}


@pytest.mark.parametrize("code", WORDING)
def test_the_certainty_sentence_is_worded_by_its_grade(content, client, code):
    grade = Grade.objects.get(scale__slug="grade-certainty", code=code)
    OutcomeCertainty.objects.filter(
        condition__slug="chronic-pruritus", outcome="itch-relief", route="topical"
    ).update(certainty_override=grade, certainty_override_reason="To test the wording.")
    page = get_page(client, "/conditions/chronic-pruritus/patient/")
    [sentence] = certainty_sentences(page)
    expected, never = WORDING[code]
    assert expected in sentence
    assert "itch" in sentence and "cream" in sentence
    assert not any(re.search(rf"\b{word}\b", sentence, re.IGNORECASE) for word in never)
    [item] = page.section("How sure are we?").iter("li")
    assert f"(certainty: {grade.label.lower()})" in item.text()


def test_a_condition_with_nothing_graded_says_we_cannot_say(content, client):
    page = get_page(client, "/conditions/vitiligo/patient/")
    section = page.section("How sure are we?")
    assert not certainty_sentences(page)
    assert "we cannot say" in section.text()


def test_every_plain_statement_says_what_a_claim_on_the_clinician_page_says(content, client):
    """A statement rests on a claim a clinician can read: on the condition's clinician page,
    or, for a claim about LDN in general, on the LDN in general page (the patient page shows
    it too, so that it never says the articles are silent on what they say in general)."""
    shown = 0
    general = get_page(client, "/ldn/").text()
    for slug in slugs():
        clinician = get_page(client, f"/conditions/{slug}/").text()
        for text in statements(get_page(client, f"/conditions/{slug}/patient/")):
            statement = PlainStatement.objects.get(condition__slug=slug, text=text)
            where = general if not statement.claim.conditions.exists() else clinician
            assert statement.claim.statement in where, (slug, text)
            shown += 1
    about_the_condition = PlainStatement.objects.filter(
        Q(claim__conditions=F("condition")) | Q(claim__conditions__isnull=True)
    )
    assert shown == about_the_condition.count() > 0


def test_a_plain_statement_backed_by_another_conditions_claim_is_not_shown(content, client):
    claim = make_claim(kind=ClaimKind.SAFETY, statement="Vitiligo patches got darker.")
    make_citation(claim=claim)
    Claim.objects.filter(pk=claim.pk).update(status=ReviewStatus.APPROVED)
    claim.conditions.add(Condition.objects.get(slug="vitiligo"))
    PlainStatement.objects.create(
        condition=Condition.objects.get(slug="psoriasis"),
        section="side-effects",
        text="Patches may get darker.",
        claim=claim,
        order=99,
    )
    assert claim.statement not in get_page(client, "/conditions/psoriasis/").text()
    assert "Patches may get darker." not in statements(
        get_page(client, "/conditions/psoriasis/patient/")
    )


def _listed(page):
    """{source key: (its outside links, whether it is marked unverified)} for each reference."""
    return {
        key: (
            sorted(h for h in item.hrefs() if h.startswith("https://")),
            "unverified" in item.text(),
        )
        for key, item in listed_sources(page).items()
    }


def test_the_patient_page_lists_its_sources_as_the_clinician_page_does(content, client):
    for slug in slugs():
        patient = _listed(get_page(client, f"/conditions/{slug}/patient/"))
        clinician = _listed(get_page(client, f"/conditions/{slug}/"))
        assert patient, slug
        for source, entry in patient.items():
            assert clinician.get(source) == entry, (slug, source)
