"""Write the volunteer pack: one static `index.html` plus the card images it links to.

The page is rendered from Jinja2 templates shipped in `campaign/pack/templates/` with
autoescaping on; every piece of campaign data reaches the page through template escaping
(text nodes and attribute values), never through script. The one inline script and the
one inline style sheet are static and pinned by hash in the page's Content-Security-Policy,
so even a mistake in escaping could not run injected code. The page needs no network:
no fonts, scripts or trackers from elsewhere; it works from `file://` and any static host.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import zipfile
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from campaign import platforms as registry
from campaign.cards.sizes import SIZE_LABELS
from campaign.errors import CardError
from campaign.models import Card, Draft, Highlight
from campaign.pack.clock import clock, twelve_hour
from campaign.posts.compose import pasteable

if TYPE_CHECKING:
    from campaign.config import CampaignConfig

SIZE_HINTS = {
    "square": "feeds on every platform",
    "portrait": "tall feed posts",
    "landscape": "X, Bluesky and Mastodon timelines",
    "story": "stories and status updates",
    "og": "link previews and banners",
}
IMAGE_DIR = "images"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --- the brief ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """Someone to tag: their name, role, and handle on each platform (`{"x": "@name"}`)."""

    name: str
    handles: dict[str, str] = field(default_factory=dict)
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Brief:
    """What the top of the pack says: the campaign, its article, tags and handles.

    Build one from a config with `Brief.from_config(cfg)`, or by hand. `hashtags` and
    `mentions` are shown as given (add the `#`/`@`); `platform_*` hold per-platform extras.
    `slots` are short lines such as "Weekdays at 09:00, 13:00, 18:00".
    """

    name: str
    slug: str = "campaign"
    language: str = "en"
    zone: str = "UTC"
    article_title: str | None = None
    article_url: str | None = None
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    people: tuple[Person, ...] = ()
    platform_hashtags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    platform_mentions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    slots: tuple[str, ...] = ()
    review: str = "off"  # "required": only approved highlights are shown (see write_pack)

    @classmethod
    def from_config(cls, cfg: CampaignConfig) -> Brief:
        posts = cfg.posts
        art = cfg.article
        people = tuple(
            Person(
                name=name,
                role=h.role,
                handles={p: v for p in h.platforms() if (v := h.handle(p))},
            )
            for name, h in posts.people.items()
        )
        plat_tags = {
            p: tuple("#" + t.tag for t in o.hashtags)
            for p, o in posts.platforms.items()
            if o.hashtags is not None
        }
        plat_mentions = {
            p: tuple(_at(m) for m in o.mentions) for p, o in posts.platforms.items() if o.mentions
        }
        return cls(
            name=cfg.campaign.name,
            slug=cfg.campaign.slug,
            language=cfg.campaign.language,
            zone=cfg.zone,
            article_title=art.title,
            article_url=art.url or (art.source if art.is_url else None),
            hashtags=tuple("#" + t.tag for t in posts.hashtags),
            mentions=tuple(_at(m) for m in posts.mentions),
            people=people,
            platform_hashtags=plat_tags,
            platform_mentions=plat_mentions,
            slots=tuple(_slot_line(s.days, s.times, cfg.campaign.language) for s in cfg.schedule.slots),
            review=cfg.review or "off",
        )


def _at(handle: str) -> str:
    handle = handle.strip()
    return handle if handle.startswith("@") else "@" + handle


def _slot_line(days: Sequence[str], times: Sequence[time], language: str = "en") -> str:
    ds = list(dict.fromkeys(days))
    if set(ds) == set(DAY_NAMES):
        when = "Every day"
    elif set(ds) == set(DAY_NAMES[:5]):
        when = "Weekdays"
    elif set(ds) == set(DAY_NAMES[5:]):
        when = "Weekends"
    else:
        when = ", ".join(d.capitalize() for d in sorted(ds, key=DAY_NAMES.index))
    return f"{when} at " + ", ".join(clock(t, language) for t in times)


def posting_window(cfg: CampaignConfig, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The span volunteers should post in: the first and last schedule slot in range, in UTC.

    `start: now` means `now` (default: the current time); an end given as a duration counts
    from the start, and an open end means a week. With no slot in range, the raw span.
    """
    zone = ZoneInfo(cfg.zone)
    now = now or datetime.now(UTC)
    sched = cfg.schedule
    start = now if sched.start == "now" else _aware(sched.start, zone)
    if isinstance(sched.end, datetime):
        end = _aware(sched.end, zone)
    elif isinstance(sched.end, timedelta):
        end = start + sched.end
    else:
        end = start + timedelta(days=7)
    times: list[datetime] = []
    day: date = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    while day <= last_day:
        key = DAY_NAMES[day.weekday()]
        for slot in sched.slots:
            if key in slot.days:
                for t in slot.times:
                    at = datetime.combine(day, t, tzinfo=zone)
                    if start <= at <= end:
                        times.append(at)
        day += timedelta(days=1)
    lo, hi = (min(times), max(times)) if times else (start, end)
    return lo.astimezone(UTC), hi.astimezone(UTC)


