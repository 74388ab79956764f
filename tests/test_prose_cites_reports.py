"""Prose says whose account it gives (issue 15, item 1): a sentence of a summary cites a
primary paper only beside the article that reported it ("the second article, citing Weinstock
2020"), or as what the editors' check of that paper found."""

import pytest

from conditions.content_checks import primary_papers_cited_as_fact
from conditions.models import Condition
from evidence.models import Mechanism
from evidence.wording import primary_citation_problems

SEEDS = {"droracle-ldn-skin", "kim-topical-ldn"}
LISTED = {"weinstock2020": {"droracle-ldn-skin"}, "muller2018": {"droracle-ldn-skin"}}
CHECKED = {"weinstock2020"}


def problems(text):
    return primary_citation_problems(text, SEEDS, CHECKED, LISTED)


def test_an_articles_claim_footnoted_to_the_paper_alone_is_refused():
    # The audit's example: the series' side effects in the site's voice, cited to the paper.
    [problem] = problems("Side effects in the series were few: insomnia [@weinstock2020].")
    assert "weinstock2020" in problem


def test_the_article_that_reported_it_named_and_cited_beside_the_paper_passes():
    assert not problems(
        "The second article reports that side effects were few [@droracle-ldn-skin] "
        "[@weinstock2020]."
    )


def test_the_paper_alone_only_for_what_the_editors_check_of_it_found():
    assert not problems("Our check of the paper found no control group [@weinstock2020].")
    # muller2018 was never checked: "our check" cannot stand in for an article's account.
    assert problems("Our check found the man improved [@muller2018].")


@pytest.mark.django_db
def test_check_content_finds_a_summary_that_cites_a_paper_as_fact(content):
    assert primary_papers_cited_as_fact() == []
    Condition.objects.filter(slug="psoriasis").update(
        clinician_summary="Side effects were few [@weinstock2020]."
    )
    Mechanism.objects.filter(slug="skin-opioid-receptors").update(
        summary="The second article says mu receptors are everywhere [@lee2019]."
    )
    found = primary_papers_cited_as_fact()
    assert any(p.startswith("Condition psoriasis, clinician summary") for p in found)
    assert any(p.startswith("Mechanism skin-opioid-receptors") for p in found)
