"""Frozen domain values passed between the stages (see DESIGN.md). Standard library only."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from campaign.errors import QueueError


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of the article body; `start`/`end` are offsets into `Article.text`."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence; `start`/`end` are offsets into `Article.text`, `paragraph` an index."""

    text: str
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True, slots=True)
class Article:
    """The readable body of an article, with its structure and metadata.

    `text` is the body: paragraphs joined by a blank line. Every offset in the
    pipeline (paragraphs, sentences, highlights) indexes into it.
    """

    text: str
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    source: str = ""
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    language: str = "en"


HighlightKind = Literal["quote", "sentence"]


@dataclass(frozen=True, slots=True)
class Highlight:
    """A span worth posting. `id` is a short stable hash of the normalized text.

    `start`/`end` index `Article.text`; both are -1 for an `extra:` quote the
    article does not contain. `role` is the speaker's title or function, if known.
    `confident` is False when the speaker is a plausible guess (a pronoun with rivals, a lone
    name nearby); `evidence` says in words how the speaker was found.
    """

    id: str
    kind: HighlightKind
    text: str
    speaker: str | None
    score: float
    start: int
    end: int
    role: str | None = None
    pinned: bool = False
    confident: bool = True
    evidence: str = ""

    @property
    def credited(self) -> str | None:
        """The speaker a post or card may name: a confident one, or one the organizer pinned.
        An uncertain speaker stays on the highlight (for review) but is never published unasked."""
        return self.speaker if (self.confident or self.pinned) else None


@dataclass(frozen=True, slots=True)
class MediaRef:
    """An image attached to a post, with the alt text to send beside it."""

    path: str
    alt: str
    mime: str = "image/png"
    width: int = 0
    height: int = 0


@dataclass(frozen=True, slots=True)
class Draft:
    """The text for one highlight on one account, already fitted to its platform.

    `parts` holds one string, or the ordered parts of a thread; `lengths[i]` is
    the platform's own length of `parts[i]`. Media go on the first part. `names` pairs each
    handle the text mentions for a person (from `people:`) with that person's name, so an
    adapter can write the name instead when the handle does not exist on the platform.
    """

    highlight_id: str
    account: str
    platform: str
    parts: tuple[str, ...]
    lengths: tuple[int, ...]
    limit: int
    media: tuple[MediaRef, ...] = ()
    language: str = "en"
    link: str | None = None
    warnings: tuple[str, ...] = ()
    names: tuple[tuple[str, str], ...] = ()  # (handle as written, the person's name)

    @property
    def text(self) -> str:
        """The first (often only) part."""
        return self.parts[0]

    def part(self, index: int) -> Draft:
        """A one-part Draft for part `index` of a thread (media only on part 0)."""
        return replace(
            self,
            parts=(self.parts[index],),
            lengths=(self.lengths[index],),
            media=self.media if index == 0 else (),
        )


@dataclass(frozen=True, slots=True)
class Card:
    """One rendered quote card image."""

    highlight_id: str
    size: str
    width: int
    height: int
    theme: str
    path: str
    bytes: int
    alt: str
    format: str = "png"


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """When one part of one draft goes out: an aware UTC time and the zone it was planned in."""

    draft: Draft
    part: int
    at: datetime
    zone: str
    notes: tuple[str, ...] = ()


JobStatus = Literal["todo", "doing", "succeeded", "failed", "cancelled"]
ReviewState = Literal["pending", "approved", "rejected"]


@dataclass(frozen=True, slots=True)
class ReviewContext:
    """What a reviewer needs beside a queued post, kept with the job so the review never
    re-reads the article: the highlight's words, its speaker, how the speaker was found
    (`evidence`, `confident`) and the article's sentence(s) the quote came from."""

    kind: str = "quote"
    quote: str = ""
    speaker: str | None = None
    confident: bool = True
    evidence: str = ""
    sentence: str = ""
    pinned: bool = False

    @property
    def uncertain(self) -> bool:
        """A speaker named on a guess: such a post is approved on its own, never in bulk."""
        return self.speaker is not None and not self.confident


@dataclass(frozen=True, slots=True)
class Job:
    """One part of one Draft queued for one account."""

    id: int
    campaign: str
    account: str
    platform: str
    highlight_id: str
    part: int
    parts: int
    dedupe_key: str
    status: JobStatus
    run_at: datetime
    zone: str
    draft: Draft
    attempts: int = 0
    locked_until: datetime | None = None
    last_error: str | None = None
    remote_id: str | None = None
    remote_url: str | None = None
    remote_extra: dict[str, str] = field(default_factory=dict)
    idempotency_key: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # review (`review: required`): the state, who approved the current content, the text of
    # this part when it was last approved (for a diff after an edit), the reviewer's context
    review: ReviewState = "pending"
    approvals: tuple[str, ...] = ()
    approved_text: str | None = None
    context: ReviewContext | None = None


@dataclass(frozen=True, slots=True)
class RemoteRef:
    """Where a post landed: its id, public URL, and platform extras (Bluesky uri/cid)."""

    id: str
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


PublishResult = RemoteRef


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """Who an account posts as, as the platform reports it."""

    account: str
    platform: str
    handle: str
    display_name: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Metrics:
    """Engagement of one published post as its platform reported it at `fetched_at`.

    `quotes` is None where the platform does not count them; `gone` marks a post deleted on
    the platform (its counts are then 0); `simulated` marks made-up figures (the outbox)."""

    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int | None = None
    gone: bool = False
    simulated: bool = False
    fetched_at: datetime | None = None

    @property
    def engagement(self) -> int:
        """Likes, reposts, replies and quotes together."""
        return self.likes + self.reposts + self.replies + (self.quotes or 0)


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    """One stored reading of a job's metrics (`at`: when it was fetched, UTC)."""

    id: int
    job_id: int
    at: datetime
    metrics: Metrics


def utc(dt: datetime) -> datetime:
    """`dt` as aware UTC; a naive time is refused (it would be a silent DST bug)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise QueueError(f"naive datetime {dt.isoformat()}: give a time zone")
    return dt.astimezone(UTC)
