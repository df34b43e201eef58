"""Highlights: quotes with speakers, pull-quote candidates and key sentences, scored and selected.

Offsets. `article.text[h.start:h.end]` is the source of every highlight from the article, and
`h.text == display(source)` where `display` (below) makes two editorial changes only: a
lower-case first letter becomes an editorial capital in brackets ("under" -> "[U]nder") and a
trailing "," ";" ":" or dash becomes ".". A quote split by its attribution ("We will not stop,"
she said, "until ...") spans both pieces: its source includes the attribution between them and
its text joins the pieces with one space, i.e. `h.text == display(" ".join(pieces))`. Pull-quote
sub-candidates of a long quote are runs of whole sentences of it, with their own offsets.
`extra:` quotes from the config have start == end == -1.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from campaign.errors import UnknownHighlightError
from campaign.models import Article, Highlight

if TYPE_CHECKING:
    from campaign.config import CampaignConfig, HighlightsSection
    from campaign.highlights.quotes import Quote

_DANGLING = re.compile(
    r"^(?:and|but|or|so|yet|nor|because|then|also|this|that|these|those|it|its|they|them|their|he|she|his|her|"
    r"him|which|who|there|such|thus|hence|however|still|et|mais|donc|cela|ceci|il|elle|ils|elles|اما|و|این|آن|او|وی)\b",
    re.I,
)
# Each word list opens with a look at the first letter (the initials of its words): the same matches,
# found twice as fast, since most positions fail on one character class instead of every word.
_EVALUATIVE = re.compile(
    r"\b(?=[acdfhijmnoprstuw])(?:we|our|us|i|my|must|never|always|will|won't|cannot|can't|need|demand|call|urge|stand|fight|freedom|justice|"
    r"courage|support|tyranny|resist|hope|proud|shame|pleasure|tribute|future|together|nous|notre|je)\b",
    re.I,
)
_CUE = re.compile(
    r"\b(?=[acdfhikmnprstuvw])(?:must|should|call(?:s|ed)?|urg\w+|demand\w*|need\w*|warn\w*|first|historic|record|crisis|support\w*|"
    r"freedom|key|important|significant|announc\w+|plan\w*|promis\w+|vow\w*|decid\w+|clear|today)\b",
    re.I,
)
_STRONG = re.compile(
    r"\b(?=[abcdfhjkmnoprstv])(?:bleed\w*|horrific|terror\w*|freedom|justice|courage\w*|tyranny|alone|brutal\w*|oppress\w*|"
    r"suffer\w*|danger\w*|threat\w*|hope\w*|rights|prison\w*|crisis|violen\w*|fear\w*|dignity|"
    r"resist\w*|silence\w*|kill\w*|forgotten|abandon\w*|never|must)\b",
    re.I,
)
# "On Wednesday, October 4, 2023, ..." / "In 2021, ...": the news lead's when-and-where, not a pull quote
_DATELINE = re.compile(
    r"^(?:on|in|at|by|since|last|this)\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|"
    r"march|april|may|june|july|august|september|october|november|december|\d)",
    re.I,
)
# Openers that lean on the previous sentence: the sentence is not self-contained on a card.
_LEANS_BACK = re.compile(
    r"^(?:despite (?:this|that|these)|because of (?:this|that)|as a result|in addition|moreover|"
    r"furthermore|meanwhile|nevertheless|nonetheless|instead|otherwise|for this reason)\b",
    re.I,
)
_NUMBERISH = re.compile(r"\d")
_TRAIL = re.compile(r"\s*[,;:—–-]+$")
_LOWER_BRACKET = re.compile(r"^\[(\w)(?=[^\]]*\])")
_BRACKET_FIRST = re.compile(r"^\[(\w)\]")
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…؟。]\W*$")
_CONJUNCTION = re.compile(r"(?:and|but|or|so|nor)\b", re.I)
_QUOTE_MARK = re.compile(r"[“”\"«»„]")
_CAPITALISED = re.compile(r"(?<=\s)[A-Z][a-z]+")
_FILLER = re.compile(r"(?:it is worth noting|it should be noted|note that|in conclusion)", re.I)


# --- text and ids ------------------------------------------------------------------------------


def display(source: str) -> str:
    """The card text of a source span: editorial capital for a lower-case start, "." for a trailing comma."""
    s = source.strip()
    if s.endswith((",", ";", ":", "—", "–", "-")):  # what _TRAIL finds (no newline after a strip)
        s = _TRAIL.sub("", s) + "."
    if s[:1].islower():
        s = "[" + s[0].upper() + "]" + s[1:]
    s = _LOWER_BRACKET.sub(lambda m: "[" + m.group(1).upper(), s)  # the article's “[w]e …” -> “[W]e …”
    return s


def normalize(text: str) -> str:
    """The form ids hash: NFKC, case-folded, editorial brackets dropped, letters and digits only."""
    t = unicodedata.normalize("NFKC", text)
    t = _BRACKET_FIRST.sub(r"\1", t.strip())
    t = t.casefold().replace("\u200c", " ")
    return " ".join(_WORD.findall(t))


def highlight_id(text: str) -> str:
    """A short stable id: 8 hex digits of the SHA-1 of the normalized text, never all digits
    (YAML would read `40133472` as a number): the first 8 of the digest holding a letter."""
    digest = _digest(text)
    for i in range(len(digest) - 7):
        if not digest[i:i + 8].isdigit():
            return digest[i:i + 8]
    return "h" + digest[:7]  # a digest of 40 digits: never seen, but an id all the same


def legacy_id(text: str) -> str | None:
    """The all-digit id this text had before ids always held a letter, if it had one."""
    old = _digest(text)[:8]
    return old if old.isdigit() else None


def _digest(text: str) -> str:
    """The SHA-1, in hex, of the normalized text: what ids are cut from."""
    return hashlib.sha1(normalize(text).encode("utf-8")).hexdigest()


# --- extraction --------------------------------------------------------------------------------


def extract(article: Article, *, min_length: int = 40, max_length: int = 220) -> list[Highlight]:
    """Every candidate: quotes (and their pull-quote parts) with speakers, then key sentences; best first."""
    from campaign.highlights.quotes import find_quotes

    quotes = find_quotes(article)
    n = max(1, len(article.text))
    out: list[Highlight] = []
    for q in quotes:
        if q.sieve == "disowned":
            continue  # "Lopez never said “…”": words nobody said are no highlight, with or without a speaker
        out.extend(_quote_candidates(q, n, min_length, max_length))
    out.extend(_sentence_candidates(article, quotes, min_length, max_length))
    return _dedupe(out)


def _quote_candidates(q: Quote, n: int, lo: int, hi: int) -> list[Highlight]:
    from campaign.article.sentences import split

    out: list[Highlight] = []
    joined = q.text  # the pieces joined by one space; `pos` maps each character back
    pos = _positions(q)
    words = len(joined.split())
    fragment = joined[:1].islower() and (words < 8 or not q.ends_sentence)
    whole = display(joined)
    if lo <= len(whole) <= hi and not fragment:
        out.append(_make(q, whole, pos[0], pos[-1] + 1, n, sub=False))
    if len(whole) > hi or (fragment and words >= 8):
        spans = split(joined)
        for i in range(len(spans)):
            a = spans[i][0]
            first = joined[a:]
            if (i > 0 or fragment) and _DANGLING.match(first):
                continue
            if i == 0 and fragment:
                continue
            best: tuple[int, int] | None = None
            for j in range(i, len(spans)):
                b = spans[j][1]
                t = display(joined[a:b])
                if len(t) > hi:
                    break
                if not re.search(r"[.!?…؟]\W*$", joined[a:b]) and not (j == len(spans) - 1 and q.ends_sentence):
                    continue
                if len(t) >= lo:
                    best = (a, b)
            if best and best != (0, len(joined)):
                a, b = best
                out.append(_make(q, display(joined[a:b]), pos[a], pos[b - 1] + 1, n, sub=True))
    if not out and len(whole) > hi and not fragment:
        clause = _clause_cut(joined, lo, hi)  # one long sentence: cut it at a clause, marked "…"
        if clause is not None:
            out.append(_make(q, clause, pos[0], pos[len(clause.rstrip("…")) - 1] + 1, n, sub=True))
    return out


def _clause_cut(text: str, lo: int, hi: int) -> str | None:
    """The longest start of `text` that ends at a clause boundary (, ; : —) within [lo, hi),
    with "…" to show the quote goes on."""
    ends = [m.start() for m in re.finditer(r"[,;:]\s|\s[—–]\s", text) if lo <= m.start() < hi]
    if not ends:
        return None
    return display(text[: ends[-1]]).rstrip(".") + "…"


def _positions(q: Quote) -> list[int]:
    pos: list[int] = []
    for k, (a, b) in enumerate(q.pieces):
        if k:
            pos.append(pos[-1])
        pos.extend(range(a, b))
    return pos


def _make(q: Quote, text: str, start: int, end: int, n: int, *, sub: bool) -> Highlight:
    score = 0.55
    if q.speaker:
        score += 0.2 if q.speaker_kind == "person" else 0.15
    if _EVALUATIVE.search(text):
        score += 0.05
    score += 0.05 * (1 - start / n)
    if 60 <= len(text) <= 180:
        score += 0.05
    if text.startswith("["):
        score -= 0.04
    if sub:
        score -= 0.03
    if _DANGLING.match(text):
        score -= 0.05
    if len(_NUMBERISH.findall(text)) > 6:
        score -= 0.05
    return Highlight(id=highlight_id(text), kind="quote", text=text, speaker=q.speaker or q.guess,
                     score=round(min(score, 1.0), 3), start=start, end=end, role=q.role,
                     confident=q.speaker is not None or q.guess is None, evidence=q.evidence)


def _sentence_candidates(article: Article, quotes: Sequence[Quote], lo: int, hi: int) -> list[Highlight]:
    import bisect

    taken = sorted((q.opener, q.closer) for q in quotes)
    starts = [a for a, _ in taken]
    total = max(1, len(article.sentences))
    out: list[Highlight] = []
    for rank, s in enumerate(article.sentences):
        k = bisect.bisect_left(starts, s.end)  # quotes opening before the sentence ends
        if any(b > s.start for _, b in taken[max(0, k - 3) : k]):
            continue
        t = s.text.strip()
        if not (lo <= len(t) <= hi) or not _SENTENCE_END.search(t):
            continue
        if t[:1].islower() or _CONJUNCTION.match(t):
            continue
        if _QUOTE_MARK.search(t):
            continue  # a stray quote mark: part of a quote we could not pair
        score = 0.35 + 0.1 * (1 - rank / total)
        if s.paragraph == 0:
            score += 0.02
        if 80 <= len(t) <= 180:
            score += 0.1
        caps = len(_CAPITALISED.findall(t))
        score += min(caps, 4) * 0.01
        score += min(len(_CUE.findall(t)), 2) * 0.04
        score += min(len(_STRONG.findall(t)), 3) * 0.04
        if _DATELINE.match(t):
            score -= 0.2
        if _NUMBERISH.search(t):
            score += 0.02
        if _DANGLING.match(t) or _LEANS_BACK.match(t):
            score -= 0.1
        if t.endswith("?"):
            score -= 0.05
        if _FILLER.match(t):
            score -= 0.05
        text = display(t)
        out.append(Highlight(id=highlight_id(text), kind="sentence", text=text, speaker=None,
                             score=round(min(score, 0.66), 3), start=s.start, end=s.end))
    return out


def _dedupe(items: list[Highlight]) -> list[Highlight]:
    best: dict[str, Highlight] = {}
    for h in items:
        old = best.get(h.id)
        if old is None or h.score > old.score:
            best[h.id] = h
    spans: dict[tuple[int, int], Highlight] = {}
    for h in best.values():
        key = (h.start, h.end)
        if key not in spans or h.score > spans[key].score:
            spans[key] = h
    return sorted(spans.values(), key=lambda h: (-h.score, h.start, h.id))


# --- selection ---------------------------------------------------------------------------------


def select(candidates: list[Highlight], section: HighlightsSection, article: Article | None = None) -> list[Highlight]:
    """Apply the config: `pinned` first, then the best `auto.count` others, then `extra` quotes.

    Raises UnknownHighlightError for an id in `pinned` or `exclude` that no candidate has.
    """
    from dataclasses import replace

    by_id = {h.id: h for h in candidates}
    for h in candidates:  # a config written when ids could be all digits still finds its highlight
        old = legacy_id(h.text)
        if old:
            by_id.setdefault(old, h)
    for i, x in enumerate(section.exclude):
        if x not in by_id:
            raise UnknownHighlightError("exclude", x, i)
    excluded = {by_id[x].id for x in section.exclude}
    chosen: list[Highlight] = []
    for i, p in enumerate(section.pinned):
        if isinstance(p, str):
            if p in by_id:
                chosen.append(replace(by_id[p], pinned=True))
                continue
            if re.fullmatch(r"[0-9a-f]{6,12}", p) or len(p.split()) < 3:
                raise UnknownHighlightError("pinned", p, i)
            chosen.append(replace(_literal(p, None, None, candidates, article), pinned=True))
        elif p.id is not None:  # a found highlight, edited: it keeps its id for `at:` and `alt:`
            if p.id not in by_id:
                raise UnknownHighlightError("pinned", p.id, i)
            base = by_id[p.id]
            chosen.append(replace(base, text=p.text or base.text, speaker=p.speaker or base.speaker,
                                  role=p.role or base.role, pinned=True,
                                  evidence="given in the campaign YAML" if p.speaker else base.evidence))
        else:
            assert p.text is not None
            chosen.append(replace(_literal(p.text, p.speaker, p.role, candidates, article), pinned=True))
    auto = section.auto
    pool = [
        h for h in candidates
        if h.id not in excluded and auto.min_length <= len(h.text) <= auto.max_length
        and (h.kind == "quote" or not auto.quotes_only)
    ]
    picked: list[Highlight] = []
    taken = [(h.start, h.end) for h in chosen if h.start >= 0]
    ids = {h.id for h in chosen}
    per_speaker: dict[str | None, int] = {}
    remaining = sorted(pool, key=lambda h: (-h.score, h.start))
    while len(picked) < auto.count and remaining:
        remaining.sort(key=lambda h: (-(h.score - 0.04 * per_speaker.get(h.speaker, 0) * (h.speaker is not None)), h.start))
        h = remaining.pop(0)
        if h.id in ids or any(_overlap(h.start, h.end, a, b) for a, b in taken):
            continue
        picked.append(h)
        ids.add(h.id)
        taken.append((h.start, h.end))
        per_speaker[h.speaker] = per_speaker.get(h.speaker, 0) + 1
    extras = [
        Highlight(id=highlight_id(e.text), kind="quote", text=e.text.strip(), speaker=e.speaker, score=1.0,
                  start=-1, end=-1, role=e.role)
        for e in section.extra
    ]
    return chosen + picked + [e for e in extras if e.id not in ids]


def _overlap(a: int, b: int, c: int, d: int) -> bool:
    """Do two spans share more than half of the shorter one?"""
    inter = min(b, d) - max(a, c)
    return inter > 0 and inter * 2 > min(b - a, d - c)


def _literal(text: str, speaker: str | None, role: str | None, candidates: Sequence[Highlight],
             article: Article | None) -> Highlight:
    """A pinned literal quote: the matching candidate, else located in the article, else as given."""
    key = normalize(text)
    for h in candidates:
        if normalize(h.text) == key or (len(key) > 20 and key in normalize(h.text)):
            if normalize(h.text) == key:
                return Highlight(h.id, h.kind, h.text, speaker or h.speaker, h.score, h.start, h.end, role or h.role)
    start = end = -1
    clean = text.strip().strip("“”\"«»")
    if article is not None:
        i = article.text.find(clean)
        if i < 0:
            i = article.text.casefold().find(clean.casefold())
        if i >= 0:
            start, end = i, i + len(clean)
    return Highlight(highlight_id(clean), "quote", clean, speaker, 1.0, start, end, role)


def highlights_for(cfg: CampaignConfig) -> tuple[Article, list[Highlight]]:
    """Read the config's article and return it with the selected highlights."""
    from campaign.article import read_article

    art = cfg.article
    source = art.source if art.is_url else str(cfg.resolve(art.source))
    article = read_article(source, exclude=art.exclude, title=art.title, author=art.author, url=art.url,
                           language=cfg.campaign.language)
    auto = cfg.highlights.auto
    candidates = extract(article, min_length=auto.min_length, max_length=auto.max_length)
    return article, select(candidates, cfg.highlights, article)


__all__ = ["display", "extract", "highlight_id", "highlights_for", "normalize", "select"]
