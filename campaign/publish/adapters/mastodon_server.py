"""What a Mastodon-API server says about itself, and how it writes a status.

- `fetch_limits`: its instance document (v2, else v1; without, then with the trailing slash),
  as `MastodonLimits` (limits, the server's own domain, its version string);
- `compatible_version`: the Mastodon version a server says it is compatible with (informational);
- `plain_text`, `normalize`: a status' HTML as text, and text as `find` compares it.

Used by `campaign.publish.adapters.mastodon`; see its docstring for why versions are never checked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from campaign import redact
from campaign.errors import RateLimitedError, TransientError

#: the instance documents, in the order they are tried (Takahē answers 404 with the slash)
INSTANCE_PATHS = ("/api/v2/instance", "/api/v2/instance/", "/api/v1/instance", "/api/v1/instance/")


@dataclass(frozen=True, slots=True)
class MastodonLimits:
    """An instance's posting limits (Mastodon's defaults until read from the instance).

    `domain`: the server's own name for itself (`@user@domain`), which can differ from the
    web host; `counts_in_full`: it was seen counting URLs in full, whatever it advertises.
    """

    max_characters: int = 500
    characters_reserved_per_url: int = 23
    max_media_attachments: int = 4
    description_limit: int = 1500
    image_size_limit: int = 16 * 1024 * 1024
    version: str = ""
    domain: str = ""
    counts_in_full: bool = False
    source: str = "default"  # "instance", "cache" or "default"


def _int(value: Any, default: int, most: int) -> int:
    """A positive whole number the server sent, at most `most`; anything else (a string, a
    float, a list, 10**9 reserved characters per URL) is ignored for the default."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return default
    if isinstance(value, str) and not (value.isascii() and value.isdigit() and len(value) <= 12):
        return default
    n = int(value)
    return n if 0 < n <= most else default


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


#: the largest values believed from a server (bigger ones are a mistake or hostile: a URL
#: counted as 10**9 characters made composing build gigabyte strings)
MOST = {"max_characters": 1_000_000, "characters_reserved_per_url": 1_000, "max_media_attachments": 100,
        "description_limit": 100_000, "image_size_limit": 1 << 30}


def _domain(info: dict[str, Any]) -> str:
    """v2 `domain`, else v1 `uri` (a bare domain on Mastodon, a URL on Pleroma/Akkoma)."""
    raw = str(info.get("domain") or info.get("uri") or "").strip()[:300]
    if "://" in raw:
        raw = urlsplit(raw).netloc
    return raw.strip("/").lower()


def limits_from_instance(info: dict[str, Any]) -> MastodonLimits:
    """Limits from a `/api/v2/instance` (or v1) document; missing fields keep the defaults."""
    d = MastodonLimits()
    info = _dict(info)
    conf = _dict(info.get("configuration"))
    statuses = _dict(conf.get("statuses"))
    media = _dict(conf.get("media_attachments"))
    return MastodonLimits(
        max_characters=_int(statuses.get("max_characters") or info.get("max_toot_chars"), d.max_characters,
                            MOST["max_characters"]),
        characters_reserved_per_url=_int(statuses.get("characters_reserved_per_url"),
                                         d.characters_reserved_per_url, MOST["characters_reserved_per_url"]),
        max_media_attachments=_int(statuses.get("max_media_attachments"), d.max_media_attachments,
                                   MOST["max_media_attachments"]),
        description_limit=_int(media.get("description_limit") or info.get("description_limit"),
                               d.description_limit, MOST["description_limit"]),
        image_size_limit=_int(media.get("image_size_limit") or info.get("upload_limit"), d.image_size_limit,
                              MOST["image_size_limit"]),
        version=str(info.get("version") or "")[:200],
        domain=_domain(info),
        source="instance",
    )


_COMPATIBLE = re.compile(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?")


def compatible_version(version: str) -> tuple[int, int, int] | None:
    """The Mastodon API version a server says it is compatible with, or None when it names none.

    `4.3.0+glitch` → (4, 3, 0); `3.5.3 (compatible; GoToSocial 0.17.0)` → (3, 5, 3);
    `2.7.2 (compatible; Akkoma 3.13.2)` → (2, 7, 2); `takahe/0.11.0` → None. Informational only:
    nothing is refused because of it."""
    m = _COMPATIBLE.match(version or "")
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


# --- plain text of a status, for find() -----------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._paragraphs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")
        elif tag == "p":
            if self._paragraphs:
                self.out.append("\n\n")
            self._paragraphs += 1

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def plain_text(html: str) -> str:
    """The text of a status' `content` HTML (hidden URL parts included). Markup that Python's parser
    gives up on ("<![0", from a broken or hostile server) is read by stripping tags instead."""
    p = _Text()
    try:
        p.feed(html or "")
        p.close()
    except (AssertionError, ValueError):  # _markupbase asserts on malformed declarations (Python ≤ 3.12)
        return _stripped(html or "")
    return "".join(p.out)


def _stripped(html: str) -> str:
    text = re.sub(r"</p\s*>", "\n\n", html, flags=re.I)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    return unescape(re.sub(r"<[^>]*>", "", text)).strip()


_URL = re.compile(r"https?://(\S+)")
_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w")


def normalize(text: str) -> str:
    """Text as compared by `find`: NFC, URLs without scheme or trailing slash, `@user@host` as
    `@user`, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = _URL.sub(lambda m: m.group(1).rstrip("/"), text)
    text = _MENTION.sub(r"@\1", text)
    return " ".join(text.split())


def fetch_limits(instance: str, *, token: str | None, timeout: float, platform: str = "mastodon",
                 account: str = "") -> MastodonLimits:
    """GET the instance document: v2 then v1, each without then with the trailing slash;
    anonymously first (some servers refuse any request carrying a token they reject), with
    the token when the server wants one. Found nowhere: Mastodon's defaults (`source`
    "default"). Raises TransientError (unreachable, 5xx) or RateLimitedError."""
    import requests

    kw: dict[str, Any] = {"platform": platform, "account": account}
    doing = "reading the instance's limits"
    with requests.Session() as session:
        for path in INSTANCE_PATHS:
            url = instance + path
            try:
                r = session.get(url, timeout=timeout, headers={"Accept": "application/json"})
                if r.status_code in (401, 403) and token:  # an instance that wants a token
                    r = session.get(url, timeout=timeout, headers={"Accept": "application/json",
                                                                   "Authorization": f"Bearer {token}"})
            except requests.RequestException as e:
                raise TransientError(f"cannot reach {instance} while {doing}: {redact.redact(str(e))}",
                                     unreachable=True, **kw) from None
            if r.status_code == 429:
                raise RateLimitedError(f"rate limited by {instance} while {doing}", retry_after=60.0, **kw)
            if r.status_code >= 500:
                raise TransientError(f"{instance} answered {r.status_code} while {doing}",
                                     unreachable=r.status_code in (502, 503, 504), **kw)
            if not r.ok:  # 404 and the like: this server has no such document; try the next
                continue
            try:
                info = r.json()
            except ValueError:  # an HTML page where the API should be
                continue
            if isinstance(info, dict) and (info.get("version") or info.get("configuration")
                                           or info.get("domain") or info.get("uri")):
                return limits_from_instance(info)
    return MastodonLimits(source="default")
