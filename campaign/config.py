"""The campaign YAML schema (pydantic, extra="forbid") and loading with file:line errors.

`load(path)` returns a validated `CampaignConfig` with relative paths resolved
against the YAML file's folder, or raises `ConfigError` listing every problem
found as `file:line:column: field: problem`.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from campaign.configerrors import field_path, problem_from_error
from campaign.configtypes import (
    Clock,
    Duration,
    Language,
    LocalDateTime,
    Zone,
    parse_clock,
    parse_duration,
    parse_language,
    parse_local_datetime,
    parse_zone,
)
from campaign.errors import ConfigError, Problem
from campaign.yamlpos import Located, load_located

__all__ = [
    "CampaignConfig", "load", "loads", "parse_clock", "parse_duration", "parse_language",
    "parse_local_datetime", "parse_zone",
]

BUILTIN_PLATFORMS = ("x", "mastodon", "bluesky", "outbox")
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
    name: str
    slug: str = Field(default="", pattern=r"^$|^[a-z0-9][a-z0-9-]*$")
    language: Language = "en"
    timezone: Zone = "UTC"

    @model_validator(mode="after")
    def _default_slug(self) -> CampaignSection:
        if not self.slug:
            slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "campaign"
            object.__setattr__(self, "slug", slug[:60])
        return self


class ArticleSection(Strict):
    source: str = Field(description="Path (relative to the YAML file) or http(s) URL")
    title: str | None = None
    author: str | None = None
    url: str | None = Field(default=None, description="The link posts point to")
    exclude: list[str] = Field(
        default_factory=list,
        description="Paragraphs starting with any of these texts are left out of the body",
    )

    @property
    def is_url(self) -> bool:
        return self.source.startswith(("http://", "https://"))


class AutoHighlights(Strict):
    count: int = Field(default=6, ge=0, le=100)
    min_length: int = Field(default=40, ge=1)
    max_length: int = Field(default=220, ge=10)
    quotes_only: bool = False

    @model_validator(mode="after")
    def _range(self) -> AutoHighlights:
        if self.min_length > self.max_length:
            raise ValueError(
                f"min_length ({self.min_length}) is more than max_length ({self.max_length}): no quote could fit"
            )
        return self


class ExtraQuote(Strict):
    """A quote the article does not contain, with who said it."""

    text: str = Field(min_length=1)
    speaker: str | None = None
    role: str | None = None


class LiteralQuote(Strict):
    """A quote by its words; or, with `id`, a found highlight edited (text, speaker or role)."""

    id: str | None = Field(default=None, description="A highlight id from `campaign extract`, to edit it")
    text: str | None = Field(default=None, min_length=1)
    speaker: str | None = None
    role: str | None = None

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
    """A person's handle on each platform: x `@name`, mastodon `@user@instance`, bluesky `@name.bsky.social`."""

    x: str | None = None
    mastodon: str | None = None
    bluesky: str | None = None
    role: str | None = None

    @field_validator("x", "mastodon", "bluesky")
    @classmethod
    def _handle(cls, v: str | None, info: Any) -> str | None:
        if v is None:
            return v
        v = v.strip()
        if not v.startswith("@"):
            v = "@" + v
        pattern = {
            "x": r"@[A-Za-z0-9_]{1,15}",
            "mastodon": r"@[A-Za-z0-9_]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
            "bluesky": r"@[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}",
        }[info.field_name]
        if not re.fullmatch(pattern, v):
            example = {"x": "@name", "mastodon": "@user@instance.social", "bluesky": "@name.bsky.social"}
            article = "an" if info.field_name == "x" else "a"
            raise ValueError(f"'{v}' is not {article} {info.field_name} handle like {example[info.field_name]}")
        return v


class Hashtag(Strict):
    tag: str
    optional: bool = False


