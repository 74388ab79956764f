"""A bad fixture file stops loaddata with a message naming it, and loads nothing at all."""

import json
import re

import pytest
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError

from evidence.models import Claim, Source, Study
from tests.factories import make_claim, make_source

# transaction=True: loaddata's own transaction really commits or rolls back, as it does
# under `make run`, instead of inside the test's wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)

SOURCE = {
    "model": "evidence.source",
    "fields": {
        "key": "bigliardi2007",
        "kind": "journal-article",
        "reliability": "Peer-reviewed.",
        "authors": "Bigliardi PL, Stammer H",
        "title": "Treatment of pruritus with topically applied opiate receptor antagonist",
    },
}
SEED = {
    "model": "evidence.source",
    "fields": {
        **SOURCE["fields"],
        "key": "kim-blog",
        "kind": "clinic-blog",
        "title": "Topical low-dose naltrexone",
        "seed_file": "000_seed.txt",
    },
}
CLAIM = {"model": "evidence.claim", "fields": {"key": "c1", "kind": "safety", "statement": "Ok."}}


def study(**fields):
    return {
        "model": "evidence.study",
        "fields": {
            "key": "bigliardi-rct",
            "label": "Bigliardi 2007",
            "design": "rct",
            "source": ["bigliardi2007"],
            "reported_by": ["kim-blog"],
            "quote": "a randomized, placebo-controlled trial",
            **fields,
        },
    }


@pytest.fixture
def write(tmp_path):
    def write(name, content):
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return str(path)

    return write


@pytest.fixture
def existing_rows():
    """Rows an editor already has; a failed load must leave them alone."""
    make_source(key="existing-source")
    make_claim(key="existing-claim")
    return {Source: 1, Claim: 1}


def counts(models):
    return {model: model.objects.count() for model in models}


def test_broken_json_names_the_file_and_keeps_existing_rows(write, existing_rows):
    path = write("01_broken.json", '[{"model": "evidence.source", "fields": {')

    problem = re.escape(f"Problem installing fixture '{path}'")
    with pytest.raises(DeserializationError, match=problem) as e:
        call_command("loaddata", path, verbosity=0)

    assert isinstance(e.value.__cause__, json.JSONDecodeError)
    assert counts(existing_rows) == existing_rows


def test_an_unknown_model_is_named(write, existing_rows):
    path = write("01_unknown.json", [SOURCE, {"model": "evidence.nothing", "fields": {}}])

    with pytest.raises(DeserializationError, match="Invalid model identifier: evidence.nothing"):
        call_command("loaddata", path, verbosity=0)

    assert counts(existing_rows) == existing_rows


def test_a_bad_field_value_is_named_with_its_value(write, existing_rows):
    path = write("03_evidence.json", [SOURCE, SEED, study(n="about twenty")])

    with pytest.raises(DeserializationError) as e:
        call_command("loaddata", path, verbosity=0)

    assert "03_evidence.json" in str(e.value)
    assert "field_value was 'about twenty'" in str(e.value)
    assert counts(existing_rows) == existing_rows


def test_an_unknown_natural_key_stops_the_load(write, existing_rows):
    citation = {
        "model": "evidence.citation",
        "fields": {
            "claim": ["no-such-claim"],
            "source": ["bigliardi2007"],
            "reported_by": ["kim-blog"],
            "quote": "reduced itch",
        },
    }
    path = write("03_evidence.json", [SOURCE, SEED, citation])

    # Django names the model and field that did not resolve, not the missing key itself.
    with pytest.raises(DeserializationError, match=r"03_evidence\.json.*Citation has no claim"):
        call_command("loaddata", path, verbosity=0)

    assert counts(existing_rows) == existing_rows


def test_a_good_record_before_a_bad_one_is_not_loaded_either(write, existing_rows):
    path = write("03_evidence.json", [SOURCE, SEED, study(n=-15)])

    with pytest.raises(IntegrityError, match=r"03_evidence\.json"):
        call_command("loaddata", path, verbosity=0)

    assert not Source.objects.filter(key__in=["bigliardi2007", "kim-blog"]).exists()
    assert counts(existing_rows) == existing_rows


def test_one_bad_file_loads_nothing_from_the_files_loaded_with_it(write, existing_rows):
    good = write("02_sources.json", [SOURCE, SEED])
    bad = write("03_evidence.json", [CLAIM, study(n=-15)])

    with pytest.raises(IntegrityError):
        call_command("loaddata", good, bad, verbosity=0)

    assert counts([Source, Claim, Study]) == {**existing_rows, Study: 0}


def test_the_same_files_load_once_the_bad_record_is_fixed(write, existing_rows):
    good = write("02_sources.json", [SOURCE, SEED])
    fixed = write("03_evidence.json", [CLAIM, study(n=15)])

    call_command("loaddata", good, fixed, verbosity=0)

    assert Study.objects.get(key="bigliardi-rct").source.key == "bigliardi2007"
    assert counts([Source, Claim]) == {Source: 3, Claim: 2}
