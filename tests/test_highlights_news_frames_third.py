"""A third set of attribution mechanisms for news written elsewhere: "Al" as a given name, surnames
ending in -ing, capitalised words that are no verb, a name before "of <organisation>", a person owned
by an outlet, role words before a name, the sentence's subject over a lone name nearby and past earlier
unattributed quotes, a closed quote before "Name said.", a verb leading into the next quote, an aside
between the verb and the quote, a person's office, an aside after a name, and more speech verbs. All
people and places here are fictional."""

from __future__ import annotations

import pytest

from campaign.highlights.mentions import build_registry
from campaign.highlights.speakers import Registry, parse_np
from tests.helpers import article_quotes as quotes
from tests.helpers import attributed

# --- 1. "Al" as a given name ------------------------------------------------------------------------


def test_al_before_a_surname_is_a_given_name_in_a_described_noun_phrase() -> None:
    sp = parse_np("Florida-based Republican strategist Al Carrera", Registry())
    # "Al" opens the name; the words before it are the role
    assert sp is not None and sp.kind == "person" and sp.name == "Al Carrera"
    assert sp.role == "Florida-based Republican strategist"


def test_an_inverted_attribution_names_al_as_the_speaker() -> None:
    text = ('"How much worse could it get?" said Florida-based Republican strategist Al Carrera, '
            'referring to the polls.')
    [q] = quotes(text)
    # the participle after the comma is no part of the name
    assert q.speaker == "Al Carrera" and q.sieve == "after" and q.confident
    assert "Al Carrera" in q.evidence


@pytest.mark.parametrize("np", ["Al Qaeda", "Al Qaeda leader"])
def test_al_qaeda_is_no_person(np: str) -> None:
    sp = parse_np(np, Registry())
    # "Al" is a given name only before a surname, never in the group's name
    assert sp is None or sp.kind != "person"


# --- 2. a surname ending in -ing --------------------------------------------------------------------


def test_an_ing_surname_a_known_person_bears_resolves_to_the_full_name() -> None:
    text = 'Betsy Ebeling came with friends.\n\n“We live in Chicago,” Ebeling said.'
    [q] = quotes(text)
    # "Ebeling" is not read as a participle once Betsy Ebeling is known
    assert q.speaker == "Betsy Ebeling" and q.sieve == "after" and q.confident
    assert build_registry(text).names == ["Betsy Ebeling"]


def test_an_ing_surname_two_people_share_is_given_as_written() -> None:
    text = 'Betsy Ebeling and Tom Ebeling came.\n\n“We live in Chicago,” Ebeling said.'
    [q] = quotes(text)
    # two Ebelings: the bare surname is kept rather than picking one of them
    assert q.speaker == "Ebeling" and q.guess is None and q.sieve == "after"
    assert build_registry(text).names == ["Betsy Ebeling", "Tom Ebeling"]


@pytest.mark.parametrize("word", ["Continuing", "Building", "Morning"])
def test_an_ing_word_alone_is_no_name(word: str) -> None:
    # with no one in the story bearing it, an -ing word is no speaker
    assert parse_np(word, Registry()) is None


# --- 3. a capitalised word is no speech verb ----------------------------------------------------------


def test_a_capitalised_object_after_said_is_not_the_speaker() -> None:
    text = ('Marco Ruiz spoke. Ruiz said the United States "must increase our efforts at home and abroad '
            'to stop it."')
    [q] = quotes(text)
    # "United States" is what Ruiz talked about; it never speaks
    assert q.speaker == "Marco Ruiz" and q.speaker_kind == "person" and q.confident
    assert "United States" not in (q.speaker, q.guess)


# --- 4. a full name before "of <organisation>" --------------------------------------------------------


def test_a_full_name_before_of_an_organisation_is_the_speaker() -> None:
    text = ('"People stood for hours in line in the sun," said Meera Ganesan of Human Rights Watch, who '
            'observed voting in the north.')
    [q] = quotes(text)
    # the organisation after "of" is where she works, not who spoke
    assert q.speaker == "Meera Ganesan" and q.speaker_kind == "person" and q.sieve == "after"


def test_parse_np_drops_of_an_organisation_after_a_full_name() -> None:
    sp = parse_np("Meera Ganesan of Human Rights Watch", Registry())
    # the person, not the organisation
    assert sp is not None and sp.kind == "person" and sp.name == "Meera Ganesan"


# --- 5. a person owned by an outlet ------------------------------------------------------------------


def test_a_person_owned_by_an_outlet_is_the_speaker() -> None:
    text = 'As The Post’s Dana Milbank puts it, "Senate Republicans are unmoved, and liberals are furious."'
    [q] = quotes(text)
    # "The Post’s" owns the columnist and becomes the role
    assert q.speaker == "Dana Milbank" and q.sieve == "before" and q.confident
    assert q.role is not None and "Post" in q.role


