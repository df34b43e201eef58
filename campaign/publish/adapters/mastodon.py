"""The Mastodon adapter (Mastodon.py): statuses with images, alt text, focus, threads.

Credentials: `CAMPAIGN_<ACCOUNT>_ACCESS_TOKEN` (or the secrets file); the
instance URL comes from the account's `instance:`. See docs/platforms/mastodon.md.

Limits for the composer: `MastodonAdapter(ctx).limits()` returns the instance's
real numbers (`MastodonLimits`: max_characters, characters_reserved_per_url,
max_media_attachments, description_limit, image_size_limit), read from
`GET /api/v2/instance` and cached for a day in `ctx.state_dir`; `.rules` wraps
them in `campaign.platforms.get("mastodon", ...)` and never raises (it falls
back to Mastodon's defaults when the instance cannot be reached).

Publishing is idempotent for an hour through the `Idempotency-Key` header (the
job's key); `find` never posts: it looks for the text among the account's 40
most recent statuses.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import unicodedata
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import urlsplit

from campaign import platforms, redact
from campaign.errors import (
    AdapterError,
    AuthError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from campaign.models import AccountInfo, Draft, MediaRef, RemoteRef
from campaign.platforms import Rules
from campaign.publish.adapters.base import AdapterContext

log = logging.getLogger(__name__)

CACHE_TTL = 24 * 3600.0
_PROCESSING = re.compile(r"not finished processing|processing", re.I)


@dataclass(frozen=True, slots=True)
class MastodonLimits:
    """An instance's posting limits (Mastodon's defaults until read from the instance)."""

    max_characters: int = 500
    characters_reserved_per_url: int = 23
    max_media_attachments: int = 4
    description_limit: int = 1500
    image_size_limit: int = 16 * 1024 * 1024
    version: str = ""
    source: str = "default"  # "instance", "cache" or "default"


def _int(value: Any, default: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if n > 0 else default


def limits_from_instance(info: dict[str, Any]) -> MastodonLimits:
    """Limits from a `/api/v2/instance` (or v1) document; missing fields keep the defaults."""
    d = MastodonLimits()
    conf = info.get("configuration") or {}
    statuses = conf.get("statuses") or {}
    media = conf.get("media_attachments") or {}
    return MastodonLimits(
        max_characters=_int(statuses.get("max_characters") or info.get("max_toot_chars"), d.max_characters),
        characters_reserved_per_url=_int(statuses.get("characters_reserved_per_url"),
                                         d.characters_reserved_per_url),
        max_media_attachments=_int(statuses.get("max_media_attachments"), d.max_media_attachments),
        description_limit=_int(media.get("description_limit"), d.description_limit),
        image_size_limit=_int(media.get("image_size_limit"), d.image_size_limit),
        version=str(info.get("version") or ""),
        source="instance",
    )


def _version_triple(version: str) -> str:
    """`4.3.0` from `4.3.0+glitch` or `2.7.2 (compatible; Pleroma 2.5)`; 4.0.0 when unreadable."""
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", version or "")
    if not m:
        return "4.0.0"
    return f"{m.group(1)}.{m.group(2)}.{m.group(3) or 0}"


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
    """The text of a status' `content` HTML (hidden URL parts included)."""
    p = _Text()
    p.feed(html or "")
    p.close()
    return "".join(p.out)


_URL = re.compile(r"https?://(\S+)")
_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w")


