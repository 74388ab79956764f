"""Small helpers that save one valid row each; pass keyword overrides for what a test needs.

The one home for test data: every `make_*` helper lives here. Keys, slugs and usernames are
unique per call, so helpers can be called any number of times. Related rows are made on
demand: make_citation() with no arguments also makes its claim, source and seed.
"""

import itertools

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from conditions.models import (
    CertaintyRating,
    Condition,
    OutcomeCertainty,
    PlainSection,
    PlainStatement,
    TreatmentRecommendation,
)
from evidence import grading, versions
from evidence.choices import (
    CheckVerdict,
    ClaimKind,
    GradeDomain,
    Outcome,
    ReviewStatus,
    Route,
    SourceKind,
    StudyDesign,
)
from evidence.management.content import content_models
from evidence.models import (
    Citation,
    Claim,
    Conflict,
    ContentVersion,
    Grade,
    GradingScale,
    Intervention,
    Mechanism,
    PrimarySourceCheck,
    SeedReference,
    Source,
    Study,
)

# The names the fixtures give the scales the models grade on; str(grade) prints them.
SCALE_NAMES = {
    grading.SORT_SCALE: "SORT",
    grading.GRADE_SCALE: "GRADE certainty",
    grading.STRENGTH_SCALE: "Strength of recommendation",
    grading.QUALITY_SCALE: "Quality of evidence",
}


FIXTURES = sorted(str(path) for path in (settings.BASE_DIR / "fixtures").glob("*.json"))


def load_content():
    """The rows of fixtures/, with an empty cache.

    The first call in a process saves them with loaddata, which stores the same rows as `make
    run`'s load_content but skips validating each record; that the fixtures pass load_content's
    validation is tested once, in test_content_loading.py. It remembers the rows that loaddata
    added to every table (history included), and later calls insert those same rows with one
    INSERT per table: hundreds of tests load the content, and loaddata costs a second or more
    each time. A database that already holds some of the rows gets loaddata again.
    """
    cache.clear()
    global _loaded_rows
    if _loaded_rows is not None and not _has_content():
        with transaction.atomic():
            _insert_rows(_loaded_rows)
            # Inside the atomic block, as loaddata's saves call it: registered at the test's
            # own level, this bump would stand in for (and hide) the test's next change.
            versions.changed()
        return
    before = None if _has_content() else _all_rows()
    call_command("loaddata", *FIXTURES, verbosity=0)
    if before is not None:
        after = _all_rows()
        _loaded_rows = {}
        for table, (columns, rows) in after.items():
            if table != ContentVersion._meta.db_table:
                existing = {repr(row) for row in before[table][1]}  # JSON columns: dicts
                _loaded_rows[table] = (columns, [row for row in rows if repr(row) not in existing])


def _has_content():
    return any(model.objects.exists() for model in content_models())


# {table: (columns, rows)} that the first loaddata of this process added.
_loaded_rows: dict[str, tuple[list[str], list[tuple]]] | None = None


def _all_rows():
    quote = connection.ops.quote_name
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns = [column[0] for column in cursor.description]
            found[table] = (columns, [tuple(row) for row in cursor.fetchall()])
    return found


