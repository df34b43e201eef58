"""A run of capitalised words split into its title or role words and the person's name:
"Senate Minority Whip Dick Durbin" -> (["Senate", "Minority", "Whip"], ["Dick", "Durbin"])."""

from __future__ import annotations

import regex

from campaign.highlights.lexicon import (
    _AL_NAMES,
    _DETS,
    _GIVEN_PARTICLES,
    _INITIAL,
    _NOT_NAME,
    _OFFICE,
    _PARTICLES,
    _ROLE_SUFFIX,
    _WORDY,
    HYPHENATED_NAME,
    NATIONALITY,
    ORG_NOUNS,
    ROLE_NOUNS,
    _clean_token,
    _given_names,
    _is_cap,
    _is_title,
    _is_title_word,
    _rx,
)


def split_name(words: list[str]) -> tuple[list[str], list[str]]:
    """(title words, name words) of a capitalised run: "Commander Ahmad Massoud" -> (["Commander"], ["Ahmad", "Massoud"]).

    Everything up to the last title or role word before the name goes to the title:
    "Chief Financial Officer Raj Mehta", "Economy Minister Sofia Marques".
    """
    i = 0
    while i < len(words) - 1 and (
        _is_title_word(words[i]) or words[i].lower() in _DETS
        or (NATIONALITY.match(words[i]) and (_is_title(words[i + 1]) or (
            len(words) - i >= 3 and not ORG_NOUNS.search(words[-1].lower()))))
    ):
        i += 1
    for j in range(len(words) - 2, i - 1, -1):
        if j > i and _INITIAL.fullmatch(words[j]) and not _is_title_word(words[j - 1]):
            continue  # a middle initial: "Harry M. Reid", not the French "M."
        if _is_title_word(words[j]) or ROLE_NOUNS.fullmatch(words[j].rstrip(".")):
            i = j + 1
            break
    cut = next((j for j in range(i, len(words)) if words[j].lower() in _HEADLINE_VERBS and j), len(words))
    if cut == i:
        return words[:i], []  # "Former Clinton Pollster Says Clinton …": a headline, no name
    words = words[:cut]  # "Benghazi Widow Dorothy Woods Defends Trump": a headline goes on after the name
    if len(words) - i >= 3 and words[i].lower() in _DESCRIPTORS:
        words = words[:i] + words[i + 1 :]  # "Conservative Icon Morton Blackwell": a description, not the name
    lead = _lead(words[i:])
    if not lead:
        return words[:i], words[i:]
    kept = [w for w in words[i : i + lead] if w.lower() not in _NOT_NAME]
    if kept and not (_is_title_word(kept[-1]) or ROLE_NOUNS.search(kept[-1]) or _ROLE_SUFFIX.fullmatch(kept[-1])
                     or _OFFICE.fullmatch(kept[-1].lower()) or len(kept) >= 2 and ORG_NOUNS.fullmatch(kept[-1].lower())):
        kept = []  # "Billionaire Donald Trump", "Celebrities Julianne Moore": a word before the name, no role
    return words[:i] + kept, words[i + lead :]


def _lead(name: list[str]) -> int:
    """How many leading words of a capitalised run are no part of the person's name: a sentence's
    opening conjunction ("But Bill Skelly"), or words before a given name that a surname follows
    ("Senate Minority Whip Dick Durbin", "Billionaire Donald Trump"), never a name or a verb
    ("Francois Hollande Says Donald Trump" is a headline, not a person)."""
    k = 1 if len(name) > 2 and name[0] in _CONJUNCTIONS else 0
    owner = next((j for j in range(len(name) - 2, k - 1, -1) if name[j].endswith(("'s", "’s"))), None)
    if owner is not None:
        return owner + 1  # "Colorado’s Kendal Unruh": a possessive owner, then the name
    given = _given_names()
    if len(name) - k < 3 or name[k].lower().strip(".") in given or _INITIAL.fullmatch(name[k]) or name[k].lower() in _PARTICLES:
        return k
    for p in range(k + 1, len(name) - 1):
        if name[p].lower() in given and _rx(r"\p{Lu}\p{Ll}+", 0).fullmatch(name[p]) \
                and _rx(r"\p{Lu}[\p{L}'’.\-]+", 0).fullmatch(name[p + 1]):
            lead = name[k:p]
            if len(name) - p > 3 or any(w.lower() in _NOT_NAME for w in name[p:]):
                return k  # "Just Gave Hillary Some Of": a headline, not a name
            if any(w.lower() in given or w.lower() in _NOT_NAME or w.lower() in _HEADLINE_VERBS
                   or w in _PARTICLES for w in lead):
                return k  # ("Tamim bin Hamad Al Thani": a particle joins the parts of one name)
            one = lead[0]
            if len(lead) >= 2 or (one.endswith("s") and not one.endswith("ss") and len(one) > 4) or one.isupper() \
                    or _is_title_word(one) or ROLE_NOUNS.search(one) or _ROLE_SUFFIX.fullmatch(one.lower()) \
                    or _WORDY.fullmatch(one.lower()) or _OFFICE.fullmatch(one.lower()):
                return p
            return k
    return k


