"""`manage.py synthesize`: N marked copies of the content, for scale tests and benchmarks."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conditions.models import Condition
from evidence.management.content import content_models
from evidence.models import Claim, Grade, GradingScale, Source, Study

pytestmark = pytest.mark.django_db

SHARED = {GradingScale, Grade}  # the method, not content: never copied


def synthesize(*args):
    out = StringIO()
    call_command("synthesize", *args, stdout=out)
    return out.getvalue()


def dump(tmp_path, name):
    """The whole content as dump_content writes it, rows in the order they were created."""
    directory = tmp_path / name
    call_command("dump_content", str(directory), "--include-synthetic", stdout=StringIO())
    return {path.name: path.read_text() for path in sorted(directory.glob("*.json"))}


def test_it_refuses_an_empty_database_and_says_what_it_needs():
    with pytest.raises(CommandError, match=r"no content to copy: load the fixtures first"):
        synthesize("--scale", "2")
    assert not Condition.objects.exists()


@pytest.mark.parametrize("scale", ["0", "-3", "1001"])
def test_a_scale_out_of_range_is_refused(content, scale):
    with pytest.raises(CommandError, match="--scale must be between 1 and 1000"):
        synthesize("--scale", scale)
    assert not Source.objects.filter(key__startswith="synthetic-").exists()


def test_scale_n_adds_n_copies_of_every_content_model(content):
    before = {model: model.objects.count() for model in content_models()}
    report = synthesize("--scale", "3")
    for model, count in before.items():
        expected = count if model in SHARED else 4 * count
        if model is Source:  # the two seed articles are shared, every other source copied
            expected = count + 3 * (count - 2)
        assert model.objects.count() == expected, model.__name__
    assert "Added 3 synthetic copies" in report


def test_synthetic_rows_are_marked_and_the_real_content_is_unchanged(content, client, tmp_path):
    real = dump(tmp_path, "before")
    psoriasis = client.get("/conditions/psoriasis/").content
    synthesize("--scale", "2")

    new_conditions = Condition.objects.exclude(slug__in=["psoriasis", "vitiligo"]).filter(
        slug__startswith="synthetic-"
    )
    assert new_conditions.count() == 14
    for condition in new_conditions:
        assert condition.name.startswith("Synthetic data ")
    for model in (Claim, Study):
        synthetic = model.objects.filter(key__startswith="synthetic-").count()
        assert synthetic == 2 * model.objects.exclude(key__startswith="synthetic-").count()
    copied_sources = Source.objects.exclude(key__startswith="synthetic-").exclude(seed_file="")
    assert Source.objects.filter(key__startswith="synthetic-").count() == 2 * (
        Source.objects.filter(seed_file="").exclude(key__startswith="synthetic-").count()
    )
    assert copied_sources.count() == 2  # the seeds, shared
    assert not Claim.objects.filter(key__startswith="synthetic-1-").exclude(
        statement__startswith="Synthetic data 1: "
    )
    # The real pages do not show synthetic content: a copy's general claims are tied to the
    # copy's own conditions.
    assert client.get("/conditions/psoriasis/").content == psoriasis

    synthesize("--remove")
    assert dump(tmp_path, "after") == real


def test_pages_render_each_copy_with_its_own_content(content, client):
    synthesize("--scale", "2")
    page = client.get("/conditions/synthetic-2-psoriasis/")
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert "Synthetic data 2: Psoriasis" in html
    assert html.count("Synthetic data 2: ") > 20  # its claims, studies and sources
    assert "Synthetic data 1: " not in html  # copies do not mix
    # Copied citations in the summary point at the copy's sources.
    assert 'href="/sources/synthetic-2-' in html

    for path, marker in [
        ("/conditions/synthetic-1-psoriasis/patient/", "Synthetic data 1: "),
        ("/studies/synthetic-1-weinstock2020-case-series/", "Synthetic data 1: Weinstock"),
        ("/mechanisms/synthetic-2-tlr4-modulation/", "Synthetic data 2: "),
        ("/claims/synthetic-1-psoriasis-case-series-response/", "Synthetic data 1: "),
        ("/sources/synthetic-2-weinstock2020/", "Synthetic data 2: "),
    ]:
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK, path
        assert marker in response.content.decode(), path
    home = client.get("/").content.decode()
    copy_one = Condition.objects.filter(slug__startswith="synthetic-1-")
    assert copy_one.count() == 7
    for condition in copy_one:
        assert f'href="/conditions/{condition.slug}/"' in home
    assert "Synthetic data 2: Psoriasis" in home


def test_quotes_stay_verbatim_from_the_seed_articles(content, settings):
    synthesize("--scale", "2")
    out = StringIO()
    call_command("verify_quotes", str(settings.BASE_DIR.parent / "shared" / "seeds"), stdout=out)
    assert ", 0 not found" in out.getvalue()


def test_the_same_seed_gives_the_same_rows_in_the_same_order(content, tmp_path):
    synthesize("--scale", "2", "--seed", "7")
    first = dump(tmp_path, "first")
    synthesize("--scale", "2", "--seed", "7")  # replaces the earlier synthetic rows
    assert dump(tmp_path, "again") == first
    synthesize("--scale", "2", "--seed", "8")
    other = dump(tmp_path, "other")
    assert other != first
    # Another seed inserts the same rows in another order.
    assert sorted(other["03_evidence.json"].splitlines()) == sorted(
        first["03_evidence.json"].splitlines()
    )


def test_a_dump_refuses_synthetic_data_unless_asked_and_never_into_fixtures(
    content, settings, tmp_path
):
    synthesize("--scale", "1")
    with pytest.raises(CommandError, match="synthesize --remove"):
        call_command("dump_content", str(tmp_path / "dump"), stdout=StringIO())
    assert not (tmp_path / "dump").exists()
    fixtures = settings.BASE_DIR / "fixtures"
    before = {path: path.read_bytes() for path in fixtures.glob("*.json")}
    with pytest.raises(CommandError, match="never written into fixtures/"):
        call_command("dump_content", str(fixtures), "--include-synthetic", stdout=StringIO())
    assert {path: path.read_bytes() for path in fixtures.glob("*.json")} == before
