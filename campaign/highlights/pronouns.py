"""Who "he" or "she" is: pronoun resolution for the attribution sieves, with the sentence helpers
it shares with `subject` (the subject of the sentence a quote stands in).

A pronoun goes to the subject of the sentence before, else to the person the text last named (of a
compatible gender), else to the last speaker; the answer is sure only when its gender agrees and no
rival of a compatible gender is in view. A learned ranker (`ranker`) may confirm or replace it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace

import regex

from campaign.highlights import ranker
from campaign.highlights.lexicon import HYPHENATED_NAME, NAME_RUN, SENTENCE_ADVERBS, proper_word
from campaign.highlights.mentions import AMBIGUOUS, person_mentions
from campaign.highlights.speakers import (
    _GROUP,
    NATIONALITY,
    ORG_NOUNS,
    PRONOUNS,
    ROLE_NOUNS,
    Registry,
    Speaker,
    _is_title,
    _rx,
    given_name_gender,
    not_a_person,
    parse_np,
    split_name,
)
from campaign.highlights.values import Quote
from campaign.highlights.verbs import (
    EN_VERB_RE,
    FR_VERB_PATTERN,
)
from campaign.models import Article, Sentence

_ADVERBIAL = regex.compile(r"(?:in|on|at|during|after|before|speaking|asked|when|while|later|earlier|yesterday|today|"
                           r"however|meanwhile|also|last|this|then|now|still|according|addressing|writing|with|"
                           r"for|from|to|as|once|again|but|and|in\s+a|on\s+\w+day|" + "|".join(SENTENCE_ADVERBS)
                           + r")\b", regex.I)
_PARTICIPLE_OPENER = regex.compile(r"\p{Lu}\p{Ll}+(?:ing|ed)\s+\p{Ll}")  # "Appearing before …", "Asked about …"
_ROLE_WORD = regex.compile(r"\p{Ll}+(?:ial|al|ive|ary|ent|ant|ist|er|or|an)")  # presidential, executive, …
_QUOTED = regex.compile(r"[“\"]([^“”\"]{0,400})[”\"]")


_CONJ = regex.compile(r"^(?:(?:and|but|so|yet|then)\s+)+(?=\p{Lu})", regex.I)
DETS = {"the", "a", "an", "le", "la", "les", "l'", "un", "une"}


@dataclass
class State:
    reg: Registry
    speakers: list[tuple[int, Speaker]] = field(default_factory=list)  # (paragraph, speaker)
    spans: list[tuple[int, int]] = field(default_factory=list)  # every quote's (opener, closer)
    attributed: list[tuple[int, int]] = field(default_factory=list)  # (closer, paragraph) of quotes with a speaker
    text: str = ""
    speaks: dict[str, bool] = field(default_factory=dict)  # name -> is it the subject of a speech verb
    ends: list[int] = field(default_factory=list)  # each sentence's end, for bisection (filled lazily)
    paragraph_mentions: dict[tuple[int, int, int], list[tuple[int, str]]] = field(default_factory=dict)
    titles: list[tuple[int, int]] | None = None  # short quoted titles ("“Shark Tank”"), found on first use
    lowercase: dict[str, bool] = field(default_factory=dict)  # word -> written in lowercase in the article


def sentence_at(state: State, article: Article, pos: int, slack: int = 0) -> Sentence | None:
    """The sentence holding offset `pos` (or ending up to `slack` characters before it)."""
    if not state.ends:
        state.ends = [s.end for s in article.sentences]
    i = bisect_left(state.ends, pos - slack + 1)
    if i < len(article.sentences) and article.sentences[i].start <= pos:
        return article.sentences[i]
    return None


def sentence_before(state: State, article: Article, hi: int, paragraph: int) -> Sentence | None:
    """The last sentence ending at or before `hi`, if it is in `paragraph` or later."""
    if not state.ends:
        state.ends = [s.end for s in article.sentences]
    i = bisect_right(state.ends, hi) - 1
    return article.sentences[i] if i >= 0 and article.sentences[i].paragraph >= paragraph else None


def _mentions_in(state: State, article: Article, k: int) -> list[tuple[int, str]]:
    """person_mentions over paragraph `k`, kept while the registry does not change."""
    key = (k, len(state.reg.names), len(state.reg.genders))
    if key not in state.paragraph_mentions:
        para = article.paragraphs[k]
        state.paragraph_mentions[key] = person_mentions(article.text, state.reg, para.start, para.end, state.spans)
    return state.paragraph_mentions[key]


def np_word(w: str) -> bool:
    w = w.strip(",")
    return bool(w) and (w[0].isupper() or HYPHENATED_NAME.fullmatch(w) is not None or _rx(r"\p{Lu}\.", 0).fullmatch(w) is not None or w.lower() in ("de", "van", "von", "bin", "al", "al-", "ibn", "da", "del", "la", "le"))


def _role_then_name(words: list[str], j: int, strict: bool = False) -> int:
    """The end of "Republican presidential candidate Donald Trump" when words[:j] are its capitalised
    start: lowercase role words from j, then a name (0 when there is none). `strict`: the last of them
    must be a role noun ("Union leader Tom Reyes"; not "Romney went after Trump", "Attorneys for Clinton")."""
    e = j
    while e < min(len(words), j + 3) and words[e].islower() and (ROLE_NOUNS.fullmatch(words[e]) or _ROLE_WORD.fullmatch(words[e])):
        e += 1
    if strict and (e == j or not ROLE_NOUNS.fullmatch(words[e - 1])):
        return 0
    f = e
    while f < len(words) and np_word(words[f]):
        f += 1
    return f if e > j and f > e and any(not _is_title(w) for w in split_name(words[e:f])[1]) else 0


def head_np(sentence: str) -> str | None:
    """The sentence subject: "The French conservative party expressed ..., saying," -> its first noun phrase."""
    sentence = _rx(r"[”\"»]", 0).split(sentence)[-1].lstrip(" ,")  # words after any earlier quote
    segs: list[str] = [str(_CONJ.sub("", x.strip())) for x in sentence.split(",")]  # "And then Trump went on the attack,"
    k = 0
    while k < len(segs) - 1 and (_ADVERBIAL.match(segs[k].strip()) or _PARTICIPLE_OPENER.match(segs[k].strip())):
        k += 1  # ("Appearing before supporters Monday, Suu Kyi said")
    words = segs[k].split()
    if not words:
        return None
    if words[0].lower() in PRONOUNS:
        return words[0]
    i = 1 if words[0].lower() in DETS else 0
    j = i
    while j < len(words) and np_word(words[j]):
        j += 1
    run = words[i:j]
    if run:
        _, name = split_name(run)
        has_name = any(not NATIONALITY.match(w) and not ROLE_NOUNS.fullmatch(w) for w in name)
        longer = _role_then_name(words, j, strict=has_name)
        if longer:  # "Union leader Tom Reyes, who led the strike, thanked …": the name after the role
            return " ".join(words[:longer])
        if has_name:
            if j < len(words) and ORG_NOUNS.fullmatch(words[j].lower().strip(",")):
                return " ".join(words[: j + 1])  # "Rubio’s campaign", "The Clinton campaign": not the person
            if j == len(words) and k + 1 < len(segs) and segs[k + 1].strip()[:1].isupper():
                return segs[k] + ", " + segs[k + 1]  # "The French MP, Nathalie Loiseau"
            if i == 1 and j < len(words) and ROLE_NOUNS.fullmatch(words[j].lower().strip(",")):
                return " ".join(words[: j + 1])  # "The Florida senator": a description pointing back
            return " ".join(words[:j])
    for e in range(i, min(len(words), i + 6)):
        w = words[e].lower().strip(",")
        if ORG_NOUNS.search(w) or ROLE_NOUNS.fullmatch(w):
            if j == e + 1 and k + 1 < len(segs) and segs[k + 1].strip()[:1].isupper() and j == len(words):
                return segs[k] + ", " + segs[k + 1]
            return " ".join(words[: e + 1])
        if EN_VERB_RE.fullmatch(w) or w.endswith("ed"):
            break
    return None


def resolve_pronoun(sp: Speaker, state: State, pi: int, article: Article, q: Quote,
                     upto: int | None = None) -> Speaker | None:
    """he/she -> a person: the hand rules below, then, for he/she/il/elle, the learned ranker over
    the people in view (`ranker`): its first choice is sure when the confidence model says so;
    otherwise the hand rules' answer, if they have one, is a guess."""
    hand = _resolve_by_rules(sp, state, pi, article, q, upto)
    if hand is not None and sp.gender in ("m", "f") and (not_a_person(hand.name or "")
                                                         or _junk_name(hand.name or "", None, state)):
        hand = None  # "he" is no "Cook Political Report", "she" no "Arizona", no "Shark Tank"
    if sp.gender not in ("m", "f") or sp.role:
        return hand
    if not (article.language or "en").lower().startswith("en"):
        return hand  # the model learned English news
    cands = candidates(sp, state, pi, article, q, upto, hand)
    if RECORD is not None:
        RECORD.append((q, [(name, feats) for name, feats in cands]))
    told = _reported_speaker(sp, state, article, q, upto, pi)
    if told is not None and (hand is None or hand.name == told.name):
        return told  # "Lewandowski said that the candidate was not … . “…,” he said.": the speaker goes on
    best = ranker.best(cands, strict=q.pronoun == "before" and q.partial)
    if best is None:
        return hand
    name, sure = best
    if (not sure and hand is not None and name == hand.name and state.reg.genders.get(name) == sp.gender  # both agree
            and ranker.compatible(cands) == 1):
        sure = True  # "Tom Reyes and Maria Lopez met. “…,” she said.": the one person of that gender in view
    if sure and _stranger_subject(state, article, q, upto, pi):
        sure = False  # "Renwick also addressed Pellham’s concerns. “…,” he added.": perhaps Renwick
    if sure and not _named_rival(name, sp.gender, state, article, q):
        return Speaker(name, "person", state.reg.roles.get(name), sp.gender, sure=True)
    if sure:  # a reader could take "she" for either woman named just before: a guess, for a person to settle
        return Speaker(name, "person", state.reg.roles.get(name), sp.gender, sure=False)
    return hand if hand is None else replace(hand, sure=False)  # no answer stays none: a guess at most


