"""The people and organisations an article names, and where it names them.

`build_registry` scans an article once for named people with appositive roles and titles,
then everyone else `collect_names` finds.

`collect_names` adds to a `Registry` every person-like capitalised name ("Siobhan Kerr",
"Chief Financial Officer Raj Mehta" -> "Raj Mehta") and organisation name ("UN Human Rights
Office") with its first position, and learns genders from honorifics ("Mrs."), kinship
appositives ("her husband, Ian Holloway") and the first he/she after a name in its sentence.
`person_mentions` lists the people named in a stretch of text, so that "she said" can go to
the person the text last spoke about, and a short form shared by two people to no one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

import regex

from campaign.highlights.speakers import (
    _HONORIFIC_GENDER,
    _NOT_NAME,
    _PERSIAN,
    NATIONALITY,
    ORG_NOUNS,
    ROLE_NOUNS,
    STATE_ABBREV,
    TITLES,
    Registry,
    _clean_token,
    _gender,
    _has_verb_head,
    _is_title_word,
    _rx,
    persian_names,
    role_text,
    split_name,
)

_CAP = r"\p{Lu}[\p{L}\p{M}'’.\-]*"
_CONNECT = r"(?:of|for|and|on|to|the|de|des|du|da|van|von|der|bin|ibn|al|el|la|le|del|di|ben|abu|y|of\s+the)"
_RUN = regex.compile(rf"(?<![\p{{L}}\p{{M}}'’\-]){_CAP}(?:[ \u00a0]+(?:{_CONNECT}[ \u00a0]+)?{_CAP})*")
_CONNECTOR = regex.compile(rf"[ \u00a0]+{_CONNECT}[ \u00a0]+")
_PLACE = regex.compile(
    r"(?:city|town|street|road|avenue|square|river|county|province|state|island|valley|station|airport|hall|"
    r"park|bay|lake|mountain|mountains|coast|bridge|sea|ocean|gulf|district|region|village|harbour|harbor|port|"
    r"dam|trail|forest|cup|festival|prize|award|day|week|year|war|lane|hill|heights|beach|"
    r"cathedral|mosque|temple|palace|tower|centre|center|stadium|arena|market|plaza|court|street's)$",
    regex.I,
)
_PLACE_FIRST = {"new", "san", "santa", "saint", "st", "st.", "los", "las", "port", "fort", "mount", "lake", "north",
                "south", "east", "west", "upper", "lower", "great", "greater", "central", "northern", "southern",
                "eastern", "western", "le", "la", "les", "el"}
_LOCATIVE = regex.compile(r"(?:\b(?:in|at|from|near|into|across|outside|inside|around|through|towards?|"
                          r"à|en|au|aux|dans|vers)|['’]s)\s+(?:the\s+)?$", regex.I)
_KIN = {"husband": "m", "wife": "f", "son": "m", "daughter": "f", "mother": "f", "father": "m", "brother": "m",
        "sister": "f", "grandmother": "f", "grandfather": "m", "granddaughter": "f", "grandson": "m",
        "widow": "f", "widower": "m", "uncle": "m", "aunt": "f", "nephew": "m", "niece": "f", "boyfriend": "m",
        "girlfriend": "f", "fiancé": "m", "fiancée": "f", "mari": "m", "femme": "f", "fils": "m", "fille": "f"}
_KIN_BEFORE = regex.compile(r"(?:\b(?:her|his|their|its|the|a)|['’]s?)\s+(?P<kin>\p{Ll}+)\s*,?\s*$")
_PRONOUN_AFTER = regex.compile(r"\b(?P<p>he|she|his|her|him|hers|il|elle)\b")
_SENT_END = regex.compile(r"[.!?]\s|[“”\"«»]")
_TWO_CAPS = regex.compile(r"\p{Lu}\p{Ll}+\s+\p{Lu}\p{Ll}+")


_STOP = _NOT_NAME | {"selon", "pour", "d'après", "après", "mais", "et", "dans", "avec", "sans", "depuis", "quand",
                     "lors", "chez", "pendant", "avant", "ce", "cette", "ces", "son", "sa", "ses", "leur", "nous",
                     "je", "il", "elle", "ils", "elles", "on", "asked", "among", "like", "unlike", "according",
                     "speaking", "addressing", "writing", "everybody", "nobody", "somebody", "anyone", "dear",
                     "neither", "either", "later", "earlier", "amid", "alongside", "despite", "even", "only"}


_STATE_DOT = regex.compile(STATE_ABBREV)


def _words(run: str) -> list[str]:
    return list(_words_of(run))


@lru_cache(maxsize=4096)
def _words_of(run: str) -> tuple[str, ...]:
    """The run's words, up to and including a possessive: "Clinton's Colorado" names Clinton only."""
    out: list[str] = []
    for raw in run.split():
        if _STATE_DOT.fullmatch(raw):
            out = []  # "Pa. Sure": a state's abbreviation is no part of a name
            continue
        w = _clean_token(raw)
        out.append(w.rstrip(".") if len(w.rstrip(".")) > 1 else w)
        if raw.endswith(("'s", "’s")) and len(raw) > 3:
            break
    return tuple(out)


