"""Attribution, precision first: each speaker's evidence and confidence, the mechanisms that
generalise to news nobody here wrote, and an uncertain speaker kept off posts and cards."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from campaign.article import text_article
from campaign.cli import cli
from campaign.highlights.mentions import build_registry
from campaign.highlights.quotes import find_quotes
from campaign.highlights.speakers import given_name_gender, same_person
from tests.helpers import attributed


def test_a_pronoun_with_two_candidates_is_a_guess_with_its_evidence() -> None:
    text = ("Tom Alder met Jim Becker at the depot on Friday to discuss the closure.\n\n"
            "“We will not let this depot close without a fight,” he said.")
    [q] = find_quotes(text_article(text))
    assert q.speaker is None and q.guess is not None and not q.confident
    assert "pronoun read as" in q.evidence and "he said" in q.evidence


def test_gender_from_a_given_name_resolves_she() -> None:
    text = ("Maria Lopez spoke after John Reyes left the hall.\n\n"
            "“No family should boil water before their children drink it,” she said.")
    assert attributed(text) == [("Maria Lopez", None)]


def test_he_is_the_subject_of_the_sentence_before_not_the_last_name() -> None:
    text = ("Jeb Bush trailed in the polls all week.\n\n"
            "John Kasich, unlike Jeb Bush, kept a positive tone on Saturday. "
            "“You have to unite people, not divide them,” he said.")
    [(speaker, guess)] = attributed(text)
    assert (speaker or guess) == "John Kasich"


def test_an_outlet_reporting_is_confident_and_a_country_is_not() -> None:
    # a news outlet as the subject of "reported" speaks in its own words (its report)
    text = "“The economy is slowing faster than anyone in the capital admits,” the Washington Post reported."
    assert attributed(text) == [("Washington Post", None)]
    # a country is where, not who
    text = "“The economy is slowing faster than anyone in the capital admits,” the United Kingdom said."
    [(speaker, guess)] = attributed(text)
    assert speaker is None and guess is not None and guess.endswith("Kingdom")


def test_a_named_organisation_speaks_confidently() -> None:
    text = "“We regret the error and have corrected the record,” the health ministry said in a statement."
    [(speaker, _)] = attributed(text)
    assert speaker is not None and "ministry" in speaker.lower()


def test_names_are_never_joined_across_paragraphs() -> None:
    reg = build_registry("The bill was announced in Albany.\n\nJohn Reyes, the mayor of Elmwood, attended.")
    assert "John Reyes" in reg.names and not any("Albany" in n for n in reg.names)


def test_two_forms_of_one_name_are_one_person() -> None:
    assert same_person("Ken Starr", "Kenneth Starr") and same_person("Bill Nye", "William Nye")
    assert same_person("Harry Reid", "Harry M. Reid") and not same_person("Donald Trump", "Ivanka Trump")
    text = ("Kenneth Starr, the former independent counsel, spoke on Tuesday. Ken Starr has written a book.\n\n"
            "“He was the most gifted politician of his generation,” Starr said.")
    [(speaker, _)] = attributed(text)
    assert speaker in ("Kenneth Starr", "Ken Starr")


def test_the_second_quote_after_an_attribution_sentence_keeps_the_speaker() -> None:
    text = ("“Rates will not rise before the election,” said Megan Greene, chief economist at Manulife. "
            "“The Fed wants to get out of the way before November.”")
    assert attributed(text) == [("Megan Greene", None), ("Megan Greene", None)]


def test_inverted_attribution_with_a_place_and_an_organisation_role() -> None:
    text = ("“They might have been able to prevent a disaster,” said Sen. Tom Udall of New Mexico, "
            "who supports the change.\n\n"
            "“This is among the strongest arguments we have heard,” Republican National Committee "
            "chairman Reince Priebus said.")
    assert [s for s, _ in attributed(text)] == ["Tom Udall", "Reince Priebus"]


def test_a_subject_followed_by_he_in_the_next_sentence_is_a_man() -> None:
    reg = build_registry("That father, Jordi Serra, drives a snowplough in winter. He remembers the eclipse.")
    assert reg.genders.get("Jordi Serra") == "m"
    assert given_name_gender("Hélène Rouvier") == "f" and given_name_gender("Starr") == ""


# --- what an organizer sees and what gets posted -------------------------------------------------

UNSURE = ("Tom Alder met Jim Becker at the depot on Friday to discuss the closure.\n\n"
          "“We will not let this depot close without a fight from every worker here,” he said.\n")


def _campaign(tmp_path: Path, pinned: str = "") -> Path:
    (tmp_path / "article.txt").write_text(UNSURE, encoding="utf-8")
    cfg = tmp_path / "campaign.yaml"
    cfg.write_text(
        "campaign: {name: Depot, slug: depot}\narticle: {source: article.txt}\n"
        f"highlights:\n  auto: {{count: 3, min_length: 20}}\n{pinned}"
        "posts:\n  templates: [\"“{quote}” — {speaker}\"]\n"
        "cards: {enabled: false}\n"
        "accounts:\n  main: {platform: outbox, simulate: mastodon}\n", encoding="utf-8")
    return cfg


def test_extract_marks_an_uncertain_speaker_and_shows_the_evidence(tmp_path: Path) -> None:
    cfg = _campaign(tmp_path)
    r = CliRunner().invoke(cli, ["extract", str(tmp_path / "article.txt")], catch_exceptions=False)
    assert "? " in r.output and "(pronoun)" in r.output and "uncertain speaker" in r.output
    rows = json.loads(CliRunner().invoke(cli, ["extract", str(cfg), "--json"], catch_exceptions=False).output)
    [row] = [x for x in rows if x["kind"] == "quote"]
    assert row["speaker"] and row["speaker_confident"] is False and "pronoun" in row["evidence"]


def test_an_uncertain_speaker_is_not_posted_unless_pinned(tmp_path: Path) -> None:
    from campaign.config import load
    from campaign.pipeline import build

    cfg = load(_campaign(tmp_path))
    built = build(cfg, out_dir=tmp_path / "out", cards=False, live=False)
    [draft] = [d for d in built.drafts if d.highlight_id == built.highlights[0].id]
    guess = built.highlights[0].speaker
    assert guess and guess not in draft.text and "—" not in draft.text
    assert any("uncertain" in w for w in draft.warnings)
    hid = built.highlights[0].id
    pinned = load(_campaign(tmp_path, f"  pinned: [{hid}]\n"))
    [draft] = [d for d in build(pinned, out_dir=tmp_path / "out2", cards=False, live=False).drafts
               if d.highlight_id == hid]
    assert draft.text.endswith(f"— {guess}")  # pinning is the organizer's say-so


def test_validate_names_each_uncertain_speaker(tmp_path: Path) -> None:
    cfg = _campaign(tmp_path)
    r = CliRunner().invoke(cli, ["validate", str(cfg)], catch_exceptions=False)
    assert r.exit_code == 0 and "uncertain speaker: highlight" in r.output and "pin it" in r.output
    data = json.loads(CliRunner().invoke(cli, ["validate", str(cfg), "--json"], catch_exceptions=False).output)
    [u] = data["uncertain_speakers"]
    assert u["speaker"] and "pronoun" in u["evidence"]


# --- key sentences and pull quotes -----------------------------------------------------------------


def test_key_sentences_are_never_put_in_quotation_marks() -> None:
    from campaign.posts.compose import unquoted

    assert unquoted("“{quote}” — {speaker} {link}") == "{quote} — {speaker} {link}"
    assert unquoted("« {quote} » {link}") == "{quote} {link}"
    assert unquoted("{quote}\n\n{hashtags}") == "{quote}\n\n{hashtags}"


def test_a_key_sentence_card_has_no_marks_and_names_its_source() -> None:
    from campaign.cards import render_card
    from campaign.cards.alt import alt_text

    _, alt = render_card("The council voted nine to two to keep the library open.", speaker=None,
                         source_line="From “Library saved”", quoted=False)
    assert alt.startswith("Card") and "“The council" not in alt and alt.endswith("From “Library saved”.")
    assert alt_text("We will win.", speaker="Ana").startswith("Quote card") and "“We will win.”" in alt_text(
        "We will win.", speaker="Ana")


def test_pull_quotes_never_start_with_a_lower_case_bracket() -> None:
    from campaign.highlights.select import display

    assert display("[w]e will not stop,") == "[W]e will not stop."
    assert display("[the senator] said it") == "[The senator] said it"


def test_a_strong_quote_too_long_for_one_post_becomes_a_clause_pull_quote() -> None:
    from campaign.highlights import extract

    text = ("“We will keep fighting for every family in this city, for every worker who lost a job, for every "
            "child who went to bed hungry, and for every parent who had to choose between rent and medicine "
            "this winter,” Mayor Ana Ortiz said.")
    [h] = [h for h in extract(text_article(text), min_length=40, max_length=120) if h.kind == "quote"]
    assert h.text.endswith("…") and len(h.text) <= 121 and h.speaker == "Ana Ortiz"
    assert h.text.startswith("We will keep fighting for every family in this city,")


def test_reporting_verbs_beyond_said_and_told() -> None:
    mocked = "Thomas Frank wrote a book. “The marketplace hasn’t failed the white working class,” he mocks."
    assert [s for s, _ in attributed(mocked)] == ["Thomas Frank"]
    text = ("Megyn Kelly moderated the debate.\n\n"
            "“You have called women you do not like fat pigs and dogs,” Kelly charged in her question.\n\n"
            "Julianne Moore thanked him for “stepping up and taking action when Congress won’t.”")
    assert [s for s, _ in attributed(text)] == ["Megyn Kelly", "Julianne Moore"]


def test_a_partial_quote_after_a_hearing_named_by_its_committee() -> None:
    text = ("CIA Director John Brennan told a Senate Intelligence Committee hearing on Thursday that the "
            "agency had “found no direct link between the shooter and militants abroad.”")
    assert [s for s, _ in attributed(text)] == ["John Brennan"]


def test_an_infinitive_is_not_the_speech_verb() -> None:
    text = ("Maria Lopez, the mayor, opened the meeting.\n\n"
            "She went on to thank the engineers: “Without them the town would still be cut in two.”")
    assert [s for s, _ in attributed(text)] == ["Maria Lopez"]


def test_an_adverb_between_the_speaker_and_the_verb() -> None:
    text = "“I will be the nominee and everyone in this room knows it,” Donald Trump jokingly said."
    assert [s for s, _ in attributed(text)] == ["Donald Trump"]


def test_a_possessive_noun_is_not_a_speech_verb() -> None:
    text = "House Speaker Paul Ryan told CNN on Tuesday that Ginsburg’s comments “show a bias against the candidate.”"
    assert [s for s, _ in attributed(text)] == ["Paul Ryan"]


def test_inverted_attributions_with_relative_clauses_outlets_and_party_labels() -> None:
    text = ("“We will rebuild the boardwalk before summer,” said Sen. Jim Whelan who represents Atlantic City.\n\n"
            "“He has no charisma at all, and it shows,” says Stu Rothenberg of the non-partisan Political Report.\n\n"
            "“We need the full file before the conventions,” said Oversight ranking Democrat Elijah Cummings (D-Md.).")
    assert [s for s, _ in attributed(text)] == ["Jim Whelan", "Stu Rothenberg", "Elijah Cummings"]


def test_unnamed_speakers_a_campaign_can_still_credit() -> None:
    text = ("“I saw the soldiers open fire on the crowd without warning,” an eyewitness told the BBC.\n\n"
            "“We have not decided anything about the summit yet,” a White House official said.\n\n"
            "“This is the worst flood the valley has seen in fifty years,” the newspaper wrote.")
    assert [s for s, _ in attributed(text)] == ["an eyewitness", "a White House official", "Newspaper"]
    assert attributed("“We have not decided anything about the summit yet,” the official said.") == [(None, None)]


def test_a_possessive_ends_a_name_and_the_second_quote_keeps_the_speaker() -> None:
    reg = build_registry("Brad Komar is Clinton's Colorado state director.")
    assert not any("Colorado" in n for n in reg.names)
    text = ("“You need to build an organization, and you can't do that overnight,” said Brad Komar, "
            "Clinton's Colorado state director. “You can't arrive two weeks beforehand and expect to win.”")
    assert [s for s, _ in attributed(text)] == ["Brad Komar", "Brad Komar"]


def test_a_quote_that_closes_mid_sentence_then_says_who() -> None:
    text = ("“Campaigns are having trouble raising money. Super PACs have the money. They don't have a choice” "
            "but to take the lead in advertising, says Evan Tracey, a Republican media consultant.")
    assert [s for s, _ in attributed(text)] == ["Evan Tracey"]


def test_roles_with_lower_case_titles_and_no_names_from_state_abbreviations() -> None:
    text = ("Former prime minister Tony Abbott spoke in Sydney.\n\n"
            "“We will not surrender our borders to anyone,” Abbott said.")
    [q] = find_quotes(text_article(text))
    assert (q.speaker, q.role) == ("Tony Abbott", "Former prime minister")
    reg = build_registry("Gov. Tom Wolf of Harrisburg, Pa. Sure enough, the bill passed.")
    assert not any(n.startswith("Pa ") for n in reg.names)


def test_a_party_and_state_after_a_name_and_titles_written_out() -> None:
    text = ("Maria Lopez (D-N.M.) said, “We will not accept this ruling from the court today.”\n\n"
            "“We will not accept this ruling from the court today,” Sen. Harry Reid (D-Nev.) told reporters.")
    found = [(q.speaker, q.role) for q in find_quotes(text_article(text))]
    assert found == [("Maria Lopez", None), ("Harry Reid", "Senator")]


def test_a_pronoun_whose_person_is_named_earlier_in_the_same_sentence() -> None:
    text = "Hillary Clinton spoke in Iowa on Monday, where she told the crowd that “we are going to win this state.”"
    # a pronoun reporting a partial quote needs the ranker's higher bar, unless, as here, the person is
    # the one of that gender in view
    assert attributed(text) == [("Hillary Clinton", None)]


def test_a_description_pointing_back_is_a_guess_and_an_age_is_no_name() -> None:
    text = ("Bernie Sanders was defiant.\n\n"
            "“We are in this until the very last vote is counted,” the Vermont senator said.\n\n"
            "“I am not going anywhere,” the 74-year-old Sanders told reporters.")
    [first, second] = find_quotes(text_article(text))
    assert (first.speaker, first.guess) == (None, "Bernie Sanders") and "“the Vermont senator”" in first.evidence
    assert second.speaker == "Bernie Sanders"
