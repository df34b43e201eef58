"""Mastodon: graphemes, URLs with a scheme count 23, remote mentions count as local ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign import platforms

M = platforms.get("mastodon")
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        (FAMILY, 1),  # one grapheme cluster
        ("\U0001f44b\U0001f3fd", 1),  # skin tone
        ("\U0001f1ef\U0001f1f5", 1),  # flag
        ("1\ufe0f\u20e3", 1),  # keycap
        ("e\u0301", 1),  # combining mark
        ("日本語", 3),
        ("سلام دنیا", 9),
        ("https://example.com", 23),
        ("http://x.io", 23),  # short URLs count 23 too
        ("https://example.com/" + "a" * 200 + "?q=1", 23),
        ("gemini://example.org/page", 23),  # Mastodon links these schemes too
        ("read https://example.com/a.", 5 + 23 + 1),
        ("example.com", 11),  # no scheme: counted in full
        ("@alice@example.social", 6),  # remote mention counts as @alice
        ("@alice", 6),
        ("hi @Gargron@mastodon.social.", 3 + 8 + 1),
        ("me@example.com", 14),  # e-mail: neither mention nor URL
        ("   ", 0),  # blank status: Mastodon counts nothing
    ],
)
def test_length(text: str, expected: int) -> None:
    assert M.length(text) == expected


def test_limits_and_options() -> None:
    assert (M.max_chars, M.max_images, M.max_image_bytes, M.alt_max) == (500, 4, 16_000_000, 1500)
    assert M.fits("x" * 500) and not M.fits("x" * 501)
    assert M.problems("x" * 501) == ["too long: 501/500"]
    big = platforms.get(
        "mastodon", max_characters=1000, url_length=30, max_media=8, image_size_limit=10_000_000
    )
    assert (big.max_chars, big.max_images, big.max_image_bytes) == (1000, 8, 10_000_000)
    assert big.length("https://example.com") == 30
    assert big.fits("x" * 1000)


def test_remote_mention_domain_limit() -> None:
    # Mastodon's extractor ignores a mention whose domain exceeds 253 characters; such a
    # handle then counts in full instead of as the local part.
    domain = "c" * 249 + ".org"  # 253 characters
    assert M.length("@ana@" + domain) == 4
    assert M.length("@ana@c" + domain) == 5 + 254
    assert M.length("hi @ana@mastodon.example-host.org!") == 3 + 4 + 1


def test_spoiler_text_counts() -> None:
    assert M.length("body", spoiler_text="CW: spoilers") == 16  # type: ignore[call-arg]


def test_entities() -> None:
    text = "@ana@example.social see https://example.com/x. #Climate (ok)"
    assert [(text[a:b], k) for a, b, k in M.entities(text)] == [
        ("@ana@example.social", "mention"),
        ("https://example.com/x", "url"),
        ("#Climate", "hashtag"),
    ]


@given(
    st.lists(
        st.sampled_from([*"ab .@/:é\u0301", "https://", "example.com", FAMILY]), max_size=30
    ).map("".join)
)
def test_length_bounds(text: str) -> None:
    n = M.length(text)
    assert 0 <= n <= len(text) + 23 * text.count("://")
