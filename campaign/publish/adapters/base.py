"""The adapter contract, and the registry that finds adapters through entry points.

An adapter is the plug for one platform. Built-ins and plugins register the same way, under
the entry-point group `campaign.adapters` (name = platform name), and are built with an
`AdapterContext`. docs/adapters.md is the guide for plugin authors.

What the worker does with each exception an adapter raises (from `publish`, `find`, `check`):

    AuthError          the job fails with the message (fix the account, then `retry --failed`)
    RejectedError      the job fails with the platform's reason; with `possibly_posted=True`
                       (refused as a duplicate) the worker first asks `find` and, if it
                       landed, records it as sent
    TooLongError       (a RejectedError) refused as too long although it fitted `rules`: the
                       post is composed again once under a stricter count and queued in
                       place of its unsent thread (`campaign.posts.refit`), else it fails
    RateLimitedError   the job goes back to the queue until `retry_after` seconds have passed
    TransientError     retried with backoff; with `ambiguous=True` (the request may have been
                       received: a timeout after sending) the retry starts with `find`; with
                       `unreachable=True` (no answer: a timeout, a refused connection), two in
                       a row defer the account's other jobs to the next run
    anything else      treated as an ambiguous TransientError (a bug: its type is recorded)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from campaign.errors import UnknownPlatformError
from campaign.models import AccountInfo, Draft, RemoteRef
from campaign.platforms import Rules

#: how much earlier than a post's first attempt (or its key's minting) `find` looks: the clocks of
#: workers, the queueing machine and the platform may disagree
FIND_SKEW = timedelta(minutes=15)


@dataclass(frozen=True)
class AdapterContext:
    """What an adapter is built with: the account's name and settings, and where to keep state.

    `settings` is the account's YAML block as a dict (no secrets ever: those come from
    `credentials()`); `state_dir` is a private folder for caches such as a session;
    `base_dir` is the campaign YAML's folder (relative paths resolve against it);
    `timeout` bounds every network call, in seconds.
    """

    account: str
    platform: str
    settings: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    state_dir: Path = Path(".")
    base_dir: Path = Path(".")
    secrets_file: Path | None = None
    timeout: float = 30.0

    def credentials(self, required: tuple[str, ...], *, optional: tuple[str, ...] = (),
                    prefix: str | None = None) -> Any:
        """The account's secrets: `CAMPAIGN_<ACCOUNT>_<FIELD>` (or `<PREFIX>_<FIELD>`) from the
        environment, else the 0600 secrets file. Returns a `Credentials` mapping (`creds["token"]`,
        `creds.get(...)`); every value is registered for redaction. Raises AuthError naming
        each missing variable, never a value."""
        from campaign.publish.credentials import lookup

        return lookup(self.account, required, optional=optional,
                      prefix=prefix or self.settings.get("credentials") or None,
                      secrets_file=self.secrets_file)


@runtime_checkable
class Adapter(Protocol):
    """The plug for one platform.

    `name` is the platform name it registers under; `credential_fields` the secrets it needs
    (listed by `campaign accounts`, prompted by `accounts login`); `rules` its `Rules` (what
    the composer fits drafts to: see `campaign.platforms.rules`). The constructor takes an
    `AdapterContext` and must not touch the network.
    """

    name: ClassVar[str]
    credential_fields: ClassVar[tuple[str, ...]]
    rules: Rules

    def check(self) -> AccountInfo:
        """Who am I? One cheap authenticated call. Raises AuthError with the exact problem."""
        ...

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        """Post one part (`draft.text`, `draft.media` with alt text) exactly once.

        `key` is the job's idempotency key (a TID, the same on every retry of the job): send it
        where the platform supports one (Mastodon's Idempotency-Key header, a Bluesky record
        key), and make `find` able to recognise the post by it or by its text. `reply_to` is
        the previous part of a thread. Returns the post's id and public URL.
        """
        ...

    def find(self, draft: Draft, *, key: str) -> RemoteRef | None:
        """Did an earlier attempt with this key land? Its ref, or None if it certainly did not.

        Called before retrying an attempt whose answer was lost. Raise TransientError when
        the platform cannot tell now: the worker then tries again later rather than send twice.
        """
        ...

    def close(self) -> None:
        """Release connections and sessions; called once when the worker stops."""
        ...


@dataclass(frozen=True, slots=True)
class Installed:
    """One adapter registered in the entry-point group: its name, target and distribution."""

    name: str
    target: str
    distribution: str | None

    @property
    def builtin(self) -> bool:
        return (self.distribution or "").lower() == "campaign"


def _entry_points() -> dict[str, EntryPoint]:
    from campaign import platforms

    return platforms.entry_points()


def refresh() -> None:
    """Read the installed distributions again (after installing or removing a plugin)."""
    from campaign import platforms

    platforms.refresh()


def installed() -> list[Installed]:
    """Every installed adapter, built-in and plugin, by name."""
    out = []
    for name, ep in sorted(_entry_points().items()):
        dist = getattr(getattr(ep, "dist", None), "name", None)
        out.append(Installed(name, ep.value, dist))
    return out


def available() -> list[str]:
    """Names of the installed adapters, built-in and plugins."""
    return sorted(_entry_points())


def adapter_class(platform: str) -> type:
    """The adapter class registered for `platform`."""
    eps = _entry_points()
    if platform not in eps:
        raise UnknownPlatformError(
            f"no adapter for platform '{platform}'; installed: {', '.join(sorted(eps)) or 'none'}",
            platform=platform)
    try:
        return eps[platform].load()  # type: ignore[no-any-return]
    except Exception as e:  # a broken plugin must not take the CLI down
        raise UnknownPlatformError(f"adapter '{platform}' failed to load: {type(e).__name__}: {e}",
                                   platform=platform) from None


def state_root() -> Path:
    """Where adapters keep per-account state (sessions, instance limits): the user data folder."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("campaign")) / "state"


def context_for(cfg: Any, account: str, *, timeout: float = 30.0) -> AdapterContext:
    """The AdapterContext for `account` of a loaded CampaignConfig (as the worker builds it)."""
    acct = cfg.accounts[account]
    return AdapterContext(
        account=account,
        platform=acct.platform,
        settings=cfg.account_settings(account),  # an outbox's folder as `campaign run` writes it
        language=acct.language or cfg.campaign.language,
        state_dir=state_root() / account,
        base_dir=cfg.base_dir,
        timeout=timeout,
    )


def create(ctx: AdapterContext) -> Adapter:
    """Build the adapter for an account."""
    return adapter_class(ctx.platform)(ctx)  # type: ignore[no-any-return]


def close(adapter: Any) -> None:
    """Call the adapter's `close()` if it has one (plugins written before it was required)."""
    closer = getattr(adapter, "close", None)
    if callable(closer):
        closer()
