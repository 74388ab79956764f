"""Synthetic content for scale tests and benchmarks: N marked copies of the site's content.

`synthesize(scale, seed)` copies every content row the database holds (the fixtures, as
loaded) `scale` times. Copy n gets keys and slugs prefixed `synthetic-n-`, and every title,
name and statement a page prints starts with "Synthetic data n: ", so no reader can take it
for content. Each copy is a world of its own, wired as the original is: copy n's claims cite
copy n's sources, its conditions show its own claims and studies (the original's general
claims, shown on every condition page, are tied to the copy's own conditions, so the real
pages keep their size). Shared with the originals, not copied: the grading scales (the
method, not content) and the two seed articles, which every quote stays verbatim from, so
`verify_quotes` still passes.

One function per model, in `COPIERS`, in an order where each model comes after those its
foreign keys point to. `Synthesizer.clone()` copies every concrete field and points each
foreign key at the same copy's row where the target model has been copied, so a new field
usually needs nothing here; a new unique field or a new model needs a line or a function.

Deterministic for a given seed: the seed only shuffles the order rows are inserted in (so
primary keys do not follow keys or copies, and a page that forgets to order shows it).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, models, transaction

from evidence.models import (
    CITATION_IN_TEXT,
    SEED_ONLY,
    SYNTHETIC_PREFIX,
    Citation,
    Claim,
    Conflict,
    Intervention,
    Mechanism,
    PrimarySourceCheck,
    SeedReference,
    Source,
    Study,
    StudyAccount,
)

from .models import (
    CertaintyRating,
    Condition,
    IndirectEvidence,
    OutcomeCertainty,
    PlainStatement,
    TreatmentRecommendation,
)

PREFIX = SYNTHETIC_PREFIX
TITLE = "Synthetic data"
MAX_SCALE = 1000

M = TypeVar("M", bound=models.Model)


class NothingToCopy(Exception):
    """The database holds no content to copy."""


def key(original: str, copy: int, max_length: int = 50) -> str:
    """`synthetic-<copy>-<original>`; if that is too long for the field, shortened and ended
    with a digest of the original key, so two long keys stay apart."""
    new = f"{PREFIX}{copy}-{original}"
    if len(new) <= max_length:
        return new
    tail = "-" + hashlib.sha1(original.encode()).hexdigest()[:8]
    return new[: max_length - len(tail)] + tail


def title(text: str, copy: int) -> str:
    return f"{TITLE} {copy}: {text}"


@dataclass
class Synthesizer:
    scale: int
    seed: int
    rng: random.Random = field(init=False)
    # Per copied model: (copy, original pk) -> the copy's pk.
    copied: dict[type[models.Model], dict[tuple[int, int], int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    copied_sources: set[str] = field(default_factory=set)  # keys of the sources copied
    general_claims: list[int] = field(default_factory=list)  # originals tied to no condition

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    # ---------------------------------------------------------------- helpers

    def pk(self, model: type[models.Model], copy: int, pk: Any) -> Any:
        """The copy's row for `pk`, or `pk` itself for a row that is shared (a seed, a grade)."""
        if pk is None or model not in self.copied:
            return pk
        return self.copied[model].get((copy, pk), pk)

    def clone(self, obj: M, copy: int, **changes: Any) -> M:
        """An unsaved copy of `obj` with every concrete field, foreign keys pointing into the
        same copy, and `changes` applied."""
        new = type(obj)()
        for f in type(obj)._meta.concrete_fields:
            if f.primary_key:
                continue
            value = getattr(obj, f.attname)
            if f.is_relation and f.related_model is not None:
                value = self.pk(f.related_model, copy, value)
            setattr(new, f.attname, value)
        for name, value in changes.items():
            setattr(new, name, value)
        return new

    def cites(self, markdown: str, copy: int) -> str:
        """Markdown with each [@key] of a copied source pointing at the copy's source."""

        def replace(match: re.Match[str]) -> str:
            keys = [k.strip().lstrip("@") for k in match.group(1).split(";")]
            return "[" + "; ".join(f"@{self.source_key(k, copy)}" for k in keys) + "]"

        return CITATION_IN_TEXT.sub(replace, markdown)

    def source_key(self, original: str, copy: int) -> str:
        return key(original, copy) if original in self.copied_sources else original

    def copies(
        self,
        model: type[M],
        originals: Iterable[M],
        make: Callable[[M, int], M],
    ) -> list[tuple[int, M, M]]:
        """Insert `make(original, n)` for every original and copy n = 1..scale, in an order
        shuffled by the seed, with bulk_create; record the new primary keys."""
        rows = [(n, obj, make(obj, n)) for n in range(1, self.scale + 1) for obj in originals]
        self.rng.shuffle(rows)
        model._default_manager.bulk_create([new for _, _, new in rows], batch_size=500)
        self.copied[model] = {(n, obj.pk): new.pk for n, obj, new in rows}
        self.counts[model._meta.verbose_name_plural.capitalize()] = len(rows)  # type: ignore[union-attr]
        return rows

    def copy_m2m(
        self,
        relation: Any,
        rows: Iterable[tuple[int, models.Model, models.Model]],
        extra: Callable[[models.Model, int], Iterable[int]] | None = None,
    ) -> None:
        """Copy the many-to-many `relation` (e.g. Condition.studies) of copied `rows`, the
        other side pointing into the same copy; `extra` adds target pks per (original, n)."""
        through = relation.through
        m2m = relation.field
        source_column = m2m.m2m_field_name() + "_id"
        target_column = m2m.m2m_reverse_field_name() + "_id"
        target = m2m.related_model
        rows = list(rows)
        targets: dict[int, list[int]] = {}
        for link in through.objects.filter(
            **{f"{source_column}__in": [obj.pk for _, obj, _ in rows]}
        ).order_by("pk"):
            targets.setdefault(getattr(link, source_column), []).append(
                getattr(link, target_column)
            )
        links = []
        for n, obj, new in rows:
            ids = [self.pk(target, n, pk) for pk in targets.get(obj.pk, [])]
            ids += list(extra(obj, n)) if extra else []
            links += [through(**{source_column: new.pk, target_column: pk}) for pk in ids]
        through.objects.bulk_create(links, batch_size=500)


