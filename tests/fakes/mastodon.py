"""A loopback Mastodon instance: the endpoints the adapter uses, with Mastodon's shapes.

Keeps what it received (`statuses`, `media`), honours `Idempotency-Key` (same key and
token within the hour → the same status, as `PostStatusService` does), renders
`content` HTML the way Mastodon does (links split into invisible/ellipsis spans,
hashtags, mentions), enforces the character limit and unprocessed media (422), and
sends `X-RateLimit-*` headers. Faults come from `FakeServer` plus the helpers below.

Switches reproduce what other servers that speak the Mastodon API do differently (each seen
on a real server; `FakeMastodon.takahe()` turns on all of Takahē 0.11's):
`version` (any string: `takahe/0.11.0`, `3.5.3 (compatible; GoToSocial 0.17.0)`),
`slash_404` (the instance documents 404 with a trailing slash), `no_instance` (no instance
document at all), `bad_token_status=400` (a wrong bearer token is answered 400 with a plain
text body on every endpoint, public ones included), `idempotency=False` (the key is ignored),
`hide_private=True` (the owner's private and direct posts are left out of the account's
statuses; the home timeline has them), `urls_in_full=True` (the length check counts URLs in
full, with `too_long` as the refusal), `domain` (the name the server gives itself).
"""

from __future__ import annotations

import html
import itertools
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tests.fakes.base import FakeServer, Reply, Request

TOKEN = "mastodon-test-token-0123456789abcdef"
PROCESSING_MSG = "Cannot attach files that have not finished processing. Try again in a moment!"


@dataclass
class Media:
    id: str
    data: bytes
    mime: str
    filename: str
    description: str | None
    focus: str | None
    polls_left: int = 0  # GETs before it is processed (0: ready)

    @property
    def ready(self) -> bool:
        return self.polls_left <= 0


@dataclass
class Status:
    id: str
    text: str
    media_ids: list[str]
    in_reply_to_id: str | None
    visibility: str
    spoiler_text: str
    language: str | None
    idempotency_key: str | None
    created_at: datetime
    form: dict[str, list[str]] = field(default_factory=dict)
    favourites: int = 0
    reblogs: int = 0
    replies: int = 0


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


_TOKEN_RE = re.compile(
    r"(?P<url>https?://[^\s<>\"]+[^\s<>\".,;:!?)])"
    r"|(?P<mention>(?<![\w@/])@(?P<user>\w+)@(?P<domain>[\w.-]+\w))"
    r"|(?P<tag>(?<![\w&/])#(?P<name>\w+))"
)


def render_content(text: str, base: str) -> str:
    """Mastodon's HTML for a plain-text status."""
    def inline(chunk: str) -> str:
        out, pos = [], 0
        for m in _TOKEN_RE.finditer(chunk):
            out.append(html.escape(chunk[pos:m.start()], quote=False))
            if m.group("url"):
                url = m.group("url")
                scheme, rest = url.split("://", 1)
                visible, hidden = rest[:30], rest[30:]
                ell = "ellipsis" if hidden else ""
                out.append(
                    f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" '
                    f'translate="no"><span class="invisible">{scheme}://</span>'
                    f'<span class="{ell}">{html.escape(visible)}</span>'
                    f'<span class="invisible">{html.escape(hidden)}</span></a>')
            elif m.group("mention"):
                user, domain = m.group("user"), m.group("domain")
                out.append(f'<span class="h-card" translate="no"><a href="https://{domain}/@{user}" '
                           f'class="u-url mention">@<span>{user}</span></a></span>')
            else:
                name = m.group("name")
                out.append(f'<a href="{base}/tags/{name.lower()}" class="mention hashtag" '
                           f'rel="tag">#<span>{name}</span></a>')
            pos = m.end()
        out.append(html.escape(chunk[pos:], quote=False))
        return "".join(out)

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join("<p>" + "<br />".join(inline(line) for line in p.split("\n")) + "</p>"
                   for p in paragraphs)


def status_length(text: str, spoiler: str = "", *, urls_in_full: bool = False) -> int:
    """Mastodon's count, near enough for the fake: URLs 23, `@user@domain` as `@user`
    (`urls_in_full`: Takahē's, every code point of the text as written)."""
    import regex

    if urls_in_full:  # Takahē: len(status), code points, URLs and mentions as written
        return len(text)
    t = re.sub(r"https?://\S+", "x" * 23, text)
    t = re.sub(r"(?<![\w@])@(\w+)@[\w.-]+\w", r"@\1", t)
    return len(regex.findall(r"\X", t + spoiler))