_DESCRIPTORS = {"icon", "legend", "tycoon", "magnate", "mogul", "billionaire", "superstar", "star", "hero", "heroine",
                "firebrand", "maverick", "hardliner", "frontrunner", "front-runner", "hopeful", "newcomer", "veteran"}
_CONJUNCTIONS = {"But", "And", "So", "Yet", "Meanwhile", "However", "Still", "Then", "Also", "Now", "Instead", "Plus"}
# Verbs a headline puts between two names ("Hollande Says Donald Trump …"): never part of a name. A
# list of its own, not the speech-verb lexicon, which also holds capitalised nouns of names ("Post").
_HEADLINE_VERBS = set("""slams blasts hits rips calls praises backs endorses mocks attacks wants thinks is was has
    vs vs. defends warns takes gets makes meets joins beats leads wins loses says said tells told asks asked
    writes wrote tweets tweeted claims urges accuses denies admits vows pledges insists suggests won lost slammed
    blasted ripped praised endorsed mocked attacked defended warned took got made met joined beat led claimed urged
    accused denied admitted vowed pledged""".split())


def role_text(s: str) -> str | None:
    """A role phrase as shown on a card: no leading article, a capital first letter."""
    s = _rx(r"^(?:(?:the|a|an|le|la|les|un|une)\s+|l['’])", regex.I).sub("", s.strip(" ,.;:")).strip()
    if not s or len(s.split()) > 14:
        return None
    s = _rx(r"\b(Sen|Rep|Gov|Gen|Lt|Col|Capt|Sgt|Adm|Maj|Cmdr|Supt|Atty)\b\.?", 0).sub(
        lambda m: _TITLE_WORDS[m.group(1)], s)  # "Sen" is "Senator" on a card
    return s[0].upper() + s[1:]


_TITLE_WORDS = {"Sen": "Senator", "Rep": "Representative", "Gov": "Governor", "Gen": "General",
                "Lt": "Lieutenant", "Col": "Colonel", "Capt": "Captain", "Sgt": "Sergeant", "Adm": "Admiral",
                "Maj": "Major", "Cmdr": "Commander", "Supt": "Superintendent", "Atty": "Attorney"}


def _name_run(words: list[str]) -> list[str]:
    """The last run of capitalised words (with particles and initials) in `words`."""
    end = len(words)
    while end > 0 and not (_is_cap(_clean_token(words[end - 1])) or HYPHENATED_NAME.fullmatch(_clean_token(words[end - 1]))):
        return []
    start = end
    while start > 0:
        w = _clean_token(words[start - 1])
        if _is_cap(w) or (w.lower() in _PARTICLES and start < end) or _rx(r"\p{Lu}\.", 0).fullmatch(w) \
                or HYPHENATED_NAME.fullmatch(w):  # "al-Zawahiri"
            start -= 1
        else:
            break
    run = [_clean_token(w) for w in words[start:end]]
    while len(run) > 1 and run[0].lower() in _PARTICLES and not (run[0][0].isupper() and run[0].lower() in _GIVEN_PARTICLES) \
            and not (run[0] == "Al" and run[1] not in _AL_NAMES):  # "Al Cardenas" (but "Al Qaeda")
        run = run[1:]
    return run
