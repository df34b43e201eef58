"""Direct quotes and who said them, following the methods guide's sieve order.

1. find quote spans per paragraph with a pairing table (curly, straight, mixed, single, « »,
   „ “, 「 」), keeping the outermost quote and linking paragraphs an unclosed quote continues into;
2. drop scare quotes and titles (too short, title case, "so-called", "the film");
3. merge quotes split by their attribution ("We will not stop," she said, "until ...");
4. attribute with sieves, most precise first: adjacent pattern, same-sentence cue, "according
   to", continuation, single known speaker; pronouns go to the last named speaker. Otherwise the
   speaker stays None.
"""

from __future__ import annotations

import regex

from campaign.highlights.attribution import attribute
from campaign.highlights.frames import FRENCHY, PERSIAN
from campaign.highlights.mentions import build_registry
from campaign.highlights.speakers import (
    TITLES,
    Registry,
    _rx,
    split_name,
)
from campaign.highlights.values import Quote as Quote  # re-exported
from campaign.highlights.verbs import (
    EN_VERB_RE,
    FA_VERB_RE,
    FR_VERB_PATTERN,
    fr_verb_re,
)
from campaign.models import Article

# opener -> closers it accepts (mixed “...", „...“ and „...” included)
_PAIRS: dict[str, str] = {
    "“": "”\"", '"': "\"”“", "‘": "’", "«": "»", "„": "“”\"", "‚": "‘’", "‹": "›", "「": "」", "『": "』",
}
_FAMILY = {"“": "d", '"': "d", "”": "d", "„": "d", "«": "g", "»": "g", "‘": "s", "’": "s", "‚": "s",
           "‹": "a", "›": "a", "「": "c", "」": "c", "『": "e", "』": "e"}
_MARKS = regex.compile(r"[“”\"‘’«»„‚‹›「」『』]")
_LEFT_CTX = set(" \t\n\u00a0\u202f([{—–-/:;,…")
_RIGHT_CTX = set(" \t\n\u00a0\u202f)]}.,;:!?—–-…/")
_SCARE_CUE = regex.compile(
    r"(?:so-called|so\s+called|dubbed|termed|called(?:\s+(?:it|them|him|her|this|that))?|titled|entitled|named|"
    r"nicknamed|known\s+as|labell?ed(?:\s+(?:it|them))?|branded(?:\s+(?:it|them))?|the\s+(?:word|words|phrase|"
    r"term|slogan|hashtag|motto|banner|sign|placard)|headlined|(?:the|a|his|her|their|new)\s+(?:book|film|movie|"
    r"song|album|show|series|documentary|novel|poem|play|podcast|exhibition|report|programme|program|campaign|"
    r"app|article|essay|study|op-ed|column|headline)|marked|reading|read)\s*[,:]?\s*$",
    regex.I,
)
_FRAGMENT_START = regex.compile(r"^(?:and|but|or|so|because|that|which|who)\b", regex.I)


# --- spans -------------------------------------------------------------------------------------


def _spans(text: str, lang: str) -> tuple[list[tuple[int, int, str]], tuple[int, str] | None]:
    """Top-level (open, close, opener) mark positions in one paragraph, and an unclosed opener."""
    out: list[tuple[int, int, str]] = []
    stack: list[tuple[int, str]] = []
    n = len(text)
    german = lang.split("-")[0] in ("de", "da", "cs", "sk", "hr", "sl")
    for m in _MARKS.finditer(text):
        i, c = m.start(), m.group()
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        left = prev in _LEFT_CTX or (i == 0) or prev in "“‘«„‚‹\"'"
        right = nxt in _RIGHT_CTX or nxt in "”’»“\"'›" or i + 1 == n
        if c in ('"', "’", "”", "'") and not left and not right and c != "”":
            continue  # inside a word: an apostrophe or a stray inch mark
        if stack:
            top = stack[-1][1]
            closes = c in _PAIRS.get(top, "")
            if top == "«" and german and c == "«":
                closes = False
            if german and top == "»" and c == "«":
                closes = True
            if c == '"' and closes and not right and left:
                closes = False  # a straight mark that opens, not closes
            if c == "’" and closes and nxt.isalpha():
                closes = False
            if c == "“" and top == "“":
                closes = False
            if not closes and c in "”»" and 1 < len(stack) <= 8:  # (bounded: a hostile run of marks stays linear)
                # “… asked ‘em. …”: a closer for a mark further down the stack; the single marks
                # above it were apostrophes ('em, 'n', 'til), never closed
                k = next((j for j in range(len(stack) - 2, -1, -1) if c in _PAIRS.get(stack[j][1], "")), None)
                if k is not None and all(t == "‘" for _, t in stack[k + 1 :]):
                    del stack[k + 1 :]
                    closes = True
            if closes:
                o, t = stack.pop()
                if not stack:
                    out.append((o, i, t))
                continue
        opens = c in _PAIRS or (c == "”" and not stack and left and not right) or (german and c == "»" and left and not right)
        if not opens:
            continue
        if c == '"' and not left:
            continue
        if c == "‘" and (not left or nxt.isdigit() or nxt.isspace()):
            continue
        if c == "”" and not stack:
            c = "“"  # Scandinavian ”...” or a wrong-way curly quote
        if stack and _FAMILY.get(c) == _FAMILY.get(stack[0][1]):
            stack = [(i, c)]  # the same mark again: the earlier one was never closed
        else:
            stack.append((i, "»" if (german and c == "»") else c))
    return out, (stack[0] if stack else None)


