"""The review desk on the admin index, the changelists' "change waiting" column and the
"Edit in admin" link that signed-in staff see on public pages."""

import datetime
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from evidence import workflow
from evidence.choices import ReviewStatus
from revisions import snapshots
from tests.factories import make_staff, make_study

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED
PSORIASIS = "/conditions/psoriasis/"


def desk(client, user):
    client.force_login(user)
    text = unescape(re.sub(r"<[^>]+>", " ", client.get("/admin/").text))
    return {
        name: int(re.search(rf"{name}: (\d+)", text).group(1))
        for name in ("Waiting for your review", "Returned to you", "Due for re-review")
    }


def propose_result(study, by, text="Seven of nine improved."):
    data = snapshots.snapshot(study)
    data["fields"]["result"] = text
    return workflow.propose(study, data, by=by, submit=True, reason="Seven, per the paper.")


def test_the_desk_counts_changes_waiting_for_others_and_changes_returned_to_you(client):
    edith = make_staff("Editors", first_name="Edith")
    rita = make_staff("Reviewers", first_name="Rita")
    study = make_study(status=APPROVED, last_reviewed=timezone.localdate())
    propose_result(study, edith)

    assert desk(client, edith)["Waiting for your review"] == 0  # never your own change
    assert desk(client, rita)["Waiting for your review"] == 1

    workflow.request_changes([study], by=rita, reason="Give the page number.")

    assert desk(client, edith)["Returned to you"] == 1
    assert desk(client, rita)["Waiting for your review"] == 0


def test_an_item_is_due_for_re_review_after_the_configured_months(client, settings):
    rita = make_staff("Reviewers")
    today = timezone.localdate()
    study = make_study(status=APPROVED, last_reviewed=today - datetime.timedelta(days=400))
    old = desk(client, rita)["Due for re-review"]

    study.last_reviewed = today
    study.save()
    assert desk(client, rita)["Due for re-review"] == old - 1

    study.last_reviewed = today - datetime.timedelta(days=400)
    study.save()
    settings.REREVIEW_MONTHS = 24
    assert desk(client, rita)["Due for re-review"] == old - 1


def test_the_item_list_shows_which_items_have_a_change_waiting(client):
    edith = make_staff("Editors")
    waiting, quiet = make_study(status=APPROVED), make_study(status=APPROVED)
    propose_result(waiting, edith)
    client.force_login(edith)

    page = client.get("/admin/evidence/study/").text

    rows = {row for row in re.findall(r"<tr[ >].*?</tr>", page, re.S)}
    [row_waiting] = [row for row in rows if waiting.label in row]
    [row_quiet] = [row for row in rows if quiet.label in row]
    assert "waiting for review" in row_waiting and "waiting for review" not in row_quiet


def test_signed_in_staff_see_edit_in_admin_and_anonymous_readers_never_do(content, settings):
    settings.PAGE_CACHE_ALIAS = "default"  # the page cache on, as in production
    cache.clear()
    staff, reader = Client(), Client()
    staff.force_login(make_staff("Editors"))

    staff_page = staff.get(PSORIASIS)
    first = reader.get(PSORIASIS)
    second = reader.get(PSORIASIS)  # from the page cache
    staff_again = staff.get(PSORIASIS)

    assert "Edit in admin" in staff_page.text and "Edit in admin" in staff_again.text
    assert "/admin/conditions/condition/" in staff_page.text
    assert second["X-Page-Cache"] == "hit"
    for page in (first, second):
        assert "Edit in admin" not in page.text
    cache.clear()
