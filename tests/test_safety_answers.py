"""Safety answers that answer the question (issue 15, item 4): each checklist row cites only
claims whose quoted words speak of its question; /ldn/ has the full checklist by route."""

import pytest

from conditions.content_checks import safety_tags_off_question
from evidence.models import Claim
from tests.pages import get_page

pytestmark = pytest.mark.django_db


def _rows(page):
    table = page.section("Safety questions by route").find("table")
    return {
        row.find("th").text(): [cell.text() for cell in row.iter("td")]
        for row in table.find("tbody").iter("tr")
    }


def test_the_ldn_page_has_every_safety_question_for_both_routes(client, content):
    rows = _rows(get_page(client, "/ldn/"))
    assert len(rows) == 8 and all(len(cells) == 2 for cells in rows.values())
    # Neither article says anything about patients with liver or kidney disease.
    assert rows["Liver and kidney disease"] == ["Not reported by either article"] * 2
    assert "liver function monitoring is less critical" in rows["Monitoring"][1]


def test_the_psoriasis_liver_row_is_not_answered_by_a_remark_on_monitoring(client, content):
    rows = _rows(get_page(client, "/conditions/psoriasis/"))
    assert "monitoring" not in " ".join(rows["Liver and kidney disease"])
    patient = get_page(client, "/conditions/psoriasis/patient/").text()
    assert "say about liver and kidney disease" not in patient


def test_check_content_refuses_a_tag_whose_quotes_do_not_speak_of_the_question(content):
    assert safety_tags_off_question() == []
    Claim.objects.filter(key="oral-liver-monitoring").update(safety_question="liver-kidney")
    [problem] = safety_tags_off_question()
    assert "oral-liver-monitoring" in problem and "liver-kidney" in problem
