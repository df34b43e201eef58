"""The campaign YAML schema: one pydantic model per section, every one `extra="forbid"`."""

from __future__ import annotations

import difflib
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from campaign.config.types import (
    Clock,
    DateOrDuration,
    Duration,
    Language,
    LocalDateTime,
    Zone,
)

# The built-in card themes (campaign.cards.themes draws them; a test keeps the two in step).
THEME_NAMES = ("dark", "paper", "photo", "light")
SIZE_PRESETS = {
    "square": (1080, 1080),
    "portrait": (1080, 1350),
    "landscape": (1200, 675),
    "story": (1080, 1920),
    "og": (1200, 630),
}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

class Strict(BaseModel):
    """Base for every section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- sections ------------------------------------------------------------------------------


class CampaignSection(Strict):
    name: str = Field(max_length=200)
    slug: str = Field(default="", pattern=r"^$|^[a-z0-9][a-z0-9-]*$")
    language: Language = "en"
    timezone: Zone = "UTC"

    @model_validator(mode="after")
    def _default_slug(self) -> CampaignSection:
        if not self.slug:
            slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "campaign"
            object.__setattr__(self, "slug", slug[:60])
        return self


#: caps on free-text fields: a campaign has no use for more, and every stage stays fast under them
MAX_QUOTE = 5_000
MAX_NAME = 200
MAX_TEXT = 1_000
MAX_URL = 2_000
# Bidi embeddings, overrides and isolates (U+202E turns "gpj.exe" into "exe.jpg"); cards leave them out too.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _no_bidi_controls(v: Any) -> Any:
    """Bidi overrides (U+202E) reorder what follows them: never in a name shown on posts and cards."""
    return BIDI_CONTROLS.sub("", v) if isinstance(v, str) else v


Name = Annotated[str, BeforeValidator(_no_bidi_controls), Field(max_length=MAX_NAME)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]


def web_link(value: str) -> str:
    """An https link (http is accepted, with a warning from `CampaignConfig.warnings`); any
    other scheme (javascript:, data:, file:, ftp:) is refused, as are spaces and control characters."""
    from urllib.parse import urlsplit

    v = value.strip()
    try:
        parts = urlsplit(v)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        parts = None
    if (parts is None or parts.scheme.lower() not in ("https", "http") or not parts.hostname
            or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in v)):
        raise ValueError(f"'{v[:80]}' is not a web link; use https://...")
    return v


class ArticleSection(Strict):
    source: str = Field(description="Path (relative to the YAML file) or http(s) URL", max_length=MAX_URL)
    title: Text | None = None
    author: Name | None = None
    url: str | None = Field(default=None, description="The link posts point to", max_length=MAX_URL)
    exclude: list[Text] = Field(
        default_factory=list,
        description="Paragraphs starting with any of these texts are left out of the body",
    )

    @field_validator("url")
    @classmethod
    def _link(cls, v: str | None) -> str | None:
        return None if v is None else web_link(v)

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if v.lower().startswith(("http://", "https://")):
            web_link(v)  # `http://[::1`, a space in the host...
        elif v.lower().startswith(("javascript:", "data:")):
            raise ValueError(f"'{v[:80]}': only http:// and https:// URLs can be read")
        return v

    @property
    def is_url(self) -> bool:
        return self.source.startswith(("http://", "https://"))


class AutoHighlights(Strict):
    count: int = Field(default=6, ge=0, le=100)
    min_length: int = Field(default=40, ge=1, le=MAX_QUOTE)
    max_length: int = Field(default=220, ge=10, le=MAX_QUOTE)
    quotes_only: bool = False

    @model_validator(mode="after")
    def _range(self) -> AutoHighlights:
        if self.min_length > self.max_length:
            raise ValueError(
                f"min_length ({self.min_length}) is more than max_length ({self.max_length}): no quote could fit"
            )
        return self


# What is invisible on a card: spaces, zero-width characters, bidi marks and controls.
INVISIBLE = re.compile("[\\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad\u034f]+")


def _visible(v: str | None) -> str | None:
    if v is not None and not INVISIBLE.sub("", v):
        raise ValueError("the quote has no visible characters (only spaces, zero-width or bidi controls)")
    return v


class ExtraQuote(Strict):
    """A quote the article does not contain, with who said it."""

    text: str = Field(min_length=1, max_length=MAX_QUOTE)
    speaker: Name | None = None
    role: Text | None = None

    _text = field_validator("text")(_visible)


class LiteralQuote(Strict):
    """A quote by its words; or, with `id`, a found highlight edited (text, speaker or role)."""

    id: str | None = Field(default=None, description="A highlight id from `campaign extract`, to edit it")
    text: str | None = Field(default=None, min_length=1, max_length=MAX_QUOTE)
    speaker: Name | None = None
    role: Text | None = None

    _text = field_validator("text")(_visible)

    @model_validator(mode="after")
    def _needs_text_or_id(self) -> LiteralQuote:
        if self.text is None and self.id is None:
            raise ValueError("give the quote's text, or the id of a highlight to edit")
        return self


class HighlightsSection(Strict):
    auto: AutoHighlights = AutoHighlights()
    pinned: list[str | LiteralQuote] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    extra: list[ExtraQuote] = Field(default_factory=list)


class Handles(Strict):
    """A person's handle on each platform, written as that platform writes handles: x `@name`,
    mastodon `@user@instance`, bluesky `@name.bsky.social`; any installed plugin platform by
    its name (e.g. `echo: "@name"`); and an optional `role` shown after their name."""

    model_config = ConfigDict(extra="allow")

    x: str | None = None
    mastodon: str | None = None
    bluesky: str | None = None
    role: str | None = None

    @field_validator("x", "mastodon", "bluesky")
    @classmethod
    def _handle(cls, v: str | None, info: Any) -> str | None:
        return None if v is None else _valid_handle(info.field_name, v)

    @model_validator(mode="before")
    @classmethod
    def _plugin_handles(cls, data: Any) -> Any:
        """Handles on plugin platforms: the platform must be installed, the handle well written."""
        if not isinstance(data, dict):
            return data
        from campaign import platforms
        from campaign.errors import UnknownPlatformError

        out = dict(data)
        for key, value in data.items():
            if key in cls.model_fields:
                continue
            if key not in platforms.names():
                from campaign.config.problems import PLATFORM_ALIASES, did_you_mean

                hint = did_you_mean(str(key), platforms.names(), PLATFORM_ALIASES)
                raise ValueError(f"unknown platform '{key}'{hint}; known: {', '.join(platforms.names())}")
            if not isinstance(value, str):
                raise ValueError(f"{key}: a handle is text, like @name")
            try:
                out[key] = _valid_handle(key, value)
            except UnknownPlatformError as e:
                raise ValueError(str(e)) from None
        return out

    def handle(self, platform: str) -> str | None:
        """The handle on `platform`, or None."""
        value = getattr(self, platform, None) if platform != "role" else None
        return value if isinstance(value, str) else None

    def platforms(self) -> list[str]:
        """The platforms this person has a handle on."""
        named = [p for p in type(self).model_fields if p != "role" and getattr(self, p)]
        return named + [k for k, v in (self.model_extra or {}).items() if v]


def _valid_handle(platform: str, value: str) -> str:
    """`value` with a leading @, checked against the platform's declared handle pattern."""
    from campaign import platforms

    v = value.strip()
    if not v.startswith("@"):
        v = "@" + v
    rules = platforms.get(platform)
    if not rules.valid_handle(v):
        article = "an" if rules.title[:1].lower() in "aeiox" else "a"
        raise ValueError(f"'{v}' is not {article} {platform} handle like {rules.handle_example}")
    return v


