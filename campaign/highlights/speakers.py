"""Who is speaking: noun-phrase parsing and the people and organisations an article names, with
their roles (the speech-verb lexicons are in `verbs`).

`Registry` collects mentions ("Ahmad Massoud, the leader of X", "The French MP, Nathalie
Loiseau", "Commander Ahmad Massoud") so that short forms ("Massoud") map to full names and
roles come from appositives. `parse_np` turns a subject phrase into a `Speaker`, or None when
unsure: no speaker is better than a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import regex

from campaign.highlights.lexicon import (
    _DETS,
    _FA_HONORIFIC,
    _FA_STOP,
    _HONORIFIC_GENDER,
    _INITIAL,
    _NOT_NAME,
    _PERSIAN,
    _ROLE_SUFFIX,
    GENERIC,
    HYPHEN_PARTICLE,
    NAME_RUN,
    NATIONALITY,
    ORG_NOUNS,
    PRONOUNS,
    ROLE_NOUNS,
    SENTENCE_ADVERBS,
    TITLES,
    Speaker,
    _clean_token,
    _is_title,
    _is_title_word,
    _rx,
    given_name_gender,
    not_a_person,
    tokens,
)
from campaign.highlights.names import _name_run, role_text, split_name

# Names the other highlight modules import from here (defined here or in `lexicon` and `names`).
__all__ = [
    "NATIONALITY", "ORG_NOUNS", "PRONOUNS", "ROLE_NOUNS", "STATE_ABBREV", "TITLES", "Registry", "Speaker", "_GROUP",
    "_HONORIFIC_GENDER", "_INITIAL", "_NOT_NAME", "_PERSIAN", "_clean_token", "_gender", "_has_verb_head", "_is_title",
    "_is_title_word", "_rx", "_split", "document", "given_name_gender", "not_a_person", "parse_np", "persian_names",
    "role_text", "same_person", "split_name",
]


@dataclass
class Registry:
    """People and organisations named in one article, with roles, genders and first mentions.

    `cursor` is the offset being attributed: a short form ("Holloway") maps to the one full name
    introduced before it; when several fit (a family sharing a surname) it maps to none.
    """

    roles: dict[str, str] = field(default_factory=dict)
    genders: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # full names, earliest first
    first_pos: dict[str, int] = field(default_factory=dict)
    orgs: list[str] = field(default_factory=list)  # organisation names ("UN Human Rights Office")
    first_named: set[str] = field(default_factory=set)  # people the text calls by their first name
    counts: dict[str, int] = field(default_factory=dict)  # how often each full name is written out
    cursor: int | None = None
    horizon: int | None = None  # the end of the cursor's paragraph: "the director" named there is in view
    # per-article caches (not part of the registry's value): the known names a short form fits, as
    # (the `names` list, how many of its names were looked at, the fits); the runs of capitals
    # `mentions` found in the article's text; the quote spans `mentions` skips, merged
    fits: dict[str, tuple[list[str], int, list[str]]] = field(default_factory=dict, repr=False, compare=False)
    runs: object = field(default=None, repr=False, compare=False)
    holes: object = field(default=None, repr=False, compare=False)

    def _candidates(self, name: str) -> list[str]:
        """The known names `name` starts or ends ("Massoud" in "Ahmad Massoud"); `names` only grows
        (by `add`), so the answer is kept and extended with the names added since."""
        names = self.names
        hit = self.fits.get(name)
        if hit is not None and hit[0] is names and hit[1] <= len(names):
            seen, found = hit[1], hit[2]
        else:
            seen, found = 0, []
        if seen < len(names):
            parts = _split(name)
            n = len(parts)
            found = found + [f for f in names[seen:]
                             if len(w := _split(f)) > n and (w[-n:] == parts or w[:n] == parts)]
            self.fits[name] = (names, len(names), found)
        return list(found)

    def _pick(self, cands: list[str], gender: str = "") -> str | None:
        if len(cands) > 1 and self.cursor is not None:
            before = [c for c in cands if self.first_pos.get(c, 0) <= self.cursor]
            cands = before or cands
        if len(cands) > 1:
            cands = [c for c in cands if c not in self.first_named] or cands
        if len(cands) > 1 and gender:
            fit = [c for c in cands if self.genders.get(c, "") in ("", gender)]
            known = [c for c in fit if self.genders.get(c) == gender]
            cands = known if len(known) == 1 else fit
        cands = [c for c in cands if not any(c != d and c in d for d in cands)]
        if len(cands) > 1:  # "Susan Sarandon" beats "Oscar-winner Sarandon": a given name starts a name
            named = [c for c in cands if given_name_gender(c) and "-" not in c.split()[0]]
            cands = named if len(named) == 1 else cands
        if len(cands) > 1:  # "Marco Rubio" written out six times, "Mario Rubio" once (a typo)
            top = max(cands, key=lambda c: self.counts.get(c, 0))
            if self.counts.get(top, 0) >= 3 and all(3 * self.counts.get(c, 0) <= self.counts[top] for c in cands if c != top):
                return top
        if len(cands) > 1 and all(same_person(cands[0], c) for c in cands[1:]):
            return cands[0]  # "Ken Starr" and "Kenneth Starr", "Harry Reid" and "Harry M. Reid"
        return cands[0] if len(cands) == 1 else None

    def canonical(self, name: str, gender: str = "") -> str:
        """The full known form of `name` ("Massoud" -> "Ahmad Massoud"), or `name` itself."""
        if name in self.names:
            return name
        cands = self._candidates(name)
        return (self._pick(cands, gender) or name) if cands else name

    def org(self, label: str) -> str:
        """The full name of an organisation a one-word label refers to ("the ministry"), if just one fits."""
        if len(label.split()) != 1:
            return label
        low = label.lower()
        fits = [o for o in self.orgs if low in o.lower().split()
                and (self.cursor is None or self.first_pos.get(o, 0) <= self.cursor)]
        return fits[0] if len(fits) == 1 else label

    def ambiguous(self, name: str, gender: str = "") -> bool:
        """Does the short form fit several people (two Holloways), so that it names no one?"""
        if name in self.names:
            return False
        cands = self._candidates(name)
        return len(cands) > 1 and self._pick(cands, gender) is None

    def add(self, name: str, role: str | None = None, gender: str = "", pos: int | None = None) -> str:
        name = self.canonical(name, gender)
        if name not in self.names:
            self.names.append(name)
        if pos is not None and (name not in self.first_pos or pos < self.first_pos[name]):
            self.first_pos[name] = pos
        if role and name not in self.roles:
            self.roles[name] = role
        if name not in self.genders:
            gender = gender or given_name_gender(name)
            if gender:
                self.genders[name] = gender
        return name


@lru_cache(maxsize=8192)
def _split(name: str) -> tuple[str, ...]:
    """The words of a name, with a particle before a hyphen in lowercase ("Al-Awlaki" is "al-Awlaki")."""
    return tuple(_PARTICLE.sub(lambda m: m.group().lower(), w) for w in name.split())


_PARTICLE = regex.compile(r"^(?i:" + HYPHEN_PARTICLE + r")(?=-\p{Lu})")


# Short forms of given names that share no prefix with the full form.
_NICKNAMES = {frozenset(p.split("/")) for p in (
    "bill/william", "will/william", "bob/robert", "bobby/robert", "rob/robert", "dick/richard", "rick/richard",
    "jim/james", "jimmy/james", "joe/joseph", "jack/john", "johnny/john", "peggy/margaret", "maggie/margaret",
    "chuck/charles", "charlie/charles", "hank/henry", "harry/henry", "liz/elizabeth", "beth/elizabeth",
    "betsy/elizabeth", "betty/elizabeth", "kate/katherine", "kate/catherine", "kathy/kathleen", "ted/edward",
    "ted/theodore", "ned/edward", "ed/edward", "sandy/sandra", "sue/susan", "nancy/ann", "mike/michael",
    "mitch/mitchell", "newt/newton", "tony/anthony", "larry/lawrence", "jerry/gerald", "steve/stephen",
    "steve/steven", "tom/thomas", "dan/daniel", "dave/david", "chris/christopher", "matt/matthew",
    "pat/patrick", "pat/patricia", "sam/samuel", "nick/nicholas", "andy/andrew", "ben/benjamin",
)}


def same_person(a: str, b: str) -> bool:
    """Two registered names for one person: the same surname and a first name that is the same,
    a prefix ("Ken"/"Kenneth") or a known short form ("Bill"/"William"); middle names and initials
    aside ("Harry Reid"/"Harry M. Reid")."""
    x, y = a.split(), b.split()
    if len(x) < 2 or len(y) < 2 or x[-1] != y[-1]:
        return False
    f, g = x[0].lower().rstrip("."), y[0].lower().rstrip(".")
    if f == g:
        return True
    short, long_ = sorted((f, g), key=len)
    return (len(short) >= 3 and long_.startswith(short)) or frozenset((f, g)) in _NICKNAMES


def _has_verb_head(role: str) -> bool:
    return bool(_rx(r"(?:the|a|an)\s+\w+\s+(?:is|was|has|had|said)\b", 0).match(role))


def _gender(titles: list[str]) -> str:
    for t in titles:
        g = _HONORIFIC_GENDER.get(t.lower().rstrip("."))
        if g:
            return g
    return ""


# US states as newspapers abbreviate them ("Pa.", "Calif.", "N.H."), followed by a capitalised word.
STATE_ABBREV = (r"(?:Ala|Ariz|Ark|Calif|Colo|Conn|Del|Fla|Ga|Ill|Ind|Kan|Ky|La|Md|Mass|Mich|Minn|Miss|Mo|"
                r"Mont|Neb|Nev|Okla|Ore|Pa|Tenn|Tex|Va|Vt|Wash|Wis|Wyo|N\.[HJMYCD]|R\.I|S\.[CD]|W\.Va)\.")
_STATE_ABBREV = regex.compile(r"\b" + STATE_ABBREV + r"[ \u00a0]+\p{Lu}")


# Unnamed speakers a campaign can still credit ("— an eyewitness"): a determiner, up to four words
# (an organisation or a place may be among them), and one of these nouns.
_GROUP = regex.compile(
    r"(?P<det>(?:an?|the|one|another|two|three|several|some|many|other)\s+)?(?:[\p{L}\d\-’'.]+\s+){0,4}?"
    r"(?:eye-?witness(?:es)?|witness(?:es)?|official|employee|aide|staffer|protesters|demonstrators|"
    r"marchers|survivors?|residents?|villagers?|parents?|workers?|students?|nurses|doctors|volunteers?|"
    r"supporters?|voters?|activists?|strategists?|advis[eo]rs?|operatives?|insiders?|delegates?|donors?|"
    r"consultants?|users?|confidants?|sources?|commenters?|friends?|neighbou?rs?|observers?|critics?|attendees?|"
    r"participants?|organi[sz]ers?|staffers?|allies|veterans?|fans?|passengers?|eyewitness|bystanders?|"
    r"experts?|researchers?|economists?|lawyers?|investigators?|diplomats?|representatives?|"
    r"members?|lawmakers|republicans?|democrats?|conservatives|liberals|evangelicals|people|man|woman|men|women|"
    r"crowd|audience|teachers?|farmers?|shopkeepers?|vendors?|traders?|drivers?|journalists?|"
    r"refugees?|migrants?|soldiers?|engineers?|doctor|nurse|girls?|boys?|widows?|pupils?|elders?|clerics?|"
    r"miners?|fisherm[ae]n|police(?:m[ae]n|wom[ae]n)|officials|employees|aides|person|persons)"
    r"(?:\s+(?:involved|familiar|close|working|speaking|who|with|from|at|in|on|of|for|to)\b[^,;:]{0,60})?",
    regex.I,
)


# A document the article cites as the source of the words: "a Wednesday editorial in The Des Moines
# Register", "a Pentagon readout", "the order released Friday", "the statement".
_DOCUMENT = regex.compile(
    r"(?P<det>(?:the|a|an|one|this|that|its|their|his|her)\s+)?(?P<pre>(?:[\p{L}\d'’\-]+\s+){0,4}?)"
    r"(?P<doc>statement|report|editorial|letter|order|ruling|memo|memorandum|readout|website|ad|advertisement|"
    r"study|paper|filing|complaint|lawsuit|indictment|transcript|release|press\s+release|opinion|"
    r"communiqu[ée]|declaration|resolution|petition|manifesto|leaflet|flyer|post|message|note|email|e-mail|"
    r"headline|caption|tweet|sign|banner|placard|plaque|inscription)"
    r"(?P<post>(?:,?\s+(?:released|issued|published|filed|obtained|sent|posted|signed|dated|written)"
    r"(?:\s+(?:by|on|in|to|last|this)?\s*[\p{L}\d.'’\-]+){0,4})?"
    r"(?:\s+(?:in|from|by|of|on|at|to)\s+(?:the\s+)?\p{Lu}[\p{L}\d.'’&\- ]{0,60})?)",
    regex.I,
)


def document(np: str) -> Speaker | None:
    """A cited document as the speaker, as the article words it; sure only when it names whose it is
    (a capitalised owner: "a Pentagon readout"), otherwise a guess ("the statement": whose?)."""
    m = _DOCUMENT.fullmatch(np.strip())
    if m is None or m.group("pre").strip().lower() in ("the", "a") or len(np.split()) > 14 or m.group("doc")[:1].isupper():
        return None  # ("the Washington Post" is an outlet, not a post)
    if not (m.group("det") or m.group("pre").strip()[:1].isupper()):
        return None  # "statement said": a bare noun, no phrase of its own
    label = np.strip()
    label = label[0].lower() + label[1:] if m.group("det") and label[:1].isupper() else label
    owned = any(w[:1].isupper() and w.lower().strip(".,") not in _NOT_NAME
                for w in label[len(m.group("det") or "") :].split())  # (not "Friday")
    return Speaker(label, "document", sure=owned)


_BOTH = regex.compile(r"(?:(?i:both)\s+)?(?P<a>" + NAME_RUN + r")\s+and\s+(?P<b>" + NAME_RUN + r")")
_BOTH_ROLES = regex.compile(r"(?P<a>(?:[\p{L}.'’\-]+\s+){1,5}?\p{Lu}[\p{L}'’\-]+)\s+and\s+(?P<b>(?:[\p{L}.'’\-]+\s+){1,5}?\p{Lu}[\p{L}'’\-]+)")
_OWNED_ROLE = regex.compile(r"\p{Lu}[\p{L}.'’\-]*(?:\s+\p{Lu}[\p{L}.'’\-]*){0,3}['’]s\s+(?:\p{Ll}+\s+){0,2}\p{Ll}{3,}")
_PERSONS_OFFICE = regex.compile(r"(?:the\s+)?(?P<p>\p{Lu}[\p{L}.'’\- ]{1,40}?)['’]s?\s+(?P<o>office|campaign|spokes(?:man|woman|person)|"
                                r"lawyers?|attorneys?|team|staff|foundation)", regex.I)


def parse_np(np: str, reg: Registry) -> Speaker | None:
    """The speaker a subject phrase names, or None when it names no one we can put on a card."""
    np = np.strip(" \t,;:—–-\u00a0")
    if not np:
        return None
    low = np.lower()
    if low in PRONOUNS:
        return Speaker(None, "pronoun", gender=PRONOUNS[low])
    if _PERSIAN.search(np):
        return _parse_persian(np, reg)
    np = _rx(r"^(?:(?:the|a|an)\s+)?\d{1,3}-year-old\s+(?=\p{Lu})", regex.I).sub("", np)  # "the 74-year-old Sanders"
    if _STATE_ABBREV.search(np):
        return None  # "Pa. Sure": a state's abbreviation and a word make no name
    group = _GROUP.fullmatch(np)
    if (group and (group.group("det") or "").lower().strip() == "the" and not np.lower().endswith("s")
            and not _rx(r"(?i:crowd|audience)\b", 0).search(np)):
        group = None  # "the official": someone the story keeps anonymous, not a label to post
    if group:  # "an eyewitness", "a White House official", "protesters": unnamed, but who they are
        label = np[0].lower() + np[1:] if np[:1].isupper() and group.group("det") else np
        return Speaker(label, "group")
    m = _rx(r"(?:a|the|an)\s+(?:\w+\s+)?spokes(?:man|woman|person)\s+(?:for|of|at)\s+(?:the\s+)?(.+)$", regex.I).match(np)
    if m:
        inner = parse_np(m.group(1), reg)
        if inner and inner.name:
            return Speaker(inner.name, "org", role="Spokesperson")
        # "a spokesman for the union": unnamed, credited as the article describes them
        return Speaker(np[0].lower() + np[1:], "group") if len(np.split()) <= 8 else None
    m = _rx(r"(?:a|an|the)\s+(?P<org>\p{Lu}[\p{L}\p{M}'’&.\- ]*?)\s+spokes(?:man|woman|person)", regex.I).fullmatch(np)
    if m and (m.group("org") in reg.orgs or any(ORG_NOUNS.fullmatch(w) for w in m.group("org").lower().split())
              or m.group("org").isupper() or _rx(r"\p{Lu}\p{Ll}+", 0).fullmatch(m.group("org"))):  # ("a Taliban spokesman")
        return Speaker(reg.org(m.group("org")), "org", role="Spokesperson")  # "a Department for Education spokesperson"
    doc = document(np)
    if doc is not None:  # "“…,” reads a Wednesday editorial in The Des Moines Register"
        return doc
    owned = _PERSONS_OFFICE.fullmatch(np)
    if owned:  # "Powell’s office said": the person's office speaks for them
        person = _parse_simple(owned.group("p"), reg)
        if person is not None and person.kind == "person" and person.name:
            return Speaker(f"{person.name}’s {owned.group('o').lower()}", "org")
    party = _rx(r"(?i:the)\s+(?:\p{Lu}[\p{L}.\-]+\s+){1,2}(?:Republican|Democrat|Independent|Democratic\s+\p{Ll}+)", 0).fullmatch(np)
    if party:  # "the Wisconsin Republican said": a description pointing back, resolved like a pronoun
        return Speaker(None, "pronoun", role=np)
    both = _BOTH.fullmatch(np) or _BOTH_ROLES.fullmatch(np)
    if both:  # "Lopez and Reyes said", "state Senate leader Phil Berger and House Speaker Tim Moore said"
        a, b = parse_np(both.group("a"), reg), parse_np(both.group("b"), reg)
        if (a is not None and b is not None and a.kind == b.kind == "person" and a.name and b.name
                and a.name != b.name and a.name in reg.names and b.name in reg.names
                and not any(_is_title(w) for w in (a.name + " " + b.name).split())):  # ("former Pennsylvania Gov. and …")
            return Speaker(f"{a.name} and {b.name}", "group")
    segs = [s.strip() for s in np.split(",") if s.strip()]
    if len(segs) >= 2:
        if _GROUP.fullmatch(segs[0]) and _rx(r"(?:who|which|whose)\b", regex.I).match(segs[1]):
            return parse_np(segs[0], reg)  # "one Republican involved in the planning, who spoke …"
        first, second = _parse_simple(segs[0], reg), _parse_simple(segs[1], reg)
        if not _has_name(segs[0]) and _roleish(segs[0]):
            first = None  # "The French MP, Nathalie Loiseau": the role comes first
        if first and second and first.kind == second.kind == "person" and first.name == second.name:
            return second  # "The UN Special Rapporteur, Richard Bennett": the role names the same person
        if first and first.kind == "person" and first.name and _roleish(segs[1]):
            role = role_text(segs[1]) if _rx(r"(?:the|a|an)\s", regex.I).match(segs[1]) and ROLE_NOUNS.search(segs[1]) else None
            return Speaker(first.name, "person", role or first.role or reg.roles.get(first.name), first.gender)
        if second and second.kind == "person" and second.name and first is None and (
                _roleish(segs[0]) or _OWNED_ROLE.fullmatch(segs[0])):  # "Clinton's introducer, actress Jamie Lee Curtis"
            role = role_text(segs[0]) if ROLE_NOUNS.search(segs[0]) else None
            return Speaker(second.name, "person", role or reg.roles.get(second.name), second.gender)
        if first and _rx(r"(?:who|which|whose|in|on|at|during|speaking|writing|after|before|when|while|"
                         r"with|without|also)\b|\d", regex.I).match(segs[1]):
            return first  # an aside: "Ortiz, who chairs the panel," / "Reyes, 45,"
        if first and first.kind == "person" and len((first.name or "").split()) >= 2 and ROLE_NOUNS.search(segs[1]):
            return first  # "Brad Sherman, pastor of … and a supporter of …": a long description, no role kept
        return None
    return _parse_simple(np, reg)


# Words that open a sentence with a capital but never a name.
_OPENERS = set("""amid alongside over any eight seven six five four three two nine ten hi hello continuing
    across against among around behind beyond despite during inside outside throughout toward towards upon
    within without whether unless until whose every each such several""".split()) | set(SENTENCE_ADVERBS)


def _not_a_name(name: list[str], reg: Registry) -> bool:
    """A capitalised run that is no name: a sentence's opening word, an "-ing" word, "State-linked"."""
    first = name[0].lower()
    if first in _OPENERS or (first.endswith("ing") and len(name) == 1 and reg.canonical(name[0]) not in reg.names
                             and not any(n.split()[-1] == name[0] for n in reg.names)):  # (two Ebelings)
        return True
    if any(_rx(r"\p{L}+-\p{Ll}+", 0).fullmatch(w) and w.split("-")[-1] in ("linked", "based", "led", "backed", "owned")
           for w in name):
        return True
    return False


