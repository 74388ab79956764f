"""The top of a condition page as a prescriber reads it: a bottom line per route, the Summary
of Findings table and the safety questions per route (in plain words for patients)."""

import pytest

from conditions.models import IndirectEvidence
from evidence import grading
from evidence.choices import (
    ClaimKind,
    GradeDomain,
    Outcome,
    ReviewStatus,
    Route,
    SafetyQuestion,
    StudyDesign,
)
from tests.factories import (
    make_certainty,
    make_citation,
    make_claim,
    make_condition,
    make_grade,
    make_intervention,
    make_plain_statement,
    make_rating,
    make_source,
    make_study,
)
from tests.pages import footnotes, get_page, references

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED
# The eight questions as ../shared/GRADING.md lists them, in its order.
QUESTIONS = [
    "Contraindications",
    "Use with opioid medicines",
    "Pregnancy and breastfeeding",
    "Liver and kidney disease",
    "Interactions",
    "Monitoring",
    "How long to try it",
    "How to stop",
]
NOT_REPORTED = "Not reported by either article"


@pytest.fixture
def grades(db):
    """The grade rows the pages print: CEBM levels 4 and 5, SORT B and C, GRADE levels."""
    made = {}
    for code, rank in (("4", 4), ("5", 5)):
        made[code] = make_grade(grading.CEBM_SCALE, code=code, label=f"Level {code}", rank=rank)
    for code, rank in (("B", 2), ("C", 3)):
        made[code] = make_grade(grading.SORT_SCALE, code=code, label=code, rank=rank)
    for rank, code in enumerate(grading.GRADE_LEVELS, start=1):
        label = code.replace("-", " ").capitalize()
        made[code] = make_grade(grading.GRADE_SCALE, code=code, label=label, rank=rank)
    return made


def cited(statement, **fields):
    """An approved claim with one citation of a new source titled after the statement."""
    claim = make_claim(statement=statement, status=APPROVED, **fields)
    make_citation(claim=claim, source=make_source(title=f"Source of: {statement}"))
    return claim


def approved_study(**fields):
    return make_study(status=APPROVED, **fields)


def clinician(client, condition):
    return get_page(client, condition.get_absolute_url())


def patient(client, condition):
    return get_page(client, f"{condition.get_absolute_url()}patient/")


def cited_source_titles(page, element):
    """The reference-list entries (with their titles) that an element's footnotes point to."""
    listed = references(page)
    return [listed[number].text() for number, _ in footnotes(element)]


def route_card(page, route):
    return page.section("Bottom line by route").find("div", f"route-{route}")


def definition(card, term):
    """The <dd> after the <dt> reading `term` in a bottom-line card."""
    terms = list(card.iter("dt"))
    found = next(dt for dt in terms if dt.text() == term)
    siblings = [child for child in found.parent.children if getattr(child, "tag", "") == "dd"]
    return siblings[terms.index(found)]


# ---------------------------------------------------------------- bottom line


@pytest.fixture
def oral_series(grades):
    """A condition with an oral case series of 12 people, graded very low, with a dose and a
    harm of its own."""
    condition = make_condition(name="Itchy skin", status=APPROVED)
    regimen = make_intervention(name="Naltrexone 3 mg by mouth at night", route=Route.ORAL)
    series = approved_study(
        label="Roe 2021",
        design=StudyDesign.CASE_SERIES,
        n=12,
        intervention=regimen,
        result="9 of 12 itched less.",
    )
    certainty = make_certainty(
        condition=condition, outcome=Outcome.ITCH_RELIEF, route=Route.ORAL, studies=[series]
    )
    make_rating(certainty=certainty, domain=GradeDomain.IMPRECISION, level_change=-1)
    dose = cited("Take 3 mg at night.", kind=ClaimKind.DOSING, route=Route.ORAL)
    harm = cited(
        "Two people slept badly.",
        kind=ClaimKind.SAFETY,
        route=Route.ORAL,
        outcome=Outcome.ADVERSE_EFFECTS,
        study=series,
    )
    condition.claims.add(dose, harm)
    return condition, series


