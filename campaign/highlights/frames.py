"""The attribution frames around one quote: the words right after it ("…,” said X, a role."), the
words leading into it ("X told reporters: “…”"), a dash, a colon paragraph, "according to". Each
returns a `Speaker` or None; `attribution` runs them in order and keeps what they find (frames that
relay someone else's words or disown them are in `relayed`)."""

from __future__ import annotations

import itertools

import regex

from campaign.article.sentences import split as split_sentences
from campaign.highlights.lexicon import NAME_RUN
from campaign.highlights.pronouns import (
    _NOUN_DET,
    _QUOTED,
    DETS,
    _speaking_subject,
    head_np,
    np_word,
)
from campaign.highlights.speakers import (
    _GROUP,
    ORG_NOUNS,
    PRONOUNS,
    ROLE_NOUNS,
    Registry,
    Speaker,
    _rx,
    document,
    parse_np,
)
from campaign.highlights.values import Quote
from campaign.highlights.verbs import (
    AR_GENERIC,
    AR_ROLES,
    AR_VERB_RE,
    CORE_VERB,
    CORE_VERBS,
    EN_VERB_RE,
    FA_VERB_RE,
    FR_VERB_PATTERN,
    PARTICIPLES,
    SPEECH_NOUNS,
    fr_verb_re,
)

PERSIAN = regex.compile(r"[\u0600-\u06ff]")
FRENCHY = regex.compile(r"[«»éèêàçôû]|\b(?:selon|ont|le|la|les|du|des|est|que|qu')\b", regex.I)
_AUX = regex.compile(r"(?:\s+(?:has|have|had|also|later|then|again|once|further|simply|previously|reportedly|"
                     r"has\s+since|had\s+earlier|would\s+later|would|will|could|can|did|does|do|was|were|"
                     r"\p{Ll}+ly))+\s*$")  # "Trump jokingly said" (lowercase only: "Will wrote" is George Will)
_ASIDE = regex.compile(r"(?:who|which|whose|aged|\d|in|on|at|speaking|writing|during|after|before|when|while|like|as|"
                       r"\p{Ll}+(?:ed|en)\s+by|led\s+by|run\s+by)\b", regex.I)  # ("The union, led by Reyes, said")
_PASSIVE = regex.compile(r"\b(?:was|were|been|being|is|are)\s+$", regex.I)
_REPLY = regex.compile(r"\b(?:then|back|repl(?:y|ies|ied)|respond(?:s|ed)?|answer(?:s|ed)?|retort(?:s|ed)?)\b", regex.I)
# ", which the Tax Foundation estimates would cost": a verb in a relative clause attributes nothing
_RELATIVE_VERB = regex.compile(r",\s*(?:which|whom|that)\s+[^,;:“”\"]{0,80}$", regex.I)
_INITIALS = regex.compile(r"(?<![\p{L}.])(?:\p{Lu}\.)+(?=\s)")
_ABBREV_DOT = regex.compile(r"\b(Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Capt|Sgt|St|Jr|Sr|Adm|Cmdr|Maj|Rev|Hon)\.")
_REPORTING_SOURCE = regex.compile(
    r"(?:a|an|the|un|une|le|la)?\s*(?:report|reports|figures|data|study|survey|poll|documents?|rapport|"
    r"sources?|estimates?|statistics|records|analysis|reuters|ap|afp)\b", regex.I)
_FA_POST = regex.compile(r"(?P<np>[^،.:«»]{1,40}?)\s+(?:" + FA_VERB_RE.pattern + r")")
_FA_PRE = regex.compile(r"(?:" + FA_VERB_RE.pattern + r")\s*[:：]?\s*$")
_FA_STATING = regex.compile(r"با\s+(?:بیان|اشاره\s+به|تأکید\s+بر|تاکید\s+بر)\s+(?:این\u200c?\s*که|اینکه)\s*$")
_FA_PRE_KE = regex.compile(r"(?:" + FA_VERB_RE.pattern + r")\s+(?:که)\s*:?\s*$")
_THEN_ADDING = regex.compile(r"^[\s,]*(?:[^.!?«»“”]{0,60},\s*)?(?:avant|puis|et)\s+d['’](?:ajouter|expliquer|préciser|conclure|"
                             r"insister|souligner|affirmer|lancer|poursuivre)\s*:?\s*$", regex.I)
_FR_INCISE = (r"(?:(?:a|ont|avait)-t-|(?:a|ont)\s+)?(?:" + FR_VERB_PATTERN
              + r")(?:-t)?-(?P<pro>il|elle|ils|elles|on)\b")
_FR_INCISE2 = r"(?:a|ont)-t-(?P<pro>il|elle|ils|elles)\s+(?:" + FR_VERB_PATTERN + r")"
_FR_INVERTED = (r"(?:a|ont|avait)?\s*(?:" + FR_VERB_PATTERN + r")\s+(?P<np>[^,.;:«»]{2,60}?)"
                r"(?=\s+(?:sur|dans|lors|à|au|aux|devant|pendant|en|après|avant|depuis|chez|face|lundi|mardi|"
                r"mercredi|jeudi|vendredi|samedi|dimanche)\b|[,.;:«»]|$)")


