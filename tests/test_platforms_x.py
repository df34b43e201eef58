"""X: twitter-text v3 weighted length, URLs with and without scheme, emoji, invalid characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign import platforms
from campaign.errors import CampaignError

X = platforms.get("x")
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("x" * 280, 280),
        ("日本語", 6),  # CJK: weight 2 each
        ("سلام دنیا", 9),  # Persian/Arabic letters are below U+10FF: weight 1
        ("\u201cquoted\u201d \u2014 \u2018yes\u2019", 16),  # smart quotes and em dash weigh 1
        ("\u2026", 2),  # ellipsis U+2026 is outside U+2010–U+201F
        ("\u2032\u2037\u2038", 4),  # prime ... reversed triple prime weigh 1, caret 2
        ("\u20ac5", 3),  # euro sign weighs 2
        ("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),  # five emoji
        ("\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),  # skin tone + ZWJ sequence
        (FAMILY, 2),  # one ZWJ sequence counts 2 once
        ("\U0001f1fa\U0001f1f8\U0001f1ec\U0001f1e7", 4),  # two flags
        ("1\ufe0f\u20e3", 2),  # keycap sequence
        ("\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 2),  # Scotland
        ("\u2764\ufe0f", 2),  # emoji presentation sequence
        ("\u00a9", 1),  # text-presentation © is just a weight-1 character
        ("\u00a9\ufe0f", 2),  # ...and an emoji with U+FE0F
        ("cafe\u0301", 4),  # NFC first: e + combining acute = é
        ("\u1100\u1161", 2),  # NFC composes conjoining jamo into one Hangul syllable (weight 2)
    ],
)
def test_weighted_length(text: str, expected: int) -> None:
    assert X.length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("example.com", 23),
        ("EXAMPLE.COM", 23),
        ("https://example.com", 23),
        ("http://example.com/" + "a" * 100, 23),
        ("see https://en.wikipedia.org/wiki/Foo_(bar) now", 4 + 23 + 4),
        ("Go to example.com/path.", 6 + 23 + 1),  # trailing period is not part of the URL
        ("(www.example.org)", 1 + 23 + 1),
        ("a example.com b https://example.org/x?q=1&r=2#frag c", 2 + 23 + 3 + 23 + 2),
        ("日本example.com", 4 + 23),  # CJK may precede a scheme-less URL
        ("https://t.co/abcdef", 23),
        ("http://example.com:8080/path", 23),
        ("foo@example.com", 15),  # e-mail: not a URL
        ("#example.com", 12),  # hashtag-ish: not a URL
        ("$example.com", 12),
        ("_example.com", 12),  # a scheme-less URL may not follow - _ . /
        ("/example.com", 12),
        ("example.notatld", 15),  # unknown TLD
        ("example.comm", 12),
        ("a.b", 3),
    ],
)
def test_urls_count_23(text: str, expected: int) -> None:
    assert X.length(text) == expected


def test_limit_and_premium() -> None:
    assert X.max_chars == 280 and X.fits("x" * 280) and not X.fits("x" * 281)
    assert X.problems("x" * 281) == ["too long: 281/280"]
    assert X.fits("日" * 140) and not X.fits("日" * 141)
    assert X.fits(FAMILY * 140) and not X.fits(FAMILY * 141)
    url_heavy = " ".join(["https://example.com/" + "p" * 50] * 11)  # 11 × 23 + 10 spaces = 263
    assert X.length(url_heavy) == 263 and X.fits(url_heavy)
    premium = platforms.get("x", max_chars=25_000)
    assert premium.max_chars == 25_000 and premium.fits("x" * 281)
    assert X.max_images == 4 and X.max_image_bytes == 5_000_000 and X.alt_max == 1000


@pytest.mark.parametrize("bad", ["\ufffe", "\ufeff", "\uffff"])
def test_invalid_characters(bad: str) -> None:
    text = f"hello {bad}world"
    assert not X.fits(text)
    assert any(f"U+{ord(bad):04X}" in p for p in X.problems(text))


def test_empty_is_invalid_and_directional_marks_are_fine() -> None:
    assert not X.fits("")
    assert X.fits("\u2067\u0633\u0644\u0627\u0645\u2069")  # isolates are not invalid
    # twitter-text v3 dropped U+202A–U+202E from the invalid set: embeddings and overrides
    # count 2 each and the post stays valid, even around a URL with an Arabic-script TLD.
    for mark in "\u202a\u202b\u202c\u202d\u202e":
        assert X.fits(f"{mark}hello world") and X.length(f"{mark}hello") == 7
    wrapped = "\u2067\u202bhttps://shop.example.\u0627\u06cc\u0631\u0627\u0646/\u202c\u2069"
    assert X.entities(wrapped) == [(2, 29, "url")]
    assert X.length(wrapped) == 2 + 2 + 23 + 2 + 2 and X.fits(wrapped)
    # A mid-text invalid character still invalidates what comes before and after it.
    assert X.length("ab\u202a\uffffcd\ufffe") == 2 + 2 + 2 + 2 + 2
    assert not X.fits("ab\u202a\uffffcd\ufffe")


def test_entities() -> None:
    text = "Hi @jack, read example.com/x #Tag and https://a.co/b."
    ents = X.entities(text)
    assert [(text[a:b], k) for a, b, k in ents] == [
        ("@jack", "mention"),
        ("example.com/x", "url"),
        ("#Tag", "hashtag"),
        ("https://a.co/b", "url"),
    ]


def test_unknown_platform_and_option() -> None:
    with pytest.raises(CampaignError, match="known: x, mastodon, bluesky, outbox"):
        platforms.get("myspace")
    with pytest.raises(CampaignError, match="unknown option"):
        platforms.get("x", colour=1)


PIECES = [
    *"ab .,()@#/:_-é日\u0301\u200d\ufe0f\ufeff",
    "example.com",
    "https://",
    "x.co",
    "\U0001f469",
]
PIECES += ["\U0001f3fd", "\U0001f1fa"]


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_length_sane(text: str) -> None:
    n = X.length(text)
    assert n >= 0
    assert n <= 2 * len(text) + 23 * text.count(".")  # never more than every code point weighing 2
    spans = X.entities(text)
    assert spans == sorted(spans)
    assert all(a < b and (k == "url" or text[a] in "@#") for a, b, k in spans)
    assert all(b1 <= a2 for (_, b1, _), (a2, _, _) in zip(spans, spans[1:], strict=False))


def test_pathological_text_stays_fast() -> None:
    import time

    start = time.perf_counter()
    for text in ("a." * 3000, ("a" * 50 + ".") * 100, "a-" * 2000 + ".com", "x." * 2000 + "com"):
        X.length(text)
        X.entities(text)
    assert time.perf_counter() - start < 2.0
    assert X.length("x." * 2000 + "com") == 23  # one (long) scheme-less URL


def test_lone_surrogate_is_a_problem_not_a_crash() -> None:
    for name in ("x", "mastodon", "bluesky", "outbox"):
        rules = platforms.get(name)
        assert not rules.fits("a\udcff")
        assert "lone surrogate" in rules.problems("a\udcff")[-1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7\u20e3", 2),  # a keycap without U+FE0F is still one emoji (twemoji takes it)
        ("#\u20e3 go", 5),
        ("\U0001f992\U0001f9db\U0001f3fd", 4),  # Unicode 10 emoji, one with a skin tone
        ("\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f", 2),  # Wales
        ("\u2764\ufe0e", 4),  # text presentation: two weight-2 code points, not an emoji
    ],
)
def test_emoji_edge_cases(text: str, expected: int) -> None:
    assert X.length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A domain written as punycode must be ASCII; raw Unicode after xn-- is not a URL.
        ("see http://xn--\u65e5\u672c.com ok", 26),
        ("http://xn--80ak6aa92e.com/", 23),
        # Each label must punycode to at most 63 characters, Unicode labels included.
        ("http://" + "\u6f22" * 57 + ".org", 23),
        ("http://" + "\u6f22" * 58 + ".org", 7 + 58 * 2 + 4),
        ("q" * 63 + ".net", 23),
        ("q" * 64 + ".net", 68),
        # A TLD directly followed by "-" or "+" is not a TLD (twitter-text 3.1 regexes).
        ("order at shop.example.com-today", 31),
        # t.co: the slug stops at the first non-alphanumeric; slugs over 40 are not links.
        ("https://t.co/Ab12cd's", 23 + 2),
        ("https://t.co/" + "a" * 41, 13 + 41),
    ],
)
def test_url_validity_rules(text: str, expected: int) -> None:
    assert X.length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RT:@nasa hi", ["@nasa"]),  # a retweet prefix may touch the mention
        ("rt@nasa", ["@nasa"]),
        ("ping @bob@example.org", []),  # too close to an e-mail address
        ("@jos\u00e9 hi", []),  # runs into an accented letter
        ("@ftp://files.example", []),
        ("\u2615\ufe0f#morning", ["#morning"]),  # after an emoji's variation selector
        ("#\u30e9\u30fc\u30e1\u30f3\uff5e\u5927\u76db", ["#\u30e9\u30fc\u30e1\u30f3\uff5e\u5927\u76db"]),
        ("#col\u00b7legi", ["#col\u00b7legi"]),  # middle dot
        ("#\u05d1\u05d9\u05ea\u05be\u05e1\u05e4\u05e8", ["#\u05d1\u05d9\u05ea\u05be\u05e1\u05e4\u05e8"]),
        ("#\u0f56\u0f7c\u0f51\u0f0b\u0f66\u0f90\u0f51", ["#\u0f56\u0f7c\u0f51\u0f0b\u0f66\u0f90\u0f51"]),
        ("#ftp://x.org", []),  # a hashtag may not run into "://"
        ("#2024 #_ #x_1", ["#x_1"]),  # a hashtag needs a letter
    ],
)
def test_mentions_and_hashtags(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b, kind in X.entities(text) if kind != "url"] == expected
