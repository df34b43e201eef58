"""`campaign card`, `campaign cards` and `render_campaign` (parallel batch, manifest, sheet)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from campaign.cards import render_campaign
from campaign.cli import cli
from campaign.config import loads
from campaign.models import Highlight

YAML = """
campaign: {name: Test campaign, slug: test, language: en}
article: {source: article.txt, author: Jane Writer}
posts:
  people:
    Ahmad Massoud: {x: "@AhmadMassoud01", role: Leader of the NRF}
cards:
  theme: {base: paper, accent: "#0b6e4f"}
  footer: "#StandWithNRF"
  alt:
    h2: "A paper card with a sentence from the article."
accounts:
  a: {platform: outbox, simulate: x}
  b: {platform: outbox, simulate: bluesky}
"""

HIGHLIGHTS = [
    Highlight(id="h1", kind="quote", text="Do not give in to the Taliban's demands for ransom.",
              speaker="Ahmad Massoud", score=1.0, start=0, end=10),
    Highlight(id="h2", kind="sentence", text="Afghanistan bleeds under the reign of the Taliban.",
              speaker=None, score=0.5, start=20, end=40),
    Highlight(id="h3", kind="quote", text="«ما تسلیم نخواهیم شد؛ آزادی افغانستان حق مردم آن است.»",
              speaker="احمد مسعود", score=0.4, start=-1, end=-1),
]


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    (tmp_path / "article.txt").write_text("Some article text.\n", encoding="utf-8")
    path = tmp_path / "campaign.yaml"
    path.write_text(YAML, encoding="utf-8")
    return path


def test_render_campaign_in_parallel_writes_cards_alt_manifest_and_sheet(
        config: Path, tmp_path: Path) -> None:
    cfg = loads(config.read_text(), str(config), base=config.parent)
    seen: list[tuple[int, int]] = []
    out = tmp_path / "out"
    cards = render_campaign(cfg, HIGHLIGHTS, out, jobs=2,
                            progress=lambda d, t: seen.append((d, t)))
    assert [(c.highlight_id, c.size) for c in cards] == [
        (h, s) for h in ("h1", "h2", "h3") for s in ("square", "landscape")]
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)
    for c in cards:
        p = Path(c.path)
        assert p.name == f"{c.highlight_id}-{c.size}.png" and p.stat().st_size == c.bytes
        assert c.bytes <= 1_000_000  # bluesky is the strictest
        assert len(c.alt) <= 1000  # x is the strictest
        assert (out / f"{c.highlight_id}-{c.size}.alt.txt").read_text().strip() == c.alt
        with Image.open(p) as im:
            assert im.size == (c.width, c.height)
    by_id = {c.highlight_id: c for c in cards}
    assert "Ahmad Massoud, Leader of the NRF" in by_id["h1"].alt  # role from posts.people
    assert by_id["h2"].alt == "A paper card with a sentence from the article."
    assert "Jane Writer" in (out / "h2-square.alt.txt").read_text() or by_id["h2"].alt
    manifest = json.loads((out / "manifest.json").read_text())
    assert [e["file"] for e in manifest["cards"]] == [Path(c.path).name for c in cards]
    assert {"highlight_id", "size", "path", "bytes", "alt"} <= manifest["cards"][0].keys()
    with Image.open(out / "contact-sheet.png") as sheet:
        assert sheet.width > 600 and sheet.height > 900
    # one process gives the same bytes as two
    serial = render_campaign(cfg, HIGHLIGHTS, tmp_path / "serial", jobs=1)
    assert [Path(c.path).read_bytes() for c in serial] == [Path(c.path).read_bytes() for c in cards]


def test_card_command_writes_image_and_alt(tmp_path: Path) -> None:
    out = tmp_path / "q.png"
    r = CliRunner().invoke(cli, ["card", "We will not give up.", "--by", "Ahmad Massoud",
                                 "--role", "Leader of the NRF", "--theme", "paper", "--size",
                                 "landscape", "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert f"wrote {out}" in r.output and "alt: Quote card:" in r.output
    with Image.open(out) as im:
        assert im.size == (1200, 675)
    assert "Ahmad Massoud" in (tmp_path / "q.alt.txt").read_text()


def test_card_command_json_jpeg_and_persian(tmp_path: Path) -> None:
    out = tmp_path / "fa.jpg"
    r = CliRunner().invoke(cli, ["card", "آزادی حق مردم است", "--by", "احمد مسعود", "--lang",
                                 "fa-AF", "--format", "jpeg", "-o", str(out), "--json"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["path"] == str(out) and data["bytes"] == out.stat().st_size
    assert out.read_bytes()[:3] == b"\xff\xd8\xff"


def test_card_command_errors_are_one_line(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["card", "word " * 900, "--by", "A", "--size", "og",
                                 "-o", str(tmp_path / "x.png")])
    assert r.exit_code == 1
    assert r.output.startswith("error: highlight quote-") and "does not fit" in r.output
    r = CliRunner().invoke(cli, ["card", "Hi", "--by", "A", "--theme", "neon"])
    assert r.exit_code == 1 and "unknown theme 'neon'" in r.output
    r = CliRunner().invoke(cli, ["card", "Hi", "--by", "A", "--lang", "not a tag"])
    assert r.exit_code == 2


def test_cards_command_with_highlights(config: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("campaign.highlights")
    fake.highlights_for = lambda cfg: (None, HIGHLIGHTS[:2])  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "campaign.highlights", fake)
    out = tmp_path / "cards"
    r = CliRunner().invoke(cli, ["cards", str(config), "-o", str(out), "--jobs", "2", "--json"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert len(data["cards"]) == 4 and (out / "manifest.json").exists()
    assert (out / "contact-sheet.png").exists()
    r = CliRunner().invoke(cli, ["cards", str(config), "-o", str(out), "-j", "1"],
                           catch_exceptions=False)
    assert r.exit_code == 0 and "wrote 4 cards" in r.output