def _reported_speaker(sp: Speaker, state: State, article: Article, q: Quote, upto: int | None, pi: int) -> Speaker | None:
    """The named person whose speech the sentence right before the quote's reports ("Corey Lewandowski,
    Trump's campaign manager, said that …", "…, said Wilcox, an Orlando Republican."), when the
    pronoun's gender is theirs: news carries that attribution on with "he said"."""
    if q.pronoun not in ("after", "before") or q.partial:
        return None
    prev = _sentence_before_quote(state, article, q, upto, pi)
    if prev is None or _rx(r"[“”\"«»]", 0).search(prev.text):
        return None
    found = reported_by(prev.text, state.reg, trailing=False)
    if found is None or found.name not in state.reg.names:
        return None
    if state.reg.genders.get(found.name or "") != sp.gender:
        return None
    return Speaker(found.name, "person", state.reg.roles.get(found.name or ""), sp.gender, sure=True)


def _sentence_before_quote(state: State, article: Article, q: Quote, upto: int | None, pi: int) -> Sentence | None:
    """The sentence before the one the quote stands in (or before `upto`), in this paragraph or at the
    end of the one before, when it holds no quote of its own."""
    sent = sentence_at(state, article, q.opener, 1)
    hi = upto if upto is not None else (sent.start if sent else q.opener)
    prev = sentence_before(state, article, hi, pi - 1)
    if prev is None or any(a < prev.end and prev.start < b for a, b in state.spans):
        return None
    return prev


