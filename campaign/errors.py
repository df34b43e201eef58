"""One exception tree for the whole library; the CLI alone turns these into messages.

    CampaignError
    ├── ConfigError        (problems: file, line, column, field, message)
    │   └── UnknownHighlightError   (section, highlight_id, index): an id the config names
    ├── ArticleError
    ├── UnknownPlatformError        (platform): no such platform, adapter or option
    ├── ComposeError       a draft that cannot fit its platform
    ├── CardError
    ├── PlanError          the schedule cannot place every draft
    ├── QueueError
    │   ├── LeaseLost      (job_id, owner): another worker holds the job now
    │   └── ReviewError    (job_id): an approval or rejection the review rules refuse
    ├── CredentialsError   a secrets file that is unsafe or unreadable
    └── AdapterError
        ├── AuthError          permanent: credentials missing, wrong or revoked
        ├── RejectedError      permanent: the platform refused this post
        │   └── TooLongError       refused as too long (limit, when the platform said it)
        └── TransientError     retry later (ambiguous: it may have landed; unreachable:
            │                  a timeout or connection failure)
            └── RateLimitedError   carries retry_after (seconds)
"""

from __future__ import annotations

from dataclasses import dataclass


class CampaignError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a config file, located as precisely as we can."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ConfigError(CampaignError):
    """The campaign YAML is broken or invalid; holds every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownHighlightError(ConfigError):
    """`highlights.pinned`/`exclude` names an id no candidate has.

    Carries `section` ("pinned" or "exclude"), `highlight_id` and the item's `index` in that
    list, so the caller can point at its line without reading the message.
    """

    def __init__(self, section: str, highlight_id: str, index: int | None, *, file: str = "<config>",
                 line: int | None = None, column: int | None = None):
        self.section = section
        self.highlight_id = highlight_id
        self.index = index
        super().__init__(Problem(file, line, column, f"highlights.{section}",
                                 f"unknown highlight id '{highlight_id}'; run `campaign extract` to list the ids"))


class UnknownPlatformError(CampaignError):
    """No platform, adapter or platform option of that name is installed; `platform` names it."""

    exit_code = 2

    def __init__(self, message: str, *, platform: str = ""):
        super().__init__(message)
        self.platform = platform


class PlanError(CampaignError):
    """The schedule cannot place every draft (or is given something it cannot read)."""


class CredentialsError(CampaignError):
    """The secrets file is readable by others, unreadable or malformed."""


class ArticleError(CampaignError):
    """The article cannot be read (missing, binary, too large, unreachable)."""


class ComposeError(CampaignError):
    """A draft cannot be made to fit its platform."""


class CardError(CampaignError):
    """A card cannot be rendered (quote too long, missing font or logo)."""


class QueueError(CampaignError):
    """The job store refused an operation (unknown job, wrong state)."""


class LeaseLost(QueueError):
    """The job is no longer this worker's `doing` job (another worker reclaimed it)."""

    def __init__(self, message: str, *, job_id: int | None = None, owner: str = ""):
        super().__init__(message)
        self.job_id = job_id
        self.owner = owner


class ReviewError(QueueError):
    """An approval or rejection the review rules refuse (a bulk approval of an uncertain
    speaker, a reviewer not in `reviewers:`, a second approval by the same person,
    a rejection without a note); `job_id` names the post."""

    def __init__(self, message: str, *, job_id: int | None = None):
        super().__init__(message)
        self.job_id = job_id


class AdapterError(CampaignError):
    """A platform call failed. `message` keeps the platform's own words."""

    def __init__(self, message: str, *, platform: str = "", account: str = ""):
        self.platform = platform
        self.account = account
        prefix = f"{account or platform}: " if (account or platform) else ""
        super().__init__(prefix + message)


class AuthError(AdapterError):
    """Permanent: credentials missing, wrong, revoked or lacking permission."""


class RejectedError(AdapterError):
    """Permanent: the platform refused this post (too long, duplicate, media).

    `possibly_posted`: refused as a duplicate, so an earlier attempt may have landed; the
    worker looks for it with `find` before calling the job failed.
    """

    def __init__(self, message: str, *, possibly_posted: bool = False, platform: str = "",
                 account: str = ""):
        super().__init__(message, platform=platform, account=account)
        self.possibly_posted = possibly_posted


class TooLongError(RejectedError):
    """The platform refused the text as too long, although it fitted the rules we counted with
    (a server counting URLs in full while advertising 23, a limit lowered since it was read).
    `limit`: the limit the platform gave, when it gave one. The worker re-fits the post once."""

    def __init__(self, message: str, *, limit: int | None = None, platform: str = "", account: str = ""):
        super().__init__(message, platform=platform, account=account)
        self.limit = limit


class TransientError(AdapterError):
    """Try again later (network, 5xx, processing). `ambiguous`: the post may have landed.
    `unreachable`: the platform did not answer (a timeout or a connection failure); the worker
    defers an account's other jobs after repeated ones."""

    def __init__(self, message: str, *, ambiguous: bool = False, unreachable: bool = False,
                 platform: str = "", account: str = ""):
        super().__init__(message, platform=platform, account=account)
        self.ambiguous = ambiguous
        self.unreachable = unreachable


class RateLimitedError(TransientError):
    """The platform asked us to wait `retry_after` seconds. `scope` names a limit wider than the
    account (e.g. every account of one X API key: the adapter's `rate_scope`); "" for the account."""

    def __init__(self, message: str, *, retry_after: float, platform: str = "", account: str = "",
                 scope: str = ""):
        super().__init__(message, platform=platform, account=account)
        self.retry_after = retry_after
        self.scope = scope
