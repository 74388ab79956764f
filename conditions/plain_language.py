"""Plain-language wording for the patient view, set by GRADE certainty.

GRADE guidance 26 (Santesso 2020, PMID 31711912): high "results in", moderate "probably
results in", low "may result in", very low "we are very uncertain whether".
"""

import textstat

from evidence.models import Outcome, Route

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


def certainty_sentence(outcome_certainty):
    """The patient sentence for one outcome's certainty, worded by its GRADE level."""
    subject = SUBJECT_BY_ROUTE[outcome_certainty.route]
    template = WORDING_BY_CERTAINTY[outcome_certainty.certainty.code]
    return template.format(
        subject=subject,
        Subject=subject[0].upper() + subject[1:],
        effect=EFFECT_BY_OUTCOME[outcome_certainty.outcome],
    )


def reading_grade(texts):
    """Flesch-Kincaid grade of the patient-facing texts joined, to one decimal."""
    return round(textstat.flesch_kincaid_grade(" ".join(texts)), 1)
