"""The X (Twitter) adapter: text posts, up to 4 images with alt text, threads as reply chains.

Posts go through tweepy's v2 `Client.create_tweet` (OAuth 1.0a user context).
Images go to X's v2 media endpoints (`POST /2/media/upload` with a base64 JSON
body, alt text through `POST /2/media/metadata`), signed with tweepy's
`OAuth1UserHandler`; when those answer 404/405/410/501 or "unsupported", the
adapter falls back to tweepy's v1.1 `API.media_upload` + `create_media_metadata`.

X has no idempotency key: after an ambiguous failure the worker calls `find`,
which pages through the account's posts since the first attempt (`start_time`,
`pagination_token`: every post of that window, not a fixed latest page) for the
draft's text (links compared with their t.co replacements masked). See
docs/exactly-once.md for what this leaves possible.

Account settings (the `settings:` block of the account in the campaign YAML):

    api_base: http://127.0.0.1:8080   # send every call there instead of api.x.com,
                                       # api.twitter.com and upload.twitter.com (tests, proxies)
    max_chars: 25000                   # a Premium account's longer posts
    media_v1: true                     # skip the v2 media endpoints, use v1.1 upload directly

The same override can come from the environment: `CAMPAIGN_<ACCOUNT>_API_BASE`
(or `<PREFIX>_API_BASE` when the account sets `credentials: PREFIX`).
Credentials: `CAMPAIGN_<ACCOUNT>_API_KEY`, `_API_SECRET`, `_ACCESS_TOKEN`,
`_ACCESS_TOKEN_SECRET`, or the secrets file `campaign accounts login` writes.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from campaign import platforms, redact, tid
from campaign.errors import (
    AdapterError,
    AuthError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from campaign.models import AccountInfo, Draft, MediaRef, RemoteRef
from campaign.platforms import Rules
from campaign.publish.adapters.base import FIND_SKEW, AdapterContext
from campaign.publish.adapters.metrics import XMetrics

log = logging.getLogger(__name__)

HOSTS = ("https://api.x.com", "https://api.twitter.com", "https://upload.twitter.com")
V2_MEDIA_UPLOAD = "https://api.x.com/2/media/upload"
V2_MEDIA_METADATA = "https://api.x.com/2/media/metadata"
MAX_FIND_PAGES = 33  # X serves the 3,200 most recent posts of a timeline, 100 a page
DEFAULT_RATE_WAIT = 15 * 60  # a 429 without usable reset headers: the 15-minute window
READ_WRITE_FIX = (
    "the X app is read-only for this token: in the developer portal set the app's "
    "User authentication settings to Read and write, then regenerate the access token and "
    "secret (tokens made before the switch stay read-only) and store the new ones"
)
# Third-party loggers that can print OAuth parameters at DEBUG level.
_NOISY_LOGGERS = (
    "tweepy.client",
    "tweepy.api",
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
    "urllib3.connectionpool",
    __name__,
)


def _install_log_redaction() -> None:
    for name in _NOISY_LOGGERS:
        lg = logging.getLogger(name)
        if not any(isinstance(f, redact.RedactingFilter) for f in lg.filters):
            lg.addFilter(redact.RedactingFilter())


class XSession(requests.Session):
    """A requests session that always sets a timeout and can send X's hosts to another base URL."""

    def __init__(self, timeout: float, base: str | None = None) -> None:
        super().__init__()
        self.timeout = timeout
        self.base = base.rstrip("/") if base else None
        self.last_headers: Any = {}

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override, unused-ignore]
        if isinstance(url, bytes):
            url = url.decode()
        if self.base:
            for host in HOSTS:
                if url.startswith(host + "/") or url == host:
                    url = self.base + url[len(host):]
                    break
        given = kwargs.get("timeout")
        kwargs["timeout"] = self.timeout if given is None else min(float(given), self.timeout)
        response = super().request(method if isinstance(method, str) else method.decode(), url, *args, **kwargs)
        self.last_headers = response.headers
        return response