def _hashtag(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        raise ValueError(f"'{value}' is not a hashtag: a tag needs a letter; write it as text, e.g. \"Vote{value}\"")
    if isinstance(value, str):
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
    source_line: str | None = Field(default=None, description="Small line under the speaker")
    footer: str | None = Field(default=None, description="Handle or URL shown on the card")
    alt: dict[str, str] = Field(default_factory=dict, description="Alt text overrides by highlight id")


class RateLimit(Strict):
    posts: int = Field(ge=1)
    per: Duration


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
    end: LocalDateTime | Duration | None = Field(
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


class CampaignConfig(Strict):
    campaign: CampaignSection
    article: ArticleSection
    highlights: HighlightsSection = HighlightsSection()
    posts: PostsSection = PostsSection()
    cards: CardsSection = CardsSection()
    accounts: dict[str, Account] = Field(min_length=1)
    schedule: Schedule = Schedule()

    # Not from YAML: where the file was, for relative paths and messages.
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("accounts")
    @classmethod
    def _account_names(cls, v: dict[str, Account]) -> dict[str, Account]:
        for name in v:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", name):
                raise ValueError(f"account name '{name}' must be letters, digits, _ or -")
        return v

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

    def enabled_accounts(self) -> dict[str, Account]:
        return {k: a for k, a in self.accounts.items() if a.enabled}


# --- loading -------------------------------------------------------------------------------


def _post_checks(cfg: CampaignConfig, file: str, doc: Located) -> list[Problem]:
    """Checks that need the file system or several fields at once."""
    problems: list[Problem] = []

    def add(loc: tuple[Any, ...], message: str) -> None:
        line, col = doc.position(loc)
        problems.append(Problem(file, line, col, field_path(loc), message))

    art = cfg.article
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", art.source) and not art.is_url:
        add(("article", "source"), f"'{art.source}': only http:// and https:// URLs can be read")
    elif not art.is_url:
        p = cfg.resolve(art.source)
        if not p.exists():
            add(("article", "source"), f"article file not found: {p}")
        elif not p.is_file():
            add(("article", "source"), f"not a file: {p}")
    problems += _theme_problems(cfg, add)

    known = set(_installed_platforms())
    for name, acct in cfg.accounts.items():
        if acct.platform not in known:
            close = difflib.get_close_matches(acct.platform, sorted(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            add(("accounts", name, "platform"),
                f"unknown platform '{acct.platform}'{hint}; installed: {', '.join(sorted(known))}")
        if acct.simulate and acct.simulate not in BUILTIN_PLATFORMS[:3]:
            add(("accounts", name, "simulate"), f"'{acct.simulate}' is not one of x, mastodon, bluesky")
        if acct.platform == "mastodon" and not acct.instance:
            add(("accounts", name), "a mastodon account needs 'instance: https://your.instance'")
    for key in cfg.posts.platforms:
        if key not in known:
            add(("posts", "platforms", key), f"unknown platform '{key}'")
    for person, handles in cfg.posts.people.items():
        if not any((handles.x, handles.mastodon, handles.bluesky)):
            add(("posts", "people", person), "give at least one of x, mastodon, bluesky")
    return problems


def _theme_problems(cfg: CampaignConfig, add: Any) -> list[Problem]:
    """The theme's base and font family exist; its image, logo and font files open."""
    from campaign.cards.themes import names as theme_names

    theme = cfg.cards.theme
    builtins = theme_names()
    if theme.base not in builtins:
        close = difflib.get_close_matches(theme.base, builtins, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        add(("cards", "theme", "base"), f"unknown theme '{theme.base}'{hint}; built-ins: {', '.join(builtins)}")
    font_file = bool(theme.font and theme.font.lower().endswith((".ttf", ".otf")))
    if theme.font and not font_file and theme.font not in ("sans", "serif"):
        add(("cards", "theme", "font"), f"unknown font '{theme.font}'; use sans, serif or a .ttf/.otf file")
    for field in ("image", "logo", "font"):
        value = getattr(theme, field)
        if not value or (field == "font" and not font_file):
            continue
        path = cfg.resolve(value)
        if not path.exists():
            add(("cards", "theme", field), f"file not found: {path}")
        elif not path.is_file():
            add(("cards", "theme", field), f"not a file: {path}")
        else:
            why = _unreadable(path, font=field == "font")
            if why:
                add(("cards", "theme", field), f"cannot read {path}: {why}")
    return []


def _unreadable(path: Path, *, font: bool) -> str | None:
    """Why Pillow cannot open this image or font file, or None (Pillow imported only here)."""
    try:
        if font:
            from PIL import ImageFont

            ImageFont.truetype(str(path), 12)
        else:
            from PIL import Image

            with Image.open(path) as im:
                im.verify()
    except Exception as e:  # Pillow raises many kinds for a broken file
        kind = "a font" if font else "an image"
        return f"not {kind} Pillow can open ({type(e).__name__})"
    return None


def _one_per_place(problems: list[Problem]) -> list[Problem]:
    """A value that fits none of a union's branches gets one message, not one per branch:
    pydantic's generic "Input should be ..." gives way to our own, more helpful one."""
    places: dict[tuple[Any, ...], list[Problem]] = {}
    for p in problems:
        places.setdefault((p.line, p.column, p.field), []).append(p)
    out: list[Problem] = []
    for group in places.values():
        ours = [p for p in group if not p.message.startswith("Input should be")]
        if ours and len(ours) < len(group):
            literals = [p.message for p in group if p.message.startswith("Input should be '")]
            extra = ", or " + literals[0][len("Input should be "):] if len(literals) == 1 else ""
            out += [Problem(p.file, p.line, p.column, p.field, p.message + extra) for p in ours]
        else:
            out += group
    return out


def _missing_article(doc: Located, file: str, base: Path | None) -> list[Problem]:
    """The article-file check, for a config that failed validation elsewhere (report it all)."""
    source = doc.value(("article", "source"))
    if not isinstance(source, str) or source.startswith(("http://", "https://")):
        return []
    p = Path(source).expanduser()
    p = p if p.is_absolute() else (base or Path(file).resolve().parent) / p
    if p.is_file():
        return []
    line, col = doc.position(("article", "source"))
    return [Problem(file, line, col, "article.source", f"article file not found: {p}")]


def _installed_platforms() -> list[str]:
    """Built-in platform names plus those of installed adapter plugins (entry points)."""
    from importlib.metadata import entry_points

    names = set(BUILTIN_PLATFORMS)
    names.update(ep.name for ep in entry_points(group="campaign.adapters"))
    return sorted(names)


def loads(text: str, file: str = "<string>", base: Path | None = None) -> CampaignConfig:
    """Validate YAML text; `file` names it in messages, `base` is the folder paths are relative to."""
    try:
        doc = load_located(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        context_mark = getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        context = getattr(e, "context", None)
        if context_mark is not None and (mark is None or "<stream end>" in str(problem)):
            context = f"{context} that starts here" if context else None
            mark = context_mark  # an unclosed bracket: point at where it opened, not at EOF
        msg = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise ConfigError(Problem(file, line, col, "", msg)) from None
    if doc.data is None:
        raise ConfigError(Problem(file, 1, 1, "", "the file is empty; run `campaign init` for a starter"))
    if not isinstance(doc.data, dict):
        raise ConfigError(Problem(file, 1, 1, "", "expected a mapping of sections (campaign:, article:, ...)"))
    try:
        cfg = CampaignConfig.model_validate(doc.data)
    except ValidationError as e:
        problems = [problem_from_error(CampaignConfig, file, err, doc) for err in e.errors()]  # type: ignore[arg-type]
        problems += _missing_article(doc, file, base)
        problems = _one_per_place(problems)
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ConfigError(problems) from None
    path = (base / Path(file).name) if base else Path(file)
    cfg = cfg.model_copy(update={"path": path.resolve() if base or Path(file).exists() else None})
    problems = _post_checks(cfg, file, doc)
    if problems:
        raise ConfigError(problems)
    return cfg


def load(path: str | Path) -> CampaignConfig:
    """Read and validate a campaign YAML file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(Problem(str(path), None, None, "", "file not found")) from None
    except IsADirectoryError:
        raise ConfigError(Problem(str(path), None, None, "", "is a folder, not a YAML file")) from None
    except OSError as e:
        raise ConfigError(Problem(str(path), None, None, "", f"cannot read: {e.strerror}")) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(Problem(str(path), line, None, "", "not UTF-8 text")) from None
    return loads(text, str(path), base=p.resolve().parent)
