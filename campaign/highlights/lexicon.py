"""The words speaker parsing rests on: pronouns and honorifics, titles, role and organisation nouns,
given names with a gender reading, places, and small predicates over tokens. No parsing here
(`names` splits a run of capitals, `speakers` parses a subject phrase)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
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
    r"(?:mega)?donor|business(?:man|woman)|investor|entrepreneur|philanthropist|comedian|"
    r"singer|rapper|musician|veteran|supporter|volunteer|farmer|shopkeeper|vendor|trader|driver|refugee|migrant|"
    r"soldier|engineer|midwife|pupil|widow|elder|cleric|mullah|miner|fisherman|housewife|worker|employee|guard|"
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
    r"program|inspectorate|initiative|partnership|observatory|laboratory|forum|project|journal|tribune|herald|"
    r"gazette|report|review|bloc|brigade|guard|reserve)$",
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
    for name, gender in list(out.items()):  # "Tomas" for "Tomás", "Ines" for "Inès"
        out.setdefault("".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)), gender)
    return out


def given_name_gender(name: str) -> str:
    """"m"/"f" when a full name (two words or more) starts with a given name read one way."""
    words = name.split()
    return _given_names().get(words[0].lower().strip(".,"), "") if len(words) >= 2 else ""


# A run of up to four capitalised words ending in a surname: "Tom Reyes", "Sen. Harry M. Reid".
NAME_RUN = r"(?:\p{Lu}[\p{L}.'’\-]*\s+){0,3}\p{Lu}[\p{L}'’\-]+"
# Adverbs that open a sentence before its subject ("Shortly after …, Rubio’s campaign said"), never a name.
SENTENCE_ADVERBS = ("shortly recently finally separately additionally similarly previously subsequently eventually "
                    "ultimately initially publicly privately notably specifically originally immediately likewise "
                    "instead afterward afterwards").split()

# A lowercase word naming what someone does: "pollster", "strategist", "organizer", "spokesman".
_ROLE_SUFFIX = regex.compile(r"\p{Ll}{3,}(?:ist|ster|er|or|man|woman|ant|ent|ian|ee)")
# Common words that stand before a name in a headline or as a label: "Billionaire Donald Trump".
_WORDY = regex.compile(r"(?:billionaire|donor|celebrity|mogul|tycoon|magnate|star|legend|hopeful|frontrunner|"
                       r"front-runner|rival|challenger|incumbent|veteran|heiress|comedian|rapper|singer|icon|hero)")
# Offices the role lexicon lacks: "Senate Minority Whip Dick Durbin", "Clark County Sheriff Joe Lombardo".
_OFFICE = regex.compile(r"(?:alderman|alderwoman|sheriff|whip|advocate|treasurer|secretary-treasurer|comptroller|"
                        r"controller|auditor|clerk|marshal|constable|superintendent|registrar|solicitor)")


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


# An Arabic article or kinship particle joined to a name by a hyphen: "al-Awlaki", "bin-Salman".
HYPHEN_PARTICLE = r"(?:al|el|ad|ar|as|ash|at|az|abu|bin|ibn|ben)"
HYPHENATED_NAME = regex.compile(HYPHEN_PARTICLE + r"-\p{Lu}[\p{L}\p{M}'’\-]*")


def proper_word(word: str, text: str) -> bool:
    """Is `word` capitalised mid-sentence somewhere in `text`, and never written in lowercase? (A
    name, not a sentence's first word: "Losing a Senate race …", "Officials said".)"""
    return (_rx(r"\p{Ll}[,;]?\s+" + regex.escape(word) + r"(?![\p{L}'’])", 0).search(text) is not None
            and _rx(r"(?<![\p{L}'’])" + regex.escape(word.lower()) + r"(?![\p{L}'’])", 0).search(text) is None)


_RUN_TOGETHER = regex.compile(r"(?<!Fitz)(?<=\p{Ll}{3})\p{Lu}|^\p{Lu}{2,}(?=\p{Lu}\p{Ll})")


def not_a_person(name: str) -> bool:
    """A name no he or she can point to: a place, an acronym, an organisation's or publication's name."""
    words = name.split()
    if any(_RUN_TOGETHER.search(w) for w in words):
        return True  # "FlagShareLikeReplyMari", "PMTed": page furniture run into a name
    return (name.lower() in PLACES or (len(words) == 1 and name.isupper() and len(name) > 1)
            or bool(ORG_NOUNS.fullmatch(words[-1].lower())) or bool(_BODY_END.fullmatch(words[-1])))
