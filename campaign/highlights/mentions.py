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

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from functools import lru_cache

import regex

from campaign.highlights.lexicon import (
    _PARTICLES,
    HYPHEN_PARTICLE,
    PLACES,
    _given_names,
    proper_word,
)
from campaign.highlights.speakers import (
    _HONORIFIC_GENDER,
    _INITIAL,
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
    _split,
    given_name_gender,
    persian_names,
    role_text,
    split_name,
)
from campaign.highlights.verbs import CORE_VERBS

_CAP = r"\p{Lu}[\p{L}\p{M}'’.\-]*"
_CONNECT = r"(?:of|for|and|on|to|the|de|des|du|da|van|von|der|bin|ibn|al|el|la|le|del|di|ben|abu|y|of\s+the)"
_PREFIXED = HYPHEN_PARTICLE + r"-\p{Lu}[\p{L}\p{M}'’.\-]*"  # "Anwar al-Awlaki"
_RUN = regex.compile(rf"(?<![\p{{L}}\p{{M}}'’\-]){_CAP}(?:[ \u00a0]+(?:{_CONNECT}[ \u00a0]+)?(?:{_CAP}|{_PREFIXED}))*")
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
# he/she/his, and "her" as a possessive ("her husband"): "him" and an object "her" ("disagreed with
# her") point to someone else
_PRONOUN_AFTER = regex.compile(r"\b(?P<p>he|she|his|il|elle|her(?=\s+(?!(?:and|or|to|in|on|at|for|with|that|as|but|about|"
                               r"from|by|after|before|if|when|because|so|out|up|down|off|over|again|too)\b)\p{Ll}))\b")
_SENT_END = regex.compile(r"[.!?]\s|[“”\"«»]")
_TWO_CAPS = regex.compile(r"\p{Lu}\p{Ll}+\s+\p{Lu}\p{Ll}+")


_STOP = _NOT_NAME | {"selon", "pour", "d'après", "après", "mais", "et", "dans", "avec", "sans", "depuis", "quand",
                     "lors", "chez", "pendant", "avant", "ce", "cette", "ces", "son", "sa", "ses", "leur", "nous",
                     "je", "il", "elle", "ils", "elles", "on", "asked", "among", "like", "unlike", "according",
                     "speaking", "addressing", "writing", "everybody", "nobody", "somebody", "anyone", "dear",
                     "neither", "either", "later", "earlier", "amid", "alongside", "despite", "even", "only",
                     "explained", "noted"} | set(CORE_VERBS)  # "Said Comey Ward,"


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
        w = _TIMESTAMP.sub("", _clean_token(raw))  # "9:35 PMJeb Bush": a page's timestamp run into the name
        out.append(w.rstrip(".") if len(w.rstrip(".")) > 1 and not _INITIAL.fullmatch(w) else w)
        if raw.endswith(("'s", "’s")) and len(raw) > 3:
            break
    return tuple(out)


_TIMESTAMP = regex.compile(r"^[AP]M(?=\p{Lu}\p{Ll})")
_WORD_END = regex.compile(r"(?<=(?P<w>\p{L}[\p{L}\p{M}'’\-]+)\.)[ \u00a0]+")


def _runs(text: str, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, str]]:
    """(offset, run) of each run of capitalised words, cut where a sentence ends inside it:
    "Ohio Governor John Kasich. Barkley also said" holds two names, not "John Kasich Barkley"."""
    for m in _RUN.finditer(text, lo, len(text) if hi is None else hi):
        yield from _cut(m.start(), m.group())


def _index(text: str, reg: Registry) -> tuple[list[int], list[tuple[int, int, list[tuple[int, str]]]]]:
    """Every run of capitals in the whole text, found once per article (kept on `reg`): the start of
    each `_RUN` match, and (start, end, the pieces `_runs` makes of it)."""
    cached = reg.runs
    if isinstance(cached, tuple) and cached[0] is text:
        return cached[1], cached[2]
    found: list[tuple[int, int, list[tuple[int, str]]]] = []
    for m in _RUN.finditer(text):
        found.append((m.start(), m.end(), list(_cut(m.start(), m.group()))))
    starts = [a for a, _, _ in found]
    reg.runs = (text, starts, found)
    return starts, found


def _cut(start: int, run: str) -> Iterator[tuple[int, str]]:
    for at, piece in _sentence_cut(run):
        prev = 0  # "American Action Forum’s Douglas Holtz-Eakin": the owner, then a name of its own
        for m in _POSSESSIVE_END.finditer(piece):
            yield start + at + prev, piece[prev : m.start()]
            prev = m.end()
        yield start + at + prev, piece[prev:]


