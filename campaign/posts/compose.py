"""Templates → platform-fitted Drafts: placeholders, handles, UTM links, hashtags, truncation, threads.

For each highlight × account, the composer tries, in order, until every part fits
the platform's own length rules (`campaign.platforms`):

1. each template variant with all hashtags;
2. each variant with optional hashtags dropped, last first;
3. if threads are allowed: a numbered thread split at sentence boundaries,
   the link, card and required hashtags on the first part, every part numbered
   alike ("1/3" on a line of its own); a thread also beats one post that fits
   only by dropping a required hashtag (said in a warning when nothing keeps it);
4. otherwise (or past `max_parts`): the quote shortened at a sentence, then at a
   word boundary with "…", never inside a word, URL, mention, hashtag or grapheme.

A draft that still cannot fit raises ComposeError naming the highlight and account.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from campaign.config import CampaignConfig, Hashtag, PostsSection, ThreadPolicy
from campaign.errors import ComposeError
from campaign.models import Draft, Highlight, MediaRef
from campaign.platforms import Rules
from campaign.platforms import get as get_rules
from campaign.posts.textfit import cut_points, sentence_spans, smart_quotes

ELLIPSIS = "…"


@dataclass(frozen=True)
class Target:
    """Where a draft goes: the account name, the platform whose rules apply, and those rules."""

    account: str
    platform: str
    rules: Rules


@dataclass(frozen=True)
class Settings:
    """The post settings in force for one platform (section defaults + per-platform overrides)."""

    templates: tuple[str, ...]
    sentence_templates: tuple[str, ...]
    hashtags: tuple[Hashtag, ...]
    mentions: tuple[str, ...]
    threads: ThreadPolicy

    @classmethod
    def of(cls, posts: PostsSection, platform: str) -> Settings:
        o = posts.platforms.get(platform)
        templates = tuple(o.templates if o and o.templates else posts.templates)
        sentence = tuple(posts.sentence_templates or templates)
        if o and o.templates and not posts.sentence_templates:
            sentence = templates
        sentence = tuple(dict.fromkeys(unquoted(t) for t in sentence))  # the article's words: no marks
        return cls(
            templates=templates,
            sentence_templates=sentence,
            hashtags=tuple(o.hashtags if o and o.hashtags is not None else posts.hashtags),
            mentions=tuple(o.mentions if o and o.mentions is not None else posts.mentions),
            threads=o.threads if o and o.threads else posts.threads,
        )


_MARKS_AROUND = re.compile(r"[“”\"«»„‚‘’‹›][ \u00a0\u202f]*\{quote\}[ \u00a0\u202f]*[“”\"«»„‚‘’‹›]")


def unquoted(template: str) -> str:
    """A template for a key sentence: the article's own words are never put in quotation marks."""
    return _MARKS_AROUND.sub("{quote}", template)


# --- values ------------------------------------------------------------------------------


def tracked_link(url: str | None, platform: str, cfg: CampaignConfig, highlight_id: str) -> str | None:
    """`url` with utm_source/medium/campaign added, keeping its query string and fragment."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("https", "http") or not parts.netloc:
        return None  # only web links ever reach a post (the config refuses others too)
    track = cfg.posts.link
    if not track.enabled:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    query += [
        ("utm_source", platform),
        ("utm_medium", track.medium),
        ("utm_campaign", track.campaign or cfg.campaign.slug),
    ]
    if track.content:
        query.append(("utm_content", highlight_id))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment))


def shown_link(link: str | None, rules: Rules) -> str | None:
    """The link as written in the post (`Rules.show_link`: Bluesky shows it shortened and its
    facet keeps the full URL; X and Mastodon write it in full and count any URL as 23)."""
    return rules.show_link(link) if link else link


def pasteable(text: str, draft: Draft) -> str:
    """A part as a person pastes it into the app: a link the platform shows shortened written out
    in full (its composer shortens it again and makes it a link, so the length is the same)."""
    if draft.link:
        shown = shown_link(draft.link, get_rules(draft.platform))
        if shown and shown != draft.link:
            return text.replace(shown, draft.link)
    return text


def hashtag_text(tags: Iterable[Hashtag]) -> str:
    """`#CamelCase` tags, deduplicated case-insensitively, in order."""
    seen: set[str] = set()
    out: list[str] = []
    for h in tags:
        key = h.tag.casefold()
        if key not in seen:
            seen.add(key)
            out.append("#" + h.tag)
    return " ".join(out)


def speaker_label(name: str | None, platform: str, cfg: CampaignConfig) -> str | None:
    """The speaker's handle on `platform` from `people:`, else their name."""
    entry = cfg.posts.person(name)
    return (entry.handle(platform) if entry else None) or name