def _last_sentence(s: str) -> str:
    if not s.strip():
        return ""
    spans = split_sentences(s)
    if not spans:
        return ""
    a, b = spans[-1]
    last = s[a:]
    if _rx(r"[.!?…؟]\W*$", 0).search(s[a:b].rstrip()) and not s[b:].strip():
        return ""  # the text before the quote is a finished sentence
    return last


def _first_sentence(s: str) -> str:
    spans = split_sentences(s)
    return s[: spans[0][1]] if spans else s


def _adjacent(q: Quote, before: str, after: str, reg: Registry) -> tuple[Speaker | None, str]:
    """S1/S2: a speech verb right after the quote, or in the words leading up to it."""
    tail = q.text.rstrip()
    open_end = (not _rx(r"[.。]\W*$", 0).search(tail)) or tail.endswith((",", "،")) or (after.strip()[:1].islower()) or after.lstrip()[:1] == "،"
    fa = bool(PERSIAN.search(before + after))
    # "O'Malley lamented her gaffes - “…” - Democrats said": set off by dashes on both sides
    set_off = _rx(r"(?:\s-|—|–)\s*$", 0).search(before) is not None and _rx(r"\s*(?:-\s|—|–)", 0).match(after) is not None
    # "“Why now?” Mills then writes back, “You look cute.”": a reply leading into the next quote
    lead_in = _rx(r"[“”\"«»]", 0).split(after, maxsplit=1)[0]
    reply = lead_in.rstrip().endswith((",", ":")) and _REPLY.search(lead_in.split(",")[0]) is not None
    # "“…!” She replied to him that …": a capital pronoun after a closed question or exclamation starts a sentence
    new_sentence = tail.endswith(("?", "!")) and _rx(r"\s*(?:He|She|They)\s+\S+\s+\S+\s+\S+", 0).match(after) is not None
    if (open_end or _CLOSED_ATTRIBUTION.match(after)) and after.strip() and not set_off and not reply and not new_sentence:
        sp = _post(after, reg, fa)  # (“… missing.” Trump said.: a closed quote, then a name and a verb)
        if sp is not None:
            return sp, "after"
    if not fa and tail.endswith((",", "?", "!")) and not new_sentence:
        sp = _any_verb_after(after, reg)
        if sp is not None:
            return sp, "after"
    if before.strip():
        sp = _pre(before, reg, fa, q.partial)
        if sp is not None:
            return sp, "before"
    if not fa and after.strip():
        sp = _sentence_end(after, reg)
        if sp is not None:
            return sp, "sentence-end"
    return None, ""


# “…?” Hannity pressed. / “…,” she shrugged.: a name or pronoun and a past-tense verb close the sentence
_ANY_VERB = regex.compile(r"\s*(?P<np>" + NAME_RUN + r"|[Hh]e|[Ss]he)\s+"
                          r"(?P<v>\p{Ll}{3,}ed)(?:\s+(?:back|on|in|at|to|during|after|from|as|when)\b[^.;:!?“”\"«»]{0,60})?\s*[.,]")


# “…?” pressed Hannity.: the same, inverted, with a person the story names
_ANY_VERB_INVERTED = regex.compile(r"\s*(?P<v>\p{Ll}{3,}ed)\s+(?P<np>" + NAME_RUN + r")\s*[.]")
_NOT_SPEECH_ED = ("used", "based", "called", "named", "titled", "dubbed", "entitled", "labeled", "labelled", "described",
                  "printed", "displayed", "headlined", "aired", "featured", "starred", "signed", "captioned")


def _any_verb_after(after: str, reg: Registry) -> Speaker | None:
    """A quote ending in a comma or a question and, after it, only "Name verbed." (a speech verb the
    lexicon lacks: pressed, elaborated, sniffed): the name is the speaker."""
    m = _ANY_VERB.match(after)
    if m is None:
        m = _ANY_VERB_INVERTED.match(after)
        if m is None or m.group("v") in _NOT_SPEECH_ED:
            return None
        sp = parse_np(m.group("np"), reg)
        return sp if sp is not None and sp.kind == "person" and sp.name in reg.names else None
    if m.group("v") in _NOT_SPEECH_ED:
        return None
    np = m.group("np")
    if np.lower() in PRONOUNS:
        return Speaker(None, "pronoun", gender=PRONOUNS[np.lower()])
    sp = parse_np(np, reg)
    return sp if sp is not None and sp.kind == "person" and sp.name else None


_TITLE_IN_ASIDE = regex.compile(r"[“\"](?P<t>\p{Lu}[\p{L}'’\-]*(?:\s+[\p{L}'’\-]+){0,5}?)(?P<p>[,.]?)[”\"](?=,?\s)")
_PARTICIPLE_LEAD = regex.compile(r"(?:Adding|Continuing|Noting|Concluding|Explaining|Insisting|Arguing)(?:\s+that)?\s*[,:]")


def _participle_lead(lead: str, reg: Registry) -> Speaker | None:
    """"Maher stated that the report “wasn’t good.” Adding, “…”": a sentence that is only a participle
    leading into the quote carries on the subject of the sentence before, when that one is a speech."""
    spans = split_sentences(lead)
    if len(spans) < 2:
        return None
    a, b = spans[-2]
    return _speaking_subject(_QUOTED.sub("…", lead[a:b]), reg)  # (its own partial quotes set aside)


