"""Who said a quote: the attribution sieves of the methods guide, most precise first.

Adjacent pattern ("Q," she said / X said: "Q"), the attribution inside a split quote, "according to",
pronouns resolved through the people the text names, continuation paragraphs and a single named
candidate. Anything unclear leaves the speaker None: no speaker is better than a wrong one. The
frames read around each quote are in `frames`; this module runs them in order and settles the rest.
"""

from __future__ import annotations

from dataclasses import replace

import regex

from campaign.article.sentences import split as split_sentences
from campaign.highlights.frames import (
    _FA_PRE,
    _FA_STATING,
    _PARTICIPLE_LEAD,
    _THEN_ADDING,
    FRENCHY,
    PERSIAN,
    _according_to,
    _adjacent,
    _colon_intro,
    _dash,
    _first_sentence,
    _last_sentence,
    _participle_lead,
    _post,
    _pre,
    _sentence_end,
)
from campaign.highlights.mentions import AMBIGUOUS, person_mentions
from campaign.highlights.pronouns import (
    _QUOTED,
    State,
    head_np,
    reported_by,
    resolve_pronoun,
)
from campaign.highlights.relayed import relayed
from campaign.highlights.speakers import (
    ORG_NOUNS,
    Registry,
    Speaker,
    _rx,
    parse_np,
)
from campaign.highlights.subject import sentence_subject
from campaign.highlights.values import Quote
from campaign.highlights.verbs import (
    AR_VERB_RE,
    EN_VERB_RE,
    FA_VERB_RE,
    SPEECH_NOUNS,
    fr_verb_re,
)
from campaign.models import Article, Paragraph


