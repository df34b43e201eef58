"""A fourth set of attribution mechanisms for news written elsewhere: a quote whose sentence goes on with
a verb the lexicon lacks ("“…?” Pellham pressed.") is that name's and never a continuation of the
speaker before; words before a given name are no part of a name ("Billionaire Dominic Farrow", "But
Celia Marchetti", "Senate Minority Whip Ronald Tiller") while headlines and real three-part names stay
whole. All people and places here are fictional."""

from __future__ import annotations

import pytest

from campaign.highlights.mentions import build_registry
from campaign.highlights.speakers import Registry, parse_np, split_name
from tests.helpers import article_quotes as quotes

# --- 1. a verb the lexicon lacks, after a comma or a question ----------------------------------------


def test_a_question_then_name_and_unknown_verb_is_that_names_quote() -> None:
    text = ('Talks opened.\n\n“We will keep the harbour open,” Mayor Ines Valdre told dock workers in Port Allen.\n\n'
            '“Would it be negotiable about the eleven berths?” Tomas Pellham pressed. “Maybe for a season?”')
    first, asked, more = quotes(text)
    assert first.speaker == "Ines Valdre"
    # "pressed" is no lexicon verb, but "“…?” Name verbed." is an attribution of its own
    assert asked.speaker == "Tomas Pellham" and asked.sieve == "after"
    assert more.speaker == "Tomas Pellham"


def test_a_quote_with_its_own_frame_is_no_continuation_of_the_last_speaker() -> None:
    text = ('“We will keep the harbour open,” Ines Valdre told dock workers.\n\n'
            '“Would it be negotiable?” the crowd wondered aloud at the gates of the yard.')
    first, second = quotes(text)
    assert first.speaker == "Ines Valdre"
    # the second quote's sentence goes on after it: it is not Valdre's by continuation
    assert second.speaker != "Ines Valdre" and second.sieve != "continuation"


def test_a_closed_quote_then_a_new_sentence_is_no_attribution() -> None:
    text = 'Ines Valdre spoke first.\n\n“The harbour stays open.” Tomas Pellham arrived later.'
    [q] = quotes(text)
    # a full stop closes the quote: "Tomas Pellham arrived" starts a sentence of its own
    assert q.speaker != "Tomas Pellham" and q.guess != "Tomas Pellham"


@pytest.mark.parametrize("verb", ["called", "named", "used"])
def test_verbs_that_take_the_quote_as_object_are_no_attribution(verb: str) -> None:
    text = f'Ines Valdre spoke.\n\n“A harbour for everyone,” Tomas Pellham {verb}.'
    [q] = quotes(text)
    assert q.speaker != "Tomas Pellham" or q.sieve != "after"


# --- 2. words before a given name --------------------------------------------------------------------


@pytest.mark.parametrize(("run", "titles", "name"), [
    ("Billionaire Dominic Farrow", [], ["Dominic", "Farrow"]),
    ("But Celia Marchetti", [], ["Celia", "Marchetti"]),
    ("Senate Minority Whip Ronald Tiller", ["Senate", "Minority", "Whip"], ["Ronald", "Tiller"]),
    ("Harlan County Sheriff Joe Brantly", ["Harlan", "County", "Sheriff"], ["Joe", "Brantly"]),
    ("Alderman William D. Osgood", ["Alderman"], ["William", "D.", "Osgood"]),
    ("Democrats Helen Ashdown", [], ["Helen", "Ashdown"]),
])
def test_words_before_a_given_name_are_no_part_of_the_name(run: str, titles: list[str], name: list[str]) -> None:
    assert split_name(run.split()) == (titles, name)


@pytest.mark.parametrize("run", [
    "Mary Kay Ashdown", "Hillary Rodham Farrow", "Ruth Bader Tiller", "Recep Tayyip Orhanli",
    "Just Gave Helen Some Of",  # a headline: the words after the given name are no name
])
def test_names_and_headlines_are_not_cut(run: str) -> None:
    titles, name = split_name(run.split())
    assert titles == [] and name == run.split()


@pytest.mark.parametrize(("run", "name"), [
    ("Francois Delmas Says Donald Farrow", ["Francois", "Delmas"]),  # a headline: the name before its verb
    ("Benghazi Widow Dorothy Osgood Defends Farrow", ["Dorothy", "Osgood"]),
])
def test_a_headline_never_yields_the_name_after_its_verb(run: str, name: list[str]) -> None:
    assert split_name(run.split())[1] == name