def _aware(value: datetime, zone: ZoneInfo) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=zone)


# --- the page -------------------------------------------------------------------------------


def pack_zip_path(out_dir: Path, slug: str) -> Path:
    """Where `write_pack(..., zip=True)` puts the archive: `<out_dir>/<slug>-pack.zip`."""
    return Path(out_dir) / f"{slug}-pack.zip"


def write_pack(
    cfg_or_brief: CampaignConfig | Brief,
    highlights: Sequence[Highlight],
    drafts: Sequence[Draft],
    cards: Sequence[Card],
    out_dir: Path,
    *,
    window: tuple[datetime, datetime] | None = None,
    zip: bool = False,
    approved: Collection[str] | None = None,
) -> Path:
    """Write the pack into `out_dir` and return the path of its `index.html`.

    Card images (and any other image a draft attaches) are copied into `out_dir/images/`
    and linked relatively. `window` (aware datetimes) is shown in the campaign's zone and,
    in the browser, in the visitor's own. With `zip`, `<slug>-pack.zip` holding the page
    and its images (under a `<slug>-pack/` folder) is written beside `index.html`.
    Raises `CardError` if an image file is missing. With `review: required`, only the
    highlights in `approved` (ids; `campaign.review.pack`) appear, with their posts and cards:
    none when `approved` is None, so volunteers never share words nobody signed off.
    """
    brief = cfg_or_brief if isinstance(cfg_or_brief, Brief) else Brief.from_config(cfg_or_brief)
    if brief.review == "required":
        keep = set(approved or ())
        highlights = [h for h in highlights if h.id in keep]
        drafts = [d for d in drafts if d.highlight_id in keep]
        cards = [c for c in cards if c.highlight_id in keep]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    images = _ImageCopier(out_dir, brief.slug)

    context = _context(brief, highlights, drafts, cards, window, images)
    html = _render(context)
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    images.remove_stale()
    if zip:
        _write_zip(pack_zip_path(out_dir, brief.slug), out_dir, [index, *images.written], brief.slug)
    return index


class _ImageCopier:
    """Copies each source image once into `images/`, under a unique, safe file name."""

    def __init__(self, out_dir: Path, slug: str) -> None:
        self.out_dir = out_dir
        self.slug = slug
        self.by_source: dict[Path, str] = {}
        self.written: list[Path] = []

    def add(self, source: str, stem: str | None = None) -> str:
        src = Path(source).resolve()
        if src in self.by_source:
            return self.by_source[src]
        if not src.is_file():
            raise CardError(f"pack: image not found: {source}")
        name = _safe_name(stem or src.stem) + (src.suffix.lower() or ".png")
        taken = {Path(r).name for r in self.by_source.values()}
        base, n = name, 2
        while name in taken:
            name = f"{Path(base).stem}-{n}{Path(base).suffix}"
            n += 1
        dest = self.out_dir / IMAGE_DIR / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.resolve() != src:
            shutil.copyfile(src, dest)
        rel = f"{IMAGE_DIR}/{name}"
        self.by_source[src] = rel
        self.written.append(dest)
        return rel


    def remove_stale(self) -> None:
        """Drop images an earlier pack of this campaign left behind (ours by name only)."""
        folder = self.out_dir / IMAGE_DIR
        keep = {p.name for p in self.written}
        if folder.is_dir():
            for p in folder.iterdir():
                if p.is_file() and p.name.startswith(f"{self.slug}-") and p.name not in keep:
                    p.unlink()


