"""A sixth set of attribution mechanisms for news written elsewhere, each from a frame that gave no
speaker or the wrong one: an introduction before a sentence's subject ("Fifteen minutes after …,",
"WASHINGTON (AP) —", "Sunday,"), a conjunction before a name ("But Tomas Pellham, at a firm, argues"),
a name after a role that follows another name ("Valdre campaign chairman Tomas Pellham"), a name
closing an introduction ("… does not surprise pollster Marcus Quell: “…”"), "which X calls", and a
pronoun subject that passes back to the sentence before. All people and places here are fictional."""

from __future__ import annotations

import pytest

from tests.helpers import article_quotes as quotes

INTRO = "Ines Valdre, the mayor, and Tomas Pellham, a union leader, spoke on Monday.\n\n"

# --- 1. introductions before the subject --------------------------------------------------------------

_INTRODUCED = [
    # a time clause with its own subject (Rhodes) before the speaker
    "Fifteen minutes after Rhodes was picked as running mate, Tomas Pellham called the choice "
    "“the most extreme pick in a generation” on Monday.",
    # a dateline, then a time clause whose pronoun is someone else
    "DUNMORE (AP) — Months after she attacked him on the radio, Tomas Pellham tells the Courier that "
    "people who are bullied “have to get over it and fight” back.",
    # a weekday and a participle clause
    "Sunday, while commenting on the strike, Tomas Pellham said the mayor was “a woman who will bring "
    "us together again.”",
    # a participle opening the sentence
    "Filling in for Valdre at the same event where Rhodes appeared, Tomas Pellham landed a sharp dig at "
    "“my dear sister the mayor and her friends.”",
    # a conjunction before the name itself
    "But Tomas Pellham, at a consulting firm called Harbour Analytics, argues that as the ties deepen, "
    "“its political influence will inevitably strengthen,” too.",
]


@pytest.mark.parametrize("sentence", _INTRODUCED)
def test_the_subject_after_an_introduction_speaks(sentence: str) -> None:
    [q] = quotes(INTRO + sentence)
    assert q.speaker == "Tomas Pellham" and q.sieve in ("subject", "before")


def test_a_clause_inside_the_subjects_sentence_is_no_introduction() -> None:
    # "although" comes after the subject's own verb: Pellham is still the one speaking
    text = INTRO + ("Pellham noted that although the harbour is not new to strikes - he wrote his first column "
                    "on one 43 years ago - “you fit it with the other closures, and it is a seismic event.”")
    [q] = quotes(text)
    assert q.speaker == "Tomas Pellham"


# --- 2. a name after a role after another name ----------------------------------------------------------


def test_a_role_after_a_name_introduces_the_speaker_not_the_first_name() -> None:
    text = INTRO + ("Fifteen minutes after the vote, Valdre campaign chairman Marcus Quell called the governor "
                    "“the most extreme pick in a generation” and went home.")
    [q] = quotes(text)
    assert q.speaker == "Marcus Quell"  # never "Ines Valdre", whose campaign it is


def test_a_verb_between_two_names_keeps_the_first_as_the_subject() -> None:
    # "used to support fellow": words of a verb phrase, not a role before Rand Okafor
    text = INTRO + ("Councillor Marcus Quell used to support fellow Dunmorian Rand Okafor, but now said Pellham had "
                    "“the chance and the duty to bring us together.”")
    [q] = quotes(text)
    assert q.speaker == "Marcus Quell"


def test_a_name_quoting_another_is_not_the_speaker_of_the_role_between() -> None:
    text = INTRO + ("Valdre appointed a harbour chief who broke the union. Pellham quotes former Valdre adviser "
                    "Marcus Quell:\n\n“I would love the dockers to be worse off, and I said so at the time.”")
    [q] = quotes(text)
    assert q.speaker != "Ines Valdre"


# --- 3. a name closing an introduction; "which X calls" ---------------------------------------------------


def test_a_name_before_a_colon_labels_the_quote() -> None:
    text = INTRO + ("The timing of Valdre’s surge does not surprise harbour pollster Marcus Quell: “Historically, "
                    "candidates beating the old guard in early contests have seen the biggest boost.”")
    [q] = quotes(text)
    assert q.speaker == "Marcus Quell" and q.sieve == "before"


def test_a_name_before_a_colon_after_another_person_is_not_sure() -> None:
    text = INTRO + "Tomas Pellham met Marcus Quell: “We will build the new school together this year.”"
    [q] = quotes(text)
    assert q.speaker != "Marcus Quell"  # either could be speaking; the object is not the label


def test_which_a_person_calls_gives_that_persons_words() -> None:
    text = INTRO + ("Containment is tied to the party, one which harbour historian Marcus Quell calls "
                    "“a foundation of our political culture.”")
    [q] = quotes(text)
    assert q.speaker == "Marcus Quell"


# --- 4. a pronoun subject passes back --------------------------------------------------------------------


def test_a_pronoun_subject_passes_back_to_the_named_subject_before_it() -> None:
    text = ("Adel Nefzi, a chemistry professor, spoke at the mosque.\n\nNefzi said he and many of those who "
            "worshiped with Omar Mateen are collecting money for the victims. He said he never saw Mateen talk "
            "to the bomber. “It is our bad luck, and nothing more than that,” he said.")
    [q] = quotes(text)
    # Mateen, named last, is not the one talking; he is in view, so Nefzi is a guess for a person to confirm
    assert (q.speaker or q.guess) == "Adel Nefzi"


def test_a_clause_reporting_something_else_after_the_quote_is_no_attribution() -> None:
    # "he said would": a clause about the provisions, not the quote's own "he said"
    text = INTRO + ("Pellham, himself up for reelection, said he voted against the plan because “they put some "
                    "needless stuff in that bill,” including provisions he said would restrict the dockers.")
    [q] = quotes(text)
    assert q.speaker == "Tomas Pellham"


# --- 5. a quote opening the sentence after reported speech ----------------------------------------------


def test_a_quote_after_a_sentence_reporting_speech_carries_it_on() -> None:
    text = INTRO + ("Marcus Quell, Pellham’s attorney, argues that his client never urged anyone toward violence. "
                    "“The city is alleging that his calls to come to the harbour were a threat.” Then the "
                    "hearing closed.")
    [q] = quotes(text)
    assert q.speaker == "Marcus Quell" and q.sieve == "reported-just-before"


def test_a_possessive_subject_is_not_the_one_reporting() -> None:
    # "Valdre’s pollster" speaks, not Valdre; the quote has its own "he says" after an aside
    text = INTRO + ("Valdre’s pollster, Marcus Quell, says the mayor has the money and the time. “I don’t think the "
                    "old wisdom” -- that Valdre is a nanny -- “is going to last,” he says.")
    first = quotes(text)[0]
    assert first.speaker != "Ines Valdre"