def test_the_conjunction_before_an_outlet_is_not_part_of_the_role() -> None:
    text = 'As The Post’s Dana Milbank puts it, "Senate Republicans are unmoved, and liberals are furious."'
    [q] = quotes(text)
    # "As" leads the clause; the role posted with the quote is the outlet alone
    assert q.role in ("Post", "The Post")


def test_an_outlet_with_a_bare_apostrophe_owns_a_person() -> None:
    sp = parse_np("RealClearPolitics’ David Byler", Registry())
    # "RealClearPolitics’" is the outlet, not part of the name
    assert sp is not None and sp.kind == "person" and sp.name == "David Byler"
    assert sp.role == "RealClearPolitics"


@pytest.mark.parametrize("name", ["Dana Milbank", "Ellen Fairbank"])
def test_a_surname_ending_in_an_organisation_word_is_a_person(name: str) -> None:
    sp = parse_np(name, Registry())
    # "-bank" ending a surname does not make an organisation
    assert sp is not None and sp.kind == "person" and sp.name == name


# --- 6. lowercase role words between a party word and the name -----------------------------------------


def test_lowercase_role_words_after_a_party_word_lead_to_the_subject() -> None:
    text = ('Republican presidential candidate Donna Trask quickly took to Twitter, writing: "Another '
            'horrific attack, this time in Nice."')
    [q] = quotes(text)
    # "presidential candidate" is part of the role, not a break in the subject
    assert q.speaker == "Donna Trask" and q.confident
    assert q.role == "Republican presidential candidate"


# --- 7. the sentence's subject beats a lone name nearby --------------------------------------------------


def test_the_sentence_subject_beats_a_single_candidate_guess() -> None:
    text = ('Ted Crane spoke in Albany on Monday.\n\n'
            'Crane said the people of upstate New York “have been suffering under the policies of the city '
            'for years.”')
    [q] = quotes(text)
    # "Crane said" is the quote's own subject, sure, not a lone-name guess
    assert q.speaker == "Ted Crane" and q.sieve in ("subject", "before") and q.confident
    assert q.guess is None


# --- 8. the subject survives earlier unattributed quotes --------------------------------------------------


def test_the_subject_survives_earlier_unattributed_quotes_in_the_sentence() -> None:
    text = ('Donna Trask spoke in Iowa. Republican presidential candidate Donna Trask argued that fellow '
            'candidate Ted Crane has “got to come a long way” on ethanol, “because he is right now for '
            'the oil” because “oil pays him a lot of money.”')
    # every fragment is Trask's; Crane is whom she talked about
    assert attributed(text) == [("Donna Trask", None)] * 3
    assert all(q.confident for q in quotes(text))


def test_an_earlier_quote_with_its_own_attribution_stops_the_subject() -> None:
    text = ('Jane Roe spoke. “We will win this race,” she said, and Tom Bale replied that “the count is not '
            'over yet, not by a long way.”')
    # "she said" closes Roe's quote; the next one is Bale's reply
    assert attributed(text) == [("Jane Roe", None), ("Tom Bale", None)]


# --- 9. a closed quote followed by "Name said." -----------------------------------------------------------


def test_a_closed_quote_followed_by_name_said_is_attributed() -> None:
    text = ('Donna Trask spoke. “Russia, if you are listening, I hope you are able to find the emails.” '
            'Trask said.')
    [q] = quotes(text)
    # the full stop inside the quote does not cut it from "Trask said."
    assert q.speaker == "Donna Trask" and q.sieve == "after" and q.confident


def test_a_closed_quote_followed_by_a_sentence_with_no_speech_verb_has_no_speaker() -> None:
    # "Then the crowd cheered." is no attribution
    assert attributed('“We will win this thing.” Then the crowd cheered.') == [(None, None)]


# --- 10. a verb leading into the next quote does not stop the subject -------------------------------------


def test_a_verb_leading_into_the_next_quote_does_not_stop_the_subject() -> None:
    text = ('Donna Trask spoke. In somber comments, Trask called the assault that killed five officers '
            '"an attack on our whole country," but she also noted the "senseless, tragic deaths" of two men.')
    q = quotes(text)[0]
    # "but she also noted" belongs to the next quote, not a rival for the first
    assert q.speaker == "Donna Trask" and q.confident
    assert q.text.startswith("an attack on our whole country")


# --- 11. an adverbial aside between the verb and the quote ------------------------------------------------


def test_an_adverbial_aside_between_the_verb_and_the_quote() -> None:
    text = ('Helen Marsh spoke. Marsh initially said in the spring, when the server story broke, “I did not '
            'email any classified material to anyone.”')
    [q] = quotes(text)
    # "in the spring, when the server story broke," sits between "said" and the quote
    assert q.speaker == "Helen Marsh" and q.sieve == "before" and q.confident


