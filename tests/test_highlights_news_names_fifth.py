"""A fifth set of attribution mechanisms for news written elsewhere, each from a frame that gave no
speaker: an organisation's possessive before a name ("the Harbour Forum’s Ines Valdre said"), a
saint's name as a place ("the St. Aubin hotel"), a surname that is also a word ("Will wrote"), an
inverted verb the lexicon lacks ("pressed Pellham"), and an attribution closing a sentence that runs
through other quotes. All people and places here are fictional."""

from __future__ import annotations

import pytest

from campaign.highlights.mentions import build_registry, person_mentions
from campaign.highlights.speakers import split_name
from tests.helpers import article_quotes as quotes

INTRO = "Ines Valdre, the mayor, and Tomas Pellham, a union leader, spoke on Monday.\n\n"

# --- 1. a possessive before the name -----------------------------------------------------------------


def test_a_name_after_an_organisations_possessive_is_a_person_of_its_own() -> None:
    text = "“The harbour stays open,” Harbour Action Forum’s Marcus Quell said at the Dunmore event."
    reg = build_registry(text)
    assert "Marcus Quell" in reg.names
    # "Forum" is an organisation's word: "Action Forum" is no person
    assert "Action Forum" not in reg.names


def test_the_second_quote_after_a_possessive_attribution_continues_the_speaker() -> None:
    text = INTRO + ("“The harbour stays open for every ship in the bay,” Harbour Action Forum’s Marcus Quell said "
                    "at the Dunmore event. “The berths might be fewer, but the jobs will stay in this town.”")
    first, second = quotes(text)
    assert first.speaker == "Marcus Quell"
    # the organisation in the attribution's subject is the speaker's own description, not a rival
    assert second.speaker == "Marcus Quell" and second.sieve == "same-paragraph"


# --- 2. a saint's name is a place ----------------------------------------------------------------------


def test_a_saints_name_is_no_person() -> None:
    text = "Valdre spoke ahead of the opening of the new St. Aubin hotel near Ft. Dunmore. Then Tomas Pellham spoke."
    reg = build_registry(text)
    assert [n for _, n in person_mentions(text, reg, 0, len(text))] == ["Tomas Pellham"]


def test_a_hotel_named_for_a_saint_does_not_stop_a_continuation() -> None:
    text = INTRO + ("“We like a lot of the plans, some more than the others,” Pellham said at the opening of the "
                    "new St. Aubin hotel.\n\n“It changes every day, and I read the news every morning.”")
    first, second = quotes(text)
    assert first.speaker == "Tomas Pellham"
    assert second.speaker == "Tomas Pellham" and second.sieve == "continuation"


# --- 3. surnames that are words; verbs the lexicon lacks, inverted -------------------------------------


def test_an_inverted_verb_that_is_no_speech_gives_no_speaker() -> None:
    text = INTRO + "“We will keep the harbour open for every ship,” featured Tomas Pellham."
    [q] = quotes(text)  # (one quote found, so the assertion below has something to hold)
    assert q.speaker != "Tomas Pellham"


def test_reacted_and_had_this_to_say_are_speech() -> None:
    text = INTRO + ("“The mayor promised eleven berths and gave us four,” reacted Pellham.\n\n"
                    "A paper from the Dunmore Harbour Institute had this to say about the plan: "
                    "“Families in the top half of the income range would gain the most.”")
    first, second = quotes(text)
    assert first.speaker == "Tomas Pellham"
    assert second.speaker == "Dunmore Harbour Institute"


# --- 4. an attribution closing a sentence that runs through other quotes --------------------------------


def test_the_attribution_after_a_later_short_quote_closes_the_sentence() -> None:
    text = INTRO + ("Given the vote, the endorsement will carry “a great deal of weight” and bring the "
                    "“grass-roots muscle” the port needs, harbour spokesman Arlo Penn said.")
    [q] = [q for q in quotes(text) if q.text.startswith("a great deal")]
    assert q.speaker == "Arlo Penn" and q.sieve == "sentence-end"


def test_a_quote_ending_its_sentence_does_not_take_the_next_sentences_attribution() -> None:
    text = INTRO + ("“The plan is dead.” Then Valdre said the plan was “a waste of the city's money,” Pellham said.")
    first = quotes(text)[0]
    assert first.text.startswith("The plan is dead") and first.speaker is None


