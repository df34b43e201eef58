"""Issue 14, sections 3 and 5: untrusted URLs and markup, and no internal errors.

Hostile articles, URLs, servers, YAML values and CLI streams each get a one-line error (exit 1
or 2, or a quiet 141 for a closed pipe), never an internal error (exit 70) or a traceback.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.article import read
from campaign.cli import cli
from campaign.config import loads
from campaign.errors import ArticleError, CardError

REPO = Path(__file__).resolve().parent.parent

HEAD = """campaign: {name: T, slug: t, language: en, timezone: Europe/Paris}
article: {source: article.txt, url: "https://example.org/a"}
accounts: {a: {platform: outbox, simulate: x}}
"""


def _invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def _config(tmp_path: Path, extra: str = "", head: str = HEAD) -> Path:
    (tmp_path / "article.txt").write_text(
        "“We will not give up, not this year and not the next one either,” Jane Doe said on Monday.\n",
        encoding="utf-8")
    cfg = tmp_path / "campaign.yaml"
    cfg.write_text(head + extra, encoding="utf-8")
    return cfg


def _one_line_error(code: int, err: str, *needles: str, codes: tuple[int, ...] = (1, 2)) -> None:
    assert code in codes, (code, err)
    assert "internal error" not in err and "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines and all(ln.startswith(("error: ", "warning: ")) for ln in lines), err
    for n in needles:
        assert n in err, (n, err)


# --- 3. links: only web links ------------------------------------------------------------------


@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", "data:text/html,<b>x</b>",
                                 "file:///etc/passwd", "ftp://example.org/a", "https://exa mple.org/",
                                 "http://[::1", "https://"])
def test_article_url_must_be_a_web_link(tmp_path: Path, url: str) -> None:
    cfg = _config(tmp_path, head=HEAD.replace('"https://example.org/a"', json.dumps(url)))
    code, _, err = _invoke("validate", str(cfg))
    _one_line_error(code, err, "article.url", "not a web link")


def test_http_article_url_is_accepted_with_a_warning(tmp_path: Path) -> None:
    cfg = _config(tmp_path, head=HEAD.replace("https://example.org/a", "http://example.org/a"))
    code, out, err = _invoke("validate", str(cfg))
    assert code == 0, err
    assert "warning: article.url: 'http://example.org/a' is plain http" in err


def test_a_non_web_link_never_reaches_a_post(tmp_path: Path) -> None:
    from campaign.posts.compose import tracked_link

    cfg = loads(HEAD, "c.yaml", _config(tmp_path).parent)
    assert tracked_link("javascript:alert(1)", "x", cfg, "h1") is None
    assert tracked_link("https://example.org/a", "x", cfg, "h1", ).startswith("https://example.org/a?utm_")


def test_source_url_that_does_not_parse_is_a_config_error(tmp_path: Path) -> None:
    cfg = _config(tmp_path, head=HEAD.replace("source: article.txt", 'source: "http://[::1"'))
    code, _, err = _invoke("validate", str(cfg))
    _one_line_error(code, err, "article.source")


# --- 3. reading URLs: total deadline, size cap, header limits, redirects ------------------------


class _Server:
    """A raw TCP server on loopback that runs `handler(conn)` for each connection."""

    def __init__(self, handler: Callable[[socket.socket], None]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.handler = handler
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            conn.recv(65536)
            self.handler(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        self.thread.join(2)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/article"


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[socket.socket], None]], _Server]]:
    servers: list[_Server] = []

    def start(handler: Callable[[socket.socket], None]) -> _Server:
        servers.append(_Server(handler))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def _trickle(data: bytes, stop: threading.Event | None = None) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        for i in range(len(data)):
            conn.sendall(data[i : i + 1])
            time.sleep(0.05)
    return handler


def test_a_slow_body_stops_at_the_total_deadline(serve, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "DEADLINE", 1.0)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"

    def handler(conn: socket.socket) -> None:
        conn.sendall(head)
        _trickle(b"Freedom. " * 1000)(conn)

    srv = serve(handler)
    t = time.monotonic()
    with pytest.raises(ArticleError, match="timed out"):
        read.read_article(srv.url)
    assert time.monotonic() - t < 3


def test_slow_headers_stop_at_the_total_deadline(serve, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "DEADLINE", 1.0)
    srv = serve(_trickle(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 2000 + b"\r\n\r\nhello"))
    t = time.monotonic()
    with pytest.raises(ArticleError, match="timed out"):
        read.read_article(srv.url)
    assert time.monotonic() - t < 3


def test_a_body_over_the_cap_is_refused_while_streaming(serve, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_BYTES", 10_000)

    def handler(conn: socket.socket) -> None:  # no Content-Length: only streaming can tell
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
        for _ in range(100):
            conn.sendall(b"Freedom. " * 100)

    srv = serve(handler)
    with pytest.raises(ArticleError, match="too large"):
        read.read_article(srv.url)


@pytest.mark.parametrize("headers", [
    b"".join(b"X-H%d: v\r\n" % i for i in range(200)),  # 200 headers
    b"X-Big: " + b"a" * 100_000 + b"\r\n",  # one huge header line
])
def test_too_many_or_huge_headers_are_a_clear_error(serve, headers: bytes) -> None:
    def handler(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + headers + b"\r\nhello")

    srv = serve(handler)
    with pytest.raises(ArticleError, match="not valid HTTP"):
        read.read_article(srv.url)


def test_a_redirect_never_leaves_http(serve) -> None:
    ftp = serve(lambda conn: conn.sendall(b"220 ready\r\n"))
    location = f"ftp://127.0.0.1:{ftp.port}/a.txt".encode()
    srv = serve(lambda conn: conn.sendall(
        b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n"))
    with pytest.raises(ArticleError, match="only http and https are followed"):
        read.read_article(srv.url)
    time.sleep(0.3)
    assert ftp.accepted == 0


def test_redirects_within_http_are_followed_a_few_times(serve) -> None:
    body = b"Freedom is not given. It is won, Jane Doe said on Monday."
    page = serve(lambda conn: conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body) + body))
    hop = serve(lambda conn: conn.sendall(
        b"HTTP/1.1 301 Moved\r\nLocation: " + page.url.encode() + b"\r\nContent-Length: 0\r\n\r\n"))
    art = read.read_article(hop.url)
    assert "Freedom" in art.text
    loop: list[_Server] = []
    loop.append(serve(lambda conn: conn.sendall(
        b"HTTP/1.1 302 Found\r\nLocation: " + loop[0].url.encode() + b"\r\nContent-Length: 0\r\n\r\n")))
    with pytest.raises(ArticleError, match="more than 5 redirects"):
        read.read_article(loop[0].url)


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999/", "https://exa mple.org/"])
def test_unparsable_urls_are_clear_errors(url: str) -> None:
    with pytest.raises(ArticleError, match="not a valid URL|cannot fetch"):
        read.read_article(url)


def test_an_odd_status_line_is_a_clear_error(serve) -> None:
    srv = serve(lambda conn: conn.sendall(b"SPDY/9 banana\r\n\r\n"))
    with pytest.raises(ArticleError, match="not valid HTTP"):
        read.read_article(srv.url)


# --- 3./5. numbers and shapes a Mastodon server sends --------------------------------------------


@pytest.mark.parametrize("info", ["a string", ["a", "list"], 42, None,
                                  {"version": "4.3.0", "configuration": "x"},
                                  {"version": "4.3.0", "configuration": {"statuses": ["x"]}}])
def test_instance_documents_of_the_wrong_shape_keep_the_defaults(info: object) -> None:
    from campaign.publish.adapters.mastodon_server import MastodonLimits, limits_from_instance

    lim = limits_from_instance(info)  # type: ignore[arg-type]
    d = MastodonLimits()
    assert (lim.max_characters, lim.characters_reserved_per_url) == (d.max_characters, d.characters_reserved_per_url)


@pytest.mark.parametrize("value", [1_000_000_000, "1000000000", 2**63, -5, 0, 1.5, "12abc", True, [3]])
def test_instance_numbers_out_of_range_are_ignored(value: object) -> None:
    from campaign.publish.adapters.mastodon_server import limits_from_instance

    lim = limits_from_instance({"version": "4.3.0", "configuration": {"statuses": {
        "characters_reserved_per_url": value, "max_characters": value}}})
    assert lim.characters_reserved_per_url == 23
    assert lim.max_characters == 500


def test_compose_with_a_hostile_instance_document_is_quick(tmp_path: Path) -> None:
    from campaign.models import Highlight
    from campaign.platforms import get as get_rules
    from campaign.posts.compose import Target, compose
    from campaign.publish.adapters.mastodon_server import limits_from_instance

    lim = limits_from_instance({"version": "4.3.0", "configuration": {"statuses": {
        "characters_reserved_per_url": 1_000_000_000, "max_characters": 10**12}}})
    rules = get_rules("mastodon", max_characters=lim.max_characters, url_length=lim.characters_reserved_per_url)
    cfg = loads(HEAD, "c.yaml", _config(tmp_path).parent)
    h = Highlight(id="h1", kind="quote", text="We stand together.", speaker="Jane Doe", score=1.0, start=-1, end=-1)
    t = time.monotonic()
    drafts = compose(cfg, [h], [Target("m", "mastodon", rules)])
    assert time.monotonic() - t < 2
    assert drafts[0].limit == 500


# --- 5. YAML values that overflowed -------------------------------------------------------------


@pytest.mark.parametrize(("extra", "field"), [
    ("schedule: {end: 3000000d}\n", "schedule.end"),
    ("schedule: {stagger: 99999999999999999999d}\n", "schedule.stagger"),
    ("schedule: {spacing: " + "9" * 400 + "h}\n", "schedule.spacing"),
    ("schedule: {start: '9999-12-31 23:59'}\n", "schedule.start"),
    ("schedule: {start: '0001-01-01 00:00'}\n", "schedule.start"),
    ("schedule: {start: '2026-12-01 09:00', end: '9999-12-31 23:00'}\n", "schedule.end"),
    ("schedule: {at: {abc: '9999-12-31 23:59'}}\n", "schedule.at"),
    ("posts: {threads: {numbering: '{n:999999999}'}}\n", "posts.threads.numbering"),
    ("posts: {threads: {numbering: '{n:>99999}/{total}'}}\n", "posts.threads.numbering"),
    ("posts: {threads: {numbering: '" + "{n}" * 100 + "'}}\n", "posts.threads.numbering"),
    ("accounts: {b: {platform: outbox, rate_limit: 5/0s}}\n", "accounts.b.rate_limit.per"),
])
def test_overflowing_values_are_config_errors(tmp_path: Path, extra: str, field: str) -> None:
    head = HEAD if not extra.startswith("accounts") else HEAD.replace("accounts: {a: {platform: outbox, simulate: x}}\n", "")
    cfg = _config(tmp_path, extra, head=head)
    t = time.monotonic()
    code, _, err = _invoke("validate", str(cfg))
    assert time.monotonic() - t < 5
    _one_line_error(code, err, field)


@pytest.mark.parametrize("command", ["plan", "compose"])
def test_plan_and_compose_with_a_far_end_give_no_internal_error(tmp_path: Path, command: str) -> None:
    cfg = _config(tmp_path, "schedule: {end: 3000000d}\n")
    code, _, err = _invoke(command, str(cfg))
    _one_line_error(code, err, "schedule.end")


@pytest.mark.parametrize(("extra", "field", "cap"), [
    ("highlights: {extra: [{text: '" + "a" * 6000 + "', speaker: J}]}\n", "highlights.extra[0].text", "5000"),
    ("highlights: {extra: [{text: 'We stand.', speaker: '" + "J" * 300 + "'}]}\n", "speaker", "200"),
    ("posts: {templates: ['{quote}" + "x" * 1200 + "']}\n", "posts.templates", "1000"),
    ("posts: {hashtags: [" + "a" * 150 + "]}\n", "posts.hashtags", "100"),
    ("schedule: {spacing: " + "1" * 12_500 + "m}\n", "schedule.spacing", "40"),
    ("campaign: {name: " + "N" * 300 + "}\n", "campaign.name", "200"),
])
def test_sizes_are_capped_with_a_message_naming_field_and_cap(tmp_path: Path, extra: str, field: str,
                                                              cap: str) -> None:
    head = HEAD if not extra.startswith("campaign") else HEAD.split("\n", 1)[1]
    cfg = _config(tmp_path, extra, head=head)
    code, _, err = _invoke("validate", str(cfg))
    _one_line_error(code, err, field, cap)


@pytest.mark.parametrize("text", ["\u200b\u200b", "\u202e\u2067\u2069", " \u200f \u00ad "])
def test_an_invisible_extra_quote_is_refused(tmp_path: Path, text: str) -> None:
    cfg = _config(tmp_path, "highlights: {extra: [{text: " + json.dumps(text) + ", speaker: J}]}\n")
    code, _, err = _invoke("validate", str(cfg))
    _one_line_error(code, err, "highlights.extra[0].text", "no visible characters")


# --- 5. cards -----------------------------------------------------------------------------------


@pytest.mark.parametrize("quote", ["\u200b\u200c\u200d", "\u202e\u202d", "\u2066\u2069 \ufeff"])
def test_a_quote_of_only_invisible_characters_is_refused(quote: str) -> None:
    from campaign.cards import render_card

    with pytest.raises(CardError, match="the quote is empty"):
        render_card(quote, speaker="Jane Doe", highlight_id="h1")


def test_bidi_overrides_are_stripped_from_alt_text_and_speakers() -> None:
    from campaign.cards import render_card
    from campaign.cards.alt import alt_text
    from campaign.cards.card import render_image

    _, alt = render_card("We stand \u202etogether\u202c.", speaker="Jane \u202eeoD", role="Mayor\u2066",
                         highlight_id="h1")
    assert not any(c in alt for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), ascii(alt)
    assert "Jane eoD" in alt
    text = alt_text("x", speaker="\u202eA", role="\u2067B", source_line="\u202dC", footer="\u202aD")
    assert not any(c in text for c in "\u202a\u202d\u202e\u2067"), ascii(text)
    _, comp = render_image("We stand.", speaker="Jane \u202eeoD", highlight_id="h1")
    assert "\u202e" not in repr(comp)


def test_cards_json_when_cards_are_disabled_prints_json(tmp_path: Path) -> None:
    cfg = _config(tmp_path, "cards: {enabled: false}\n")
    code, out, err = _invoke("cards", str(cfg), "--json")
    assert code == 0, err
    assert json.loads(out)["cards"] == []


# --- 5. build that cannot write its outbox ----------------------------------------------------


def test_build_exits_non_zero_when_the_outbox_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    head = HEAD.replace("{platform: outbox, simulate: x}", "{platform: outbox, simulate: x, path: " + str(blocker / "sub") + "}")
    cfg = _config(tmp_path, head=head)
    r = CliRunner().invoke(cli, ["build", str(cfg), "-o", str(tmp_path / "out")], catch_exceptions=False)
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "not published to the outbox" in r.stderr
    assert "internal error" not in r.stderr


# --- 5. CLI streams and arguments ----------------------------------------------------------------


def _campaign(args: list[str | bytes], **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "campaign", *args], cwd=REPO, capture_output=True,  # type: ignore[call-overload]
                          timeout=60, **kw)


def test_an_argument_that_is_not_utf8_is_a_one_line_error(tmp_path: Path) -> None:
    r = _campaign([b"validate", bytes(tmp_path) + b"/\xff\xfe.yaml"])
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert err.startswith("error: argument 2") and "not valid UTF-8" in err and "Traceback" not in err


def test_closed_stdout_is_a_one_line_error() -> None:
    r = subprocess.run(f"{sys.executable} -m campaign adapters >&-", shell=True, cwd=REPO,
                       capture_output=False, stderr=subprocess.PIPE, timeout=60)
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert err.strip() == "error: standard output is closed; redirect it to a file or /dev/null"


def test_closed_stdin_reads_as_empty() -> None:
    r = subprocess.run(f"{sys.executable} -m campaign count --platform x - <&-", shell=True, cwd=REPO,
                       capture_output=True, timeout=60)
    assert r.returncode == 1, r.stderr
    assert b"internal error" not in r.stderr and b"Traceback" not in r.stderr


def test_a_reader_that_goes_away_ends_quietly_with_141(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("\n\n".join(f"“Quote number {i} is long enough to be a highlight here,” "
                                   f"Jane Doe said on day {i}." for i in range(3000)), encoding="utf-8")
    p = subprocess.Popen([sys.executable, "-m", "campaign", "extract", str(article), "--all"], cwd=REPO,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait(60) == 141, err
    assert err == b"", err


@pytest.mark.parametrize("body", [b'"a string"', b"[1, 2]", b'{"version": "4.3.0", "configuration": "x"}',
                                  b'{"version": "4.3.0", "configuration": {"statuses": '
                                  b'{"characters_reserved_per_url": 1000000000}}}'])
def test_fetch_limits_from_an_instance_answering_nonsense(serve, body: bytes) -> None:
    from campaign.publish.adapters.mastodon_server import fetch_limits

    srv = serve(lambda conn: conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                          b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body))
    lim = fetch_limits(f"http://127.0.0.1:{srv.port}", token=None, timeout=5)
    assert (lim.max_characters, lim.characters_reserved_per_url) == (500, 23)


def test_bidi_overrides_are_stripped_from_speakers_in_the_yaml(tmp_path: Path) -> None:
    cfg = loads(HEAD + 'highlights: {extra: [{text: "We stand together.", speaker: "Jane \\u202eeoD"}]}\n',
                "c.yaml", _config(tmp_path).parent)
    assert cfg.highlights.extra[0].speaker == "Jane eoD"