def _sentence_end(after: str, reg: Registry) -> Speaker | None:
    """“…” in comparison to Obama, Gingrich said. / Fundraising was “…” as donors waited, he said.:
    a short closing clause, after the sentence's last comma, that is the attribution."""
    rest = after.rstrip()
    if not rest.endswith(".") or _rx(r"[“”\"«»]", 0).search(rest):
        return None
    cut = rest.rfind(",")
    if cut < 0 or len(rest[cut + 1 :].split()) > 10:
        return None
    clause = rest[cut + 1 :]
    m = EN_VERB_RE.search(clause)
    if m is None or not m.group().lower().startswith((*CORE_VERBS, "explained", "argued", "noted", "insisted",
                                                      "recalled", "continued")):
        return None
    sp = _post_en(clause, reg)
    return sp if sp is not None and (sp.name or sp.kind == "pronoun") else None


_DASH_NAME_SENTENCE = regex.compile(r"\s*(?:—|–|\s-)\s*(?P<np>" + NAME_RUN + r")\.\s+\p{Lu}")


def _dash(after: str, reg: Registry) -> Speaker | None:
    """“…” — Jane Doe, chair of X: a dash, a name (and a role) and nothing else to the paragraph's end."""
    m = _rx(r"\s*(?:—|–|\s-)\s*(?P<np>[^.;!?“”\"«»()]{2,160}?)\s*[.]?\s*$", 0).match(after)
    if m is None:  # "“…” - Bernie Sanders. The senator is relying on …": the name, then the article goes on
        m = _DASH_NAME_SENTENCE.match(after)
        sp = parse_np(m.group("np"), reg) if m is not None else None
        return sp if sp is not None and sp.kind == "person" and sp.name in reg.names else None
    if len(m.group("np").split()) > 25 or EN_VERB_RE.search(m.group("np")):
        return None
    sp = parse_np(m.group("np").split(",")[0], reg)
    return sp if sp is not None and sp.name and sp.kind in ("person", "org") else None


_HEADING = regex.compile(r"\s*(?:(?:Full|Joint|Official)\s+)?(?:Statement|Quote|Quotes|Comment|Comments|Remarks|Reaction|Response)\s+"
                         r"(?:by|from|of)\s+(?:the\s+)?(?P<np>" + NAME_RUN + r")(?:,[^:.]{1,120}?,?)?(?:\s+(?:on|about|regarding)\s+[^:]{1,120})?[:.]?$")


def _colon_intro(prev: str, reg: Registry) -> Speaker | None:
    """A quote standing on its own paragraph after "Sentencing him, the judge told Linton:", or after
    a press release's heading ("Statement by Sara Okafor on the ruling", "Quote from Sara Okafor,
    Executive Director:")."""
    s = prev.rstrip()
    heading = _HEADING.match(s) if len(s.split()) <= 25 else None
    if heading is not None:
        sp = parse_np(heading.group("np"), reg)
        if sp is not None and sp.kind in ("person", "org") and sp.name:
            return sp
    if not s.endswith(":"):
        return None
    last = _last_sentence(s) or s
    return _pre(last, reg, bool(PERSIAN.search(last)))


def _post(after: str, reg: Registry, fa: bool) -> Speaker | None:
    s = after.lstrip(" \u00a0\u202f,،—–-")
    if fa:
        m = _FA_POST.match(s)
        return parse_np(m.group("np"), reg) if m else None
    if FRENCHY.search(s) or _rx(r"-(?:t-)?(?:il|elle|ils|elles|on)\b", 0).search(s):
        sp = _post_fr(s, reg)
        if sp is not None:
            return sp
    return _post_en(s, reg)


def _post_fr(s: str, reg: Registry) -> Speaker | None:
    fr = _rx(_FR_INCISE, regex.I).match(s)
    if fr:
        return Speaker(None, "pronoun", gender=PRONOUNS.get(fr.group("pro").lower(), "")) if fr.group("pro") != "on" else None
    fr = _rx(_FR_INCISE2, regex.I).match(s)
    if fr:
        return Speaker(None, "pronoun", gender=PRONOUNS.get(fr.group("pro").lower(), ""))
    s = _rx(r"\b(M|Mme|Mlle|Me|Dr|Pr)\.(?=\s)", 0).sub(r"\1", s)  # "a déclaré M. Garnier à l'AFP"
    fr = _rx(_FR_INVERTED, regex.I).match(s)
    if fr and not EN_VERB_RE.match(s):
        return parse_np(fr.group("np"), reg)
    return None


# A short parenthetical after a name: a party and state ("(D-Nev.)"), an age, an acronym.
_ASIDE_PARENS = regex.compile(r"[ \u00a0]*\([^()“”\"«»]{1,40}\)|,\s*[RDI]-[A-Z][A-Za-z.]{1,6},?(?=\s)")


# "“…,” reads a Wednesday editorial in …" / "“…,” the statement reads." / "The headline reads: “…”":
# "read" is speech only for a document
_READS_AFTER = regex.compile(r"(?:reads?\s+(?P<a>[^.;:!?“”\"«»]{3,120})|(?P<b>[^.;:!?“”\"«»]{3,80}?)\s+reads?)\s*(?:[.,;]|$)")
_READS_BEFORE = regex.compile(r"(?:^|[.!?]\s+)(?P<b>[^.;:!?“”\"«»]{3,80}?)\s+reads?\s*[:,]?\s*$")


