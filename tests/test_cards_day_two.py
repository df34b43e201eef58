"""Cards people notice: a link in a quote wraps instead of shrinking it, story cards keep out of
what phone apps draw over them, right-to-left stories are balanced, alt text speaks the card's
language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from campaign.cards.alt_words import words_for
from campaign.cards.card import render_card, render_image
from campaign.cards.layout import link_pieces, tokens
from campaign.cards.render import safe_area
from campaign.config import Theme

URL = "https://www.example.org/reports/2026/afghanistan-women-rights-detention-conditions?lang=en&section=summary"
WITH_URL = f"Read the full report at {URL} before you share it."
PERSIAN = "ما برای آزادی و عدالت ایستاده‌ایم و تا روزی که همه زندانیان سیاسی آزاد شوند از پا نخواهیم نشست."
NAME, ROLE = "احمد مسعود", "رهبر جبهه مقاومت ملی"


# --- a long link inside a quote ----------------------------------------------------------------


def test_a_link_breaks_after_its_separators_and_other_words_stay_whole() -> None:
    assert link_pieces(URL) == ["https://www.example.", "org/", "reports/", "2026/", "afghanistan-", "women-",
                                "rights-", "detention-", "conditions?", "lang=en&", "section=", "summary"]
    assert "".join(link_pieces(URL)) == URL
    assert link_pieces("example.org/free") == ["example.", "org/", "free"]
    assert link_pieces("well-known") == ["well-known"] and link_pieces("e.g.") == ["e.g."]
    words, glued = tokens(f"see {URL} now")
    assert words[0] == "see" and words[-1] == "now" and glued[0] is False and glued[-1] is False
    assert all(glued[2:-1]) and not glued[1]


@pytest.mark.parametrize("size", ["square", "portrait", "story", "landscape", "og"])
def test_a_long_link_wraps_instead_of_shrinking_the_quote(size: str) -> None:
    _, comp = render_image(WITH_URL, speaker="Jane Doe", size=size)
    # the same words with the link cut by spaces: what a quote of that length gets
    spaced = re.sub(r"[/?&=.-]+", lambda m: m.group() + " ", URL)
    _, plain = render_image(WITH_URL.replace(URL, spaced), speaker="Jane Doe", size=size)
    block = comp.quote.block
    assert block.size >= plain.quote.block.size * 0.9, (block.size, plain.quote.block.size)
    assert block.size >= 50  # it was 20-something px: the whole quote shrunk for one long word
    lines = [ln.text for ln in block.lines]
    assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", WITH_URL + "”").replace("“", ""), lines
    for a, b in zip(lines, lines[1:], strict=False):  # a line ending inside the link ends at a separator
        if a.split()[-1] in URL and b.split()[0] in URL:
            assert a[-1] in "/?&=-.", (a, b)
    w = comp.width
    assert all(0 <= x0 and x1 <= w for x0, _, x1, _ in comp.ink_boxes())


# --- story safe areas and balance ----------------------------------------------------------------


def _logo(tmp_path: Path) -> Path:
    from PIL import Image

    path = tmp_path / "logo.png"
    Image.new("RGBA", (300, 100), (242, 179, 61, 255)).save(path)
    return path


@pytest.mark.parametrize("corner", ["top-left", "bottom-right"])
@pytest.mark.parametrize("language,quote,speaker,role", [
    ("en", "We will not stop until every prisoner walks free and is home with their family.", "Jane Doe", "Lawyer"),
    ("fa", PERSIAN, NAME, ROLE),
])
def test_story_text_and_logo_stay_out_of_what_phone_apps_cover(tmp_path: Path, corner: str, language: str,
                                                                quote: str, speaker: str, role: str) -> None:
    theme = Theme(base="dark", logo=str(_logo(tmp_path)), logo_corner=corner)  # type: ignore[arg-type]
    for text in (quote, " ".join([quote] * 3)):  # a short quote and one that fills the card
        _, comp = render_image(text, speaker=speaker, role=role, size="story", language=language,
                               footer="@campaign · example.org/free", source_line="Strasbourg, 2026",
                               theme=theme, base_dir=tmp_path)
        w, h = comp.width, comp.height
        top, bottom = 0.14 * h, 0.80 * h
        assert safe_area(w, h)[1] >= top and safe_area(w, h)[3] <= bottom
        boxes = comp.ink_boxes()
        assert boxes and all(top <= y0 and y1 <= bottom for _, y0, _, y1 in boxes), (min(b[1] for b in boxes),
                                                                                     max(b[3] for b in boxes))
        assert comp.logo is not None
        _, lx, ly, lw, lh = comp.logo
        assert top <= ly and ly + lh <= bottom


def test_other_sizes_keep_their_margins() -> None:
    assert safe_area(1080, 1080) == (92.0, 92.0, 988.0, 988.0)
    assert safe_area(1080, 1350)[1] == 92.0


@pytest.mark.parametrize("size", ["story", "720x1280"])
def test_a_right_to_left_story_is_balanced(size: str) -> None:
    _, comp = render_image(PERSIAN, speaker=NAME, role=ROLE, size=size, language="fa", footer="@nrf")
    boxes = comp.ink_boxes()
    left = min(b[0] for b in boxes)
    right = comp.width - max(b[2] for b in boxes)
    # before: 205 px free on the left, 92 on the right (the quote hugged the right edge)
    assert abs(left - right) <= 0.02 * comp.width, (left, right)
    quote = comp.quote.ink_boxes()
    assert max(b[2] for b in quote) < comp.width - comp.margin  # the mark hangs outside the lines
    starts = [b[2] for b in quote[:-1]]  # every line but the mark flush right, as before
    assert max(starts) - min(starts) < 0.01 * comp.width, starts


def test_other_sizes_keep_their_quote_flush_to_its_side() -> None:
    _, comp = render_image(PERSIAN, speaker=NAME, role=ROLE, size="square", language="fa")
    right = comp.width - max(b[2] for b in comp.ink_boxes())
    assert abs(right - comp.margin) < 0.01 * comp.width  # the mark at the right margin


# --- alt text in the card's language -----------------------------------------------------------


@pytest.mark.parametrize("language,label,look", [
    ("fa", "کارت نقل‌قول: ", "متن سفید روی زمینهٔ سرمه‌ای تیره"),
    ("fa-AF", "کارت نقل‌قول: ", "متن سفید روی زمینهٔ سرمه‌ای تیره"),
    ("prs", "کارت نقل‌قول: ", "متن سفید روی زمینهٔ سرمه‌ای تیره"),
    ("ar", "بطاقة اقتباس: ", "نص أبيض على خلفية كحلية داكنة"),
    ("ps", "د نقل قول کارت: ", "سپین متن پر تیاره سرمه يي شالید"),
])
def test_a_right_to_left_cards_alt_text_is_in_its_language(language: str, label: str, look: str) -> None:
    _, alt = render_card(PERSIAN, speaker=NAME, role=ROLE, language=language)
    assert alt.startswith(label + look), alt
    assert f"«{PERSIAN}» — {NAME}، {ROLE}." in alt
    assert not re.search(r"[A-Za-z]", alt), alt  # no English word, no Latin comma
    assert "," not in alt


def test_alt_text_follows_the_quotes_script_when_the_language_is_left_at_english() -> None:
    _, alt = render_card(PERSIAN, speaker=NAME, role=ROLE)  # `campaign card` without --lang
    assert alt.startswith("کارت نقل‌قول: ") and f"{NAME}، {ROLE}" in alt


def test_french_and_custom_themes_are_described_in_french(tmp_path: Path) -> None:
    _, alt = render_card("Nous ne lâcherons rien.", speaker="Nathalie Loiseau", role="députée européenne",
                         language="fr", theme="paper")
    assert alt == ("Carte citation: texte noir à empattements sur papier blanc cassé chaud, avec des touches "
                   "rouges. «\u00a0Nous ne lâcherons rien.\u00a0» — Nathalie Loiseau, députée européenne.")
    custom = Theme(base="dark", background="#0b5e3c", accent="#ffd23f")  # type: ignore[call-arg]
    _, alt = render_card("Nous ne lâcherons rien.", speaker="N", language="fr", theme=custom)
    assert alt.startswith("Carte citation: texte blanc cassé sur fond vert foncé, avec des touches couleur ambre"), alt
    _, alt = render_card(PERSIAN, speaker=NAME, language="fa", theme=custom)
    assert alt.startswith("کارت نقل‌قول: متن شیری روی زمینهٔ سبز تیره با جزئیات کهربایی"), alt


def test_other_languages_fall_back_to_english() -> None:
    _, alt = render_card("Wir geben nicht auf.", speaker="Anna", role="Anwältin", language="de")
    assert alt == "Quote card: white text on a dark navy background with amber accents. " \
                  "“Wir geben nicht auf.” — Anna, Anwältin."
    assert words_for("de-AT") is words_for("en") and words_for("fa-AF") is words_for("prs")
