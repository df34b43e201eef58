"""More attribution mechanisms for news written elsewhere: a full name before a long appositive, an
inverted attribution with a long description, party-state tags, an inverted verb before a colon or a
comma, a known name as a label, a leading conjunction before the subject, unnamed speakers kept whole,
a quote set off by dashes, clauses that are no attribution, and a surname two people share carried on
to the paragraph after. All people and places here are fictional."""

from __future__ import annotations

import pytest

from campaign.highlights.mentions import build_registry
from tests.helpers import article_quotes as quotes
from tests.helpers import attributed

# --- 1. a full name before a long appositive ---------------------------------------------------------


def test_a_full_name_before_a_long_appositive_is_the_speaker() -> None:
    text = ('"The ruling protects the right to worship," Dana Whitlock, attorney for one of four groups '
            'to file suit over the new county law, said in a statement.')
    [q] = quotes(text)
    # the appositive between the name and "said" does not hide the name
    assert q.speaker == "Dana Whitlock" and q.sieve == "after" and q.confident
    assert "Dana Whitlock" in q.evidence


# --- 2. an inverted attribution with a long description ----------------------------------------------


def test_an_inverted_attribution_with_a_long_description_keeps_the_first_name() -> None:
    text = ('"It sounded like he was talking out of both sides of his mouth," said Brad Sorensen, pastor '
            'of Lakeside Solid Rock Church and a longtime supporter of former governor Mike Harwell.')
    [q] = quotes(text)
    # the person named inside the description is not the speaker
    assert q.speaker == "Brad Sorensen" and q.sieve == "after" and q.confident
    assert q.guess is None


# --- 3. party-state tags ------------------------------------------------------------------------------


def test_a_party_state_tag_after_a_titled_name_is_dropped() -> None:
    text = '"There has been a lot of talk this week," Senate Majority Leader Hal Brennan, R-Ky., said.'
    [q] = quotes(text)
    # "R-Ky." is a tag, not a name or an appositive the verb belongs to
    assert q.speaker == "Hal Brennan" and q.role == "Senate Majority Leader" and q.sieve == "after"
    assert build_registry(text).names == ["Hal Brennan"]


# --- 4. an inverted verb before a colon or a comma ---------------------------------------------------


def test_an_inverted_verb_before_a_colon_names_the_speaker() -> None:
    text = 'In other words, explained moderator Nancy Corwin: "What does that have to do with the donations?"'
    [q] = quotes(text)
    # "explained <description> <name>:" introduces the quote
    assert q.speaker == "Nancy Corwin" and q.sieve == "before" and q.confident


def test_an_inverted_said_opening_the_sentence_before_a_comma_names_the_speaker() -> None:
    text = ("Comey Ward runs the county election office.\n\n"
            'Said Comey Ward, "The thought that an error on our part is connected to this is painful."')
    [q] = quotes(text)
    # "Said" opening the sentence is the verb, not part of the name
    assert q.speaker == "Comey Ward" and q.sieve == "before" and q.confident


def test_an_inverted_said_opening_the_sentence_is_not_registered_as_a_name() -> None:
    text = ("Comey Ward runs the county election office.\n\n"
            'Said Comey Ward, "The thought that an error on our part is connected to this is painful."')
    # one person, "Comey Ward"; never "Said Comey Ward"
    assert build_registry(text).names == ["Comey Ward"]


def test_an_inverted_said_opening_a_story_before_a_comma_names_the_speaker() -> None:
    text = 'Said Comey Ward, "The thought that an error on our part is connected to this is painful."'
    # with no earlier mention, the verb must still not be read as a given name
    [q] = quotes(text)
    assert q.speaker in ("Comey Ward", None) and q.guess in ("Comey Ward", None)
    assert "Said Comey Ward" not in build_registry(text).names


def test_the_object_of_told_is_never_the_speaker() -> None:
    text = ('Helen Marsh, who called Sanders shortly after the result, told her supporters, "We will keep '
            'fighting for every vote."')
    # "her supporters" is who she spoke to, and "Sanders" sits in the relative clause
    assert attributed(text) == [("Helen Marsh", None)]


# --- 5. a known name as a label before a colon ---------------------------------------------------------


def test_known_names_as_labels_before_colons_inline() -> None:
    text = ('Helen Marsh and Victor Lund debated.\n\n'
            'Marsh: "Our goal is to defeat the cartel, not contain it." '
            'Lund: "The mission is to destroy it, not to manage it."')
    # each known surname labels the quote after its colon, within one paragraph
    assert attributed(text) == [("Helen Marsh", None), ("Victor Lund", None)]
    assert [q.sieve for q in quotes(text)] == ["before", "before"]


def test_an_unknown_capitalised_word_before_a_colon_is_not_a_speaker() -> None:
    text = 'Update: "We are closing the bridge tonight," the council said.'
    [q] = quotes(text)
    # "Update" is a heading word, not a person the story has named
    assert q.speaker != "Update" and q.guess != "Update"
    assert "Update" not in build_registry(text).names


