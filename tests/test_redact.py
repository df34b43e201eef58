"""Secrets never leave, in any encoding (issue 14, section 2): every encoding and long piece of a
registered secret is masked; nothing reaches the store, the terminal or a log unredacted
(a Bluesky server that echoes the login body in its error code included); a secret already in
the history can be scrubbed; a secrets file that is a FIFO is refused without hanging."""

from __future__ import annotations

import html
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from click.testing import CliRunner

from campaign import redact
from campaign.cli import cli
from campaign.errors import CredentialsError
from campaign.publish.credentials import read_secrets_file
from campaign.publish.worker import adapters_from_store
from campaign.publish.worker import run as run_worker
from campaign.queue.sqlite import SqliteStore
from tests.fakes.bluesky import HANDLE, FakeBluesky
from tests.helpers import T0, make_draft, queue

MASK = redact.MASK


def secret(tag: str) -> str:
    """A fresh secret per test (the registry is process-wide), with characters every encoding changes."""
    return f'Pw"{tag}\\q+z/&<é> 9Kx7Lm2Nb'


def test_every_encoding_of_a_secret_is_masked() -> None:
    s = secret("enc")
    redact.register(s)
    forms = {
        "raw": s, "json": json.dumps(s)[1:-1], "json ascii": json.dumps(s, ensure_ascii=True)[1:-1],
        "percent": quote(s, safe=""), "percent twice": quote(quote(s, safe=""), safe=""),
        "percent lower": quote(s, safe="").lower(), "quote_plus": quote_plus(s),
        "plus-decoded": s.replace("+", " "), "html": html.escape(s), "html no quotes": html.escape(s, quote=False),
        "14-char prefix": s[:14], "middle piece": s[5:15],
    }
    for name, form in forms.items():
        out = redact.redact(f'{{"error": "bad password {form}!"}}')
        assert MASK in out, name
        assert form not in out, name
        assert "9Kx7Lm2N" not in out and "Pw\"enc" not in out, (name, out)


def test_short_pieces_and_short_secrets_are_left_alone() -> None:
    redact.register("Zz9shortpw")  # under 12 characters: only masked whole
    assert redact.redact("token Zz9shortpw here") == f"token {MASK} here"
    assert redact.redact("Zz9short") == "Zz9short"
    long = "Yy8LongSecretValue42"
    redact.register(long)
    assert redact.redact("echo Yy8LongS") == f"echo {MASK}"  # 8 characters of a long secret
    assert redact.redact("Yy8Long") == "Yy8Long"  # 7 are not enough
    assert redact.redact("nothing to see") == "nothing to see"
    redact.register("wordpiece-token-7Hq2Lx")  # a word inside a secret is not masked on its own
    assert redact.redact("a wordpiece and a longer-token") == "a wordpiece and a longer-token"
    assert redact.redact("echo piece-token-7Hq") == f"echo {MASK}"


def test_nothing_reaches_the_store_unredacted(tmp_path: Path) -> None:
    s = secret("store")
    redact.register(s)
    store = SqliteStore(tmp_path / "q.sqlite3")
    queue(store, [make_draft("h1")])
    c = store.claim("w", now=T0)
    assert c is not None
    store.note(c.job.id, "note", now=T0, detail=f"server said {quote(s, safe='')}")
    store.fail(c.job.id, "w", error=f"login refused: {json.dumps(s)}", now=T0)
    raw = sqlite3.connect(tmp_path / "q.sqlite3")
    stored = " ".join(str(v) for row in raw.execute("SELECT last_error FROM jobs UNION ALL "
                                                     "SELECT detail FROM job_events") for v in row)
    assert MASK in stored and "9Kx7Lm2N" not in stored
    store.close()


# --- a Bluesky server that echoes the app password in its error code ---------------------------


@pytest.fixture
def echoing_bluesky(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[FakeBluesky, str]]:
    password = "Echo-Pw\"7q\\Zr+x2Kd9"
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", password)
    with FakeBluesky() as srv:
        body = json.dumps({"identifier": HANDLE, "password": password})
        srv.fail_next(r"createSession", 400, {"error": f"InvalidRequest: {body}",
                                              "message": f"bad body {quote(body)}"}, times=5)
        yield srv, password


