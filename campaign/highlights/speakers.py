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


@lru_cache(maxsize=2048)
def _rx(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    """A compiled pattern, cached (cheaper than the regex module's own cache lookups); the one
    cache of the package's modules (attribution, quotes, pronouns, mentions and verbs use it)."""
    return regex.compile(pattern, flags)


_FA_HONORIFIC = regex.compile(r"^(?:آقای|خانم|دکتر|داکتر|مولوی|حاجی|انجنیر|انجینیر|جنرال|استاد|مهندس)\s+")
_FA_STOP = set("در به از با برای نیز هم همچنین که را و ضمن پس".split())

PRONOUNS = {"he": "m", "she": "f", "il": "m", "elle": "f", "they": "n", "it": "n", "ils": "n", "elles": "n",
            "وی": "", "او": "", "ایشان": ""}
_HONORIFIC_GENDER = {"mr": "m", "sir": "m", "lord": "m", "mrs": "f", "ms": "f", "miss": "f", "lady": "f",
                     "dame": "f", "m": "m", "mme": "f", "monsieur": "m", "madame": "f", "king": "m", "queen": "f",
                     "prince": "m", "princess": "f"}
TITLES = set(
    """mr mrs ms miss mx dr prof sir dame lord lady rev reverend father sister sheikh sheik imam mullah
    ayatollah commander cmdr gen general col colonel lt lieutenant maj major capt captain sgt sergeant adm
    admiral president vice prime minister chancellor premier governor gov senator sen representative rep
    congressman congresswoman mayor judge justice chief secretary ambassador envoy king queen prince princess
    pope bishop cardinal rabbi emir sultan speaker chairman chairwoman chairperson chair director ceo cto cfo
    mp mep deputy foreign defence defense interior finance state former acting late leader spokesman
    spokeswoman spokesperson coach professor doctor officer inspector detective agent attorney councillor
    councilman councilwoman commissioner founder co-founder head m mme monsieur madame president-elect
    marshal field warlord sen. gov. rep. gen. col. lt. dr. prof. mr. mrs. ms. st. lawmaker legislator
    activist analyst economist expert minister-president candidate
    prosecutor executive ranger magistrate ranking""".split()
)
NATIONALITY = regex.compile(
    r"^(?:\p{Lu}\p{Ll}+(?:ian|ean|ese|ish)|American|German|Mexican|African|Moroccan|Cuban|Arab|Somali|Yemeni|Qatari|Emirati|French|Dutch|Swiss|Greek|Thai|Czech|British|Irish|Scottish|"
    r"Welsh|Danish|Spanish|Polish|Swedish|Finnish|Turkish|Kurdish|Afghan|Pakistani|Iraqi|Israeli|Saudi|"
    r"Democratic|Republican|Democrat|Independent|Conservative|Labour|Liberal|Green|Socialist|European|Federal|National|"
    r"Senior|Junior|Top|Chief)$"
)
ROLE_NOUNS = regex.compile(
    r"\b(?:leader|head|chief|president|minister|secretary|spokes(?:man|woman|person)|director|chair(?:man|woman|person)?|"
    r"ceo|founder|member|mp|mep|senator|governor|mayor|ambassador|envoy|commander|general|officer|official|"
    r"analyst|expert|professor|researcher|economist|editor|reporter|correspondent|author|activist|lawyer|"
    r"attorney|judge|adviser|advisor|aide|deputy|representative|candidate|coach|captain|manager|executive|"
    r"chancellor|premier|king|queen|prince|commissioner|councillor|negotiator|founder|partner|fellow|"
    r"lawmaker|legislator|coordinator|organi[sz]er|campaigner|survivor|witness|resident|mother|father|"
    r"daughter|son|wife|husband|student|teacher|doctor|nurse|scientist|historian|writer|journalist|"
    r"vice|speaker|pastor|imam|bishop|priest|rabbi|prosecutor|ranger|(?:co-)?host|anchor|moderator|nominee|"
    r"actor|actress|pollster|strategist|consultant|commentator|columnist|pundit|contributor|operative|"
    r"rapporteur|ombuds(?:man|woman|person)|delegate|congress(?:man|woman|member)|"
    r"ministre|maire|directeur|directrice|secrétaire|porte-parole|présidente?|députée?|sénat(?:eur|rice)|"
    r"économiste|avocate?|procureure?|syndicaliste|responsable|dirigeante?|chef(?:fe)?|porte-parole|"
    r"militante?|chercheu(?:r|se)|professeure?|agricult(?:eur|rice)|habitante?|élue?)\b",
    regex.I,
)
ORG_NOUNS = regex.compile(
    r"(?:party|ministry|government|administration|department|agency|office|council|committee|commission|"
    r"parliament|assembly|congress|senate|court|police|army|military|forces|front|movement|coalition|"
    r"alliance|union|federation|association|organi[sz]ation|foundation|institute|group|company|firm|bank|"
    r"corporation|campaign|embassy|consulate|mission|team|club|university|hospital|network|authority|"
    r"authorities|board|bureau|service|regime|cabinet|presidency|league|society|charity|ngo|un|nato|"
    r"secretariat|watchdog|tribunal|prosecutor's\s+office|white\s+house|kremlin|pentagon|caucus|delegation|"
    r"faction|opposition|junta|spokes(?:man|woman|person)'s\s+office|newspaper|broadcaster|channel|"
    r"outlet|magazine|center|centre|inc|ltd|corp|international|watch|news|times|post|press|media|nations|states|"
    r"capital|llc|associates|securities|ventures|consulting|strategies|"
    r"republic|kingdom|house|fund|college|school|church|institution|partners|holdings|airlines|motors|trust|programme|"
    r"program|inspectorate|initiative|partnership|observatory|laboratory)$",
    regex.I,
)
GENERIC = set(
    """officials official sources source witnesses residents people experts analysts critics observers reports
    report some many others other one someone somebody everyone nobody few most all both us we i you
    supporters opponents protesters protestors locals villagers families members diplomats politicians
    researchers scientists studies data figures police? this that these those there here""".split()
)
_NOT_NAME = set(
    """the a an this that these those it its he she they we i you his her their our my your but and or so yet
    however meanwhile still then also in on at by for from with of to as after before when while if though
    although because since today yesterday tomorrow tonight monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october november december
    there here what who which where why how one some many most all both each every other another
    nor not no yes thanks thank please dear mister""".split()
)
_DETS = {"the", "a", "an", "its", "their", "our", "his", "her", "this", "that", "le", "la", "les", "l", "un", "une"}
_PARTICLES = {"de", "da", "van", "von", "der", "den", "bin", "ibn", "al", "el", "le", "la", "du", "dos", "del", "di",
              "ben", "bint", "abu", "ul", "ud", "y", "e", "zu", "ter", "ten"}
_GIVEN_PARTICLES = {"ben", "dan", "del", "van", "don", "abu"}  # capitalised and first: "Ben Wikler" is a given name
# "Al" is a given name ("Al Cardenas") except before these: the Arabic article of an organisation or a family
_AL_NAMES = {"Qaeda", "Qaida", "Jazeera", "Shabaab", "Aqsa", "Nusra", "Arabiya", "Ahram", "Azhar", "Assad"}
_TOKEN = regex.compile(r"[\p{L}\p{M}][\p{L}\p{M}'’.\-]*|\S")
_PERSIAN = regex.compile(r"[\u0600-\u06ff]")


@dataclass(frozen=True, slots=True)
class Speaker:
    """A resolved speaker: a person's or organisation's canonical name and role; or a pronoun to resolve."""

    name: str | None
    kind: str = "person"  # person | org | group (unnamed: "an eyewitness") | document | pronoun
    role: str | None = None
    gender: str = ""
    sure: bool = True  # False: a plausible guess (a pronoun with rivals, an inherited guess)


def _clean_token(t: str) -> str:
    for suffix in ("’s", "'s", "’", "'"):
        if t.endswith(suffix) and len(t) > len(suffix) + 1:
            return t[: -len(suffix)]
    return t


def _is_cap(t: str) -> bool:
    return bool(t) and t[0].isupper() and t.lower() not in _NOT_NAME


def _is_title(t: str) -> bool:
    low = t.lower().rstrip(".")
    return low in TITLES or (t + ".").lower() in TITLES or bool(NATIONALITY.match(t))


def _is_title_word(t: str) -> bool:
    low = t.lower().rstrip(".")
    return low in TITLES or (t + ".").lower() in TITLES


def tokens(text: str) -> list[str]:
    return [m.group() for m in _TOKEN.finditer(text)]


_INITIAL = regex.compile(r"(?:\p{Lu}\.){0,2}\p{Lu}\.?")


def split_name(words: list[str]) -> tuple[list[str], list[str]]:
    """(title words, name words) of a capitalised run: "Commander Ahmad Massoud" -> (["Commander"], ["Ahmad", "Massoud"]).

    Everything up to the last title or role word before the name goes to the title:
    "Chief Financial Officer Raj Mehta", "Economy Minister Sofia Marques".
    """
    i = 0
    while i < len(words) - 1 and (
        _is_title_word(words[i]) or words[i].lower() in _DETS
        or (NATIONALITY.match(words[i]) and (_is_title(words[i + 1]) or (
            len(words) - i >= 3 and not ORG_NOUNS.search(words[-1].lower()))))
    ):
        i += 1
    for j in range(len(words) - 2, i - 1, -1):
        if j > i and _INITIAL.fullmatch(words[j]) and not _is_title_word(words[j - 1]):
            continue  # a middle initial: "Harry M. Reid", not the French "M."
        if _is_title_word(words[j]) or ROLE_NOUNS.fullmatch(words[j].rstrip(".")):
            i = j + 1
            break
    lead = _lead(words[i:])
    if not lead:
        return words[:i], words[i:]
    kept = [w for w in words[i : i + lead] if w.lower() not in _NOT_NAME]
    if kept and not (_is_title_word(kept[-1]) or ROLE_NOUNS.search(kept[-1]) or _ROLE_SUFFIX.fullmatch(kept[-1])
                     or _OFFICE.fullmatch(kept[-1].lower()) or len(kept) >= 2 and ORG_NOUNS.fullmatch(kept[-1].lower())):
        kept = []  # "Billionaire Donald Trump", "Celebrities Julianne Moore": a word before the name, no role
    return words[:i] + kept, words[i + lead :]


def _lead(name: list[str]) -> int:
    """How many leading words of a capitalised run are no part of the person's name: a sentence's
    opening conjunction ("But Bill Skelly"), or words before a given name that a surname follows
    ("Senate Minority Whip Dick Durbin", "Billionaire Donald Trump"), never a name or a verb
    ("Francois Hollande Says Donald Trump" is a headline, not a person)."""
    k = 1 if len(name) > 2 and name[0] in _CONJUNCTIONS else 0
    owner = next((j for j in range(len(name) - 2, k - 1, -1) if name[j].endswith(("'s", "’s"))), None)
    if owner is not None:
        return owner + 1  # "Colorado’s Kendal Unruh": a possessive owner, then the name
    given = _given_names()
    if len(name) - k < 3 or name[k].lower().strip(".") in given or _INITIAL.fullmatch(name[k]) or name[k].lower() in _PARTICLES:
        return k
    for p in range(k + 1, len(name) - 1):
        if name[p].lower() in given and _rx(r"\p{Lu}\p{Ll}+", 0).fullmatch(name[p]) \
                and _rx(r"\p{Lu}[\p{L}'’.\-]+", 0).fullmatch(name[p + 1]):
            lead = name[k:p]
            if len(name) - p > 3 or any(w.lower() in _NOT_NAME for w in name[p:]):
                return k  # "Just Gave Hillary Some Of": a headline, not a name
            if any(w.lower() in given or w.lower() in _NOT_NAME or w.lower() in _HEADLINE_VERBS for w in lead):
                return k
            one = lead[0]
            if len(lead) >= 2 or (one.endswith("s") and not one.endswith("ss") and len(one) > 4) or one.isupper() \
                    or _is_title_word(one) or ROLE_NOUNS.search(one) or _ROLE_SUFFIX.fullmatch(one.lower()) \
                    or _WORDY.fullmatch(one.lower()) or _OFFICE.fullmatch(one.lower()):
                return p
            return k
    return k


_CONJUNCTIONS = {"But", "And", "So", "Yet", "Meanwhile", "However", "Still", "Then", "Also", "Now", "Instead", "Plus"}
# Verbs a headline puts between two names ("Hollande Says Donald Trump …"): never part of a name.
_HEADLINE_VERBS = set("""slams blasts hits rips calls praises backs endorses mocks attacks wants thinks is was has
    vs vs. defends warns takes gets makes meets joins beats leads wins loses says said tells told asks asked
    writes wrote tweets tweeted claims urges accuses denies admits vows pledges insists suggests""".split())


def role_text(s: str) -> str | None:
    """A role phrase as shown on a card: no leading article, a capital first letter."""
    s = _rx(r"^(?:the|a|an)\s+", regex.I).sub("", s.strip(" ,.;:")).strip()
    if not s or len(s.split()) > 14:
        return None
    s = _rx(r"\b(Sen|Rep|Gov|Gen|Lt|Col|Capt|Sgt|Adm|Maj|Cmdr|Supt|Atty)\b\.?", 0).sub(
        lambda m: _TITLE_WORDS[m.group(1)], s)  # "Sen" is "Senator" on a card
    return s[0].upper() + s[1:]


_TITLE_WORDS = {"Sen": "Senator", "Rep": "Representative", "Gov": "Governor", "Gen": "General",
                "Lt": "Lieutenant", "Col": "Colonel", "Capt": "Captain", "Sgt": "Sergeant", "Adm": "Admiral",
                "Maj": "Major", "Cmdr": "Commander", "Supt": "Superintendent", "Atty": "Attorney"}


def _name_run(words: list[str]) -> list[str]:
    """The last run of capitalised words (with particles and initials) in `words`."""
    end = len(words)
    while end > 0 and not _is_cap(_clean_token(words[end - 1])):
        return []
    start = end
    while start > 0:
        w = _clean_token(words[start - 1])
        if _is_cap(w) or (w.lower() in _PARTICLES and start < end) or _rx(r"\p{Lu}\.", 0).fullmatch(w):
            start -= 1
        else:
            break
    run = [_clean_token(w) for w in words[start:end]]
    while len(run) > 1 and run[0].lower() in _PARTICLES and not (run[0][0].isupper() and run[0].lower() in _GIVEN_PARTICLES) \
            and not (run[0] == "Al" and run[1] not in _AL_NAMES):  # "Al Cardenas" (but "Al Qaeda")
        run = run[1:]
    return run


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
            parts = tuple(name.split())
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
    return tuple(name.split())


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


@lru_cache(maxsize=1)
def _given_names() -> dict[str, str]:
    """Given name -> "m" or "f", from data/first_names.txt (names read both ways left out)."""
    from pathlib import Path

    out: dict[str, str] = {}
    path = Path(__file__).with_name("data") / "first_names.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        gender, _, names = line.partition(":")
        if gender in ("m", "f") and not line.startswith("#"):
            out.update(dict.fromkeys(names.split(), gender))
    return out


def given_name_gender(name: str) -> str:
    """"m"/"f" when a full name (two words or more) starts with a given name read one way."""
    words = name.split()
    return _given_names().get(words[0].lower().strip(".,"), "") if len(words) >= 2 else ""


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
    r"(?P<det>(?:an?|the|one|another|two|three|several|some|many|other)\s+)?(?:[\p{L}\-’'.]+\s+){0,4}?"
    r"(?:eye-?witness(?:es)?|witness(?:es)?|official|employee|aide|staffer|protesters|demonstrators|"
    r"marchers|survivors?|residents?|villagers?|parents?|workers?|students?|nurses|doctors|volunteers?|"
    r"supporters?|voters?|activists?|strategists?|advis[eo]rs?|operatives?|insiders?|delegates?|donors?|"
    r"consultants?|users?|confidants?|sources?|commenters?|friends?|neighbou?rs?|observers?|critics?|attendees?|"
    r"participants?|organi[sz]ers?|staffers?|allies|veterans?|fans?|passengers?|eyewitness|bystanders?|"
    r"experts?|researchers?|economists?|lawyers?|investigators?|diplomats?|representatives?|"
    r"members?|lawmakers|republicans?|democrats?|conservatives|liberals|evangelicals|people|man|woman|men|women|"
    r"crowd|audience)"
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


_OWNED_ROLE = regex.compile(r"\p{Lu}[\p{L}.'’\-]*(?:\s+\p{Lu}[\p{L}.'’\-]*){0,3}['’]s\s+(?:\p{Ll}+\s+){0,2}\p{Ll}{3,}")
_PERSONS_OFFICE = regex.compile(r"(?:the\s+)?(?P<p>\p{Lu}[\p{L}.'’\- ]{1,40}?)['’]s?\s+(?P<o>office|campaign|spokes(?:man|woman|person)|"
                                r"lawyers?|attorneys?|team|staff|foundation)", regex.I)


# Places a capitalised name may be that no pronoun points to: the US states and the countries most
# in the news.
PLACES = frozenset("""alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii
    idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota
    mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont
    virginia washington wisconsin wyoming america britain england scotland wales ireland france germany italy
    spain portugal russia ukraine china japan korea india pakistan afghanistan iran iraq syria israel palestine
    gaza lebanon jordan egypt libya turkey mexico canada cuba brazil venezuela colombia argentina chile peru
    europe africa asia australia nigeria kenya ethiopia somalia yemen qatar belgium poland greece sweden norway
    denmark finland netherlands switzerland austria hungary vietnam myanmar taiwan beijing moscow london paris
    berlin tehran baghdad kabul damascus jerusalem""".split()) | {"new york", "new jersey", "new hampshire",
    "new mexico", "north carolina", "south carolina", "north dakota", "south dakota", "rhode island",
    "west virginia", "united states", "united kingdom", "saudi arabia", "south africa", "north korea", "south korea",
    "new zealand", "hong kong", "los angeles", "san francisco", "las vegas", "white house", "capitol hill", "wall street"}
# A capitalised name that ends like a publication or a body ("Cook Political Report", "Texas Politics Project").
_BODY_END = regex.compile(r"(?:report|project|sachs|review|journal|institution|policy|research|poll|polls|"
                          r"initiative|index|survey|studies|street)$", regex.I)


def not_a_person(name: str) -> bool:
    """A name no he or she can point to: a place, an acronym, an organisation's or publication's name."""
    words = name.split()
    return (name.lower() in PLACES or (len(words) == 1 and name.isupper() and len(name) > 1)
            or bool(ORG_NOUNS.fullmatch(words[-1].lower())) or bool(_BODY_END.fullmatch(words[-1])))


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
    within without whether unless until whose every each such several shortly recently finally separately
    additionally similarly previously subsequently eventually ultimately initially publicly privately notably
    specifically originally immediately likewise instead afterward afterwards""".split())


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


# A lowercase word naming what someone does: "pollster", "strategist", "organizer", "spokesman".
_ROLE_SUFFIX = regex.compile(r"\p{Ll}{3,}(?:ist|ster|er|or|man|woman|ant|ent|ian|ee)")
# Common words that stand before a name in a headline or as a label: "Billionaire Donald Trump".
_WORDY = regex.compile(r"(?:billionaire|donor|celebrity|mogul|tycoon|magnate|star|legend|hopeful|frontrunner|"
                       r"front-runner|rival|challenger|incumbent|veteran|heiress|comedian|rapper|singer|icon|hero)")
# Offices the role lexicon lacks: "Senate Minority Whip Dick Durbin", "Clark County Sheriff Joe Lombardo".
_OFFICE = regex.compile(r"(?:alderman|alderwoman|sheriff|whip|advocate|treasurer|secretary-treasurer|comptroller|"
                        r"controller|auditor|clerk|marshal|constable|superintendent|registrar|solicitor)")
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
        return Speaker(label[0].upper() + label[1:], "org")
    if ROLE_NOUNS.search(np) and low[0] not in ("a", "an", "one", "another"):
        person = _role_person(np, reg)  # "the mayor" is the known mayor; "a spokesperson" is nobody known
        if person is None and low[0] == "the" and len(words) <= 6 and not ORG_NOUNS.search(low[-1]):
            # "the Vermont senator said": a description pointing back, resolved like a pronoun
            return Speaker(None, "pronoun", role=np, gender=_DESCRIPTION_GENDER.get(low[-1], ""))
        return person
    return None


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