_WORD_END = regex.compile(r"(?<=(?P<w>\p{L}[\p{L}\p{M}'’\-]+)\.)[ \u00a0]+")


def _runs(text: str, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, str]]:
    """(offset, run) of each run of capitalised words, cut where a sentence ends inside it:
    "Ohio Governor John Kasich. Barkley also said" holds two names, not "John Kasich Barkley"."""
    for m in _RUN.finditer(text, lo, len(text) if hi is None else hi):
        run, prev = m.group(), 0
        if ". " not in run and ".\u00a0" not in run:
            yield m.start(), run
            continue
        for cut in _WORD_END.finditer(run):
            if cut.group("w").lower() not in _ABBREVIATIONS:
                yield m.start() + prev, run[prev : cut.start()]
                prev = cut.end()
        yield m.start() + prev, run[prev:]


_ABBREVIATIONS = TITLES | {"jr", "sr", "st", "mt", "ft", "rev", "gov", "sen", "rep", "messrs", "mme", "mlle", "bros",
                          "corp", "inc", "co", "ltd", "dept", "univ", "assn", "ave", "blvd", "no"}


def _person_part(words: Sequence[str]) -> tuple[list[str], list[str]]:
    """(title words, name words) of a run when it looks like a person's name, else ([], [])."""
    titles, name = _person_part_of(tuple(words))
    return list(titles), list(name)