_INVERTED_SAID = regex.compile(r",\s+(?:said|says)\s+(?P<np>" + NAME_RUN + r")(?:,[^,]{0,120})?\.?$")
# "The city will appeal the ruling, Lopez said.": the paraphrase's speaker, at its end
_TRAILING_SAID = regex.compile(r",\s+(?:(?:(?:its|his|her|their|the)\s+)?(?:\p{Ll}+\s+){0,2}"
                               r"(?P<np>" + NAME_RUN + r")\s+(?:said|says|added|adds|"
                               r"explained|explains|noted|notes|argued|argues|wrote|writes|told|tells)"
                               r"(?:\s+[\p{L}\d'’]+){0,5}|according\s+to\s+(?P<np>" + NAME_RUN + r"))\.$")


# "La ville fera appel, a indiqué Lopez.", "…, selon la maire Maria Lopez."
_FR_TRAILING = regex.compile(r",\s+(?:a\s+|ont\s+)?" + FR_VERB_PATTERN + r"\s+(?:(?:le|la|l['’])\s*(?:\p{Ll}+\s+){1,2})?"
                             r"(?P<np>" + NAME_RUN + r")(?:,[^,]{0,120})?\.$")


def reported_by(sentence: str, reg: Registry, trailing: bool = True) -> Speaker | None:
    """The named person whose speech a sentence reports: its subject before a speech verb ("Carter said
    that …"), or an attribution closing it ("…, said Wilcox, an Orlando Republican."; with `trailing`,
    "…, Lopez said.")."""
    inverted = _INVERTED_SAID.search(sentence) or (
        (_TRAILING_SAID.search(sentence) or _FR_TRAILING.search(sentence)) if trailing else None)
    found = parse_np(inverted.group("np"), reg) if inverted else _speaking_subject(sentence, reg)
    return found if found is not None and found.kind == "person" and found.name else None