def _strip_span(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \u00a0\u202f\t":
        a += 1
    while b > a and text[b - 1] in " \u00a0\u202f\t":
        b -= 1
    return a, b


def find_quotes(article: Article, registry: Registry | None = None) -> list[Quote]:
    """Every direct quote of the article with its speaker when the attribution is clear."""
    text = article.text
    lang = (article.language or "en").split("-")[0].lower()
    raw: list[Quote] = []
    carry = False
    reg = registry or build_registry(text)
    turns = _transcript_turns(article, reg)
    for pi, para in enumerate(article.paragraphs):
        ptext = text[para.start : para.end]
        if pi in turns:  # a transcript turn: the whole turn is the quote, its label the speaker
            start, who = turns[pi]
            if who and len(text[start : para.end].split()) >= 4:
                raw.append(Quote([(start, para.end)], pi, start, para.end, speaker=who, speaker_kind="person",
                                 role=reg.roles.get(who), sieve="label"))
            carry = False
            continue
        spans, unclosed = _spans(ptext, lang)
        para_quotes: list[Quote] = []
        for o, c, _t in spans:
            a, b = _strip_span(ptext, o + 1, c)
            if b > a:
                para_quotes.append(Quote([(para.start + a, para.start + b)], pi, para.start + o, para.start + c + 1))
        if unclosed is not None:
            o = unclosed[0]
            nxt = article.paragraphs[pi + 1] if pi + 1 < len(article.paragraphs) else None
            starts = nxt is not None and text[nxt.start : nxt.start + 1] in _PAIRS
            first_in_para = not ptext[:o].strip() or o == 0
            a, b = _strip_span(ptext, o + 1, len(ptext))
            if starts and b > a and (first_in_para or carry or len(ptext) - o > 40):
                para_quotes.append(Quote([(para.start + a, para.start + b)], pi, para.start + o, para.end, runs_on=True))
        if carry and para_quotes and para_quotes[0].opener == para.start:
            para_quotes[0].continued = True
        carry = bool(para_quotes) and para_quotes[-1].runs_on
        raw.extend(para_quotes)
    for q in raw:
        q.text = text[q.pieces[0][0] : q.pieces[0][1]]
        if lang == "fr" or text[q.opener] == "«":
            _split_incise(text, q)
    quotes = _merge_split(text, raw)
    quotes = [q for q in quotes if q.sieve == "label" or not _is_scare(text, q, article)
              or _short_sentence(text, q, quotes, article) or _short_utterance(text, q)]
    for q in quotes:
        q.partial = q.text[:1].islower()
        after = text[q.closer : q.closer + 3]
        q.ends_sentence = bool(_rx(r"[.!?…؟。]\W*$", 0).search(q.text)) or bool(_rx(r"\s*[.!?؟]", 0).match(after)) or q.closer >= article.paragraphs[q.paragraph].end
    attribute(article, quotes, reg)
    quotes = [q for q in quotes if not q.hidden]
    if PERSIAN.search(text):
        quotes = [q for q in quotes if q.speaker or not PERSIAN.search(q.text) or (len(q.text.split()) >= 5 and (
            _rx(r"[.!؟?]\W*$", 0).search(q.text) or _rx(r"[.!؟?]", 0).match(text, q.closer)))]
    for q in quotes:  # precision first: an uncertain speaker is a guess, never the speaker
        if q.speaker and not q.confident:
            q.guess, q.speaker = q.speaker, None
    return quotes


# "AMB. SMITH:", "DR. ORTIZ:", "MODERATOR:", "QUESTION (Reuters):" at the start of a paragraph
_LABEL = regex.compile(r"(?P<label>\p{Lu}[\p{Lu}\p{M}.'’\- ]{0,40}?)\s*(?:\([^()]{1,40}\))?\s*:\s+(?=\S)")
_ROLE_LABELS = regex.compile(
    r"(?:MODERATOR|QUESTION|Q|A|REPORTER|JOURNALIST|INTERVIEWER|HOST|CO-HOST|ANCHOR|PRESENTER|AUDIENCE(?:\s+MEMBER)?|"
    r"PARTICIPANT|UNIDENTIFIED(?:\s+\p{Lu}+)*|OPERATOR|VOICE|CALLER|SPEAKER|CHAIR|INTERPRETER|TRANSLATOR|NARRATOR|"
    r"NOTE|UPDATE|EDITOR'?S\s+NOTE|CORRECTION|TRANSCRIPT|PARTICIPANTS|SOURCE|END|BREAKING|WATCH|READ\s+MORE)")


def _transcript_turns(article: Article, reg: Registry) -> dict[int, tuple[int, str | None]]:
    """Paragraphs of a transcript (three or more turns under UPPER-CASE labels, two labels or more):
    paragraph -> (offset of the turn's words, the label's person or None for a moderator or question)."""
    found: dict[int, tuple[int, str]] = {}
    for pi, para in enumerate(article.paragraphs):
        m = _LABEL.match(para.text)
        if m and (sum(c.isalpha() for c in m.group("label")) >= 2 or m.group("label") in ("Q", "A")):
            found[pi] = (para.start + m.end(), m.group("label").strip())
    labels = [lab for _, lab in found.values()]
    if len(found) < 3 or len(set(labels)) < 2 or len(set(labels)) == len(labels):
        return {}
    # "A:" answers an interview: they belong to the one person the text names before the first turn
    first = min(start for start, _ in found.values())
    named = [n for n in reg.names if reg.first_pos.get(n, first) < first]
    interviewee = named[0] if len(named) == 1 else None
    out: dict[int, tuple[int, str | None]] = {}
    for pi, (start, label) in found.items():
        if label in ("A", "ANSWER"):
            out[pi] = (start, interviewee)
        else:
            out[pi] = (start, None if _ROLE_LABELS.fullmatch(label) else _label_person(label, reg))
    return out


def _label_person(label: str, reg: Registry) -> str | None:
    """"AMB. SMITH" -> the one known person called Smith (else "Smith"); "HELEN SMITH" -> "Helen Smith"."""
    words = [w.capitalize() if not regex.fullmatch(r"\p{Lu}\.?", w) else w for w in label.split()]
    titles, name = split_name(words)
    name = [w for w in name if w.rstrip(".").lower() not in TITLES and not (w.endswith(".") and len(w) <= 5)]
    if not name or len(name) > 4 or any(not w[:1].isalpha() for w in name):
        return None
    full = " ".join(name)
    return None if reg.ambiguous(full) else reg.canonical(full)


def _merge_split(text: str, quotes: list[Quote]) -> list[Quote]:
    """`Q1, she said, Q2` is one quote in two pieces."""
    out: list[Quote] = []
    for q in quotes:
        prev = out[-1] if out else None
        if prev is not None and prev.paragraph == q.paragraph and not prev.runs_on and not q.continued:
            between = text[prev.closer : q.opener]
            # (the comma inside the marks, or after them in French: « … », a-t-elle ajouté, « … »)
            if (_rx(r"[,—–-]\s*$", 0).search(prev.text) or between.lstrip()[:1] == ",") and _is_interruption(between):
                prev.pieces.append(q.pieces[0])
                prev.inner = (prev.closer, q.opener)
                prev.closer = q.closer
                prev.runs_on = q.runs_on
                prev.text = prev.text + " " + q.text
                continue
        out.append(q)
    return out


def _is_interruption(between: str) -> bool:
    s = between.strip()
    if not s or len(s.split()) > 14 or not _rx(r"[,—–-]$", 0).search(s) or _rx(r"[.!?;:]", 0).search(s.rstrip(",—–- ")):
        return False
    cues = len(EN_VERB_RE.findall(s)) + len(FA_VERB_RE.findall(s))
    if FRENCHY.search(s):
        cues += len(fr_verb_re().findall(s))
    return cues == 1  # "she said, before adding:" separates two quotes


_INCISE = regex.compile(
    r",\s+(?:(?:" + FR_VERB_PATTERN + r")(?:-t)?-(?:il|elle|ils|elles)|(?:a|ont)-t-(?:il|elle|ils|elles)\s+(?:"
    + FR_VERB_PATTERN + r"))(?:\s+[^.!?,;«»“”]{1,40})?[.,]\s+", regex.I)


def _split_incise(text: str, q: Quote) -> None:
    """« Je ne suis pas contre, dit-elle. Je suis contre ... »: one quote in two pieces around its incise."""
    a, b = q.pieces[0]
    m = _INCISE.search(text, a, b)
    if m is None or m.start() - a < 8 or b - m.end() < 8:
        return
    q.pieces = [(a, m.start() + 1), (m.end(), b)]
    q.inner = (m.start() + 1, m.end())
    q.text = text[a : m.start() + 1] + " " + text[m.end() : b]


def _short_sentence(text: str, q: Quote, quotes: list[Quote], article: Article) -> bool:
    """"Signatures are easy," he said. / she says. "Everybody forgets that.": a whole short sentence
    of speech (two or three words, a capital, its own end mark) that opens a sentence and is followed by
    a whole attribution sentence or by another quote of the paragraph: speech, not a scare quote or a title."""
    words = q.text.split()
    if not 2 <= len(words) <= 3 or len(q.pieces) > 1 or not q.text[:1].isupper() or not _rx(r"[.!?,…]$", 0).search(q.text):
        return False
    para = article.paragraphs[q.paragraph]
    lead = text[para.start : q.opener].rstrip()
    if lead and not _rx(r"[.!?:…][”\"’»]?$", 0).search(lead):
        return False  # mid-sentence: "He called it “Operation Clean Sweep.”"
    said = _rx(r"\s*(?:\p{L}+(?:\s+\p{L}+)?\s+)?" + EN_VERB_RE.pattern + r"(?:\s+\p{Ll}+)?\.", regex.I).match(text, q.closer) is not None
    paired = any(o.paragraph == q.paragraph and o is not q and not _is_scare(text, o, article) for o in quotes)
    return said or (paired and q.text[-1] in ".!?")


def _short_utterance(text: str, q: Quote) -> bool:
    """"Social contact?" she says. A short quote right before its attribution: kept for attribution only."""
    if len(q.pieces) > 1 or not _rx(r"[?!,]$", 0).search(q.text) or len(q.text.split()) >= 4:
        return False
    if not EN_VERB_RE.match(text[q.closer : q.closer + 40].lstrip(" ,"), pos=0) and not _rx(
            r"\s*\p{L}+(?:\s+\p{L}+)?\s+" + EN_VERB_RE.pattern, 0).match(text, q.closer):
        return False
    q.hidden = True
    return True


_TITLE_SMALL = set("a an the of to in on at by for and but or nor as vs via with from into de la le du des et".split())


def _is_scare(text: str, q: Quote, article: Article) -> bool:
    """Scare quotes, titles and labels: not speech worth posting."""
    words = q.text.split()
    if len(words) < 4 and not (PERSIAN.search(q.text) and len(words) >= 2):
        return True
    para = article.paragraphs[q.paragraph]
    before = text[max(para.start, q.opener - 60) : q.opener]
    cue = _SCARE_CUE.search(before)
    if cue and len(words) <= 12 and not (len(words) >= 6 and _rx(r"\bread(?:s|ing)?\s*:\s*$", regex.I).search(before)):
        return True  # ("The tweet read: “…”" introduces a text, not a sign's words)
    # every word but the small ones a title keeps lowercase: "a big fan of Elizabeth Warren" is no title
    if len(words) > 10:
        return False
    content = [w for w in words if w[0].isalpha() and w.lower() not in _TITLE_SMALL]
    if content and all(w[0].isupper() for w in content) and not _rx(r"[.!?]\W*$", 0).search(q.text):
        return True  # Title Case: a book, film, song or slogan
    return False

