"""Bluesky: 300 graphemes and 3000 bytes; facets with UTF-8 byte offsets as the app detects them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign import platforms

B = platforms.get("bluesky")
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 25 UTF-8 bytes
LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"
MENTION = "app.bsky.richtext.facet#mention"


def facet(start: int, end: int, type_: str, **value: str) -> dict[str, object]:
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [{"$type": type_, **value}]}


def test_length_graphemes_and_bytes() -> None:
    assert B.length(FAMILY + "e\u0301" + "\U0001f1ef\U0001f1f5") == 3
    assert B.fits("x" * 300) and not B.fits("x" * 301)
    assert B.problems("x" * 301) == ["too long: 301/300 graphemes"]
    assert B.length(FAMILY * 120) == 120
    assert not B.fits(FAMILY * 121)  # 121 graphemes but 3025 bytes
    assert B.problems(FAMILY * 121) == ["too long: 3025/3000 UTF-8 bytes"]
    assert (B.max_images, B.max_image_bytes, B.alt_max) == (4, 1_000_000, 2000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see example.com.", [facet(4, 15, LINK, uri="https://example.com")]),
        (
            "see https://example.com/a?b=1, ok",
            [facet(4, 29, LINK, uri="https://example.com/a?b=1")],
        ),
        ("(example.com/x)", [facet(1, 14, LINK, uri="https://example.com/x")]),
        (
            "https://en.wikipedia.org/wiki/Bach_(disambiguation)",
            [facet(0, 51, LINK, uri="https://en.wikipedia.org/wiki/Bach_(disambiguation)")],
        ),
        ("café example.com", [facet(6, 17, LINK, uri="https://example.com")]),  # é is 2 bytes
        (FAMILY + " example.com", [facet(26, 37, LINK, uri="https://example.com")]),
        ("example.com:", [facet(0, 11, LINK, uri="https://example.com")]),
        ("http://example.com!", [facet(0, 18, LINK, uri="http://example.com")]),
        ("foo.notatld", []),
        ("EXAMPLE.COM", []),  # the app's TLD check is case-sensitive
        ("my-site.com", []),  # and its bare-domain pattern has no hyphens
        ("me@example.com", []),
        ("x_example.com a/example.com", []),  # must follow start, whitespace or "("
        ("#tag!", [facet(0, 4, TAG, tag="tag")]),
        ("a #Climate2030, b", [facet(2, 14, TAG, tag="Climate2030")]),
        ("\uff03日本", [facet(0, 9, TAG, tag="日本")]),  # full-width ＃ (3 bytes)
        ("#123 #1a", [facet(5, 8, TAG, tag="1a")]),  # no pure numbers
        ("#\U0001f525", [facet(0, 5, TAG, tag="\U0001f525")]),
        ("1\ufe0f\u20e3 #\ufe0f\u20e3", []),  # keycaps are not tags
        ("a#tag", []),
        ("#" + "a" * 64, [facet(0, 65, TAG, tag="a" * 64)]),
        ("#" + "a" * 65, []),
        ("#" + "e\u0301" * 64, [facet(0, 193, TAG, tag="e\u0301" * 64)]),  # 64 graphemes
    ],
)
def test_facets(text: str, expected: list[dict[str, object]]) -> None:
    assert B.facets(text) == expected


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("#go\u200bal", [(0, 3, "go")]),  # a zero-width space ends the tag
        ("#\u200bgoal", []),
        ("#x\u20e2y", [(0, 2, "x")]),
        ("##retro", [(0, 7, "#retro")]),  # a second # belongs to the tag
        ("#mix#match", [(0, 10, "mix#match")]),
        ("#2024?", []),  # digits only, once punctuation is stripped
        ("#\ufe0f\u20e3now", []),  # a keycap is not a tag
        ("##\ufe0f\u20e3now", [(0, 11, "#\ufe0f\u20e3now")]),
        ("\uff03\u732b\u597d\u304d!", [(0, 12, "\u732b\u597d\u304d")]),
        ("hi #sun\nrise", [(3, 7, "sun")]),
        ("#a@b,c!!", [(0, 6, "a@b,c")]),
    ],
)
def test_tag_boundaries(text: str, tags: list[tuple[int, int, str]]) -> None:
    assert B.facets(text) == [facet(a, b, TAG, tag=t) for a, b, t in tags]


@pytest.mark.parametrize(
    "text",
    ["e.g. that", "report.pdf", "site.com.jpg", "x..y.com", "e.g./path", "my-blog.com/post"],
)
def test_not_links(text: str) -> None:
    assert [f for f in B.facets(text) if f["features"][0]["$type"] == LINK] == []


def test_links_and_lengths_after_multibyte_text() -> None:
    text = "go.dev\ndocs.python.org/3/ and https://a.example/x_(y) (https://b.example)"
    assert [f["features"][0]["uri"] for f in B.facets(text)] == [
        "https://go.dev",
        "https://docs.python.org/3/",
        "https://a.example/x_(y)",
        "https://b.example",
    ]
    family_fire = FAMILY + "\U0001f525 ok!\u2705"  # 25 + 4 + 4 + 3 bytes
    assert B.length(family_fire) == 7
    assert len(family_fire.encode("utf-8")) == 36


def test_mentions_need_a_resolver() -> None:
    text = "hi @alice.bsky.social. and @bob.test, @nobody.invalidtld (@carol.example.com)"
    assert B.facets(text) == []  # no DID, no mention facet
    dids = {"alice.bsky.social": "did:plc:alice", "bob.test": "did:plc:bob"}
    assert B.facets(text, resolve=dids.get) == [
        facet(3, 21, MENTION, did="did:plc:alice"),
        facet(27, 36, MENTION, did="did:plc:bob"),
    ]
    kinds = [(text[a:b], k) for a, b, k in B.entities(text)]
    assert kinds == [
        ("@alice.bsky.social", "mention"),
        ("@bob.test", "mention"),
        ("@carol.example.com", "mention"),
    ]


def test_facets_are_sorted() -> None:
    text = "#first then example.com and #second"
    starts = [f["index"]["byteStart"] for f in B.facets(text)]
    assert starts == sorted(starts) and len(starts) == 3


PIECES = [
    *"ab .,;:!?()#@\n",
    "\uff03",
    "é",
    "e\u0301",
    "日",
    "example.com",
    "https://x.org/p",
    FAMILY,
]
PIECES += ["alice.bsky.social", "1", "\ufe0f", "\U0001f525"]


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_facet_offsets_slice_the_entity(text: str) -> None:
    data = text.encode("utf-8")
    facets = B.facets(text, resolve=lambda handle: "did:plc:" + handle.replace(".", ""))
    last_end = 0
    for f in facets:
        start, end = f["index"]["byteStart"], f["index"]["byteEnd"]
        assert last_end <= start < end <= len(data)
        last_end = end
        piece = data[start:end].decode("utf-8")  # never splits a character
        feature = f["features"][0]
        if feature["$type"] == TAG:
            assert piece[0] in "#\uff03" and piece[1:] == feature["tag"]
        elif feature["$type"] == LINK:
            assert feature["uri"] in (piece, "https://" + piece)
        else:
            assert piece.startswith("@")
    assert B.length(text) >= 0


def test_facets_never_overlap_a_tag_that_holds_a_domain() -> None:
    facets = B.facets("#(example.com", resolve=lambda handle: None)
    assert [f["features"][0]["$type"] for f in facets] == [TAG]
