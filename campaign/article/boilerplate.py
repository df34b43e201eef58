"""Telling article paragraphs from page furniture: bios, related headlines, share lines, bylines.

`clean_paragraphs` keeps the body; it works on any article, with the config's `exclude`
prefixes as a backstop. Everything here is conservative: when in doubt a paragraph stays.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import regex

# Whole short paragraphs that are site furniture, wherever they appear.
_FURNITURE = re.compile(
    r"""^\W*(?:
        share(?:\s+(?:this|on|via|the\s+article|article|story|post))?\b
      | (?:tweet|email|print|pin|whatsapp|telegram|facebook|twitter|linkedin|reddit)(?:\s+(?:this|it))?\W*$
      | subscribe\b | sign\s+up\b | join\s+our\b | get\s+(?:our|the)\s+\w*\s*newsletter
      | follow\s+(?:us|@|\w+\s+on\b) | like\s+us\s+on\b
      | (?:read|see|watch|listen)\s+(?:more|also|next|the\s+full)\b | also\s+read\b | more\s+(?:on|from|stories)\b
      | related(?:\s+(?:articles?|stories|posts|content|news|coverage|reading|topics))?\s*[:\-–—]?
      | recommended(?:\s+for\s+you)?\b | you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy)\b | trending\b | most\s+(?:read|popular)\b
      | advertisement\b | sponsored\b | click\s+here\b | tap\s+here\b | (?:log|sign)\s+in\b | leave\s+a\s+(?:comment|reply)\b
      | (?:photo|image|picture|video|graphic)s?\s*(?:credit)?\s*[:/] | credit\s*: | source\s*: | file\s+photo\b
      | (?:©|\(c\)|copyright\b) | all\s+rights\s+reserved\b
      | tags?\s*: | topics?\s*: | categor(?:y|ies)\s*: | filed\s+under\b
      | (?:published|updated|posted|last\s+updated)\s*(?:on|at|:)?\s*\d
      | this\s+(?:article|story)\s+(?:was\s+)?(?:originally|first)\s+(?:published|appeared)\b
      | (?:reporting|editing|additional\s+reporting)\s+by\b
      | we\s+use\s+cookies\b | accept\s+(?:all\s+)?cookies\b
    )""",
    re.I | re.X,
)
# Paragraphs that announce a list of other articles: they and the headlines after them go.
_LIST_MARKER = re.compile(
    r"^\W*(?:related(?:\s+\w+)?|read\s+(?:more|also|next)|more\s+(?:stories|from\s+.+|on\s+this|news)|"
    r"see\s+also|you\s+(?:may|might)\s+also\s+like|recommended(?:\s+for\s+you)?|latest(?:\s+\w+)?|"
    r"trending(?:\s+now)?|most\s+(?:read|popular)|further\s+reading|in\s+other\s+news|popular\s+posts?|"
    r"what\s+to\s+read\s+next|up\s+next)\s*:?\W*$",
    re.I,
)
# Short paragraphs after which a page holds no more body: a press release's end mark and notes.
_END_MARKER = re.compile(
    r"^\W*(?:-?\s*ends\s*-?|#{3}|-\s*30\s*-|notes?\s+(?:to|for)\s+editors?|editors?['’]?\s+notes?|"
    r"media\s+(?:contacts?|enquiries|inquiries)\b.*|press\s+contacts?\b.*|fin)\W*$",
    re.I,
)
# Credit and editorial lines that end a story: "X contributed to this report", "edited for length".
_CREDIT = re.compile(
    r"(?:contributed\s+(?:reporting\s+)?to\s+this\s+(?:report|story|article)|contributed\s+reporting|"
    r"(?:has\s+been|was|were)\s+(?:lightly\s+)?(?:edited|condensed)\s+(?:and\s+condensed\s+)?for\s+"
    r"(?:length|clarity|brevity)(?:\s+and\s+(?:length|clarity|brevity))?)\W*$|"
    r"^\W*(?:liked|enjoyed|like|love)\s+(?:this|what\s+you\s+read)\b.{0,40}\b(?:subscribe|newsletter|sign\s+up|follow)\b|"
    r"^\W*(?:for\s+immediate\s+release|check\s+against\s+delivery|embargoed\b)",
    re.I,
)
_ABOUT_AUTHOR = re.compile(r"^\W*about\s+the\s+(?:author|writer|contributor)s?\W*$", re.I)
# A press release's "About the Clearwater Trust" / "About us" section: the body has ended.
_ABOUT_ORG = regex.compile(r"^\W*(?i:about|à\s+propos\s+d[e'’]\s*)\s*(?:(?i:us)|(?:(?i:the|l[ae'’])\s*)?\p{Lu}[\p{L}\p{N}&.'’ -]{1,80})\W*$")
# "This interview is part of our Summer Cities series." and similar series/funding notes.
_SERIES_NOTE = re.compile(
    r"^\W*this\s+(?:interview|article|story|piece|report|feature|series|podcast|episode)\s+(?:is|was|forms)\s+"
    r"(?:part\s+of|produced|supported|funded|published)\b", re.I)
_BYLINE = re.compile(
    r"^\W*(?:by|written\s+by|words\s+by|text\s+by|story\s+by|interview(?:ed)?\s+by|reporting\s+by|par|بقلم)\s+"
    r"[\w.'’ -]{2,60}?\W*(?:[,|/–—·•-].{0,80})?$",
    re.I,
)
_DATELINE = re.compile(
    r"^\W*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:\d{1,2}\s+)?"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:,?\s+\d{4})?(?:\W.{0,40})?$|"
    r"^\W*\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}.*)?$|^\W*\d{1,2}\s+(?:min(?:ute)?s?)\s+read\W*$",
    re.I,
)
# "X Y is an entrepreneur and former CTO ..." / "X Y is a reporter who covers ..."
_BIO = regex.compile(
    r"^(?:about\s+the\s+author\s*[:.-]?\s*)?(?:dr\.?\s+|prof\.?\s+)?"
    r"(?P<name>\p{Lu}[\p{L}'’.-]+(?:\s+(?:\p{Lu}[\p{L}'’.-]*|de|van|von|da|bin|al|el|la|le|ibn)){1,4})"
    r"(?:\s*\([^)]{1,40}\))?\s*(?:,[^,]{3,80},\s*)?\s+(?:is|was|has\s+been|serves\s+as|works\s+as|writes|covers|reports|est|était|a\s+été)\b",
    regex.V1,
)
_BIO_WORDS = re.compile(
    r"\b(?:journalist|reporter|correspondent|writer|author|editor|columnist|contributor|freelance|blogger|"
    r"entrepreneur|founder|co-?founder|ceo|cto|cfo|activist|analyst|researcher|fellow|professor|lecturer|"
    r"student|graduate|scholar|consultant|advocate|expert|specialist|producer|photographer|based\s+in|"
    r"lives\s+in|writes\s+about|covers|follow\s+(?:him|her|them)|former|industry|journaliste|rédact(?:eur|rice)|"
    r"correspondante?|chercheu(?:r|se)|aut(?:eur|rice)e?|spécialiste|ancienne?|indépendante?)\b",
    re.I,
)
_TERMINAL = re.compile(r"[.!?…。؟:;,][\"'”’»)\]]*\s*$")


def looks_like_headline(p: str) -> bool:
    """A short line with no sentence-final punctuation (a title, a heading, a related link)."""
    words = p.split()
    if not 1 <= len(words) <= 22 or len(p) > 180:
        return False
    if _TERMINAL.search(p):
        # "Is the West Ready?" is still a headline when most words are capitalised
        if not (p.rstrip("\"'”’»").endswith(("?", "!")) and _title_case_ratio(words) >= 0.6):
            return False
    first = p.lstrip("\"'“‘«")[:1]
    return bool(first) and not first.islower()


def _title_case_ratio(words: list[str]) -> float:
    content = [w for w in words if len(w) > 3]
    if not content:
        return 1.0
    return sum(1 for w in content if w[:1].isupper() or not w[:1].isalpha()) / len(content)


def _key(s: str) -> str:
    s = s.casefold().replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", s).strip().strip("\"'")


def clean_paragraphs(paragraphs: Sequence[str], *, exclude: Sequence[str] = (), author: str | None = None) -> list[str]:
    """The body paragraphs, without furniture, bios, trailing headline lists and `exclude` prefixes."""
    prefixes = [_key(e) for e in exclude if e and e.strip()]
    paras = [p for p in paragraphs if not any(_key(p).startswith(x) for x in prefixes)]
    out: list[str] = []
    skip_headlines = False
    skip_bio = 0
    for i, p in enumerate(paras):
        short = len(p) < 200
        if skip_bio:
            skip_bio -= 1
            if _BIO_WORDS.search(p) or _is_bio(p, paras, i, author):
                continue
        if _ABOUT_AUTHOR.match(p):
            skip_bio = 2
            continue
        if short and _LIST_MARKER.match(p):
            skip_headlines = True
            continue
        if skip_headlines:
            if looks_like_headline(p):
                continue
            skip_headlines = False
        if short and _END_MARKER.match(p) and len(out) >= 2:
            break
        if len(p) < 90 and _ABOUT_ORG.match(p) and len(out) >= 3 and i >= len(paras) // 2:
            break
        if short and _SERIES_NOTE.match(p) and len(out) >= 2:
            continue
        if short and (_FURNITURE.match(p) or _CREDIT.search(p) or (i < 4 and not out and (_BYLINE.match(p) or _DATELINE.match(p)))):
            continue
        out.append(p)
    out = _trim_tail(out, author)
    return out if out else [p for p in paras if p.strip()]


def _trim_tail(paras: list[str], author: str | None) -> list[str]:
    """Drop the headlines, bios and furniture that pages leave after the last body paragraph."""
    end = len(paras)
    while end > 1:
        p = paras[end - 1]
        if (looks_like_headline(p) and len(p.split()) >= 3) or _is_bio(p, paras, end - 1, author):
            end -= 1
            continue
        break
    # Keep at least something that reads like prose.
    if end == 0 or all(looks_like_headline(p) for p in paras[:end]):
        return paras
    return paras[:end]


def _is_bio(p: str, paras: Sequence[str], index: int, author: str | None) -> bool:
    """An author bio: "Name is a/an <job> ...", about someone the story itself never mentions."""
    m = _BIO.match(p)
    if not m:
        return False
    name = m.group("name").strip()
    if author and _key(author) and (_key(name) == _key(author) or _key(author) in _key(name)):
        return True
    if not _BIO_WORDS.search(p[m.end() : m.end() + 300]):
        return False
    surname = name.split()[-1]
    earlier = " ".join(paras[:index])
    return surname not in earlier