def attribute(article: Article, quotes: list[Quote], reg: Registry) -> None:
    text = article.text
    state = State(reg, spans=[(q.opener, q.closer) for q in quotes], text=text)
    by_para: dict[int, list[Quote]] = {}
    for q in quotes:
        by_para.setdefault(q.paragraph, []).append(q)
    for pi, para in enumerate(article.paragraphs):
        pq = by_para.get(pi, [])
        for k, q in enumerate(pq):
            if q.sieve == "label":  # a transcript turn: its label said it
                _set(q, Speaker(q.speaker, "person", q.role, state.reg.genders.get(q.speaker or "", "")), "label", state, pi,
                     text[para.start:q.opener])
                continue
            lo = pq[k - 1].closer if k else para.start
            hi = pq[k + 1].opener if k + 1 < len(pq) else para.end
            before = _last_sentence(text[lo : q.opener])
            after = _first_sentence(text[q.closer : hi])
            sp, sieve = None, ""
            reg.cursor, reg.horizon = q.opener, para.end
            if q.inner is not None:
                sp = _post(text[q.inner[0] : q.inner[1]], reg, bool(PERSIAN.search(q.text)))
                sieve = "inside" if sp is not None else ""
            if sp is None and not PERSIAN.search(q.text):
                relay = relayed(before, reg)
                if relay is not None:  # someone else's words, in a frame that says so
                    if relay.name:
                        _set(q, relay, "relayed", state, pi, before)
                    else:  # say why there is none, for the person who decides
                        q.sieve = "disowned"
                        q.evidence = f"no speaker: the sentence does not give these words to anyone: “{' '.join(before.split())[-160:]}”"
                    continue
            if sp is None:
                sp, sieve = _adjacent(q, before, after, reg)
            if sp is None and _PARTICIPLE_LEAD.fullmatch(before.strip()):
                sp = _participle_lead(text[para.start : q.opener], reg)  # "Maher stated … . Adding, “…”"
                sieve = "before" if sp is not None else ""
            if sp is None and k + 1 == len(pq):
                sp = _dash(text[q.closer : para.end], reg)
                if sp is None and not text[q.closer : para.end].strip() and pi + 1 < len(article.paragraphs):
                    sign = article.paragraphs[pi + 1].text  # "“…”¶- Hillary Clinton.": a signature line of its own
                    sp = _dash(" " + sign, reg) if len(sign) <= 120 and sign.lstrip()[:1] in "-—–" else None
                sieve = "dash" if sp is not None else ""
            if sp is None and k == 0 and pi and not text[para.start : q.opener].strip():
                sp = _colon_intro(article.paragraphs[pi - 1].text, reg)
                sieve = "colon-paragraph" if sp is not None else ""
            if sp is None and k and PERSIAN.search(q.text) and _FA_PRE.search(before):
                # «…»، گفت: «…»: the subject comes before the earlier quote of the same sentence
                masked = "".join(text[pq[j - 1].closer if j else para.start : pq[j].opener] + "«»" for j in range(k))
                sp = _pre(_last_sentence(masked) + before, reg, True)
                sieve = "before" if sp is not None else ""
            if sp is None and k and pq[k - 1].speaker and _THEN_ADDING.search(before):
                sp = Speaker(pq[k - 1].speaker, pq[k - 1].speaker_kind or "person", pq[k - 1].role,
                             sure=pq[k - 1].confident)
                sieve = "then-adding"  # "« … », a-t-il expliqué, avant d'ajouter : « … »"
            if sp is None:
                ends = _rx(r"[.!?]\W*$", 0).search(q.text.rstrip()) is not None  # (a later sentence's "according to" is its own)
                sp, sieve = _according_to(before + " " + ("" if ends else after), reg)
            if (sp is None and _rx(r"[\s,]*\p{Ll}", 0).match(text, q.closer) and not PERSIAN.search(q.text)
                    and _rx(r"[“\"]", 0).search(after)):  # “…” and “…” they need to win, Sroka said.
                sp = _sentence_end(_first_sentence(_masked(text[q.closer : para.end])), reg)
                sieve = "sentence-end" if sp is not None else ""
            if sp is not None and sp.kind == "pronoun":
                q.pronoun = sieve
                q.pronoun_word = (f"the description “{sp.role}”" if sp.role else
                                  "a " + {"m": "masculine ", "f": "feminine ", "n": "plural or neuter "}.get(sp.gender, "")
                                  + "pronoun")
                # "Sentencing him, the judge told Reyes:¶“…”": look before the introducing sentence, not at its object
                upto = _final_sentence_start(article.paragraphs[pi - 1]) if sieve == "colon-paragraph" else None
                sp = resolve_pronoun(sp, state, pi, article, q, upto)
                sieve += "+pronoun" if sp else ""
            if sp is None:
                sp, sieve = _continuation(q, k, pq, article, state, before, after)
            if sp is None or sieve == "single-candidate":  # the sentence's own subject beats a lone name nearby
                subject = sentence_subject(q, article, state, pi)
                if subject is not None:
                    sp, sieve = subject, "subject"
            if sp is not None and sp.name:
                base = sieve.split("+")[0]
                if base in ("reported-before", "colon-paragraph"):  # the paragraph before introduced it
                    shown = _final_sentence(article.paragraphs[pi - 1].text) if pi else ""
                else:
                    shown = {"after": after, "before": before, "sentence-end": after,
                             "inside": text[q.inner[0]:q.inner[1]] if q.inner else ""}.get(base, "")
                _set(q, sp, sieve, state, pi, shown or _around(text, q, para))
    # «…» after "با بیان اینکه" (stating that) belongs to the speaker of the sentence's next quote.
    for i, q in enumerate(quotes[:-1]):
        nq = quotes[i + 1]
        if (not q.speaker and nq.speaker and nq.paragraph == q.paragraph
                and _FA_STATING.search(text, max(0, q.opener - 40), q.opener)):
            q.speaker, q.role, q.speaker_kind, q.sieve = nq.speaker, nq.role, nq.speaker_kind, "stating-that"
            q.confident, q.evidence = nq.confident, f"shares the next quote's speaker: {nq.evidence}"
    # “If there had not been that intervention” by the United States, Clinton said, “we would …”: a
    # quote whose sentence runs on, through the attribution, into the next quote shares its speaker.
    for i, q in enumerate(quotes[:-1]):
        nq = quotes[i + 1]
        between = text[q.closer : nq.opener]
        if (not q.speaker and not q.guess and nq.speaker and nq.sieve == "before" and nq.paragraph == q.paragraph
                and between.rstrip().endswith(",") and len(between) <= 200 and EN_VERB_RE.search(between)
                and not _rx(r"[.!?;:]\s", 0).search(between) and not q.text.rstrip().endswith((".", "!", "?"))):
            q.speaker, q.role, q.speaker_kind, q.sieve = nq.speaker, nq.role, nq.speaker_kind, "split"
            q.confident, q.evidence = nq.confident, f"the attribution between it and the rest of the quote: {nq.evidence}"
    # A quote running over paragraphs shares one speaker.
    for i, q in enumerate(quotes):
        if q.runs_on and i + 1 < len(quotes) and quotes[i + 1].continued:
            nq = quotes[i + 1]
            if q.speaker and not nq.speaker:
                nq.speaker, nq.role, nq.speaker_kind, nq.sieve = q.speaker, q.role, q.speaker_kind, "continued"
                nq.confident, nq.evidence = q.confident, f"continues a quote from the paragraph before: {q.evidence}"
            elif nq.speaker and not q.speaker:
                q.speaker, q.role, q.speaker_kind, q.sieve = nq.speaker, nq.role, nq.speaker_kind, "continued"
                q.confident, q.evidence = nq.confident, f"runs on into a quote whose speaker is known: {nq.evidence}"