def test_the_bottom_line_comes_first_with_a_card_for_each_route(client, oral_series):
    condition, _ = oral_series
    page = clinician(client, condition)
    # The answer in brief comes first (issue 15, item 7), then the bottom line by route.
    assert [h2.text() for h2 in page.iter("h2")][:2] == ["In brief", "Bottom line by route"]
    section = page.section("Bottom line by route")
    # The route with the best evidence first (issue 15, item 7): only oral was studied.
    assert [h3.text() for h3 in section.iter("h3")] == ["Oral LDN", "Topical LDN"]


def test_a_routes_bottom_line_gives_evidence_dose_harms_certainty_and_verdict(client, oral_series):
    condition, series = oral_series
    page = clinician(client, condition)
    card = route_card(page, Route.ORAL)
    assert "Oral LDN for itchy skin: best evidence is a case series (n=12)." in card.text()

    best = definition(card, "Best evidence")
    assert series.get_absolute_url() in best.hrefs()
    assert "case series, n=12" in best.text()
    assert "Level 4" in best.text()  # Oxford CEBM, from the design
    [reference] = cited_source_titles(page, best)
    assert series.source.title in reference

    dose = definition(card, "Dose and formulation as reported")
    assert "Naltrexone 3 mg by mouth at night, as used in Roe 2021" in dose.text()
    assert "Take 3 mg at night." in dose.text()
    assert "Source of: Take 3 mg at night." in " ".join(cited_source_titles(page, dose))

    harms = definition(card, "Key harms")
    assert "Two people slept badly." in harms.text()
    assert "Source of: Two people slept badly." in " ".join(cited_source_titles(page, harms))

    certainty = definition(card, "Certainty")
    # A case series starts low; one serious concern takes it to very low.
    assert "Itch relief" in certainty.text() and "Very low" in certainty.text()
    [link] = [href for href in certainty.hrefs() if href.startswith("#")]
    row = page.find(id=link[1:])
    assert row.tag == "tr" and row.text().startswith("Itch relief")

    verdict = definition(card, "Verdict")
    assert "SORT C" in verdict.text()  # a case series: C by the rule
    assert "ldnref SORT rule 2" in verdict.text()


def test_a_route_with_no_study_says_so_plainly(client, oral_series):
    condition, _ = oral_series
    card = route_card(clinician(client, condition), Route.TOPICAL)
    assert "Topical LDN for itchy skin: no study reported." in card.text()
    assert "No study reported." in definition(card, "Best evidence").text()
    assert "Not reported for itchy skin." in definition(card, "Key harms").text()
    assert "Insufficient evidence" in definition(card, "Verdict").text()
    assert "Not graded" in definition(card, "Certainty").text()


def test_a_route_with_only_a_laboratory_study_says_laboratory_study_only(client, grades):
    condition = make_condition(name="Scaly skin", status=APPROVED)
    cream = make_intervention(route=Route.TOPICAL)
    condition.studies.add(
        approved_study(design=StudyDesign.IN_VITRO, label="Lab 2020", intervention=cream)
    )
    card = route_card(clinician(client, condition), Route.TOPICAL)
    assert "Topical LDN for scaly skin: laboratory study only." in card.text()
    assert "Level 5" in definition(card, "Best evidence").text()


def test_general_dosing_shows_only_where_the_condition_has_none_and_is_labelled(
    client, oral_series
):
    condition, _ = oral_series
    lab = approved_study(design=StudyDesign.IN_VITRO, label="Lab 2020")
    certainty = make_certainty(condition=condition, route=Route.TOPICAL, outcome=Outcome.BIOMARKERS)
    certainty.studies.add(lab)
    condition.studies.add(lab)
    cited("Creams are 1%.", kind=ClaimKind.DOSING, route=Route.TOPICAL)  # about no condition
    cited("Tablets are 4.5 mg.", kind=ClaimKind.DOSING, route=Route.ORAL)
    page = clinician(client, condition)

    topical = definition(route_card(page, Route.TOPICAL), "Dose and formulation as reported")
    assert "Not reported for itchy skin." in topical.text()
    assert "About LDN in general, not about itchy skin: Creams are 1%." in topical.text()
    oral = definition(route_card(page, Route.ORAL), "Dose and formulation as reported")
    assert "Tablets are 4.5 mg." not in oral.text()  # the condition has its own dose