def _has_name(s: str) -> bool:
    run = _name_run(tokens(s))
    return bool(run) and not all(_is_title(w) for w in split_name(run)[1])


def _roleish(s: str) -> bool:
    s = s.strip()
    return bool(_rx(r"(?:the|a|an|who|which|whose|former|then|now|one of)\b", regex.I).match(s)) or bool(
        ROLE_NOUNS.search(s) and len(s.split()) <= 16
    )


_OF_PLACE = regex.compile(r"^(?P<np>.*?\p{Lu}[\p{L}\p{M}'’\-]+[ \u00a0]+\p{Lu}[\p{L}\p{M}'’\-]+)[ \u00a0]+"
                          r"(?:of|from)[ \u00a0]+(?:the[ \u00a0]+)?\p{Lu}[^,]*$")


_OUTLET_OWNED = regex.compile(r"(?:(?i:as|like|per|from|by|with)\s+)?(?:(?i:the)\s+)?"
                              r"(?P<org>(?:\p{Lu}[\p{L}.&\-]*\s+){0,3}\p{Lu}[\p{L}.&\-]*)['’]s?\s+"
                              r"(?P<rest>(?:\p{Ll}+\s+){0,3}\p{Lu}.*)")


_ORG_OF = regex.compile(r"(?:(?i:the)\s+)?(?P<org>(?:\p{Lu}[\p{L}\-]*\s+){0,2}(?P<head>\p{Lu}\p{Ll}+)\s+(?:of|for)\s+(?:the\s+)?"
                       r"\p{Lu}[\p{L}\-]*(?:\s+(?:and\s+)?\p{Lu}[\p{L}\-]*){0,4})")


