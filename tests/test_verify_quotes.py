"""verify_quotes: every stored quote must occur verbatim in its seed article."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    make_check,
    make_citation,
    make_claim,
    make_seed,
    make_seed_reference,
    make_study,
)

pytestmark = pytest.mark.django_db

SEED_TEXT = (
    "Topical LDN \u201cmarkedly reduced\u201d itch in\u00a0an open-label trial.\n\n"
    "Patients\u2019 scores   fell by half.\n"
    "References\n1. Doe J. A study of things. 2020.\n"
)


@pytest.fixture
def seeds(tmp_path):
    (tmp_path / "000_seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    return tmp_path


@pytest.fixture
def seed():
    return make_seed(key="kim-blog", seed_file="000_seed.txt")


def verify(directory):
    out = StringIO()
    call_command("verify_quotes", str(directory), stdout=out)
    return out.getvalue()


def test_it_passes_a_quote_that_is_in_the_seed(seeds, seed):
    make_citation(reported_by=seed, quote="in an open-label trial.")

    assert "1 found, 0 not found" in verify(seeds)


def test_it_fails_an_altered_quote_and_names_the_claim(seeds, seed):
    claim = make_claim(key="itch-relief-rct")
    make_citation(claim=claim, reported_by=seed, quote="in a randomized trial.")
    out = StringIO()

    with pytest.raises(CommandError, match="1 not found"):
        call_command("verify_quotes", str(seeds), stdout=out)

    failure = out.getvalue()
    assert "Citation itch-relief-rct" in failure
    assert "(as reported in kim-blog)" in failure
    assert 'not found in 000_seed.txt: "in a randomized trial."' in failure


def test_it_ignores_curly_quotes_and_whitespace_differences(seeds, seed):
    make_study(reported_by=seed, quote='Topical LDN "markedly reduced" itch in an open-label')
    make_citation(reported_by=seed, quote="Patients' scores fell\nby half.")

    assert "2 found, 0 not found" in verify(seeds)


def test_it_passes_fragments_joined_by_an_ellipsis_when_each_is_in_the_seed(seeds, seed):
    make_citation(reported_by=seed, quote="Topical LDN \u2026 scores fell by half.")

    assert "1 found, 0 not found" in verify(seeds)


def test_it_fails_fragments_when_one_is_not_in_the_seed(seeds, seed):
    make_citation(reported_by=seed, quote="Topical LDN \u2026 scores fell to zero.")
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("verify_quotes", str(seeds), stdout=out)

    assert 'fragment 2 of 2 not found in 000_seed.txt: "scores fell to zero."' in out.getvalue()


def test_it_checks_the_seed_reference_lists_as_printed(seeds, seed):
    make_seed_reference(seed=seed, number=1, as_printed="Doe J. A study of things. 2020.")
    make_seed_reference(seed=seed, number=2, as_printed="Roe R. Another study. 2021.")
    out = StringIO()

    with pytest.raises(CommandError, match="1 found, 1 not found"):
        call_command("verify_quotes", str(seeds), stdout=out)

    assert "SeedReference kim-blog [2]" in out.getvalue()


def test_it_fails_clearly_when_a_seed_file_is_missing(tmp_path):
    make_citation(reported_by=make_seed(seed_file="999_gone.txt"), quote="anything")
    out = StringIO()

    with pytest.raises(CommandError, match="1 could not be checked"):
        call_command("verify_quotes", str(tmp_path), stdout=out)

    assert f"Seed file missing: {tmp_path / '999_gone.txt'}" in out.getvalue()


def test_it_fails_when_the_seed_directory_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="Seed directory not found"):
        verify(tmp_path / "nowhere")


def test_it_checks_any_number_of_quotes_in_the_same_number_of_queries(seeds, seed):
    make_citation(reported_by=seed, quote="fell by half.")
    with CaptureQueriesContext(connection) as one_citation:
        verify(seeds)
    for _ in range(5):
        make_citation(reported_by=seed, quote="fell by half.")
        make_study(reported_by=seed, quote="fell by half.")

    with CaptureQueriesContext(connection) as many_rows:
        verify(seeds)

    assert len(many_rows) == len(one_citation)


def test_a_study_record_as_the_paper_reports_it_has_no_seed_quote_to_check(seeds, seed):
    # The paper's own record comes from the editors' check: no seed, no quote, nothing to
    # verify, and no crash on its empty reporter.
    make_citation(reported_by=seed, quote="in an open-label trial.")
    make_study(per_check=make_check(), reported_by=None, quote="")

    out = verify(seeds)

    assert "1 found, 0 not found" in out
