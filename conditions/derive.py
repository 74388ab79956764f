"""One derivation per value: a condition's verdict, its best evidence and the routes that
evidence tested. Every surface (home, condition pages, API list and detail, FHIR) calls these,
so no two surfaces can disagree on the same data.

The functions here are pure: `load_evidence()` is the one loader (3 queries for any number of
conditions), and the rest read what it, or a page selector, already loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from evidence import grading
from evidence.choices import Route, StudyDesign
from evidence.models import Grade, Study
from evidence.selectors import GradeTable

from .models import Condition, IndirectEvidence, OutcomeCertainty


@dataclass(frozen=True)
class StudyFacts:
    """What the derivations read of one study: its design and the routes it is evidence for."""

    pk: int
    design: str
    routes: frozenset[str] = frozenset()


@dataclass
class ConditionEvidence:
    """A condition's approved direct and indirect studies, as the derivations read them."""

    direct: list[StudyFacts] = field(default_factory=list)
    indirect: list[StudyFacts] = field(default_factory=list)


@dataclass
class BestEvidence:
    """The strongest design on record for a condition, and the routes it tested."""

    design: str  # the design's label
    level: Grade | None  # Oxford CEBM level; None for opinion
    indirect: bool  # only a study of another or narrower group reaches this level
    routes: list[str]  # route labels, in Route order
    route_values: list[str] = field(default_factory=list)  # the same routes as Route values


def study_routes(intervention_route: str | None, certainty_routes: Iterable[str]) -> frozenset[str]:
    """The routes a study is evidence for: its regimen's route, and the route of every graded
    outcome of the condition that rests on it (a paper's record may name no regimen)."""
    routes = {route for route in certainty_routes if route}
    if intervention_route:
        routes.add(intervention_route)
    return frozenset(routes)


def facts(study: Study, certainty_routes: Mapping[int, Iterable[str]]) -> StudyFacts:
    """StudyFacts of a loaded study (`intervention` selected), given the condition's
    {study pk: routes of its graded outcomes}."""
    route = study.intervention.route if study.intervention_id and study.intervention else ""
    routes = study_routes(route, certainty_routes.get(study.pk, ()))
    return StudyFacts(study.pk, study.design, routes)


def load_evidence(conditions: Sequence[Condition]) -> dict[int, ConditionEvidence]:
    """{condition pk: its approved direct and indirect studies} (3 queries: direct studies,
    indirect studies, the routes of the outcomes graded on them)."""
    found = {condition.pk: ConditionEvidence() for condition in conditions}
    ids = list(found)
    by_certainty: dict[tuple[int, int], set[str]] = {}
    for condition_id, study_id, route in OutcomeCertainty.studies.through.objects.filter(
        outcomecertainty__condition__in=ids
    ).values_list("outcomecertainty__condition", "study", "outcomecertainty__route"):
        by_certainty.setdefault((condition_id, study_id), set()).add(route)
    approved = Study.objects.published()
    for condition_id, pk, design, route in approved.filter(conditions__in=ids).values_list(
        "conditions", "pk", "design", "intervention__route"
    ):
        routes = study_routes(route, by_certainty.get((condition_id, pk), ()))
        found[condition_id].direct.append(StudyFacts(pk, design, routes))
    for condition_id, pk, design, route in IndirectEvidence.objects.filter(
        condition__in=ids, study__in=approved
    ).values_list("condition", "study", "study__design", "study__intervention__route"):
        routes = study_routes(route, by_certainty.get((condition_id, pk), ()))
        found[condition_id].indirect.append(StudyFacts(pk, design, routes))
    return found


def verdict(condition: Condition, evidence: ConditionEvidence) -> grading.Ruling:
    """The condition's SORT verdict: the published rule over its direct and indirect studies,
    or the editors' override (select `verdict_override` to avoid a query)."""
    return condition.verdict_ruling(evidence.direct, evidence.indirect)


DESIGN_ORDER = {design: index for index, design in enumerate(StudyDesign.values)}


def _cebm_rank(design: str) -> tuple[int, int]:
    """Lower is stronger: the CEBM level (opinion, with none, below level 5), then the
    design's place in StudyDesign (an open-label trial before a case series at level 4)."""
    code = grading.cebm_level_code(design)
    return int(code) if code else 6, DESIGN_ORDER[design]


def best_evidence(evidence: ConditionEvidence, grades: GradeTable) -> BestEvidence | None:
    """The best CEBM level among the condition's studies (direct evidence wins a tie), with
    the routes of every study that strong. None when no study is on record."""
    candidates = [(_cebm_rank(s.design), 0, s) for s in evidence.direct]
    candidates += [(_cebm_rank(s.design), 1, s) for s in evidence.indirect]
    if not candidates:
        return None
    rank, indirectness, best = min(candidates, key=lambda c: c[:2])
    tied: set[str] = set()
    for s_rank, s_ind, study in candidates:
        if (s_rank, s_ind) == (rank, indirectness):
            tied |= study.routes
    values = [value for value in Route.values if value in tied]
    return BestEvidence(
        design=StudyDesign(best.design).label,
        level=grades.get(grading.CEBM_SCALE, grading.cebm_level_code(best.design)),
        indirect=bool(indirectness),
        routes=[Route(value).label for value in values],
        route_values=values,
    )


def route_order(evidence: ConditionEvidence) -> list[str]:
    """Routes (Route values), the route of the best evidence first; then each other route by
    the best study it has, then in Route order."""

    def strength(route: str) -> tuple[tuple[int, int], int, int]:
        ranks = [(_cebm_rank(s.design), 0) for s in evidence.direct if route in s.routes]
        ranks += [(_cebm_rank(s.design), 1) for s in evidence.indirect if route in s.routes]
        best = min(ranks) if ranks else ((99, 99), 9)
        return best[0], best[1], Route.values.index(route)

    return sorted(Route.values, key=strength)