def _parse_simple(np: str, reg: Registry) -> Speaker | None:
    org_of = _ORG_OF.fullmatch(np.strip())
    if org_of and ORG_NOUNS.fullmatch(org_of.group("head").lower()):  # "the Ministry of Foreign Affairs"
        return Speaker(org_of.group("org"), "org")
    owned = _OUTLET_OWNED.fullmatch(np.strip())
    if owned and owned.group("org")[:1].isupper():  # "The Post's Dana Milbank", "RealClearPolitics’ David Byler"
        found = _parse_simple(owned.group("rest"), reg)
        if found is not None and found.kind == "person" and len((found.name or "").split()) >= 2:
            org = _rx(r"^(?:As|Like|Per|From|By|With|The)\s+", 0).sub("", owned.group("org"))
            return replace(found, role=found.role or role_text(org))
    place = _OF_PLACE.match(np.strip())
    if place:
        found = _parse_simple(place.group("np"), reg)  # "Sen. Tom Udall of New Mexico"
        if found is not None and found.kind == "person" and (
                not ORG_NOUNS.search(np.split()[-1].lower()) or len((found.name or "").split()) >= 2):
            return found  # (and a full name "of Human Rights Watch")
    words = tokens(np)
    words = [w for w in words if w not in ("’", "'", "\"")]
    if not words or len(words) > 12:
        return None
    low = [w.lower() for w in words]
    if len(words) == 1 and low[0] in PRONOUNS:
        return Speaker(None, "pronoun", gender=PRONOUNS[low[0]])
    if low[-1].rstrip(".") in GENERIC or (len(low) <= 2 and low[-1] in GENERIC):
        return None
    run = _name_run(words)
    if run:
        before = words[: len(words) - len(run)]
        titles, name = split_name(run)
        name = [w for w in name if w]
        if name and _not_a_name(name, reg):
            return None  # "Continuing", "Amid", "Pollsters", "Islamic State-linked": capitals, no name
        known = len(name) == 1 and reg.canonical(name[0]) != name[0]  # "Cuban" for Mark Cuban
        if name and not known and (all(_is_title(w) for w in name) or ROLE_NOUNS.fullmatch(name[-1].lower())):
            # ("the UN Special Rapporteur": a role, not a person called "Special Rapporteur")
            return None if low[0] in ("a", "an") else _role_person(np, reg)
        if not name:
            return None
        head = " ".join(before + titles)
        if _rx(r"(?:\b(?:of|for|at|to|with|from|de|des|du|de\s+la)|\bd['’])$", regex.I).search(head.strip()):
            return None  # "the leader of the Taliban": the person is not named
        is_org = bool(ORG_NOUNS.fullmatch(name[-1].lower())) or (len(name) == 1 and name[0].isupper() and len(name[0]) > 1)
        # "Republican National Committee chairman Reince Priebus": an organisation, then a role
        org_role = bool(before) and bool(ROLE_NOUNS.fullmatch(before[-1].lower().split("-")[-1]) or _is_title(before[-1])
                                         or _ROLE_SUFFIX.fullmatch(before[-1]))  # "Marquette pollster Charles Franklin"
        # "Clinton campaign Chairman John Podesta", "Virginia delegate Beau Correll": a title, or a lowercase
        # noun and a full name, make the capitalised words before them a description, not a name
        described = bool(titles and _is_title_word(titles[-1])) or (len(name) >= 2 and before[-1:] != []
                                                                      and before[-1].islower() and before[-1].isalpha())
        if before and not org_role and not described and not all(
                w.lower() in _DETS or _is_title(w) or ROLE_NOUNS.search(w) or w.islower() for w in before):
            return None
        full = " ".join(name)
        if is_org or (any(w.lower() == "the" for w in before) and not titles and not reg.roles.get(full)):
            return Speaker(reg.org(full), "org")  # "the Taliban", "the European Union", "NATO"
        gender = _gender(titles)
        if reg.ambiguous(full, gender):
            # "Trump said" in a story with two Trumps: the article's own words, not a full name picked for it
            return Speaker(full, "person", None, gender) if len(name) == 1 and not before and not titles else None
        canon = reg.canonical(full, gender)
        role_words = [w for w in (before + titles) if w.lower() not in _DETS]
        role = reg.roles.get(canon)
        if role is None and role_words and len(role_words) <= 4 and not all(w.lower().rstrip(".") in _HONORIFIC_GENDER or w.lower().rstrip(".") in ("dr", "prof") for w in role_words):
            role = role_text(" ".join(role_words))
        return Speaker(canon, "person", role, _gender(titles) or reg.genders.get(canon, ""))
    # No capitalised name: an organisation ("the French conservative party") or an unnamed role.
    if low[0] in _DETS and len(words) <= 6 and ORG_NOUNS.search(low[-1]):
        label = reg.org(" ".join(words[1:]))
        if len(words) == 2 and low[1] in _GENERIC_ORG and label == words[1]:
            if low[1] not in ("group", "organization", "organisation"):
                return None  # "the company said" with no company named: no name to put on a card
            # "the group said": the organisation named before, sure only when the story has named just one
            named = [o for o in reg.orgs if reg.cursor is None or reg.first_pos.get(o, 0) <= reg.cursor]
            return Speaker(named[-1], "org", sure=len(named) == 1) if named else None
        return Speaker(label[0].upper() + label[1:], "org")
    if ROLE_NOUNS.search(np) and low[0] not in ("a", "an", "one", "another"):
        person = _role_person(np, reg)  # "the mayor" is the known mayor; "a spokesperson" is nobody known
        if (person is None and (low[0] in ("the", "le", "la") or low[0].startswith(("l'", "l’"))) and len(words) <= 6
                and not ORG_NOUNS.search(low[-1])):
            # "the Vermont senator said", "estime l'élue": a description pointing back, resolved like a pronoun
            gender = {"le": "m", "la": "f"}.get(low[0], "") or _DESCRIPTION_GENDER.get(low[-1], "")
            return Speaker(None, "pronoun", role=np, gender=gender)
        return person
    return None