def _document_reads(s: str, before: bool = False) -> Speaker | None:
    m = (_READS_BEFORE.search(s) if before else _READS_AFTER.match(s.strip(" ,")))
    if m is None:
        return None
    np = m.groupdict().get("a") or m.group("b")
    return document(np.split(",")[0] if m.groupdict().get("a") else np)


def _post_en(s: str, reg: Registry) -> Speaker | None:
    doc = _document_reads(s)
    if doc is not None:
        return doc
    s = _ASIDE_PARENS.sub("", s[:200]) + s[200:]
    # (not a capitalised "Post"; not a noun before the verb: "the congressional report said")
    m = next((v for v in EN_VERB_RE.finditer(s[:140]) if not (v.start() and _CAPITAL_VERB.match(s, v.start()))
              and not _VERB_NEXT.match(s, v.end())), None)
    if m is None:
        return None
    np = s[: m.start()].strip()
    if _PASSIVE.search(s, max(0, m.start() - 12), m.start()):
        # "“…,” Reyes was told by Lopez.": the one told is not the speaker; the agent after "by" is
        agent = _rx(r"\s+by\s+(?P<np>[^.,;:!?“”\"«»]{2,80})", 0).match(s, m.end())
        sp = parse_np(agent.group("np"), reg) if agent else None
        return sp if sp is not None and sp.kind in ("person", "org") and sp.name else None
    if np.endswith(",") and not _rx(r"[“”\"«».;!?]", 0).search(np) and m.group().lower().startswith(("say", "said")):
        # “…” but to take the lead in advertising, says Evan Tracey: the rest of the quoted sentence
        found = _post_en(s[m.start() :], reg)
        if found is not None and found.kind in ("person", "org"):
            return found
    if _rx(r"\s+(?:it|this|that|them)\b", 0).match(s, m.end()):
        return None  # "“…?” Her critics cited it as evidence": the quote is the verb's object, not its speech
    if not np and m.group().lower() in PARTICIPLES:
        return None  # "“…” promising the Friends of Abe will return": a participle, not "said X"
    if not np:  # inverted: "said Tom Reyes, an analyst at Fincorp."
        rest = _ABBREV_DOT.sub(r"\1", s[m.end() :])
        rest = _rx(r"(?<!\b\p{Lu})[.;:!?“”\"«»(]", 0).split(rest, maxsplit=1)[0]  # not "J.J. MacNab", "U.S."
        doc = document(rest.split(",")[0])
        if doc is not None:  # "reads a Wednesday editorial in The Des Moines Register": kept whole
            return doc
        # "said Sen. Jim Whelan who represents ...", "says Stu Rothenberg of the non-partisan Report"
        rest = _rx(r"(?<=\p{Lu}[\p{L}'’\-]+)\s+(?:who|which|whose|of\s+the|at\s+the|from\s+the)\s.*$", 0).sub("", rest)
        group = _GROUP.fullmatch(rest.split(",")[0].strip())  # "a longtime adviser to Trump": kept whole
        if "," not in rest and not group:
            rest = _rx(r"\s+(?:in|on|during|after|before|when|while|as|last|this|on|to|that|about|from|via|at\s+a)\s+", 0).split(rest, maxsplit=1)[0]
        segs = rest.split(",")
        if not group:
            segs[0] = _rx(r"\s+(?:in|on|during|after|before|when|while|as|last|this|to|that|about|from|via)\s+", 0).split(segs[0], maxsplit=1)[0]
        segs = [segs[0]] + list(itertools.takewhile(lambda x: not _rx(r"\s*(?:who|which|whose)\b", 0).match(x), segs[1:]))
        named_after = len(segs) > 1 and _rx(r"\s*\p{Lu}[\p{L}.'’\-]+(?:\s+\p{Lu}[\p{L}.'’\-]+){1,3}\s*$", 0).fullmatch(segs[1])
        if len(segs) > 1 and not named_after and not _rx(r"\s*(?:the|a|an|who|which|whose|former|then|now)\b", regex.I).match(
                segs[1]) and not ROLE_NOUNS.search(segs[1]):
            segs = segs[:1]  # (kept: "said Rubio’s deputy campaign manager, Rich Beeson, who …")
        phrase = ",".join(segs[:2]).strip()
        if phrase.lower() in PRONOUNS:
            return Speaker(None, "pronoun", gender=PRONOUNS[phrase.lower()])
        return parse_np(phrase, reg) if phrase else None
    if _LEADING_LINK.match(np):
        return None  # "… with Florida Sen. Marco Rubio, in a finish that he said": not the verb's subject
    np = _AUX.sub("", " " + _ABBREV_DOT.sub(r"\1", np)).strip()  # "Sen. Harry Reid told"
    if "," in np and len(np.split()) > 12 and not _rx(r"[“”\"«»;!?]", 0).search(np):
        # "Robert Coyle, attorney for one of four groups to file suit over the law, said"
        head = parse_np(np.split(",")[0], reg)
        return head if head is not None and head.kind == "person" and len((head.name or "").split()) >= 2 else None
    if _rx(r"[“”\"«».;!?]", 0).search(_INITIALS.sub("", np)) or len(np.split()) > 12:  # ("Harry M. Reid")
        return None
    sp = parse_np(np, reg)
    of = _rx(r"(?P<p>(?:\p{Lu}[\p{L}.'’\-]*\s+){1,3}\p{Lu}[\p{L}'’\-]+)\s+(?:of|at|from)\s+(?:the\s+)?\p{Lu}", 0).match(np) if sp is None else None
    if of is not None:  # "Chief Luis Arriaga of the Klamath County Fire District"
        person = parse_np(of.group("p"), reg)
        return person if person is not None and person.kind == "person" and len((person.name or "").split()) >= 2 else None
    return sp