# Sieves whose own evidence is enough; the rest (a lone name nearby, an action beat) are guesses.
_SURE_SIEVES = {"label", "inside", "after", "before", "sentence-end", "dash", "colon-paragraph", "according-to",
                "continuation", "same-paragraph", "then-adding", "beat", "subject", "reported-before", "split",
                "reported-just-before"}
_EVIDENCE = {
    "label": "transcript label", "inside": "attribution inside the quote",
    "after": "attribution right after the quote", "before": "attribution right before the quote",
    "sentence-end": "attribution closing the quote's sentence",
    "dash": "name after a dash", "colon-paragraph": "introduced by the paragraph before",
    "according-to": "\"according to\"", "continuation": "continues the last speaker's quote",
    "same-paragraph": "continues the quote before it in the paragraph",
    "then-adding": "\"avant d'ajouter\" after the quote before", "single-candidate": "the only speaker named nearby",
    "beat": "the subject of the sentence before",
    "subject": "the subject of the sentence the quote stands in",
    "reported-before": "carries on the speech the paragraph before reports",
    "reported-just-before": "carries on the speech the sentence before reports",
    "relayed": "someone else's words, relayed by the sentence's subject",
}


# The attribution is itself reported by someone else: the speaker is a guess until checked.
_SECONDHAND = regex.compile(r"(?:,\s*|\b)(?:according\s+to|as\s+(?:reported|quoted)\s+by|reports?|reported)\s+"
                            r"(?:the\s+|an?\s+)?\p{Lu}[\p{L}'’.\-]*(?:\s+\p{L}[\p{L}'’.\-]*){0,4}")