def test_registry_keeps_the_owner_of_a_possessive_apart_from_the_name() -> None:
    text = "Dunmore Harbour Trust’s Chief Executive Lena Oduya spoke."
    reg = build_registry(text)
    assert "Lena Oduya" in reg.names


# --- 5. whose participle, whose subject ----------------------------------------------------------------


def test_a_participle_after_a_clause_naming_no_one_gives_no_sure_speaker() -> None:
    text = INTRO + ("Valdre arrived at the gates, where the rain had started, shouting “we will never give up on "
                    "the berths”.")
    [q] = quotes(text)
    assert q.speaker != "Ines Valdre"


def test_a_possessive_is_not_the_subject_a_pronoun_points_to() -> None:
    text = ("Tomas Pellham has warned about the harbour vote, which was called by Renwick.\n\n"
            "Renwick also addressed Pellham’s concerns last Thursday, stating that the port authority is in charge.\n\n"
            "“We take our duty to the harbour seriously,” he added.")
    [q] = quotes(text)
    # Renwick, never named in full, is the sentence's subject: the "he" is not Pellham, surely
    assert q.speaker != "Tomas Pellham"


def test_a_sentences_first_common_word_is_no_stranger_subject() -> None:
    text = ("Ines Valdre, the mayor, asked the delegates for their votes.\n\n"
            "Another delegate, Tomas Pellham of Dunmore, explained his late vote.\n\n"
            "“It is time to stand behind the mayor and the harbour plan,” he said.")
    [q] = quotes(text)
    assert q.speaker == "Tomas Pellham"


def test_a_place_as_the_subject_before_he_says_is_passed_over() -> None:
    text = ("China says it will build the new port at Dunmore.\n\n"
            "Dunmore's harbour master, Erlan Vostrikov, plays down the worries. China may outnumber the town "
            "by 80 to 1, but its growth is good news, he says.\n\n"
            "“Our philosophy is simple: we should get on board that train,” he said in an interview in Dunmore.")
    *_, q = quotes(text)
    assert q.speaker == "Erlan Vostrikov"


# --- 6. frames from a sweep of invented sentences ------------------------------------------------------


def test_a_dash_and_a_name_the_story_never_gave_is_no_speaker() -> None:
    text = INTRO + "“The harbour will stay open for every ship.” - Dunmore. The town is quiet tonight."
    [q] = quotes(text)
    assert q.speaker is None


def test_a_reported_question_asked_by_someone_is_no_ones_words() -> None:
    text = INTRO + "Valdre was asked by Pellham whether “the berths are for sale to the highest bidder.”"
    [q] = quotes(text)
    assert q.speaker != "Ines Valdre"


def test_adding_that_carries_the_inverted_speaker_to_the_second_quote() -> None:
    text = INTRO + ("“It’s not new in Dunmore,” said Pellham at the time, adding that “we have been electing "
                    "union people to office for a long time.”")
    first, second = quotes(text)
    assert first.speaker == second.speaker == "Tomas Pellham"


def test_an_inverted_description_with_a_relative_clause() -> None:
    text = INTRO + "“This is the best deal the city has had in forty years,” said the mayor, who took office in 2014."
    [q] = quotes(text)
    assert q.speaker == "Ines Valdre" or q.guess == "Ines Valdre"


def test_a_quote_paragraph_after_an_attribution_with_a_long_description_continues_the_speaker() -> None:
    text = INTRO + ("“When the council said it would keep the berths, that lit something in the whole town,” said "
                    "Rev. Kyev Tatum, then senior pastor at Servant House Baptist Church and a former aide to Bishop Alan "
                    "Reed.\n\n"
                    "“The vote happened. The minute it was possible, every family on the docks was going to win.”")
    first, second = quotes(text)
    assert first.speaker == "Kyev Tatum"
    # the names in the first quote's attribution are Tatum's own description, not a new speaker
    assert second.speaker == "Kyev Tatum" and second.sieve == "continuation"


# --- 7. what no he or she can be ------------------------------------------------------------------------


def test_a_quoted_show_title_is_no_one_a_pronoun_points_to() -> None:
    text = ("Tomas Pellham spoke on Monday.\n\n"
            "“It is not sexist. It is true,” Pellham said on the channel's “Good Morning Dunmore.”\n\n"
            "“I haven’t quite recovered from her shouting that message,” he said on the radio.")
    *_, q = quotes(text)
    assert "Good Morning" not in (q.speaker or "") + (q.guess or "")
    assert (q.speaker or q.guess) == "Tomas Pellham"