def test_a_headline_lead_gives_a_clean_speaker_name_and_role() -> None:
    text = ('Senate Minority Whip Ronald Tiller spoke on Monday.\n\n'
            '“I don’t know what it’s going to take,” Senate Minority Whip Ronald Tiller said.')
    [q] = quotes(text)
    assert q.speaker == "Ronald Tiller" and q.role == "Senate Minority Whip"
    sp = parse_np("Billionaire Dominic Farrow", Registry())
    # a word that describes is dropped, not kept as a role on a card
    assert sp is not None and sp.name == "Dominic Farrow" and sp.role is None


def test_a_sentence_opening_conjunction_never_enters_the_registry() -> None:
    reg = build_registry('But Celia Marchetti disagreed.\n\nLater, Celia Marchetti left.')
    assert reg.names == ["Celia Marchetti"]


# --- 3. subjects that are no speakers ----------------------------------------------------------------


def test_a_sentence_opening_adverb_is_no_speaker_and_a_campaign_is_not_its_candidate() -> None:
    text = ('Dana Whitcomb held a call.\n\n'
            'Shortly after Whitcomb’s conference call ended, Farrow’s campaign sent out a release saying '
            'Whitcomb owes “the state an explanation for voting against the levee funds.”')
    [q] = quotes(text)
    # the sentence's subject is the campaign after the adverbial clause, not "Shortly", nor Farrow himself
    assert q.speaker == "Farrow’s campaign" and q.speaker_kind == "org"


def test_a_name_set_off_by_a_dash_labels_the_quote() -> None:
    text = 'Pollsters agree - Carla Beaumont: “Keep on contacting voters as late as you possibly can.”'
    [q] = quotes(text)
    assert q.speaker == "Carla Beaumont" and q.sieve == "before"


def test_with_a_name_and_a_participle_the_name_is_the_speaker() -> None:
    text = ('At a rally in Dunmore, Vermont, on Saturday, some of his supporters pushed a protester, '
            'with Farrow reportedly yelling: “Get him out of here right now!”')
    [q] = quotes(text)
    # not the place the sentence opens with
    assert q.speaker == "Farrow"


def test_leaders_of_an_organisation_are_not_the_organisation() -> None:
    text = ('Leaders of the organization have said they invite every candidate to ensure that '
            '"our community builds a working relationship with whoever wins."')
    [q] = quotes(text)
    assert q.speaker is None


def test_goes_on_is_speech_only_before_a_comma_a_colon_or_an_infinitive() -> None:
    text = ('Helen Ashdown declined to plan for Senate and House races. By contrast, Sen. Ronald Tiller said '
            'that once the Senate goes on recess, “I intend to do as much as I can, wherever I can help.”')
    [q] = quotes(text)
    assert q.speaker == "Ronald Tiller"
    went = quotes('Ines Valdre opened the meeting.\n\nShe went on to thank the crews: “Without them the port '
                  'would still be shut.”')
    assert [x.speaker for x in went] == ["Ines Valdre"]


def test_the_role_holder_must_be_named_by_the_end_of_the_paragraph() -> None:
    text = ('Sen. Ronald Tiller spoke first.\n\n'
            '“That would be me, yes. I think that is probably right,” the senator said.\n\n'
            'Later on the same show, Sen. Claire Ashdown, who backs the governor, spoke too.')
    [q] = quotes(text)
    # Tiller is the only senator named so far; Ashdown, named in a later paragraph, is not a candidate
    assert (q.speaker or q.guess) == "Ronald Tiller"
    late = quotes('“That would be me, yes. I think that is probably right,” the senator said.\n\n'
                  'Later on the same show, Sen. Claire Ashdown spoke too.')
    assert late[0].speaker != "Claire Ashdown" and late[0].guess != "Claire Ashdown"


def test_a_former_holder_is_not_the_role_in_the_present() -> None:
    text = ('Former Governor Ruth Halvers endorsed him. Governor Tom Kettering defended the choice.\n\n'
            '“I have known him for fourteen years,” the governor said.')
    [q] = quotes(text)
    assert (q.speaker or q.guess) != "Ruth Halvers"