def test_a_server_echoing_the_password_in_its_error_code_never_reaches_store_or_terminal(
        echoing_bluesky: tuple[FakeBluesky, str], tmp_path: Path) -> None:
    srv, password = echoing_bluesky
    db = tmp_path / "q.sqlite3"
    store = SqliteStore(db)
    queue(store, [make_draft("h1", account="nrf_bluesky", platform="bluesky")],
          accounts={"nrf_bluesky": {"platform": "bluesky", "service": srv.url, "handle": HANDLE}})
    seen: list[str] = []
    run_worker(store, adapters_from_store(store, state_dir=tmp_path / "state"), once=True, handle_signals=False,
               limits={}, on_event=lambda kind, job, detail: seen.append(detail))
    job = store.jobs()[0]
    assert job.status == "failed" and MASK in (job.last_error or "")
    pieces = [password, json.dumps(password)[1:-1], quote(password, safe=""), password[:10], "x2Kd9"]
    raw = sqlite3.connect(db)
    stored = " ".join(str(v) for row in raw.execute("SELECT last_error FROM jobs UNION ALL "
                                                     "SELECT detail FROM job_events") for v in row)
    for args in (["jobs"], ["jobs", "--json"], ["log", str(job.id)], ["log", str(job.id), "--json"]):
        out = CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=False).output
        for piece in pieces:
            assert piece not in out, (args, piece)
    for piece in pieces:
        assert piece not in stored and all(piece not in d for d in seen), piece
    store.close()


# --- scrubbing a secret that reached the history before ----------------------------------------


def test_scrub_rewrites_history_through_redaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    leaked = "Leaked-AppPw-5t6y7u8i"  # not registered yet: stored as an older version would have
    db = tmp_path / "q.sqlite3"
    store = SqliteStore(db)
    queue(store, [make_draft("h1"), make_draft("h2")])
    c = store.claim("w", now=T0)
    assert c is not None
    store.fail(c.job.id, "w", error=f"InvalidRequest {{\"password\": \"{leaked}\"}}", now=T0)
    assert leaked in (store.get(c.job.id).last_error or "")
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("CAMPAIGN_ACCT_APP_PASSWORD", leaked)
    r = CliRunner().invoke(cli, ["scrub", "--db", str(db)], catch_exceptions=False)
    assert r.exit_code == 0 and r.output.strip() == f"scrubbed 1 job(s): #{c.job.id}"
    raw = sqlite3.connect(db)
    stored = " ".join(str(v) for row in raw.execute("SELECT last_error FROM jobs UNION ALL "
                                                     "SELECT detail FROM job_events") for v in row)
    assert leaked not in stored and "AppPw-5t" not in stored and MASK in stored
    assert [e.kind for e in store.events(c.job.id)][-1] == "scrubbed"
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # still append-only afterwards
        raw.execute("UPDATE job_events SET detail = 'x'")
    raw.rollback()
    raw.close()
    again = CliRunner().invoke(cli, ["scrub", "--db", str(db)], catch_exceptions=False)
    assert "nothing to scrub" in again.output
    store.close()


def test_scrub_takes_an_old_secret_on_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = "OldRotatedSecret-3e4r5t"
    db = tmp_path / "q.sqlite3"
    store = SqliteStore(db)
    queue(store, [make_draft("h1")])
    store.note(1, "note", now=T0, detail=f"echo {old}")
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    r = CliRunner().invoke(cli, ["scrub", "--stdin", "--json", "--db", str(db)], input=old + "\n",
                           catch_exceptions=False)
    assert json.loads(r.output)["scrubbed"] == [1]
    assert all(old not in (e.detail or "") for e in store.events(1))
    store.close()


# --- the secrets file --------------------------------------------------------------------------


def test_a_fifo_secrets_file_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "secrets.json"
    os.mkfifo(fifo, 0o600)
    result: list[BaseException | dict[str, dict[str, str]]] = []

    def read() -> None:
        try:
            result.append(read_secrets_file(fifo))
        except BaseException as e:  # noqa: BLE001 - handed to the test
            result.append(e)

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(5)
    if t.is_alive():  # let the hung reader go before failing
        with open(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK), "w"):  # noqa: PTH123
            pass
        pytest.fail("reading a FIFO secrets file hung")
    assert isinstance(result[0], CredentialsError) and "FIFO" in str(result[0])


def test_a_directory_secrets_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "secrets.json"
    folder.mkdir(mode=0o700)
    with pytest.raises(CredentialsError, match="regular file"):
        read_secrets_file(folder)