def _stranger_subject(state: State, article: Article, q: Quote, upto: int | None, pi: int) -> bool:
    """Is the subject of the sentence before the quote's a bare capitalised name the story names nowhere
    else in full, so that no candidate is it ("Obama also addressed Trump’s concerns")?"""
    prev = _sentence_before_quote(state, article, q, upto, pi)
    if prev is None:
        return False
    first = prev.text.split(",")[0].split()[:6]
    if (any(_GROUP.fullmatch(" ".join(first[:k])) and first[0].lower() in ("a", "an", "one", "another")
            for k in range(2, len(first) + 1))
            and not person_mentions(state.text, state.reg, prev.start, min(prev.end, prev.start + 80), state.spans)):
        return True  # "A Berlin woman, meanwhile, received probation …": someone the story never names
    np = head_np(prev.text)
    if not np or not _BARE_NAME.fullmatch(np) or np.lower() in PRONOUNS or not_a_person(np) or np in state.reg.orgs:
        return False
    after = prev.text.split(np, 1)[-1].split()
    if after and (ROLE_NOUNS.fullmatch(after[0].strip(",")) or after[0][:1].isupper()):
        return False  # "Wexley manager Dieter Brandt refused …": the head word of a longer subject
    if not all(proper_word(w, state.text) for w in np.split()):
        return False  # "Losing a Senate race …", "Another superdelegate, …": a sentence's first word
    sp = parse_np(np, state.reg)
    return sp is None or (sp.kind == "person" and sp.name not in state.reg.names)


_BARE_NAME = regex.compile(r"\p{Lu}[\p{Ll}'’\-]+(?:\s+\p{Lu}[\p{Ll}'’\-]+){0,2}")


# When a list, every pronoun's candidates and features are appended to it (to train the ranker).
RECORD: list[tuple[Quote, list[tuple[str, list[float]]]]] | None = None