def test_capitalised_common_words_are_no_one_a_pronoun_points_to() -> None:
    text = ("Ines Valdre, the mayor, spoke at the school.\n\n"
            "“No council is ever going to get it perfect,” Valdre said when asked about the Dunmore Standards, "
            "which were developed under the old council. The standards are long.\n\n"
            "“We keep reassessing them every year,” she said.")
    *_, q = quotes(text)
    assert (q.speaker or q.guess) == "Ines Valdre"


def test_a_nationality_after_a_first_word_is_no_person() -> None:
    text = ("Rob Calder, a radio host, spoke on Monday.\n\n"
            "He wrote a post, Hi Americans, on his website.\n\n"
            "“I wish everyone in Dunmore could read this,” he said.")
    *_, q = quotes(text)
    assert (q.speaker or q.guess) == "Rob Calder"


def test_a_surname_that_is_a_nationality_stays_a_person() -> None:
    text = ("Mark Cuban spoke to the students.\n\n"
            "“There are so many variables that I don’t know about,” he said.")
    [q] = quotes(text)
    assert (q.speaker or q.guess) == "Mark Cuban"


# --- 8. the one person of the pronoun's gender in view ----------------------------------------------------


def test_she_is_the_one_woman_in_view() -> None:
    text = ("Tomas Pellham, a union leader, and Ines Valdre, the mayor, met on Monday.\n\n"
            "“It will bring jobs to the harbour,” she said.")
    [q] = quotes(text)
    assert q.speaker == "Ines Valdre" and q.confident


def test_she_is_no_one_sure_when_an_unnamed_woman_is_the_subject_before() -> None:
    text = ("Ines Valdre, the mayor, has condemned the attacks.\n\n"
            "A Dunmore woman, meanwhile, received probation in July after she had posted comments online. "
            "“Out!” she wrote, arguing that without tougher rules “more homes will burn in this town.”")
    q = [q for q in quotes(text) if q.text.startswith("more homes")][0]
    assert q.speaker is None


def test_he_is_no_one_sure_when_two_men_are_in_view() -> None:
    text = ("Tomas Pellham and Arlo Penn, both union leaders, met on Monday.\n\n"
            "“It will cost us our jobs at the docks,” he said.")
    [q] = quotes(text)
    assert q.speaker is None


def test_a_titled_surname_takes_the_gender_of_the_pronoun_after_it() -> None:
    reg = build_registry("President Okafor said he would sign the bill. Senator Ruiz agreed.")
    assert reg.genders.get("Okafor") == "m"


def test_page_furniture_run_into_a_name_is_no_person() -> None:
    from campaign.highlights.lexicon import not_a_person
    assert not_a_person("FlagShareLikeReplyMari") and not_a_person("PMTed")
    assert not any(not_a_person(n) for n in ("John McConnell", "Danny DeVito", "Ella FitzGerald", "LeBron James"))


# --- 9. Arabic names with particles -------------------------------------------------------------------------


def test_arabic_names_with_a_hyphenated_particle() -> None:
    text = ("Rashid al-Hamdani, the group's leader, spoke in a video.\n\n"
            "“The West will turn against its own citizens,” al-Hamdani said.\n\n"
            "“We will not give in to the demands of the militia,” Al-Hamdani said in the recording.")
    first, second = quotes(text)
    assert first.speaker == second.speaker == "Rashid al-Hamdani"


def test_a_pronoun_after_a_bare_surname_with_a_capitalised_particle() -> None:
    text = ("The video shows the cleric Anwar al-Dabbagh lecturing.\n\n"
            "Footage of Al-Dabbagh again appears. “The West will eventually turn against its citizens,” he says.")
    [q] = quotes(text)
    assert (q.speaker or q.guess) == "Anwar al-Dabbagh"


def test_a_long_arabic_name_joined_by_bin_is_one_name() -> None:
    text = ("Sheikh Tamim bin Hamad Al Thani opened the school.\n\n"
            "“We will keep the schools open for every child,” Al Thani said.")
    [q] = quotes(text)
    assert q.speaker == "Tamim bin Hamad Al Thani"