def _storable(row):
    """A fetched row as the same database takes it back in an INSERT."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return tuple(Jsonb(value) if isinstance(value, dict | list) else value for value in row)
    return row


def _insert_rows(loaded):
    quote = connection.ops.quote_name
    tables = {table for table, (_, rows) in loaded.items() if rows}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            columns, rows = loaded[table]
            names = ", ".join(quote(column) for column in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", map(_storable, rows)
            )
        # Rows came with their ids: move PostgreSQL's id sequences past them, as loaddata does.
        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in tables
        ]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


_numbers = itertools.count(1)


def _next():
    return next(_numbers)


def _default(fields, name, make):
    """Set `fields[name]` to a new row from `make()` unless the caller passed one."""
    if name not in fields:
        fields[name] = make()


# ---------------------------------------------------------------- editors


def make_editor(**overrides):
    """A staff superuser who can log in to the admin (client.force_login(make_editor()))."""
    n = _next()
    fields = {
        "username": f"editor{n}",
        "email": f"editor{n}@example.org",
        "password": "not-a-real-password",
    }
    fields.update(overrides)
    return get_user_model().objects.create_superuser(**fields)


# ---------------------------------------------------------------- grading scales


def make_scale(**overrides):
    n = _next()
    fields = {
        "slug": f"scale-{n}",
        "name": f"Scale {n}",
        "purpose": "Grades things for tests.",
        "source": "The test suite",
        "source_url": "https://example.org/scale",
        "status": ReviewStatus.APPROVED,  # most tests grade on scales readers may see
    }
    fields.update(overrides)
    return GradingScale.objects.create(**fields)


def make_grade(scale=None, **overrides):
    """A grade on `scale`: a GradingScale, or a slug whose scale is made if it does not exist.

    A scale made from one of the models' slugs (grading.SORT_SCALE, …) gets its real name, so
    str(grade) reads as in the admin ("SORT: B"). With a `code` the scale already has, the
    existing grade is returned: a scale holds each code once.
    """
    n = _next()
    if scale is None:
        scale = make_scale()
    elif isinstance(scale, str):
        scale = GradingScale.objects.filter(slug=scale).first() or make_scale(
            slug=scale, name=SCALE_NAMES.get(scale, f"Scale {n}")
        )
    if "code" in overrides:
        existing = scale.grades.filter(code=overrides["code"]).first()
        if existing is not None:
            return existing
    fields = {
        "scale": scale,
        "code": f"g{n}",
        "label": f"Grade {n}",
        "rank": n,
        "definition": "A level for tests.",
    }
    fields.update(overrides)
    return Grade.objects.create(**fields)


# ---------------------------------------------------------------- sources


def make_source(**overrides):
    n = _next()
    fields = {
        "key": f"source{n}",
        "kind": SourceKind.JOURNAL_ARTICLE,
        "reliability": "Peer-reviewed journal article.",
        "authors": "Doe J, Roe R",
        "title": f"A study of things {n}",
        "year": 2020,
        "status": ReviewStatus.APPROVED,  # most tests cite sources readers may see
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
    _default(fields, "seed", make_seed)
    _default(fields, "source", make_source)
    return SeedReference.objects.create(**fields)


# ---------------------------------------------------------------- what the sources report


def _reported(overrides):
    fields = {"quote": "Words the seed printed."}
    fields.update(overrides)
    _default(fields, "reported_by", make_seed)
    return fields


def make_intervention(**overrides):
    n = _next()
    fields = {
        "key": f"intervention-{n}",
        "name": f"Naltrexone 1% cream {n}",
        "drug": "naltrexone",
        "status": ReviewStatus.APPROVED,  # most tests show what published studies use
    }
    fields.update(overrides)
    return Intervention.objects.create(**_reported(fields))


def make_mechanism(**overrides):
    """A draft mechanism."""
    n = _next()
    fields = {"slug": f"mechanism-{n}", "name": f"Mechanism {n}", "summary": "How it may work."}
    fields.update(overrides)
    return Mechanism.objects.create(**_reported(fields))


def make_study(**overrides):
    """A draft randomized trial."""
    n = _next()
    fields = {"key": f"study-{n}", "label": f"Doe {2000 + n}", "design": StudyDesign.RCT}
    fields.update(overrides)
    _default(fields, "source", make_source)
    return Study.objects.create(**_reported(fields))


# ---------------------------------------------------------------- claims


def make_claim(**overrides):
    """A draft safety claim (safety claims need no outcome)."""
    n = _next()
    fields = {"key": f"claim-{n}", "kind": ClaimKind.SAFETY, "statement": "It was well tolerated."}
    fields.update(overrides)
    return Claim.objects.create(**fields)


def make_citation(**overrides):
    fields = dict(overrides)
    _default(fields, "claim", make_claim)
    _default(fields, "source", make_source)
    return Citation.objects.create(**_reported(fields))


def make_conflict(**overrides):
    n = _next()
    fields = {
        "key": f"conflict-{n}",
        "title": f"Conflict {n}",
        "editors_note": "Why they differ.",
        "status": ReviewStatus.APPROVED,
    }
    fields.update(overrides)
    _default(fields, "claim_a", make_claim)
    _default(fields, "claim_b", make_claim)
    return Conflict.objects.create(**fields)


def make_check(**overrides):
    """A primary source check that agrees with the seed."""
    n = _next()
    fields = {
        "key": f"check-{n}",
        "verdict": CheckVerdict.AGREES,
        "finding": "The abstract says the same.",
        "headline": "The abstract agrees.",
        "checked_against": f"https://pubmed.ncbi.nlm.nih.gov/{n}/",
    }
    fields.update(overrides)
    _default(fields, "claim", make_claim)
    _default(fields, "source", make_source)
    return PrimarySourceCheck.objects.create(**fields)


# ---------------------------------------------------------------- conditions


def make_condition(**overrides):
    """A draft condition with no studies: the rule gives its verdict no grade."""
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


def make_certainty(*, studies=(), **overrides):
    """An outcome certainty; `studies` are added to it and to its condition's studies."""
    fields = {
        "outcome": Outcome.ITCH_RELIEF,
        "route": Route.TOPICAL,
        "rationale": "Small open-label trials.",
    }
    fields.update(overrides)
    _default(fields, "condition", make_condition)
    certainty = OutcomeCertainty.objects.create(**fields)
    if studies:
        certainty.studies.add(*studies)
        certainty.condition.studies.add(*studies)
    return certainty