def candidates(sp: Speaker, state: State, pi: int, article: Article, q: Quote, upto: int | None,
               hand: Speaker | None) -> list[tuple[str, list[float]]]:
    """The people a he/she before `q` may be, each with the features `ranker.FEATURES` names."""
    reg, text = state.reg, article.text
    sent = sentence_at(state, article, q.opener, 1)
    hi = upto if upto is not None else (sent.start if sent else q.opener)
    orgs = set(reg.orgs) | {s.name for _, s in state.speakers if s.kind == "org"}
    found = [m for k in range(max(0, pi - 3), pi) for m in _mentions_in(state, article, k)]
    found += person_mentions(text, reg, article.paragraphs[pi].start, q.opener, state.spans)
    mentions = [(pos, n) for pos, n in found if n != AMBIGUOUS and n not in orgs and not not_a_person(n)
                and not _junk_name(n, pos, state)]
    spoke = [(ppi, s.name) for ppi, s in state.speakers
             if s.kind == "person" and s.name and pi - ppi <= 4 and not not_a_person(s.name)]
    names = list(dict.fromkeys([n for _, n in mentions] + [n for _, n in spoke if n]))
    if not names:
        return []
    last_pos = {n: pos for pos, n in mentions}
    order = sorted(names, key=lambda n: -last_pos.get(n, -1))
    prev_sent = sentence_before(state, article, hi, pi - 1)
    subject = None
    if prev_sent and not any(a < prev_sent.end and prev_sent.start < b for a, b in state.spans):
        who = _subject_mention(text, prev_sent.start, prev_sent.end, state)
        subject = who.name if who else None
    last_speaker = spoke[-1][1] if spoke else None
    out = []
    for n in names:
        g = reg.genders.get(n) or given_name_gender(n)
        pos = last_pos.get(n)
        para_of = next((k for k in range(pi, max(-1, pi - 4), -1) if pos is not None and article.paragraphs[k].start <= pos), None)
        opening = sentence_at(state, article, pos) if pos is not None else None
        sentence_start = opening is not None and pos is not None and pos - opening.start <= 30 and len(
            text[opening.start : pos].split()) <= 3
        out.append((n, [
            1.0 if g == sp.gender else 0.0,
            1.0 if g and g != sp.gender else 0.0,
            1.0 / (1 + order.index(n)),
            min(3.0, (q.opener - pos) / 1000) if pos is not None else 3.0,
            1.0 if para_of == pi else 0.0,
            1.0 if para_of == pi - 1 else 0.0,
            1.0 if n == last_speaker else 0.0,
            1.0 if any(sn == n for _, sn in spoke) else 0.0,
            1.0 if n == subject else 0.0,
            1.0 if hand is not None and n == hand.name else 0.0,
            1.0 if hand is not None and n == hand.name and hand.sure else 0.0,
            1.0 if pos is not None and pos >= hi else 0.0,
            1.0 if sentence_start else 0.0,
            1.0 if reg.roles.get(n) else 0.0,
            float(len([1 for _, m in mentions if m == n]) > 1),
            1.0 if len(n.split()) == 1 else 0.0,
            1.0 if q.pronoun == "before" else 0.0,
            1.0 if _named_in_quote(n, q.text) else 0.0,
            1.0 if _personlike(n, state) else 0.0,
        ]))
    return out


def _short_titles(state: State) -> list[tuple[int, int]]:
    """The spans of short quoted titles ("“Shark Tank”", "“Good Morning America”"), found once."""
    if state.titles is None:
        state.titles = [m.span() for m in _SHORT_QUOTED.finditer(state.text)]
    return state.titles


_SHORT_QUOTED = regex.compile(r"[“\"](?:\p{Lu}[\p{L}'’.\-]*[ ,]*){1,6}[”\"]")


