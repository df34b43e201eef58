"""Read .txt, .md and .html files and http(s) URLs into an `Article` with offsets.

The body is cleaned of what is not the article (author bios, related-headline lists,
share/subscribe lines, `exclude` prefixes) by `campaign.article.boilerplate`; paragraphs are
joined by a blank line and split into sentences by `campaign.article.sentences`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from campaign.article.boilerplate import clean_paragraphs, looks_like_headline
from campaign.article.sentences import split
from campaign.errors import ArticleError
from campaign.models import Article, Paragraph, Sentence

MAX_BYTES = 10 * 1024 * 1024
TIMEOUT = 20.0  # seconds without data on the socket
DEADLINE = 60.0  # seconds for the whole download, redirects included
MAX_REDIRECTS = 5
_HTML_EXT = (".html", ".htm", ".xhtml")
_MD_EXT = (".md", ".markdown", ".mdown")
# Zero-width and bidi control characters, except ZWNJ (U+200C), which Persian spelling needs, and
# ZWJ (U+200D), which holds emoji sequences such as 👩‍👩‍👧‍👦 together.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# Documents that are not articles we can read, by their first bytes.
_NOT_TEXT = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file)"),
    (b"\xd0\xcf\x11\xe0", "an old Word/Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u3000]+")


def read_article(
    source: str,
    *,
    base_dir: Path | None = None,
    exclude: Sequence[str] = (),
    title: str | None = None,
    author: str | None = None,
    url: str | None = None,
    language: str = "en",
) -> Article:
    """Read a file path (relative to `base_dir`) or an http(s) URL into an Article.

    `title`, `author` and `url` override what the source says; paragraphs starting with
    any of `exclude` are left out. Raises ArticleError with a one-line reason.
    """
    if source.startswith(("http://", "https://")):
        raw, content_type, final_url = _download(source)
        name = source
        kind = "html" if ("html" in content_type or _sniff_html(raw)) else "text"
    else:
        path = Path(source).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        raw = _read_file(path)
        name = str(path)
        final_url = None
        suffix = path.suffix.lower()
        kind = "html" if suffix in _HTML_EXT else "markdown" if suffix in _MD_EXT else "text"
        if kind == "text" and _sniff_html(raw):
            kind = "html"
    text = _decode(raw, name)
    if kind == "html":
        paragraphs, meta = _parse_html(text, final_url)
    elif kind == "markdown":
        paragraphs, meta = _parse_markdown(text)
    else:
        paragraphs, meta = _parse_text(text)
    paragraphs = [p for p in (_normalize(p) for p in paragraphs) if p]
    head = meta.get("title")
    if not head and paragraphs and looks_like_headline(paragraphs[0]) and len(paragraphs) > 1:
        head = paragraphs[0]
    if paragraphs and head and _same(paragraphs[0], head):
        paragraphs = paragraphs[1:]
    the_author = author or meta.get("author")
    paragraphs = clean_paragraphs(paragraphs, exclude=exclude, author=the_author)
    if not paragraphs:
        raise ArticleError(f"{name}: no article text found")
    return build_article(
        paragraphs,
        source=name,
        title=title or (_normalize(head) if head else None),
        author=the_author,
        date=meta.get("date"),
        url=url or meta.get("url") or final_url,
        language=language,
    )


def build_article(paragraphs: Sequence[str], *, source: str = "", title: str | None = None,
                  author: str | None = None, date: str | None = None, url: str | None = None,
                  language: str = "en") -> Article:
    """An Article from clean paragraph texts: joined by blank lines, split into sentences."""
    paras: list[Paragraph] = []
    sents: list[Sentence] = []
    pos = 0
    for i, p in enumerate(paragraphs):
        paras.append(Paragraph(p, pos, pos + len(p)))
        for a, b in split(p, pos):
            sents.append(Sentence(p[a - pos : b - pos], a, b, i))
        pos += len(p) + 2
    text = "\n\n".join(paragraphs)
    return Article(text=text, paragraphs=tuple(paras), sentences=tuple(sents), source=source,
                   title=title, author=author, date=date, url=url, language=language)


def text_article(text: str, *, language: str = "en", title: str | None = None) -> Article:
    """An Article from plain text in memory (blank-line paragraphs), as for a .txt file."""
    paragraphs, _ = _parse_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    paras = [p for p in (_normalize(p) for p in paragraphs) if p]
    return build_article(paras, title=title, language=language)


# --- reading bytes -----------------------------------------------------------------------------


def _read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ArticleError(f"{path}: article file not found") from None
    except OSError as e:
        raise ArticleError(f"{path}: cannot read: {e.strerror}") from None
    if path.is_dir():
        raise ArticleError(f"{path}: is a folder, not an article file")
    if size > MAX_BYTES:
        raise ArticleError(f"{path}: too large ({size / 1e6:.1f} MB; the limit is {MAX_BYTES // 2**20} MB)")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ArticleError(f"{path}: cannot read: {e.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise ArticleError(f"{path}: too large (the limit is {MAX_BYTES // 2**20} MB)")
    return raw


def _download(url: str) -> tuple[bytes, str, str]:
    """GET `url` within `DEADLINE` seconds in all (headers, redirects and body; `TIMEOUT` for any
    one read), at most `MAX_BYTES` read while streaming, redirects followed only to http(s) and
    at most `MAX_REDIRECTS` times. Returns (body, content type, final URL); ArticleError otherwise."""
    import http.client
    import socket
    import ssl
    import threading
    import time
    from urllib.parse import urljoin, urlsplit

    deadline = time.monotonic() + DEADLINE
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            parts = urlsplit(current)
            host, port = parts.hostname, parts.port
        except ValueError as e:
            raise ArticleError(f"{_shown(current)}: not a valid URL ({e})") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise ArticleError(f"{_shown(url)}: redirected to a {scheme or 'non-web'}: link "
                               f"({_shown(current)}); only http and https are followed")
        if not host or any(c.isspace() or not c.isprintable() for c in current):
            raise ArticleError(f"{_shown(current)}: not a valid URL (no host, or spaces or control characters)")
        conn: http.client.HTTPConnection = (
            http.client.HTTPSConnection(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
            if scheme == "https" else http.client.HTTPConnection(host, port, timeout=TIMEOUT))
        expired = threading.Event()

        def stop(conn: http.client.HTTPConnection = conn, expired: threading.Event = expired) -> None:
            expired.set()  # the total deadline: wake the blocked read by shutting the socket down
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), stop)
        watchdog.daemon = True
        watchdog.start()
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path, headers={
                "User-Agent": "campaign/0.1 (article reader)",
                "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8,*/*;q=0.1",
            })
            resp = conn.getresponse()
            if expired.is_set():
                raise TimeoutError
            if resp.status in (301, 302, 303, 307, 308) and resp.getheader("Location"):
                current = urljoin(current, resp.getheader("Location", "").strip())
                continue
            if resp.status >= 400 or resp.status < 200:
                raise ArticleError(f"{_shown(url)}: HTTP {resp.status} {_shown(resp.reason or '')}")
            ctype = (resp.getheader("Content-Type") or "").lower()[:200]
            length = (resp.getheader("Content-Length") or "").strip()
            if length.isdigit() and len(length) < 20 and int(length) > MAX_BYTES:
                raise ArticleError(f"{_shown(url)}: too large ({int(length) / 1e6:.1f} MB; the limit is 10 MB)")
            if ctype and not any(t in ctype for t in ("html", "text/plain", "xml", "markdown")):
                raise ArticleError(f"{_shown(url)}: not a web page (Content-Type {ctype.split(';')[0]})")
            chunks: list[bytes] = []
            size = 0
            while True:
                chunk = resp.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ArticleError(f"{_shown(url)}: too large (the limit is 10 MB)")
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError
            if expired.is_set():  # the socket was shut at the deadline: what came is incomplete
                raise TimeoutError
            return b"".join(chunks), ctype, current
        except ArticleError:
            raise
        except TimeoutError:
            raise ArticleError(_timed_out(url, expired.is_set() or time.monotonic() >= deadline)) from None
        except http.client.HTTPException as e:  # more than 100 headers, a header line over 64 KB...
            if expired.is_set():
                raise ArticleError(_timed_out(url, True)) from None
            why = type(e).__name__ if not str(e) else f"{type(e).__name__}: {str(e)[:100]}"
            raise ArticleError(f"{_shown(url)}: the server's answer is not valid HTTP ({why})") from None
        except (OSError, ValueError) as e:
            if expired.is_set():
                raise ArticleError(_timed_out(url, True)) from None
            reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
            raise ArticleError(f"{_shown(url)}: cannot fetch: {reason}") from None
        finally:
            watchdog.cancel()
            conn.close()
    raise ArticleError(f"{_shown(url)}: more than {MAX_REDIRECTS} redirects")


def _timed_out(url: str, total: bool) -> str:
    if total:
        return f"{_shown(url)}: timed out (no complete answer within {DEADLINE:g} s)"
    return f"{_shown(url)}: timed out (no data for {TIMEOUT:g} s)"


def _shown(text: str) -> str:
    """A URL or server string fit for a one-line message: printable, at most 200 characters."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if len(clean) <= 200 else clean[:199] + "…"


