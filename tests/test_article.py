"""Reading articles: formats, encodings, size and binary guards, URLs, boilerplate, sentences."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from campaign.article import read_article
from campaign.article.sentences import split
from campaign.errors import ArticleError
from tests.conftest import REPO

EXAMPLE = REPO / "configs" / "examples" / "nrf-strasbourg-article.txt"

BODY = (
    "City Council Approves New Housing Plan\n\n"
    "The city council approved a new housing plan on Monday after a long debate.\n\n"
    "“We will not back down,” Mayor Lena Park said after the vote. The plan adds 2,000 homes.\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_example_body_has_no_bio_or_headlines_without_exclude() -> None:
    a = read_article(str(EXAMPLE))
    assert a.title == "Anti-Taliban Resistance Leader Addresses the European Union"
    assert len(a.paragraphs) == 3
    assert "Kumayl Nazary" not in a.text
    assert "Herat Earthquake" not in a.text
    assert "NRF Leader Advocates" not in a.text
    assert a.text.startswith("On Wednesday, October 4, 2023")
    for p in a.paragraphs:
        assert a.text[p.start : p.end] == p.text
    for s in a.sentences:
        assert a.text[s.start : s.end] == s.text


def test_exclude_prefixes_drop_paragraphs(tmp_path: Path) -> None:
    p = write(tmp_path, "a.txt", BODY.encode() + b"\nThe plan adds 2,000 homes over five years, officials said.\n")
    a = read_article(str(p), exclude=["the plan adds"])
    assert "officials said" not in a.text


def test_txt_title_is_not_a_body_paragraph(tmp_path: Path) -> None:
    a = read_article(str(write(tmp_path, "a.txt", BODY.encode())))
    assert a.title == "City Council Approves New Housing Plan"
    assert a.paragraphs[0].text.startswith("The city council approved")


def test_crlf_bom_and_latin1(tmp_path: Path) -> None:
    crlf = write(tmp_path, "crlf.txt", b"\xef\xbb\xbf" + BODY.replace("\n", "\r\n").encode("utf-8"))
    a = read_article(str(crlf))
    assert "\r" not in a.text and "\ufeff" not in a.text
    assert len(a.paragraphs) == 2
    latin = "Le caf\xe9 de la r\xe9publique a rouvert ses portes mardi apr\xe8s des mois de travaux.\n\n" * 3
    b = read_article(str(write(tmp_path, "latin.txt", latin.encode("latin-1"))))
    assert "café" in b.text and "république" in b.text
    utf16 = read_article(str(write(tmp_path, "u16.txt", BODY.encode("utf-16"))))
    assert "Lena Park" in utf16.text


def test_empty_binary_missing_and_too_large(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="empty"):
        read_article(str(write(tmp_path, "empty.txt", b"  \n\n ")))
    with pytest.raises(ArticleError, match="binary") as e:
        read_article(str(write(tmp_path, "img.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)))
    assert "img.txt" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ArticleError, match="not found"):
        read_article(str(tmp_path / "missing.txt"))
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(10 * 1024 * 1024 + 1)
    with pytest.raises(ArticleError, match="too large"):
        read_article(str(big))


def test_base_dir_resolves_relative_paths(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY.encode())
    assert "Lena Park" in read_article("a.txt", base_dir=tmp_path).text


def test_markdown_strips_markup_keeps_paragraphs(tmp_path: Path) -> None:
    md = (
        "# Storm Closes Coastal Road\n\nBy Jane Doe\n\n"
        "The **coastal road** was closed on [Sunday](https://example.org) after the storm.\n"
        "Crews worked through the night.\n\n## What comes next\n\n"
        "> “We expect to reopen by Friday,” the transport office said.\n\n"
        "- Share on Facebook\n"
    )
    a = read_article(str(write(tmp_path, "a.md", md.encode())))
    assert a.title == "Storm Closes Coastal Road"
    assert a.paragraphs[0].text == (
        "The coastal road was closed on Sunday after the storm. Crews worked through the night."
    )
    assert "What comes next" not in a.text and "Share on" not in a.text and "Jane Doe" not in a.text
    assert "“We expect to reopen by Friday,” the transport office said." in a.text


HTML = """<!doctype html><html><head><title>Storm Closes Coastal Road | The Gazette</title>
<meta name="author" content="Jane Doe"><link rel="canonical" href="https://gazette.example/storm">
</head><body><nav><a href="/">Home</a><a href="/world">World</a></nav>
<article><h1>Storm Closes Coastal Road</h1>
<p>The coastal road was closed on Sunday after a storm brought down power lines and trees across the county.</p>
<p>“We expect to reopen the road by Friday if the weather holds,” the transport office said in a statement.</p>
<p>Crews worked through the night to clear the debris, and several villages were without power until dawn.</p>
<p>Share this article</p></article>
<aside><h3>Related</h3><ul><li><a href="/a">Floods Hit The Valley Again</a></li></ul></aside>
<footer>Copyright 2024 The Gazette</footer></body></html>"""


def test_html_file_main_content(tmp_path: Path) -> None:
    a = read_article(str(write(tmp_path, "a.html", HTML.encode())))
    assert a.title and "Storm Closes Coastal Road" in a.title
    assert a.text.startswith("The coastal road was closed")
    assert "Share this" not in a.text and "Floods Hit" not in a.text and "Copyright" not in a.text
    assert "Home" not in a.text


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/article":
            body, ctype = HTML.encode(), "text/html; charset=utf-8"
        elif self.path == "/image":
            body, ctype = b"\x89PNG\r\n", "image/png"
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(20 * 1024 * 1024))
            self.end_headers()
            return
        else:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client dropping its connection is part of some tests; no traceback on stderr


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_url_reads_html(server: str) -> None:
    a = read_article(server + "/article", url="https://override.example/x")
    assert a.text.startswith("The coastal road was closed")
    assert a.url == "https://override.example/x"
    assert a.source == server + "/article"


def test_url_errors_are_one_line(server: str) -> None:
    with pytest.raises(ArticleError, match="HTTP 404"):
        read_article(server + "/missing")
    with pytest.raises(ArticleError, match="not a web page"):
        read_article(server + "/image")
    with pytest.raises(ArticleError, match="too large"):
        read_article(server + "/huge")


def test_url_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import campaign.article.read as art

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)  # accepts the connection but never answers
    monkeypatch.setattr(art, "TIMEOUT", 0.3)
    try:
        with pytest.raises(ArticleError, match="timed out"):
            read_article(f"http://127.0.0.1:{sock.getsockname()[1]}/slow")
    finally:
        sock.close()


def test_boilerplate_lines_bios_and_related_lists(tmp_path: Path) -> None:
    text = (
        "Farmers Protest New Water Rules\n\n"
        "By Sam Hill | May 3, 2024\n\n"
        "Hundreds of farmers drove their tractors into the capital on Tuesday to protest new water rules.\n\n"
        "Subscribe to our newsletter for more stories like this.\n\n"
        "The rules cut the water each farm may draw by a third, starting next spring.\n\n"
        "Read more:\n\nDrought Hits The South\n\nWhy Water Prices Are Rising\n\n"
        "Sam Hill is a freelance reporter based in Madrid who covers farming and climate.\n"
    )
    a = read_article(str(write(tmp_path, "a.txt", text.encode())))
    assert [p.text[:20] for p in a.paragraphs] == ["Hundreds of farmers ", "The rules cut the wa"]


def test_bio_of_someone_in_the_story_is_kept(tmp_path: Path) -> None:
    text = (
        "Ana Ortiz won the race for mayor on Sunday with 54 percent of the vote.\n\n"
        "Ortiz is a former teacher and activist who founded the city's first food bank.\n"
    )
    a = read_article(str(write(tmp_path, "a.txt", text.encode())))
    assert len(a.paragraphs) == 2


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mr. Smith went to Washington. He met Dr. Jones there.", 2),
        ("The U.S. economy grew 3.5 percent in 2023. Prices rose too.", 2),
        ("He lives in the U.S. The move took a year.", 2),
        ("Officials, e.g. the mayor, agreed. J. K. Rowling did not.", 2),
        ("“We will not stop. Ever,” she said. Then she left.", 2),
        ("Is it over? “Yes.” He nodded.", 3),
        ("The vote was 52.4 to 47.6 percent, i.e. close.", 1),
        ("Sen. Maria Lopez (D-N.Y.) spoke at 9 a.m. on Jan. 5. The hall was full.", 2),
    ],
)
def test_sentence_splitting(text: str, expected: int) -> None:
    spans = split(text)
    assert len(spans) == expected, [text[a:b] for a, b in spans]
    for a, b in spans:
        assert text[a:b] == text[a:b].strip()


def test_press_release_about_sections_end_the_body(tmp_path: Path) -> None:
    md = ("# Trust launches river fund\n\n"
          "The Trust today announced a fund for chalk streams across the south of England.\n\n"
          "\"Chalk streams are our rainforests,\" said Dr. Harriet Oakes, chief executive of the Trust.\n\n"
          "Applications open on 1 June and close on 30 September, the Trust said.\n\n"
          "### About the Clearwater Trust\n\n"
          "The Clearwater Trust is a registered charity. \"Rivers for everyone\" is its motto.\n")
    art = read_article(str(write(tmp_path, "release.md", md.encode())))
    assert "registered charity" not in art.text and "About the" not in art.text
    assert "Applications open" in art.text


def test_series_note_is_furniture(tmp_path: Path) -> None:
    txt = ("Heat maps of the city\n\nThe hottest streets are where nobody on the council lives, she said.\n\n"
           "Bus stops come first, because that is where people wait in the sun.\n\n"
           "This interview is part of our Summer Cities series. Read more at example.org/cities.\n")
    art = read_article(str(write(tmp_path, "q.txt", txt.encode())))
    assert "Summer Cities" not in art.text


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


def test_utf8_read_as_windows_1252_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "mangled.txt"
    path.write_text("President FranÃ§ois Delmas spoke with Arturo SarukhÃÂ¡n in SÃO PAULO.\n", encoding="utf-8")
    text = read_article(str(path)).text
    # once and twice mangled names come back; real capitals with a tilde ("SÃO") stay as written
    assert "François Delmas" in text and "Sarukhán" in text and "SÃO PAULO" in text