_GENERIC_ORG = {"group", "organization", "organisation", "company", "firm", "foundation", "charity", "agency",
                "network", "association", "coalition", "alliance", "institute"}
_DESCRIPTION_GENDER = {"congressman": "m", "congresswoman": "f", "chairman": "m", "chairwoman": "f",
                       "spokesman": "m", "spokeswoman": "f", "businessman": "m", "businesswoman": "f"}


_ROLE_SYNONYM = {"congressman": "representative", "congresswoman": "representative", "congressmember": "representative"}


def _role_person(np: str, reg: Registry) -> Speaker | None:
    """"the mayor" -> the one person whose known role has that head word, if exactly one."""
    words = [w.lower() for w in _rx(r"\p{L}+", 0).findall(np) if w.lower() not in _DETS]
    if not words:
        return None
    head, former = words[-1], "former" in words
    head = _ROLE_SYNONYM.get(head, head)  # "the congressman": the one whose role is "Representative"
    # the holder is named by the end of the paragraph ("the senator said" is no one named only in a
    # later paragraph), and a former holder is "the former governor", not "the governor"
    hits = [n for n, r in reg.roles.items() if _rx(r"\b" + regex.escape(head) + r"\b", regex.I).search(r)
            and (reg.horizon is None or reg.first_pos.get(n, 0) <= reg.horizon)
            and (former or not _rx(r"\b(?:former|ex-|then-)", regex.I).search(r))]
    if len(hits) == 1:
        return Speaker(hits[0], "person", reg.roles[hits[0]], reg.genders.get(hits[0], ""))
    return None