def _role(brief: Brief, h: Highlight) -> str | None:
    """The speaker's role: the organizer's (people:) over the one read in the article."""
    name = (h.credited or "").casefold()
    person = next((p for p in brief.people if p.name.casefold() == name and p.role), None)
    return person.role if person else h.role


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:80] or "image"


def _context(
    brief: Brief,
    highlights: Sequence[Highlight],
    drafts: Sequence[Draft],
    cards: Sequence[Card],
    window: tuple[datetime, datetime] | None,
    images: _ImageCopier,
) -> dict[str, Any]:
    order = {h.id: i for i, h in enumerate(highlights)}
    by_id = {h.id: h for h in highlights}
    # Highlights only drafts or cards mention still get a number, after the known ones.
    for hid in [d.highlight_id for d in drafts] + [c.highlight_id for c in cards]:
        order.setdefault(hid, len(order))

    card_views: list[dict[str, Any]] = []
    for hid in sorted({c.highlight_id for c in cards}, key=order.__getitem__):
        group = [c for c in cards if c.highlight_id == hid]
        variants: list[dict[str, Any]] = []
        for c in group:
            src = images.add(c.path, f"{brief.slug}-{hid}-{c.size}")
            variants.append(
                {
                    "id": f"card-{hid}-{c.size}",
                    "src": src,
                    "download": Path(src).name,
                    "label": SIZE_LABELS.get(c.size, c.size),
                    "hint": SIZE_HINTS.get(c.size, ""),
                    "width": c.width,
                    "height": c.height,
                    "bytes": _human_bytes(c.bytes),
                    "alt": c.alt,
                    "wide": c.width > c.height,
                }
            )
        h = by_id.get(hid)
        card_views.append(
            {
                "id": hid,
                "number": order[hid] + 1,
                "text": h.text if h else "",
                "speaker": h.credited if h else None,
                "variants": variants,
                "alt": alts.pop() if len(alts := {v["alt"] for v in variants}) == 1 else None,
            }
        )

    known = registry.names()
    platform_keys = [p for p in known if any(d.platform == p for d in drafts)]
    platform_keys += sorted({d.platform for d in drafts} - set(platform_keys))
    platforms: list[dict[str, Any]] = []
    for key in platform_keys:
        rules = registry.get(key) if key in known else registry.Rules(name=key, share_url="")
        own_server = "{server}" in rules.share_url  # each volunteer shares on their own server
        intent = "" if own_server else rules.share_url
        posts: list[dict[str, Any]] = []
        mine = sorted((d for d in drafts if d.platform == key), key=lambda d: order[d.highlight_id])
        seen: dict[str, int] = {}
        for d in mine:
            h = by_id.get(d.highlight_id)
            n = seen[d.highlight_id] = seen.get(d.highlight_id, 0) + 1
            pid = f"post-{key}-{d.highlight_id}" + (f"-{n}" if n > 1 else "")
            parts = [
                {
                    "id": f"{pid}-part-{i + 1}",
                    "number": i + 1,
                    "text": text,
                    "length": d.lengths[i] if i < len(d.lengths) else len(text),
                    "intent": (intent + _encode(text)) if intent else "",
                    "rows": _rows(text),
                }
                for i, text in enumerate(pasteable(p, d) for p in d.parts)
            ]
            media = [
                {
                    "src": images.add(m.path),
                    "alt": m.alt,
                    "width": m.width or None,
                    "height": m.height or None,
                    "id": f"{pid}-media-{j + 1}",
                }
                for j, m in enumerate(d.media)
            ]
            posts.append(
                {
                    "id": pid,
                    "number": order[d.highlight_id] + 1,
                    "kind": h.kind if h else "sentence",
                    "speaker": h.credited if h else None,
                    "role": _role(brief, h) if h else None,
                    "language": d.language,
                    "limit": d.limit,
                    "parts": parts,
                    "media": media,
                }
            )
        tags = brief.platform_hashtags.get(key, brief.hashtags)
        handles: list[dict[str, str | None]] = [
            {"handle": p.handles[key], "name": p.name} for p in brief.people if key in p.handles
        ]
        handles += [{"handle": m, "name": None} for m in brief.platform_mentions.get(key, brief.mentions)]
        platforms.append(
            {
                "key": key,
                "name": rules.title,
                "shareable": bool(rules.share_url),
                "own_server": own_server,
                "share_url": rules.share_url,
                "server_example": rules.server_example or "example.social",
                "counter": rules.counter,
                "posts": posts,
                "hashtags": tags,
                "own_hashtags": key in brief.platform_hashtags,
                "handles": handles,
                "threads": sum(1 for p in posts if len(p["parts"]) > 1),
            }
        )

    url = brief.article_url if _is_web_url(brief.article_url) else None
    return {
        "brief": brief,
        "article_url": url,
        "article_label": brief.article_title or (urlsplit(url).netloc if url else None),
        "window": _window_view(window, brief.zone, brief.language) if window else None,
        "platforms": platforms,
        "card_groups": card_views,
        "card_count": sum(len(g["variants"]) for g in card_views),
        "post_count": len({d.highlight_id for d in drafts}),
        "people": brief.people,
        "platform_names": {k: registry.get(k).title for k in known},
    }


