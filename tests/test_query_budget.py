"""Every page type makes the same number of queries however much content there is."""

from datetime import date
from http import HTTPStatus
from itertools import cycle

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conditions.models import (
    CertaintyRating,
    Condition,
    GradeDomain,
    OutcomeCertainty,
    PlainSection,
    PlainStatement,
    TreatmentRecommendation,
)
from conditions.selectors import CHANGES_SHOWN
from evidence.models import (
    CheckVerdict,
    Claim,
    ClaimKind,
    Conflict,
    Grade,
    Mechanism,
    Outcome,
    PrimarySourceCheck,
    ReviewStatus,
    Route,
    SeedReference,
    Source,
    Study,
)
from revisions.models import Revision, RevisionStatus
from tests.factories import (
    make_citation,
    make_claim,
    make_condition,
    make_grade,
    make_mechanism,
    make_scale,
    make_seed,
    make_source,
    make_study,
)

EXTRA = 50  # rows of each kind added on top of the fixtures
MEASURED_CLAIM = "psoriasis-case-series-response"

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED
# Every kind of claim the condition page shows in a list of its own.
SHOWN_KINDS = [
    ClaimKind.CONCLUSION,
    ClaimKind.EFFICACY,
    ClaimKind.EXPERT_OPINION,
    ClaimKind.DOSING,
    ClaimKind.SAFETY,
    ClaimKind.MECHANISM,
    ClaimKind.PATIENT_SELECTION,
    ClaimKind.LIMITATION,
    ClaimKind.AVAILABILITY,
    ClaimKind.FUTURE,
]


def page_paths():
    study = Study.objects.get(key="weinstock2020-case-series")
    return {
        "home": "/",
        "condition (clinicians)": "/conditions/psoriasis/",
        "condition (patients)": "/conditions/psoriasis/patient/",
        "study list": "/studies/",
        "study detail": study.get_absolute_url(),
        "source detail": study.source.get_absolute_url(),
        "mechanism list": "/mechanisms/",
        "mechanism detail": "/mechanisms/tlr4-modulation/",
        "methods": "/methods/",
        "claim": Claim.objects.get(key=MEASURED_CLAIM).get_absolute_url(),
    }


def measure(client, paths):
    """{page: (queries, HTML)} for one request to each page, with a cold cache."""
    measured = {}
    for name, path in paths.items():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == HTTPStatus.OK, path
        measured[name] = (len(queries), response.content.decode())
    return measured


def cited_claim(n, source, seed, **fields):
    """An approved claim citing `source` and a new source of its own, as `seed` reported them."""
    claim = make_claim(statement=f"Synthetic claim {n}.", status=APPROVED, **fields)
    make_citation(claim=claim, source=source, reported_by=seed)
    make_citation(claim=claim, source=make_source(title=f"Synthetic source {n}"), reported_by=seed)
    return claim


