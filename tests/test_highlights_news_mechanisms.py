"""Attribution mechanisms added for news written elsewhere: middle initials and initials-only given
names, a titled surname standing alone, surnames that are also nationality words, the subject after a
short scare quote, a surname two people share, unnamed speakers introduced by "one"/"another", an
attribution closing the quote's sentence after a clause, asides inside a subject, descriptions before
a full name, and relative-clause speakers. All people and places here are fictional."""

from __future__ import annotations

from campaign.highlights.mentions import build_registry
from campaign.highlights.speakers import Registry, parse_np
from tests.helpers import article_quotes as quotes
from tests.helpers import attributed


def parsed_name(np: str) -> str | None:
    sp = parse_np(np, Registry())
    return sp.name if sp is not None else None


# --- 1. middle initials keep a name whole ---------------------------------------------------------


def test_a_middle_initial_keeps_a_titled_name_whole() -> None:
    text = ('"We will not close the clinic," Senate Majority Leader Harriet K. Dunmore (D-Ore.) '
            'said in a statement.')
    [q] = quotes(text)
    # the initial does not end the sentence or cut "Harriet" from "Dunmore"
    assert q.speaker == "Harriet K. Dunmore" and q.sieve == "after" and q.confident
    assert build_registry(text).names == ["Harriet K. Dunmore"]


def test_a_quote_following_in_the_paragraph_keeps_the_initialled_speaker() -> None:
    text = ('"We will not close the clinic," Senate Majority Leader Harriet K. Dunmore (D-Ore.) '
            'said in a statement. "It is time to fund it."')
    # the second quote continues the first speaker's words
    assert attributed(text) == [("Harriet K. Dunmore", None), ("Harriet K. Dunmore", None)]
    assert quotes(text)[1].sieve == "same-paragraph"


def test_a_later_surname_alone_resolves_to_the_initialled_name() -> None:
    text = ("“We will not close the clinic,” Senate Majority Leader Harriet K. Dunmore (D-Ore.) "
            "said in a statement.\n\n“The money is there,” Dunmore said.")
    assert attributed(text) == [("Harriet K. Dunmore", None), ("Harriet K. Dunmore", None)]


# --- 2. initials as a given name ------------------------------------------------------------------


def test_initials_and_a_middle_initial_parse_as_names() -> None:
    assert parsed_name("R.J. Halvorsen") == "R.J. Halvorsen"
    assert parsed_name("Tomas P. Whitcombe") == "Tomas P. Whitcombe"


def test_a_middle_initialled_subject_weaving_in_a_partial_quote() -> None:
    text = ('Tomas P. Whitcombe, a historian at Lakeview College, writes in the Review that the plan '
            'shows "a stunning lack of nerve" among planners.')
    # the writer named at the head of the sentence owns the words woven into it
    assert attributed(text) == [("Tomas P. Whitcombe", None)]


def test_a_person_before_of_a_place_is_registered_with_initials() -> None:
    text = "Board Chairman R.J. Halvorsen of North Dakota said the vote would wait."
    # the person before "of <place>" is the name, not "Halvorsen of North Dakota"
    assert build_registry(text).names == ["R.J. Halvorsen"]
    woven = ("Board Chairman R.J. Halvorsen of North Dakota said the vote would "
             "“wait until every county has reported.”")
    assert attributed(woven) == [("R.J. Halvorsen", None)]


# --- 3. a titled surname with no fuller form --------------------------------------------------------


def test_a_titled_surname_with_no_fuller_form_is_a_person() -> None:
    text = ('In Lisbon, President Okonkwo released a statement condemning "what appears to be a '
            'deliberate attack on the harbour."')
    [q] = quotes(text)
    # no "Chidi Okonkwo" anywhere: the title makes the one word a person
    assert q.speaker == "Okonkwo" and q.role == "President"
    assert build_registry(text).names == ["Okonkwo"]


def test_a_titled_surname_is_not_kept_apart_from_its_full_name() -> None:
    for text in ("In Lisbon, President Okonkwo released a statement. Chidi Okonkwo was elected in May.",
                 "Chidi Okonkwo was elected in May. In Lisbon, President Okonkwo released a statement."):
        names = build_registry(text).names
        # one person, under the full name, whichever comes first
        assert "Chidi Okonkwo" in names and "Okonkwo" not in names, text
    story = ("Chidi Okonkwo won the election in May.\n\n"
             'In Lisbon, President Okonkwo released a statement condemning "what appears to be a '
             'deliberate attack on the harbour."')
    assert attributed(story) == [("Chidi Okonkwo", None)]