def _set(q: Quote, sp: Speaker, sieve: str, state: State, pi: int, cue: str = "") -> None:
    q.speaker = sp.name
    q.role = sp.role or (state.reg.roles.get(sp.name) if sp.name else None)
    q.speaker_kind = sp.kind
    q.sieve = sieve
    base, _, pronoun = sieve.partition("+")
    q.confident = sp.sure and base in _SURE_SIEVES and not (sp.kind == "org" and _unsure_org(sp.name or ""))
    how = _EVIDENCE.get(base, base)
    relayed = _SECONDHAND.search(cue) if base in ("after", "before", "inside", "sentence-end") else None
    if relayed:  # "“…,” Sanders said, according to a TV report": words relayed by someone else
        q.confident = False
        how += f" (relayed: “{relayed.group().strip()}”)"
    if pronoun:
        how += f", {q.pronoun_word or 'a pronoun'} read as {sp.name}"
    snippet = " ".join(cue.split())
    q.evidence = how + (f": “{snippet[:160]}{'…' if len(snippet) > 160 else ''}”" if snippet else "")
    state.attributed.append((q.closer, pi))
    shared = sp.kind == "person" and bool(sp.name) and state.reg.ambiguous(sp.name or "", sp.gender)
    if shared:  # "Trump said" with two Trumps in the story: the article's own attribution, as written (not
        # a full name picked for it), and never added to the registry as a person of its own
        bearers = sorted((n for n in state.reg.names if n.split()[-1] == sp.name),
                         key=lambda n: -state.reg.counts.get(n, 1))
        q.evidence += f" (“{sp.name}” as the article writes it; it names " + ", ".join(bearers) + ")"
    if sp.name and not shared:
        state.reg.add(sp.name, q.role, sp.gender)
    if sp.name:
        state.speakers.append((pi, replace(sp, sure=q.confident)))


# News outlets, whose reports speak in their own words; countries, which are where, not who.
_OUTLET = regex.compile(r"\b(?:post|times|news|journal|tribune|herald|gazette|press|reuters|associated|"
                        r"cnn|bbc|nbc|cbs|abc|msnbc|fox|politico|huffington|breitbart|magazine|daily)\b", regex.I)
_COUNTRY = regex.compile(r"\b(?:states|kingdom|republic)\b", regex.I)


def _unsure_org(name: str) -> bool:
    """An organisation speaker is sure only when its name says what it is (a ministry, a party, a
    campaign, a news outlet reporting in its own words: "…,” CBS News reported) or is an acronym
    ("the ACU said"), and it is not a country."""
    words = name.lower().split()
    if _rx(r"\p{L}['’]s\s+(?:spokes(?:man|woman|person)|lawyers?|attorneys?|aides?)$", 0).search(name):
        return False  # "Maria Lopez’s spokesman": speaks for a named person
    if _COUNTRY.search(name):
        return True  # "the United States said": a place, not who
    return not (_OUTLET.search(name) or any(ORG_NOUNS.fullmatch(w) for w in words)
                or _rx(r"\p{Lu}{2,6}", 0).fullmatch(name))


# "“…,” said Reyes at the time, adding that “…”": the first quote's attribution leads into the second
_ADDING_END = regex.compile(r",\s*(?:adding|continuing|noting|saying)(?:\s+that)?\s*[,:]?\s*$")


def _masked(s: str) -> str:
    """`s` with each quote in it cut down to "…", marks and all, so that its sentences are the frame's."""
    return str(_QUOTED.sub("…", s))


def _final_sentence_start(para: Paragraph) -> int:
    """The offset in the article where the paragraph's last sentence starts."""
    spans = split_sentences(para.text)
    return para.start + spans[-1][0] if spans else para.start


def _final_sentence(s: str) -> str:
    """The last sentence of `s` ("" for no sentence)."""
    spans = split_sentences(s)
    return s[spans[-1][0] : spans[-1][1]] if spans else ""


def _around(text: str, q: Quote, para: Paragraph) -> str:
    """The paragraph's words around the quote (the quote itself elided), for the evidence."""
    return (text[para.start : q.opener] + "“…”" + text[q.closer : para.end]).strip()