def test_a_headline_with_a_particle_name_is_no_longer_name() -> None:
    reg = build_registry("Dunmore’s Marine Le Pen Backs Valdre And Denounces Pellham.\n\nMarine Le Pen spoke.")
    assert "Marine Le Pen" in reg.names and not any("Backs" in n for n in reg.names)


# --- 10. headlines, page furniture, unnamed people and one-word names ------------------------------------


@pytest.mark.parametrize(("run", "titles", "name"), [
    ("Harbour Widow Ines Valdre Defends Pellham", ["Harbour", "Widow"], ["Ines", "Valdre"]),
    ("Former Valdre Pollster Says Valdre", ["Former", "Valdre", "Pollster"], []),
    ("Conservative Icon Morton Blackwell", ["Conservative"], ["Morton", "Blackwell"]),
])
def test_a_headline_name_stops_at_the_headlines_verb(run: str, titles: list[str], name: list[str]) -> None:
    assert split_name(run.split()) == (titles, name)


def test_a_timestamp_run_into_a_name_is_cut_off() -> None:
    reg = build_registry("9:35 PMTomas Pellham said the vote was over.")
    assert reg.names == ["Tomas Pellham"]


def test_a_one_word_name_with_an_age_and_a_role_is_a_person() -> None:
    text = ("Nasrin, 24, a former teacher in Herat, now runs a hidden school. “We teach in secret, in basements,” "
            "she said.")
    [q] = quotes(text)
    assert q.speaker == "Nasrin"


def test_a_surname_with_an_age_when_the_full_name_is_given_stays_the_full_name() -> None:
    text = ("Chelsea Okafor opened the school.\n\nOkafor, 35, the daughter of the former mayor, spoke first. "
            "“Next summer, the school is going to be a home for everyone,” Okafor said.")
    [q] = quotes(text)
    assert q.speaker == "Chelsea Okafor"


# --- 11. outlets and acronyms speaking in their own words -------------------------------------------------


def test_a_news_outlet_reporting_in_its_own_words_is_sure() -> None:
    text = INTRO + "“The emails released Monday were largely sent in 2012 and 2013,” Dunmore News reported."
    [q] = quotes(text)
    assert q.speaker == "Dunmore News" and q.confident


def test_an_acronym_organisation_is_sure() -> None:
    text = INTRO + "“We are very disappointed the mayor has decided to drop out,” the DHU said in a statement."
    [q] = quotes(text)
    assert q.speaker == "DHU" and q.confident


def test_a_country_as_a_speaker_stays_a_guess() -> None:
    text = INTRO + "“We will not accept the harbour deal,” the United States said on Monday."
    [q] = quotes(text)
    assert q.speaker is None and q.guess == "United States"


def test_according_to_in_the_next_sentence_is_that_sentences_own() -> None:
    text = INTRO + ("“I have never been influenced in a vote by anyone who paid me,” Valdre said. “We will "
                    "release every speech.” Her victory was built on women voters, according to Dunmore News polls.")
    assert [q.speaker for q in quotes(text)] == ["Ines Valdre", "Ines Valdre"]


def test_a_middle_initial_names_the_same_person() -> None:
    text = ("Speaker Paul Reston met the press.\n\n"
            "Just look at House Speaker Paul D. Reston. In 2010, he warned the Fed against buying bonds, because "
            "he thought it “risks higher inflation and a weaker currency for years.”")
    [q] = quotes(text)
    assert (q.speaker or q.guess) == "Paul Reston"


# --- 12. groups, joint speakers, signatures, "what X called" ------------------------------------------------


def test_a_typed_generic_organisation_never_named_is_no_speaker() -> None:
    text = INTRO + "“We want no part in the listing on our website,” the company said in a statement."
    [q] = quotes(text)
    # "Company" is no name to put on a card
    assert q.speaker is None and q.guess is None


def test_someone_else_cutting_in_ends_the_continuation() -> None:
    text = INTRO + ("“Tell her I promised you a picture,” Valdre said, and her husband cut in. “Don’t forget her "
                    "husband Tom, I have been friends with her since school.”")
    first, second = quotes(text)
    assert first.speaker == "Ines Valdre" and second.speaker != "Ines Valdre"