class Hashtag(Strict):
    tag: str
    optional: bool = False


def _hashtag(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        raise ValueError(f"'{value}' is not a hashtag: a tag needs a letter; write it as text, e.g. \"Vote{value}\"")
    if isinstance(value, str):
        if len(value) > 100:
            raise ValueError(f"too long for a hashtag ({len(value)} characters; the limit is 100)")
        optional = value.endswith("?")
        tag = value.rstrip("?").lstrip("#")
        if not re.fullmatch(r"\w+", tag) or tag.isdigit():
            raise ValueError(f"'{value}' is not a hashtag (letters, digits and _ only, not all digits)")
        return {"tag": tag, "optional": optional}
    return value


HashtagItem = Annotated[Hashtag, BeforeValidator(_hashtag)]


class LinkTracking(Strict):
    enabled: bool = True
    medium: str = "social"
    campaign: str | None = Field(default=None, description="utm_campaign; the campaign slug by default")
    content: bool = Field(default=False, description="add utm_content=<highlight id>")


class ThreadPolicy(Strict):
    allow: bool = True
    max_parts: int = Field(default=4, ge=2, le=25)
    numbering: str = "{n}/{total}"

    @field_validator("numbering")
    @classmethod
    def _numbering(cls, v: str) -> str:
        if len(v) > 40:
            raise ValueError(f"too long ({len(v)} characters; the limit is 40)")
        if any(len(d) > 2 for d in re.findall(r"\d+", "".join(re.findall(r"\{[^{}]*\}", v)))):
            raise ValueError(f"'{v}': a width or precision in a part number is at most 99")
        try:
            v.format(n=1, total=2)
        except (KeyError, IndexError, ValueError, AttributeError):
            raise ValueError(
                f"'{v}' is not a part number pattern; use {{n}} and {{total}}, e.g. '{{n}}/{{total}}'"
            ) from None
        return v


class PlatformPosts(Strict):
    """Per-platform overrides of the post settings."""

    templates: list[str] | None = None
    hashtags: list[HashtagItem] | None = None
    mentions: list[str] | None = None
    threads: ThreadPolicy | None = None


PLACEHOLDERS = ("quote", "speaker", "link", "hashtags", "title", "role", "mentions")


def _check_template(t: str) -> str:
    if len(t) > MAX_TEXT:
        raise ValueError(f"too long for a template ({len(t)} characters; the limit is {MAX_TEXT})")
    stray = re.sub(r"\{[^{}]*\}", "", t)
    if "{" in stray or "}" in stray:
        mark = "{" if "{" in stray else "}"
        raise ValueError(
            f"unbalanced '{mark}' in the template; placeholders are written {{quote}}, {{speaker}}, ..."
        )
    names = re.findall(r"\{([^{}]*)\}", t)
    for n in names:
        if n not in PLACEHOLDERS:
            close = difflib.get_close_matches(n, PLACEHOLDERS, n=1)
            hint = f" (did you mean {{{close[0]}}}?)" if close else ""
            raise ValueError(
                f"unknown placeholder {{{n}}}{hint}; use " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            )
    if "{quote}" not in t:
        raise ValueError("a template needs {quote}")
    return t


Template = Annotated[str, BeforeValidator(lambda v: _check_template(v) if isinstance(v, str) else v)]

DEFAULT_TEMPLATES = [
    "“{quote}” — {speaker}\n\n{hashtags} {link}",
    "“{quote}” — {speaker} {hashtags} {link}",
    "“{quote}” — {speaker} {link}",
]


class PostsSection(Strict):
    templates: list[Template] = Field(default_factory=lambda: list(DEFAULT_TEMPLATES), min_length=1)
    sentence_templates: list[Template] | None = Field(
        default=None, description="Templates for key sentences (no speaker); default: the quote ones"
    )
    hashtags: list[HashtagItem] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list, description="Handles tagged in every post")
    people: dict[str, Handles] = Field(default_factory=dict)
    link: LinkTracking = LinkTracking()
    threads: ThreadPolicy = ThreadPolicy()
    platforms: dict[str, PlatformPosts] = Field(default_factory=dict)

    def person(self, name: str | None) -> Handles | None:
        """The `people:` entry for a speaker, matched exactly or ignoring case."""
        if not name:
            return None
        found = self.people.get(name)
        if found is None:
            found = next((v for k, v in self.people.items() if k.casefold() == name.casefold()), None)
        return found

    def role_of(self, name: str | None, fallback: str | None = None) -> str | None:
        """A speaker's role: the organizer's `people:` role wins over the one read in the article."""
        entry = self.person(name)
        return (entry.role if entry and entry.role else None) or fallback


