"""The Bluesky adapter (atproto): posts with facets, images, link cards and threads.

Credentials: the handle from the account's `handle:` (or `CAMPAIGN_<ACCOUNT>_HANDLE`)
and an app password in `CAMPAIGN_<ACCOUNT>_APP_PASSWORD` (or the secrets file).
The session is cached (0600) in `ctx.state_dir` and reused by every adapter
instance: one `createSession` per account, then refreshes. A login that fails is not
tried again by the same adapter (the worker builds one per account per run) unless the
credentials change: the account's other jobs are held back (a TransientError) instead of
each costing a `createSession`, which Bluesky limits to a few dozen a day. `check` always
logs in afresh, so `campaign accounts check` proves the app password itself. See
docs/platforms/bluesky.md.

Each post is created with the job's key (a TID) as its record key, so `find` is a
`getRecord`, and `publish` looks before it writes (a duplicate rkey makes real
PDSes answer 500).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
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
from campaign.publish.adapters.metrics import BlueskyMetrics
from campaign.tid import is_valid as is_tid

log = logging.getLogger(__name__)

DEFAULT_SERVICE = "https://bsky.social"
COLLECTION = "app.bsky.feed.post"
MAX_IMAGE_BYTES = 1_000_000
MAX_IMAGES = 4
_AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthFactorTokenRequired",
                "AccountTakedown", "AccountDeactivated", "InvalidAuth"}
_NOT_FOUND = re.compile(r"RecordNotFound|could not locate record|not found", re.I)
_file_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class _FailedLogin:
    """A login refused in this adapter's lifetime: for which credentials, why, and when."""

    credentials: str  # a digest of handle and password: new credentials are tried again
    reason: str
    retry_at: float | None  # a rate-limited login: the monotonic time to try again


def post_url(handle: str, uri: str) -> str:
    """The bsky.app address of the post at `uri` (at://did/app.bsky.feed.post/rkey)."""
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