_EMPTY_SPEAKER = re.compile(r"[ \t]*(?:[—–-]{1,2}|~)?[ \t]*\{speaker\}(?:,[ \t]*\{role\})?")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render(template: str, values: dict[str, str | None]) -> str:
    """Fill a template; drop an empty speaker with its dash, and tidy the blanks empty values leave."""
    if not values.get("speaker"):
        template = _EMPTY_SPEAKER.sub("", template)
    text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or "", template)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n[ \t]+", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r",[ \t]*(?=\n|$)", "", text)  # ", {role}" with no role (the line breaks stay)
    return text.strip()


def quote_text(h: Highlight) -> str:
    """The highlight's text with its outer quote marks removed and inner ones made typographic."""
    text = h.text.strip()
    pairs = {"“": "”", '"': '"', "«": "»", "„": "“", "‘": "’", "'": "'"}
    if len(text) > 2 and text[0] in pairs and text[-1] == pairs[text[0]] and text.count(text[0]) == 1:
        text = text[1:-1].strip()
    return smart_quotes(re.sub(r"\s+", " ", text), nested=True)


# --- fitting -----------------------------------------------------------------------------


@dataclass
class _Ctx:
    h: Highlight
    target: Target
    settings: Settings
    values: dict[str, str | None]

    @property
    def rules(self) -> Rules:
        return self.target.rules

    def fits(self, text: str) -> bool:
        return self.rules.fits(text)

    def fail(self, why: str) -> ComposeError:
        return ComposeError(
            f"highlight {self.h.id} on {self.target.account} ({self.target.platform}): {why}"
        )


def _with(values: dict[str, str | None], **kw: str | None) -> dict[str, str | None]:
    out = dict(values)
    out.update(kw)
    return out


def _tag_sets(tags: Sequence[Hashtag]) -> list[tuple[Hashtag, ...]]:
    """All tags, then optional ones dropped one at a time from the end."""
    sets = [tuple(tags)]
    current = list(tags)
    for i in range(len(current) - 1, -1, -1):
        if current[i].optional:
            del current[i]
            sets.append(tuple(current))
    return sets


def _first_fit(ctx: _Ctx, templates: Sequence[str], quote: str) -> str | None:
    """The first variant that fits: templates in order with every tag, then with optional tags
    dropped; a template without {hashtags} (it drops required tags too) only comes last."""
    if _too_long(ctx, quote):
        return None
    sets = _tag_sets(ctx.settings.hashtags)
    for tags in sets:
        for t in templates:
            if "{hashtags}" not in t and tags is not sets[-1] and ctx.settings.hashtags:
                continue
            text = render(t, _with(ctx.values, quote=quote, hashtags=hashtag_text(tags)))
            if ctx.fits(text):
                return text
    return None


def _too_long(ctx: _Ctx, quote: str) -> bool:
    """True when a prefix of the quote, cut at a space, is already over the limit: then no
    template fits it, and measuring a 200 KB quote once per template and tag set is spared.
    (A length never shrinks when words are added after a space.)"""
    room = 4 * ctx.rules.max_chars + 64
    if len(quote) <= room:
        return False
    cut = quote.find(" ", room)
    return cut > 0 and ctx.rules.length(quote[:cut]) > ctx.rules.max_chars


def _shortest_frame(ctx: _Ctx, templates: Sequence[str]) -> tuple[str, dict[str, str | None]]:
    """The template and values leaving the most room for the quote (required tags only)."""
    tags = _tag_sets(ctx.settings.hashtags)[-1]
    values = _with(ctx.values, hashtags=hashtag_text(tags))
    best = min(templates, key=lambda t: ctx.rules.length(render(t, _with(values, quote=""))))
    return best, values


def _truncate(ctx: _Ctx, templates: Sequence[str], quote: str) -> str | None:
    """The longest quote prefix (whole sentences, else words + …) whose rendering fits."""
    template, values = _shortest_frame(ctx, templates)

    def attempt(prefix: str) -> str | None:
        text = render(template, _with(values, quote=prefix))
        return text if ctx.fits(text) else None

    ends = [end for _, end in _sentence_prefixes(quote)]
    found = _last_fit(len(ends), lambda i: attempt(quote[: ends[i]].rstrip()))
    if found:
        return found
    points = cut_points(quote, ctx.rules.entities(quote))
    return _last_fit(len(points), lambda i: attempt(_ellipsize(quote[: points[i]])))


def _last_fit(n: int, attempt: Callable[[int], str | None]) -> str | None:
    """`attempt(i)` for the largest `i` below `n` it accepts, by binary search: the prefixes tried
    grow with `i`, and trying each from the longest costs quadratic time on a long quote (a 240 KB
    quote: minutes)."""
    lo, hi, best = 0, n - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        done = attempt(mid)
        if done:
            best, lo = done, mid + 1
        else:
            hi = mid - 1
    return best


