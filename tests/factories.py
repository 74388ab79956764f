"""Small helpers that save one valid row each; pass keyword overrides for what a test needs.

Keys and slugs are unique per call, so helpers can be called any number of times. Related
rows are made on demand: make_citation() with no arguments also makes its claim, source
and seed.
"""

import itertools

from django.core.cache import cache
from django.core.management import call_command

from conditions.models import Condition
from evidence.grading import StudyDesign
from evidence.models import (
    Citation,
    Claim,
    ClaimKind,
    Grade,
    GradingScale,
    Intervention,
    Mechanism,
    SeedReference,
    Source,
    SourceKind,
    Study,
)


def load_content():
    """Load fixtures/ with load_content, as `make run` does, with an empty cache."""
    cache.clear()
    call_command("load_content", verbosity=0)


_numbers = itertools.count(1)


def _next():
    return next(_numbers)


def make_scale(**overrides):
    n = _next()
    fields = {
        "slug": f"scale-{n}",
        "name": f"Scale {n}",
        "purpose": "Grades things for tests.",
        "source": "The test suite",
        "source_url": "https://example.org/scale",
    }
    fields.update(overrides)
    return GradingScale.objects.create(**fields)


def make_grade(scale=None, **overrides):
    """A grade on `scale`: a GradingScale, or a slug whose scale is made if it does not exist."""
    n = _next()
    if scale is None:
        scale = make_scale()
    elif isinstance(scale, str):
        scale = GradingScale.objects.filter(slug=scale).first() or make_scale(slug=scale)
    fields = {
        "scale": scale,
        "code": f"g{n}",
        "label": f"Grade {n}",
        "rank": n,
        "definition": "A level for tests.",
    }
    fields.update(overrides)
    return Grade.objects.create(**fields)


def make_source(**overrides):
    n = _next()
    fields = {
        "key": f"source{n}",
        "kind": SourceKind.JOURNAL_ARTICLE,
        "reliability": "Peer-reviewed journal article.",
        "authors": "Doe J, Roe R",
        "title": f"A study of things {n}",
        "year": 2020,
    }
    fields.update(overrides)
    return Source.objects.create(**fields)


def make_seed(**overrides):
    """A seed article: a Source with `seed_file` set."""
    n = _next()
    fields = {
        "key": f"seed{n}",
        "kind": SourceKind.CLINIC_BLOG,
        "reliability": "Clinic blog post; not peer-reviewed.",
        "seed_file": f"{n:03d}_seed.txt",
    }
    fields.update(overrides)
    return make_source(**fields)


def make_seed_reference(**overrides):
    fields = {"as_printed": "Doe J, Roe R. A study of things. 2020."}
    fields.update(overrides)
    fields.setdefault("seed", make_seed())
    fields.setdefault("source", make_source())
    return SeedReference.objects.create(**fields)


def _reported(overrides):
    fields = {"quote": "Words the seed printed."}
    fields.update(overrides)
    fields.setdefault("reported_by", make_seed())
    return fields


def make_intervention(**overrides):
    n = _next()
    fields = {"key": f"intervention-{n}", "name": f"Naltrexone 1% cream {n}", "drug": "naltrexone"}
    fields.update(overrides)
    return Intervention.objects.create(**_reported(fields))


def make_mechanism(**overrides):
    n = _next()
    fields = {"slug": f"mechanism-{n}", "name": f"Mechanism {n}", "summary": "How it may work."}
    fields.update(overrides)
    return Mechanism.objects.create(**_reported(fields))


def make_study(**overrides):
    n = _next()
    fields = {"key": f"study-{n}", "label": f"Doe {2000 + n}", "design": StudyDesign.RCT}
    fields.update(overrides)
    fields.setdefault("source", make_source())
    return Study.objects.create(**_reported(fields))


def make_claim(**overrides):
    """A draft safety claim (safety claims need no outcome)."""
    n = _next()
    fields = {"key": f"claim-{n}", "kind": ClaimKind.SAFETY, "statement": "It was well tolerated."}
    fields.update(overrides)
    return Claim.objects.create(**fields)


def make_citation(**overrides):
    fields = dict(overrides)
    fields.setdefault("claim", make_claim())
    fields.setdefault("source", make_source())
    return Citation.objects.create(**_reported(fields))


def make_condition(**overrides):
    n = _next()
    fields = {
        "slug": f"condition-{n}",
        "name": f"Condition {n}",
        "clinician_summary": "What clinicians need to know.",
        "patient_summary": "What patients need to know.",
        "verdict": "Not first-line.",
        "verdict_rationale": "Little evidence.",
    }
    fields.update(overrides)
    return Condition.objects.create(**fields)