def _junk_name(name: str, pos: int | None, state: State) -> bool:
    """A capitalised phrase no "he" or "she" is, by its shape, when nothing else says it is a person:
    a quoted title ("Shark Tank"), a nationality or party after its first word ("Hi Americans"), or
    words the article also writes in lowercase ("Common Core", "Florida Standards", "Just")."""
    if not name:
        return False
    words = name.split()
    if given_name_gender(name):
        return False  # ("Mark Cuban", "Jennifer Green": a given name first)
    if any(NATIONALITY.match(w[:-1] if w.endswith("s") else w) for w in words[1:]):
        return True  # "Hi Americans", "Texas Republicans"
    if _personlike(name, state):
        return False
    if any(a <= p < b for p in ([pos] if pos is not None else _positions(name, state.text))
           for a, b in _short_titles(state)):
        return True
    return any(_lowercase_in(w.lower(), state) for w in words)


def _lowercase_in(word: str, state: State) -> bool:
    """Is `word` written in lowercase somewhere in the article (kept per article)?"""
    if word not in state.lowercase:
        state.lowercase[word] = _rx(r"(?<![\p{L}'’])" + regex.escape(word) + r"(?![\p{L}'’])", 0).search(state.text) is not None
    return state.lowercase[word]


def _positions(name: str, text: str) -> list[int]:
    """Where `name` is written in `text` (every place, when it is written only inside titles)."""
    return [m.start() for m in _rx(r"(?<!\p{L})" + regex.escape(name) + r"(?!\p{L})", 0).finditer(text)] or [-1]


def _named_in_quote(name: str, quote: str) -> bool:
    """Does the quote itself name the person (by the last word of the name)? Speakers seldom do."""
    last = name.split()[-1]
    return len(last) > 2 and regex.search(r"(?<!\p{L})" + regex.escape(last) + r"(?!\p{L})", quote) is not None


def _resolve_by_rules(sp: Speaker, state: State, pi: int, article: Article, q: Quote,
                      upto: int | None = None) -> Speaker | None:
    """he/she/il/elle/وی -> the person the text last named before the quote's sentence (outside
    quotes, since the previous quote), of a compatible gender; else the last named speaker.

    The answer is `sure` only when its gender is known to agree and no other person of a
    compatible (or unknown) gender was named or spoke in this paragraph or the one before:
    otherwise it is a guess for the organizer to confirm."""
    reg = state.reg
    if sp.gender == "n":
        for ppi, prev in reversed(state.speakers):
            return replace(prev, sure=prev.sure and pi == ppi) if prev.kind == "org" and pi - ppi <= 2 else None
        return None
    text = article.text
    lo = article.paragraphs[max(0, pi - 3)].start
    lo = max([lo] + [c for c, _ in state.attributed if c <= q.opener])
    at = sentence_at(state, article, q.opener, 1)
    hi = upto if upto is not None else (at.start if at else q.opener)
    chosen = _previous_subject(sp, state, pi, article, min(hi, q.opener))
    if chosen is not None and sp.gender in ("m", "f") and (not_a_person(chosen.name or "")
                                                           or _junk_name(chosen.name or "", None, state)):
        chosen = None  # "China may outnumber …, he says.": a place is no "he"; look further back
    if chosen is not None:
        return replace(chosen, sure=chosen.sure and not sp.role)  # a description ("the senator") stays a guess
    orgs = set(reg.orgs) | {s.name for _, s in state.speakers if s.kind == "org"}
    for pos, name in reversed(person_mentions(text, reg, lo, min(hi, q.opener), state.spans)):
        if name == AMBIGUOUS:
            return None
        g = reg.genders.get(name, "")
        if (sp.gender and g and g != sp.gender) or name in orgs or not_a_person(name) or _junk_name(name, pos, state):
            continue
        chosen = Speaker(name, "person", reg.roles.get(name), sp.gender or g)
        break
    if chosen is None:
        for ppi, prev in reversed(state.speakers):
            if pi - ppi > 4:
                break
            if prev.kind != "person":
                return None  # an organisation spoke last: "he" is not clear
            g = reg.genders.get(prev.name or "", prev.gender)
            if sp.gender and g and g != sp.gender:
                continue
            chosen = Speaker(prev.name, "person", prev.role, sp.gender or g)
            break
    if chosen is None and hi < q.opener:
        # "Hillary Clinton spoke in Iowa, where she told the crowd that “…”": the person named
        # earlier in the quote's own sentence
        same = [n for _, n in person_mentions(text, reg, hi, q.opener, state.spans)
                if n != AMBIGUOUS and n not in orgs and reg.genders.get(n, "") in ("", sp.gender)]
        if len(set(same)) == 1:
            chosen = Speaker(same[0], "person", reg.roles.get(same[0]), sp.gender)
    if chosen is None or not chosen.name:
        return None
    known = reg.genders.get(chosen.name, "")
    rivals = _rivals(chosen.name, sp.gender, state, pi, article, q)
    # no rival, and a gender that agrees; an unknown gender only for the story's last speaker
    last = next((s.name for ppi, s in reversed(state.speakers) if pi - ppi <= 2), None)
    return replace(chosen, sure=not sp.role and not rivals
                   and (known == sp.gender or (not known and last in (None, chosen.name))))


