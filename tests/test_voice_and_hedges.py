"""Voice and hedges (issue 15, item 2): an article's statement is shown as that article's, with
its own hedge; the lint refuses a paraphrase surer than its quote."""

import pytest

from conditions.content_checks import paraphrases_surer_than_quotes
from evidence.models import Claim, Mechanism
from evidence.wording import paraphrase_problem, prose_problems

# The seeds' own words (../shared/seeds/001_…): "LDN may represent a relatively safe,
# inexpensive option worth considering"; "Best candidates appear to be those with psoriasis
# refractory to other treatments".
SAFE_QUOTE = "LDN may represent a relatively safe, inexpensive option worth considering"
CANDIDATES_QUOTE = (
    "Best candidates appear to be those with psoriasis refractory to other treatments"
)


def test_a_paraphrase_that_drops_the_articles_may_is_refused():
    problem = paraphrase_problem(
        "The second article calls LDN relatively safe and inexpensive.", [SAFE_QUOTE]
    )
    assert problem and "may" in problem and "keep the article's hedge" in problem


def test_a_paraphrase_that_keeps_the_hedge_and_says_whose_it_is_passes():
    assert (
        paraphrase_problem(
            "The second article says LDN may be a relatively safe, inexpensive option.",
            [SAFE_QUOTE],
        )
        is None
    )


def test_appear_to_be_needs_a_hedge_too():
    assert paraphrase_problem(
        "The second article considers the best candidates to be people with hard psoriasis.",
        [CANDIDATES_QUOTE],
    )


def test_a_factive_verb_cannot_report_a_hedged_statement():
    problem = paraphrase_problem(
        "The second article finds LDN may be a relatively safe option.", [SAFE_QUOTE]
    )
    assert problem and '"finds" vouches' in problem


def test_an_articles_words_in_the_sites_voice_are_refused():
    problem = paraphrase_problem("Opioid receptors throughout the skin affect cell growth.", [])
    assert problem and "site's voice" in problem


def test_a_mechanism_summary_names_the_article_in_every_sentence():
    problems = prose_problems(
        "The second article says mu receptors are in every layer [@lee2019]. "
        "Delta receptors lower desmoglein [@lee2019].",
        [],
    )
    assert len(problems) == 1 and "Delta receptors" in problems[0]


@pytest.mark.django_db
def test_check_content_finds_a_claim_and_a_mechanism_that_lost_their_voice(content):
    assert paraphrases_surer_than_quotes() == []
    Claim.objects.filter(key="low-cost").update(statement="LDN is relatively safe and inexpensive.")
    Mechanism.objects.filter(slug="tlr4-modulation").update(
        summary="Naltrexone acts on TLR4 and lowers inflammatory cytokines [@kim-topical-ldn]."
    )
    problems = paraphrases_surer_than_quotes()
    assert any(p.startswith("Claim low-cost") for p in problems)
    assert any(p.startswith("Mechanism tlr4-modulation") for p in problems)
