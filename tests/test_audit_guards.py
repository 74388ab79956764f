"""Guards for each kind of problem the fresh readers' audit of issue 15 found.

A  a page says the articles report nothing on a topic it shows a statement about;
B  a safety row that cites something but does not say it;
C  a footnote on a statement that names the cited paper but not the article that reported it;
D  a check that contradicts one article on a paper the other cites, with no disagreement shown;
E  "what rests on this study" told differently by the study page, the source page and /studies/;
   and a limitations section holding statements that state no limit.
"""

import re

import pytest

from conditions import content_checks as checks
from conditions.models import Condition
from evidence.choices import CheckVerdict, ClaimKind
from evidence.models import Claim, Study
from tests.factories import make_check, make_citation, make_claim, make_source
from tests.pages import footnotes, get_page, listed_sources, references

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- A: silence that isn't

# A sentence saying the articles (or our records) are silent on a topic, and the claim kinds
# that topic covers. "Dose as reported" in the answer is a dosing claim, and so on.
SILENCE = re.compile(
    r"[^.]{0,200}\b(report nothing on|\w+ is not reported|no [\w ]+ is proposed|"
    r"no limitations are stated|do not describe|say nothing|neither article states|"
    r"no statement on record|no sentence from the articles|statements on record on these "
    r"topics)\b[^.]*\.",
    re.IGNORECASE,
)
TOPICS = {
    r"\bdos(e|ing)|formulation|how LDN is used|how LDN is taken": {ClaimKind.DOSING},
    r"side effects|safety": {ClaimKind.SAFETY},
    r"mechanism": {ClaimKind.MECHANISM},
    r"who might benefit": {ClaimKind.PATIENT_SELECTION},
    r"availability|regulation|cost": {ClaimKind.AVAILABILITY},
    r"future research": {ClaimKind.FUTURE},
    r"limitation": {ClaimKind.LIMITATION},
    r"conclusion": {ClaimKind.CONCLUSION},
}
# Safety-question rows say what the articles leave open on one question ("The articles don't
# say …"); they are the checklist's business (guard B), not a topic of the page.
SAFETY_ROWS = ("safety-questions",)


def _silences(text):
    for match in SILENCE.finditer(text):
        sentence = match.group(0)
        kinds = set()
        for pattern, found in TOPICS.items():
            if re.search(pattern, sentence, re.IGNORECASE):
                kinds |= found
        yield sentence.strip(), kinds


def _safety_rows(main):
    return [s for s in main.iter("section") if f"section-{SAFETY_ROWS[0]}" in s.classes]


def _shown_claims(page):
    """The claims the page shows outside its safety rows."""
    main = page.find("main")
    inside = {id(e) for section in _safety_rows(main) for e in section.iter()}
    keys = {
        e.attrs["data-claim"]
        for e in main.iter()
        if "data-claim" in e.attrs and id(e) not in inside
    }
    return list(Claim.objects.filter(key__in=keys).prefetch_related("conditions"))


def _outside_safety_rows(page):
    main = page.find("main")
    text = main.text()
    for section in _safety_rows(main):
        text = text.replace(section.text(), " ")
    return text


@pytest.mark.parametrize("view", ["/conditions/{}/", "/conditions/{}/patient/"])
def test_no_condition_page_says_the_articles_are_silent_on_what_it_shows(client, content, view):
    """A silence sentence must be scoped to the condition ("in particular"), and then no
    statement of that kind tied to the condition may be on the page; an unscoped one may not
    sit beside any statement of its kind (the dose in the answer, a plain sentence …)."""
    checked = 0
    for condition in Condition.objects.published():
        page = get_page(client, view.format(condition.slug))
        shown = _shown_claims(page)
        for sentence, kinds in _silences(_outside_safety_rows(page)):
            checked += 1
            scoped = "in particular" in sentence
            clash = [
                claim.key
                for claim in shown
                if claim.kind in kinds and (not scoped or condition in claim.conditions.all())
            ]
            assert not clash, (condition.slug, sentence, clash)
            assert scoped or not kinds, (condition.slug, sentence)
    assert checked  # the pattern finds the silence sentences the pages do have


def test_the_guard_catches_an_unscoped_silence_beside_a_statement_of_its_kind():
    """The guard's own logic, on a sentence the audit found (A1)."""
    [(sentence, kinds)] = list(
        _silences("For this condition the articles report nothing on: dosing and formulations.")
    )
    assert ClaimKind.DOSING in kinds and "in particular" not in sentence


# ---------------------------------------------------------------- B: rows that answer


def _safety_cells(page):
    for element in page.iter():
        if "data-safety-question" in element.attrs and element.tag in ("li", "tr"):
            yield from ([element] if element.tag == "li" else list(element.iter("td")))


def test_every_safety_row_that_cites_says_what_it_cites(client, content):
    """No row is only "here is what the articles say" with a footnote: every claim a safety
    cell cites shows words of its own beside the footnote."""
    paths = ["/ldn/"]
    for slug in Condition.objects.published().values_list("slug", flat=True):
        paths += [f"/conditions/{slug}/", f"/conditions/{slug}/patient/"]
    cited = 0
    for path in paths:
        for cell in _safety_cells(get_page(client, path)):
            assert "Here is what the articles say" not in cell.text(), path
            for element in cell.iter():
                if "data-claim" in element.attrs and footnotes(element):
                    cited += 1
                    words = re.sub(r"[\d,\s]+", " ", element.text(skip=("sup",))).strip()
                    assert len(words.split()) >= 4, (path, element.attrs["data-claim"], words)
    assert cited