# --- 4. a pronoun points to a person, never to a place or a body -------------------------------------


@pytest.mark.parametrize("name", ["Arizona", "New Hampshire", "Cook Political Report", "Texas Politics Project",
                                  "NARAL", "Goldman Sachs", "Ventura County Council"])
def test_places_acronyms_and_bodies_are_not_people(name: str) -> None:
    from campaign.highlights.speakers import not_a_person

    assert not_a_person(name)


@pytest.mark.parametrize("name", ["Jan Brewer", "Obama", "Georgia Kettering", "Virginia Halvers", "Raffaello Pantucci"])
def test_people_are_people_even_with_a_place_for_a_first_name(name: str) -> None:
    from campaign.highlights.speakers import not_a_person

    assert not not_a_person(name)


def test_he_is_never_the_publication_an_analyst_works_at() -> None:
    text = ('"Many would count that a defeat for Ruth Halvers" if she lost the county, said Dale Kettering, an '
            'elections analyst at the non-partisan Cook Political Report. "And yet it would seal the deal for her" '
            'because she would widen her lead, he said.')
    first, second = quotes(text)
    assert first.speaker == "Dale Kettering"
    assert "Cook Political Report" not in (second.speaker, second.guess)
    assert (second.speaker or second.guess) == "Dale Kettering"


def test_she_is_never_the_state_in_a_role() -> None:
    text = ('Former Arizona governor Jan Brewer, an early supporter, calls security "a priority" for women. '
            '"That is something I think will resonate with all women," she said in an interview.')
    found = quotes(text)
    assert all("Arizona" not in (q.speaker or "") + (q.guess or "") for q in found)
    # no one, or the governor: an uncertain pronoun stays unanswered rather than go to the state
    assert (found[-1].speaker or found[-1].guess) in (None, "Jan Brewer")


# --- 5. documents as the source of the words ---------------------------------------------------------


def test_a_document_that_names_its_owner_is_the_speaker_kept_whole() -> None:
    text = ('The paper has been critical for weeks.\n\n'
            '“There are invertebrates with more spine than the senator,” reads a Wednesday editorial in The Harlan Courier.')
    [q] = quotes(text)
    assert q.speaker == "a Wednesday editorial in The Harlan Courier" and q.speaker_kind == "document"
    assert q.confident


@pytest.mark.parametrize("frame", [
    "Tiller spoke with his counterpart {q}, according to a Pentagon readout.",
    "{q}, according to a 2013 study by economists Ada Pell and Tom Rusk.",
    "One Club for Growth ad, which is airing now, argues that {q}",
])
def test_documents_in_other_frames(frame: str) -> None:
    text = "Ronald Tiller met them.\n\n" + frame.format(q="“the alliance must respond to the test at once”")
    [q] = quotes(text)
    assert q.speaker_kind == "document" and q.speaker is not None and q.confident


def test_a_document_whose_owner_is_not_named_is_a_guess() -> None:
    text = 'The council met on Monday.\n\n“The plan is unlawful and must be withdrawn,” the statement said.'
    [q] = quotes(text)
    # whose statement? the organizer decides
    assert q.speaker is None and q.guess == "the statement"
    dated = quotes('“The assertion is speculative,” the order released Friday said.')
    assert dated[0].speaker is None and dated[0].guess == "the order released Friday"  # a day names no owner


def test_read_is_speech_only_for_a_document() -> None:
    text = ("Ines Varga keeps the letters in a drawer.\n\n"
            "She reads one aloud, from a boy who is now a pilot: “You showed me the sky was not a wall.”")
    assert [q.speaker for q in quotes(text)] == [None]
    headline = quotes('The council answered.\n\nThe Courier headline reads: “Repeat after me: the levee is not finished.”')
    assert headline[0].speaker == "the Courier headline"  # as a credit mid-sentence: "— the Courier headline"


def test_an_outlet_is_not_a_post() -> None:
    text = "“The economy is slowing faster than anyone admits,” the Washington Post reported."
    [q] = quotes(text)
    # an outlet reporting speaks in its own words; "Post" in its name is no social-media post
    assert q.speaker == "Washington Post" and q.speaker_kind == "org"


# --- 6. a quote paragraph after reported speech ------------------------------------------------------


