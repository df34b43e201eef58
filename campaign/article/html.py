"""A plain standard-library HTML reader: the fallback when trafilatura is unavailable or finds nothing."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = {"script", "style", "noscript", "nav", "aside", "footer", "header", "form", "button", "svg",
         "figure", "figcaption", "iframe", "select", "template"}
_BLOCK = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "section", "article",
          "main", "br", "tr", "pre", "dd", "dt"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed", "param", "track"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, bool]] = []  # (tag, text, inside <article>/<main>)
        self.meta: dict[str, str] = {}
        self._skip = 0
        self._stack: list[str] = []
        self._buf: list[str] = []
        self._tag = "p"
        self._main = 0
        self._in_title = False
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = (a.get("name") or a.get("property") or "").lower()
            if key in ("author", "article:author") and a.get("content"):
                self.meta.setdefault("author", a["content"])
            elif key in ("og:title", "twitter:title") and a.get("content"):
                self.meta.setdefault("title", a["content"])
            elif key in ("article:published_time", "date", "pubdate") and a.get("content"):
                self.meta.setdefault("date", a["content"][:10])
            return
        if tag == "link" and "canonical" in a.get("rel", "").lower() and a.get("href"):
            self.meta.setdefault("url", a["href"])
            return
        if tag in _VOID:
            if tag == "br":
                self._buf.append(" ")
            return
        self._stack.append(tag)
        if tag == "title":
            self._in_title = True
        if tag in _SKIP:
            self._skip += 1
        if tag in ("article", "main"):
            self._main += 1
        if tag in _BLOCK:
            self._flush()
            self._tag = tag

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self._stack:
            return
        while self._stack:
            t = self._stack.pop()
            if t in _SKIP:
                self._skip -= 1
            if t in ("article", "main"):
                self._main -= 1
            if t == "title":
                self._in_title = False
            if t in _BLOCK:
                self._flush()
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif not self._skip:
            self._buf.append(data)

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._buf)).strip()
        self._buf = []
        if text:
            self.blocks.append((self._tag, text, self._main > 0))


def html_paragraphs(html: str) -> tuple[list[str], dict[str, str]]:
    """Paragraph texts of the page's main content (inside <article>/<main> when present) and metadata."""
    r = _Reader()
    try:
        r.feed(html)
        r.close()
    except Exception:  # noqa: BLE001 (html.parser is lenient; never let markup crash reading)
        pass
    r._flush()
    blocks = r.blocks
    if any(inside for _, _, inside in blocks):
        blocks = [b for b in blocks if b[2]]
    meta = dict(r.meta)
    title = re.sub(r"\s+", " ", "".join(r._title)).strip()
    h1 = next((t for tag, t, _ in blocks if tag == "h1"), None)
    if h1:
        meta["title"] = h1
    elif title and "title" not in meta:
        meta["title"] = re.split(r"\s+[|–—-]\s+", title)[0]
    paras = [t for tag, t, _ in blocks if not (tag in ("h2", "h3", "h4", "h5", "h6") and len(t.split()) < 15)]
    return paras, meta