def _sniff_html(raw: bytes) -> bool:
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in raw[:4096].lower()


def _decode(raw: bytes, name: str) -> str:
    """Bytes to text: BOMs, UTF-8, then charset detection; binary data is refused."""
    if not raw.strip():
        raise ArticleError(f"{name}: the file is empty")
    for magic, what in _NOT_TEXT:
        if raw.startswith(magic):
            raise ArticleError(f"{name}: {what}, not a text, Markdown or HTML article; "
                               "save or export it as text first")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            try:
                return _check_text(raw.decode(codec), name)
            except UnicodeDecodeError:
                break
    if b"\x00" in raw[:8192]:
        raise ArticleError(f"{name}: binary data, not a text or HTML article")
    try:
        return _check_text(raw.decode("utf-8"), name)
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    if best is None:
        raise ArticleError(f"{name}: binary data or an unknown encoding, not a text article")
    try:
        return _check_text(raw.decode(best.encoding, errors="replace"), name)
    except LookupError:
        return _check_text(raw.decode("latin-1"), name)


def _check_text(text: str, name: str) -> str:
    sample = text[:20_000]
    bad = sum(1 for c in sample if (unicodedata.category(c) == "Cc" and c not in "\n\r\t\f") or c == "\ufffd")
    if sample and bad / len(sample) > 0.02:
        raise ArticleError(f"{name}: binary data, not a text or HTML article")
    if not text.strip():
        raise ArticleError(f"{name}: the file is empty")
    return text