def test_a_quote_paragraph_carries_on_the_speech_the_paragraph_before_reports() -> None:
    text = ('Defence Minister Ronald Tiller spoke in Harlan on Saturday.\n\n'
            'Tiller said that for decades critics had predicted a withdrawal from the region, but it would not happen.\n\n'
            '“That is because this region remains the most important for our own security.”')
    [q] = quotes(text)
    assert q.speaker == "Ronald Tiller" and q.sieve == "reported-before" and q.confident


@pytest.mark.parametrize("before", [
    "Tiller arrived in Harlan on Saturday with his staff.",  # no speech verb: no reported speech
    "Critics said for decades that a withdrawal would come.",  # the subject is no known person
    "Tiller said, “We stay,” and left the hall.",  # the sentence holds a quote of its own
])
def test_no_reported_speech_no_carrying_on(before: str) -> None:
    text = ('Defence Minister Ronald Tiller spoke on Saturday.\n\n' + before + '\n\n'
            '“That is because this region remains the most important for our own security.”')
    last = quotes(text)[-1]
    assert last.sieve != "reported-before"


def test_elaborated_is_a_speech_verb() -> None:
    text = 'Ines Valdre spoke.\n\n“The way I see it,” she elaborated, “no one ever questioned his service.”'
    [q] = quotes(text)
    # the split quote is rejoined around its attribution
    assert q.speaker == "Ines Valdre" and q.sieve == "inside+pronoun"


# --- 7. replies, relative clauses and participles ----------------------------------------------------


def test_a_reply_leading_into_the_next_quote_is_not_the_first_quotes_speaker() -> None:
    text = ('Ruth Halvers wrote to her aide Dana Whitcomb in April.\n\n'
            'Halvers responds to Whitcomb with, “Why now? That was on my way to Harlan?” Whitcomb then writes '
            'back, “You look cute.”')
    first = quotes(text)[0]
    assert first.speaker == "Ruth Halvers"


def test_a_relative_clause_inside_a_relative_clause_is_no_reply_marker() -> None:
    text = ('Ammon Reyes marched with the group.\n\n'
            '"Let everybody know that they are to go to the refuge right away," Reyes says to Tomas Pellham on '
            'camera, who responds enthusiastically: "Okay!"')
    assert quotes(text)[0].speaker == "Ammon Reyes"


def test_a_verb_in_a_relative_clause_attributes_nothing() -> None:
    text = ('Ronald Tiller was asked by moderator Dale Kettering whether his plan, which the Harlan Institute '
            'estimates would cost billions a year, would risk “adding another expensive program to the budget.”')
    [q] = quotes(text)
    assert q.speaker != "Harlan Institute"


def test_the_object_of_a_participle_is_not_the_subject() -> None:
    text = ('“That was the comical relief that sort of solidified it,” Ada Madison said. The country embracing '
            'Ruth Halvers announced “a different era, that is the best way to put it.”')
    second = quotes(text)[1]
    assert second.speaker != "Ruth Halvers"


# --- 8. given names from beyond the English-speaking world ----------------------------------------


@pytest.mark.parametrize(("name", "gender"), [
    ("Zahra Karimi", "f"), ("Olena Kovalenko", "f"), ("Ngozi Okafor", "f"), ("Malalai Wardak", "f"),
    ("Nils Aberg", "m"), ("Hossein Tavakoli", "m"), ("Kwame Mensah", "m"), ("Volodymyr Shevchuk", "m"),
])
def test_given_names_read_one_way_give_a_gender(name: str, gender: str) -> None:
    from campaign.highlights.speakers import given_name_gender

    assert given_name_gender(name) == gender


def test_she_goes_to_the_woman_by_her_given_name() -> None:
    text = ('Zahra Karimi and Hossein Tavakoli met the press in Herat on Monday.\n\n'
            '“We will reopen the girls’ schools this month, whatever they decide,” she said.')
    [q] = quotes(text)
    assert (q.speaker or q.guess) == "Zahra Karimi"


# --- 9. an apostrophe written as an opening single mark ----------------------------------------------