def test_said_and_then_added_keeps_the_speaker() -> None:
    text = INTRO + "“We will keep the port open for every ship,” Valdre said, and then added: “No one will lose a job.”"
    assert [q.speaker for q in quotes(text)] == ["Ines Valdre", "Ines Valdre"]


# --- 13. words that are not the subject's ---------------------------------------------------------------------


@pytest.mark.parametrize(("frame", "guess"), [
    ("Valdre read a letter from a dock worker: “My children have not eaten meat in a month, and the winter is long.”",
     "a dock worker"),
    ("Pellham denied calling the mayor “a puppet of the shipping companies in Dunmore.”", None),
    ("Pellham held up a banner that said “Save our harbour, save our jobs, save our town.”", None),
])
def test_words_the_subject_reads_denies_or_carries_are_not_theirs(frame: str, guess: str | None) -> None:
    [q] = quotes(INTRO + frame)
    assert q.speaker is None and q.guess == guess


def test_a_document_whose_noun_is_also_a_verb() -> None:
    text = INTRO + "“Even the mayor’s computer had been hacked by a foreign government,” the council report said."
    [q] = quotes(text)
    # "report" is a noun here, not the verb: the report speaks, as a guess (whose report?)
    assert q.speaker is None and q.guess == "the council report"


# --- 14. French -------------------------------------------------------------------------------------------------

_FR = "Marie Dupont, la maire de Rennes, et Paul Martin, le secrétaire du syndicat, se sont rencontrés lundi.\n\n"


def test_a_french_quote_split_by_its_incise_with_the_comma_outside() -> None:
    from campaign.article import text_article
    from campaign.highlights.quotes import find_quotes
    text = _FR + "« Le port restera ouvert », a-t-elle ajouté, « et aucun emploi ne sera perdu. »"
    [q] = find_quotes(text_article(text, language="fr"))
    assert q.speaker == "Marie Dupont" and q.text.endswith("perdu.")


def test_a_french_description_pointing_back_is_a_guess() -> None:
    from campaign.article import text_article
    from campaign.highlights.quotes import find_quotes
    text = _FR + "« Le port restera ouvert à tous les navires », estime l'élue."
    [q] = find_quotes(text_article(text, language="fr"))
    assert q.speaker is None and q.guess == "Marie Dupont"


def test_a_bare_surname_that_speaks_is_a_person() -> None:
    reg = build_registry("The port opened. Okonjo said he would stay, and later Okonjo said more. Washington said "
                         "it would wait. Officials said so. Democrats said no.")
    assert reg.names == ["Okonjo"] and reg.genders.get("Okonjo") == "m"


def test_a_one_word_name_with_an_age_after_a_full_stop() -> None:
    reg = build_registry("The school opened in March. Nasrin, 24, a former teacher in Herat, runs it.")
    assert "Nasrin" in reg.names


# --- 15. he/she after a sentence that reports someone's speech -------------------------------------------------


def test_he_said_after_an_inverted_attribution_is_that_speaker() -> None:
    text = INTRO + ("Federal mandates are a burden that distract from teaching, said Daniel Penn, a Dunmore Republican "
                    "who founded a transport company. “There is more time spent on compliance than on teaching our "
                    "kids,” he said.")
    [q] = quotes(text)
    assert q.speaker == "Daniel Penn" and q.confident


def test_she_said_after_x_said_that_is_x_even_with_others_named() -> None:
    text = INTRO + ("Lena Oduya, Valdre's chief of staff, said that the mayor was not contradicting herself. "
                    "“That will benefit not only the mayor, but all the races,” she said.")
    [q] = quotes(text)
    assert q.speaker == "Lena Oduya" and q.confident


def test_the_reported_speaker_must_share_the_pronouns_gender() -> None:
    text = INTRO + ("Daniel Penn, the harbour master, said that the mayor had been right all along. "
                    "“That will benefit every family on the docks,” she said.")
    [q] = quotes(text)
    assert q.speaker != "Daniel Penn"


# --- one quote, one speaker: the frames above, each in a sentence of its own ----------------------------------

