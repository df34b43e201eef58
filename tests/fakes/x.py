"""A loopback server that answers like X's API for the calls the X adapter makes.

Endpoints (v2 and the v1.1 media fallback), with X's request and response shapes:

    POST /2/tweets                         {"text", "media": {"media_ids"}, "reply": {...}} -> 201
    GET  /2/users/me                       -> {"data": {"id", "name", "username"}}
    GET  /2/users/:id/tweets               -> {"data": [...newest first], "meta": {..., "next_token"}}
                                              (start_time, max_results, pagination_token)
    POST /2/media/upload                   JSON {"media": base64, "media_category", "media_type"}
    POST /2/media/metadata                 {"id", "metadata": {"alt_text": {"text"}}}
    POST /1.1/media/upload.json            multipart field "media"
    POST /1.1/media/metadata/create.json   {"media_id", "alt_text": {"text"}}

It keeps posts and media, rejects duplicate text with X's real 403 body,
requires an OAuth 1.0a Authorization header (and, if set, the expected keys),
rewrites links in stored text to t.co the way X does (so `find` must mask
them), and offers X's faults: `rate_limited`, `server_error`, `unauthorized`,
`payment_required`, `read_only`, plus the harness's drop/delay faults.
"""

from __future__ import annotations

import base64
import binascii
import html
import itertools
import re
import string
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tests.fakes.base import FakeServer, Fault, Reply, Request

DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
READ_ONLY = {
    "title": "Forbidden",
    "detail": "Your client app is not configured with the appropriate oauth1 app permissions "
    "for this endpoint.",
    "type": "https://api.twitter.com/2/problems/oauth1-permissions",
    "status": 403,
}
PAYMENT = {
    "title": "CreditsDepleted",
    "detail": "Your enrolled account [1234] does not have any credits to fulfill this request.",
    "type": "https://api.twitter.com/2/problems/credits",
    "status": 402,
}
FREE_TIER = {
    "client_id": "31337",
    "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens "
    "from a Twitter developer App that is attached to a Project. You can create a project via the "
    "developer portal.",
    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
    "title": "Client Forbidden",
    "required_enrollment": "Appropriate Level of API Access",
    "reason": "client-not-enrolled",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
}
TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
SERVER = {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503}
V1_NOT_FOUND = {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}
V2_NOT_FOUND = {"title": "Not Found Error", "detail": "The requested resource was not found.",
                "type": "https://api.twitter.com/2/problems/resource-not-found", "status": 404}

MAX_IMAGE = 5 * 1024 * 1024
TIMELINE_CAP = 3200  # X serves the 3,200 most recent posts of a user timeline
_URL = re.compile(r"(?i)\bhttps?://\S+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?")


@dataclass
class Tweet:
    id: str
    text: str  # as sent
    shown: str  # as X returns it: links as t.co, media link appended, & < > escaped
    author_id: str
    media_ids: list[str] = field(default_factory=list)
    in_reply_to: str | None = None
    created_at: float = field(default_factory=time.time)
    metrics: dict[str, int] = field(default_factory=dict)  # public_metrics: like_count, ...

    def api(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.shown, "edit_history_tweet_ids": [self.id]}


@dataclass
class Media:
    id: str
    data: bytes
    mime: str
    category: str
    api: str  # "v2" or "v1.1"
    alt: str | None = None