_POSSESSIVE_BEFORE = regex.compile(r"\p{L}['’]s[ \u00a0]+$")
_POSSESSIVE_END = regex.compile(r"(?<=\p{L}{2}['’]s)[ \u00a0]+(?=\p{Lu})")


def _sentence_cut(run: str) -> Iterator[tuple[int, str]]:
    prev = 0
    if ". " not in run and ".\u00a0" not in run:
        yield 0, run
        return
    for cut in _WORD_END.finditer(run):
        if cut.group("w").lower() not in _ABBREVIATIONS:
            yield prev, run[prev : cut.start()]
            prev = cut.end()
    yield prev, run[prev:]


def _runs_in(text: str, reg: Registry, lo: int, hi: int) -> Iterator[tuple[int, str]]:
    """What `_runs(text, lo, hi)` gives, read from the article's index. `_RUN` has no lookahead and
    its lookbehind sees before `lo`, so a window's matches are the whole text's matches inside it,
    except where a match crosses `lo` or `hi`: such a window is scanned afresh."""
    starts, found = _index(text, reg)
    i = bisect_left(starts, lo)
    j = bisect_left(starts, hi, i)
    if (i and found[i - 1][1] > lo) or (j > i and found[j - 1][1] > hi):
        yield from _runs(text, lo, hi)
        return
    for k in range(i, j):
        yield from found[k][2]


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
    for k, w in enumerate(name):
        low = w.lower().rstrip(".")
        if k < len(name) - 1 and _INITIAL.fullmatch(w):
            continue  # "G.K. Butterfield", "Dan P. McAdams"
        surname = k and k == len(name) - 1 and given_name_gender(" ".join(name))  # "Mark Cuban"
        if (ORG_NOUNS.fullmatch(low) or _PLACE.fullmatch(low) or (NATIONALITY.match(w) and not surname)
                or _is_title_word(w) or ROLE_NOUNS.fullmatch(low) or (w.isupper() and len(w) > 1)
                or any(c.isdigit() for c in w)):
            return (), ()
    if name[0].lower() in _PLACE_FIRST and not titles or [t.lower() for t in titles[:1]] in (["st"], ["ste"], ["ft"], ["mt"]):
        return (), ()  # "St. Regis", "Ste. Genevieve", "Ft. Worth", "Mt. Hood": a place
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
        for at, part in _pairs(run):
            yield start + at, part


@lru_cache(maxsize=4096)
def _pairs(run: str) -> tuple[tuple[int, str], ...]:
    parts = _AND.split(run)
    if len(parts) > 1 and all(len(p.split()) >= 2 for p in parts):
        out, at = [], 0
        for part in parts:
            at = run.index(part, at)
            out.append((at, part))
            at += len(part)
        return tuple(out)
    return ((0, run),)


@lru_cache(maxsize=4096)
def _name_or_org(run: str) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """What a run of capitals is, from its words alone: (organisation name, (), ()) for an organisation
    ("" when that name has a single word), else (None, title words, name words) of a person, with
    no name words when it is no person's name."""
    words = _words(run)
    cut = next((i for i, w in enumerate(words) if i and w[:1].isupper() and w.lower() in _STOP), len(words))
    words = words[:cut]
    while words and words[-1].lower() in ("of", "for", "and", "on", "to", "the"):
        words.pop()
    of = next((k for k, w in enumerate(words) if 2 <= k <= 3 and w == "of"), None)
    if (of is not None and words[0].lower() not in ("the", "a", "an")
            and not any(ORG_NOUNS.fullmatch(w.lower()) or _PLACE.fullmatch(w.lower()) for w in words[:of])):
        words = words[:of]  # "Agnès Callamard of Amnesty International": the person, not the organisation
    if any(ORG_NOUNS.fullmatch(w.lower()) for w in words[1:]) and len(words) >= 2:
        org = " ".join(words[1:] if words[0].lower() in ("the", "a", "an") else words)
        return (org if len(org.split()) >= 2 else ""), (), ()
    titles, name = _person_part_of(tuple(words))
    return None, titles, name


