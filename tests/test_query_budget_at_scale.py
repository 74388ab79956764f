"""Pages make the same number of queries at fifty synthetic copies of the content as at one.

A module of its own: test_query_budget.py keeps its grown content in a transaction that spans
its module, and `synthesize` must start from the fixtures alone.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.test_query_budget import MEASURED_CLAIM, measure, page_paths

pytestmark = pytest.mark.django_db

SYNTHETIC_PAGES = {
    "condition copy (clinicians)": "/conditions/synthetic-1-psoriasis/",
    "condition copy (patients)": "/conditions/synthetic-1-psoriasis/patient/",
    "study copy": "/studies/synthetic-1-weinstock2020-case-series/",
    "claim copy": f"/claims/synthetic-1-{MEASURED_CLAIM}/",
    "mechanism copy": "/mechanisms/synthetic-1-tlr4-modulation/",
    "source copy": "/sources/synthetic-1-weinstock2020/",
    "seed source": "/sources/droracle-ldn-skin/",  # cited by every copy: grows with N
}


def test_no_page_makes_more_queries_at_fifty_synthetic_copies_than_at_one(content, client):
    paths = {**page_paths(), **SYNTHETIC_PAGES}
    call_command("synthesize", "--scale", "1", stdout=StringIO())
    measure(client, paths)  # warm up
    small = measure(client, paths)
    call_command("synthesize", "--scale", "50", stdout=StringIO())
    large = measure(client, paths)

    counts = {name: (small[name][0], large[name][0]) for name in paths}
    report = "\n".join(f"{name}: {s} -> {n} queries" for name, (s, n) in counts.items())
    print(f"Queries per page, synthesize --scale 1 -> --scale 50:\n{report}")
    # The listing pages show all fifty copies.
    for name, marker, at_least in [
        ("home", 'href="/conditions/synthetic-50-', 7),
        ("study list", "Synthetic data 50: ", 7),
        ("mechanism list", "Synthetic data 37: ", 5),
        ("seed source", "Synthetic data 50: ", 10),
    ]:
        assert small[name][1].count(marker) == 0, name
        assert large[name][1].count(marker) >= at_least, name
    assert all(s == n for s, n in counts.values()), report