# --- 6. a leading conjunction before the subject --------------------------------------------------------


def test_a_leading_conjunction_before_the_subject_with_a_participle() -> None:
    text = ('Victor Lund tweeted twice. And then Lund went fully on the attack, saying, "Is the mayor '
            'going to finally admit the bridge is unsafe?"')
    [q] = quotes(text)
    # "And then" is skipped; "Lund ... saying," introduces the quote
    assert q.speaker == "Victor Lund" and q.sieve == "before" and q.confident


# --- 7. unnamed speakers kept whole with their modifier -------------------------------------------------


def test_an_unnamed_adviser_is_kept_whole_with_its_modifier() -> None:
    text = '"It is twenty years old," said a longtime adviser to Lund, who declined to be identified.'
    [q] = quotes(text)
    # the "to Lund" modifier stays; the relative clause does not
    assert q.speaker == "a longtime adviser to Lund" and q.speaker_kind == "group"


def test_a_following_quote_keeps_the_unnamed_adviser() -> None:
    text = ("Victor Lund ran for mayor.\n\n"
            '"It is twenty years old," said a longtime adviser to Lund, who declined to be identified. '
            '"Nobody has looked at it since."')
    # the second quote continues the adviser's words; "Lund" alone is never the speaker
    assert attributed(text) == [("a longtime adviser to Lund", None), ("a longtime adviser to Lund", None)]
    assert quotes(text)[1].sieve == "same-paragraph"


def test_a_source_close_to_the_campaign_is_kept_whole() -> None:
    # the prepositional phrase is part of who spoke
    assert attributed('"He has been very quiet," said a source close to the campaign.') == [
        ("a source close to the campaign", None)]


def test_one_republican_involved_in_the_planning_is_kept_whole() -> None:
    text = ('"You will see a massive ad spend," said one Republican involved in the planning, who spoke '
            'on condition of anonymity.')
    # the participle phrase stays; the anonymity clause does not
    assert attributed(text) == [("one Republican involved in the planning", None)]


# --- 8. a quote set off by dashes ------------------------------------------------------------------


@pytest.mark.parametrize("dash", ["-", "\u2013", "\u2014"])
def test_a_quote_set_off_by_dashes_does_not_take_the_next_clause_subject(dash: str) -> None:
    text = (f'Martin Keller lamented her tendency to commit gaffes {dash} "she just cannot help herself" '
            f'{dash} and Democrats in Iowa who watched the debate said they were unfazed.')
    [q] = quotes(text)
    # the group after the closing dash speaks only in its own clause
    for who in (q.speaker, q.guess):
        assert who is None or who == "Martin Keller", who
        assert who is None or "Democrats" not in who


# --- 9. a clause led by a preposition or a modal is no attribution ---------------------------------


def test_a_name_after_with_is_not_the_speaker() -> None:
    text = ('Ted Crane says he is “effectively tied for second place” with Florida Sen. Mark Rubin, in a '
            'finish that he said defied expectations.')
    [q] = quotes(text)
    # "with Florida Sen. Mark Rubin" names a rival, not who said it
    assert q.speaker == "Ted Crane" and q.guess is None
    assert "Mark Rubin" not in (q.speaker, q.guess)


def test_a_name_before_a_modal_verb_is_not_the_speaker() -> None:
    text = ('Shortly after the senator suspended his campaign, Ted Crane said he is certain Mark Rubin '
            'will continue to be “a champion for opportunity in America.”')
    [q] = quotes(text)
    # "Mark Rubin will continue to be" is what Crane said, not an attribution
    assert q.speaker == "Ted Crane" and q.guess is None


# --- 10. a shared surname carried on to the next paragraph ----------------------------------------------


def test_a_unique_surname_is_carried_on_to_a_quote_alone_in_the_next_paragraph() -> None:
    text = ("Ruth Kessler runs the bakery.\n\n"
            "“We bake before dawn,” Kessler said.\n\n"
            "“We have never missed a morning, not even in the flood.”")
    # the control for the shared case below: one Kessler, resolved to her full name
    assert attributed(text) == [("Ruth Kessler", None), ("Ruth Kessler", None)]
    assert quotes(text)[1].sieve == "continuation"


def test_a_shared_surname_is_carried_on_to_a_quote_alone_in_the_next_paragraph() -> None:
    text = ("Ruth Kessler and Aaron Kessler run the bakery.\n\n"
            "“We bake before dawn,” Kessler said.\n\n"
            "“We have never missed a morning, not even in the flood.”")
    # the bare surname spoke last, so the quote standing alone continues it
    assert attributed(text) == [("Kessler", None), ("Kessler", None)]
    assert quotes(text)[1].sieve == "continuation"