class FakeMastodon(FakeServer):
    def __init__(self, *, token: str = TOKEN, max_characters: int = 500, version: str = "4.3.0",
                 max_media: int = 4, description_limit: int = 1500, acct: str = "nrf",
                 domain: str = "127.0.0.1", slash_404: bool = False, no_instance: bool = False,
                 bad_token_status: int = 401, idempotency: bool = True, hide_private: bool = False,
                 urls_in_full: bool = False, multi: bool = True,
                 too_long: tuple[int, str] | None = None) -> None:
        super().__init__()
        self.token = token
        self.max_characters = max_characters
        self.max_media = max_media
        self.description_limit = description_limit
        self.version = version
        self.acct = acct
        self.domain = domain
        self.slash_404 = slash_404
        self.no_instance = no_instance
        self.bad_token_status = bad_token_status
        self.idempotency_honoured = idempotency
        self.hide_private = hide_private
        self.urls_in_full = urls_in_full
        self.too_long = too_long
        self.statuses: dict[str, Status] = {}
        self.down = False  # True: every request is answered 503 (the instance is down)
        self.multi = multi  # GET /api/v1/statuses?id[]= (Mastodon 4.3+); False: 404, as before 4.3
        self.media: dict[str, Media] = {}
        self.idempotency: dict[tuple[str, str], str] = {}
        self.process_polls = 0  # set >0: new media need that many GET /api/v1/media/:id first
        self._ids = itertools.count(109_000_000_000_000_001)
        self._mlock = threading.Lock()
        r = self.route
        r("GET", r"/api/v1/instance", self._instance_v1)
        r("GET", r"/api/v2/instance", self._instance_v2)
        r("GET", r"/api/v1/accounts/verify_credentials", self._verify)
        r("POST", r"/api/v2/media", self._media_post)
        r("POST", r"/api/v1/media", self._media_post)  # deprecated; tests assert it is unused
        r("GET", r"/api/v1/media/(?P<id>\w+)", self._media_get)
        r("POST", r"/api/v1/statuses", self._status_post)
        r("GET", r"/api/v1/statuses/(?P<id>\d+)", self._status_get)
        r("GET", r"/api/v1/statuses", self._statuses_get)
        r("GET", r"/api/v1/accounts/(?P<id>\w+)/statuses", self._account_statuses)
        r("GET", r"/api/v1/timelines/home", self._home)

    @classmethod
    def takahe(cls, **kw: Any) -> FakeMastodon:
        """Takahē 0.11 as seen on a real one: `takahe/0.11.0`, 404 on `/api/v2/instance/`, 400
        "Invalid Bearer token" everywhere, no idempotency, private posts only in the home
        timeline, URLs counted in full and refused with 400 "Status is too long"."""
        opts: dict[str, Any] = {"multi": False, "version": "takahe/0.11.0", "slash_404": True, "bad_token_status": 400,
                                "idempotency": False, "hide_private": True, "urls_in_full": True,
                                "too_long": (400, "Status is too long")}
        opts.update(kw)
        return cls(**opts)

    # -- helpers for tests ---------------------------------------------------------------
    def rate_limit_next(self, match: str = r"POST /api/v1/statuses", seconds: int = 120) -> None:
        reset = _iso(datetime.now(UTC) + timedelta(seconds=seconds))
        self.fail_next(match, 429, {"error": "Too many requests"},
                       headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                                "X-RateLimit-Reset": reset})

    def processing_next(self, times: int = 1) -> None:
        self.fail_next(r"POST /api/v1/statuses", 422, {"error": PROCESSING_MSG}, times=times)

    def engage(self, status_id: str, *, favourites: int = 0, reblogs: int = 0, replies: int = 0) -> None:
        """Set a status's counts, as other people's favourites, boosts and replies would."""
        s = self.statuses[status_id]
        s.favourites, s.reblogs, s.replies = favourites, reblogs, replies

    def delete(self, status_id: str) -> None:
        """Delete a status on the instance (its GET then answers 404)."""
        del self.statuses[status_id]

    def posted(self) -> list[Status]:
        return sorted(self.statuses.values(), key=lambda s: int(s.id))

    @property
    def base(self) -> str:
        return self.url

    # -- shapes --------------------------------------------------------------------------
    def _account(self) -> dict[str, Any]:
        return {"id": "1", "username": self.acct, "acct": self.acct, "display_name": "NRF demo",
                "locked": False, "bot": False, "url": f"{self.base}/@{self.acct}",
                "created_at": "2024-01-01T00:00:00.000Z", "note": "", "avatar": "", "header": "",
                "followers_count": 0, "following_count": 0, "statuses_count": len(self.statuses),
                "emojis": [], "fields": []}

    def _media_json(self, m: Media) -> dict[str, Any]:
        focus = None
        if m.focus:
            x, y = (float(v) for v in m.focus.split(","))
            focus = {"x": x, "y": y}
        url = f"{self.base}/system/media/{m.id}/{m.filename}" if m.ready else None
        return {"id": m.id, "type": "image", "url": url, "preview_url": url, "remote_url": None,
                "description": m.description, "blurhash": None,
                "meta": {"focus": focus} if focus else {}}

    def _status_json(self, s: Status) -> dict[str, Any]:
        return {
            "id": s.id, "uri": f"{self.base}/users/{self.acct}/statuses/{s.id}",
            "url": f"{self.base}/@{self.acct}/{s.id}", "created_at": _iso(s.created_at),
            "account": self._account(), "content": render_content(s.text, self.base),
            "visibility": s.visibility, "sensitive": bool(s.spoiler_text),
            "spoiler_text": s.spoiler_text, "language": s.language,
            "in_reply_to_id": s.in_reply_to_id,
            "in_reply_to_account_id": "1" if s.in_reply_to_id else None,
            "media_attachments": [self._media_json(self.media[i]) for i in s.media_ids],
            "mentions": [], "tags": [], "emojis": [], "reblogs_count": s.reblogs,
            "favourites_count": s.favourites, "replies_count": s.replies, "reblog": None, "poll": None,
            "card": None,
        }

    def _headers(self) -> dict[str, str]:
        reset = _iso(datetime.now(UTC) + timedelta(minutes=5))
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", "X-RateLimit-Reset": reset}

    def _ok(self, body: Any, status: int = 200) -> Reply:
        return Reply(status, body, self._headers())

    def _auth(self, req: Request) -> Reply | None:
        if req.header("authorization") != f"Bearer {self.token}":
            if self.bad_token_status == 400:
                return Reply(400, "Invalid Bearer token", {"Content-Type": "text/html; charset=utf-8"})
            return Reply(self.bad_token_status, {"error": "The access token is invalid"})
        return None

    def _handle(self, req: Request) -> Reply:
        if self.down:
            return Reply(503, b"<h1>503 Service Unavailable</h1>", {"Content-Type": "text/html"})
        given = req.header("authorization")
        if self.bad_token_status == 400 and given and given != f"Bearer {self.token}":
            return self._auth(req) or Reply(500)  # Takahē's middleware: before any route
        return super()._handle(req)

    def _instance_missing(self, req: Request) -> bool:
        return self.no_instance or (self.slash_404 and req.path.endswith("/"))

    # -- handlers ------------------------------------------------------------------------
    def _configuration(self) -> dict[str, Any]:
        return {"statuses": {"max_characters": self.max_characters,
                             "max_media_attachments": self.max_media,
                             "characters_reserved_per_url": 23},
                "media_attachments": {"supported_mime_types": ["image/png", "image/jpeg", "image/webp"],
                                      "description_limit": self.description_limit,
                                      "image_size_limit": 16777216,
                                      "image_matrix_limit": 33177600}}

    def _instance_v1(self, req: Request, m: re.Match[str]) -> Reply:
        if self._instance_missing(req):
            return Reply(404, b"<h1>Not Found</h1>", {"Content-Type": "text/html"})
        return self._ok({"uri": self.domain, "title": "Fake", "version": self.version,
                         "configuration": self._configuration()})

    def _instance_v2(self, req: Request, m: re.Match[str]) -> Reply:
        if self._instance_missing(req):
            return Reply(404, b"<h1>Not Found</h1>", {"Content-Type": "text/html"})
        return self._ok({"domain": self.domain, "title": "Fake", "version": self.version,
                         "source_url": "", "description": "", "api_versions": {"mastodon": 2},
                         "configuration": self._configuration(),
                         "registrations": {"enabled": False}})

    def _verify(self, req: Request, m: re.Match[str]) -> Reply:
        return self._auth(req) or self._ok(self._account())

    def _media_post(self, req: Request, m: re.Match[str]) -> Reply:
        if (denied := self._auth(req)) is not None:
            return denied
        fields = _multipart(req)
        if "file" not in fields:
            return Reply(422, {"error": "Validation failed: File can't be blank"})
        data, mime, filename = fields["file"]
        desc = fields.get("description", (b"", "", ""))[0].decode() or None
        if desc and len(desc) > self.description_limit:
            return Reply(422, {"error": f"Validation failed: Description is too long "
                                        f"(maximum is {self.description_limit} characters)"})
        focus = fields.get("focus", (b"", "", ""))[0].decode() or None
        with self._mlock:
            media = Media(str(next(self._ids)), data, mime, filename or "file", desc, focus,
                          polls_left=self.process_polls)
            self.media[media.id] = media
        return self._ok(self._media_json(media), 200 if media.ready else 202)

    def _media_get(self, req: Request, m: re.Match[str]) -> Reply:
        if (denied := self._auth(req)) is not None:
            return denied
        media = self.media.get(m.group("id"))
        if media is None:
            return Reply(404, {"error": "Record not found"})
        if not media.ready:
            media.polls_left -= 1
            return self._ok(self._media_json(media), 206 if not media.ready else 200)
        return self._ok(self._media_json(media))

    def _status_post(self, req: Request, m: re.Match[str]) -> Reply:
        if (denied := self._auth(req)) is not None:
            return denied
        form = req.form()
        key = req.header("idempotency-key")
        self._maybe_hold(form)
        with self._mlock:
            if key and self.idempotency_honoured and (self.token, key) in self.idempotency:
                return self._ok(self._status_json(self.statuses[self.idempotency[(self.token, key)]]))
            text = form.get("status", [""])[0]
            media_ids = form.get("media_ids[]", [])
            if not text and not media_ids:
                return Reply(422, {"error": "Validation failed: Text can't be blank"})
            spoiler = form.get("spoiler_text", [""])[0]
            n = status_length(text, spoiler, urls_in_full=self.urls_in_full)
            if n > self.max_characters:
                if self.too_long:
                    return Reply(self.too_long[0], {"error": self.too_long[1]})
                return Reply(422, {"error": f"Validation failed: Text character limit of "
                                            f"{self.max_characters} exceeded"})
            if len(media_ids) > self.max_media:
                return Reply(422, {"error": "Validation failed: Media attachments exceed limit"})
            for mid in media_ids:
                if mid not in self.media:
                    return Reply(422, {"error": "Validation failed: Media attachments invalid"})
                if not self.media[mid].ready:
                    return Reply(422, {"error": PROCESSING_MSG})
            reply_to = form.get("in_reply_to_id", [None])[0]
            if reply_to and reply_to not in self.statuses:
                return Reply(404, {"error": "Record not found"})
            status = Status(str(next(self._ids)), text, media_ids, reply_to,
                            form.get("visibility", ["public"])[0], spoiler,
                            form.get("language", [None])[0], key, datetime.now(UTC), form)
            self.statuses[status.id] = status
            if key:
                self.idempotency[(self.token, key)] = status.id
        return self._ok(self._status_json(status))

    def _status_get(self, req: Request, m: re.Match[str]) -> Reply:
        s = self.statuses.get(m.group("id"))
        return self._ok(self._status_json(s)) if s else Reply(404, {"error": "Record not found"})

    def _statuses_get(self, req: Request, m: re.Match[str]) -> Reply:
        """Several statuses at once (Mastodon 4.3+): at most 20 ids; unknown ones are left out."""
        if not self.multi:
            return Reply(404, b"<h1>Not Found</h1>", {"Content-Type": "text/html"})
        ids = req.query.get("id[]", [])
        if len(ids) > 20:
            return Reply(422, {"error": "Too many IDs"})
        return self._ok([self._status_json(self.statuses[i]) for i in ids if i in self.statuses])

    def _account_statuses(self, req: Request, m: re.Match[str]) -> Reply:
        if (denied := self._auth(req)) is not None:
            return denied
        if m.group("id") != "1":
            return Reply(404, {"error": "Record not found"})
        limit = min(int(req.query.get("limit", ["20"])[0]), 40)
        shown = [s for s in self.statuses.values()
                 if not self.hide_private or s.visibility in ("public", "unlisted")]
        newest = sorted(shown, key=lambda s: int(s.id), reverse=True)[:limit]
        return self._ok([self._status_json(s) for s in newest])

    def _home(self, req: Request, m: re.Match[str]) -> Reply:
        """The owner's home timeline: their own posts, whatever the visibility."""
        if (denied := self._auth(req)) is not None:
            return denied
        limit = min(int(req.query.get("limit", ["20"])[0]), 40)
        newest = sorted(self.statuses.values(), key=lambda s: int(s.id), reverse=True)[:limit]
        return self._ok([self._status_json(s) for s in newest])


def _multipart(req: Request) -> dict[str, tuple[bytes, str, str]]:
    """Fields of a multipart/form-data body: name → (bytes, content type, filename)."""
    ctype = req.header("content-type") or ""
    msg = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + req.body)
    out: dict[str, tuple[bytes, str, str]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            payload = part.get_payload(decode=True) or b""
            out[str(name)] = (payload, part.get_content_type(), part.get_filename() or "")
    return out
