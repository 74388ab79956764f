"""Every page type makes the same number of queries however much content there is."""

from datetime import date
from http import HTTPStatus
from itertools import cycle

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
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
    SafetyQuestion,
    SeedReference,
    Source,
    Study,
)
from revisions.models import Revision, RevisionStatus
from tests.factories import (
    load_content,
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
from tests.pages import assert_test_database, footnotes, parse_html

EXTRA = 50  # rows of each kind added on top of the fixtures
BASE = 2  # rows of each kind on the pages before measuring
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
        "sources index": "/sources/",
        "mechanism list": "/mechanisms/",
        "mechanism detail": "/mechanisms/tlr4-modulation/",
        "methods": "/methods/",
        "claim": Claim.objects.get(key=MEASURED_CLAIM).get_absolute_url(),
        "ldn in general": "/ldn/",
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


def add_content(n=EXTRA, start=0):
    """Add `n` of everything each page lists, all approved and tied to the pages measured.

    `start` numbers the rows on from an earlier call."""
    psoriasis = Condition.objects.get(slug="psoriasis")
    study = Study.objects.get(key="weinstock2020-case-series")
    source = study.source
    mechanism = Mechanism.objects.get(slug="tlr4-modulation")
    seed = Source.objects.get(key="droracle-ldn-skin")
    strength = Grade.objects.get(scale__slug="strength-a-e", code="B")
    quality = Grade.objects.get(scale__slug="quality-i-iv", code="II-i")
    kinds, routes, sections = cycle(SHOWN_KINDS), cycle(Route.values), cycle(PlainSection.values)
    questions = cycle(SafetyQuestion.values)

    claims, studies = [], []
    for i in range(start, start + n):
        fields = {
            "kind": next(kinds),
            "outcome": Outcome.ITCH_RELIEF,
            "route": next(routes),
            "safety_question": next(questions),
        }
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
    for i, (claim, extra_study) in enumerate(zip(claims, studies, strict=True), start=start):
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
            claim_b=claims[(i - start + 1) % len(claims)],
            editors_note="They disagree.",
            status=ReviewStatus.APPROVED,  # conflicts are reviewed: only approved ones show
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


@pytest.fixture(scope="module")
def grown(django_db_setup, django_db_blocker):
    """The fixtures plus BASE+EXTRA of everything, built once for the page and the API test
    (it costs seconds), in a transaction rolled back after both. Yields (paths, before,
    measure_after): every page and endpoint measured with the fixtures plus BASE only, and a
    function that measures a kind ("pages" or "api") now, inside the test that asks."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        with django_db_blocker.unblock():
            assert_test_database()
            load_content()
            client = Client()
            paths = {"pages": page_paths(), "api": api_paths()}
            # Two of everything first: Django skips a prefetch whose outer rows are all
            # missing (no conflict on the page, no check of a claim), not a query saved for good.
            add_content(BASE)
            before = {}
            for kind, kind_paths in paths.items():
                measure(client, kind_paths)  # warm up: anything a first request does once
                before[kind] = measure(client, kind_paths)
            add_content(EXTRA, start=BASE)

        def measure_after(kind):
            with django_db_blocker.unblock():
                return measure(client, paths[kind])

        yield before, measure_after
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        cache.clear()


def test_no_page_makes_more_queries_when_content_grows_fifty_fold(grown):
    before, measure_after = grown
    paths, before = before["pages"], before["pages"]
    after = measure_after("pages")

    counts = {name: (before[name][0], after[name][0]) for name in paths}
    report = "\n".join(f"{name}: {b} -> {a} queries" for name, (b, a) in counts.items())
    print(f"Queries per page, fixtures plus {BASE} -> plus {BASE + EXTRA} synthetic:\n{report}")
    # The synthetic content is on the pages measured, not just in the database.
    markers = {
        "home": "Synthetic condition",
        "condition (clinicians)": "Synthetic conflict",
        "condition (patients)": "Synthetic plain statement",
        "study list": "Synthetic study",
        "study detail": "Synthetic claim",
        "source detail": "Synthetic finding",
        "sources index": "Synthetic source",
        "mechanism list": "Synthetic mechanism",
        "mechanism detail": "Synthetic claim",
        "methods": "Synthetic scale",
        "claim": "Synthetic cited work",
        "ldn in general": " (general).",
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
    # The safety questions cite every tagged claim, the condition's and the general ones.
    checklist = parse_html(clinician).section("Safety questions by route").text()
    assert checklist.count("Synthetic claim") >= 2 * EXTRA
    plain = parse_html(after["condition (patients)"][1]).section("Is it safe for me?")
    assert len(footnotes(plain)) >= 2 * EXTRA
    assert clinician.count("Synthetic change") == CHANGES_SHOWN
    assert all(b == a for b, a in counts.values()), report


# ---------------------------------------------------------------- the API


def api_paths():
    study = Study.objects.get(key="weinstock2020-case-series")
    every = "page_size=200"
    return {
        "conditions": f"/api/v1/conditions/?{every}",
        "condition": "/api/v1/conditions/psoriasis/",
        "condition FHIR": "/api/v1/conditions/psoriasis/fhir/",
        "condition references": "/api/v1/conditions/psoriasis/references/?format=ris",
        "studies": f"/api/v1/studies/?{every}",
        "studies of a condition": f"/api/v1/studies/?condition=psoriasis&{every}",
        "study": f"/api/v1/studies/{study.key}/",
        "claims": f"/api/v1/claims/?{every}",
        "claims by certainty": f"/api/v1/claims/?certainty=very-low&{every}",
        "claim": f"/api/v1/claims/{MEASURED_CLAIM}/",
        "sources": f"/api/v1/sources/?{every}",
        "source": f"/api/v1/sources/{study.source.key}/",
        "source export": f"/api/v1/sources/{study.source.key}/export/?format=bibtex",
        "mechanisms": f"/api/v1/mechanisms/?{every}",
        "mechanism": "/api/v1/mechanisms/tlr4-modulation/",
        "interventions": f"/api/v1/interventions/?{every}",
        "intervention": f"/api/v1/interventions/{study.intervention.key}/",
        "grading scales": f"/api/v1/grading-scales/?{every}",
        "grading scale": "/api/v1/grading-scales/grade-certainty/",
    }


def test_no_api_endpoint_makes_more_queries_when_content_grows_fifty_fold(grown):
    before, measure_after = grown
    paths, before = before["api"], before["api"]
    after = measure_after("api")

    counts = {name: (before[name][0], after[name][0]) for name in paths}
    report = "\n".join(f"{name}: {b} -> {a} queries" for name, (b, a) in counts.items())
    print(f"Queries per API endpoint, fixtures plus {BASE} -> plus {BASE + EXTRA}:\n{report}")
    markers = {
        "conditions": "Synthetic condition",
        "condition": "Synthetic conflict",
        "condition FHIR": "Synthetic source",  # a Citation per work the page cites
        "condition references": "Synthetic source",
        "studies": "Synthetic study",
        "studies of a condition": "Synthetic study",
        "claims": "Synthetic claim",
        "claim": "Synthetic cited work",
        "sources": "Synthetic source",
        "mechanisms": "Synthetic mechanism",
        "mechanism": "Synthetic claim",
        "grading scales": "Synthetic scale",
    }
    for name, marker in markers.items():
        assert after[name][1].count(marker) >= EXTRA, name
    assert all(b == a for b, a in counts.values()), report