def test_a_route_never_tried_in_the_condition_gets_no_general_dose(client, oral_series):
    condition, _ = oral_series
    cited("Creams are 1%.", kind=ClaimKind.DOSING, route=Route.TOPICAL)  # about no condition
    card = route_card(clinician(client, condition), Route.TOPICAL)
    dose = definition(card, "Dose and formulation as reported").text()
    assert dose == "Not reported for itchy skin."


def test_indirect_evidence_in_the_bottom_line_says_why(client, grades):
    condition = make_condition(name="Dry skin", status=APPROVED)
    trial = approved_study(
        label="Doe 2007", n=40, intervention=make_intervention(route=Route.TOPICAL)
    )
    IndirectEvidence.objects.create(
        condition=condition, study=trial, reason="It enrolled eczema patients only."
    )
    card = route_card(clinician(client, condition), Route.TOPICAL)
    assert "indirect evidence only" in card.text()
    best = definition(card, "Best evidence").text()
    assert "randomized controlled trial, n=40" in best
    assert "Indirect evidence: It enrolled eczema patients only." in best
    # Only a trial of the condition's own patients earns B (ldnref SORT rule 2).
    assert "Taxonomy) B" not in definition(card, "Verdict").text()


# ---------------------------------------------------------------- Summary of Findings


def sof(page):
    return page.section("Summary of findings")


def sof_row(page, outcome, route):
    return sof(page).find("tr", **{"data-outcome": outcome, "data-route": route})


def cells(row):
    return [child for child in row.children if getattr(child, "tag", "") in ("th", "td")]


def column(page, heading):
    headings = [th.text() for th in sof(page).find("thead").iter("th")]
    return next(i for i, text in enumerate(headings) if text.startswith(heading))


def test_the_summary_of_findings_names_population_setting_intervention_and_comparison(
    client, oral_series
):
    condition, _ = oral_series
    header = sof(clinician(client, condition)).find("dl", "sof-header").text()
    assert "Population People with itchy skin" in header
    assert "Setting Not reported" in header
    assert "Intervention Low-dose naltrexone (LDN): Naltrexone 3 mg by mouth at night" in header
    assert "Comparison No comparison group" in header


def test_a_row_counts_studies_sums_participants_and_gives_each_effect_with_its_comparator(
    client, grades
):
    condition = make_condition(name="Red skin", status=APPROVED)
    series = approved_study(design=StudyDesign.CASE_SERIES, n=10, result="7 of 10 itched less.")
    trial = approved_study(n=5, result="Itch fell 30% more than with placebo.")
    report = approved_study(design=StudyDesign.CASE_REPORT, n=None, result="")
    make_certainty(condition=condition, studies=[series, trial, report])
    page = clinician(client, condition)
    row = cells(sof_row(page, Outcome.ITCH_RELIEF, Route.TOPICAL))

    assert row[column(page, "Studies (k)")].text() == "3"
    assert row[column(page, "Participants (n)")].text() == "15 (not reported for 1 of 3 studies)"
    effect = row[column(page, "Effect as reported")].text()
    assert "7 of 10 itched less. (no comparison group)" in effect
    assert "Itch fell 30% more than with placebo. (randomized comparison)" in effect
    assert f"{report.label}" in effect and "Not reported (no comparison group)" in effect


def test_participants_read_not_reported_when_no_study_gives_n(client, grades):
    condition = make_condition(name="Sore skin", status=APPROVED)
    make_certainty(condition=condition, studies=[approved_study(n=None)])
    page = clinician(client, condition)
    row = cells(sof_row(page, Outcome.ITCH_RELIEF, Route.TOPICAL))
    assert row[column(page, "Participants (n)")].text() == "Not reported"