class Theme(Strict):
    """A card theme: a built-in name as `base`, with any field overridden."""

    base: str = "dark"
    background: str | None = Field(default=None, description="#rrggbb")
    gradient: list[str] | None = Field(default=None, description="two or more #rrggbb, top to bottom")
    image: str | None = Field(default=None, description="background image, cover-cropped")
    text_color: str | None = None
    accent: str | None = None
    font: str | None = Field(default=None, description="font family: sans, serif, or a .ttf/.otf path")
    weight: Literal["regular", "bold"] | None = None
    align: Literal["left", "center", "right"] | None = None
    logo: str | None = None
    logo_corner: Literal["top-left", "top-right", "bottom-left", "bottom-right"] | None = None
    quote_mark: Literal["curly", "guillemet", "none", "bar"] | None = None

    @field_validator("background", "text_color", "accent")
    @classmethod
    def _colour(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"#[0-9a-fA-F]{6}", v):
            raise ValueError(f"'{v}' is not a colour like #1a2b3c")
        return v

    @field_validator("gradient")
    @classmethod
    def _gradient(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            if len(v) < 2:
                raise ValueError("a gradient needs at least two colours")
            for c in v:
                cls._colour(c)
        return v


def _theme(value: Any) -> Any:
    return {"base": value} if isinstance(value, str) else value


def _size(value: Any) -> Any:
    if isinstance(value, str) and value not in SIZE_PRESETS:
        m = re.fullmatch(r"(\d+)\s*[x×]\s*(\d+)", value.strip().lower())
        if not m:
            close = difflib.get_close_matches(value, SIZE_PRESETS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"unknown size '{value}'{hint}; use {', '.join(SIZE_PRESETS)} or WxH")
        w, h = int(m.group(1)), int(m.group(2))
        if not (200 <= w <= 4096 and 200 <= h <= 4096):
            raise ValueError(f"size {value} out of range (200 to 4096 pixels a side)")
        return f"{w}x{h}"
    return value


class CardsSection(Strict):
    enabled: bool = True
    theme: Annotated[Theme, BeforeValidator(_theme)] = Theme()
    sizes: list[Annotated[str, BeforeValidator(_size)]] | None = Field(
        default=None, description="Default: the sizes the accounts' platforms want"
    )
    format: Literal["png", "jpeg"] = "png"
    source_line: str | None = Field(default=None, description="Small line under the speaker", max_length=MAX_TEXT)
    footer: str | None = Field(default=None, description="Handle or URL shown on the card", max_length=MAX_TEXT)
    alt: dict[str, str] = Field(default_factory=dict, description="Alt text overrides by highlight id")


class RateLimit(Strict):
    posts: int = Field(ge=1, le=1_000_000)
    per: Duration

    @field_validator("per")
    @classmethod
    def _per(cls, v: timedelta) -> timedelta:
        if v < timedelta(seconds=1):
            raise ValueError("a rate limit's period is at least 1s (e.g. 5/1h)")
        return v


def _rate(value: Any) -> Any:
    if isinstance(value, str) and "/" in value:
        n, per = value.split("/", 1)
        return {"posts": n.strip(), "per": per.strip()}
    return value


class Account(Strict):
    platform: str
    handle: str | None = None
    instance: str | None = Field(default=None, description="Mastodon instance URL")
    service: str | None = Field(default=None, description="Bluesky PDS URL (default https://bsky.social)")
    visibility: Literal["public", "unlisted", "private", "direct"] | None = None
    language: Language | None = None
    content_warning: str | None = None
    path: str | None = Field(default=None, description="outbox folder")
    simulate: str | None = Field(
        default=None, description="outbox only: compose with this platform's text rules (x, mastodon, bluesky)"
    )
    credentials: str | None = Field(
        default=None, description="Env var prefix; default CAMPAIGN_<ACCOUNT>_"
    )
    rate_limit: Annotated[RateLimit, BeforeValidator(_rate)] | None = None
    enabled: bool = True
    settings: dict[str, Any] = Field(default_factory=dict, description="Plugin adapters' own settings")

    @field_validator("instance", "service")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", v):
            raise ValueError(f"'{v}' is not a URL like https://example.social")
        return v.rstrip("/") if v else v

    @property
    def rules_platform(self) -> str:
        """Whose text rules apply: the platform, or the one an outbox account simulates."""
        return self.simulate or self.platform


class Slot(Strict):
    days: list[str] = Field(default_factory=lambda: list(DAYS))
    times: list[Clock] = Field(min_length=1)

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [v]
        out: list[str] = []
        for d in v or []:
            key = str(d).strip().lower()
            if key in ("weekdays", "weekday"):
                out += DAYS[:5]
            elif key in ("weekend", "weekends"):
                out += DAYS[5:]
            elif key in ("daily", "every day", "all"):
                out += DAYS
            elif key[:3] in DAYS:
                out.append(key[:3])
            else:
                raise ValueError(f"'{d}' is not a day; use mon..sun, weekdays, weekend or daily")
        return out


class Schedule(Strict):
    start: LocalDateTime | Literal["now"] = "now"
    end: DateOrDuration | None = Field(
        default=None, description="A date and time, or a duration after start such as 7d"
    )
    timezone: Zone | None = Field(default=None, description="Default: campaign.timezone")
    slots: list[Slot] = Field(
        default_factory=lambda: [Slot(days=list(DAYS[:5]), times=[time(9), time(18)])], min_length=1
    )
    spacing: Duration = Field(default=timedelta(hours=2), description="Minimum gap per account")
    stagger: Duration = Field(default=timedelta(minutes=10), description="Offset between accounts")
    thread_gap: Duration = Field(default=timedelta(seconds=0), description="Gap between thread parts")
    jitter: Duration = Field(default=timedelta(0))
    seed: int = 0
    at: dict[str, LocalDateTime] = Field(
        default_factory=dict, description="Explicit times by highlight id"
    )

    @model_validator(mode="after")
    def _order(self) -> Schedule:
        if isinstance(self.end, datetime) and isinstance(self.start, datetime) and self.end <= self.start:
            raise ValueError("end must be after start")
        return self


def _review_mode(value: Any) -> Any:
    """YAML reads a bare `off` as False (and `on`/`yes` as True): take them as the words."""
    if isinstance(value, bool):
        return "required" if value else "off"
    return value.strip().lower() if isinstance(value, str) else value


class CampaignConfig(Strict):
    campaign: CampaignSection
    article: ArticleSection
    highlights: HighlightsSection = HighlightsSection()
    posts: PostsSection = PostsSection()
    cards: CardsSection = CardsSection()
    accounts: dict[str, Account] = Field(min_length=1)
    schedule: Schedule = Schedule()
    output: str | None = Field(
        default=None, description="Folder for cards, pack and outbox, relative to the YAML "
                                  "(default: campaign-out/<slug> beside the YAML)")
    review: Annotated[Literal["required", "off"] | None, BeforeValidator(_review_mode)] = Field(
        default=None, description="required: posts go out once approved (the default with any real account)")
    reviewers: list[Name] = Field(default_factory=list, max_length=100,
                                  description="Who may approve (names); default: anyone")
    approvals: int = Field(default=1, ge=1, le=20, description="Distinct reviewers each post needs")

    # Not from YAML: where the file was, for relative paths and messages.
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("accounts")
    @classmethod
    def _account_names(cls, v: dict[str, Account]) -> dict[str, Account]:
        for name in v:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", name):
                raise ValueError(f"account name '{name}' must be letters, digits, _ or -")
        return v

    @model_validator(mode="after")
    def _review_policy(self) -> CampaignConfig:
        """`review` defaults to required as soon as an enabled account posts somewhere real."""
        if self.review is None:
            from campaign import platforms
            from campaign.errors import UnknownPlatformError

            def real(platform: str) -> bool:
                try:
                    return platforms.get(platform).real
                except UnknownPlatformError:
                    return True  # an unknown platform is reported elsewhere; never assume a dry run
            mode = "required" if any(real(a.platform) for a in self.enabled_accounts().values()) else "off"
            object.__setattr__(self, "review", mode)
        if self.reviewers and self.approvals > len(set(r.casefold() for r in self.reviewers)):
            raise ValueError(f"approvals: {self.approvals} distinct approvals needed but only "
                             f"{len(self.reviewers)} reviewer(s) named")
        return self

    @property
    def zone(self) -> str:
        return self.schedule.timezone or self.campaign.timezone

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, p: str) -> Path:
        """A path from the YAML, relative to the YAML file's folder."""
        q = Path(p).expanduser()
        return q if q.is_absolute() else self.base_dir / q

    @property
    def out_dir(self) -> Path:
        """Where every command writes the campaign's files: `output:`, else campaign-out/<slug>
        beside the YAML (whatever the working folder)."""
        return self.resolve(self.output) if self.output else self.base_dir / "campaign-out" / self.campaign.slug

    def account_settings(self, name: str, *, out_dir: Path | None = None) -> dict[str, Any]:
        """An account's settings as its adapter gets them: an outbox account with no `path:`
        writes to `outbox/` in the campaign's output folder (`out_dir`, else `out_dir` above)."""
        settings = self.accounts[name].model_dump(mode="json", exclude_none=True)
        if settings.get("platform") == "outbox" and not settings.get("path"):
            settings["path"] = str((out_dir or self.out_dir).resolve() / "outbox")
        return settings

    def enabled_accounts(self) -> dict[str, Account]:
        return {k: a for k, a in self.accounts.items() if a.enabled}

    def warnings(self) -> list[str]:
        """What is accepted but worth a second look: a plain-http link is readable in transit."""
        out = []
        if self.article.url and self.article.url.lower().startswith("http:"):
            out.append(f"article.url: '{self.article.url}' is plain http; prefer https")
        elif not self.article.url and self.article.source.lower().startswith("http:"):
            out.append(f"article.source: '{self.article.source}' is plain http; prefer https")
        return out