@lru_cache(maxsize=4096)
def _person_part_of(words_in: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words = list(words_in)
    while words and (words[0].lower() in _STOP or words[0].lower() in ("mr", "mrs", "ms") and len(words) == 1):
        words = words[1:]
    if not words:
        return (), ()
    titles, name = split_name(words)
    if not name or any(w.lower() in _STOP for w in name):
        return (), ()
    if any(w.lower() in ("of", "for", "and", "on", "to", "the", "of the") for w in name):
        return (), ()
    for w in name:
        low = w.lower().rstrip(".")
        if (ORG_NOUNS.fullmatch(low) or _PLACE.fullmatch(low) or NATIONALITY.match(w) or _is_title_word(w)
                or ROLE_NOUNS.fullmatch(low) or (w.isupper() and len(w) > 1) or any(c.isdigit() for c in w)):
            return (), ()
    if name[0].lower() in _PLACE_FIRST and not titles:
        return (), ()
    return tuple(titles), tuple(name)


def _title_gender(titles: Sequence[str]) -> str:
    for t in titles:
        g = _HONORIFIC_GENDER.get(t.lower().rstrip("."))
        if g:
            return g
    return ""


_AND = regex.compile(r"[ \u00a0]+and[ \u00a0]+")


def _split_pairs(runs: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """"Ana Pires and Hugo Lindqvist" is two people when each side has two words or more."""
    for start, run in runs:
        parts = _AND.split(run)
        if len(parts) > 1 and all(len(p.split()) >= 2 for p in parts):
            at = 0
            for part in parts:
                at = run.index(part, at)
                yield start + at, part
                at += len(part)
        else:
            yield start, run


def collect_names(text: str, reg: Registry) -> None:
    """Add the article's person-like names and organisation names to `reg`, with genders."""
    for start, run in _split_pairs(_runs(text)):
        words = _words(run)
        cut = next((i for i, w in enumerate(words) if i and w[:1].isupper() and w.lower() in _STOP), len(words))
        words = words[:cut]
        while words and words[-1].lower() in ("of", "for", "and", "on", "to", "the"):
            words.pop()
        if any(ORG_NOUNS.fullmatch(w.lower()) for w in words[1:]) and len(words) >= 2:
            org = " ".join(words[1:] if words[0].lower() in ("the", "a", "an") else words)
            if len(org.split()) >= 2 and org not in reg.orgs:
                reg.orgs.append(org)
                reg.first_pos.setdefault(org, start)
            continue
        titles, name = _person_part(words)
        if not name:
            continue
        gender = _title_gender(titles)
        if len(name) == 1:
            cands = [n for n in reg.names if n.split()[0] == name[0] and len(n.split()) > 1]
            if len(cands) == 1 and not titles:
                reg.first_named.add(cands[0])  # "Luke said": this one goes by a first name
            continue
        if len(name) > 4 or _LOCATIVE.search(text, max(0, start - 30), start):
            continue
        if not gender:
            k = _KIN_BEFORE.search(text, max(0, start - 40), start)
            gender = _KIN.get(k.group("kin"), "") if k else ""
        if not gender:
            gender = _pronoun_after(text, start + len(run))
        full = " ".join(name)
        reg.counts[full] = reg.counts.get(full, 0) + 1
        if full not in reg.names and reg.canonical(full) != full:
            continue  # a shorter form of a name already known
        reg.add(full, None, gender, pos=start)


def _pronoun_after(text: str, pos: int) -> str:
    """The gender of the first he/she/his/her after a name, in its sentence, before anyone else is named."""
    window = text[pos : pos + 160]
    end = _SENT_END.search(window)
    window = window[: end.start()] if end else window
    p = _PRONOUN_AFTER.search(window)
    if not p or _TWO_CAPS.search(window, 0, p.start()):
        return ""
    return {"he": "m", "his": "m", "him": "m", "il": "m"}.get(p.group("p").lower(), "f")


AMBIGUOUS = "\x00"


def person_mentions(text: str, reg: Registry, lo: int, hi: int,
                    skip: Sequence[tuple[int, int]] = ()) -> list[tuple[int, str]]:
    """(offset, full name) of each person named in text[lo:hi] outside the `skip` spans, in order.

    A short form that fits several people gives AMBIGUOUS as the name.
    """
    out: list[tuple[int, str]] = []
    if hi <= lo or not reg.names:
        return out
    saved = reg.cursor
    inside = [(a, b) for a, b in skip if b > lo and a < hi]  # only the spans in the window
    for start, run in _runs(text, lo, hi):
        if any(a <= start < b for a, b in inside):
            continue
        for sub in _CONNECTOR.split(run):
            reg.cursor = start
            found = _mention(sub, reg)
            if found is not None:
                out.append((start, found))
    reg.cursor = saved
    return out


def _mention(sub: str, reg: Registry) -> str | None:
    """The registered person a run of capitals names (AMBIGUOUS if several fit), at `reg.cursor`."""
    titles, name = _person_part(_words(sub))
    if not name:
        return None
    full = " ".join(name)
    gender = _title_gender(titles)
    if full in reg.names:
        return full
    if reg.ambiguous(full, gender):
        return AMBIGUOUS
    canon = reg.canonical(full, gender)
    return canon if canon in reg.names else None


# --- the registry: every person the article names, with roles and genders ------------

_APPOSITIVE = regex.compile(
    r"(?P<name>(?:(?:\p{Lu}[\p{L}\p{M}'’.\-]{0,30}[\p{L}\p{M}'’\-]|\p{Lu}\.)[ \u00a0]+){1,3}\p{Lu}[\p{L}\p{M}'’\-]{1,40}),\s+(?P<role>(?:the|a|an)\s+[^,.;:()“”\"«»]{3,120}?)(?=,|\.\s|;|\s+(?:was|is|has|had|said|says|told|who|and)\b)"
)
_ROLE_FIRST = regex.compile(
    r"\b(?:(?:[Tt]he|[Aa]n?|[Ll]e|[Ll]a)\s+|[Ll]['’])(?P<role>[^,.;:“”\"«»]{2,60}?),\s+(?P<name>(?:(?:\p{Lu}[\p{L}\p{M}'’.\-]{0,30}[\p{L}\p{M}'’\-]|\p{Lu}\.)[ \u00a0]+){1,3}\p{Lu}[\p{L}\p{M}'’\-]+),"
)
_TITLED = regex.compile(
    r"\b(?P<title>(?:(?:\p{Lu}[\p{L}.\-]{0,30}|former|deputy|acting|vice|prime|minister|president|secretary|"
    r"senator|governor|mayor|chief|leader|general|foreign|defen[cs]e|interior|finance)[ \u00a0]+){1,4})(?P<name>\p{Lu}[\p{L}\p{M}'’\-]+(?:[ \u00a0]+\p{Lu}[\p{L}\p{M}'’\-]+){0,2})"
)


def build_registry(text: str) -> Registry:
    """Scan the article for named people with appositive roles and titles."""
    reg = Registry()
    found: list[tuple[int, str, str | None, str]] = []
    for m in _APPOSITIVE.finditer(text):
        title, name = split_name(m.group("name").split())
        role = m.group("role")
        if name and len(name) >= 2 and ROLE_NOUNS.search(role) and not _has_verb_head(role):
            found.append((m.start(), " ".join(_clean_token(w) for w in name), role_text(role), _gender(title)))
    for m in _ROLE_FIRST.finditer(text):
        role = m.group("role")
        title, name = split_name(m.group("name").split())
        if name and len(name) >= 2 and ROLE_NOUNS.search(role) and len(role.split()) <= 6:
            found.append((m.start(), " ".join(_clean_token(w) for w in name), role_text(role), _gender(title)))
    for m in _TITLED.finditer(text):
        words = (m.group("title") + m.group("name")).split()
        title, name = split_name(words)
        if (title and 2 <= len(name) <= 3 and any(t.lower().rstrip(".") in TITLES for t in title)
                and all(_rx(r"\p{Lu}[\p{L}\p{M}'’\-]+", 0).fullmatch(w) for w in name)):
            honorific = all(t.lower().rstrip(".") in _HONORIFIC_GENDER or t.lower().rstrip(".") in ("dr", "prof") for t in title)
            role = None if honorific else role_text(" ".join(title))
            found.append((m.start() + len(text), " ".join(_clean_token(w) for w in name), role, _gender(title)))
    # appositive roles first (in text order), then titles: "the leader of X" beats "Commander"
    for pos, full, role, gender in sorted(found, key=lambda f: (f[0], -len(f[1]))):
        reg.add(full, role, gender, pos=pos % len(text) if text else 0)
    collect_names(text, reg)
    if _PERSIAN.search(text):
        persian_names(text, reg)
    else:
        _genders_from_next_sentence(text, reg)
    return reg


_NEXT_PRONOUN = regex.compile(r"(?<=[.!?][\"”’]?[ \u00a0]+|\n)(?P<p>He|She|His|Her)\b")
_SENTENCE_START = regex.compile(r"(?:^|[.!?][\"”’]?\s+|\n)", regex.REVERSE)


def _genders_from_next_sentence(text: str, reg: Registry) -> None:
    """"That father, Jordi Serra, drives a snowplough. He remembers ...": the person named as a
    sentence's subject (in its first words) is "he" when the next sentence opens with He/His."""
    for m in _NEXT_PRONOUN.finditer(text):
        b = m.start()  # the previous sentence ends just before the pronoun
        cut = _SENTENCE_START.search(text, max(0, b - 400), b - 2)
        a = cut.end() if cut else max(0, b - 400)
        sentence = text[a:b]
        if '"' in sentence or "“" in sentence or not sentence.strip():
            continue
        named = person_mentions(text, reg, a, b)
        people = {n for _, n in named if n != AMBIGUOUS and n not in reg.orgs}
        if len(people) != 1 or len(text[a : named[0][0]].split()) > 4:
            continue
        name = people.pop()
        if name not in reg.genders:
            reg.genders[name] = "m" if m.group("p") in ("He", "His") else "f"