_FRAMES = [
    pytest.param(
        "Columnist Marten Will weighed in.\n\n“The fire in the harbour is a reminder of what is "
        "coming,” Will wrote.",
        "Marten Will", None, id="a_surname_that_is_an_auxiliary_is_a_name_when_capitalised"),
    pytest.param(
        "“The harbour will stay open for years,” Pellham would later say.",
        "Tomas Pellham", None, id="a_lowercase_auxiliary_before_the_verb_is_still_dropped"),
    pytest.param(
        "“What ships is she talking about? Which berths?” pressed Pellham.",
        "Tomas Pellham", "after", id="an_inverted_verb_the_lexicon_lacks_with_a_known_name"),
    pytest.param(
        "Valdre spoke just down the street from the Harbour Hotel — now owned by investor Carl Ostby "
        "— where about 50 protesters had gathered on Wednesday morning, chanting “no contract, no "
        "peace, no more talks” after the union failed to reach a deal.",
        "about 50 protesters", None, id="a_participle_after_a_clause_with_its_own_subject_goes_with_that_subject"),
    pytest.param(
        "“Pellham is on indefinite leave from the station,” a KD4 representative said in a statement.",
        "a KD4 representative", None, id="an_unnamed_speaker_described_with_a_number"),
    pytest.param(
        "“Workers are worried about the future of their kids, and yet the new income goes to the "
        "top.” - Tomas Pellham. The union leader is relying on an outdated figure.",
        "Tomas Pellham", "dash", id="a_dash_and_a_name_then_the_article_goes_on"),
    pytest.param(
        "Valdre was asked by Pellham, who has opposed the plan, “Now, you said you were tired of "
        "hearing about the berths?”",
        "Tomas Pellham", None, id="a_question_asked_by_someone_is_the_askers"),
    pytest.param(
        "Pellham’s response was swift: “We will strike if the council votes for it.”",
        "Tomas Pellham", None, id="a_persons_response_was_then_a_colon"),
    pytest.param(
        "A teacher in Herat, who asked not to be named for her safety, said: “We teach in secret, in "
        "basements.”",
        "a teacher in Herat", None, id="an_unnamed_person_in_a_place_is_credited_as_described_not_as_the_place"),
    pytest.param(
        "Another harbour source speaking to Dunmore News said, “The inspectors are looking at every "
        "contract the council signed.”",
        "another harbour source", None, id="someone_speaking_to_an_outlet_is_not_the_outlet"),
    pytest.param(
        "In June, Pellham emailed her, telling her, “you are an all-star player and we need you for "
        "the long run!” She replied to him that it was an honour to serve.",
        "Tomas Pellham", None, id="a_capital_pronoun_after_an_exclamation_starts_a_new_sentence"),
    pytest.param(
        "The Dunmore Harbour Foundation did not want to address the mayor. “This season, we are "
        "focused on furthering that mission,” the group said.",
        "Dunmore Harbour Foundation", None, id="the_group_is_the_organisation_named_before"),
    pytest.param(
        "“We can only wonder if the intent is to reopen the door,” harbour board leader Arlo Penn and"
        " port director Lena Oduya said in a statement.",
        "Arlo Penn and Lena Oduya", None, id="two_people_with_roles_speaking_together"),
    pytest.param(
        "“That is what she did in the last two races,” said former Dunmore Gov. and union chair Ed "
        "Penn.",
        "Ed Penn", None, id="two_roles_of_one_person_are_no_joint_speakers"),
    pytest.param(
        "“I will look into it. I don’t know the status, but I will certainly look into it.”\n\n- Ines "
        "Valdre.\n\nThe mayor has been looking into it a long time.",
        "Ines Valdre", "dash", id="a_signature_line_after_a_quote_paragraph"),
    pytest.param(
        "A third option would be what Pellham called a “let a thousand flowers bloom” approach to the"
        " berths.",
        "Tomas Pellham", None, id="what_someone_called_is_their_words"),
    pytest.param(
        "President FranÃ§ois Delmas condemned the “attack whose terrorist nature cannot be denied.”",
        "François Delmas", None, id="a_name_mangled_by_a_wrong_encoding_is_repaired"),
    pytest.param(
        "Another person tweeted: “Epic troll at the harbour town hall meeting tonight.”",
        "another person", None, id="another_person_is_an_unnamed_speaker"),
]


@pytest.mark.parametrize(("frame", "speaker", "sieve"), _FRAMES)
def test_a_frame_gives_its_speaker(frame: str, speaker: str, sieve: str | None) -> None:
    [q] = quotes(INTRO + frame)
    assert q.speaker == speaker
    if sieve is not None:
        assert q.sieve == sieve