def test_each_rating_step_is_a_footnote_letter_with_its_reason_below_the_table(client, grades):
    condition = make_condition(name="Flaky skin", status=APPROVED)
    trial = approved_study(label="Doe 2007")
    certainty = make_certainty(condition=condition, studies=[approved_study()])
    certainty.studies.add(trial)
    IndirectEvidence.objects.create(condition=condition, study=trial, reason="Eczema only.")
    make_rating(certainty=certainty, domain=GradeDomain.RISK_OF_BIAS, reason="Open label.")
    page = clinician(client, condition)
    row = sof_row(page, Outcome.ITCH_RELIEF, Route.TOPICAL)
    certainty_cell = cells(row)[column(page, "Certainty")]

    notes = [
        sof(page).find(id=href[1:]).text() for href in certainty_cell.hrefs() if "#sof-note" in href
    ]
    assert len(notes) == 2
    assert any(
        "Rated down one level for risk of bias, by the editors: Open label." in n for n in notes
    )
    assert any(
        "Rated down one level for indirectness" in n
        and "ldnref GRADE rule 2" in n
        and "Eczema only." in n
        for n in notes
    )
    # Two randomized trials start high; two steps down give low.
    assert "GRADE certainty" in certainty_cell.text() and "Low" in certainty_cell.text()


def test_an_adverse_effects_row_shows_the_harms_not_the_benefit(client, oral_series):
    condition, series = oral_series
    make_certainty(
        condition=condition, outcome=Outcome.ADVERSE_EFFECTS, route=Route.ORAL, studies=[series]
    )
    page = clinician(client, condition)
    effect = cells(sof_row(page, Outcome.ADVERSE_EFFECTS, Route.ORAL))[
        column(page, "Effect as reported")
    ]
    assert "Two people slept badly." in effect.text()
    assert "9 of 12 itched less." not in effect.text()
    # Harms come last, as a Summary of Findings lists them.
    outcomes = [tr.attrs.get("data-outcome") for tr in sof(page).iter("tr")]
    assert outcomes.index(Outcome.ADVERSE_EFFECTS) > outcomes.index(Outcome.ITCH_RELIEF)


def test_a_route_with_no_graded_outcome_reads_not_reported(client, oral_series):
    condition, _ = oral_series
    row = sof(clinician(client, condition)).find("tr", **{"data-route": Route.TOPICAL})
    texts = [cell.text() for cell in cells(row)]
    assert texts[1] == "Topical"
    assert texts.count("Not reported") == 3
    assert "No study reported." in texts


def test_an_override_shows_in_the_table_as_a_departure_with_its_reason(client, grades):
    condition = make_condition(name="Hot skin", status=APPROVED)
    make_certainty(
        condition=condition,
        studies=[approved_study()],
        certainty_override=grades["low"],
        certainty_override_reason="Tiny trial.",
    )
    page = clinician(client, condition)
    cell = cells(sof_row(page, Outcome.ITCH_RELIEF, Route.TOPICAL))[column(page, "Certainty")]
    assert "Low" in cell.text()
    assert "The editors depart from the rule: Tiny trial." in cell.text()


# ---------------------------------------------------------------- safety questions


def checklist(page):
    return page.section("Safety questions by route").find("table")


def checklist_cell(page, question, route):
    row = checklist(page).find("tr", **{"data-safety-question": question})
    return row.find("td", **{"data-route": route})


def test_the_checklist_asks_every_question_for_both_routes_and_marks_silence(client, grades):
    condition = make_condition(name="Pale skin", status=APPROVED)
    table = checklist(clinician(client, condition))
    header = [th.text() for th in table.find("thead").iter("th")]
    assert header == ["Question", "Topical LDN", "Oral LDN"]
    rows = [tr for tr in table.find("tbody").iter("tr")]
    assert [row.find("th").text() for row in rows] == QUESTIONS
    for row in rows:
        answers = [td.text() for td in row.iter("td")]
        assert answers == [NOT_REPORTED, NOT_REPORTED], row.find("th").text()