def _previous_subject(sp: Speaker, state: State, pi: int, article: Article, hi: int, depth: int = 0) -> Speaker | None:
    """he/she -> the named person who is the subject of the sentence before (in this paragraph or
    at the end of the one before): "Kasich took a different tack. “…,” he said." A subject whose
    gender is known to agree makes a sure answer. A subject that is the same pronoun passes back to
    the sentence before it ("Nefzi said …. He said he never saw Mateen. “…,” he said.")."""
    reg = state.reg
    sentence = sentence_before(state, article, hi, pi - 1)
    if sentence is None or any(a < sentence.end and sentence.start < b for a, b in state.spans):
        return None  # no sentence before, or it holds a quote: the last speaker decides
    found = _subject_mention(article.text, sentence.start, sentence.end, state)
    if found is None:
        np = head_np(sentence.text)
        if np and depth < 2 and PRONOUNS.get(np.split()[0].lower()) == sp.gender and sp.gender in ("m", "f"):
            return _previous_subject(sp, state, pi, article, sentence.start, depth + 1)
        if not np or np.split()[0].lower() in PRONOUNS:
            return None
        words = np.split()
        while len(words) > 2 and NATIONALITY.match(words[0]):
            words = words[1:]  # "Republican Christine Todd Whitman"
        found = parse_np(" ".join(words), reg)
    if found is None or found.kind != "person" or not found.name or found.name in reg.orgs:
        return None
    name = found.name
    gender = reg.genders.get(name) or found.gender or given_name_gender(name)
    if not gender and not _personlike(name, state):
        return None  # not a name we know to be a person's ("Super Bowl", "Florida Standards")
    if sp.gender and gender and gender != sp.gender:
        return None
    same_paragraph = sentence.paragraph == pi
    lo = min(sentence.start, article.paragraphs[pi].start)  # "Tom met Jim. “…,” he said." is unclear
    rival = any(n != name and n not in reg.orgs
                and (n == AMBIGUOUS or not sp.gender or reg.genders.get(n, "") in ("", sp.gender))
                for _, n in person_mentions(article.text, reg, lo, hi, state.spans))
    return Speaker(name, "person", found.role or reg.roles.get(name), gender or sp.gender,
                   sure=(gender == sp.gender or same_paragraph) and not rival)


_POSSESSIVE_RUN = regex.compile(r"(?:\p{Lu}[\p{L}.\-]*[ \u00a0]+)*\p{Lu}[\p{L}.\-]*['’]s?(?!\p{L})")