def add_content(n=EXTRA):
    """Add `n` of everything each page lists, all approved and tied to the pages measured."""
    psoriasis = Condition.objects.get(slug="psoriasis")
    study = Study.objects.get(key="weinstock2020-case-series")
    source = study.source
    mechanism = Mechanism.objects.get(slug="tlr4-modulation")
    seed = Source.objects.get(key="droracle-ldn-skin")
    strength = Grade.objects.get(scale__slug="strength-a-e", code="B")
    quality = Grade.objects.get(scale__slug="quality-i-iv", code="II-i")
    kinds, routes, sections = cycle(SHOWN_KINDS), cycle(Route.values), cycle(PlainSection.values)

    claims, studies = [], []
    for i in range(n):
        fields = {"kind": next(kinds), "outcome": Outcome.ITCH_RELIEF, "route": next(routes)}
        # About the condition, its study and its mechanism ...
        claim = cited_claim(i, source, seed, study=study, mechanism=mechanism, **fields)
        claim.conditions.add(psoriasis)
        claims.append(claim)
        # ... and about no condition in particular, which every condition page shows.
        cited_claim(f"{i} (general)", source, seed, **fields)

        extra_study = make_study(label=f"Synthetic study {i}", status=APPROVED, reported_by=seed)
        extra_study.conditions.add(psoriasis, *Condition.objects.filter(slug="vitiligo"))
        studies.append(extra_study)

        guideline = cited_claim(f"{i} (guideline)", source, seed, kind=ClaimKind.GUIDELINE)
        guideline.conditions.add(psoriasis)
        TreatmentRecommendation.objects.create(
            condition=psoriasis,
            treatment=f"Synthetic treatment {i}",
            strength=strength,
            quality=quality,
            graded_by=make_source(),
            claim=guideline,
            order=i,
        )
        PlainStatement.objects.create(
            condition=psoriasis,
            section=next(sections),
            text=f"Synthetic plain statement {i}.",
            claim=claim,
            order=100 + i,
        )
        PrimarySourceCheck.objects.create(
            key=f"synthetic-check-{i}",
            claim=claim,
            source=source,
            verdict=CheckVerdict.AGREES,
            finding=f"Synthetic finding {i}.",
            checked_against="https://example.org/abstract",
        )
        SeedReference.objects.create(seed=make_seed(), source=source, as_printed=f"Printed {i}")
        synthetic = make_condition(name=f"Synthetic condition {i}", status=APPROVED)
        synthetic.studies.add(extra_study)
        measured = Claim.objects.get(key=MEASURED_CLAIM)
        make_citation(
            claim=measured, source=make_source(title=f"Synthetic cited work {i}"), reported_by=seed
        )
        PrimarySourceCheck.objects.create(
            key=f"synthetic-claim-check-{i}",
            claim=measured,
            source=source,
            verdict=CheckVerdict.AGREES,
            finding=f"Synthetic check of the measured claim {i}.",
            checked_against="https://example.org/abstract",
        )
        measured.conditions.add(synthetic)
        make_mechanism(name=f"Synthetic mechanism {i}", reported_by=seed, status=APPROVED)
        scale = make_scale(name=f"Synthetic scale {i}")
        make_grade(scale, rank=1)
        make_grade(scale, rank=2)
    for i, (claim, extra_study) in enumerate(zip(claims, studies, strict=True)):
        for item in (claim, extra_study):  # approved changes the Changes section lists
            Revision.objects.create(
                item=item,
                item_repr=str(item),
                status=RevisionStatus.APPROVED,
                summary=f"Synthetic change {i}.",
                reviewed_on=date(2026, 1, 1),
            )
        Conflict.objects.create(
            key=f"synthetic-conflict-{i}",
            title=f"Synthetic conflict {i}",
            claim_a=claim,
            claim_b=claims[(i + 1) % len(claims)],
            editors_note="They disagree.",
        )

    # One certainty per outcome and route the fixtures leave free (at most 12 per condition),
    # each resting on many studies with a rating in every rate-down domain.
    taken = set(psoriasis.certainties.values_list("outcome", "route"))
    for outcome in Outcome.values:
        for route in Route.values:
            if (outcome, route) in taken:
                continue
            certainty = OutcomeCertainty.objects.create(
                condition=psoriasis,
                outcome=outcome,
                route=route,
                rationale="Synthetic rationale.",
            )
            certainty.studies.add(*studies)
            for domain in (GradeDomain.RISK_OF_BIAS, GradeDomain.IMPRECISION):
                CertaintyRating.objects.create(
                    certainty=certainty, domain=domain, level_change=-1, reason="Synthetic."
                )


def test_no_page_makes_more_queries_when_content_grows_fifty_fold(content, client):
    paths = page_paths()
    measure(client, paths)  # warm up: anything a first request does once
    before = measure(client, paths)
    add_content()
    after = measure(client, paths)

    counts = {name: (before[name][0], after[name][0]) for name in paths}
    report = "\n".join(f"{name}: {b} -> {a} queries" for name, (b, a) in counts.items())
    print(f"Queries per page, fixtures -> fixtures plus {EXTRA}x synthetic content:\n{report}")
    # The synthetic content is on the pages measured, not just in the database.
    markers = {
        "home": "Synthetic condition",
        "condition (clinicians)": "Synthetic conflict",
        "condition (patients)": "Synthetic plain statement",
        "study list": "Synthetic study",
        "study detail": "Synthetic claim",
        "source detail": "Synthetic finding",
        "mechanism list": "Synthetic mechanism",
        "mechanism detail": "Synthetic claim",
        "methods": "Synthetic scale",
        "claim": "Synthetic cited work",
    }
    for name, marker in markers.items():
        assert after[name][1].count(marker) >= EXTRA, name
    clinician = after["condition (clinicians)"][1]
    for marker in (
        "Synthetic claim",
        "Synthetic study",
        "Synthetic treatment",
        "Synthetic finding",
    ):
        assert clinician.count(marker) >= EXTRA, marker
    assert clinician.count("Synthetic rationale") == 12 - 2
    assert clinician.count("Synthetic change") == CHANGES_SHOWN
    assert all(b == a for b, a in counts.values()), report
