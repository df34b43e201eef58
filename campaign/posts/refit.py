"""Re-fitting a post that a server refused as too long although it fitted our count.

Some servers count differently from what they advertise: Takahē counts a URL in full (and a
remote mention, every code point as written) while its instance document says 23 characters
per URL. `FullCountRules` are a platform's rules that count a text as written, URLs and
mentions in full (never less than the platform counts it), and `refit` composes the
highlight's draft again under them (or under the limits read again, when those explain the
refusal: an instance whose admin lowered its limit): the composer's own steps (the templates in
order, optional hashtags dropped, one more thread part, a clean cut), with the count the server
applies.

The worker (`campaign.publish.worker`) calls `refit` once for a refused post whose thread has
not started going out, and queues the result in place of the unsent parts; it needs the
campaign's YAML (its path is in the queue's campaign record) to find templates and hashtags.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from campaign.config import CampaignConfig
from campaign.errors import ComposeError
from campaign.models import Draft, MediaRef
from campaign.platforms import Entity, Rules

#: how the strict count reads in a job's events
IN_FULL = "counted as written (URLs and mentions in full)"


@dataclass(frozen=True, slots=True, kw_only=True)
class FullCountRules(Rules):
    """`inner`'s rules, except that a text counts as many characters as it has code points (URLs
    and `@user@domain` mentions in full), or as `inner` counts it when that is more: what a
    server that ignores `characters_reserved_per_url` applies. Limits, entities, links and
    handles are `inner`'s."""

    inner: Rules = field(default_factory=Rules, compare=False, repr=False)

    @classmethod
    def of(cls, rules: Rules) -> FullCountRules:
        """`rules` counting a text as written (unchanged when they already do)."""
        if isinstance(rules, FullCountRules):
            return rules
        values = {f.name: getattr(rules, f.name) for f in fields(Rules)}
        return cls(inner=rules, **values)

    def length(self, text: str) -> int:
        return max(self.inner.length(text), len(text))

    def problems(self, text: str) -> list[str]:
        n = self.length(text)
        own = [f"too long: {n}/{self.max_chars}, {IN_FULL}"] if n > self.max_chars else []
        return own + [p for p in self.inner.problems(text) if not p.startswith("too long")]

    def entities(self, text: str) -> list[Entity]:
        return self.inner.entities(text)

    def show_link(self, url: str) -> str:
        return self.inner.show_link(url)

    def valid_handle(self, handle: str) -> bool:
        return self.inner.valid_handle(handle)


def stricter(rules: Rules, refused: str) -> tuple[Rules, str]:
    """The rules to compose a refused text again under, and how they differ: the account's rules
    as now known (the limits read again) when they explain the refusal, else the same rules
    counting the text as written (`FullCountRules`)."""
    if isinstance(rules, FullCountRules):
        return rules, IN_FULL
    if rules.fits(refused):
        return FullCountRules.of(rules), IN_FULL
    return rules, "the limits read again"


def refit(cfg: CampaignConfig, highlight_id: str, account: str, rules: Rules, *, refused: str,
          media: tuple[MediaRef, ...] = ()) -> tuple[Draft, str]:
    """The draft of `highlight_id` for `account`, composed again under `stricter(rules, refused)`,
    and how the count differs (for the job's events).

    `rules` are the account's rules as the adapter now reads them (its instance's limits);
    `refused` the text the platform refused; `media` the images the queued draft carries (kept
    as they are). Raises ComposeError when the highlight or the account is no longer in the
    campaign, or the post cannot fit; ConfigError and ArticleError when the campaign cannot be
    read again.
    """
    from campaign.highlights import highlights_for
    from campaign.posts.compose import Target, article_link, compose_one

    acct = cfg.enabled_accounts().get(account)
    if acct is None:
        raise ComposeError(f"account '{account}' is no longer an enabled account of the campaign")
    _, highlights = highlights_for(cfg)
    found = next((h for h in highlights if h.id == highlight_id), None)
    if found is None:
        raise ComposeError(f"highlight {highlight_id} is no longer one of the campaign's highlights")
    strict, how = stricter(rules, refused)
    target = Target(account, acct.rules_platform, strict)
    return replace(compose_one(found, target, cfg, article_link(cfg)), media=media), how