# ", where about 50 protesters had gathered on Wednesday," before a participle: a clause with its own subject
_SUBORDINATE = regex.compile(r"(?:,|\s[—–-])\s+(?:where|when|while|as|after|because|since)\s+(?P<np>(?:[\p{L}\d'’\-]+\s+){0,5}?[\p{L}\d'’\-]+)"
                             r"\s+(?:had|have|has|were|was|are|is|would|could|\p{Ll}{3,}ed)\b[^,;:“”\"]*,?\s*$")
_WHAT_CALLED = regex.compile(r"\b(?:what|which|that)\s+(?:(?:[\p{L}.'’\-]+\s+){0,4}\p{Ll}+\s+)?(?P<np>" + NAME_RUN + r")\s+(?:has\s+|had\s+)?(?:called|calls|termed|terms|dubbed|"
                          r"dubs|described\s+as|describes\s+as)(?:\s+(?:an?|the))?\s*$")
_OWN_RESPONSE = regex.compile(r"(?:^|[.!?]\s+)(?P<who>" + NAME_RUN + r")['’]s?\s+(?:\p{Ll}+\s+)?(?:response|reply|answer|"
                           r"reaction|retort|verdict)\s+(?:was|came)\b[^.:;“”\"]{0,40}:\s*$")
_NAME_COLON = regex.compile(r"\s(?:\p{Ll}+\s+){0,2}(?P<np>" + NAME_RUN + r"):$")  # a name closing an intro
_ASKED_BY = regex.compile(r"\s+by\s+(?:\p{Ll}+\s+){0,2}(?P<np>" + NAME_RUN + r")\s*(?:,[^,;:.“”\"]{3,120})?,\s*$")
_VERB_NEXT = regex.compile(r"\s+" + CORE_VERB + r"\b", regex.I)
_GOES_ON_SPEECH = regex.compile(r"\s*(?:[,:]|to\s+\p{Ll}+)", regex.I)
_DASH_LABEL = regex.compile(r"(?:^|\s)[-–—]\s*(?P<n>\p{Lu}[\p{L}'’.\-]+(?:\s+\p{Lu}[\p{L}'’.\-]+){1,3}):$")
_WITH_NP = regex.compile(r"\bwith\s+(?P<np>" + NAME_RUN + r"|him|her)(?:\s+\p{Ll}+ly)?$")


def _someone_before(s: str, reg: Registry) -> bool:
    """Does `s` name a person other than in a possessive ("Sanders’ surge" names no one who speaks)?"""
    for m in _rx(NAME_RUN, 0).finditer(s):
        if m.group().endswith(("'", "’", "'s", "’s")) or _rx(r"['’]", 0).match(s, m.end()):
            continue
        sp = parse_np(m.group(), reg)
        if sp is not None and sp.kind == "person":
            return True
    return False