def test_a_tagged_claim_answers_its_question_for_its_route_with_its_citation(client, grades):
    condition = make_condition(name="Pale skin", status=APPROVED)
    pregnancy = cited(
        "Avoid in pregnancy.", route=Route.ORAL, safety_question=SafetyQuestion.PREGNANCY
    )
    monitoring = cited("Check the liver.", safety_question=SafetyQuestion.MONITORING)
    condition.claims.add(pregnancy, monitoring)
    make_claim(  # a draft never answers
        statement="Draft answer.", route=Route.TOPICAL, safety_question=SafetyQuestion.PREGNANCY
    )
    page = clinician(client, condition)

    oral = checklist_cell(page, SafetyQuestion.PREGNANCY, Route.ORAL)
    assert "Avoid in pregnancy." in oral.text()
    assert "Source of: Avoid in pregnancy." in cited_source_titles(page, oral)[0]
    assert checklist_cell(page, SafetyQuestion.PREGNANCY, Route.TOPICAL).text() == NOT_REPORTED
    # A claim that names no route answers for both.
    for route in Route.values:
        assert "Check the liver." in checklist_cell(page, SafetyQuestion.MONITORING, route).text()
    assert "Draft answer." not in page.text()


def test_a_general_claim_answers_its_question_on_every_condition_page(client, grades):
    first = make_condition(name="Pale skin", status=APPROVED)
    second = make_condition(name="Dark skin", status=APPROVED)
    cited("Do not combine with opioids.", safety_question=SafetyQuestion.OPIOIDS)
    for condition in (first, second):
        cell = checklist_cell(clinician(client, condition), SafetyQuestion.OPIOIDS, Route.ORAL)
        assert "Do not combine with opioids." in cell.text(), condition


def plain_items(page, route):
    section = page.section("Is it safe for me?")
    return {
        li.attrs["data-safety-question"]: li
        for li in section.iter("li")
        if li.attrs.get("data-route") == route
    }


def test_the_patient_page_asks_the_same_questions_in_plain_words(client, grades):
    condition = make_condition(name="Pale skin", status=APPROVED)
    pregnancy = cited(
        "Avoid in pregnancy.", route=Route.ORAL, safety_question=SafetyQuestion.PREGNANCY
    )
    stopping = cited("Stop slowly.", route=Route.ORAL, safety_question=SafetyQuestion.STOPPING)
    condition.claims.add(pregnancy, stopping)
    make_plain_statement(condition=condition, claim=stopping, text="Do not stop all at once.")
    page = patient(client, condition)
    section = page.section("Is it safe for me?")
    assert [h3.text() for h3 in section.iter("h3")] == [
        "LDN cream on the skin",
        "LDN taken by mouth",
    ]
    for route in Route.values:
        assert list(plain_items(page, route)) == list(SafetyQuestion.values)

    topical, oral = plain_items(page, Route.TOPICAL), plain_items(page, Route.ORAL)
    assert topical[SafetyQuestion.PREGNANCY].text() == (
        "The articles don't say whether it is safe in pregnancy or while breastfeeding. "
        "Ask your doctor."
    )
    answered = oral[SafetyQuestion.PREGNANCY]
    assert "say about pregnancy and breastfeeding" in answered.text()
    assert "Avoid in pregnancy" not in answered.text()  # the clinician wording stays there
    assert "Source of: Avoid in pregnancy." in cited_source_titles(page, answered)[0]
    said = oral[SafetyQuestion.STOPPING]
    assert said.text().startswith("Do not stop all at once.")
    assert said.text().endswith("Ask your doctor what it means for you.")
    assert said.find(**{"data-claim": stopping.key}) is not None


# ---------------------------------------------------------------- the real content


def test_psoriasis_bottom_line_says_topical_is_laboratory_only(content, client):
    page = get_page(client, "/conditions/psoriasis/")
    card = route_card(page, Route.TOPICAL)
    assert "Topical LDN for psoriasis: laboratory study only." in card.text()
    oral = route_card(page, Route.ORAL)
    assert "/studies/weinstock2020-case-series/" in definition(oral, "Best evidence").hrefs()


def test_every_condition_page_has_the_checklist_on_both_views(content, client):
    from conditions.models import Condition

    for condition in Condition.objects.published():
        table = checklist(clinician(client, condition))
        rows = list(table.find("tbody").iter("tr"))
        assert len(rows) == len(QUESTIONS)
        for row in rows:
            for cell in row.iter("td"):
                assert cell.text(), (condition, row.find("th").text())
        section = patient(client, condition).section("Is it safe for me?")
        assert len(list(section.iter("li"))) == 2 * len(QUESTIONS)
