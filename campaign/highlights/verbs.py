"""Speech-verb lexicons (English, French, Persian, Arabic) and the nouns that announce speech."""

from __future__ import annotations

import regex

from campaign.highlights.lexicon import _rx

# --- lexicons ----------------------------------------------------------------------------------

_EN_REGULAR = (
    "add tell ask continue respond reply explain declare conclude report note recall post answer "
    "repeat acknowledge admit agree announce argue assert boast caution claim comment complain concede "
    "confirm contend counter cry describe emphasise emphasize estimate exclaim insist interject joke "
    "lament maintain mention mutter observe predict promise quip remark recount shout stress suggest "
    "testify urge vow warn whisper yell tweet write say pledge plead demand affirm reiterate "
    "charge surmise retort muse scoff snap chant proclaim thank allege opine reason marvel fume gush "
    "rail declare shrug sigh tease concur counter caution contend lament mock cite gripe grumble boast "
    "recite interrupt exult scold chide plead scream holler remember wonder text email blog assure "
    "remind exhort boom crack bark bellow snarl elaborate accuse react lecture rant vent"
).split()
_EN_IRREGULAR = {
    "say": ["said", "says", "saying"], "tell": ["told", "tells", "telling"],
    "write": ["wrote", "writes", "writing", "written"],
}


def _inflect(v: str) -> list[str]:
    if v in _EN_IRREGULAR:
        return [v, *_EN_IRREGULAR[v]]
    if v.endswith("e"):
        return [v, v + "s", v + "d", v[:-1] + "ing"]
    if v.endswith("y") and v[-2] not in "aeiou":
        return [v, v[:-1] + "ies", v[:-1] + "ied", v + "ing"]
    if v in ("admit", "quip", "plead"):
        return [v, v + "s", v + v[-1] + "ed" if v != "plead" else "pleaded", v + v[-1] + "ing" if v != "plead" else "pleading"]
    return [v, v + "s", v + "ed", v + "ing"]


EN_VERBS = sorted({f for v in _EN_REGULAR for f in _inflect(v)} | {"pointed out", "points out", "pointing out",
                   "went on", "goes on", "going on", "shot back", "fired back", "wrote back", "told reporters",
                   "was quoted as saying", "is quoted as saying", "added that", "posted", "tweeted",
                   "went on to say", "gone on", "put it", "puts it", "snapped", "cut in", "chimed in", "broke in", "jumped in",
                   "stated", "stating", "had this to say", "has this to say", "have this to say"}, key=len, reverse=True)
PARTICIPLES = {f for f in EN_VERBS if f.endswith("ing")}
# The verbs that make an attribution on their own, in the forms news uses most ("“…,” Trump said.").
CORE_VERBS = ("said", "says", "told", "added", "asked", "wrote", "tweeted")
CORE_VERB = "(?:" + "|".join(CORE_VERBS) + ")"
_FR_STEMS = ("déclar affirm ajout expliqu indiqu précis soulign estim assur confi lanc insist rappel annonc "
             "rétorqu répliqu tweet jug not observ dénonc déplor racont témoign résum tranch martel "
             "prévien avou concéd insist ironis commen lâch soupir").split()
FR_VERBS = sorted(
    {s + e for s in _FR_STEMS for e in ("e", "ent", "é", "ée", "és", "ait", "aient", "ant")}
    | {"dit", "dire", "disent", "disait", "écrit", "écrivent", "reconnaît", "reconnu", "avertit", "averti",
       "répond", "répondu", "poursuit", "poursuivi", "conclut", "conclu", "lance", "interroge", "s'interroge",
       "s'inquiète", "se réjouit", "selon"},
    key=len, reverse=True,
)
FA_VERBS = sorted(
    ["گفت", "گفته است", "گفتند", "می‌گوید", "می‌گویند", "افزود", "افزودند", "اظهار داشت", "اظهار کرد",
     "تصریح کرد", "تأکید کرد", "تاکید کرد", "خاطرنشان کرد", "یادآور شد", "بیان کرد", "عنوان کرد",
     "اعلام کرد", "ادامه داد", "توضیح داد", "نوشت", "نوشته است", "هشدار داد", "پاسخ داد", "پرسید",
     "مدعی شد", "ابراز داشت", "گفته‌است"],
    key=len, reverse=True,
)


def _alt(words: list[str]) -> str:
    return "|".join(regex.escape(w).replace(r"\ ", r"\s+") for w in words)


def _trie(words: list[str]) -> str:
    """The same alternation as `_alt` (longest word first) as a prefix tree: "sa(?:y(?:ing|s)?|id)".
    The regex module tries every alternative at every position; a tree tries one branch per letter,
    several times faster on the 500 English verb forms. Branches differ by their first character, so
    the longest word that fits (and is followed by a non-letter) still wins, as with `_alt`."""
    tree: dict[str, dict] = {}  # type: ignore[type-arg]
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        parts = [(r"\s+" if ch == " " else regex.escape(ch)) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(tree)


EN_VERB_RE = regex.compile(r"(?<![\p{L}'’-])(?:" + _trie(EN_VERBS) + r")(?![\p{L}'’-])", regex.I)
FR_VERB_PATTERN = r"(?<![\p{L}])(?:" + _trie(FR_VERBS) + r")(?![\p{L}])"


def fr_verb_re() -> regex.Pattern[str]:
    """French speech verbs, compiled on first use (only French text needs them)."""
    return _rx(FR_VERB_PATTERN, regex.I)
FA_VERB_RE = regex.compile(r"(?:" + _alt(FA_VERBS) + r")(?![\p{L}])")
# Arabic speech verbs (verb-first: "وقال X: «…»"); a final ت is the feminine form.
AR_VERBS = sorted(
    {f for v in ("قال", "أضاف", "أكد", "أكّد", "أوضح", "صرح", "صرّح", "أشار", "تابع", "ذكر", "كتب", "حذر", "حذّر",
                 "أعلن", "اعتبر", "شدد", "شدّد", "لفت", "أردف", "رأى", "نقل", "كشف", "قالوا", "أضافوا")
     for f in ((v,) if v.endswith("وا") else (v, ("رأت" if v == "رأى" else v + "ت")))}
    | {"يقول", "تقول", "يضيف", "تضيف", "يؤكد", "تؤكد"},
    key=len, reverse=True,
)
AR_VERB_RE = regex.compile(r"(?<![\p{L}\p{M}])[وف]?(?:" + _alt(AR_VERBS) + r")(?![\p{L}\p{M}])")
AR_GENERIC = set("مسؤول مسؤولة مسؤولون مصدر مصادر شهود شاهد سكان ساكن مواطن مواطنون أحد خبراء خبير محللون محلل "
                 "دبلوماسي دبلوماسيون متحدثون عدد بعض".split())
AR_ROLES = set("وزير وزيرة رئيس رئيسة مدير مديرة عضو عضوة سفير سفيرة نائب نائبة أستاذ أستاذة محافظ محافظة قائد "
               "مستشار مستشارة ممثل ممثلة المزارع المزارعة الدكتور الدكتورة الشيخ السيد السيدة د.".split())
SPEECH_NOUNS = regex.compile(
    r"\b(?:message|statement|speech|remarks|words|post|tweet|letter|interview|address|warning|appeal|plea|"
    r"press\s+conference|briefing|op-ed|column|video|declaration|told|telling|saying|wrote|writing)\b",
    regex.I,
)
