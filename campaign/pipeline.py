"""The whole chain for one campaign: article → highlights → cards → drafts (with media)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from campaign.config import CampaignConfig
from campaign.errors import Problem
from campaign.models import Article, Card, Draft, Highlight, MediaRef

if TYPE_CHECKING:
    from campaign.compose import Target

# Preferred card size per platform, in order: the first one rendered is attached.
PREFERRED_SIZES = {
    "x": ("landscape", "square"),
    "mastodon": ("landscape", "square"),
    "bluesky": ("landscape", "square"),
}


@dataclass(frozen=True)
class Build:
    """Everything one campaign build produced."""

    article: Article
    highlights: list[Highlight]
    drafts: list[Draft]
    cards: list[Card] = field(default_factory=list)
    out_dir: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [w for d in self.drafts for w in d.warnings]


def default_out_dir(cfg: CampaignConfig) -> Path:
    """`./campaign-out/<slug>` in the working folder."""
    return Path.cwd() / "campaign-out" / cfg.campaign.slug


def media_by_highlight(cards: list[Card], platform: str) -> dict[str, list[MediaRef]]:
    """The card each highlight attaches on `platform` (its preferred size, else the first)."""
    order = PREFERRED_SIZES.get(platform, ("landscape", "square"))
    out: dict[str, list[MediaRef]] = {}
    for hid in dict.fromkeys(c.highlight_id for c in cards):
        mine = [c for c in cards if c.highlight_id == hid]
        mine.sort(key=lambda c: order.index(c.size) if c.size in order else len(order))
        c = mine[0]
        mime = "image/jpeg" if c.format in ("jpeg", "jpg") else "image/png"
        out[hid] = [MediaRef(path=c.path, alt=c.alt, mime=mime, width=c.width, height=c.height)]
    return out


def targets(cfg: CampaignConfig, *, live: bool = True) -> tuple[list[Target], list[str]]:
    """One compose Target per enabled account, and notes on limits that could not be read.

    With `live`, a real account's rules come from its adapter (a Mastodon instance's own
    character and media limits, X Premium's `max_chars`); outbox and plugin accounts, or an
    adapter that cannot be built, use the platform's published defaults.
    """
    from campaign.compose import Target, targets_for
    from campaign.errors import CampaignError

    out, notes = [], []
    for t in targets_for(cfg):
        acct = cfg.accounts[t.account]
        if live and acct.platform in ("x", "mastodon", "bluesky"):
            from campaign.adapters.base import context_for, create

            try:
                rules = create(context_for(cfg, t.account, timeout=10)).rules
                t = Target(t.account, t.platform, rules)  # type: ignore[arg-type]
            except CampaignError as e:
                notes.append(f"{t.account}: using {acct.platform}'s default limits ({e})")
        out.append(t)
    return out, notes


def build(
    cfg: CampaignConfig,
    *,
    out_dir: Path | None = None,
    cards: bool = True,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    live: bool = True,
) -> Build:
    """Read the article, pick highlights, render cards (unless `cards=False`), compose drafts.

    `live=False` skips asking real accounts' adapters for their limits (no network).
    """
    from campaign.compose import compose

    article, highlights = chosen_highlights(cfg)
    out = out_dir or default_out_dir(cfg)
    rendered: list[Card] = []
    if cards and cfg.cards.enabled and highlights:
        from campaign.cards import render_campaign

        rendered = render_campaign(cfg, highlights, out / "cards", jobs=jobs, progress=progress)
    drafts: list[Draft] = []
    accounts_targets, notes = targets(cfg, live=live)
    for target in accounts_targets:
        media = media_by_highlight(rendered, target.platform)
        drafts += compose(cfg, highlights, [target], media)
    # keep drafts grouped by highlight, accounts in config order
    order = {h.id: i for i, h in enumerate(highlights)}
    accounts = list(cfg.enabled_accounts())
    drafts.sort(key=lambda d: (order.get(d.highlight_id, 0), accounts.index(d.account)))
    return Build(article, highlights, drafts, rendered, out, notes)


def _shown(path: Path) -> str:
    """A config path as the user most likely typed it: relative to the working folder if under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def locate(cfg: CampaignConfig, loc: tuple[object, ...], message: str) -> Problem:
    """A Problem at `loc` of the config's YAML file (line and column when the file can be read)."""
    from campaign.configerrors import field_path
    from campaign.yamlpos import load_located

    line = col = None
    file = _shown(cfg.path) if cfg.path else "<config>"
    if cfg.path is not None:
        try:
            line, col = load_located(cfg.path.read_text(encoding="utf-8-sig")).position(loc)
        except Exception:  # the file changed under us: the field name still says where
            pass
    return Problem(file, line, col, field_path(loc), message)


def chosen_highlights(cfg: CampaignConfig) -> tuple[Article, list[Highlight]]:
    """`highlights_for(cfg)`, with every id the config refers to checked against what was found:
    `highlights.pinned`/`exclude`, `schedule.at` and `cards.alt` name their file:line when unknown."""
    import re

    from campaign.errors import CampaignError, ConfigError
    from campaign.highlights import highlights_for

    try:
        article, highlights = highlights_for(cfg)
    except ConfigError:
        raise
    except CampaignError as e:
        m = re.match(r"highlights\.(pinned|exclude): unknown highlight id '([^']*)'", str(e))
        if not m:
            raise
        section, hid = m.group(1), m.group(2)
        items = cfg.highlights.pinned if section == "pinned" else cfg.highlights.exclude
        index = next((i for i, v in enumerate(items) if v == hid or getattr(v, "id", None) == hid), None)
        loc = ("highlights", section) + ((index,) if index is not None else ())
        raise ConfigError(locate(cfg, loc, str(e).split(": ", 1)[1])) from None
    ids = {h.id for h in highlights}
    problems = []
    for section, refs in ((("schedule", "at"), cfg.schedule.at), (("cards", "alt"), cfg.cards.alt)):
        for hid in refs:
            if hid not in ids:
                problems.append(locate(cfg, (*section, hid), (
                    f"'{hid}' is not one of the campaign's highlights ({', '.join(sorted(ids)) or 'none'}); "
                    "`campaign extract CONFIG` lists them, `--all` every candidate to pin"
                )))
    if problems:
        raise ConfigError(problems)
    return article, highlights
