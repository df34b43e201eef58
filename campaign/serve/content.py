"""The campaign page's content, served live: rebuilt when the campaign's files change.

`LiveCampaign` holds the last good `Snapshot` of a campaign: its highlights (as the studio
offers them) and the volunteer pack written by `campaign.pack.write_pack` into a private
folder. On a request it checks, at most every `check_every` seconds, whether the YAML or a
local article changed, and rebuilds in a background thread; visitors keep the last good
snapshot meanwhile, and a broken edit keeps it too (the error is shown to the organizer).

Review: with `review: required` only approved posts and highlights may appear. The review
feature does not exist yet; `reviewed()` is the hook. Until a review store answers
`approved(highlight)`, a campaign that requires review shows nothing (fail closed).
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.errors import CampaignError
from campaign.models import Card, Highlight

if TYPE_CHECKING:
    from campaign.config import CampaignConfig

log = logging.getLogger("campaign.serve")

# Builds a campaign's highlights and cards into a folder (the CLI passes campaign.pipeline.build).
Builder = Callable[["CampaignConfig", Path], tuple[list[Highlight], list[Card]]]
Approval = Callable[[Highlight], bool]
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}")
_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


@dataclass(frozen=True)
class Snapshot:
    """One build of the campaign, as the pages show it."""

    highlights: tuple[dict[str, Any], ...] = ()
    pack_index: Path | None = None
    images: dict[str, Path] = field(default_factory=dict)
    csp: str = ""
    built_at: float = 0.0
    error: str | None = None
    review_pending: bool = False

    def highlight_map(self) -> dict[str, dict[str, Any]]:
        return {h["id"]: h for h in self.highlights}


def review_required(cfg: CampaignConfig) -> bool:
    """Whether the campaign says `review: required` (a key the review issue will add)."""
    review = getattr(cfg, "review", None)
    return str(getattr(review, "mode", review) or "").lower() == "required"


def reviewed(cfg: CampaignConfig, highlights: Sequence[Highlight],
             approved: Approval | None) -> list[Highlight]:
    """The highlights the public may see: all of them, or with `review: required` only those
    `approved` accepts (none while there is no review store: fail closed)."""
    if not review_required(cfg):
        return list(highlights)
    return [h for h in highlights if approved is not None and approved(h)]


def studio_highlights(cfg: CampaignConfig, highlights: Sequence[Highlight]) -> tuple[dict[str, Any], ...]:
    """What the studio's picker offers: the credited speaker only (an uncertain one stays off
    unless pinned), the organizer's role for them, and a key sentence's source line."""
    from campaign.cards.batch import article_source

    out = []
    for h in highlights:
        speaker = h.credited
        role = cfg.posts.role_of(speaker, h.role) if speaker else None
        source = None
        if h.kind == "sentence":
            speaker, role = None, None
            source = cfg.cards.source_line or article_source(cfg)
        out.append({"id": h.id, "kind": h.kind, "text": h.text, "speaker": speaker,
                    "role": role, "source": source})
    return tuple(out)


class LiveCampaign:
    """A campaign YAML and its pack, rebuilt into `work_dir` when its files change."""

    def __init__(self, config_path: Path, build: Builder, work_dir: Path, *,
                 check_every: float = 2.0, approved: Approval | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config_path = Path(config_path)
        self.build = build
        self.work_dir = Path(work_dir)
        self.check_every = check_every
        self.approved = approved
        self.clock = clock
        self._snapshot = Snapshot()
        self._stamp: tuple[tuple[str, float, int], ...] = ()
        self._checked = float("-inf")
        self._lock = threading.Lock()  # guards _building
        self._build_lock = threading.Lock()  # one build at a time
        self._building = False
        self._generation = 0
        self._article: list[Path] = []

    # --- what the pages read ---------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The last good build; starts a rebuild in the background when a file changed."""
        now = self.clock()
        if now - self._checked >= self.check_every:
            self._checked = now
            if self._files_stamp() != self._stamp:
                self._start_rebuild()
        return self._snapshot

    def refresh(self) -> Snapshot:
        """Build now, in this thread (at start-up, and in tests), after any build under way.
        Returns the new snapshot."""
        with self._build_lock:
            self._rebuild()
        return self._snapshot

    # --- building --------------------------------------------------------------------------

    def _watched(self) -> list[Path]:
        """The YAML and, once a build has read it, the local article it names."""
        return [self.config_path, *self._article]

    def _files_stamp(self) -> tuple[tuple[str, float, int], ...]:
        out = []
        for p in self._watched():
            try:
                st = p.stat()
                out.append((str(p), st.st_mtime, st.st_size))
            except OSError:
                out.append((str(p), 0.0, -1))
        return tuple(out)

    def _start_rebuild(self) -> None:
        with self._lock:
            if self._building:
                return
            self._building = True

        def run() -> None:
            try:
                with self._build_lock:
                    self._rebuild()
            finally:
                with self._lock:
                    self._building = False

        threading.Thread(target=run, name="campaign-rebuild", daemon=True).start()

    def _rebuild(self) -> None:
        from campaign.config import load
        from campaign.pack import pack_drafts, posting_window, write_pack

        stamp = self._files_stamp()
        self._generation += 1
        out = self.work_dir / f"build-{self._generation}"
        try:
            cfg = load(self.config_path)
            article = [] if cfg.article.is_url else [cfg.resolve(cfg.article.source)]
            if article != self._article:
                self._article = article
                stamp = self._files_stamp()
            highlights, cards = self.build(cfg, out)
            shown = reviewed(cfg, highlights, self.approved)
            ids = {h.id for h in shown}
            cards = [c for c in cards if c.highlight_id in ids]
            drafts = pack_drafts(cfg, shown, cards)
            index = write_pack(cfg, shown, drafts, cards, out / "pack", window=posting_window(cfg), approved=ids)
            html = index.read_text(encoding="utf-8")
            m = _META_CSP.search(html)
            folder = out / "pack" / "images"
            images = {p.name: p for p in folder.iterdir()
                      if p.is_file() and _SAFE_NAME.fullmatch(p.name)} if folder.is_dir() else {}
            self._snapshot = Snapshot(
                highlights=studio_highlights(cfg, shown), pack_index=index, images=images,
                csp=m.group(1).replace("&#39;", "'") if m else "", built_at=time.time(),
                review_pending=review_required(cfg) and len(shown) < len(highlights),
            )
            log.info("campaign built: %d highlights, %d cards", len(shown), len(cards))
        except (CampaignError, OSError) as e:
            log.warning("campaign not rebuilt: %s", e)
            old = self._snapshot
            self._snapshot = Snapshot(old.highlights, old.pack_index, old.images, old.csp,
                                      old.built_at, error=str(e), review_pending=old.review_pending)
        finally:
            self._stamp = stamp
        self._prune(keep=out)

    def _prune(self, keep: Path) -> None:
        """Drop builds older than the one before `keep` (a page may still load its images)."""
        for p in self.work_dir.glob("build-*"):
            try:
                n = int(p.name.split("-", 1)[1])
            except ValueError:
                continue
            if n < self._generation - 1 and p != keep:
                shutil.rmtree(p, ignore_errors=True)