@pytest.mark.parametrize("elision", ["‘em", "rock ‘n’ roll", "‘til"])
def test_an_elision_mark_inside_a_quote_does_not_swallow_it(elision: str) -> None:
    text = (f"“I don’t think any senator would say no if I asked, {elision} and all. Every senator has been "
            "helpful,” Rob Tiller said. “I just don’t think endorsements matter that much.”")
    found = quotes(text)
    assert len(found) == 2 and found[0].text.startswith("I don’t think any senator")
    assert [q.speaker for q in found] == ["Rob Tiller", "Rob Tiller"]


def test_a_real_inner_quote_still_nests() -> None:
    [q] = quotes("“He told us ‘we will win’ and then he left the hall,” Ines Valdre said.")
    assert q.text.startswith("He told us ‘we will win’") and q.speaker == "Ines Valdre"


# --- 10. frames that plain news uses -----------------------------------------------------------------


def test_a_quote_after_a_single_dash_keeps_its_attribution() -> None:
    text = ('Anita Dorne, a strategist, spoke.\n\n'
            'Democrats are alleging meddling — “why wouldn’t you want to raise the possibility?” asked Dorne, '
            'now a partner at a communications firm.')
    [q] = quotes(text)
    assert q.speaker == "Anita Dorne"


def test_a_hyphenated_role_after_an_outlet() -> None:
    [q] = quotes("“But that was the first time in a long time, senator,” Harlan This Morning co-Anchor Dale Kettering said.")
    assert q.speaker == "Dale Kettering"


def test_abu_opens_a_name() -> None:
    text = 'Osman Abu Laban spoke at the mosque.\n\n“Have mercy on them and forgive them,” Abu Laban wrote.'
    [q] = quotes(text)
    assert q.speaker == "Osman Abu Laban"


def test_a_possessive_description_before_the_name() -> None:
    text = ('Then came the most obvious change of all: “Look at the women on this stage tonight!” exhorted '
            'Halvers’s introducer, actress Dana Whitcomb.')
    [q] = quotes(text)
    assert q.speaker == "Dana Whitcomb"


def test_but_added_goes_to_the_subject_after_a_participle_opener() -> None:
    text = ('Zahra Karimi won the seat.\n\n'
            'Appearing before supporters on Monday, Karimi, 70, said it was too early to congratulate winners but '
            'added, “I think you all have an idea of the results.”')
    [q] = quotes(text)
    assert q.speaker == "Zahra Karimi"


@pytest.mark.parametrize("given", ["Jamie", "Dana", "Leslie", "Terry", "Tracy", "Jackie", "Lee"])
def test_given_names_read_both_ways_give_no_gender(given: str) -> None:
    from campaign.highlights.speakers import given_name_gender

    assert given_name_gender(f"{given} Kettering") == ""


# --- 11. groups, adverbs and a participle sentence ---------------------------------------------------


@pytest.mark.parametrize(("lead", "speaker"), [
    ("One man wrote,", "one man"),
    ("A woman in the crowd shouted,", "a woman in the crowd"),
])
def test_unnamed_people_are_credited_as_described(lead: str, speaker: str) -> None:
    [q] = quotes(f"{lead} “We want our jobs back, and we want them right now!”")
    assert q.speaker == speaker


def test_man_inside_woman_is_no_mention() -> None:
    text = ('One man wrote, “This is the worst campaign I have seen in my whole life.”\n\n'
            'A woman spoke next and said nothing for a while. “We want our jobs back, every one of them.”')
    second = quotes(text)[1]
    assert second.guess != "one man" and second.speaker != "one man"


def test_a_bare_then_is_an_adverb_not_a_joined_clause() -> None:
    [q] = quotes("Dale Kettering then accused the audience of consisting of “donors and special interests only.”")
    assert q.speaker == "Dale Kettering"


def test_adding_alone_carries_on_the_speaker_of_the_sentence_before() -> None:
    text = ('Dale Kettering spoke on his show.\n\n'
            'Later in the show, Kettering stated that the report “wasn’t good.” Adding, “It is not the crime, '
            'it is always how they handle it.”')
    last = quotes(text)[-1]
    assert last.speaker == "Dale Kettering"


def test_a_quote_running_through_its_attribution_into_the_next_shares_the_speaker() -> None:
    text = ('Ruth Halvers spoke on Monday.\n\n'
            '“If there had not been that intervention” by the United States and its partners, Halvers said at '
            'a town hall on Monday, “we would be looking at something far worse.”')
    first, second = quotes(text)
    assert second.speaker == "Ruth Halvers"
    assert first.speaker == "Ruth Halvers" and first.sieve == "split"