def collect_names(text: str, reg: Registry) -> None:
    """Add the article's person-like names and organisation names to `reg`, with genders."""
    titled: list[tuple[int, str, str, str]] = []  # "President Obama", "Sen. Sanders": one word and a title
    for start, run in _split_pairs(_runs_in(text, reg, 0, len(text))):
        org, titles, name = _name_or_org(run)
        if org is None and not name and _CONNECTOR.search(run):  # "G.K. Butterfield of North Carolina"
            head = _CONNECTOR.split(run, maxsplit=1)[0]
            org, titles, name = _name_or_org(head) if len(head.split()) >= 2 else (None, (), ())
            run = head
        if org is not None:  # an organisation ("" when its name is one word: neither kept nor a person)
            if org and org not in reg.orgs:
                reg.orgs.append(org)
                reg.first_pos.setdefault(org, start)
            continue
        if not name:
            continue
        gender = _title_gender(titles)
        if len(name) == 1:
            cands = [n for n in reg.names if len(w := _split(n)) > 1 and w[0] == name[0]]
            if len(cands) == 1 and not titles:
                reg.first_named.add(cands[0])  # "Luke said": this one goes by a first name
            elif titles and _is_title_word(titles[-1]) and name[0][:1].isupper() and len(name[0]) > 2:
                # ("President Obama said he …": the pronoun after the name, as for a full name)
                titled.append((start, name[0], gender or _pronoun_after(text, start + len(run)), " ".join(titles)))
            continue
        if len([w for w in name if w not in _PARTICLES]) > 4 or _LOCATIVE.search(text, max(0, start - 30), start) and not (
                _POSSESSIVE_BEFORE.search(text, max(0, start - 4), start) and (titles or given_name_gender(" ".join(name)))):
            continue  # ("Clinton’s Colorado"; kept: "the Forum’s Douglas Holtz-Eakin", "Trump’s Chief Strategist Ana Ruiz")
        if not gender:
            k = _KIN_BEFORE.search(text, max(0, start - 40), start)
            gender = _KIN.get(k.group("kin"), "") if k else ""
        if not gender:  # a given name read one way, else the pronoun that follows
            gender = given_name_gender(" ".join(name)) or _pronoun_after(text, start + len(run))
        full = " ".join(name)
        reg.counts[full] = reg.counts.get(full, 0) + 1
        if full not in reg.names and reg.canonical(full) != full:
            continue  # a shorter form of a name already known
        reg.add(full, None, gender, pos=start)
    # A titled surname is a person of its own when no fuller name ends with it ("President Obama"
    # in an article that never says "Barack Obama").
    for start, word, gender, title in titled:
        if word in reg.names or any(_split(n)[-1] == word for n in reg.names if n != word) or word in reg.orgs:
            continue
        reg.add(word, role_text(title) if not _title_gender([title]) else None, gender, pos=start)
    # A bare surname that speaks ("Calabrese told the National Post he …") is a person of its own when
    # the story never names it in full and never writes it in lowercase.
    for m in _BARE_SPEAKER.finditer(text):
        word = m.group("w")
        low = word.lower()
        if (word in reg.names or word in reg.orgs or low in _STOP or low in PLACES or _is_title_word(word)
                or ORG_NOUNS.fullmatch(low) or (word.endswith("s") and NATIONALITY.match(word[:-1])) or _given_names().get(low)
                or any(_split(n)[-1] == word or _split(n)[0] == word for n in reg.names)
                or not proper_word(word, text)):
            continue  # (a sentence's first word, a common word, a place, a known person's short form)
        reg.add(word, None, _pronoun_after(text, m.end()), pos=m.start())


# A capitalised word standing alone: no letter before it, and no capitalised word just before it.
_ALONE = r"(?<!\p{Lu}[\p{L}\p{M}'’\-]*[ \u00a0])(?<![\p{L}\p{M}'’\-])"
_BARE_SPEAKER = regex.compile(_ALONE + r"(?P<w>\p{Lu}\p{Ll}{2,})[ \u00a0]+"
                              r"(?:said|says|told|tells|added|wrote|argued|noted|insisted|warned|explained)\b")


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
    starts, ends = _holes(skip, reg)
    for start, run in _runs_in(text, reg, lo, hi):
        k = bisect_right(starts, start) - 1
        if k >= 0 and start < ends[k]:
            continue  # inside a skipped span
        for parsed in _parsed(run):
            reg.cursor = start
            found = _mention(parsed, reg)
            if found is not None:
                out.append((start, found))
    reg.cursor = saved
    return out


def _holes(skip: Sequence[tuple[int, int]], reg: Registry) -> tuple[list[int], list[int]]:
    """The union of the `skip` spans as sorted disjoint spans (starts, ends), kept on `reg` for the
    same unchanged list: a run is skipped when a span holds its start."""
    cached = reg.holes
    if isinstance(cached, tuple) and cached[0] is skip and cached[1] == len(skip) and cached[2] == skip:
        return cached[3], cached[4]
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted((a, b) for a, b in skip if a < b):
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    reg.holes = (skip, len(skip), list(skip), starts, ends)
    return starts, ends


