"""The person a sentence is about when a quote is woven into it: "Cruz vowed to “fight for every
vote”", "Fifteen minutes after the vote, campaign chairman Tom Reyes called it “…”"."""

from __future__ import annotations

import regex

from campaign.highlights.lexicon import ROLE_NOUNS
from campaign.highlights.mentions import AMBIGUOUS, person_mentions
from campaign.highlights.pronouns import (
    _ADVERBIAL,
    _PARTICIPLE_OPENER,
    _QUOTED,
    _ROLE_WORD,
    DETS,
    State,
    _personlike,
    resolve_pronoun,
    sentence_at,
)
from campaign.highlights.speakers import NATIONALITY, PRONOUNS, Speaker, _is_title, _rx, parse_np
from campaign.highlights.values import Quote
from campaign.highlights.verbs import CORE_VERB, EN_VERB_RE
from campaign.models import Article

_SAID_AFTER = regex.compile(r"\s*,?\s*(?:[\p{L}.'’\-]+\s+){0,4}" + CORE_VERB + r"\b", regex.I)


def _own_attribution(lead: str) -> bool:
    """Does a quote of four words or more in `lead` have its own attribution ("“…,” she said, and …")?
    (A show's title, "“This Week,” Rubio said", is no quote of its own.)"""
    return any(len(m.group(1).split()) >= 4 and _SAID_AFTER.match(lead, m.end()) for m in _QUOTED.finditer(lead))


def _attribution_after(text: str, lo: int, hi: int) -> bool:
    """Is there a speech verb in text[lo:hi] that is not leading into another quote ("… “an attack on our
    country,” but he also noted the “senseless deaths”": "noted" is the next quote's; nor "…,” including
    provisions he said would restrict …", a clause reporting something else)?"""
    for m in EN_VERB_RE.finditer(text, lo, hi):
        if not (_rx(r"[^.!?“”\"]{0,60}[“\"]", 0).match(text, m.end(), hi) or _EMBEDDED.match(text, m.end(), hi)):
            return True
    return False


_EMBEDDED = regex.compile(r"\s+(?:would|will|could|should|might|may|was|were|is|are|had|has|have)\b")


_CLAUSE_THEN_PARTICIPLE = regex.compile(r"(?:,|\s[—–-])\s+(?:where|when|while|as|after|because|since)\s+[^,;:]+,\s*\p{Ll}+ing\s*$")


def sentence_subject(q: Quote, article: Article, state: State, pi: int) -> Speaker | None:
    """A quote woven into a sentence whose subject is a person: "Cruz vowed to “fight for every
    vote”", "On Monday, she pledged “…”". The subject is a name opening the sentence (after any
    introductory phrase, with only a title or role before it), not a possessive, not passive; or
    he/she resolved as a pronoun. A sentence whose own attribution comes after the quote is not one."""
    text = article.text
    sent = sentence_at(state, article, q.opener)
    if sent is None:
        return None
    lead = text[sent.start : q.opener]
    # quotes earlier in the sentence do not stop it ("argued that X has “got to come a long way” because “…”"),
    # unless one of them has its own attribution ("“…,” she said, and “…”")
    if _own_attribution(lead):
        return None
    bare = _QUOTED.sub("", lead)
    if (len(lead.split()) < 2 or _rx(r"[“”\"«»]", 0).search(bare)
            or _attribution_after(text, q.closer, max(q.closer, sent.end))
            or _rx(r"\baccording\s+to\b", regex.I).search(text, q.closer, max(q.closer, sent.end))):
        return None
    if _CLAUSE_THEN_PARTICIPLE.search(bare):
        return None  # "…, where about 50 protesters had gathered, chanting “…”": not the sentence's subject
    dateline = _DATELINE.match(lead)
    lo = sent.start + (dateline.end() if dateline else 0)
    segs = text[lo : q.opener].split(",")
    k = 0
    while k < len(segs) - 1 and _introductory(segs[k].strip(), state):
        lo += len(segs[k]) + 1
        k += 1
    lo += len(_LEAD_CONJ.match(text, lo).group())  # "But Tom Miller, at a consulting firm, argues …"
    head = text[lo : q.opener]
    first = _rx(r"\s*(\p{L}+)\s", 0).match(head)
    if first and first.group(1).lower() in ("he", "she") and ":" not in lead:  # "She reads one, from a girl …: “…”"
        sp = resolve_pronoun(Speaker(None, "pronoun", gender=PRONOUNS[first.group(1).lower()]),
                              state, pi, article, q, upto=sent.start)
        return sp if sp is not None and sp.sure and state.reg.genders.get(sp.name or "") == sp.gender else None
    mentions = person_mentions(text, state.reg, lo, q.opener, state.spans)
    if not mentions:
        return _named_org_subject(head, state)  # "Human Rights Watch called the arrests “…”"
    if mentions[0][1] == AMBIGUOUS:
        return None
    pos, name = mentions[0]
    run = _NAME_AT.match(text, pos)
    if len(mentions) > 1 and run is not None:  # "Clinton campaign chairman John Podesta": Podesta
        between = text[run.end() : mentions[1][0]].split()
        if (0 < len(between) <= 3 and mentions[1][1] != AMBIGUOUS
                and all(w.islower() and (ROLE_NOUNS.fullmatch(w) or _ROLE_WORD.fullmatch(w) or w in _ROLE_MODIFIERS)
                        for w in between)
                and ROLE_NOUNS.fullmatch(between[-1])):
            pos, name = mentions[1]
    before = text[lo:pos].split()
    if (1 < len(before) <= 5 and (ROLE_NOUNS.fullmatch(before[-1].lower()) or _is_title(before[-1]))
            and all(w.isalpha() and not (_ADVERBIAL.fullmatch(w) or _INTRO.fullmatch(w) or w.lower() in DETS - {"the"})
                    for w in before)):
        before = []  # "Clinton campaign chairman John Podesta", "the campaign finance chair Ana Ruiz"
    if any(w.strip(",“”\"") and not (w.lower() in DETS or _is_title(w) or ROLE_NOUNS.fullmatch(w.lower()) or NATIONALITY.match(w)
                                 or (w[:1].isupper() and not _ADVERBIAL.fullmatch(w) and not _INTRO.fullmatch(w))
                                 or _ROLE_WORD.fullmatch(w))  # "Republican presidential candidate Donald Trump"
           for w in before):  # ("CBC Chairman G.K. Butterfield", "Senate Minority Leader Harry Reid")
        return None  # "Like Corker, …", "From Donald Trump’s …": the name is not the subject
    end = _NAME_AT.match(text, pos)
    tail = text[end.end() if end else pos : q.opener]
    if (regex.match(r"['’]", tail) or (end and end.group().endswith(("'s", "’s", "’", "'")))
            or _rx(r"\b(?:was|were|been|being|is|are)\s+(?:\p{Ll}+ly\s+)?(?:asked|told|quoted|called|described|urged|"
                   r"pressed|accused|criticized|criticised|attacked|labeled|labelled|dubbed|mocked|praised)\b", 0).search(tail)):
        return None  # "Sanders’ surge", "Sanders was asked by host Bill Maher"
    titled = any((_is_title(w) or ROLE_NOUNS.fullmatch(w.lower())) and w not in name.split()
                 for w in text[lo : end.end() if end else pos].split())
    if name in state.reg.orgs or not (titled or _personlike(name, state)):
        return None  # ("President Obama condemned": a title makes a person)
    return Speaker(name, "person", state.reg.roles.get(name), state.reg.genders.get(name, ""))