def make_rating(**overrides):
    """A serious concern about imprecision: rates a certainty down one level."""
    fields = {"domain": GradeDomain.IMPRECISION, "level_change": -1, "reason": "Few people."}
    fields.update(overrides)
    _default(fields, "certainty", make_certainty)
    return CertaintyRating.objects.create(**fields)


def make_recommendation(**overrides):
    """An ungraded guideline treatment; pass strength/quality with graded_by to grade it."""
    n = _next()
    fields = {"treatment": f"Treatment {n}", "order": n}
    fields.update(overrides)
    _default(fields, "condition", make_condition)
    _default(fields, "claim", lambda: make_claim(kind=ClaimKind.GUIDELINE))
    return TreatmentRecommendation.objects.create(**fields)


def make_plain_statement(**overrides):
    n = _next()
    fields = {"section": PlainSection.HELPS, "text": "It may ease itch.", "order": n}
    fields.update(overrides)
    _default(fields, "condition", make_condition)
    _default(fields, "claim", make_claim)
    return PlainStatement.objects.create(**fields)


def make_one_of_each():
    """One saved object of every model the editors' admin edits, keyed by model."""
    seed = make_seed()
    claim = make_claim()
    condition = make_condition()
    condition.claims.add(claim)
    certainty = make_certainty(condition=condition, studies=[make_study(reported_by=seed)])
    strength = make_grade(grading.STRENGTH_SCALE, code="a", label="A")
    return {
        GradingScale: strength.scale,
        # Of a draft scale: grades of an approved scale are changed on the scale's page.
        Grade: make_grade(make_scale(status=ReviewStatus.DRAFT)),
        Source: seed,
        # Of a draft seed: rows of an approved item are only viewed on their own admin page.
        SeedReference: make_seed_reference(seed=make_seed(status=ReviewStatus.DRAFT), number=1),
        Intervention: make_intervention(reported_by=seed),
        Mechanism: make_mechanism(reported_by=seed),
        Study: certainty.studies.get(),
        Claim: claim,
        Citation: make_citation(claim=claim, reported_by=seed),
        Conflict: make_conflict(claim_a=claim),
        PrimarySourceCheck: make_check(claim=claim),
        Condition: condition,
        TreatmentRecommendation: make_recommendation(
            condition=condition, strength=strength, graded_by=make_source(), claim=claim
        ),
        OutcomeCertainty: certainty,
        CertaintyRating: make_rating(certainty=certainty),
        PlainStatement: make_plain_statement(condition=condition, claim=claim),
    }


def make_staff(*roles, **overrides):
    """A staff account in the given role groups ("Editors", "Reviewers"), not a superuser.

    The groups come from the data migration revisions/0002_editor_and_reviewer_roles.
    """
    from django.contrib.auth.models import Group

    n = _next()
    fields = {"username": f"staff{n}", "password": "not-a-real-password", "is_staff": True}
    fields.update(overrides)
    user = get_user_model().objects.create_user(**fields)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user