# --- 4. a surname that is also a nationality word --------------------------------------------------


def test_a_nationality_word_after_a_given_name_is_a_surname() -> None:
    names = build_registry("Paul Irish and Anna English met at the arena on Monday.").names
    assert {"Paul Irish", "Anna English"} <= set(names)
    assert attributed("“We will build the arena downtown,” Paul Irish said on Monday.") == [
        ("Paul Irish", None)]
    assert attributed("Mark Cuban, who owns the team, said the arena would be “the loudest room in the "
                      "state.”") == [("Mark Cuban", None)]


def test_a_nationality_word_without_a_given_name_is_not_a_person() -> None:
    # "Cuban exiles", "The Irish team": adjectives, nobody's name
    assert build_registry("Many Cuban exiles marched on Monday. The Irish team won.").names == []


# --- 5. the subject after a short scare quote ---------------------------------------------------------


def test_a_short_scare_quote_does_not_hide_the_sentence_subject() -> None:
    text = ("Councillor Ama Boateng said she was “outraged” to hear of it, arguing that “closing the "
            "library would punish the children who need it most.”")
    # "outraged" is a scare quote and dropped; the long quote goes to the sentence's subject
    [q] = quotes(text)
    assert q.text.startswith("closing the library")
    # the subject, found either by the participle's clause or by the sentence's subject
    assert q.speaker == "Ama Boateng" and q.sieve in ("subject", "before") and q.confident


def test_a_scare_quote_after_was_and_a_quote_after_warned_that() -> None:
    text = ("The library board met on Monday.\n\n"
            "Councillor Ama Boateng was “outraged” by the vote and warned that “closing the library "
            "would punish the children who need it most.”")
    [q] = quotes(text)
    assert q.speaker == "Ama Boateng" and q.sieve in ("subject", "before") and q.confident


# --- 6. a surname the story shares between two people ---------------------------------------------


def test_a_shared_surname_is_given_as_written_with_both_bearers_in_the_evidence() -> None:
    text = ("Ruth Kessler and Aaron Kessler run the bakery.\n\n"
            "“We bake before dawn every day of the week,” Kessler said.")
    [q] = quotes(text)
    # never one of the two picked for it; the evidence names both
    assert q.speaker == "Kessler" and q.guess is None
    assert "Ruth Kessler" in q.evidence and "Aaron Kessler" in q.evidence


def test_a_shared_surname_is_not_added_as_a_person() -> None:
    text = ("Ruth Kessler and Aaron Kessler run the bakery.\n\n"
            "“We bake before dawn every day of the week,” Kessler said.\n\n"
            "“We have never missed a morning, not even in the flood,” she said.")
    assert "Kessler" not in build_registry(text).names
    later = quotes(text)[1]
    # "she" must not land on the bare surname the article used for someone else's quote
    assert later.speaker != "Kessler" and later.guess != "Kessler"


def test_a_quote_continuing_after_a_shared_surname_keeps_it() -> None:
    text = ("Ruth Kessler and Aaron Kessler run the bakery.\n\n"
            "“We bake before dawn every day of the week,” Kessler said. "
            "“We have never missed a morning, not even in the flood.”")
    assert attributed(text) == [("Kessler", None), ("Kessler", None)]


# --- 7. unnamed speakers introduced by one/another --------------------------------------------------


def test_one_campaign_source_is_an_unnamed_speaker() -> None:
    assert attributed("“It is the party of the nominee now,” one campaign source said.") == [
        ("one campaign source", None)]
    # inverted, and opening a sentence
    assert attributed("“They are not listening to the farmers,” said one campaign source.") == [
        ("one campaign source", None)]
    assert attributed("One campaign source said, “We all know where she stands on the police.”") == [
        ("one campaign source", None)]


def test_another_commenter_is_an_unnamed_speaker() -> None:
    text = "Another commenter said, “We all know where she stands on the police.”"
    [q] = quotes(text)
    assert q.speaker == "another commenter" and q.sieve == "before"
    assert attributed("“They are not listening to the farmers,” said another longtime commenter.") == [
        ("another longtime commenter", None)]