class BlueskyAdapter(BlueskyMetrics):
    """Posts to one Bluesky account. Settings: `handle`, `service` (PDS, default bsky.social),
    `language`, `credentials` (env prefix); in `settings:`, `link_title` and `link_description`
    for link cards."""

    name: ClassVar[str] = "bluesky"
    credential_fields: ClassVar[tuple[str, ...]] = ("app_password",)
    optional_fields: ClassVar[tuple[str, ...]] = ("handle",)

    def __init__(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        s = ctx.settings or {}
        self._extra: dict[str, Any] = dict(s.get("settings") or {})
        self.service = str(s.get("service") or self._extra.get("service") or DEFAULT_SERVICE).rstrip("/")
        self._handle: str | None = (str(s["handle"]).lstrip("@") if s.get("handle") else None)
        self.language: str | None = s.get("language") or None
        self._prefix: str | None = s.get("credentials") or None
        self._client_obj: Any = None
        self._from_cache = False
        self._dids: dict[str, str | None] = {}
        self._rules: Rules | None = None
        self._failed_login: _FailedLogin | None = None

    @property
    def rules(self) -> Rules:
        if self._rules is None:
            self._rules = platforms.get("bluesky")
        return self._rules

    # -- session -----------------------------------------------------------------------
    @property
    def session_file(self) -> Path:
        """Where the session string is cached (0600), beside the other state."""
        return Path(self.ctx.state_dir) / f"bluesky-session-{self.ctx.account}.json"

    def _credentials(self) -> tuple[str, str]:
        creds = self.ctx.credentials(self.credential_fields, optional=self.optional_fields,
                                     prefix=self._prefix)
        handle = self._handle or (creds.get("handle") or "").lstrip("@")
        if not handle:
            raise AuthError("no handle: set `handle:` on the account or "
                            f"CAMPAIGN_{self.ctx.account.upper()}_HANDLE",
                            platform=self.name, account=self.ctx.account)
        self._handle = handle
        return handle, creds["app_password"]

    def _read_session(self) -> str | None:
        try:
            data = json.loads(self.session_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("service") != self.service \
                or data.get("handle") != self._handle or not data.get("session"):
            return None
        return str(data["session"])

    def _save_session(self, session: Any) -> None:
        text = session.export()
        for v in (session.access_jwt, session.refresh_jwt):  # not `text`: see `_client`
            redact.register(v)
        path = self.session_file
        with _file_lock:
            try:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".bsky-session-")
                try:
                    os.fchmod(fd, 0o600)
                    with os.fdopen(fd, "w", encoding="utf-8") as f:
                        json.dump({"service": self.service, "handle": self._handle, "session": text}, f)
                    os.replace(tmp, path)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
            except OSError as e:
                log.warning("%s: cannot cache the Bluesky session: %s", self.ctx.account, e.strerror)

    def _new_client(self) -> Any:
        from atproto import Client, Request, SessionEvent

        client = Client(base_url=self.service, request=Request(timeout=self.ctx.timeout))

        def on_change(event: Any, session: Any) -> None:
            if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
                self._save_session(session)

        client.on_session_change(on_change)
        return client

    def _client(self) -> Any:
        if self._client_obj is not None:
            return self._client_obj
        handle, password = self._credentials()
        self._hold_back_after_failed_login(handle, password)
        client = self._new_client()
        cached = self._read_session()
        if cached:
            # the tokens, not the whole string: it also holds the handle, the DID and the PDS's URL,
            # public words that the masking of any run of a long secret would hide everywhere
            for part in cached.split(":::"):
                if part.count(".") == 2:  # the JWTs
                    redact.register(part)
            try:
                client.login(session_string=cached, fetch_bsky_profile=False)
                self._from_cache = True
            except Exception as e:  # an unreadable cache: log in instead
                log.info("%s: cached Bluesky session unusable (%s); logging in", self.ctx.account,
                         type(e).__name__)
                client = self._new_client()
                cached = None
        if not cached:
            self._login(client, handle, password)
        self._client_obj = client
        return client

    def _login(self, client: Any, handle: str, password: str) -> None:
        self._hold_back_after_failed_login(handle, password)
        log.info("%s: logging in to %s as %s", self.ctx.account, self.service, handle)
        try:
            client.login(handle, password, fetch_bsky_profile=False)
        except Exception as e:
            error = self._map(e, posting=False, login=True)
            if isinstance(error, AuthError | RateLimitedError):
                retry_at = time.monotonic() + error.retry_after \
                    if isinstance(error, RateLimitedError) else None
                reason = str(error).removeprefix(f"{self.ctx.account}: ")
                self._failed_login = _FailedLogin(_digest(handle, password), reason, retry_at)
            raise error from None
        self._failed_login = None
        self._from_cache = False

    def _hold_back_after_failed_login(self, handle: str, password: str) -> None:
        """Raise instead of logging in again when this adapter's login failed with the same
        credentials: a wrong app password costs one `createSession` per run, not one per post,
        and the account's other jobs wait for a later run instead of failing."""
        failed = self._failed_login
        if failed is None or failed.credentials != _digest(handle, password):
            return
        kw: dict[str, Any] = {"platform": self.name, "account": self.ctx.account}
        if failed.retry_at is not None:
            wait = failed.retry_at - time.monotonic()
            if wait <= 0:
                return
            raise RateLimitedError(f"held back: logging in was rate limited earlier in this run "
                                   f"({failed.reason})", retry_after=wait, **kw)
        raise TransientError(f"held back: logging in failed earlier in this run ({failed.reason}); "
                             "not trying again until the credentials change or the next run", **kw)

    def _did(self) -> str:
        client = self._client()
        return str(client._session.did)  # set by login or the imported session

    def _call(self, fn: Any, *, posting: bool = False) -> Any:
        """Run `fn(client)`; a cached session the server refuses is replaced by one login."""
        client = self._client()
        try:
            return fn(client)
        except Exception as e:
            if self._from_cache and _is_auth_failure(e):
                log.info("%s: cached Bluesky session refused; logging in again", self.ctx.account)
                handle, password = self._credentials()
                fresh = self._new_client()
                self._client_obj = None  # if this login fails, the next call holds back at once
                self._login(fresh, handle, password)
                self._client_obj = fresh
                try:
                    return fn(fresh)
                except Exception as e2:
                    raise self._map(e2, posting=posting) from None
            raise self._map(e, posting=posting) from None

    # -- the contract ------------------------------------------------------------------
    def close(self) -> None:
        """Forget the client (its session stays cached on disk for the next run)."""
        self._client_obj = None

    def check(self) -> AccountInfo:
        """Who the app password logs in as: always a fresh `createSession` (a cached session
        may outlive a wrong or revoked password), then `getSession`. The new session is kept."""
        handle, password = self._credentials()
        client = self._new_client()
        self._login(client, handle, password)
        self._client_obj = client
        s = self._call(lambda c: c.com.atproto.server.get_session())
        return AccountInfo(account=self.ctx.account, platform=self.name, handle=f"@{s.handle}",
                           display_name=None, url=f"https://bsky.app/profile/{s.handle}")

    def find(self, draft: Draft, *, key: str) -> RemoteRef | None:
        """The post created under record key `key`, or None (`com.atproto.repo.getRecord`)."""
        if not is_tid(key):
            return None
        did = self._did()
        try:
            rec = self._call(lambda c: c.app.bsky.feed.post.get(did, key))
        except RejectedError as e:
            if _NOT_FOUND.search(str(e)):
                return None
            raise
        value = rec.value
        reply = getattr(value, "reply", None)
        root_uri, root_cid = (reply.root.uri, reply.root.cid) if reply else (rec.uri, rec.cid)
        return self._ref(rec.uri, rec.cid, root_uri, root_cid)

    def _ref(self, uri: str, cid: str, root_uri: str, root_cid: str) -> RemoteRef:
        return RemoteRef(id=uri, url=post_url(self._handle or self._did(), uri),
                         extra={"uri": uri, "cid": cid, "root_uri": root_uri, "root_cid": root_cid})

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        """Create the post with record key `key` (a TID), unless it already exists."""
        from atproto import models

        if not is_tid(key):
            raise RejectedError(f"record key {key!r} is not a TID; Bluesky would hide the post",
                                platform=self.name, account=self.ctx.account)
        if len(draft.media) > MAX_IMAGES:
            raise RejectedError(f"{len(draft.media)} images, but Bluesky allows {MAX_IMAGES}",
                                platform=self.name, account=self.ctx.account)
        images = [(m, self._read_image(m)) for m in draft.media]  # size check before any request
        existing = self.find(draft, key=key)
        if existing is not None:
            log.info("%s: post %s already exists; not posting again", self.ctx.account, key)
            return existing
        did = self._did()
        text = self._names_for_dead_handles(draft)
        facets = self._facets(text, draft.link)
        reply, root = self._reply_ref(reply_to)
        embed: Any = None
        if images:
            embed = models.AppBskyEmbedImages.Main(images=[self._upload(m, data) for m, data in images])
        else:
            embed = self._link_card(draft, facets)
        langs = [lang for lang in (draft.language or self.language or self.ctx.language,) if lang]
        record = models.AppBskyFeedPost.Record(
            text=text,
            created_at=self._client().get_current_time_iso(),
            facets=facets or None,
            embed=embed,
            langs=langs or None,
            reply=reply,
        )
        try:
            resp = self._call(lambda c: c.app.bsky.feed.post.create(did, record, rkey=key), posting=True)
        except TransientError as e:
            # The post may have landed (a lost answer; or a 500, which is what a duplicate rkey
            # gets on real PDSes): look once before reporting the failure.
            if e.ambiguous and not isinstance(e, RateLimitedError):
                try:
                    found = self.find(draft, key=key)
                except AdapterError:
                    found = None
                if found is not None:
                    log.info("%s: the answer was lost but post %s landed", self.ctx.account, key)
                    return found
            raise
        root_uri, root_cid = root or (resp.uri, resp.cid)
        return self._ref(resp.uri, resp.cid, root_uri, root_cid)

    # -- pieces ------------------------------------------------------------------------
    def _reply_ref(self, reply_to: RemoteRef | None) -> tuple[Any, tuple[str, str] | None]:
        if reply_to is None:
            return None, None
        from atproto import models

        uri = reply_to.extra.get("uri") or reply_to.id
        cid = reply_to.extra.get("cid")
        if not cid:  # only the uri was kept: ask for the cid
            parts = uri.split("/")
            rec = self._call(lambda c: c.com.atproto.repo.get_record(
                {"repo": parts[2], "collection": parts[3], "rkey": parts[4]}))
            cid = rec.cid
        root_uri = reply_to.extra.get("root_uri") or uri
        root_cid = reply_to.extra.get("root_cid") or cid
        parent = models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid)
        root = models.ComAtprotoRepoStrongRef.Main(uri=root_uri, cid=root_cid)
        return models.AppBskyFeedPost.ReplyRef(root=root, parent=parent), (root_uri, root_cid)

    def _read_image(self, m: MediaRef) -> bytes:
        path = Path(m.path)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise RejectedError(f"cannot read image {path}: {e.strerror}",
                                platform=self.name, account=self.ctx.account) from None
        if len(data) > MAX_IMAGE_BYTES:
            raise RejectedError(f"image {path} is {len(data):,} bytes; Bluesky accepts at most "
                                f"{MAX_IMAGE_BYTES:,}", platform=self.name, account=self.ctx.account)
        return data

    def _upload(self, m: MediaRef, data: bytes) -> Any:
        from atproto import models

        def upload(c: Any) -> Any:
            with warnings.catch_warnings():  # the SDK hands httpx raw bytes as `data=`
                warnings.simplefilter("ignore", DeprecationWarning)
                return c.com.atproto.repo.upload_blob(
                    data, headers={"Content-Type": m.mime or "application/octet-stream"})

        blob = self._call(upload)
        width, height = m.width, m.height
        if not (width and height):
            width, height = _image_size(m.path)
        ratio = models.AppBskyEmbedDefs.AspectRatio(width=width, height=height) \
            if width and height else None
        return models.AppBskyEmbedImages.Image(alt=m.alt or "", image=blob.blob, aspect_ratio=ratio)

    def _facets(self, text: str, link: str | None = None) -> list[Any]:
        """Links, tags and mentions (resolved to DIDs; unresolvable ones stay plain text).

        The composer shows a long `link` shortened (`display_link`); its facet opens the full URL."""
        from atproto import models

        rules: Any = self.rules
        shown = rules.show_link(link) if link else None
        links = {shown: link} if link and shown and shown != link and shown in text else None
        raw = rules.facets(text, resolve=self._resolve, links=links)
        out: list[Any] = []
        for d in raw:
            features: list[Any] = []
            for x in d.get("features", []):
                kind = str(x.get("$type", ""))
                if kind.endswith("#link"):
                    features.append(models.AppBskyRichtextFacet.Link(uri=x["uri"]))
                elif kind.endswith("#tag"):
                    features.append(models.AppBskyRichtextFacet.Tag(tag=x["tag"]))
                elif kind.endswith("#mention") and x.get("did"):
                    features.append(models.AppBskyRichtextFacet.Mention(did=x["did"]))
            if features:
                idx = d["index"]
                out.append(models.AppBskyRichtextFacet.Main(
                    features=features,
                    index=models.AppBskyRichtextFacet.ByteSlice(byte_start=int(idx["byteStart"]),
                                                                byte_end=int(idx["byteEnd"]))))
        return sorted(out, key=lambda f: f.index.byte_start)

    def _names_for_dead_handles(self, draft: Draft) -> str:
        """The text to post: a mentioned handle that does not resolve (`resolveHandle`) is
        replaced by the person's name from `draft.names`, so the post names them instead of
        showing a dead `@handle`. The composer fitted the text with the handle, so each
        replacement is kept only if the text still fits (else the handle stays, as plain
        text); facets are computed afterwards, on the text as posted."""
        from campaign.platforms.bluesky import detect

        text = draft.text
        names = {h.lstrip("@").lower(): n for h, n in draft.names if h and n}
        if not names or "@" not in text:
            return text
        mentions = [(a, b, v) for a, b, kind, v in detect(text) if kind == "mention"]
        for start, end, handle in reversed(mentions):  # from the end: earlier offsets stay valid
            name = names.get(handle.lower())
            if name is None or self._resolve(handle) is not None:
                continue
            candidate = text[:start] + name + text[end:]
            if self.rules.fits(candidate):
                log.info("%s: @%s does not resolve; the post names %s instead",
                         self.ctx.account, handle, name)
                text = candidate
            else:
                log.warning("%s: @%s does not resolve, and the post is too long to name %s "
                            "instead; the handle stays as plain text", self.ctx.account, handle, name)
        return text

    def _resolve(self, handle: str) -> str | None:
        handle = handle.lower()
        if handle not in self._dids:
            try:
                r = self._call(lambda c: c.com.atproto.identity.resolve_handle({"handle": handle}))
                self._dids[handle] = str(r.did)
            except RejectedError:  # 400: no such handle; leave the mention as text
                log.info("%s: @%s does not resolve; left as plain text", self.ctx.account, handle)
                self._dids[handle] = None
        return self._dids[handle]

    def _link_card(self, draft: Draft, facets: list[Any]) -> Any:
        from atproto import models

        links = [x.uri for f in facets for x in f.features if getattr(x, "py_type", "").endswith("#link")]
        if not links:
            return None
        uri = draft.link if draft.link in links else links[0]
        title = self._extra.get("link_title") or urlsplit(uri).netloc or uri
        description = self._extra.get("link_description") or ""
        return models.AppBskyEmbedExternal.Main(
            external=models.AppBskyEmbedExternal.External(uri=uri, title=str(title),
                                                           description=str(description)))

    # -- errors ------------------------------------------------------------------------
    def _map(self, e: BaseException, *, posting: bool, login: bool = False) -> AdapterError:
        from atproto_client import exceptions as ex

        kw: dict[str, Any] = {"platform": self.name, "account": self.ctx.account}
        if isinstance(e, AdapterError):
            return e
        resp = getattr(e, "response", None)
        status = getattr(resp, "status_code", None)
        content = getattr(resp, "content", None)
        code = redact.redact(str(getattr(content, "error", None) or ""))  # a server may echo anything here
        message = redact.redact(str(getattr(content, "message", None) or code or e or type(e).__name__))
        what = f"{code}: {message}" if code and code != message else message
        if isinstance(e, ex.RateLimitExceededError):
            return RateLimitedError(f"rate limited by {self.service} ({what})",
                                    retry_after=_retry_after(e), **kw)
        if code == "AuthFactorTokenRequired":
            return AuthError("the account asks for an email code: use an app password "
                             "(Settings → Privacy and security → App passwords)", **kw)
        if isinstance(e, ex.UnauthorizedError) or code in _AUTH_ERRORS:
            hint = " (check the handle and app password)" if login else ""
            return AuthError(f"{self.service} refused the credentials: {what}{hint}", **kw)
        if isinstance(e, ex.BadRequestError):
            return RejectedError(f"{self.service} refused the request: {what}", **kw)
        if isinstance(e, ex.LoginRequiredError):
            return AuthError("not logged in", **kw)
        if isinstance(e, ex.NetworkError):
            if resp is not None:  # 409/413/502
                if status == 413:
                    return RejectedError(f"{self.service} says the request is too large: {what}", **kw)
                return TransientError(f"{self.service} answered {status}: {what}", ambiguous=posting, **kw)
            sent = _was_sent(e)
            return TransientError(f"network error talking to {self.service}: "
                                  f"{type(e.__cause__ or e).__name__}", ambiguous=posting and sent,
                                  unreachable=True, **kw)
        if isinstance(e, ex.RequestException) and status is not None:
            if status >= 500:
                return TransientError(f"{self.service} answered {status}: {what}", ambiguous=posting, **kw)
            return RejectedError(f"{self.service} answered {status}: {what}", **kw)
        if isinstance(e, ValueError):  # a record the SDK's models refuse (too long, bad field)
            return RejectedError(f"invalid post: {redact.redact(str(e)).splitlines()[0]}", **kw)
        return TransientError(f"unexpected error: {type(e).__name__}: {redact.redact(str(e))}",
                              ambiguous=posting, **kw)


def _retry_after(e: Any) -> float:
    import time

    if e.retry_after is not None:
        return max(1.0, float(e.retry_after))
    if e.reset_at is not None:
        return max(1.0, cast(float, e.reset_at.timestamp()) - time.time())
    return 60.0


def _was_sent(e: BaseException) -> bool:
    import httpx

    return not isinstance(e.__cause__, httpx.ConnectError | httpx.ConnectTimeout)


def _digest(handle: str, password: str) -> str:
    return hashlib.sha256(f"{handle}\0{password}".encode()).hexdigest()


def _is_auth_failure(e: BaseException) -> bool:
    from atproto_client import exceptions as ex

    if isinstance(e, ex.UnauthorizedError | ex.LoginRequiredError):
        return True
    content = getattr(getattr(e, "response", None), "content", None)
    return getattr(content, "error", None) in ("ExpiredToken", "InvalidToken")


def _image_size(path: str) -> tuple[int, int]:
    try:
        from PIL import Image

        with Image.open(path) as im:
            return im.size
    except Exception:  # a hint only
        return 0, 0
