"""The whole chain for a config, and the limits real accounts bring to the composer."""

from __future__ import annotations

from pathlib import Path

from campaign.config import loads
from campaign.pipeline import build, targets
from tests.fakes.mastodon import TOKEN, FakeMastodon

CONFIG = """\
campaign: {{name: Limits, slug: limits}}
article: {{source: article.txt, url: "https://example.org/a"}}
accounts:
  big: {{platform: mastodon, instance: "{url}"}}
  down: {{platform: mastodon, instance: "http://127.0.0.1:9"}}
  box: {{platform: outbox}}
"""

ARTICLE = """Headline

“We will keep documenting every arrest, every trial and every disappearance, because the families deserve to know the truth and the world deserves to see it,” said Mina Rahimi, a lawyer.
"""


def test_mastodon_composer_uses_the_instance_limit(tmp_path: Path, monkeypatch):
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv("CAMPAIGN_BIG_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("CAMPAIGN_DOWN_ACCESS_TOKEN", TOKEN)
    with FakeMastodon(max_characters=1000) as srv:
        cfg = loads(CONFIG.format(url=srv.url), "c.yaml", base=tmp_path)
        ts, notes = targets(cfg)
        limits = {t.account: t.rules.max_chars for t in ts}
        assert limits["big"] == 1000
        assert limits["down"] == 500  # unreachable instance: Mastodon's default
        b = build(cfg, out_dir=tmp_path / "out", cards=False)
    assert {d.account: d.limit for d in b.drafts}["big"] == 1000
    assert b.highlights and b.highlights[0].speaker == "Mina Rahimi"


def test_build_without_live_limits_makes_no_calls(tmp_path: Path):
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    cfg = loads(CONFIG.format(url="http://127.0.0.1:9"), "c.yaml", base=tmp_path)
    b = build(cfg, out_dir=tmp_path / "out", cards=False, live=False)
    assert {d.limit for d in b.drafts if d.platform == "mastodon"} == {500}