def _subject_mention(text: str, lo: int, hi: int, state: State) -> Speaker | None:
    """The person named first in a sentence, when the name stands in its first words (before
    any verb): the sentence's subject, as in "Head teacher Rachel Lindqvist, who runs ..., said"."""
    mentions = person_mentions(text, state.reg, lo, hi, state.spans)
    if not mentions:
        return None
    pos, name = mentions[0]
    lead = text[lo:pos]
    if name == AMBIGUOUS or name in state.reg.orgs or any(s.name == name and s.kind == "org" for _, s in state.speakers):
        return None
    if len(lead.split()) > 4 or EN_VERB_RE.search(lead) or "," in lead:
        return None
    if _POSSESSIVE_RUN.match(text, pos):
        return None  # "Obama also addressed Trump’s concerns": a possessive is no subject
    return Speaker(name, "person", state.reg.roles.get(name), state.reg.genders.get(name, ""))


def _personlike(name: str, state: State) -> bool:
    """Is this a person's name, by some evidence: a known gender or given name, a role or title in
    the text, or a person's quote already attributed to it? ("Florida Standards" has none.)"""
    reg = state.reg
    if (reg.genders.get(name) or given_name_gender(name) or reg.roles.get(name)
            or any(s.name == name and s.kind == "person" for _, s in state.speakers)):
        return True
    if name not in state.speaks:  # "Orla Brennan, who chairs the branch, said": it speaks somewhere
        last = regex.escape(name.split()[-1])
        state.speaks[name] = bool(_rx(last + r"(?:,[^,.;“”\"]{0,100},)?\s+(?:" + EN_VERB_RE.pattern + r"|"
                                      + FR_VERB_PATTERN + r")", regex.I).search(state.text))
    return state.speaks[name]


def _named_rival(name: str, gender: str, state: State, article: Article, q: Quote) -> bool:
    """Is another person of the pronoun's gender named in the quote's sentence before it, or in
    the sentence before that ("Ana Ruiz and Marta Gil visited the site. “…,” she said")?"""
    sent = sentence_at(state, article, q.opener)
    if sent is None:
        return False
    prev = sentence_before(state, article, sent.start, sent.paragraph)
    lo = prev.start if prev is not None else sent.start
    reg = state.reg
    others = {n for _, n in person_mentions(article.text, reg, lo, q.opener, state.spans)} - {name}
    return any(o != AMBIGUOUS and o not in reg.orgs and reg.genders.get(o) == gender for o in others)


def _rivals(name: str, gender: str, state: State, pi: int, article: Article, q: Quote) -> bool:
    """Did another person who could be "he"/"she" appear in this paragraph or the one before?"""
    reg = state.reg
    lo = article.paragraphs[max(0, pi - 1)].start
    others = {n for _, n in person_mentions(article.text, reg, lo, q.opener, state.spans)}
    others |= {s.name for ppi, s in state.speakers if pi - ppi <= 1 and s.kind == "person" and s.name}
    others.discard(name)
    others -= set(reg.orgs) | {s.name for _, s in state.speakers if s.kind == "org"}
    return any(o == AMBIGUOUS or not gender or reg.genders.get(o, "") in ("", gender) for o in others)


_NOUN_DET = regex.compile(r"(?:\b(?:a|an|the|this|that|his|her|its|their|our|my|un|une|le|la)|\p{L}['’]s)\s+$",
                          regex.I)  # "the post", "Ginsburg’s comments": nouns, not verbs


def _speaking_subject(sentence: str, reg: Registry) -> Speaker | None:
    """The person a sentence's subject names when a speech verb follows it closely ("Carter said that
    …", "Later in the show, Maher stated …"), or None."""
    np = head_np(sentence)
    if np and np.endswith(("'s", "’s", "'", "’")):
        return None  # "Bloomberg's pollster, Douglas Schoen, says …": not Bloomberg
    at = sentence.find(np) if np else -1
    verb = next((v for v in EN_VERB_RE.finditer(sentence, max(0, at))
                 if not _NOUN_DET.search(sentence, max(0, v.start() - 8), v.start())), None)  # (not "this report")
    if not np or at < 0 or verb is None or verb.start() > at + len(np) + 40:
        return None
    sp = parse_np(np, reg)
    return sp if sp is not None and sp.kind == "person" and sp.name else None