def _parse_persian(np: str, reg: Registry) -> Speaker | None:
    segs = [s.strip() for s in _rx(r"[،,]", 0).split(np) if s.strip()]
    if not segs:
        return None
    first = _FA_HONORIFIC.sub("", segs[0])
    if first in PRONOUNS:
        return Speaker(None, "pronoun")
    words = first.split()
    role = segs[1] if len(segs) > 1 and len(segs[1].split()) <= 8 else None
    for k in range(min(len(words), 3), 0, -1):  # "نوری در پایان گفت": the known name, then its adverbs
        canon = reg.canonical(" ".join(words[:k]))
        if canon in reg.names:
            return Speaker(canon, "person", role or reg.roles.get(canon))
    cut = next((i for i, w in enumerate(words) if w in _FA_STOP), len(words))
    if cut < len(words) or not 1 <= len(words) <= 3:
        return None  # an unknown name followed by an adverbial: unsure where the name ends
    return Speaker(reg.canonical(first), "person", role)


_FA_ROLES = ("رئیس", "سخنگوی", "سخنگو", "وزیر", "والی", "فرمانده", "عضو", "مسئول", "مسؤول", "معاون", "دهقان", "استاد",
             "آموزگار", "معلم", "فعال", "کارشناس", "نماینده", "مدیر", "شهردار", "رهبر", "دبیر", "قاضی", "پزشک",
             "داکتر", "خبرنگار", "دانشجو", "باشنده", "ساکن", "مشاور", "کارمند", "بنیان", "یک ", "از ")
_FA_APPOSITIVE = regex.compile(r"(?:^|[.!؟:]\s+|،\s*)(?P<name>[\u0600-\u06ff\u200c]+(?:\s+[\u0600-\u06ff\u200c]+){1,2})"
                               r"،\s*(?P<role>(?:" + "|".join(_FA_ROLES) + r")[^،.:«»]{0,80})،", regex.M)


def persian_names(text: str, reg: Registry) -> None:
    """"محمد ظاهر صافی، رئیس زراعت بلخ، ...": a two- or three-word name with a role appositive."""
    for m in _FA_APPOSITIVE.finditer(text):
        words = m.group("name").split()
        if any(w in _FA_STOP or w in PRONOUNS for w in words):
            continue
        reg.add(m.group("name"), m.group("role").strip(), pos=m.start("name"))