def normalize(text: str) -> str:
    """Text as compared by `find`: NFC, URLs without scheme or trailing slash, `@user@host` as
    `@user`, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = _URL.sub(lambda m: m.group(1).rstrip("/"), text)
    text = _MENTION.sub(r"@\1", text)
    return " ".join(text.split())


# --- the adapter ----------------------------------------------------------------------------


class MastodonAdapter:
    """Posts to one Mastodon account. Settings: `instance` (required), `visibility`, `language`,
    `content_warning`, `credentials` (env prefix); in `settings:`, `focus: "x,y"` (−1..1)."""

    name: ClassVar[str] = "mastodon"
    credential_fields: ClassVar[tuple[str, ...]] = ("access_token",)
    #: waits (seconds) between tries while the instance is still processing media
    processing_waits: ClassVar[tuple[float, ...]] = (1.0, 2.0, 4.0)

    def __init__(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        s = ctx.settings or {}
        self._extra: dict[str, Any] = dict(s.get("settings") or {})
        instance = s.get("instance") or self._extra.get("instance")
        if not instance:
            raise AuthError("a mastodon account needs 'instance: https://your.instance'",
                            platform=self.name, account=ctx.account)
        self.instance = str(instance).rstrip("/")
        self.visibility: str | None = s.get("visibility") or None
        self.language: str | None = s.get("language") or None
        self.content_warning: str | None = s.get("content_warning") or None
        self._prefix: str | None = s.get("credentials") or None
        self._limits: MastodonLimits | None = None
        self._rules: Rules | None = None
        self._api_obj: Any = None
        self._me: dict[str, Any] | None = None

    # -- limits, for the composer ------------------------------------------------------
    @property
    def _cache_file(self) -> Path:
        host = urlsplit(self.instance).netloc.replace(":", "_") or "instance"
        return Path(self.ctx.state_dir) / f"mastodon-instance-{host}.json"

    def limits(self, *, refresh: bool = False) -> MastodonLimits:
        """The instance's real limits from `GET /api/v2/instance` (v1 on older servers).

        Cached in memory and for a day in `ctx.state_dir`; `refresh=True` reads them
        again. Raises AuthError/TransientError when the instance cannot be read and
        nothing is cached (a stale cache is used rather than failing).
        """
        if self._limits is not None and not refresh:
            return self._limits
        cached = self._read_cache()
        if cached is not None and not refresh and cached[1]:
            self._limits = cached[0]
            return self._limits
        try:
            lim = self._fetch_limits()
        except AdapterError:
            if cached is not None:
                log.warning("%s: using cached instance limits; the instance did not answer",
                            self.ctx.account)
                self._limits = cached[0]
                return self._limits
            raise
        self._limits = lim
        self._write_cache(lim)
        return lim

    @property
    def rules(self) -> Rules:
        """The text rules with this instance's limits; defaults when they cannot be read."""
        if self._rules is None:
            try:
                lim = self.limits()
            except AdapterError as e:
                log.warning("%s: instance limits unavailable (%s); using Mastodon defaults",
                            self.ctx.account, e)
                lim = MastodonLimits()
            self._rules = self._make_rules(lim)
        return self._rules

    @staticmethod
    def _make_rules(lim: MastodonLimits) -> Rules:
        return platforms.get(
            "mastodon",
            max_characters=lim.max_characters,
            url_length=lim.characters_reserved_per_url,
            max_media=lim.max_media_attachments,
            description_limit=lim.description_limit,
            image_size_limit=lim.image_size_limit,
        )

    def _read_cache(self) -> tuple[MastodonLimits, bool] | None:
        try:
            data = json.loads(self._cache_file.read_text(encoding="utf-8"))
            fresh = time.time() - float(data.pop("fetched_at")) < CACHE_TTL
            data["source"] = "cache"
            return MastodonLimits(**data), fresh
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def _write_cache(self, lim: MastodonLimits) -> None:
        try:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            data = asdict(lim)
            data.pop("source")
            data["fetched_at"] = time.time()
            tmp = self._cache_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self._cache_file)
        except OSError as e:  # a cache, not a requirement
            log.debug("cannot cache instance limits: %s", e)

    def _fetch_limits(self) -> MastodonLimits:
        from mastodon import Mastodon, MastodonNotFoundError

        token = self._token(required=False)
        boot = Mastodon(access_token=token, api_base_url=self.instance, request_timeout=self.ctx.timeout,
                        ratelimit_method="throw")
        try:
            try:
                info = boot.instance_v2()
            except MastodonNotFoundError:  # before Mastodon 4.0, or a compatible server
                info = boot.instance_v1()
        except Exception as e:
            raise self._map(e, api=boot, posting=False) from None
        return limits_from_instance(dict(info))

    # -- the client --------------------------------------------------------------------
    def _token(self, required: bool = True) -> str | None:
        try:
            creds = self.ctx.credentials(self.credential_fields, prefix=self._prefix)
        except AuthError:
            if required:
                raise
            return None
        return cast(str, creds["access_token"])

    def _api(self) -> Any:
        if self._api_obj is None:
            from mastodon import Mastodon

            token = self._token()
            lim = self.limits()
            # An explicit version with "created" checks, so media goes to /api/v2/media
            # (the default lazy detection silently falls back to /api/v1/media).
            self._api_obj = Mastodon(
                access_token=token,
                api_base_url=self.instance,
                request_timeout=self.ctx.timeout,
                ratelimit_method="throw",
                mastodon_version=_version_triple(lim.version),
                version_check_mode="created",
            )
        return self._api_obj

    # -- the contract ------------------------------------------------------------------
    def close(self) -> None:
        """Close the HTTP session; the next call opens a new one."""
        session = getattr(self._api_obj, "session", None)
        if session is not None:
            session.close()
        self._api_obj = None

    def check(self) -> AccountInfo:
        """Who the token posts as (`GET /api/v1/accounts/verify_credentials`)."""
        me = self._whoami()
        host = urlsplit(self.instance).netloc
        return AccountInfo(
            account=self.ctx.account,
            platform=self.name,
            handle=f"@{me.get('acct')}@{host}" if "@" not in str(me.get("acct")) else f"@{me.get('acct')}",
            display_name=me.get("display_name") or None,
            url=me.get("url") or None,
        )

    def _whoami(self) -> dict[str, Any]:
        if self._me is None:
            api = self._api()
            try:
                self._me = dict(api.account_verify_credentials())
            except Exception as e:
                raise self._map(e, api=api, posting=False) from None
        return self._me

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        """Post `draft.text` with its images; `key` goes out as the Idempotency-Key."""
        api = self._api()
        lim = self.limits()
        if len(draft.media) > lim.max_media_attachments:
            raise RejectedError(
                f"{len(draft.media)} images, but {self.instance} allows {lim.max_media_attachments}",
                platform=self.name, account=self.ctx.account)
        media_ids = [self._upload(api, m, lim) for m in draft.media]
        language = draft.language or self.language or self.ctx.language or None
        waits = self.processing_waits
        for attempt in range(len(waits) + 1):
            try:
                status = api.status_post(
                    draft.text,
                    in_reply_to_id=reply_to.id if reply_to else None,
                    media_ids=media_ids or None,
                    visibility=self.visibility,
                    spoiler_text=self.content_warning,
                    language=language,
                    idempotency_key=key,
                )
                break
            except Exception as e:
                if _is_processing(e):
                    if attempt < len(waits):
                        log.info("%s: media still processing; trying again in %.1fs",
                                 self.ctx.account, waits[attempt])
                        time.sleep(waits[attempt])
                        continue
                    raise TransientError("media still processing on the instance; try again later",
                                         platform=self.name, account=self.ctx.account) from None
                raise self._map(e, api=api, posting=True) from None
        return RemoteRef(id=str(status["id"]), url=status.get("url") or status.get("uri"))

    def _upload(self, api: Any, m: MediaRef, lim: MastodonLimits) -> str:
        path = Path(m.path)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise RejectedError(f"cannot read image {path}: {e.strerror}",
                                platform=self.name, account=self.ctx.account) from None
        if len(data) > lim.image_size_limit:
            raise RejectedError(
                f"image {path.name} is {len(data):,} bytes; {self.instance} accepts {lim.image_size_limit:,}",
                platform=self.name, account=self.ctx.account)
        alt = m.alt or ""
        if len(alt) > lim.description_limit:
            log.warning("%s: alt text of %s cut to %d characters", self.ctx.account, path.name,
                        lim.description_limit)
            alt = alt[: lim.description_limit - 1].rstrip() + "…"
        try:
            media = api.media_post(data, mime_type=m.mime, description=alt or None,
                                   focus=self._focus(), file_name=path.name)
            media_id = str(media["id"])
            for wait in self.processing_waits:
                if media.get("url"):
                    break
                time.sleep(wait)
                media = api.media(media_id)
        except Exception as e:
            raise self._map(e, api=api, posting=False) from None
        return media_id

    def _focus(self) -> tuple[float, float]:
        raw = self._extra.get("focus", (0.0, 0.0))
        try:
            x, y = (float(v) for v in (raw.split(",") if isinstance(raw, str) else raw))
        except (TypeError, ValueError):
            return (0.0, 0.0)
        return (max(-1.0, min(1.0, x)), max(-1.0, min(1.0, y)))

    def find(self, draft: Draft, *, key: str) -> RemoteRef | None:
        """Did a lost attempt land? Looks for `draft.text` among the account's 40 latest statuses.

        Never posts (a re-POST with the same key would be safe within an hour, but not later)."""
        api = self._api()
        me = self._whoami()
        try:
            statuses = api.account_statuses(me["id"], limit=40, exclude_reblogs=True)
        except Exception as e:
            raise self._map(e, api=api, posting=False) from None
        want = normalize(draft.text)
        for s in statuses or []:
            if normalize(plain_text(s.get("content") or "")) == want:
                return RemoteRef(id=str(s["id"]), url=s.get("url") or s.get("uri"))
        return None

    # -- errors ------------------------------------------------------------------------
    def _map(self, e: BaseException, *, api: Any, posting: bool) -> AdapterError:
        """A Mastodon.py exception as one of ours, with the instance's message, secrets masked."""
        from mastodon import (
            MastodonAPIError,
            MastodonIllegalArgumentError,
            MastodonNetworkError,
            MastodonNotFoundError,
            MastodonRatelimitError,
            MastodonServerError,
            MastodonUnauthorizedError,
            MastodonVersionError,
        )

        kw: dict[str, Any] = {"platform": self.name, "account": self.ctx.account}
        if isinstance(e, MastodonRatelimitError):
            reset = getattr(api, "ratelimit_reset", None)
            wait = max(1.0, float(reset) - time.time()) if reset else 60.0
            return RateLimitedError(f"rate limited by {self.instance}; retry in {wait:.0f}s",
                                    retry_after=wait, **kw)
        status, msg = _status_and_message(e)
        if isinstance(e, MastodonUnauthorizedError):
            return AuthError(f"the access token was refused ({msg}); check "
                             f"CAMPAIGN_{self.ctx.account.upper()}_ACCESS_TOKEN or log in again", **kw)
        if isinstance(e, MastodonServerError):
            return TransientError(f"{self.instance} answered {status}: {msg}", ambiguous=posting, **kw)
        if isinstance(e, MastodonNetworkError):
            sent = _was_sent(e)
            return TransientError(f"network error talking to {self.instance}: {redact.redact(str(e))}",
                                  ambiguous=posting and sent, **kw)
        if isinstance(e, MastodonNotFoundError):
            return RejectedError(f"not found ({msg}): the post replied to may be gone", **kw)
        if isinstance(e, MastodonAPIError):
            if status == 403 and "scope" in msg.lower():
                return AuthError(f"the token lacks a permission: {msg} (needs write:statuses "
                                 "write:media read:accounts)", **kw)
            if isinstance(status, int) and status >= 500:
                return TransientError(f"{self.instance} answered {status}: {msg}", ambiguous=posting, **kw)
            if status == 408:
                return TransientError(f"{self.instance} timed out: {msg}", ambiguous=posting, **kw)
            return RejectedError(f"{self.instance} refused the post ({status}): {msg}", **kw)
        if isinstance(e, MastodonIllegalArgumentError | MastodonVersionError):
            return RejectedError(redact.redact(str(e)), **kw)
        if isinstance(e, AdapterError):
            return e
        return TransientError(f"unexpected error: {type(e).__name__}: {redact.redact(str(e))}",
                              ambiguous=posting, **kw)


def _status_and_message(e: BaseException) -> tuple[int | str, str]:
    args = list(getattr(e, "args", ()))
    if len(args) >= 4:
        return args[1], redact.redact(str(args[3] or args[2]))
    return "?", redact.redact(str(e))


def _is_processing(e: BaseException) -> bool:
    from mastodon import MastodonAPIError, MastodonNotFoundError, MastodonServerError

    if not isinstance(e, MastodonAPIError) or isinstance(e, MastodonServerError | MastodonNotFoundError):
        return False
    status, msg = _status_and_message(e)
    return status == 422 and bool(_PROCESSING.search(msg))


def _was_sent(e: BaseException) -> bool:
    """False when the connection never opened (the request cannot have reached the instance)."""
    import requests

    inner = e.__cause__ or e.__context__
    if isinstance(inner, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(inner, requests.exceptions.ConnectionError):
        text = str(inner)
        return not any(s in text for s in ("NewConnectionError", "Connection refused",
                                           "Name or service not known", "Failed to resolve"))
    return True
