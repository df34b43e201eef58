"""The words of alt text in the card's language: what the card looks like, its label, commas and
quotation marks, for the languages whose fonts the project bundles (English, French, Persian,
Dari, Arabic, Pashto); any other language is described in English.

A card's look is said from its theme: a built-in theme has its own sentence per language; a
customised one is described from its colours (`themes.colour_name`), each colour word
translated.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from campaign.cards.themes import Style, colour_name


@dataclass(frozen=True, slots=True)
class Words:
    """One language's pieces of an alt text."""

    quote_card: str
    card: str
    with_logo: str
    comma: str
    quotes: tuple[str, str]
    on_background: str  # {text} {background} {accent}
    over_photo: str  # {text}
    colours: dict[str, str]
    pale: str  # "{}": the colour
    dark: str
    builtin: dict[str, str]  # a built-in theme's look, by theme name


_EN = Words(
    quote_card="Quote card", card="Card", with_logo=", with a logo", comma=", ", quotes=("“", "”"),
    on_background="{text} text on a {background} background with {accent} accents",
    over_photo="{text} text over a darkened photograph",
    colours={}, pale="pale {}", dark="dark {}", builtin={},
)

_FR = Words(
    quote_card="Carte citation", card="Carte", with_logo=", avec un logo", comma=", ",
    quotes=("«\u00a0", "\u00a0»"),
    on_background="texte {text} sur fond {background}, avec des touches couleur {accent}",
    over_photo="texte {text} sur une photographie assombrie",
    colours={
        "white": "blanc", "off-white": "blanc cassé", "black": "noir", "dark grey": "gris foncé",
        "grey": "gris", "light grey": "gris clair", "red": "rouge", "orange": "orange",
        "amber": "ambre", "yellow": "jaune", "green": "vert", "teal": "bleu canard", "blue": "bleu",
        "navy": "bleu marine", "purple": "violet", "pink": "rose", "cream": "crème",
        "dark navy": "bleu marine foncé",
    },
    pale="{} pâle", dark="{} foncé",
    builtin={
        "dark": "texte blanc sur fond bleu marine foncé, avec des touches couleur ambre",
        "paper": "texte noir à empattements sur papier blanc cassé chaud, avec des touches rouges",
        "photo": "texte blanc sur une photographie assombrie de montagnes au crépuscule",
        "light": "texte bleu marine foncé sur fond blanc, avec des touches rouges",
    },
)

_FA = Words(
    quote_card="کارت نقل‌قول", card="کارت", with_logo="، با لوگو", comma="، ", quotes=("«", "»"),
    on_background="متن {text} روی زمینهٔ {background} با جزئیات {accent}",
    over_photo="متن {text} روی عکسی تیره‌شده",
    colours={
        "white": "سفید", "off-white": "شیری", "black": "سیاه", "dark grey": "خاکستری تیره",
        "grey": "خاکستری", "light grey": "خاکستری روشن", "red": "قرمز", "orange": "نارنجی",
        "amber": "کهربایی", "yellow": "زرد", "green": "سبز", "teal": "سبزآبی", "blue": "آبی",
        "navy": "سرمه‌ای", "purple": "بنفش", "pink": "صورتی", "cream": "کرم",
        "dark navy": "سرمه‌ای تیره",
    },
    pale="{} کم‌رنگ", dark="{} تیره",
    builtin={
        "dark": "متن سفید روی زمینهٔ سرمه‌ای تیره با جزئیات کهربایی",
        "paper": "متن سیاه با قلم سریف روی کاغذ شیری گرم با جزئیات قرمز",
        "photo": "متن سفید روی عکسی تیره‌شده از کوهستان در هنگام غروب",
        "light": "متن سرمه‌ای تیره روی زمینهٔ سفید با جزئیات قرمز",
    },
)

# Dari: the Persian words, with Kabul's own for red and pink
_PRS = replace(
    _FA,
    colours={**_FA.colours, "red": "سرخ", "pink": "گلابی"},
    builtin={
        **_FA.builtin,
        "paper": "متن سیاه با قلم سریف روی کاغذ شیری گرم با جزئیات سرخ",
        "light": "متن سرمه‌ای تیره روی زمینهٔ سفید با جزئیات سرخ",
    },
)

