"""The adapter contract and the registry that finds adapters through entry points.

An adapter class is registered under the entry-point group `campaign.adapters`
(name = platform name) and built with an `AdapterContext`. See DESIGN.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from campaign.errors import CampaignError
from campaign.models import AccountInfo, Draft, RemoteRef

GROUP = "campaign.adapters"


class PlatformRules(Protocol):
    """A platform's text rules (see `campaign.platforms`)."""

    name: str
    max_chars: int
    max_images: int
    max_image_bytes: int
    alt_max: int

    def length(self, text: str) -> int: ...

    def fits(self, text: str) -> bool: ...


@dataclass(frozen=True)
class AdapterContext:
    """What an adapter is built with: the account's name and settings, and where to keep state.

    `settings` is the account's YAML block as a dict (no secrets); `state_dir` is a
    private folder for caches such as Bluesky's session; `base_dir` is the
    campaign YAML's folder (relative paths, e.g. the outbox, resolve against it).
    """

    account: str
    platform: str
    settings: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    state_dir: Path = Path(".")
    base_dir: Path = Path(".")
    secrets_file: Path | None = None
    timeout: float = 30.0


@runtime_checkable
class Adapter(Protocol):
    """The plug for one platform."""

    name: ClassVar[str]
    credential_fields: ClassVar[tuple[str, ...]]
    rules: PlatformRules

    def check(self) -> AccountInfo:
        """Who am I? Raises AuthError with the exact problem."""
        ...

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        """Post `draft` (one part, its media) once; `key` is the job's idempotency key (a TID)."""
        ...

    def find(self, draft: Draft, *, key: str) -> RemoteRef | None:
        """Did an earlier, lost attempt with this key land? Its ref, or None."""
        ...


@cache
def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=GROUP)}


def available() -> list[str]:
    """Names of the installed adapters, built-in and plugins."""
    return sorted(_entry_points())


def adapter_class(platform: str) -> type:
    """The adapter class registered for `platform`."""
    eps = _entry_points()
    if platform not in eps:
        raise CampaignError(
            f"no adapter for platform '{platform}'; installed: {', '.join(sorted(eps)) or 'none'}"
        )
    try:
        return eps[platform].load()  # type: ignore[no-any-return]
    except Exception as e:  # a broken plugin must not take the CLI down
        raise CampaignError(f"adapter '{platform}' failed to load: {type(e).__name__}: {e}") from None


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
        settings=acct.model_dump(mode="json", exclude_none=True),
        language=acct.language or cfg.campaign.language,
        state_dir=state_root() / account,
        base_dir=cfg.base_dir,
        timeout=timeout,
    )


def create(ctx: AdapterContext) -> Adapter:
    """Build the adapter for an account."""
    return adapter_class(ctx.platform)(ctx)  # type: ignore[no-any-return]