def _pre(before: str, reg: Registry, fa: bool, partial: bool = False) -> Speaker | None:
    s = _ASIDE_PARENS.sub("", before).rstrip()  # "Maria Lopez (D-N.M.) said,"
    # a title in an aside ("speaking on CNN’s “State of the Union,” said"): its marks are no quote
    s = _TITLE_IN_ASIDE.sub(lambda m: m.group("t") + m.group("p"), s)
    if fa:
        m = _FA_PRE.search(s) or (
            _FA_PRE_KE.search(s))
        if not m:
            return _pre_ar(s, reg)
        head = s[: m.start()].strip(" ،,")
        head = _rx(r"[.؟!:]\s+", 0).split(head)[-1]
        head = _rx(r"^(?:به\s+گزارش\s+[^،]+،\s*)", 0).sub("", head)
        return parse_np(head, reg) if head else None
    doc = _document_reads(s, before=True)
    if doc is not None:  # "The snarky headline reads: “…”"
        return doc
    dashed = _DASH_LABEL.search(s)
    if dashed:  # "Pollsters agree - Carl Bialik: “…”": a name set off by a dash labels the quote
        sp = parse_np(dashed.group("n"), reg)
        if sp is not None and sp.kind == "person" and sp.name:
            return sp
    called = _WHAT_CALLED.search(s)
    if called is not None:  # "what Sroka called a “let a thousand flowers bloom” approach": Sroka's words
        sp = parse_np(called.group("np"), reg)
        if sp is not None and sp.kind in ("person", "org") and sp.name:
            return sp
    own = _OWN_RESPONSE.search(s)
    if own is not None:  # "Reyes’ response was swift:": the words that follow are his reply
        sp = parse_np(own.group("who"), reg)
        if sp is not None and sp.kind in ("person", "org") and sp.name:
            return sp
    ends_intro = bool(_rx(r"(?:[:,—–-]|\bthat|\bque|\bqu')\s*$", regex.I).search(s)) or not s
    verbs = [v for v in EN_VERB_RE.finditer(s) if not _CAPITAL_VERB.match(s, v.start())] + (
        list(fr_verb_re().finditer(s)) if FRENCHY.search(s) else [])  # "the United States" is no verb
    # "in a note", "the post", "his statement": nouns, not verbs
    verbs = [v for v in verbs if not _NOUN_DET.search(s, max(0, v.start() - 8), v.start())]
    verbs.sort(key=lambda m: m.start())
    # "She went on to thank the engineers:": the infinitive is not the speech verb
    verbs = [v for i, v in enumerate(verbs) if not (i and s[max(0, v.start() - 3) : v.start()].lower() == "to ")]
    # "Cruz said he's certain Rubio will continue to be “…”": a verb after a modal is no attribution
    verbs = [v for v in verbs if not _MODAL_BEFORE.search(s, max(0, v.start() - 12), v.start())]
    verbs = [v for v in verbs if not _RELATIVE_VERB.search(s, max(0, v.start() - 100), v.start())]
    # "once the Senate goes on recess": "goes on" is speech only before a comma, a colon or "to say"
    verbs = [v for v in verbs if not (v.group().lower().endswith(" on") and not _GOES_ON_SPEECH.match(s, v.end()))]
    if verbs and _PASSIVE.search(s, max(0, verbs[-1].start() - 12), verbs[-1].start()):
        # "Lopez was asked by Reyes, who opposes the plan, “…”": the words are the one asking's
        agent = _ASKED_BY.match(s, verbs[-1].end())
        sp = parse_np(agent.group("np"), reg) if agent is not None else None
        return sp if sp is not None and sp.kind in ("person", "org") and sp.name else None
        # ("Haddad was asked by Vogt whether “…”": the question is reported, no one's words)
    if verbs and s.endswith((":", ",")) and not verbs[-1].group().lower().startswith("tel"):  # "told her supporters,"
        inverted = s[verbs[-1].end() :].strip(" :,")
        lead = s[: verbs[-1].start()].strip()
        subject = _tail_np(lead) if lead else None  # "Clinton, who called Sanders, told …": a subject, not inverted
        if (inverted and (not lead or (lead.endswith(",") and (not subject or parse_np(subject, reg) is None)))
                and not EN_VERB_RE.search(inverted) and len(inverted.split()) <= 8):
            sp = parse_np(inverted, reg)  # "In other words, explained CBS moderator Nancy Cordes:" / "Said Comey,"
            if sp is not None and sp.kind in ("person", "org", "group") and sp.name:
                return sp
    if not verbs and s.endswith(":"):
        label = _rx(r"(?:^|[.!?]\s+)(?P<n>\p{Lu}[\p{L}'’.\- ]{1,40}):$", 0).search(s)
        name = reg.canonical(label.group("n").strip()) if label is not None else ""
        if name in reg.names:  # "Clinton: “…”": a name the story knows, as a label
            return Speaker(name, "person", reg.roles.get(name))
        tail = _NAME_COLON.search(s)  # "… doesn’t surprise Republican pollster Daron Shaw: “…”"
        sp = parse_np(tail.group("np"), reg) if tail is not None else None
        if (sp is not None and sp.kind == "person" and len((sp.name or "").split()) >= 2 and tail is not None
                and not _someone_before(s[: tail.start()], reg)):  # ("Tom Reyes met Maria Lopez:" is unclear)
            return sp
    if verbs:
        v = verbs[-1]
        if s.endswith(":"):  # "Loretta Lynch, who told Congress when asked last month about it:"
            v = next((w for w in verbs if _WHO_END.search(s, 0, w.start())), v)
        rest = s[v.end() :]
        n_rest = len(rest.split())
        # a partial quote ends the speaker's own sentence: "X said in a statement that it ... "open to talks.""
        reported = partial and n_rest <= 40 and not _rx(r"[“”\"«»]", 0).search(rest) and not any(
            not ORG_NOUNS.search(m.group().split()[-1].lower())  # a committee is no rival
            for m in _rx(r"\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)+", 0).finditer(rest))
        # "Clinton initially said in the spring, when the story broke, “…”": an adverbial aside before the quote
        aside = ends_intro and n_rest <= 16 and _ASIDE.match(rest.strip()) is not None
        if (n_rest <= 10 and (ends_intro or n_rest <= 4)) or (s.endswith(":") and n_rest <= 30) or reported or aside:
            word = v.group().lower()
            head_text = s[: v.start()].rstrip()
            # ("X said … and then added"; a bare "then" is an adverb: "The statement then declares")
            joined = _rx(r"(?:,|\b(?:and|but|before|after|while|later)|(?:,|\band|\bbut)\s+then)$", regex.I).search(head_text)
            who = _WHO_END.search(head_text + " ")
            if who is not None:  # "said John Weaver, who said …", "Loretta Lynch, who told Congress …:"
                np = _tail_np(head_text[: who.start()])
                sp = parse_np(np, reg) if np else None
                return sp if sp is not None and sp.kind in ("person", "group") and sp.name else None
            spoke = _SAID_THEN.search(head_text) if word in PARTICIPLES else None
            absolute = _WITH_NP.search(head_text) if word in PARTICIPLES else None
            if absolute is not None:  # "…, with Trump reportedly yelling: “…”": the one after "with"
                np = absolute.group("np")
            elif spoke is not None and _tail_np(head_text[: spoke.start()]):
                np = _tail_np(head_text[: spoke.start()])  # "…, Nefzi said, adding,": the one who said
            elif word in PARTICIPLES and (clause := _SUBORDINATE.search(head_text)) is not None:
                # "Lopez spoke near the hotel, where about 50 protesters had gathered, chanting “…”":
                # the participle goes with the nearer clause's subject, or with no one sure
                sp = parse_np(clause.group("np"), reg)
                return sp if sp is not None and sp.kind in ("person", "group", "org") and sp.name else None
            elif (word in PARTICIPLES and (joined or not head_text or not head_text.endswith(","))) or (
                    joined and not head_text.endswith(",")):
                # ("Thiel wrote in a statement to Wired explaining": not Wired; "The Foundation did not
                # want to address “that person,” telling": its own earlier partial quote set aside)
                np = head_np(_QUOTED.sub("…", head_text))
            elif word == "selon":  # "Selon le ministre des Transports, Philippe Garnier, « ... »"
                np = rest.split("«")[0].strip(" ,\u00a0\u202f")
            else:
                np = _tail_np(head_text)
            if np:
                return parse_np(np, reg)
    if s.endswith(":") and SPEECH_NOUNS.search(s):
        np = head_np(s)
        return parse_np(np, reg) if np else None
    return None