@lru_cache(maxsize=4096)
def _parsed(run: str) -> tuple[tuple[str, str] | None, ...]:
    """(full name, gender from a title) of each part of a run split at its connectors, None for a part
    that is no person's name (depends on the run alone)."""
    out: list[tuple[str, str] | None] = []
    for sub in _CONNECTOR.split(run):
        titles, name = _person_part_of(_words_of(sub))
        out.append((" ".join(name), _title_gender(titles)) if name else None)
    return tuple(out)


def _mention(parsed: tuple[str, str] | None, reg: Registry) -> str | None:
    """The registered person a run of capitals names (AMBIGUOUS if several fit), at `reg.cursor`."""
    if parsed is None:
        return None
    full, gender = parsed
    if full in reg.names:
        return full
    cands = reg._candidates(full)  # what reg.ambiguous and reg.canonical would each work out
    if not cands and len(full.split()) >= 2:  # "Paul D. Ryan" for "Paul Ryan", "Ben Bernanke" for "Ben S. Bernanke"
        bare = _without_initials(full)
        cands = [n for n in reg.names if _without_initials(n) == bare]
        if len(cands) == 1:
            return cands[0]
    if not cands:
        return None  # canonical is `full`, not a known name
    pick = reg._pick(cands, gender)
    if pick is None and len(cands) > 1:
        return AMBIGUOUS
    canon = pick or full
    return canon if canon in reg.names else None


@lru_cache(maxsize=4096)
def _without_initials(name: str) -> str:
    """A name with its middle initials left out: "Paul D. Ryan" -> "Paul Ryan"."""
    words = name.split()
    return " ".join([words[0]] + [w for w in words[1:-1] if not _INITIAL.fullmatch(w)] + words[-1:]) if len(words) > 2 else name


# --- the registry: every person the article names, with roles and genders ------------

_APPOSITIVE = regex.compile(
    r"(?P<name>(?:(?:\p{Lu}[\p{L}\p{M}'’.\-]{0,30}[\p{L}\p{M}'’\-]|\p{Lu}\.)[ \u00a0]+){1,3}\p{Lu}[\p{L}\p{M}'’\-]{1,40}),\s+(?P<role>(?:(?:the|a|an|le|la|un|une)\s+|l['’])[^,.;:()“”\"«»]{3,120}?)(?=,|\.\s|;|\s+(?:was|is|has|had|said|says|told|who|and|et|qui|a|est)\b)"
)
_ONE_NAME = regex.compile(
    _ALONE + r"(?P<name>\p{Lu}\p{Ll}{2,}),[ \u00a0]+(?:(?P<age>\d{1,3}),[ \u00a0]+)?"
    r"(?P<role>(?:the|a|an)\s+[^,.;:()“”\"«»]{3,80}?)(?=,|\.\s|;|\s+(?:was|is|has|had|said|says|told|who|and)\b)"
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
    for m in _ONE_NAME.finditer(text):  # "Nasrin, 24, a former teacher in Herat,": one name, an age or a given name
        name, role = m.group("name"), m.group("role")
        if ((m.group("age") or _given_names().get(name.lower())) and ROLE_NOUNS.search(role)
                and not _has_verb_head(role) and name.lower() not in PLACES and name.lower() not in _STOP
                and not _is_title_word(name) and not ORG_NOUNS.fullmatch(name.lower())
                and not _rx(r"\p{Lu}[\p{L}'’\-]+[ \u00a0]+" + name + r"(?![\p{L}'’\-])|(?<![\p{L}'’\-])" + name
                            + r"[ \u00a0]+\p{Lu}\p{Ll}", 0).search(text)):  # ("Clinton, 35," when "Chelsea Clinton" is named)
            found.append((m.start(), name, role_text(role), _given_names().get(name.lower(), "")))
    for m in _ROLE_FIRST.finditer(text):
        role = m.group("role")
        title, name = split_name(m.group("name").split())
        if name and len(name) >= 2 and ROLE_NOUNS.search(role) and len(role.split()) <= 6:
            found.append((m.start(), " ".join(_clean_token(w) for w in name), role_text(role), _gender(title)))
    for m in _TITLED.finditer(text):
        words = (m.group("title") + m.group("name")).split()
        if not any(w.lower().rstrip(".") in TITLES for w in words):
            continue  # no title word at all (most runs of capitals): the test below fails on any split
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