def _sentence_prefixes(quote: str) -> list[tuple[int, int]]:
    spans = sentence_spans(quote)
    return [(0, end) for _, end in spans[:-1]]


def _ellipsize(prefix: str) -> str:
    return prefix.rstrip(" \t\n,;:—–-") + ELLIPSIS


def _thread(ctx: _Ctx, templates: Sequence[str], quote: str) -> list[str] | None:
    """Split the quote into numbered parts at sentence (then word) boundaries; None if > max_parts."""
    policy = ctx.settings.threads
    template, values = _shortest_frame(ctx, templates)
    open_mark, close_mark = _marks(template)
    sentences = [quote[s:e] for s, e in sentence_spans(quote)]

    def frame(n: int, total: int, chunk: str) -> str:
        number = policy.numbering.format(n=n, total=total)  # on a line of its own in every part
        if n == 1:
            return f"{render(template, _with(values, quote=chunk))}\n\n{number}"
        return f"{open_mark}{chunk}{close_mark}\n\n{number}"

    for total in range(2, policy.max_parts + 1):
        parts = _pack(ctx, frame, sentences, total)
        if parts is not None:
            return parts
    return None


def _tagged(ctx: _Ctx, templates: Sequence[str]) -> list[str]:
    """The templates that carry the hashtags, when the campaign has required ones and any
    template does; else all of them."""
    if any(not h.optional for h in ctx.settings.hashtags):
        tagged = [t for t in templates if "{hashtags}" in t]
        if tagged:
            return tagged
    return list(templates)


def _missing_tags(ctx: _Ctx, parts: Sequence[str]) -> list[str]:
    """The required hashtags that none of `parts` carries."""
    text = "\n".join(parts).casefold()
    return ["#" + h.tag for h in ctx.settings.hashtags if not h.optional and "#" + h.tag.casefold() not in text]


def _continued(chunk: str, last: bool) -> str:
    """Mark a part that stops mid-sentence with an ellipsis."""
    chunk = chunk.strip()
    return chunk if last or re.search(r"[.!?؟…][\"”’»)]*$", chunk) else _ellipsize(chunk)


def _pack(ctx: _Ctx, frame: Callable[[int, int, str], str], sentences: list[str],
          total: int) -> list[str] | None:
    """Greedy packing into exactly `total` parts: whole sentences, words when one is too long."""
    pieces = list(sentences)
    parts: list[str] = []

    def grow(i: int, n: int) -> tuple[str | None, int]:
        """The longest run of pieces from `i` that fits part `n`, and where it stops."""
        best, j = None, i
        while j < len(pieces):
            text = frame(n, total, _continued("".join(pieces[i : j + 1]), j + 1 == len(pieces)))
            if not ctx.fits(text):
                break
            best, j = text, j + 1
        return best, j

    i = 0
    for n in range(1, total + 1):
        if i >= len(pieces):
            return None
        best, j = grow(i, n)
        if best is None:  # not even one sentence fits: split it into words
            words = _words(pieces[i], ctx)
            if len(words) <= 1:
                return None
            pieces[i : i + 1] = words
            best, j = grow(i, n)
            if best is None:
                return None
        parts.append(best)
        i = j
    return parts if i == len(pieces) else None


def _words(sentence: str, ctx: _Ctx) -> list[str]:
    """A sentence cut at its safe word boundaries, whitespace kept."""
    points = cut_points(sentence, ctx.rules.entities(sentence))
    out, prev = [], 0
    for p in points:
        out.append(sentence[prev:p])
        prev = p
    out.append(sentence[prev:])
    return [w for w in out if w]


def _marks(template: str) -> tuple[str, str]:
    m = re.search(r"(\S?)\{quote\}(\S?)", template)
    if not m:
        return "", ""
    opening, closing = m.group(1), m.group(2)
    return (opening if not opening.isalnum() else ""), (closing if not closing.isalnum() else "")


