"""Plain-language wording for the patient view, set by GRADE certainty.

GRADE guidance 26 (Santesso 2020, PMID 31711912): high "results in", moderate "probably
results in", low "may result in", very low "we are very uncertain whether".
"""

from collections.abc import Iterable

import textstat

from evidence.choices import Outcome, Route

SUBJECT_BY_ROUTE = {
    Route.TOPICAL: "naltrexone cream",
    Route.ORAL: "low-dose naltrexone taken by mouth",
}

EFFECT_BY_OUTCOME = {
    Outcome.ITCH_RELIEF: "less itch",
    Outcome.LESION_IMPROVEMENT: "fewer or smaller patches",
    Outcome.GLOBAL_IMPROVEMENT: "skin that gets better",
    Outcome.QUALITY_OF_LIFE: "a better daily life",
    Outcome.ADVERSE_EFFECTS: "only mild side effects",
    Outcome.BIOMARKERS: "changes in skin cells",
}

WORDING_BY_CERTAINTY = {
    "high": "{Subject} results in {effect}.",
    "moderate": "{Subject} probably results in {effect}.",
    "low": "{Subject} may result in {effect}.",
    "very-low": "We are very uncertain whether {subject} results in {effect}.",
}


def certainty_sentence(route: str, outcome: str, certainty_code: str) -> str:
    """The patient sentence for one outcome's certainty, worded by its GRADE level."""
    subject = SUBJECT_BY_ROUTE[Route(route)]
    template = WORDING_BY_CERTAINTY[certainty_code]
    return template.format(
        subject=subject,
        Subject=subject[0].upper() + subject[1:],
        effect=EFFECT_BY_OUTCOME[Outcome(outcome)],
    )


def reading_grade(texts: Iterable[str]) -> float:
    """Flesch-Kincaid grade of the patient-facing texts joined, to one decimal."""
    return round(textstat.flesch_kincaid_grade(" ".join(texts)), 1)
