"""The optional adapter capability `metrics(refs)`: engagement figures of published posts.

    def metrics(self, refs: list[RemoteRef]) -> dict[str, Metrics]: ...

Given the refs `publish` returned, return one `campaign.models.Metrics` per ref, keyed by
`ref.id`: likes, reposts, replies and (where the platform counts them) quotes. A post the
platform no longer has is `Metrics(gone=True)`, never an error. A failure of the whole call
raises from the usual tree (`RateLimitedError` with `retry_after`, `AuthError`,
`TransientError`, ...); `campaign report` then names the account and reports the rest.
`metrics_batch` (a class attribute, optional) is how many refs one call should be given.

The built-ins' mixins are here, one per platform, so the adapters' own modules stay small:
- Mastodon (and servers speaking its API): `GET /api/v1/statuses?id[]=...`, 20 posts a call
  (Mastodon 4.3+; a status left out → gone), else `GET /api/v1/statuses/:id` one by one on a
  server without it (404 → gone): `favourites_count`, `reblogs_count`, `replies_count`.
- Bluesky: `app.bsky.feed.getPosts`, 25 URIs a call (`likeCount`, `repostCount`,
  `replyCount`, `quoteCount`); a URI missing from the answer → gone. The PDS forwards the call
  to its AppView; when none answers (none configured: 501; unreachable: 502 UpstreamFailure, as
  on the dev-env PDS the tests run) the error says so.
- X: `GET /2/tweets` with `tweet.fields=public_metrics`, 100 ids a call; an id in `errors`
  as not found → gone. An API tier that cannot read posts (402/403) is named as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from campaign import redact
from campaign.errors import AdapterError
from campaign.models import Metrics, RemoteRef

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from campaign.publish.adapters.base import AdapterContext

BLUESKY_BATCH = 25  # app.bsky.feed.getPosts takes at most 25 URIs
X_BATCH = 100  # GET /2/tweets takes at most 100 ids
MASTODON_BATCH = 40  # how many the report hands over at a time
MASTODON_MULTI = 20  # GET /api/v1/statuses takes at most 20 ids (Mastodon 4.3+)
# what a PDS with no AppView behind it answers to app.bsky.* reads
_NO_APPVIEW = re.compile(r"MethodNotImplemented|answered 501|UpstreamFailure|no service configured|"
                         r"could not resolve proxy", re.IGNORECASE)


def chunks(refs: list[RemoteRef], size: int) -> Iterator[list[RemoteRef]]:
    for i in range(0, len(refs), size):
        yield refs[i:i + size]


def _count(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


class MastodonMetrics:
    """`metrics` for `MastodonAdapter`: `GET /api/v1/statuses?id[]=...` (Mastodon 4.3+, 20 a
    call), else, on a server without it, each status by itself."""

    metrics_batch: ClassVar[int] = MASTODON_BATCH
    _no_multi: bool = False  # the server has no batch endpoint: one call per status

    if TYPE_CHECKING:
        ctx: AdapterContext
        instance: str

        def _api(self) -> Any: ...
        def _map(self, e: BaseException, *, api: Any, doing: str, ambiguous: bool = False,
                 verifying: bool = False, replying: bool = False) -> AdapterError: ...

    def metrics(self, refs: list[RemoteRef]) -> dict[str, Metrics]:
        """Favourites, boosts and replies of each status; a status the server leaves out of the
        batch, or answers 404 for, was deleted: gone."""
        api = self._api()
        out: dict[str, Metrics] = {}
        for chunk in chunks(refs, MASTODON_MULTI):
            found = None if self._no_multi else self._multi(api, chunk)
            if found is None:  # a server without the batch endpoint (before Mastodon 4.3, others)
                self._no_multi = True
                found = {}
                for ref in chunk:
                    one = self._one(api, ref.id)
                    if one is not None:
                        found[ref.id] = one
            for ref in chunk:
                status = found.get(ref.id)
                out[ref.id] = Metrics(gone=True) if status is None else Metrics(
                    likes=_count(status.get("favourites_count")), reposts=_count(status.get("reblogs_count")),
                    replies=_count(status.get("replies_count")))
        return out

    def _multi(self, api: Any, chunk: list[RemoteRef]) -> dict[str, Any] | None:
        """The statuses by id from one batch call; None when the server has no such endpoint."""
        from mastodon import MastodonAPIError, MastodonNotFoundError, MastodonServerError

        try:
            statuses = api.statuses([ref.id for ref in chunk])
        except MastodonNotFoundError:
            return None
        except MastodonAPIError as e:
            args: tuple[Any, ...] = tuple(getattr(e, "args", ()))
            code = args[1] if len(args) > 1 else None  # Mastodon.py: (message, status, reason, error)
            if code == 501 or (not isinstance(e, MastodonServerError) and code in (400, 405, 422)):
                return None
            raise self._map(e, api=api, doing="reading the posts' counts") from None
        except Exception as e:
            raise self._map(e, api=api, doing="reading the posts' counts") from None
        if not isinstance(statuses, list):
            return None
        return {str(s.get("id")): s for s in statuses if isinstance(s, dict)}

    def _one(self, api: Any, status_id: str) -> Any:
        from mastodon import MastodonNotFoundError

        try:
            return api.status(status_id)
        except MastodonNotFoundError:
            return None
        except Exception as e:
            raise self._map(e, api=api, doing="reading the posts' counts") from None


class BlueskyMetrics:
    """`metrics` for `BlueskyAdapter`: `app.bsky.feed.getPosts`, 25 URIs a call."""

    metrics_batch: ClassVar[int] = BLUESKY_BATCH

    if TYPE_CHECKING:
        ctx: AdapterContext
        service: str
        name: ClassVar[str]

        def _call(self, fn: Any, *, posting: bool = False) -> Any: ...

    def metrics(self, refs: list[RemoteRef]) -> dict[str, Metrics]:
        """Likes, reposts, replies and quotes from the AppView; a post it leaves out is gone."""
        out: dict[str, Metrics] = {}
        for chunk in chunks(refs, BLUESKY_BATCH):
            uris = [ref.extra.get("uri") or ref.id for ref in chunk]
            try:
                answer = self._call(lambda c, uris=uris: c.app.bsky.feed.get_posts({"uris": uris}))
            except AdapterError as e:
                if _NO_APPVIEW.search(str(e)):
                    raise AdapterError(f"cannot read post counts: no AppView answered app.bsky.feed.getPosts "
                                       f"through {self.service} ({str(e).split(': ', 1)[-1]})",
                                       platform=self.name, account=self.ctx.account) from None
                raise
            views = {str(p.uri): p for p in (getattr(answer, "posts", None) or [])}
            for ref, uri in zip(chunk, uris, strict=True):
                view = views.get(uri)
                if view is None:
                    out[ref.id] = Metrics(gone=True)
                    continue
                quotes = getattr(view, "quote_count", None)
                out[ref.id] = Metrics(likes=_count(view.like_count), reposts=_count(view.repost_count),
                                      replies=_count(view.reply_count),
                                      quotes=None if quotes is None else _count(quotes))
        return out


class XMetrics:
    """`metrics` for `XAdapter`: `public_metrics` through tweepy's `get_tweets`, 100 ids a call."""

    metrics_batch: ClassVar[int] = X_BATCH

    if TYPE_CHECKING:
        ctx: AdapterContext
        name: ClassVar[str]

        def _sdk(self) -> tuple[Any, Any, Any]: ...
        def _calling(self, what: str, *, stage: str) -> AbstractContextManager[None]: ...

    def metrics(self, refs: list[RemoteRef]) -> dict[str, Metrics]:
        """Likes, reposts, replies and quotes of each post; a post X reports not found is gone.

        An API tier that cannot read posts (X answers 402 or 403 to `GET /2/tweets`) raises an
        AdapterError that names the account and says so."""
        import tweepy

        client, _, _ = self._sdk()
        out: dict[str, Metrics] = {}
        for chunk in chunks(refs, X_BATCH):
            ids = [ref.id for ref in chunk]
            with self._calling("reading the posts' metrics", stage="read"):
                try:
                    answer = client.get_tweets(ids, tweet_fields=["public_metrics"], user_auth=True)
                except tweepy.errors.HTTPException as e:
                    status = int(getattr(e.response, "status_code", 0) or 0)
                    if status in (402, 403) and "oauth1" not in str(e).lower():
                        said = redact.redact(" ".join(str(m) for m in (e.api_messages or [])) or str(e))
                        raise AdapterError(
                            f"the X API tier of account '{self.ctx.account}' cannot read post metrics "
                            f"(GET /2/tweets answered {status}: {said}); reading them needs the Basic "
                            "tier or above, or pay-per-use credits", platform=self.name,
                            account=self.ctx.account) from None
                    raise
            found: dict[str, Any] = {}
            for tweet in answer.data or []:
                get = tweet.get if isinstance(tweet, dict) else (lambda k, t=tweet: getattr(t, k, None))
                found[str(get("id"))] = get("public_metrics") or {}
            for ref in chunk:
                pm = found.get(ref.id)
                if pm is None:  # in `errors` (deleted, or not visible to this account)
                    out[ref.id] = Metrics(gone=True)
                    continue
                out[ref.id] = Metrics(likes=_count(pm.get("like_count")), reposts=_count(pm.get("retweet_count")),
                                      replies=_count(pm.get("reply_count")), quotes=_count(pm.get("quote_count")))
        return out


