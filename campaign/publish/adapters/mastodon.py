"""The Mastodon adapter (Mastodon.py): statuses with images, alt text, focus, threads, on any
server that speaks the Mastodon client API (Mastodon, GoToSocial, Akkoma/Pleroma, Takahē, ...).

Credentials: `CAMPAIGN_<ACCOUNT>_ACCESS_TOKEN` (or the secrets file); the instance URL comes
from the account's `instance:`. See docs/platforms/mastodon.md, which also lists the servers
this was checked against.

Servers write their versions in their own ways (`4.3.0+glitch`, `3.5.3 (compatible;
GoToSocial 0.17)`, `2.7.2 (compatible; Akkoma 3.13)`, `takahe/0.11.0`), and Mastodon.py's own
detection raises on some of them, so it never runs: the client is built with
`version_check_mode="none"`, and a version is never a reason not to post. Images go to
`/api/v2/media`, and to `/api/v1/media` on a server without it.

Limits for the composer: `MastodonAdapter(ctx).limits()` returns the instance's real numbers
(`MastodonLimits`), read from `/api/v2/instance`, else `/api/v1/instance` (each without, then
with, a trailing slash: `mastodon_server.fetch_limits`); a server that has neither gets
Mastodon's defaults. They are cached for
a day in `ctx.state_dir`, read again by `accounts check` (`check()`) and whenever a post is
refused as too long. `.rules` wraps them in `campaign.platforms.get("mastodon", ...)` and never
raises. A server that refused a post as too long although it fitted with URLs counted as the
instance says (Takahē counts them in full) is remembered (`counts_in_full`), and from then on
`.rules` count texts as written (`campaign.posts.refit.FullCountRules`: URLs and mentions in
full), so drafts composed for it fit from the start.

Publishing sends the job's key as `Idempotency-Key` (honoured by Mastodon for an hour, ignored
by some servers); `find` never posts: it looks for the text among the account's latest
statuses and, since some servers hide the owner's private and direct posts there, the home
timeline (where every server puts the author's own posts, whatever their visibility).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import urlsplit

from campaign import platforms, redact
from campaign.errors import (
    AdapterError,
    AuthError,
    RateLimitedError,
    RejectedError,
    TooLongError,
    TransientError,
)
from campaign.models import AccountInfo, Draft, MediaRef, RemoteRef
from campaign.platforms import Rules
from campaign.publish.adapters.base import AdapterContext
from campaign.publish.adapters.mastodon_server import (
    INSTANCE_PATHS,
    MastodonLimits,
    compatible_version,
    fetch_limits,
    limits_from_instance,
    normalize,
    plain_text,
)
from campaign.publish.adapters.metrics import MastodonMetrics

log = logging.getLogger(__name__)

__all__ = ["INSTANCE_PATHS", "MastodonAdapter", "MastodonLimits", "compatible_version", "fetch_limits",
           "limits_from_instance", "normalize", "plain_text"]

CACHE_TTL = 24 * 3600.0
_PROCESSING = re.compile(r"not finished processing|processing", re.I)
#: how servers word "the text is too long": Mastodon "Text character limit of 500 exceeded",
#: Takahē "Status is too long", GoToSocial "status too long, 5001 characters provided ... but
#: limit is 5000", Akkoma/Pleroma "The status is over the character limit"
_TOO_LONG = re.compile(r"too long|character limit|over the (?:character )?limit|exceeds? .*characters", re.I)
_LIMIT_IN_MESSAGE = re.compile(r"limit (?:of |is )?(\d+)", re.I)
# --- the adapter ----------------------------------------------------------------------------


class MastodonAdapter(MastodonMetrics):
    """Posts to one Mastodon-API account. Settings: `instance` (required), `visibility`,
    `language`, `content_warning`, `credentials` (env prefix); in `settings:`, `focus: "x,y"`."""

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
        """The instance's real limits from its instance document (v2, else v1; defaults when it
        has neither).

        Cached in memory and for a day in `ctx.state_dir`; `refresh=True` reads them
        again. Raises TransientError when the instance cannot be reached and nothing is
        cached (a stale cache is used rather than failing). What was learnt by posting
        (`counts_in_full`) survives a refresh.
        """
        if self._limits is not None and not refresh:
            return self._limits
        cached = self._read_cache()
        if cached is not None and not refresh and cached[1]:
            self._set_limits(cached[0])
            return cached[0]
        try:
            lim = self._fetch_limits()
        except AdapterError:
            if cached is not None:
                log.warning("%s: using cached instance limits; %s did not answer", self.ctx.account,
                            self.instance)
                self._set_limits(cached[0])
                return cached[0]
            raise
        known = self._limits or (cached[0] if cached else None)
        if known is not None and known.counts_in_full:
            lim = replace(lim, counts_in_full=True)
        self._set_limits(lim)
        self._write_cache(lim)
        return lim

    def _set_limits(self, lim: MastodonLimits) -> None:
        self._limits = lim
        self._rules = None

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
        rules = platforms.get(
            "mastodon",
            max_characters=lim.max_characters,
            url_length=lim.characters_reserved_per_url,
            max_media=lim.max_media_attachments,
            description_limit=lim.description_limit,
            image_size_limit=lim.image_size_limit,
        )
        if lim.counts_in_full:
            from campaign.posts.refit import FullCountRules

            return FullCountRules.of(rules)
        return rules

    def _read_cache(self) -> tuple[MastodonLimits, bool] | None:
        try:
            data = json.loads(self._cache_file.read_text(encoding="utf-8"))
            fresh = time.time() - float(data.pop("fetched_at")) < CACHE_TTL
            known = {f.name for f in fields(MastodonLimits)}
            data = {k: v for k, v in data.items() if k in known}
            data["source"] = "cache"
            return MastodonLimits(**data), fresh
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
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
        lim = fetch_limits(self.instance, token=self._token(required=False), timeout=self.ctx.timeout,
                           **self._kw())
        if lim.source == "default":
            log.info("%s: %s has no instance document; using Mastodon's default limits",
                     self.ctx.account, self.instance)
        return lim

    # -- the client --------------------------------------------------------------------
    def _kw(self) -> dict[str, Any]:
        return {"platform": self.name, "account": self.ctx.account}

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
            # version_check_mode="none": Mastodon.py neither reads nor checks the server's
            # version (its own parser raises on several real servers' strings). Given a
            # version, it also skips detection, but keeps choosing endpoints by its version
            # numbers, which would say 1.0.0: set them, so media goes to /api/v2/media.
            api = Mastodon(
                access_token=token,
                api_base_url=self.instance,
                request_timeout=self.ctx.timeout,
                ratelimit_method="throw",
                mastodon_version="4.0.0",
                version_check_mode="none",
            )
            _use_version(api, (4, 0, 0))
            self._api_obj = api
        return self._api_obj

    # -- the contract ------------------------------------------------------------------
    def close(self) -> None:
        """Close the HTTP session; the next call opens a new one."""
        session = getattr(self._api_obj, "session", None)
        if session is not None:
            session.close()
        self._api_obj = None

    def check(self) -> AccountInfo:
        """Who the token posts as (`verify_credentials`), named as the server names it
        (`@user@domain`, the domain from the instance document). Reads the limits again."""
        me = self._whoami(doing="checking who the token belongs to")
        try:
            lim = self.limits(refresh=True)
        except AdapterError as e:  # the token works; the limits will be read when posting
            log.warning("%s: %s", self.ctx.account, e)
            lim = self._limits or MastodonLimits()
        acct = str(me.get("acct") or me.get("username") or "")
        domain = lim.domain or urlsplit(self.instance).netloc
        handle = f"@{acct}" if "@" in acct else f"@{acct}@{domain}"
        return AccountInfo(
            account=self.ctx.account,
            platform=self.name,
            handle=handle,
            display_name=me.get("display_name") or None,
            url=me.get("url") or None,
        )

    def _whoami(self, doing: str) -> dict[str, Any]:
        if self._me is None:
            api = self._api()
            try:
                self._me = dict(api.account_verify_credentials())
            except Exception as e:
                raise self._map(e, api=api, doing=doing, verifying=True) from None
        return self._me

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        """Post `draft.text` with its images; `key` goes out as the Idempotency-Key."""
        api = self._api()
        lim = self.limits()
        if len(draft.media) > lim.max_media_attachments:
            raise RejectedError(
                f"{len(draft.media)} images, but {self.instance} allows {lim.max_media_attachments}",
                **self._kw())
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
                                         **self._kw()) from None
                if _is_too_long(e):
                    raise self._too_long(draft, e) from None
                raise self._map(e, api=api, doing="posting", ambiguous=True,
                                replying=reply_to is not None) from None
        return RemoteRef(id=str(status["id"]), url=status.get("url") or status.get("uri"))

    def _too_long(self, draft: Draft, e: BaseException) -> TooLongError:
        """The server refused the text as too long: read its limits again, and when the text
        fits them as advertised but not counted as written (URLs in full), remember that it counts
        so."""
        _, msg = _status_and_message(e)
        before = self._limits or MastodonLimits()
        try:
            lim = self.limits(refresh=True)
        except AdapterError:
            lim = before
        advertised = self._make_rules(replace(lim, counts_in_full=False))
        from campaign.posts.refit import FullCountRules

        if (advertised.fits(draft.text) and not FullCountRules.of(advertised).fits(draft.text)
                and not lim.counts_in_full):
            lim = replace(lim, counts_in_full=True)
            self._set_limits(lim)
            self._write_cache(lim)
            log.warning("%s: %s counts URLs in full (it advertises %d characters per URL)",
                        self.ctx.account, self.instance, lim.characters_reserved_per_url)
        m = _LIMIT_IN_MESSAGE.search(msg)
        limit = int(m.group(1)) if m else lim.max_characters
        ours = self._make_rules(replace(lim, counts_in_full=False)).length(draft.text)
        return TooLongError(
            f"{self.instance} refused the post as too long ({msg}); by the rules it advertises, "
            f"it has {ours} of {lim.max_characters} characters",
            limit=limit, **self._kw())

    def _upload(self, api: Any, m: MediaRef, lim: MastodonLimits) -> str:
        from mastodon import MastodonNotFoundError

        path = Path(m.path)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise RejectedError(f"cannot read image {path}: {e.strerror}", **self._kw()) from None
        if len(data) > lim.image_size_limit:
            raise RejectedError(
                f"image {path.name} is {len(data):,} bytes; {self.instance} accepts {lim.image_size_limit:,}",
                **self._kw())
        alt = m.alt or ""
        if len(alt) > lim.description_limit:
            log.warning("%s: alt text of %s cut to %d characters", self.ctx.account, path.name,
                        lim.description_limit)
            alt = alt[: lim.description_limit - 1].rstrip() + "…"
        doing = f"uploading the image {path.name}"
        try:
            try:
                media = api.media_post(data, mime_type=m.mime, description=alt or None,
                                       focus=self._focus(), file_name=path.name)
            except MastodonNotFoundError:  # no /api/v2/media on this server: the v1 endpoint
                _use_version(api, (3, 0, 0))
                media = api.media_post(data, mime_type=m.mime, description=alt or None,
                                       focus=self._focus(), file_name=path.name)
            media_id = str(media["id"])
            doing = f"waiting for {self.instance} to process the image {path.name}"
            for wait in self.processing_waits:
                if media.get("url"):
                    break
                time.sleep(wait)
                media = api.media(media_id)
        except Exception as e:
            raise self._map(e, api=api, doing=doing) from None
        return media_id

    def _focus(self) -> tuple[float, float]:
        raw = self._extra.get("focus", (0.0, 0.0))
        try:
            x, y = (float(v) for v in (raw.split(",") if isinstance(raw, str) else raw))
        except (TypeError, ValueError):
            return (0.0, 0.0)
        return (max(-1.0, min(1.0, x)), max(-1.0, min(1.0, y)))

    def find(self, draft: Draft, *, key: str) -> RemoteRef | None:
        """Did a lost attempt land? Looks for `draft.text` among the account's 40 latest statuses,
        then in the 40 latest of its home timeline.

        The home timeline is where every server puts the author's own posts whatever their
        visibility, at once on Takahē and GoToSocial (Mastodon within seconds, by its
        fan-out); the account's statuses are Mastodon's immediate record, but Takahē leaves
        the owner's private and direct posts out of them. Never posts (a re-POST with the
        same key is safe on Mastodon within an hour, but some servers ignore the key)."""
        from mastodon import MastodonNotFoundError

        api = self._api()
        doing = "looking for an earlier attempt"
        me = self._whoami(doing=doing)
        want = normalize(draft.text)
        sources: tuple[Callable[[], Any], ...] = (
            lambda: api.account_statuses(me["id"], limit=40, exclude_reblogs=True),
            lambda: api.timeline_home(limit=40))
        for fetch in sources:
            try:
                statuses = fetch()
            except MastodonNotFoundError:  # a server without this list: the other one decides
                continue
            except Exception as e:
                raise self._map(e, api=api, doing=doing) from None
            for s in statuses or []:
                if s.get("reblog"):
                    continue
                author = (s.get("account") or {}).get("id")
                if author is not None and str(author) != str(me.get("id")):
                    continue
                if normalize(plain_text(s.get("content") or "")) == want:
                    return RemoteRef(id=str(s["id"]), url=s.get("url") or s.get("uri"))
        return None

    # -- errors ------------------------------------------------------------------------
    def _token_refused(self, api: Any) -> bool:
        """After a bare 400 (some servers answer a bad token so, on every endpoint): is it the
        token? Asks `verify_credentials`, which takes no parameters to be wrong about."""
        from mastodon import MastodonAPIError, MastodonServerError

        try:
            api.account_verify_credentials()
        except MastodonServerError:
            return False
        except MastodonAPIError as e:
            status, _ = _status_and_message(e)
            return status in (400, 401)
        except Exception:
            return False
        return False

    def _map(self, e: BaseException, *, api: Any, doing: str, ambiguous: bool = False,
             verifying: bool = False, replying: bool = False) -> AdapterError:
        """A Mastodon.py exception as one of ours, worded by what was being done (`doing`),
        with the instance's message, secrets masked. `ambiguous`: the request may have been
        acted on (a post); `verifying`: the call was `verify_credentials` itself."""
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

        kw = self._kw()
        where = self.instance
        if isinstance(e, MastodonRatelimitError):
            reset = getattr(api, "ratelimit_reset", None)
            wait = max(1.0, float(reset) - time.time()) if reset else 60.0
            return RateLimitedError(f"rate limited by {where} while {doing}; retry in {wait:.0f}s",
                                    retry_after=wait, **kw)
        status, msg = _status_and_message(e)
        token_hint = (f"check CAMPAIGN_{self.ctx.account.upper()}_ACCESS_TOKEN or run "
                      "`campaign accounts login`")
        if isinstance(e, MastodonUnauthorizedError) or (
                isinstance(e, MastodonAPIError) and status == 400 and not isinstance(e, MastodonServerError)
                and (verifying or "token" in msg.lower() or (msg == "Bad Request" and self._token_refused(api)))):
            return AuthError(f"{where} refused the access token while {doing} ({status}: {msg}); {token_hint}",
                             **kw)
        if isinstance(e, MastodonServerError):
            return TransientError(f"{where} answered {status} while {doing}: {msg}", ambiguous=ambiguous,
                                  unreachable=status in (502, 503, 504), **kw)
        if isinstance(e, MastodonNetworkError):
            sent = _was_sent(e)
            return TransientError(f"network error talking to {where} while {doing}: {redact.redact(str(e))}",
                                  ambiguous=ambiguous and sent, unreachable=True, **kw)
        if isinstance(e, MastodonNotFoundError):
            if verifying:
                return AuthError(f"{where} has no Mastodon API (404 while {doing}); check the account's "
                                 "`instance:`", **kw)
            if replying:
                return RejectedError(f"not found ({msg}) while {doing}: the post replied to may be gone", **kw)
            return RejectedError(f"{where} answered 404 while {doing}: {msg}", **kw)
        if isinstance(e, MastodonAPIError):
            if status == 403 and ("scope" in msg.lower() or verifying):
                return AuthError(f"the token lacks a permission ({msg}) for {doing}: it needs "
                                 "write:statuses write:media read:accounts read:statuses", **kw)
            if isinstance(status, int) and status >= 500:
                return TransientError(f"{where} answered {status} while {doing}: {msg}", ambiguous=ambiguous, **kw)
            if status == 408:
                return TransientError(f"{where} timed out while {doing}: {msg}", ambiguous=ambiguous,
                                      unreachable=True, **kw)
            if verifying:
                return AuthError(f"{where} refused {doing} ({status}): {msg}", **kw)
            what = "the post" if doing == "posting" else f"{doing}"
            return RejectedError(f"{where} refused {what} ({status}): {msg}", **kw)
        if isinstance(e, MastodonIllegalArgumentError | MastodonVersionError):
            return RejectedError(f"{doing}: {redact.redact(str(e))}", **kw)
        if isinstance(e, AdapterError):
            return e
        return TransientError(f"unexpected error while {doing}: {type(e).__name__}: {redact.redact(str(e))}",
                              ambiguous=ambiguous, **kw)


def _use_version(api: Any, version: tuple[int, int, int]) -> None:
    """The version Mastodon.py picks endpoints by (never checked against the server)."""
    api.mastodon_major, api.mastodon_minor, api.mastodon_patch = version


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


def _is_too_long(e: BaseException) -> bool:
    """A 400/422 refusing the status text as too long (not an image description)."""
    from mastodon import MastodonAPIError, MastodonNotFoundError, MastodonServerError

    if not isinstance(e, MastodonAPIError) or isinstance(e, MastodonServerError | MastodonNotFoundError):
        return False
    status, msg = _status_and_message(e)
    return status in (400, 422) and bool(_TOO_LONG.search(msg)) and "description" not in msg.lower()


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