# --- formats -----------------------------------------------------------------------------------

Meta = dict[str, str]


def _parse_text(text: str) -> tuple[list[str], Meta]:
    """Blank-line paragraphs; lines inside one paragraph are joined with a space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = re.split(r"\n[ \t\u00a0]*\n", text)
    out: list[str] = []
    for block in blocks:
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        # A block of short list-like lines ("- item", "* item") keeps one paragraph per line.
        if len(lines) > 1 and all(re.match(r"([-*•·]|\d+[.)])\s", ln) for ln in lines):
            out.extend(lines)
        else:
            out.append(" ".join(lines))
    return out, {}


# Every pattern applied to an article runs in linear time: a character class never holds the mark
# that opens the construct, so a scan from one opener stops at the next one instead of running
# to the end of the text from every opener ("[[[[…" or "*a *a *a …" cost quadratic time).
_MD_TARGET = r"\([^()\n]*(?:\([^()\n]*\)[^()\n]*)?\)"  # (url), (url_(with)_parens)
_MD_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]" + _MD_TARGET)
_MD_LINK = re.compile(r"\[([^\[\]\n]+)\]" + _MD_TARGET)
_MD_REF_LINK = re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]")
_MD_CODE = re.compile(r"`([^`]*)`")
_MD_STRONG = re.compile(r"\*\*([^*]+)\*\*|__([^_]+)__")
_MD_EM_STAR = re.compile(r"(?<![\w*])\*(?![\s*])([^*]+)(?<!\s)\*(?![\w*])")
_MD_EM_UNDER = re.compile(r"(?<![\w_])_(?![\s_])([^_]+)(?<!\s)_(?![\w_])")
_MD_TAG = re.compile(r"<[^<>]+>")
_MD_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_MD_LINK_DEF = re.compile(r"(?m)^[ \t]*\[[^\[\]\n]+\]:[ \t]*\S.*$")
_MD_END_HEADING = re.compile(r"(?:about|à\s+propos)\s+\S|notes?\s+(?:to|for)\s+editors?|media\s+(?:contacts?|enquiries)",
                             re.I)


def _parse_markdown(text: str) -> tuple[list[str], Meta]:
    """Strip Markdown markup but keep paragraphs; the first level-1 heading is the title."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta: Meta = {}
    if text.startswith("---\n"):  # YAML front matter
        end = text.find("\n---", 4)
        if end > 0:
            for line in text[4:end].splitlines():
                k, _, v = line.partition(":")
                if k.strip().lower() in ("title", "author", "date", "url") and v.strip():
                    meta[k.strip().lower()] = v.strip().strip("\"'")
            text = text[end + 4 :]
    text = _strip_fences(text)
    text = _MD_LINK_DEF.sub("", text)  # link definitions
    text = _strip_comments(text)
    text = re.sub(r"(?m)^(.+)\n(=+|-+)\s*$", lambda m: ("# " if m.group(2)[0] == "=" else "## ") + m.group(1), text)
    out: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        para: list[str] = []
        for line in lines:
            s = line.strip()
            h = _MD_HEADING.match(s)
            if h:
                heading = h.group(2).rstrip("#").rstrip()  # "## Title ##"
                if para:
                    out.append(" ".join(para))
                    para = []
                if h.group(1) == "#" and "title" not in meta and not out:
                    meta["title"] = _md_inline(heading)
                elif _MD_END_HEADING.match(_md_inline(heading)):
                    out.append(_md_inline(heading))  # "About the Trust": the cleaner ends the body there
                continue  # section headings are not body text
            if _is_rule(s) or s.startswith("<"):
                continue
            s = re.sub(r"^>\s?", "", s)
            item = re.match(r"([-*+]|\d+[.)])\s+(.*)", s)
            if item:
                if para:
                    out.append(" ".join(para))
                    para = []
                out.append(_md_inline(item.group(2)))
                continue
            para.append(_md_inline(s))
        if para:
            out.append(" ".join(para))
    return out, meta