class FakeX(FakeServer):
    """X's API on 127.0.0.1. `posts` and `media` hold what was created."""

    def __init__(self, *, username: str = "nrf_demo", user_id: str = "1402938475610001",
                 keys: dict[str, str] | None = None, v2_media: bool = True) -> None:
        super().__init__()
        self.username = username
        self.user_id = user_id
        self.keys = keys or {}  # {"api_key":..., "access_token":...} to insist on these
        self.v2_media = v2_media
        self.revoked = False
        self.read_only_app = False  # writes answer 403 oauth1-permissions, reads send x-access-level: read
        self.posts: list[Tweet] = []
        self.metrics_tier = True  # False: the app's tier cannot read posts (Free: 403 client-not-enrolled)
        self.down = False  # True: every request is answered 503
        self.media: dict[str, Media] = {}
        self._ids = itertools.count(1866000000000000000, 7919)
        self._media_ids = itertools.count(1866100000000000000, 104729)
        self._state = threading.Lock()
        self._text_faults: list[tuple[str, str]] = []  # (text fragment, "after" | "stall")
        self.landed = threading.Event()  # set when a stalled post has been created
        self.release = threading.Event()  # set it to let a stalled answer go out
        self.route("POST", r"/2/tweets", self._create_tweet)
        self.route("GET", r"/2/users/me", self._me)
        self.route("GET", r"/2/tweets", self._lookup)
        self.route("GET", r"/2/users/(?P<id>\d+)/tweets", self._timeline)
        self.route("POST", r"/2/media/upload", self._upload_v2)
        self.route("POST", r"/2/media/metadata", self._metadata_v2)
        self.route("POST", r"/1.1/media/upload\.json", self._upload_v1)
        self.route("POST", r"/1.1/media/metadata/create\.json", self._metadata_v1)

    def start(self) -> FakeX:
        super().start()
        httpd = self._httpd
        assert httpd is not None
        default = httpd.handle_error

        def quiet(request: Any, client_address: Any) -> None:  # a killed client is a test's point
            import sys

            if not isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
                default(request, client_address)

        httpd.handle_error = quiet  # type: ignore[method-assign]
        return self

    # -- faults ---------------------------------------------------------------------------
    def rate_limited(self, match: str = r"POST /2/tweets", *, reset_in: float = 900,
                     user_24h_reset_in: float | None = None, app_24h_reset_in: float | None = None,
                     remaining_15m: int = 0, user_24h_remaining: int = 0, app_24h_remaining: int = 0,
                     times: int = 1) -> dict[str, str]:
        """The next matching calls answer 429 with X's rate headers; returns the headers."""
        now = int(time.time())
        headers = {
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": str(remaining_15m),
            "x-rate-limit-reset": str(now + int(reset_in)),
        }
        if user_24h_reset_in is not None:
            headers.update({
                "x-user-limit-24hour-limit": "17",
                "x-user-limit-24hour-remaining": str(user_24h_remaining),
                "x-user-limit-24hour-reset": str(now + int(user_24h_reset_in)),
            })
        if app_24h_reset_in is not None:
            headers.update({
                "x-app-limit-24hour-limit": "10000",
                "x-app-limit-24hour-remaining": str(app_24h_remaining),
                "x-app-limit-24hour-reset": str(now + int(app_24h_reset_in)),
            })
        self.fail_next(match, 429, TOO_MANY, headers, times=times)
        return headers

    def server_error(self, match: str = r"POST /2/tweets", status: int = 503, times: int = 1) -> None:
        body = dict(SERVER, status=status, title="Internal Server Error" if status == 500 else SERVER["title"],
                    detail="Internal Server Error" if status == 500 else SERVER["detail"])
        self.fail_next(match, status, body, times=times)

    def unauthorized(self, match: str = r".", times: int = 1) -> None:
        self.fail_next(match, 401, UNAUTHORIZED, times=times)

    def payment_required(self, match: str = r"POST /2/tweets", times: int = 1) -> None:
        self.fail_next(match, 402, PAYMENT, times=times)

    def read_only(self, match: str = r"POST /2/tweets", times: int = 1) -> None:
        self.fail_next(match, 403, READ_ONLY, times=times)

    def drop_after_posting(self, fragment: str) -> None:
        """Create the next post whose text contains `fragment`, then drop the connection unanswered."""
        with self._state:
            self._text_faults.append((fragment, "after"))

    def stall_after_posting(self, fragment: str) -> None:
        """Create the next post containing `fragment`, set `landed`, and hold the answer until `release`.

        A test can kill the client in that window: the post exists, the client never learns its id.
        """
        with self._state:
            self._text_faults.append((fragment, "stall"))

    def _text_fault(self, text: str, kind: str) -> bool:
        with self._state:
            for i, (fragment, k) in enumerate(self._text_faults):
                if k == kind and fragment in text:
                    del self._text_faults[i]
                    return True
        return False

    def _take_fault(self, key: str) -> Fault | None:
        # The harness records each request just before it asks for a fault, so the last one is
        # this request: match drop-after faults on the post's text, not just its path.
        if key == "POST /2/tweets" and self._text_faults:
            req = self.received("POST", "/2/tweets")[-1]
            try:
                text = str((req.json() or {}).get("text") or "")
            except ValueError:
                text = ""
            if self._text_fault(text, "after"):
                return Fault(key, "after")
        return super()._take_fault(key)

    def _handle(self, req: Request) -> Reply:
        if self.down:
            return Reply(503, SERVER)
        return super()._handle(req)

    def engage(self, tweet_id: str, *, likes: int = 0, retweets: int = 0, replies: int = 0, quotes: int = 0) -> None:
        """Set a post's public_metrics, as other people's likes, reposts, replies and quotes would."""
        self.post(tweet_id).metrics.update(like_count=likes, retweet_count=retweets, reply_count=replies,
                                           quote_count=quotes)

    def delete(self, tweet_id: str) -> None:
        with self._state:
            self.posts = [t for t in self.posts if t.id != tweet_id]

    # -- inspection -----------------------------------------------------------------------
    def texts(self) -> list[str]:
        with self._state:
            return [t.text for t in self.posts]

    def by_text(self, text: str) -> list[Tweet]:
        with self._state:
            return [t for t in self.posts if t.text == text]

    def post(self, tweet_id: str) -> Tweet:
        with self._state:
            return next(t for t in self.posts if t.id == tweet_id)

    # -- auth -----------------------------------------------------------------------------
    def _auth_problem(self, req: Request, write: bool) -> Reply | None:
        header = req.header("authorization") or ""
        params = dict(re.findall(r'(oauth_[a-z_]+)="([^"]*)"', header))
        needed = ("oauth_consumer_key", "oauth_token", "oauth_signature", "oauth_nonce",
                  "oauth_timestamp", "oauth_signature_method")
        if not header.startswith("OAuth ") or any(n not in params for n in needed):
            return Reply(401, UNAUTHORIZED)
        from urllib.parse import unquote

        if self.revoked:
            return Reply(401, UNAUTHORIZED)
        if self.keys.get("api_key") and unquote(params["oauth_consumer_key"]) != self.keys["api_key"]:
            return Reply(401, UNAUTHORIZED)
        if self.keys.get("access_token") and unquote(params["oauth_token"]) != self.keys["access_token"]:
            return Reply(401, UNAUTHORIZED)
        if write and self.read_only_app:
            return Reply(403, READ_ONLY)
        return None

    def _rate_headers(self) -> dict[str, str]:
        reset = str(int(time.time()) + 900)
        return {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "99", "x-rate-limit-reset": reset,
                "x-access-level": "read" if self.read_only_app else "read-write"}

    # -- handlers -------------------------------------------------------------------------
    def _create_tweet(self, req: Request, m: re.Match[str]) -> Reply:
        problem = self._auth_problem(req, write=True)
        if problem:
            return problem
        body = req.json() or {}
        text = body.get("text")
        media_ids = list((body.get("media") or {}).get("media_ids") or [])
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if not text and not media_ids:
            return _invalid("text", "Post text or media is required.")
        if not all(isinstance(i, str) for i in media_ids):
            return _invalid("media.media_ids", "media_ids must be strings")
        if len(media_ids) > 4:
            return _invalid("media.media_ids", "Your media IDs are invalid.")
        with self._state:
            for mid in media_ids:
                if mid not in self.media:
                    return _invalid("media.media_ids", f"Your media IDs are invalid. [{mid}]")
            if reply_to is not None and not any(t.id == reply_to for t in self.posts):
                return _invalid("reply.in_reply_to_tweet_id",
                                "The post you are replying to does not exist or is not visible to you.")
            if text and any(t.text == text for t in self.posts):
                return Reply(403, DUPLICATE)
            tid = str(next(self._ids))
            tweet = Tweet(tid, text or "", _shown(text or "", bool(media_ids)), self.user_id,
                          media_ids, reply_to)
            self.posts.append(tweet)
        if self._text_fault(tweet.text, "stall"):
            self.landed.set()
            self.release.wait(30)
        headers = self._rate_headers()
        headers.update({"x-user-limit-24hour-limit": "17", "x-user-limit-24hour-remaining": "16",
                        "x-user-limit-24hour-reset": str(int(time.time()) + 86400)})
        return Reply(201, {"data": {"id": tid, "text": tweet.shown, "edit_history_tweet_ids": [tid]}},
                     headers)

    def _me(self, req: Request, m: re.Match[str]) -> Reply:
        problem = self._auth_problem(req, write=False)
        if problem:
            return problem
        return Reply(200, {"data": {"id": self.user_id, "name": "NRF demo", "username": self.username}},
                     self._rate_headers())

    def _timeline(self, req: Request, m: re.Match[str]) -> Reply:
        problem = self._auth_problem(req, write=False)
        if problem:
            return problem
        n = int((req.query.get("max_results") or ["10"])[0])
        if not 5 <= n <= 100:
            return _invalid("max_results", f"The `max_results` query parameter value [{n}] is not between 5 and 100")
        start = _iso_time((req.query.get("start_time") or [""])[0])
        token = (req.query.get("pagination_token") or [""])[0]
        if token and not token.startswith("page-"):
            return _invalid("pagination_token", f"The `pagination_token` query parameter value [{token}] is invalid")
        offset = int(token[5:]) if token else 0
        with self._state:
            mine = [t for t in self.posts if t.author_id == m.group("id")
                    and (start is None or t.created_at >= start)]
        newest_first = list(reversed(mine))[:TIMELINE_CAP]
        page = newest_first[offset:offset + n]
        if not page:
            return Reply(200, {"meta": {"result_count": 0}}, self._rate_headers())
        meta: dict[str, Any] = {"result_count": len(page), "newest_id": page[0].id, "oldest_id": page[-1].id}
        if offset + n < len(newest_first):
            meta["next_token"] = f"page-{offset + n}"
        return Reply(200, {"data": [t.api() for t in page], "meta": meta}, self._rate_headers())

    def _lookup(self, req: Request, m: re.Match[str]) -> Reply:
        """GET /2/tweets?ids=...&tweet.fields=public_metrics: at most 100 ids; a missing post is in
        `errors` (resource-not-found), as X reports a deleted one."""
        problem = self._auth_problem(req, write=False)
        if problem:
            return problem
        if not self.metrics_tier:
            return Reply(403, FREE_TIER)
        ids = [i for i in ",".join(req.query.get("ids") or []).split(",") if i]
        if not 1 <= len(ids) <= 100:
            return _invalid("ids", f"The number of values in the `ids` query parameter list [{len(ids)}] "
                                   "is not between 1 and 100")
        fields = ",".join(req.query.get("tweet.fields") or []).split(",")
        with self._state:
            by_id = {t.id: t for t in self.posts}
        data, errors = [], []
        for i in ids:
            t = by_id.get(i)
            if t is None:
                errors.append({"value": i, "detail": f"Could not find tweet with ids: [{i}].", "title": "Not Found Error",
                               "resource_type": "tweet", "parameter": "ids", "resource_id": i,
                               "type": "https://api.twitter.com/2/problems/resource-not-found"})
                continue
            item = t.api()
            if "public_metrics" in fields:
                item["public_metrics"] = {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0,
                                          "bookmark_count": 0, "impression_count": 0, **t.metrics}
            data.append(item)
        body: dict[str, Any] = {"data": data} if data else {}
        if errors:
            body["errors"] = errors
        return Reply(200, body, self._rate_headers())

    def add_posts(self, texts: list[str], *, at: float | None = None) -> None:
        """Posts made by someone else on the account (the web app), created at `at` (now)."""
        with self._state:
            for text in texts:
                tid = str(next(self._ids))
                self.posts.append(Tweet(tid, text, _shown(text, False), self.user_id,
                                        created_at=time.time() if at is None else at))

    def _new_media(self, data: bytes, mime: str, category: str, api: str) -> Media:
        with self._state:
            media = Media(str(next(self._media_ids)), data, mime, category, api)
            self.media[media.id] = media
        return media

    def _upload_v2(self, req: Request, m: re.Match[str]) -> Reply:
        if not self.v2_media:
            return Reply(404, V2_NOT_FOUND)
        problem = self._auth_problem(req, write=True)
        if problem:
            return problem
        if "application/json" not in (req.header("content-type") or ""):
            return _invalid("body", "Requests with bodies must have content-type of application/json.")
        body = req.json() or {}
        try:
            data = base64.b64decode(body.get("media") or "", validate=True)
        except (binascii.Error, ValueError):
            return _invalid("media", "media must be base64")
        if not data:
            return _invalid("media", "media is required")
        if len(data) > MAX_IMAGE:
            return _invalid("media", f"File size exceeds {MAX_IMAGE} bytes.")
        media = self._new_media(data, body.get("media_type") or "", body.get("media_category") or "", "v2")
        return Reply(200, {"data": {
            "id": media.id, "media_key": f"3_{media.id}", "size": len(data), "expires_after_secs": 86400,
            "image": {"image_type": media.mime, "w": 1200, "h": 675},
        }})

    def _metadata_v2(self, req: Request, m: re.Match[str]) -> Reply:
        if not self.v2_media:
            return Reply(404, V2_NOT_FOUND)
        problem = self._auth_problem(req, write=True)
        if problem:
            return problem
        body = req.json() or {}
        alt = (((body.get("metadata") or {}).get("alt_text")) or {}).get("text")
        return self._set_alt(str(body.get("id")), alt, v2=True)

    def _set_alt(self, media_id: str, alt: Any, *, v2: bool) -> Reply:
        if not isinstance(alt, str) or len(alt) > 1000:
            return _invalid("alt_text.text", "alt text must be a string of at most 1000 characters")
        with self._state:
            media = self.media.get(media_id)
            if media is None:
                return Reply(400, {"errors": [{"code": 324, "message": "The validation of media ids failed."}]})
            media.alt = alt
        if v2:
            return Reply(200, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}})
        return Reply(200, b"")

    def _upload_v1(self, req: Request, m: re.Match[str]) -> Reply:
        problem = self._auth_problem(req, write=True)
        if problem:
            return problem
        ctype = req.header("content-type") or ""
        if not ctype.startswith("multipart/form-data"):
            return Reply(400, {"errors": [{"code": 38, "message": "media parameter is missing."}]})
        msg = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + req.body)
        data, category = b"", ""
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if name == "media":
                data = payload
            elif name == "media_category":
                category = payload.decode()
        if not data:
            return Reply(400, {"errors": [{"code": 38, "message": "media parameter is missing."}]})
        if len(data) > MAX_IMAGE:
            return Reply(400, {"errors": [{"code": 324, "message": "File size exceeds 5242880 bytes."}]})
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        media = self._new_media(data, mime, category, "v1.1")
        return Reply(200, {
            "media_id": int(media.id), "media_id_string": media.id, "size": len(data),
            "expires_after_secs": 86400, "image": {"image_type": mime, "w": 1200, "h": 675},
        })

    def _metadata_v1(self, req: Request, m: re.Match[str]) -> Reply:
        problem = self._auth_problem(req, write=True)
        if problem:
            return problem
        body = req.json() or {}
        return self._set_alt(str(body.get("media_id")), (body.get("alt_text") or {}).get("text"), v2=False)


def _iso_time(text: str) -> float | None:
    """X's `start_time` (`2026-03-02T08:00:00Z`) as a Unix time; None when not given."""
    if not text:
        return None
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _invalid(param: str, message: str) -> Reply:
    return Reply(400, {
        "errors": [{"parameters": {param: []}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    })


def _tco() -> str:
    import random

    return "https://t.co/" + "".join(random.choices(string.ascii_letters + string.digits, k=10))


def _shown(text: str, has_media: bool) -> str:
    """The text as X returns it: links shortened to t.co, a media link appended, HTML-escaped."""
    shown = _URL.sub(lambda m: _tco(), text)
    if has_media:
        shown += " " + _tco()
    return html.escape(shown, quote=False)