def _continuation(q: Quote, k: int, pq: list[Quote], article: Article, state: State,
                  before: str, after: str) -> tuple[Speaker | None, str]:
    """S4/S5: a quote with no cue of its own continues the last speaker, or the one named nearby."""
    text = article.text
    cue = (EN_VERB_RE.search(before + after) or (FRENCHY.search(before + after) and fr_verb_re().search(before + after))
           or AR_VERB_RE.search(before + after) or FA_VERB_RE.search(before + after))
    if k > 0:
        prev = pq[k - 1]
        between = text[prev.closer : q.opener]
        # “Q1,” said X, a role. “Q2”: the words between the quotes are Q1's own attribution
        verb = EN_VERB_RE.search(between)
        said_before = (verb is not None and prev.sieve.startswith("after")
                       and len(split_sentences(between.strip() or ".")) == 1
                       and (between.rstrip().endswith((".", ":")) or _ADDING_END.search(between) is not None))
        second = EN_VERB_RE.search(between, verb.end()) if verb is not None else None
        if second is not None and _rx(r",\s+(?:and|but|before)\s", 0).search(between, verb.end() if verb else 0, second.start()):
            return None, ""  # "“…,” Ebeling said, and her husband cut in. “…”": someone else speaks next
        subject_end = prev.closer + (verb.start() if said_before and verb else len(between))
        mentioned = [prev.speaker if _is_speaker(n, prev.speaker or "", state) else n
                     for _, n in person_mentions(text, state.reg, prev.closer, subject_end, state.spans)]
        if said_before:
            mentioned = []  # “Q1,” X, a Clinton adviser, said. / “Q1,” the Forum’s X said. “Q2”: X's own description
        if prev.speaker and (not cue or said_before) and all(n == prev.speaker for n in mentioned):
            return Speaker(prev.speaker, prev.speaker_kind or "person", prev.role, sure=prev.confident), "same-paragraph"
        return None, ""
    para = article.paragraphs[q.paragraph]
    if q.continued:
        return None, ""  # settled with the quote it continues
    only_quote = not text[para.start : q.opener].strip()
    # “…,” X said. / “…?” Hannity pressed.: the quote's sentence goes on with a frame of its own
    own_attribution = (_rx(r"\s*[,—–]\s*\p{Ll}", 0).match(text, q.closer, para.end) is not None
                       or (text[q.pieces[-1][1] - 1] in ",?!—–" and _rx(r"[ \u00a0]*\p{L}", 0).match(text, q.closer, para.end) is not None))
    if only_quote and not cue and not own_attribution and q.paragraph > 0 and state.speakers:
        ppi, prev_sp = state.speakers[-1]
        if ppi == q.paragraph - 1:
            ppara = article.paragraphs[ppi]
            lo = max(ppara.start, ppara.end - 200)
            closer = max((c for c, p in state.attributed if p == ppi), default=None)
            if closer is not None and len(split_sentences(text[closer : ppara.end].strip() or ".")) == 1:
                lo = ppara.end  # "“…,” said Rev. Kyev Tatum, pastor at Servant House Church.": his description
            if not _names_someone(text, lo, ppara.end, state, prev_sp.name or ""):
                return prev_sp, "continuation"
    if only_quote and not cue and not own_attribution and q.paragraph > 0 and not text[q.closer : para.end].strip(" .,"):
        told = _reported_before(article.paragraphs[q.paragraph - 1], state)
        if told is not None:
            return told, "reported-before"
    if not only_quote and not own_attribution and not EN_VERB_RE.search(after):
        told = _reported_in_sentence_before(q, article, state)
        if told is not None:
            return told, "reported-just-before"
    beat = _beat(q, article, state, cue is not None and bool(cue))
    if beat is not None:
        return beat, "beat"
    # S5: exactly one known speaker named in the paragraph's own words, next to a speech cue.
    own = text[para.start : q.opener] + " " + text[q.closer : para.end]
    if SPEECH_NOUNS.search(own) or EN_VERB_RE.search(own):
        named = {n for _, n in person_mentions(text, state.reg, para.start, para.end, state.spans)}
        spoke = {sp.name for _, sp in state.speakers if sp.kind in ("person", "org")}
        if named:
            known = named if named <= spoke else set()  # (AMBIGUOUS is never a speaker)
        else:  # Persian and other caseless scripts: the speakers' names in the paragraph's words
            known = {n for n in spoke if n and any(_rx(r"(?<!\p{L})" + regex.escape(x) + r"(?!\p{L})", 0).search(own)
                                                   for x in (n, n.split()[-1]))}  # (not "man" in "woman")
        if len(known) == 1:
            name = known.pop()
            kind = next(s.kind for _, s in reversed(state.speakers) if s.name == name)
            return Speaker(name, kind, state.reg.roles.get(name)), "single-candidate"
    return None, ""