def test_a_closed_sentence_between_two_quotes_shares_nothing() -> None:
    text = ('Ruth Halvers spoke on Monday.\n\n'
            '“The port will stay open for every ship that needs it.” It was late. Halvers said, “We are done here.”')
    first = quotes(text)[0]
    assert first.sieve != "split"


def test_a_participle_after_an_earlier_partial_quote_goes_to_the_subject() -> None:
    text = ('Dale Kettering spoke.\n\n'
            'Kettering did not want to address “that person,” telling reporters that he is focused on '
            '“keeping the memory of the victims alive for all of us.”')
    last = quotes(text)[-1]
    assert last.speaker == "Dale Kettering"


# --- 12. a person's spokesman, "As X put it" -------------------------------------------------------


def test_a_persons_spokesman_speaks_for_them_surely() -> None:
    text = ('Maria Lopez, the mayor of Dunmore, met the unions on Monday.\n\n'
            'Lopez’s spokesman said “we will keep the harbour open for every ship that needs it.”')
    [q] = quotes(text)
    assert q.speaker == "Maria Lopez’s spokesman" and q.confident


def test_as_x_put_it() -> None:
    text = ('Maria Lopez, the mayor of Dunmore, met the unions on Monday.\n\n'
            'As Lopez put it, “we will keep the harbour open for every ship that needs it.”')
    [q] = quotes(text)
    assert q.speaker == "Maria Lopez"


def test_a_possessive_thought_is_no_speaker() -> None:
    text = ('“I think he will certainly try to be friendlier with the others,” said another source familiar '
            'with Cruz’s thinking.')
    [q] = quotes(text)
    assert q.speaker == "another source familiar with Cruz’s thinking"


@pytest.mark.parametrize(("lead", "speaker"), [
    ("A spokesman for the union said", "a spokesman for the union"),
    ("Dock workers chanted", "Dock workers"),
])
def test_unnamed_spokespeople_and_bare_groups(lead: str, speaker: str) -> None:
    [q] = quotes(f"{lead} “the strike will go on until the contract is signed by the port.”")
    assert q.speaker == speaker and q.speaker_kind == "group"


# --- 13. someone else's words, relayed or disowned ---------------------------------------------------

_MEETING = "Maria Lopez, the mayor of Dunmore, and Tom Reyes, a union leader, met on Monday.\n\n"
_PORT = "“We will keep the harbour open for every ship that needs it”"


@pytest.mark.parametrize(("frame", "whose"), [
    ("Reyes recalled Lopez telling him {q}.", "Maria Lopez"),
    ("Reyes accused Lopez of saying {q}.", "Maria Lopez"),
    ("Reyes mocked Lopez’s promise that {q}.", "Maria Lopez"),
    ("Reyes read Lopez’s letter aloud: {q}.", "Maria Lopez"),
    ("In his speech, Reyes quoted Lopez: {q}.", "Maria Lopez"),
    ("Reyes, quoting Lopez, said {q}.", "Maria Lopez"),
    ("Reyes said the mayor’s words, {q}, were empty.", "Maria Lopez"),
    ("Lopez rejected Reyes’s charge that {q}.", "Tom Reyes"),
    ("Lopez said Reyes was wrong to claim {q}.", "Tom Reyes"),
])
def test_relayed_words_are_a_guess_for_their_owner_never_the_relayer(frame: str, whose: str) -> None:
    [q] = quotes(_MEETING + frame.format(q=_PORT))
    # the words are someone else's: the organizer confirms before they go out under that name
    assert q.speaker is None and q.guess == whose and q.sieve == "relayed"


@pytest.mark.parametrize("frame", ["Lopez denied saying {q}.", "Asked whether {q}, Lopez said no.",
                                   "Lopez denied ever having said {q}."])
def test_disowned_words_get_no_speaker(frame: str) -> None:
    [q] = quotes(_MEETING + frame.format(q=_PORT))
    assert q.speaker is None and q.guess is None