# --- 12. a person's office speaks for them -----------------------------------------------------------------


def test_a_persons_office_is_an_organisation_speaker() -> None:
    text = ('Colin Pell ran the department.\n\n'
            '“He did write former Secretary Marsh an email memo describing his use of it,” Colin Pell’s '
            'office said in a statement.')
    [q] = quotes(text)
    # the office speaks, not Pell himself, nor the Marsh inside the quote
    assert q.speaker == "Colin Pell’s office" and q.speaker_kind == "org" and q.sieve == "after"


def test_parse_np_reads_a_persons_office_as_an_organisation() -> None:
    sp = parse_np("Colin Pell’s office", Registry())
    # "’s office" makes the person's office the speaker
    assert sp is not None and sp.kind == "org" and sp.name == "Colin Pell’s office"


# --- 13. an aside after a name ------------------------------------------------------------------------------


def test_an_aside_after_a_name_before_said() -> None:
    text = ('Senator Roy Blunden spoke.\n\n'
            '“He had a lot of Missouri supporters,” Blunden, after a long pause, said of the candidate.')
    [q] = quotes(text)
    # ", after a long pause," between the name and "said" is skipped
    assert q.speaker == "Roy Blunden" and q.sieve == "after" and q.confident


# --- 14. more verbs -----------------------------------------------------------------------------------------


def test_barked_is_a_speech_verb() -> None:
    # "barked" after the quote attributes it
    assert attributed('“OK, for a start, his wife has explained it,” Jon Olver barked.') == [("Jon Olver", None)]


def test_boomed_after_a_chain_of_verbs_is_a_speech_verb() -> None:
    text = 'Donna Trask gestured to the crowd, then leaned in and boomed: “Let us win this in November.”'
    [q] = quotes(text)
    # "boomed:" introduces the quote; the subject carries over the earlier verbs
    assert q.speaker == "Donna Trask" and q.sieve == "before" and q.confident


# --- 15. a firm's name is no person; a show's title is no attributed quote -----------------------------------


def test_a_firm_named_before_a_role_is_no_person_and_no_rival() -> None:
    text = ('“I think there is a high chance of an accident,” Lakeline Capital portfolio manager Bonita Vale said at '
            'an event in Denver. “It is like pressing the gas and the brake at once.”')
    # "Lakeline Capital" is a firm, so the second quote keeps the one person who spoke
    assert attributed(text) == [("Bonita Vale", None), ("Bonita Vale", None)]
    assert "Lakeline Capital" not in build_registry(text).names


def test_a_quoted_show_title_does_not_stop_the_sentence_subject() -> None:
    text = ('Marco Ruiz spoke on Sunday. On the network’s "This Week," Ruiz said that by refusing to say the words '
            '"radical ideas," his rivals are "saying we were not at war with anyone at all."')
    # a two-word title and a two-word scare quote are no attributed quotes
    assert attributed(text)[-1] == ("Marco Ruiz", None)


# --- 16. "state" is a noun; a name after the role; more unnamed speakers --------------------------------------


def test_state_before_a_role_is_no_speech_verb() -> None:
    # "State spokesman", "state Sen.": the noun of every political story, never the verb "state"
    assert attributed('"We take our duty to the families seriously," State spokesman Marek Tonner said Friday.') == [
        ("Marek Tonner", None)]
    assert attributed('"By putting this in the constitution, we tie their hands," state Sen. Jace Holm (D) said '
                      'about halfway through the filibuster.') == [("Jace Holm", None)]


def test_an_inverted_attribution_keeps_the_name_after_the_role() -> None:
    text = ('“With half the vote in by Election Day, we treat it as one long day,” said Ruiz’s deputy campaign '
            'manager, Rich Beeland, who ran the ground game in 2012.')
    # the role comes first, the name second, then an aside
    assert attributed(text) == [("Rich Beeland", None)]


def test_an_unnamed_expert_is_credited_as_the_article_describes_them() -> None:
    text = '“It is going to be hard to do it right,” said a longtime data expert who has worked for a rival.'
    # an unnamed source, kept whole
    assert attributed(text) == [("a longtime data expert who has worked for a rival", None)]


def test_a_participle_after_the_quote_is_no_inverted_attribution() -> None:
    text = ('“It is time we change how we do things here,” promising the Friends of Abe will return to its roots.')
    # "promising X will …" is no "said X": nothing here names a speaker
    assert attributed(text) == [(None, None)]


def test_a_verb_whose_object_is_the_quote_is_no_attribution() -> None:
    text = ('Hillary Clinton, exasperated, famously responded: "What difference does it make at this point?" '
            'Her critics cited it as evidence.')
    # "Her critics cited it": the quote is what they cited, not what they said
    assert attributed(text) == [("Hillary Clinton", None)]