def simulated(post_id: str, highlight_id: str, simulate: str | None, hours: float) -> Metrics:
    """Deterministic made-up figures for an outbox post, `hours` after it was published.

    Each post gets its own reach from a hash of its id, scaled by its highlight's appeal (a hash
    of the highlight id, the same on every account, so a quote "travels" across platforms as a
    real one would); counts start at a quarter of the reach and grow towards it over about a
    day, never going down. Quotes only where the simulated platform counts them (not Mastodon).
    """
    import hashlib
    import math

    def unit(text: str) -> float:
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64

    appeal = 0.3 + 2.2 * unit(f"appeal:{highlight_id}") ** 2
    reach = (20 + 180 * unit(f"reach:{post_id}")) * appeal * {"x": 1.4, "bluesky": 1.0}.get(simulate or "", 0.7)
    grown = reach * (0.25 + 0.75 * (1 - math.exp(-max(0.0, hours) / 8)))
    likes = int(grown)
    quotes = None if simulate == "mastodon" else int(grown * (0.02 + 0.04 * unit(f"quotes:{post_id}")))
    return Metrics(likes=likes, reposts=int(grown * (0.12 + 0.2 * unit(f"reposts:{post_id}"))),
                   replies=int(grown * (0.04 + 0.08 * unit(f"replies:{post_id}"))), quotes=quotes,
                   simulated=True)