_AR = Words(
    quote_card="بطاقة اقتباس", card="بطاقة", with_logo="، مع شعار", comma="، ", quotes=("«", "»"),
    on_background="نص بلون {text} على خلفية بلون {background} مع لمسات بلون {accent}",
    over_photo="نص بلون {text} فوق صورة معتمة",
    colours={
        "white": "أبيض", "off-white": "أبيض عاجي", "black": "أسود", "dark grey": "رمادي داكن",
        "grey": "رمادي", "light grey": "رمادي فاتح", "red": "أحمر", "orange": "برتقالي",
        "amber": "كهرماني", "yellow": "أصفر", "green": "أخضر", "teal": "أزرق مخضر", "blue": "أزرق",
        "navy": "كحلي", "purple": "بنفسجي", "pink": "وردي", "cream": "كريمي",
        "dark navy": "كحلي داكن",
    },
    pale="{} فاتح", dark="{} داكن",
    builtin={
        "dark": "نص أبيض على خلفية كحلية داكنة مع لمسات كهرمانية",
        "paper": "نص أسود بخط مذيّل على ورق عاجي دافئ مع لمسات حمراء",
        "photo": "نص أبيض فوق صورة معتمة لجبال عند الغسق",
        "light": "نص كحلي داكن على خلفية بيضاء مع لمسات حمراء",
    },
)

_PS = Words(
    quote_card="د نقل قول کارت", card="کارت", with_logo="، له لوګو سره", comma="، ", quotes=("«", "»"),
    on_background="{text} متن پر {background} شالید، د {accent} رنګ نښو سره",
    over_photo="{text} متن پر یو تیاره شوي انځور",
    colours={
        "white": "سپین", "off-white": "شیري", "black": "تور", "dark grey": "تیاره خړ", "grey": "خړ",
        "light grey": "روښانه خړ", "red": "سور", "orange": "نارنجي", "amber": "کهربايي",
        "yellow": "ژېړ", "green": "شین", "teal": "شنه آبي", "blue": "آبي", "navy": "سرمه يي",
        "purple": "بنفش", "pink": "ګلابي", "cream": "کریمي", "dark navy": "تیاره سرمه يي",
    },
    pale="روښانه {}", dark="تیاره {}",
    builtin={
        "dark": "سپین متن پر تیاره سرمه يي شالید، د کهربايي رنګ نښو سره",
        "paper": "تور متن د سریف په لیک پر ګرم شیري کاغذ، د سور رنګ نښو سره",
        "photo": "سپین متن د ماښام پر مهال د غرونو پر یو تیاره شوي انځور",
        "light": "تیاره سرمه يي متن پر سپین شالید، د سور رنګ نښو سره",
    },
)

WORDS = {"en": _EN, "fr": _FR, "fa": _FA, "prs": _PRS, "ar": _AR, "ps": _PS}
# a Persian tag for Afghanistan is Dari
_REGIONS = {("fa", "af"): "prs"}


def words_for(language: str) -> Words:
    """The alt-text words of `language` (a BCP 47 tag), English when it has none of its own."""
    parts = language.strip().lower().replace("_", "-").split("-")
    key = parts[0]
    if len(parts) > 1:
        key = _REGIONS.get((key, parts[1]), key)
    return WORDS.get(key, _EN)


def colour(name: str, words: Words) -> str:
    """An English colour name from `colour_name` in the language of `words`."""
    if words is _EN or name in words.colours:
        return words.colours.get(name, name)
    for prefix, pattern in (("pale ", words.pale), ("dark ", words.dark)):
        if name.startswith(prefix) and name[len(prefix):] in words.colours:
            return pattern.format(words.colours[name[len(prefix):]])
    return name


def look(style: Style, language: str) -> str:
    """What the card looks like, in `language`: "white text on a dark navy background ..."."""
    words = words_for(language)
    if words is _EN:
        return style.description
    if style.name in words.builtin:
        return words.builtin[style.name]
    text = colour(colour_name(style.text_color), words)
    if style.photo:
        return words.over_photo.format(text=text)
    background = colour(colour_name(style.gradient[0] if style.gradient else style.background), words)
    return words.on_background.format(text=text, background=background,
                                      accent=colour(colour_name(style.accent), words))