def _pre_ar(s: str, reg: Registry) -> Speaker | None:
    """Arabic, verb first: "وقال المزارع محمود عبد السلام، الذي ...: «" / "قالت الدكتورة X، أستاذة ...، إن «"."""
    verbs = list(AR_VERB_RE.finditer(s))
    if not verbs:
        return None
    v = verbs[-1]
    rest = s[v.end() :]
    if len(rest.split()) > 30 or not _rx(r"(?:[:،,]|(?<!\p{L})[إأ]ن(?:ه|ها|هم)?(?:\s+\p{L}+)?)\s*$", 0).search(rest):
        return None
    gender = "f" if v.group().endswith("ت") else "m"
    subject = _rx(r"[،,:]|\s(?:[إأ]ن|[إأ]نه|[إأ]نها|في|خلال|لـ)\s", 0).split(" " + rest + " ", maxsplit=1)[0].split()
    if not subject:
        return Speaker(None, "pronoun", gender=gender)  # "وأضاف: «…»"
    if subject[0] in AR_GENERIC:
        return None  # "مسؤول محلي، طلب عدم الكشف عن اسمه": anonymous
    if subject[0] in ("متحدث", "متحدثة", "المتحدث", "المتحدثة", "الناطق", "ناطق") and len(subject) > 2 and subject[1] == "باسم":
        return Speaker(reg.org(" ".join(subject[2:])), "org", role="Spokesperson")
    while subject and (subject[0] in AR_ROLES or (subject[0].startswith(("ال", "لل")) and len(subject) > 2)):
        subject = subject[1:]  # "المزارع محمود عبد السلام", "وزير الخارجية أحمد ..."
    if not 2 <= len(subject) <= 4:
        return None  # one word may be a noun; five are a clause
    name = reg.canonical(" ".join(subject))
    return Speaker(name, "person", reg.roles.get(name), gender)


_LEADING_LINK = regex.compile(r"(?:with|in|on|at|for|from|to|by|than|about|after|before|over|against|because|while|"
                               r"when|until|unless|since|if|though|although|whether|where)\s", regex.I)
_MODAL_BEFORE = regex.compile(r"\b(?:will|would|can|could|may|might|should|must|shall)\s+$", regex.I)
_CAPITAL_VERB = regex.compile(r"(?<=\p{L}[\p{L},]*\s+)\p{Lu}")  # a capital after a word: "the United States"
_CLOSED_ATTRIBUTION = regex.compile(r"\s*(?:\p{Lu}[\p{L}.'’\-]*\s+){1,3}" + CORE_VERB + r"\b[^.!?“”\"]{0,60}\.\s*$")
_SAID_THEN = regex.compile(r"\s+" + CORE_VERB + r"(?:\s+\p{L}+)?\s*,?\s*$", regex.I)  # "Nefzi said, adding,"
_WHO_END = regex.compile(r"(?:,\s*|\s+)who(?:\s+\p{Ll}+ly)?\s*$")
_GROUP_DETS = {"another", "one", "some", "many", "several", "two", "three"}


_PREPOSITIONS = {"of", "for", "about", "against", "with", "to", "by", "from", "at", "in", "on", "among", "between"}