@pytest.mark.parametrize(("frame", "speaker"), [
    ("House Speaker Tom Reyes told reporters that Lopez’s comments {q}.", "Tom Reyes"),  # a predicate, not relayed
    ("{q}, Lopez told The Dunmore Courier.", "Maria Lopez"),
    ("Reyes told Lopez: {q}.", "Tom Reyes"),
])
def test_own_words_stay_their_speakers(frame: str, speaker: str) -> None:
    [q] = quotes(_MEETING + frame.format(q=_PORT))
    assert q.speaker == speaker


# --- 14. a person's gender is not read off someone else's pronoun -----------------------------------


def test_an_object_her_after_a_name_gives_it_no_gender() -> None:
    reg = build_registry("Maria Lopez spoke on Monday.\n\nTom Reyes disagreed with her.\n\nBen Kasper thanked him.")
    # "her" and "him" here are the objects of the verbs: other people
    assert reg.genders.get("Tom Reyes") == "m" and reg.genders.get("Maria Lopez") == "f"
    assert reg.genders.get("Ben Kasper") == "m"


def test_a_possessive_her_after_a_name_gives_it_a_gender() -> None:
    reg = build_registry("Jordan Pell and her husband came to the hearing on Monday.")
    assert reg.genders.get("Jordan Pell") == "f"


def test_she_never_goes_to_a_man_named_before_with_her_after_him() -> None:
    text = ('Maria Lopez spoke on Monday.\n\nTom Reyes disagreed with her.\n\n'
            '“We will keep the harbour open for every ship that needs it,” she said.')
    [q] = quotes(text)
    assert q.speaker != "Tom Reyes" and q.guess != "Tom Reyes"


@pytest.mark.parametrize(("after", "speaker"), [
    ("Reyes was told by Lopez.", "Maria Lopez"),
    ("Reyes was told.", None),
])
def test_the_one_told_is_not_the_speaker(after: str, speaker: str | None) -> None:
    [q] = quotes(_MEETING + "“We will keep the harbour open for every ship that needs it,” " + after)
    assert q.speaker == speaker and q.guess in (None, speaker)


# --- 15. the frames of human-rights reporting --------------------------------------------------------

_UN = ("Agnès Callamard of Amnesty International and Richard Bennett, the UN Special Rapporteur on Afghanistan, "
       "spoke.\n\n")
_FREE = "“The authorities must release every detained journalist without delay”"


@pytest.mark.parametrize(("frame", "speaker"), [
    ("The UN Special Rapporteur on Afghanistan, Richard Bennett, said {q}.", "Richard Bennett"),
    ("{q}, the UN Special Rapporteur said.", "Richard Bennett"),
    ("{q}, said Agnès Callamard, Secretary General of Amnesty International.", "Agnès Callamard"),
    ("{q}, the Ministry of Foreign Affairs said in a statement.", "Ministry of Foreign Affairs"),
    ("{q}, according to a report by the UN Assistance Mission in Afghanistan.",
     "a report by the UN Assistance Mission in Afghanistan"),
])
def test_human_rights_reporting_frames(frame: str, speaker: str) -> None:
    [q] = quotes(_UN + frame.format(q=_FREE))
    assert q.speaker == speaker


def test_a_person_of_an_organisation_is_a_person() -> None:
    reg = build_registry(_UN)
    assert "Agnès Callamard" in reg.names and not any("Callamard" in o for o in reg.orgs)


def test_a_role_is_no_name() -> None:
    reg = build_registry(_UN)
    assert "Special Rapporteur" not in reg.names
    assert reg.roles.get("Richard Bennett") == "UN Special Rapporteur on Afghanistan"


def test_a_spokesman_of_an_unlisted_group_names_the_group_as_a_guess() -> None:
    [q] = quotes(_UN + _FREE + ", a Taliban spokesman said.")
    assert q.speaker is None and q.guess == "Taliban"


def test_a_possessive_owner_is_no_part_of_the_name() -> None:
    assert split_name("Colorado’s Kendal Unruh".split()) == ([], ["Kendal", "Unruh"])


@pytest.mark.parametrize("frame", [
    "Lopez, speaking on CNN’s “State of the Union,” said {q}.",
    "On CNN’s “State of the Union,” Lopez said {q}.",
])
def test_a_programme_title_in_the_attribution_is_no_quote(frame: str) -> None:
    [q] = quotes(_MEETING + frame.format(q=_PORT))
    assert q.speaker == "Maria Lopez"