# ---------------------------------------------------------------- one function per model


def copy_sources(s: Synthesizer) -> None:
    # The seed articles stay shared: every quote is checked against their text files.
    originals = list(Source.objects.exclude(SEED_ONLY).order_by("pk"))
    s.copied_sources = {source.key for source in originals}
    s.copies(
        Source,
        originals,
        lambda o, n: s.clone(o, n, key=key(o.key, n), title=title(o.title, n)),
    )


def copy_seed_references(s: Synthesizer) -> None:
    # Each seed lists the copy of a work it lists, printed as it printed the original.
    originals = list(SeedReference.objects.order_by("pk"))
    s.copies(SeedReference, originals, lambda o, n: s.clone(o, n))


def copy_interventions(s: Synthesizer) -> None:
    originals = list(Intervention.objects.order_by("pk"))
    s.copies(
        Intervention,
        originals,
        lambda o, n: s.clone(o, n, key=key(o.key, n), name=title(o.name, n)),
    )


def copy_mechanisms(s: Synthesizer) -> None:
    originals = list(Mechanism.objects.order_by("pk"))
    s.copies(Mechanism, originals, lambda o, n: _reviewed(s, o, n, **_mechanism(s, o, n)))


def _mechanism(s: Synthesizer, o: Mechanism, n: int) -> dict[str, Any]:
    return {"slug": key(o.slug, n), "name": title(o.name, n), "summary": s.cites(o.summary, n)}


def _reviewed(s: Synthesizer, o: M, n: int, **changes: Any) -> M:
    """A copy keeps its original's review status and date, set in bulk rather than through
    evidence.workflow: the copy is born in the state its already reviewed original is in, and
    a workflow call per row would cost a query and an UPDATE each (no one reviewed the copy,
    so `reviewed_by` is empty)."""
    return s.clone(o, n, reviewed_by=None, **changes)


def copy_studies(s: Synthesizer) -> None:
    originals = list(Study.objects.order_by("pk"))
    s.copies(
        Study,
        originals,
        lambda o, n: _reviewed(s, o, n, key=key(o.key, n), label=title(o.label, n)),
    )


def copy_study_accounts(s: Synthesizer) -> None:
    originals = list(StudyAccount.objects.order_by("pk"))
    s.copies(StudyAccount, originals, lambda o, n: s.clone(o, n))


