"""Orchestration: article → highlights → cards → drafts (with media) → plan → queue.

The one module that may import every stage; no stage imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.config import CampaignConfig
from campaign.errors import Problem
from campaign.models import Article, Card, Draft, Highlight, PlannedPost, utc
from campaign.queue import CampaignRecord, EnqueueReport, Store, enqueue_plan

if TYPE_CHECKING:
    from campaign.posts.compose import Target

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
        """Each warning once (a highlight's own, such as a quote with no speaker, is on every account's draft)."""
        return list(dict.fromkeys(w for d in self.drafts for w in d.warnings))


def default_out_dir(cfg: CampaignConfig) -> Path:
    """Where every command writes the campaign's files: the YAML's `output:`, else
    `campaign-out/<slug>` beside the YAML, whatever the working folder (`CampaignConfig.out_dir`)."""
    return cfg.out_dir


def targets(cfg: CampaignConfig, *, live: bool = True) -> tuple[list[Target], list[str]]:
    """One compose Target per enabled account, and notes on limits that could not be read.

    With `live`, a real account's rules come from its adapter (a Mastodon instance's own
    character and media limits, X Premium's `max_chars`, a plugin's own); an account that does
    not post anywhere real (the outbox), or an adapter that cannot be built, uses the rules its
    platform declares.
    """
    from campaign import platforms
    from campaign.errors import CampaignError
    from campaign.platforms import Rules, as_rules
    from campaign.posts.compose import Target, targets_for

    out, notes = [], []
    for t in targets_for(cfg):
        acct = cfg.accounts[t.account]
        if live and platforms.get(acct.platform).real:
            from campaign.publish.adapters.base import close, context_for, create

            try:
                adapter = create(context_for(cfg, t.account, timeout=10))
                try:
                    rules: Rules = as_rules(adapter.rules, acct.platform)
                finally:
                    close(adapter)
                t = Target(t.account, t.platform, rules)
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
    from campaign.posts.compose import compose
    from campaign.posts.media import media_by_highlight

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
    from campaign.config.problems import field_path
    from campaign.config.yamlpos import load_located

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
    from campaign.errors import ConfigError, UnknownHighlightError
    from campaign.highlights import highlights_for

    try:
        article, highlights = highlights_for(cfg)
    except UnknownHighlightError as e:
        loc = ("highlights", e.section) + ((e.index,) if e.index is not None else ())
        raise ConfigError(locate(cfg, loc, e.problems[0].message)) from None
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


# --- queueing a campaign -------------------------------------------------------------------

def campaign_record(cfg: CampaignConfig, *, anchor: datetime, out_dir: Path | None = None) -> CampaignRecord:
    """The parts of a config the worker needs later (account settings hold no secrets). An outbox
    account with no `path:` writes into the campaign's output folder (`out_dir`, else the config's)."""
    accounts = {name: cfg.account_settings(name, out_dir=out_dir) for name in cfg.enabled_accounts()}
    return CampaignRecord(
        slug=cfg.campaign.slug,
        name=cfg.campaign.name,
        zone=cfg.zone,
        language=cfg.campaign.language,
        base_dir=str(cfg.base_dir),
        config_path=str(cfg.path) if cfg.path else None,
        accounts=accounts,
        anchor=utc(anchor),
        review=cfg.review or "off",
        approvals=cfg.approvals,
        reviewers=tuple(cfg.reviewers),
    )


def queue_campaign(cfg: CampaignConfig, store: Store, *, now: datetime, cards: bool = True,
                   out_dir: Path | None = None, asap: bool = False, built: Build | None = None,
                   replan: bool = False) -> tuple[EnqueueReport, list[PlannedPost]]:
    """Build the campaign (drafts, cards), plan it and enqueue it.

    `start: now` is anchored the first time a campaign is queued, so queueing the
    same config again plans the same times and adds nothing. `asap`: every post is
    due at `now`, in plan order (to try a campaign end to end on the outbox). `built`: a
    `pipeline.build` result to queue instead of building again. The organizer's edits by hand
    (a reschedule, a retry, a cancel) are kept unless `replan`.
    """
    from campaign.plan import plan

    existing = store.campaign(cfg.campaign.slug)
    anchor = existing.anchor if existing else utc(now)
    built = built or build(cfg, out_dir=out_dir, cards=cards)
    from campaign.review import apply_overrides, review_contexts

    contexts = review_contexts(built.article, built.highlights)
    drafts = list(built.drafts)
    if existing:
        renamed = legacy_ids(built.highlights, {j.highlight_id for j in store.jobs(campaign=cfg.campaign.slug)})
        drafts = [replace(d, highlight_id=renamed.get(d.highlight_id, d.highlight_id)) for d in drafts]
        contexts = {renamed.get(k, k): v for k, v in contexts.items()}
        drafts = apply_overrides(drafts, store.overrides(cfg.campaign.slug))
    planned = plan(drafts, cfg.schedule, cfg.zone, list(cfg.enabled_accounts()), now=anchor)
    if asap:
        planned = [replace(p, at=utc(now), notes=(*p.notes, "queued to go out now, not at its slot"))
                   for p in planned]
    report = enqueue_plan(store, campaign_record(cfg, anchor=anchor, out_dir=out_dir), planned, now=now,
                          contexts=contexts, replan=replan)
    if existing and not asap:  # a campaign queued before: new highlights (or ones back) may land on past slots
        late = tuple(i.job_id for i in report.of("added") + report.of("requeued")
                     if store.get(i.job_id).run_at < utc(now))
        report = replace(report, late=late)
    return report, planned


def legacy_ids(highlights: Iterable[Highlight], queued: set[str]) -> dict[str, str]:
    """New id -> the all-digit id a highlight had in an older version, for highlights queued
    under that id: re-queueing keeps their jobs (and what was sent) instead of adding twins."""
    from campaign.highlights.select import legacy_id

    out = {}
    for h in highlights:
        old = legacy_id(h.text)
        if old and old in queued and h.id not in queued:
            out[h.id] = old
    return out


# --- a dry run on the outbox -----------------------------------------------------------------


def any_real_account(cfg: CampaignConfig) -> bool:
    """True when an enabled account posts to a real platform (not the outbox)."""
    from campaign import platforms

    return any(platforms.get(a.platform).real for a in cfg.enabled_accounts().values())


def publish_to_outbox(cfg: CampaignConfig, built: Build, out: Path) -> dict[str, Any]:
    """Queue every draft due now in a queue of the build folder and publish it to the outbox
    (a campaign with no real account: the dry run `campaign build` ends with)."""
    from datetime import UTC

    from campaign.publish.worker import run as run_worker
    from campaign.queue import open_store

    outbox = out / "outbox"
    accounts = {
        name: a if a.path else a.model_copy(update={"path": str(outbox)})
        for name, a in cfg.accounts.items()
    }
    cfg = cfg.model_copy(update={"accounts": accounts})
    db = out / "queue.sqlite3"
    store = open_store(db)
    try:
        now = datetime.now(UTC)
        queue_campaign(cfg, store, now=now, built=built, asap=True)  # a dry run: everything now
        report = run_worker(store, now=lambda: datetime.now(UTC), once=True)
    finally:
        store.close()
    folders = sorted({str(Path(a.path or outbox)) for a in cfg.enabled_accounts().values()})
    # `not_sent`: posts left in the queue (an outbox folder that cannot be written makes every
    # attempt a retry): the build did not publish what it says it would.
    return {"sent": report.succeeded + report.reconciled, "failed": report.failed,
            "not_sent": report.retried + report.released + report.lost,
            "outbox": ", ".join(folders), "queue": str(db)}
