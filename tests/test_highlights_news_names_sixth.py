"""A sixth set of attribution mechanisms for news written elsewhere, each from a frame that gave no
speaker or the wrong one: an introduction before a sentence's subject ("Fifteen minutes after …,",
"WASHINGTON (AP) —", "Sunday,"), a conjunction before a name ("But Tomas Pellham, at a firm, argues"),
a name after a role that follows another name ("Valdre campaign chairman Marcus Quell"), a name
closing an introduction ("… does not surprise pollster Marcus Quell: “…”"), "which X calls", a clause
after the quote that reports something else, a quote carrying on the speech the sentence before
reports, and a pronoun subject that passes back to the sentence before. All people and places here
are fictional."""

from __future__ import annotations

import pytest

from tests.helpers import article_quotes as quotes

INTRO = "Ines Valdre, the mayor, and Tomas Pellham, a union leader, spoke on Monday.\n\n"

# (frame after INTRO, its one quote's speaker, its sieve or None for any)
_SPEAKS = [
    # 1. introductions before the subject: a time clause with its own subject (Rhodes) ...
    ("Fifteen minutes after Rhodes was picked as running mate, Tomas Pellham called the choice "
     "“the most extreme pick in a generation” on Monday.", "Tomas Pellham", "subject"),
    # ... a dateline, then a time clause whose pronoun is someone else
    ("DUNMORE (AP) — Months after she attacked him on the radio, Tomas Pellham tells the Courier that "
     "people who are bullied “have to get over it and fight” back.", "Tomas Pellham", None),
    # ... a weekday and a participle clause
    ("Sunday, while commenting on the strike, Tomas Pellham said the mayor was “a woman who will bring "
     "us together again.”", "Tomas Pellham", None),
    # ... a participle opening the sentence
    ("Filling in for Valdre at the same event where Rhodes appeared, Tomas Pellham landed a sharp dig at "
     "“my dear sister the mayor and her friends.”", "Tomas Pellham", "subject"),
    # ... a conjunction before the name itself
    ("But Tomas Pellham, at a consulting firm called Harbour Analytics, argues that as the ties deepen, "
     "“its political influence will inevitably strengthen,” too.", "Tomas Pellham", "subject"),
    # ... but not a clause after the subject's own verb ("noted that although")
    ("Pellham noted that although the harbour is not new to strikes - he wrote his first column on one 43 "
     "years ago - “you fit it with the other closures, and it is a seismic event.”", "Tomas Pellham", None),
    # 2. a name after a role after another name: never Valdre, whose campaign it is
    ("Fifteen minutes after the vote, Valdre campaign chairman Marcus Quell called the governor “the most "
     "extreme pick in a generation” and went home.", "Marcus Quell", "subject"),
    # ... but "used to support fellow" is a verb phrase, not a role before Rand Okafor
    ("Councillor Marcus Quell used to support fellow Dunmorian Rand Okafor, but now said Pellham had “the "
     "chance and the duty to bring us together.”", "Marcus Quell", None),
    # 3. a name closing an introduction, after a possessive that names no one speaking
    ("The timing of Valdre’s surge does not surprise harbour pollster Marcus Quell: “Historically, "
     "candidates beating the old guard in early contests have seen the biggest boost.”", "Marcus Quell", "before"),
    # ... "which X calls", like "what X called"
    ("Containment is tied to the party, one which harbour historian Marcus Quell calls “a foundation of our "
     "political culture.”", "Marcus Quell", "before"),
    # 4. "provisions he said would": a clause about the provisions, not the quote's own "he said"
    ("Pellham, himself up for reelection, said he voted against the plan because “they put some needless "
     "stuff in that bill,” including provisions he said would restrict the dockers.", "Tomas Pellham", "subject"),
    # 5. a quote opening the sentence after one that reports a named person's speech
    ("Marcus Quell, Pellham’s attorney, argues that his client never urged anyone toward violence. “The city "
     "is alleging that his calls to come to the harbour were a threat.” Then the hearing closed.",
     "Marcus Quell", "reported-just-before"),
    # ... or ends with its attribution ("…, Valdre said."), in the same paragraph or the one before
    ("The city will appeal the ruling in the spring, Valdre said. “We will not give up on the harbour, not now "
     "and not ever.” Then she left.", "Ines Valdre", "reported-just-before"),
    ("The union will not stop the strike, says Pellham. “We will not give up on the harbour, not now and not "
     "ever at all.”", "Tomas Pellham", None),
    ("The city will appeal the ruling, Valdre said on Tuesday.\n\n“We will not give up on the harbour, not now "
     "and not ever, and not for them.”", "Ines Valdre", "reported-before"),
    ("The union will hold out, Pellham told reporters. “We have nothing to lose now, and everything to win.”",
     "Tomas Pellham", "reported-just-before"),
    ("The union will hold out, according to Pellham. “We have nothing to lose now, and everything to win.”",
     "Tomas Pellham", "reported-just-before"),
    # ... with a description before the name ("its chairman Marcus Quell said")
    ("The port will appeal the ruling, its chairman Marcus Quell said. “We respect the court, but we believe "
     "the judgment is wrong in law.”", "Marcus Quell", "reported-just-before"),
    # a lowercase role between a capitalised word and the name: the name is the subject
    ("Union leader Marcus Quell, who led the strike, thanked the dockers’ families. “They carried us for three "
     "weeks. This is their win.”", "Marcus Quell", None),
    # 6. a named organisation as the subject of a woven quote
    ("Harbour Rights Watch called the arrests “a grave violation of the right to strike and to assemble.”",
     "Harbour Rights Watch", "subject"),
    ("In Dunmore, Harbour Rights Watch has repeatedly called the arrests “a grave violation of the right to "
     "strike.”", "Harbour Rights Watch", "subject"),
]


