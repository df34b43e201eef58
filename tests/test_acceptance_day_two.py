"""Acceptance pass over day two (issue 15): a thread is cancelled whole, whichever part is named;
an unquoted `#hashtag` value is reported, not silently read as a YAML comment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_day_two_cli import env, invoke, thread

__all__ = ["env"]  # the fixture


def test_cancel_of_a_later_part_cancels_the_whole_thread(env: dict[str, Any]) -> None:
    db = env["db"]
    invoke("queue", str(env["cfg"]), "--db", db)
    first, second, third = thread(db)
    r = invoke("cancel", str(second["id"]), "--db", db)
    assert r.exit_code == 0 and f"cancelled 3 job(s): #{first['id']}, #{second['id']}, #{third['id']}" in r.output
    assert [j["status"] for j in thread(db)] == ["cancelled"] * 3  # no "1/3" goes out alone
    r = invoke("run", "--once", "--db", db)
    assert "1/3" not in r.output, r.output
    r = invoke("retry", str(second["id"]), "--db", db)
    assert r.exit_code == 0 and [j["status"] for j in thread(db)] == ["todo"] * 3


def test_an_unquoted_hashtag_value_is_not_silently_a_comment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_config_all_at_once import ARTICLE, _validate

    monkeypatch.chdir(tmp_path)
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    code, lines = _validate(tmp_path, """\
campaign: {name: HK}
article: {source: article.txt}   #the article
accounts: {a: {platform: outbox}}
cards:
  footer: #StandWithNRF
  theme: dark   # a comment stays a comment
""")
    assert code == 2
    assert lines == ["error: c.yaml:5:11: cards.footer: '#StandWithNRF' is read as a YAML comment, so the value "
                     "is empty; quote it: footer: \"#StandWithNRF\""]