def _rows(text: str, width: int = 56) -> int:
    """A textarea height that shows the whole text where CSS cannot size it by content."""
    return max(3, sum(max(1, -(-len(line) // width)) for line in text.split("\n")))


def _is_web_url(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _encode(text: str) -> str:
    """Percent-encode like JavaScript's encodeURIComponent, so page and script agree."""
    return quote(text, safe="-_.!~*'()")


def _human_bytes(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.0f} KB"
    return f"{n / 1_000_000:.1f} MB"


def _window_view(window: tuple[datetime, datetime], zone_name: str, language: str = "en") -> dict[str, Any]:
    start, end = window
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("the posting window needs aware datetimes (UTC)")
    zone = ZoneInfo(zone_name)
    a, b = start.astimezone(zone), end.astimezone(zone)
    if a.date() == b.date():
        text = f"{_day(a)}, {clock(a, language)}–{clock(b, language)}"
    else:
        text = f"{_day(a)}, {clock(a, language)} to {_day(b)}, {clock(b, language)}"
    city = zone_name.rsplit("/", 1)[-1].replace("_", " ")
    abbrev = a.strftime("%Z")
    label = "UTC" if zone_name in ("UTC", "Etc/UTC") else f"{city} time"
    if abbrev and abbrev != label and not abbrev.startswith(("+", "-")):
        label += f" ({abbrev})"
    return {
        "start": start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "end": end.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "text": text,
        "zone": zone_name,
        "label": label,
        "hour12": twelve_hour(language),
    }


def _day(d: datetime) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


# --- rendering ------------------------------------------------------------------------------


def _env() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("campaign", "pack/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def _static(env: Any, name: str) -> str:
    source, _, _ = env.loader.get_source(env, name)
    return "\n" + str(source).strip() + "\n"


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _render(context: dict[str, Any]) -> str:
    from markupsafe import Markup

    env = _env()
    script = _static(env, "script.js")
    style = _static(env, "style.css")
    if "</" in script or "</" in style:  # would end the inline element early
        raise RuntimeError("pack: inline script or style contains '</'")
    csp = "; ".join(
        [
            "default-src 'none'",
            "img-src 'self' data:",
            f"style-src {_csp_hash(style)}",
            f"script-src {_csp_hash(script)}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    return str(
        env.get_template("index.html.j2").render(
            **context,
            csp=csp,
            script=Markup(script),  # static code from the package, no data in it
            style=Markup(style),
        )
    )


def _write_zip(path: Path, root: Path, files: Iterable[Path], slug: str) -> None:
    """A reproducible archive: fixed timestamps, sorted entries, under `<slug>-pack/`."""
    tmp = path.with_suffix(".zip.tmp")
    folder = f"{slug}-pack"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(set(files)):
            rel = f.relative_to(root).as_posix()
            info = zipfile.ZipInfo(f"{folder}/{rel}", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            png = f.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp")
            info.compress_type = zipfile.ZIP_STORED if png else zipfile.ZIP_DEFLATED
            zf.writestr(info, f.read_bytes())
    tmp.replace(path)