def _named_org_subject(head: str, state: State) -> Speaker | None:
    """A named organisation opening the sentence, right before its verb ("Human Rights Watch called …",
    "The United Nations urged …"); not an unnamed one ("the union"), not a possessive ("Amnesty’s report")."""
    found = _ORG_SUBJECT.match(head)
    if found is None:
        return None
    sp = parse_np(found.group("np"), state.reg)
    return sp if sp is not None and sp.kind == "org" and sp.name and sp.name[:1].isupper() else None


_ORG_SUBJECT = regex.compile(r"\s*(?:[Tt]he\s+)?(?P<np>\p{Lu}[\p{L}\-]*(?:\s+(?:of\s+|for\s+)?\p{Lu}[\p{L}\-]*){0,5})"
                             r"(?:\s+\p{Ll}+ly)?\s+\p{Ll}+(?:ed|s)\b")
_NAME_AT = regex.compile(r"\p{Lu}[\p{L}\p{M}.'’\-]*(?:[ \u00a0]+\p{Lu}[\p{L}\p{M}.'’\-]*)*")


_ROLE_MODIFIERS = {"campaign", "press", "party", "policy", "communications", "finance", "deputy", "senior", "chief", "top",
                   "former", "national", "foreign", "security", "economic", "political", "legal", "media", "research"}


def _introductory(seg: str, state: State) -> bool:
    """Is a comma-separated segment opening a sentence an introduction, not its subject ("On Monday",
    "Like Corker", "Fifteen minutes after Pence was picked", "Filling in for Sanders", "Sunday")? A
    conjunction before a capital ("But Tom Miller") opens the subject itself."""
    if _rx(r"(?i:and|but|so|yet|then)\s+\p{Lu}", 0).match(seg):
        return False
    return bool(_ADVERBIAL.match(seg) or _INTRO.match(seg) or _TIME_CLAUSE.match(seg)
                or (_PARTICIPLE_OPENER.match(seg) and not _a_name(seg.split()[0], state)) or _WEEKDAY.fullmatch(seg))


def _a_name(word: str, state: State) -> bool:
    """Is `word` a name the story knows, or the start or end of one ("Kettering did not …" opens with
    no participle)?"""
    return word in state.reg.names or bool(state.reg._candidates(word))


# "Fifteen minutes after Pence was picked", "Months after he savaged her", "Even though …"
_TIME_CLAUSE = regex.compile(r"(?:(?:[\p{L}\d\-]+\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|moments?|"
                             r"shortly|soon|long|even|right|just|only)\s+)?"
                             r"(?:after|before|when|while|since|until|once|though|although|because|if)\s", regex.I)


_WEEKDAY = regex.compile(r"(?:(?:early|late|last|on)\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day(?:\s+\p{Ll}+)?")


_DATELINE = regex.compile(r"\s*\p{Lu}[\p{Lu} .'’\-]+(?:,\s*[^—–()]{1,30}?)?\s*(?:\([\p{L} .]+\))?\s*[—–]\s*")


_LEAD_CONJ = regex.compile(r"\s*(?:(?i:and|but|so|yet)\s+(?=\p{Lu}))?")


# Introductory phrases before a sentence's subject: "Like Corker, …", "Given that …,".
_INTRO = regex.compile(r"(?:of|like|unlike|given|despite|amid|following|under|over|by|through|without|within|among|"
                       r"shortly|just|even|still|instead|indeed|now|here|there|yes|no|so|thus|moreover|"
                       r"for\s+example|in\s+fact|of\s+course)\b", regex.I)