def _reported_before(prev: Paragraph, state: State) -> Speaker | None:
    """"Carter said that for decades critics had predicted a withdrawal. ¶ “That’s because …”": a
    paragraph that is only a quote, after a paragraph whose last sentence reports a named person's
    speech (subject, then a speech verb), carries on that person's words."""
    return _reporter(_final_sentence(prev.text), state)


def _reported_in_sentence_before(q: Quote, article: Article, state: State) -> Speaker | None:
    """"Coan, Santilli's attorney, argues that his client never urged violence. “The government is
    alleging …”": the first quote of a paragraph opens a sentence right after one, with no quote, that
    reports a named person's speech; it carries that speech on."""
    para = article.paragraphs[q.paragraph]
    lead = article.text[para.start : q.opener]
    spans = split_sentences(lead)
    if (not spans or _rx(r"[“”\"«»]", 0).search(lead) or lead[spans[-1][1] :].strip()
            or not lead[spans[-1][0] : spans[-1][1]].rstrip().endswith(".")):
        return None
    return _reporter(lead[spans[-1][0] : spans[-1][1]], state)


def _reporter(sentence: str, state: State) -> Speaker | None:
    """The known person whose speech `sentence` reports (`reported_by`), if it holds no quote of its own."""
    if not sentence or _rx(r"[“”\"«»]", 0).search(sentence) or len(sentence.split()) > 60:
        return None
    sp = reported_by(sentence, state.reg)
    return sp if sp is not None and sp.name in state.reg.names else None


def _beat(q: Quote, article: Article, state: State, cue: bool) -> Speaker | None:
    """"Asked about the reaction, she shrugged. “If everybody loves a film ...”": the quote ends the
    paragraph, and the sentence before it has a person (a name or he/she) as its subject."""
    text = article.text
    para = article.paragraphs[q.paragraph]
    lead = text[para.start : q.opener]
    if cue or not lead.strip() or text[q.closer : para.end].strip(" .,") or _rx(r"[“”\"«»]", 0).search(lead):
        return None
    spans = split_sentences(lead)
    if not spans:
        return None
    a, b = spans[-1]
    last = lead[a:b]
    if not last.endswith(".") or len(last.split()) > 30:
        return None
    clause = (_rx(r"(?:^|,\s+)(?P<p>[Hh]e|[Ss]he)\s+\p{Ll}+(?:\s+\p{Ll}+)?\.$", 0).search(last)
              or _rx(r"^[^,“”\"]{3,120},\s+(?P<p>[Hh]e|[Ss]he)\s+\p{Ll}+", 0).search(last))  # "An immigrant …, she plans …"
    np = clause.group("p") if clause else head_np(last)
    sp = parse_np(np, state.reg) if np else None
    if sp is None:
        return None
    if sp.kind == "pronoun" and sp.gender in ("m", "f"):
        return resolve_pronoun(sp, state, q.paragraph, article, q, upto=para.start + a)
    if sp.kind == "person" and sp.name in state.reg.names:
        return sp
    return None


def _names_someone(text: str, lo: int, hi: int, state: State, speaker: str) -> bool:
    """Does text[lo:hi], outside quotes, name a person other than `speaker`?"""
    return any(not _is_speaker(name, speaker, state) for _, name in person_mentions(text, state.reg, lo, hi, state.spans))


def _is_speaker(mention: str, speaker: str, state: State) -> bool:
    """Is a person_mentions name the speaker? A surname several people share ("Kessler said" with two
    Kesslers) is the speaker as written, and its mentions read as AMBIGUOUS."""
    return mention == speaker or (mention == AMBIGUOUS and bool(speaker) and state.reg.ambiguous(speaker))
