"""Wording follows certainty (GRADE guidance 26, Santesso 2020, PMID 31711912).

A sentence about an effect says how sure we are by its verb: high "results in", moderate
"probably" or "likely", low "may", very low "we are very uncertain whether". This module reads
which certainty a sentence's wording implies, so pages, the admin and check_content can refuse
a sentence that sounds surer (or less sure) than its evidence. Pure: text in, answer out.
"""

import re
from collections.abc import Collection, Mapping, Sequence

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


# ---------------------------------------------------------------- voice and hedges

# An article's own hedges: a paraphrase of a hedged quote keeps one of them.
HEDGE = re.compile(
    r"\b(?:may|might|could|can|appears?|appeared|seems?|suggest(?:s|ed)?|believed|thought|"
    r"likely|probably|possibl[ey]|potential(?:ly)?|promis(?:e|es|ing)|emerging|proposed|"
    r"said to|worth considering)\b",
    re.IGNORECASE,
)
# Verbs that report what an article said without vouching for it.
REPORTING_VERBS = (
    "says|say|said|reports|reported|calls|lists|gives|describes|states|writes|notes|names|"
    "presents|puts|sees|considers|suggests|proposes|cites|asks|asked|counts|tells|report"
)
# Verbs that vouch for what the article said: a reader takes it as established.
FACTIVE_VERBS = "finds|found|shows|showed|confirms|confirmed|demonstrates|demonstrated|proves"
# Who said it: an article named as such, or a pronoun right after one ("It says …").
ARTICLE = (
    r"\b(?:the (?:first|second|same)(?: article(?:'s overview)?)?|that article|one article|"
    r"both articles|the articles|it|they)"
)
ATTRIBUTED = re.compile(
    rf"{ARTICLE}\s+(?:also\s+|only\s+)?(?P<verb>{REPORTING_VERBS}|{FACTIVE_VERBS})\b",
    re.IGNORECASE,
)
FACTIVE = re.compile(rf"^(?:{FACTIVE_VERBS})$", re.IGNORECASE)


def hedges(text: str) -> list[str]:
    """The hedging words of `text`, lower-cased, in order ("may", "appear", "suggested")."""
    return [match.group(0).lower() for match in HEDGE.finditer(text)]


def reporting_verb(text: str) -> str | None:
    """The verb by which `text` says an article said something ("says", "finds"), or None."""
    match = ATTRIBUTED.search(text)
    return match.group("verb").lower() if match else None


def paraphrase_problem(text: str, quotes: Sequence[str]) -> str | None:
    """Why `text`, a paraphrase of `quotes` (an article's words), is surer than they are, or
    does not say it is the article's; None when it keeps the article's voice and hedge.

    A hedged quote ("may represent", "appear to be", "is believed") needs a hedge in the
    paraphrase, and a reporting verb that does not vouch for it ("says", not "finds").
    """
    verb = reporting_verb(text)
    if verb is None:
        return (
            "It states an article's words in the site's voice: say whose they are "
            '("The second article says …").'
        )
    quoted = [hedge for quote in quotes for hedge in hedges(quote)]
    if not quoted:
        return None
    if not hedges(text):
        return (
            f"The article hedges ({', '.join(dict.fromkeys(quoted))}) but this paraphrase does "
            "not: keep the article's hedge."
        )
    if FACTIVE.match(verb):
        return (
            f'"{verb}" vouches for a hedged statement: use a reporting verb such as "says" '
            'or "suggests".'
        )
    return None


CITATION_MARK = re.compile(r"\s*\[@[^\]]*\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def prose_problems(markdown: str, quotes: Sequence[str]) -> list[str]:
    """What `paraphrase_problem` finds in each sentence of editors' prose that restates an
    article (a mechanism's summary): every sentence names its article; the prose as a whole
    keeps a hedge when the quotes it rests on hedge."""
    text = CITATION_MARK.sub("", markdown).strip()
    problems = [
        f"{sentence!r}: {problem}"
        for sentence in SENTENCE_END.split(text)
        if sentence.strip() and (problem := paraphrase_problem(sentence, ()))
    ]
    whole = paraphrase_problem(text, quotes)
    if whole and not problems:
        problems.append(whole)
    return problems


EDITORS_CHECK = re.compile(r"\b(?:our (?:editors'? )?check|our editors|the editors' check)\b", re.I)


def primary_citation_problems(
    markdown: str,
    seed_keys: Collection[str],
    checked_keys: Collection[str],
    listed_by: Mapping[str, Collection[str]],
) -> list[str]:
    """Sentences of prose that cite a primary paper directly without saying whose account it
    is. A sentence may cite a paper (not a seed) when it reports an article's words and cites
    an article that lists the paper ("The second article reports … [@droracle-ldn-skin]
    [@weinstock2020]"), or when it gives the editors' check of that paper ("Our check of the
    paper found … [@bigliardi2007]"). `listed_by` maps a paper's key to the seeds listing it.
    """
    problems = []
    for sentence in SENTENCE_END.split(markdown.strip()):
        keys = set(re.findall(r"@([A-Za-z0-9_-]+)", " ".join(CITATION_MARK.findall(sentence))))
        plain = CITATION_MARK.sub("", sentence)
        for key in sorted(keys - set(seed_keys)):
            if EDITORS_CHECK.search(plain) and key in checked_keys:
                continue
            if reporting_verb(plain) and keys & set(listed_by.get(key, ())):
                continue
            problems.append(
                f"{plain.strip()!r} cites {key} directly: cite the article that reported it "
                "and say so, or the editors' check of the paper"
            )
    return problems