# --- 8. an attribution closing the quote's sentence after a clause ----------------------------------

_TRAMS = ("Nils Aberg spoke at the depot. The old trams “were slow. They were loud. There was no joy” "
          "compared with the new line, ")


def test_an_attribution_closing_the_sentence_after_a_clause() -> None:
    [q] = quotes(_TRAMS + "Aberg said.")
    # the quote sits mid-sentence; its sentence ends with the attribution
    assert q.speaker == "Nils Aberg" and q.sieve == "sentence-end"
    [told] = quotes(_TRAMS + "Aberg told reporters.")
    assert told.speaker == "Nils Aberg" and told.sieve == "sentence-end"


def test_a_pronoun_closing_the_sentence_resolves_to_the_person_named() -> None:
    [q] = quotes(_TRAMS + "he said.")
    assert q.speaker == "Nils Aberg" and q.sieve.startswith("sentence-end")


def test_a_closing_clause_that_is_not_an_attribution_gives_no_speaker() -> None:
    for ending in ("the report found.", "which opened in May."):
        [q] = quotes(_TRAMS + ending)
        # a report finding something, or a relative clause: nobody speaking
        assert q.speaker is None and q.sieve != "sentence-end", ending


def test_a_closing_clause_of_more_than_ten_words_is_not_an_attribution() -> None:
    ten = quotes(_TRAMS + "Aberg said to the riders gathered at the depot Monday.")[0]
    assert ten.speaker == "Nils Aberg" and ten.sieve == "sentence-end"
    # eleven words after the last comma: too long to be read as the attribution
    eleven = quotes(_TRAMS + "Aberg said to the riders gathered at the depot on Monday.")[0]
    assert eleven.sieve != "sentence-end"


# --- 9. asides inside a subject ---------------------------------------------------------------------


def test_an_aside_with_a_place_inside_the_subject() -> None:
    text = ('Senator Lena Ortiz, during a town hall meeting in Dayton, Ohio, said she was "going to put '
            'every mill back to work," while explaining her plan.')
    # "during ..., Ohio," is an aside: the subject is still the senator
    assert attributed(text) == [("Lena Ortiz", None)]
    colon = ('Senator Lena Ortiz, during a town hall meeting in Dayton, Ohio, said: "We are going to put '
             'every mill back to work."')
    assert attributed(colon) == [("Lena Ortiz", None)]


# --- 10. a title or a lowercase noun before a full name ---------------------------------------------


def test_a_lowercase_noun_before_a_full_name_makes_a_description() -> None:
    text = "“This is just a scripted show,” said Vermont delegate Corin Ashby, angered by the rules."
    [q] = quotes(text)
    # "Vermont" describes the delegate; it is not part of the name
    assert q.speaker == "Corin Ashby" and q.role is not None and "delegate" in q.role
    sp = parse_np("Vermont delegate Corin Ashby", Registry())
    assert sp is not None and sp.name == "Corin Ashby" and sp.role == "Vermont delegate"


def test_a_title_before_a_full_name_makes_a_description() -> None:
    assert parsed_name("Harlow campaign Chairman Will Pruett") == "Will Pruett"
    assert attributed("“We are ready for the count,” Harlow campaign Chairman Will Pruett said.") == [
        ("Will Pruett", None)]
    assert build_registry("Harlow campaign Chairman Will Pruett said so.").names == ["Will Pruett"]


# --- 11. relative-clause speakers -------------------------------------------------------------------


def test_a_relative_clause_after_an_inverted_attribution_keeps_the_speaker() -> None:
    text = ('"It is not normal for a campaign," said Jon Weller, who said donors often fail to see that '
            'there are "no secrets in politics."')
    # "who said" continues Weller's words: both quotes are his
    assert attributed(text) == [("Jon Weller", None), ("Jon Weller", None)]


def test_a_relative_clause_with_told_introduces_the_quote() -> None:
    text = ("The inquiry will involve Attorney General Dana R. Colby, who told the committee when asked "
            'last month about the inquiry: "That matter is being handled by career investigators and '
            'attorneys."')
    [q] = quotes(text)
    assert q.speaker == "Dana R. Colby" and q.sieve == "before"