def copy_claims(s: Synthesizer) -> None:
    originals = list(Claim.objects.order_by("pk"))
    s.general_claims = list(
        Claim.objects.filter(conditions__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    s.copies(
        Claim,
        originals,
        lambda o, n: _reviewed(s, o, n, key=key(o.key, n), statement=title(o.statement, n)),
    )


def copy_citations(s: Synthesizer) -> None:
    originals = list(Citation.objects.order_by("pk"))
    s.copies(Citation, originals, lambda o, n: s.clone(o, n))


def copy_conflicts(s: Synthesizer) -> None:
    originals = list(Conflict.objects.order_by("pk"))
    s.copies(
        Conflict,
        originals,
        lambda o, n: s.clone(o, n, key=key(o.key, n), title=title(o.title, n)),
    )


def copy_checks(s: Synthesizer) -> None:
    originals = list(PrimarySourceCheck.objects.order_by("pk"))
    s.copies(
        PrimarySourceCheck,
        originals,
        lambda o, n: s.clone(
            o, n, key=key(o.key, n), finding=title(o.finding, n), headline=title(o.headline, n)
        ),
    )
    # The paper's own study records were copied before the checks they come from existed:
    # point each copy at its own copy's check.
    originals_ = {original for _, original in s.copied[Study]}
    paper = dict(
        Study.objects.filter(pk__in=originals_, per_check__isnull=False).values_list(
            "pk", "per_check"
        )
    )
    for (n, original), copy in s.copied[Study].items():
        if original in paper:
            check = s.pk(PrimarySourceCheck, n, paper[original])
            Study.objects.filter(pk=copy).update(per_check=check)


def copy_conditions(s: Synthesizer) -> None:
    originals = list(Condition.objects.order_by("pk"))
    rows = s.copies(
        Condition,
        originals,
        lambda o, n: _reviewed(
            s,
            o,
            n,
            slug=key(o.slug, n),
            name=title(o.name, n),
            clinician_summary=s.cites(o.clinician_summary, n),
            patient_summary=s.cites(o.patient_summary, n),
        ),
    )
    s.copy_m2m(Condition.studies, rows)
    copies = {(n, obj.pk): new.pk for n, obj, new in rows}
    IndirectEvidence.objects.bulk_create(
        [
            IndirectEvidence(
                condition_id=copies[n, row.condition_id],
                study_id=s.pk(Study, n, row.study_id),
                reason=title(row.reason, n),
            )
            for row in IndirectEvidence.objects.order_by("pk")
            for n in range(1, s.scale + 1)
        ],
        batch_size=500,
    )
    # A general claim (tied to no condition) shows on every condition's page. Its copies are
    # tied to their own copy's conditions, so the real pages do not grow with the scale.
    s.copy_m2m(
        Condition.claims, rows, extra=lambda o, n: [s.pk(Claim, n, pk) for pk in s.general_claims]
    )


def copy_recommendations(s: Synthesizer) -> None:
    originals = list(TreatmentRecommendation.objects.order_by("pk"))
    s.copies(TreatmentRecommendation, originals, lambda o, n: s.clone(o, n))


def copy_certainties(s: Synthesizer) -> None:
    originals = list(OutcomeCertainty.objects.order_by("pk"))
    rows = s.copies(
        OutcomeCertainty,
        originals,
        lambda o, n: s.clone(o, n, rationale=title(o.rationale, n)),
    )
    s.copy_m2m(OutcomeCertainty.studies, rows)


def copy_ratings(s: Synthesizer) -> None:
    originals = list(CertaintyRating.objects.order_by("pk"))
    s.copies(CertaintyRating, originals, lambda o, n: s.clone(o, n))


def copy_plain_statements(s: Synthesizer) -> None:
    originals = list(PlainStatement.objects.order_by("pk"))
    s.copies(
        PlainStatement,
        originals,
        lambda o, n: s.clone(o, n, text=title(o.text, n)),
    )


# In order: each model after the models its foreign keys point to.
COPIERS: list[Callable[[Synthesizer], None]] = [
    copy_sources,
    copy_seed_references,
    copy_interventions,
    copy_mechanisms,
    copy_studies,
    copy_study_accounts,
    copy_claims,
    copy_citations,
    copy_conflicts,
    copy_checks,
    copy_conditions,
    copy_recommendations,
    copy_certainties,
    copy_ratings,
    copy_plain_statements,
]


# ---------------------------------------------------------------- entry points


def synthetic_rows_exist() -> bool:
    return Source.objects.filter(key__startswith=PREFIX).exists()


def remove() -> dict[str, int]:
    """Delete every synthetic row (what `synthesize` made), leaving the real content alone."""
    deleted: dict[str, int] = {}
    synthetic: list[models.QuerySet[Any]] = [
        Condition.objects.filter(slug__startswith=PREFIX),  # with their certainties, rows …
        Conflict.objects.filter(key__startswith=PREFIX),
        PrimarySourceCheck.objects.filter(key__startswith=PREFIX),
        Claim.objects.filter(key__startswith=PREFIX),  # with their citations
        Study.objects.filter(key__startswith=PREFIX),
        Mechanism.objects.filter(slug__startswith=PREFIX),
        Intervention.objects.filter(key__startswith=PREFIX),
        SeedReference.objects.filter(source__key__startswith=PREFIX),
        Source.objects.filter(key__startswith=PREFIX),
    ]
    with transaction.atomic():
        for queryset in synthetic:
            _, per_model = queryset.delete()
            for label, count in per_model.items():
                deleted[label] = deleted.get(label, 0) + count
    return deleted


def synthesize(scale: int, seed: int = 0) -> dict[str, int]:
    """Add `scale` marked copies of the content, replacing earlier synthetic rows; returns
    the rows made per model. Raises NothingToCopy on a database without content."""
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"The scale must be between 1 and {MAX_SCALE}, got {scale}.")
    with transaction.atomic():
        remove()
        if not Condition.objects.exists() or not Source.objects.filter(SEED_ONLY).exists():
            raise NothingToCopy(
                "The database holds no content to copy: load the fixtures first "
                "(`make db`, or `manage.py load_content`)."
            )
        synthesizer = Synthesizer(scale, seed)
        for copier in COPIERS:
            copier(synthesizer)
    analyze()
    return synthesizer.counts


def analyze() -> None:
    """Refresh the query planner's statistics after the bulk insert.

    SQLite keeps none until ANALYZE runs, and PostgreSQL's autovacuum catches up only later.
    Without them SQLite plans the condition page's conflicts query (claim_a IN published
    claims AND claim_b IN published claims) as a product of the two lists: 9.6 s at scale 100
    instead of 40 ms.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
