"""What the organizer allows in the studio: themes, sizes, formats, limits, campaign defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.cards import SIZE_PRESETS, THEMES
from campaign.cards.alt import DEFAULT_ALT_LIMIT
from campaign.cards.sizes import SIZE_LABELS
from campaign.errors import CardError

if TYPE_CHECKING:
    from campaign.config import CampaignConfig

FORMATS = ("png", "jpeg")


@dataclass(frozen=True, slots=True)
class ThemeChoice:
    """One theme a volunteer may pick: `key` is what the page sends, `theme` what is drawn."""

    key: str
    label: str
    theme: Any  # a built-in name, or the campaign's `campaign.config.Theme`


@dataclass(frozen=True, slots=True)
class StudioOptions:
    """Everything the studio offers. Only these themes, sizes and formats are ever rendered."""

    themes: tuple[ThemeChoice, ...]
    sizes: tuple[str, ...]
    formats: tuple[str, ...] = FORMATS
    default_format: str = "png"
    language: str = "en"
    budget: int = 1_000_000
    alt_limit: int = DEFAULT_ALT_LIMIT
    source_line: str | None = None
    footer: str | None = None
    base_dir: Path | None = None
    title: str = "Card studio"
    renders_per_minute: int = 60
    render_timeout: float = 5.0
    workers: int = 2

    def theme(self, key: str) -> ThemeChoice | None:
        return next((t for t in self.themes if t.key == key), None)


def _split(values: Sequence[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out += [p.strip() for p in v.split(",") if p.strip()]
    return list(dict.fromkeys(out))


def studio_options(
    cfg: CampaignConfig | None = None,
    *,
    themes: Sequence[str] | None = None,
    sizes: Sequence[str] | None = None,
    renders_per_minute: int = 60,
    render_timeout: float = 5.0,
    workers: int = 2,
) -> StudioOptions:
    """The studio's choices: the campaign's own theme and sizes by default; `themes` (built-in
    names, or `campaign` for the campaign's theme) and `sizes` (presets, or the campaign's own
    sizes) widen or replace them. With no campaign, every built-in theme and preset size.
    Raises CardError naming an unknown theme or size.
    """
    from campaign.cards.render import dimensions

    own_sizes: list[str] = []
    choices: list[ThemeChoice] = []
    if cfg is not None:
        from campaign.cards import sizes_for

        platforms = [a.rules_platform for a in cfg.enabled_accounts().values()]
        own_sizes = sizes_for(platforms, cfg.cards.sizes)
        base = cfg.cards.theme.base
        label = f"Campaign ({base})" if base in THEMES else "Campaign"
        choices.append(ThemeChoice("campaign", label, cfg.cards.theme))
    wanted_themes = _split(themes) or (["campaign"] if cfg is not None else list(THEMES))
    wanted_sizes = _split(sizes) or (own_sizes or list(SIZE_PRESETS))
    bad = [t for t in wanted_themes if t not in THEMES and not (t == "campaign" and cfg)]
    if bad:
        allowed = ", ".join([*THEMES, *(["campaign"] if cfg else [])])
        raise CardError(f"serve: unknown theme {', '.join(bad)} (allowed: {allowed})")
    picked = [c for c in choices if c.key in wanted_themes]
    picked += [ThemeChoice(t, t.capitalize(), t) for t in wanted_themes if t in THEMES]
    for s in wanted_sizes:
        if s not in SIZE_PRESETS and s not in own_sizes:
            try:
                dimensions(s)
            except CardError as e:
                raise CardError(f"serve: {e}") from None
    if cfg is None:
        return StudioOptions(themes=tuple(picked), sizes=tuple(wanted_sizes),
                             renders_per_minute=renders_per_minute,
                             render_timeout=render_timeout, workers=workers)
    from campaign.cards import alt_limit, budget_for

    platforms = [a.rules_platform for a in cfg.enabled_accounts().values()]
    return StudioOptions(
        themes=tuple(picked),
        sizes=tuple(wanted_sizes),
        default_format=cfg.cards.format,
        language=cfg.campaign.language,
        budget=budget_for(platforms),
        alt_limit=alt_limit(platforms),
        source_line=cfg.cards.source_line,
        footer=cfg.cards.footer,
        base_dir=cfg.base_dir,
        title=cfg.campaign.name,
        renders_per_minute=renders_per_minute,
        render_timeout=render_timeout,
        workers=workers,
    )


def size_label(size: str) -> str:
    from campaign.cards.render import dimensions

    w, h = dimensions(size)
    return f"{SIZE_LABELS.get(size, size)} ({w}×{h})"