def _tail_np(t: str) -> str | None:
    """The subject phrase right before a speech verb: "The French MP, Nathalie Loiseau," / "Commander Ahmad Massoud"."""
    t = _AUX.sub("", " " + t).strip()
    t = _rx(r"\s+(?:on|last|this)\s+\p{L}+$", 0).sub("", t)
    if t.endswith(","):  # an aside or an appositive before the verb
        segs = [x.strip() for x in t.rstrip(",").split(",")]
        aside = next((k for k in range(1, len(segs)) if _ASIDE.match(segs[k])), None)
        if aside is not None:  # "Ortiz, 45, who has led the union since 2019,", "Clinton, during a town hall in Columbus, Ohio,"
            segs = segs[:aside]
        if len(segs) == 1:
            return _tail_np(segs[0])
        if len(segs) >= 2:
            if _rx(r"(?:the|a|an)\s", regex.I).match(segs[-2]) and ROLE_NOUNS.search(segs[-2]) and len(segs[-2].split()) <= 10:
                return segs[-2] + ", " + segs[-1]  # "The mayor of Dunmore, Maria Lopez,": the role phrase whole
            head = _tail_np(segs[-2]) or ""
            return (head + ", " + segs[-1]) if head else segs[-1]
        t = t.rstrip(",")
    words = t.split()
    if not words:
        return None
    last = words[-1].lower()
    if last in PRONOUNS or words[-1] in PRONOUNS:
        return words[-1]
    if (len(words) >= 2 and words[-1].islower() and (ROLE_NOUNS.fullmatch(words[-1]) or ORG_NOUNS.fullmatch(words[-1]))
            and _rx(r"\p{Lu}[\p{L}.\-]*['’]s?", 0).fullmatch(words[-2])):
        j = len(words) - 2  # "Lopez’s spokesman said": the person's spokesman, office, campaign
        while j > 0 and np_word(words[j - 1]):
            j -= 1
        return " ".join(words[j:])
    if len(words) >= 2 and words[0] in ("As", "Like") and all(np_word(w) for w in words[1:]):
        return " ".join(words[1:])  # "As Lopez put it,"
    i = len(words)
    while i > 0 and np_word(words[i - 1]) and not (i < len(words) and words[i - 1].endswith(",")):
        i -= 1  # (a comma ends the subject: "In a post late on Sunday, Achebe wrote")
    if 1 < i < len(words) and words[i - 1] == "and" and np_word(words[i - 2]) and not words[i - 2].endswith(","):
        j = i - 1  # "Lopez and Reyes said": both of them
        while j > 0 and np_word(words[j - 1]) and not words[j - 1].endswith(","):
            j -= 1
        return " ".join(words[j:])
    if 0 < i < len(words) and _rx(r"\p{Ll}{3,}ing", 0).fullmatch(words[i - 1]) and words[i - 1] not in ("during", "according"):
        return None  # "White America embracing Obama announced": Obama is the participle's object
    if 1 < i < len(words) and words[i - 1].lower() in ("to", "for", "on", "with") and _rx(r"\p{Ll}{3,}ing", 0).fullmatch(words[i - 2]):
        return _tail_np(" ".join(words[: i - 2]))  # "Another source speaking to Fox News said": not Fox News
    if (0 < i < len(words) and words[i - 1].lower() in ("in", "from", "near", "outside") and words[0].lower() in DETS | _GROUP_DETS
            and _GROUP.fullmatch(" ".join(words))):
        return " ".join(words)  # "A teacher in Herat": someone unnamed, not the place
    if 1 < i < len(words) and words[i - 1] == "of" and ORG_NOUNS.fullmatch(words[i - 2].lower()):
        i -= 2  # "the Ministry of Foreign Affairs said": the whole name, not "Foreign Affairs"
        while i > 0 and np_word(words[i - 1]):
            i -= 1
    elif 0 < i < len(words) and words[i - 1].lower() in ("of", "at", "from") and i >= 3:
        j = i - 1  # "Nadia Brooks of Kepler Partners": the person, not the firm
        while j > 0 and np_word(words[j - 1]):
            j -= 1
        if i - 1 - j >= 2:
            words, i = words[: i - 1], j
    if i == len(words):
        for j in range(len(words) - 1, max(-1, len(words) - 7), -1):
            if words[j].lower() in DETS or words[j].lower() in _GROUP_DETS:  # "Another commenter said,"
                if j and words[j - 1].lower() in _PREPOSITIONS:
                    continue  # "Leaders of the organization", "A woman in the crowd": look further back
                return " ".join(words[j:])
        if len(words) <= 4 and _GROUP.fullmatch(" ".join(words)) and words[-1].endswith("s"):
            return " ".join(words)  # "Dock workers chanted": a group with no determiner
        return None
    while i > 0 and (words[i - 1].lower() in DETS or words[i - 1].lower() in ("former", "deputy", "acting") or ROLE_NOUNS.fullmatch(words[i - 1])):
        i -= 1
    return " ".join(words[i:])


def _according_to(s: str, reg: Registry) -> tuple[Speaker | None, str]:
    """S3: "according to X", "selon X", "d'après X", "به گفته X"."""
    m = _rx(r"\b(?:according\s+to|selon|d['’]après)\s+(?P<np>[^,.;:“”\"«»()]{2,80})", regex.I).search(s)
    if m is None:  # "Pour l'économiste Jean-Marc Leroy, « ... »": a named person only
        m = _rx(r"^\s*Pour\s+(?P<np>[^,.;:«»]{2,60}),", 0).search(s)
        if m is not None:
            sp = parse_np(_rx(r"^(?:l['’]|le\s+|la\s+)", regex.I).sub("", m.group("np").strip()), reg)
            return (sp, "according-to") if sp is not None and sp.kind == "person" and sp.name else (None, "")
    if m is None:
        m = _rx(r"به\s+گفته\s+(?P<np>[^،,.:«»]{2,60})", 0).search(s)
    if m is None:
        return None, ""
    np = m.group("np").strip()
    if _REPORTING_SOURCE.match(np):  # the reporting source, not a speaker, unless a document that names its owner
        doc = document(np)  # ("according to a report by the UN Assistance Mission in Afghanistan")
        return (doc, "according-to") if doc is not None and doc.sure else (None, "")
    np = _rx(r"\s+(?:in|on|during|at|who|which)\s+", 0).split(np, maxsplit=1)[0]
    sp = parse_np(np, reg)
    if sp is None:
        return None, ""
    return sp, "according-to"  # (a pronoun, "به گفته او", is resolved by the caller)