def _md_inline(s: str) -> str:
    s = _MD_IMAGE.sub("", s)
    s = _MD_LINK.sub(r"\1", s)
    s = _MD_REF_LINK.sub(r"\1", s)
    s = _MD_CODE.sub(r"\1", s)
    s = _MD_STRONG.sub(lambda m: m.group(1) or m.group(2), s)
    s = _MD_EM_STAR.sub(r"\1", s)
    s = _MD_EM_UNDER.sub(r"\1", s)
    s = _MD_STRONG.sub(lambda m: m.group(1) or m.group(2), s)  # "**bold *and italic* words**"
    s = _MD_TAG.sub("", s)
    return s.strip()


def _is_rule(line: str) -> bool:
    """A thematic break: three or more of one of - * _, spaces allowed (`- - -`, `***`)."""
    marks = line.replace(" ", "").replace("\t", "")
    return len(marks) >= 3 and len(set(marks)) == 1 and marks[0] in "-*_"


def _strip_fences(text: str) -> str:
    """Fenced code blocks (``` or ~~~ up to the same fence) removed; an unclosed fence is kept."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        fence = lines[i][:3]
        if fence in ("```", "~~~"):
            j = next((k for k in range(i + 1, len(lines)) if lines[k].startswith(fence)), None)
            if j is not None:
                out.append("")
                i = j + 1
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _strip_comments(text: str) -> str:
    """HTML comments removed, by plain search (an unclosed `<!--` keeps the rest)."""
    out: list[str] = []
    pos = 0
    while True:
        a = text.find("<!--", pos)
        b = text.find("-->", a + 4) if a >= 0 else -1
        if b < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:a])
        pos = b + 3


def _parse_html(html: str, page_url: str | None) -> tuple[list[str], Meta]:
    """Main content and metadata of a web page, with trafilatura (or a plain fallback)."""
    try:
        import trafilatura
    except ImportError:
        from campaign.article.html import html_paragraphs

        return html_paragraphs(html)
    doc = trafilatura.bare_extraction(
        html, url=page_url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, favor_precision=True,
    )
    if doc is None:
        from campaign.article.html import html_paragraphs

        return html_paragraphs(html)
    get = doc.get if isinstance(doc, dict) else lambda k: getattr(doc, k, None)  # type: ignore[union-attr, unused-ignore]
    body = get("text") or ""
    meta: Meta = {k: str(v) for k in ("title", "author", "date", "url") if (v := get(k))}
    paragraphs = [ln.strip() for ln in body.split("\n") if ln.strip()]
    paragraphs = [re.sub(r"^[-*•]\s+", "", p) for p in paragraphs]
    if not paragraphs:
        from campaign.article.html import html_paragraphs

        return html_paragraphs(html)
    return paragraphs, meta


# --- normalising -------------------------------------------------------------------------------


def _normalize(p: str) -> str:
    """NFC, no invisible characters (but ZWNJ), one space between words, Persian letters unified,
    UTF-8 read as Windows-1252 repaired ("FranÃ§ois" is "François")."""
    p = unicodedata.normalize("NFC", p)
    for _ in range(3):  # (twice mangled: "SarukhÃÂ¡n")
        if "Ã" not in p and "Â" not in p:
            break
        p = unicodedata.normalize("NFC", _MOJIBAKE.sub(_unmangle, p))
    p = _INVISIBLE.sub("", p)
    p = p.replace("\u064a", "\u06cc").replace("\u0643", "\u06a9") if re.search("[\u0600-\u06ff]", p) and re.search("[\u067e\u0686\u0698\u06af\u06cc\u06a9]", p) else p
    p = re.sub(r"[\r\n]+", " ", p)  # the spaces around it are collapsed just below
    p = _SPACES.sub(lambda m: "\u00a0" if m.group() in ("\u00a0", "\u202f") else " ", p)
    return p.strip()


_MOJIBAKE = re.compile(r"[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
                       r"\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+")


def _unmangle(m: re.Match[str]) -> str:
    """A run of UTF-8 bytes shown as Windows-1252 characters, decoded back when it is valid UTF-8."""
    try:
        return m.group().encode("cp1252").decode("utf-8")
    except UnicodeError:
        return m.group()


def _same(a: str, b: str) -> bool:
    def key(s: str) -> str:
        return re.sub(r"\W+", " ", s.casefold()).strip()

    return key(a) == key(b)