def compose_one(h: Highlight, target: Target, cfg: CampaignConfig, link_url: str | None) -> Draft:
    """One fitted Draft for a highlight on one account."""
    platform = target.platform
    settings = Settings.of(cfg.posts, platform)
    name = h.credited  # an uncertain speaker is never put on a post unless pinned
    label = speaker_label(name, platform, cfg)
    link = tracked_link(link_url, platform, cfg, h.id)
    values: dict[str, str | None] = {
        "speaker": label,
        "role": cfg.posts.role_of(name, h.role),
        "link": shown_link(link, target.rules),
        "title": cfg.article.title,
        "mentions": " ".join(settings.mentions) or None,
    }
    ctx = _Ctx(h, target, settings, values)
    templates = settings.sentence_templates if h.kind == "sentence" else settings.templates
    quote = quote_text(h)
    warnings: list[str] = []
    if h.kind == "quote" and not name and h.speaker:
        warnings.append(f"highlight {h.id}: speaker '{h.speaker}' is uncertain ({h.evidence or 'no evidence'}); "
                        "posted without a name: pin it to credit them")
    elif h.kind == "quote" and not name:
        warnings.append(f"highlight {h.id}: quote without a known speaker")

    parts: list[str] | None = None
    tagged = _tagged(ctx, templates)
    untagged = [t for t in templates if t not in tagged]  # tried only when the tagged ones cannot do
    text = _first_fit(ctx, templates, quote)
    if text is not None:
        parts = [text]
    if settings.threads.allow and (parts is None or _missing_tags(ctx, parts)):
        # a thread that keeps the required hashtags beats one post without them
        thread = _thread(ctx, tagged, quote)
        if thread is None and parts is None and untagged:
            thread = _thread(ctx, templates, quote)
        parts = thread or parts
    if parts is None:
        text = _truncate(ctx, tagged, quote) or (_truncate(ctx, templates, quote) if untagged else None)
        if text is not None:
            parts = [text]
            why = "threads are off" if not settings.threads.allow else (
                f"more than {settings.threads.max_parts} thread parts needed")
            warnings.append(f"highlight {h.id} shortened for {target.account} ({why})")
    if parts is None:
        frame, vals = _shortest_frame(ctx, templates)
        problems = target.rules.problems(render(frame, _with(vals, quote=quote)))
        raise ctx.fail(
            "cannot fit even when shortened" + (f" ({'; '.join(problems)})" if problems else "")
            + "; shorten the template or quote, or allow threads"
        )
    for p in parts:
        if not target.rules.fits(p):  # the invariant every caller relies on
            raise ctx.fail(f"internal: a part does not fit: {p!r}")
    missing = _missing_tags(ctx, parts)
    if missing:
        warnings.append(f"highlight {h.id} on {target.account}: required hashtags {' '.join(missing)} dropped "
                        "(no template with {hashtags} fits); shorten a template or make them optional")
    return Draft(
        highlight_id=h.id,
        account=target.account,
        platform=platform,
        parts=tuple(parts),
        lengths=tuple(target.rules.length(p) for p in parts),
        limit=target.rules.max_chars,
        language=cfg.campaign.language,
        link=link,
        warnings=tuple(warnings),
        names=((label, name),) if name and label and label != name else (),
    )


def article_link(cfg: CampaignConfig) -> str | None:
    """The link posts point to: `article.url`, else the article's own URL if it is one."""
    return cfg.article.url or (cfg.article.source if cfg.article.is_url else None)


def targets_for(cfg: CampaignConfig, rules_options: dict[str, dict[str, int]] | None = None) -> list[Target]:
    """One Target per enabled account, with the rules of the platform it posts (or simulates)."""
    out = []
    for name, acct in cfg.enabled_accounts().items():
        platform = acct.rules_platform
        out.append(Target(name, platform, get_rules(platform, **(rules_options or {}).get(name, {}))))
    return out


def compose(cfg: CampaignConfig, highlights: Sequence[Highlight], targets: Sequence[Target] | None = None,
            media: dict[str, list[MediaRef]] | None = None) -> list[Draft]:
    """Drafts for every highlight × target (default: the config's accounts), media by highlight id."""
    from dataclasses import replace

    link = article_link(cfg)
    drafts = []
    said: set[str] = set()  # a highlight's own warning (no speaker) once, not once per account
    for h in highlights:
        for t in targets if targets is not None else targets_for(cfg):
            d = compose_one(h, t, cfg, link)
            if d.warnings:
                d = replace(d, warnings=tuple(w for w in d.warnings if w not in said))
                said.update(d.warnings)
            refs = (media or {}).get(h.id, [])
            if refs:
                images = tuple(
                    replace(m, alt=m.alt[: t.rules.alt_max]) for m in refs[: t.rules.max_images]
                )
                d = replace(d, media=images)
            drafts.append(d)
    return drafts


def drafts_for_platforms(cfg: CampaignConfig, highlights: Sequence[Highlight],
                         platforms: Sequence[str] | None = None,
                         media: dict[str, list[MediaRef]] | None = None) -> list[Draft]:
    """Drafts per platform, not per account (the volunteer pack): `account` is the platform name.
    By default every platform volunteers post to by hand (`Rules.volunteer`)."""
    from campaign.platforms import names

    chosen = names(volunteer=True) if platforms is None else platforms
    targets = [Target(p, p, get_rules(p)) for p in chosen]
    return compose(cfg, highlights, targets, media)