@pytest.mark.parametrize(("frame", "speaker", "sieve"), _SPEAKS)
def test_the_frame_gives_its_speaker(frame: str, speaker: str, sieve: str | None) -> None:
    [q] = quotes(INTRO + frame)
    assert q.speaker == speaker
    assert sieve is None or q.sieve == sieve


# (frame after INTRO, the person its first quote must not be given to)
_NOT = [
    # "went after" and "for" are no role words: not "Pellham went after Valdre" nor "Attorneys for Valdre"
    ("Pellham went after Valdre on Wednesday over the taxes, calling it “disqualifying” and asserting that the only "
     "reason must be “a bombshell of unusual size.”", "Ines Valdre"),
    ("Attorneys for Valdre appeared to oppose the effort, saying in court files that her account “has never been "
     "the property of the city.”", "Ines Valdre"),
    # a possessive organisation is no subject: its report speaks, not a person or the group sure
    ("Harbour Watch’s report called the arrests “a grave violation of the right to strike.”", "Harbour Watch"),
    # the object before a colon is no label: either could be speaking
    ("Tomas Pellham met Marcus Quell: “We will build the new school together this year.”", "Marcus Quell"),
    # "Pellham quotes former Valdre adviser Marcus Quell": Valdre is no speaker for the role between
    ("Valdre appointed a harbour chief who broke the union. Pellham quotes former Valdre adviser Marcus "
     "Quell:\n\n“I would love the dockers to be worse off, and I said so at the time.”", "Ines Valdre"),
    # "Valdre’s pollster" reports, not Valdre; the quote has its own "he says" after an aside
    ("Valdre’s pollster, Marcus Quell, says the mayor has the money and the time. “I don’t think the old "
     "wisdom” -- that Valdre is a nanny -- “is going to last,” he says.", "Ines Valdre"),
]


@pytest.mark.parametrize(("frame", "not_them"), _NOT)
def test_the_frame_does_not_give_the_wrong_person(frame: str, not_them: str) -> None:
    first = quotes(INTRO + frame)[0]
    assert first.speaker != not_them


def test_a_pronoun_subject_passes_back_to_the_named_subject_before_it() -> None:
    text = ("Adel Nefzi, a chemistry professor, spoke at the mosque.\n\nNefzi said he and many of those who "
            "worshiped with Omar Mateen are collecting money for the victims. He said he never saw Mateen talk "
            "to the bomber. “It is our bad luck, and nothing more than that,” he said.")
    [q] = quotes(text)
    # Mateen, named last, is not the one talking; he is in view, so Nefzi is a guess for a person to confirm
    assert (q.speaker or q.guess) == "Adel Nefzi"


def test_a_speech_the_paragraph_before_reports_is_shown_as_the_evidence() -> None:
    [q] = quotes(INTRO + "The city will appeal the ruling, Valdre said.\n\n“We will not give up on the harbour, "
                         "not now and not ever.”")
    assert q.sieve == "reported-before" and "The city will appeal the ruling, Valdre said." in q.evidence


def test_a_french_closing_attribution_reports_the_speech_a_quote_carries_on() -> None:
    from campaign.article import text_article
    from campaign.highlights.quotes import find_quotes

    text = ("Ines Valdre, la maire, et Tomas Pellham, un dirigeant syndical, ont parlé lundi.\n\n"
            "La ville fera appel, a indiqué Valdre. « Nous ne céderons pas aux menaces du syndicat. »")
    [q] = find_quotes(text_article(text, language="fr"))
    assert q.speaker == "Ines Valdre" and q.sieve == "reported-just-before"


@pytest.mark.parametrize(("heading", "speaker"), [
    ("Statement by Sara Okafor on the Dunmore ruling", "Sara Okafor"),
    ("Quote from Sara Okafor, Executive Director:", "Sara Okafor"),
    ("Statement from the Harbour Rights Project on the ruling.", "Harbour Rights Project"),
    ("Statement by Sara Okafor, Executive Director of the Harbour Rights Project, on the ruling", "Sara Okafor"),
])
def test_a_press_release_heading_introduces_the_quote_paragraph_after_it(heading: str, speaker: str) -> None:
    [q] = quotes(INTRO + heading + "\n\n“Today’s ruling is a victory for every worker in this country.”")
    assert q.speaker == speaker and q.sieve == "colon-paragraph"
    assert heading.rstrip(":.") in q.evidence  # the heading is shown as the evidence


def test_a_heading_does_not_outrank_the_quotes_own_attribution() -> None:
    text = INTRO + ("Statement by Sara Okafor on the Dunmore ruling\n\nThe ruling came late. “Today’s ruling is a "
                    "victory for every worker in this country,” Pellham said.")
    [q] = quotes(text)
    assert q.speaker == "Tomas Pellham"


def test_a_subject_phrase_keeps_a_hyphenated_arabic_surname() -> None:
    from campaign.highlights.pronouns import head_np

    assert head_np("The Yemen-based cleric Anwar al-Harithi, who was killed in 2011, said") == (
        "The Yemen-based cleric Anwar al-Harithi")


def test_the_object_of_an_introducing_sentence_is_not_its_subject() -> None:
    # "the judge told Tomas Pellham:": the judge speaks; Pellham, the one told, is no answer for "the judge"
    text = "The court sat on Monday in Dunmore.\n\nSentencing him, the judge told Tomas Pellham:\n\n“Today’s ruling is " \
           "a warning to every worker in this country.”"
    [q] = quotes(text)
    assert q.speaker != "Tomas Pellham" and q.guess != "Tomas Pellham"
