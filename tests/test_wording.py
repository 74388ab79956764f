"""Wording follows certainty: the examples of ../shared/GRADING.md (GRADE guidance 26)."""

import pytest

from evidence.wording import implied_certainty, wording_problem

GRADING_MD_EXAMPLES = [
    ("LDN reduces itch", "high"),
    ("LDN probably reduces itch", "moderate"),
    ("LDN may reduce itch", "low"),
    ("We are very uncertain whether LDN reduces itch", "very-low"),
]


@pytest.mark.parametrize(("sentence", "certainty"), GRADING_MD_EXAMPLES)
def test_each_example_reads_as_its_own_certainty(sentence, certainty):
    assert implied_certainty(sentence) == certainty
    assert wording_problem(sentence, certainty) is None


def test_may_beside_very_low_certainty_is_flagged_with_the_expected_wording():
    problem = wording_problem("Topical naltrexone may relieve itch.", "very-low")

    assert problem is not None
    assert "reads as low certainty" in problem
    assert "we are very uncertain whether" in problem


def test_an_unhedged_claim_beside_low_certainty_is_flagged():
    assert '"may"' in (wording_problem("LDN relieves itch.", "low") or "")


def test_an_unknown_certainty_is_an_error_not_a_pass():
    with pytest.raises(ValueError, match="Unknown GRADE certainty"):
        wording_problem("LDN may reduce itch", "somewhat")
