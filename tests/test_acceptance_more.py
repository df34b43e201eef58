"""Regressions from acceptance testing: emoji joiners kept, documents refused, clear usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.article import read_article
from campaign.cli import cli
from campaign.errors import ArticleError


def test_emoji_sequences_keep_their_joiners(tmp_path: Path):
    family = "👩\u200d👩\u200d👧\u200d👦"
    (tmp_path / "a.txt").write_text(f'"We {family} will never give up on our people," said Jane Roe.\n')
    art = read_article("a.txt", base_dir=tmp_path)
    assert family in art.text


@pytest.mark.parametrize("head,what", [(b"%PDF-1.4 x", "a PDF document"), (b"PK\x03\x04rest", "a ZIP archive"),
                                       (b"\x89PNG\r\n", "a PNG image")])
def test_documents_that_are_not_articles_are_refused(tmp_path: Path, head: bytes, what: str):
    (tmp_path / "a.pdf").write_bytes(head)
    with pytest.raises(ArticleError, match=what):
        read_article("a.pdf", base_dir=tmp_path)


def test_unknown_platform_is_a_usage_error():
    r = CliRunner().invoke(cli, ["count", "-p", "twitter", "hi"])
    assert r.exit_code == 2 and "unknown platform 'twitter'" in r.output


def test_cancel_an_unknown_campaign_says_so(tmp_path: Path):
    r = CliRunner().invoke(cli, ["cancel", "--campaign", "nope", "--db", str(tmp_path / "q.sqlite3")])
    assert r.exit_code == 1 and "no campaign 'nope'" in r.output