def x_rules(**overrides: Any) -> Rules:
    """X's text rules from the registry; e.g. `max_chars=25_000` for Premium."""
    return platforms.get("x", **overrides)


# --- text matching for find() ----------------------------------------------------------------

_URLISH = re.compile(
    r"(?i)\bhttps?://\S+"  # any scheme URL (X returns https://t.co/...)
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?(?:/\S*)?"  # bare domains, X links them too
)


def normalize_text(text: str) -> str:
    """A post's text as compared by `find`: NFC, HTML entities decoded, links masked, spaces collapsed."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = _URLISH.sub(" ", text)
    return " ".join(text.split()).casefold()


# --- the adapter ------------------------------------------------------------------------------


class XAdapter(XMetrics):
    """Posts to one X account with its OAuth 1.0a user keys."""

    name = "x"
    credential_fields = ("api_key", "api_secret", "access_token", "access_token_secret")

    def __init__(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        self._rules: Rules | None = None
        self._creds: Any = None
        self._client: Any = None
        self._api: Any = None
        self._session: XSession | None = None
        self._me: tuple[str, str, str | None] | None = None  # id, username, name
        self._media_v1 = bool(self._setting("media_v1"))
        _install_log_redaction()

    # -- configuration ------------------------------------------------------------------------
    @property
    def rules(self) -> Rules:
        if self._rules is None:
            premium = self._setting("max_chars")  # `settings: {max_chars: 25000}` for Premium accounts
            self._rules = x_rules(max_chars=int(premium)) if premium else x_rules()
        return self._rules

    def _setting(self, key: str) -> Any:
        s = self.ctx.settings or {}
        if s.get(key) is not None:
            return s[key]
        nested = s.get("settings")
        if isinstance(nested, dict):
            return nested.get(key)
        return None

    @property
    def api_base(self) -> str | None:
        """The base URL override: account setting `api_base`, else `CAMPAIGN_<ACCOUNT>_API_BASE`."""
        from campaign.publish.credentials import env_name

        value = self._setting("api_base")
        if not value:
            value = os.environ.get(env_name(self.ctx.account, "api_base", self._setting("credentials")))
        return str(value).rstrip("/") if value else None

    def _err(self, cls: type[AdapterError], message: str, **kw: Any) -> AdapterError:
        return cls(redact.redact(message), platform=self.name, account=self.ctx.account, **kw)

    def _credentials(self) -> Any:
        if self._creds is None:
            creds = self.ctx.credentials(self.credential_fields, prefix=self._setting("credentials"))
            for v in creds.values.values():  # also mask the forms OAuth puts on the wire
                redact.register(quote(v, safe=""))
                redact.register(quote(v, safe="~"))
            self._creds = creds
        return self._creds

    @property
    def rate_scope(self) -> str:
        """What X's per-app limits are shared by: every account posting with this API key (a
        digest of the key, never the key)."""
        import hashlib

        return "x-app:" + hashlib.sha256(self._credentials()["api_key"].encode()).hexdigest()[:12]

    def _handler(self) -> Any:
        import tweepy

        c = self._credentials()
        return tweepy.OAuth1UserHandler(
            c["api_key"], c["api_secret"], c["access_token"], c["access_token_secret"]
        )

    def _sdk(self) -> tuple[Any, Any, XSession]:
        """tweepy's v2 Client and v1.1 API, both on our timeout-setting, host-rewriting session."""
        if self._client is None:
            import tweepy

            c = self._credentials()
            session = XSession(self.ctx.timeout, self.api_base)
            client = tweepy.Client(
                consumer_key=c["api_key"],
                consumer_secret=c["api_secret"],
                access_token=c["access_token"],
                access_token_secret=c["access_token_secret"],
                wait_on_rate_limit=False,
            )
            client.session = session
            api = tweepy.API(self._handler(), timeout=self.ctx.timeout, wait_on_rate_limit=False)
            api.session = session
            self._client, self._api, self._session = client, api, session
        assert self._session is not None
        return self._client, self._api, self._session

    # -- error mapping ------------------------------------------------------------------------
    @contextmanager
    def _calling(self, what: str, *, stage: str) -> Iterator[None]:
        """Turn tweepy/requests failures into our error tree.

        `stage` is "post" when the call creates the post (so a lost answer is
        ambiguous), "media" for uploads, "read" for lookups.
        """
        import tweepy

        try:
            yield
        except AdapterError:
            raise
        except tweepy.errors.HTTPException as e:
            raise self._from_http(e, what, stage) from None
        except tweepy.errors.TweepyException as e:  # v1.1 API wraps transport errors
            cause = e.__cause__ or e.__context__
            if isinstance(cause, requests.RequestException):
                raise self._from_transport(cause, what, stage) from None
            raise self._err(TransientError, f"{what} failed: {e}", ambiguous=stage == "post") from None
        except requests.RequestException as e:
            raise self._from_transport(e, what, stage) from None

    def _from_transport(self, e: requests.RequestException, what: str, stage: str) -> AdapterError:
        before = _before_sending(e)
        if isinstance(e, requests.Timeout):
            kind = "timed out connecting" if before else f"timed out after {self.ctx.timeout:g}s waiting for X"
        else:
            kind = "could not connect" if before else "connection lost before X answered"
        ambiguous = stage == "post" and not before
        note = " (the post may have landed; check before re-posting)" if ambiguous else ""
        return self._err(TransientError, f"{what}: {kind}{note}: {_transport_detail(e)}", ambiguous=ambiguous)

    def _from_http(self, e: Any, what: str, stage: str) -> AdapterError:
        resp = e.response
        status = int(getattr(resp, "status_code", 0) or 0)
        said = _platform_message(e)
        lowered = said.lower()
        if status == 401:
            return self._err(
                AuthError,
                f"{what}: X rejected the credentials ({said}); the access token may be revoked or a "
                f"key is wrong: check the {', '.join(self.credential_fields)} values or run "
                f"`campaign accounts login CONFIG {self.ctx.account}`",
            )
        if status == 402:
            return self._err(
                AuthError,
                f"{what}: X requires payment ({said}): the app's API credits are exhausted or its "
                "plan does not include this endpoint; add credits in the developer portal, then requeue",
            )
        if status == 403:
            if "duplicate" in lowered:
                return self._err(
                    RejectedError,
                    f"{what}: X refused duplicate content, possibly already posted ({said})",
                    possibly_posted=True,
                )
            if "oauth1 app permissions" in lowered or "oauth1-permissions" in lowered or "read-only" in lowered:
                return self._err(AuthError, f"{what}: {READ_WRITE_FIX} ({said})")
            if "client-not-enrolled" in lowered or "attached to a project" in lowered:
                return self._err(
                    AuthError,
                    f"{what}: the X app is not attached to a project with API access ({said}); "
                    "attach it in the developer portal",
                )
            if stage == "read":
                return self._err(AuthError, f"{what}: X refused access ({said})")
            return self._err(RejectedError, f"{what}: X refused ({said})")
        if status == 429:
            wait = retry_after_from(resp.headers, time.time())
            app_wide = _int_header(resp.headers, "x-app-limit-24hour-remaining") == 0
            return self._err(
                RateLimitedError, f"{what}: X rate limit hit{' (the API key’s 24-hour cap)' if app_wide else ''}, "
                f"retry in {wait:.0f}s ({said})", retry_after=wait, scope=self.rate_scope if app_wide else "",
            )
        if status >= 500:
            ambiguous = stage == "post"
            note = " (the post may have landed; check before re-posting)" if ambiguous else ""
            return self._err(TransientError, f"{what}: X server error{note} ({said})", ambiguous=ambiguous)
        if status == 404 and stage == "post":
            return self._err(RejectedError, f"{what}: not found, e.g. the post replied to is gone ({said})")
        return self._err(RejectedError, f"{what}: X refused ({said})")

    # -- the contract -------------------------------------------------------------------------
    def close(self) -> None:
        """Close the HTTP session; the next call opens a new one."""
        if self._session is not None:
            self._session.close()
        self._client = self._api = self._session = None

    def check(self) -> AccountInfo:
        """Who the keys post as (GET /2/users/me); AuthError if the token is read-only."""
        self._me = None
        user_id, username, display = self._get_me()
        _, _, session = self._sdk()
        # X tells OAuth 1.0a callers the token's access level; "read" cannot post.
        level = str(session.last_headers.get("x-access-level") or "").lower()
        if level == "read":
            raise self._err(AuthError, f"@{username}: {READ_WRITE_FIX} (x-access-level: read)")
        return AccountInfo(
            account=self.ctx.account,
            platform=self.name,
            handle="@" + username,
            display_name=display,
            url=f"https://x.com/{username}",
        )

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        """Upload the images (with alt text), then create the post, replying to `reply_to` if given."""
        client, _, _ = self._sdk()
        media = tuple(draft.media)
        if len(media) > self.rules.max_images:
            raise self._err(
                RejectedError, f"{len(media)} images, X allows at most {self.rules.max_images} per post"
            )
        media_ids = [self._upload(m) for m in media]
        kwargs: dict[str, Any] = {"text": draft.text, "user_auth": True}
        if media_ids:
            kwargs["media_ids"] = media_ids
        if reply_to is not None:
            kwargs["in_reply_to_tweet_id"] = reply_to.id
        with self._calling("creating the post", stage="post"):
            response = client.create_tweet(**kwargs)
        data = response.data or {}
        tweet_id = str(data.get("id") or "")
        if not tweet_id:
            raise self._err(
                TransientError, "X answered without a post id (the post may have landed)", ambiguous=True
            )
        log.info("x: %s posted %s", self.ctx.account, tweet_id)
        return RemoteRef(id=tweet_id, url=self._status_url(tweet_id))

    def find(self, draft: Draft, *, key: str, since: datetime | None = None) -> RemoteRef | None:
        """This draft's post among the account's posts since `since` (the first attempt; the
        post cannot be older), else since the job's key was minted (its TID holds the time
        it was queued), less `FIND_SKEW`: every page of that window, newest first."""
        client, _, _ = self._sdk()
        user_id, username, _ = self._get_me()
        start = since if since is not None else tid.minted_at(key)
        params: dict[str, Any] = {"max_results": 100, "exclude": ["retweets"], "user_auth": True}
        if start is not None:
            start = (start if since is not None else start - FIND_SKEW).astimezone(UTC)
            params["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        wanted = normalize_text(draft.text)
        token: str | None = None
        for _ in range(MAX_FIND_PAGES):
            with self._calling("reading the posts since the first attempt", stage="read"):
                response = client.get_users_tweets(
                    user_id, **params, **({"pagination_token": token} if token else {}))
            for tweet in response.data or []:
                text = tweet.get("text", "") if isinstance(tweet, dict) else getattr(tweet, "text", "")
                post_id = tweet.get("id") if isinstance(tweet, dict) else getattr(tweet, "id", None)
                if post_id is not None and normalize_text(text or "") == wanted:
                    return RemoteRef(id=str(post_id), url=f"https://x.com/{username}/status/{post_id}")
            meta = getattr(response, "meta", None) or {}
            token = meta.get("next_token") if isinstance(meta, dict) else None
            if not token:
                break
        return None

    # -- helpers ------------------------------------------------------------------------------
    def _get_me(self) -> tuple[str, str, str | None]:
        if self._me is None:
            client, _, _ = self._sdk()
            with self._calling("checking the account", stage="read"):
                response = client.get_me(user_auth=True)
            user = response.data
            if user is None:
                raise self._err(AuthError, "X returned no user for these credentials")
            get: Callable[[str], Any] = (
                user.get if isinstance(user, dict) else (lambda k: getattr(user, k, None))
            )
            self._me = (str(get("id")), str(get("username")), get("name"))
        return self._me

    def _status_url(self, tweet_id: str) -> str:
        if self._me is not None:
            return f"https://x.com/{self._me[1]}/status/{tweet_id}"
        handle = str(self._setting("handle") or "").lstrip("@")
        if re.fullmatch(r"[A-Za-z0-9_]{1,15}", handle):
            return f"https://x.com/{handle}/status/{tweet_id}"
        return f"https://x.com/i/status/{tweet_id}"

    def _image_bytes(self, m: MediaRef) -> tuple[bytes, str]:
        path = Path(m.path).expanduser()
        if not path.is_absolute():
            path = self.ctx.base_dir / path
        try:
            data = path.read_bytes()
        except OSError as e:
            raise self._err(RejectedError, f"cannot read image {path}: {e.strerror or e}") from None
        budget = self.rules.max_image_bytes
        if len(data) <= budget:
            return data, m.mime or "image/png"
        return _shrink(data, budget, path, self), "image/jpeg"

    def _upload(self, m: MediaRef) -> str:
        """Upload one image and set its alt text; the media id."""
        data, mime = self._image_bytes(m)
        alt = (m.alt or "").strip()
        if len(alt) > self.rules.alt_max:
            alt = alt[: self.rules.alt_max - 1].rstrip() + "…"
        if not self._media_v1:
            media_id = self._upload_v2(data, mime)
            if media_id is not None:
                if alt:
                    self._alt_v2(media_id, alt)
                return media_id
            self._media_v1 = True
            log.info("x: v2 media upload unavailable, using v1.1")
        return self._upload_v1(data, mime, alt)

    def _post_json(self, url: str, body: dict[str, Any], what: str) -> requests.Response | None:
        """A signed JSON POST to a v2 media endpoint; None when the endpoint is unsupported."""
        _, _, session = self._sdk()
        with self._calling(what, stage="media"):
            resp = session.post(url, json=body, auth=self._handler().apply_auth())
            if _v2_unsupported(resp):
                return None
            _raise_for_status(resp)
        return resp

    def _upload_v2(self, data: bytes, mime: str) -> str | None:
        body = {
            "media": base64.b64encode(data).decode("ascii"),
            "media_category": "tweet_gif" if mime == "image/gif" else "tweet_image",
            "media_type": mime,
        }
        resp = self._post_json(V2_MEDIA_UPLOAD, body, "uploading an image")
        if resp is None:
            return None
        try:
            media_id = str(resp.json()["data"]["id"])
        except (ValueError, KeyError, TypeError):
            raise self._err(TransientError, f"X answered the image upload without a media id: {resp.text[:200]}") from None
        return media_id

    def _alt_v2(self, media_id: str, alt: str) -> None:
        body = {"id": media_id, "metadata": {"alt_text": {"text": alt}}}
        if self._post_json(V2_MEDIA_METADATA, body, "setting alt text") is None:
            _, api, _ = self._sdk()
            with self._calling("setting alt text", stage="media"):
                api.create_media_metadata(media_id, alt)

    def _upload_v1(self, data: bytes, mime: str, alt: str) -> str:
        _, api, _ = self._sdk()
        ext = {"image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}.get(mime, "png")
        with self._calling("uploading an image (v1.1)", stage="media"):
            media = api.media_upload(
                filename=f"card.{ext}", file=io.BytesIO(data), media_category="tweet_image"
            )
            media_id = str(media.media_id_string)
            if alt:
                api.create_media_metadata(media_id, alt)
        return media_id


# --- module helpers ---------------------------------------------------------------------------


def retry_after_from(headers: Any, now: float) -> float:
    """Seconds to wait after a 429.

    X sends the 15-minute window (`x-rate-limit-*`) and, on posting, the 24-hour
    caps (`x-user-limit-24hour-*`, `x-app-limit-24hour-*`). The later reset of the
    windows that are used up (remaining 0, or remaining not sent) wins; if none
    says it is used up, the latest reset of all. No usable header: 15 minutes.
    """
    windows = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")
    exhausted: list[float] = []
    every: list[float] = []
    for w in windows:
        reset = _int_header(headers, f"{w}-reset")
        if reset is None:
            continue
        every.append(reset)
        remaining = _int_header(headers, f"{w}-remaining")
        if remaining is None or remaining <= 0:
            exhausted.append(reset)
    chosen = max(exhausted or every, default=None)
    if chosen is None:
        retry = _int_header(headers, "retry-after")
        return max(1.0, float(retry)) if retry is not None else float(DEFAULT_RATE_WAIT)  # never negative
    return max(1.0, chosen - now)


def _int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name) if headers is not None else None
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def _platform_message(e: Any) -> str:
    """'403 Forbidden: <X's own words>' from a tweepy HTTPException."""
    resp = e.response
    head = f"{getattr(resp, 'status_code', '?')} {getattr(resp, 'reason', '') or ''}".strip()
    messages = [str(m) for m in (getattr(e, "api_messages", None) or []) if m]
    if not messages:
        body = ""
        try:
            body = (resp.text or "").strip()
        except Exception:  # noqa: BLE001 - a body we cannot read says nothing more
            body = ""
        if body and not body.startswith("<"):
            messages = [body[:300]]
    extra = ""
    try:
        problem = resp.json()
        if isinstance(problem, dict) and problem.get("type") and problem["type"] != "about:blank":
            extra = f" [{problem['type']}]"
    except Exception:  # noqa: BLE001 - not JSON
        pass
    return head + (": " + "; ".join(messages) if messages else "") + extra


def _v2_unsupported(resp: requests.Response) -> bool:
    if resp.status_code in (404, 405, 410, 501):
        return True
    if resp.status_code in (400, 403):
        text = (resp.text or "").lower()
        return "unsupported" in text or "not supported" in text
    return False


def _raise_for_status(resp: requests.Response) -> None:
    """Raise tweepy's exception for a raw response, as tweepy's own calls do."""
    from tweepy import errors

    code = resp.status_code
    if 200 <= code < 300:
        return
    cls = {400: errors.BadRequest, 401: errors.Unauthorized, 403: errors.Forbidden,
           404: errors.NotFound, 429: errors.TooManyRequests}.get(code)
    if cls is None:
        cls = errors.TwitterServerError if code >= 500 else errors.HTTPException
    try:
        raise cls(resp)
    except (AttributeError, TypeError):  # a JSON body that is not an object
        raise errors.HTTPException(resp, response_json={}) from None


def _before_sending(e: requests.RequestException) -> bool:
    """True when the request certainly never reached X (connect refused, DNS, TLS, connect timeout)."""
    if isinstance(e, requests.ConnectTimeout | requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return True
    if isinstance(e, requests.ConnectionError):
        from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

        reason: Any = e.args[0] if e.args else None
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        return isinstance(reason, NewConnectionError | NameResolutionError | ConnectionRefusedError)
    return False


def _transport_detail(e: requests.RequestException) -> str:
    """The innermost reason of a transport error, without urllib3's pool wrapping."""
    reason: Any = e.args[0] if e.args else e
    reason = getattr(reason, "reason", reason)  # MaxRetryError -> its cause
    text = str(reason)
    if isinstance(e, requests.Timeout):
        text = ""
    for marker in ("Failed to establish a new connection: ", "): "):
        if marker in text:
            text = text.split(marker, 1)[1]
            break
    url = getattr(e.request, "url", None) if e.request is not None else None
    return " ".join(p for p in (text.strip(), f"({url.split('?')[0]})" if url else "") if p)


def _shrink(data: bytes, budget: int, path: Path, adapter: XAdapter) -> bytes:
    """Re-encode an image as JPEG, scaling down until it fits `budget` bytes."""
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError) as e:
        raise adapter._err(RejectedError, f"{path}: not an image X accepts: {e}") from None
    rgb = img.convert("RGB")
    scale = 1.0
    for _ in range(12):
        size = (max(1, int(rgb.width * scale)), max(1, int(rgb.height * scale)))
        frame = rgb if scale == 1.0 else rgb.resize(size, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        frame.save(out, "JPEG", quality=85, optimize=True)
        if out.tell() <= budget:
            log.info("x: %s re-encoded to %d bytes (%dx%d) to fit %d", path.name, out.tell(), *size, budget)
            return out.getvalue()
        scale *= 0.8
    raise adapter._err(RejectedError, f"{path}: cannot bring the image under {budget} bytes")
