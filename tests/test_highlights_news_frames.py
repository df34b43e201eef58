"""Attribution mechanisms for news written elsewhere: names the registry used to break, quotes woven
into a sentence whose subject is the speaker, capitalised words that are not names, and the learned
pronoun ranker (its inference, its absence, and its training on a toy set)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

from campaign.article import text_article
from campaign.highlights import ranker
from campaign.highlights.frames import _post
from campaign.highlights.mentions import _runs, build_registry, person_mentions
from campaign.highlights.quotes import find_quotes
from campaign.highlights.speakers import Registry, parse_np
from tests.helpers import attributed

ROOT = Path(__file__).resolve().parent.parent



# --- names ----------------------------------------------------------------------------------------


def test_ben_and_dan_open_a_name_rather_than_join_one() -> None:
    text = "“We will be knocking on every door until the vote,” said Ben Whitlow, the group’s organizer."
    assert attributed(text) == [("Ben Whitlow", None)]
    assert parse_np("Dan Okoro", Registry()) is not None
    assert parse_np("Dan Okoro", Registry()).name == "Dan Okoro"  # type: ignore[union-attr]


def test_a_headline_descriptor_does_not_make_a_surname_ambiguous() -> None:
    text = ("Award-winner Okafor backs the tram plan.\n\n"
            "The novelist Grace Okafor spoke at the depot on Monday.\n\n"
            "“A city that cannot move cannot breathe,” Okafor said.")
    assert attributed(text) == [("Grace Okafor", None)]


def test_a_sentence_end_cuts_a_run_of_capitals_in_two() -> None:
    text = "The party backed Mayor Tom Reyes. Linden also said the vote was close."
    reg = build_registry(text)
    assert "Tom Reyes" in reg.names and not any("Linden" in n for n in reg.names)
    # initials and abbreviations do not end a sentence
    assert [r for _, r in _runs("Dr. Alma J. Whitcombe met Martin Okoye Jr. Tuesday. Jones said so.")] == [
        "Dr. Alma J. Whitcombe", "Martin Okoye Jr. Tuesday.", "Jones"]


def test_a_lowercase_occupation_between_an_organisation_and_a_name() -> None:
    sp = _post(" said Ridgeway pollster Anna Weld.", Registry(), False)
    assert sp is not None and sp.name == "Anna Weld" and sp.role == "Ridgeway pollster"


def test_initials_in_an_inverted_attribution() -> None:
    text = "“Nobody expected the levee to hold,” says J.R. Marlow, an engineer at the port."
    assert attributed(text) == [("J.R. Marlow", None)]


def test_capitalised_sentence_openers_are_not_names() -> None:
    reg = Registry()
    for phrase in ("Continuing", "Amid", "Alongside BLM", "Eight", "Throughout", "Separatist-linked"):
        assert parse_np(phrase, reg) is None, phrase
    assert parse_np("Sanders", reg) is not None  # a surname ending like a plural is still a name


def test_a_quote_whose_words_are_not_title_case_is_speech() -> None:
    text = "“I am a big fan of Maria Lopez,” Ortiz said."
    assert attributed(text) == [("Ortiz", None)]
    # a real title stays a title: no quote
    assert find_quotes(text_article("She reread “The Art of the Deal” on the train home.")) == []


# --- the subject of the sentence a quote stands in --------------------------------------------------


def test_a_partial_quote_goes_to_the_subject_of_its_sentence() -> None:
    text = ("Rosa Delgado, the union’s regional secretary, addressed the rally.\n\n"
            "On Tuesday, Delgado vowed to “fight for every single contract” before the summer.")
    assert attributed(text) == [("Rosa Delgado", None)]


def test_two_people_joined_by_and_are_two_names() -> None:
    reg = build_registry("Ana Pires and Hugo Lindqvist debated the bill.")
    assert {"Ana Pires", "Hugo Lindqvist"} <= set(reg.names)


def test_a_subject_after_an_introductory_phrase() -> None:
    text = ("Ana Pires and Hugo Lindqvist debated the bill.\n\n"
            "Like Pires, Lindqvist rejected the claim, calling it “a fairy tale told to frighten voters.”")
    assert attributed(text) == [("Hugo Lindqvist", None)]


def test_no_subject_speaker_for_a_possessive_a_passive_or_a_later_attribution() -> None:
    possessive = ("Marta Quill and Owen Brandt met voters.\n\n"
                  "Quill’s rise does not surprise the families who want “a long summer of hard choices for this town.”")
    assert [s for s, _ in attributed(possessive)] == [None]
    passive = ("Omar Haddad and Lena Vogt spoke.\n\n"
               "Haddad was asked by Vogt whether “the fund would survive another winter of cuts.”")
    assert [s for s, _ in attributed(passive)] == [None]
    # the sentence names its own source after the quote: not the subject's words
    woven = "Maria Osei and Ivan Petrov spoke.\n\nOsei backed “a school in every valley by the end of the decade”"
    assert [s for s, _ in attributed(woven + " on Monday.")] == ["Maria Osei"]
    assert [s for s, _ in attributed(woven + ", according to a local paper.")] == [None]


def test_she_as_a_sentence_subject_is_resolved_like_a_pronoun() -> None:
    text = ("Maria Lund chairs the water board.\n\n"
            "On Monday, she backed “clean taps in every home by spring” at the town hall.")
    assert attributed(text) == [("Maria Lund", None)]


def test_a_letter_read_aloud_is_not_its_reader_s_speech() -> None:
    text = ("Ines Varga keeps the letters in a drawer.\n\n"
            "She reads one aloud, from a boy who is now a pilot: “You showed me the sky was not a wall.”")
    assert [s for s, _ in attributed(text)] == [None]


# --- the learned pronoun ranker ---------------------------------------------------------------------


def test_the_ranker_softmax_and_first_choice() -> None:
    n = len(ranker.FEATURES)
    w = tuple([1.0] + [0.0] * (n - 1))  # prefers "gender agrees"
    cands = [("Ana", [1.0] + [0.0] * (n - 1)), ("Ben", [0.0] * n)]
    p = ranker.probabilities(cands, w)
    assert abs(sum(p) - 1) < 1e-9 and p[0] > p[1]
    i, x = ranker.first_choice(cands, w)
    assert i == 0 and len(x) == len(ranker.CONFIDENCE) and x[0] == 1.0
    assert ranker.confidence([0.0] * len(x), tuple([0.0] * len(x))) == 0.5


def test_the_shipped_model_matches_the_features() -> None:
    data = json.loads((ROOT / "campaign/highlights/data/pronoun_ranker.json").read_text(encoding="utf-8"))
    assert data["features"] == list(ranker.FEATURES)
    assert len(data["rank"]) == len(ranker.FEATURES) and len(data["confidence"]) == len(ranker.CONFIDENCE)
    assert 0.5 <= data["sure"] <= 1 and 0 < data["keep"] <= 1


def test_without_a_model_the_hand_rules_decide(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = ("Maria Lopez spoke after John Reyes left the hall.\n\n"
            "“No family should boil water before their children drink it,” she said.")
    monkeypatch.setattr(ranker, "_PATH", tmp_path / "none.json")
    ranker.model.cache_clear()
    try:
        assert ranker.best([("Maria Lopez", [0.0] * len(ranker.FEATURES))]) is None
        assert attributed(text) == [("Maria Lopez", None)]
    finally:
        ranker.model.cache_clear()


def test_a_model_trained_on_other_features_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"features": ["distance"], "rank": [1.0], "confidence": [0.0], "sure": 0.9,
                                "keep": 0.5}), encoding="utf-8")
    monkeypatch.setattr(ranker, "_PATH", path)
    ranker.model.cache_clear()
    try:
        assert ranker.model() is None
    finally:
        ranker.model.cache_clear()


def test_the_model_confirms_a_clear_pronoun_and_doubts_one_with_a_rival() -> None:
    clear = ("Judge Helen Marsh read the verdict aloud.\n\n"
             "“This court has heard enough about loopholes,” she said.")
    assert attributed(clear) == [("Helen Marsh", None)]
    rival = ("Tom Alder met Jim Becker at the depot on Friday to discuss the closure.\n\n"
             "“We will not let this depot close without a fight,” he said.")
    [(speaker, guess)] = attributed(rival)
    assert speaker is None and guess is not None


def test_training_the_ranker_learns_the_feature_that_decides() -> None:
    spec = importlib.util.spec_from_file_location("train_ranker", ROOT / "bench" / "train_ranker.py")
    assert spec is not None and spec.loader is not None
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    n = len(ranker.FEATURES)

    def cand(agrees: bool, recent: bool) -> list[float]:
        f = [0.0] * n
        f[0], f[2] = float(agrees), float(recent)
        return f

    # the right candidate always agrees in gender; recency is noise
    examples = [([cand(True, i % 2 == 0), cand(False, i % 2 == 1)], [True, False]) for i in range(40)]
    w = mod.fit(examples, n, steps=200)
    assert w[0] > 1.0 and abs(w[2]) < w[0]
    w2, v = mod.train(examples, n)
    assert len(v) == len(ranker.CONFIDENCE) and w2[0] > 1.0


def test_person_mentions_see_both_names_across_a_sentence_end() -> None:
    text = "The senator praised Governor Ann Tillery. Okonjo said nothing."
    reg = build_registry(text + " Mark Okonjo left.")
    names = [n for _, n in person_mentions(text, reg, 0, len(text))]
    assert "Ann Tillery" in names and "Mark Okonjo" in names


def test_a_quote_relayed_by_another_source_is_a_guess() -> None:
    text = ("Senator Ruth Adeyemi spoke to delegates behind closed doors.\n\n"
            "“I ask you not to walk out of this hall tonight,” Adeyemi said, according to the Valley Courier.")
    [q] = find_quotes(text_article(text))
    assert q.speaker is None and q.guess == "Ruth Adeyemi" and "relayed" in q.evidence
    direct = "“I ask you not to walk out of this hall tonight,” Ruth Adeyemi said on Friday."
    assert attributed(direct) == [("Ruth Adeyemi", None)]


def test_an_unnamed_strategist_is_a_speaker_a_campaign_can_credit() -> None:
    text = "“Nobody here wins on turnout alone,” said one veteran Ohio Democratic strategist."
    assert attributed(text) == [("one veteran Ohio Democratic strategist", None)]


def test_reporting_verbs_remembered_and_wondered() -> None:
    text = "“We had no idea the river would rise that fast,” remembered Carla Nunez, a ferry pilot."
    assert attributed(text) == [("Carla Nunez", None)]


def test_a_second_quote_keeps_a_speaker_whose_description_names_someone_else() -> None:
    text = ("“The plan is not finished,” Lena Ortiz, a longtime Garcia adviser, said at a forum in Toledo. "
            "“We will publish the numbers before the vote.”")
    assert attributed(text) == [("Lena Ortiz", None), ("Lena Ortiz", None)]


def test_a_broadcast_role_before_the_name() -> None:
    text = "“Imagine the debate with three people on stage,” mused radio co-host Tariq Benning."
    assert attributed(text) == [("Tariq Benning", None)]


def test_a_name_written_out_often_beats_a_one_off_variant() -> None:
    text = ("Marco Delacroix led the count. Marco Delacroix spoke first. Marco Delacroix thanked the staff.\n\n"
            "A flyer misspelled him as Mario Delacroix.\n\n"
            "“We counted every ballot twice,” Delacroix said.")
    assert attributed(text) == [("Marco Delacroix", None)]
    family = ("Ruth Holloway and Sam Holloway run the farm.\n\n“We will plant again in May,” Holloway said.")
    # two Holloways: the article's own word is given as written, never one of them picked for it
    [q] = find_quotes(text_article(family))
    assert q.speaker == "Holloway" and "Ruth Holloway" in q.evidence and "Sam Holloway" in q.evidence


def test_a_partial_quote_after_a_pronoun_needs_the_higher_bar(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    n = len(ranker.FEATURES)
    path = tmp_path / "m.json"
    # a confidence model that always says 0.8: above `keep`, below `sure`
    conf = [math.log(0.8 / 0.2)] + [0.0] * (len(ranker.CONFIDENCE) - 1)
    path.write_text(json.dumps({"features": list(ranker.FEATURES), "rank": [0.0] * n, "confidence": conf,
                                "sure": 0.9, "keep": 0.7}), encoding="utf-8")
    monkeypatch.setattr(ranker, "_PATH", path)
    ranker.model.cache_clear()
    try:
        hand_sure = [0.0] * n
        hand_sure[ranker.FEATURES.index("the hand rules' sure choice")] = 1.0
        assert ranker.best([("Ana Reyes", hand_sure)]) == ("Ana Reyes", True)
        assert ranker.best([("Ana Reyes", hand_sure)], strict=True) == ("Ana Reyes", False)
        assert ranker.best([("Ana Reyes", [0.0] * n)]) == ("Ana Reyes", False)
    finally:
        ranker.model.cache_clear()


# --- two people of the pronoun's gender just named: a guess, whatever the ranker says ------------


def test_she_after_two_women_named_in_the_sentence_before_is_a_guess() -> None:
    text = ("The port strike entered its third week on Monday.\n\n"
            "Maria Lopez, the union's safety officer, and Helen Carter, the deputy mayor, both visited "
            "the docks on Friday. “We will not let anyone be hurt on these cranes again,” she said.\n")
    assert attributed(text) == [(None, "Maria Lopez")]


def test_she_after_a_woman_and_a_man_named_stays_sure() -> None:
    text = ("The port strike entered its third week on Monday.\n\n"
            "Maria Lopez, the union's safety officer, and Peter Carter, the deputy mayor, both visited "
            "the docks on Friday. “We will not let anyone be hurt on these cranes again,” she said.\n")
    assert attributed(text) == [("Maria Lopez", None)]