# ---------------------------------------------------------------- C: who said it


def test_every_footnoted_statement_names_the_article_that_reported_it(client, content):
    """On every page, the footnotes of a shown statement include each article that reported
    what it cites (a primary paper never stands alone for an article's claim)."""
    paths = ["/", "/ldn/", "/studies/"]
    for condition in Condition.objects.published():
        paths += [condition.get_absolute_url(), f"/conditions/{condition.slug}/patient/"]
    paths += [study.get_absolute_url() for study in Study.objects.published()]
    seen = 0
    for path in paths:
        page = get_page(client, path)
        numbered = {number: item for number, item in references(page).items()}
        keys_of = {}
        for key, item in listed_sources(page).items():
            for number, entry in numbered.items():
                if entry is item:
                    keys_of[number] = key
        for element in page.iter():
            key = element.attrs.get("data-claim")
            if not key or not footnotes(element):
                continue
            claim = Claim.objects.filter(key=key).first()
            if claim is None:
                continue
            named = {keys_of.get(number) for number, _ in footnotes(element)}
            reporters = {c.reported_by.key for c in claim.citations.select_related("reported_by")}
            assert reporters <= named, (path, key, reporters, named)
            seen += 1
    assert seen


# ---------------------------------------------------------------- D: disagreement shown


def test_check_content_finds_a_check_contradicting_an_article_with_no_conflict(content):
    assert checks.unrecorded_disagreements() == []
    first, second = make_source(), make_source()
    paper = make_source()
    said = make_citation(source=paper, reported_by=first).claim
    denied = make_citation(source=second, reported_by=second).claim
    make_check(claim=denied, source=paper, verdict=CheckVerdict.DIFFERS)
    [problem] = checks.unrecorded_disagreements()
    assert denied.key in problem and paper.key in problem
    assert said.key  # the other article's claim on the same paper exists


def test_the_atopic_dermatitis_page_shows_the_disagreement_its_check_records(client, content):
    section = get_page(client, "/conditions/atopic-dermatitis/").section("Where sources disagree")
    text = section.text()
    assert "No disagreement" not in text
    assert "randomized" in text and "atopic dermatitis" in text


# ---------------------------------------------------------------- E: limitations, studies


def test_check_content_finds_a_limitation_that_states_no_limit(content):
    assert checks.limitations_that_state_no_limit() == []
    claim = make_claim(
        kind=ClaimKind.LIMITATION,
        statement="The second article considers psoriasis the condition with most evidence.",
    )
    [problem] = checks.limitations_that_state_no_limit()
    assert claim.key in problem


def _statements(page, heading):
    section = page.section(heading)
    return {e.attrs["data-claim"] for e in section.iter() if "data-claim" in e.attrs}


def test_what_rests_on_a_study_agrees_between_its_page_its_source_page_and_the_list(
    client, content
):
    listing = get_page(client, "/studies/")
    for study in Study.objects.published().select_related("source"):
        page = get_page(client, study.get_absolute_url())
        resting = _statements(page, "What rests on this study")
        source_page = get_page(client, study.source.get_absolute_url())
        citing = {e.attrs["data-claim"] for e in source_page.iter() if "data-claim" in e.attrs}
        own = set(Claim.objects.filter(study=study).values_list("key", flat=True))
        assert resting == (citing | own), study.key
        # every condition whose verdict rests on it is named in the list's row
        row = next(r for r in listing.iter("tr") if study.get_absolute_url() in r.hrefs())
        rests = page.section("What rests on this study")
        named = {h for h in rests.hrefs() if re.fullmatch(r"/conditions/[\w-]+/", h)}
        assert named <= set(row.hrefs()), study.key


# ---------------------------------------------------------------- F: who the sources are


@pytest.mark.parametrize("path", ["/", "/ldn/"])
def test_the_home_and_general_pages_say_who_the_sources_are_before_their_content(
    client, content, path
):
    main = get_page(client, path).find("main")
    text = main.text()
    first = text.index("blog post")
    assert "pending human review" in text[: first + 400]
    assert "editors" in text[: first + 400]
    for marker in ("Psoriasis", "Safety questions"):
        if marker in text:
            assert first < text.index(marker), (path, marker)


def test_no_page_says_its_content_comes_only_from_the_two_articles(client, content):
    """The atopic dermatitis verdict rests on the editors' own check of a paper."""
    for path in ("/", "/ldn/", "/conditions/atopic-dermatitis/"):
        text = get_page(client, path).text()
        assert "comes only from the two articles" not in text, path
        assert "editors' checks" in text, path


# ---------------------------------------------------------------- C: no surer than the article


def test_check_content_finds_a_verdict_more_absolute_than_the_article(content):
    """The audit's C1: "suggests it only when other treatments have failed", where the article
    says LDN "may represent" an option for refractory disease or intolerance."""
    assert checks.paraphrases_more_absolute_than_quotes() == []
    psoriasis = Condition.objects.get(slug="psoriasis")
    psoriasis.verdict += " The second article suggests it only when other treatments have failed."
    psoriasis.save()
    [problem] = checks.paraphrases_more_absolute_than_quotes()
    assert "'only'" in problem and "psoriasis" in problem.lower()
