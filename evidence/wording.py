"""Wording follows certainty (GRADE guidance 26, Santesso 2020, PMID 31711912).

A sentence about an effect says how sure we are by its verb: high "results in", moderate
"probably" or "likely", low "may", very low "we are very uncertain whether". This module reads
which certainty a sentence's wording implies, so pages, the admin and check_content can refuse
a sentence that sounds surer (or less sure) than its evidence. Pure: text in, answer out.
"""

import re

from .grading import GRADE_LEVELS

# Most hedged first: "we are very uncertain whether … may …" reads as very low.
IMPLIED_BY = (
    ("very-low", re.compile(r"\bvery uncertain\b", re.IGNORECASE)),
    ("moderate", re.compile(r"\b(probably|likely)\b", re.IGNORECASE)),
    ("low", re.compile(r"\b(may|might)\b", re.IGNORECASE)),
)

EXPECTED_WORDING = {
    "high": '"results in" (no hedge)',
    "moderate": '"probably" or "likely"',
    "low": '"may"',
    "very-low": '"we are very uncertain whether"',
}


def implied_certainty(text: str) -> str:
    """The GRADE level code that the wording of `text` implies; unhedged text implies high."""
    for code, pattern in IMPLIED_BY:
        if pattern.search(text):
            return code
    return "high"


def wording_problem(text: str, certainty_code: str) -> str | None:
    """Why `text` is worded wrongly for `certainty_code`, naming the expected wording; or None."""
    if certainty_code not in GRADE_LEVELS:
        raise ValueError(f"Unknown GRADE certainty code: {certainty_code!r}")
    implied = implied_certainty(text)
    if implied == certainty_code:
        return None
    return (
        f"The wording reads as {implied.replace('-', ' ')} certainty, but the evidence is "
        f"{certainty_code.replace('-', ' ')}: use {EXPECTED_WORDING[certainty_code]}."
    )