def test_the_congressman_is_the_representative_named() -> None:
    text = ("Sen. Maria Lopez (D-Ore.) and Rep. Tom Reyes (R-Tex.) met on Monday.\n\n"
            "“We will keep the harbour open for every ship that needs it,” the congressman said.")
    [q] = quotes(text)
    assert q.speaker == "Tom Reyes"


@pytest.mark.parametrize(("frame", "guess"), [
    ("Lopez quoted a worker’s letter: “My children have not eaten meat in a month.”", "a worker"),
    ("Lopez recalled her father’s words: “Never cross a picket line, whatever it costs you.”", None),
])
def test_words_read_or_recalled_from_someone_unnamed_are_not_the_readers(frame: str, guess: str | None) -> None:
    [q] = quotes(_MEETING + frame)
    assert q.speaker is None and q.guess == guess


def test_the_crowd_is_credited_as_the_crowd() -> None:
    [q] = quotes(_MEETING + "The crowd chanted “No contract, no peace, no more delays” as Lopez spoke.")
    assert q.speaker == "the crowd"


# --- 16. words never said, and texts that are read ---------------------------------------------------


@pytest.mark.parametrize("frame", ["Lopez never said {q}.", "Lopez did not say {q}.", "Lopez declined to say {q}.",
                                   "If Lopez says {q}, the strike ends."])
def test_words_never_said_get_no_speaker(frame: str) -> None:
    [q] = quotes(_MEETING + frame.format(q=_PORT))
    assert q.speaker is None and q.guess is None


def test_a_text_introduced_by_read_colon_is_a_quote() -> None:
    found = quotes(_MEETING + "Lopez’s tweet read: " + _PORT + ".")
    assert len(found) == 1 and found[0].speaker == "Lopez’s tweet"
    signs = quotes(_MEETING + "Protesters held signs reading “No contract, no peace” outside.")
    assert signs == []  # a sign's short words stay a title, not a quote


def test_a_letter_from_someone_is_their_words() -> None:
    [q] = quotes(_MEETING + "Reyes received a letter from Lopez: " + _PORT + ".")
    assert q.speaker is None and q.guess == "Maria Lopez"


def test_a_disowned_quote_says_why_it_has_no_speaker() -> None:
    [q] = quotes(_MEETING + "Lopez never said " + _PORT + ".")
    assert q.speaker is None and q.sieve == "disowned" and "Lopez never said" in q.evidence


def test_words_nobody_said_are_no_highlight() -> None:
    from campaign.article import text_article
    from campaign.highlights.select import extract

    article = text_article(_MEETING + "Lopez never said " + _PORT + ". The port stays open for the winter season.")
    assert not any("harbour open" in h.text for h in extract(article))


def test_a_french_appositive_gives_a_role() -> None:
    reg = build_registry("Marie Dupont, la maire de Rennes, et Thomas Leroy, un syndicaliste, se sont rencontrés lundi.")
    assert reg.roles == {"Marie Dupont": "Maire de Rennes", "Thomas Leroy": "Syndicaliste"}


def test_a_role_phrase_before_the_name_in_commas() -> None:
    [q] = quotes(_MEETING + "The mayor of Dunmore, Maria Lopez, said " + _PORT + ".")
    assert q.speaker == "Maria Lopez"


# --- 17. bylines, asides with "by", two speakers -----------------------------------------------------


def test_a_byline_is_no_reported_speech() -> None:
    [q] = quotes(_MEETING + "Tom Reyes contributed to this report.\n\n" + _PORT + ".")
    assert q.speaker != "Tom Reyes"


def test_led_by_is_an_aside() -> None:
    [q] = quotes(_MEETING + "The union, led by Reyes, said " + _PORT + ".")
    assert q.speaker is not None and "Reyes" not in q.speaker and q.speaker.lower() == "union"


@pytest.mark.parametrize("lead", ["Lopez and Reyes said in a joint statement:", "Both Lopez and Reyes said"])
def test_two_people_speaking_together_are_credited_together(lead: str) -> None:
    [q] = quotes(_MEETING + f"{lead} " + _PORT + ".")
    assert q.speaker == "Maria Lopez and Tom Reyes"
